"""No attack: the item as written. Refusal rates and the TC260 verdicts use this attack's attempts."""

from __future__ import annotations

from typing import ClassVar

from aigis.assess.attacks.base import Attack, register_attack


@register_attack
class Baseline(Attack):
    name = "baseline"
    family = "none"
    title: ClassVar[dict[str, str]] = {"zh": "无攻击（原题）", "en": "No attack (item as written)"}
    clauses = ("5.8",)
