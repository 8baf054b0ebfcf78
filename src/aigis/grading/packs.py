"""Rule packs: versioned YAML documents that say how to grade. Loading, inheritance, validation."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from aigis.errors import NotFoundError
from aigis.grading.problems import Problem, ValidationFailed, schema_problems
from aigis.grading.system import allowed_values, field_kind, parse_text, read_file

PACKS_DIR = Path(__file__).parent / "packs"
PACK_SCHEMA_PATH = Path(__file__).parent / "pack.schema.json"
LEVEL_EFFECTS = ("min_level", "raise")


def option_key(value: Any) -> str:
    """Score-table key of a value: booleans are 'true'/'false', everything else its string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@cache
def _pack_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PACK_SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def pack_schema() -> dict[str, Any]:
    return copy.deepcopy(_pack_schema())


# -- inheritance ------------------------------------------------------------------------------------


def merge(base: Any, over: Any) -> Any:
    """Deep merge: mappings key by key, lists of mappings with 'id' item by item (new ids appended),
    anything else replaced by the override."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if (
        isinstance(base, list)
        and isinstance(over, list)
        and over
        and all(isinstance(x, dict) and "id" in x for x in base + over)
    ):
        merged = [copy.deepcopy(x) for x in base]
        index = {x["id"]: i for i, x in enumerate(merged)}
        for item in over:
            if item["id"] in index:
                merged[index[item["id"]]] = merge(merged[index[item["id"]]], item)
            else:
                index[item["id"]] = len(merged)
                merged.append(copy.deepcopy(item))
        return merged
    return copy.deepcopy(over)


def _normalize_keys(data: dict[str, Any]) -> dict[str, Any]:
    """YAML turns keys such as 2 or true into int/bool; the pack format uses strings."""
    out = copy.deepcopy(data)
    if isinstance(out.get("thresholds"), dict):
        out["thresholds"] = {option_key(k): v for k, v in out["thresholds"].items()}
    factors: list[Any] = []
    for element in out.get("elements") or []:
        if isinstance(element, dict):
            factors += element.get("factors") or []
    factors += out.get("signals") or []
    for factor in factors:
        if isinstance(factor, dict) and isinstance(factor.get("scores"), dict):
            factor["scores"] = {option_key(k): v for k, v in factor["scores"].items()}
    for control in out.get("baseline") or []:
        if isinstance(control, dict) and isinstance(control.get("by_level"), dict):
            control["by_level"] = {option_key(k): v for k, v in control["by_level"].items()}
    return out


# -- the pack ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    id: str
    field: str
    kind: str  # enum | set | number | bool | free
    data: dict[str, Any]
    element: str | None  # None for a signal

    @property
    def weight(self) -> float:
        return float(self.data.get("weight", 1.0))

    @property
    def scores(self) -> dict[str, float]:
        return {k: float(v) for k, v in (self.data.get("scores") or {}).items()}

    @property
    def bands(self) -> list[tuple[float, float]]:
        return [(float(b["at_least"]), float(b["score"])) for b in self.data.get("bands") or []]

    def title(self, lang: str) -> str:
        return str(self.data["title"][lang])


@dataclass(frozen=True)
class Pack:
    """A resolved, validated rule pack."""

    data: dict[str, Any]
    source: str
    factors: dict[str, Factor] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def sector(self) -> str:
        return str(self.data["sector"])

    @property
    def sha256(self) -> str:
        canonical = json.dumps(self.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def title(self, lang: str) -> str:
        return str(self.data["title"][lang])

    def control(self, control_id: str) -> dict[str, Any]:
        for control in self.data["baseline"]:
            if control["id"] == control_id:
                return dict(control)
        raise NotFoundError("control", control_id, [c["id"] for c in self.data["baseline"]][:5])

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "sector": self.sector,
            "title": dict(self.data["title"]),
            "extends": self.data.get("extends"),
            "rules": len(self.data["rules"]),
            "controls": len(self.data["baseline"]),
            "sha256": self.sha256,
            "source": self.source,
        }

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)


# -- validation -------------------------------------------------------------------------------------


def _collect_factors(data: dict[str, Any], problems: list[Problem]) -> dict[str, Factor]:
    factors: dict[str, Factor] = {}
    fields: dict[str, str] = {}
    entries: list[tuple[str, str | None, dict[str, Any]]] = []
    for e, element in enumerate(data["elements"]):
        for f, factor in enumerate(element["factors"]):
            entries.append((f"elements[{e}].factors[{f}]", element["id"], factor))
    for s, signal in enumerate(data.get("signals") or []):
        entries.append((f"signals[{s}]", None, signal))
    for where, element_id, fac in entries:
        fid, fld = fac["id"], fac["field"]
        if fid in factors:
            problems.append(
                Problem(f"{where}.id", fid, f"factor id {fid!r} is used twice; ids must be unique")
            )
            continue
        kind = field_kind(fld)
        if kind is None or kind == "text":
            problems.append(
                Problem(
                    f"{where}.field",
                    fld,
                    f"field {fld!r} cannot be scored; use a field of the "
                    "system schema with enumerated, boolean or numeric values, or attributes.NAME",
                )
            )
            continue
        if fld in fields:
            problems.append(
                Problem(
                    f"{where}.field",
                    fld,
                    f"field {fld!r} is already scored by factor "
                    f"{fields[fld]!r}; score each field once so that severity has one order",
                )
            )
            continue
        fields[fld] = fid
        factor = Factor(fid, fld, kind, fac, element_id)
        _check_factor(where, factor, problems)
        factors[fid] = factor
    return factors


def _check_factor(where: str, factor: Factor, problems: list[Problem]) -> None:
    data = factor.data
    if factor.kind == "number":
        if "bands" not in data:
            problems.append(
                Problem(
                    where,
                    factor.field,
                    f"numeric field {factor.field!r} needs 'bands' (list of at_least/score), not 'scores'",
                )
            )
            return
        bands = factor.bands
        for (a1, s1), (a2, s2) in itertools.pairwise(bands):
            if a2 <= a1 or s2 < s1:
                problems.append(
                    Problem(
                        f"{where}.bands",
                        data["bands"],
                        "bands must have increasing at_least "
                        "and non-decreasing scores (a larger value can never score lower)",
                    )
                )
                break
        default = data.get("default")
        if default is not None and (isinstance(default, bool) or not isinstance(default, int | float)):
            problems.append(
                Problem(f"{where}.default", default, "default of a numeric factor must be a number")
            )
        return
    if "scores" not in data:
        problems.append(
            Problem(where, factor.field, f"field {factor.field!r} needs 'scores' (value: score), not 'bands'")
        )
        return
    allowed = allowed_values(factor.field)
    if allowed is not None:
        keys = {option_key(v) for v in allowed}
        unknown = sorted(set(factor.scores) - keys)
        missing = sorted(keys - set(factor.scores))
        for key in unknown:
            problems.append(
                Problem(
                    f"{where}.scores.{key}",
                    key,
                    f"{key!r} is not a value of field "
                    f"{factor.field!r}; use one of: {', '.join(sorted(keys))}",
                )
            )
        for key in missing:
            problems.append(
                Problem(
                    f"{where}.scores",
                    key,
                    f"value {key!r} of field {factor.field!r} has no score; give every allowed value a score",
                )
            )
    if "default" in data and option_key(data["default"]) not in factor.scores:
        problems.append(
            Problem(
                f"{where}.default",
                data["default"],
                "default must be one of the scored values: " + ", ".join(factor.scores),
            )
        )


def _check_condition(
    where: str, cond: dict[str, Any], factors: dict[str, Factor], level_rule: bool, problems: list[Problem]
) -> None:
    for key in ("all", "any"):
        if key in cond:
            for i, sub in enumerate(cond[key]):
                _check_condition(f"{where}.{key}[{i}]", sub, factors, level_rule, problems)
            return
    fid = cond["factor"]
    factor = factors.get(fid)
    if factor is None:
        problems.append(
            Problem(
                f"{where}.factor", fid, f"unknown factor {fid!r}; use one of: " + ", ".join(sorted(factors))
            )
        )
        return
    if "includes" in cond:
        if factor.kind != "set":
            problems.append(
                Problem(
                    f"{where}.includes",
                    cond["includes"],
                    f"'includes' needs a list factor; {fid!r} is {factor.kind}; use 'at_least' or 'in'",
                )
            )
            return
        for value in cond["includes"]:
            if option_key(value) not in factor.scores:
                problems.append(
                    Problem(
                        f"{where}.includes",
                        value,
                        f"{value!r} is not a value of {fid!r}; use one of: " + ", ".join(factor.scores),
                    )
                )
        return
    if "at_least" in cond:
        value = cond["at_least"]
        if factor.kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(
                    Problem(f"{where}.at_least", value, f"factor {fid!r} is numeric; use a number")
                )
        elif option_key(value) not in factor.scores:
            problems.append(
                Problem(
                    f"{where}.at_least",
                    value,
                    f"{value!r} is not a value of {fid!r}; use one of: " + ", ".join(factor.scores),
                )
            )
        return
    values = cond["in"] if "in" in cond else [cond["is"]]
    op = "in" if "in" in cond else "is"
    if factor.kind in ("set", "number"):
        problems.append(
            Problem(
                f"{where}.{op}",
                values,
                f"'{op}' needs a single-valued factor; {fid!r} is "
                f"{factor.kind}; use 'includes' or 'at_least'",
            )
        )
        return
    keys = [option_key(v) for v in values]
    bad = [k for k in keys if k not in factor.scores]
    for key in bad:
        problems.append(
            Problem(
                f"{where}.{op}",
                key,
                f"{key!r} is not a value of {fid!r}; use one of: " + ", ".join(factor.scores),
            )
        )
    if level_rule and not bad:
        lowest = min(factor.scores[k] for k in keys)
        left_out = sorted(k for k, s in factor.scores.items() if s >= lowest and k not in keys)
        if left_out:
            problems.append(
                Problem(
                    f"{where}.{op}",
                    values,
                    f"a rule that sets the level must not depend on "
                    f"{fid!r} in a way a more severe value could switch off: "
                    f"{', '.join(left_out)} score at least as high but are not listed; list them, "
                    "use 'at_least', or make the rule only add 'requires'",
                )
            )


def _check_semantics(data: dict[str, Any], source: str) -> dict[str, Factor]:
    problems: list[Problem] = []
    element_ids = [e["id"] for e in data["elements"]]
    for dup in sorted({x for x in element_ids if element_ids.count(x) > 1}):
        problems.append(Problem("elements", dup, f"element id {dup!r} is used twice"))
    weights = data["weights"]
    for eid in element_ids:
        if eid not in weights:
            problems.append(
                Problem("weights", eid, f"element {eid!r} has no weight; give every element a weight")
            )
    for key in weights:
        if key not in element_ids:
            problems.append(
                Problem(
                    f"weights.{key}",
                    weights[key],
                    f"{key!r} is not an element; use one of: " + ", ".join(element_ids),
                )
            )
    if weights and sum(weights.values()) <= 0:
        problems.append(Problem("weights", weights, "weights must not all be 0"))
    cuts = [data["thresholds"][k] for k in ("2", "3", "4", "5")]
    if any(b <= a for a, b in itertools.pairwise(cuts)):
        problems.append(
            Problem("thresholds", data["thresholds"], "thresholds must increase from level 2 to 5")
        )
    factors = _collect_factors(data, problems)
    controls = [c["id"] for c in data["baseline"]]
    for dup in sorted({x for x in controls if controls.count(x) > 1}):
        problems.append(Problem("baseline", dup, f"control id {dup!r} is used twice"))
    rule_ids: set[str] = set()
    for r, rule in enumerate(data["rules"]):
        where = f"rules[{r}]"
        if rule["id"] in rule_ids:
            problems.append(Problem(f"{where}.id", rule["id"], f"rule id {rule['id']!r} is used twice"))
        rule_ids.add(rule["id"])
        if not any(k in rule for k in (*LEVEL_EFFECTS, "requires")):
            problems.append(
                Problem(where, rule["id"], "a rule needs an effect: min_level, raise or requires")
            )
        for req in rule.get("requires") or []:
            if req not in controls:
                problems.append(
                    Problem(
                        f"{where}.requires",
                        req,
                        f"{req!r} is not a control in the baseline; use one of: " + ", ".join(controls),
                    )
                )
        level_rule = any(k in rule for k in LEVEL_EFFECTS)
        _check_condition(f"{where}.when", rule["when"], factors, level_rule, problems)
    if problems:
        raise ValidationFailed(source, problems)
    return factors


def build_pack(raw: Any, source: str, _seen: tuple[str, ...] = ()) -> Pack:
    """Resolve inheritance, then validate structure and meaning; every problem is reported at once."""
    if not isinstance(raw, dict):
        raise ValidationFailed(source, [Problem("", raw, "a rule pack must be a mapping (id, version, ...)")])
    data = dict(raw)
    parent_id = data.get("extends")
    if isinstance(parent_id, str):
        if parent_id in _seen:
            raise ValidationFailed(
                source, [Problem("extends", parent_id, "packs extend each other in a cycle")]
            )
        parent = _shipped_raw(parent_id, source)
        base = build_pack(parent, f"pack {parent_id!r}", (*_seen, str(data.get("id")))).to_dict()
        base.pop("extends", None)
        data = merge(base, data)
    data = _normalize_keys(data)
    problems = schema_problems(data, _pack_schema())
    if problems:
        raise ValidationFailed(source, problems)
    factors = _check_semantics(data, source)
    return Pack(data=data, source=source, factors=factors)


# -- where packs come from --------------------------------------------------------------------------


def _shipped_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(PACKS_DIR.glob("*.yaml"))}


def _shipped_raw(pack_id: str, source: str) -> Any:
    files = _shipped_files()
    if pack_id not in files:
        raise ValidationFailed(
            source,
            [Problem("extends", pack_id, "no shipped pack has this id; use one of: " + ", ".join(files))],
        )
    return read_file(files[pack_id])


@cache
def _shipped(pack_id: str) -> Pack:
    return build_pack(read_file(_shipped_files()[pack_id]), f"pack {pack_id!r}")


def shipped_pack_ids() -> list[str]:
    return list(_shipped_files())


def list_packs() -> list[Pack]:
    """Every pack shipped with aigis, general first."""
    ids = sorted(_shipped_files(), key=lambda i: (i != "general", i))
    return [_shipped(i) for i in ids]


def load_pack_file(path: str | Path) -> Pack:
    """Load and validate a pack from a YAML or JSON file."""
    return build_pack(read_file(path), str(path))


def load_pack_text(text: str, source: str = "pack") -> Pack:
    return build_pack(parse_text(text, source), source)


def get_pack(id_or_path: str) -> Pack:
    """A shipped pack by id, or a pack file by path."""
    if id_or_path in _shipped_files():
        return _shipped(id_or_path)
    path = Path(id_or_path)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
        return load_pack_file(path)
    import difflib

    raise NotFoundError(
        "rule pack", id_or_path, difflib.get_close_matches(id_or_path, list(_shipped_files()))
    )


def pack_for(system: dict[str, Any]) -> Pack:
    """The pack a system names, else the shipped pack for its sector, else 'general'."""
    if system.get("pack"):
        return get_pack(str(system["pack"]))
    for pack in list_packs():
        if pack.sector == system.get("sector") and pack.id != "general":
            return pack
    return _shipped("general")
