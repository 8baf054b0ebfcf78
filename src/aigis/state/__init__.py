"""Shared state for counters that several server replicas must agree on (rate limits, lockouts,
switches): in-process by default, Redis when ``AIGIS_REDIS_URL`` is set."""

from aigis.state.backends import MemoryState, RedisState, SharedState, open_state
from aigis.state.limits import RateLimiter

__all__ = ["MemoryState", "RateLimiter", "RedisState", "SharedState", "open_state"]
