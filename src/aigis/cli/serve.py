"""aigis serve"""

from __future__ import annotations

import typer

from aigis.cli.output import console
from aigis.config import get_settings, redact_url


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str | None = typer.Option(None, help="Address to bind (default AIGIS_HOST or 127.0.0.1)."),
        port: int | None = typer.Option(None, help="Port (default AIGIS_PORT or 8470).", min=1, max=65535),
    ) -> None:
        """Run the REST API and the web console (migrates the database first)."""
        import uvicorn

        from aigis.server import create_app
        from aigis.store import Database

        settings = get_settings()
        settings.ensure_home()
        db = Database.from_settings(settings)
        db.upgrade()
        bind_host = host or settings.host
        bind_port = port or settings.port
        console.print(
            f"aigis console: http://{bind_host}:{bind_port}/console/  "
            f"API docs: http://{bind_host}:{bind_port}/docs  "
            f"database: {redact_url(db.url)}",
            highlight=False,
        )
        uvicorn.run(
            create_app(settings, db, migrate=False),
            host=bind_host,
            port=bind_port,
            log_level="info",
            access_log=True,
        )
