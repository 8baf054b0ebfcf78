"""Rule packs and system files: loading, inheritance, and clear validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aigis.errors import InputError, NotFoundError
from aigis.grading import (
    ValidationFailed,
    get_pack,
    grade,
    list_packs,
    load_pack_file,
    load_systems,
    system_schema,
    validate_system,
)

SECTORS = {
    "general",
    "finance",
    "healthcare",
    "transportation",
    "energy",
    "telecommunications",
    "education",
    "government",
    "manufacturing",
}


def test_shipped_packs() -> None:
    packs = list_packs()
    assert {p.id for p in packs} == SECTORS
    assert packs[0].id == "general"
    for pack in packs:
        assert pack.version.count(".") >= 1
        assert pack.title("zh") and pack.title("en")
        assert [e["id"] for e in pack.data["elements"]] == ["scenario", "intelligence", "scale"]
        for rule in pack.data["rules"]:
            assert rule["reason"]["zh"] and rule["reason"]["en"]
        for control in pack.data["baseline"]:
            assert control["title"]["zh"] and control["title"]["en"] and control["clauses"]
    finance = get_pack("finance")
    assert finance.data["extends"] == "general"
    assert {"cii", "automated_financial_decisions"} <= {r["id"] for r in finance.data["rules"]}
    assert finance.control("human_review")["from_level"] == 2
    assert get_pack("general").control("human_review")["from_level"] == 3


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _custom(**overrides: object) -> dict[str, object]:
    pack: dict[str, object] = {
        "id": "water-utility",
        "version": "0.1.0",
        "sector": "public_utilities",
        "extends": "general",
        "title": {"zh": "供水行业规则", "en": "Water utility rules"},
    }
    pack.update(overrides)
    return pack


def test_user_pack_from_a_path_extends_general(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "water.yaml",
        _custom(
            rules=[
                {
                    "id": "treatment_control",
                    "when": {
                        "all": [
                            {"factor": "critical_workflow", "is": True},
                            {"factor": "tools", "at_least": "write"},
                        ]
                    },
                    "min_level": 4,
                    "requires": ["circuit_breaker"],
                    "reason": {"zh": "自动控制水处理工艺", "en": "Controls water treatment"},
                }
            ],
            baseline=[{"id": "safety_assessment", "every_months": 1}],
        ),
    )
    pack = load_pack_file(path)
    assert (pack.id, pack.version, pack.sector) == ("water-utility", "0.1.0", "public_utilities")
    assert get_pack(str(path)).sha256 == pack.sha256
    system = {
        "name": "dosing",
        "owner": "Water Co.",
        "roles": ["provider"],
        "purpose": "chlorine dosing",
        "sector": "public_utilities",
        "intelligence": "human_on_loop",
        "deployment": {"tool_access": "write"},
        "scale": {"critical_workflow": True},
    }
    result = grade(system, pack)
    assert result.level.number == 4
    assert "treatment_control" in {r.id for r in result.rules}
    assessment = next(c for c in result.controls if c.id == "safety_assessment")
    assert assessment.every_months == 1
    assert grade(system).level.number < 4  # the general pack alone does not know this rule
    assert grade({**system, "pack": str(path)}).pack.id == "water-utility"


def _problems(tmp_path: Path, data: object) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        load_pack_file(_write(tmp_path, "bad.yaml", data))
    assert str(tmp_path / "bad.yaml") in str(info.value)
    assert f"{len(info.value.problems)} problem" in str(info.value)
    return [str(p) for p in info.value.problems]


def test_pack_structure_errors_name_field_value_and_allowed(tmp_path: Path) -> None:
    msgs = _problems(tmp_path, _custom(version="one", combination="average", colour="red"))
    assert any(
        m.startswith("version:") and "'one'" not in m and '"one"' in m and "pattern" in m for m in msgs
    )
    assert any(m.startswith("combination:") and '"average"' in m and "weighted_sum, max" in m for m in msgs)
    assert any(m.startswith("colour:") and "not a known field" in m for m in msgs)


def test_pack_meaning_errors(tmp_path: Path) -> None:
    msgs = _problems(
        tmp_path,
        _custom(
            thresholds={2: 30, 3: 20, 4: 60, 5: 90},
            weights={"scenario": 1, "intelligence": 1, "scale": 1, "popularity": 1},
            rules=[
                {
                    "id": "bad_factor",
                    "when": {"factor": "colour", "is": "red"},
                    "min_level": 3,
                    "reason": {"zh": "x", "en": "x"},
                },
                {
                    "id": "bad_value",
                    "when": {"factor": "autonomy", "at_least": "godlike"},
                    "min_level": 3,
                    "reason": {"zh": "x", "en": "x"},
                },
                {
                    "id": "bad_control",
                    "when": {"factor": "cii", "is": True},
                    "requires": ["paperwork"],
                    "reason": {"zh": "x", "en": "x"},
                },
                {"id": "no_effect", "when": {"factor": "cii", "is": True}, "reason": {"zh": "x", "en": "x"}},
            ],
        ),
    )
    joined = "\n".join(msgs)
    assert "thresholds: thresholds must increase from level 2 to 5" in joined
    assert "weights.popularity" in joined and "'popularity' is not an element" in joined
    assert "rules[12].when.factor: unknown factor 'colour'" in joined
    assert "rules[13].when.at_least: 'godlike' is not a value of 'autonomy'; use one of: advisory" in joined
    assert "rules[14].requires: 'paperwork' is not a control" in joined
    assert "rules[15]: a rule needs an effect" in joined


def test_level_rules_must_be_monotone(tmp_path: Path) -> None:
    rule = {
        "id": "only_finance",
        "when": {"factor": "sector", "in": ["finance"]},
        "min_level": 4,
        "reason": {"zh": "x", "en": "x"},
    }
    msgs = _problems(tmp_path, _custom(rules=[rule]))
    assert len(msgs) == 1
    assert "more severe value could switch off" in msgs[0] and "energy" in msgs[0]
    # the same condition is fine for a rule that only adds required controls
    ok = {**rule, "requires": ["human_review"]}
    del ok["min_level"]
    assert load_pack_file(_write(tmp_path, "ok.yaml", _custom(rules=[ok]))).id == "water-utility"


def test_factor_errors(tmp_path: Path) -> None:
    msgs = _problems(
        tmp_path,
        _custom(
            elements=[
                {
                    "id": "scale",
                    "factors": [
                        {
                            "id": "users",
                            "bands": [{"at_least": 0, "score": 50}, {"at_least": 10, "score": 10}],
                        },
                        {
                            "id": "reach",
                            "scores": {"internal": 5, "regional": 30, "national": 70, "galactic": 99},
                        },
                        {
                            "id": "purpose",
                            "field": "purpose",
                            "title": {"zh": "目的", "en": "Purpose"},
                            "scores": {"x": 1},
                        },
                        {
                            "id": "cii2",
                            "field": "scale.cii",
                            "title": {"zh": "x", "en": "x"},
                            "scores": {"true": 1, "false": 0},
                        },
                    ],
                }
            ]
        ),
    )
    joined = "\n".join(msgs)
    assert "bands must have increasing at_least and non-decreasing scores" in joined
    assert "'galactic' is not a value of field 'scale.reach'" in joined
    assert "field 'purpose' cannot be scored" in joined
    assert "field 'scale.cii' is already scored by factor 'cii'" in joined


def test_every_allowed_value_needs_a_score(tmp_path: Path) -> None:
    raw = get_pack("general").to_dict()
    reach = next(f for f in raw["elements"][2]["factors"] if f["id"] == "reach")
    del reach["scores"]["international"]
    msgs = _problems(tmp_path, {**raw, "id": "no-international"})
    assert msgs == [
        "elements[2].factors[1].scores: value 'international' of field 'scale.reach' has no score; "
        "give every allowed value a score"
    ]


def test_unknown_pack_and_bad_extends(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as info:
        get_pack("financ")
    assert "'finance'" in str(info.value)
    msgs = _problems(tmp_path, _custom(extends="nope"))
    assert msgs == ["extends: no shipped pack has this id; use one of: " + ", ".join(sorted(SECTORS))]
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"not valid YAML or JSON at line 2"):
        load_pack_file(tmp_path / "broken.yaml")
    with pytest.raises(InputError, match="does not exist"):
        load_pack_file(tmp_path / "missing.yaml")


# -- system files -------------------------------------------------------------------------------------

GOOD = {
    "name": "helper",
    "owner": "Example Co.",
    "roles": ["provider"],
    "purpose": "answers questions",
    "sector": "general",
    "intelligence": "advisory",
}


def test_system_defaults_and_schema() -> None:
    system = validate_system(dict(GOOD))
    assert system["recipients"] == ["employees"] and system["status"] == "planned"
    schema = system_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert "description" in schema["properties"]["intelligence"]


def test_system_file_errors_one_per_problem(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "name": "bad name!",
        "sector": "banking",
        "recipients": ["minors", "aliens"],
        "scale": {"users": -5, "cii": "yes"},
        "models": [{"version": "1"}],
        "colour": "blue",
    }
    del bad["owner"]
    path = _write(tmp_path, "systems.yaml", {"systems": [bad, GOOD]})
    with pytest.raises(ValidationFailed) as info:
        load_systems(path)
    msgs = [str(p) for p in info.value.problems]
    text = str(info.value)
    assert text.startswith(f"{path}: {len(msgs)} problems")
    expected = [
        'systems[0].name: value "bad name!" does not match the pattern',
        'systems[0].sector: value "banking" is not allowed; use one of: general, internet',
        'systems[0].recipients[1]: value "aliens" is not allowed; use one of: employees',
        "systems[0].scale.users: value -5 is out of range; use a number at least 0",
        'systems[0].scale.cii: value "yes" has the wrong type; use boolean',
        "systems[0].models[0].name: is required but missing",
        "systems[0].owner: is required but missing",
        "systems[0].colour: is not a known field; allowed fields here:",
    ]
    for start in expected:
        assert any(m.startswith(start) for m in msgs), (start, msgs)
    assert len(msgs) == len(expected)


def test_system_files_json_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(
        '{"name": "helper", "owner": "o", "roles": ["user"], "purpose": "p", "sector": "general", '
        '"intelligence": "advisory"}',
        encoding="utf-8",
    )
    assert [s["name"] for s in load_systems(path)] == ["helper"]
    dup = _write(tmp_path, "dup.yaml", [GOOD, GOOD])
    with pytest.raises(ValidationFailed, match="used by more than one system"):
        load_systems(dup)
