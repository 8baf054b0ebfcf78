"""aigis systems / grade / packs from the command line, on a real SQLite file in AIGIS_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from aigis.cli import app

AIGIS = str(Path(sys.executable).parent / "aigis")
runner = CliRunner()

SYSTEMS = {
    "systems": [
        {
            "name": "writer",
            "owner": "Acme",
            "roles": ["provider"],
            "purpose": "internal writing assistant",
            "sector": "general",
            "intelligence": "advisory",
            "scale": {"users": 200},
        },
        {
            "name": "credit",
            "owner": "Acme Bank",
            "roles": ["developer", "provider"],
            "purpose": "credit decisions",
            "sector": "finance",
            "intelligence": "human_in_loop",
            "usage_environment": "public",
            "recipients": ["general_public"],
            "impacts": ["economic", "rights"],
            "scale": {"users": 50000},
        },
    ]
}


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_inventory_lifecycle_and_grade(tmp_path: Path) -> None:
    file = tmp_path / "systems.yaml"
    file.write_text(yaml.safe_dump(SYSTEMS), encoding="utf-8")
    assert "added 'credit'" in invoke("systems", "add", str(file), "--actor", "alice")
    invoke(
        "systems",
        "add",
        "--set",
        "name=kiosk",
        "--set",
        "owner=City",
        "--set",
        "roles=[provider]",
        "--set",
        "purpose=help desk",
        "--set",
        "sector=government",
        "--set",
        "intelligence=advisory",
        "--actor",
        "alice",
    )
    listed = json.loads(invoke("systems", "list", "--format", "json"))
    assert {r["name"]: r["level"]["level"] for r in listed} == {"credit": 2, "kiosk": 1, "writer": 1}
    assert "低安全风险" in invoke("systems", "list", "--lang", "zh")

    out = invoke(
        "systems",
        "update",
        "credit",
        "--set",
        "intelligence=autonomous",
        "--set",
        "scale.users=20000000",
        "--actor",
        "bob",
        "--format",
        "json",
    )
    assert json.loads(out)["version"] == 2
    history = json.loads(invoke("systems", "history", "credit", "--format", "json"))
    assert [(h["version"], h["actor"]) for h in history] == [(1, "alice"), (2, "bob")]
    assert {c["field"] for c in history[1]["changes"]} == {"intelligence", "scale.users"}
    assert "human_in_loop" in invoke("systems", "history", "credit")

    graded = json.loads(invoke("grade", "credit", "--format", "json"))
    assert graded["level"]["level"] == 4 and graded["pack"]["id"] == "finance"
    assert "autonomous_critical_sector" in {r["id"] for r in graded["rules"]}
    table = invoke("grade", "credit", "--lang", "en")
    assert "major security risk" in table and "Circuit breakers" in table
    md = invoke("grade", "credit", "--format", "md")
    assert "重大安全风险 / major security risk" in md and "- [ ] **" in md
    report = tmp_path / "credit.html"
    invoke("grade", "credit", "--format", "html", "--output", str(report))
    html = report.read_text(encoding="utf-8")
    assert "<style>" in html and "<link" not in html and "http://" not in html and "https://" not in html
    general = json.loads(invoke("grade", "credit", "--pack", "general", "--format", "json"))
    assert general["pack"]["id"] == "general"

    # a file can be graded without registering it
    direct = json.loads(invoke("grade", str(file), "--format", "json"))
    assert [d["system"] for d in direct] == ["writer", "credit"]

    assert "removed 'kiosk'" in invoke("systems", "remove", "kiosk", "--actor", "carol")
    assert [h["action"] for h in json.loads(invoke("systems", "history", "kiosk", "--format", "json"))] == [
        "add",
        "remove",
    ]


def test_packs_commands(tmp_path: Path) -> None:
    listed = json.loads(invoke("packs", "list", "--format", "json"))
    assert len(listed) == 9 and listed[0]["id"] == "general"
    shown = yaml.safe_load(invoke("packs", "show", "transportation"))
    assert "perception_testing" in {c["id"] for c in shown["baseline"]}
    good = tmp_path / "good.yaml"
    good.write_text(
        "id: mine\nversion: '1.0'\nsector: general\nextends: general\ntitle: {zh: 我的规则, en: My rules}\n",
        encoding="utf-8",
    )
    assert "ok: mine 1.0" in invoke("packs", "validate", str(good))


def test_errors_are_clear_and_exit_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nowner: o\nroles: [boss]\npurpose: p\nsector: general\nintelligence: smart\n",
        encoding="utf-8",
    )
    env = {**os.environ, "AIGIS_HOME": str(tmp_path / "home"), "COLUMNS": "300"}
    r = subprocess.run(
        [AIGIS, "systems", "add", str(bad)], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "2 problems" in r.stderr
    assert 'intelligence: value "smart" is not allowed; use one of: advisory' in r.stderr
    assert 'roles[0]: value "boss" is not allowed; use one of: developer, provider, user' in r.stderr
    pack = tmp_path / "pack.yaml"
    pack.write_text("id: p\nversion: '1'\n", encoding="utf-8")
    r = subprocess.run(
        [AIGIS, "packs", "validate", str(pack)], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 2 and 'version: value "1" does not match the pattern' in r.stderr
    assert "sector: is required but missing" in r.stderr
    r = subprocess.run([AIGIS, "grade", "nothing"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 3 and "unknown AI system 'nothing'" in r.stderr
