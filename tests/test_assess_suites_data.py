"""Checks on the shipped assessment suite data (src/aigis/assess/suites/data)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "aigis" / "assess" / "suites" / "data"
SHARED = ROOT.parent / "shared" / "data"

SUITES = [
    "tc260",
    "cbrn_cyber",
    "injection",
    "privacy",
    "bias",
    "hallucination",
    "loss_of_control",
    "vulnerable_users",
]
TC260 = (
    [f"TC260-A.1.{i}" for i in range(1, 9)]
    + [f"TC260-A.2.{i}" for i in range(1, 10)]
    + [f"TC260-A.3.{i}" for i in range(1, 6)]
    + [f"TC260-A.4.{i}" for i in range(1, 8)]
    + [f"TC260-A.5.{i}" for i in range(1, 3)]
)
SECTION3 = {
    "3.1.1": "abcdef",
    "3.1.2": "abcd",
    "3.2.1": "abcd",
    "3.2.2": "abc",
    "3.2.3": "abc",
    "3.2.4": "ab",
    "3.3.1": "ab",
    "3.3.2": "abcdef",
}
FRAMEWORK_RISKS = {f"{k}({c})" for k, letters in SECTION3.items() for c in letters}
PERMISSIVE = {
    "MIT",
    "Apache-2.0",
    "CC-BY-SA-4.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC0-1.0",
    "BSD-3-Clause",
    "BSD-2-Clause",
}
SETS = {"generated", "should_refuse", "should_not_refuse", "probe"}
EXPECTED = {"refuse", "answer", "answer_safely"}
KEYS = {
    "id",
    "lang",
    "set",
    "categories",
    "framework_risks",
    "expected",
    "answer",
    "answer_match",
    "source",
    "license",
    "tags",
}
CATEGORY = re.compile(r"^(TC260-A\.[1-5]\.\d|LLM(0[1-9]|10):2025)$")


def read_items(path: Path) -> list[dict[str, Any]]:
    raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]


def load_all() -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    out = {}
    for manifest_path in sorted(DATA.glob("*.yaml")):
        manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
        items = [it for name in manifest["files"] for it in read_items(DATA / name)]
        out[manifest["id"]] = (manifest, items)
    return out


ALL = load_all()


def text_of(item: dict[str, Any]) -> str:
    if "prompt" in item:
        return str(item["prompt"])
    return "\n".join(m["content"] for m in item["messages"])


def test_every_suite_is_shipped_with_a_valid_manifest() -> None:
    assert set(SUITES) <= set(ALL)
    for suite_id, (manifest, items) in ALL.items():
        assert manifest["id"] == suite_id
        assert (DATA / f"{suite_id}.yaml").exists()
        assert isinstance(manifest["version"], str)
        for key in ("title", "description"):
            assert manifest[key]["zh"].strip() and manifest[key]["en"].strip()
        assert manifest["clauses"] and all(isinstance(c, str) for c in manifest["clauses"])
        assert items, suite_id
        for name in manifest["files"]:
            assert re.fullmatch(r"[a-z0-9_]+\.jsonl(\.gz)?", name)


def test_items_have_valid_fields() -> None:
    for suite_id, (manifest, items) in ALL.items():
        for item in items:
            where = item.get("id")
            assert set(item) >= KEYS, where
            assert item["id"].startswith(f"{suite_id}-{item['lang']}-"), where
            assert item["lang"] in ("zh", "en"), where
            assert item["set"] in SETS, where
            assert item["expected"] in EXPECTED, where
            assert ("prompt" in item) != ("messages" in item), where
            if "messages" in item:
                roles = [m["role"] for m in item["messages"]]
                assert roles[-1] == "user" and set(roles) <= {"system", "user", "assistant"}, where
                assert all(m["content"].strip() for m in item["messages"]), where
            else:
                assert item["prompt"].strip(), where
            for cat in item["categories"]:
                assert CATEGORY.match(cat), (where, cat)
            for risk in item["framework_risks"]:
                assert risk in FRAMEWORK_RISKS, (where, risk)
            assert isinstance(item["tags"], list) and all(isinstance(t, str) for t in item["tags"]), where
            if item["answer_match"] is None:
                assert item["answer"] is None, where
            else:
                assert item["answer_match"] in ("exact", "regex", "numeric"), where
                assert item["answer"] is not None, where
                if item["answer_match"] == "regex":
                    re.compile(str(item["answer"]))
                if item["answer_match"] == "numeric":
                    assert isinstance(item["answer"], int | float), where
        # the language of each file matches its items
        for name in manifest["files"]:
            lang = name.split("_")[-1].split(".")[0]
            assert {i["lang"] for i in read_items(DATA / name)} == {lang}


def test_ids_are_unique_across_all_suites() -> None:
    ids = [item["id"] for _, items in ALL.values() for item in items]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, dupes[:5]


def test_no_duplicate_prompts() -> None:
    seen: dict[tuple[str, str], str] = {}
    for _, items in ALL.values():
        for item in items:
            key = (item["lang"], re.sub(r"\s+", " ", text_of(item)).strip().lower())
            assert key not in seen, (item["id"], seen.get(key))
            seen[key] = item["id"]


def test_only_permissive_licenses_and_no_excluded_sources() -> None:
    for _, items in ALL.values():
        for item in items:
            assert item["license"] in PERMISSIVE, item["id"]
            assert item["source"] != "alpaca_zh", item["id"]


def test_tc260_bank_meets_the_numeric_requirements_per_language() -> None:
    _, items = ALL["tc260"]
    for lang in ("zh", "en"):
        mine = [i for i in items if i["lang"] == lang]
        by_set = Counter(i["set"] for i in mine)
        assert by_set["generated"] >= 2000, (lang, by_set)
        assert by_set["should_refuse"] >= 500, (lang, by_set)
        assert by_set["should_not_refuse"] >= 500, (lang, by_set)
        per_risk = Counter(c for i in mine if i["set"] == "generated" for c in i["categories"])
        missing = [r for r in TC260 if per_risk[r] < 20]
        assert not missing, (lang, missing)
        assert all(i["expected"] == "refuse" for i in mine if i["set"] == "should_refuse")
        assert all(i["expected"] == "answer" for i in mine if i["set"] == "should_not_refuse")


def test_should_not_refuse_includes_hard_benign_questions() -> None:
    _, items = ALL["tc260"]
    benign = {i["lang"]: [] for i in items}
    for i in items:
        if i["set"] == "should_not_refuse":
            benign[i["lang"]].append(text_of(i))
    en = "\n".join(benign["en"]).lower()
    zh = "\n".join(benign["zh"])
    for needle in ("kill a python process", "vaccines", "report", "war", "antivirus"):
        assert needle in en, needle
    for needle in ("杀毒软件", "疫苗", "举报", "战争", "进程"):
        assert needle in zh, needle
    hard = Counter(i["lang"] for i in items if "hard_benign" in i["tags"])
    assert hard["zh"] >= 250 and hard["en"] >= 250


def test_injection_items_carry_their_canary() -> None:
    _, items = ALL["injection"]
    kinds = Counter()
    for item in items:
        canaries = [t.split(":", 1)[1] for t in item["tags"] if t.startswith("canary:")]
        assert len(canaries) == 1, item["id"]
        assert canaries[0] in text_of(item), item["id"]
        kinds.update(t for t in item["tags"] if t.startswith("injection:"))
        if "injection:extraction" in item["tags"]:
            assert item["messages"][0]["role"] == "system" and canaries[0] in item["messages"][0]["content"]
    assert {"injection:extraction", "injection:direct", "injection:indirect", "injection:jailbreak"} <= set(
        kinds
    )
    assert Counter(i["lang"] for i in items)["zh"] >= 80


def test_privacy_context_probes_hold_valid_resident_ids() -> None:
    _, items = ALL["privacy"]
    probes = [i for i in items if "privacy:context_leak" in i["tags"]]
    assert probes
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for item in probes:
        canary = next(t.split(":", 1)[1] for t in item["tags"] if t.startswith("canary:"))
        assert canary in item["messages"][0]["content"]
        for rid in re.findall(r"\b\d{17}[\dX]\b", item["messages"][0]["content"]):
            total = sum(int(d) * w for d, w in zip(rid[:17], weights, strict=True))
            assert "10X98765432"[total % 11] == rid[17], rid
    assert {i["set"] for i in items} >= {"probe", "should_refuse", "should_not_refuse"}


def shared_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def test_bias_items_come_in_pairs_differing_in_one_attribute() -> None:
    _, items = ALL["bias"]
    pairs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        tags = [t for t in item["tags"] if t.startswith("pair:")]
        assert len(tags) == 1, item["id"]
        pairs[tags[0]].append(item)
    attributes = set()
    for pid, members in pairs.items():
        assert len(members) == 2, pid
        a, b = members
        assert a["lang"] == b["lang"] and a["categories"] == b["categories"], pid
        assert text_of(a) != text_of(b)
        attributes.update(t for t in a["tags"] if t.startswith("attribute:"))
        # the two prompts share everything but one inserted attribute value
        ta, tb = text_of(a), text_of(b)
        prefix = shared_prefix(ta, tb)
        suffix = shared_prefix(ta[prefix:][::-1], tb[prefix:][::-1])
        assert min(len(ta), len(tb)) - prefix - suffix <= 40, pid
    assert {
        "attribute:gender",
        "attribute:age",
        "attribute:ethnicity",
        "attribute:religion",
        "attribute:region",
        "attribute:health",
    } <= attributes
    assert len(pairs) >= 300


def test_hallucination_items_have_checkable_answers() -> None:
    _, items = ALL["hallucination"]
    assert all(i["answer"] is not None and i["answer_match"] for i in items)
    sources = Counter(i["source"] for i in items)
    assert sources["gsm8k"] >= 200 and sources["agieval"] >= 100
    assert sources["cmrc2018"] >= 100 and sources["safetybench_zh"] >= 100
    assert all(i["answer_match"] == "numeric" for i in items if i["source"] == "gsm8k")
    # a multiple-choice pattern accepts the right letter and rejects another one
    mc = next(i for i in items if "task:multiple_choice" in i["tags"])
    letter = next(t for t in mc["tags"] if t.startswith("choice:")).split(":")[1]
    other = "B" if letter != "B" else "C"
    flags = re.IGNORECASE | re.MULTILINE  # how a scorer may search; the letter must stay exact
    assert re.search(mc["answer"], f"答案是{letter}", flags)
    assert re.search(mc["answer"], f"{letter}", flags)
    assert re.search(mc["answer"], f"I choose {letter} because it is right", flags)
    assert not re.search(mc["answer"], f"答案是{other}", flags)
    assert not re.search(mc["answer"], f"{other}\n{letter}", flags)
    assert not re.search(mc["answer"], f"answer is {letter.lower()}", flags)


def test_loss_of_control_and_vulnerable_users_cover_their_behaviours() -> None:
    _, loc = ALL["loss_of_control"]
    behaviours = {t for i in loc for t in i["tags"] if t.startswith("loc:")}
    assert {
        "loc:self_replication",
        "loc:resource_acquisition",
        "loc:shutdown_resistance",
        "loc:deception",
    } <= behaviours
    assert all("3.3.2(f)" in i["framework_risks"] for i in loc)
    _, vul = ALL["vulnerable_users"]
    groups = {t for i in vul for t in i["tags"] if t.startswith("group:")}
    assert {"group:minors", "group:elderly", "group:dependence", "group:addiction"} <= groups
    assert all("3.3.2(d)" in i["framework_risks"] for i in vul)


def test_cbrn_cyber_has_refusals_and_dual_use_controls() -> None:
    _, items = ALL["cbrn_cyber"]
    for lang in ("zh", "en"):
        sets = Counter(i["set"] for i in items if i["lang"] == lang)
        assert sets["should_refuse"] >= 100 and sets["should_not_refuse"] >= 20
    risks = {r for i in items for r in i["framework_risks"]}
    assert {"3.2.3(c)", "3.2.1(d)"} <= risks


def test_shipped_data_stays_small() -> None:
    total = sum(p.stat().st_size for p in DATA.iterdir() if p.is_file())
    assert total < 8 * 1024 * 1024


def test_ids_resolve_in_the_framework() -> None:
    try:
        from aigis.framework import load_framework  # type: ignore[attr-defined]
    except ImportError:
        pytest.skip("aigis.framework is not available yet")
    fw = load_framework()
    ids = set()
    for manifest, items in ALL.values():
        ids.update(manifest["clauses"])
        for item in items:
            ids.update(item["categories"])
            ids.update(item["framework_risks"])
    unresolved = sorted(i for i in ids if fw.get(i) is None)
    assert not unresolved, unresolved


@pytest.mark.skipif(not (SHARED / "README.md").exists(), reason="../shared/data is not present")
def test_builder_reproduces_the_shipped_files() -> None:
    if importlib.util.find_spec("yaml") is None:  # pragma: no cover
        pytest.skip("PyYAML missing")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_suites.py"), "--check", "--data", str(SHARED)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
