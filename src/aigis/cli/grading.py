"""aigis grade SYSTEM_OR_FILE and aigis packs list|show|validate."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.panel import Panel

from aigis.cli.output import OutputFormat, console, dump_json, emit_data, table
from aigis.cli.systems import open_db
from aigis.grading import GradeResult, get_pack, grade, list_packs, load_pack_file, load_systems
from aigis.grading import inventory as inv
from aigis.grading.report import format_value, to_html, to_markdown
from aigis.i18n import Lang, resolve_lang

LangOpt = typer.Option(None, "--lang", "-l", help="zh or en for tables (reports are bilingual).")


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    html = "html"


def _print_table(result: GradeResult, lang: Lang) -> None:
    zh = lang == "zh"
    lvl = result.level
    pack_name = f"{result.pack.id} {result.pack.version}"
    console.print(
        Panel(
            f"[bold]{lvl.number} · {lvl.name_in(lang)}[/bold] ({lvl.id})\n"
            + (
                f"总分 {result.score}，基础等级 {result.base_level}；规则包 {pack_name}"
                if zh
                else f"score {result.score}, base level {result.base_level}; pack {pack_name}"
            ),
            title=str(result.system.get("name")),
            highlight=False,
        )
    )
    rows = []
    for element in result.elements:
        rows.append((element.title[lang], "", "", element.score, element.weight))
        rows += [("", f.title[lang], format_value(f.value), f.score, f.weight) for f in element.factors]
    heads = (
        ["要素", "因子", "取值", "得分", "权重"] if zh else ["element", "factor", "value", "score", "weight"]
    )
    console.print(table("分级要素" if zh else "Grading elements", heads, rows))
    if result.rules:
        console.print(
            table(
                "触发的升级规则" if zh else "Escalation rules that fired",
                ["规则", "作用", "等级", "原因"] if zh else ["rule", "effect", "level", "reason"],
                [
                    (r.id, r.effect, f"{r.level_before} → {r.level_after}", r.reason[lang])
                    for r in result.rules
                ],
            )
        )
    console.print(
        table(
            "须落实的控制措施" if zh else "Required controls",
            ["", "措施", "条款", "频次"] if zh else ["", "control", "clauses", "frequency"],
            [("[ ]", c.title[lang], ", ".join(c.clauses), c.frequency(lang)) for c in result.controls],
        )
    )


def register(app: typer.Typer) -> None:
    @app.command("grade")
    def grade_cmd(
        target: str = typer.Argument(..., help="A registered system's name, or a YAML/JSON system file."),
        pack: str | None = typer.Option(None, "--pack", "-p", help="Pack id or path (default: by sector)."),
        fmt: ReportFormat = typer.Option(
            ReportFormat.table, "--format", "-f", help="table, json, md or html."
        ),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
        lang: str | None = LangOpt,
    ) -> None:
        """Grade an AI system: level, explanation and the required controls as a checklist (appendix 1)."""
        chosen = resolve_lang(lang)
        chosen_pack = get_pack(pack) if pack else None
        path = Path(target)
        if path.suffix.lower() in (".yaml", ".yml", ".json") or path.is_file():
            results = [grade(s, chosen_pack) for s in load_systems(path)]
        else:
            results = [inv.grade_registered(open_db(), target, pack)]
        if fmt is ReportFormat.table and output is None:
            for result in results:
                _print_table(result, chosen)
            return
        if fmt is ReportFormat.json or fmt is ReportFormat.table:
            data = [r.to_dict() for r in results]
            text = dump_json(data[0] if len(data) == 1 else data) + "\n"
        elif fmt is ReportFormat.md:
            text = "\n".join(to_markdown(r) for r in results)
        else:
            text = "\n".join(to_html(r) for r in results)
        if output is not None:
            output.write_text(text, encoding="utf-8")
            console.print(f"wrote {output}", highlight=False)
        else:
            print(text, end="")

    packs_app = typer.Typer(help="Grading rule packs. / 分级规则包。", no_args_is_help=True)

    @packs_app.command("list")
    def list_(
        lang: str | None = LangOpt, fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f")
    ) -> None:
        """Shipped rule packs."""
        chosen = resolve_lang(lang)
        packs = list_packs()
        if emit_data([p.summary() for p in packs], fmt):
            return
        console.print(
            table(
                "rule packs",
                ["id", "version", "sector", "title", "rules", "controls"],
                [
                    (
                        p.id,
                        p.version,
                        p.sector,
                        p.title(chosen),
                        len(p.data["rules"]),
                        len(p.data["baseline"]),
                    )
                    for p in packs
                ],
            )
        )

    @packs_app.command("show")
    def show(pack_id: str, fmt: OutputFormat = typer.Option(OutputFormat.yaml, "--format", "-f")) -> None:
        """A pack in full, with what it inherits resolved (id or path)."""
        pack = get_pack(pack_id)
        if not emit_data(pack.to_dict(), fmt):
            console.print(pack.summary())

    @packs_app.command("validate")
    def validate(path: Path) -> None:
        """Check a pack file; every problem is listed with its field, value and what is allowed."""
        pack = load_pack_file(path)
        console.print(
            f"ok: {pack.id} {pack.version} (sector {pack.sector}; {len(pack.data['rules'])} rules, "
            f"{len(pack.data['baseline'])} controls; sha256 {pack.sha256[:16]})",
            highlight=False,
        )

    app.add_typer(packs_app, name="packs")
