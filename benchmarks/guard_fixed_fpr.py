"""Recall of the semantic tier at fixed false-positive rates, to compare two sets of models on ranking
rather than on the operating points their validation rows chose.

    .venv/bin/python benchmarks/guard_fixed_fpr.py [--models DIR] [--data ../shared/data] [--fast]

For each language, the detector's decision value (the ensemble logit minus the language's threshold; texts
the fast model already scores at or above ``skip_above`` count as flagged) is computed on held-out groups.
Recall on MultiJail, on our conversational harmful lines, on our own harmful requests, on our harmful
requests behind a pretext and on self-harm statements is then read at the thresholds that let a fixed share
of benign (1, 1.5, 2 %), everyday-message, chat, ordinary-sentence, short-wish, harmless-pretext,
everyday-sense or everyday-distress (1, 2, 5 %) or sensitive-benign or, in Chinese, CValues responsibility
(5, 10, 15 %) texts through. ``--fast`` ranks by the fast harmful model's probability alone (its models
need no ``semantic.npz``). Benign groups of more than 1,500 texts are sampled (seed 1). Texts are folded
first (full-width punctuation, traditional Chinese), as the Guard folds them before the semantic tier reads
them.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np

from aigis.guard.detectors.harmful import HarmfulDetector
from aigis.guard.detectors.semantic import SemanticDetector
from aigis.guard.models import detect_lang
from aigis.guard.normalize import fold
from aigis.guard.semantic import fast_logit, head_logits
from aigis.guard.training import default_data_dir, load_splits

POSITIVE = ("harmful_multijail", "harmful_conversation", "harmful_own", "harmful_pretext", "self_harm")
NEGATIVE = {
    "benign": (0.01, 0.015, 0.02),
    "everyday": (0.01, 0.02, 0.05),
    "chat": (0.01, 0.02, 0.05),
    "statements": (0.01, 0.02, 0.05),
    "wishes": (0.01, 0.02, 0.05),
    "benign_pretext": (0.01, 0.02, 0.05),
    "sensitive_benign": (0.05, 0.10, 0.15),
    "idioms": (0.01, 0.02, 0.05),
    "distress": (0.01, 0.02, 0.05),
    "responsibility": (0.05, 0.10, 0.15),  # Chinese only (CValues)
}
SAMPLE = 1500


def decision_values(det: SemanticDetector, texts: list[str]) -> np.ndarray:
    texts = [fold(t)[0] for t in texts]  # the semantic tier reads the Guard's main normalized view
    langs = [detect_lang(t) for t in texts]
    fast = [det.fast.score(t)[0] for t in texts]
    head = head_logits(det.head, det.encoder, texts, langs)
    return np.array(
        [
            np.inf if p >= det.skip_above else det.head.for_lang(lang).decision(float(z), fast_logit(p), lang)
            for z, p, lang in zip(head, fast, langs, strict=True)
        ]
    )


def fast_values(det: HarmfulDetector, texts: list[str]) -> np.ndarray:
    return np.array([det.score(fold(t)[0])[0] for t in texts])


def recall_at(positive: np.ndarray, negative: np.ndarray, fpr: float) -> float:
    ordered = np.sort(negative)[::-1]
    threshold = ordered[int(len(ordered) * fpr)] + 1e-6
    return float((positive >= threshold).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=None, help="model folder (default: shipped)")
    parser.add_argument("--data", type=Path, default=None, help="public data sets (default: ../shared/data)")
    parser.add_argument("--fast", action="store_true", help="rank by the fast harmful model alone")
    args = parser.parse_args()
    if args.models is not None:
        needed = ("harmful.npz",) if args.fast else ("harmful.npz", "semantic.npz")
        missing = [n for n in needed if not (args.models / n).is_file()]
        if missing:
            parser.error(
                f"--models {args.models} lacks {', '.join(missing)}: train with "
                "aigis guard train --semantic -o DIR"
            )
    if args.fast:
        fast = HarmfulDetector(model_dir=args.models)

        def values_of(texts: list[str]) -> np.ndarray:
            return fast_values(fast, texts)
    else:
        head = str(args.models / "semantic.npz") if args.models else None
        det = SemanticDetector(model_dir=str(args.models) if args.models else None, head=head)

        def values_of(texts: list[str]) -> np.ndarray:
            return decision_values(det, texts)

    splits = load_splits(args.data or default_data_dir())
    values: dict[str, np.ndarray] = {}
    for lang in ("en", "zh"):
        for name in (*POSITIVE, *NEGATIVE):
            if f"eval:{name}:{lang}" not in splits:
                continue
            rows = [s.text for s in splits[f"eval:{name}:{lang}"]]
            if len(rows) > SAMPLE:
                rows = random.Random(1).sample(rows, SAMPLE)
            values[f"{name}:{lang}"] = values_of(rows)
    print(f"{'lang':5} {'negatives':17} {'fpr':>5}  " + "  ".join(f"{p:>22}" for p in POSITIVE))
    for lang in ("en", "zh"):
        for negative, rates in NEGATIVE.items():
            if f"{negative}:{lang}" not in values:
                continue
            for fpr in rates:
                neg = values[f"{negative}:{lang}"]
                cells = [recall_at(values[f"{p}:{lang}"], neg, fpr) for p in POSITIVE]
                print(f"{lang:5} {negative:17} {fpr:5.3f}  " + "  ".join(f"{c:22.3f}" for c in cells))


if __name__ == "__main__":
    main()
