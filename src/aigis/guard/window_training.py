"""The harmful detector's window model (``harmful_windows.npz``): how long requests are read.

A request longer than 768 characters is read in overlapping windows, and the worst window counts. Read
by the harmful model, which learned from whole requests, most of them short, a window of an essay about a
fraud trial reads like a request about fraud (61 of 84 LSAT and SAT passages refused), and a short request
pasted into an article is diluted by the prose around it. The window model has the harmful model's
features and rows, and these besides:

* windows cut from long prose that no held-out set holds (AGIEval's gaokao English passages and LSAT
  logical-reasoning arguments, the "train" lines of ``lexicon/articles_{en,zh}.txt``, DRCD's "dev"
  paragraphs, whose questions train), benign;
* training requests pasted into such prose, as the window that holds the request at a random place,
  labelled as the request is (a harmful request stays harmful, "recommend a book" stays benign).

Its windows are ``WINDOW_CHARS`` long in English, half the harmful model's, and ``ZH_WINDOW_CHARS`` in
Chinese, so that a pasted request fills more of one. A text of many windows is flagged when any one is,
so its offsets are set on long validation texts (``LONG_TEXT_FPR``), not on windows one by one. It reads
long requests only: short requests and every response are read by the harmful model as before, and the
crisis model keeps the harmful model's windows.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from aigis.guard.calibration import threshold_at_rate
from aigis.guard.injection_term import ARGUMENT_TASKS
from aigis.guard.models import Features, LinearModel, featurize, models_window_scores, windows

if TYPE_CHECKING:
    from aigis.guard.training import FitRows, Sample

MODEL_NAME = "harmful_windows"
WINDOW_CHARS = 96  # the window model's window (characters); windows overlap by half
# its window in Chinese text: a Chinese request of 15-30 characters is a fifth of 96 characters of prose
# (validation: pasted requests found 0.05 in 96-character windows, 0.16 in 32, at 2 % of texts flagged)
ZH_WINDOW_CHARS = 32
PROSE_SOURCE = "prose_window"
# AGIEval's English passages that train: gaokao English reading, LSAT logical-reasoning arguments and
# analytical-reasoning setups (its LSAT reading-comprehension and SAT passages are held out)
ENGLISH_PASSAGES = ("gaokao-english", *ARGUMENT_TASKS)
PASTED_SUFFIX = "+pasted"  # source suffix of a training request pasted into prose
MAX_PASTED_CHARS = 160  # longer requests fill a window on their own (one longer than a window: its end)
WINDOWS_PER_LANGUAGE = 10000  # prose windows sampled per language
PASTED_PER_LABEL = 4000  # requests pasted per language and label (harmful, benign)
VALIDATION_TEXT_CHARS = 1500  # validation passages are joined into texts at least this long
VALIDATION_TEXTS = 400  # long validation texts per language
LONG_TEXT_FPR = 0.02  # long validation texts flagged at most


def prose_passages(data: Path) -> dict[str, list[str]]:
    """Long prose by language that trains no other fast model and that no held-out set holds."""
    from aigis.guard.training import _own, _simplify, agieval_passages

    en = agieval_passages(data, ENGLISH_PASSAGES) + _own("articles_en.txt", "train")
    return {
        "en": en,
        "zh": _own("articles_zh.txt", "train") + _simplify(drcd_paragraphs(data, ("DRCD_dev.json",))),
    }


def drcd_paragraphs(data: Path, files: tuple[str, ...]) -> list[str]:
    """The paragraphs of DRCD's ``files`` (traditional characters, as published), in order; none where a
    file is missing."""
    paragraphs: list[str] = []
    for name in files:
        path = data / "drcd" / name
        if path.exists():
            for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
                paragraphs += [str(par["context"]) for par in article["paragraphs"]]
    return paragraphs


def _window_holding(text: str, span: tuple[int, int], rng: random.Random, size: int) -> str:
    """A ``size``-character window of ``text`` that holds ``span`` at a random place (its end, when it is
    longer than the window)."""
    lo, hi = span
    first = max(0, hi - size)
    start = rng.randint(first, max(first, lo))
    return text[start : start + size]


def _pastable(s: Sample) -> bool:
    from aigis.guard.training import is_crisis_only, is_injection_only

    return (
        s.label in ("harmful", "benign", "hard_benign")
        and len(s.text.strip()) <= MAX_PASTED_CHARS
        and "+" not in s.source
        and not is_crisis_only(s)
        and not is_injection_only(s)
    )


def window_rows(
    data: Path,
    rows: list[Sample],
    seed: int,
    size: int = WINDOW_CHARS,
    zh_size: int = ZH_WINDOW_CHARS,
    passages: dict[str, list[str]] | None = None,
) -> tuple[list[Sample], list[Sample]]:
    """(training, validation) prose windows and pasted requests (see the module docstring), as the Guard
    reads them. ``rows``: the training sources' rows, validation ones included. A window validates when its
    passage does, a pasted request when the request does (``is_validation``), and it goes into prose of its
    own side, so a validation window holds neither a training request nor training prose. ``passages``:
    ``prose_passages(data)`` where the caller has read them."""
    from aigis.guard.document_training import paste
    from aigis.guard.normalize import fold
    from aigis.guard.training import Sample, is_validation

    rng = random.Random(seed + 7)
    sides: dict[bool, list[Sample]] = {True: [], False: []}
    for lang, texts in (passages or prose_passages(data)).items():
        width = zh_size if lang == "zh" else size
        prose: dict[bool, list[str]] = {True: [], False: []}
        for p in texts:
            prose[is_validation(p)].append(fold(p)[0])  # cut as the Guard reads it: "…" is "..." there
        cut = [
            (w, held)
            for held, group in prose.items()
            for p in group
            for _, w in windows(p, width)
            if len(w) >= width // 2
        ]
        for w, held in rng.sample(cut, min(WINDOWS_PER_LANGUAGE, len(cut))):
            sides[held].append(Sample(w, "benign", lang, PROSE_SOURCE))
        for harmful in (True, False):
            requests = [
                s for s in rows if s.lang == lang and _pastable(s) and (s.label == "harmful") == harmful
            ]
            for s in rng.sample(requests, min(PASTED_PER_LABEL, len(requests))):
                held = is_validation(s.text)
                group = prose[held] or prose[not held]
                request = fold(s.text.strip())[0]
                doc = paste(rng.choice(group), request, rng, lang, between_sentences=rng.random() < 0.5)
                assert doc.request is not None
                window = _window_holding(doc.text, doc.request, rng, width)
                sides[held].append(Sample(window, s.label, lang, s.source + PASTED_SUFFIX, s.category))
    train, val = sides[False], sides[True]
    rng.shuffle(train)  # minibatches are contiguous rows
    return train, val


def validation_texts(
    data: Path, rows: list[Sample], seed: int, passages: dict[str, list[str]] | None = None
) -> dict[str, tuple[list[str], list[str]]]:
    """Per language, (clean, pasted) long validation texts as the Guard reads them: ``VALIDATION_TEXTS``
    texts of validation passages (``is_validation``) drawn at random and joined until each is at least
    ``VALIDATION_TEXT_CHARS`` long (there are a few dozen passages' worth: drawn, a passage with a window the
    model takes for harm counts in about as many texts as it would among texts users paste), and each
    harmful validation request of ``window_rows``'s kind pasted into one of them (``passages`` as there)."""
    from aigis.guard.document_training import paste
    from aigis.guard.normalize import fold
    from aigis.guard.training import is_validation

    rng = random.Random(seed + 8)
    out: dict[str, tuple[list[str], list[str]]] = {}
    for lang, texts in (passages or prose_passages(data)).items():
        held = [p for p in texts if is_validation(p)]
        clean: list[str] = []
        for _ in range(VALIDATION_TEXTS if held else 0):
            parts = [rng.choice(held)]
            while sum(map(len, parts)) < VALIDATION_TEXT_CHARS:
                parts.append(rng.choice(held))
            clean.append(fold("\n\n".join(parts))[0])
        requests = [s for s in rows if s.lang == lang and s.label == "harmful" and _pastable(s)]
        pasted = [
            fold(
                paste(rng.choice(clean), s.text.strip(), rng, lang, between_sentences=rng.random() < 0.5).text
            )[0]
            for s in requests
            if is_validation(s.text) and clean
        ]
        out[lang] = (clean, pasted)
    return out


def worst_logits(model: LinearModel, texts: list[str], size: int) -> list[float]:
    """The logit of each text's worst ``size``-character window, as the harmful detector reads it."""
    from aigis.guard.lexicon import default_lexicon, injection_lexicon, lower_same_length
    from aigis.guard.semantic import fast_logit

    lexicon, cues = default_lexicon(), injection_lexicon()
    out = []
    for text in texts:
        low = lower_same_length(text)
        hits = (lexicon.find(text, lowered=low), cues.find(text, lowered=low))
        out.append(
            fast_logit(float(models_window_scores((model,), text, size, hits, lowered=low)[1][0].max()))
        )
    return out


def fit_harmful_windows(
    data: Path,
    rows: FitRows,
    feats: list[Features],
    val_feats: list[Features],
    *,
    train_rows: list[Sample],
    seed: int = 13,
    epochs: int = 8,
    acts: bool = True,
    size: int = WINDOW_CHARS,
    zh_size: int = ZH_WINDOW_CHARS,
) -> LinearModel:
    """The window model: the harmful model's rows (``rows`` and their features) and ``window_rows``. Its
    per-language offset is the stricter of two: the harmful model's rule on both sides' validation rows
    (each window a row), and at most ``LONG_TEXT_FPR`` of long validation texts flagged, which a text
    of many windows needs (``validation_texts``)."""
    from aigis.guard.training import (
        LOWER_VALIDATION_FPR,
        _binary_meta,
        _choose_offsets,
        _design,
        _fit_binary,
        source_weights,
    )

    passages = prose_passages(data)
    extra, extra_val = window_rows(data, train_rows, seed, size, zh_size, passages)
    samples = rows.samples + extra
    x = _design(feats + [featurize(s.text, acts=acts) for s in extra])
    y = np.array([1.0 if s.label == "harmful" else 0.0 for s in samples])
    sw = source_weights(samples)
    sw[y == 1] *= max(float((y == 0).sum()), 1.0) / max(float(y.sum()), 1.0)
    w, b = _fit_binary(x, y, sw, l2=1e-7, epochs=epochs, seed=seed)
    model = LinearModel(w.astype(np.float16).astype(np.float32), b, {"window": size, "window_zh": zh_size})
    val = rows.val + extra_val
    vf = val_feats + [featurize(s.text, acts=acts) for s in extra_val]
    offsets, recall = _choose_offsets(model, val, vf, "harmful", LOWER_VALIDATION_FPR["harmful"])
    texts_flagged: dict[str, float] = {}
    pasted_found: dict[str, float] = {}
    for lang, (clean, pasted) in validation_texts(data, train_rows, seed, passages).items():
        if not clean:
            continue
        width = zh_size if lang == "zh" else size
        clean_z = worst_logits(model, clean, width)
        offsets[lang] = (
            round(min(offsets.get(lang, 0.0), -threshold_at_rate(clean_z, LONG_TEXT_FPR)), 4) + 0.0
        )
        at = -offsets[lang]
        texts_flagged[lang] = round(sum(z >= at for z in clean_z) / len(clean), 4)
        found = worst_logits(model, pasted, width)
        pasted_found[lang] = round(sum(z >= at for z in found) / max(len(found), 1), 4)
    meta = _binary_meta(
        MODEL_NAME,
        y,
        words=True,
        acts=acts,
        bias_offsets=offsets,
        window=size,
        window_zh=zh_size,
        validation_rows_recall=recall,
        long_text_fpr=LONG_TEXT_FPR,
        validation_texts_flagged=texts_flagged,
        validation_pasted_found=pasted_found,
        windows=len(extra) + len(extra_val),
    )
    return LinearModel(w.astype(np.float32), b, meta)


def train_harmful_windows(
    out: Path, data: Path, rows: FitRows, feats: list[Features], val_feats: list[Features], **kw: Any
) -> dict[str, object]:
    """Fit and write ``harmful_windows.npz`` to ``out``; returns its metadata."""
    model = fit_harmful_windows(data, rows, feats, val_feats, **kw)
    model.save(out / f"{MODEL_NAME}.npz")
    return model.meta
