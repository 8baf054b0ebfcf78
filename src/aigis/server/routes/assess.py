"""Assessment endpoints (/api/v1/assess): start a run in the background, watch its progress, read its
attempts and report, resume it. Starting and resuming need a write token; reading needs read."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from aigis.assess.redact import redact_attempts, redact_run
from aigis.assess.runner import DEFAULT_SCORERS
from aigis.server.auth import current_token, require
from aigis.server.console import render as render_page
from aigis.store import ApiToken, Database
from aigis.store import assess as store

router = APIRouter()
api = "/api/v1/assess"


class RunRequest(BaseModel):
    suite: str = "tc260"
    target: dict[str, Any]
    attacks: list[str] = Field(default_factory=lambda: ["default"])
    scorers: list[str] = Field(default_factory=lambda: list(DEFAULT_SCORERS))
    scorer_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    seed: int = 0
    langs: list[str] = Field(default_factory=list)
    sets: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    limit: int | None = None
    limits: dict[str, Any] = Field(default_factory=dict)
    canary: bool = True
    system_name: str | None = None
    clauses: list[str] = Field(default_factory=list)


def _execute(db: Database, run_id: str) -> None:
    from aigis.assess.runner import execute

    try:
        asyncio.run(execute(db, run_id))
    except Exception as exc:  # recorded on the run; the client watches the status
        with db.session() as session:
            store.set_run_status(session, run_id, "failed", error=f"{type(exc).__name__}: {exc}"[:1000])


def _progress(db: Database, run_id: str) -> dict[str, Any]:
    with db.session() as session:
        run = store.get_run(session, run_id)
        data = store.run_dict(run)
        counts = store.attempt_counts(session, run_id)
    done, failed = counts.get("ok", 0), counts.get("error", 0)
    data["progress"] = {
        "total": run.total,
        "done": done,
        "failed": failed,
        "remaining": run.total - done - failed,
    }
    data["summary"] = run.summary
    return redact_run(data)


@router.post(f"{api}/runs", tags=["assess"], status_code=202)
def start_run(
    body: RunRequest, background: BackgroundTasks, request: Request, _: ApiToken = Depends(require("write"))
) -> dict[str, Any]:
    """Validate the plan, store the run and execute it in the background; poll GET …/runs/{id}."""
    from aigis.assess.runner import RunConfig, create_run

    db: Database = request.app.state.db
    run_id = create_run(db, RunConfig(**body.model_dump()))
    background.add_task(_execute, db, run_id)
    return _progress(db, run_id)


@router.post(f"{api}/runs/{{run_id}}/resume", tags=["assess"], status_code=202)
def resume_run(
    run_id: str, background: BackgroundTasks, request: Request, _: ApiToken = Depends(require("write"))
) -> dict[str, Any]:
    """Resume a stopped run: finished attempts are kept, the rest run again."""
    db: Database = request.app.state.db
    data = _progress(db, run_id)
    background.add_task(_execute, db, run_id)
    return data


@router.get(f"{api}/runs", tags=["assess"])
def list_runs(
    request: Request, system: str | None = None, _: ApiToken = Depends(require("read"))
) -> list[dict[str, Any]]:
    db: Database = request.app.state.db
    with db.session() as session:
        return [redact_run(store.run_dict(r)) for r in store.list_runs(session, system_name=system)]


@router.get(f"{api}/runs/{{run_id}}", tags=["assess"])
def get_run(run_id: str, request: Request, _: ApiToken = Depends(require("read"))) -> dict[str, Any]:
    """The run, its progress (total, done, failed, remaining) and, once finished, its metrics."""
    return _progress(request.app.state.db, run_id)


@router.get(f"{api}/runs/{{run_id}}/attempts", tags=["assess"])
def get_attempts(
    run_id: str,
    request: Request,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
    _: ApiToken = Depends(require("read")),
) -> list[dict[str, Any]]:
    db: Database = request.app.state.db
    with db.session() as session:
        run = store.run_dict(store.get_run(session, run_id))
        attempts = store.load_attempts(session, run_id)[offset : offset + limit]
    return redact_attempts(run, attempts)


@router.get(f"{api}/runs/{{run_id}}/report", tags=["assess"])
def get_report(
    run_id: str,
    request: Request,
    format: str = Query("html", pattern="^(html|md|json|csv)$"),
    lang: str = Query("en", pattern="^(zh|en)$"),
    _: ApiToken = Depends(require("read")),
) -> Response:
    from aigis.assess.report import render

    text = render(request.app.state.db, run_id, format, lang)
    if format == "html":
        return HTMLResponse(text)
    media = {"md": "text/markdown", "json": "application/json", "csv": "text/csv"}[format]
    return PlainTextResponse(text, media_type=f"{media}; charset=utf-8")


@router.get("/api/v1/systems/{name}/assessments", tags=["assess"])
def system_assessments(
    name: str,
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    _: ApiToken = Depends(require("read")),
) -> dict[str, Any]:
    """The assessment runs attached to an AI system (newest first) with their pass rate and TC260
    verdict, and the framework clause ids its finished runs are evidence for."""
    from aigis.assess.overview import run_overview

    db: Database = request.app.state.db
    with db.session() as session:
        rows = store.list_runs(session, limit=limit, system_name=name)
        if not rows:
            store.check_system(session, name)
        runs = [run_overview(redact_run(store.run_dict(r)), r.summary) for r in rows]
    evidence = sorted({c for r in runs if r["status"] == "finished" for c in r["clauses"]})
    return {"system": name, "runs": runs, "evidence_clauses": evidence}


@router.get(f"{api}/suites", tags=["assess"])
def list_suites(_: ApiToken = Depends(require("read"))) -> list[dict[str, Any]]:
    from aigis.assess.suites import list_suites as suites

    return [s.summary() for s in suites()]


def _console_runs(db: Database, lang: str) -> list[dict[str, Any]]:
    from aigis.assess.overview import run_overview, verdict_label

    with db.session() as session:
        rows = [(redact_run(store.run_dict(r)), r.summary) for r in store.list_runs(session, limit=200)]
    out = []
    for run, summary in rows:
        view = run_overview(run, summary)
        view["verdict_label"] = verdict_label(view["tc260"]["verdict"], lang)
        out.append(view)
    return out


@router.get("/console/assess", response_class=HTMLResponse, include_in_schema=False)
def console_runs(request: Request) -> Response:
    """Assessment runs: status, pass rate and TC260 verdict."""
    from aigis.server.console import request_lang

    if current_token(request) is None:
        return RedirectResponse("/console/login", status_code=303)
    runs = _console_runs(request.app.state.db, request_lang(request))
    return render_page(request, "assess_list.html", {"runs": runs})


@router.get("/console/assess/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def console_run(run_id: str, request: Request) -> Response:
    """One run: progress, metrics, TC260 verdicts and links to its reports."""
    from aigis.assess.overview import run_overview, verdict_label
    from aigis.server.console import request_lang

    if current_token(request) is None:
        return RedirectResponse("/console/login", status_code=303)
    data = _progress(request.app.state.db, run_id)
    view = run_overview(data, data.get("summary"))
    view["verdict_label"] = verdict_label(view["tc260"]["verdict"], request_lang(request))
    return render_page(request, "assess_detail.html", {"run": data, "view": view, "s": data.get("summary")})
