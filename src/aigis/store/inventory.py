"""AI system inventory: the current description of each system and every version of it (who, when, what)."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from aigis.errors import InputError, NotFoundError
from aigis.store.base import Base, UTCDateTime, utcnow


class AISystem(Base):
    __tablename__ = "ai_systems"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
            "system": self.data,
        }


class AISystemVersion(Base):
    __tablename__ = "ai_system_versions"
    __table_args__ = (UniqueConstraint("system_name", "version", name="uq_ai_system_versions_name_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system_name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # add | update | remove
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.system_name,
            "version": self.version,
            "action": self.action,
            "actor": self.actor,
            "at": self.created_at.isoformat(),
            "changes": self.changes,
        }


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data} if prefix else {}


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Field-by-field changes between two descriptions (dotted paths; lists compared whole)."""
    before, after = _flatten(old or {}), _flatten(new or {})
    changes = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key) or (key in before) != (key in after):
            changes.append({"field": key, "old": before.get(key), "new": after.get(key)})
    return changes


def _actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor or len(actor) > 100:
        raise InputError("actor (who made the change) must be 1 to 100 characters")
    return actor


def _next_version(session: Session, name: str) -> int:
    current = session.scalar(
        select(func.max(AISystemVersion.version)).where(AISystemVersion.system_name == name)
    )
    return int(current or 0) + 1


def _row(session: Session, name: str) -> AISystem | None:
    return session.scalar(select(AISystem).where(AISystem.name == name))


def get_system(session: Session, name: str) -> AISystem:
    row = _row(session, name)
    if row is None:
        names = list(session.scalars(select(AISystem.name)))
        raise NotFoundError("AI system", name, difflib.get_close_matches(name, names, n=3))
    return row


def list_systems(session: Session) -> list[AISystem]:
    return list(session.scalars(select(AISystem).order_by(AISystem.name)))


def add_system(session: Session, data: dict[str, Any], actor: str) -> AISystem:
    """Register a new system (``data`` is an already validated description with a 'name')."""
    name = str(data["name"])
    actor = _actor(actor)
    if _row(session, name) is not None:
        raise InputError(f"an AI system named {name!r} already exists; use update to change it")
    version = _next_version(session, name)
    now = utcnow()
    row = AISystem(
        name=name,
        data=data,
        version=version,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    session.add(row)
    session.add(
        AISystemVersion(
            system_name=name,
            version=version,
            action="add",
            data=data,
            changes=diff(None, data),
            actor=actor,
            created_at=now,
        )
    )
    session.commit()
    return row


def update_system(
    session: Session, name: str, data: dict[str, Any], actor: str
) -> tuple[AISystem, list[dict[str, Any]]]:
    """Replace a system's description; returns the row and the changes (none: no new version)."""
    actor = _actor(actor)
    row = get_system(session, name)
    if data.get("name") != name:
        raise InputError(
            f"name: renaming {name!r} to {data.get('name')!r} is not supported; "
            "remove the system and add it under the new name"
        )
    changes = diff(row.data, data)
    if not changes:
        return row, []
    version = _next_version(session, name)
    now = utcnow()
    row.data = data
    row.version = version
    row.updated_at = now
    row.updated_by = actor
    session.add(
        AISystemVersion(
            system_name=name,
            version=version,
            action="update",
            data=data,
            changes=changes,
            actor=actor,
            created_at=now,
        )
    )
    session.commit()
    return row, changes


def remove_system(session: Session, name: str, actor: str) -> int:
    """Remove a system from the inventory; its history is kept. Returns the version recording the removal."""
    actor = _actor(actor)
    row = get_system(session, name)
    version = _next_version(session, name)
    session.add(
        AISystemVersion(
            system_name=name,
            version=version,
            action="remove",
            data=row.data,
            changes=diff(row.data, None),
            actor=actor,
            created_at=utcnow(),
        )
    )
    session.delete(row)
    session.commit()
    return version


def system_history(session: Session, name: str) -> list[AISystemVersion]:
    """Every version of a system, oldest first (also for removed systems)."""
    rows = list(
        session.scalars(
            select(AISystemVersion)
            .where(AISystemVersion.system_name == name)
            .order_by(AISystemVersion.version)
        )
    )
    if not rows:
        names = list(session.scalars(select(AISystemVersion.system_name).distinct()))
        raise NotFoundError("AI system", name, difflib.get_close_matches(name, names, n=3))
    return rows


def system_version(session: Session, name: str, version: int) -> AISystemVersion:
    row = session.scalar(
        select(AISystemVersion).where(AISystemVersion.system_name == name, AISystemVersion.version == version)
    )
    if row is None:
        raise NotFoundError(f"version of AI system {name!r}", str(version))
    return row
