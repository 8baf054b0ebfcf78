"""Targets: OpenAI-compatible chat, any HTTP JSON endpoint, a Python callable, an aigis gateway route."""

from aigis.assess.targets.base import (
    Limits,
    Target,
    TargetError,
    TargetResponse,
    build_target,
    register_target,
    target_kinds,
)

__all__ = [
    "Limits",
    "Target",
    "TargetError",
    "TargetResponse",
    "build_target",
    "register_target",
    "target_kinds",
]
