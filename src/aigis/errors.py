"""Errors a user can cause. Each message names the input, what was wrong and what is allowed."""

from __future__ import annotations


class AigisError(Exception):
    """Base class for every error aigis raises on purpose.

    The CLI prints ``str(error)`` without a traceback and exits with ``exit_code``;
    the server answers with ``http_status`` and ``{"error": code, "message": str(error)}``.
    """

    exit_code = 2
    http_status = 400
    code = "aigis_error"


class InputError(AigisError):
    """A value given by the user is not allowed."""

    code = "invalid_input"


class NotFoundError(AigisError):
    """Something the user named does not exist."""

    exit_code = 3
    http_status = 404
    code = "not_found"

    def __init__(self, what: str, value: str, suggestions: list[str] | None = None) -> None:
        self.what = what
        self.value = value
        self.suggestions = suggestions or []
        message = f"unknown {what} {value!r}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class AuthError(AigisError):
    """Missing or wrong credentials, or a token without the needed scope."""

    exit_code = 4
    http_status = 401
    code = "unauthorized"


class PermissionDeniedError(AuthError):
    """Valid credentials whose scope does not allow the action."""

    http_status = 403
    code = "forbidden"


class RateLimitedError(AigisError):
    """Too many requests (or failed sign-ins) from one client; try again later."""

    exit_code = 5
    http_status = 429
    code = "rate_limited"


class ConfigError(AigisError):
    """A setting (environment variable or config file) has a value that is not allowed."""

    code = "invalid_config"


class ConflictError(AigisError):
    """The action clashes with the current state of what it names (e.g. deciding a review twice)."""

    exit_code = 6
    http_status = 409
    code = "conflict"
