"""Console entry, sign-in and sign-out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aigis.errors import AuthError
from aigis.server.auth import COOKIE, check_token
from aigis.server.console import NAV, render

router = APIRouter(include_in_schema=False)


@router.get("/console/")
@router.get("/console")
def console_home() -> RedirectResponse:
    return RedirectResponse(NAV[0][0])


@router.get("/console/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return render(request, "login.html", {"error": False})


@router.post("/console/login")
def login(request: Request, token: str = Form("")) -> Response:
    try:
        check_token(request, token.strip(), "read")
    except AuthError:
        return render(request, "login.html", {"error": True}, status_code=401)
    response = RedirectResponse("/console/", status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict")
    return response


@router.post("/console/logout")
def logout() -> Response:
    response = RedirectResponse("/console/", status_code=303)
    response.delete_cookie(COOKIE)
    return response
