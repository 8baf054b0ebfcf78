"""aigis guard review list|show|approve|reject: the queue of texts a policy escalated to a person."""

from __future__ import annotations

import typer
from rich.panel import Panel

from aigis.cli.output import OutputFormat, console, emit_data, table
from aigis.cli.systems import ActorOpt, actor_name, open_db
from aigis.i18n import resolve_lang
from aigis.store import guard_reviews as reviews

FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or yaml.")
NoteOpt = typer.Option(None, "--note", "-n", help="Why, for the record.")


def _decide(review_id: str, decision: str, note: str | None, actor: str | None, fmt: OutputFormat) -> None:
    db = open_db()
    with db.session() as session:
        row = reviews.decide_review(session, review_id, decision, actor_name(actor), note)
        data = row.to_dict()
    if not emit_data(data, fmt):
        console.print(
            f"{data['id']}: {data['status']} by {data['decided_by']}", highlight=False, markup=False
        )


def add_review_commands(guard_app: typer.Typer) -> None:
    review_app = typer.Typer(
        help="Texts a policy escalated to human review. / 转人工审核的内容。", no_args_is_help=True
    )

    @review_app.command("list")
    def list_(
        status: str = typer.Option("pending", "--status", "-s", help="pending, approved, rejected or all."),
        limit: int = typer.Option(100, "--limit", help="At most this many (1 to 1000)."),
        fmt: OutputFormat = FormatOpt,
        lang: str | None = typer.Option(None, "--lang", "-l", help="zh or en for the table."),
    ) -> None:
        """List reviews, oldest pending first."""
        db = open_db()
        with db.session() as session:
            rows = [r.to_dict() for r in reviews.list_reviews(session, status, limit)]
            counts = reviews.count_reviews(session)
        if emit_data({"counts": counts, "reviews": rows}, fmt):
            return
        zh = resolve_lang(lang) == "zh"
        heads = (
            ["编号", "状态", "时间", "方向", "类别", "策略", "内容"]
            if zh
            else ["id", "status", "created", "direction", "categories", "policy", "text"]
        )
        body = [
            (
                r["id"],
                r["status"],
                r["created_at"][:19],
                r["direction"],
                ", ".join(r["categories"]),
                r["policy"],
                r["text"][:60].replace("\n", " "),
            )
            for r in rows
        ]
        summary = " · ".join(f"{k} {v}" for k, v in counts.items())
        console.print(table(("审核队列: " if zh else "review queue: ") + summary, heads, body))

    @review_app.command("show")
    def show(
        review_id: str = typer.Argument(..., help="The review's id (rv_...)."), fmt: OutputFormat = FormatOpt
    ) -> None:
        """Show one review: the text, the prompt it answers, and why it was escalated."""
        db = open_db()
        with db.session() as session:
            data = reviews.get_review(session, review_id).to_dict()
        if emit_data(data, fmt):
            return
        lines = [
            f"status: {data['status']}"
            + (f" by {data['decided_by']} at {data['decided_at'][:19]}" if data["decided_by"] else ""),
            f"direction: {data['direction']} · lang: {data['lang']} · policy: {data['policy']}",
            f"clauses: {' '.join(data['clauses'])}",
        ]
        if data["note"]:
            lines.append(f"note: {data['note']}")
        if data["prompt"]:
            lines.append(f"prompt: {data['prompt']}")
        lines.append(f"text: {data['text']}" + (" […]" if data["truncated"] else ""))
        console.print(Panel("\n".join(lines), title=data["id"], expand=False), highlight=False, markup=False)
        rows = [
            (f["detector"], f["category"], f"{f['score']:.2f}", f["action"], f["rationale"])
            for f in data["findings"]
        ]
        console.print(table(None, ["detector", "category", "score", "action", "why"], rows))

    @review_app.command("approve")
    def approve(
        review_id: str = typer.Argument(..., help="The review's id (rv_...)."),
        note: str | None = NoteOpt,
        actor: str | None = ActorOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Approve a pending review: the text may pass."""
        _decide(review_id, "approve", note, actor, fmt)

    @review_app.command("reject")
    def reject(
        review_id: str = typer.Argument(..., help="The review's id (rv_...)."),
        note: str | None = NoteOpt,
        actor: str | None = ActorOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Reject a pending review: the text stays blocked."""
        _decide(review_id, "reject", note, actor, fmt)

    guard_app.add_typer(review_app, name="review")
