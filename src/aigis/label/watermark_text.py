"""Text watermarks: a generation-time green-list watermark with a z-score detector, and a zero-width mark.

Green list (Kirchenbauer et al. 2023): at each step the vocabulary is split by a key and the previous
token; a fraction ``gamma`` is "green" and gets ``delta`` added to its logits. Text from the marked model
has far more green tokens than the expected ``gamma``; the detector's z-score says how many more. The
core is numpy only; :func:`hf_logits_processor` wraps it as a Hugging Face ``LogitsProcessor`` when
transformers and torch are installed (they are not a dependency of aigis).

Zero-width mark: the payload as invisible characters (U+200B for 0, U+200C for 1, framed by U+2060). It is
clearly fragile: copying through many editors, normalisation or a simple filter removes it. It signals a
label to cooperating software; it is not evidence against a party that strips it.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from aigis.errors import ConfigError, InputError

DEFAULT_KEY = "aigis-gb45438-text-watermark-v1"
GAMMA = 0.25
DELTA = 2.0
Z_THRESHOLD = 4.0


class GreenList:
    """Green-list partition of a vocabulary, seeded by a key and the previous token."""

    def __init__(self, vocab_size: int, key: str = DEFAULT_KEY, gamma: float = GAMMA, delta: float = DELTA):
        if vocab_size < 2:
            raise InputError(f"vocabulary size {vocab_size}: must be at least 2")
        if not 0 < gamma < 1:
            raise InputError(f"gamma {gamma}: must be between 0 and 1")
        self.vocab_size = vocab_size
        self.gamma = gamma
        self.delta = delta
        self._key = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
        self._cache: dict[int, np.ndarray] = {}

    def green(self, previous: int) -> np.ndarray:
        """Boolean mask of the green tokens after ``previous``."""
        mask = self._cache.get(previous)
        if mask is None:
            rng = np.random.default_rng([self._key, previous & 0xFFFFFFFF])
            ids = rng.permutation(self.vocab_size)[: max(1, int(self.gamma * self.vocab_size))]
            mask = np.zeros(self.vocab_size, bool)
            mask[ids] = True
            if len(self._cache) < 4096:
                self._cache[previous] = mask
        return mask

    def process(self, previous: int, logits: np.ndarray) -> np.ndarray:
        """Logits with ``delta`` added to the green tokens (a copy)."""
        return np.asarray(logits, np.float64) + self.delta * self.green(previous)

    def detect(self, tokens: list[int] | np.ndarray) -> TextDetection:
        seq = [int(t) for t in tokens]
        n = len(seq) - 1
        if n < 1:
            return TextDetection(False, 0.0, 0.0, 0, 0)
        hits = sum(
            bool(self.green(prev)[tok]) for prev, tok in itertools.pairwise(seq) if 0 <= tok < self.vocab_size
        )
        z = (hits - self.gamma * n) / math.sqrt(n * self.gamma * (1 - self.gamma))
        return TextDetection(z >= Z_THRESHOLD, z, hits / n, hits, n)


@dataclass(frozen=True)
class TextDetection:
    found: bool
    z: float
    green_fraction: float
    green: int
    scored: int

    @property
    def p_value(self) -> float:
        return 0.5 * math.erfc(self.z / math.sqrt(2))

    def to_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "z": round(self.z, 3),
            "p_value": self.p_value,
            "green_fraction": round(self.green_fraction, 4),
            "scored_tokens": self.scored,
        }


def hf_logits_processor(
    vocab_size: int, key: str = DEFAULT_KEY, gamma: float = GAMMA, delta: float = DELTA
) -> Any:
    """A ``transformers.LogitsProcessor`` applying the green list to every row of a batch."""
    try:
        import torch  # type: ignore[import-not-found]
        from transformers import LogitsProcessor  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ConfigError(
            "the Hugging Face adapter needs transformers and torch (pip install transformers torch); "
            "the numpy GreenList works without them"
        ) from exc
    lists = GreenList(vocab_size, key, gamma, delta)

    class GreenListProcessor(LogitsProcessor):  # type: ignore[misc]
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            for row in range(scores.shape[0]):
                mask = torch.from_numpy(lists.green(int(input_ids[row, -1])))
                scores[row, : mask.shape[0]] += delta * mask.to(scores.device, scores.dtype)
            return scores

    return GreenListProcessor()


# ---------------------------------------------------------------- zero-width mark

ZERO, ONE, FRAME = "\u200b", "\u200c", "\u2060"
_MARK = re.compile(f"{FRAME}([{ZERO}{ONE}]+){FRAME}")


def zw_embed(text: str, payload: str) -> str:
    """The text with the payload (printable ASCII) as invisible characters after its first character."""
    if not payload or not all(32 <= ord(c) < 127 for c in payload) or len(payload) > 64:
        raise InputError(f"payload {payload!r}: use 1 to 64 printable ASCII characters")
    bits = "".join(f"{b:08b}" for b in payload.encode("ascii"))
    mark = FRAME + "".join(ONE if b == "1" else ZERO for b in bits) + FRAME
    return text[:1] + mark + text[1:] if text else mark


def zw_detect(text: str) -> str | None:
    """The first zero-width payload in the text, or None."""
    found = _MARK.search(text)
    if found is None:
        return None
    bits = "".join("1" if c == ONE else "0" for c in found.group(1))
    if len(bits) % 8:
        return None
    data = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    if not all(32 <= b < 127 for b in data):
        return None
    return data.decode("ascii")


def zw_strip(text: str) -> str:
    return _MARK.sub("", text)
