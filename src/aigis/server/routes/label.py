"""AIGC label endpoints: POST /api/v1/label/verify (upload; read scope) and /add (write scope); the
console page /console/label (upload a file, see the verdict; signed-in users only)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from aigis.errors import InputError
from aigis.i18n import parse_lang
from aigis.server.auth import current_token, require
from aigis.store import ApiToken

router = APIRouter()
api = "/api/v1/label"
MAX_UPLOAD = 512 * 1024 * 1024
MAX_FILES = 100
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _safe_name(name: str | None, index: int) -> str:
    base = Path(name or f"upload-{index}").name
    suffix = _SAFE.sub("", Path(base).suffix)[:16]
    stem = _SAFE.sub("_", Path(base).stem)[:80] or f"upload-{index}"
    return f"{stem}{suffix}"


async def _save(upload: UploadFile, folder: Path, index: int) -> Path:
    path = folder / f"{index}-{_safe_name(upload.filename, index)}"
    size = 0
    with open(path, "wb") as handle:
        while chunk := await upload.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise InputError(
                    f"{upload.filename}: larger than {MAX_UPLOAD // 2**20} MiB; upload a smaller file"
                )
            handle.write(chunk)
    return path


@router.post(f"{api}/verify", tags=["label"])
async def verify(
    files: list[UploadFile] = File(..., description="One or more files to verify."),
    watermark: bool = Form(False),
    c2pa: bool = Form(False),
    explicit: bool = Form(False),
    _token: ApiToken = Depends(require("read")),
) -> dict[str, Any]:
    """Verify the AIGC labels of uploaded files: metadata label, signature, optional watermark and C2PA."""
    from aigis.label import verify as v

    if len(files) > MAX_FILES:
        raise InputError(f"{len(files)} files uploaded; at most {MAX_FILES} per request")
    extras = v.default_extras(watermark=watermark, c2pa=c2pa, explicit=explicit)
    with tempfile.TemporaryDirectory(prefix="aigis-verify-") as tmp:
        paths = [await _save(f, Path(tmp), i) for i, f in enumerate(files)]
        results = await run_in_threadpool(lambda: [v.verify_file(p, extras=extras) for p in paths])
    out = []
    for upload, result in zip(files, results, strict=True):
        item = result.to_dict()
        item["path"] = upload.filename or ""
        out.append(item)
    return {"summary": v.summary(results), "files": out}


@router.post(f"{api}/add", tags=["label"])
async def add(
    file: UploadFile = File(..., description="The file to label."),
    producer: str = Form(..., description="ContentProducer code."),
    produce_id: str = Form(..., description="ProduceID."),
    explicit: bool = Form(False),
    implicit: bool = Form(True),
    watermark: bool = Form(False),
    c2pa: bool = Form(False),
    label: str = Form("1"),
    lang: str = Form("zh"),
    position: str | None = Form(None),
    wording: str | None = Form(None),
    audio_notice: str = Form("rhythm"),
    _token: ApiToken = Depends(require("write")),
) -> Response:
    """Label an uploaded file; the answer is the labeled file, with the label in the X-Aigis-Label header."""
    from aigis.label.api import add_labels

    chosen = parse_lang(lang, "lang")
    with tempfile.TemporaryDirectory(prefix="aigis-add-") as tmp:
        src = await _save(file, Path(tmp), 0)
        dst = Path(tmp) / f"out-{src.name}"
        result = await run_in_threadpool(
            add_labels,
            src,
            dst,
            producer,
            produce_id,
            explicit=explicit,
            implicit=implicit,
            watermark=watermark,
            c2pa=c2pa,
            label=label,
            lang=chosen,
            position=position,
            wording=wording,
            audio_notice=audio_notice,
        )
        body = dst.read_bytes()
        sidecar = dst.with_name(dst.name + ".aigc.json")
        headers = {
            "X-Aigis-Label": json.dumps(result.label.to_dict() if result.label else None),
            "X-Aigis-Steps": json.dumps(result.steps, ensure_ascii=True, default=str)[:4000],
            "Content-Disposition": f'attachment; filename="{_safe_name(file.filename, 0)}"',
        }
        if sidecar.exists():
            headers["X-Aigis-Sidecar"] = sidecar.read_text(encoding="ascii").strip()
    return Response(content=body, media_type=file.content_type or "application/octet-stream", headers=headers)


CONSOLE = "/console/label"


def _view(item: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the console shows of one verification result, in one language."""
    from aigis.label import verify as v

    zh = lang == "zh"
    verdict = item["verdict"]
    metadata = item.get("metadata") or {}
    return {
        **item,
        "verdict_label": v.VERDICT_ZH[verdict] if zh else verdict.replace("_", " "),
        "reason_texts": [r["zh"] if zh else r["en"] for r in item["reasons"]],
        "label": metadata.get("label"),
    }


@router.get(CONSOLE, response_class=HTMLResponse, include_in_schema=False)
def console_label(request: Request) -> Response:
    """Upload a file and see its AIGC label verdict."""
    from aigis.server.console import render

    if current_token(request) is None:
        return RedirectResponse("/console/login", status_code=303)
    return render(request, "label_verify.html", {"result": None, "options": {"c2pa": True}})


@router.post(CONSOLE, response_class=HTMLResponse, include_in_schema=False)
async def console_label_verify(
    request: Request,
    file: UploadFile = File(...),
    watermark: bool = Form(False),
    c2pa: bool = Form(False),
    explicit: bool = Form(False),
) -> Response:
    from aigis.label import verify as v
    from aigis.server.console import render, request_lang

    if current_token(request) is None:
        return RedirectResponse("/console/login", status_code=303)
    options = {"watermark": watermark, "c2pa": c2pa, "explicit": explicit}
    extras = v.default_extras(**options)
    with tempfile.TemporaryDirectory(prefix="aigis-console-") as tmp:
        path = await _save(file, Path(tmp), 0)
        result = await run_in_threadpool(v.verify_file, path, None, extras)
    item = result.to_dict()
    item["path"] = file.filename or path.name
    view = _view(item, request_lang(request))
    return render(request, "label_verify.html", {"result": view, "options": options})
