"""Characters written as their parts (拆字), put back together: "[火乍]药" is 炸药.

The parts come in brackets, as the trick is usually written ("[火乍]", "【女干】", "(木仓)"), in any order;
the table (``lexicon/components.tsv.gz``, built by ``tools/build_components.py`` from the 漢語拆字字典,
CC BY 3.0) keys each common character by its parts in sorted order. Parts that make no known character
are left as written.

The same table lists 火星文's sound-alike variants: a rare character with a common one among its parts
that reads like it (婹 for 要, 菿 for 到), in no common word; :func:`variant_edits` finds them.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

_GROUP_RE = re.compile(r"[\[【(〔「]([\u2e80-\u2fdf\u31c0-\u31ef\u3400-\u9fff]{2,5})[\]】)〕」]")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], re.Pattern[str]]:
    raw = resources.files("aigis.guard.lexicon").joinpath("components.tsv.gz").read_bytes()
    parts: dict[str, str] = {}
    variants: dict[str, str] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        kind, key, char = line.split("\t") if not line.startswith("#") else ("#", "", "")
        if kind == "P":
            parts[key] = char
        elif kind == "V":
            variants[key] = char
    return parts, variants, re.compile("[" + "".join(sorted(variants)) + "]")


def parts_table() -> dict[str, str]:
    """Sorted parts → the character they make."""
    return _tables()[0]


def variant_edits(text: str) -> list[tuple[int, int, str]]:
    """(start, end, the common character) for each sound-alike variant in ``text``."""
    _, variants, pattern = _tables()
    return [(m.start(), m.end(), variants[m.group()]) for m in pattern.finditer(text)]


def recomposed(text: str) -> list[tuple[int, int, str]]:
    """(start, end, character) for each bracketed group of parts in ``text`` that makes a character."""
    out = []
    for m in _GROUP_RE.finditer(text):
        char = parts_table().get("".join(sorted(m.group(1))))
        if char is not None:
            out.append((m.start(), m.end(), char))
    return out
