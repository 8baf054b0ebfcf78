"""The AI system inventory on real SQLite and PostgreSQL: add, update, history, remove."""

from __future__ import annotations

from typing import Any

import pytest

from aigis.errors import InputError, NotFoundError
from aigis.grading import ValidationFailed
from aigis.grading import inventory as inv
from aigis.store import Database
from aigis.store.inventory import diff

CREDIT: dict[str, Any] = {
    "name": "credit-model",
    "owner": "Example Bank",
    "roles": ["developer", "provider"],
    "purpose": "consumer credit decisions",
    "sector": "finance",
    "intelligence": "human_in_loop",
    "usage_environment": "public",
    "recipients": ["general_public"],
    "impacts": ["economic", "rights"],
    "scale": {"users": 50_000, "reach": "regional"},
    "models": [{"name": "xgb-credit", "version": "3.1", "source": "internal", "open_source": False}],
}


def test_add_update_history_remove(db: Database) -> None:
    added = inv.add(db, CREDIT, "alice")
    assert added["version"] == 1 and added["created_by"] == "alice"
    assert added["system"]["status"] == "planned"  # defaults are stored
    with pytest.raises(InputError, match="already exists"):
        inv.add(db, CREDIT, "alice")

    listed = inv.listing(db)
    assert [r["name"] for r in listed] == ["credit-model"]
    assert listed[0]["level"]["level"] == 2 and listed[0]["pack"]["id"] == "finance"

    changed = inv.patch(
        db,
        "credit-model",
        ["scale.users=20000000", "scale.reach=national", "intelligence=autonomous", "status=production"],
        "bob",
    )
    assert changed["version"] == 2 and changed["updated_by"] == "bob"
    fields = {c["field"]: (c["old"], c["new"]) for c in changed["changes"]}
    assert fields == {
        "intelligence": ("human_in_loop", "autonomous"),
        "scale.reach": ("regional", "national"),
        "scale.users": (50_000, 20_000_000),
        "status": ("planned", "production"),
    }
    assert inv.listing(db)[0]["level"]["level"] == 4
    assert inv.grade_registered(db, "credit-model", "general").pack.id == "general"

    # the same description again is not a new version
    same = inv.update(db, "credit-model", inv.get(db, "credit-model")["system"], "carol")
    assert same["version"] == 2 and same["changes"] == []

    with pytest.raises(ValidationFailed, match=r"intelligence: value \"sometimes\" is not allowed"):
        inv.patch(db, "credit-model", ["intelligence=sometimes"], "bob")
    with pytest.raises(InputError, match="renaming"):
        inv.update(db, "credit-model", {**CREDIT, "name": "other"}, "bob")

    assert inv.remove(db, "credit-model", "dave") == 3
    with pytest.raises(NotFoundError):
        inv.get(db, "credit-model")
    history = inv.history(db, "credit-model")
    assert [(h["version"], h["action"], h["actor"]) for h in history] == [
        (1, "add", "alice"),
        (2, "update", "bob"),
        (3, "remove", "dave"),
    ]
    assert history[0]["changes"][0]["old"] is None
    assert all(h["at"] for h in history)

    # re-adding continues the numbering
    again = inv.add(db, CREDIT, "erin")
    assert again["version"] == 4


def test_not_found_suggests_names(db: Database) -> None:
    inv.add(db, CREDIT, "alice")
    with pytest.raises(NotFoundError) as info:
        inv.get(db, "credit-modle")
    assert "did you mean 'credit-model'" in str(info.value)
    with pytest.raises(NotFoundError):
        inv.history(db, "nothing-here")


def test_set_parsing() -> None:
    out = inv.apply_settings(
        {"name": "x", "scale": {"users": 1}},
        ["scale.cii=true", "recipients=[minors, elderly]", "title=Homework helper", "scale.users=~"],
    )
    assert out == {
        "name": "x",
        "scale": {"cii": True},
        "recipients": ["minors", "elderly"],
        "title": "Homework helper",
    }
    with pytest.raises(InputError, match="FIELD=VALUE"):
        inv.apply_settings({}, ["nonsense"])


def test_diff_lists_and_nested_fields() -> None:
    assert diff({"a": {"b": 1}, "l": [1]}, {"a": {"b": 2}, "l": [1, 2], "n": True}) == [
        {"field": "a.b", "old": 1, "new": 2},
        {"field": "l", "old": [1], "new": [1, 2]},
        {"field": "n", "old": None, "new": True},
    ]
