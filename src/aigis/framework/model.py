"""The value types of the framework: bilingual text, clauses and risk mappings."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from aigis.i18n import Lang

KINDS: tuple[str, ...] = (
    "principle",
    "structure",
    "section",
    "risk",
    "measure",
    "governance",
    "guideline",
    "grading_element",
    "risk_level",
    "standard_tier",
    "trust_principle",
    "term",
    "tc260_class",
    "tc260",
    "owasp",
)
"""Every clause kind, in the order the kinds first appear in the data."""

ROLES: tuple[str, ...] = ("developer", "deployer", "operator", "user")
"""The four roles of section 6: 6.1 developers, 6.2 deployers, 6.3 operators, 6.4 users."""

CLI_KINDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "grading": ("grading_element", "risk_level", "standard_tier"),
        "crosswalk": ("tc260_class", "tc260", "owasp"),
        "measures": ("measure", "governance"),
    }
)
"""Names that stand for several kinds at once, e.g. ``--kind grading``."""

SOURCES: tuple[str, ...] = ("document", "aigis")
"""Where a link between clauses comes from: the framework document itself, or aigis's own reading."""


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of text in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    @classmethod
    def from_dict(cls, value: Mapping[str, str]) -> Text:
        return cls(zh=value["zh"], en=value["en"])


@dataclass(frozen=True)
class Clause:
    """One numbered item of the framework (or of a crosswalk), identified by ``id``.

    ``extra`` holds the kind-specific fields as they are in the data files: ``factors``, ``level``,
    ``slug``, ``tier``, ``steps``, ``framework_risks``, ``measures``, ``guidelines``, ``en_source``,
    ``title_source``, ``text_source``, ``link_source``, ``notes``.
    """

    id: str
    kind: str
    title: Text
    text: Text
    parent: str | None = None
    role: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __hash__(self) -> int:
        return hash((self.id, self.kind))

    def title_in(self, lang: Lang) -> str:
        return self.title.get(lang)

    def text_in(self, lang: Lang) -> str:
        return self.text.get(lang)

    def get(self, key: str, default: Any = None) -> Any:
        """A kind-specific field, as a copy (``None`` or ``default`` when absent)."""
        return copy.deepcopy(self.extra[key]) if key in self.extra else default

    def texts(self, key: str) -> list[Text]:
        """A kind-specific field that is a list of {zh, en} (``factors``, ``steps``, ``notes``)."""
        return [Text.from_dict(item) for item in self.extra.get(key, ())]

    def ids(self, key: str) -> list[str]:
        """A kind-specific field that is a list of clause ids (``framework_risks``, ``measures``, ...)."""
        return list(self.extra.get(key, ()))

    @property
    def level(self) -> int | None:
        """The level 1-5 of a ``risk_level`` clause."""
        value = self.extra.get("level")
        return value if isinstance(value, int) else None

    @property
    def en_source(self) -> str:
        """``document`` when the English text is the published one, ``aigis-translation`` otherwise."""
        return str(self.extra.get("en_source", "document"))

    @property
    def notes(self) -> list[Text]:
        return self.texts("notes")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict: id, kind, parent, title, text, then role and kind-specific fields."""
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "parent": self.parent,
            "title": self.title.to_dict(),
            "text": self.text.to_dict(),
        }
        if self.role is not None:
            out["role"] = self.role
        for key, value in self.extra.items():
            out[key] = copy.deepcopy(value)
        return out


@dataclass(frozen=True)
class Divergence:
    """What the English mapping table says for a row where it differs from the Chinese table."""

    technical: tuple[str, ...]
    governance: tuple[str, ...]
    missing: bool
    note: Text

    def note_in(self, lang: Lang) -> str:
        return self.note.get(lang)

    def to_dict(self) -> dict[str, Any]:
        return {
            "technical": list(self.technical),
            "governance": list(self.governance),
            "missing": self.missing,
            "note": self.note.to_dict(),
        }


@dataclass(frozen=True)
class RiskMapping:
    """One row of the risk table: a risk and the measures and guidelines that answer it.

    ``technical`` and ``governance`` follow the Chinese table of the document; ``guidelines`` are
    chosen by aigis (the table has none). ``sources`` says, per linked clause id, where the link
    comes from (``document`` or ``aigis``). ``divergence`` is what the English table says instead,
    or ``None`` where the two tables agree.
    """

    risk: Clause
    technical: list[Clause]
    governance: list[Clause]
    guidelines: list[Clause]
    divergence: Divergence | None
    sources: Mapping[str, str]

    def source_of(self, clause_id: str) -> str:
        return self.sources[clause_id]

    def _link(self, clause: Clause) -> dict[str, Any]:
        return {
            "id": clause.id,
            "kind": clause.kind,
            "title": clause.title.to_dict(),
            "source": self.sources[clause.id],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "risk": self.risk.to_dict(),
            "technical": [self._link(c) for c in self.technical],
            "governance": [self._link(c) for c in self.governance],
            "guidelines": [self._link(c) for c in self.guidelines],
            "divergence": self.divergence.to_dict() if self.divergence else None,
        }


@dataclass(frozen=True)
class Crosswalk:
    """A mapping from another catalogue (TC260-003, OWASP, ...) onto the framework."""

    name: str
    title: Text
    source: Text
    clause_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title.to_dict(),
            "source": self.source.to_dict(),
            "clauses": list(self.clause_ids),
        }
