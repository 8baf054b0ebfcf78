"""Reports of a run in Markdown, JSON, CSV and HTML (see report_html.py), in Chinese or English,
with the TC260 verdict table, failing examples and improvement suggestions per category (6.1.11)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from aigis.assess import redact
from aigis.assess.attacks import get_attack
from aigis.assess.suggestions import for_attack_family, for_category
from aigis.errors import InputError, NotFoundError
from aigis.store import Database
from aigis.store import assess as store

FORMATS = ("html", "md", "json", "csv")
L: dict[str, tuple[str, str]] = {
    "title": ("安全评估报告", "Safety assessment report"),
    "run": ("评估任务", "Run"),
    "suite": ("测试集", "Suite"),
    "target": ("被测对象", "Target"),
    "status": ("状态", "Status"),
    "system": ("关联 AI 系统", "AI system"),
    "clauses": ("框架条款", "Framework clauses"),
    "config_hash": ("配置哈希", "Config hash"),
    "overall": ("总体通过率", "Overall pass rate"),
    "attempts": ("测试次数", "Attempts"),
    "errors": ("失败请求", "Failed requests"),
    "tc260": ("TC260-003 / GB/T 45654-2025 判定", "TC260-003 / GB/T 45654-2025 verdicts"),
    "requirement": ("要求", "Requirement"),
    "required": ("标准", "Required"),
    "observed": ("实测", "Observed"),
    "n": ("样本量", "Sample size"),
    "verdict": ("结论", "Verdict"),
    "met": ("符合", "met"),
    "not_met": ("不符合", "not met"),
    "not_tested": ("未测", "not tested"),
    "by_category": ("分类通过率（95% Wilson 区间）", "Pass rate per category (95% Wilson interval)"),
    "by_attack": ("攻击方式通过率与攻击成功率", "Pass rate and attack success rate per attack"),
    "category": ("类别", "Category"),
    "attack": ("攻击方式", "Attack"),
    "pass_rate": ("通过率", "Pass rate"),
    "ci": ("95% 区间", "95% CI"),
    "asr": ("攻击成功率", "Attack success rate"),
    "refusal": ("拒答率", "Refusal rates"),
    "should_refuse": ("应拒答题拒答率", "Refusal rate, should-refuse set"),
    "should_not_refuse": ("非拒答题拒答率", "Refusal rate, should-not-refuse set"),
    "heatmap": ("类别 × 攻击方式 通过率", "Pass rate, category × attack"),
    "failing": ("失败样例与改进建议", "Failing examples and improvement suggestions"),
    "suggestion": ("改进建议", "Suggestion"),
    "prompt": ("输入", "Prompt"),
    "response": ("输出", "Response"),
    "why": ("判定", "Why"),
    "attack_suggestions": ("针对攻击方式的改进建议", "Suggestions per attack"),
    "tokens": ("令牌用量", "Token usage"),
    "latency": ("延迟", "Latency"),
    "none": ("无", "none"),
}


def t(key: str, lang: str) -> str:
    zh, en = L[key]
    return zh if lang == "zh" else en


@dataclass
class ReportData:
    run: dict[str, Any]
    summary: dict[str, Any]
    attempts: list[dict[str, Any]]
    lang: str

    def verdict(self, met: bool | None) -> str:
        return t("not_tested" if met is None else "met" if met else "not_met", self.lang)

    def attack_suggestions(self) -> list[tuple[str, str]]:
        """(attack, suggestion) for attacks that succeeded on at least one should-refuse item."""
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for name, rate in (self.summary.get("attack_success_rate") or {}).items():
            if not rate.get("k"):
                continue
            try:
                family = get_attack(name).family
            except NotFoundError:
                continue
            text = for_attack_family(family, self.lang)
            if text and family not in seen:
                seen.add(family)
                out.append((name, text))
        return out


def load_report(db: Database, run_id: str, lang: str = "en") -> ReportData:
    """The run, its metrics (computed now if the run did not finish) and its attempts."""
    from aigis.assess.metrics import compute_metrics
    from aigis.assess.runner import RunConfig, load_suites

    with db.session() as session:
        run = store.get_run(session, run_id)
        attempts = store.load_attempts(session, run_id)
        data = store.run_dict(run)
        summary = run.summary
    if summary is None:
        try:
            suite = load_suites(RunConfig.from_dict(data["config"]).suite)
        except (InputError, NotFoundError):
            suite = None
        summary = compute_metrics(attempts, suite, data["total"]).to_summary()
    redactor = redact.for_run(data, attempts)
    shown = redact.redact_attempts(data, attempts)
    return ReportData(redact.redact_run(data, redactor), redactor.value(summary), shown, lang)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _ci(rate: dict[str, Any]) -> str:
    ci = rate.get("ci95")
    return "—" if not ci else f"{ci[0]:.1%}–{ci[1]:.1%}"


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_rows(report: ReportData) -> list[tuple[str, Any]]:
    """The run's key facts as (label key, value), shared by the Markdown and HTML reports."""
    lang, s, run = report.lang, report.summary, report.run
    return [
        ("suite", run["suite"]),
        ("target", run["target"]),
        ("status", run["status"]),
        ("system", run.get("system_name") or t("none", lang)),
        ("clauses", ", ".join(run.get("clauses") or [])),
        ("config_hash", run["config_hash"][:16]),
        ("overall", f"{_pct(s['overall']['rate'])} ({_ci(s['overall'])}, n={s['overall']['n']})"),
        ("attempts", s.get("attempts")),
        ("errors", s.get("errors")),
        ("tokens", f"{s['tokens']['prompt']} + {s['tokens']['completion']}"),
        ("latency", f"p50 {s['latency_ms']['p50']} ms · p95 {s['latency_ms']['p95']} ms"),
    ]


def render_markdown(report: ReportData) -> str:
    lang, s, run = report.lang, report.summary, report.run
    out = [f"# {t('title', lang)} — {run['id']}", ""]
    for key, value in summary_rows(report):
        out.append(f"- **{t(key, lang)}**: {_md_cell(value)}")
    out += [
        "",
        f"## {t('tc260', lang)}",
        "",
        f"| {t('requirement', lang)} | {t('required', lang)} | {t('observed', lang)} | {t('n', lang)} | "
        f"{t('verdict', lang)} |",
        "|---|---|---|---|---|",
    ]
    for row in s.get("tc260", []):
        out.append(
            f"| {_md_cell(row[lang])} | {row['required']} | {row['observed']} | {row['n']} | "
            f"{report.verdict(row['met'])} |"
        )
    out += ["", f"## {t('refusal', lang)}", ""]
    for key in ("should_refuse", "should_not_refuse"):
        rate = s["refusal"][key]
        out.append(f"- {t(key, lang)}: {_pct(rate['rate'])} ({_ci(rate)}, n={rate['n']})")
    out += [
        "",
        f"## {t('by_category', lang)}",
        "",
        f"| {t('category', lang)} | {t('pass_rate', lang)} | {t('ci', lang)} | n |",
        "|---|---|---|---|",
    ]
    for cat, rate in s["by_category"].items():
        out.append(f"| {_md_cell(cat)} | {_pct(rate['rate'])} | {_ci(rate)} | {rate['n']} |")
    out += [
        "",
        f"## {t('by_attack', lang)}",
        "",
        f"| {t('attack', lang)} | {t('pass_rate', lang)} | {t('ci', lang)} | {t('asr', lang)} | n |",
        "|---|---|---|---|---|",
    ]
    asr = s.get("attack_success_rate", {})
    for name, rate in s["by_attack"].items():
        a = asr.get(name, {})
        out.append(f"| {name} | {_pct(rate['rate'])} | {_ci(rate)} | {_pct(a.get('rate'))} | {rate['n']} |")
    out += ["", f"## {t('failing', lang)}", ""]
    if not s.get("failing"):
        out.append(t("none", lang))
    for cat, examples in s.get("failing", {}).items():
        out += [f"### {cat}", "", f"**{t('suggestion', lang)}**: {for_category(cat, lang)}", ""]
        for ex in examples:
            out.append(f"- `{ex['item_id']}` / {ex['attack']} — {t('why', lang)}: {_md_cell(ex['why'])}")
            out.append(f"  - {t('prompt', lang)}: {_md_cell(ex['prompt'])}")
            out.append(f"  - {t('response', lang)}: {_md_cell(ex['response'])}")
        out.append("")
    suggestions = report.attack_suggestions()
    if suggestions:
        out += [f"## {t('attack_suggestions', lang)}", ""]
        out += [f"- **{name}**: {text}" for name, text in suggestions]
    return "\n".join(out) + "\n"


def render_json(report: ReportData) -> str:
    data = {
        "run": report.run,
        "metrics": report.summary,
        "suggestions": {cat: for_category(cat, report.lang) for cat in report.summary.get("failing", {})},
        "attack_suggestions": dict(report.attack_suggestions()),
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


CSV_FIELDS = (
    "item_id",
    "lang",
    "item_set",
    "expected",
    "categories",
    "attack",
    "status",
    "passed",
    "labels",
    "latency_ms",
    "prompt_tokens",
    "completion_tokens",
    "prompt",
    "response",
    "error",
)


def render_csv(report: ReportData) -> str:
    """One row per attempt."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_FIELDS)
    for a in report.attempts:
        prompt = next((m["content"] for m in reversed(a.get("messages") or []) if m["role"] == "user"), "")
        labels = ";".join(f"{k}={v.get('label')}" for k, v in (a.get("scores") or {}).items())
        writer.writerow(
            [
                a["item_id"],
                a["lang"],
                a["item_set"],
                a["expected"],
                ";".join(a.get("categories") or []),
                a["attack"],
                a["status"],
                "" if a.get("passed") is None else int(bool(a["passed"])),
                labels,
                round(float(a.get("latency_ms") or 0), 1),
                a.get("prompt_tokens", 0),
                a.get("completion_tokens", 0),
                prompt,
                a.get("response") or "",
                a.get("error") or "",
            ]
        )
    return buf.getvalue()


def render(db: Database, run_id: str, fmt: str = "html", lang: str = "en") -> str:
    if fmt not in FORMATS:
        raise InputError(f"--format: {fmt!r} is not supported; use one of: {', '.join(FORMATS)}")
    report = load_report(db, run_id, lang)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    from aigis.assess.report_html import render_html

    return render_html(report)
