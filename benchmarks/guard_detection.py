"""Held-out evaluation of the guard's content detectors (injection, harmful).

Evaluates on the sources the shipped classifiers were NOT trained on (see the split table in
``aigis.guard.training``) and prints recall on attack/harmful sets and false-positive rates on benign
and hard-benign sets, per language, plus per-text latency of both detectors.

    .venv/bin/python benchmarks/guard_detection.py [--data ../shared/data] [--raw] [--json out.json]
        [--models DIR] [--semantic] [--hold-out hh_rlhf]

``--semantic`` scores with the semantic tier: harmful content with ``aigis.guard.detectors.semantic`` (the
fast model plus the sentence-embedding head) instead of the fast model alone, and injection with the
embedding term for long English text (``aigis.guard.injection_term``).

``--hold-out SOURCE`` moves a training source (hh_rlhf) into evaluation: a leave-one-source-out figure,
meaningful only with ``--models`` trained by ``aigis guard train --hold-out SOURCE -o DIR``.

hh_rlhf and MultiJail label whole red-team conversations, and many of their openers ask nothing
harmful on their own. An audit labels each opener harmful, borderline or harmless on its own
(rubric: ``benchmarks/data/opener_audit_rubric.md``); the ``_audited`` groups hold the openers every
pass calls harmful: ``eval:harmful_hh_audited:en`` (with ``--hold-out hh_rlhf``; labels in
``aigis/guard/lexicon/hh_rlhf_opener_labels.jsonl``) and ``eval:harmful_multijail_audited:{en,zh}``
(two passes, ``benchmarks/data/multijail_audit.jsonl``).

Each detector reads what it reads inside the Guard: the normalizer's views of the text
(``aigis.guard.normalize``: full-width punctuation folded, traditional Chinese simplified, evasions and
encoded payloads undone), a hit on any view counting; ``literal`` detectors (the semantic tier) read the
main view only. ``--raw`` hands the detectors the text as it is instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from pathlib import Path

import aigis.guard
from aigis.guard.detectors.base import Detector, Finding, ScanContext
from aigis.guard.detectors.harmful import HarmfulDetector
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.normalize import normalize
from aigis.guard.training import (
    HOLDABLE_SOURCES,
    Sample,
    agieval_passages,
    default_data_dir,
    load_splits,
)

# (split group, detector(s) that must fire, "recall" or "fpr", source for the context)
TARGETS: list[tuple[str, str, str, str]] = [
    ("eval:jailbreak:en", "injection", "recall", "user"),
    ("eval:jailbreak:zh", "injection", "recall", "user"),
    ("eval:indirect:en", "injection", "recall", "document"),
    ("eval:harmful:en", "harmful", "recall", "user"),
    ("eval:harmful_hh_audited:en", "harmful", "recall", "user"),
    ("eval:harmful_multijail:en", "harmful", "recall", "user"),
    ("eval:harmful_multijail_audited:en", "harmful", "recall", "user"),
    ("eval:harmful:zh", "harmful", "recall", "user"),
    ("eval:harmful_multijail:zh", "harmful", "recall", "user"),
    ("eval:harmful_multijail_audited:zh", "harmful", "recall", "user"),
    ("eval:harmful_own:en", "harmful", "recall", "user"),
    ("eval:harmful_own:zh", "harmful", "recall", "user"),
    ("eval:harmful_conversation:en", "harmful", "recall", "user"),
    ("eval:harmful_conversation:zh", "harmful", "recall", "user"),
    ("eval:harmful_pretext:en", "harmful", "recall", "user"),
    ("eval:harmful_pretext:zh", "harmful", "recall", "user"),
    ("eval:self_harm:en", "harmful", "recall", "user"),
    ("eval:self_harm:zh", "harmful", "recall", "user"),
    # someone else's personal details looked up or misused, and a person's own given for a service (round 38)
    ("eval:details_lookup:en", "harmful", "recall", "user"),
    ("eval:details_lookup:zh", "harmful", "recall", "user"),
    ("eval:benign:en", "any", "fpr", "user"),
    ("eval:benign:zh", "any", "fpr", "user"),
    ("eval:hard_benign:en", "any", "fpr", "user"),
    ("eval:hard_benign:zh", "any", "fpr", "user"),
    ("eval:sensitive_benign:en", "any", "fpr", "user"),
    ("eval:sensitive_benign:zh", "any", "fpr", "user"),
    ("eval:responsibility:zh", "any", "fpr", "user"),
    ("eval:idioms:en", "any", "fpr", "user"),
    ("eval:idioms:zh", "any", "fpr", "user"),
    ("eval:everyday:en", "any", "fpr", "user"),
    ("eval:everyday:zh", "any", "fpr", "user"),
    ("eval:chat:en", "any", "fpr", "user"),
    ("eval:chat:zh", "any", "fpr", "user"),
    ("eval:statements:en", "any", "fpr", "user"),
    ("eval:statements:zh", "any", "fpr", "user"),
    ("eval:wishes:en", "any", "fpr", "user"),
    ("eval:wishes:zh", "any", "fpr", "user"),
    ("eval:benign_pretext:en", "any", "fpr", "user"),
    ("eval:benign_pretext:zh", "any", "fpr", "user"),
    ("eval:distress:en", "any", "fpr", "user"),
    ("eval:distress:zh", "any", "fpr", "user"),
    ("eval:own_details:en", "any", "fpr", "user"),
    ("eval:own_details:zh", "any", "fpr", "user"),
    ("eval:benign_documents:en", "injection", "fpr", "document"),
    # harmless role play and instructions about the answer's form (round 29; held-out lines)
    ("eval:benign_roleplay:en", "any", "fpr", "user"),
    ("eval:benign_roleplay:zh", "any", "fpr", "user"),
    # instructions about the answer's form and the user's own earlier instructions, and attacks in their
    # words (round 39; held-out lines)
    ("eval:format_instructions:en", "any", "fpr", "user"),
    ("eval:format_instructions:zh", "any", "fpr", "user"),
    ("eval:format_injections:en", "injection", "recall", "user"),
    ("eval:format_injections:zh", "injection", "recall", "user"),
    # written apart from every training line, never trained (round 40): short attacks on the assistant's
    # own instructions and harmless instructions about the answer (``benchmarks/data/*_blind_*.txt``)
    ("blind:short_attacks:en", "injection", "recall", "user"),
    ("blind:short_attacks:zh", "injection", "recall", "user"),
    ("blind:answer_instructions:en", "any", "fpr", "user"),
    ("blind:answer_instructions:zh", "any", "fpr", "user"),
    # long prose pasted by a user (round 30): AGIEval's LSAT and SAT passages, gaokao Chinese passages and
    # the held-out lines of articles_{en,zh}.txt
    ("eval:articles:en", "any", "fpr", "user"),
    ("eval:articles:zh", "any", "fpr", "user"),
]


MULTIJAIL_AUDIT = Path(__file__).parent / "data" / "multijail_audit.jsonl"


def audited_multijail(data_dir: Path, splits: dict[str, list[Sample]]) -> dict[str, list[Sample]]:
    """MultiJail's prompts that both passes of the opener audit call harmful on their own, en and zh."""
    passes = [json.loads(line) for line in MULTIJAIL_AUDIT.read_text(encoding="utf-8").splitlines()]
    harmful = {int(r["id"]) for r in passes if r["first_pass"] == r["second_pass"] == "harmful"}
    with (data_dir / "multijail" / "MultiJail.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if int(r["id"]) in harmful]
    out = {}
    for lang in ("en", "zh"):
        kept = {s.text for s in splits[f"eval:harmful_multijail:{lang}"]}  # after the training dedup
        out[f"eval:harmful_multijail_audited:{lang}"] = [
            Sample(r[lang], "harmful", lang, "multijail") for r in rows if r[lang] in kept
        ]
    return out


# our own passages: their "train" lines train only the injection term of the semantic tier (round 31)
ARTICLES = Path(aigis.guard.__file__).parent / "lexicon"


# the AGIEval reading passages held out as long prose, by language
HELD_OUT_PASSAGES = {"en": ("lsat-rc", "sat-en"), "zh": ("gaokao-chinese",)}


def articles(data_dir: Path) -> dict[str, list[Sample]]:
    """Long prose as a user pastes it (round 30), which no model trains on: AGIEval's LSAT and SAT reading
    passages (en) and gaokao Chinese reading passages (zh), whole, and the held-out ("eval") lines of our
    own passages (``aigis/guard/lexicon/articles_{en,zh}.txt``: news, essays, reviews, how-to pages,
    fiction)."""
    out: dict[str, list[Sample]] = {}
    for lang, names in HELD_OUT_PASSAGES.items():
        group = [
            Sample(t, "benign", lang, f"agieval_{lang}_passages") for t in agieval_passages(data_dir, names)
        ]
        for line in (ARTICLES / f"articles_{lang}.txt").read_text(encoding="utf-8").splitlines():
            split, _, text = line.partition("\t")
            if split == "eval":
                group.append(Sample(text, "benign", lang, f"articles_{lang}"))
        out[f"eval:articles:{lang}"] = group
    return out


BLIND = Path(__file__).parent / "data"


def blind_sets() -> dict[str, list[Sample]]:
    """Sets written apart from the training lines and never trained (``kind<TAB>text`` lines): short attacks
    on the assistant's own instructions (``short_attacks_blind_{en,zh}.txt``) and harmless instructions
    about the answer (``answer_instructions_blind_{en,zh}.txt``), each kind its own source."""
    out: dict[str, list[Sample]] = {}
    for stem, label in (("short_attacks", "injection"), ("answer_instructions", "benign")):
        for lang in ("en", "zh"):
            lines = (BLIND / f"{stem}_blind_{lang}.txt").read_text(encoding="utf-8").splitlines()
            rows = [line.split("\t", 1) for line in lines if line and not line.startswith("#")]
            out[f"blind:{stem}:{lang}"] = [Sample(text, label, lang, kind) for kind, text in rows]
    return out


def first_finding(detector: Detector, text: str, ctx: ScanContext) -> Finding | None:
    """The first finding ``detector`` makes on the Guard's views of ``text`` (the first view with any), or
    None."""
    for view, at in detector.views_in(normalize(text), ctx):
        found = detector.scan(view.text, at)
        if found:
            return found[0]
    return None


def fires(detector: Detector, text: str, ctx: ScanContext, raw: bool) -> bool:
    """Whether ``detector`` finds anything in ``text`` the way the Guard runs it (or on the raw text)."""
    if raw:
        return bool(detector.scan(text, ctx))
    return first_finding(detector, text, ctx) is not None


def evaluate(
    data_dir: Path,
    raw: bool = False,
    models: Path | None = None,
    semantic: bool = False,
    hold_out: tuple[str, ...] = (),
) -> dict[str, dict[str, float]]:
    splits = load_splits(data_dir, hold_out=hold_out)
    splits.update(audited_multijail(data_dir, splits))
    splits.update(articles(data_dir))
    splits.update(blind_sets())
    inj = InjectionDetector(model_dir=models, semantic=semantic)
    harm: Detector = HarmfulDetector(model_dir=models)
    if semantic:
        from aigis.guard.detectors.semantic import SemanticDetector

        harm = SemanticDetector(
            model_dir=str(models) if models else None,
            head=str(models / "semantic.npz") if models else None,
        )
    results: dict[str, dict[str, float]] = {}
    latencies: list[float] = []  # the injection detector
    harm_latencies: list[float] = []  # the harmful detector (fast or semantic)
    for group, which, metric, source in TARGETS:
        samples: list[Sample] = splits.get(group, [])
        if not samples:
            continue
        ctx = ScanContext(source=source)  # type: ignore[arg-type]
        by_source: dict[str, list[int]] = {}  # source -> [texts, detections]
        for s in samples:
            t0 = time.perf_counter()
            hit_inj = fires(inj, s.text, ctx, raw) if which in ("injection", "any") else False
            t1 = time.perf_counter()
            hit_harm = fires(harm, s.text, ctx, raw) if which in ("harmful", "any") else False
            t2 = time.perf_counter()
            if which in ("injection", "any"):
                latencies.append((t1 - t0) * 1000)
            if which in ("harmful", "any"):
                harm_latencies.append((t2 - t1) * 1000)
            hit = hit_inj or hit_harm  # a detector that does not count for this group was not run
            counts = by_source.setdefault(s.source, [0, 0])
            counts[0] += 1
            counts[1] += hit
        fired = sum(hits for _, hits in by_source.values())
        results[group] = {"n": len(samples), metric: round(fired / len(samples), 4)}
        if len(by_source) > 1:  # a mixed group: each source's own rate too (gsm8k can hide a chat set)
            for source_name, (n, hits) in sorted(by_source.items()):
                results[f"{group} {source_name}"] = {"n": n, metric: round(hits / n, 4)}
    for key, values in (("latency_ms_injection", latencies), ("latency_ms_harmful", harm_latencies)):
        values.sort()
        if values:
            results[key] = {
                "p50": round(statistics.median(values), 4),
                "p99": round(values[int(len(values) * 0.99)], 4),
            }
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--raw", action="store_true", help="detectors read the raw text, not the Guard's views")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--models", type=Path, help="model folder (default: the shipped models)")
    ap.add_argument(
        "--semantic", action="store_true", help="harmful content and injection on the semantic tier"
    )
    ap.add_argument(
        "--hold-out",
        action="append",
        default=[],
        choices=HOLDABLE_SOURCES,
        help="evaluate on a training source too (hh_rlhf); give --models trained with the same --hold-out",
    )
    args = ap.parse_args()
    if (
        args.hold_out and args.models is None
    ):  # the shipped models trained on it: the figure would mean nothing
        ap.error("--hold-out needs --models DIR trained by 'aigis guard train --hold-out SOURCE -o DIR'")
    res = evaluate(args.data, args.raw, args.models, args.semantic, tuple(args.hold_out))
    print(f"{'set':32s} {'n':>6s}  metric")
    for group, row in res.items():
        metric = ", ".join(f"{k}={v}" for k, v in row.items() if k != "n")
        print(f"{group:32s} {row.get('n', ''):>6}  {metric}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
