"""The detector interface shared by every guard detector, and its registry.

A detector is one class: it looks at normalized text and returns findings with spans in that text.
The guard maps spans back to the original text, so detectors never deal with normalization.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import TYPE_CHECKING, Literal, TypeVar

if TYPE_CHECKING:
    from aigis.guard.lexicon import KeywordHit
    from aigis.guard.normalize import Normalized, View

# a Chinese character, or a run of other letters (a word)
_WORD_OR_HAN = re.compile(r"[\u4e00-\u9fff]|[^\W\d_\u4e00-\u9fff]+")
SHORT_MESSAGE_WORDS = 3  # a Chinese character counts as a word


def too_short_to_judge(text: str, hits: Iterable[KeywordHit]) -> bool:
    """A message of at most three words or Chinese characters ("no", "my bad", "我爱你") carries too
    little for the classifiers, which learned from whole requests: only a strong keyword or cue phrase
    ("冰毒", "make a bomb", "ignore previous instructions") judges it. Shared by every classifier-backed
    detector (harmful, semantic, injection)."""
    if any(h.weight >= 2 for h in hits):
        return False
    # no word after the third: the search stops there, however long the text
    return next(islice(_WORD_OR_HAN.finditer(text), SHORT_MESSAGE_WORDS, None), None) is None


Direction = Literal["input", "output"]
Source = Literal["user", "document", "tool", "model"]


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    """One thing a detector found."""

    detector: str  # registry name, e.g. "pii", "injection", "harmful"
    category: str  # e.g. "CN_RESIDENT_ID", "instruction_override", "TC260-A.1.4"
    score: float  # 0..1 confidence
    span: Span | None  # where in the text (None for whole-text judgements)
    clauses: tuple[str, ...]  # framework clause ids this finding is evidence for
    rationale: str = ""  # short human-readable reason
    text: str = ""  # the matched text (may be masked by the guard before leaving)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScanContext:
    """What the detector knows about the text besides its content."""

    direction: Direction = "input"
    source: Source = "user"
    lang: str | None = None  # "zh", "en" or None when unknown/mixed
    prompt: str | None = None  # for outputs: the prompt that produced them
    view: str = "text"  # which view of the normalized text: "text" (the main one), "evasion", "base64" …
    view_index: int = 0  # its place among the text's views (0: the main text)


class Detector(ABC):
    """Base class: subclasses set ``name`` and implement ``scan``."""

    name: str = ""
    clauses: tuple[str, ...] = ()
    literal: bool = False  # True: reads only the main normalized view, not evasion or decoded views

    def views(self, normalized: Normalized) -> list[View]:
        """The views of a normalized text that this detector scans."""
        return normalized.views[:1] if self.literal else normalized.views

    def views_in(self, normalized: Normalized, context: ScanContext) -> list[tuple[View, ScanContext]]:
        """Each view this detector scans, with the context that says which view it is."""
        return [
            (view, context if i == 0 else replace(context, view=view.kind, view_index=i))
            for i, view in enumerate(self.views(normalized))
        ]

    @classmethod
    def known_categories(cls) -> frozenset[str] | None:
        """Every category this detector can report, for checking a policy's rules; None when options or a
        model decide them."""
        return None

    @abstractmethod
    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        """Return findings for ``text`` (already normalized). Must run in time linear in len(text)."""


D = TypeVar("D", bound=type[Detector])
_REGISTRY: dict[str, type[Detector]] = {}


def register_detector(cls: D) -> D:
    """Class decorator: make a detector available by its ``name``."""
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} has no name")
    _REGISTRY[cls.name] = cls
    return cls


def detector_names() -> list[str]:
    return sorted(_REGISTRY)


def detector_class(name: str) -> type[Detector]:
    from aigis.errors import NotFoundError

    try:
        return _REGISTRY[name]
    except KeyError:
        raise NotFoundError("detector", name, detector_names()) from None


DetectorFactory = Callable[[], Detector]
