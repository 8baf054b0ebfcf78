"""The framework as one object: look-ups by id, lists, the risk table, search and crosswalks."""

from __future__ import annotations

import builtins
import difflib
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from aigis.errors import InputError, NotFoundError
from aigis.framework.ids import id_aliases, id_key
from aigis.framework.model import CLI_KINDS, KINDS, Clause, Crosswalk, Divergence, RiskMapping
from aigis.i18n import LANGS, Lang

_LINKABLE = ("measure", "governance", "guideline")


@dataclass(frozen=True)
class MappingRow:
    """A row of mapping.yaml as ids: ``links`` maps technical/governance/guidelines to (id, source)."""

    risk: str
    links: Mapping[str, builtins.list[tuple[str, str]]]
    divergence: Divergence | None


def expand_kind(kind: str) -> tuple[str, ...]:
    """A kind, or a name from CLI_KINDS, as the tuple of kinds it selects."""
    name = kind.strip().lower().replace("-", "_")
    if name in KINDS:
        return (name,)
    if name in CLI_KINDS:
        return CLI_KINDS[name]
    raise InputError(
        f"kind {kind!r} is not known; use one of: {', '.join(KINDS)} (or a group: {', '.join(CLI_KINDS)})"
    )


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold()


class Framework:
    """The AI Safety Governance Framework 2.0 as data. Build it with ``load_framework()``."""

    def __init__(
        self,
        clauses: Sequence[Clause],
        rows: Sequence[MappingRow],
        crosswalks: Sequence[Crosswalk],
    ) -> None:
        self._clauses = tuple(clauses)
        self._by_id = {c.id: c for c in self._clauses}
        self._order = {c.id: n for n, c in enumerate(self._clauses)}
        self._keys: dict[str, str] = {}
        for clause in self._clauses:
            for key in (id_key(clause.id), *id_aliases(clause.id)):
                self._keys.setdefault(key, clause.id)
        self._children: dict[str | None, builtins.list[Clause]] = {}
        for clause in self._clauses:
            self._children.setdefault(clause.parent, []).append(clause)
        self._rows = {row.risk: row for row in sorted(rows, key=lambda r: self._order[r.risk])}
        self._crosswalks = {cw.name: cw for cw in crosswalks}
        self._folded = {
            c.id: (_fold(c.title.zh), _fold(c.title.en), _fold(c.text.zh), _fold(c.text.en))
            for c in self._clauses
        }

    # ------------------------------------------------------------------ ids
    def __len__(self) -> int:
        return len(self._clauses)

    def __iter__(self) -> Iterator[Clause]:
        return iter(self._clauses)

    def __contains__(self, clause_id: object) -> bool:
        return isinstance(clause_id, str) and id_key(clause_id) in self._keys

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """Every clause, in document order, then the crosswalks."""
        return self._clauses

    def suggest(self, value: str, n: int = 5) -> builtins.list[str]:
        """Ids that look like ``value``, closest first."""
        close = difflib.get_close_matches(id_key(value), builtins.list(self._keys), n=n * 2, cutoff=0.6)
        out: builtins.list[str] = []
        for key in close:
            cid = self._keys[key]
            if cid not in out:
                out.append(cid)
        return out[:n]

    def resolve(self, clause_id: str) -> str:
        """The canonical form of an id as a person may type it (``3.2.1 (a)``, ``llm01``, ...)."""
        cid = self._keys.get(id_key(clause_id))
        if cid is None:
            raise NotFoundError("clause", clause_id, self.suggest(clause_id))
        return cid

    def get(self, clause_id: str) -> Clause:
        """The clause with that id; raises NotFoundError with close ids as suggestions."""
        return self._by_id[self.resolve(clause_id)]

    def children(self, clause_id: str | None) -> builtins.list[Clause]:
        """The clauses whose parent is ``clause_id`` (top-level clauses for ``None``)."""
        key = None if clause_id is None else self.resolve(clause_id)
        return builtins.list(self._children.get(key, []))

    def descendants(self, clause_id: str) -> builtins.list[Clause]:
        """Everything below a clause, in document order."""
        out: builtins.list[Clause] = []
        stack = self.children(clause_id)
        while stack:
            clause = stack.pop(0)
            out.append(clause)
            stack = self.children(clause.id) + stack
        return out

    def ancestors(self, clause_id: str) -> builtins.list[Clause]:
        """The enclosing sections of a clause, nearest first."""
        out: builtins.list[Clause] = []
        parent = self.get(clause_id).parent
        while parent is not None:
            clause = self._by_id[parent]
            out.append(clause)
            parent = clause.parent
        return out

    # ------------------------------------------------------------------ the risk table
    def _mapping(self, row: MappingRow) -> RiskMapping:
        columns = {
            name: [self._by_id[cid] for cid, _ in row.links.get(name, [])]
            for name in ("technical", "governance", "guidelines")
        }
        sources = {cid: source for links in row.links.values() for cid, source in links}
        return RiskMapping(
            risk=self._by_id[row.risk],
            technical=columns["technical"],
            governance=columns["governance"],
            guidelines=columns["guidelines"],
            divergence=row.divergence,
            sources=MappingProxyType(sources),
        )

    def measures_for(self, risk_id: str) -> RiskMapping:
        """The measures (and guidelines) that answer a section 3 risk."""
        clause = self.get(risk_id)
        if clause.kind != "risk":
            raise InputError(
                f"{clause.id!r} is a {clause.kind}, not a risk; give a section 3 risk id such as '3.2.1(a)'"
            )
        return self._mapping(self._rows[clause.id])

    def mappings(self) -> builtins.list[RiskMapping]:
        """Every row of the risk table, in document order."""
        return [self._mapping(row) for row in self._rows.values()]

    def divergences(self) -> builtins.list[RiskMapping]:
        """The rows where the English table differs from the authoritative Chinese one."""
        return [self._mapping(row) for row in self._rows.values() if row.divergence is not None]

    def risks_for(self, measure_id: str) -> builtins.list[Clause]:
        """The risks whose row names a technical measure, governance measure or guideline."""
        clause = self.get(measure_id)
        if clause.kind not in _LINKABLE:
            raise InputError(
                f"{clause.id!r} is a {clause.kind}; risks_for takes a technical measure (section 4), "
                "a governance measure (section 5) or a guideline (section 6)"
            )
        return [
            self._by_id[row.risk]
            for row in self._rows.values()
            if any(cid == clause.id for links in row.links.values() for cid, _ in links)
        ]

    # ------------------------------------------------------------------ lists and search
    def list(self, kind: str | None = None, parent: str | None = None) -> builtins.list[Clause]:
        """Clauses in document order, optionally of one kind (or group) and/or directly under a parent."""
        kinds = expand_kind(kind) if kind is not None else None
        pool = self.children(parent) if parent is not None else self._clauses
        return [c for c in pool if kinds is None or c.kind in kinds]

    def search(self, text: str, lang: Lang | None = None, kind: str | None = None) -> builtins.list[Clause]:
        """Clauses whose title or text contains ``text`` (any case, full- or half-width).

        An exact id comes first, then title hits, then text hits, each in document order.
        """
        needle = _fold(text).strip()
        if not needle:
            raise InputError("search text is empty; give a word or phrase in Chinese or English")
        if lang is not None and lang not in LANGS:
            raise InputError(f"language {lang!r} is not supported; use one of: {', '.join(LANGS)}")
        kinds = expand_kind(kind) if kind is not None else None
        exact = self._keys.get(id_key(text))
        ranked: builtins.list[tuple[int, int, Clause]] = []
        for clause in self._clauses:
            if kinds is not None and clause.kind not in kinds:
                continue
            title_zh, title_en, text_zh, text_en = self._folded[clause.id]
            titles = (title_zh, title_en) if lang is None else ((title_zh,) if lang == "zh" else (title_en,))
            texts = (text_zh, text_en) if lang is None else ((text_zh,) if lang == "zh" else (text_en,))
            if clause.id == exact:
                rank = 0
            elif any(needle in t for t in titles):
                rank = 1
            elif any(needle in t for t in texts):
                rank = 2
            else:
                continue
            ranked.append((rank, self._order[clause.id], clause))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [clause for _, _, clause in ranked]

    # ------------------------------------------------------------------ crosswalks
    def crosswalk_names(self) -> builtins.list[str]:
        return builtins.list(self._crosswalks)

    def crosswalk_info(self, name: str) -> Crosswalk:
        key = name.strip().lower()
        if key not in self._crosswalks:
            raise NotFoundError("crosswalk", name, self.crosswalk_names())
        return self._crosswalks[key]

    def crosswalk(self, name: str) -> builtins.list[Clause]:
        """The clauses of a crosswalk (``tc260``, ``owasp``), in file order."""
        return [self._by_id[cid] for cid in self.crosswalk_info(name).clause_ids]
