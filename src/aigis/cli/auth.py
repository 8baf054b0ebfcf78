"""aigis auth token create|list|revoke"""

from __future__ import annotations

import typer

from aigis.cli.output import console, table
from aigis.config import get_settings
from aigis.store import SCOPES, Database, create_token, list_tokens, revoke_token


def _db() -> Database:
    settings = get_settings()
    settings.ensure_home()
    db = Database.from_settings(settings)
    db.upgrade()
    return db


def register(app: typer.Typer) -> None:
    auth_app = typer.Typer(help="API tokens for the REST API and console. / API 令牌。", no_args_is_help=True)
    token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
    auth_app.add_typer(token_app, name="token")

    @token_app.command("create")
    def create(
        name: str,
        scope: str = typer.Option("write", help=f"One of: {', '.join(SCOPES)}."),
    ) -> None:
        """Create a token; its value is shown once and only its hash is stored."""
        with _db().session() as s:
            secret = create_token(s, name, scope)
        console.print(f"token {name!r} ({scope}); keep it now, it will not be shown again:", highlight=False)
        print(secret)

    @token_app.command("list")
    def list_() -> None:
        """List tokens (never their values)."""
        with _db().session() as s:
            rows = [
                (t.name, t.scope, t.created_at, "revoked" if t.revoked_at else "active")
                for t in list_tokens(s)
            ]
        console.print(table("API tokens", ["name", "scope", "created", "state"], rows))

    @token_app.command("revoke")
    def revoke(name: str) -> None:
        """Revoke a token by name."""
        with _db().session() as s:
            revoke_token(s, name)
        console.print(f"revoked {name!r}", highlight=False)

    app.add_typer(auth_app, name="auth")
