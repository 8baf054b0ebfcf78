"""aigis guard check|scan|eval|train|policy|review"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import get_args

import typer
from rich.markup import escape

from aigis.cli.guard_review import add_review_commands
from aigis.cli.output import (
    OutputFormat,
    console,
    console_err,
    dump_json,
    emit_data,
    progress_bar,
    table,
)
from aigis.errors import ConfigError, InputError
from aigis.i18n import resolve_lang

PolicyOpt = typer.Option(None, "--policy", "-p", help="Policy YAML file (default: the built-in policy).")
DirectionOpt = typer.Option("input", "--direction", "-d", help="input or output.")
SourceOpt = typer.Option(
    None,
    "--source",
    "-s",
    help="Where the text comes from: user, document, tool or model (default: user for input, model for "
    "output). A document's or a tool's text is held to a stricter standard: it should ask nothing.",
)
PromptColumnOpt = typer.Option(
    None,
    "--prompt-column",
    help="With --direction output: the column with the prompt each response answers "
    "(a response that goes along with a harmful request is unsafe).",
)


def _guard(policy: Path | None):  # type: ignore[no-untyped-def]
    from aigis.guard import Guard

    return Guard.from_policy(policy) if policy else Guard.default()


def _direction(value: str) -> str:
    if value not in ("input", "output"):
        raise InputError(f"--direction {value!r} is not allowed; use input or output")
    return value


def _source(value: str | None) -> str | None:
    from aigis.guard.detectors.base import Source  # the guard package loads only for guard commands

    allowed: tuple[str, ...] = get_args(Source)
    if value is not None and value not in allowed:
        raise InputError(f"--source {value!r} is not allowed; use one of {', '.join(allowed)}")
    return value


def _output_file(option: str, path: Path | None) -> None:
    """Refuse, before any work, a path that ``option`` could not write a file to."""
    if path is None:
        return
    where = f"{option} {str(path)!r}"
    if path.is_dir():
        raise InputError(f"{where} is a directory; give the path of a file to write")
    folder = path.parent
    if not folder.exists():
        raise InputError(
            f"{where}: the folder {str(folder)!r} does not exist; give a file in an existing folder"
        )
    if not folder.is_dir():
        raise InputError(f"{where}: {str(folder)!r} is not a folder; give a file in an existing folder")
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise InputError(f"{where} cannot be written (permission denied); give a file you may write")


def _decoded(data: bytes, where: str) -> str:
    """``data`` as UTF-8, bytes that are not read as U+FFFD, with a note on standard error saying so."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        console_err.print(f"note: {escape(where)} has bytes that are not UTF-8; they were read as U+FFFD")
        return data.decode("utf-8", errors="replace")


def register(app: typer.Typer) -> None:
    guard_app = typer.Typer(
        help="Safety guardrails on model input and output. / 输入输出安全护栏。",
        no_args_is_help=True,
    )
    policy_app = typer.Typer(
        help="Validate or show guard policies. / 校验或查看护栏策略。", no_args_is_help=True
    )

    @guard_app.command("check")
    def check(
        text: str | None = typer.Argument(None, help="The text to check, or '-' to read standard input."),
        file: Path | None = typer.Option(None, "--file", "-f", help="Read the text from a file."),
        direction: str = DirectionOpt,
        source: str | None = SourceOpt,
        prompt: str | None = typer.Option(None, "--prompt", help="For output checks: the prompt."),
        policy: Path | None = PolicyOpt,
        as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
        lang: str | None = typer.Option(None, "--lang", "-l", help="zh or en for the table."),
    ) -> None:
        """Check one text. Exit status 1 when the verdict blocks it."""
        if file is not None:
            if file.is_dir():
                raise InputError(f"--file {str(file)!r} is a directory, not a file; give a text file")
            if not file.is_file():
                raise InputError(f"--file {str(file)!r} does not exist")
            value = _decoded(file.read_bytes(), f"--file {str(file)!r}")
        elif text == "-" or (text is None and not sys.stdin.isatty()):
            value = _decoded(sys.stdin.buffer.read(), "standard input")
        elif text is not None:
            value = text
        else:
            raise InputError("give the text to check, '-' for standard input, or --file FILE")
        d, src = _direction(direction), _source(source)
        g = _guard(policy)
        v = g.check(value, d, source=src, prompt=prompt)  # type: ignore[arg-type]
        if as_json:
            print(dump_json(v.to_dict()))
        else:
            zh = resolve_lang(lang) == "zh"
            heads = (
                ["检测器", "类别", "分数", "位置", "动作", "条款", "内容"]
                if zh
                else ["detector", "category", "score", "span", "action", "clauses", "text"]
            )
            rows = [
                (
                    h.detector,
                    h.category,
                    f"{h.score:.2f}",
                    f"{h.span.start}-{h.span.end}" if h.span else "",
                    h.action,
                    " ".join(h.clauses),
                    h.text[:40],
                )
                for h in v.findings
            ]
            title = (f"结论: {v.action}" if zh else f"verdict: {v.action}") + (
                " (blocked)" if v.blocked else ""
            )
            if rows:
                console.print(table(title, heads, rows))
                for h in v.findings:  # the why, which a finding without a span shows nowhere else
                    if h.rationale:
                        console.print(f"{h.detector}: {h.rationale}", highlight=False, markup=False)
            else:
                console.print(title + (" · 未发现问题" if zh else " · no findings"), highlight=False)
            if v.text != value:
                console.print(("输出文本: " if zh else "text: ") + v.text, highlight=False, markup=False)
        if v.blocked:
            raise SystemExit(1)

    @guard_app.command("scan")
    def scan(
        files: list[Path] = typer.Argument(
            ..., help="JSONL, JSON, CSV/TSV or text files (one text per line)."
        ),
        text_column: str = typer.Option("text", "--text-column", "-t"),
        direction: str = DirectionOpt,
        source: str | None = SourceOpt,
        prompt_column: str | None = PromptColumnOpt,
        policy: Path | None = PolicyOpt,
        out: Path | None = typer.Option(None, "--out", "-o", help="Write one JSON verdict per line here."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    ) -> None:
        """Scan corpora and summarize actions and categories. A row that cannot be read (not JSON, no text
        column, a text that is not a string, too long) is reported with its file and line, written to --out
        as an error, and the scan goes on; the exit status is then 2. Bytes that are not UTF-8 are read as
        U+FFFD and the row is checked: its line in --out has "replaced_invalid_utf8": true, and the summary
        counts such rows."""
        from aigis.guard import Verdict
        from aigis.guard.evaluate import (
            Record,
            check_data_file,
            check_prompt_column,
            count_lines,
            prompt_of,
            records,
            text_of,
        )

        for path in files:
            check_data_file(path)
        _output_file("--out", out)
        d, src = _direction(direction), _source(source)
        check_prompt_column(prompt_column, d)
        g = _guard(policy)
        actions: Counter[str] = Counter()
        categories: Counter[str] = Counter()
        errors: list[str] = []
        total = replaced = 0

        def checked(record: Record, where: str) -> Verdict:
            """The verdict on one row; an InputError that names the row where it cannot be checked."""
            if record.row is None:
                raise InputError(f"{where}: {record.error}")
            text = text_of(record.row, text_column, where)
            asked = prompt_of(record.row, prompt_column, where)
            try:
                verdict: Verdict = g.check(text, d, source=src, prompt=asked)  # type: ignore[arg-type]
            except InputError as exc:  # a text over the guard's limit
                raise InputError(f"{where}: {exc}") from None
            return verdict

        try:
            sink = out.open("w", encoding="utf-8") if out else None
        except OSError as exc:
            raise InputError(f"--out {str(out)!r} could not be written ({exc.strerror})") from None
        try:
            with progress_bar(disable=fmt is not OutputFormat.table) as progress:
                for path in files:
                    task = progress.add_task(escape(path.name), total=count_lines(path))
                    done = 0
                    for record in records(path, text_column):
                        line: dict[str, object] = {"file": str(path), "row": record.line}
                        try:
                            v = checked(record, f"{path}:{record.line}")
                        except InputError as exc:
                            errors.append(str(exc))
                            line["error"] = str(exc)
                        else:
                            total += 1
                            actions[v.action] += 1
                            for h in v.findings:
                                if h.action != "allow":
                                    categories[f"{h.detector}/{h.category}"] += 1
                            line.update(v.to_dict())
                        if record.replaced_invalid_utf8:
                            replaced += 1
                            line["replaced_invalid_utf8"] = True
                        if sink is not None:
                            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
                        progress.advance(task)
                        done += 1
                    progress.update(task, total=done)  # the line count was an estimate (blank lines, header)
        finally:
            if sink is not None:
                sink.close()
        summary = {
            "rows": total,
            "actions": dict(actions),
            "categories": dict(categories.most_common()),
            "errors": len(errors),
            "first_errors": errors[:20],
            "replaced_invalid_utf8": replaced,
        }
        if not emit_data(summary, fmt):
            console.print(table(f"{total} rows", ["action", "count"], sorted(actions.items())))
            console.print(table("categories", ["detector/category", "count"], categories.most_common(30)))
            if replaced:
                console.print(
                    f"[yellow]note:[/] {replaced} row(s) had bytes that are not UTF-8, read as U+FFFD"
                )
            for message in errors[:20]:
                console.print(f"[red]error[/red]: {escape(message)}", highlight=False)
        if errors:
            print(f"error: {len(errors)} row(s) could not be read; see above", file=sys.stderr)
            raise SystemExit(2)

    @guard_app.command("eval")
    def eval_(
        dataset: Path = typer.Argument(..., help="Labelled JSONL, JSON or CSV file."),
        label_column: str = typer.Option(
            ...,
            "--label-column",
            help="Column with the label (safe/benign/0 = "
            "negative; anything else is a positive, and names its category).",
        ),
        text_column: str = typer.Option("text", "--text-column"),
        lang_column: str | None = typer.Option(
            None, "--lang-column", help="Column with zh/en (else detected)."
        ),
        direction: str = DirectionOpt,
        prompt_column: str | None = PromptColumnOpt,
        positive: str = typer.Option(
            "blocked", "--positive", help="blocked or flagged: what counts as a detection."
        ),
        policy: Path | None = PolicyOpt,
        limit: int | None = typer.Option(None, "--limit", min=1),
        html_out: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report here."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    ) -> None:
        """Precision, recall, F1, false-positive rate per category and language; latency; confusion matrix.
        The first row that cannot be read (not JSON, a text or label of the wrong type) stops it with exit
        status 2. Rows with bytes that are not UTF-8 are read as U+FFFD, checked, and counted in
        replaced_invalid_utf8."""
        from aigis.guard.evaluate import check_data_file, evaluate, to_html

        check_data_file(dataset)
        _output_file("--html", html_out)
        g = _guard(policy)
        with progress_bar(disable=fmt is not OutputFormat.table) as progress:
            task = progress.add_task(escape(dataset.name), total=limit)
            result = evaluate(
                g,
                dataset,
                label_column=label_column,
                text_column=text_column,
                lang_column=lang_column,
                prompt_column=prompt_column,
                direction=_direction(direction),
                positive=positive,
                limit=limit,
                progress=lambda n: progress.update(task, completed=n),
            )
        data = result.to_dict()
        if html_out is not None:
            try:
                html_out.write_text(to_html(result), encoding="utf-8")
            except OSError as exc:
                raise InputError(f"--html {str(html_out)!r} could not be written ({exc.strerror})") from None
        if emit_data(data, fmt):
            return
        heads = ["", "n", "precision", "recall", "F1", "FPR"]

        def row(name: str, m: dict[str, float | int | None]) -> list[str]:
            return [name] + [
                ("–" if m[k] is None else f"{m[k]:.3f}" if isinstance(m[k], float) else str(m[k]))
                for k in ("n", "precision", "recall", "f1", "fpr")
            ]

        console.print(table("overall", heads, [row("all", data["overall"])]))
        console.print(table("by category", heads, [row(k, v) for k, v in data["by_category"].items()]))
        console.print(table("by language", heads, [row(k, v) for k, v in data["by_lang"].items()]))
        lat = data["latency_ms"]
        console.print("latency ms: " + ", ".join(f"{k} {v:.3f}" for k, v in lat.items()))
        cm = data["confusion_matrix"]["matrix"]
        console.print(f"confusion: TP {cm[0][0]}  FN {cm[0][1]}  FP {cm[1][0]}  TN {cm[1][1]}")
        if data["replaced_invalid_utf8"]:
            console.print(
                f"[yellow]note:[/] {data['replaced_invalid_utf8']} row(s) had bytes that are not UTF-8, "
                "read as U+FFFD"
            )
        if html_out is not None:
            console.print(f"report: {html_out}", highlight=False, markup=False)

    @guard_app.command("train")
    def train(
        output_dir: Path | None = typer.Option(None, "--output-dir", "-o", help="Where to write the models."),
        data_dir: Path | None = typer.Option(
            None, "--data-dir", help="Public data (default ../shared/data)."
        ),
        epochs: int = typer.Option(8, "--epochs", min=1),
        seed: int = typer.Option(13, "--seed"),
        semantic: bool = typer.Option(
            False,
            "--semantic/--no-semantic",
            help=(
                "Also train the semantic tier: the harmful head and the injection detector's embedding "
                "and short terms (needs the aigis[embed] extra; several minutes)."
            ),
        ),
        semantic_only: bool = typer.Option(
            False,
            "--semantic-only",
            help="Train only the semantic tier (head and injection terms), on the fast models in place.",
        ),
        embedding_cache: Path | None = typer.Option(
            None, "--embedding-cache", help="An .npz file of embeddings to reuse and extend across runs."
        ),
        hold_out: list[str] = typer.Option(
            [],
            "--hold-out",
            help="Leave a training source out, for leave-one-source-out figures (hh_rlhf); needs -o.",
        ),
    ) -> None:
        """Train the built-in classifiers on the permissively licensed data sets."""
        if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
            raise InputError(
                f"--output-dir {str(output_dir)!r} is a file; give a folder (it is created if missing)"
            )
        _output_file("--embedding-cache", embedding_cache)
        try:
            from aigis.guard.training import train as run_training
        except ImportError:
            raise ConfigError(
                "training is not available: the module aigis.guard.training is missing from this installation"
            ) from None
        summary: dict[str, object] = {}
        if not semantic_only:
            summary = run_training(
                output_dir, data_dir=data_dir, epochs=epochs, seed=seed, hold_out=tuple(hold_out), log=True
            )
        if semantic or semantic_only:
            from aigis.guard.semantic import train_semantic

            with progress_bar() as progress:
                task = progress.add_task("embedding training rows", total=None)
                summary["semantic"] = train_semantic(
                    output_dir,
                    data_dir=data_dir,
                    seed=seed,
                    cache=embedding_cache,
                    hold_out=tuple(hold_out),
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        from aigis.guard.models import stale_models

        for note in stale_models(output_dir):  # e.g. a semantic head left from the fast models replaced here
            console_err.print(f"[yellow]note:[/] {escape(note)}")
        print(dump_json(summary))

    @policy_app.command("validate")
    def validate(files: list[Path] = typer.Argument(..., help="Policy YAML files.")) -> None:
        """Validate policy files; the first error is printed with its field and the exit status is 2."""
        from aigis.guard import Guard

        for f in files:
            g = Guard.from_policy(f)  # parses, validates and builds every detector
            detectors = ", ".join(list(g.detectors) + list(g.cascade)) or "(none)"
            console.print(
                f"[green]ok[/] {escape(f'{f}: policy {g.policy.name!r}, detectors: {detectors}')}",
                highlight=False,
            )

    @policy_app.command("show")
    def show(
        file: Path | None = typer.Argument(None, help="Policy file (default: the built-in policy)."),
        fmt: OutputFormat = typer.Option(OutputFormat.yaml, "--format", "-f"),
    ) -> None:
        """Print a policy (the built-in one by default) as YAML, JSON or a table of rules."""
        from aigis.guard import default_policy, default_policy_text, load_policy

        if file is None and fmt is OutputFormat.yaml:
            print(default_policy_text(), end="")
            return
        p = load_policy(file) if file else default_policy()
        if emit_data(p.to_dict(), fmt):
            return
        for direction in ("input", "output"):
            rules = p.direction(direction).rules
            console.print(
                table(
                    f"{p.name}: {direction}",
                    ["id", "match", "threshold", "action", "clauses"],
                    [(r.id, r.match, r.threshold, r.action, " ".join(r.clauses)) for r in rules],
                )
            )

    guard_app.add_typer(policy_app, name="policy")
    add_review_commands(guard_app)
    app.add_typer(guard_app, name="guard")
