"""Small linear classifiers shipped with the guard, and the features they read.

Features are hashed character n-grams (n = 1..4) of the lower-cased, whitespace-collapsed text,
weighted 1/sqrt(#n-grams), hashed Latin word unigrams and bigrams (weighted 1/sqrt(#words)), one
indicator per keyword-library hit kind (``lex:<category>:<weight>``, ``inj:<kind>:<weight>``), the
text's language (``lang:zh`` / ``lang:en``, from the share of CJK characters) and a length bucket.
Hashing is vectorised with numpy, so a 1 KiB text costs a few tens of microseconds. The models are
logistic regressions (binary: injection, harmful) with a per-language bias offset chosen on a
validation split (so that 0.5 is the decision boundary in both languages) and a softmax head
(harmful category), trained by ``aigis.guard.training`` and stored as ``.npz`` files in this
folder. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aigis.errors import ConfigError
from aigis.guard.acts import act_features, act_hits, shape_features
from aigis.guard.lexicon import KeywordHit, default_lexicon, injection_lexicon, lower_same_length

__all__ = [
    "BITS",
    "WINDOW",
    "Features",
    "LinearModel",
    "SoftmaxModel",
    "batch_scores",
    "detect_lang",
    "featurize",
    "load_binary",
    "load_softmax",
    "window_scores",
    "windows",
]

BITS = 18
WINDOW = 4096
_ORDERS = (1, 2, 3, 4)
_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SALTS = {n: np.uint64((n * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF) for n in _ORDERS}

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Features:
    ids: IntArray  # hashed feature ids in [0, 2**BITS)
    vals: FloatArray  # their values (same length)
    keyword_hits: tuple[KeywordHit, ...]
    injection_hits: tuple[KeywordHit, ...]
    lang: str = "en"  # "zh" when CJK characters carry the text, else "en"


def _named_id(name: str, bits: int = BITS) -> int:
    return zlib.crc32(name.encode("utf-8")) & ((1 << bits) - 1)


def _ngram_ids(text: str, bits: int = BITS) -> IntArray:
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    parts: list[IntArray] = []
    h = np.zeros(len(cps), dtype=np.uint64)
    shift = np.uint64(64 - bits)
    with np.errstate(over="ignore"):
        for n in _ORDERS:
            if len(cps) < n:
                break
            h = h[: len(cps) - n + 1] * _PRIME + cps[n - 1 :]
            parts.append((((h ^ _SALTS[n]) * _MIX) >> shift).astype(np.int64))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(parts)


_WORD_SALT = np.uint64(0xD6E8FEB86659FD93)
_CJK_LO, _CJK_HI = 0x3400, 0x9FFF


def _words(cps: npt.NDArray[np.uint64]) -> tuple[IntArray, IntArray, npt.NDArray[np.uint64]]:
    """Latin words of lower-cased code points: (starts, ends, 64-bit hashes), all in numpy.

    A word is a run of ``[a-z0-9]`` (an apostrophe between a word character and a letter joins:
    "don't"). Its hash sums a mix of (code point, position in the word) over its characters."""
    n = len(cps)
    alnum = ((cps >= 97) & (cps <= 122)) | ((cps >= 48) & (cps <= 57))
    word = alnum.copy()
    if n >= 3:
        word[1:-1] |= (cps[1:-1] == 39) & alnum[:-2] & (cps[2:] >= 97) & (cps[2:] <= 122)
    edges = np.diff(np.concatenate([[0], word.view(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    if not len(starts):
        return starts, ends, np.zeros(0, dtype=np.uint64)
    idx = np.arange(n, dtype=np.int64)
    first = np.maximum.accumulate(np.where(edges[:-1] == 1, idx, 0))
    with np.errstate(over="ignore"):
        f = (cps + np.uint64(1)) * _PRIME + (idx - first).astype(np.uint64) * _MIX
        f = (f ^ (f >> np.uint64(31))) * _MIX
        f[~word] = 0
        hashes = np.add.reduceat(f, starts)
    return starts, ends, hashes


def _word_feature_ids(hashes: npt.NDArray[np.uint64], bits: int = BITS) -> tuple[IntArray, IntArray]:
    """Hashed word unigram and bigram feature ids."""
    shift = np.uint64(64 - bits)
    with np.errstate(over="ignore"):
        uni = (((hashes ^ _WORD_SALT) * _MIX) >> shift).astype(np.int64)
        bi = ((((hashes[:-1] * _PRIME + hashes[1:]) ^ (_WORD_SALT + np.uint64(1))) * _MIX) >> shift).astype(
            np.int64
        )
    return uni, bi


def _word_ids(text: str, bits: int = BITS) -> IntArray:
    """Hashed word unigrams and bigrams of the Latin words in ``text`` (already lower-cased)."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    _, _, hashes = _words(cps)
    if not len(hashes):
        return np.zeros(0, dtype=np.int64)
    uni, bi = _word_feature_ids(hashes, bits)
    return np.concatenate([uni, bi])


def detect_lang(text: str) -> str:
    """ "zh" when CJK characters make up a fair share of the letters, else "en"."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cjk = int(np.count_nonzero((cps >= _CJK_LO) & (cps <= _CJK_HI)))
    if not cjk:
        return "en"
    latin = int(np.count_nonzero(((cps | 0x20) >= 0x61) & ((cps | 0x20) <= 0x7A)))
    return "zh" if cjk * 4 >= latin else "en"


def _length_bucket(n: int) -> str:
    return f"len:{min(int(math.log2(n + 1)), 14)}"


def featurize(
    text: str,
    *,
    hits: tuple[tuple[KeywordHit, ...], tuple[KeywordHit, ...]] | None = None,
    words: bool = True,
    acts: bool = False,
) -> Features:
    """Features of one text (callers keep it at most ``WINDOW`` characters; see ``windows``).

    ``words=False`` leaves out the word n-grams (the injection model reads characters only: long
    jailbreak prompts share many ordinary words with benign role-play requests). ``acts=True`` adds the
    request-shape features of ``aigis.guard.acts`` (the harmful model reads them). The length feature
    counts the text as its n-grams read it, whitespace runs as one space: a core whose padding is blanked
    (``aigis.guard.courtesy``) reads as the shorter text it stands for."""
    low = lower_same_length(text)
    if hits is None:
        kw = tuple(default_lexicon().find(text, lowered=low))
        inj = tuple(injection_lexicon().find(text, lowered=low))
    else:
        kw, inj = hits
    clean = " ".join(low.split())  # lower-cased, whitespace runs as one space
    grams = _ngram_ids(clean)
    word_ids = _word_ids(clean) if words else np.zeros(0, dtype=np.int64)
    lang = detect_lang(text)
    named = {_length_bucket(len(clean)), f"lang:{lang}"}
    named.update(f"lex:{h.category}:{h.weight}" for h in kw)
    named.update(f"lexw:{h.weight}" for h in kw)
    named.update(f"inj:{h.category}:{h.weight}" for h in inj)
    named.update(f"injw:{h.weight}" for h in inj)
    if acts:
        named.update(act_features(act_hits(text, low)))
    extra = np.array(sorted(_named_id(n) for n in named), dtype=np.int64)
    gram_val = 1.0 / math.sqrt(len(grams)) if len(grams) else 0.0
    word_val = 1.0 / math.sqrt(len(word_ids)) if len(word_ids) else 0.0
    ids = np.concatenate([grams, word_ids, extra])
    vals = np.concatenate(
        [
            np.full(len(grams), gram_val, dtype=np.float32),
            np.full(len(word_ids), word_val, dtype=np.float32),
            np.ones(len(extra), dtype=np.float32),
        ]
    )
    return Features(ids, vals, kw, inj, lang)


def batch_scores(model: LinearModel, texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """``model.score(featurize(t, words=model.words))`` for each of ``texts`` (each at most ``WINDOW``
    characters; the model reads no request shapes), with the n-gram and word hashing done in one numpy
    pass over all of them: many short texts, such as a document's sentences, cost about as much as one
    long one. Equal to the one-by-one scores up to float rounding."""
    if model.acts:
        raise ValueError("batch_scores reads no request shapes; score this model's texts one by one")
    k = len(texts)
    if not k:
        return np.zeros(0)
    lows = [lower_same_length(t) for t in texts]
    cleans = [" ".join(low.split()) for low in lows]
    # "\n" never occurs in a cleaned text and is no word character: nothing hashed crosses it
    joined = "\n".join(cleans)
    try:
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    except UnicodeEncodeError:  # a lone surrogate: featurize itself would fail on it
        return np.array([model.score(featurize(t, words=model.words)) for t in texts])
    lengths = np.array([len(c) for c in cleans], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    ends = starts + lengths
    piece_of = np.repeat(np.arange(k), lengths + 1)[: len(cps)]  # the separator counts to the left piece
    weights = model.weights
    gram_sum, gram_count = np.zeros(k), np.zeros(k)
    shift = np.uint64(64 - BITS)
    h = np.zeros(len(cps), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in _ORDERS:
            if len(cps) < n:
                break
            h = h[: len(cps) - n + 1] * _PRIME + cps[n - 1 :]
            ids = (((h ^ _SALTS[n]) * _MIX) >> shift).astype(np.int64)
            at = piece_of[: len(ids)]
            keep = np.arange(len(ids)) + n <= ends[at]
            gram_sum += np.bincount(at[keep], weights=weights[ids[keep]], minlength=k)
            gram_count += np.bincount(at[keep], minlength=k)
    word_sum, word_count = np.zeros(k), np.zeros(k)
    if model.words:
        word_starts, _, hashes = _words(cps)
        if len(hashes):
            uni, bi = _word_feature_ids(hashes, BITS)
            owner = piece_of[word_starts]
            word_sum += np.bincount(owner, weights=weights[uni], minlength=k)
            word_count += np.bincount(owner, minlength=k)
            same = owner[:-1] == owner[1:]  # a bigram never joins two texts
            word_sum += np.bincount(owner[:-1][same], weights=weights[bi[same]], minlength=k)
            word_count += np.bincount(owner[:-1][same], minlength=k)
    logits = np.full(k, model.bias)
    logits += np.divide(gram_sum, np.sqrt(gram_count), out=np.zeros(k), where=gram_count > 0)
    logits += np.divide(word_sum, np.sqrt(word_count), out=np.zeros(k), where=word_count > 0)
    kw_lexicon, inj_lexicon = default_lexicon(), injection_lexicon()
    for i, (text, low) in enumerate(zip(texts, lows, strict=True)):
        lang = detect_lang(text)
        named = {_length_bucket(int(lengths[i])), f"lang:{lang}"}
        for hit in kw_lexicon.find(text, lowered=low):
            named.update((f"lex:{hit.category}:{hit.weight}", f"lexw:{hit.weight}"))
        for hit in inj_lexicon.find(text, lowered=low):
            named.update((f"inj:{hit.category}:{hit.weight}", f"injw:{hit.weight}"))
        logits[i] += float(sum(weights[_named_id(name)] for name in named)) + model.offsets.get(lang, 0.0)
    scores: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))
    return scores


def windows(text: str, size: int = WINDOW) -> list[tuple[int, str]]:
    """Split a long text into overlapping windows (start offset, text) so cost stays linear."""
    if len(text) <= size:
        return [(0, text)]
    step = size // 2
    return [(i, text[i : i + size]) for i in range(0, len(text) - step, step)]


# whitespace as ``str.split`` sees it (the characters ``_clean`` collapses)
_WS_CPS = np.array(
    [
        *(9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xA0, 0x1680),
        *range(0x2000, 0x200B),
        *(0x2028, 0x2029, 0x202F, 0x205F, 0x3000),
    ],
    dtype=np.uint32,
)
_BLOCK = 1 << 16  # characters scored per numpy pass: bounds memory on huge inputs


@lru_cache(maxsize=4096)
def _named_cached(name: str) -> int:
    return _named_id(name)


def window_scores(
    model: LinearModel,
    text: str,
    size: int,
    hits: tuple[Sequence[KeywordHit], Sequence[KeywordHit]],
    lowered: str | None = None,
) -> tuple[IntArray, FloatArray]:
    """Probabilities of every window of ``windows(text, size)``: (window starts, probabilities).

    Equivalent to ``model.score(featurize(chunk, hits=<hits inside the chunk>, words=model.words))``
    for each chunk, up to words and whitespace cut by a window edge, but computed with prefix sums
    over the whole text: every character is hashed once, so the cost per character does not grow
    with the window overlap and stays in numpy. ``hits`` (keyword-library and cue-phrase hits) index
    ``text``; ``lowered`` is ``lower_same_length(text)`` where the caller has it already."""
    starts, probs = models_window_scores((model,), text, size, hits, lowered)
    return starts, probs[0]


def models_window_scores(
    models: Sequence[LinearModel],
    text: str,
    size: int,
    hits: tuple[Sequence[KeywordHit], Sequence[KeywordHit]],
    lowered: str | None = None,
) -> tuple[IntArray, FloatArray]:
    """``window_scores`` for several models over the same features at once: (window starts, probabilities
    with one row per model). The text is hashed once for all of them."""
    n_text = len(text)
    step = size // 2
    starts = np.arange(0, n_text - step, step, dtype=np.int64) if n_text > size else np.zeros(1, np.int64)
    ends = np.minimum(starts + size, n_text)
    logits = np.array([np.full(len(starts), m.bias, dtype=np.float64) for m in models])
    # named features: keyword and cue hits per window (a hit counts in each window that contains it)
    names: dict[int, set[str]] = {}
    for kind, (pre, pre_w) in zip(hits, (("lex", "lexw"), ("inj", "injw")), strict=True):
        for h in kind:
            for k in _windows_holding(h, size, step, len(starts)):
                names.setdefault(k, set()).update((f"{pre}:{h.category}:{h.weight}", f"{pre_w}:{h.weight}"))
    shapes = _shape_masks(text, size, step, len(starts), lowered) if any(m.acts for m in models) else {}
    for i, m in enumerate(models):
        w = m.weights
        if m.acts:
            for name, mask in shapes.items():
                if mask.any():
                    logits[i, mask] += float(w[_named_cached(name)])
        for k, found in names.items():
            logits[i, k] += sum(float(w[_named_cached(x)]) for x in found)
    per_block = max(1, _BLOCK // max(step, 1))
    zh = np.zeros(len(starts), dtype=bool)
    lengths = np.zeros(len(starts), dtype=np.int64)
    for b in range(0, len(starts), per_block):
        st = starts[b : b + per_block]
        lo, hi = int(st[0]), int(min(st[-1] + size, n_text))
        seg_logits, seg_zh, seg_lengths = _segment_logits(
            models, text[lo:hi], st - lo, ends[b : b + per_block] - lo
        )
        logits[:, b : b + per_block] += seg_logits
        zh[b : b + per_block] = seg_zh
        lengths[b : b + per_block] = seg_lengths
    for i, m in enumerate(models):
        for length in np.unique(lengths):
            logits[i, lengths == length] += float(m.weights[_named_cached(_length_bucket(int(length)))])
        w_zh = float(m.weights[_named_cached("lang:zh")]) + m.offsets.get("zh", 0.0)
        w_en = float(m.weights[_named_cached("lang:en")]) + m.offsets.get("en", 0.0)
        logits[i] += np.where(zh, w_zh, w_en)
    probs: FloatArray = (1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))).astype(np.float32)
    return starts, probs


def _shape_masks(
    text: str, size: int, step: int, n_windows: int, lowered: str | None = None
) -> dict[str, npt.NDArray[np.bool_]]:
    """The request-shape features of every window (``aigis.guard.acts.shape_features``), one boolean per
    window: a role is present in a window that holds one of its words whole."""
    by_role: dict[str, list[tuple[int, int]]] = {}
    for start, end, role in act_hits(text, lowered):
        by_role.setdefault(role, []).append((start, end))
    present: dict[str, npt.NDArray[np.bool_]] = {}
    for role, spans in by_role.items():
        at = np.array(spans, dtype=np.int64)
        lo, hi = _first_window(at[:, 1], size, step), np.minimum(at[:, 0] // step, n_windows - 1)
        keep = lo <= hi
        cover = np.zeros(n_windows + 1, dtype=np.int64)
        np.add.at(cover, lo[keep], 1)
        np.add.at(cover, hi[keep] + 1, -1)
        present[role] = np.cumsum(cover[:-1]) > 0
    return shape_features(present, np.zeros(n_windows, dtype=bool))


def _windows_holding(hit: KeywordHit, size: int, step: int, n_windows: int) -> range:
    """Indices of the windows (``size`` long, ``step`` apart) that contain the whole of ``hit``."""
    return range(int(_first_window(np.int64(hit.end), size, step)), min(hit.start // step, n_windows - 1) + 1)


def _first_window(end: IntArray | np.int64, size: int, step: int) -> IntArray:
    """The first window (``size`` long, ``step`` apart) that reaches ``end``: ceil((end - size) / step),
    at least 0; one hit end or an array of them."""
    return np.maximum(0, -(-(end - size) // step))


@lru_cache(maxsize=8)
def _stacked_weights(models: tuple[LinearModel, ...]) -> FloatArray:
    """The models' weights side by side, one column each: one gather per n-gram reads every model's weight
    (a model lives as long as the detector holding it, and a cached model keeps its matrix)."""
    if len(models) == 1:
        return models[0].weights[:, None]
    return np.ascontiguousarray(np.stack([m.weights for m in models], axis=1))


def _segment_logits(
    models: Sequence[LinearModel], seg: str, starts: IntArray, ends: IntArray
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], IntArray]:
    """n-gram and word contributions of each window [starts, ends) of ``seg`` (one row per model), its
    language, and its length as ``featurize`` counts it (whitespace runs as one space, none at the ends)."""
    stacked = _stacked_weights(tuple(models))
    raw = np.frombuffer(seg.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cjk = np.concatenate([[0], np.cumsum((raw >= _CJK_LO) & (raw <= _CJK_HI))])
    folded = raw | 0x20
    latin = np.concatenate([[0], np.cumsum((folded >= 0x61) & (folded <= 0x7A))])
    n_cjk = cjk[ends] - cjk[starts]
    zh = (n_cjk > 0) & (n_cjk * 4 >= latin[ends] - latin[starts])
    low = np.frombuffer(lower_same_length(seg).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    ws = np.isin(low, _WS_CPS)
    keep = ~ws | ~np.concatenate([[True], ws[:-1]])  # one space per whitespace run
    lengths = _clean_lengths(ws, starts, ends)
    clean = np.where(ws, np.uint32(32), low)[keep]
    pos = np.flatnonzero(keep)
    ca = np.searchsorted(pos, starts)
    cb = np.searchsorted(pos, ends)
    out = np.zeros((len(models), len(starts)), dtype=np.float64)
    total = np.zeros((len(models), len(starts)), dtype=np.float64)
    count = np.zeros(len(starts), dtype=np.int64)
    cps = clean.astype(np.uint64)
    h = np.zeros(len(cps), dtype=np.uint64)
    shift = np.uint64(64 - BITS)
    with np.errstate(over="ignore"):
        for n in _ORDERS:
            m = len(cps) - n + 1
            if m <= 0:
                break
            h = h[:m] * _PRIME + cps[n - 1 :]
            ids = (((h ^ _SALTS[n]) * _MIX) >> shift).astype(np.int64)
            a = np.minimum(ca, m)
            z = np.maximum(np.minimum(cb - n + 1, m), a)
            prefix = np.zeros((m + 1, len(models)), dtype=np.float64)
            np.cumsum(stacked[ids], axis=0, dtype=np.float64, out=prefix[1:])
            total += (prefix[z] - prefix[a]).T
            count += z - a
    out += np.where(count > 0, total / np.sqrt(np.maximum(count, 1)), 0.0)
    reading = [i for i, model in enumerate(models) if model.words]
    if reading:
        w_starts, w_ends, hashes = _words(cps)
        if len(hashes):
            uni, bi = _word_feature_ids(hashes)
            ja = np.searchsorted(w_starts, ca, side="left")
            jb = np.maximum(np.searchsorted(w_ends, cb, side="right"), ja)
            ba = np.minimum(ja, len(bi))  # bigrams (j, j + 1) with both words in the window
            bz = np.maximum(np.minimum(jb - 1, len(bi)), ba)
            wcount = (jb - ja) + (bz - ba)
            pu = np.zeros((len(uni) + 1, len(models)), dtype=np.float64)
            pb = np.zeros((len(bi) + 1, len(models)), dtype=np.float64)
            np.cumsum(stacked[uni], axis=0, dtype=np.float64, out=pu[1:])
            np.cumsum(stacked[bi], axis=0, dtype=np.float64, out=pb[1:])
            wsum = ((pu[jb] - pu[ja]) + (pb[bz] - pb[ba])).T
            words = np.where(wcount > 0, wsum / np.sqrt(np.maximum(wcount, 1)), 0.0)
            out[reading] += words[reading]
    return out, zh, lengths


def _clean_lengths(ws: npt.NDArray[np.bool_], starts: IntArray, ends: IntArray) -> IntArray:
    """The length of each window [starts, ends) once its whitespace runs are one space and its ends are
    stripped: its other characters, plus one for each run that begins after its first character, less a
    run that ends it. ``ws`` marks the whitespace characters of the text."""
    solid = np.concatenate([[0], np.cumsum(~ws)])
    runs = np.concatenate([[0], np.cumsum(ws & ~np.concatenate([[False], ws[:-1]]))])  # each run's first
    inside = solid[ends] - solid[starts]
    begun = runs[ends] - runs[np.minimum(starts + 1, ends)]
    lengths: IntArray = inside + begun - (ws[ends - 1] & (inside > 0))
    return lengths


def sigmoid(z: float) -> float:
    """The logistic function, clamped so that huge logits do not overflow."""
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


class LinearModel:
    """Binary logistic regression over hashed features."""

    def __init__(self, weights: FloatArray, bias: float, meta: dict[str, object]) -> None:
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.meta = meta
        self.threshold = float(meta.get("threshold", 0.5))  # type: ignore[arg-type]
        self.words = bool(meta.get("words", True))  # whether featurize(..., words=) adds word n-grams
        self.acts = bool(meta.get("acts", False))  # whether featurize(..., acts=) adds request shapes
        offsets = meta.get("bias_offsets", {})
        self.offsets: dict[str, float] = (
            {str(k): float(v) for k, v in offsets.items()} if isinstance(offsets, dict) else {}
        )

    def logit(self, f: Features) -> float:
        """The raw score before the language offset (what training calibrates)."""
        return self.bias + float(np.dot(self.weights[f.ids], f.vals))

    def score(self, f: Features) -> float:
        return sigmoid(self.logit(f) + self.offsets.get(f.lang, 0.0))

    def save(self, path: Path) -> None:
        buf = BytesIO()
        np.savez_compressed(
            buf,
            weights=self.weights.astype(np.float16),
            bias=np.array([self.bias]),
            meta=np.frombuffer(json.dumps(self.meta, sort_keys=True).encode(), dtype=np.uint8),
        )
        path.write_bytes(buf.getvalue())


class SoftmaxModel:
    """Multiclass logistic regression over the same hashed features (fewer bits)."""

    def __init__(self, weights: FloatArray, bias: FloatArray, labels: list[str], bits: int) -> None:
        self.weights = weights.astype(np.float32)  # [classes, 2**bits]
        self.bias = bias.astype(np.float32)
        self.labels = labels
        self.bits = bits

    def probs(self, f: Features) -> FloatArray:
        ids = f.ids >> (BITS - self.bits)
        z = self.bias + self.weights[:, ids] @ f.vals
        z = z - z.max()
        e = np.exp(z)
        out: FloatArray = (e / e.sum()).astype(np.float32)
        return out

    def save(self, path: Path) -> None:
        buf = BytesIO()
        np.savez_compressed(
            buf,
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            labels=np.frombuffer(json.dumps(self.labels).encode(), dtype=np.uint8),
            bits=np.array([self.bits]),
        )
        path.write_bytes(buf.getvalue())


def model_bytes(what: str, path: Path | None, packaged: str, hint: str = "") -> bytes:
    """The bytes of the model file at ``path``, or of this package's ``packaged`` when ``path`` is None; a
    file that cannot be read is a ConfigError naming ``what`` and the path (then ``hint``)."""
    try:
        return (
            path.read_bytes()
            if path is not None
            else resources.files(__package__).joinpath(packaged).read_bytes()
        )
    except OSError as exc:
        raise ConfigError(
            f"{what} {str(path or packaged)!r} cannot be read: {exc.strerror or exc}{hint}"
        ) from None


# the files fit on top of fast models (their shares and thresholds are chosen with those models' scores),
# and the files each is fit on
STACKED_ON = {
    "injection_style.npz": ("injection.npz",),
    "injection_term.npz": ("injection.npz", "injection_style.npz"),
    "injection_short_en.npz": ("injection.npz",),
    "injection_short_zh.npz": ("injection.npz",),
    "semantic.npz": ("harmful.npz", "harmful_windows.npz"),
}


def fingerprints(directory: Path | None, names: Sequence[str]) -> dict[str, str]:
    """The first 16 hex digits of the SHA-256 of each model file of ``names`` in ``directory`` (default:
    this package's). A file fit on top of others records theirs (``STACKED_ON``), so that one left over
    from other fast models shows (``stale_models``)."""
    return {
        name: hashlib.sha256(
            model_bytes(name, None if directory is None else directory / name, name)
        ).hexdigest()[:16]
        for name in names
    }


def stale_models(directory: Path | None = None) -> list[str]:
    """The files of ``directory`` (default: this package's models) fit on top of fast models other than
    the ones beside them, each with what to run; a file that records nothing, or is absent, is not
    judged."""
    stale = []
    current: dict[str, str] = {}  # each file hashed once, though two files are fit on injection.npz
    for name, under in STACKED_ON.items():
        path = None if directory is None else directory / name
        if path is not None and not path.is_file():
            continue
        with np.load(BytesIO(model_bytes(name, path, name))) as z:
            recorded = json.loads(bytes(z["meta"]).decode()).get("stacked_on")
        if recorded is None:
            continue
        current.update(fingerprints(directory, [n for n in under if n not in current]))
        if recorded != {n: current[n] for n in under}:
            step = (
                "aigis guard train" if name == "injection_style.npz" else "aigis guard train --semantic-only"
            )
            stale.append(f"{name} was fit on other {' and '.join(under)} than these: run {step}")
    return stale


def _open(name: str, directory: Path | None) -> BytesIO:
    if directory is not None:
        return BytesIO((directory / name).read_bytes())
    return BytesIO(resources.files(__package__).joinpath(name).read_bytes())


@lru_cache(maxsize=8)
def load_binary(name: str, directory: Path | None = None) -> LinearModel:
    """Load ``<name>.npz`` (a binary model) from this package or ``directory``."""
    with np.load(_open(f"{name}.npz", directory)) as z:
        meta = json.loads(bytes(z["meta"]).decode())
        return LinearModel(z["weights"], float(z["bias"][0]), meta)


@lru_cache(maxsize=8)
def load_softmax(name: str, directory: Path | None = None) -> SoftmaxModel:
    """Load ``<name>.npz`` (a softmax model) from this package or ``directory``."""
    with np.load(_open(f"{name}.npz", directory)) as z:
        labels = json.loads(bytes(z["labels"]).decode())
        return SoftmaxModel(z["weights"], z["bias"], labels, int(z["bits"][0]))
