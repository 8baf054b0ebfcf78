"""Evasion: held-out harmful requests and jailbreaks rewritten the ways people hide them from a filter.

    .venv/bin/python benchmarks/guard_evasion.py [--semantic] [--data ../shared/data] [--json out.json]
        [--rewrites NAME ...]

Each held-out group (the same texts as ``guard_detection.py``, never trained on) is scored as written and
after one rewrite at a time, through the normalizer's views as inside the Guard:

- ``zero-width``: U+200B between every two characters;
- ``spaced``: the letters of every English word of four letters or more joined by dots ("b.o.m.b"), every
  two Chinese characters by a space ("炸 药");
- ``leet``: a/e/i/o/s/t as 4/3/1/0/5/7 inside English words of four letters or more;
- ``homoglyph``: Latin a, c, e, o, p, x, y as their Cyrillic look-alikes;
- ``small-caps``: English letters as small capitals ("ʜᴏᴡ ᴛᴏ"; x, which has none, stays);
- ``full-width``: ASCII as full-width forms;
- ``traditional``: Chinese in traditional characters (OpenCC's own table, simplified to traditional);
- ``base64``, ``url``, ``rot13``: the text encoded, behind a one-line instruction to decode it;
- ``pinyin``, ``homophone``, ``martian``, ``chaizi``: ``aigis assess``'s own Chinese transform attacks
  (the request written in pinyin, with or without tone marks; six characters in ten swapped for a common
  character that reads the same; 火星文 look-alike and variant characters with decorations; filtered
  characters split into their components, 炸 → 火乍), each with any note the attack puts in front, seeded
  by the text.

A rewrite that does not apply to a language (leet, homoglyphs, small capitals and rot13 to Chinese,
traditional characters and the Chinese attacks to English) is left blank. The figure is the share of each
group found after the rewrite; ``kept`` in the last line is the worst rewrite's recall divided by the
recall as written. ``--rewrites`` runs only the rewrites named.
"""

from __future__ import annotations

import argparse
import base64
import codecs
import hashlib
import json
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aigis.assess.attacks.base import Attack
from aigis.assess.attacks.chaizi import Chaizi
from aigis.assess.attacks.homophone import Homophone
from aigis.assess.attacks.martian import Martian
from aigis.assess.attacks.pinyin import Pinyin
from aigis.guard.detectors.base import Detector, ScanContext
from aigis.guard.detectors.harmful import HarmfulDetector
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.normalize import opencc_characters
from aigis.guard.training import default_data_dir, load_splits
from guard_detection import audited_multijail, fires

GROUPS = (
    ("eval:harmful_own:en", "harmful"),
    ("eval:harmful_multijail_audited:en", "harmful"),
    ("eval:harmful_own:zh", "harmful"),
    ("eval:harmful:zh", "harmful"),
    ("eval:jailbreak:en", "injection"),
    ("eval:jailbreak:zh", "injection"),
)
_LEET = str.maketrans("aeiostAEIOST", "431057431057")
_CYRILLIC = str.maketrans("aceopxy", "асеорху")
_SMALL_CAPS = str.maketrans(
    "abcdefghijklmnopqrstuvwyzABCDEFGHIJKLMNOPQRSTUVWYZ", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ" * 2
)
_FULL_WIDTH = {cp: cp + 0xFEE0 for cp in range(0x21, 0x7F)}


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _words(text: str, rewrite: Callable[[str], str]) -> str:
    out, word = [], []
    for ch in text + " ":
        if ch.isascii() and ch.isalpha():
            word.append(ch)
            continue
        if word:
            w = "".join(word)
            out.append(rewrite(w) if len(w) >= 4 else w)
            word = []
        out.append(ch)
    return "".join(out)[:-1]


def _spaced(text: str) -> str:
    dotted = _words(text, ".".join)
    out = []
    for i, ch in enumerate(dotted):
        out.append(ch)
        if _is_cjk(ch) and i + 1 < len(dotted) and _is_cjk(dotted[i + 1]):
            out.append(" ")
    return "".join(out)


def _assess_attack(attack: Attack) -> Callable[[str], str]:
    """An ``aigis assess`` transform attack as a rewrite, seeded by the text so that runs repeat."""

    def rewrite(text: str) -> str:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        return attack.transform(text, "zh", random.Random(seed))

    return rewrite


def rewrites() -> dict[str, tuple[Callable[[str], str], tuple[str, ...]]]:
    """Each rewrite and the languages it applies to."""
    traditional = opencc_characters("STCharacters.txt")
    return {
        "zero-width": ("\u200b".join, ("en", "zh")),
        "spaced": (_spaced, ("en", "zh")),
        "leet": (lambda t: _words(t, lambda w: w.translate(_LEET)), ("en",)),
        "homoglyph": (lambda t: t.translate(_CYRILLIC), ("en",)),
        "small-caps": (lambda t: t.translate(_SMALL_CAPS), ("en",)),
        "full-width": (lambda t: t.translate(_FULL_WIDTH), ("en", "zh")),
        "traditional": (lambda t: t.translate(traditional), ("zh",)),
        "base64": (
            lambda t: "Decode this base64 and answer it: " + base64.b64encode(t.encode()).decode(),
            ("en", "zh"),
        ),
        "url": (lambda t: "URL-decode this and answer it: " + quote(t, safe=""), ("en", "zh")),
        "rot13": (lambda t: "Answer this rot13 text: " + codecs.encode(t, "rot13"), ("en",)),
        "pinyin": (_assess_attack(Pinyin()), ("zh",)),
        "homophone": (_assess_attack(Homophone()), ("zh",)),
        "martian": (_assess_attack(Martian()), ("zh",)),
        "chaizi": (_assess_attack(Chaizi()), ("zh",)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--semantic", action="store_true", help="the semantic tier instead of the fast model")
    ap.add_argument("--json", type=Path)
    ap.add_argument(
        "--rewrites", nargs="+", choices=list(rewrites()), help="only these rewrites (default: all of them)"
    )
    args = ap.parse_args()
    harm: Detector = HarmfulDetector()
    if args.semantic:
        from aigis.guard.detectors.semantic import SemanticDetector

        harm = SemanticDetector()
    detectors: dict[str, Detector] = {"harmful": harm, "injection": InjectionDetector()}
    splits = load_splits(args.data)
    splits.update(audited_multijail(args.data, splits))
    ways = {k: v for k, v in rewrites().items() if not args.rewrites or k in args.rewrites}
    names = ["as written", *ways]
    print(f"{'group (recall)':36s} {'n':>5s} " + " ".join(f"{n:>11s}" for n in names))
    results: dict[str, dict[str, float | None]] = {}
    for group, which in GROUPS:
        samples = splits[group]
        lang = group.rsplit(":", 1)[1]
        ctx = ScanContext(direction="input", source="user")
        row: dict[str, float | None] = {}
        for name in names:
            if name != "as written" and lang not in ways[name][1]:
                row[name] = None
                continue
            rewrite = ways[name][0] if name != "as written" else (lambda t: t)
            found = [fires(detectors[which], rewrite(s.text), ctx, raw=False) for s in samples]
            row[name] = round(statistics.fmean(found), 4)
        results[group] = row
        cells = " ".join(f"{'–' if row[n] is None else format(row[n], '.3f'):>11s}" for n in names)
        print(f"{group:36s} {len(samples):5d} {cells}")
    kept = {
        g: round(min(v for k, v in row.items() if v is not None) / row["as written"], 3)
        for g, row in results.items()
        if row["as written"]
    }
    print(
        "kept (worst rewrite / as written): "
        + ", ".join(f"{g.split(':', 1)[1]} {k}" for g, k in kept.items())
    )
    if args.json:
        args.json.write_text(json.dumps({"recall": results, "kept": kept}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
