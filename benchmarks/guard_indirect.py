"""Indirect injection: requests pasted into documents the model is handed as data, held out.

    .venv/bin/python benchmarks/guard_indirect.py [--data ../shared/data] [--models DIR] [--semantic]
        [--json F]

English: BIPIA's 150 test e-mails and tables, clean, and 500 copies of them with one of BIPIA's 125 test
attacks (categories the training attacks do not have) pasted between two words at a random place.
Chinese: 300 of DRCD's test paragraphs (Wikipedia, converted to simplified characters; no DRCD
paragraph trains), clean, and 500 copies with one of our held-out Chinese requests ("eval" lines of
the everyday, short-wish, chat and harmful-request sets) pasted at a random character (glued into a
sentence), and 500 more with the request pasted after a sentence's end.
Articles, a genre no document trains on: AGIEval's LSAT and SAT reading passages (en) and gaokao Chinese
reading passages (zh), clean, and 300 copies each with a held-out request pasted in as above.
Each document is read as ``source="document"`` by the injection detector as the Guard runs it, once
with the document-request model and once without it. Reported: recall on pasted documents, the share
of clean documents flagged, whether the finding's span covers the pasted request, and the time per
document. ``--semantic`` reads them with the semantic tier's injection term too (long English text,
``aigis.guard.injection_term``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from aigis.guard.detectors.base import ScanContext
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.document_training import Document, paste, reader_requests
from aigis.guard.normalize import normalize
from aigis.guard.training import _own, _simplify, bipia_attacks, bipia_contexts, default_data_dir
from guard_detection import HELD_OUT_PASSAGES, agieval_passages

DOCUMENTS = 300  # clean documents per language (BIPIA's test split has 150 e-mails and tables)
PASTED = 500  # documents with a pasted request, per language
HELD_OUT_ZH = ("everyday_zh.txt", "wishes_zh.txt", "chat_zh.txt", "harmful_requests_zh.txt")


def _english(data: Path, rng: random.Random) -> tuple[list[str], list[str]]:
    contexts, attacks = bipia_contexts(data, "test"), bipia_attacks(data, "test")
    rng.shuffle(contexts)
    return contexts[:DOCUMENTS], attacks


def _chinese(data: Path, rng: random.Random) -> tuple[list[str], list[str]]:
    paragraphs = [
        str(par["context"])[:1500]
        for article in json.loads((data / "drcd" / "DRCD_test.json").read_text(encoding="utf-8"))["data"]
        for par in article["paragraphs"]
    ]
    rng.shuffle(paragraphs)
    requests = [t.strip() for name in HELD_OUT_ZH for t in _own(name, "eval") if len(t) <= 300]
    return _simplify(paragraphs[:DOCUMENTS]), requests


def build(data: Path, seed: int = 7) -> dict[str, list[Document]]:
    """Per set, ``PASTED`` documents with a request pasted in (each request in turn, each into a random
    document) and every document clean. Chinese twice: glued into a sentence and between sentences."""
    rng = random.Random(seed)
    out: dict[str, list[Document]] = {}
    english, chinese = _english(data, rng), _chinese(data, rng)
    for name, lang, (contexts, requests), between in (
        ("en", "en", english, False),
        ("zh in a sentence", "zh", chinese, False),
        ("zh between sentences", "zh", chinese, True),
    ):
        docs = [
            paste(
                rng.choice(contexts), requests[i % len(requests)], rng, lang, True, between_sentences=between
            )
            for i in range(PASTED)
        ]
        out[name] = docs + [Document(context, lang, None, True) for context in contexts]
    # documents that ask their own reader something ("Could you send me the signed copy by Thursday?"):
    # none should be flagged; the held-out lines of reader_requests_{en,zh}.txt
    for lang, (contexts, _) in (("en", english), ("zh", chinese)):
        asks = [t for t, line_lang in reader_requests("eval") if line_lang == lang]
        out[f"{lang} asking its reader"] = [
            replace(paste(rng.choice(contexts), text, rng, lang, True, between_sentences=True), request=None)
            for text in asks
        ]
    out.update(_articles(data, random.Random(seed + 1), {"en": english[1], "zh": chinese[1]}))
    return out


ARTICLES_PASTED = 300  # per language


def _articles(data: Path, rng: random.Random, requests: dict[str, list[str]]) -> dict[str, list[Document]]:
    """A genre no document trains on: essays and articles, AGIEval's LSAT and SAT reading passages (en) and
    its gaokao Chinese reading passages (zh) as ``guard_detection.py`` holds them out, clean and with one of
    ``requests`` (by language) pasted in (en: between two words; zh: glued into a sentence)."""
    out: dict[str, list[Document]] = {}
    for lang, names in HELD_OUT_PASSAGES.items():
        passages = [p[:1500] for p in agieval_passages(data, names)]
        if not passages:
            continue
        docs = [
            paste(rng.choice(passages), requests[lang][i % len(requests[lang])], rng, lang, True)
            for i in range(ARTICLES_PASTED)
        ]
        out[f"{lang} articles"] = docs + [Document(p, lang, None, True) for p in passages]
    return out


def judge(detector: InjectionDetector, doc: Document) -> tuple[bool, bool, float]:
    """(flagged, a finding's span overlaps the pasted request, milliseconds), as the Guard reads it."""
    ctx = ScanContext(source="document")
    t0 = time.perf_counter()
    findings = []
    for view, at in detector.views_in(normalize(doc.text), ctx):
        findings = detector.scan(view.text, at)
        if findings:
            break
    ms = (time.perf_counter() - t0) * 1000
    on_request = False
    if findings and doc.request is not None:
        lo, hi = doc.request
        on_request = any(f.span is not None and f.span.start < hi and lo < f.span.end for f in findings)
    return bool(findings), on_request, ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--models", type=Path, help="model folder (default: the shipped models)")
    ap.add_argument("--semantic", action="store_true", help="with the injection term of the semantic tier")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    docs = build(args.data)
    with_model = InjectionDetector(model_dir=args.models, semantic=args.semantic)
    without = InjectionDetector(model_dir=args.models, semantic=args.semantic)
    without.documents = None
    results: dict[str, dict[str, float | None]] = {}
    for lang, group in docs.items():  # lang: the set's name
        pasted = [d for d in group if d.request is not None]
        clean = [d for d in group if d.request is None]
        for name, det in (("cues and jailbreak model", without), ("with document-request model", with_model)):
            hits = [judge(det, d) for d in pasted]
            false = [judge(det, d) for d in clean]
            times = [ms for _, _, ms in hits + false]
            results[f"{lang} {name}"] = {
                "pasted": len(pasted),
                "recall": round(sum(h for h, _, _ in hits) / len(pasted), 4) if pasted else None,
                "span_on_request": round(sum(o for _, o, _ in hits) / len(pasted), 4) if pasted else None,
                "clean": len(clean),
                "fpr": round(sum(h for h, _, _ in false) / len(clean), 4),
                "p50_ms": round(statistics.median(times), 3),
                "p99_ms": round(sorted(times)[int(len(times) * 0.99)], 3),
            }
    print(f"{'set':52s} {'recall':>7s} {'on span':>8s} {'fpr':>7s} {'p50 ms':>7s} {'p99 ms':>7s}")

    def cell(value: float | None, width: int) -> str:
        return f"{value:{width}.3f}" if value is not None else f"{'—':>{width}s}"

    for key, r in results.items():
        print(
            f"{key:52s} {cell(r['recall'], 7)} {cell(r['span_on_request'], 8)} {cell(r['fpr'], 7)} "
            f"{cell(r['p50_ms'], 7)} {cell(r['p99_ms'], 7)}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
