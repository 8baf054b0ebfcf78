"""The semantic tier of the harmful-content check: a small neural head over sentence embeddings.

English text is embedded as it is; Chinese text is first glossed into English words
(:mod:`aigis.guard.gloss`), because the sentence model's vocabulary is English. The head is the mean
of a few one-hidden-layer networks, each trained on its own bootstrap resample with its own seed (a
bagged ensemble: one network's validation choices move with the last bits of its embeddings). Its
logit is added to a share of the fast linear model's logit (a stacked ensemble), and per-language
shares and thresholds chosen on validation rows turn the sum into a decision. Chinese has networks of
its own that also read the request shapes of :mod:`aigis.guard.acts` beside the embedding, since the
gloss loses the words that say whose side a text is on (``SHAPE_LANGUAGES``).

Training (``aigis guard train --semantic``) embeds the same training rows as the fast models, fits the
head with Adam in numpy, and writes ``semantic.npz`` (about 1.9 MB) next to them.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from aigis.errors import ConfigError
from aigis.guard.acts import act_features, act_hits, shape_feature_names
from aigis.guard.calibration import threshold_at_rate
from aigis.guard.gloss import gloss
from aigis.guard.models import STACKED_ON, detect_lang, fingerprints, model_bytes

if TYPE_CHECKING:
    from aigis.guard.embedding import SentenceEncoder
    from aigis.guard.training import Sample

FloatArray = npt.NDArray[np.float32]
EN_CHARS = 2000  # the encoder reads 256 tokens: longer English text is cut before tokenizing
ZH_CHARS = 600
# evasion and decoded views a semantic detector reads with the encoder, besides the text itself; any more
# views of a text stuffed with payloads are read by the fast models alone
ENCODED_VIEWS = 3
# the head file's per-language thresholds for a long request's piece (``calibrate_long_requests``)
LONG_THRESHOLDS = "long_request_thresholds"
FAST_DECIDED = 40.0  # the decision logit of a text the fast tier decides alone (logits are clipped there)
# candidate shares of the fast model's logit in the ensemble; training picks one per language, the one
# with the best validation recall at the validation false-positive limit
FAST_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 3.0)
# validation rows come from the training sources and understate the false positives of unseen text, so
# the head keeps a margin under the 2 % target (1 %, 1.5 % and 2 % compared: docs/benchmarks.md, round 5)
MAX_VALIDATION_FPR = 0.015
# whether that limit is met by a smoothed quantile of the validation negatives (``aigis.guard.calibration``)
SMOOTH_THRESHOLDS = False
# the lowest threshold validation may choose, as for the fast models' offsets: at a floor of 0 the Chinese
# threshold always sat on the floor, so adding Chinese rows moved its operating point (round 7)
MIN_THRESHOLD = -2.0
HIDDEN = 256
# whether the languages in SHAPE_LANGUAGES get networks of their own that also read the request-shape
# features of the fast model (``aigis.guard.acts``: a frame with an act, an act seen from its victim's
# side …) beside the embedding. The Chinese gloss loses the words that say whose side a text is on (被
# becomes "by"); the acts lexicon reads them. English keeps the shared networks: read by the sentence
# model itself, it gained nothing from the shapes, and networks shared with them moved its threshold
# (docs/benchmarks.md, round 23)
SHAPE_FEATURES = True
SHAPE_VALUE = 0.5  # the value of a present feature (embedding entries are about ±0.05)
SHAPE_LANGUAGES: tuple[str, ...] = ("zh",)
# how the encoder pools its token vectors for the head (``aigis.guard.embedding.POOLINGS``); a head records
# its pooling, so a head trained with another one still loads and reads what it was trained on. Mean and
# max pooled together ranked no better than the mean alone (round 23)
POOLING = "mean"
EPOCHS = 40
MEMBERS = 5  # networks in the bagged head; each trains on a bootstrap resample of the training rows
ZH_BENIGN_ROWS = 3000  # the Chinese benign sources are subsampled: they are many and alike
# hard-benign rows weigh as in the fast models; the hh_rlhf openers weigh half, since many of them
# open a red-team conversation mildly: with them at full weight the head flags more hard-benign prompts
HARD_BENIGN_WEIGHT = 8.0
RED_TEAM_WEIGHT = 0.5
# sources that train the fast models but not the head: ordinary sentences (statements_{en,zh}.txt) taught
# the head to pass them at a cost in ranking every other held-out set (docs/benchmarks.md, round 20),
# while the fast model, whose logit the head adds, learns them at no such cost
FAST_ONLY_SOURCES = ("statements",)
# sources whose rows all train the head and never choose its shares and thresholds: requests behind a
# pretext (harmful_pretext / benign_pretext) are written to be hard, and as validation rows the hardest few
# of them set the English threshold (0.49 with a fast share of 2, against 0.75 without them), which lost 5
# points of audited MultiJail en at better ranking (docs/benchmarks.md, round 21). Crisis messages and
# everyday distress (self_harm / distress) are written as look-alikes of each other in the same way; as
# validation rows they raised both thresholds (en −0.384 → −0.352 at a share of 2, zh −1.615 → −0.751)
# at a ranking 1.0 (en) and 0.4 (zh) points worse (round 25). The fast models' offsets still see them all.
HEAD_NEVER_VALIDATES = ("harmful_pretext", "benign_pretext", "self_harm", "distress")
# sources that train the fast models and the networks of a language of its own (``SHAPE_LANGUAGES``) but
# neither train nor validate the shared networks, which judge English: the English threshold sits where
# its validation negatives thin out, and new rows reshuffled the shared networks enough to move it by a
# logit (docs/benchmarks.md, round 26). Figures of speech with words of death (想死你了, round 27) help
# Chinese without that cost
SHARED_NETWORKS_SKIP = ("figures",)


def head_validates(sample: Sample) -> bool:
    """Whether a training row is kept back to choose the head's shares and thresholds."""
    from aigis.guard.training import is_validation

    return is_validation(sample.text) and not sample.source.startswith(HEAD_NEVER_VALIDATES)


def encoder_text(text: str, lang: str | None = None) -> str:
    """What the sentence model reads for ``text``: English as is, Chinese as an English gloss."""
    if (lang or detect_lang(text)) == "zh":
        return gloss(text[:ZH_CHARS])
    return text[:EN_CHARS]


@dataclass
class SemanticHead:
    w1: FloatArray  # [members, dim, hidden] (a single network's [dim, hidden] is taken as one member)
    b1: FloatArray  # [members, hidden]
    w2: FloatArray  # [members, hidden]
    b2: FloatArray  # [members]
    thresholds: dict[str, float]  # per language, on the ensemble logit
    fast_weight: dict[str, float]  # per language
    meta: dict[str, Any]
    # a language's own networks, shares and threshold, where it has them (Chinese: the request shapes)
    by_lang: dict[str, SemanticHead] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.w1.ndim == 2:
            self.w1, self.b1, self.w2 = self.w1[None], self.b1[None], self.w2[None]
        self.b2 = np.atleast_1d(np.asarray(self.b2, dtype=np.float32))

    @property
    def members(self) -> int:
        return int(self.w1.shape[0])

    @property
    def pooling(self) -> str:
        """How the encoder pools token vectors for this head (heads before pooling was recorded: mean)."""
        return str(self.meta.get("pooling", "mean"))

    @property
    def input_dim(self) -> int:
        return int(self.w1.shape[1])

    @property
    def shape_features(self) -> tuple[str, ...]:
        """The request-shape features the head reads after the embedding, in order (none: embedding only)."""
        return tuple(self.meta.get("shape_features", ()))

    @property
    def shape_languages(self) -> tuple[str, ...]:
        return tuple(self.meta.get("shape_languages", ("en", "zh")))

    def for_lang(self, lang: str) -> SemanticHead:
        """The networks that judge text in ``lang``: the language's own, or these."""
        return self.by_lang.get(lang, self)

    def inputs(self, embeddings: FloatArray, texts: list[str], langs: list[str]) -> FloatArray:
        """What the head reads for ``texts`` (as the fast model reads them, in ``langs``), given their
        embeddings."""
        if not self.shape_features:
            return embeddings
        shapes = shape_matrix(texts, self.shape_features, langs, self.shape_languages)
        return np.concatenate([embeddings, shapes], axis=1)

    def logits(self, embeddings: FloatArray) -> FloatArray:
        """The members' mean logit per embedding row."""
        hidden = np.maximum(np.einsum("nd,mdh->mnh", embeddings, self.w1) + self.b1[:, None, :], 0.0)
        per_member = np.einsum("mnh,mh->mn", hidden, self.w2) + self.b2[:, None]
        return np.asarray(per_member.mean(axis=0), dtype=np.float32)

    def decision(self, embedding_logit: float, fast_logit: float, lang: str) -> float:
        """The ensemble logit minus the language's threshold: at least 0 means harmful."""
        share = self.fast_weight.get(lang, 0.5)
        return embedding_logit + share * fast_logit - self.thresholds.get(lang, 0.0)

    def save(self, path: Path) -> None:
        buf = BytesIO()
        np.savez_compressed(buf, **self._arrays(""))
        path.write_bytes(buf.getvalue())

    def _arrays(self, prefix: str) -> dict[str, Any]:
        meta = {**self.meta, "thresholds": self.thresholds, "fast_weight": self.fast_weight}
        arrays: dict[str, Any] = {
            prefix + "w1": self.w1.astype(np.float16),
            prefix + "b1": self.b1.astype(np.float32),
            prefix + "w2": self.w2.astype(np.float32),
            prefix + "b2": self.b2.astype(np.float32),
            prefix + "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        }
        for lang, own in sorted(self.by_lang.items()):
            arrays.update(own._arrays(f"{lang}_"))
        return arrays

    @classmethod
    def load(cls, path: Path | None = None) -> SemanticHead:
        raw = model_bytes("semantic head", path, "semantic.npz")
        try:
            with np.load(BytesIO(raw)) as z:
                head = cls._from_arrays(z, "")
                langs = sorted(n.removesuffix("_meta") for n in z.files if n.endswith("_meta"))
                head.by_lang = {lang: cls._from_arrays(z, f"{lang}_") for lang in langs}
                return head
        except (OSError, ValueError, KeyError) as exc:
            # numpy's own message for a file that is no archive suggests loading it with pickle: not shown
            missing = f": {exc}" if isinstance(exc, KeyError) else ""
            raise ConfigError(
                f"semantic head {str(path)!r} is not a head file (an .npz with w1, b1, w2, b2 and meta, "
                f"written by 'aigis guard train --semantic'){missing}"
            ) from None

    @classmethod
    def _from_arrays(cls, z: Any, prefix: str) -> SemanticHead:
        meta = json.loads(bytes(z[prefix + "meta"]).decode())
        return cls(
            z[prefix + "w1"].astype(np.float32),
            z[prefix + "b1"].astype(np.float32),
            z[prefix + "w2"].astype(np.float32),
            z[prefix + "b2"].astype(np.float32),
            {str(k): float(v) for k, v in meta.get("thresholds", {}).items()},
            {str(k): float(v) for k, v in meta.get("fast_weight", {}).items()},
            meta,
        )


def shape_matrix(
    texts: list[str], names: tuple[str, ...], langs: list[str], languages: tuple[str, ...]
) -> FloatArray:
    """One row per text: ``SHAPE_VALUE`` for each of ``names`` that ``aigis.guard.acts`` finds in it, if
    its language is one of ``languages`` (zeros otherwise)."""
    column = {name: i for i, name in enumerate(names)}
    out = np.zeros((len(texts), len(names)), dtype=np.float32)
    for row, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        if lang not in languages:
            continue
        for name in act_features(act_hits(text)):
            if name in column:
                out[row, column[name]] = SHAPE_VALUE
    return out


def head_logits(
    head: SemanticHead, encoder: SentenceEncoder, texts: list[str], langs: list[str]
) -> FloatArray:
    """The head's mean logit for each of ``texts`` (in ``langs``), each language judged by its own
    networks where it has them (``SemanticHead.for_lang``); texts are encoded one at a time, as training
    encodes them."""
    out = np.zeros(len(texts), dtype=np.float32)
    for lang in sorted(set(langs)):
        part = head.for_lang(lang)
        rows = [i for i, lg in enumerate(langs) if lg == lang]
        chosen = [texts[i] for i in rows]
        emb = np.stack([encoder.encode_one(encoder_text(t, lang), part.pooling) for t in chosen])
        out[rows] = part.logits(part.inputs(emb, chosen, [lang] * len(rows)))
    return out


def fast_logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def fit_mlp(
    x: FloatArray,
    y: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    *,
    hidden: int = HIDDEN,
    epochs: int = EPOCHS,
    seed: int = 13,
    lr: float = 1e-3,
    l2: float = 1e-4,
    dropout: float = 0.1,
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """One-hidden-layer ReLU network with a logistic output, weighted cross-entropy, Adam, dropout."""
    rng = np.random.default_rng(seed)
    dim = x.shape[1]
    params: list[npt.NDArray[np.float32]] = [
        rng.normal(0, 1 / math.sqrt(dim), (dim, hidden)).astype(np.float32),
        np.zeros(hidden, np.float32),
        rng.normal(0, 1 / math.sqrt(hidden), hidden).astype(np.float32),
        np.zeros(1, np.float32),
    ]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    w = (weights / weights.mean()).astype(np.float32)
    yy = y.astype(np.float32)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(yy))
        for k in range(0, len(order), 64):
            idx = order[k : k + 64]
            xb, yb, wb = x[idx], yy[idx], w[idx]
            pre = xb @ params[0] + params[1]
            keep = (rng.random(pre.shape) > dropout).astype(np.float32) / (1 - dropout)
            act = np.maximum(pre, 0) * keep
            z = act @ params[2] + params[3][0]
            grad_z = wb * (1 / (1 + np.exp(-z)) - yb) / len(idx)
            grad_act = np.outer(grad_z, params[2]) * keep * (pre > 0)
            grads = [
                xb.T @ grad_act + l2 * params[0],
                grad_act.sum(0),
                act.T @ grad_z + l2 * params[2],
                np.array([grad_z.sum()], np.float32),
            ]
            step += 1
            for i, g in enumerate(grads):
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                update = lr * (m[i] / (1 - 0.9**step)) / (np.sqrt(v[i] / (1 - 0.999**step)) + 1e-8)
                params[i] = (params[i] - update).astype(np.float32)
    return params[0], params[1], params[2], float(params[3][0])


def _bootstrap(
    x: FloatArray, y: npt.NDArray[np.float64], w: npt.NDArray[np.float64], seed: int
) -> tuple[FloatArray, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """A resample of the rows with replacement, the same size: each member of the head sees its own."""
    idx = np.random.default_rng(seed).integers(0, len(y), len(y))
    return x[idx], y[idx], w[idx]


def choose_thresholds(
    logits: FloatArray, labels: list[str], langs: list[str], max_fpr: float = MAX_VALIDATION_FPR
) -> dict[str, float]:
    """Per language, the lowest threshold (at least ``MIN_THRESHOLD``) whose validation false-positive
    rate on benign and hard-benign rows is at most ``max_fpr``."""
    out: dict[str, float] = {}
    for lang in sorted(set(langs)):
        rows = zip(logits, labels, langs, strict=True)
        neg = [float(z) for z, lab, lg in rows if lg == lang and lab != "harmful"]
        if not neg:
            out[lang] = 0.0
            continue
        out[lang] = round(max(threshold_at_rate(neg, max_fpr, smooth=SMOOTH_THRESHOLDS), MIN_THRESHOLD), 4)
    return out


def choose_fast_weights(
    logits: FloatArray, fast: FloatArray, labels: list[str], langs: list[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Per language, the share of the fast logit (from ``FAST_WEIGHTS``) whose ensemble has the best
    validation recall at its threshold, and that threshold. Ties go to the smaller share."""
    weights: dict[str, float] = {}
    thresholds: dict[str, float] = {}
    for lang in sorted(set(langs)):
        mask = np.array([lg == lang for lg in langs])
        sub_labels = [lab for lab, keep in zip(labels, mask, strict=True) if keep]
        positive = np.array([lab == "harmful" for lab in sub_labels])
        best = (-1.0, 0.0, 0.0)
        for share in FAST_WEIGHTS:
            z = logits[mask] + share * fast[mask]
            thr = choose_thresholds(z, sub_labels, [lang] * len(sub_labels), MAX_VALIDATION_FPR)[lang]
            recall = float((z[positive] >= thr).mean()) if positive.any() else 0.0
            if recall > best[0]:
                best = (recall, share, thr)
        weights[lang], thresholds[lang] = best[1], best[2]
    return weights, thresholds


# Vectors from batched encoding differ from the detector's one-text vectors in the last bits, and those
# bits change which rows a threshold lands between; caches of batched vectors have other keys.
_CACHE_KEY_VERSION = b"one-text\0"


def _text_key(text: str, pooling: str = "mean") -> str:
    # mean-pooled vectors keep the keys they had before other poolings existed
    prefix = _CACHE_KEY_VERSION if pooling == "mean" else _CACHE_KEY_VERSION + pooling.encode() + b"\0"
    return hashlib.sha256(prefix + text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _read_cache(cache: Path) -> dict[str, FloatArray]:
    """Vectors by text key. Vectors of each width are stored apart (``keys_384`` / ``vectors_384`` …), so
    one file can hold the vectors of several poolings; ``keys`` / ``vectors`` is the older layout."""
    try:
        with np.load(cache) as z:
            names = [n.removeprefix("keys") for n in z.files if n.startswith("keys")]
            if not names:
                raise KeyError("keys")
            known: dict[str, FloatArray] = {}
            for suffix in names:
                known.update(zip(z["keys" + suffix].tolist(), z["vectors" + suffix], strict=True))
            return known
    except (OSError, ValueError, KeyError, AttributeError):
        raise ConfigError(
            f"--embedding-cache {str(cache)!r} is not an embedding cache (an .npz file with 'keys' and "
            f"'vectors' written by 'aigis guard train'); give a new path or delete the file"
        ) from None


def _write_cache(cache: Path, known: dict[str, FloatArray]) -> None:
    by_width: dict[int, dict[str, FloatArray]] = {}
    for key, vec in known.items():
        by_width.setdefault(len(vec), {})[key] = vec
    arrays: dict[str, Any] = {}
    for width, part in by_width.items():
        arrays[f"keys_{width}"] = np.array(list(part))
        arrays[f"vectors_{width}"] = np.stack(list(part.values()))
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as f:  # a path given to np.savez gets ".npz" appended, and the cache is never found
        np.savez(f, **arrays)


def embed_cached(
    encoder: SentenceEncoder,
    texts: list[str],
    cache: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    step: int = 256,
    pooling: str = "mean",
) -> FloatArray:
    """Embeddings of ``texts``, taking what ``cache`` holds and adding the rest to it. The encoder
    encodes each text alone, as the detector does, so a cold cache gives the same models as a warm one."""
    known: dict[str, FloatArray] = {}
    if cache is not None and cache.is_file():
        known = _read_cache(cache)
    keys = [_text_key(t, pooling) for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    for k in range(0, len(todo), step):
        part = todo[k : k + step]
        for (key, _), vec in zip(part, encoder.encode([t for _, t in part], pooling=pooling), strict=True):
            known[key] = vec
        if progress is not None:
            progress(min(k + step, len(todo)), len(todo))
    if cache is not None and todo:
        _write_cache(cache, known)
    if not texts:
        return np.zeros((0, encoder.output_dim(pooling)), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread inside the block. A multi-threaded matrix product rounds differently, and the
    last bits of an embedding move the head's validation choices: trained on more threads, the head
    would depend on the machine's core count."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        from aigis.guard.embedding import INSTALL_HINT

        raise ConfigError(f"semantic training needs the threadpoolctl package: {INSTALL_HINT}") from None
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def head_rows(
    splits: dict[str, list[Sample]], seed: int = 13, *, shared: bool
) -> tuple[list[Sample], list[bool]]:
    """The rows networks fit on and validate on (the flags), drawn from the training rows of ``splits``
    (``aigis.guard.training.load_splits``) as the Guard reads them: for the ``shared`` networks without the
    sources of ``SHARED_NETWORKS_SKIP``, for a language's own networks with them."""
    from aigis.guard.training import (
        PSEUDO_CHINESE,
        QUESTION_FORMS,
        as_guard_reads,
        is_crisis_only,
        is_injection_only,
        is_own_benign,
        with_pseudo_chinese,
        with_question_forms,
    )

    rows = [
        s
        for s in splits["train"]
        if s.label in ("harmful", "benign", "hard_benign")
        and not (shared and s.source.startswith(SHARED_NETWORKS_SKIP))
        and not s.source.startswith(FAST_ONLY_SOURCES)
        and not is_crisis_only(s)
        and not is_injection_only(s)
    ]
    # only training rows are subsampled: every validation row helps choose the shares and thresholds
    zh_benign = [
        s
        for s in rows
        if s.lang == "zh" and s.label == "benign" and not is_own_benign(s) and not head_validates(s)
    ]
    if len(zh_benign) > ZH_BENIGN_ROWS:
        dropped = {id(s) for s in zh_benign} - {
            id(s) for s in random.Random(seed).sample(zh_benign, ZH_BENIGN_ROWS)
        }
        rows = [s for s in rows if id(s) not in dropped]
    validating = [head_validates(s) for s in rows]
    if PSEUDO_CHINESE:  # renderings of training rows only; they never validate
        trained = [s for s, v in zip(rows, validating, strict=True) if not v]
        renderings = with_pseudo_chinese(trained)[len(trained) :]
        rows += renderings
        validating += [False] * len(renderings)
    if QUESTION_FORMS:
        trained = [s for s, v in zip(rows, validating, strict=True) if not v]
        variants = with_question_forms(trained, splits)[len(trained) :]
        rows += variants
        validating += [False] * len(variants)
    return as_guard_reads(rows), validating


def train_semantic(
    output_dir: Path | None = None,
    *,
    data_dir: Path | None = None,
    seed: int = 13,
    encoder_dir: Path | None = None,
    cache: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    hold_out: tuple[str, ...] = (),
    log: bool = False,
) -> dict[str, object]:
    """Fit the semantic tier on the fast models' training split: the harmful head (``semantic.npz``) and
    the injection terms (``injection_term.npz``, ``aigis.guard.injection_term``, and
    ``injection_short_{en,zh}.npz``, ``aigis.guard.short_term``). Needs the fast models in ``output_dir``
    (default: the package's models; their scores are part of the ensembles). ``cache`` is an ``.npz`` file
    of embeddings by text hash, read and extended, so that re-runs skip the encoder.

    BLAS runs on one thread meanwhile (``one_blas_thread``)."""
    from aigis.guard.injection_term import train_injection_term
    from aigis.guard.short_term import train_short_terms
    from aigis.guard.training import load_splits

    with tempfile.TemporaryDirectory() as scratch:
        # without a cache of the caller's, one for this run: the term reads the head's English vectors again
        vectors = cache or Path(scratch) / "embeddings.npz"
        summary = _train_head(output_dir, data_dir, seed, encoder_dir, vectors, progress, hold_out)
        splits = load_splits(data_dir, seed=seed, hold_out=hold_out)  # read once for the steps below
        summary[LONG_THRESHOLDS] = calibrate_long_requests(
            output_dir,
            data_dir=data_dir,
            seed=seed,
            encoder_dir=encoder_dir,
            hold_out=hold_out,
            splits=splits,
        )
        for key, fit in (("injection_term", train_injection_term), ("injection_short", train_short_terms)):
            summary[key] = fit(
                output_dir,
                data_dir=data_dir,
                seed=seed,
                encoder_dir=encoder_dir,
                cache=vectors,
                hold_out=hold_out,
                splits=splits,
            )
    if log:
        print(f"semantic: {summary}")
    return summary


@one_blas_thread()
def calibrate_long_requests(
    output_dir: Path | None = None,
    *,
    data_dir: Path | None = None,
    seed: int = 13,
    encoder_dir: Path | None = None,
    hold_out: tuple[str, ...] = (),
    splits: dict[str, list[Sample]] | None = None,
) -> dict[str, float]:
    """Per language, the threshold a long request's piece must pass above the head's own: where at most
    ``LONG_TEXT_FPR`` of long validation texts (``aigis.guard.window_training.validation_texts``) are
    flagged, never below the head's threshold. Written into the head file in ``output_dir``. ``splits`` is
    what ``load_splits`` gives for ``data_dir``, ``seed`` and ``hold_out`` when the caller has read it."""
    from aigis.guard.detectors.semantic import SemanticDetector
    from aigis.guard.training import MODELS_DIR, default_data_dir, load_splits
    from aigis.guard.window_training import LONG_TEXT_FPR, validation_texts

    folder = output_dir or MODELS_DIR
    data = data_dir or default_data_dir()
    head_path = folder / "semantic.npz"
    detector = SemanticDetector(
        head=str(head_path),
        model_dir=str(folder),
        encoder_dir=str(encoder_dir) if encoder_dir is not None else None,
    )
    detector.long_thresholds = {"en": 0.0, "zh": 0.0}  # read the pieces, at the head's own threshold
    rows = (splits or load_splits(data, seed=seed, hold_out=hold_out))["train"]
    found: dict[str, float] = {}
    for lang, (clean, _) in validation_texts(data, rows, seed).items():
        z = []
        for text in clean:
            fast = detector.fast.score(text, True)
            # a text the fast tier decides alone is flagged whatever the threshold
            z.append(FAST_DECIDED if fast[0] >= detector.skip_above else detector.decision(text, fast, True))
        found[lang] = round(max(threshold_at_rate(z, LONG_TEXT_FPR), 0.0), 4) + 0.0
    head = SemanticHead.load(head_path)
    head.meta[LONG_THRESHOLDS] = found
    head.save(head_path)
    return found


@one_blas_thread()
def _train_head(
    output_dir: Path | None,
    data_dir: Path | None,
    seed: int,
    encoder_dir: Path | None,
    cache: Path | None,
    progress: Callable[[int, int], None] | None,
    hold_out: tuple[str, ...],
) -> dict[str, object]:
    """The harmful head of ``train_semantic``."""
    from aigis.guard.detectors.harmful import HarmfulDetector
    from aigis.guard.embedding import shared_encoder
    from aigis.guard.training import (
        MODELS_DIR,
        check_training_output,
        load_splits,
        source_weights,
    )

    t0 = time.perf_counter()
    check_training_output(hold_out, output_dir)
    out = output_dir or MODELS_DIR
    missing = [n for n in ("harmful.npz", "category.npz") if not (out / n).is_file()]
    if missing:  # checked first: embedding the rows takes minutes
        raise ConfigError(
            f"{out} lacks the fast models ({', '.join(missing)}) that the semantic head is stacked on; "
            "train them there first (aigis guard train -o DIR)"
        )
    fast = HarmfulDetector(model_dir=out)
    splits = load_splits(data_dir, seed=seed, hold_out=hold_out)

    row_sets = {"shared": head_rows(splits, seed, shared=True)}
    with_skipped = any(s.source.startswith(SHARED_NETWORKS_SKIP) for s in splits["train"])
    row_sets["own"] = head_rows(splits, seed, shared=False) if with_skipped else row_sets["shared"]
    texts = list(dict.fromkeys(encoder_text(s.text, s.lang) for rows, _ in row_sets.values() for s in rows))
    encoder = shared_encoder(str(encoder_dir) if encoder_dir is not None else None)
    emb = embed_cached(encoder, texts, cache, progress, pooling=POOLING)
    row_of = {t: i for i, t in enumerate(texts)}
    fast_logits: dict[str, float] = {}  # the two sets of rows share most texts

    def fast_z_of(text: str) -> float:
        if text not in fast_logits:
            fast_logits[text] = fast_logit(fast.score(text, request=False)[0])
        return fast_logits[text]

    def fit_head(
        rows: list[Sample], validating: list[bool], judged: set[str], shape_lang: str | None = None
    ) -> SemanticHead:
        """Bagged networks on ``rows`` (with the request shapes of ``shape_lang`` beside the embedding),
        with shares and thresholds chosen for the languages in ``judged``."""
        langs = [s.lang for s in rows]
        x = emb[[row_of[encoder_text(s.text, s.lang)] for s in rows]]
        if shape_lang is not None:
            shape_rows = shape_matrix([s.text for s in rows], shape_feature_names(), langs, (shape_lang,))
            x = np.concatenate([x, shape_rows], axis=1)
        # each row as written, as the shipped head learned it; at run time a request with padding is also
        # read without it (``SemanticDetector.probability``) and the worse reading counts
        fast_z = np.array([fast_z_of(s.text) for s in rows], dtype=np.float32)
        is_val = np.array(validating)
        y = np.array([s.label == "harmful" for s in rows], dtype=np.float64)
        w = source_weights(rows, hard_benign=HARD_BENIGN_WEIGHT, red_team=RED_TEAM_WEIGHT)
        lang_of = np.array(langs)
        for lang in ("en", "zh"):
            in_lang = lang_of == lang
            n_pos, n_neg = float((y[in_lang] == 1).sum()), float((y[in_lang] == 0).sum())
            w[in_lang & (y == 1)] *= n_neg / max(n_pos, 1.0)
        train_rows = ~is_val
        members = [
            fit_mlp(*_bootstrap(x[train_rows], y[train_rows], w[train_rows], seed + k), seed=seed + k)
            for k in range(MEMBERS)
        ]
        # the weights ship as float16: thresholds are chosen on the rounded weights
        head = SemanticHead(
            np.stack([m[0] for m in members]).astype(np.float16).astype(np.float32),
            np.stack([m[1] for m in members]),
            np.stack([m[2] for m in members]),
            np.array([m[3] for m in members], dtype=np.float32),
            {},
            {},
            {},
        )
        val_rows = [s for s, v in zip(rows, validating, strict=True) if v and s.lang in judged]
        mine = is_val & np.isin(lang_of, sorted(judged))
        head.fast_weight, head.thresholds = choose_fast_weights(
            head.logits(x[mine]), fast_z[mine], [s.label for s in val_rows], [s.lang for s in val_rows]
        )
        head.meta = {
            "samples": int(train_rows.sum()),
            "validation": int(is_val.sum()),
            "positives": int(y[train_rows].sum()),
        }
        return head

    # the shared networks judge only the languages without networks of their own: a share and threshold
    # chosen for a language that has them would never be read
    own_languages = set(SHAPE_LANGUAGES) if SHAPE_FEATURES else set()
    head = fit_head(*row_sets["shared"], {"en", "zh"} - own_languages)
    if SHAPE_FEATURES:
        # each language in SHAPE_LANGUAGES gets networks of its own that also read the request shapes; the
        # others keep the networks above, unchanged (shared networks moved English too: round 23)
        for lang in SHAPE_LANGUAGES:
            own = fit_head(*row_sets["own"], {lang}, shape_lang=lang)
            own.meta = {
                "shape_features": list(shape_feature_names()),
                "shape_languages": [lang],
                "pooling": POOLING,
            }
            head.by_lang[lang] = own
    head.meta = {
        "encoder": encoder.folder.parent.name if encoder_dir is None else str(encoder_dir),
        "hidden": HIDDEN,
        "pooling": POOLING,
        "epochs": EPOCHS,
        "members": MEMBERS,
        "seed": seed,
        **head.meta,
        "max_validation_fpr": MAX_VALIDATION_FPR,
        "hold_out": list(hold_out),
        "stacked_on": fingerprints(out, STACKED_ON["semantic.npz"]),
    }
    head.save(out / "semantic.npz")
    summary = {
        **head.meta,
        "thresholds": {lang: head.for_lang(lang).thresholds.get(lang) for lang in ("en", "zh")},
        "fast_weight": {lang: head.for_lang(lang).fast_weight.get(lang) for lang in ("en", "zh")},
        "own_networks": sorted(head.by_lang),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return summary
