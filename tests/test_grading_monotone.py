"""Grading is monotone: making any element more severe never lowers the level, for every shipped pack."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aigis.grading import Pack, grade, list_packs
from aigis.grading.packs import Factor, option_key
from aigis.grading.system import allowed_values, get_field

PACKS = list_packs()


def _set_field(system: dict[str, Any], field: str, value: Any) -> None:
    node = system
    *parents, last = field.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _values(field: str) -> list[Any]:
    values = allowed_values(field)
    assert values is not None, field
    return values


@st.composite
def systems(draw: st.DrawFn) -> dict[str, Any]:
    def one(field: str) -> Any:
        return draw(st.sampled_from(_values(field)))

    def some(field: str) -> list[Any]:
        return draw(st.lists(st.sampled_from(_values(field)), unique=True, max_size=4))

    return {
        "name": "probe",
        "owner": "Example Co.",
        "roles": draw(st.lists(st.sampled_from(["developer", "provider", "user"]), unique=True, min_size=1)),
        "purpose": "property test",
        "sector": one("sector"),
        "usage_environment": one("usage_environment"),
        "recipients": some("recipients"),
        "impacts": some("impacts"),
        "capabilities": some("capabilities"),
        "intelligence": one("intelligence"),
        "scale": {
            "users": draw(st.integers(min_value=0, max_value=50_000_000)),
            "reach": one("scale.reach"),
            "cii": draw(st.booleans()),
            "critical_workflow": draw(st.booleans()),
        },
        "deployment": {"tool_access": one("deployment.tool_access")},
        "safeguards": {"end_use_controls": draw(st.booleans())},
    }


def _more_severe(draw: st.DrawFn, system: dict[str, Any], factor: Factor) -> dict[str, Any]:
    """A copy of system with one factor's value made at least as severe (never less)."""
    worse = copy.deepcopy(system)
    current = get_field(system, factor.field)
    if factor.kind == "number":
        _set_field(worse, factor.field, current + draw(st.integers(min_value=0, max_value=20_000_000)))
    elif factor.kind == "set":
        extra = draw(st.lists(st.sampled_from(_values(factor.field)), unique=True, min_size=1, max_size=3))
        _set_field(worse, factor.field, sorted(set(current) | set(extra)))
    else:
        floor = factor.scores[option_key(current)]
        options = [v for v in _values(factor.field) if factor.scores[option_key(v)] >= floor]
        _set_field(worse, factor.field, draw(st.sampled_from(options)))
    return worse


@pytest.mark.parametrize("pack", PACKS, ids=[p.id for p in PACKS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_more_severe_never_lowers_the_level(pack: Pack, data: st.DataObject) -> None:
    system = data.draw(systems())
    before = grade(system, pack).level.number
    # one step on one factor, then several steps at once
    factors = list(pack.factors.values())
    factor = data.draw(st.sampled_from(factors))
    worse = _more_severe(data.draw, system, factor)
    assert grade(worse, pack).level.number >= before, (factor.id, system, worse)
    for other in data.draw(st.lists(st.sampled_from(factors), max_size=4)):
        worse = _more_severe(data.draw, worse, other)
    assert grade(worse, pack).level.number >= before


@pytest.mark.parametrize("pack", PACKS, ids=[p.id for p in PACKS])
def test_the_most_severe_system_is_extremely_serious(pack: Pack) -> None:
    worst = {
        "name": "worst",
        "owner": "o",
        "roles": ["provider"],
        "purpose": "p",
        "sector": "energy",
        "usage_environment": "physical",
        "recipients": _values("recipients"),
        "impacts": _values("impacts"),
        "capabilities": _values("capabilities"),
        "intelligence": "autonomous",
        "scale": {"users": 10**9, "reach": "international", "cii": True, "critical_workflow": True},
        "deployment": {"tool_access": "actuate"},
        "safeguards": {"end_use_controls": False},
    }
    assert grade(worst, pack).level.number == 5
