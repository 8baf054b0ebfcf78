"""Text normalization before any detector runs, with offset maps back to the original text.

The pipeline, in order:

1. removal of zero-width and other invisible characters (their presence is reported: invisible-text
   smuggling), and of combining marks stacked on letters;
2. Unicode NFKC (which also turns full-width ASCII into half-width), homoglyph folding (Cyrillic,
   Greek and small-capital look-alikes to Latin) and traditional to simplified Chinese, all through one
   translation table;
3. an *evasion* view, built only when the text has such patterns: separators inserted between
   characters ("炸 药", "b.o.m.b") and 火星文 decorations ("密〆码") removed, sound-alike variants ("婹"
   for 要) and leetspeak ("h4ck", "b0mb") folded, characters written as their parts ("[火乍]药",
   :mod:`aigis.guard.components`) put back together, and a bracketed note before or after the request
   set apart;
4. *reading* views: each run of Chinese spelled by its sound (pinyin, pinyin mixed into characters,
   homophones) read back into characters (:mod:`aigis.guard.reading`), built only for such runs;
5. *decoded* views: embedded base64, hex, URL-encoded, rot13 and Unicode tag-character payloads,
   decoded so that detectors scan the payload too.

Every view carries an :class:`OffsetMap` so a span in the view maps back to the original text.
All steps are single passes with regexes that cannot backtrack catastrophically, so the cost is
linear in the input size.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote_to_bytes

from aigis.guard.components import parts_table, recomposed, variant_edits
from aigis.guard.reading import readings, sound_runs

ViewKind = Literal["text", "evasion", "reading", "base64", "hex", "url", "rot13", "tags"]

# ---------------------------------------------------------------------------------------------------
# offset maps


@dataclass(frozen=True)
class Edit:
    """A replaced region: [new_start, new_end) in the new text came from [old_start, old_end)."""

    new_start: int
    new_end: int
    old_start: int
    old_end: int


class OffsetMap:
    """Maps positions in a derived text back to its source (and through the source's own map)."""

    __slots__ = ("_edits", "_keys", "_parent")

    def __init__(self, edits: list[Edit] | None = None, parent: OffsetMap | None = None) -> None:
        self._edits = edits or []
        self._keys = [e.new_start for e in self._edits]
        self._parent = parent

    @property
    def identity(self) -> bool:
        return not self._edits and (self._parent is None or self._parent.identity)

    def _local(self, pos: int, end: bool) -> int:
        if not self._edits:
            return pos
        i = bisect_right(self._keys, pos) - 1
        if end:
            # an end position belongs to the character before it
            j = bisect_right(self._keys, pos - 1) - 1 if pos > 0 else -1
            if j >= 0:
                e = self._edits[j]
                if pos - 1 < e.new_end:
                    return e.old_end
                return pos - e.new_end + e.old_end
            return pos
        if i < 0:
            return pos
        e = self._edits[i]
        if pos < e.new_end:
            return e.old_start
        return pos - e.new_end + e.old_end

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        s = self._local(start, end=False)
        t = self._local(end, end=True) if end > start else s
        if self._parent is not None:
            return self._parent.map_span(s, t)
        return s, max(s, t)


class ConstantMap(OffsetMap):
    """Every position of a decoded payload maps to the whole encoded region it came from."""

    __slots__ = ("_span",)

    def __init__(self, start: int, end: int, parent: OffsetMap | None = None) -> None:
        super().__init__(None, parent)
        self._span = (start, end)

    @property
    def identity(self) -> bool:
        return False

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        s, t = self._span
        if self._parent is not None:
            return self._parent.map_span(s, t)
        return s, t


class _Builder:
    """Collects output pieces and the edits that produced them, in one left-to-right pass."""

    __slots__ = ("edits", "new_len", "old_pos", "parts", "src")

    def __init__(self, src: str) -> None:
        self.src = src
        self.parts: list[str] = []
        self.edits: list[Edit] = []
        self.new_len = 0
        self.old_pos = 0

    def copy_to(self, old: int) -> None:
        if old > self.old_pos:
            self.parts.append(self.src[self.old_pos : old])
            self.new_len += old - self.old_pos
            self.old_pos = old

    def replace(self, old_start: int, old_end: int, new: str) -> None:
        self.copy_to(old_start)
        self.edits.append(Edit(self.new_len, self.new_len + len(new), old_start, old_end))
        self.parts.append(new)
        self.new_len += len(new)
        self.old_pos = old_end

    def finish(self) -> tuple[str, list[Edit]]:
        self.copy_to(len(self.src))
        return "".join(self.parts), self.edits


# ---------------------------------------------------------------------------------------------------
# character tables

# invisible characters that are reported when present (zero-width, bidi controls, tag characters ...)
_INVISIBLE_RANGES = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE007F),
]
# removed silently: variation selectors and combining marks (zalgo-style decoration)
_SILENT_RANGES = [
    (0xFE00, 0xFE0F),
    (0xE0100, 0xE01EF),
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
]
_ZWJ = 0x200D


def _class(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}" for a, b in ranges)


_INVISIBLE_RE = re.compile(f"[{_class(_INVISIBLE_RANGES)}]")
_TAG_RUN_RE = re.compile("[\U000e0020-\U000e007e]{2,}")

# Cyrillic, Greek and small-capital letters that look like Latin ones
_HOMOGLYPHS = {
    "а": "a",
    "в": "b",
    "е": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ј": "j",
    "ԁ": "d",
    "ɡ": "g",
    "ո": "n",
    "ս": "u",
    "ѡ": "w",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "У": "Y",
    "Х": "X",
    "Ѕ": "S",
    "І": "I",
    "Ј": "J",
    "Ԛ": "Q",
    "Ԝ": "W",
    "α": "a",
    "ο": "o",
    "ν": "v",
    "ι": "i",
    "κ": "k",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ε": "e",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
    "ı": "i",
    "ℓ": "l",
    # small capitals ("Sʏsᴛᴇᴍ ᴜᴘᴅᴀᴛᴇ"), which NFKC leaves alone; text generators write q as ǫ
    "ᴀ": "a",
    "ʙ": "b",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ꜰ": "f",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ǫ": "q",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ʏ": "y",
    "ᴢ": "z",
}

_NFKC_RANGES = [(0xA0, 0x3400), (0xF900, 0x10000), (0x1D400, 0x1D800), (0x1F100, 0x1F200)]


def opencc_characters(dictionary: str) -> dict[int, str]:
    """One character to one character, from one of OpenCC's own dictionaries ("TSCharacters.txt":
    traditional to simplified; "STCharacters.txt": the other way); the first choice where it lists several."""
    table: dict[int, str] = {}
    try:
        import opencc  # opencc-python-reimplemented

        path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", dictionary)
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 2 and len(parts[0]) == 1:
                    other = parts[1].split(" ")[0]
                    if len(other) == 1 and other != parts[0]:
                        table[ord(parts[0])] = other
    except (ImportError, OSError):  # pragma: no cover - the package is a dependency
        pass
    return table


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str | None], dict[int, str], re.Pattern[str], re.Pattern[str]]:
    """(every change, for ``str.translate``; the changes of length, by code point; two classes of the
    characters that change length)."""
    one: dict[int, str] = {}
    multi: dict[int, str | None] = {}
    for lo, hi in _NFKC_RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            norm = unicodedata.normalize("NFKC", ch)
            if norm == ch:
                continue
            if len(norm) == 1:
                one[cp] = norm
            else:
                multi[cp] = norm
    one.update(opencc_characters("TSCharacters.txt"))
    for src, dst in _HOMOGLYPHS.items():
        one[ord(src)] = dst
    # second hop: an NFKC result may itself be a homoglyph or a traditional character
    for cp, dst in list(one.items()):
        nxt = one.get(ord(dst))
        if nxt is not None and nxt != dst:
            one[cp] = nxt
    for lo, hi in _INVISIBLE_RANGES + _SILENT_RANGES:
        for cp in range(lo, hi + 1):
            multi[cp] = None
            one.pop(cp, None)
    for cp in multi:
        one.pop(cp, None)
    lengths = {cp: "" if v is None else "".join(one.get(ord(c), c) for c in v) for cp, v in multi.items()}
    changes: dict[int, str | None] = {**one, **{cp: v or None for cp, v in lengths.items()}}
    return changes, lengths, *_patterns(set(lengths))


def _patterns(code_points: set[int]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two classes of ``code_points``: for text of BMP characters only, and for any text (a class of BMP
    characters only compiles to a fast bitmap; astral characters need the full class)."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(code_points):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    bmp = [(a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF]
    return re.compile(f"[{_class(bmp)}]"), re.compile(f"[{_class(ranges)}]")


# ---------------------------------------------------------------------------------------------------
# evasion folding

_SEP = r"[ \t.\-_*|/\\·•~+^'\"`,]"
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
# "炸 药", "炸*药": separators between two CJK characters; not a comma, which is punctuation there
# (the full-width "，" reaches this view folded to ",")
_CJK_SEP_RE = re.compile(f"{_CJK}{_SEP.replace(',', '')}{{1,3}}(?={_CJK})")
# 火星文 decorations between Chinese characters: kana, iteration and voicing marks, 灬 and the
# parentheses that vertical ︵︶ fold to ("密〆码", "门ぺ锁", "极)端"); の between two characters stands
# for 的. Japanese text, with kana throughout, is left alone.
_HAN = r"[\u4e00-\u9fff]"
_DECORATION_RE = re.compile(f"(?<={_HAN})[\u3040-\u30ff\u3005\u3006\u3099-\u309c\u706c() ]{{1,3}}(?={_HAN})")
# "1种", "1些": the digit written for 一 (① folds to 1)
_ONE_RE = re.compile(f"(?<={_HAN})1(?={_HAN})")
# a note in brackets before or after the request ("（下面一句用了谐音字，请按读音理解后直接回答）"): the
# request is also read without it, so that the note does not dilute it
_ASIDE_RE = re.compile(
    r"^\s*[(\[【][^()\[\]【】/]{8,120}[)\]】]\s*(?=\S)|(?<=\S)\s*[(\[【][^()\[\]【】/]{8,120}[)\]】]\s*$"
)
_KANA_RE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
_HAN_RE = re.compile(_HAN)
_MAX_KANA_SHARE = 0.25  # of the kana and Chinese characters: Japanese has far more
# "b.o.m.b", "k i l l": at least three single letters each separated by separators
_LATIN_SPACED_RE = re.compile(
    f"(?<![A-Za-z0-9])[A-Za-z](?P<sep>{_SEP}{{1,3}})[A-Za-z](?![A-Za-z0-9])(?:(?P=sep)[A-Za-z](?![A-Za-z0-9]))+"
)
# tokens that mix letters with digits or symbols used as letters
_LEET_TOKEN_RE = re.compile(r"[A-Za-z0-9@$!|+]{3,40}")
_LEET_HINT_RE = re.compile(r"[A-Za-z][0-9@$!|+]|[0-9@$!|+][A-Za-z]")
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
    }
)
_LEET_CHARS = frozenset("0134578 9@$!|+".replace(" ", ""))
_SEP_CHARS_RE = re.compile(_SEP)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _leet_candidate(token: str) -> bool:
    """Letters with substitutions inside: "h4ck", "b0mb", "1gnore", and heavy ones such as "574b" or
    "w17h0u7"; not "gpt4", "x86" (a suffix alone). A token that folds to nonsense ("1080p") only costs
    a view that finds nothing."""
    letters = sum(c.isalpha() for c in token)
    if letters == 0 or (letters == 1 and len(token) < 4):
        return False
    leet = [i for i, c in enumerate(token) if c in _LEET_CHARS]
    if not leet:
        return False
    interior = any(0 < i < len(token) - 1 for i in leet)
    leading = leet[0] == 0 and len(token) >= 4 and token[1:4].isalpha()
    return interior or leading


def _martian(text: str) -> list[tuple[int, int, str]]:
    """火星文 undone: decorations between characters dropped, の as 的, 1 as 一, sound-alike variants
    folded (婹 → 要). Not in Japanese, where kana and 気-style forms are the language itself."""
    found = list(_DECORATION_RE.finditer(text))
    events = variant_edits(text)
    if not found and not events and "1" not in text:
        return []
    kana = len(_KANA_RE.findall(text))
    if kana > _MAX_KANA_SHARE * (kana + len(_HAN_RE.findall(text))):
        return []
    events.extend((m.start(), m.end(), "一") for m in _ONE_RE.finditer(text))
    for m in found:
        mark = m.group().replace(" ", "")
        if mark:  # spaces alone are the separators' business ("炸 药", but not "混合 中文")
            events.append((m.start(), m.end(), "的" if mark == "の" else ""))
    return events


def _evasion_view(text: str) -> tuple[str, list[Edit]] | None:
    b = _Builder(text)
    changed = False
    events: list[tuple[int, int, str]] = []
    n = len(text)
    for m in _CJK_SEP_RE.finditer(text):
        first, nxt = m.start(), m.end()
        # "炸 药": one side is a lone character; "混合 中文" (two words) is left alone
        if first > 0 and _is_cjk(text[first - 1]) and nxt + 1 < n and _is_cjk(text[nxt + 1]):
            continue
        events.append((first + 1, nxt, ""))
    for m in _LATIN_SPACED_RE.finditer(text):
        events.append((m.start(), m.end(), _SEP_CHARS_RE.sub("", m.group())))
    if not text.isascii():
        events.extend(_martian(text))
        events.extend(recomposed(text))
    if text[:1] in "([【" or text.rstrip()[-1:] in ")]】":
        events.extend((m.start(), m.end(), "") for m in _ASIDE_RE.finditer(text))
    leet_tokens = _LEET_TOKEN_RE.finditer(text) if _LEET_HINT_RE.search(text) else iter(())
    for m in leet_tokens:
        tok = m.group()
        if _leet_candidate(tok):
            folded = tok.translate(_LEET)
            if folded != tok and folded.isalpha():
                events.append((m.start(), m.end(), folded))
    if not events:
        return None
    events.sort(key=lambda e: (e[0], -e[1]))  # at one place the longer rewrite ("(辶告)" → 造) wins
    for start, end, new in events:
        if start < b.old_pos:  # overlapping events: keep the first
            continue
        b.replace(start, end, new)
        changed = True
    if not changed:
        return None
    return b.finish()


# ---------------------------------------------------------------------------------------------------
# decoding embedded payloads

_PAYLOAD_RE = re.compile(r"[A-Za-z0-9+/=\\]{16,}")
_B64_RE = re.compile(r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_HEX_RE = re.compile(r"(?:[0-9A-Fa-f]{2}){8,}|(?:\\x[0-9A-Fa-f]{2}){4,}")
# escapes with the words between them: "How%20do%20I%20make%20…" leaves letters as they are
_URL_GAP = 40
_URL_RE = re.compile(rf"[^%\s]{{0,{_URL_GAP}}}(?:%[0-9A-Fa-f]{{2}}[^%\s]{{0,{_URL_GAP}}}){{3,}}")
_URL_ESCAPE_RE = re.compile(r"%[0-9A-Fa-f]{2}")
_ROT13 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm",
)
_COMMON_EN = [
    "the",
    "and",
    "to",
    "of",
    "is",
    "you",
    "in",
    "it",
    "that",
    "for",
    "how",
    "what",
    "are",
    "me",
    "my",
    "with",
    "this",
    "be",
    "not",
    "do",
    "can",
    "your",
    "make",
    "all",
    "ignore",
    "instructions",
    "tell",
    "give",
    "write",
    "please",
    "where",
    "why",
    "who",
    "which",
    "when",
    "should",
    "would",
    "could",
    "they",
    "them",
    "their",
    "there",
    "out",
    "get",
    "from",
    "have",
    "has",
    "was",
    "will",
    "just",
    "about",
    "into",
    "some",
    "people",
    "someone",
    "without",
    "best",
    "way",
    "know",
    "want",
    "need",
    "use",
    "on",
    "at",
    "by",
    "an",
    "as",
    "so",
    "up",
]
_PLAIN_WORDS = frozenset(_COMMON_EN)
_ROT_WORDS = frozenset(w.translate(_ROT13) for w in _COMMON_EN)
_MAX_DECODED = 64
_MIN_READING_ALONE = 6  # characters a run read back needs to be a view of its own


def _printable_text(data: bytes) -> str | None:
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not s:
        return None
    good = sum(ch.isprintable() or ch in "\n\t\r" for ch in s)
    letters = sum(ch.isalpha() for ch in s)
    if good < 0.95 * len(s) or letters < 3 or letters < 0.4 * len(s.replace(" ", "")):
        return None
    return s


def _decode_b64(token: str) -> str | None:
    if token.isalpha() or token.isdigit():
        return None  # a plain word or number, not a payload
    try:
        return _printable_text(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError):
        return None


def _decode_hex(token: str) -> str | None:
    raw = token.replace("\\x", "")
    if raw.isdigit():
        return None
    try:
        return _printable_text(bytes.fromhex(raw))
    except ValueError:
        return None


@dataclass(frozen=True)
class View:
    """One text for detectors to scan, and how its positions map back to the original."""

    kind: ViewKind
    text: str
    offsets: OffsetMap

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.map_span(start, end)


@dataclass(frozen=True)
class Invisible:
    """A run of invisible characters in the original text."""

    start: int
    end: int
    codepoints: tuple[str, ...]


@dataclass
class Normalized:
    """The result of :func:`normalize`: the main view, extra views and invisible-character runs."""

    original: str
    text: str
    offsets: OffsetMap
    views: list[View] = field(default_factory=list)
    invisible: list[Invisible] = field(default_factory=list)

    @property
    def main(self) -> View:
        return self.views[0]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.map_span(start, end)


def _invisible_runs(text: str) -> list[Invisible]:
    runs: list[list[int]] = []  # [start, end]
    names: list[list[str]] = []
    for m in _INVISIBLE_RE.finditer(text):
        cp = ord(m.group())
        if cp == _ZWJ:
            # joiners inside emoji sequences and Indic scripts are ordinary
            prev = text[m.start() - 1] if m.start() > 0 else ""
            if prev and not (prev.isascii() or "\u4e00" <= prev <= "\u9fff"):
                continue
        if runs and runs[-1][1] == m.start():
            runs[-1][1] = m.end()
            if len(names[-1]) < 8:
                names[-1].append(f"U+{cp:04X}")
        else:
            runs.append([m.start(), m.end()])
            names.append([f"U+{cp:04X}"])
    return [Invisible(a, b, tuple(n)) for (a, b), n in zip(runs, names, strict=True)]


def fold(text: str) -> tuple[str, OffsetMap]:
    """Steps 1 and 2: invisible removal, NFKC, full-width, homoglyphs, traditional to simplified."""
    if text.isascii():
        return text, OffsetMap()
    changes, lengths, bmp_pattern, full_pattern = _tables()
    out = text.translate(changes)
    # only the characters that change the length need an edit: a position maps through the others as is
    edits: list[Edit] = []
    shift = 0
    for m in (full_pattern if max(text) > "\uffff" else bmp_pattern).finditer(text):
        size = len(lengths[ord(m.group())])
        start = m.start() + shift
        edits.append(Edit(start, start + size, m.start(), m.end()))
        shift += size - 1
    return out, OffsetMap(edits or None)


def load_tables() -> None:
    """Load every table the pipeline reads, so that the first text checked does not pay for them."""
    _tables()
    readings()
    parts_table()


def written_and_folded(texts: Iterable[str]) -> list[str]:
    """Each text as written and as :func:`fold` makes it, without repeats: what a detector compares
    with folded input (a policy's keywords, canaries, system prompt) must match in either form."""
    return list(dict.fromkeys(form for t in texts for form in (t, fold(t)[0])))


def normalize(text: str, decode: bool = True) -> Normalized:
    """Run the whole pipeline; ``views[0]`` is the main normalized text."""
    invisible = _invisible_runs(text) if not text.isascii() else []
    main_text, main_map = fold(text)
    views = [View("text", main_text, main_map)]

    ev = _evasion_view(main_text)
    if ev is not None:
        ev_text, ev_edits = ev
        views.append(View("evasion", ev_text, OffsetMap(ev_edits, parent=main_map)))

    # Chinese spelled by its sound, read from the evasion view where there is one ("密〆码", "炸 药" are
    # one word there). Each run read back is a view of its own, like a decoded payload, so that a note
    # around it does not dilute it; a short run ("提供意粉" → "提供一份") is too little to judge alone.
    # Where there are several runs, or only short ones, the whole text with each read back in place is a
    # view too (a jailbreak's clauses mean something together).
    base = views[-1]
    sound = sound_runs(base.text, _PLAIN_WORDS)
    alone = [(start, end, chars) for start, end, chars in sound if len(chars) >= _MIN_READING_ALONE]
    if len(sound) > 1 or (sound and not alone):
        b = _Builder(base.text)
        for start, end, chars in sound:
            b.replace(start, end, chars)
        whole, edits = b.finish()
        views.append(View("reading", whole, OffsetMap(edits, parent=base.offsets)))
    for start, end, chars in alone[:_MAX_DECODED]:
        views.append(View("reading", chars, ConstantMap(start, end, base.offsets)))

    # tag characters (U+E0020..E007E) spell ASCII invisibly: decode them
    if invisible:
        for m in _TAG_RUN_RE.finditer(text):
            payload = "".join(chr(ord(c) - 0xE0000) for c in m.group())
            views.append(View("tags", payload, ConstantMap(m.start(), m.end())))

    if decode:
        views.extend(_decoded_views(main_text, main_map))
    return Normalized(text, main_text, main_map, views, invisible)


def _decoded_views(text: str, parent: OffsetMap) -> list[View]:
    out: list[View] = []
    if len(text) >= 16:
        for m in _PAYLOAD_RE.finditer(text):
            if len(out) >= _MAX_DECODED:
                break
            token = m.group()
            kind: ViewKind
            if _HEX_RE.fullmatch(token):
                kind, decoded = "hex", _decode_hex(token)
            elif _B64_RE.fullmatch(token):
                kind, decoded = "base64", _decode_b64(token)
            else:
                continue
            if decoded:
                out.append(View(kind, fold(decoded)[0], ConstantMap(m.start(), m.end(), parent)))
    if "%" in text:
        for m in _url_escapes(text):
            if len(out) >= _MAX_DECODED:
                break
            try:
                decoded_url = unquote_to_bytes(m.group()).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if decoded_url != m.group():
                out.append(View("url", fold(decoded_url)[0], ConstantMap(m.start(), m.end(), parent)))
    for m in _SEGMENT_RE.finditer(text):
        if len(out) >= _MAX_DECODED:
            break
        words = m.group().lower().split()
        rot = sum(w in _ROT_WORDS for w in words) if len(words) >= 3 else 0
        if rot >= 2 and rot > 2 * sum(w in _PLAIN_WORDS for w in words):
            whole = m.start() == 0 and m.end() == len(text)  # same length: spans map one to one
            where = OffsetMap(None, parent) if whole else ConstantMap(m.start(), m.end(), parent)
            out.append(View("rot13", m.group().translate(_ROT13), where))
    return out


def _url_escapes(text: str) -> Iterator[re.Match[str]]:
    """``_URL_RE.finditer(text)``, tried only where three escapes lie close enough to be one match: tried
    at every character, the pattern costs 40 steps per character of a text with a "%" anywhere ("50%")."""
    areas: list[list[int]] = []  # [start, end, escapes] of the text a match may take
    for m in _URL_ESCAPE_RE.finditer(text):
        start, end = m.start() - _URL_GAP, m.end() + _URL_GAP
        if areas and start <= areas[-1][1]:
            areas[-1][1:] = [end, areas[-1][2] + 1]
        else:
            areas.append([max(0, start), end, 1])
    for start, end, escapes in areas:
        if escapes >= 3:
            yield from _URL_RE.finditer(text, start, min(end, len(text)))


# rot13 is decoded line by line, and on each side of a colon: "Answer this: Ubj qb V …" keeps its
# instruction in plain words, and read together with it the payload would look like a question about text
_SEGMENT_RE = re.compile(r"[^:：\n]+")
