"""Fixed-window rate limits over a shared state backend."""

from __future__ import annotations

from dataclasses import dataclass

from aigis.state.backends import SharedState


@dataclass(frozen=True)
class RateLimiter:
    """At most ``limit`` events per ``window_seconds`` for each subject."""

    state: SharedState
    name: str
    limit: int
    window_seconds: float

    def _key(self, subject: str) -> str:
        return f"rate:{self.name}:{subject}"

    def hit(self, subject: str) -> bool:
        """Count one event; True while the subject is within its limit."""
        return self.state.incr(self._key(subject), self.window_seconds) <= self.limit

    def exceeded(self, subject: str) -> bool:
        """Whether the subject is over its limit now, without counting an event."""
        count = self.state.get(self._key(subject))
        return count is not None and int(count) >= self.limit

    def reset(self, subject: str) -> None:
        self.state.delete(self._key(subject))
