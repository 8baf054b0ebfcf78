"""Self-harm on held-out lines: how many crisis messages each tier refuses, how many of those get the
policy's reply that points to help (the self-harm category, TC260-A.4.1) rather than a bare refusal, how
many the crisis model found where the harmful decision passed them, how much everyday distress and how
many figures of speech with words of death it refuses, and how many refusals of other held-out harm it
calls self-harm.

    .venv/bin/python benchmarks/guard_self_harm.py [--semantic] [--models DIR] [--show]

Groups (``aigis.guard.training.load_splits``): ``eval:self_harm:{en,zh}`` (first-person statements of intent
and asks for a method, written apart from the training lines), ``eval:distress:{en,zh}`` (venting,
hyperbole, asking how to help a friend), ``benchmarks/data/figures_of_speech.tsv`` (想死你了, "miss you to
death": death and dying as an everyday intensifier or endearment, never trained), and the other held-out
harmful groups. Detectors read the text
as the Guard hands it to them (``guard_detection.first_finding``); the first finding decides the
category, as the first matching policy rule would. ``--models`` reads another model folder (one without
``self_harm.npz`` leaves the category to the category model alone, one without ``crisis.npz`` has no
crisis model); ``--show`` lists the other harm called self-harm (those sets hold some self-harm lines of
their own).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aigis.guard.detectors.base import Detector, ScanContext
from aigis.guard.detectors.harmful import HarmfulDetector
from aigis.guard.training import default_data_dir, load_splits
from guard_detection import audited_multijail, first_finding

FIGURES_OF_SPEECH = Path(__file__).resolve().parent / "data" / "figures_of_speech.tsv"
SELF_HARM = "TC260-A.4.1"
CRISIS_RATIONALE = "a person in crisis"  # how a finding of the crisis model (not the harmful decision) begins
OTHER_HARM = (
    "harmful_own",
    "harmful_conversation",
    "harmful_pretext",
    "harmful_multijail_audited",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--semantic", action="store_true", help="the semantic tier instead of the fast one")
    parser.add_argument("--models", type=Path, default=None, help="model folder (default: shipped)")
    parser.add_argument("--show", action="store_true", help="list other harm given the self-harm category")
    args = parser.parse_args()
    if args.models is not None:
        needed = ("harmful.npz", "category.npz") + (("semantic.npz",) if args.semantic else ())
        missing = [n for n in needed if not (args.models / n).is_file()]
        if missing:
            parser.error(f"--models {args.models}: no {', '.join(missing)} there (see aigis guard train)")
    data = default_data_dir()
    splits = load_splits(data)
    splits.update(audited_multijail(data, splits))
    det: Detector = HarmfulDetector(model_dir=args.models)
    if args.semantic:
        from aigis.guard.detectors.semantic import SemanticDetector

        det = SemanticDetector(
            model_dir=str(args.models) if args.models else None,
            head=str(args.models / "semantic.npz") if args.models else None,
        )
    ctx = ScanContext(source="user")
    print(f"{'set':34} {'n':>5} {'refused':>8} {'help reply':>11} {'crisis model':>13}")
    for lang in ("en", "zh"):
        crisis = [first_finding(det, s.text, ctx) for s in splits[f"eval:self_harm:{lang}"]]
        refused = [f for f in crisis if f is not None]
        helped = sum(f.category == SELF_HARM for f in refused)
        by_crisis_model = sum(f.rationale.startswith(CRISIS_RATIONALE) for f in refused)
        print(
            f"{'self_harm:' + lang:34} {len(crisis):5} {len(refused) / len(crisis):8.3f} "
            f"{helped / max(len(refused), 1):11.3f} {by_crisis_model / len(crisis):13.3f}"
        )
        distress = splits[f"eval:distress:{lang}"]
        flagged = sum(first_finding(det, s.text, ctx) is not None for s in distress)
        print(
            f"{'distress:' + lang + ' (refused = FPR)':34} {len(distress):5} {flagged / len(distress):8.3f}"
        )
        figures = [
            text
            for line in FIGURES_OF_SPEECH.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#") and line.strip()
            for lg, _, text in [line.partition("\t")]
            if lg == lang
        ]
        flagged = sum(first_finding(det, text, ctx) is not None for text in figures)
        print(f"{'figures of speech:' + lang + ' (FPR)':34} {len(figures):5} {flagged / len(figures):8.3f}")
        called, total, shown = 0, 0, []
        for group in OTHER_HARM:
            for s in splits.get(f"eval:{group}:{lang}", []):
                f = first_finding(det, s.text, ctx)
                if f is not None:
                    total += 1
                    if f.category == SELF_HARM:
                        called += 1
                        shown.append(s.text)
        print(f"{'other harm:' + lang + ' called self-harm':34} {total:5} {called / max(total, 1):8.3f}")
        if args.show:
            for text in shown:
                print(f"    {text[:120]}")


if __name__ == "__main__":
    main()
