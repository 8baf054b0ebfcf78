"""Traditional characters: a simplified-Chinese request converted to traditional script (OpenCC)."""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any, ClassVar

from aigis.assess.attacks.base import Attack, register_attack


@lru_cache(maxsize=2)
def converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


@register_attack
class Traditional(Attack):
    name = "traditional"
    family = "chinese"
    title: ClassVar[dict[str, str]] = {"zh": "繁简转换", "en": "Traditional/simplified switch"}
    langs = ("zh",)

    def transform(self, text: str, lang: str, rng: random.Random) -> str:
        config = rng.choice(("s2t", "s2tw", "s2hk"))
        return str(converter(config).convert(text))
