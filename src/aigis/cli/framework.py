"""aigis framework list|show|search|map"""

from __future__ import annotations

from typing import Any

import typer
from rich.panel import Panel

from aigis.cli.output import OutputFormat, console, emit_data, table
from aigis.framework import Clause, load_framework
from aigis.i18n import Lang, resolve_lang

LangOpt = typer.Option(None, "--lang", "-l", help="zh or en (default: AIGIS_LANG, then the locale).")
FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or yaml.")


def _rows(clauses: list[Clause], lang: Lang) -> list[tuple[str, str, str]]:
    return [(c.id, c.kind, c.title_in(lang)) for c in clauses]


def _clause_table(title: str, clauses: list[Clause], lang: Lang) -> None:
    heads = ["编号", "类型", "名称"] if lang == "zh" else ["id", "kind", "title"]
    console.print(table(title, heads, _rows(clauses, lang)))


def register(app: typer.Typer) -> None:
    fw_app = typer.Typer(
        help="The framework as data: clauses, mapping, crosswalks. / 框架条款数据。", no_args_is_help=True
    )

    @fw_app.command("list")
    def list_(
        kind: str | None = typer.Option(
            None,
            "--kind",
            "-k",
            help="risk, measure, governance, guideline, principle, term, tc260, owasp, ...",
        ),
        lang: str | None = LangOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """List clauses, optionally of one kind."""
        chosen = resolve_lang(lang)
        clauses = load_framework().list(kind=kind)
        if not emit_data([c.to_dict() for c in clauses], fmt):
            _clause_table(f"{kind or 'all'} ({len(clauses)})", clauses, chosen)

    @fw_app.command("show")
    def show(clause_id: str, lang: str | None = LangOpt, fmt: OutputFormat = FormatOpt) -> None:
        """Show one clause with its text."""
        chosen = resolve_lang(lang)
        clause = load_framework().get(clause_id)
        if not emit_data(clause.to_dict(), fmt):
            console.print(
                Panel(
                    clause.text_in(chosen),
                    title=f"{clause.id} {clause.title_in(chosen)}",
                    subtitle=clause.kind,
                )
            )

    @fw_app.command("search")
    def search(
        text: str,
        kind: str | None = typer.Option(None, "--kind", "-k"),
        lang: str | None = LangOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Search clause titles and texts in zh and en."""
        chosen = resolve_lang(lang)
        hits = load_framework().search(text, kind=kind)
        if not emit_data([c.to_dict() for c in hits], fmt):
            _clause_table(f"'{text}' ({len(hits)})", hits, chosen)

    @fw_app.command("map")
    def map_(risk_id: str, lang: str | None = LangOpt, fmt: OutputFormat = FormatOpt) -> None:
        """The technical measures, governance measures and guidelines that answer a risk."""
        chosen = resolve_lang(lang)
        mapping = load_framework().measures_for(risk_id)
        data: dict[str, Any] = mapping.to_dict()
        if emit_data(data, fmt):
            return
        risk = mapping.risk
        console.print(Panel(risk.text_in(chosen), title=f"{risk.id} {risk.title_in(chosen)}"))
        zh = chosen == "zh"
        _clause_table("技术应对措施" if zh else "Technical measures", mapping.technical, chosen)
        _clause_table("综合治理措施" if zh else "Governance measures", mapping.governance, chosen)
        if mapping.guidelines:
            _clause_table("安全指引" if zh else "Guidelines", mapping.guidelines, chosen)
        if mapping.divergence is not None:
            console.print(
                Panel(
                    mapping.divergence.note_in(chosen),
                    title="英文版差异" if zh else "English-text divergence",
                    border_style="yellow",
                )
            )

    app.add_typer(fw_app, name="framework")
