"""Where a text quotes something: the spans between paired quotation marks, zh and en.

A cue phrase inside quotes is often mentioned rather than used ("what does 'ignore all previous
instructions' mean?", "“无视系统提示”这类攻击怎么检测？"), so the injection detector does not let such a
cue decide on its own (``aigis.guard.detectors.injection``); the classifier still reads the whole text.
"""

from __future__ import annotations

import re

# opening mark -> closing mark; ASCII marks close with themselves
_PAIRS = {'"': '"', "“": "”", "‘": "’", "「": "」", "『": "』", "«": "»", "`": "`", "'": "'"}
_OPENING = re.compile("[" + re.escape("".join(_PAIRS)) + "]")
MAX_QUOTED = 400  # characters: a longer "quote" is more likely a stray mark than a quotation


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _apostrophe(text: str, i: int) -> bool:
    """A ' between two word characters ("don't", "the user's") is an apostrophe, not a quotation mark."""
    return 0 < i < len(text) - 1 and _word_char(text[i - 1]) and _word_char(text[i + 1])


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quoted stretch, the marks excluded, in order. Marks pair with the nearest
    matching mark after them; a mark left without a partner within ``MAX_QUOTED`` characters quotes
    nothing. Nested quotes are covered by the outer span."""
    spans: list[tuple[int, int]] = []
    i = 0
    while (mark := _OPENING.search(text, i)) is not None:  # the scan between marks stays in C
        i, ch = mark.start(), mark.group()
        if ch == "'" and _apostrophe(text, i):
            i += 1
            continue
        close, limit = _PAIRS[ch], i + 1 + MAX_QUOTED + 1
        j = text.find(close, i + 1, limit)
        while ch == "'" and j != -1 and _apostrophe(text, j):
            j = text.find(close, j + 1, limit)
        if j == -1 or j == i + 1:
            i += 1
            continue
        spans.append((i + 1, j))
        i = j + 1
    return spans


def is_quoted(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies wholly inside one of ``spans`` (from ``quoted_spans``)."""
    return any(s <= start and end <= e for s, e in spans)
