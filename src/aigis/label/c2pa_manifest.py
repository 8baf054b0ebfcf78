"""C2PA manifests with the c2pa-python library: sign (AI-generated, with the GB 45438 label fields as an
assertion), read and validate.

A manifest aigis signs holds a ``c2pa.actions`` assertion whose ``c2pa.created`` action has the IPTC
digital source type ``trainedAlgorithmicMedia``, and a custom assertion ``cn.gb45438.aigc`` with the
seven annex E fields. Validation status per file: ``valid`` (integrity holds; ``trusted`` says whether
the signer chains to a configured trust anchor), ``untrusted-dev-CA`` (integrity holds, signed by the
aigis development CA), ``invalid`` (the content or the manifest changed after signing, or the
manifest is damaged), ``absent`` (no manifest) and ``unsupported`` (a format C2PA cannot carry).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import c2pa

from aigis import __version__
from aigis.errors import InputError
from aigis.label import c2pa_ca
from aigis.label.fields import FIELD_NAMES, AigcLabel
from aigis.label.formats import detect

ASSERTION = "cn.gb45438.aigc"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = IPTC + "trainedAlgorithmicMedia"
AI_SOURCES = {
    TRAINED,
    IPTC + "compositeWithTrainedAlgorithmicMedia",
    IPTC + "algorithmicMedia",
    IPTC + "compositeSynthetic",
}
Status = Literal["valid", "invalid", "absent", "untrusted-dev-CA", "unsupported"]
MIME_BY_FORMAT = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "tiff": "image/tiff",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pdf": "application/pdf",
}
MIME_BY_SUFFIX = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".m4a": "audio/mp4",
}
# Codes about whether the signer is trusted, not about integrity.
TRUST_CODES = {"signingCredential.untrusted"}
# zh wording for the validation codes seen most often; others are reported by code.
CODES_ZH = {
    "assertion.dataHash.mismatch": "内容在签名后被修改（数据哈希不一致）",
    "assertion.bmffHash.mismatch": "媒体数据在签名后被修改（BMFF 哈希不一致）",
    "assertion.boxesHash.mismatch": "内容在签名后被修改（分块哈希不一致）",
    "assertion.hashedURI.mismatch": "断言在签名后被修改",
    "claimSignature.mismatch": "清单签名与声明不一致",
    "claimSignature.outsideValidity": "签名时证书不在有效期内",
    "signingCredential.untrusted": "签名证书不在信任列表中",
    "signingCredential.invalid": "签名证书不符合 C2PA 要求",
    "signingCredential.expired": "签名证书已过期",
    "signingCredential.revoked": "签名证书已被吊销",
    "manifest.missing": "清单缺失",
    "general.error": "读取清单时出错",
}


@dataclass
class C2paReport:
    """What the C2PA manifest of one file says."""

    status: Status
    validation_state: str | None = None
    trusted: bool = False
    ai_generated: bool = False
    digital_source_type: str | None = None
    signer: dict[str, Any] | None = None
    gb_label: dict[str, str] | None = None
    failures: list[str] = field(default_factory=list)
    reasons: list[dict[str, str]] = field(default_factory=list)

    def reason(self, zh: str, en: str) -> None:
        self.reasons.append({"zh": zh, "en": en})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def mime_for(path: Path) -> str | None:
    """The MIME type c2pa is given for this file, or None when C2PA cannot be embedded in it."""
    fmt, _ = detect(path)
    if fmt.name in MIME_BY_FORMAT:
        return MIME_BY_FORMAT[fmt.name]
    return MIME_BY_SUFFIX.get(path.suffix.lower()) if fmt.name == "mp4" else None


def require_support(path: Path) -> str:
    """The MIME type for ``path``; an InputError naming the file when C2PA cannot be embedded in it."""
    mime = mime_for(path)
    if mime is None:
        fmt, _ = detect(path)
        raise InputError(
            f"{path}: C2PA manifests cannot be embedded in {fmt.name} files; --c2pa is for images (PNG, "
            "JPEG, WebP, GIF, TIFF), audio (MP3, WAV), MP4/MOV/M4A and PDF"
        )
    return mime


def manifest_definition(label: AigcLabel, title: str) -> dict[str, Any]:
    """The manifest aigis signs: created by a trained model, plus the GB 45438 fields."""
    return {
        "claim_generator_info": [{"name": "aigis", "version": __version__}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED,
                            "softwareAgent": {"name": "aigis", "version": __version__},
                        }
                    ]
                },
            },
            {"label": ASSERTION, "data": label.to_dict()},
        ],
    }


def sign_file(
    src: Path, dst: Path, label: AigcLabel, credentials: c2pa_ca.Credentials | None = None
) -> dict[str, Any]:
    """Write ``src`` with a signed manifest to ``dst``; returns what was signed and by whom."""
    mime = require_support(src)
    creds = credentials or c2pa_ca.load_credentials()
    try:
        info = c2pa.C2paSignerInfo(creds.alg.encode(), creds.chain_pem, creds.key_pem, None)
        with (
            c2pa.Signer.from_info(info) as signer,
            c2pa.Builder(manifest_definition(label, src.name)) as builder,
            open(src, "rb") as source,
            open(dst, "w+b") as dest,
        ):
            builder.sign(signer, mime, source, dest)
    except c2pa.C2paError as exc:
        dst.unlink(missing_ok=True)
        raise InputError(f"{src}: C2PA signing failed: {exc}") from None
    cert = creds.signer_certificate()
    return {
        "assertion": ASSERTION,
        "digital_source_type": TRAINED,
        "alg": creds.alg,
        "signer": cert.subject.rfc4514_string(),
        "dev_ca": creds.dev,
        "certificate": creds.source,
    }


def _context(anchors: bytes | None) -> Any:
    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if anchors:
        settings["trust"] = {"trust_anchors": anchors.decode("ascii", "replace")}
    return c2pa.Context(c2pa.Settings.from_dict(settings))


def _read(path: Path, mime: str, anchors: bytes | None) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """(validation state, active manifest, validation results); raises LookupError when there is none."""
    with open(path, "rb") as stream:
        reader = c2pa.Reader.try_create(mime, stream, None, _context(anchors))
        if reader is None:
            raise LookupError("no manifest")
        with reader:
            store = json.loads(reader.json())
    manifests = store.get("manifests") or {}
    active = manifests.get(store.get("active_manifest") or "", {})
    return store.get("validation_state"), active, store.get("validation_results") or {}


def _codes(results: dict[str, Any], kind: str) -> list[str]:
    active = results.get("activeManifest") or {}
    return [str(item.get("code")) for item in active.get(kind) or [] if isinstance(item, dict)]


def read_file(path: Path, anchors: bytes | None = None, dev_root: bytes | None = None) -> C2paReport:
    """Read and validate the manifest of ``path``. Never raises for a bad file."""
    try:
        mime = mime_for(path)
    except InputError:
        mime = None
    if mime is None:
        report = C2paReport("unsupported")
        report.reason("该格式不能承载 C2PA 清单", "this format cannot carry a C2PA manifest")
        return report
    if anchors is None:
        anchors = c2pa_ca.trust_anchors()
    if dev_root is None:
        dev_root = c2pa_ca.dev_root_pem()
    try:
        state, active, results = _read(path, mime, anchors)
    except LookupError:
        report = C2paReport("absent")
        report.reason("未发现 C2PA 清单", "no C2PA manifest")
        return report
    except (c2pa.C2paError, OSError, ValueError) as exc:
        report = C2paReport("invalid", failures=["general.error"])
        report.reason(f"C2PA 清单无法读取：{exc}", f"the C2PA manifest cannot be read: {exc}")
        return report
    report = C2paReport("valid", validation_state=state)
    _describe(report, active)
    report.failures = _codes(results, "failure")
    broken = [code for code in report.failures if code not in TRUST_CODES]
    if state == "Invalid" or broken:
        report.status = "invalid"
        for code in broken or ["general.error"]:
            zh = CODES_ZH.get(code, "校验未通过")
            report.reason(f"C2PA 校验失败：{zh}（{code}）", f"C2PA validation failed: {code}")
        return report
    report.trusted = state == "Trusted"
    if not report.trusted and dev_root and dev_root != anchors:
        try:
            dev_state, _, _ = _read(path, mime, dev_root)
        except (LookupError, c2pa.C2paError, OSError, ValueError):
            dev_state = None
        if dev_state == "Trusted":
            report.status = "untrusted-dev-CA"
            report.reason(
                "C2PA 清单有效，但由 aigis 本地开发 CA 签名，不被他人信任；正式发布请配置真实证书",
                "the C2PA manifest is valid but signed by the aigis local development CA, which no one "
                "else trusts; configure a real certificate for publishing",
            )
            return report
    if report.trusted:
        report.reason("C2PA 清单有效，签名者受信任", "the C2PA manifest is valid and its signer is trusted")
    else:
        report.reason(
            "C2PA 清单有效，但签名证书不在信任列表中（可通过 AIGIS_C2PA_TRUST 配置信任根）",
            "the C2PA manifest is valid but its signer is not in the trust list (set AIGIS_C2PA_TRUST)",
        )
    return report


def _describe(report: C2paReport, active: dict[str, Any]) -> None:
    info = active.get("signature_info") or {}
    report.signer = {k: info.get(k) for k in ("issuer", "common_name", "alg", "time") if info.get(k)}
    for assertion in active.get("assertions") or []:
        if not isinstance(assertion, dict):
            continue
        name = str(assertion.get("label", ""))
        data = assertion.get("data") or {}
        if name.startswith("c2pa.actions"):
            for action in data.get("actions") or []:
                source = action.get("digitalSourceType") if isinstance(action, dict) else None
                if source and report.digital_source_type is None:
                    report.digital_source_type = str(source)
                if source in AI_SOURCES:
                    report.ai_generated = True
        elif name == ASSERTION and isinstance(data, dict):
            report.gb_label = {k: str(data.get(k, "")) for k in FIELD_NAMES if k in data}
            if report.gb_label.get("Label") in ("1", "2", "3"):
                report.ai_generated = True
