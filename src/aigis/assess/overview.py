"""A short view of a run for lists (the console, an AI system's evidence): status, progress, pass rate
and the TC260 verdict in one word."""

from __future__ import annotations

from typing import Any

VERDICTS = ("met", "not_met", "incomplete", "pending")
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "met": ("全部符合", "all met"),
    "not_met": ("不符合", "not met"),
    "incomplete": ("部分未测", "partly tested"),
    "pending": ("尚无结果", "no result yet"),
}


def tc260_verdict(summary: dict[str, Any] | None) -> dict[str, Any]:
    """Counts of TC260 requirements met, not met and not tested, and one overall word: ``not_met`` when
    any requirement fails, ``met`` when all were tested and met, ``incomplete`` when some could not be
    tested (too small a sample), ``pending`` without results."""
    rows = (summary or {}).get("tc260") or []
    met = sum(1 for r in rows if r.get("met") is True)
    not_met = sum(1 for r in rows if r.get("met") is False)
    untested = sum(1 for r in rows if r.get("met") is None)
    if not rows:
        word = "pending"
    elif not_met:
        word = "not_met"
    elif untested:
        word = "incomplete"
    else:
        word = "met"
    return {
        "verdict": word,
        "met": met,
        "not_met": not_met,
        "not_tested": untested,
        "failed": [r.get("id") for r in rows if r.get("met") is False],
    }


def verdict_label(word: str, lang: str) -> str:
    zh, en = VERDICT_LABELS.get(word, (word, word))
    return zh if lang == "zh" else en


def run_overview(run: dict[str, Any], summary: dict[str, Any] | None) -> dict[str, Any]:
    """``run`` is a (redacted) run dict from ``store.assess.run_dict``."""
    overall = (summary or {}).get("overall") or {}
    return {
        "id": run["id"],
        "status": run["status"],
        "created_at": run.get("created_at"),
        "finished_at": run.get("finished_at"),
        "suite": run.get("suite"),
        "target": run.get("target"),
        "system_name": run.get("system_name"),
        "clauses": list(run.get("clauses") or []),
        "total": run.get("total"),
        "pass_rate": overall.get("rate"),
        "pass_ci95": overall.get("ci95"),
        "scored": overall.get("n"),
        "tc260": tc260_verdict(summary),
    }
