"""Attack transforms, one plugin per file (see docs/assess.md for how to add one)."""

from aigis.assess.attacks.base import (
    Attack,
    Conversation,
    TemplateAttack,
    attack_names,
    get_attack,
    register_attack,
    seeded_rng,
)
from aigis.assess.attacks.presets import PRESETS, resolve_attacks

__all__ = [
    "PRESETS",
    "Attack",
    "Conversation",
    "TemplateAttack",
    "attack_names",
    "get_attack",
    "register_attack",
    "resolve_attacks",
    "seeded_rng",
]
