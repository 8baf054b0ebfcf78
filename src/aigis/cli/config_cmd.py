"""aigis config show"""

from __future__ import annotations

import typer

from aigis.cli.output import OutputFormat, console, emit_data, table
from aigis.config import get_settings


def register(app: typer.Typer) -> None:
    config_app = typer.Typer(
        help="Settings (from AIGIS_* environment variables). / 配置。", no_args_is_help=True
    )

    @config_app.command("show")
    def show(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f")) -> None:
        """Show the settings in force; passwords in URLs are hidden."""
        data = get_settings().public_dict()
        if not emit_data(data, fmt):
            console.print(table("aigis config", ["setting", "value"], list(data.items())))

    app.add_typer(config_app, name="config")
