"""The guard's review queue: texts a policy escalated to human review (action ``review``), and what a
reviewer decided about each.

What is kept is the checked text with the policy's masks applied, so personal data that the policy
masks never reaches the queue. A finding's matched text is kept only
when the stored text was not masked, since otherwise it could hold the very value the mask hid.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, CursorResult, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from aigis.errors import ConflictError, InputError, NotFoundError
from aigis.store.base import Base, UTCDateTime, utcnow

REVIEW_STATUSES = ("pending", "approved", "rejected")
DECISIONS = {"approve": "approved", "reject": "rejected"}
MAX_STORED_TEXT = 200_000  # characters of the text and of the prompt kept for the reviewer
MAX_NOTE = 2_000


class GuardReview(Base):
    __tablename__ = "guard_reviews"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    direction: Mapped[str] = mapped_column(String(8))
    source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    lang: Mapped[str] = mapped_column(String(8))
    policy: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    text_chars: Mapped[int] = mapped_column(Integer)  # length of the whole text; ``text`` may be cut
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    clauses: Mapped[list[str]] = mapped_column(JSON, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    requested_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    def to_dict(self, *, content: bool = True) -> dict[str, Any]:
        """The review as JSON; ``content=False`` leaves out the text, the prompt and the findings (for
        callers who may see where their request stands but not other people's texts)."""
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "direction": self.direction,
            "lang": self.lang,
            "policy": self.policy,
            "categories": list(self.categories),
            "clauses": list(self.clauses),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "note": self.note,
        }
        if content:
            out.update(
                source=self.source,
                text=self.text,
                text_chars=self.text_chars,
                truncated=self.text_chars > len(self.text),
                prompt=self.prompt,
                findings=list(self.findings),
                requested_by=self.requested_by,
            )
        return out


def new_review_id() -> str:
    return "rv_" + secrets.token_hex(8)


def _stored_findings(verdict: dict[str, Any], masked: bool) -> list[dict[str, Any]]:
    """The verdict's findings that did something, without matched text or spans once the text was
    masked (spans point into the original, and the matched text may be what the mask hid)."""
    return [
        {k: v for k, v in f.items() if not (masked and k in ("text", "span"))}
        for f in verdict["findings"]
        if f.get("action", "allow") != "allow"
    ]


def enqueue_review(
    session: Session,
    verdict: dict[str, Any],
    text: str,
    *,
    masked: bool = False,
    prompt: str | None = None,
    source: str | None = None,
    requested_by: str | None = None,
) -> GuardReview:
    """Queue a verdict (``Verdict.to_dict()``) whose action is ``review``. ``text`` is what the reviewer
    sees: the checked text with the policy's masks applied (``Guard.mask``), ``masked`` says whether
    any were. Returns the new pending review."""
    if verdict.get("action") != "review":
        raise InputError(
            f"only a verdict whose action is 'review' is queued; this one is {verdict.get('action')!r}"
        )
    findings = _stored_findings(verdict, masked)
    categories = list(dict.fromkeys(f["category"] for f in findings if f.get("action") == "review"))
    row = GuardReview(
        id=new_review_id(),
        status="pending",
        direction=verdict.get("direction", "input"),
        source=source,
        lang=verdict.get("lang", "en"),
        policy=str(verdict.get("policy", "default"))[:200],
        text=text[:MAX_STORED_TEXT],
        text_chars=len(text),
        prompt=prompt[:MAX_STORED_TEXT] if prompt else None,
        categories=categories,
        clauses=list(verdict.get("clauses", [])),
        findings=findings,
        requested_by=requested_by,
    )
    session.add(row)
    session.commit()
    return row


def get_review(session: Session, review_id: str) -> GuardReview:
    row = session.get(GuardReview, review_id)
    if row is None:
        raise NotFoundError("review", review_id)
    return row


def _status_filter(status: str | None) -> str | None:
    if status in (None, "", "all"):
        return None
    if status not in REVIEW_STATUSES:
        raise InputError(f"status {status!r} is not allowed; use one of: {', '.join(REVIEW_STATUSES)} or all")
    return status


def list_reviews(
    session: Session, status: str | None = "pending", limit: int = 100, offset: int = 0
) -> list[GuardReview]:
    """Reviews with ``status`` (or all), oldest pending first so the queue is worked in order; decided
    ones newest first."""
    wanted = _status_filter(status)
    if not 1 <= limit <= 1000:
        raise InputError(f"limit {limit} is not allowed; use 1 to 1000")
    if offset < 0:
        raise InputError(f"offset {offset} is not allowed; use 0 or more")
    query = select(GuardReview)
    if wanted is not None:
        query = query.where(GuardReview.status == wanted)
    order = GuardReview.created_at.asc() if wanted == "pending" else GuardReview.created_at.desc()
    return list(session.scalars(query.order_by(order, GuardReview.id).limit(limit).offset(offset)))


def count_reviews(session: Session) -> dict[str, int]:
    """How many reviews there are in each status (every status is present)."""
    counts = dict.fromkeys(REVIEW_STATUSES, 0)
    for status, n in session.execute(select(GuardReview.status, func.count()).group_by(GuardReview.status)):
        counts[status] = int(n)
    return counts


def decide_review(
    session: Session, review_id: str, decision: str, reviewer: str, note: str | None = None
) -> GuardReview:
    """Approve or reject a pending review. A review is decided once: a second decision, even by
    another reviewer at the same moment, is refused with ConflictError."""
    if decision not in DECISIONS:
        raise InputError(f"decision {decision!r} is not allowed; use approve or reject")
    if note is not None and len(note) > MAX_NOTE:
        raise InputError(f"note has {len(note)} characters; at most {MAX_NOTE} are allowed")
    row = get_review(session, review_id)
    # the status test is in the UPDATE itself, so of two concurrent decisions only one changes the row
    result = session.execute(
        update(GuardReview)
        .where(GuardReview.id == review_id, GuardReview.status == "pending")
        .values(status=DECISIONS[decision], decided_by=reviewer, decided_at=utcnow(), note=note or None)
    )
    changed = cast(CursorResult[Any], result).rowcount
    session.commit()
    session.refresh(row)
    if not changed:
        raise ConflictError(
            f"review {review_id!r} was already {row.status} by {row.decided_by!r}; a review is decided once"
        )
    return row
