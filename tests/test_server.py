from __future__ import annotations

import httpx

from aigis.store import create_token
from tests.conftest import LiveServer


def test_health_and_openapi(live_server: LiveServer) -> None:
    r = httpx.get(f"{live_server.url}/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    spec = httpx.get(f"{live_server.url}/openapi.json").json()
    assert "/api/v1/framework/clauses" in spec["paths"]
    assert httpx.get(f"{live_server.url}/docs").status_code == 200


def test_framework_api(live_server: LiveServer) -> None:
    base = f"{live_server.url}/api/v1/framework"
    risks = httpx.get(f"{base}/clauses", params={"kind": "risk"}).json()
    assert len(risks) == 30 and all(r["title"]["zh"] and r["title"]["en"] for r in risks)
    one = httpx.get(f"{base}/clauses/3.2.1(a)").json()
    assert one["id"] == "3.2.1(a)" and one["kind"] == "risk"
    mapping = httpx.get(f"{base}/map/3.2.1(a)").json()
    assert [m["id"] for m in mapping["technical"]] == ["4.2.1(b)", "4.2.1(c)", "4.2.1(d)", "4.2.1(e)"]
    assert mapping["divergence"] is not None
    hits = httpx.get(f"{base}/search", params={"q": "安全护栏"}).json()
    assert any(h["id"] == "A3.15" for h in hits)


def test_errors_are_json_with_suggestions(live_server: LiveServer) -> None:
    r = httpx.get(f"{live_server.url}/api/v1/framework/clauses/3.2.1(z)")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "not_found" and "3.2.1" in body["message"]
    r = httpx.get(f"{live_server.url}/api/v1/framework/clauses", params={"kind": "nonsense"})
    assert r.status_code == 400 and "nonsense" in r.json()["message"]
    r = httpx.get(f"{live_server.url}/api/v1/framework/search")
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "query.q"


def test_malformed_requests_do_not_break_the_server(live_server: LiveServer) -> None:
    r = httpx.post(
        f"{live_server.url}/console/login",
        content=b"\xff\xfe\x00garbage",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code in (400, 401, 422)
    assert httpx.get(f"{live_server.url}/healthz").status_code == 200


def test_console_login_sets_cookie_only_for_valid_token(live_server: LiveServer) -> None:
    with live_server.db.session() as s:
        token = create_token(s, "console", "read")
    with httpx.Client(base_url=live_server.url) as client:
        bad = client.post("/console/login", data={"token": "wrong"})
        assert bad.status_code == 401 and "aigis_token" not in client.cookies
        good = client.post("/console/login", data={"token": token})
        assert good.status_code == 303 and client.cookies.get("aigis_token") == token
        page = client.get("/console/framework")
        assert "console" in page.text
