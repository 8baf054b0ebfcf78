"""Server-rendered console: templates, per-request language, navigation. Every asset is served locally."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from aigis import __version__
from aigis.i18n import Lang
from aigis.server.auth import current_token

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _merge_query(params: Any, **changes: str) -> str:
    merged = {**dict(params), **changes}
    return urlencode(merged)


TEMPLATES.env.filters["merge_query"] = _merge_query
LANG_COOKIE = "aigis_lang"

# Console navigation: (path, zh, en). Capabilities add their entry here.
NAV: list[tuple[str, str, str]] = [
    ("/console/framework", "框架", "Framework"),
    ("/console/systems", "系统台账", "AI systems"),
    ("/console/assess", "安全评估", "Assessment"),
    ("/console/label", "内容标识", "AIGC labels"),
    ("/console/guard", "安全护栏", "Guardrails"),
]

UI: dict[str, tuple[str, str]] = {
    "title": ("aigis 人工智能安全治理", "aigis AI safety governance"),
    "search": ("搜索", "Search"),
    "all_kinds": ("全部类型", "All kinds"),
    "id": ("编号", "ID"),
    "kind": ("类型", "Kind"),
    "name": ("名称", "Title"),
    "results": ("条结果", "results"),
    "no_results": ("没有匹配的条目", "Nothing matches"),
    "technical": ("技术应对措施", "Technical measures"),
    "governance": ("综合治理措施", "Governance measures"),
    "guidelines": ("安全指引", "Guidelines"),
    "divergence": ("英文版差异", "English-text divergence"),
    "addressed_by": ("对应风险", "Risks addressed"),
    "parent": ("上级", "Parent"),
    "children": ("下级条目", "Contents"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "token": ("API 令牌", "API token"),
    "signed_in_as": ("已登录", "Signed in as"),
    "bad_token": ("令牌无效", "The token is not valid"),
    "back": ("返回", "Back"),
}


KIND_NAMES: dict[str, tuple[str, str]] = {
    "principle": ("治理原则", "principle"),
    "structure": ("框架构成", "structure"),
    "section": ("章节", "section"),
    "risk": ("安全风险", "risk"),
    "measure": ("技术应对措施", "technical measure"),
    "governance": ("综合治理措施", "governance measure"),
    "guideline": ("安全指引", "guideline"),
    "grading_element": ("分级要素", "grading element"),
    "risk_level": ("风险等级", "risk level"),
    "standard_tier": ("标准体系层级", "standards tier"),
    "trust_principle": ("可信准则", "trustworthy-AI principle"),
    "term": ("术语", "term"),
    "tc260_class": ("TC260-003 风险类别", "TC260-003 risk class"),
    "tc260": ("TC260-003 风险", "TC260-003 risk"),
    "owasp": ("OWASP LLM Top 10", "OWASP LLM Top 10"),
}


def kind_name(kind: str, lang: Lang) -> str:
    zh, en = KIND_NAMES.get(kind, (kind, kind))
    return zh if lang == "zh" else en


TEMPLATES.env.globals["kind_name"] = kind_name


def request_lang(request: Request) -> Lang:
    """?lang= first, then the console's cookie, then Accept-Language; English otherwise."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in ("zh", "en"):
            return value  # type: ignore[return-value]
    accept = request.headers.get("accept-language", "").lower()
    return "zh" if accept.startswith("zh") else "en"


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    lang = request_lang(request)
    token = current_token(request)
    base = {
        "request": request,
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "t": {key: (zh if lang == "zh" else en) for key, (zh, en) in UI.items()},
        "nav": [(path, zh if lang == "zh" else en) for path, zh, en in NAV],
        "user": token.name if token else None,
        "version": __version__,
    }
    response = TEMPLATES.TemplateResponse(request, template, {**base, **context}, status_code=status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", httponly=True)
    return response
