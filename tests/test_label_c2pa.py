"""C2PA manifests: sign, read and validate with c2pa-python; the development CA; real certificates by
configuration; tampering; CLI and REST."""

from __future__ import annotations

import json
import os
import stat
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import c2pa
import httpx
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from aigis.errors import ConfigError, InputError
from aigis.label import c2pa_ca, c2pa_manifest, new_label, verify
from aigis.label.api import add_labels
from aigis.store import create_token

try:
    from tests.test_label_samples import make, needs_ffmpeg
except ImportError:  # tests/ is not a package
    from test_label_samples import make, needs_ffmpeg  # type: ignore[no-redef]

AIGIS = str(Path(sys.executable).parent / "aigis")


def _labeled(kind: str, tmp_path: Path) -> Path:
    src = make(kind, tmp_path)
    dst = tmp_path / f"out-{src.name}"
    add_labels(src, dst, "ORG-C2PA", "job-42", implicit=True, c2pa=True)
    return dst


def _library_state(path: Path, mime: str, anchors: bytes | None = None) -> tuple[str, list[str]]:
    """The c2pa library's own verdict, read without aigis's reader."""
    settings = c2pa.Settings.from_dict({"trust": {"trust_anchors": anchors.decode()}} if anchors else {})
    with open(path, "rb") as stream, c2pa.Reader(mime, stream, None, c2pa.Context(settings)) as reader:
        store = json.loads(reader.json())
    failures = [f["code"] for f in store["validation_results"]["activeManifest"].get("failure", [])]
    return store["validation_state"], failures


@pytest.mark.parametrize(("kind", "mime"), [("png", "image/png"), ("jpg", "image/jpeg")])
def test_sign_read_validate_round_trip(kind: str, mime: str, tmp_path: Path) -> None:
    out = _labeled(kind, tmp_path)
    report = c2pa_manifest.read_file(out)
    assert report.status == "untrusted-dev-CA", report.reasons
    assert report.ai_generated and report.digital_source_type == c2pa_manifest.TRAINED
    metadata = verify.verify_file(out).metadata or {}
    assert report.gb_label == metadata["label"]
    assert report.gb_label is not None and report.gb_label["ReservedCode1"].startswith("ed25519:")
    assert report.signer and report.signer["issuer"] == c2pa_ca.DEV_ORG
    # Interop: c2pa-python itself validates what aigis wrote, and trusts it given the dev root.
    state, failures = _library_state(out, mime)
    assert state == "Valid" and set(failures) <= {"signingCredential.untrusted"}
    root = c2pa_ca.dev_root_pem()
    assert root is not None
    assert _library_state(out, mime, root) == ("Trusted", [])
    result = verify.verify_file(out, extras=verify.default_extras(c2pa=True))
    assert result.verdict == "compliant"
    assert result.c2pa and result.c2pa["status"] == "untrusted-dev-CA" and result.c2pa["matches_label"]
    assert any("开发 CA" in r.zh for r in result.reasons) and any(
        "development CA" in r.en for r in result.reasons
    )


def test_dev_ca_is_generated_once_with_c2pa_key_usage(settings: object) -> None:
    first = c2pa_ca.dev_credentials()
    folder = c2pa_ca.folder()
    for name in (c2pa_ca.ROOT_KEY, c2pa_ca.SIGNER_KEY):
        assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600
    assert c2pa_ca.dev_credentials() == first
    cert = first.signer_certificate()
    root = x509.load_pem_x509_certificate((folder / c2pa_ca.ROOT_CERT).read_bytes())
    assert cert.issuer == root.subject and cert.issuer != cert.subject
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert c2pa_ca.DOCUMENT_SIGNING in eku and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def _tamper_png(path: Path) -> None:
    data = path.read_bytes()
    pos, out = 8, [data[:8]]
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        ctype, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if ctype == b"IDAT":
            raw = bytearray(zlib.decompress(body))
            raw[len(raw) // 2] ^= 0x40
            body = zlib.compress(bytes(raw))
        crc = zlib.crc32(ctype + body) & 0xFFFFFFFF
        out.append(struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc))
        pos += 12 + length
    path.write_bytes(b"".join(out))


def _tamper_jpeg(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) - 40] ^= 0x10  # inside the entropy-coded scan, before EOI
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["png", "jpg"])
def test_pixels_changed_after_signing_are_invalid(kind: str, tmp_path: Path) -> None:
    out = _labeled(kind, tmp_path)
    (_tamper_png if kind == "png" else _tamper_jpeg)(out)
    report = c2pa_manifest.read_file(out)
    assert report.status == "invalid"
    assert "assertion.dataHash.mismatch" in report.failures
    assert any("签名后被修改" in r["zh"] for r in report.reasons)
    result = verify.verify_file(out, extras=verify.default_extras(c2pa=True))
    assert result.verdict == "noncompliant"


def test_file_without_manifest_is_absent_and_other_formats_unsupported(tmp_path: Path) -> None:
    plain = make("png", tmp_path)
    assert c2pa_manifest.read_file(plain).status == "absent"
    result = verify.verify_file(plain, extras=verify.default_extras(c2pa=True))
    assert result.verdict == "not_found" and result.c2pa and result.c2pa["status"] == "absent"
    text = make("md", tmp_path)
    assert c2pa_manifest.read_file(text).status == "unsupported"
    with pytest.raises(InputError, match=r"sample\.md: C2PA manifests cannot be embedded"):
        add_labels(text, tmp_path / "o.md", "ORG", "id", c2pa=True)
    assert not (tmp_path / "o.md").exists()
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    assert c2pa_manifest.read_file(junk).status in ("absent", "invalid")


def test_manifest_conflicting_with_metadata_label_is_noncompliant(tmp_path: Path) -> None:
    src = make("jpg", tmp_path)
    meta = tmp_path / "meta.jpg"
    add_labels(src, meta, "ORG-A", "id-1")
    both = tmp_path / "both.jpg"
    c2pa_manifest.sign_file(meta, both, new_label("ORG-B", "id-2"))
    result = verify.verify_file(both, extras=verify.default_extras(c2pa=True))
    assert result.verdict == "noncompliant"
    assert any("conflict" in r.en for r in result.reasons)


def test_real_certificates_by_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = c2pa_ca.dev_credentials(tmp_path / "org-ca")  # stands in for a certificate from a real CA
    cert_dir = c2pa_ca.folder(tmp_path / "org-ca")
    monkeypatch.setenv(c2pa_ca.ENV_CERT, str(cert_dir / c2pa_ca.SIGNER_CERT))
    monkeypatch.setenv(c2pa_ca.ENV_KEY, str(cert_dir / c2pa_ca.SIGNER_KEY))
    out = _labeled("png", tmp_path)
    assert c2pa_manifest.read_file(out).status == "valid"  # no trust list: valid, not trusted
    assert c2pa_ca.dev_root_pem() is None  # the development CA was not needed
    monkeypatch.setenv(c2pa_ca.ENV_TRUST, str(cert_dir / c2pa_ca.ROOT_CERT))
    report = c2pa_manifest.read_file(out)
    assert report.status == "valid" and report.trusted
    assert other.signer_certificate().serial_number
    monkeypatch.delenv(c2pa_ca.ENV_KEY)
    with pytest.raises(ConfigError, match="without a key"):
        c2pa_ca.load_credentials()
    wrong = c2pa_ca.dev_credentials(tmp_path / "another")
    (tmp_path / "wrong.key").write_bytes(wrong.key_pem)
    with pytest.raises(ConfigError, match="does not match"):
        c2pa_ca.load_credentials(cert_dir / c2pa_ca.SIGNER_CERT, tmp_path / "wrong.key")


@needs_ffmpeg
def test_audio_and_video_manifests(tmp_path: Path) -> None:
    for kind in ("wav", "mp3", "mp4"):
        out = _labeled(kind, tmp_path)
        result = verify.verify_file(out, extras=verify.default_extras(c2pa=True))
        assert result.verdict == "compliant", (kind, result.reasons)
        assert result.c2pa and result.c2pa["status"] == "untrusted-dev-CA"


def test_cli_and_rest(tmp_path: Path, live_server: object) -> None:
    src = make("png", tmp_path)
    out = tmp_path / "cli.png"
    env = dict(os.environ)
    run = [AIGIS, "label", "add", str(src), str(out), "--producer", "ORG-CLI", "--produce-id", "cli-1"]
    r = subprocess.run([*run, "--implicit", "--c2pa"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [AIGIS, "label", "verify", str(out), "--c2pa", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["files"][0]["c2pa"]["status"] == "untrusted-dev-CA"
    url = live_server.url  # type: ignore[attr-defined]
    with live_server.db.session() as s:  # type: ignore[attr-defined]
        writer = create_token(s, "writer", "write")
    auth = {"Authorization": f"Bearer {writer}"}
    form = {"producer": "ORG-API", "produce_id": "req-9", "c2pa": "true"}
    files = {"file": ("photo.png", src.read_bytes(), "image/png")}
    r = httpx.post(f"{url}/api/v1/label/add", files=files, data=form, headers=auth, timeout=60)
    assert r.status_code == 200, r.text
    assert json.loads(r.headers["X-Aigis-Steps"])["c2pa"]["assertion"] == c2pa_manifest.ASSERTION
    uploads = [("files", ("signed.png", r.content, "image/png"))]
    r = httpx.post(f"{url}/api/v1/label/verify", files=uploads, data={"c2pa": "true"}, headers=auth)
    assert r.status_code == 200, r.text
    item = r.json()["files"][0]
    assert item["verdict"] == "compliant" and item["c2pa"]["status"] == "untrusted-dev-CA"


@pytest.mark.parametrize("kind", ["png", "jpg"])
def test_damaged_manifests_give_a_status_never_a_crash(kind: str, tmp_path: Path) -> None:
    import random

    data = _labeled(kind, tmp_path).read_bytes()
    start = data.find(b"jumb")
    assert start > 0
    rng = random.Random(7)
    broken = tmp_path / f"broken.{kind}"
    seen = set()
    for index in range(40):
        mutated = bytearray(data)
        if index % 4 == 0:
            mutated = mutated[: rng.randrange(start, len(data))]
        else:
            for _ in range(rng.randint(1, 8)):
                mutated[rng.randrange(start, min(len(data), start + 4000))] ^= 1 << rng.randrange(8)
        broken.write_bytes(bytes(mutated))
        report = c2pa_manifest.read_file(broken)
        seen.add(report.status)
        result = verify.verify_file(broken, extras=verify.default_extras(c2pa=True))
        assert result.verdict in verify.VERDICTS and result.reasons
    assert "invalid" in seen
