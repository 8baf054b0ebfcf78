"""Business scope (6.2.7): prompts on denied topics, or outside every allowed topic, get the policy's
standardized reply instead of an answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick

from aigis.errors import ConfigError
from aigis.guard.detectors.base import Detector, Finding, ScanContext, Span, register_detector
from aigis.guard.normalize import fold, written_and_folded

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
    examples: tuple[str, ...] = ()  # sample prompts on the topic, for semantic matching

    @classmethod
    def parse(cls, raw: Any, where: str) -> Topic:
        if isinstance(raw, str):
            return cls(raw, _match_forms([raw]))
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            raise ConfigError(
                f"{where}: a topic is a name or a mapping with 'name', 'keywords' and 'examples'; got {raw!r}"
            )
        lists = {}
        for key, default in (("keywords", [raw["name"]]), ("examples", [])):
            items = raw.get(key, default)
            if not isinstance(items, list) or not all(isinstance(w, str) and w.strip() for w in items):
                raise ConfigError(
                    f"{where}: '{key}' of topic {raw['name']!r} must be a list of non-empty strings"
                )
            lists[key] = tuple(w.strip() for w in items)
        return cls(raw["name"], _match_forms(lists["keywords"]), lists["examples"])


def _match_forms(words: Iterable[str]) -> tuple[str, ...]:
    """Each keyword lower-cased, as written and as the Guard's normalizer folds text ("賭博" also as
    "赌博", "ＶＩＰ" as "vip"): detectors read folded text, where the written form alone may never occur."""
    return tuple(dict.fromkeys(form.lower() for form in written_and_folded(words)))


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
    of them is out of scope. Matching is by keyword (Aho-Corasick, case-insensitive) and, with
    ``semantic: true``, also by sentence-embedding similarity to each topic's name and examples
    (cosine at least ``similarity``; needs the ``aigis[embed]`` extra and its model package)."""

    name = "scope"
    clauses = CLAUSES

    @classmethod
    def known_categories(cls) -> frozenset[str]:
        return frozenset({"denied_topic", "out_of_scope"})

    def __init__(
        self,
        allowed_topics: list[Any] | None = None,
        denied_topics: list[Any] | None = None,
        min_length: int = 8,
        semantic: bool = False,
        similarity: float = 0.4,
        encoder_dir: str | None = None,
    ) -> None:
        self.allowed = [Topic.parse(t, "scope.allowed_topics") for t in allowed_topics or []]
        self.denied = [Topic.parse(t, "scope.denied_topics") for t in denied_topics or []]
        self.min_length = min_length
        self._allowed = _automaton(self.allowed)
        self._denied = _automaton(self.denied)
        if not 0.0 < similarity < 1.0:
            raise ConfigError(f"scope.similarity must be between 0 and 1 (exclusive); got {similarity!r}")
        self.similarity = float(similarity)
        self._semantic: TopicSimilarity | None = (
            TopicSimilarity(self.allowed + self.denied, encoder_dir) if semantic else None
        )

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        lowered = text.lower()
        needs_allowed = (
            self._allowed is not None
            and context.direction == "input"
            and context.source == "user"
            and len(stripped := lowered.strip(" \t\n!！?？。.,，~")) >= self.min_length
            and stripped not in _GREETINGS
        )
        close: dict[str, float] | None = None  # topic similarities, computed only if keywords do not decide

        def similarity(topic: str) -> float:
            nonlocal close
            if self._semantic is None:
                return 0.0
            if close is None:
                close = self._semantic.similarities(text)
            return close.get(topic, 0.0)

        seen: set[str] = set()
        if self._denied is not None:
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
        for topic in self.denied:
            if topic.name in seen:
                continue
            sim = similarity(topic.name)
            if sim >= self.similarity:
                found.append(
                    Finding(
                        self.name,
                        "denied_topic",
                        round(0.5 + 0.5 * sim, 4),
                        None,
                        CLAUSES,
                        f"close to denied topic '{topic.name}' (similarity {sim:.2f})",
                        "",
                        {"topic": topic.name, "similarity": f"{sim:.3f}"},
                    )
                )
        if needs_allowed and self._allowed is not None:
            keyword = next(self._allowed.iter(lowered), None) is not None
            if not keyword and all(similarity(t.name) < self.similarity for t in self.allowed):
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


class TopicSimilarity:
    """Cosine similarity of a text to each topic's name and examples (the best one counts)."""

    def __init__(self, topics: list[Topic], encoder_dir: str | None) -> None:
        from aigis.guard.embedding import shared_encoder
        from aigis.guard.semantic import encoder_text

        self.encoder = shared_encoder(encoder_dir)
        self.names: list[str] = []
        texts: list[str] = []
        for topic in topics:
            for sample in (topic.name, *topic.examples):
                self.names.append(topic.name)
                texts.append(encoder_text(fold(sample)[0]))
        self.matrix = self.encoder.encode(texts)

    def similarities(self, text: str) -> dict[str, float]:
        from aigis.guard.semantic import encoder_text

        sims = self.matrix @ self.encoder.encode([encoder_text(text)])[0]
        best: dict[str, float] = {}
        for name, sim in zip(self.names, sims.tolist(), strict=True):
            best[name] = max(best.get(name, -1.0), float(sim))
        return best
