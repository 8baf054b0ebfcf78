"""Named groups of attacks for ``--attacks``."""

from __future__ import annotations

from aigis.assess.attacks.base import Attack, attack_names, get_attack
from aigis.errors import InputError

PRESETS: dict[str, tuple[str, ...]] = {
    "none": ("baseline",),
    "default": (
        "baseline",
        "roleplay",
        "refusal_suppression",
        "base64",
        "translation",
        "pinyin",
        "homophone",
        "payload_split",
        "indirect_injection",
        "multi_turn",
    ),
    "jailbreak": ("roleplay", "hypothetical", "refusal_suppression", "prefix_injection", "dan"),
    "encoding": ("base64", "rot13", "leetspeak", "confusables"),
    "language": ("translation", "language_switch"),
    "chinese": ("pinyin", "homophone", "chaizi", "traditional", "martian"),
}


def resolve_attacks(spec: str | list[str]) -> list[Attack]:
    """'default', 'all', a preset name, attack names, or a comma-separated mix ('none,base64,chinese')."""
    parts = [p for chunk in ([spec] if isinstance(spec, str) else spec) for p in chunk.split(",")]
    names: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if part == "all":
            names.extend(attack_names())
        elif part in PRESETS:
            names.extend(PRESETS[part])
        else:
            names.append(part)
    if not names:
        raise InputError(
            "--attacks: no attack given; use 'default', 'all', a preset "
            f"({', '.join(PRESETS)}) or attack names ({', '.join(attack_names())})"
        )
    return [get_attack(n) for n in dict.fromkeys(names)]
