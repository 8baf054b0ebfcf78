"""Shared pieces for targets spoken to over HTTP: one async client, error classification."""

from __future__ import annotations

import os

import httpx

from aigis.assess.targets.base import TargetError
from aigis.errors import ConfigError

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def make_client(timeout: float, concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout), limits=limits, trust_env=False)


def status_error(status: int, body: bytes) -> TargetError:
    text = body[:200].decode("utf-8", "replace")
    return TargetError(f"HTTP {status} {text}".strip(), retryable=status in RETRY_STATUS)


def transport_error(exc: httpx.HTTPError) -> TargetError:
    if isinstance(exc, httpx.TimeoutException):
        return TargetError(f"timed out ({type(exc).__name__})", retryable=True)
    return TargetError(f"{type(exc).__name__}: {exc}", retryable=True)


def api_key(env_var: str | None) -> str | None:
    if not env_var:
        return None
    value = os.environ.get(env_var)
    if not value:
        raise ConfigError(
            f"--api-key-env: environment variable {env_var} is not set; export it with the API key"
        )
    return value


def json_headers(extra: dict[str, str] | None, api_key_env: str | None) -> dict[str, str]:
    """JSON request headers, with a bearer key read from ``api_key_env`` when one is set."""
    headers = {"content-type": "application/json", **(extra or {})}
    key = api_key(api_key_env)
    if key:
        headers["authorization"] = f"Bearer {key}"
    return headers
