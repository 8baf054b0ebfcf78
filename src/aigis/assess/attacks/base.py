"""The attack interface and its registry.

An attack rewrites a test item's last user turn (or drives a whole conversation, for multi-turn attacks).
Every choice an attack makes comes from the ``random.Random`` it is handed, which the runner seeds from
(run seed, item id, attack name): the same seed gives the same prompts on any machine.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from aigis.plugins import Registry

if TYPE_CHECKING:
    from aigis.assess.suites import Item
    from aigis.assess.targets.base import TargetResponse

Message = dict[str, str]
Send = Callable[[list[Message]], Awaitable["TargetResponse"]]


@dataclass
class Conversation:
    """What a multi-turn attack did: every message exchanged and the target's last reply."""

    messages: list[Message]
    final: TargetResponse
    turns: int
    extra: dict[str, Any] = field(default_factory=dict)


def seeded_rng(seed: int, *parts: str) -> random.Random:
    """A random generator that depends only on the seed and the given strings (not on PYTHONHASHSEED)."""
    digest = hashlib.sha256("\x1f".join([str(seed), *parts]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


class Attack:
    """Base class. Single-turn attacks implement ``transform``; multi-turn ones set ``multi_turn`` and
    implement ``converse``."""

    name: str = ""
    family: str = ""
    title: ClassVar[dict[str, str]] = {}
    langs: tuple[str, ...] = ("zh", "en")  # item languages the attack applies to
    multi_turn: bool = False
    clauses: tuple[str, ...] = ("5.3",)

    def applies_to(self, item: Item) -> bool:
        return item.lang in self.langs

    def transform(self, text: str, lang: str, rng: random.Random) -> str:
        return text

    def apply(self, item: Item, rng: random.Random) -> list[Message]:
        """The item's messages with the last user turn transformed."""
        messages = [dict(m) for m in item.messages]
        for message in reversed(messages):
            if message["role"] == "user":
                message["content"] = self.transform(message["content"], item.lang, rng)
                break
        return messages

    async def converse(self, item: Item, send: Send, rng: random.Random) -> Conversation:
        messages = self.apply(item, rng)
        response = await send(messages)
        return Conversation([*messages, {"role": "assistant", "content": response.text}], response, 1)

    def describe(self, lang: str = "en") -> dict[str, Any]:
        return {
            "name": self.name,
            "family": self.family,
            "title": self.title.get(lang, self.name),
            "langs": list(self.langs),
            "multi_turn": self.multi_turn,
        }


class TemplateAttack(Attack):
    """Wraps the prompt in one of several templates per language; ``{prompt}`` marks where it goes."""

    templates: ClassVar[dict[str, tuple[str, ...]]] = {}

    def transform(self, text: str, lang: str, rng: random.Random) -> str:
        choices = self.templates.get(lang) or self.templates["en"]
        return rng.choice(choices).replace("{prompt}", text)


ATTACKS: Registry[Attack] = Registry("attack", "aigis.assess.attacks", skip=("base", "presets"))
register_attack = ATTACKS.register


def attack_names() -> list[str]:
    return ATTACKS.names()


def get_attack(name: str) -> Attack:
    return ATTACKS.create(name)
