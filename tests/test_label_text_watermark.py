"""Text watermark: green list on a tiny numpy language model, z-score detection, zero-width mark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aigis.errors import ConfigError, InputError
from aigis.label.watermark_text import GreenList, hf_logits_processor, zw_detect, zw_embed, zw_strip

VOCAB = 200


class TinyLM:
    """A bigram model with random logits: next-token logits depend on the previous token only."""

    def __init__(self, seed: int = 0) -> None:
        self.table = np.random.default_rng(seed).normal(0, 2.0, (VOCAB, VOCAB))

    def generate(self, n: int, seed: int, lists: GreenList | None = None) -> list[int]:
        rng = np.random.default_rng(seed)
        tokens = [int(rng.integers(VOCAB))]
        for _ in range(n):
            logits = self.table[tokens[-1]]
            if lists is not None:
                logits = lists.process(tokens[-1], logits)
            p = np.exp(logits - logits.max())
            tokens.append(int(rng.choice(VOCAB, p=p / p.sum())))
        return tokens


def test_marked_generation_is_detected_and_plain_is_not() -> None:
    model = TinyLM()
    lists = GreenList(VOCAB, key="k1")
    for seed in range(5):
        marked = lists.detect(model.generate(200, seed, lists))
        plain = lists.detect(model.generate(200, seed + 100))
        assert marked.found and marked.z > 6 and marked.green_fraction > 0.45
        assert not plain.found and plain.z < 4
    wrong_key = GreenList(VOCAB, key="other").detect(model.generate(200, 7, lists))
    assert not wrong_key.found


def test_green_list_is_a_gamma_share_and_deterministic() -> None:
    lists = GreenList(VOCAB, key="k", gamma=0.25)
    assert lists.green(3).sum() == 50
    assert (lists.green(3) == GreenList(VOCAB, key="k", gamma=0.25).green(3)).all()
    assert not (lists.green(3) == lists.green(4)).all()
    assert lists.detect([1]).scored == 0
    with pytest.raises(InputError):
        GreenList(1)


def test_hf_adapter_needs_transformers() -> None:
    try:
        import transformers  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="transformers"):
            hf_logits_processor(VOCAB)
    else:
        assert hf_logits_processor(VOCAB) is not None


def test_zero_width_mark_round_trip_and_fragility() -> None:
    text = "本内容由人工智能生成。Hello."
    marked = zw_embed(text, "task-1")
    assert marked != text and zw_strip(marked) == text
    assert zw_detect(marked) == "task-1"
    assert zw_detect(text) is None
    assert zw_detect(marked.replace("\u200c", "")) is None  # one filter removes it
    with pytest.raises(InputError):
        zw_embed(text, "标识")


def test_cli_text_watermark_embed_detect(tmp_path: Path) -> None:
    aigis = str(Path(sys.executable).parent / "aigis")
    marked = subprocess.run(
        [aigis, "label", "text-watermark", "embed", "今天天气晴。", "--payload", "job-7"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = subprocess.run(
        [aigis, "label", "text-watermark", "detect", marked, "-f", "json"], capture_output=True, text=True
    )
    assert found.returncode == 0 and json.loads(found.stdout)["payload"] == "job-7"
    ids = tmp_path / "ids.json"
    lists = GreenList(VOCAB, key="cli")
    ids.write_text(json.dumps(TinyLM().generate(150, 1, lists)))
    scored = subprocess.run(
        [aigis, "label", "text-watermark", "detect", "-", "--tokens", str(ids), "--vocab", str(VOCAB),
         "--key", "cli", "-f", "json"],
        capture_output=True, text=True, input="",
    )  # fmt: skip
    assert scored.returncode == 0 and json.loads(scored.stdout)["z"] > 4
    plain = subprocess.run(
        [aigis, "label", "text-watermark", "detect", "no mark here"], capture_output=True, text=True
    )
    assert plain.returncode == 1
