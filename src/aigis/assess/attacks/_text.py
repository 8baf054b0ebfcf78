"""Small text helpers shared by the transform attacks (pinyin, CJK tests)."""

from __future__ import annotations

import codecs
from functools import lru_cache


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def to_pinyin(text: str, tones: bool = False) -> str:
    """Chinese characters as pinyin syllables separated by spaces; other characters kept."""
    from pypinyin import Style, lazy_pinyin

    style = Style.TONE if tones else Style.NORMAL
    return " ".join(lazy_pinyin(text, style=style, errors="default"))


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


@lru_cache(maxsize=1)
def homophone_index() -> dict[str, list[str]]:
    """Toneless pinyin -> the common (GB2312 level 1) characters that read that way."""
    from pypinyin import Style, pinyin

    index: dict[str, list[str]] = {}
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            reading = pinyin(ch, style=Style.NORMAL, heteronym=False)[0][0]
            index.setdefault(reading, []).append(ch)
    return index
