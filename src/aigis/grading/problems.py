"""Clear validation errors: one message per problem, naming the field, the value and what is allowed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from aigis.errors import InputError


@dataclass(frozen=True)
class Problem:
    field: str
    value: Any
    message: str

    def __str__(self) -> str:
        return f"{self.field or '(top level)'}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "message": self.message}


class ValidationFailed(InputError):
    """A system file or a rule pack has problems; ``problems`` lists each one."""

    code = "invalid_input"

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''}"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _allowed(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "use one of: " + ", ".join(str(v) for v in schema["enum"])
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return "use a value of type " + " or ".join(kinds)
    return "see the schema"


def _describe(error: ValidationError) -> Problem:
    field = _path(error.absolute_path)
    value: Any = error.instance
    kind = error.validator
    rule: Any = error.validator_value
    schema: Any = error.schema
    if kind == "required":
        absent = [name for name in rule if name not in (value or {})]
        missing = next((name for name in absent if error.message.startswith(repr(name))), "?")
        return Problem(_path([*error.absolute_path, missing]), None, "is required but missing")
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        name = extra[0] if extra else "?"
        return Problem(
            _path([*error.absolute_path, name]),
            value.get(name) if isinstance(value, dict) else None,
            f"is not a known field; allowed fields here: {', '.join(allowed)}",
        )
    if kind == "enum":
        return Problem(
            field,
            value,
            f"value {_short(value)} is not allowed; use one of: " + ", ".join(str(v) for v in rule),
        )
    if kind == "type":
        kinds = rule if isinstance(rule, list) else [rule]
        return Problem(field, value, f"value {_short(value)} has the wrong type; use " + " or ".join(kinds))
    if kind == "pattern":
        return Problem(field, value, f"value {_short(value)} does not match the pattern {rule}")
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "exclusiveMinimum": "more than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
        }
        return Problem(
            field, value, f"value {_short(value)} is out of range; use a number {words[kind]} {rule}"
        )
    if kind in ("minLength", "maxLength"):
        return Problem(
            field, value, f"value {_short(value)} has the wrong length; use {kind[:3]}. {rule} characters"
        )
    if kind in ("minItems", "maxItems"):
        return Problem(field, value, f"list {_short(value)} has the wrong size; use {kind[:3]}. {rule} items")
    if kind == "uniqueItems":
        return Problem(field, value, f"list {_short(value)} has duplicates; list each item once")
    if kind == "minProperties":
        return Problem(field, value, f"needs at least {rule} entries")
    if kind in ("oneOf", "anyOf"):
        return Problem(field, value, f"value {_short(value)} is not allowed; {_allowed(schema)}")
    return Problem(field, value, f"value {_short(value)} is not allowed: {error.message}")


_VALIDATORS: dict[int, jsonschema.Draft202012Validator] = {}


def schema_problems(instance: Any, schema: dict[str, Any]) -> list[Problem]:
    """Every schema violation of ``instance``, sorted by field, one Problem each."""
    validator = _VALIDATORS.get(id(schema))
    if validator is None or validator.schema is not schema:
        validator = jsonschema.Draft202012Validator(schema)
        _VALIDATORS[id(schema)] = validator
    problems = [_describe(e) for e in validator.iter_errors(instance)]
    return sorted(problems, key=lambda p: (p.field, p.message))
