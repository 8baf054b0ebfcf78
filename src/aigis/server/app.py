"""Application factory. Route modules in ``aigis.server.routes`` that define ``router`` are mounted,
so adding a capability's endpoints is adding one file."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from aigis import __version__
from aigis.config import Settings, get_settings
from aigis.errors import AigisError
from aigis.plugins import import_submodules
from aigis.server import routes
from aigis.server.auth import FAILED_AUTH_LIMIT, FAILED_AUTH_WINDOW_SECONDS, authenticate_route
from aigis.state import RateLimiter, open_state
from aigis.store import Database

log = logging.getLogger("aigis.server")
STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, db: Database | None = None, migrate: bool = True) -> FastAPI:
    settings = settings or get_settings()
    if db is None:
        settings.ensure_home()
        db = Database.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate:
            db.upgrade()
        yield

    app = FastAPI(
        title="aigis",
        version=__version__,
        description="AI Safety Governance Framework 2.0, executable. REST API under /api/v1.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.shared = open_state(settings.redis_url)
    app.state.auth_failures = RateLimiter(
        app.state.shared, "auth-failures", FAILED_AUTH_LIMIT, FAILED_AUTH_WINDOW_SECONDS
    )

    @app.exception_handler(AigisError)
    async def _aigis_error(request: Request, exc: AigisError) -> Response:
        if request.url.path.startswith("/console"):
            from aigis.server.console import render

            return render(request, "error.html", {"message": str(exc)}, status_code=exc.http_status)
        return JSONResponse({"error": exc.code, "message": str(exc)}, status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        try:
            await run_in_threadpool(authenticate_route, request)
        except AigisError as auth_error:
            return await _aigis_error(request, auth_error)
        problems = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ())),
                # a validator's own message, without pydantic's "Value error, " before it
                "message": str(err.get("msg", "")).removeprefix("Value error, "),
            }
            for err in exc.errors()
        ]
        return JSONResponse(
            {"error": "invalid_input", "message": "the request is not valid", "problems": problems},
            status_code=422,
        )

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in import_submodules(routes.__name__):
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)
    return app
