"""Unicode confusables: letters replaced by look-alikes from other scripts (Cyrillic, Greek, Kangxi
radicals), and zero-width characters between Chinese characters, to slip past keyword filters."""

from __future__ import annotations

import random
from typing import ClassVar

from aigis.assess.attacks._text import is_cjk
from aigis.assess.attacks.base import Attack, register_attack

LATIN = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "o": "о",
    "p": "р",
    "x": "х",
    "y": "у",
    "s": "ѕ",
    "j": "ј",
    "A": "Α",
    "B": "Β",
    "C": "С",
    "E": "Ε",
    "H": "Η",
    "K": "Κ",
    "M": "Μ",
    "O": "Ο",
    "P": "Р",
    "T": "Τ",
}
# CJK characters and the Kangxi radical / compatibility forms that render the same.
CJK = {
    "人": "⼈",
    "口": "⼝",
    "大": "⼤",
    "女": "⼥",
    "子": "⼦",
    "山": "⼭",
    "工": "⼯",
    "心": "⼼",
    "手": "⼿",
    "日": "⽇",
    "月": "⽉",
    "木": "⽊",
    "水": "⽔",
    "火": "⽕",
    "力": "⼒",
    "刀": "⼑",
    "金": "⾦",
    "门": "⻔",
    "言": "⾔",
    "马": "⻢",
    "用": "⽤",
    "生": "⽣",
    "白": "⽩",
    "目": "⽬",
    "石": "⽯",
    "血": "⾎",
    "长": "⻓",
    "一": "⼀",
    "二": "⼆",
    "十": "⼗",
    "土": "⼟",
    "小": "⼩",
    "方": "⽅",
    "身": "⾝",
    "走": "⾛",
}
ZERO_WIDTH = "\u200b"


@register_attack
class Confusables(Attack):
    name = "confusables"
    family = "encoding"
    title: ClassVar[dict[str, str]] = {"zh": "Unicode 形近字符", "en": "Unicode confusables"}

    def transform(self, text: str, lang: str, rng: random.Random) -> str:
        out: list[str] = []
        for ch in text:
            sub = LATIN.get(ch) or CJK.get(ch)
            out.append(sub if sub and rng.random() < 0.8 else ch)
            if is_cjk(ch) and rng.random() < 0.5:
                out.append(ZERO_WIDTH)
        return "".join(out)
