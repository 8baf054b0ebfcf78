"""Long English text and the injection check's terms (``aigis.guard.injection_term``), side by side.

    taskset -c 0 .venv/bin/python benchmarks/guard_long_text.py [--data ../shared/data] [--texts 120]
        [--json F]

1. Padding: held-out English jailbreak prompts as they are, with a held-out article before or after
   them, and with numbers pasted after them, read by the injection detector as the Guard runs it, with
   the n-gram model alone, with the style term (the fast tier) and with the embedding term too (the
   semantic tier); the held-out articles themselves for comparison. A term that reads style could be
   talked down by prose wrapped around an attack: this measures how far.
2. Cost: long English inputs (at least ``LONG_TEXT`` characters; held-out jailbreaks and articles,
   alternating) checked with the example semantic policy (``docs/examples/semantic-policy.yaml``) as
   shipped and with its injection detector on the n-gram model alone: per-check p50 / p99 milliseconds and
   how many inputs each refuses. The two detectors of the semantic tier share one encoder pass per text
   (``SentenceEncoder.encode_one``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from aigis.guard import Guard
from aigis.guard.detectors.base import ScanContext
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.embedding import shared_encoder
from aigis.guard.injection_term import LONG_TEXT
from aigis.guard.policy import load_policy
from aigis.guard.training import default_data_dir, load_splits
from guard_detection import articles, fires

POLICY = Path(__file__).resolve().parents[1] / "docs" / "examples" / "semantic-policy.yaml"


def held_out(data: Path) -> tuple[list[str], list[str]]:
    """Held-out English jailbreak prompts and articles."""
    jailbreaks = [s.text for s in load_splits(data)["eval:jailbreak:en"]]
    return jailbreaks, [s.text for s in articles(data)["eval:articles:en"]]


def padded(jailbreaks: list[str], prose: list[str], seed: int = 3) -> dict[str, list[str]]:
    rng = random.Random(seed)
    numbers = [" ".join(str(rng.randrange(10**6)) for _ in range(60)) for _ in jailbreaks]
    return {
        "jailbreaks": jailbreaks,
        "article before": [f"{rng.choice(prose)}\n\n{t}" for t in jailbreaks],
        "article after": [f"{t}\n\n{rng.choice(prose)}" for t in jailbreaks],
        "numbers after": [f"{t} Ref. {n}" for t, n in zip(jailbreaks, numbers, strict=True)],
        "articles (benign)": prose,
    }


def long_inputs(jailbreaks: list[str], prose: list[str], count: int) -> list[str]:
    mixed = [t for pair in zip(jailbreaks, prose, strict=False) for t in pair if len(t) >= LONG_TEXT]
    return mixed[:count]


def timed(guard: Guard, texts: list[str]) -> tuple[list[float], int]:
    times, refused = [], 0
    for text in texts:
        t0 = time.perf_counter()
        verdict = guard.check_input(text)
        times.append((time.perf_counter() - t0) * 1000)
        refused += verdict.blocked
    return sorted(times), refused


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--texts", type=int, default=120)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    jailbreaks, prose = held_out(args.data)
    results: dict[str, dict[str, float]] = {}

    readers = {
        "n-gram model alone": InjectionDetector(style=False),
        "+ style term (fast tier)": InjectionDetector(),
        "+ embedding term (semantic tier)": InjectionDetector(semantic=True),
    }
    sets = padded(jailbreaks, prose)
    print(f"{'flagged':34s} " + " ".join(f"{name:>18s}" for name in sets))
    for reader, detector in readers.items():
        row = {
            name: sum(fires(detector, t, ScanContext(), False) for t in texts) / len(texts)
            for name, texts in sets.items()
        }
        results[reader] = {k: round(v, 4) for k, v in row.items()}
        print(f"{reader:34s} " + " ".join(f"{v:18.3f}" for v in row.values()))

    texts = long_inputs(jailbreaks, prose, args.texts)
    shipped = Guard(load_policy(POLICY))
    without = Guard(load_policy(POLICY))
    without.detectors["injection"] = InjectionDetector(style=False)
    shipped.check_input(texts[0]), without.check_input(texts[0])  # warm both
    print(f"\n{len(texts)} long English inputs (≥ {LONG_TEXT} characters), semantic policy, one core")
    print(f"{'injection detector':34s} {'p50 ms':>8s} {'p99 ms':>8s} {'refused':>8s}")
    for name, guard in (("n-gram model alone", without), ("with both terms", shipped)):
        shared_encoder(None).forget_recent()  # no vectors carried over from the other guard's run
        times, refused = timed(guard, texts)
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        results[f"cost: {name}"] = {
            "p50_ms": round(statistics.median(times), 1),
            "p99_ms": round(p99, 1),
            "refused": refused,
        }
        print(f"{name:34s} {statistics.median(times):8.1f} {p99:8.1f} {refused:8d}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
