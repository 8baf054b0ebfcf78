"""Assessment runs and their attempts. Each attempt is written as soon as it completes, so a run
that is killed resumes without repeating finished work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from aigis.errors import InputError, NotFoundError
from aigis.store.base import Base, UTCDateTime, utcnow

RUN_STATUSES = ("pending", "running", "finished", "interrupted", "failed")


class AssessRun(Base):
    __tablename__ = "assess_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_hash: Mapped[str] = mapped_column(String(64), index=True)
    suite: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(500))
    total: Mapped[int] = mapped_column(Integer, default=0)
    system_name: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    clauses: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class AssessAttempt(Base):
    __tablename__ = "assess_attempts"
    __table_args__ = (UniqueConstraint("run_id", "key", name="uq_assess_attempts_run_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("assess_runs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(300))
    item_id: Mapped[str] = mapped_column(String(200))
    attack: Mapped[str] = mapped_column(String(100))
    lang: Mapped[str] = mapped_column(String(8))
    item_set: Mapped[str] = mapped_column(String(32))
    expected: Mapped[str] = mapped_column(String(32))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # "ok" or "error"
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


ATTEMPT_FIELDS = (
    "key",
    "item_id",
    "attack",
    "lang",
    "item_set",
    "expected",
    "categories",
    "messages",
    "response",
    "status",
    "error",
    "scores",
    "passed",
    "latency_ms",
    "prompt_tokens",
    "completion_tokens",
)


def create_run(
    session: Session,
    run_id: str,
    config: dict[str, Any],
    config_hash: str,
    suite: str,
    target: str,
    total: int,
    system_name: str | None = None,
    clauses: Sequence[str] = (),
) -> AssessRun:
    run = AssessRun(
        id=run_id,
        config=config,
        config_hash=config_hash,
        suite=suite,
        target=target,
        total=total,
        system_name=system_name,
        clauses=list(clauses),
        status="pending",
    )
    session.add(run)
    session.commit()
    return run


def get_run(session: Session, run_id: str) -> AssessRun:
    run = session.get(AssessRun, run_id)
    if run is None:
        recent = session.scalars(select(AssessRun.id).order_by(AssessRun.created_at.desc()).limit(5)).all()
        raise NotFoundError("assessment run", run_id, list(recent))
    return run


def list_runs(session: Session, limit: int = 50, system_name: str | None = None) -> list[AssessRun]:
    query = select(AssessRun).order_by(AssessRun.created_at.desc()).limit(limit)
    if system_name:
        query = query.where(AssessRun.system_name == system_name)
    return list(session.scalars(query).all())


def set_run_status(
    session: Session,
    run_id: str,
    status: str,
    summary: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    run = get_run(session, run_id)
    run.status = status
    run.updated_at = utcnow()
    if status in ("finished", "failed"):
        run.finished_at = utcnow()
    if summary is not None:
        run.summary = summary
    if error is not None:
        run.error = error
    session.commit()


def check_system(session: Session, name: str) -> None:
    """Make sure ``name`` is a registered AI system when the inventory exists in this database; the
    error lists the nearest registered names (or, when none is near, the first few)."""
    import difflib

    from sqlalchemy import inspect

    from aigis.store.inventory import AISystem

    bind = session.get_bind()
    if not inspect(bind).has_table(AISystem.__tablename__):
        return
    names = list(session.scalars(select(AISystem.name).order_by(AISystem.name)).all())
    if name in names:
        return
    if not names:
        raise InputError(
            f"--system: {name!r} is not a registered AI system and none is registered yet; "
            "register it first with 'aigis systems add FILE'"
        )
    near = difflib.get_close_matches(name, names, n=5, cutoff=0.4) or names[:5]
    raise NotFoundError("AI system", name, near)


def link_run(session: Session, run_id: str, system_name: str | None, clauses: Sequence[str]) -> None:
    """Attach a run to an AI system (by inventory name) as evidence for the given clause ids."""
    run = get_run(session, run_id)
    run.system_name = system_name
    run.clauses = list(clauses)
    session.commit()


def finished_keys(session: Session, run_id: str) -> set[str]:
    """Keys of attempts that completed (errors are retried on resume)."""
    rows = session.scalars(
        select(AssessAttempt.key).where(AssessAttempt.run_id == run_id, AssessAttempt.status == "ok")
    )
    return set(rows.all())


def save_attempts(
    session: Session, run_id: str, attempts: Iterable[dict[str, Any]], replace: bool = True
) -> int:
    """Write finished attempts in one transaction (one multi-row insert). With ``replace`` an attempt with
    the same key replaces the stored one (a failed attempt retried on resume)."""
    batch = list(attempts)
    if not batch:
        return 0
    if replace:
        keys = [a["key"] for a in batch]
        session.execute(
            delete(AssessAttempt).where(AssessAttempt.run_id == run_id, AssessAttempt.key.in_(keys))
        )
    now = utcnow()
    rows = [{"run_id": run_id, "created_at": now, **{f: a.get(f) for f in ATTEMPT_FIELDS}} for a in batch]
    session.execute(insert(AssessAttempt), rows)
    session.execute(
        update(AssessRun).where(AssessRun.id == run_id).values(updated_at=now),
    )
    session.commit()
    return len(batch)


def stored_keys(session: Session, run_id: str) -> set[str]:
    """Keys of every stored attempt, finished or failed."""
    return set(session.scalars(select(AssessAttempt.key).where(AssessAttempt.run_id == run_id)).all())


def attempt_counts(session: Session, run_id: str) -> dict[str, int]:
    rows = session.execute(
        select(AssessAttempt.status, func.count())
        .where(AssessAttempt.run_id == run_id)
        .group_by(AssessAttempt.status)
    ).all()
    return {str(status): int(count) for status, count in rows}


def load_attempts(session: Session, run_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(AssessAttempt).where(AssessAttempt.run_id == run_id).order_by(AssessAttempt.id)
    ).all()
    return [attempt_dict(row) for row in rows]


def attempt_dict(row: AssessAttempt) -> dict[str, Any]:
    data = {f: getattr(row, f) for f in ATTEMPT_FIELDS}
    data["created_at"] = row.created_at.isoformat() if row.created_at else None
    return data


def run_dict(run: AssessRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "updated_at": run.updated_at.isoformat() if run.updated_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "suite": run.suite,
        "target": run.target,
        "total": run.total,
        "config_hash": run.config_hash,
        "config": run.config,
        "system_name": run.system_name,
        "clauses": list(run.clauses or []),
        "error": run.error,
    }
