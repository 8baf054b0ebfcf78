"""How far the held-out figures move when the same code is retrained with another seed.

    .venv/bin/python benchmarks/guard_seed_spread.py [--seeds 13 14 15 16 17] [--semantic]
        [--embedding-cache /tmp/emb.npz] [--work DIR] [--json out.json] [--no-request-shapes]

The seed decides which rows the large benign sets contribute (they are sampled), the order of the fast
models' SGD and, with ``--semantic``, the head's bootstrap resamples. For each seed the models are trained
into ``DIR/seed<N>`` (kept, and reused when they are already there) and scored by
``guard_detection.evaluate``; after changing the code, give a new ``--work`` folder. The table gives each
held-out group's mean, standard deviation, lowest and highest figure, next to the shipped models' figure.
A change to the models is worth more than this spread only when it moves a figure by more than about two
standard deviations.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aigis.guard.training import default_data_dir, train
from guard_detection import evaluate

Figures = dict[str, dict[str, float]]


def metric(row: dict[str, float]) -> float | None:
    value = row.get("recall", row.get("fpr"))
    return None if value is None else float(value)


def train_seed(
    folder: Path, seed: int, data: Path, semantic: bool, cache: Path | None, request_shapes: bool = True
) -> None:
    """Fast models (and the semantic head) for ``seed`` in ``folder``, unless they are there already."""
    if not (folder / "harmful.npz").is_file():
        train(folder, data_dir=data, seed=seed, request_shapes=request_shapes)
    if semantic and not (folder / "semantic.npz").is_file():
        from aigis.guard.semantic import train_semantic

        train_semantic(folder, data_dir=data, seed=seed, cache=cache)


def spread(runs: dict[int, Figures], shipped: Figures) -> list[dict[str, object]]:
    """Per held-out group: the shipped figure and the mean, sd, min and max over the seeds."""
    rows = []
    for group, row in shipped.items():
        if group.startswith("latency"):
            continue
        values = [v for figures in runs.values() if (v := metric(figures.get(group, {}))) is not None]
        if not values:
            continue
        rows.append(
            {
                "group": group,
                "n": int(row.get("n", 0)),
                "shipped": metric(row),
                "mean": statistics.fmean(values),
                "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
                "min": min(values),
                "max": max(values),
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15, 16, 17])
    ap.add_argument("--semantic", action="store_true", help="also train and score the semantic tier")
    ap.add_argument("--embedding-cache", type=Path, help="an .npz file of embeddings to reuse")
    ap.add_argument("--work", type=Path, help="where the seeds' models go (default: a temporary folder)")
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--json", type=Path)
    ap.add_argument(
        "--no-request-shapes",
        action="store_true",
        help="train the harmful model without the request-shape features (aigis.guard.acts), for comparison",
    )
    args = ap.parse_args()
    if len(set(args.seeds)) < 2:
        ap.error("--seeds needs at least two different seeds")
    work = args.work or Path(tempfile.mkdtemp(prefix="aigis-seeds-"))
    runs: dict[int, Figures] = {}
    with Progress() as progress:
        task = progress.add_task("seeds", total=len(args.seeds) + 1)
        shipped = evaluate(args.data, semantic=args.semantic)
        progress.advance(task)
        for seed in args.seeds:
            folder = work / f"seed{seed}"
            shapes = not args.no_request_shapes
            train_seed(folder, seed, args.data, args.semantic, args.embedding_cache, shapes)
            runs[seed] = evaluate(args.data, models=folder, semantic=args.semantic)
            progress.advance(task)
    rows = spread(runs, shipped)
    tier = "semantic" if args.semantic else "fast"
    print(f"{tier} tier, seeds {', '.join(map(str, args.seeds))} (models in {work})")
    print(f"{'set':48s} {'n':>5s} {'shipped':>8s} {'mean':>7s} {'sd':>6s} {'min':>7s} {'max':>7s}")
    for r in rows:
        shipped_value = "" if r["shipped"] is None else f"{r['shipped']:.3f}"
        print(
            f"{r['group']:48s} {r['n']:5d} {shipped_value:>8s} {r['mean']:7.3f} {r['sd']:6.3f} "
            f"{r['min']:7.3f} {r['max']:7.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps({"tier": tier, "seeds": args.seeds, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
