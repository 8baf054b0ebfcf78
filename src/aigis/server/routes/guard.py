"""Guard endpoints: POST /api/v1/guard/check (needs a token with the read scope); the review queue,
/api/v1/guard/reviews (reviewers need the write scope; a caller may poll its own review's status with
read); and the console pages /console/guard (paste a text, see the verdict) and /console/guard/reviews."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from typing import Any, Literal, get_args

from fastapi import APIRouter, Depends, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from aigis.errors import ConfigError, ConflictError, InputError, NotFoundError
from aigis.guard import Guard, load_policy, parse_policy
from aigis.server.auth import current_token, require
from aigis.store import ApiToken, Database
from aigis.store import guard_reviews as reviews
from aigis.store.tokens import scope_allows

router = APIRouter()
api = "/api/v1/guard"
MAX_TEXT = 10_000_000
_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


Direction = Literal["input", "output"]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., max_length=MAX_TEXT, description="The text to check.")
    direction: Direction = "input"
    prompt: str | None = Field(None, max_length=MAX_TEXT, description="For output checks: the prompt.")
    source: Literal["user", "document", "tool", "model"] | None = None
    lang: Literal["zh", "en"] | None = None
    # typed Any and checked below, so that a wrong type is one problem named "body.policy"
    policy: Any = Field(
        None, description="'default', the name of a policy file in AIGIS_HOME/policies, or an inline policy."
    )

    @field_validator("prompt")
    @classmethod
    def _prompt_for_output(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("direction") == "input":
            raise ValueError("a prompt is for output checks (the prompt a response answers), not input")
        return value

    @field_validator("policy")
    @classmethod
    def _policy_shape(cls, value: Any) -> str | dict[str, Any] | None:
        if value is None or isinstance(value, str | dict):
            return value
        raise ValueError(
            f"must be a policy name (a string) or an inline policy (an object), not {type(value).__name__}"
        )


_cache: OrderedDict[str, Guard] = OrderedDict()
_lock = threading.Lock()


def _policy_names(request: Request) -> list[str]:
    """ "default" and the policy files in AIGIS_HOME/policies, by name."""
    folder = request.app.state.settings.home / "policies"
    return ["default", *(sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else [])]


def _guard_for(request: Request, policy: str | dict[str, Any] | None) -> Guard:
    if isinstance(policy, dict):
        key = "inline:" + json.dumps(policy, sort_keys=True, ensure_ascii=False)
    elif policy in (None, "", "default"):
        key = "default"
    else:
        if not _NAME_RE.match(policy):
            raise InputError(f"policy {policy!r} is not a valid name: use letters, digits, '.', '_' or '-'")
        key = "file:" + policy
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    if isinstance(policy, dict):
        try:
            guard = Guard(parse_policy(policy, "in the request"))
        except ConfigError as exc:  # the request's own field is at fault: a 422 that names it
            raise RequestValidationError(
                [{"loc": ("body", "policy"), "msg": str(exc), "type": "value_error"}]
            ) from None
    elif key == "default":
        guard = Guard.default()
    else:
        folder = request.app.state.settings.home / "policies"
        path = folder / f"{policy}.yaml"
        if not path.is_file():
            raise NotFoundError("policy", str(policy), _policy_names(request))
        guard = Guard(load_policy(path))
    with _lock:
        _cache[key] = guard
        while len(_cache) > 16:
            _cache.popitem(last=False)
    return guard


@router.post(f"{api}/check", tags=["guard"])
def check(body: CheckRequest, request: Request, token: ApiToken = Depends(require("read"))) -> dict[str, Any]:
    """Check one text on its way into (input) or out of (output) a model; returns the verdict. A verdict
    whose action is ``review`` is queued for a reviewer, and its ``review`` field says where."""
    guard = _guard_for(request, body.policy)
    verdict = guard.check(body.text, body.direction, source=body.source, prompt=body.prompt, lang=body.lang)
    result = verdict.to_dict()
    if verdict.action == "review":
        shown = guard.mask(body.text, verdict.findings, body.direction)  # the reviewer sees no masked value
        asked = None
        if body.direction == "output" and body.prompt:  # masked as the policy masks an input
            asked = guard.mask(body.prompt, guard.check(body.prompt, "input").findings, "input")
        with _db(request).session() as session:
            row = reviews.enqueue_review(
                session,
                result,
                shown,
                masked=shown != body.text,
                prompt=asked,
                source=body.source or ("model" if body.direction == "output" else "user"),
                requested_by=token.name,
            )
            result["review"] = {"id": row.id, "status": row.status, "url": f"{api}/reviews/{row.id}"}
    return result


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    note: str | None = Field(None, max_length=reviews.MAX_NOTE, description="Why, for the record.")


@router.get(f"{api}/reviews", tags=["guard"])
def list_reviews(
    request: Request,
    status: str = "pending",
    limit: int = 100,
    offset: int = 0,
    _: ApiToken = Depends(require("write")),
) -> dict[str, Any]:
    """The review queue: reviews with ``status`` (pending, approved, rejected or all) and the counts."""
    with _db(request).session() as session:
        rows = reviews.list_reviews(session, status, limit, offset)
        return {
            "counts": reviews.count_reviews(session),
            "reviews": [row.to_dict() for row in rows],
        }


@router.get(f"{api}/reviews/{{review_id}}", tags=["guard"])
def get_review(
    review_id: str, request: Request, token: ApiToken = Depends(require("read"))
) -> dict[str, Any]:
    """One review. A read token sees where it stands (status, decision, note); the text, prompt and
    findings need the write scope of a reviewer."""
    with _db(request).session() as session:
        row = reviews.get_review(session, review_id)
        return row.to_dict(content=scope_allows(token.scope, "write"))


@router.post(f"{api}/reviews/{{review_id}}/decision", tags=["guard"])
def decide_review(
    review_id: str, body: DecisionRequest, request: Request, token: ApiToken = Depends(require("write"))
) -> dict[str, Any]:
    """Approve or reject a pending review; a decided review answers 409."""
    with _db(request).session() as session:
        row = reviews.decide_review(session, review_id, body.decision, token.name, body.note)
        return row.to_dict()


# -- console: /console/guard (paste a text, see the verdict; signed-in users only) ---------------------

CONSOLE = "/console/guard"
MAX_CONSOLE_TEXT = 1_000_000
ACTION_NAMES = {
    "allow": ("放行", "allow"),
    "flag": ("记录", "flag"),
    "mask": ("脱敏", "mask"),
    "block": ("拦截", "block"),
    "refuse": ("拒答", "refuse"),
    "review": ("人工审核", "review"),
}
CONSOLE_SOURCES = {
    "user": ("用户", "user"),
    "document": ("文档", "document"),
    "tool": ("工具输出", "tool output"),
}


def _console_context(form: dict[str, str], policies: list[str]) -> dict[str, Any]:
    """What the console's guard page renders before any check: the form as typed and its choices."""
    return {"form": form, "policies": policies, "sources": CONSOLE_SOURCES, "result": None, "error": None}


def highlighted(text: str, findings: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """``text`` cut into (piece, label) runs; a piece inside some finding's span carries the first such
    finding's "detector/category" label (where spans overlap, the first finding's), the rest None."""
    labels: list[str | None] = [None] * len(text)
    for f in findings:
        span = f.get("span")
        if not span:
            continue
        start, end = max(0, int(span[0])), min(len(text), int(span[1]))
        for i in range(start, end):
            if labels[i] is None:
                labels[i] = f"{f['detector']}/{f['category']}"
    runs: list[tuple[str, str | None]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or labels[i] != labels[start]:
            runs.append((text[start:i], labels[start]))
            start = i
    return runs


@router.get(CONSOLE, response_class=HTMLResponse, include_in_schema=False)
def console_guard(request: Request) -> Response:
    """A form to check one text with a guard policy."""
    from aigis.server.console import render

    if current_token(request) is None:
        return RedirectResponse("/console/login", status_code=303)
    form = {"text": "", "direction": "input", "source": "user", "policy": "default", "prompt": ""}
    return render(request, "guard_check.html", _console_context(form, _policy_names(request)))


@router.post(CONSOLE, response_class=HTMLResponse, include_in_schema=False)
def console_guard_check(
    request: Request,
    text: str = Form(""),
    direction: str = Form("input"),
    source: str = Form("user"),
    policy: str = Form("default"),
    prompt: str = Form(""),
) -> Response:
    from aigis.server.console import render, request_lang

    if current_token(request) is None:
        return RedirectResponse("/console/login", status_code=303)
    zh = request_lang(request) == "zh"
    form = {"text": text, "direction": direction, "source": source, "policy": policy, "prompt": prompt}
    policies = _policy_names(request)
    context = _console_context(form, policies)
    status = 400
    if direction not in get_args(Direction) or source not in CONSOLE_SOURCES:
        context["error"] = (
            "方向只能是 input 或 output，来源只能是 user、document 或 tool。"
            if zh
            else "direction must be input or output, and source user, document or tool."
        )
    elif not text.strip():
        context["error"] = "请输入要检查的文本。" if zh else "Enter a text to check."
    elif len(text) > MAX_CONSOLE_TEXT:
        context["error"] = (
            f"文本有 {len(text):,} 个字符，控制台最多接受 {MAX_CONSOLE_TEXT:,} 个；"
            "更长的文本请用 aigis guard scan。"
            if zh
            else f"The text has {len(text):,} characters; the console accepts {MAX_CONSOLE_TEXT:,} "
            "(use aigis guard scan for longer ones)."
        )
    elif policy not in policies:  # answered on the page, so the typed text stays in the form
        status = 404
        context["error"] = (
            f"没有名为 {policy!r} 的策略；可选：{'、'.join(policies)}。"
            if zh
            else f"unknown policy {policy!r}; choose one of: {', '.join(policies)}."
        )
    if context["error"]:
        return render(request, "guard_check.html", context, status_code=status)
    guard = _guard_for(request, policy)
    src = source if direction == "input" else None
    # an output is also judged by the prompt it answers (a response that goes along with a harmful request)
    asked = prompt if direction == "output" and prompt.strip() else None
    verdict = guard.check(text, direction, source=src, prompt=asked)  # type: ignore[arg-type]
    result = verdict.to_dict()
    result["action_label"] = ACTION_NAMES[verdict.action][0 if zh else 1]
    result["runs"] = highlighted(text, result["findings"])
    context["result"] = result
    return render(request, "guard_check.html", context)


# -- console: /console/guard/reviews (the review queue; reviewers need a write token) --------------------


def _reviewer(request: Request) -> Response | ApiToken:
    """The signed-in reviewer's token, or the page to answer instead (sign-in, or not allowed)."""
    from aigis.server.console import render, request_lang

    zh = request_lang(request) == "zh"
    signed_in = current_token(request)
    if signed_in is None:
        return RedirectResponse("/console/login", status_code=303)
    if not scope_allows(signed_in.scope, "write"):
        message = (
            f"令牌 {signed_in.name!r} 只有 {signed_in.scope!r} 权限；审核需要 'write' 权限。"
            if zh
            else f"the token {signed_in.name!r} has scope {signed_in.scope!r}; reviewing needs 'write'"
        )
        return render(request, "error.html", {"message": message}, status_code=403)
    return signed_in


@router.get(f"{CONSOLE}/reviews", response_class=HTMLResponse, include_in_schema=False)
def console_reviews(request: Request, status: str = "pending") -> Response:
    from aigis.server.console import render

    who = _reviewer(request)
    if not isinstance(who, ApiToken):
        return who
    with _db(request).session() as session:
        rows = [r.to_dict() for r in reviews.list_reviews(session, status, limit=500)]
        counts = reviews.count_reviews(session)
    return render(request, "guard_reviews.html", {"reviews": rows, "counts": counts, "status": status})


def _review_page(
    request: Request, review_id: str, note: str = "", error: str | None = None, status: int = 200
) -> Response:
    from aigis.server.console import render

    with _db(request).session() as session:
        data = reviews.get_review(session, review_id).to_dict()
    return render(request, "guard_review_detail.html", {"review": data, "note": note, "error": error}, status)


@router.get(f"{CONSOLE}/reviews/{{review_id}}", response_class=HTMLResponse, include_in_schema=False)
def console_review(request: Request, review_id: str) -> Response:
    who = _reviewer(request)
    if not isinstance(who, ApiToken):
        return who
    return _review_page(request, review_id)


@router.post(f"{CONSOLE}/reviews/{{review_id}}", response_class=HTMLResponse, include_in_schema=False)
def console_decide(
    request: Request, review_id: str, decision: str = Form(""), note: str = Form("")
) -> Response:
    who = _reviewer(request)
    if not isinstance(who, ApiToken):
        return who
    try:
        with _db(request).session() as session:
            reviews.decide_review(session, review_id, decision, who.name, note.strip() or None)
    except (InputError, ConflictError) as exc:  # answered on the page, the note kept
        return _review_page(request, review_id, note, str(exc), exc.http_status)
    return RedirectResponse(f"{CONSOLE}/reviews/{review_id}", status_code=303)
