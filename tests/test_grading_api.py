"""REST API and console pages for the inventory and grading, against a real server on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from aigis.store import create_token
from tests.conftest import LiveServer

TUTOR: dict[str, Any] = {
    "name": "homework-tutor",
    "owner": "Edu Co.",
    "roles": ["provider"],
    "purpose": "homework help for pupils",
    "sector": "education",
    "intelligence": "advisory",
    "usage_environment": "public",
    "recipients": ["minors"],
    "impacts": ["informational"],
    "capabilities": ["content_generation"],
    "scale": {"users": 300_000, "reach": "national"},
}


def _tokens(server: LiveServer) -> tuple[dict[str, str], dict[str, str]]:
    with server.db.session() as s:
        read = create_token(s, "reader", "read")
        write = create_token(s, "writer", "write")
    return {"Authorization": f"Bearer {read}"}, {"Authorization": f"Bearer {write}"}


def test_systems_rest_lifecycle(live_server: LiveServer) -> None:
    read, write = _tokens(live_server)
    with httpx.Client(base_url=live_server.url, timeout=10) as c:
        assert c.get("/api/v1/systems").status_code == 401
        assert c.post("/api/v1/systems", json=TUTOR, headers=read).status_code == 403  # read cannot write
        created = c.post("/api/v1/systems", json=TUTOR, headers=write)
        assert created.status_code == 201, created.text
        assert created.json()["created_by"] == "writer"

        bad = c.post("/api/v1/systems", json={**TUTOR, "name": "x", "sector": "banking"}, headers=write)
        assert bad.status_code == 422
        assert bad.json()["problems"] == [
            {"field": "sector", "value": "banking", "message": bad.json()["problems"][0]["message"]}
        ]
        assert "use one of: general" in bad.json()["problems"][0]["message"]

        listed = c.get("/api/v1/systems", headers=read).json()
        assert [(r["name"], r["level"]["level"]) for r in listed] == [("homework-tutor", 3)]

        changed = c.put(
            "/api/v1/systems/homework-tutor",
            headers=write,
            json={**TUTOR, "intelligence": "human_on_loop", "deployment": {"tool_access": "write"}},
        )
        assert changed.status_code == 200 and changed.json()["version"] == 2
        history = c.get("/api/v1/systems/homework-tutor/history", headers=read).json()
        assert [h["actor"] for h in history] == ["writer", "writer"]
        assert {ch["field"] for ch in history[1]["changes"]} == {"intelligence", "deployment.tool_access"}

        graded = c.get("/api/v1/systems/homework-tutor/grade", headers=read).json()
        assert graded["pack"]["id"] == "education"
        assert {"minors", "highly_autonomous"} <= {r["id"] for r in graded["rules"]}
        html = c.get("/api/v1/systems/homework-tutor/grade", params={"format": "html"}, headers=read)
        assert html.headers["content-type"].startswith("text/html") and "未成年人" in html.text
        md = c.get(
            "/api/v1/systems/homework-tutor/grade", params={"format": "md", "pack": "general"}, headers=read
        )
        assert "`general` 1.0.0" in md.text
        assert (
            c.get(
                "/api/v1/systems/homework-tutor/grade", params={"pack": "/etc/passwd"}, headers=read
            ).status_code
            == 404
        )

        missing = c.get("/api/v1/systems/homework-tutr", headers=read)
        assert missing.status_code == 404 and "homework-tutor" in missing.json()["message"]
        assert c.delete("/api/v1/systems/homework-tutor", headers=write).json()["version"] == 3
        assert c.get("/api/v1/systems", headers=read).json() == []


def test_grade_without_registering_and_packs(live_server: LiveServer) -> None:
    read, _ = _tokens(live_server)
    with httpx.Client(base_url=live_server.url, timeout=10) as c:
        result = c.post("/api/v1/grade", json={"system": TUTOR, "pack": "general"}, headers=read).json()
        assert result["pack"]["id"] == "general" and result["level"]["id"] == "A1.L3"
        custom = (
            "id: strict\nversion: '1.0'\nsector: education\nextends: education\n"
            "title: {zh: 严格, en: Strict}\nrules:\n  - id: any_minor\n    when: {factor: recipients, "
            "includes: [minors]}\n    min_level: 5\n    reason: {zh: 严格, en: strict}\n"
        )
        strict = c.post("/api/v1/grade", json={"system": TUTOR, "pack_yaml": custom}, headers=read).json()
        assert strict["level"]["level"] == 5 and strict["pack"]["id"] == "strict"

        packs = c.get("/api/v1/packs").json()
        assert {p["id"] for p in packs} >= {"general", "finance", "transportation"}
        assert c.get("/api/v1/packs/energy").json()["extends"] == "general"
        ok = c.post("/api/v1/packs/validate", content=custom)
        assert ok.status_code == 200 and ok.json()["id"] == "strict"
        bad = c.post("/api/v1/packs/validate", content="id: x\nversion: one\n")
        assert bad.status_code == 422
        fields = {p["field"] for p in bad.json()["problems"]}
        assert {"version", "sector", "title"} <= fields
        schema = c.get("/api/v1/systems/schema").json()
        assert "intelligence" in schema["required"]


@pytest.mark.browser
def test_console_systems_pages(live_server: LiveServer, browser: Any) -> None:
    _, write = _tokens(live_server)
    token = write["Authorization"].split()[1]
    with httpx.Client(base_url=live_server.url, timeout=10) as c:
        c.post(
            "/api/v1/systems",
            json={
                **TUTOR,
                "name": "writer-tool",
                "sector": "general",
                "recipients": ["employees"],
                "usage_environment": "internal",
                "scale": {"users": 100},
            },
            headers=write,
        )
    page = browser.new_page(locale="en-US")
    try:
        page.goto(f"{live_server.url}/console/systems")
        assert page.url.endswith("/console/login")
        page.fill("input[name=token]", token)
        page.click("form button[type=submit]")
        page.goto(f"{live_server.url}/console/systems?lang=en")
        assert page.locator("h1").inner_text() == "AI system inventory"
        assert "1 · low security risk" in page.locator("tr[data-name=writer-tool]").inner_text()

        # register a system from the form; a bad one first
        page.fill("textarea[name=spec]", "name: bad\nowner: o\nroles: [provider]\npurpose: p\nsector: mars\n")
        page.click("#add-system button")
        problems = page.locator("#add-problems").inner_text()
        assert 'sector: value "mars" is not allowed' in problems and "intelligence: is required" in problems
        import yaml

        page.fill("textarea[name=spec]", yaml.safe_dump(TUTOR, allow_unicode=True))
        page.click("#add-system button")
        assert page.url.endswith("/console/systems/homework-tutor")
        assert page.locator("#level").inner_text() == "3 · considerable security risk"
        assert page.locator("#rules li[data-rule=minors]").count() == 1
        assert page.locator("#controls li[data-control=vulnerable_groups]").count() == 1
        assert page.locator("#history tbody tr").count() == 1

        page.click("#lang-switch")
        assert page.locator("#level").inner_text() == "3 · 较大安全风险"
        assert "服务对象包括未成年人" in page.locator("#rules").inner_text()
        page.goto(f"{live_server.url}/console/systems")
        assert "较大安全风险" in page.locator("tr[data-name=homework-tutor]").inner_text()
    finally:
        page.close()
