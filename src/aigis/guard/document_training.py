"""Training of the document-request model (``aigis.guard.document_requests``).

Positives are requests to an assistant taken from the training rows (everyday, harmful and how-to
requests, chat with the assistant, booking requests, BIPIA's training attacks), each pasted at a random
place into a training document, as an attacker would, and read back as the piece that holds it.
Negatives are the other pieces of those documents, the pieces of clean documents (BIPIA's training
e-mails, tables and code in English, CMRC 2018's Wikipedia paragraphs in Chinese) and every piece of
documents into which a request to their own human reader was pasted ("Could you send me the signed
copy by Thursday?", ``lexicon/reader_requests_{en,zh}.txt``). Long English prose trains as documents too
(``prose_documents``), clean and with requests pasted in, but is never kept back. One document in ten, by
a stable hash, is kept back to choose each language's threshold: at most ``DOCUMENT_FPR`` of the clean
validation documents may have any piece at or above it. Documents asking their reader do not choose it
(they read like requests to an assistant and would set it alone); the share of them flagged is recorded.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aigis.guard.calibration import threshold_at_rate
from aigis.guard.document_requests import MODEL_NAME, DocumentRequests, pieces
from aigis.guard.models import WINDOW, LinearModel, featurize

if TYPE_CHECKING:
    from aigis.guard.training import Sample

DOCUMENT_FPR = 0.01  # clean validation documents with any piece at or above the threshold
# training sources whose rows are requests to an assistant (``aigis.guard.training.load_splits``)
REQUEST_SOURCES = (
    "benign_requests",
    "everyday",
    "wishes",
    "chat",
    "mt_bench",
    "crosswoz",
    "harmful_requests",
    "advbench",
    "do_not_answer",
    "forbidden_questions",
    "jade_v1",
    "jade_v2",
)
MAX_REQUEST_CHARS = 300
DOCUMENTS_PER_REQUEST = 1
PROSE_EVERY = 3  # one English request in three is also pasted into long prose
PROSE_CHARS = 1500  # long prose is cut as BIPIA's documents are


@dataclass(frozen=True)
class Document:
    text: str
    lang: str
    request: tuple[int, int] | None  # the span of the pasted request, None for a clean document
    held: bool  # kept back to choose the thresholds (its document and its request both are)
    # a request to the document's own reader was pasted in: every piece is a negative, but the document
    # does not choose the thresholds (those requests read like requests to an assistant, and as validation
    # documents they would set the threshold; their share flagged is measured instead)
    to_reader: bool = False


def _contexts(data: Path) -> dict[str, list[str]]:
    """Training documents by language: BIPIA's training e-mails, tables and code; CMRC 2018's paragraphs."""
    from aigis.guard.training import _jsonl, bipia_contexts

    en = bipia_contexts(data, "train")
    code = data / "bipia" / "code_train.jsonl"
    if code.exists():
        for row in _jsonl(code):
            lines = row.get("context") or []
            en.append("\n".join(str(x) for x in lines)[:1500] if isinstance(lines, list) else "")
    zh: list[str] = []
    for name in ("cmrc2018_dev.json", "cmrc2018_trial.json"):
        p = data / "cmrc2018" / name
        if p.exists():
            for article in json.loads(p.read_text(encoding="utf-8"))["data"]:
                zh += [str(par["context"])[:1500] for par in article["paragraphs"]]
    return {"en": [c for c in en if c.strip()], "zh": [c for c in zh if c.strip()]}


_SENTENCE_END_ZH = re.compile(r"[。！？；\n]")


def paste(
    context: str,
    request: str,
    rng: random.Random,
    lang: str,
    held: bool = False,
    *,
    between_sentences: bool = False,
) -> Document:
    """``request`` pasted into ``context`` at a random place: between words in English; in Chinese, which
    has no spaces, anywhere, or after a sentence's end where ``between_sentences``."""
    pos = rng.randrange(len(context) + 1)
    if lang != "en" and between_sentences:
        ends = [0, *(m.end() for m in _SENTENCE_END_ZH.finditer(context)), len(context)]
        pos = rng.choice(ends)
    if lang == "en":
        cut = context.rfind(" ", 0, pos)
        pos = pos if cut < 0 else cut
        text = f"{context[:pos]} {request} {context[pos:]}"
        return Document(text, lang, (pos + 1, pos + 1 + len(request)), held)
    return Document(context[:pos] + request + context[pos:], lang, (pos, pos + len(request)), held)


def reader_requests(split: str = "train") -> list[tuple[str, str]]:
    """(text, lang) of the requests documents make of their own human reader ("Could you send me the
    signed copy by Thursday?", "取件时请出示取件码。"): ``lexicon/reader_requests_{en,zh}.txt``."""
    from aigis.guard.training import _own

    return [(t.strip(), lang) for lang in ("en", "zh") for t in _own(f"reader_requests_{lang}.txt", split)]


def documents(data: Path, train_rows: list[Sample], seed: int) -> list[Document]:
    """Documents with a request pasted in, documents with a request to their own reader pasted in (all
    of whose pieces are negatives) and clean ones. ``train_rows``: the training rows (``load_splits``)."""
    from aigis.guard.training import bipia_attacks, is_validation

    rng = random.Random(seed)
    contexts = _contexts(data)
    requests = [
        (s.text, s.lang)
        for s in train_rows
        if s.source.startswith(REQUEST_SOURCES) and len(s.text) <= MAX_REQUEST_CHARS and "+" not in s.source
    ]
    requests += [(t, "en") for t in bipia_attacks(data, "train")]
    out = [Document(c, lang, None, is_validation(c)) for lang, group in contexts.items() for c in group]
    for requests_of, to_reader in ((requests, False), (reader_requests(), True)):
        for text, lang in requests_of:
            group = contexts[lang]
            if not group:
                continue
            # a validation request goes into a validation document, a training one into a training document
            held = is_validation(text)
            candidates = [c for c in (rng.choice(group) for _ in range(20)) if is_validation(c) == held]
            for context in candidates[:DOCUMENTS_PER_REQUEST]:
                # Chinese: half glued into a sentence, half between two sentences
                doc = paste(context, text.strip(), rng, lang, held, between_sentences=rng.random() < 0.5)
                out.append(replace(doc, request=None, to_reader=True) if to_reader else doc)
    return out + prose_documents(data, requests, seed)


def prose_documents(data: Path, requests: list[tuple[str, str]], seed: int) -> list[Document]:
    """Long English prose as training documents (``injection_term.prose_rows``: exam passages and
    arguments, our own articles), which BIPIA's e-mails and tables do not teach: each passage clean, and
    every ``PROSE_EVERY``-th English training request, and request to a document's own reader, pasted into
    one. None of them is kept back: the thresholds are chosen on the same held-back documents as before.
    Without them an essay's declarative sentences read like requests to the model (docs/benchmarks.md,
    round 35). A random generator of their own leaves the other documents as they were."""
    from aigis.guard.injection_term import prose_rows
    from aigis.guard.training import is_validation

    rng = random.Random(seed + 7)
    prose = [s.text[:PROSE_CHARS] for s in prose_rows(data)]
    out = [Document(text, "en", None, False) for text in prose]
    for requests_of, to_reader in ((requests, False), (reader_requests(), True)):
        english = [t for t, lang in requests_of if lang == "en" and not is_validation(t)]
        for text in english[::PROSE_EVERY]:
            doc = paste(rng.choice(prose), text.strip(), rng, "en")
            out.append(replace(doc, request=None, to_reader=True) if to_reader else doc)
    return out


def labelled_pieces(doc: Document) -> list[tuple[str, bool]]:
    """Each piece of ``doc`` and whether it overlaps the pasted request."""
    out = []
    for lo, hi in pieces(doc.text):
        hit = doc.request is not None and lo < doc.request[1] and doc.request[0] < hi
        out.append((doc.text[lo:hi][:WINDOW], hit))
    return out


def fit_document_requests(
    data: Path, train_rows: list[Sample], *, seed: int = 13, epochs: int = 8
) -> LinearModel:
    """The document-request model, its per-language offsets chosen on held-back documents."""
    from aigis.guard.training import _binary_meta, _design, _fit_binary

    docs = documents(data, train_rows, seed)
    held = [d for d in docs if d.held]
    texts: list[str] = []
    labels: list[float] = []
    for d in docs:
        if not d.held:
            for piece, hit in labelled_pieces(d):
                texts.append(piece)
                labels.append(1.0 if hit else 0.0)
    order = list(range(len(texts)))
    random.Random(seed + 3).shuffle(order)  # minibatches are contiguous rows
    texts = [texts[i] for i in order]
    y = np.array([labels[i] for i in order])
    x = _design([featurize(t) for t in texts])
    sw = np.ones(len(y))
    sw[y == 1] *= max(float((y == 0).sum()), 1.0) / max(float(y.sum()), 1.0)
    w, b = _fit_binary(x, y, sw, l2=1e-6, epochs=epochs, seed=seed)
    model = LinearModel(w.astype(np.float16).astype(np.float32), b, {})
    offsets: dict[str, float] = {}
    recall: dict[str, float] = {}
    reader_flagged: dict[str, float] = {}

    reader = DocumentRequests(model=model)  # no offsets yet: its scores are the raw logits' sigmoid

    def worst(d: Document) -> float:
        found = reader.worst(d.text)
        if found is None:
            return -30.0
        p = min(max(found.score, 1e-12), 1.0 - 1e-7)
        return math.log(p / (1.0 - p))

    def share_at(docs: list[Document], threshold: float) -> float:
        return round(sum(worst(d) >= threshold for d in docs) / max(len(docs), 1), 4)

    for lang in ("en", "zh"):
        mine = [d for d in held if d.lang == lang]
        clean = [d for d in mine if d.request is None and not d.to_reader]
        if not clean:
            continue
        threshold = threshold_at_rate([worst(d) for d in clean], DOCUMENT_FPR)
        offsets[lang] = round(-float(threshold), 4) + 0.0
        recall[lang] = share_at([d for d in mine if d.request is not None], threshold)
        reader_flagged[lang] = share_at([d for d in mine if d.to_reader], threshold)
    meta = _binary_meta(
        MODEL_NAME,
        y,
        words=True,
        acts=False,
        bias_offsets=offsets,
        max_validation_fpr=DOCUMENT_FPR,
        validation_recall=recall,
        validation_reader_flagged=reader_flagged,
        documents=len(docs),
    )
    return LinearModel(w.astype(np.float32), b, meta)


def train_document_requests(
    out: Path, data: Path, train_rows: list[Sample], *, seed: int = 13, epochs: int = 8
) -> dict[str, object]:
    """Fit and write ``document_requests.npz`` to ``out``; returns its metadata."""
    model = fit_document_requests(data, train_rows, seed=seed, epochs=epochs)
    model.save(out / f"{MODEL_NAME}.npz")
    return model.meta
