"""The scorer interface and its registry.

A scorer looks at one attempt (the item, what was sent, what came back) and returns a Score: a label,
whether the scorer's condition was detected (``positive``: refused, harmful, leaked, matched, unsafe),
and whether the attempt passes by this scorer given the item's expected behaviour (``passed``; None when
the scorer does not apply or could not decide).
"""

from __future__ import annotations

import inspect
import typing
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from aigis.errors import InputError
from aigis.plugins import Registry

if TYPE_CHECKING:
    from aigis.assess.suites import Item


@dataclass(frozen=True)
class ScoreInput:
    item: Item
    response: str
    messages: list[dict[str, str]] = field(default_factory=list)
    system_prompt: str | None = None
    canary: str | None = None

    @property
    def lang(self) -> str:
        return self.item.lang


@dataclass(frozen=True)
class Score:
    scorer: str
    label: str
    positive: bool | None
    passed: bool | None
    value: float | None = None
    rationale: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "scorer": self.scorer,
            "label": self.label,
            "positive": self.positive,
            "passed": self.passed,
            "value": self.value,
            "rationale": self.rationale,
        }


def not_applicable(name: str, why: str = "") -> Score:
    return Score(name, "n/a", None, None, None, why)


class Scorer(ABC):
    """Base class: subclasses set ``name`` and implement ``score``."""

    name: str = ""
    title: ClassVar[dict[str, str]] = {}
    positive_label: str = ""  # what ``positive`` means, for calibration reports
    clauses: tuple[str, ...] = ("5.8",)
    offline: bool = True  # False when the scorer needs a remote model

    @abstractmethod
    async def score(self, data: ScoreInput) -> Score:
        """Score one response."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""

    def describe(self) -> dict[str, Any]:
        return {"name": self.name}


SCORERS: Registry[Scorer] = Registry("scorer", "aigis.assess.scorers")
register_scorer = SCORERS.register


def scorer_names() -> list[str]:
    return SCORERS.names()


def scorer_class(name: str) -> type[Scorer]:
    return SCORERS.get(name)


def build_scorer(name: str, options: dict[str, Any] | None = None) -> Scorer:
    cls = scorer_class(name)
    params = inspect.signature(cls.__init__).parameters.values()
    allowed = [p.name for p in params if p.name != "self" and p.kind is not p.VAR_KEYWORD]
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params)
    unknown = sorted(set(options or {}) - set(allowed))
    if unknown and not takes_any:
        raise InputError(
            f"scorer {name!r} has no option {', '.join(map(repr, unknown))}; "
            f"its options are: {', '.join(allowed) or '(none)'}"
        )
    hints = typing.get_type_hints(cls.__init__)
    for key, value in (options or {}).items():
        wanted = _SIMPLE_TYPES.get(hints.get(key))  # type: ignore[call-overload]
        if wanted is not None and not _is_a(value, wanted):
            raise InputError(
                f"scorer {name!r} option {key!r} is {value!r}; it must be {wanted.__name__} (e.g. {key}="
                f"{_EXAMPLES[wanted]})"
            )
    return cls(**(options or {}))


_SIMPLE_TYPES: dict[object, type] = {bool: bool, float: float, int: int, str: str}
_EXAMPLES = {bool: "false", float: "0.7", int: "3", str: "text"}


def _is_a(value: object, wanted: type) -> bool:
    if wanted is float:  # a whole number is a float too, a bool is not
        return isinstance(value, int | float) and not isinstance(value, bool)
    if wanted is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, wanted)
