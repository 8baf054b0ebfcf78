"""Authentication: a Bearer token (API) or the console's cookie, checked against hashed tokens."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from aigis.errors import AuthError, PermissionDeniedError, RateLimitedError
from aigis.state import RateLimiter
from aigis.store import ApiToken, Database, authenticate

COOKIE = "aigis_token"
# Failed sign-ins (wrong or revoked tokens) allowed per client address in a window, against guessing.
FAILED_AUTH_LIMIT = 20
FAILED_AUTH_WINDOW_SECONDS = 300.0


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_token(request: Request, token: str, scope: str) -> ApiToken:
    """Authenticate ``token``; too many invalid tokens from one address are refused for a while."""
    failures: RateLimiter = request.app.state.auth_failures
    client = client_address(request)
    if failures.exceeded(client):
        raise RateLimitedError(
            f"too many failed sign-ins from {client}; try again in {int(FAILED_AUTH_WINDOW_SECONDS)} seconds"
        )
    db: Database = request.app.state.db
    try:
        with db.session() as session:
            return authenticate(session, token, scope)
    except PermissionDeniedError:
        raise
    except AuthError:
        failures.hit(client)
        raise


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
        return check_token(request, token, scope)

    dependency.aigis_scope = scope  # type: ignore[attr-defined]
    return dependency


def authenticate_route(request: Request) -> None:
    """Run the auth dependencies of the route ``request`` matched, raising their error if any fails.

    FastAPI parses a JSON body before it resolves dependencies, so a malformed body would otherwise
    answer 422 to a caller who has not authenticated; the validation error handler calls this first.
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    for sub in getattr(dependant, "dependencies", ()):
        if getattr(sub.call, "aigis_scope", None) is not None:
            sub.call(request)


def current_token(request: Request) -> ApiToken | None:
    """The console's signed-in token, or None (no error)."""
    token = token_from_request(request)
    if not token:
        return None
    try:
        return check_token(request, token, "read")
    except (AuthError, RateLimitedError):
        return None
