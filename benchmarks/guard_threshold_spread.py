"""How firm the semantic head's operating point is: its per-language threshold re-chosen on bootstrap
resamples of its own validation negatives, and audited MultiJail recall at each.

    .venv/bin/python benchmarks/guard_threshold_spread.py [--models DIR] [--draws 500] [--lang en zh]
        [--seed 0]

The head's threshold is one order statistic of a few hundred validation negatives (the 1.5 % quantile,
``aigis.guard.semantic.MAX_VALIDATION_FPR``), so where their scores thin out it can jump by a logit when one
row moves. This script draws the validation negatives again with replacement, chooses the threshold as
training does (``choose_thresholds``), and reports the 5/25/50/75/95th percentiles of the thresholds and of
audited MultiJail recall at them (the ``_audited`` groups of ``guard_detection.py``). Texts are scored as
written (no normalizer views, no courtesy trimming), which reproduces ``guard_detection.py --semantic`` on
audited MultiJail en within a prompt or two.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aigis.guard.detectors.harmful import HarmfulDetector
from aigis.guard.embedding import shared_encoder
from aigis.guard.semantic import (
    MAX_VALIDATION_FPR,
    SemanticHead,
    choose_thresholds,
    fast_logit,
    head_logits,
    head_rows,
    one_blas_thread,
)
from aigis.guard.training import as_guard_reads, default_data_dir, load_splits
from guard_detection import audited_multijail

PERCENTILES = (5, 25, 50, 75, 95)


def ensemble(
    head: SemanticHead, fast: HarmfulDetector, texts: list[str], lang: str, request: bool
) -> np.ndarray:
    """The head's ensemble logit (before its threshold) for ``texts`` in ``lang``."""
    encoder = shared_encoder(None)
    logits = head_logits(head, encoder, texts, [lang] * len(texts))
    share = head.for_lang(lang).fast_weight[lang]
    fast_z = np.array([fast_logit(fast.score(t, request=request)[0]) for t in texts])
    return logits + share * fast_z


def threshold(negatives: np.ndarray, lang: str) -> float:
    """The threshold training would choose on these validation negatives (``choose_thresholds``)."""
    labels = ["benign"] * len(negatives)
    return choose_thresholds(negatives, labels, [lang] * len(negatives), MAX_VALIDATION_FPR)[lang]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=None, help="model folder (default: shipped)")
    parser.add_argument("--draws", type=int, default=500, help="bootstrap resamples (default 500)")
    parser.add_argument("--lang", nargs="+", choices=("en", "zh"), default=["en", "zh"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.draws < 1:
        parser.error(f"--draws {args.draws}: give at least 1")
    if args.models is not None and not (args.models / "semantic.npz").is_file():
        parser.error(f"--models {args.models}: no semantic.npz there (see aigis guard train --semantic)")
    data = default_data_dir()
    splits = load_splits(data)
    splits.update(audited_multijail(data, splits))
    head = SemanticHead.load(args.models / "semantic.npz" if args.models else None)
    fast = HarmfulDetector(model_dir=args.models)
    rng = np.random.default_rng(args.seed)
    for lang in args.lang:
        # the rows that chose this language's threshold: the shared networks' or the language's own
        rows, validating = head_rows(splits, shared=lang not in head.by_lang)
        negatives = [
            s for s, v in zip(rows, validating, strict=True) if v and s.lang == lang and s.label != "harmful"
        ]
        prompts = [s.text for s in as_guard_reads(splits[f"eval:harmful_multijail_audited:{lang}"])]
        with one_blas_thread():
            neg_z = ensemble(head, fast, [s.text for s in negatives], lang, request=False)
            pos_z = ensemble(head, fast, prompts, lang, request=True)
        shipped = threshold(neg_z, lang)
        thresholds = np.array(
            [threshold(neg_z[rng.integers(0, len(neg_z), len(neg_z))], lang) for _ in range(args.draws)]
        )
        recalls = np.array([(pos_z >= t).mean() for t in thresholds])
        print(
            f"{lang}: {len(neg_z)} validation negatives, threshold {shipped:+.3f}, "
            f"audited MultiJail recall {(pos_z >= shipped).mean():.3f} ({len(prompts)} prompts)"
        )
        cuts = ", ".join(f"{p}th" for p in PERCENTILES)
        print(
            f"  thresholds at the {cuts} percentiles: {np.round(np.percentile(thresholds, PERCENTILES), 3)}"
        )
        print(f"  recall at them: {np.round(np.percentile(recalls, PERCENTILES), 3)}")


if __name__ == "__main__":
    main()
