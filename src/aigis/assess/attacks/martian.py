"""火星文 (Martian script): look-alike and variant characters, traditional forms and decorations, as
written on Chinese social media to dodge filters."""

from __future__ import annotations

import random
from typing import ClassVar

from aigis.assess.attacks.base import Attack, register_attack
from aigis.assess.attacks.traditional import converter

VARIANTS = {
    "的": "の",
    "我": "莪",
    "你": "伱",
    "是": "昰",
    "么": "庅",
    "不": "吥",
    "好": "恏",
    "有": "洧",
    "在": "茬",
    "人": "亾",
    "了": "叻",
    "这": "這",
    "说": "説",
    "样": "樣",
    "做": "莋",
    "和": "咊",
    "很": "佷",
    "们": "們",
    "一": "①",
    "二": "②",
    "三": "③",
    "要": "婹",
    "可": "鈳",
    "以": "姒",
    "到": "菿",
    "去": "呿",
    "会": "浍",
    "给": "給",
    "吗": "嬤",
    "呢": "哯",
    "吧": "ㄅ㈧",
    "爱": "嬡",
    "啊": "ㄚ",
    "方": "汸",
    "法": "灋",
    "制": "淛",
    "作": "莋",
    "教": "敎",
    "他": "彵",
    "她": "迆",
    "没": "沒",
    "就": "僦",
}
DECOR = ("゛", "ゞ", "〆", "︶", "ぺ", "灬")


@register_attack
class Martian(Attack):
    name = "martian"
    family = "chinese"
    title: ClassVar[dict[str, str]] = {"zh": "火星文", "en": "Martian script (火星文)"}
    langs = ("zh",)

    def transform(self, text: str, lang: str, rng: random.Random) -> str:
        traditional = str(converter("s2t").convert(text))
        out: list[str] = []
        for plain, trad in zip(text, traditional, strict=False):
            variant = VARIANTS.get(plain)
            if variant and variant != plain and rng.random() < 0.85:
                out.append(variant)
            else:
                out.append(trad if rng.random() < 0.6 else plain)
            if rng.random() < 0.08:
                out.append(rng.choice(DECOR))
        return "".join(out)
