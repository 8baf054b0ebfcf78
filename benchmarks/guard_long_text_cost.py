"""What the semantic tier's injection term costs on long English text, side by side in one run.

    taskset -c 0 .venv/bin/python benchmarks/guard_long_text_cost.py [--data ../shared/data] [--texts 120]

Checks long English inputs (at least ``LONG_TEXT`` characters: held-out jailbreak prompts and the
held-out articles of ``guard_detection.py``, alternating) with the example semantic policy
(``docs/examples/semantic-policy.yaml``) as shipped and with its injection detector on the fast model
alone, and reports per-check p50 / p99 milliseconds and how many inputs each refuses. The two detectors
of the semantic tier share one encoder pass per text (``SentenceEncoder.encode_one``), so the term costs
an encoder pass only where the harmful detector skips the encoder.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from aigis.guard import Guard
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.embedding import shared_encoder
from aigis.guard.injection_term import LONG_TEXT
from aigis.guard.policy import load_policy
from aigis.guard.training import default_data_dir, load_splits
from guard_detection import articles

POLICY = Path(__file__).resolve().parents[1] / "docs" / "examples" / "semantic-policy.yaml"


def long_inputs(data: Path, count: int) -> list[str]:
    jailbreaks = [s.text for s in load_splits(data)["eval:jailbreak:en"] if len(s.text) >= LONG_TEXT]
    prose = [s.text for s in articles(data)["eval:articles:en"] if len(s.text) >= LONG_TEXT]
    mixed = [t for pair in zip(jailbreaks, prose, strict=False) for t in pair]
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
    args = ap.parse_args()
    texts = long_inputs(args.data, args.texts)
    shipped = Guard(load_policy(POLICY))
    without = Guard(load_policy(POLICY))
    without.detectors["injection"] = InjectionDetector()  # the fast model alone
    shipped.check_input(texts[0]), without.check_input(texts[0])  # warm both
    print(f"{len(texts)} long English inputs (≥ {LONG_TEXT} characters), one core")
    print(f"{'injection detector':32s} {'p50 ms':>8s} {'p99 ms':>8s} {'refused':>8s}")
    for name, guard in (("fast model alone", without), ("with the embedding term", shipped)):
        shared_encoder(None).forget_recent()  # no vectors carried over from the other guard's run
        times, refused = timed(guard, texts)
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{name:32s} {statistics.median(times):8.1f} {p99:8.1f} {refused:8d}")


if __name__ == "__main__":
    main()
