"""aigis systems add|list|show|update|history|remove: the AI system inventory."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import typer
from rich.panel import Panel

from aigis.cli.output import OutputFormat, console, emit_data, table
from aigis.config import get_settings
from aigis.errors import InputError
from aigis.grading import inventory as inv
from aigis.grading.system import read_file, systems_from_data
from aigis.i18n import resolve_lang
from aigis.store import Database

LangOpt = typer.Option(None, "--lang", "-l", help="zh or en (default: AIGIS_LANG, then the locale).")
FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or yaml.")
SetOpt = typer.Option([], "--set", "-s", help="FIELD=VALUE, e.g. --set scale.users=200000 (repeatable).")
ActorOpt = typer.Option(
    None, "--actor", help="Who makes the change (default: AIGIS_ACTOR, then the OS user)."
)


def open_db() -> Database:
    settings = get_settings()
    settings.ensure_home()
    db = Database.from_settings(settings)
    db.upgrade()
    return db


def actor_name(explicit: str | None) -> str:
    if explicit:
        return explicit
    env = os.environ.get("AIGIS_ACTOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers)
        return "unknown"


def _show_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def register(app: typer.Typer) -> None:
    sys_app = typer.Typer(
        help="The AI system inventory (5.5, 6.2.1). / 人工智能系统台账。", no_args_is_help=True
    )

    @sys_app.command("add")
    def add(
        file: Path | None = typer.Argument(
            None, help="YAML or JSON file with one system or a list of systems."
        ),
        sets: list[str] = SetOpt,
        actor: str | None = ActorOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Register systems from a file, or one system from --set FIELD=VALUE options."""
        if file is None and not sets:
            raise InputError(
                "give a YAML/JSON file or --set FIELD=VALUE options (name, owner, roles, purpose, "
                "sector, intelligence are required)"
            )
        if file is not None:
            source = str(file)
            items = systems_from_data(read_file(file), source)
            items = [inv.apply_settings(item, sets) for item in items]
        else:
            source = "--set"
            items = [inv.apply_settings({}, sets)]
        db = open_db()
        who = actor_name(actor)
        added = [inv.add(db, item, who, source) for item in items]
        if not emit_data(added, fmt):
            for row in added:
                console.print(f"added {row['name']!r} (version {row['version']})", highlight=False)

    @sys_app.command("list")
    def list_(lang: str | None = LangOpt, fmt: OutputFormat = FormatOpt) -> None:
        """Registered systems with their current risk level."""
        chosen = resolve_lang(lang)
        rows = inv.listing(open_db())
        if emit_data(rows, fmt):
            return
        zh = chosen == "zh"
        heads = (
            ["名称", "组织", "行业", "等级", "规则包", "版本", "状态"]
            if zh
            else ["name", "owner", "sector", "level", "pack", "version", "status"]
        )
        console.print(
            table(
                f"{'人工智能系统' if zh else 'AI systems'} ({len(rows)})",
                heads,
                [
                    (
                        r["name"],
                        r["system"]["owner"],
                        r["system"]["sector"],
                        f"{r['level']['level']} {r['level']['zh' if zh else 'en']}",
                        r["pack"]["id"],
                        r["version"],
                        r["system"].get("status"),
                    )
                    for r in rows
                ],
            )
        )

    @sys_app.command("show")
    def show(name: str, fmt: OutputFormat = FormatOpt) -> None:
        """One system's current description."""
        row = inv.get(open_db(), name)
        if emit_data(row, fmt):
            return
        rows = [(k, _show_value(v)) for k, v in row["system"].items()]
        console.print(
            table(
                f"{name} (version {row['version']}, {row['updated_by']}, {row['updated_at']})",
                ["field", "value"],
                rows,
            )
        )

    @sys_app.command("update")
    def update(
        name: str,
        file: Path | None = typer.Option(None, "--file", help="Replace the description with this file's."),
        sets: list[str] = SetOpt,
        actor: str | None = ActorOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Change a system: --set FIELD=VALUE (repeatable) or --file with a full description."""
        if file is None and not sets:
            raise InputError("nothing to change: give --set FIELD=VALUE or --file FILE")
        db = open_db()
        who = actor_name(actor)
        if file is not None:
            items = systems_from_data(read_file(file), str(file))
            if len(items) != 1:
                raise InputError(f"{file}: has {len(items)} systems; --file needs exactly one")
            result = inv.update(db, name, inv.apply_settings(items[0], sets), who, str(file))
        else:
            result = inv.patch(db, name, sets, who)
        if emit_data(result, fmt):
            return
        if not result["changes"]:
            console.print(f"{name!r} unchanged (version {result['version']})", highlight=False)
            return
        console.print(
            table(
                f"{name}: version {result['version']}",
                ["field", "old", "new"],
                [(c["field"], _show_value(c["old"]), _show_value(c["new"])) for c in result["changes"]],
            )
        )

    @sys_app.command("history")
    def history(name: str, fmt: OutputFormat = FormatOpt) -> None:
        """Every version of a system: who changed what, and when."""
        rows = inv.history(open_db(), name)
        if emit_data(rows, fmt):
            return
        out = []
        for row in rows:
            changes = (
                "; ".join(
                    f"{c['field']}: {_show_value(c['old'])} → {_show_value(c['new'])}" for c in row["changes"]
                )
                if row["action"] == "update"
                else ""
            )
            out.append((row["version"], row["action"], row["actor"], row["at"], changes))
        console.print(table(f"{name}: history", ["version", "action", "by", "at", "changes"], out))

    @sys_app.command("remove")
    def remove(name: str, actor: str | None = ActorOpt) -> None:
        """Remove a system from the inventory (its history is kept)."""
        version = inv.remove(open_db(), name, actor_name(actor))
        console.print(
            Panel(f"removed {name!r} (version {version}); 'aigis systems history {name}' still works"),
            highlight=False,
        )

    app.add_typer(sys_app, name="systems")
