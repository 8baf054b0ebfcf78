"""AI system descriptions: the JSON Schema, validation with clear messages, loading from YAML/JSON files."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from aigis.errors import InputError
from aigis.grading.problems import Problem, ValidationFailed, schema_problems

SCHEMA_PATH = Path(__file__).parent / "system.schema.json"


@cache
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def system_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every system description must satisfy."""
    return copy.deepcopy(_schema())


def allowed_values(field: str) -> list[Any] | None:
    """The enumerated values of a (dotted) system field, or None when it is free-form."""
    node: dict[str, Any] = _schema()
    for part in field.split("."):
        props = node.get("properties", {})
        if part not in props:
            return None
        node = props[part]
    if "enum" in node:
        return list(node["enum"])
    if node.get("type") == "array" and "enum" in node.get("items", {}):
        return list(node["items"]["enum"])
    if node.get("type") == "boolean":
        return [True, False]
    return None


def field_kind(field: str) -> str | None:
    """'enum', 'set', 'number', 'bool', 'text', 'free' (attributes.*) or None for an unknown field."""
    if field.startswith("attributes."):
        return "free"
    node: dict[str, Any] = _schema()
    for part in field.split("."):
        props = node.get("properties", {})
        if part not in props:
            return None
        node = props[part]
    if "enum" in node:
        return "enum"
    kind = node.get("type")
    if kind == "array" and "enum" in node.get("items", {}):
        return "set"
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "bool"
    if kind == "string":
        return "text"
    return None


def _with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for name, prop in _schema()["properties"].items():
        if name not in out and "default" in prop:
            out[name] = copy.deepcopy(prop["default"])
    return out


def validate_system(data: Any, source: str = "system") -> dict[str, Any]:
    """Check a system description against the schema; return it with defaults filled in.

    Raises ValidationFailed listing every problem (field, value, what is allowed).
    """
    if not isinstance(data, dict):
        raise ValidationFailed(source, [Problem("", data, "a system must be a mapping of fields to values")])
    problems = schema_problems(data, _schema())
    if problems:
        raise ValidationFailed(source, problems)
    return _with_defaults(data)


def parse_text(text: str, source: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML); errors name the source and the line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        raise InputError(f"{source}: not valid YAML or JSON{where}; fix the syntax") from None


def read_file(path: str | Path) -> Any:
    file = Path(path)
    if not file.is_file():
        raise InputError(f"file {str(file)!r} does not exist; give the path of a YAML or JSON file")
    return parse_text(file.read_text(encoding="utf-8"), str(file))


def systems_from_data(data: Any, source: str) -> list[dict[str, Any]]:
    """Accept one system, a list of systems, or a mapping with a 'systems' list; validate each."""
    if isinstance(data, dict) and "systems" in data and isinstance(data["systems"], list):
        items = data["systems"]
    elif isinstance(data, list):
        items = data
    else:
        items = [data]
    out: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        prefix = f"systems[{index}]" if len(items) > 1 or not isinstance(data, dict) else ""
        try:
            out.append(validate_system(item, source))
        except ValidationFailed as exc:
            problems += [
                Problem(f"{prefix}.{p.field}" if prefix else p.field, p.value, p.message)
                for p in exc.problems
            ]
    if problems:
        raise ValidationFailed(source, problems)
    names = [s["name"] for s in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValidationFailed(
            source,
            [
                Problem("name", d, f"value {d!r} is used by more than one system; names must be unique")
                for d in dupes
            ],
        )
    return out


def load_systems(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate every system in a YAML or JSON file."""
    return systems_from_data(read_file(path), str(path))


def get_field(system: dict[str, Any], field: str) -> Any:
    """The value at a dotted path, or None when absent."""
    node: Any = system
    for part in field.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
