"""API tokens: stored as SHA-256 hashes, shown once when created."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from aigis.errors import AuthError, InputError, NotFoundError, PermissionDeniedError
from aigis.store.base import Base, UTCDateTime, utcnow

SCOPES = ("read", "write", "admin")
TOKEN_PREFIX = "aigis_"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    scope: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scope_allows(granted: str, needed: str) -> bool:
    return SCOPES.index(granted) >= SCOPES.index(needed)


def create_token(session: Session, name: str, scope: str = "write") -> str:
    """Create a token and return its secret value; only the hash is kept."""
    if scope not in SCOPES:
        raise InputError(f"scope {scope!r} is not allowed; use one of: {', '.join(SCOPES)}")
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("token name must be 1 to 100 characters")
    if session.scalar(select(ApiToken).where(ApiToken.name == name)) is not None:
        raise InputError(f"a token named {name!r} already exists; pick another name or revoke it first")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=hash_token(secret), scope=scope))
    session.commit()
    return secret


def authenticate(session: Session, token: str, needed: str = "read") -> ApiToken:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise AuthError("the API token is not valid; create one with 'aigis auth token create NAME'")
    if not scope_allows(row.scope, needed):
        raise PermissionDeniedError(f"the token {row.name!r} has scope {row.scope!r}; this needs {needed!r}")
    return row


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(session: Session, name: str) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.name == name))
    if row is None:
        raise NotFoundError("token", name, [t.name for t in list_tokens(session)][:5])
    row.revoked_at = utcnow()
    session.commit()
