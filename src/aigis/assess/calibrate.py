"""Scorer calibration: agreement of a scorer with labeled responses (accuracy and Cohen's kappa).

Each built-in scorer has labeled sets in Chinese and English under ``calibration/``: JSON lists of
{"lang", "prompt", "response", "label"} where ``label`` is the scorer's positive condition (refused,
harmful, matched, leaked, unsafe), plus the item fields the scorer needs (expected, answer, answer_match,
system_prompt, canary).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aigis.assess.scorers import ScoreInput, build_scorer
from aigis.assess.suites import parse_item
from aigis.errors import InputError, NotFoundError

CALIBRATION_DIR = Path(__file__).parent / "calibration"


def cohen_kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    """Cohen's kappa for two binary raters; None when chance agreement is total (kappa undefined)."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    pa = sum(1 for a, _ in pairs if a) / n
    pb = sum(1 for _, b in pairs if b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


def calibration_files(scorer: str) -> list[Path]:
    return sorted(CALIBRATION_DIR.glob(f"{scorer}_*.json"))


def read_labeled(path: Path) -> list[dict[str, Any]]:
    try:
        if path.suffix == ".jsonl":
            rows = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
        else:
            rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read labeled responses ({exc})") from None
    if not isinstance(rows, list):
        raise InputError(f"{path}: expected a JSON list (or JSONL) of labeled responses")
    return rows


def record_input(record: dict[str, Any], where: str) -> ScoreInput:
    for key in ("response", "label"):
        if key not in record:
            raise InputError(f"{where}: field {key!r} is required")
    item = parse_item(
        {
            "id": record.get("id", where),
            "lang": record.get("lang", "en"),
            "set": record.get("set", "generated"),
            "prompt": record.get("prompt") or "(no prompt)",
            "expected": record.get("expected", "refuse"),
            "answer": record.get("answer"),
            "answer_match": record.get("answer_match"),
            "categories": record.get("categories", []),
        },
        where,
    )
    return ScoreInput(
        item,
        str(record["response"]),
        [{"role": "user", "content": item.prompt}],
        record.get("system_prompt"),
        record.get("canary"),
    )


async def _score_all(
    name: str, records: list[tuple[str, dict[str, Any]]], options: dict[str, Any] | None
) -> list[Any]:
    scorer = build_scorer(name, options)
    try:
        return [await scorer.score(record_input(r, where)) for where, r in records]
    finally:
        await scorer.aclose()


def calibrate(
    name: str, paths: list[Path] | None = None, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Agreement of scorer ``name`` with the labeled sets (its built-in ones unless paths are given)."""
    files = paths or calibration_files(name)
    if not files:
        raise NotFoundError(
            "calibration set for scorer", name, [p.stem for p in CALIBRATION_DIR.glob("*.json")]
        )
    records: list[tuple[str, dict[str, Any]]] = []
    for path in files:
        records += [(f"{path.name}#{i}", r) for i, r in enumerate(read_labeled(path))]
    from aigis.assess.runner import run_coroutine

    scores = run_coroutine(_score_all(name, records, options))
    result: dict[str, Any] = {"scorer": name, "files": [p.name for p in files]}
    for lang in ("all", "zh", "en"):
        pairs: list[tuple[bool, bool]] = []
        unscorable = 0
        mistakes: list[dict[str, Any]] = []
        for (where, record), score in zip(records, scores, strict=True):
            if lang != "all" and record.get("lang", "en") != lang:
                continue
            if score.positive is None:
                unscorable += 1
                continue
            pairs.append((bool(record["label"]), bool(score.positive)))
            if bool(record["label"]) != bool(score.positive) and lang == "all":
                mistakes.append(
                    {
                        "where": where,
                        "label": record["label"],
                        "got": score.label,
                        "response": str(record["response"])[:160],
                    }
                )
        if not pairs and lang != "all":
            continue
        accuracy = sum(1 for a, b in pairs if a == b) / len(pairs) if pairs else None
        result[lang] = {
            "n": len(pairs),
            "unscorable": unscorable,
            "accuracy": accuracy,
            "kappa": cohen_kappa(pairs),
        }
        if lang == "all":
            result["mistakes"] = mistakes
    return result
