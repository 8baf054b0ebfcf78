"""Guard endpoint: POST /api/v1/guard/check (needs a token with the read scope)."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from aigis.errors import InputError, NotFoundError
from aigis.guard import Guard, load_policy, parse_policy
from aigis.server.auth import require
from aigis.store import ApiToken

router = APIRouter()
api = "/api/v1/guard"
MAX_TEXT = 10_000_000
_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., max_length=MAX_TEXT, description="The text to check.")
    direction: Literal["input", "output"] = "input"
    prompt: str | None = Field(None, max_length=MAX_TEXT, description="For output checks: the prompt.")
    source: Literal["user", "document", "tool", "model"] | None = None
    lang: Literal["zh", "en"] | None = None
    policy: str | dict[str, Any] | None = Field(
        None, description="'default', the name of a policy file in AIGIS_HOME/policies, or an inline policy."
    )


_cache: OrderedDict[str, Guard] = OrderedDict()
_lock = threading.Lock()


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
        guard = Guard(parse_policy(policy, "in the request"))
    elif key == "default":
        guard = Guard.default()
    else:
        folder = request.app.state.settings.home / "policies"
        path = folder / f"{policy}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
            raise NotFoundError("policy", str(policy), ["default", *known])
        guard = Guard(load_policy(path))
    with _lock:
        _cache[key] = guard
        while len(_cache) > 16:
            _cache.popitem(last=False)
    return guard


@router.post(f"{api}/check", tags=["guard"])
def check(body: CheckRequest, request: Request, _: ApiToken = Depends(require("read"))) -> dict[str, Any]:
    """Check one text on its way into (input) or out of (output) a model; returns the verdict."""
    guard = _guard_for(request, body.policy)
    verdict = guard.check(body.text, body.direction, source=body.source, prompt=body.prompt, lang=body.lang)
    return verdict.to_dict()
