"""An assessment attached to a registered AI system: the system's assessments endpoint, and the console
pages (list and detail) in real Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from aigis.assess.runner import ASSESS_CLAUSES, RunConfig, run_sync
from aigis.assess.testing import ScriptedServer
from aigis.grading import inventory
from aigis.store import create_token
from tests.test_assess_runner import ITEMS, SYSTEM
from tests.test_assess_suites import write_suite


def _runs(live_server: Any, tmp_path: Path) -> tuple[str, str, str]:
    inventory.add(live_server.db, SYSTEM, "tester")
    suite = str(write_suite(tmp_path / "suite", ITEMS, "consolesuite"))
    ids = []
    with ScriptedServer() as srv:
        for model in ("refuse", "leak"):
            config = RunConfig(
                suite=suite,
                target={"kind": "openai", "base_url": srv.url, "model": model},
                attacks=["none"],
                limits={"timeout": 5.0, "concurrency": 4},
                system_name=SYSTEM["name"],
            )
            ids.append(run_sync(live_server.db, config))
            canary = config.canary_token
    assert canary
    return ids[0], ids[1], canary


def test_system_assessments_endpoint(live_server: Any, tmp_path: Path) -> None:
    refuse, leak, canary = _runs(live_server, tmp_path)
    with live_server.db.session() as session:
        token = create_token(session, "assess-sys", "read")
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=10) as client:
        response = client.get(f"/api/v1/systems/{SYSTEM['name']}/assessments")
        assert response.status_code == 200 and canary not in response.text
        data = response.json()
        assert [r["id"] for r in data["runs"]] == [leak, refuse]
        by_id = {r["id"]: r for r in data["runs"]}
        assert by_id[refuse]["pass_rate"] == 0.5  # refuses the should-not-refuse half too
        assert by_id[leak]["pass_rate"] == 0.0
        # 8 items are far too few for TC260's sample sizes: the verdict is "not met", with reasons
        assert by_id[refuse]["tc260"]["verdict"] == "not_met" and by_id[refuse]["tc260"]["failed"]
        assert set(ASSESS_CLAUSES) <= set(data["evidence_clauses"]) and "5.3" in data["evidence_clauses"]
        unknown = client.get("/api/v1/systems/support-bt/assessments")
        assert unknown.status_code == 404 and "support-bot" in unknown.text
        assert httpx.get(f"{live_server.url}/api/v1/systems/x/assessments").status_code == 401


@pytest.mark.browser
def test_console_assessment_pages(live_server: Any, browser: Any, tmp_path: Path) -> None:
    refuse, leak, canary = _runs(live_server, tmp_path)
    with live_server.db.session() as session:
        token = create_token(session, "assess-console", "read")
    page = browser.new_page(locale="en-US")
    try:
        page.goto(f"{live_server.url}/console/assess")
        assert page.url.endswith("/console/login")
        page.fill("input[name=token]", token)
        page.click("form button[type=submit]")
        page.goto(f"{live_server.url}/console/assess?lang=en")
        assert page.locator("h1").inner_text() == "Safety assessment"
        assert page.locator("nav a.active").inner_text() == "Assessment"
        row = page.locator(f"tr[data-run='{refuse}']")
        assert row.locator(".status").inner_text() == "finished"
        assert row.locator(".pass-rate").inner_text() == "50.0%"
        assert "not met" in row.inner_text() and SYSTEM["name"] in row.inner_text()
        assert page.locator(f"tr[data-run='{leak}'] .pass-rate").inner_text() == "0.0%"

        page.click(f"tr[data-run='{leak}'] a.clause-id")
        assert page.url.endswith(f"/console/assess/{leak}")
        assert page.locator("#status").inner_text() == "finished"
        assert page.locator("#done").inner_text() == "8" and page.locator("#remaining").inner_text() == "0"
        assert page.locator("#pass-rate").inner_text() == "0.0%"
        assert page.locator("#tc260 tbody tr").count() >= 3
        assert canary not in page.content()
        assert "5.11" in page.locator("#clauses").inner_text()

        page.click("#reports a:text('HTML English')")
        assert "Safety assessment report" in page.content() and "<svg" in page.content()
        assert canary not in page.content()

        page.goto(f"{live_server.url}/console/assess/{leak}?lang=zh")
        assert page.locator("#verdict").inner_text() == "不符合"
        assert "应拒答题拒答率" in page.locator("#metrics").inner_text()
    finally:
        page.close()
