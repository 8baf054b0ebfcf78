"""Held-out harmful requests with harmless material around them: does the harmful detector still find them?

A user (or an attacker) rarely sends a bare request: there is a greeting before it, a thank-you after
it, or a phone or ID number pasted in. The classifiers score a whole message, so harmless words can
dilute a request below the threshold. This benchmark takes the held-out harmful groups of
``guard_detection.py`` and measures recall on each request as it is and with one kind of padding:

- ``number``: "My phone is …" / "我的电话是…" or "我的身份证号是…" after it, a generated number (Faker
  ``zh_CN`` and ``en_US`` with a fixed seed);
- ``greeting``: one of eight greetings before it ("Hi there!", "你好！", "在吗？" …);
- ``thanks``: one of eight closing courtesies after it ("Thanks a lot.", "谢谢你。", "祝你生活愉快！" …);
- ``intro``: one of six sentences about the sender before it ("I am a student.", "我是一名学生。" …);
- ``blind:greeting``, ``blind:about_me``, ``blind:closing``, ``blind:contact``: the same four kinds from
  ``data/padding_phrases_blind.json`` (30 phrases per kind and language, 20 contact templates), written
  apart from, and without sight of, the patterns in ``aigis.guard.courtesy``. Its even-numbered
  phrases served to develop the patterns; only the odd-numbered half, never looked at, is measured.

The jailbreak groups are read by the injection detector (the same on both tiers). It reads each text
the way the Guard runs the detector (every normalized view; see ``guard_detection.fires``).

    .venv/bin/python benchmarks/guard_padding.py [--semantic] [--models DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

from faker import Faker

sys.path.insert(0, str(Path(__file__).parent))
from aigis.guard.detectors.base import Detector, ScanContext
from aigis.guard.detectors.harmful import HarmfulDetector
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.training import default_data_dir, load_splits
from guard_detection import audited_multijail, fires

INJECTION_GROUPS = ("eval:jailbreak:en", "eval:jailbreak:zh")  # read by the injection detector, on both tiers
GROUPS = (
    "eval:harmful_own:en",
    "eval:harmful_multijail_audited:en",
    "eval:harmful_own:zh",
    "eval:harmful:zh",
    "eval:harmful_multijail_audited:zh",
)


GREETINGS = {
    "zh": ("你好！", "您好，", "嗨，", "哈喽！", "你好呀，", "早上好，", "晚上好！", "在吗？"),
    "en": (
        "Hi there!",
        "Hello,",
        "Hey!",
        "Good morning!",
        "Hi,",
        "Hello there.",
        "Hey there,",
        "Good evening.",
    ),
}
THANKS = {
    "zh": (
        "谢谢你。",
        "谢谢！",
        "多谢了。",
        "非常感谢！",
        "谢谢啦～",
        "先谢谢了。",
        "麻烦了。",
        "祝你生活愉快！",
    ),
    "en": (
        "Thanks a lot.",
        "Thank you!",
        "Thanks in advance.",
        "Many thanks.",
        "Thank you so much!",
        "Cheers!",
        "Appreciate it.",
        "Have a nice day!",
    ),
}
INTROS = {
    "zh": (
        "我是一名学生。",
        "我是个程序员，",
        "我今年二十岁。",
        "我是新来的，",
        "我在写一篇论文。",
        "我是一位母亲，",
    ),
    "en": (
        "I am a student.",
        "I'm a programmer.",
        "I'm 20 years old.",
        "I'm new here.",
        "I'm writing a paper.",
        "I am a mother of two.",
    ),
}


BLIND = Path(__file__).parent / "data" / "padding_phrases_blind.json"


def _before(phrases: tuple[str, ...] | list[str], lang: str, rng: random.Random) -> Callable[[str], str]:
    def pad(text: str) -> str:
        phrase = rng.choice(phrases)
        if lang == "zh":
            return phrase + text
        if phrase.endswith(","):  # "As a nurse, how do I …"
            text = text[:1].lower() + text[1:]
        return f"{phrase} {text}"

    return pad


def _after(phrases: tuple[str, ...] | list[str], lang: str, rng: random.Random) -> Callable[[str], str]:
    return lambda text: text + ("" if lang == "zh" else " ") + rng.choice(phrases)


def paddings(seed: int = 7) -> dict[str, dict[str, Callable[[str], str]]]:
    """Per padding kind and language, a function that pads one request (phrases drawn with a fixed seed).
    Kinds prefixed ``blind:`` draw from ``data/padding_phrases_blind.json``, a set written apart from
    the detector's own patterns (``aigis.guard.courtesy``), with the contact templates filled by Faker."""
    rng = random.Random(seed)
    zh, en = Faker("zh_CN"), Faker("en_US")
    zh.seed_instance(seed)
    en.seed_instance(seed)

    def number(lang: str) -> str:
        if lang == "en":
            return en.numerify("(###) ###-####") if rng.random() < 0.5 else en.ssn()
        return zh.phone_number() if rng.random() < 0.5 else zh.ssn()

    def zh_number(text: str) -> str:
        if rng.random() < 0.5:
            return f"{text}我的电话是{zh.phone_number()}。"
        return f"{text}我的身份证号是{zh.ssn()}。"

    def contact(templates: list[str], lang: str) -> Callable[[str], str]:
        return lambda text: (
            text + ("" if lang == "zh" else " ") + rng.choice(templates).format(number=number(lang))
        )

    # the even-numbered phrases were looked at while the patterns were written (development half);
    # only the odd-numbered ones, never looked at, are measured here
    blind = {
        lang: {kind: phrases[1::2] for kind, phrases in by_kind.items()}
        for lang, by_kind in json.loads(BLIND.read_text(encoding="utf-8")).items()
        if lang in ("en", "zh")
    }
    kinds: dict[str, dict[str, Callable[[str], str]]] = {
        "none": {"en": lambda t: t, "zh": lambda t: t},
        "number": {"en": lambda t: f"{t} My phone is {en.numerify('(###) ###-####')}.", "zh": zh_number},
        "greeting": {lang: _before(GREETINGS[lang], lang, rng) for lang in ("en", "zh")},
        "thanks": {lang: _after(THANKS[lang], lang, rng) for lang in ("en", "zh")},
        "intro": {lang: _before(INTROS[lang], lang, rng) for lang in ("en", "zh")},
    }
    kinds["blind:greeting"] = {
        lang: _before(blind[lang]["before_greeting"], lang, rng) for lang in ("en", "zh")
    }
    kinds["blind:about_me"] = {
        lang: _before(blind[lang]["before_about_me"], lang, rng) for lang in ("en", "zh")
    }
    kinds["blind:closing"] = {lang: _after(blind[lang]["after_closing"], lang, rng) for lang in ("en", "zh")}
    kinds["blind:contact"] = {lang: contact(blind[lang]["after_contact"], lang) for lang in ("en", "zh")}
    return kinds


def evaluate(
    detector: Detector, data_dir: Path, injection: Detector | None = None
) -> dict[str, dict[str, float]]:
    splits = load_splits(data_dir)
    splits.update(audited_multijail(data_dir, splits))
    pads = paddings()
    ctx = ScanContext()
    results: dict[str, dict[str, float]] = {}
    jobs = [(group, detector) for group in GROUPS]
    if injection is not None:
        jobs += [(group, injection) for group in INJECTION_GROUPS]
    for group, reader in jobs:
        samples = splits.get(group, [])
        if not samples:
            continue
        lang = group.rsplit(":", 1)[1]
        results[group] = {"n": len(samples)}
        for kind, by_lang in pads.items():
            pad = by_lang[lang]
            found = sum(fires(reader, pad(s.text), ctx, raw=False) for s in samples)
            results[group][kind] = round(found / len(samples), 4)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None, help="the public data sets (default: ../shared/data)")
    ap.add_argument("--models", type=Path, default=None, help="a model folder (default: the shipped models)")
    ap.add_argument("--semantic", action="store_true", help="the semantic tier instead of the fast model")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()
    models: Path | None = args.models
    detector: Detector = HarmfulDetector(model_dir=models)
    if args.semantic:
        from aigis.guard.detectors.semantic import SemanticDetector

        detector = SemanticDetector(
            model_dir=str(models) if models else None,
            head=str(models / "semantic.npz") if models else None,
        )
    results = evaluate(detector, args.data or default_data_dir(), InjectionDetector(model_dir=models))
    kinds = list(paddings())
    heads = [k.replace("blind:", "b:") for k in kinds]
    print(f"{'group (recall)':34} {'n':>4} " + " ".join(f"{k:>10}" for k in heads))
    for group, row in results.items():
        print(f"{group:34} {int(row['n']):4d} " + " ".join(f"{row[k]:10.3f}" for k in kinds))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
