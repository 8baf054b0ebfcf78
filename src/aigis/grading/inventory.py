"""The inventory as seen by the CLI, the REST API and the console: validate, then store and version."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from aigis.errors import InputError
from aigis.grading.engine import GradeResult, grade
from aigis.grading.packs import get_pack
from aigis.grading.system import validate_system
from aigis.store import Database
from aigis.store import inventory as store


def apply_settings(data: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """Apply 'field.path=value' assignments (values read as YAML: numbers, true/false, [lists])."""
    out = copy.deepcopy(data)
    for item in assignments:
        if "=" not in item:
            raise InputError(f"--set {item!r}: use FIELD=VALUE, e.g. --set scale.users=200000")
        path, raw = item.split("=", 1)
        parts = [p for p in path.strip().split(".") if p]
        if not parts:
            raise InputError(f"--set {item!r}: the field name is empty; use FIELD=VALUE")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return out


def add(db: Database, data: Any, actor: str, source: str = "system") -> dict[str, Any]:
    system = validate_system(data, source)
    with db.session() as session:
        return store.add_system(session, system, actor).to_dict()


def update(db: Database, name: str, data: Any, actor: str, source: str = "system") -> dict[str, Any]:
    """Replace the description of ``name``; returns the stored record plus 'changes'."""
    system = validate_system(data, source)
    with db.session() as session:
        row, changes = store.update_system(session, name, system, actor)
        return {**row.to_dict(), "changes": changes}


def patch(db: Database, name: str, assignments: list[str], actor: str) -> dict[str, Any]:
    with db.session() as session:
        current = dict(store.get_system(session, name).data)
    return update(db, name, apply_settings(current, assignments), actor, f"system {name!r}")


def get(db: Database, name: str) -> dict[str, Any]:
    with db.session() as session:
        return store.get_system(session, name).to_dict()


def listing(db: Database) -> list[dict[str, Any]]:
    """Every registered system with its current grade (pack chosen per system)."""
    with db.session() as session:
        rows = [r.to_dict() for r in store.list_systems(session)]
    for row in rows:
        result = grade(row["system"])
        row["level"] = result.level.to_dict()
        row["pack"] = {"id": result.pack.id, "version": result.pack.version}
    return rows


def remove(db: Database, name: str, actor: str) -> int:
    with db.session() as session:
        return store.remove_system(session, name, actor)


def history(db: Database, name: str) -> list[dict[str, Any]]:
    with db.session() as session:
        return [v.to_dict() for v in store.system_history(session, name)]


def grade_registered(db: Database, name: str, pack: str | None = None) -> GradeResult:
    with db.session() as session:
        system = dict(store.get_system(session, name).data)
    return grade(system, get_pack(pack) if pack else None)
