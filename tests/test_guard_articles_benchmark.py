"""The held-out articles of ``benchmarks/guard_detection.py`` (long prose a user pastes, round 30)."""

from __future__ import annotations

import json
from pathlib import Path

from aigis.guard.training import _own
from tests.test_guard_seed_spread import benchmark_module


def _lines(lang: str, split: str) -> list[str]:
    return _own(f"articles_{lang}.txt", split)


def test_the_articles_groups_hold_agieval_passages_and_only_the_held_out_lines(tmp_path: Path) -> None:
    agieval = tmp_path / "agieval"
    agieval.mkdir()
    essay = {"passage": "Some  scholars hold\nthat rivers shape cities.", "question": "q"}
    rows = [essay, {**essay, "question": "another question on the same passage"}, {"question": "none"}]
    (agieval / "lsat-rc.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    (agieval / "gaokao-chinese.jsonl").write_text(
        json.dumps({"passage": "老街的理发店开了四十年。"}), encoding="utf-8"
    )
    groups = benchmark_module("guard_detection").articles(tmp_path)
    en, zh = groups["eval:articles:en"], groups["eval:articles:zh"]
    # a passage once, its whitespace runs as one space; then our own held-out passages
    assert [s.text for s in en if s.source == "agieval_en_passages"] == [
        "Some scholars hold that rivers shape cities."
    ]
    assert [s.text for s in zh if s.source == "agieval_zh_passages"] == ["老街的理发店开了四十年。"]
    for lang, group in (("en", en), ("zh", zh)):
        own = [s.text for s in group if s.source == f"articles_{lang}"]
        assert own == _lines(lang, "eval") and len(own) >= 15
        assert not set(own) & set(_lines(lang, "train"))
        assert all(s.label == "benign" and s.lang == lang for s in group)
