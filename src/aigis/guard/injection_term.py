"""The semantic tier of the injection check: a sentence-embedding term for long English text.

The fast injection model reads character n-grams, and long English prose (a news story, an exam
passage, an essay pasted for a summary) shares enough of them with a persona prompt that it refuses
most of it (docs/benchmarks.md, round 30). The sentence model tells the two apart: a logistic regression
on the MiniLM embedding of the text, whose logit is added to the fast model's at a share, gives
the decision for English texts of at least ``LONG_TEXT`` characters. The fast threshold is kept: the
term moves a text's logit, not the line it is judged by.

Training (``aigis guard train --semantic``, or ``train_injection_term``) fits the term on the English
rows of the fast injection model plus long prose that no fast model reads (AGIEval's gaokao English
reading passages and the "train" lines of ``lexicon/articles_en.txt``), chooses its L2 penalty by
cross-validated loss and its share on the validation rows, and writes ``injection_term.npz``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from aigis.errors import ConfigError
from aigis.guard.models import model_bytes

if TYPE_CHECKING:
    from aigis.guard.training import Sample

FloatArray = npt.NDArray[np.float32]
FILE_NAME = "injection_term.npz"
# the shortest text the term reads: about the 256 tokens the encoder reads. Jailbreak prompts this long
# keep their persona setup in that reach, and every prose passage that trains the term is longer
LONG_TEXT = 1000
SHARES = (0.5, 1.0, 2.0, 3.0)  # candidate shares of the term's logit; validation picks one
L2_PENALTIES = (1e-4, 1e-5, 1e-6)  # candidates, chosen by cross-validated loss
FOLDS = 5
# weights like the fast models': prose as our own benign sets (4), harmless role play as hard-benign look-
# alikes (8), since the sentence model places a persona prompt near a jailbreak
PROSE_WEIGHT = 4.0
ROLEPLAY_WEIGHT = 8.0
PROSE_SOURCES = ("agieval_gaokao_en_passages", "articles_en")


@dataclass
class InjectionTerm:
    w: FloatArray  # [embedding width]
    b: float
    share: float  # of the term's logit, added to the fast model's logit
    min_chars: int  # texts shorter than this are judged by the fast model alone
    meta: dict[str, Any]

    def logit(self, embedding: FloatArray) -> float:
        return float(embedding @ self.w + self.b)

    def reads(self, text: str) -> bool:
        return len(text) >= self.min_chars

    def save(self, path: Path) -> None:
        meta = {**self.meta, "share": self.share, "min_chars": self.min_chars, "b": self.b}
        buf = BytesIO()
        np.savez_compressed(
            buf,
            w=self.w.astype(np.float32),
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        )
        path.write_bytes(buf.getvalue())

    @classmethod
    def load(cls, path: Path | None = None) -> InjectionTerm:
        raw = model_bytes("injection term", path, FILE_NAME, "; train it with 'aigis guard train --semantic'")
        try:
            with np.load(BytesIO(raw)) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                return cls(
                    z["w"].astype(np.float32),
                    float(meta["b"]),
                    float(meta["share"]),
                    int(meta["min_chars"]),
                    meta,
                )
        except (OSError, ValueError, KeyError) as exc:
            missing = f": {exc}" if isinstance(exc, KeyError) else ""
            raise ConfigError(
                f"injection term {str(path)!r} is not a term file (an .npz with w and meta, written by "
                f"'aigis guard train --semantic'){missing}"
            ) from None


def fit_logistic(
    x: FloatArray, y: npt.NDArray[np.float64], w: npt.NDArray[np.float64], l2: float
) -> tuple[FloatArray, float]:
    """Weighted logistic regression with an L2 penalty on the weights (L-BFGS, from zeros: deterministic)."""
    from scipy.optimize import minimize

    xd = x.astype(np.float64)
    total = float(w.sum())

    def loss(p: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        z = xd @ p[:-1] + p[-1]
        grad_z = (0.5 * (1 + np.tanh(z / 2)) - y) * w / total
        value = float(w @ (np.logaddexp(0, z) - y * z)) / total + l2 * float(p[:-1] @ p[:-1])
        return value, np.append(xd.T @ grad_z + 2 * l2 * p[:-1], grad_z.sum())

    found = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 3000})
    return found.x[:-1].astype(np.float32), float(found.x[-1])


def cross_validated_loss(
    x: FloatArray, y: npt.NDArray[np.float64], w: npt.NDArray[np.float64], l2: float, folds: int = FOLDS
) -> float:
    """Weighted log loss of out-of-fold predictions (rows dealt to folds in turn)."""
    fold_of = np.arange(len(y)) % folds
    total = 0.0
    for k in range(folds):
        held = fold_of == k
        weights, bias = fit_logistic(x[~held], y[~held], w[~held], l2)
        z = x[held].astype(np.float64) @ weights + bias
        total += float(w[held] @ (np.logaddexp(0, z) - y[held] * z))
    return total / float(w.sum())


def choose_share(
    term_z: npt.NDArray[np.float64],
    fast_z: npt.NDArray[np.float64],
    positive: npt.NDArray[np.bool_],
    prose: npt.NDArray[np.bool_],
    read: npt.NDArray[np.bool_],
) -> tuple[float, dict[str, float]]:
    """The share whose sum flags the fewest prose rows among those that keep every validation positive
    the fast model flags at least as often (the smaller share on a tie). Returns it with its figures."""
    fast_recall = float((fast_z[positive] >= 0).mean()) if positive.any() else 0.0
    best: tuple[int, float, dict[str, float]] | None = None
    for share in SHARES:
        z = fast_z + np.where(read, share * term_z, 0.0)
        recall = float((z[positive] >= 0).mean()) if positive.any() else 0.0
        if recall < fast_recall:
            continue
        flagged = int((z[prose] >= 0).sum())
        if best is None or flagged < best[0]:
            best = (flagged, share, {"validation_recall": recall, "validation_prose_flagged": flagged})
    if best is None:  # no share keeps the recall: the smallest moves the fast model least
        return SHARES[0], {"validation_recall": fast_recall, "validation_prose_flagged": -1}
    return best[1], {**best[2], "fast_validation_recall": fast_recall, "validation_prose": int(prose.sum())}


def prose_rows(data_dir: Path) -> list[Sample]:
    """Long English prose that trains the term and no fast model: AGIEval's gaokao English passages and
    the "train" lines of ``lexicon/articles_en.txt``."""
    from aigis.guard.training import Sample, _own, agieval_passages

    passages = agieval_passages(data_dir, ("gaokao-english",))
    rows = [Sample(t, "benign", "en", PROSE_SOURCES[0]) for t in passages]
    return rows + [Sample(t, "benign", "en", PROSE_SOURCES[1]) for t in _own("articles_en.txt", "train")]


def train_injection_term(
    output_dir: Path | None = None,
    *,
    data_dir: Path | None = None,
    seed: int = 13,
    encoder_dir: Path | None = None,
    cache: Path | None = None,
    hold_out: tuple[str, ...] = (),
    log: bool = False,
) -> dict[str, object]:
    """Fit the term on the English rows of the fast injection model (``output_dir``'s ``injection.npz``,
    default the package's) and long prose, and write ``injection_term.npz`` there."""
    from aigis.guard.detectors.injection import InjectionDetector
    from aigis.guard.embedding import shared_encoder
    from aigis.guard.semantic import embed_cached, encoder_text, fast_logit, one_blas_thread
    from aigis.guard.training import (
        HARMFUL_ONLY_SOURCES,
        MODELS_DIR,
        as_guard_reads,
        default_data_dir,
        is_crisis_only,
        is_validation,
        load_splits,
    )

    out = output_dir or MODELS_DIR
    if not (out / "injection.npz").is_file():
        raise ConfigError(
            f"{out} lacks the fast injection model (injection.npz) the term is added to; train it there "
            "first (aigis guard train -o DIR)"
        )
    data = data_dir or default_data_dir()
    splits = load_splits(data, seed=seed, hold_out=hold_out)
    rows = as_guard_reads(
        [s for s in splits["train"] if s.lang == "en" and not is_crisis_only(s)] + prose_rows(data)
    )
    fast = InjectionDetector(model_dir=out)
    with one_blas_thread():
        encoder = shared_encoder(str(encoder_dir) if encoder_dir is not None else None)
        x = embed_cached(encoder, [encoder_text(s.text, "en") for s in rows], cache)
    fast_z = np.array([fast_logit(fast.score(s.text)[0]) for s in rows])
    y = np.array([s.label == "injection" for s in rows], dtype=np.float64)
    prose = np.array([s.source in PROSE_SOURCES for s in rows])
    weight = np.ones(len(rows))
    weight[[s.source.startswith(HARMFUL_ONLY_SOURCES) for s in rows]] = 0.0  # as the fast injection model
    weight[prose] *= PROSE_WEIGHT
    weight[[s.source.startswith("benign_roleplay") for s in rows]] *= ROLEPLAY_WEIGHT
    val = np.array([is_validation(s.text) for s in rows])
    fit = ~val & (weight > 0)
    weight[y == 1] *= weight[fit & (y == 0)].sum() / max(weight[fit & (y == 1)].sum(), 1.0)
    losses = {l2: cross_validated_loss(x[fit], y[fit], weight[fit], l2) for l2 in L2_PENALTIES}
    l2 = min(L2_PENALTIES, key=lambda v: (losses[v], -v))
    w, b = fit_logistic(x[fit], y[fit], weight[fit], l2)
    term_z = x.astype(np.float64) @ w + b
    read = np.array([len(s.text) >= LONG_TEXT for s in rows])
    share, figures = choose_share(term_z[val], fast_z[val], (y == 1)[val], prose[val], read[val])
    term = InjectionTerm(
        w,
        b,
        share,
        LONG_TEXT,
        {
            "l2": l2,
            "cross_validated_loss": {str(k): round(v, 5) for k, v in losses.items()},
            "samples": int(fit.sum()),
            "positives": int(y[fit].sum()),
            "prose": int((prose & fit).sum()),
            "seed": seed,
            "hold_out": list(hold_out),
            **figures,
        },
    )
    term.save(out / FILE_NAME)
    summary = {**term.meta, "share": share, "min_chars": LONG_TEXT}
    if log:
        print(f"injection term: {summary}")
    return summary


def combined_probability(fast_p: float, term_logit: float, share: float) -> float:
    """The fast probability moved by the term's logit at its share."""
    from aigis.guard.semantic import fast_logit

    z = fast_logit(fast_p) + share * term_logit
    return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))
