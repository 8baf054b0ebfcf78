"""aigis assess suites|attacks|run|runs|report|diff|score|calibrate"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from aigis.cli.output import OutputFormat, console, console_err, emit_data, table
from aigis.config import get_settings
from aigis.errors import InputError
from aigis.i18n import resolve_lang
from aigis.store import Database

LangOpt = typer.Option(None, "--lang", "-l", help="zh or en (default: AIGIS_LANG, then the locale).")
FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or yaml.")


def _db() -> Database:
    settings = get_settings()
    settings.ensure_home()
    db = Database.from_settings(settings)
    db.upgrade()
    return db


def _split(values: list[str] | None) -> list[str]:
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


ScorerOptionOpt = typer.Option(
    [], "--scorer-option", help="SCORER.OPTION=VALUE (a JSON value, else text): harmful.with_prompt=false."
)


def parse_scorer_options(values: list[str], scorers: list[str]) -> dict[str, dict[str, Any]]:
    """``["harmful.with_prompt=false"]`` as ``{"harmful": {"with_prompt": False}}``: each value is read
    as JSON (``false``, ``0.7``, ``["harmful"]``), else kept as text."""
    options: dict[str, dict[str, Any]] = {}
    for value in values:
        name, dot, rest = value.partition(".")
        key, eq, raw = rest.partition("=")
        if not (dot and eq and name and key):
            raise InputError(
                f"--scorer-option {value!r} is not SCORER.OPTION=VALUE (e.g. harmful.with_prompt=false)"
            )
        if name not in scorers:
            raise InputError(
                f"--scorer-option {value!r}: scorer {name!r} is not in this run; "
                f"its scorers are {', '.join(scorers)}"
            )
        try:
            parsed: Any = json.loads(raw)
        except json.JSONDecodeError:
            parsed = raw
        options.setdefault(name, {})[key] = parsed
    return options


def _progress(db: Database, run_id: str, target: Any = None) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from aigis.assess.runner import execute, run_coroutine

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn(
            "done {task.fields[done]} · failed {task.fields[failed]} · remaining {task.fields[remaining]}"
        ),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console_err, transient=False) as bar:
        task = bar.add_task(run_id, total=None, done=0, failed=0, remaining="?")

        def update(counts: dict[str, int]) -> None:
            bar.update(
                task,
                total=counts["total"],
                completed=counts["done"] + counts["failed"],
                done=counts["done"],
                failed=counts["failed"],
                remaining=counts["remaining"],
            )

        run_coroutine(execute(db, run_id, target, update))


def register(app: typer.Typer) -> None:
    assess_app = typer.Typer(
        help="Safety assessment: suites, attacks, runs, TC260 reports. / 安全评估：测试集、攻击与报告。",
        no_args_is_help=True,
    )

    @assess_app.command("suites")
    def suites(
        path: list[Path] = typer.Option([], "--path", help="Extra directories with suite manifests."),
        lang: str | None = LangOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """List the test suites (built-in, $AIGIS_HOME/suites and --path)."""
        from aigis.assess.suites import list_suites

        chosen = resolve_lang(lang)
        found = list_suites(list(path))
        if emit_data([s.summary() for s in found], fmt):
            return
        heads = (
            ["编号", "名称", "题数", "构成", "条款"]
            if chosen == "zh"
            else ["id", "title", "items", "counts", "clauses"]
        )
        rows = [
            (
                s.id,
                s.title_in(chosen),
                len(s.items),
                ", ".join(f"{k}={v}" for k, v in s.summary()["counts"].items()),
                ", ".join(s.clauses),
            )
            for s in found
        ]
        console.print(table(None, heads, rows))

    @assess_app.command("attacks")
    def attacks(lang: str | None = LangOpt, fmt: OutputFormat = FormatOpt) -> None:
        """List the attacks and the presets that group them."""
        from aigis.assess.attacks import PRESETS, attack_names, get_attack

        chosen = resolve_lang(lang)
        data = [get_attack(n).describe(chosen) for n in attack_names()]
        if emit_data({"attacks": data, "presets": {k: list(v) for k, v in PRESETS.items()}}, fmt):
            return
        console.print(
            table(
                None,
                ["name", "family", "title", "langs"],
                [(d["name"], d["family"], d["title"], ",".join(d["langs"])) for d in data],
            )
        )
        console.print(
            "presets: " + "; ".join(f"{k}={','.join(v)}" for k, v in PRESETS.items()), highlight=False
        )

    @assess_app.command("run")
    def run(
        target: str = typer.Option("openai", "--target", help="openai, gateway, http or callable."),
        base_url: str | None = typer.Option(None, "--base-url", help="OpenAI-compatible base URL (…/v1)."),
        model: str | None = typer.Option(None, "--model", help="Model name (or gateway route)."),
        api_key_env: str | None = typer.Option(
            None, "--api-key-env", help="Variable that holds the API key."
        ),
        stream: bool = typer.Option(False, "--stream", help="Use streaming responses."),
        url: str | None = typer.Option(None, "--url", help="http target: endpoint URL."),
        request_template: str | None = typer.Option(
            None, "--request-template", help="http target: JSON body."
        ),
        response_path: str | None = typer.Option(None, "--response-path", help="http target: dotted path."),
        callable_: str | None = typer.Option(
            None, "--callable", help="callable target: package.module:function."
        ),
        system_prompt: str | None = typer.Option(
            None, "--system-prompt", help="System prompt sent with each item."
        ),
        suite: str = typer.Option(
            "tc260", "--suite", help="Suite id(s), comma-separated, or a manifest path."
        ),
        attack_spec: str = typer.Option(
            "default", "--attacks", help="default, all, a preset or attack names."
        ),
        scorers: list[str] = typer.Option([], "--scorer", help="Scorers (default: refusal, match, leak)."),
        scorer_options: list[str] = ScorerOptionOpt,
        judge_base_url: str | None = typer.Option(None, "--judge-base-url"),
        judge_model: str | None = typer.Option(None, "--judge-model"),
        judge_api_key_env: str | None = typer.Option(None, "--judge-api-key-env"),
        langs: list[str] = typer.Option([], "--item-lang", help="Only items in these languages."),
        sets: list[str] = typer.Option([], "--set", help="Only these sets (generated, should_refuse, ...)."),
        categories: list[str] = typer.Option([], "--category", help="Only these category prefixes."),
        limit: int | None = typer.Option(None, "--limit", help="At most this many items."),
        seed: int = typer.Option(0, "--seed"),
        concurrency: int = typer.Option(16, "--concurrency"),
        rps: float = typer.Option(0.0, "--rps", help="Requests per second (0 = unlimited)."),
        timeout: float = typer.Option(60.0, "--timeout"),
        retries: int = typer.Option(3, "--retries"),
        canary: bool = typer.Option(
            True, "--canary/--no-canary", help="Put a canary token in the system prompt."
        ),
        system: str | None = typer.Option(
            None, "--system", help="AI system (inventory name) this run is evidence for."
        ),
        clauses: list[str] = typer.Option(
            [], "--clause", help="Framework clause ids the run is evidence for."
        ),
        resume: str | None = typer.Option(
            None, "--resume", help="Resume this run id instead of starting one."
        ),
    ) -> None:
        """Run an assessment (or resume one); prints the run id."""
        from aigis.assess.runner import RunConfig, create_run

        db = _db()
        if resume:
            _progress(db, resume)
            print(resume)
            return
        config_target: dict[str, Any] = {"kind": target, "system_prompt": system_prompt}
        if target in ("openai", "gateway"):
            if not base_url or not model:
                raise InputError(f"--target {target}: --base-url and --model are required")
            config_target.update(base_url=base_url, model=model, api_key_env=api_key_env, stream=stream)
        elif target == "http":
            config_target.update(
                url=url or "",
                request_template=json.loads(request_template or "{}"),
                response_path=response_path or "",
                api_key_env=api_key_env,
            )
        elif target == "callable":
            config_target.update(callable=callable_ or "")
        else:
            raise InputError(
                f"--target: {target!r} is not supported; use one of: openai, gateway, http, callable"
            )
        chosen_scorers = _split(scorers) or ["refusal", "match", "leak"]
        options = parse_scorer_options(scorer_options, chosen_scorers)
        if "judge" in chosen_scorers:
            options["judge"] = {
                "base_url": judge_base_url or "",
                "model": judge_model or "",
                "api_key_env": judge_api_key_env,
                **options.get("judge", {}),
            }
        config = RunConfig(
            suite=suite,
            target=config_target,
            attacks=[attack_spec],
            scorers=chosen_scorers,
            scorer_options=options,
            seed=seed,
            langs=_split(langs),
            sets=_split(sets),
            categories=_split(categories),
            limit=limit,
            limits={"concurrency": concurrency, "rps": rps, "timeout": timeout, "retries": retries},
            canary=canary,
            system_name=system,
            clauses=_split(clauses),
        )
        run_id = create_run(db, config)
        console_err.print(f"run {run_id}", highlight=False)
        _progress(db, run_id)
        print(run_id)

    @assess_app.command("runs")
    def runs(system: str | None = typer.Option(None, "--system"), fmt: OutputFormat = FormatOpt) -> None:
        """List recent runs."""
        from aigis.assess.redact import redact_run
        from aigis.store import assess as store

        with _db().session() as session:
            data = [redact_run(store.run_dict(r)) for r in store.list_runs(session, system_name=system)]
        for row in data:
            row.pop("config", None)
        if emit_data(data, fmt):
            return
        console.print(
            table(
                None,
                ["id", "status", "suite", "total", "system", "created"],
                [
                    (r["id"], r["status"], r["suite"], r["total"], r["system_name"], r["created_at"])
                    for r in data
                ],
            )
        )

    @assess_app.command("report")
    def report(
        run_id: str,
        fmt: str = typer.Option("html", "--format", "-f", help="html, md, json or csv."),
        lang: str | None = LangOpt,
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Write to this file instead of stdout."
        ),
    ) -> None:
        """A run's report (TC260 verdicts, charts, failing examples, suggestions)."""
        from aigis.assess.report import render

        text = render(_db(), run_id, fmt, resolve_lang(lang))
        if output:
            output.write_text(text, encoding="utf-8")
            console_err.print(f"wrote {output}", highlight=False)
        else:
            print(text, end="" if text.endswith("\n") else "\n")

    @assess_app.command("diff")
    def diff(run_a: str, run_b: str, fmt: OutputFormat = FormatOpt) -> None:
        """Regressions between two runs (what passed in RUN_A and fails in RUN_B)."""
        from aigis.assess.diff import diff_runs

        data = diff_runs(_db(), run_a, run_b)
        if emit_data(data, fmt):
            return

        def pct(v: float | None) -> str:
            return "—" if v is None else f"{v:.1%}"

        rows = [
            (section, r["key"], pct(r["a"]), pct(r["b"]), "REGRESSED" if r["regressed"] else "")
            for section in ("by_category", "by_attack")
            for r in data[section]
        ]
        console.print(table(f"{run_a} → {run_b}", ["section", "key", "A", "B", ""], rows))
        console.print(f"{len(data['regressions'])} regressions, {len(data['fixes'])} fixes", highlight=False)
        if data["regressions"]:
            raise typer.Exit(1)

    @assess_app.command("score")
    def score(
        file: Path,
        scorer: str = typer.Option(..., "--scorer", help="Scorer name."),
        judge_base_url: str | None = typer.Option(None, "--judge-base-url"),
        judge_model: str | None = typer.Option(None, "--judge-model"),
        scorer_options: list[str] = ScorerOptionOpt,
    ) -> None:
        """Score existing responses: FILE.jsonl lines with prompt, response, lang and expected."""
        from aigis.assess.calibrate import read_labeled, record_input
        from aigis.assess.runner import run_coroutine
        from aigis.assess.scorers import build_scorer

        if not file.is_file():
            raise InputError(f"FILE: {file} does not exist")
        rows = read_labeled(file)
        options = parse_scorer_options(scorer_options, [scorer]).get(scorer)
        if scorer == "judge":
            options = {"base_url": judge_base_url or "", "model": judge_model or "", **(options or {})}

        async def go() -> list[dict[str, Any]]:
            s = build_scorer(scorer, options)
            out = []
            for n, row in enumerate(rows):
                row.setdefault("label", None)
                result = await s.score(record_input(row, f"{file.name}:{n + 1}"))
                out.append({**{k: row.get(k) for k in ("id", "lang", "prompt")}, **result.to_dict()})
            await s.aclose()
            return out

        for line in run_coroutine(go()):
            print(json.dumps(line, ensure_ascii=False))

    @assess_app.command("calibrate")
    def calibrate_(
        scorer: list[str] = typer.Option(
            [], "--scorer", help="Scorers (default: every built-in offline one)."
        ),
        files: list[Path] = typer.Argument(None, help="Labeled JSON/JSONL files (default: built-in sets)."),
        judge_base_url: str | None = typer.Option(None, "--judge-base-url"),
        judge_model: str | None = typer.Option(None, "--judge-model"),
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Agreement of scorers with labeled responses: accuracy and Cohen's kappa, zh and en."""
        from aigis.assess.calibrate import calibrate
        from aigis.assess.scorers import scorer_class, scorer_names

        names = _split(scorer) or [n for n in scorer_names() if scorer_class(n).offline or judge_base_url]
        results = []
        for name in names:
            options = (
                {"base_url": judge_base_url or "", "model": judge_model or ""} if name == "judge" else None
            )
            results.append(calibrate(name, list(files) if files else None, options))
        if emit_data(results, fmt):
            return
        rows = []
        for r in results:
            for lang in ("all", "zh", "en"):
                if lang in r:
                    x = r[lang]
                    acc = "—" if x["accuracy"] is None else f"{x['accuracy']:.3f}"
                    kappa = "—" if x["kappa"] is None else f"{x['kappa']:.3f}"
                    rows.append((r["scorer"], lang, x["n"], acc, kappa, x["unscorable"]))
        console.print(table(None, ["scorer", "lang", "n", "accuracy", "kappa", "unscorable"], rows))

    app.add_typer(assess_app, name="assess")


__all__ = ["register"]
