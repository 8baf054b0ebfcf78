"""Differences between two runs: per-category and per-attack pass-rate changes, and the attempts that
passed in the first run and fail in the second (regressions)."""

from __future__ import annotations

from typing import Any

from aigis.assess.report import load_report
from aigis.store import Database


def diff_runs(db: Database, run_a: str, run_b: str, threshold: float = 0.0) -> dict[str, Any]:
    a, b = load_report(db, run_a), load_report(db, run_b)
    changes: dict[str, list[dict[str, Any]]] = {}
    for section in ("by_category", "by_attack"):
        rows = []
        for key in sorted(set(a.summary[section]) | set(b.summary[section])):
            ra, rb = a.summary[section].get(key, {}), b.summary[section].get(key, {})
            pa, pb = ra.get("rate"), rb.get("rate")
            delta = None if pa is None or pb is None else pb - pa
            rows.append(
                {
                    "key": key,
                    "a": pa,
                    "b": pb,
                    "delta": delta,
                    "n_a": ra.get("n", 0),
                    "n_b": rb.get("n", 0),
                    "regressed": delta is not None and delta < -threshold,
                }
            )
        changes[section] = rows
    before = {x["key"]: x for x in a.attempts if x.get("passed") is not None}
    regressions, fixes = [], []
    for x in b.attempts:
        old = before.get(x["key"])
        if old is None or x.get("passed") is None:
            continue
        if old["passed"] and not x["passed"]:
            regressions.append(
                {
                    "key": x["key"],
                    "item_id": x["item_id"],
                    "attack": x["attack"],
                    "response": (x.get("response") or "")[:300],
                }
            )
        elif not old["passed"] and x["passed"]:
            fixes.append({"key": x["key"], "item_id": x["item_id"], "attack": x["attack"]})
    return {
        "run_a": run_a,
        "run_b": run_b,
        "overall": {"a": a.summary["overall"]["rate"], "b": b.summary["overall"]["rate"]},
        "refusal": {
            k: {"a": a.summary["refusal"][k]["rate"], "b": b.summary["refusal"][k]["rate"]}
            for k in ("should_refuse", "should_not_refuse")
        },
        **changes,
        "regressions": regressions,
        "fixes": fixes,
    }
