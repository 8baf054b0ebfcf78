"""A Python callable as the target: ``fn(messages) -> str`` (or a dict with "text" and token counts),
plain or async. Named by import path ("package.module:function") so a run can resume in a new process."""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Callable
from typing import Any

from aigis.assess.targets.base import Limits, Message, Target, TargetError, TargetResponse, register_target
from aigis.errors import InputError


def import_callable(path: str) -> Callable[..., Any]:
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise InputError(f"--callable: {path!r} is not 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
        fn = getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"--callable: cannot import {path!r} ({exc})") from None
    if not callable(fn):
        raise InputError(f"--callable: {path!r} is not callable")
    return fn  # type: ignore[no-any-return]


@register_target
class PythonCallable(Target):
    kind = "callable"

    def __init__(
        self,
        fn: Callable[..., Any] | str,
        system_prompt: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(limits, system_prompt)
        self.path = fn if isinstance(fn, str) else f"{fn.__module__}:{fn.__qualname__}"
        self.fn = import_callable(fn) if isinstance(fn, str) else fn

    @classmethod
    def from_config(cls, options: dict[str, Any], limits: Limits | None = None) -> PythonCallable:
        return cls(str(options.get("callable", "")), options.get("system_prompt"), limits)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "callable": self.path, "system_prompt": self.system_prompt}

    async def _send(self, messages: list[Message]) -> TargetResponse:
        try:
            if inspect.iscoroutinefunction(self.fn):
                result = await asyncio.wait_for(self.fn(messages), self.limits.timeout)
            else:
                result = self.fn(messages)
        except TimeoutError:
            raise TargetError("timed out", retryable=True) from None
        except Exception as exc:
            raise TargetError(f"{type(exc).__name__}: {exc}", retryable=False) from None
        if isinstance(result, dict):
            return TargetResponse(
                str(result.get("text", "")),
                int(result.get("prompt_tokens", 0)),
                int(result.get("completion_tokens", 0)),
            )
        return TargetResponse(str(result))
