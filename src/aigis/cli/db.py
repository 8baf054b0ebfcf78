"""aigis db upgrade|status"""

from __future__ import annotations

import typer

from aigis.cli.output import console
from aigis.config import get_settings, redact_url
from aigis.store import Database


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database migrations. / 数据库迁移。", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade() -> None:
        """Create or migrate the database to the newest schema."""
        settings = get_settings()
        settings.ensure_home()
        db = Database.from_settings(settings)
        heads = db.upgrade()
        console.print(f"database {redact_url(db.url)} at revision {', '.join(heads)}", highlight=False)

    @db_app.command("status")
    def status() -> None:
        """Show the applied and the newest revisions."""
        db = Database.from_settings(get_settings())
        current, heads = db.current_revisions(), db.head_revisions()
        console.print(
            f"applied: {', '.join(current) or '(none)'}\nnewest:  {', '.join(heads)}", highlight=False
        )
        if current != heads:
            console.print("migrations pending: run 'aigis db upgrade'")

    app.add_typer(db_app, name="db")
