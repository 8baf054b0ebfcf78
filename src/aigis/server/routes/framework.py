"""Framework endpoints (/api/v1/framework) and console pages (/console/framework). Public data: no token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from aigis.errors import InputError
from aigis.framework import KINDS, Clause, load_framework
from aigis.server.console import render

router = APIRouter()
api = "/api/v1/framework"


@router.get(f"{api}/clauses", tags=["framework"])
def list_clauses(kind: str | None = None, parent: str | None = None) -> list[dict[str, Any]]:
    """Every clause (or those of one kind / under one parent), in document order."""
    return [c.to_dict() for c in load_framework().list(kind=kind, parent=parent)]


@router.get(f"{api}/clauses/{{clause_id:path}}", tags=["framework"])
def get_clause(clause_id: str) -> dict[str, Any]:
    """One clause by id, e.g. 3.2.1(a), 4.2.2(b), 6.3.6, A3.15, TC260-A.1.1, LLM01:2025."""
    return load_framework().get(clause_id).to_dict()


@router.get(f"{api}/search", tags=["framework"])
def search(
    q: str = Query(..., min_length=1, max_length=200),
    lang: str | None = Query(None, pattern="^(zh|en)$"),
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """Clauses whose zh or en title or text contains q (titles first)."""
    return [c.to_dict() for c in load_framework().search(q, lang=lang, kind=kind)]  # type: ignore[arg-type]


@router.get(f"{api}/map/{{risk_id:path}}", tags=["framework"])
def map_risk(risk_id: str) -> dict[str, Any]:
    """The technical measures, governance measures and guidelines that answer a risk."""
    return load_framework().measures_for(risk_id).to_dict()


@router.get(f"{api}/kinds", tags=["framework"])
def kinds() -> list[str]:
    return list(KINDS)


@router.get("/console/framework", response_class=HTMLResponse, include_in_schema=False)
def console_list(request: Request, kind: str = "", q: str = "") -> Response:
    fw = load_framework()
    kind_filter = kind if kind in KINDS else None
    q = q.strip()[:200]
    clauses: list[Clause] = fw.search(q, kind=kind_filter) if q else fw.list(kind=kind_filter)
    return render(
        request,
        "framework_list.html",
        {"clauses": clauses, "kinds": KINDS, "kind": kind_filter or "", "q": q},
    )


@router.get("/console/framework/{clause_id:path}", response_class=HTMLResponse, include_in_schema=False)
def console_detail(request: Request, clause_id: str) -> Response:
    fw = load_framework()
    clause = fw.get(clause_id)
    mapping = fw.measures_for(clause.id) if clause.kind == "risk" else None
    try:
        addressed = fw.risks_for(clause.id) if clause.kind in ("measure", "governance") else []
    except InputError:
        addressed = []
    parent = fw.get(clause.parent) if clause.parent else None
    children = fw.list(parent=clause.id)
    return render(
        request,
        "framework_detail.html",
        {"c": clause, "mapping": mapping, "addressed": addressed, "parent": parent, "children": children},
    )
