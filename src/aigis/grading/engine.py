"""The grading engine: element scores, base level from thresholds, escalation rules, required controls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aigis.errors import InputError
from aigis.grading.levels import MAX_LEVEL, Level, level
from aigis.grading.packs import Factor, Pack, option_key, pack_for
from aigis.grading.system import get_field, validate_system

ENGINE_VERSION = "1"


@dataclass(frozen=True)
class FactorScore:
    id: str
    field: str
    title: dict[str, str]
    value: Any
    score: float
    weight: float
    defaulted: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "field": self.field,
            "title": self.title,
            "value": self.value,
            "score": self.score,
            "weight": self.weight,
            "defaulted": self.defaulted,
        }


@dataclass(frozen=True)
class ElementScore:
    id: str
    title: dict[str, str]
    combination: str
    weight: float
    score: float
    factors: list[FactorScore]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "combination": self.combination,
            "weight": self.weight,
            "score": self.score,
            "factors": [f.to_dict() for f in self.factors],
        }


@dataclass(frozen=True)
class FiredRule:
    id: str
    reason: dict[str, str]
    effect: str  # "min_level N", "raise N" or "requires"
    level_before: int
    level_after: int
    requires: list[str]
    clauses: list[str]
    matched: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reason": self.reason,
            "effect": self.effect,
            "level_before": self.level_before,
            "level_after": self.level_after,
            "requires": self.requires,
            "clauses": self.clauses,
            "matched": self.matched,
        }


@dataclass(frozen=True)
class Control:
    id: str
    title: dict[str, str]
    clauses: list[str]
    roles: list[str]
    because: list[str]  # "level N" and/or "rule ID"
    before_launch: bool
    every_months: int | None
    retain_months: int | None
    note: dict[str, str] | None

    def frequency(self, lang: str) -> str:
        zh = lang == "zh"
        parts: list[str] = []
        if self.before_launch:
            parts.append("上线前" if zh else "before launch")
        if self.every_months:
            parts.append(f"每 {self.every_months} 个月" if zh else f"every {self.every_months} months")
        if self.retain_months:
            parts.append(
                f"留存不少于 {self.retain_months} 个月"
                if zh
                else f"retain at least {self.retain_months} months"
            )
        if not parts:
            parts.append("持续" if zh else "ongoing")
        return "，".join(parts) if zh else ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "clauses": self.clauses,
            "roles": self.roles,
            "because": self.because,
            "before_launch": self.before_launch,
            "every_months": self.every_months,
            "retain_months": self.retain_months,
            "note": self.note,
            "frequency": {"zh": self.frequency("zh"), "en": self.frequency("en")},
        }


@dataclass(frozen=True)
class GradeResult:
    system: dict[str, Any]
    pack: Pack
    score: float
    base_level: int
    level: Level
    elements: list[ElementScore]
    rules: list[FiredRule]
    controls: list[Control] = field(default_factory=list)

    @property
    def clause_ids(self) -> list[str]:
        """Every framework clause id this result refers to."""
        ids = ["A1", "5.5", "6.2.1", self.level.id]
        for rule in self.rules:
            ids += rule.clauses
        for control in self.controls:
            ids += control.clauses
        return list(dict.fromkeys(ids))

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system.get("name"),
            "level": self.level.to_dict(),
            "score": self.score,
            "base_level": self.base_level,
            "elements": [e.to_dict() for e in self.elements],
            "rules": [r.to_dict() for r in self.rules],
            "controls": [c.to_dict() for c in self.controls],
            "pack": {"id": self.pack.id, "version": self.pack.version, "sha256": self.pack.sha256},
            "engine": ENGINE_VERSION,
            "inputs": self.system,
            "clauses": self.clause_ids,
        }


# -- scoring ----------------------------------------------------------------------------------------


def _factor_value(system: dict[str, Any], factor: Factor) -> tuple[Any, bool]:
    value = get_field(system, factor.field)
    if value is None and "default" in factor.data:
        return factor.data["default"], True
    return value, False


def _score_of(factor: Factor, value: Any) -> float:
    if value is None:
        return 0.0
    if factor.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"field {factor.field!r}: value {value!r} is not a number; use a number")
        score = 0.0
        for at_least, band_score in factor.bands:
            if value >= at_least:
                score = band_score
        return score
    scores = factor.scores
    items = value if isinstance(value, list) else [value]
    found: list[float] = []
    for item in items:
        key = option_key(item)
        if key not in scores:
            raise InputError(
                f"field {factor.field!r}: value {item!r} is not scored by pack factor "
                f"{factor.id!r}; use one of: {', '.join(scores)}"
            )
        found.append(scores[key])
    return max(found, default=0.0)


def _combine(method: str, pairs: list[tuple[float, float]]) -> float:
    """pairs: (score, weight). weighted_sum is the weighted mean; max ignores weights of 0."""
    if method == "max":
        return max((s for s, w in pairs if w > 0), default=0.0)
    total = sum(w for _, w in pairs)
    return sum(s * w for s, w in pairs) / total if total > 0 else 0.0


def _base_level(pack: Pack, score: float) -> int:
    result = 1
    for lvl in range(2, MAX_LEVEL + 1):
        if score >= float(pack.data["thresholds"][str(lvl)]):
            result = lvl
    return result


# -- conditions -------------------------------------------------------------------------------------


def _holds(cond: dict[str, Any], pack: Pack, system: dict[str, Any], matched: list[str]) -> bool:
    if "all" in cond:
        parts = [_holds(c, pack, system, matched) for c in cond["all"]]
        return all(parts)
    if "any" in cond:
        parts = [_holds(c, pack, system, matched) for c in cond["any"]]
        return any(parts)
    factor = pack.factors[cond["factor"]]
    value, _ = _factor_value(system, factor)
    if value is None:
        return False
    ok = False
    if "includes" in cond:
        present = {option_key(v) for v in value}
        hits = [option_key(v) for v in cond["includes"] if option_key(v) in present]
        ok = bool(hits)
        if ok:
            matched.append(f"{factor.field} includes {', '.join(hits)}")
    elif "at_least" in cond:
        bound = cond["at_least"]
        if factor.kind == "number":
            ok = value >= bound
        else:
            ok = _score_of(factor, value) >= factor.scores[option_key(bound)]
        if ok:
            matched.append(f"{factor.field} = {_show(value)} (at least {_show(bound)})")
    else:
        wanted = cond["in"] if "in" in cond else [cond["is"]]
        ok = option_key(value) in {option_key(v) for v in wanted}
        if ok:
            matched.append(f"{factor.field} = {_show(value)}")
    return ok


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(option_key(v) for v in value) + "]"
    return option_key(value)


# -- controls ---------------------------------------------------------------------------------------


def _controls(pack: Pack, system: dict[str, Any], final: int, rules: list[FiredRule]) -> list[Control]:
    roles = set(system.get("roles") or [])
    by_rule: dict[str, list[str]] = {}
    for rule in rules:
        for control_id in rule.requires:
            by_rule.setdefault(control_id, []).append(rule.id)
    out: list[Control] = []
    for control in pack.data["baseline"]:
        because: list[str] = []
        from_level = control.get("from_level")
        if from_level is not None and final >= int(from_level):
            because.append(f"level {from_level}+")
        because += [f"rule {r}" for r in by_rule.get(control["id"], [])]
        if not because or not roles.intersection(control["roles"]):
            continue
        # The strictest value applies: the shortest interval, the longest retention, before launch if any.
        steps = [control] + [(control.get("by_level") or {}).get(str(lvl), {}) for lvl in range(1, final + 1)]
        every = [int(s["every_months"]) for s in steps if s.get("every_months")]
        retain = [int(s["retain_months"]) for s in steps if s.get("retain_months")]
        notes = [s["note"] for s in steps if s.get("note")]
        params: dict[str, Any] = {
            "before_launch": any(s.get("before_launch") for s in steps),
            "every_months": min(every) if every else None,
            "retain_months": max(retain) if retain else None,
            "note": notes[-1] if notes else None,
        }
        out.append(
            Control(
                id=control["id"],
                title=dict(control["title"]),
                clauses=list(control["clauses"]),
                roles=sorted(roles.intersection(control["roles"])),
                because=because,
                before_launch=bool(params.get("before_launch")),
                every_months=params.get("every_months"),
                retain_months=params.get("retain_months"),
                note=params.get("note"),
            )
        )
    return out


# -- entry point ------------------------------------------------------------------------------------


def grade(system: dict[str, Any], pack: Pack | None = None) -> GradeResult:
    """Grade one system (a mapping that satisfies the system schema) with a pack (default: its sector's)."""
    system = validate_system(
        system, f"system {system.get('name', '?')!r}" if isinstance(system, dict) else "system"
    )
    pack = pack or pack_for(system)
    elements: list[ElementScore] = []
    for element in pack.data["elements"]:
        scored: list[FactorScore] = []
        for fac in element["factors"]:
            factor = pack.factors[fac["id"]]
            value, defaulted = _factor_value(system, factor)
            scored.append(
                FactorScore(
                    factor.id,
                    factor.field,
                    dict(fac["title"]),
                    value,
                    round(_score_of(factor, value), 2),
                    factor.weight,
                    defaulted,
                )
            )
        score = _combine(element["combination"], [(f.score, f.weight) for f in scored])
        elements.append(
            ElementScore(
                element["id"],
                dict(element["title"]),
                element["combination"],
                float(pack.data["weights"][element["id"]]),
                round(score, 2),
                scored,
            )
        )
    total = round(_combine(pack.data["combination"], [(e.score, e.weight) for e in elements]), 2)
    base = _base_level(pack, total)
    current = base
    fired: list[FiredRule] = []
    # Floors first, then raises on top of them, so the outcome does not depend on rule order:
    # level = min(5, max(base, floors) + raises).
    ordered = sorted(pack.data["rules"], key=lambda r: 1 if "raise" in r else 0 if "min_level" in r else 2)
    for rule in ordered:
        matched: list[str] = []
        if not _holds(rule["when"], pack, system, matched):
            continue
        before = current
        effects: list[str] = []
        if "min_level" in rule:
            current = max(current, int(rule["min_level"]))
            effects.append(f"min_level {rule['min_level']}")
        if "raise" in rule:
            current = min(MAX_LEVEL, current + int(rule["raise"]))
            effects.append(f"raise {rule['raise']}")
        if not effects:
            effects.append("requires")
        fired.append(
            FiredRule(
                rule["id"],
                dict(rule["reason"]),
                ", ".join(effects),
                before,
                current,
                list(rule.get("requires") or []),
                list(rule.get("clauses") or []),
                matched,
            )
        )
    final = level(current)
    return GradeResult(
        system, pack, total, base, final, elements, fired, _controls(pack, system, current, fired)
    )
