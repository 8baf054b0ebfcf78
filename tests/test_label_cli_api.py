"""The label CLI (a real subprocess) and REST API (a real server on loopback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from aigis.store import create_token

try:
    from tests.test_label_samples import make
except ImportError:  # tests/ is not a package
    from test_label_samples import make  # type: ignore[no-redef]

AIGIS = str(Path(sys.executable).parent / "aigis")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AIGIS, *args], capture_output=True, text=True, env=dict(os.environ), timeout=120)


def test_cli_add_verify_batch_reports_exit_codes(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "deep").mkdir(parents=True)
    make("png", src)
    make("wav", src / "deep")
    make("md", src)
    r = run(
        "label",
        "add",
        str(src),
        str(tmp_path / "out"),
        "--producer",
        "ORG-1",
        "--produce-id",
        "job-7",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    assert {Path(x["dst"]).name for x in json.loads(r.stdout)} == {"sample.png", "sample.wav", "sample.md"}
    report = tmp_path / "report.json"
    page = tmp_path / "report.html"
    r = run(
        "label", "verify", str(tmp_path / "out"), "--json", str(report), "--html", str(page), "--lang", "en"
    )
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads(report.read_text())
    assert data["summary"]["compliant"] == 3 and "4.2.2(c)" in data["clauses"]
    assert "compliant" in page.read_text()
    r = run("label", "verify", str(src), "--format", "json")
    assert r.returncode == 1 and json.loads(r.stdout)["summary"]["not_found"] == 3
    broken = tmp_path / "broken.png"
    broken.write_bytes((tmp_path / "out" / "sample.png").read_bytes()[:100])
    r = run("label", "verify", str(broken), "--format", "json")
    assert r.returncode == 5 and json.loads(r.stdout)["files"][0]["verdict"] == "inconclusive"
    r = run("label", "add", str(src / "sample.png"), "--producer", "ORG", "--produce-id", "x")
    assert r.returncode == 2 and "--in-place" in r.stderr and "Traceback" not in r.stderr
    r = run(
        "label",
        "add",
        str(src / "sample.png"),
        str(tmp_path / "z.png"),
        "--producer",
        "机构",
        "--produce-id",
        "x",
    )
    assert r.returncode == 2 and "printable ASCII" in r.stderr


def test_cli_propagate_read_text_keys(tmp_path: Path) -> None:
    out = tmp_path / "a.jpg"
    assert (
        run(
            "label",
            "add",
            str(make("jpg", tmp_path)),
            str(out),
            "--producer",
            "P",
            "--produce-id",
            "1",
            "--explicit",
            "--implicit",
            "--lang",
            "zh",
        ).returncode
        == 0
    )
    r = run(
        "label",
        "propagate",
        str(out),
        str(tmp_path / "b.jpg"),
        "--propagator",
        "PLAT",
        "--propagate-id",
        "9",
        "-f",
        "json",
    )
    assert r.returncode == 0 and json.loads(r.stdout)["ContentPropagator"] == "PLAT"
    r = run("label", "read", str(tmp_path / "b.jpg"), "-f", "json")
    assert json.loads(r.stdout)[0]["label"]["PropagateID"] == "9"
    r = run("label", "text", "你好", "--lang", "zh", "--position", "end")
    assert r.stdout.strip().endswith("【本内容由人工智能生成】")
    pub = tmp_path / "k.pub"
    r = run("label", "keys", "--export", str(pub))
    assert len(r.stdout.strip()) == 16 and pub.read_bytes().startswith(b"-----BEGIN PUBLIC KEY")


def test_rest_add_and_verify(live_server: object, tmp_path: Path) -> None:
    server: object = live_server
    url = server.url  # type: ignore[attr-defined]
    with server.db.session() as s:  # type: ignore[attr-defined]
        reader = create_token(s, "reader", "read")
        writer = create_token(s, "writer", "write")
    png = make("png", tmp_path)
    files = {"file": ("photo.png", png.read_bytes(), "image/png")}
    form = {"producer": "ORG-API", "produce_id": "req-1", "explicit": "true", "lang": "en"}
    denied = httpx.post(
        f"{url}/api/v1/label/add", files=files, data=form, headers={"Authorization": f"Bearer {reader}"}
    )
    assert denied.status_code in (401, 403)
    r = httpx.post(
        f"{url}/api/v1/label/add", files=files, data=form, headers={"Authorization": f"Bearer {writer}"}
    )
    assert r.status_code == 200, r.text
    assert json.loads(r.headers["X-Aigis-Label"])["ProduceID"] == "req-1"
    labeled = r.content
    assert labeled.startswith(b"\x89PNG") and labeled != png.read_bytes()
    uploads = [
        ("files", ("labeled.png", labeled, "image/png")),
        ("files", ("plain.png", png.read_bytes(), "image/png")),
        ("files", ("junk.png", b"\x89PNG\r\n\x1a\nxx", "image/png")),
    ]
    r = httpx.post(f"{url}/api/v1/label/verify", files=uploads, headers={"Authorization": f"Bearer {reader}"})
    assert r.status_code == 200, r.text
    verdicts = {f["path"]: f["verdict"] for f in r.json()["files"]}
    assert verdicts == {"labeled.png": "compliant", "plain.png": "not_found", "junk.png": "inconclusive"}
    assert httpx.post(f"{url}/api/v1/label/verify", files=uploads).status_code == 401
    bad = httpx.post(
        f"{url}/api/v1/label/add",
        files=files,
        data={**form, "producer": "机构"},
        headers={"Authorization": f"Bearer {writer}"},
    )
    assert bad.status_code == 400 and "printable ASCII" in bad.json()["message"]
