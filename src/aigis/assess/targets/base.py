"""The target interface: something that answers a conversation. Limits (concurrency, requests per
second, timeout, retries with exponential backoff) are shared by every target kind."""

from __future__ import annotations

import asyncio
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from aigis.errors import InputError
from aigis.plugins import Registry

Message = dict[str, str]


class TargetError(Exception):
    """The target did not answer (after the allowed retries)."""

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass
class TargetResponse:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    retries: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    concurrency: int = 16
    rps: float = 0.0  # requests per second across the target; 0 = unlimited
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 0.5  # first wait in seconds, doubled each retry, with jitter

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise InputError(f"--concurrency: {self.concurrency} is not allowed; use 1 or more")
        if self.rps < 0:
            raise InputError(f"--rps: {self.rps} is not allowed; use 0 (unlimited) or a positive number")
        if self.timeout <= 0:
            raise InputError(f"--timeout: {self.timeout} is not allowed; use a positive number of seconds")
        if self.retries < 0:
            raise InputError(f"--retries: {self.retries} is not allowed; use 0 or more")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RateLimiter:
    """Spaces request starts at least 1/rps seconds apart."""

    def __init__(self, rps: float) -> None:
        self.interval = 1.0 / rps if rps > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class Target(ABC):
    """Base class: subclasses set ``kind`` and implement ``_send`` (one try, no retries)."""

    kind: str = ""

    def __init__(self, limits: Limits | None = None, system_prompt: str | None = None) -> None:
        self.limits = limits or Limits()
        self.system_prompt = system_prompt
        self._semaphore: asyncio.Semaphore | None = None
        self._limiter: RateLimiter | None = None
        self.calls = 0

    @abstractmethod
    async def _send(self, messages: list[Message]) -> TargetResponse:
        """Send once; raise TargetError(retryable=True) for failures worth another try."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Configuration without secrets (part of a run's config hash)."""

    def with_system(self, messages: list[Message]) -> list[Message]:
        if self.system_prompt and not any(m["role"] == "system" for m in messages):
            return [{"role": "system", "content": self.system_prompt}, *messages]
        return messages

    async def send(self, messages: list[Message]) -> TargetResponse:
        """Send with the concurrency limit, the rate limit and retries with exponential backoff."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.limits.concurrency)
            self._limiter = RateLimiter(self.limits.rps)
        assert self._limiter is not None
        full = self.with_system(messages)
        attempt = 0
        async with self._semaphore:
            while True:
                await self._limiter.wait()
                started = time.perf_counter()
                self.calls += 1
                try:
                    response = await self._send(full)
                except TargetError as exc:
                    if not exc.retryable or attempt >= self.limits.retries:
                        raise TargetError(f"{exc} (after {attempt + 1} tries)") from None
                    attempt += 1
                    delay = self.limits.backoff * (2 ** (attempt - 1))
                    await asyncio.sleep(delay * (0.5 + random.random() / 2))
                    continue
                response.latency_ms = (time.perf_counter() - started) * 1000
                response.retries = attempt
                return response

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


TARGETS: Registry[Target] = Registry("target kind", "aigis.assess.targets", key="kind")
register_target = TARGETS.register


def target_kinds() -> list[str]:
    return TARGETS.names()


def build_target(config: dict[str, Any], limits: Limits | None = None) -> Target:
    """A target from its configuration: {"kind": "openai", "base_url": ..., "model": ..., ...}."""
    cls = TARGETS.get(str(config.get("kind", "")))
    options = {k: v for k, v in config.items() if k != "kind"}
    builder: Callable[..., Target] = cls.from_config  # type: ignore[attr-defined]
    return builder(options, limits)


AsyncFn = Callable[[list[Message]], Awaitable[Any]]
