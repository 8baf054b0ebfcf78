"""AI system inventory and risk grading: REST (/api/v1/systems, /api/v1/grade, /api/v1/packs) and console
pages (/console/systems). Reading systems needs a 'read' token, changing them a 'write' token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from aigis.errors import AigisError, AuthError, NotFoundError
from aigis.grading import Pack, ValidationFailed, grade, list_packs, load_pack_text
from aigis.grading import inventory as inv
from aigis.grading.report import to_html, to_markdown
from aigis.grading.system import parse_text, systems_from_data
from aigis.server.auth import require, token_from_request
from aigis.server.console import render
from aigis.store import ApiToken, Database, authenticate

router = APIRouter()
API = "/api/v1"
FORMATS = "^(json|md|html)$"


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _invalid(exc: ValidationFailed) -> JSONResponse:
    return JSONResponse(
        {"error": exc.code, "message": str(exc), "problems": [p.to_dict() for p in exc.problems]},
        status_code=422,
    )


def _shipped(pack_id: str) -> Pack:
    shipped = {p.id: p for p in list_packs()}
    if pack_id not in shipped:
        raise NotFoundError("rule pack", pack_id, sorted(shipped))
    return shipped[pack_id]


def _report(result: Any, fmt: str) -> Response:
    if fmt == "md":
        return PlainTextResponse(to_markdown(result), media_type="text/markdown; charset=utf-8")
    if fmt == "html":
        return HTMLResponse(to_html(result))
    return JSONResponse(result.to_dict())


# -- REST: systems ----------------------------------------------------------------------------------


@router.get(f"{API}/systems", tags=["grading"])
def list_systems(request: Request, _: ApiToken = Depends(require("read"))) -> list[dict[str, Any]]:
    """Registered AI systems with their current level."""
    return inv.listing(_db(request))


@router.post(f"{API}/systems", tags=["grading"], status_code=201, response_model=None)
def add_system(
    request: Request, system: dict[str, Any] = Body(...), token: ApiToken = Depends(require("write"))
) -> dict[str, Any] | JSONResponse:
    """Register a system (the body follows the system JSON Schema, GET /api/v1/systems/schema)."""
    try:
        return inv.add(_db(request), system, token.name, "request body")
    except ValidationFailed as exc:
        return _invalid(exc)


@router.get(f"{API}/systems/schema", tags=["grading"])
def system_schema_endpoint() -> dict[str, Any]:
    """The JSON Schema of a system description."""
    from aigis.grading import system_schema

    return system_schema()


@router.get(f"{API}/systems/{{name}}", tags=["grading"])
def get_system(request: Request, name: str, _: ApiToken = Depends(require("read"))) -> dict[str, Any]:
    return inv.get(_db(request), name)


@router.put(f"{API}/systems/{{name}}", tags=["grading"], response_model=None)
def replace_system(
    request: Request,
    name: str,
    system: dict[str, Any] = Body(...),
    token: ApiToken = Depends(require("write")),
) -> dict[str, Any] | JSONResponse:
    """Replace a system's description; the answer lists what changed (a new version when anything did)."""
    try:
        return inv.update(_db(request), name, system, token.name, "request body")
    except ValidationFailed as exc:
        return _invalid(exc)


@router.delete(f"{API}/systems/{{name}}", tags=["grading"])
def delete_system(request: Request, name: str, token: ApiToken = Depends(require("write"))) -> dict[str, Any]:
    version = inv.remove(_db(request), name, token.name)
    return {"name": name, "removed": True, "version": version}


@router.get(f"{API}/systems/{{name}}/history", tags=["grading"])
def system_history(
    request: Request, name: str, _: ApiToken = Depends(require("read"))
) -> list[dict[str, Any]]:
    """Every version: who, when, and the field-by-field changes."""
    return inv.history(_db(request), name)


@router.get(f"{API}/systems/{{name}}/grade", tags=["grading"])
def grade_system(
    request: Request,
    name: str,
    pack: str | None = None,
    format: str = Query("json", pattern=FORMATS),
    _: ApiToken = Depends(require("read")),
) -> Response:
    """Grade a registered system: json, md or html (bilingual, self-contained)."""
    if pack is not None:
        _shipped(pack)  # the server never reads pack files from its own disk
    return _report(inv.grade_registered(_db(request), name, pack), format)


@router.post(f"{API}/grade", tags=["grading"], response_model=None)
def grade_unsaved(
    body: dict[str, Any] = Body(...),
    format: str = Query("json", pattern=FORMATS),
    _: ApiToken = Depends(require("read")),
) -> Response:
    """Grade a system without registering it: {"system": {...}, "pack": "finance"} or
    {"system": {...}, "pack_yaml": "..."} for a custom pack; the system alone is also accepted."""
    system = body.get("system", body)
    try:
        if isinstance(body.get("pack_yaml"), str):
            pack = load_pack_text(body["pack_yaml"], "pack_yaml")
        elif isinstance(body.get("pack"), str):
            pack = _shipped(body["pack"])
        else:
            pack = None
        results = [grade(s, pack) for s in systems_from_data(system, "system")]
    except ValidationFailed as exc:
        return _invalid(exc)
    return _report(results[0], format)


# -- REST: packs (public, like the framework) -------------------------------------------------------


@router.get(f"{API}/packs", tags=["grading"])
def packs() -> list[dict[str, Any]]:
    return [p.summary() for p in list_packs()]


@router.get(f"{API}/packs/{{pack_id}}", tags=["grading"])
def pack_detail(pack_id: str) -> dict[str, Any]:
    return _shipped(pack_id).to_dict()


@router.post(f"{API}/packs/validate", tags=["grading"], response_model=None)
async def validate_pack(request: Request) -> dict[str, Any] | JSONResponse:
    """Validate a pack sent as YAML or JSON text; 422 lists every problem."""
    text = (await request.body()).decode("utf-8", errors="replace")
    try:
        pack = load_pack_text(text, "request body")
    except ValidationFailed as exc:
        return _invalid(exc)
    return {"ok": True, **pack.summary()}


# -- console ----------------------------------------------------------------------------------------


def _console_token(request: Request, scope: str) -> ApiToken | None:
    token = token_from_request(request)
    if not token:
        return None
    try:
        with _db(request).session() as session:
            return authenticate(session, token, scope)
    except AuthError:
        return None


@router.get("/console/systems", response_class=HTMLResponse, include_in_schema=False)
def console_list(request: Request) -> Response:
    if _console_token(request, "read") is None:
        return RedirectResponse("/console/login", status_code=303)
    return render(
        request,
        "grading_list.html",
        {"systems": inv.listing(_db(request)), "spec": "", "problems": [], "error": ""},
    )


@router.post("/console/systems", response_class=HTMLResponse, include_in_schema=False)
def console_add(request: Request, spec: str = Form("")) -> Response:
    token = _console_token(request, "write")
    if token is None:
        return render(
            request,
            "error.html",
            {"message": "a token with the 'write' scope is needed to register systems"},
            status_code=403,
        )
    problems: list[str] = []
    error = ""
    try:
        items = systems_from_data(parse_text(spec, "spec"), "spec")
        for item in items:
            inv.add(_db(request), item, token.name, "spec")
    except ValidationFailed as exc:
        problems = [str(p) for p in exc.problems]
    except AigisError as exc:  # duplicate names, YAML syntax
        error = str(exc)
    if problems or error:
        return render(
            request,
            "grading_list.html",
            {"systems": inv.listing(_db(request)), "spec": spec, "problems": problems, "error": error},
            status_code=422,
        )
    target = f"/console/systems/{items[0]['name']}" if len(items) == 1 else "/console/systems"
    return RedirectResponse(target, status_code=303)


@router.get("/console/systems/{name}", response_class=HTMLResponse, include_in_schema=False)
def console_detail(request: Request, name: str) -> Response:
    if _console_token(request, "read") is None:
        return RedirectResponse("/console/login", status_code=303)
    db = _db(request)
    record = inv.get(db, name)
    result = grade(record["system"])
    return render(
        request, "grading_detail.html", {"record": record, "result": result, "history": inv.history(db, name)}
    )
