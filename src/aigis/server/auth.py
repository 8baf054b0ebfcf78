"""Authentication: a Bearer token (API) or the console's cookie, checked against hashed tokens."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from aigis.errors import AuthError
from aigis.store import ApiToken, Database, authenticate

COOKIE = "aigis_token"


def token_from_request(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


def require(scope: str = "read") -> Callable[[Request], ApiToken]:
    """Dependency: the request must carry a valid token with at least ``scope``."""

    def dependency(request: Request) -> ApiToken:
        token = token_from_request(request)
        if not token:
            raise AuthError(
                "authentication required: send 'Authorization: Bearer TOKEN' "
                "(create one with 'aigis auth token create NAME')"
            )
        db: Database = request.app.state.db
        with db.session() as session:
            return authenticate(session, token, scope)

    return dependency


def current_token(request: Request) -> ApiToken | None:
    """The console's signed-in token, or None (no error)."""
    token = token_from_request(request)
    if not token:
        return None
    db: Database = request.app.state.db
    try:
        with db.session() as session:
            return authenticate(session, token, "read")
    except AuthError:
        return None
