"""The console in a real headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_console_renders_framework_in_both_languages(live_server: LiveServer, browser: Any) -> None:
    page = browser.new_page(locale="en-US")
    try:
        page.goto(f"{live_server.url}/console/framework?kind=risk&lang=zh")
        assert page.locator("h1").inner_text() == "人工智能安全治理框架 2.0"
        assert page.locator("#result-count").inner_text().startswith("30")
        assert page.locator("#clauses tbody tr").count() == 30
        assert page.locator("#clauses tbody tr td.kind").first.inner_text() == "安全风险"
        # Switch language with the header link; the choice sticks across pages.
        page.click("#lang-switch")
        assert page.locator("h1").inner_text() == "AI Safety Governance Framework 2.0"
        assert page.locator("#clauses tbody tr td.kind").first.inner_text() == "risk"
        page.goto(f"{live_server.url}/console/framework/3.2.1(a)")
        assert page.locator("#divergence").is_visible()
        assert "4.2.1(e)" in page.locator("#mapping").inner_text()
        assert page.evaluate("document.documentElement.lang") == "en"
        # Search from the form.
        page.goto(f"{live_server.url}/console/framework")
        page.fill("input[name=q]", "安全护栏")
        page.click("form.search button")
        assert "A3.15" in page.locator("#clauses").inner_text()
    finally:
        page.close()


def test_console_assets_are_local(live_server: LiveServer, browser: Any) -> None:
    page = browser.new_page()
    external: list[str] = []
    page.on(
        "request", lambda req: external.append(req.url) if not req.url.startswith(live_server.url) else None
    )
    try:
        page.goto(f"{live_server.url}/console/framework?lang=en")
        page.wait_for_load_state("networkidle")
        assert external == []
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # our stylesheet loaded
    finally:
        page.close()
