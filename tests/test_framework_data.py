"""The framework shipped as data: counts, references, the risk table and its English divergences,
crosswalks, id normalisation, search and loading."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from aigis.errors import InputError, NotFoundError
from aigis.framework import (
    CLI_KINDS,
    KINDS,
    ROLES,
    Clause,
    Framework,
    FrameworkDataError,
    RiskMapping,
    Text,
    load_framework,
    read_framework,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework()


def ids(clauses: list[Clause]) -> list[str]:
    return [c.id for c in clauses]


def letters(prefix: str, last: str) -> list[str]:
    return [f"{prefix}({c})" for c in "abcdefgh"[: "abcdefgh".index(last) + 1]]


# ---------------------------------------------------------------------------- counts


RISK_GROUPS = {
    "3.1.1": "f",
    "3.1.2": "d",
    "3.2.1": "d",
    "3.2.2": "c",
    "3.2.3": "c",
    "3.2.4": "b",
    "3.3.1": "b",
    "3.3.2": "f",
}
MEASURE_GROUPS = {
    "4.1.1": "d",
    "4.1.2": "e",
    "4.2.1": "e",
    "4.2.2": "c",
    "4.2.3": "e",
    "4.2.4": "c",
    "4.3.1": "b",
    "4.3.2": "c",
}


def test_thirty_risks_in_eight_groups_under_three_classes(fw: Framework) -> None:
    risks = fw.list(kind="risk")
    assert len(risks) == 30
    expected = [rid for group, last in RISK_GROUPS.items() for rid in letters(group, last)]
    assert ids(risks) == expected
    for group, last in RISK_GROUPS.items():
        assert ids(fw.list(kind="risk", parent=group)) == letters(group, last)
    assert ids(fw.list(parent="3")) == ["3.1", "3.2", "3.3"]
    assert ids(fw.list(parent="3.2")) == ["3.2.1", "3.2.2", "3.2.3", "3.2.4"]
    assert all(fw.get(g).kind == "section" for g in RISK_GROUPS)


def test_thirty_technical_measures(fw: Framework) -> None:
    measures = fw.list(kind="measure")
    assert len(measures) == 30
    assert ids(measures) == [mid for group, last in MEASURE_GROUPS.items() for mid in letters(group, last)]
    assert Counter(m.parent for m in measures) == {
        g: "abcdefgh".index(last) + 1 for g, last in MEASURE_GROUPS.items()
    }


def test_fourteen_governance_measures(fw: Framework) -> None:
    governance = fw.list(kind="governance")
    assert ids(governance) == [f"5.{i}" for i in range(1, 15)]
    assert {g.parent for g in governance} == {"5"}
    assert fw.get("5.5").title.zh == "实施应用分类及安全风险分级管理"


def test_forty_four_guidelines_for_four_roles(fw: Framework) -> None:
    guidelines = fw.list(kind="guideline")
    assert len(guidelines) == 44
    assert Counter(g.role for g in guidelines) == {"developer": 14, "deployer": 7, "operator": 17, "user": 6}
    sections = {"6.1": "developer", "6.2": "deployer", "6.3": "operator", "6.4": "user"}
    for section, role in sections.items():
        under = fw.list(kind="guideline", parent=section)
        assert all(g.role == role for g in under)
        assert ids(under) == [f"{section}.{i}" for i in range(1, len(under) + 1)]
    assert set(ROLES) == set(sections.values())
    assert "6 months" in fw.get("6.3.6").text.en or "six months" in fw.get("6.3.6").text.en
    assert "6个月" in fw.get("6.3.6").text.zh


def test_principles_structure_and_appendices(fw: Framework) -> None:
    assert ids(fw.list(kind="principle")) == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert ids(fw.list(kind="structure")) == ["2", "2.1", "2.2", "2.3", "2.4"]
    assert ids(fw.list(kind="trust_principle")) == [f"A2.{i}" for i in range(1, 9)]
    assert fw.get("A2.1").title.zh == "人类最终控制"
    terms = fw.list(kind="term")
    assert ids(terms) == [f"A3.{i}" for i in range(1, 16)]
    assert fw.get("A3.15").title == Text(zh="安全护栏", en="Safety guardrails")
    for sid in ("1", "3", "3.1", "3.1.1", "4", "4.2.2", "5", "6", "6.1", "A1", "A2", "A3"):
        assert fw.get(sid).kind == "section", sid


def test_grading_appendix(fw: Framework) -> None:
    elements = fw.list(kind="grading_element")
    assert ids(elements) == ["A1.E1", "A1.E2", "A1.E3"]
    assert [e.title.zh for e in elements] == ["应用场景", "智能化水平", "应用规模"]
    assert [e.get("slug") for e in elements] == [
        "application_scenario",
        "intelligence_level",
        "application_scale",
    ]
    for element in elements:
        factors = element.texts("factors")
        assert len(factors) >= 3
        assert all(f.zh and f.en for f in factors)
    assert "行业领域" in [f.zh for f in fw.get("A1.E1").texts("factors")]

    levels = fw.list(kind="risk_level")
    assert ids(levels) == [f"A1.L{i}" for i in range(1, 6)]
    assert [lv.level for lv in levels] == [1, 2, 3, 4, 5]
    assert [lv.title.zh for lv in levels] == [
        "低安全风险",
        "一般安全风险",
        "较大安全风险",
        "重大安全风险",
        "特别重大安全风险",
    ]
    assert [lv.get("slug") for lv in levels] == [
        "low",
        "moderate",
        "considerable",
        "major",
        "extremely_serious",
    ]
    assert "灾难性" in fw.get("A1.L5").text.zh

    tiers = fw.list(kind="standard_tier")
    assert ids(tiers) == ["A1.T1", "A1.T2", "A1.T3"]
    assert [t.get("tier") for t in tiers] == ["national", "industry", "practice"]
    assert len(fw.get("A1.T2").texts("steps")) == 2
    assert ids(fw.list(kind="grading")) == ids(elements) + ids(levels) + ids(tiers)
    assert CLI_KINDS["grading"] == ("grading_element", "risk_level", "standard_tier")


def test_tc260_crosswalk_has_31_risks_in_5_classes(fw: Framework) -> None:
    classes = fw.list(kind="tc260_class")
    assert ids(classes) == [f"TC260-A.{i}" for i in range(1, 6)]
    per_class = [len(fw.list(kind="tc260", parent=c.id)) for c in classes]
    assert per_class == [8, 9, 5, 7, 2]
    assert len(fw.list(kind="tc260")) == 31
    assert len(fw.crosswalk("tc260")) == 36
    assert fw.get("TC260-A.2.5").title.zh == "性别歧视"
    assert fw.get("TC260-A.3.4").title.zh == "利用算法、数据、平台等优势，实施垄断和不正当竞争行为"
    # Every discrimination item falls under the framework's bias and discrimination risk.
    for item in fw.list(kind="tc260", parent="TC260-A.2"):
        assert "3.1.1(b)" in item.ids("framework_risks")
    assert "3.2.2(b)" in fw.get("TC260-A.1.7").ids("framework_risks")
    assert "3.1.2(d)" in fw.get("TC260-A.4.5").ids("framework_risks")
    assert "3.1.2(b)" in fw.get("TC260-A.3.1").ids("framework_risks")
    assert fw.get("TC260-A.1.1").en_source == "aigis-translation"


def test_owasp_crosswalk(fw: Framework) -> None:
    items = fw.crosswalk("OWASP")
    assert ids(items) == [f"LLM{i:02d}:2025" for i in range(1, 11)]
    assert [c.title.en for c in items] == [
        "Prompt Injection",
        "Sensitive Information Disclosure",
        "Supply Chain",
        "Data and Model Poisoning",
        "Improper Output Handling",
        "Excessive Agency",
        "System Prompt Leakage",
        "Vector and Embedding Weaknesses",
        "Misinformation",
        "Unbounded Consumption",
    ]
    for item in items:
        assert item.kind == "owasp"
        assert item.ids("framework_risks")
        assert item.ids("measures")
        assert CJK.search(item.title.zh)
    assert "4.2.2(b)" in fw.get("LLM01").ids("measures")
    assert "3.1.1(d)" in fw.get("llm09").ids("framework_risks")
    with pytest.raises(NotFoundError) as err:
        fw.crosswalk("mitre")
    assert "tc260" in err.value.suggestions


def test_kinds_are_all_used(fw: Framework) -> None:
    assert set(KINDS) == {c.kind for c in fw}
    assert len(fw) == len(fw.clauses) == len({c.id for c in fw})


# ---------------------------------------------------------------------------- completeness and references


def test_every_clause_has_both_languages(fw: Framework) -> None:
    for clause in fw:
        for text in (clause.title, clause.text):
            assert text.zh.strip() and text.en.strip(), clause.id
        assert CJK.search(clause.title.zh), f"{clause.id} zh title has no Chinese"
        assert not CJK.search(clause.title.en + clause.text.en), f"{clause.id} en has Chinese in it"


def test_items_carry_their_own_text(fw: Framework) -> None:
    kinds = set(KINDS) - {"section", "structure", "tc260_class", "tc260"}
    for clause in fw:
        if clause.kind in kinds:
            assert clause.text.zh != clause.title.zh, clause.id
            assert clause.text.en != clause.title.en, clause.id
            assert len(clause.text.zh) > 10, clause.id


def test_every_reference_resolves(fw: Framework) -> None:
    for clause in fw:
        if clause.parent is not None:
            assert clause.parent in fw, clause.id
            assert fw.get(clause.parent).id == clause.parent
        for key, kinds in (
            ("framework_risks", {"risk"}),
            ("measures", {"measure", "governance"}),
            ("guidelines", {"guideline"}),
        ):
            for ref in clause.ids(key):
                assert fw.get(ref).kind in kinds, (clause.id, key, ref)
    for row in fw.mappings():
        assert row.risk.kind == "risk"
        assert {c.kind for c in row.technical} == {"measure"}
        assert {c.kind for c in row.governance} == {"governance"}
        assert {c.kind for c in row.guidelines} <= {"guideline"}
        if row.divergence:
            for ref in row.divergence.technical:
                assert fw.get(ref).kind == "measure"
            for ref in row.divergence.governance:
                assert fw.get(ref).kind == "governance"


def test_parents_are_the_document_numbering(fw: Framework) -> None:
    for clause in fw.list(kind="risk") + fw.list(kind="measure"):
        assert clause.parent == clause.id.split("(")[0]
    for clause in fw.list(kind="guideline"):
        assert clause.parent == clause.id.rsplit(".", 1)[0]
    assert [c.id for c in fw.ancestors("3.2.1(a)")] == ["3.2.1", "3.2", "3"]
    assert len(fw.descendants("3")) == 3 + 8 + 30


# ---------------------------------------------------------------------------- the risk table


def test_every_risk_has_a_row(fw: Framework) -> None:
    rows = fw.mappings()
    assert [r.risk.id for r in rows] == ids(fw.list(kind="risk"))
    for row in rows:
        assert isinstance(row, RiskMapping)
        assert row.technical and row.governance and row.guidelines
        assert all(row.source_of(c.id) == "document" for c in row.technical + row.governance)
        assert all(row.source_of(c.id) == "aigis" for c in row.guidelines)


def test_table_covers_every_measure(fw: Framework) -> None:
    used = {c.id for row in fw.mappings() for c in row.technical + row.governance}
    assert used == {c.id for c in fw.list(kind="measure") + fw.list(kind="governance")}


def test_governance_column_is_one_cell_per_risk_class(fw: Framework) -> None:
    expected = {
        "3.1": ["5.3", "5.8", "5.10"],
        "3.2": ["5.4", "5.5", "5.6", "5.7", "5.9"],
        "3.3": ["5.1", "5.2", "5.11", "5.12", "5.13", "5.14"],
    }
    for row in fw.mappings():
        cls = row.risk.id[:3]
        assert ids(row.governance) == expected[cls], row.risk.id


def test_component_and_computing_row_follows_the_chinese_table(fw: Framework) -> None:
    risk = fw.get("3.2.1(a)")
    assert risk.title.zh == "组件和算力安全"
    assert risk.title.en == "Component and computing safety"
    row = fw.measures_for("3.2.1(a)")
    assert ids(row.technical) == ["4.2.1(b)", "4.2.1(c)", "4.2.1(d)", "4.2.1(e)"]
    assert row.divergence is not None
    assert row.divergence.technical == ("4.2.1(a)", "4.2.1(c)", "4.2.1(d)")
    assert row.divergence.missing is False
    assert "(a)(c)(d)" in row.divergence.note_in("en")
    assert "(b)(c)(d)(e)" in row.divergence.note_in("zh")


def test_confusing_facts_row_is_missing_from_the_english_table(fw: Framework) -> None:
    risk = fw.get("3.2.2(b)")
    assert risk.title.zh == "混淆事实、误导用户"
    row = fw.measures_for(risk.id)
    assert ids(row.technical) == ["4.2.2(c)"]
    assert row.divergence is not None and row.divergence.missing is True
    assert row.divergence.technical == ()


def test_all_english_divergences_are_recorded(fw: Framework) -> None:
    found = {row.risk.id: (row.divergence.technical if row.divergence else None) for row in fw.divergences()}
    assert found == {
        "3.2.1(a)": ("4.2.1(a)", "4.2.1(c)", "4.2.1(d)"),
        "3.2.1(b)": ("4.2.1(b)", "4.2.1(c)", "4.2.1(d)"),
        "3.2.1(c)": ("4.2.1(d)",),
        "3.2.1(d)": ("4.2.1(e)",),
        "3.2.2(b)": (),
    }
    chinese = {
        "3.2.1(b)": ["4.2.1(a)", "4.2.1(b)", "4.2.1(c)", "4.2.1(d)"],
        "3.2.1(c)": ["4.2.1(c)", "4.2.1(d)"],
        "3.2.1(d)": ["4.2.1(a)", "4.2.1(c)"],
    }
    for risk_id, technical in chinese.items():
        assert ids(fw.measures_for(risk_id).technical) == technical
    for row in fw.divergences():
        assert row.divergence is not None and row.divergence.note.zh and row.divergence.note.en
        if not row.divergence.missing:
            assert ids(row.governance) == list(row.divergence.governance)
            assert ids(row.technical) != list(row.divergence.technical)
    assert all(fw.measures_for(r.id).divergence is None for r in fw.list(parent="3.1.1"))


def test_risks_for_a_measure(fw: Framework) -> None:
    assert ids(fw.risks_for("4.2.2(c)")) == ["3.2.2(a)", "3.2.2(b)", "3.2.2(c)"]
    assert ids(fw.risks_for("4.1.2 (c)")) == ["3.1.2(b)", "3.1.2(c)"]
    assert ids(fw.risks_for("5.10")) == ids(fw.list(kind="risk"))[:10]
    assert "3.2.1(a)" not in ids(fw.risks_for("4.2.1(a)"))  # only the English table says so
    assert "3.1.1(e)" in ids(fw.risks_for("6.2.7"))
    with pytest.raises(InputError, match=re.escape("3.1.1")):
        fw.risks_for("3.1.1")


def test_measures_for_rejects_what_is_not_a_risk(fw: Framework) -> None:
    with pytest.raises(InputError, match="not a risk"):
        fw.measures_for("4.2.1(b)")
    with pytest.raises(NotFoundError):
        fw.measures_for("3.9.9(a)")


# ---------------------------------------------------------------------------- 5.10 and other notes


def test_5_10_english_is_an_aigis_translation(fw: Framework) -> None:
    g9, g10 = fw.get("5.9"), fw.get("5.10")
    assert g10.en_source == "aigis-translation"
    assert g9.en_source == "document"
    assert g10.text.en != g9.text.en
    assert "vulnerability database" not in g10.text.en
    assert "de-identification" in g10.text.en
    assert "去标识化" in g10.text.zh
    assert g10.title.en == "Improving data security and personal information protection regulations"
    assert any("5.9" in note.en for note in g10.notes)
    assert g10.to_dict()["en_source"] == "aigis-translation"


def test_aigis_written_titles_are_marked(fw: Framework) -> None:
    marked = {c.id for c in fw if c.get("title_source") == "aigis"}
    assert marked == {c.id for c in fw.list(kind="measure") + fw.list(kind="guideline")}
    assert all(c.en_source == "document" for c in fw.list(kind="risk"))
    assert {c.id for c in fw.list(kind="governance") if c.en_source != "document"} == {"5.10"}


def test_published_english_duplication_in_5_2_is_dropped(fw: Framework) -> None:
    text = fw.get("5.2").text.en
    assert text.count("medium-sized companies") == 1
    assert fw.get("5.2").notes


# ---------------------------------------------------------------------------- ids, lists, search


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("3.2.1(a)", "3.2.1(a)"),
        ("3.2.1 (a)", "3.2.1(a)"),
        ("3.2.1a", "3.2.1(a)"),
        ("3.2.1.a", "3.2.1(a)"),
        ("3.2.1(A)", "3.2.1(a)"),
        ("３.２.１（ａ）", "3.2.1(a)"),
        (" 5.10 ", "5.10"),
        ("llm01", "LLM01:2025"),
        ("LLM1", "LLM01:2025"),
        ("llm10:2025", "LLM10:2025"),
        ("a3.15", "A3.15"),
        ("tc260-a.2.3", "TC260-A.2.3"),
        ("TC260 A.2", "TC260-A.2"),
    ],
)
def test_id_normalisation(fw: Framework, typed: str, canonical: str) -> None:
    assert fw.get(typed).id == canonical
    assert typed in fw


def test_unknown_id_suggests_near_ids(fw: Framework) -> None:
    with pytest.raises(NotFoundError) as err:
        fw.get("3.2.1(z)")
    assert err.value.what == "clause"
    assert "3.2.1(a)" in err.value.suggestions
    assert "did you mean" in str(err.value)
    with pytest.raises(NotFoundError) as err:
        fw.get("6.3.18")
    assert "6.3.1" in err.value.suggestions or "6.3.8" in err.value.suggestions
    assert "nonsense" not in fw


def test_list_filters_and_order(fw: Framework) -> None:
    assert ids(fw.list(parent="3.1")) == ["3.1.1", "3.1.2"]
    assert fw.list(kind="risk", parent="4.1.1") == []
    everything = fw.list()
    assert everything == list(fw.clauses)
    assert everything[0].id == "1"
    with pytest.raises(InputError) as err:
        fw.list(kind="riks")
    assert "risk" in str(err.value) and "guideline" in str(err.value)
    with pytest.raises(NotFoundError):
        fw.list(parent="9.9")


def test_search_finds_chinese_and_english(fw: Framework) -> None:
    zh = fw.search("安全护栏")
    assert "A3.15" in ids(zh)
    assert "安全护栏" in zh[0].title.zh
    title_hits = [c for c in zh if "安全护栏" in c.title.zh]
    assert zh[: len(title_hits)] == title_hits  # title hits come first
    en = fw.search("GUARDRAILS")
    assert "A3.15" in ids(en) and "4.2.2(b)" in ids(en)
    assert fw.search("guardrail", lang="zh") == []
    assert ids(fw.search("护栏", kind="term")) == ["A3.15"]
    assert "A3.15" in ids(fw.search("ＧＵＡＲＤＲＡＩＬ"))  # full-width input is folded
    assert fw.search("3.2.1(a)")[0].id == "3.2.1(a)"
    assert "3.2.2(b)" in ids(fw.search("deepfake", kind="risk"))
    with pytest.raises(InputError):
        fw.search("  ")
    with pytest.raises(InputError):
        fw.search("x", lang="fr")  # type: ignore[arg-type]


def test_title_and_text_by_language(fw: Framework) -> None:
    clause = fw.get("3.1.1(d)")
    assert clause.title_in("zh") == "输出决策不可靠"
    assert clause.title_in("en") == "Unreliable output"
    assert "幻觉" in clause.text_in("zh")
    assert "hallucinations" in clause.text_in("en")


# ---------------------------------------------------------------------------- serialisation and loading


def test_to_dict_is_json_with_stable_keys(fw: Framework) -> None:
    for clause in fw:
        data = clause.to_dict()
        assert list(data)[:5] == ["id", "kind", "parent", "title", "text"]
        json.dumps(data, ensure_ascii=False)
    assert fw.get("6.2.7").to_dict()["role"] == "deployer"
    assert fw.get("A1.L3").to_dict()["level"] == 3
    mapping = fw.measures_for("3.2.1(a)").to_dict()
    json.dumps(mapping, ensure_ascii=False)
    assert mapping["risk"]["id"] == "3.2.1(a)"
    assert [t["id"] for t in mapping["technical"]] == ["4.2.1(b)", "4.2.1(c)", "4.2.1(d)", "4.2.1(e)"]
    assert {t["source"] for t in mapping["guidelines"]} == {"aigis"}
    assert mapping["divergence"]["technical"] == ["4.2.1(a)", "4.2.1(c)", "4.2.1(d)"]
    assert fw.measures_for("3.1.1(a)").to_dict()["divergence"] is None
    # to_dict hands out copies: changing one does not change the loaded data.
    data = fw.get("A1.E1").to_dict()
    data["factors"].clear()
    assert fw.get("A1.E1").texts("factors")


def test_load_is_cached_and_fast() -> None:
    assert load_framework() is load_framework()
    start = time.perf_counter()
    fresh = read_framework()
    elapsed = time.perf_counter() - start
    assert fresh is not load_framework()
    assert len(fresh) == len(load_framework())
    assert elapsed < 1.0


def _data_copy(tmp_path: Path) -> Path:
    src = resources.files("aigis.framework").joinpath("data")
    dest = tmp_path / "data"
    with resources.as_file(src) as path:
        shutil.copytree(path, dest)
    return dest


def test_a_copy_of_the_data_loads(tmp_path: Path) -> None:
    assert len(read_framework(_data_copy(tmp_path))) == len(load_framework())


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("mapping.yaml", 'technical: ["4.1.1(a)"]', 'technical: ["4.1.1(z)"]', "4.1.1(z)"),
        ("mapping.yaml", 'technical: ["4.1.1(a)"]', 'technical: ["5.1"]', "expected measure"),
        ("mapping.yaml", '- risk: "3.3.2(f)"', '- risk: "3.3.2(e)"', "two rows"),
        ("framework/governance.yaml", 'id: "5.10"', "id: 5.10", "quote ids"),
        ("framework/risks.yaml", 'parent: "3.1.1"', 'parent: "3.1.9"', "3.1.9"),
        ("crosswalks/owasp.yaml", '"3.1.1(c)"', '"3.1.1(q)"', "3.1.1(q)"),
        ("framework/guidelines.yaml", "role: user", "role: visitor", "visitor"),
    ],
)
def test_broken_data_is_reported(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    root = _data_copy(tmp_path)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FrameworkDataError, match=re.escape(message)):
        read_framework(root)


def test_a_risk_without_a_row_is_reported(tmp_path: Path) -> None:
    root = _data_copy(tmp_path)
    path = root / "mapping.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index('- risk: "3.3.2(f)"')
    path.write_text(text[:start], encoding="utf-8")
    with pytest.raises(FrameworkDataError, match=re.escape("3.3.2(f)")):
        read_framework(root)
