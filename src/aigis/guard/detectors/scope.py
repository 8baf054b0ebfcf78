"""Business scope (6.2.7): prompts on denied topics, or outside every allowed topic, get the policy's
standardized reply instead of an answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick

from aigis.errors import ConfigError
from aigis.guard.detectors.base import Detector, Finding, ScanContext, Span, register_detector

CLAUSES = ("6.2.7",)

_GREETINGS = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "you",
        "ok",
        "okay",
        "bye",
        "你好",
        "您好",
        "谢谢",
        "再见",
        "好的",
        "在吗",
        "嗨",
        "早上好",
        "晚上好",
        "你好呀",
    ]
)


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[str, ...]

    @classmethod
    def parse(cls, raw: Any, where: str) -> Topic:
        if isinstance(raw, str):
            return cls(raw, (raw.lower(),))
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            raise ConfigError(
                f"{where}: a topic is a name or a mapping with 'name' and 'keywords'; got {raw!r}"
            )
        words = raw.get("keywords", [raw["name"]])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(
                f"{where}: 'keywords' of topic {raw['name']!r} must be a list of non-empty strings"
            )
        return cls(raw["name"], tuple(w.strip().lower() for w in words))


def _automaton(topics: Iterable[Topic]) -> ahocorasick.Automaton | None:
    auto = ahocorasick.Automaton()
    added = False
    for topic in topics:
        for word in topic.keywords:
            auto.add_word(word, (word, topic.name))
            added = True
    if not added:
        return None
    auto.make_automaton()
    return auto


@register_detector
class ScopeDetector(Detector):
    """Denied topics are findings wherever they appear; with allowed topics, an input that matches none
    of them is out of scope. Matching is by keyword (Aho-Corasick, case-insensitive)."""

    name = "scope"
    clauses = CLAUSES

    def __init__(
        self,
        allowed_topics: list[Any] | None = None,
        denied_topics: list[Any] | None = None,
        min_length: int = 8,
    ) -> None:
        self.allowed = [Topic.parse(t, "scope.allowed_topics") for t in allowed_topics or []]
        self.denied = [Topic.parse(t, "scope.denied_topics") for t in denied_topics or []]
        self.min_length = min_length
        self._allowed = _automaton(self.allowed)
        self._denied = _automaton(self.denied)

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        lowered = text.lower()
        if self._denied is not None:
            seen: set[str] = set()
            for end, (word, topic) in self._denied.iter(lowered):
                if topic in seen:
                    continue
                seen.add(topic)
                start = end - len(word) + 1
                found.append(
                    Finding(
                        self.name,
                        "denied_topic",
                        0.9,
                        Span(start, end + 1),
                        CLAUSES,
                        f"denied topic '{topic}' (keyword '{word}')",
                        text[start : end + 1],
                        {"topic": topic},
                    )
                )
        if self._allowed is not None and context.direction == "input" and context.source == "user":
            stripped = lowered.strip(" \t\n!！?？。.,，~")
            if (
                len(stripped) >= self.min_length
                and stripped not in _GREETINGS
                and next(self._allowed.iter(lowered), None) is None
            ):
                names = ", ".join(t.name for t in self.allowed)
                found.append(
                    Finding(
                        self.name,
                        "out_of_scope",
                        0.8,
                        None,
                        CLAUSES,
                        f"matches none of the allowed topics: {names}",
                    )
                )
        return found
