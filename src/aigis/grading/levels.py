"""The five risk levels of appendix 1 (A1.L1 to A1.L5)."""

from __future__ import annotations

from dataclasses import dataclass

from aigis.errors import InputError
from aigis.i18n import Lang


@dataclass(frozen=True)
class Level:
    number: int
    zh: str
    en: str

    @property
    def id(self) -> str:
        """The framework clause id, A1.L1 .. A1.L5."""
        return f"A1.L{self.number}"

    def name_in(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, object]:
        return {"level": self.number, "id": self.id, "zh": self.zh, "en": self.en}


LEVELS: tuple[Level, ...] = (
    Level(1, "低安全风险", "low security risk"),
    Level(2, "一般安全风险", "moderate security risk"),
    Level(3, "较大安全风险", "considerable security risk"),
    Level(4, "重大安全风险", "major security risk"),
    Level(5, "特别重大安全风险", "extremely serious security risk"),
)
MIN_LEVEL = 1
MAX_LEVEL = 5


def level(number: int) -> Level:
    """The level with this number (1-5)."""
    if not MIN_LEVEL <= number <= MAX_LEVEL:
        raise InputError(f"risk level {number!r} does not exist; use 1 to 5")
    return LEVELS[number - 1]
