"""Realistic example systems across sectors, with the levels and rules they are expected to get."""

from __future__ import annotations

from typing import Any


def system(name: str, sector: str, intelligence: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": name,
        "owner": "Example Co.",
        "roles": ["provider"],
        "purpose": name.replace("-", " "),
        "sector": sector,
        "intelligence": intelligence,
    }
    base.update(fields)
    return base


# (system, allowed levels, rules that must fire, rules that must not fire)
EXAMPLES: list[tuple[dict[str, Any], set[int], set[str], set[str]]] = [
    (
        system(
            "internal-writing-assistant",
            "general",
            "advisory",
            usage_environment="internal",
            recipients=["employees"],
            impacts=["informational"],
            capabilities=["content_generation"],
            scale={"users": 300, "reach": "internal"},
        ),
        {1},
        {"synthetic_content"},
        {"minors", "cii"},
    ),
    (
        system(
            "national-credit-decision",
            "finance",
            "autonomous",
            usage_environment="public",
            recipients=["general_public"],
            impacts=["economic", "rights"],
            scale={"users": 20_000_000, "reach": "national"},
        ),
        {4, 5},
        {"autonomous_critical_sector", "automated_financial_decisions"},
        set(),
    ),
    (
        system(
            "assisted-driving-perception",
            "transportation",
            "human_on_loop",
            usage_environment="physical",
            recipients=["general_public"],
            impacts=["health_safety", "public_safety"],
            deployment={"mode": "edge", "tool_access": "actuate"},
            scale={"users": 2_000_000, "reach": "national", "critical_workflow": True},
        ),
        {4, 5},
        {"physical_perception", "life_health_public_safety", "highly_autonomous"},
        set(),
    ),
    (
        system(
            "chemistry-assistant",
            "research",
            "advisory",
            usage_environment="public",
            recipients=["professionals", "general_public"],
            impacts=["informational"],
            capabilities=["content_generation", "cbrn_knowledge"],
            safeguards={"end_use_controls": False},
            scale={"users": 50_000, "reach": "international"},
        ),
        {5},
        {"cbrn_uncontrolled"},
        {"cbrn_context"},
    ),
    (
        system(
            "chemistry-assistant-controlled",
            "research",
            "advisory",
            usage_environment="public",
            recipients=["professionals"],
            impacts=["informational"],
            capabilities=["content_generation", "cbrn_knowledge"],
            safeguards={"end_use_controls": True},
            scale={"users": 50_000, "reach": "international"},
        ),
        {2, 3},
        set(),
        {"cbrn_uncontrolled"},
    ),
    (
        system(
            "missile-trajectory-planner",
            "research",
            "human_in_loop",
            usage_environment="professional",
            recipients=["professionals"],
            impacts=["national_security", "cbrn"],
            scale={"users": 40},
        ),
        {5},
        {"cbrn_context", "national_security"},
        set(),
    ),
    (
        system(
            "retail-customer-chatbot",
            "retail",
            "advisory",
            usage_environment="public",
            recipients=["general_public"],
            impacts=["economic"],
            capabilities=["content_generation"],
            scale={"users": 200_000, "reach": "national"},
        ),
        {2},
        {"synthetic_content"},
        {"large_public_scale"},
    ),
    (
        system(
            "kids-homework-tutor",
            "education",
            "advisory",
            usage_environment="public",
            recipients=["minors"],
            impacts=["informational"],
            capabilities=["content_generation"],
            scale={"users": 500_000, "reach": "national"},
        ),
        {3},
        {"minors", "minors_anti_addiction"},
        set(),
    ),
    (
        system(
            "exam-essay-scorer",
            "education",
            "human_in_loop",
            usage_environment="professional",
            recipients=["minors", "professionals"],
            impacts=["rights"],
            scale={"users": 80_000, "reach": "regional"},
        ),
        {4},
        {"student_decisions", "minors"},
        set(),
    ),
    (
        system(
            "hospital-triage-assistant",
            "healthcare",
            "human_in_loop",
            usage_environment="professional",
            recipients=["patients", "professionals"],
            impacts=["health_safety"],
            scale={"users": 50_000, "reach": "regional"},
        ),
        {3},
        {"clinical_use", "vulnerable_recipients"},
        {"autonomous_clinical_decisions"},
    ),
    (
        system(
            "autonomous-radiology-reader",
            "healthcare",
            "autonomous",
            usage_environment="professional",
            recipients=["patients"],
            impacts=["health_safety"],
            scale={"users": 300_000, "reach": "national"},
        ),
        {4, 5},
        {"autonomous_clinical_decisions", "autonomous_critical_sector"},
        set(),
    ),
    (
        system(
            "grid-dispatch-optimizer",
            "energy",
            "human_on_loop",
            usage_environment="internal",
            recipients=["businesses"],
            impacts=["economic", "public_safety"],
            deployment={"mode": "on_premises", "agent": True, "tool_access": "write"},
            scale={"users": 200, "reach": "regional", "cii": True, "critical_workflow": True},
        ),
        {4},
        {"cii", "energy_operations", "energy_autonomous_control"},
        set(),
    ),
    (
        system(
            "telecom-noc-agent",
            "telecommunications",
            "human_on_loop",
            usage_environment="internal",
            recipients=["employees"],
            impacts=["economic"],
            deployment={"mode": "on_premises", "agent": True, "tool_access": "write"},
            scale={"users": 150, "reach": "national", "cii": True, "critical_workflow": True},
        ),
        {4},
        {"network_changes", "cii", "highly_autonomous"},
        set(),
    ),
    (
        system(
            "carrier-support-bot",
            "telecommunications",
            "advisory",
            usage_environment="public",
            recipients=["general_public"],
            impacts=["informational"],
            capabilities=["content_generation"],
            scale={"users": 50_000_000, "reach": "national"},
        ),
        {3},
        {"carrier_scale", "large_public_scale"},
        set(),
    ),
    (
        system(
            "benefits-eligibility-engine",
            "government",
            "autonomous",
            usage_environment="public",
            recipients=["general_public", "elderly"],
            impacts=["rights", "economic"],
            scale={"users": 5_000_000, "reach": "regional"},
        ),
        {4, 5},
        {"citizen_rights_decisions", "autonomous_critical_sector", "government_use"},
        set(),
    ),
    (
        system(
            "city-hotline-assistant",
            "government",
            "advisory",
            usage_environment="public",
            recipients=["general_public"],
            impacts=["informational"],
            scale={"users": 200_000, "reach": "regional"},
        ),
        {2},
        {"public_facing_government", "government_use"},
        {"citizen_rights_decisions"},
    ),
    (
        system(
            "factory-production-scheduler",
            "manufacturing",
            "human_on_loop",
            usage_environment="internal",
            recipients=["employees"],
            impacts=["economic"],
            deployment={"tool_access": "write"},
            scale={"users": 400, "reach": "regional", "critical_workflow": True},
        ),
        {3},
        {"production_scheduling", "highly_autonomous"},
        {"physical_actuation"},
    ),
    (
        system(
            "welding-robot-controller",
            "manufacturing",
            "autonomous",
            usage_environment="physical",
            recipients=["employees"],
            impacts=["health_safety"],
            deployment={"mode": "edge", "tool_access": "actuate"},
            scale={"users": 30, "reach": "internal"},
        ),
        {4},
        {"physical_actuation", "life_health_public_safety"},
        set(),
    ),
    (
        system(
            "delivery-drone-fleet",
            "transportation",
            "autonomous",
            usage_environment="physical",
            recipients=["general_public"],
            impacts=["public_safety"],
            deployment={"mode": "edge", "tool_access": "actuate"},
            scale={"users": 100_000, "reach": "regional"},
        ),
        {4, 5},
        {"physical_perception", "autonomous_critical_sector"},
        set(),
    ),
    (
        system(
            "internal-code-assistant",
            "internet",
            "advisory",
            usage_environment="internal",
            recipients=["employees"],
            impacts=["informational"],
            capabilities=["code_generation"],
            deployment={"mode": "cloud", "agent": True, "tool_access": "read"},
            scale={"users": 2_000},
        ),
        {1},
        set(),
        {"highly_autonomous"},
    ),
    (
        system(
            "elderly-companion-app",
            "general",
            "advisory",
            usage_environment="public",
            recipients=["elderly"],
            impacts=["informational"],
            capabilities=["content_generation"],
            scale={"users": 30_000, "reach": "regional"},
        ),
        {2},
        {"vulnerable_recipients"},
        {"minors"},
    ),
    (
        system(
            "face-swap-video-app",
            "media",
            "advisory",
            usage_environment="public",
            recipients=["general_public"],
            impacts=["rights"],
            capabilities=["deep_synthesis"],
            scale={"users": 5_000_000, "reach": "national"},
        ),
        {3},
        {"large_public_scale", "synthetic_content"},
        set(),
    ),
    (
        system(
            "bank-fraud-risk-model",
            "finance",
            "human_on_loop",
            usage_environment="internal",
            recipients=["businesses"],
            impacts=["economic"],
            scale={"users": 1_000, "critical_workflow": True},
        ),
        {4},
        {"industry_risk_control"},
        set(),
    ),
    (
        system(
            "ops-knowledge-assistant",
            "general",
            "advisory",
            usage_environment="internal",
            recipients=["employees"],
            impacts=["informational"],
            scale={"users": 100, "cii": True},
        ),
        {3},
        {"cii"},
        set(),
    ),
    (
        system(
            "claims-triage-helper",
            "finance",
            "human_in_loop",
            usage_environment="professional",
            recipients=["professionals"],
            impacts=["economic"],
            scale={"users": 20_000, "reach": "regional"},
        ),
        {2},
        set(),
        {"automated_financial_decisions"},
    ),
]


import json  # noqa: E402

import pytest  # noqa: E402

from aigis.grading import get_pack, grade  # noqa: E402


def test_the_table_spans_sectors_and_levels() -> None:
    assert len(EXAMPLES) >= 20
    sectors = {s["sector"] for s, *_ in EXAMPLES}
    assert {
        "finance",
        "healthcare",
        "transportation",
        "energy",
        "telecommunications",
        "education",
        "government",
        "manufacturing",
    } <= sectors
    levels = {grade(s).level.number for s, *_ in EXAMPLES}
    assert levels == {1, 2, 3, 4, 5}


@pytest.mark.parametrize(
    ("system", "levels", "fired", "not_fired"), EXAMPLES, ids=[e[0]["name"] for e in EXAMPLES]
)
def test_example_level_and_rules(
    system: dict[str, Any], levels: set[int], fired: set[str], not_fired: set[str]
) -> None:
    result = grade(system)
    names = {r.id for r in result.rules}
    assert result.level.number in levels, (result.level, result.score, sorted(names))
    assert fired <= names
    assert not (not_fired & names)
    # the explanation shows how the level came about
    assert result.level.number >= result.base_level
    for rule in result.rules:
        assert rule.reason["zh"] and rule.reason["en"]
        assert rule.level_after >= rule.level_before
        assert rule.matched, rule.id


def _by_name(name: str) -> dict[str, Any]:
    return next(s for s, *_ in EXAMPLES if s["name"] == name)


def test_sector_pack_is_chosen_by_sector_and_can_be_overridden() -> None:
    credit = _by_name("national-credit-decision")
    assert grade(credit).pack.id == "finance"
    general = grade(credit, get_pack("general"))
    assert general.pack.id == "general"
    assert "automated_financial_decisions" not in {r.id for r in general.rules}
    assert grade({**credit, "pack": "general"}).pack.id == "general"


def test_required_controls_follow_level_rules_and_roles() -> None:
    chem = grade(_by_name("chemistry-assistant"))
    ids = {c.id for c in chem.controls}
    assert {"end_use_tracing", "capability_limits", "emergency_plan", "safety_assessment"} <= ids
    assessment = next(c for c in chem.controls if c.id == "safety_assessment")
    assert assessment.every_months == 3 and assessment.before_launch
    assert assessment.note is not None and "independent" in assessment.note["en"]

    cii = grade(_by_name("ops-knowledge-assistant"))
    filing = next(c for c in cii.controls if c.id == "registration_filing")
    assert filing.clauses == ["5.5"] and filing.because == ["rule cii"]
    assert "emergency_control" in {c.id for c in cii.controls}

    credit = grade(_by_name("national-credit-decision"))
    ids = {c.id for c in credit.controls}
    assert {"circuit_breaker", "emergency_control", "human_review", "disclosure"} <= ids
    # finance tightens the baseline: logs kept 12 months, assessment every 3 months at level 3+
    logs = next(c for c in credit.controls if c.id == "operation_logs")
    assert logs.retain_months == 12
    assert "retain at least 12 months" in logs.frequency("en") and "12 个月" in logs.frequency("zh")

    writer = grade(_by_name("internal-writing-assistant"))
    assert {c.id for c in writer.controls} == {"risk_grading", "disclosure", "service_terms", "aigc_labels"}
    as_user = grade({**_by_name("internal-writing-assistant"), "roles": ["user"]})
    assert {c.id for c in as_user.controls} == {"user_diligence"}
    as_dev = grade({**_by_name("internal-writing-assistant"), "roles": ["developer"]})
    assert "version_management" in {c.id for c in as_dev.controls}


def test_vulnerable_groups_and_disclosure_are_required() -> None:
    tutor = grade(_by_name("kids-homework-tutor"))
    ids = {c.id for c in tutor.controls}
    assert {"vulnerable_groups", "anti_addiction", "disclosure"} <= ids
    clauses = {cl for c in tutor.controls for cl in c.clauses}
    assert {"6.3.17", "6.3.8"} <= clauses
    drone = grade(_by_name("delivery-drone-fleet"))
    assert {"perception_testing", "circuit_breaker"} <= {c.id for c in drone.controls}
    assert "4.2.3(d)" in drone.clause_ids and "4.2.3(c)" in drone.clause_ids


def test_result_has_everything_to_reproduce_it() -> None:
    system = _by_name("assisted-driving-perception")
    result = grade(system)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["level"] == {
        "level": result.level.number,
        "id": f"A1.L{result.level.number}",
        "zh": result.level.zh,
        "en": result.level.en,
    }
    assert data["pack"]["id"] == "transportation" and data["pack"]["version"] == "1.0.0"
    assert len(data["pack"]["sha256"]) == 64
    assert [e["id"] for e in data["elements"]] == ["scenario", "intelligence", "scale"]
    scale = data["elements"][2]
    assert scale["combination"] == "max" and scale["score"] == 80.0
    users = next(f for f in scale["factors"] if f["id"] == "users")
    assert users["value"] == 2_000_000 and users["score"] == 70.0
    # the same inputs and pack give the same result
    again = grade(data["inputs"], get_pack(data["pack"]["id"]))
    assert again.to_dict() == result.to_dict()
    # the total is the weighted mean of the element scores
    weights = get_pack("transportation").data["weights"]
    total = sum(e["score"] * weights[e["id"]] for e in data["elements"]) / sum(weights.values())
    assert data["score"] == pytest.approx(total, abs=0.01)


def test_missing_values_use_the_factor_default() -> None:
    result = grade(system("bare", "general", "advisory"))
    scale = next(e for e in result.elements if e.id == "scale")
    reach = next(f for f in scale.factors if f.id == "reach")
    assert reach.value == "internal" and reach.defaulted
    assert result.level.number == 1


def test_every_clause_id_resolves_in_the_framework() -> None:
    framework = pytest.importorskip("aigis.framework")
    if not hasattr(framework, "load_framework"):
        pytest.skip("the framework data is not available yet")
    try:
        fw = framework.load_framework()
    except Exception as exc:  # the framework package is being written concurrently
        pytest.skip(f"the framework data does not load yet: {exc}")
    from aigis.grading import list_packs

    ids: set[str] = {f"A1.L{n}" for n in range(1, 6)} | {"A1", "5.5", "6.2.1"}
    for pack in list_packs():
        for rule in pack.data["rules"]:
            ids.update(rule.get("clauses") or [])
        for control in pack.data["baseline"]:
            ids.update(control["clauses"])
    for clause_id in sorted(ids):
        assert fw.get(clause_id).id == clause_id
