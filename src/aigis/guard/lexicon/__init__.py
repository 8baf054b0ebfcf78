"""The guard's bilingual keyword library and its Aho-Corasick matcher.

Data files (all in this folder):

* ``categories.yaml``: the harmful-content categories with zh/en names, TC260-003 risk ids and
  framework risk clause ids.
* ``keywords_zh.txt`` / ``keywords_en.txt``: ``term<TAB>category<TAB>weight`` (built by
  ``tools/build_lexicon.py``). Weight 2 = specific phrase never seen in benign corpora, 1 = weak cue.
* ``injection_phrases.txt``: ``phrase<TAB>kind<TAB>weight`` cue phrases for prompt injection.

Matching is one pass of an Aho-Corasick automaton (``ahocorasick_rs``, a compiled automaton that
reports overlapping matches at tens of MB/s) over the lower-cased text: linear time. Latin terms
only match at word boundaries (a few inflection suffixes allowed), so "ass" does not fire inside
"class"; CJK terms match anywhere.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import ahocorasick_rs
import yaml

from aigis.guard.normalize import fold

__all__ = [
    "Category",
    "KeywordHit",
    "Lexicon",
    "categories",
    "default_lexicon",
    "injection_lexicon",
    "lower_same_length",
]

_SURROGATE = re.compile("[\ud800-\udfff]")
_SUFFIXES = frozenset({"s", "es", "ed", "d", "ing", "er", "ers", "ings"})


@dataclass(frozen=True)
class Category:
    id: str
    zh: str
    en: str
    tc260: tuple[str, ...]
    framework: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class KeywordHit:
    start: int
    end: int
    term: str
    category: str  # category id (harmful lexicon) or injection kind
    weight: int


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def categories() -> dict[str, Category]:
    """The category table from ``categories.yaml``, by id, in file order."""
    raw: dict[str, Any] = yaml.safe_load(_read("categories.yaml"))
    out: dict[str, Category] = {}
    for row in raw["categories"]:
        out[row["id"]] = Category(
            id=row["id"],
            zh=row["zh"],
            en=row["en"],
            tc260=tuple(row["tc260"]),
            framework=tuple(row["framework"]),
        )
    return out


_PARTICLES = "啊呀了吧呢啦嘛哦唉呗"
_WORDS = re.compile(r"[^\W_]+")
_BETWEEN_HAN = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


def bare_statement(text: str) -> str:
    """A whole message reduced to what a short statement says: lower case, words joined by one space
    (punctuation, emoji and apostrophes dropped; none between Chinese characters), trailing particles
    (啊, 了, 吧 …) removed: "我想死了。。。" and "我 想 死" read "我想死", "I'm suicidal!!" reads
    "im suicidal"."""
    words = _WORDS.findall(text.lower().replace("'", "").replace("\u2019", ""))
    bare = _BETWEEN_HAN.sub("", " ".join(words))
    while len(bare) > 1 and bare[-1] in _PARTICLES:
        bare = bare[:-1]
    return bare


@lru_cache(maxsize=1)
def crisis_statements() -> frozenset[str]:
    """Whole messages that state a crisis (``crisis_statements.txt``), as ``bare_statement`` reads them."""
    lines = _read("crisis_statements.txt").splitlines()
    return frozenset(bare_statement(line) for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _longest_statement() -> int:
    return max(len(entry) for entry in crisis_statements())


def is_crisis_statement(text: str) -> bool:
    """Whether the whole of ``text`` is one of ``crisis_statements`` (as ``bare_statement`` reads it). Reading
    stops once the text holds more characters than the longest entry (trailing particles aside), so an
    ordinary message costs a few words, not a pass over all of it."""
    longest, kept = _longest_statement(), 0
    for word in _WORDS.finditer(text.lower()):
        kept += sum(c not in _PARTICLES for c in word.group())
        if kept > longest:
            return False
    return bare_statement(text) in crisis_statements()


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length, so offsets stay valid."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _is_word_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "_")


class Lexicon:
    """A set of (term, label, weight) entries matched with one Aho-Corasick automaton."""

    def __init__(self, entries: list[tuple[str, str, int]]) -> None:
        self._labels: Counter[str] = Counter()
        keys: list[str] = []
        info: list[tuple[str, str, int, bool, bool]] = []
        seen: set[str] = set()
        for term, label, weight in entries:
            key = fold(term)[0].lower()  # the Guard's detectors read folded text ("：" → ":")
            if not key or key in seen:
                continue
            seen.add(key)
            keys.append(key)
            info.append((key, label, weight, _is_word_char(key[0]), _is_word_char(key[-1])))
            self._labels[label] += 1
        self._info = info
        self.size = len(keys)
        self._auto: Any = (
            ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard) if keys else None
        )

    def __len__(self) -> int:
        return self.size

    def counts(self) -> dict[str, int]:
        """Number of entries per label (category id or injection kind)."""
        return dict(self._labels)

    def find(self, text: str, *, lowered: str | None = None) -> list[KeywordHit]:
        """All hits in ``text`` (spans index ``text``); overlapping hits are all reported."""
        info = self._info
        return [
            KeywordHit(start, end, text[start:end], info[idx][1], info[idx][2])
            for start, end, idx in self.spans(text, lowered=lowered)
        ]

    def label(self, idx: int) -> str:
        """The label of entry ``idx`` (as ``spans`` reports it)."""
        return self._info[idx][1]

    def spans(self, text: str, *, lowered: str | None = None) -> list[tuple[int, int, int]]:
        """(start, end, entry index) of every hit, as ``find`` reports them but without building a hit
        object each: callers that need only positions and labels over long texts use this."""
        if not self.size or not text:
            return []
        low = lowered if lowered is not None else lower_same_length(text)
        try:
            matches = self._auto.find_matches_as_indexes(low, overlapping=True)
        except UnicodeEncodeError:  # lone surrogates: same length, never part of a term
            matches = self._auto.find_matches_as_indexes(_SURROGATE.sub("\ufffd", low), overlapping=True)
        if not matches:
            return []
        n = len(low)
        info = self._info
        out: list[tuple[int, int, int]] = []
        for idx, start, end in matches:
            _key, _label, _weight, latin_start, latin_end = info[idx]
            if latin_start and start > 0 and _is_word_char(low[start - 1]):
                continue
            if latin_end and end < n and _is_word_char(low[end]):
                j = end
                while j < n and j - end < 5 and low[j].isascii() and low[j].isalpha():
                    j += 1
                if low[end:j] not in _SUFFIXES or (j < n and _is_word_char(low[j])):
                    continue
                end = j
            out.append((start, end, idx))
        return out


def _parse(name: str) -> list[tuple[str, str, int]]:
    rows: list[tuple[str, str, int]] = []
    for line in _read(name).splitlines():
        if not line or line.startswith("#"):
            continue
        term, label, weight = line.split("\t")
        rows.append((term, label, int(weight)))
    return rows


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The harmful-content keyword library (zh + en), labels are category ids."""
    return Lexicon(_parse("keywords_zh.txt") + _parse("keywords_en.txt"))


@lru_cache(maxsize=1)
def injection_lexicon() -> Lexicon:
    """Prompt-injection cue phrases (zh + en), labels are injection kinds."""
    return Lexicon(_parse("injection_phrases.txt"))


def keyword_counts_by_tc260() -> dict[str, int]:
    """Entries of the harmful lexicon per TC260-003 risk id (a category counts for each of its ids)."""
    cats = categories()
    out: Counter[str] = Counter()
    for cat_id, n in default_lexicon().counts().items():
        for risk in cats[cat_id].tc260:
            out[risk] += n
    return dict(out)
