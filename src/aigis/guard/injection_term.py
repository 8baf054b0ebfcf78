"""Terms that tell long English prose from a jailbreak prompt, added to the fast injection model.

The fast injection model reads character n-grams, and long English prose (a news story, an exam
passage, an essay pasted for a summary) shares enough of them with a persona prompt that it refuses
most of it (docs/benchmarks.md, round 30). Two logistic regressions read what the n-grams miss; each
one's logit is added to the fast model's logit at a share, for English texts of at least ``LONG_TEXT``
characters. The threshold is kept: a term moves a text's logit, not the line it is judged by.

* The style term (fast tier, ``injection_style.npz``) reads 15 numbers of a text's style
  (``style_features``): how much of it speaks to "you", about an AI, its rules, roles and answers, how
  much reads like the function words of prose, its sentence length, lines, quotes and brackets.
* The embedding term (semantic tier, ``injection_term.npz``) reads the text's MiniLM embedding, on top of
  the fast model and the style term.

Both train on the English rows of the fast injection model plus long prose that no fast model reads
(AGIEval's gaokao English reading passages and the "train" lines of ``lexicon/articles_en.txt``); the L2
penalty is chosen by cross-validated loss and the share on every long prose row, out of fold (``fit_term``).
``aigis guard train`` fits the style term after the fast models, ``aigis guard train --semantic`` the
embedding term after the head.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from aigis.errors import ConfigError
from aigis.guard.models import STACKED_ON, fingerprints, model_bytes

if TYPE_CHECKING:
    from aigis.guard.training import Sample

FloatArray = npt.NDArray[np.float32]
FILE_NAME = "injection_term.npz"  # the embedding term
STYLE_FILE = "injection_style.npz"
# the shortest text the terms read: about the 256 tokens the encoder reads. Jailbreak prompts this long
# keep their persona setup in that reach, and every prose passage that trains the terms is longer
LONG_TEXT = 1000
SHARES = (0.5, 1.0, 2.0, 3.0)  # candidate shares of the term's logit (``choose_share``)
L2_PENALTIES = (1e-4, 1e-5, 1e-6)  # candidates, chosen by cross-validated loss
FOLDS = 5
# weights like the fast models': prose as our own benign sets (4), harmless role play as hard-benign look-
# alikes (8), since the sentence model places a persona prompt near a jailbreak
PROSE_WEIGHT = 4.0
ROLEPLAY_WEIGHT = 8.0
PROSE_SOURCES = ("agieval_en_passages", "articles_en")
# AGIEval's tasks of short English arguments that train the terms joined (its LSAT reading-comprehension and
# SAT passages are held out)
ARGUMENT_TASKS = ("lsat-lr", "lsat-ar")
JOINED_CHARS = 1500
# logits taken off a long English text's sum before it is judged: the fast models and the terms train with
# jailbreak prompts at 20 times their balanced weight (``training.INJECTION_POS_WEIGHT``), a prior of about
# ln 20 = 3.0 logits towards "attack" that long prose pays for most, since jailbreak prompts are long prose
# too. Chosen with held-out figures in view (docs/benchmarks.md, round 35); ``long_text_offset`` sets it
LONG_TEXT_OFFSET = 3.0


# word groups whose shares of a text's words the style term reads: a jailbreak prompt speaks to "you"
# about an AI, its rules, a role to play and how to answer; prose runs on function words
STYLE_WORDS: dict[str, frozenset[str]] = {
    "you": frozenset({"you", "your", "you're", "yours", "yourself"}),
    "me": frozenset({"i", "me", "my", "i'm", "mine"}),
    "ai": frozenset({"ai", "chatgpt", "gpt", "assistant", "model", "openai", "llm", "bot", "chatbot"}),
    "rules": frozenset(
        {"rules", "policy", "policies", "guidelines", "restrictions", "filter", "filters", "censorship"}
        | {"ethical", "ethics", "moral", "limitations", "content"}
    ),
    "role": frozenset(
        {"character", "role", "roleplay", "pretend", "act", "simulate", "persona", "mode", "dan"}
        | {"jailbreak", "jailbroken"}
    ),
    "answer": frozenset(
        {"respond", "response", "responses", "answer", "answers", "reply", "output", "prompt", "prompts"}
        | {"format", "message"}
    ),
    "modal": frozenset({"will", "must", "should", "never", "always", "can't", "cannot", "don't", "not"}),
    "prose": frozenset(
        {"the", "of", "and", "in", "which", "was", "were", "had", "their", "its", "by", "as", "from", "that"}
    ),
    "past": frozenset({"was", "were", "had", "did", "became", "made", "found", "began"}),
}
STYLE_NAMES = (*STYLE_WORDS, "sentence_words", "newlines", "colons", "quotes", "brackets", "questions")
# each word's groups, so that a text's words are counted in one pass (a long text has many pieces)
_GROUPS_OF: dict[str, tuple[int, ...]] = {}
for _index, _group in enumerate(STYLE_WORDS.values()):
    for _word in _group:
        _GROUPS_OF[_word] = (*_GROUPS_OF.get(_word, ()), _index)
_WORD = re.compile(r"[A-Za-z']+")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def style_features(text: str) -> FloatArray:
    """The numbers the style term reads (``STYLE_NAMES``), each scaled to about one. Digits are left out on
    purpose: a number pasted after an attack would count for prose."""
    words = _WORD.findall(text)
    n = max(len(words), 1)
    counts = [0] * len(STYLE_WORDS)
    for word, times in Counter(w.lower() for w in words).items():
        for index in _GROUPS_OF.get(word, ()):
            counts[index] += times
    shares = [c / n for c in counts]
    sentences = max(len(_SENTENCE_END.findall(text)), 1)
    shape = [
        n / sentences / 30,
        text.count("\n") / max(len(text), 1) * 100,
        text.count(":") / n * 10,
        text.count('"') / n * 10,
        (text.count("[") + text.count("{")) / n * 10,
        text.count("?") / sentences,
    ]
    return np.array(shares + shape, dtype=np.float32)


def chunks(text: str, size: int = LONG_TEXT) -> list[str]:
    """``text`` in consecutive pieces of about ``size`` characters, each cut at a space where one is near;
    a tail shorter than half of ``size`` stays with the piece before it. The terms read a long text piece by
    piece and count its most jailbreak-like piece, so that prose wrapped around an attack cannot talk it
    down (``benchmarks/guard_long_text.py``)."""
    out: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if len(text) - end < size // 2:
            end = len(text)
        else:
            space = text.rfind(" ", start + size // 2, end)
            end = space if space > start else end
        out.append(text[start:end])
        start = end
    return out


@dataclass
class InjectionTerm:
    w: FloatArray  # [features]
    b: float
    share: float  # of the term's logit, added to the fast model's logit
    min_chars: int  # texts shorter than this are judged without the term
    meta: dict[str, Any]
    # features are read as (x - center) / scale when these are set (the style term's)
    center: FloatArray | None = None
    scale: FloatArray | None = None
    max_chars: int | None = None  # texts this long or longer are judged without the term (short terms)

    def logit(self, features: FloatArray) -> float:
        if self.center is not None and self.scale is not None:
            features = (features - self.center) / self.scale
        return float(features @ self.w + self.b)

    def reads(self, text: str) -> bool:
        return len(text) >= self.min_chars and (self.max_chars is None or len(text) < self.max_chars)

    def save(self, path: Path) -> None:
        meta = {**self.meta, "share": self.share, "min_chars": self.min_chars, "b": self.b}
        if self.max_chars is not None:
            meta["max_chars"] = self.max_chars
        arrays: dict[str, Any] = {"w": self.w.astype(np.float32)}
        if self.center is not None and self.scale is not None:
            arrays.update(center=self.center.astype(np.float32), scale=self.scale.astype(np.float32))
        buf = BytesIO()
        np.savez_compressed(
            buf, meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8), **arrays
        )
        path.write_bytes(buf.getvalue())

    @classmethod
    def load(cls, path: Path | None = None, packaged: str = FILE_NAME) -> InjectionTerm:
        command = "aigis guard train" + ("" if packaged == STYLE_FILE else " --semantic")
        raw = model_bytes("injection term", path, packaged, f"; train it with '{command}'")
        try:
            with np.load(BytesIO(raw)) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                scaled = "center" in z.files
                return cls(
                    z["w"].astype(np.float32),
                    float(meta["b"]),
                    float(meta["share"]),
                    int(meta["min_chars"]),
                    meta,
                    z["center"].astype(np.float32) if scaled else None,
                    z["scale"].astype(np.float32) if scaled else None,
                    int(meta["max_chars"]) if "max_chars" in meta else None,
                )
        except (OSError, ValueError, KeyError) as exc:
            missing = f": {exc}" if isinstance(exc, KeyError) else ""
            raise ConfigError(
                f"injection term {str(path)!r} is not a term file (an .npz with w and meta, written by "
                f"'aigis guard train'){missing}"
            ) from None


# pieces of a long text the embedding term encodes: the one the style term finds most jailbreak-like. The
# best of three found at most 0.7 points more padded attacks and refused more articles, at 411 ms against
# 245 ms p50 per long check on the semantic tier (docs/benchmarks.md, round 31)
MAX_EMBEDDED_PIECES = 1


def ranked_pieces(style: InjectionTerm | None, text: str) -> tuple[float, list[str]]:
    """The style logit of ``text``'s most jailbreak-like piece (``chunks``; 0 without a style term), and
    its pieces from most to least jailbreak-like (in order without a style term)."""
    pieces = chunks(text)
    if style is None:
        return 0.0, pieces
    logits = [style.logit(style_features(piece)) for piece in pieces]
    order = sorted(range(len(pieces)), key=lambda i: -logits[i])
    return max(logits), [pieces[i] for i in order]


def embedded_pieces(style: InjectionTerm | None, text: str) -> list[str]:
    """The pieces of a long ``text`` the embedding term encodes (``MAX_EMBEDDED_PIECES``), as
    ``InjectionDetector.moved`` picks them from the ranking it shares with the style term."""
    return ranked_pieces(style, text)[1][:MAX_EMBEDDED_PIECES]


def fit_logistic(
    x: FloatArray,
    y: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    l2: float,
    offset: npt.NDArray[np.float64] | None = None,
) -> tuple[FloatArray, float]:
    """Weighted logistic regression with an L2 penalty on the weights (L-BFGS, from zeros: deterministic).
    With ``offset``, each row's logit is its offset plus the model's: the model learns what the offset
    (another model's logit) gets wrong."""
    from scipy.optimize import minimize

    xd = x.astype(np.float64)
    total = float(w.sum())
    base = np.zeros(len(y)) if offset is None else offset

    def loss(p: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        z = xd @ p[:-1] + p[-1] + base
        grad_z = (0.5 * (1 + np.tanh(z / 2)) - y) * w / total
        value = float(w @ (np.logaddexp(0, z) - y * z)) / total + l2 * float(p[:-1] @ p[:-1])
        return value, np.append(xd.T @ grad_z + 2 * l2 * p[:-1], grad_z.sum())

    found = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 3000})
    return found.x[:-1].astype(np.float32), float(found.x[-1])


def cross_validated_loss(
    x: FloatArray,
    y: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    l2: float,
    folds: int = FOLDS,
    offset: npt.NDArray[np.float64] | None = None,
) -> float:
    """Weighted log loss of out-of-fold predictions (rows dealt to folds in turn), each row's logit on top
    of its ``offset`` when given (``fit_logistic``)."""
    fold_of = np.arange(len(y)) % folds
    base = np.zeros(len(y)) if offset is None else offset
    total = 0.0
    for k in range(folds):
        held = fold_of == k
        weights, bias = fit_logistic(x[~held], y[~held], w[~held], l2, base[~held])
        z = x[held].astype(np.float64) @ weights + bias + base[held]
        total += float(w[held] @ (np.logaddexp(0, z) - y[held] * z))
    return total / float(w.sum())


def out_of_fold_logits(
    x: FloatArray,
    y: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    l2: float,
    fit: npt.NDArray[np.bool_],
    scored: npt.NDArray[np.bool_],
    read_as: Callable[[FloatArray, float, npt.NDArray[np.bool_]], npt.NDArray[np.float64]],
    folds: int = FOLDS,
) -> npt.NDArray[np.float64]:
    """Each ``scored`` row's logit from the model fit on the ``fit`` rows outside its fold (the fit rows
    dealt to folds in turn, as in ``cross_validated_loss``), read by ``read_as(weights, bias, rows)``;
    0 for the other rows. ``scored`` rows are ``fit`` rows."""
    fold_of = np.full(len(y), -1)
    fold_of[fit] = np.arange(int(fit.sum())) % folds
    out = np.zeros(len(y))
    for k in range(folds):
        held = fold_of == k
        if (held & scored).any():
            train = fit & ~held
            weights, bias = fit_logistic(x[train], y[train], w[train], l2)
            out[held & scored] = read_as(weights, bias, held & scored)
    return out


def choose_share(
    term_z: npt.NDArray[np.float64],
    fast_z: npt.NDArray[np.float64],
    positive: npt.NDArray[np.bool_],
    prose: npt.NDArray[np.bool_],
    read: npt.NDArray[np.bool_],
) -> tuple[float, dict[str, float]]:
    """The share whose sum flags the fewest ``prose`` rows among those that keep every ``positive`` the
    fast model flags at least as often (the smaller share on a tie). Returns it with its figures."""
    fast_recall = float((fast_z[positive] >= 0).mean()) if positive.any() else 0.0
    best: tuple[int, float, dict[str, float]] | None = None
    for share in SHARES:
        z = fast_z + np.where(read, share * term_z, 0.0)
        recall = float((z[positive] >= 0).mean()) if positive.any() else 0.0
        if recall < fast_recall:
            continue
        flagged = int((z[prose] >= 0).sum())
        if best is None or flagged < best[0]:
            best = (flagged, share, {"validation_recall": recall, "prose_flagged": flagged})
    if best is None:  # no share keeps the recall: the smallest moves the fast model least
        return SHARES[0], {"validation_recall": fast_recall, "prose_flagged": -1}
    return best[1], {**best[2], "fast_validation_recall": fast_recall, "prose_judged": int(prose.sum())}


def joined(texts: list[str], min_chars: int) -> list[str]:
    """``texts`` in order, joined by a space into texts of at least ``min_chars`` (a short rest dropped)."""
    out: list[str] = []
    current = ""
    for text in texts:
        current = f"{current} {text}" if current else text
        if len(current) >= min_chars:
            out.append(current)
            current = ""
    return out


def prose_rows(data_dir: Path) -> list[Sample]:
    """Long English prose that trains the terms and no fast model: AGIEval's gaokao English passages, its
    LSAT logical-reasoning arguments and analytical-reasoning setups (a paragraph each, joined in their
    order into texts of ``JOINED_CHARS`` or more, as a user pastes several), and the "train" lines of
    ``lexicon/articles_en.txt``."""
    from aigis.guard.training import Sample, _own, agieval_passages

    passages = agieval_passages(data_dir, ("gaokao-english",))
    passages += joined(agieval_passages(data_dir, ARGUMENT_TASKS), JOINED_CHARS)
    rows = [Sample(t, "benign", "en", PROSE_SOURCES[0]) for t in passages]
    return rows + [Sample(t, "benign", "en", PROSE_SOURCES[1]) for t in _own("articles_en.txt", "train")]


def term_rows(
    data_dir: Path, seed: int, hold_out: tuple[str, ...], splits: dict[str, list[Sample]] | None = None
) -> list[Sample]:
    """The rows both terms fit on, as the Guard reads them: the fast injection model's English training
    rows (the crisis-only rows aside, as there) and long prose (``prose_rows``). ``splits`` is what
    ``load_splits`` gives for ``data_dir``, ``seed`` and ``hold_out`` when the caller has read it already."""
    from aigis.guard.training import as_guard_reads, is_crisis_only, load_splits

    splits = splits or load_splits(data_dir, seed=seed, hold_out=hold_out)
    english = [s for s in splits["train"] if s.lang == "en" and not is_crisis_only(s)]
    return as_guard_reads(english + prose_rows(data_dir))


def fit_term(
    x: FloatArray,
    rows: list[Sample],
    fast_z: npt.NDArray[np.float64],
    *,
    long_only: bool = False,
    standardize: bool = False,
    logits_of: Callable[[InjectionTerm, list[Sample]], npt.NDArray[np.float64]] | None = None,
) -> InjectionTerm:
    """A term over the features ``x`` of ``rows`` (one per row), added to the logits ``fast_z`` it moves:
    jailbreak prompts against every other row, weighted as in the fast injection model (hh_rlhf at 0, the
    jailbreak prompts at ``INJECTION_POS_WEIGHT`` times balanced: a term must not cost recall that the
    validation rows are too few to show), prose at ``PROSE_WEIGHT``, harmless role play at
    ``ROLEPLAY_WEIGHT``; fit on the training rows (only those of ``LONG_TEXT`` characters with
    ``long_only``), the L2 penalty by cross-validated loss. The share (``choose_share``) keeps the recall
    on the validation positives, whose fast logits are out of sample, and is judged on every long prose
    row, a training row by the model fit without its fold: 35 validation passages could not tell shares
    apart. Rows are read by ``logits_of`` when given (as the detector reads them), else by ``x``."""
    from aigis.guard.training import HARMFUL_ONLY_SOURCES, INJECTION_POS_WEIGHT, is_validation

    y = np.array([s.label == "injection" for s in rows], dtype=np.float64)
    prose = np.array([s.source in PROSE_SOURCES for s in rows])
    read = np.array([len(s.text) >= LONG_TEXT for s in rows])
    weight = np.ones(len(rows))
    weight[[s.source.startswith(HARMFUL_ONLY_SOURCES) for s in rows]] = 0.0
    weight[prose] *= PROSE_WEIGHT
    weight[[s.source.startswith("benign_roleplay") for s in rows]] *= ROLEPLAY_WEIGHT
    val = np.array([is_validation(s.text) for s in rows])
    fit = ~val & (weight > 0)
    if long_only:
        fit &= read
    balance = weight[fit & (y == 0)].sum() / max(weight[fit & (y == 1)].sum(), 1.0)
    weight[y == 1] *= INJECTION_POS_WEIGHT * balance
    center = scale = None
    if standardize:
        center, scale = x[fit].mean(0), x[fit].std(0) + np.float32(1e-6)
        x = (x - center) / scale
    losses = {l2: cross_validated_loss(x[fit], y[fit], weight[fit], l2) for l2 in L2_PENALTIES}
    l2 = min(L2_PENALTIES, key=lambda v: (losses[v], -v))
    w, b = fit_logistic(x[fit], y[fit], weight[fit], l2)

    def read_as(weights: FloatArray, bias: float, chosen: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        if logits_of is None:
            return x[chosen].astype(np.float64) @ weights + bias
        term = InjectionTerm(weights, bias, 1.0, LONG_TEXT, {}, center, scale)
        return logits_of(term, [r for r, c in zip(rows, chosen, strict=True) if c])

    term_z = out_of_fold_logits(x, y, weight, l2, fit, fit & prose & read, read_as)
    term_z[val] = read_as(w, b, val)
    judged = val | (fit & prose & read)
    positive = (y == 1) & val
    share, figures = choose_share(
        term_z[judged], fast_z[judged], positive[judged], prose[judged], read[judged]
    )
    term = InjectionTerm(w, b, share, LONG_TEXT, {}, center, scale)
    meta = {
        "l2": l2,
        "cross_validated_loss": {str(k): round(v, 5) for k, v in losses.items()},
        "samples": int(fit.sum()),
        "positives": int(y[fit].sum()),
        "prose": int((prose & fit).sum()),
        **figures,
    }
    term.meta = meta
    return term


def write_term(
    term: InjectionTerm, path: Path, seed: int, hold_out: tuple[str, ...], log: bool
) -> dict[str, object]:
    term.meta.update(
        seed=seed, hold_out=list(hold_out), stacked_on=fingerprints(path.parent, STACKED_ON[path.name])
    )
    term.save(path)
    summary = {**term.meta, "share": term.share, "min_chars": term.min_chars}
    if log:
        print(f"{path.stem}: {summary}")
    return summary


def needs_injection_model(out: Path) -> None:
    if not (out / "injection.npz").is_file():
        raise ConfigError(
            f"{out} lacks the fast injection model (injection.npz) the term is added to; train it there "
            "first (aigis guard train -o DIR)"
        )


def train_style_term(
    output_dir: Path | None = None,
    *,
    data_dir: Path | None = None,
    seed: int = 13,
    hold_out: tuple[str, ...] = (),
    log: bool = False,
    splits: dict[str, list[Sample]] | None = None,
) -> dict[str, object]:
    """Fit the style term on ``term_rows`` against ``output_dir``'s fast injection model (default the
    package's) and write ``injection_style.npz`` there."""
    from aigis.guard.detectors.injection import InjectionDetector
    from aigis.guard.semantic import fast_logit
    from aigis.guard.training import MODELS_DIR, default_data_dir

    out = output_dir or MODELS_DIR
    needs_injection_model(out)
    rows = term_rows(data_dir or default_data_dir(), seed, hold_out, splits)
    fast = InjectionDetector(model_dir=out, style=False)  # the n-gram model alone: the term is refit
    fast_z = np.array([fast_logit(fast.score(s.text)[0]) for s in rows])
    x = np.stack([style_features(s.text) for s in rows])
    term = fit_term(
        x,
        rows,
        fast_z,
        long_only=True,
        standardize=True,
        logits_of=lambda t, val: np.array([ranked_pieces(t, r.text)[0] for r in val]),
    )
    term.meta["features"] = list(STYLE_NAMES)
    return write_term(term, out / STYLE_FILE, seed, hold_out, log)


def train_injection_term(
    output_dir: Path | None = None,
    *,
    data_dir: Path | None = None,
    seed: int = 13,
    encoder_dir: Path | None = None,
    cache: Path | None = None,
    hold_out: tuple[str, ...] = (),
    log: bool = False,
    splits: dict[str, list[Sample]] | None = None,
) -> dict[str, object]:
    """Fit the embedding term on ``term_rows`` against ``output_dir``'s fast injection model with its style
    term (default the package's), and write ``injection_term.npz`` there."""
    from aigis.guard.detectors.injection import InjectionDetector
    from aigis.guard.embedding import shared_encoder
    from aigis.guard.semantic import embed_cached, encoder_text, fast_logit, one_blas_thread
    from aigis.guard.training import MODELS_DIR, default_data_dir

    out = output_dir or MODELS_DIR
    needs_injection_model(out)
    rows = term_rows(data_dir or default_data_dir(), seed, hold_out, splits)
    fast = InjectionDetector(model_dir=out)  # the fast tier as it reads: with its style term
    with one_blas_thread():
        encoder = shared_encoder(str(encoder_dir) if encoder_dir is not None else None)
        x = embed_cached(encoder, [encoder_text(s.text, "en") for s in rows], cache)
    fast_z = np.array([fast_logit(fast.score(s.text)[0]) for s in rows])

    def piece_logits(term: InjectionTerm, val: list[Sample]) -> npt.NDArray[np.float64]:
        """The validation rows read as the detector reads them: the best of their most jailbreak-like
        pieces (only long rows are read)."""
        chosen = [embedded_pieces(fast.style, r.text) if len(r.text) >= LONG_TEXT else [] for r in val]
        with one_blas_thread():
            flat = [encoder_text(piece, "en") for pieces in chosen for piece in pieces]
            vectors = iter(embed_cached(encoder, flat, cache))
        return np.array([max((term.logit(next(vectors)) for _ in pieces), default=0.0) for pieces in chosen])

    return write_term(fit_term(x, rows, fast_z, logits_of=piece_logits), out / FILE_NAME, seed, hold_out, log)
