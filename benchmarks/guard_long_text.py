"""Long text: the injection check's terms (``aigis.guard.injection_term``) and the harmful check's window
model (``aigis.guard.window_training``), each side by side with the reader it adds to.

    taskset -c 0 .venv/bin/python benchmarks/guard_long_text.py [--data ../shared/data] [--texts 120]
        [--json F] [--harmful-only | --semantic-pasted | --padding-only] [--offsets 0,3]

1. Padding: held-out English jailbreak prompts as they are, with a held-out article before or after
   them, and with numbers pasted after them, read by the injection detector as the Guard runs it, with
   the n-gram model alone, with the style term (the fast tier) and with the embedding term too (the
   semantic tier), each at every long-text offset of ``--offsets`` (the logits a long English text's sum
   gives up before it is judged; default 0 and the shipped ``LONG_TEXT_OFFSET``); the held-out articles
   themselves for comparison. A term that reads style, and an offset, could let prose wrapped around an
   attack talk it down: this measures how far.
2. Cost: long English inputs (at least ``LONG_TEXT`` characters; held-out jailbreaks and articles,
   alternating) checked with the example semantic policy (``docs/examples/semantic-policy.yaml``) as
   shipped and with its injection detector on the n-gram model alone: per-check p50 / p99 milliseconds and
   how many inputs each refuses. The two detectors of the semantic tier share one encoder pass per text
   (``SentenceEncoder.encode_one``).
3. Harmful requests pasted into long prose: held-out harmful requests (audited MultiJail, our own,
   conversational) and held-out harmless ones (everyday, hard-benign) pasted at a random place into held-out
   prose (LSAT and SAT passages and our English articles; gaokao Chinese passages and our Chinese
   articles), and the prose alone, read by the harmful detector as the Guard runs it with the window
   model and with the harmful model alone (the reader before it); then, to compare the two rankings at
   the same cost in prose, the share of pasted harmful requests each finds at a threshold that flags
   2, 5 and 10 % of the prose. Last, the harmful detector's time on the long inputs with each reader.
4. ``--semantic-pasted``: the same sets, the first 100 of each, read by the semantic tier from the text's
   opening (as before) and by the piece around the fast tier's worst window (shipped).
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
from aigis.guard.detectors.harmful import HarmfulDetector
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.detectors.semantic import SemanticDetector
from aigis.guard.document_training import paste
from aigis.guard.embedding import shared_encoder
from aigis.guard.injection_term import LONG_TEXT, LONG_TEXT_OFFSET
from aigis.guard.policy import load_policy
from aigis.guard.training import default_data_dir, load_splits
from guard_detection import articles, audited_multijail, fires

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


PASTED_HARMFUL = ("harmful_multijail_audited", "harmful_own", "harmful_conversation")
PASTED_BENIGN = ("everyday", "hard_benign")


def pasted_sets(data: Path, seed: int = 5) -> dict[str, list[str]]:
    """Per language, the held-out prose alone and held-out requests pasted into it (see the docstring)."""
    splits = load_splits(data)
    splits.update(audited_multijail(data, splits))
    prose = {name.split(":")[-1]: [s.text for s in group] for name, group in articles(data).items()}
    out: dict[str, list[str]] = {}
    for lang in ("en", "zh"):
        out[f"prose {lang}"] = prose[lang]
        for group in PASTED_HARMFUL + PASTED_BENIGN:
            rng = random.Random(seed)
            out[f"{group} {lang}"] = [
                paste(rng.choice(prose[lang]), s.text, rng, lang, between_sentences=rng.random() < 0.5).text
                for s in splits[f"eval:{group}:{lang}"]
            ]
    return out


def _probability(detector: HarmfulDetector | SemanticDetector, text: str) -> float:
    if isinstance(detector, SemanticDetector):
        return detector.probability(text)[0]
    return detector.score(text)[0]


def _found_at_prose_rate(
    detector: HarmfulDetector | SemanticDetector, sets: dict[str, list[str]], lang: str, rate: float
) -> float:
    """The share of pasted harmful requests found at the threshold that flags ``rate`` of the prose."""
    prose = sorted((_probability(detector, t) for t in sets[f"prose {lang}"]), reverse=True)
    threshold = prose[int(len(prose) * rate)]
    pasted = [t for group in PASTED_HARMFUL for t in sets[f"{group} {lang}"]]
    return sum(_probability(detector, t) > threshold for t in pasted) / len(pasted)


def _compare(
    readers: dict[str, HarmfulDetector | SemanticDetector],
    sets: dict[str, list[str]],
    results: dict[str, dict[str, float]],
    title: str,
) -> None:
    """Each set flagged by each reader as the Guard runs it, then the two rankings at prose rates."""
    print(f"\n{title:44s} " + " ".join(f"{name[:26]:>28s}" for name in readers))
    for name, texts in sets.items():
        row = [sum(fires(d, t, ScanContext(), False) for t in texts) / len(texts) for d in readers.values()]
        results[f"{title}: {name}"] = {
            "n": len(texts),
            **{r: round(v, 4) for r, v in zip(readers, row, strict=True)},
        }
        print(f"{name + f' ({len(texts)})':44s} " + " ".join(f"{v:28.3f}" for v in row))
    print(f"\n{'pasted harmful found at a prose rate':44s} " + " ".join(f"{n[:26]:>28s}" for n in readers))
    for lang in ("en", "zh"):
        for rate in (0.02, 0.05, 0.10):
            row = [_found_at_prose_rate(d, sets, lang, rate) for d in readers.values()]
            key = f"{lang}, {rate:.0%} of prose flagged"
            results[f"{title} ranking: {key}"] = {r: round(v, 4) for r, v in zip(readers, row, strict=True)}
            print(f"{key:44s} " + " ".join(f"{v:28.3f}" for v in row))


SEMANTIC_PER_GROUP = 100  # texts per set read by the semantic tier (an encoder pass each)


def semantic_section(data: Path, results: dict[str, dict[str, float]]) -> None:
    """The semantic tier's two readings of a long request: the text from its opening (a head without
    long-request thresholds, as before) and the piece around the fast tier's worst window (shipped)."""
    sets = {name: texts[:SEMANTIC_PER_GROUP] for name, texts in pasted_sets(data).items()}
    whole = SemanticDetector()
    whole.long_thresholds = {}
    readers: dict[str, HarmfulDetector | SemanticDetector] = {
        "semantic, whole text (before)": whole,
        "semantic, piece (shipped)": SemanticDetector(),
    }
    _compare(readers, sets, results, "semantic tier: flagged")


def harmful_section(data: Path, long_texts: list[str], results: dict[str, dict[str, float]]) -> None:
    with_windows = HarmfulDetector()
    alone = HarmfulDetector()
    alone.window_model = alone.model
    readers: dict[str, HarmfulDetector | SemanticDetector] = {
        "harmful model alone (before)": alone,
        "window model (shipped)": with_windows,
    }
    _compare(readers, pasted_sets(data), results, "harmful detector: flagged")
    print(f"\n{len(long_texts)} long English inputs, harmful detector alone, one core")
    for name, detector in (("harmful model alone (before)", alone), ("window model (shipped)", with_windows)):
        detector.score(long_texts[0])
        times = []
        for text in long_texts:
            t0 = time.perf_counter()
            detector.score(text)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        results[f"harmful cost: {name}"] = {
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(p99, 2),
        }
        print(f"{name:44s} p50 {statistics.median(times):6.2f} ms  p99 {p99:6.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--texts", type=int, default=120)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--harmful-only", action="store_true", help="only section 3 (the harmful check)")
    ap.add_argument(
        "--semantic-pasted", action="store_true", help="only section 4 (the semantic tier on pasted requests)"
    )
    ap.add_argument(
        "--offsets",
        type=lambda v: [float(x) for x in v.split(",")],
        default=[0.0, LONG_TEXT_OFFSET],
        help="long-text offsets of the injection detector that section 1 reads with (comma-separated)",
    )
    ap.add_argument("--padding-only", action="store_true", help="only section 1 (padding)")
    args = ap.parse_args()
    jailbreaks, prose = held_out(args.data)
    results: dict[str, dict[str, float]] = {}
    if args.harmful_only or args.semantic_pasted:
        if args.harmful_only:
            harmful_section(args.data, long_inputs(jailbreaks, prose, args.texts), results)
        if args.semantic_pasted:
            semantic_section(args.data, results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        return

    readers = {"n-gram model alone": InjectionDetector(style=False)}
    for offset in args.offsets:
        readers[f"fast tier, offset {offset:g}"] = InjectionDetector(long_text_offset=offset)
        semantic = InjectionDetector(semantic=True, long_text_offset=offset)
        readers[f"semantic tier, offset {offset:g}"] = semantic
    sets = padded(jailbreaks, prose)
    print(f"{'flagged':34s} " + " ".join(f"{name:>18s}" for name in sets))
    for reader, detector in readers.items():
        row = {
            name: sum(fires(detector, t, ScanContext(), False) for t in texts) / len(texts)
            for name, texts in sets.items()
        }
        results[reader] = {k: round(v, 4) for k, v in row.items()}
        print(f"{reader:34s} " + " ".join(f"{v:18.3f}" for v in row.values()))
    if args.padding_only:
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        return

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
    harmful_section(args.data, texts, results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
