"""Key-value backends with expiry and atomic increments."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from aigis.config import redact_url
from aigis.errors import ConfigError


class SharedState(Protocol):
    def incr(self, key: str, ttl_seconds: float) -> int:
        """Add one to ``key`` and return the new count; a new key expires after ``ttl_seconds``."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryState:
    """One process's state: right for a single server."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._values: dict[str, tuple[str, float | None]] = {}
        self._lock = threading.Lock()
        self._now = now

    def _live(self, key: str) -> tuple[str, float | None] | None:
        entry = self._values.get(key)
        if entry is not None and entry[1] is not None and entry[1] <= self._now():
            del self._values[key]
            return None
        return entry

    def incr(self, key: str, ttl_seconds: float) -> int:
        with self._lock:
            entry = self._live(key)
            if entry is None:
                self._values[key] = ("1", self._now() + ttl_seconds)
                return 1
            count = int(entry[0]) + 1
            self._values[key] = (str(count), entry[1])
            return count

    def get(self, key: str) -> str | None:
        with self._lock:
            entry = self._live(key)
            return entry[0] if entry else None

    def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        with self._lock:
            self._values[key] = (value, self._now() + ttl_seconds if ttl_seconds else None)

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


class RedisState:
    """State shared by every replica that points at the same Redis."""

    def __init__(self, url: str, prefix: str = "aigis:") -> None:
        import redis

        self.prefix = prefix
        try:
            self.client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
            self.client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConfigError(f"cannot reach Redis at {redact_url(url)!r}: {exc}") from None

    def incr(self, key: str, ttl_seconds: float) -> int:
        name = self.prefix + key
        pipe = self.client.pipeline()
        pipe.incr(name)
        # NX: only a new key gets the expiry, so a window is not stretched by later hits.
        pipe.pexpire(name, max(1, int(ttl_seconds * 1000)), nx=True)
        count, _ = pipe.execute()
        return int(count)

    def get(self, key: str) -> str | None:
        value = self.client.get(self.prefix + key)
        return None if value is None else str(value)

    def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        px = max(1, int(ttl_seconds * 1000)) if ttl_seconds else None
        self.client.set(self.prefix + key, value, px=px)

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)


def open_state(redis_url: str | None) -> SharedState:
    return RedisState(redis_url) if redis_url else MemoryState()
