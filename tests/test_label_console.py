"""The console page /console/label in real Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from aigis.label.api import add_labels
from aigis.store import create_token

try:
    from tests.test_label_samples import make
except ImportError:  # tests/ is not a package
    from test_label_samples import make  # type: ignore[no-redef]


def test_console_label_needs_sign_in(live_server: Any) -> None:
    r = httpx.get(f"{live_server.url}/console/label", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    r = httpx.post(
        f"{live_server.url}/console/label", files={"file": ("a.png", b"x")}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/login"


@pytest.mark.browser
def test_console_label_upload_shows_verdict(live_server: Any, browser: Any, tmp_path: Path) -> None:
    plain = make("png", tmp_path, "plain")
    labeled = tmp_path / "labeled.png"
    add_labels(plain, labeled, "ORG-WEB", "web-7", c2pa=True)
    with live_server.db.session() as session:
        token = create_token(session, "label-console", "read")
    page = browser.new_page(locale="en-US")
    try:
        page.goto(f"{live_server.url}/console/label")
        assert page.url.endswith("/console/login")
        page.fill("input[name=token]", token)
        page.click("form button[type=submit]")
        page.goto(f"{live_server.url}/console/label?lang=en")
        assert page.locator("nav a.active").inner_text() == "AIGC labels"
        page.set_input_files("#label-file", str(labeled))
        page.click("#label-submit")
        assert page.locator("#label-verdict").inner_text() == "compliant"
        assert page.locator("#label-result").get_attribute("data-verdict") == "compliant"
        assert "signature is valid" in page.locator("#label-reasons").inner_text()
        assert page.locator("#label-c2pa").inner_text().startswith("untrusted-dev-CA")
        assert "web-7" in page.locator("#label-fields").inner_text()

        page.goto(f"{live_server.url}/console/label?lang=zh")
        page.set_input_files("#label-file", str(plain))
        page.click("#label-submit")
        assert page.locator("#label-verdict").inner_text() == "未发现标识"
        assert "未发现 AIGC 元数据标识" in page.locator("#label-reasons").inner_text()
        assert page.locator("#label-c2pa").inner_text() == "absent"
    finally:
        page.close()
