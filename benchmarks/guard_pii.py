"""PII detection: aigis vs Presidio on Presidio's own evaluation set, Chinese PII F1 on a generated set,
and false positives on benign Chinese text.

    .venv/bin/pip install presidio-analyzer      # for this benchmark only
    .venv/bin/python benchmarks/guard_pii.py [--zh-samples 2000] [--zh-seed 7]

Presidio runs its pattern recognizers with a blank spaCy English pipeline (models cannot be
downloaded here), so its NER-only types (PERSON, LOCATION, ...) are out of the comparison; the
compared types are those both support: e-mail, phone, credit card, IBAN, US SSN, IP address.
Matching: a prediction is a true positive when it has the gold type and overlaps a gold span.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aigis.guard.detectors import ScanContext
from aigis.guard.detectors.pii import PiiDetector

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TYPES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS")
OURS_TO_PRESIDIO = {"CN_MOBILE": "PHONE_NUMBER", "CN_LANDLINE": "PHONE_NUMBER", "CN_BANK_CARD": "CREDIT_CARD"}

Span = tuple[str, int, int]


def score(gold: list[list[Span]], pred: list[list[Span]], types: tuple[str, ...]) -> dict[str, Any]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g_row, p_row in zip(gold, pred, strict=True):
        used: set[int] = set()
        for t, s, e in p_row:
            if t not in types:
                continue
            hit = next(
                (
                    i
                    for i, (gt, gs, ge) in enumerate(g_row)
                    if i not in used and gt == t and s < ge and gs < e
                ),
                None,
            )
            if hit is None:
                fp[t] += 1
            else:
                used.add(hit)
                tp[t] += 1
        for i, (gt, _, _) in enumerate(g_row):
            if gt in types and i not in used:
                fn[gt] += 1

    def prf(a: int, b: int, c: int) -> dict[str, float | int]:
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        return {
            "tp": a,
            "fp": b,
            "fn": c,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        }

    out: dict[str, Any] = {t: prf(tp[t], fp[t], fn[t]) for t in types}
    out["all"] = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return out


def ours(texts: list[str]) -> tuple[list[list[Span]], float]:
    det = PiiDetector()
    ctx = ScanContext()
    out = []
    t0 = time.perf_counter()
    for text in texts:
        out.append(
            [
                (OURS_TO_PRESIDIO.get(f.category, f.category), f.span.start, f.span.end)
                for f in det.scan(text, ctx)
                if f.span is not None
            ]
        )
    return out, time.perf_counter() - t0


def presidio(texts: list[str]) -> tuple[list[list[Span]], float] | None:
    try:
        import spacy
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError:
        return None
    logging.disable(logging.WARNING)
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.nlp = {"en": spacy.blank("en")}
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    analyzer.analyze("warm up a@b.com", language="en", entities=list(TYPES))
    out = []
    t0 = time.perf_counter()
    for text in texts:
        res = analyzer.analyze(text, language="en", entities=list(TYPES))
        out.append([(r.entity_type, r.start, r.end) for r in res])
    return out, time.perf_counter() - t0


def presidio_synth() -> dict[str, Any]:
    path = DATA / "presidio_synth" / "synth_dataset_v2.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    texts = [r["full_text"] for r in rows]
    gold = [[(s["entity_type"], s["start_position"], s["end_position"]) for s in r["spans"]] for r in rows]
    chars = sum(len(t) for t in texts)
    result: dict[str, Any] = {"rows": len(rows), "chars": chars}
    pred, secs = ours(texts)
    result["aigis"] = {
        "scores": score(gold, pred, TYPES),
        "seconds": round(secs, 4),
        "texts_per_s": round(len(texts) / secs),
        "mb_per_s": round(chars / secs / 1e6, 2),
    }
    peer = presidio(texts)
    if peer is not None:
        p_pred, p_secs = peer
        result["presidio"] = {
            "scores": score(gold, p_pred, TYPES),
            "seconds": round(p_secs, 4),
            "texts_per_s": round(len(texts) / p_secs),
            "mb_per_s": round(chars / p_secs / 1e6, 3),
        }
        result["speedup"] = round(p_secs / secs, 1)
    return result


def chinese(n: int, seed: int = 7) -> dict[str, Any]:
    from aigis.guard.pii_gen import generate

    samples = list(generate(n, seed=seed))
    types = tuple(sorted({e.type for s in samples for e in s.spans}))
    gold = [[(e.type, e.start, e.end) for e in s.spans] for s in samples]
    det = PiiDetector()
    ctx = ScanContext()
    t0 = time.perf_counter()
    pred = [
        [
            (f.category if f.category != "PHONE_NUMBER" else "CN_LANDLINE", f.span.start, f.span.end)
            for f in det.scan(s.text, ctx)
            if f.span is not None
        ]
        for s in samples
    ]
    secs = time.perf_counter() - t0
    # exact spans for Chinese: a prediction must match the gold boundaries
    exact = [[p for p in row if p in set(g)] for row, g in zip(pred, gold, strict=True)]
    misses = sum(len(row) - len(e) for row, e in zip(pred, exact, strict=True))
    return {
        "samples": n,
        "seed": seed,
        "overlap": score(gold, pred, types),
        "exact_span_f1": score(gold, exact, types)["all"],
        "predictions_with_inexact_span": misses,
        "seconds": round(secs, 4),
    }


def benign() -> dict[str, Any]:
    sets = {
        "cmrc2018": ("cmrc2018/cmrc2018_questions.jsonl", "question"),
        "crosswoz": ("crosswoz/crosswoz_user_utterances.jsonl", "text"),
        "kdconv": ("kdconv/kdconv_utterances.jsonl", "text"),
    }
    det = PiiDetector()
    ctx = ScanContext()
    out: dict[str, Any] = {}
    for name, (rel, field) in sets.items():
        path = DATA / rel
        if not path.exists():
            continue
        texts = [json.loads(line)[field] for line in path.open(encoding="utf-8") if line.strip()]
        hits = []
        for t in texts:
            found = [f for f in det.scan(t, ctx) if f.score >= 0.5]  # the default policy's threshold
            if found:
                hits.append({"text": t[:80], "found": [(f.category, f.text) for f in found]})
        cats = Counter(c for h in hits for c, _ in h["found"])
        out[name] = {
            "texts": len(texts),
            "texts_with_findings": len(hits),
            "by_category": dict(cats),
            "examples": hits[:8],
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zh-samples", type=int, default=2000)
    ap.add_argument("--zh-seed", type=int, default=7, help="seed of the generated Chinese PII set")
    args = ap.parse_args()
    report: dict[str, Any] = {}
    if (DATA / "presidio_synth").exists():
        report["presidio_synth"] = presidio_synth()
    report["zh_generated"] = chinese(args.zh_samples, args.zh_seed)
    report["benign_zh"] = benign()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
