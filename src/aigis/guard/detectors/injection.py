"""Prompt injection and jailbreak, zh and en.

Covers instruction override ("ignore previous instructions", "忽略以上所有指令"), role-play and
persona jailbreaks (DAN, developer mode), system-prompt extraction, refusal suppression, indirect
injection hidden in documents, web pages and tool output (``context.source`` "document"/"tool";
there, phrases that speak to whoever writes the answer, such as "in your response" or "你的回答",
count as strong cues too), and requests to decode-and-follow encoded payloads (the normalizer
decodes the payloads themselves, so the decoded text is scanned too).

Cue phrases are matched with an Aho-Corasick automaton; a logistic regression over hashed
character n-grams plus those cues scores the whole text (in windows for long texts). Text that
arrives as a document or tool output is held to a stricter standard: instructions addressed to the
model are themselves the attack there, and so is an ordinary request to an assistant pasted among the
document's sentences ("Recommend a good book for the weekend"), which a second model finds piece by
piece (``aigis.guard.document_requests``).

A long English text (``aigis.guard.injection_term``) is also read by a style term whose logit moves the
fast model's (how much of it speaks to "you" about an AI, its rules and roles, how much reads like prose),
so that long prose pasted for a summary is not taken for a persona prompt; ``style: false`` turns it off.
With ``semantic: true`` (the semantic tier), a sentence-embedding term moves it too. That needs the
``aigis[embed]`` extra, as the semantic harmful tier does. Such a text then gives up
``long_text_offset`` logits (``injection_term.LONG_TEXT_OFFSET``) before it is judged: the models learned
jailbreak prompts at many times their weight, and long prose paid for that prior most.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from aigis.errors import ConfigError
from aigis.guard.courtesy import cores
from aigis.guard.detectors.base import (
    Detector,
    Finding,
    ScanContext,
    Span,
    register_detector,
    too_short_to_judge,
)
from aigis.guard.document_requests import DocumentRequests
from aigis.guard.injection_term import (
    FILE_NAME,
    LONG_TEXT_OFFSET,
    MAX_EMBEDDED_PIECES,
    STYLE_FILE,
    InjectionTerm,
    ranked_pieces,
)
from aigis.guard.lexicon import KeywordHit, default_lexicon, injection_lexicon, lower_same_length
from aigis.guard.models import WINDOW, detect_lang, featurize, load_binary, sigmoid, window_scores
from aigis.guard.quotes import is_quoted, quoted_spans
from aigis.guard.semantic import ENCODED_VIEWS, encoder_text, fast_logit
from aigis.guard.short_term import SHORT_FILES, load_short_terms, raised

CLAUSES = ("3.1.1(e)", "4.2.2(b)", "6.2.7", "A3.15", "LLM01:2025")
KINDS = {
    "instruction_override": ("Instruction override", "指令覆盖"),
    "roleplay_jailbreak": ("Role-play / persona jailbreak", "角色扮演越狱"),
    "prompt_extraction": ("System-prompt extraction", "系统提示词窃取"),
    "refusal_suppression": ("Refusal suppression", "拒答抑制"),
    "indirect_injection": ("Indirect injection in documents or tool output", "文档或工具输出中的间接注入"),
    "encoded_payload": ("Encoded payload", "编码载荷"),
    "request_in_document": ("A request to an assistant inside a document", "文档中夹带的向助手提出的请求"),
    "jailbreak": ("Jailbreak prompt", "越狱提示词"),
}
_STRONG_KINDS = {"instruction_override", "prompt_extraction", "indirect_injection", "encoded_payload"}
# phrases that speak to whoever writes the answer ("in your response", "你的回答"): an ordinary part of
# a user's own request, but an instruction smuggled in when they appear inside data
_ADDRESSED = "addressed_to_model"
_RULE_SCORE = 0.75  # a strong cue phrase alone
_DOCUMENT_SOURCES = {"document", "tool"}


@register_detector
class InjectionDetector(Detector):
    """Prompt injection and jailbreak attempts; findings cite 4.2.2(b), 6.2.7 and 3.1.1(e)."""

    name = "injection"
    clauses = CLAUSES

    @classmethod
    def known_categories(cls) -> frozenset[str]:
        return frozenset(KINDS)

    def __init__(
        self,
        threshold: float | None = None,
        document_threshold: float = 0.5,
        model_dir: Path | None = None,
        semantic: bool = False,
        term: str | None = None,
        encoder_dir: str | None = None,
        style: bool = True,
        long_text_offset: float = LONG_TEXT_OFFSET,
    ) -> None:
        self.model = load_binary("injection", model_dir)
        self.threshold = self.model.threshold if threshold is None else threshold
        self.document_threshold = document_threshold
        self.long_text_offset = long_text_offset
        self.cues = injection_lexicon()
        self.lexicon = default_lexicon()
        try:
            self.documents: DocumentRequests | None = DocumentRequests(model_dir)
        except FileNotFoundError:  # a model folder trained before the document-request model existed
            self.documents = None
        for name, value in (("semantic", semantic), ("style", style)):
            if not isinstance(value, bool):
                raise ConfigError(f"injection option {name!r} must be true or false, not {value!r}")
        self.style: InjectionTerm | None = None
        folder = Path(model_dir) if model_dir is not None else None
        if style and (folder is None or (folder / STYLE_FILE).is_file()):  # older folders have none
            self.style = InjectionTerm.load(folder / STYLE_FILE if folder else None, packaged=STYLE_FILE)
        self.term: InjectionTerm | None = None
        self.short_terms: dict[str, InjectionTerm] = {}
        if semantic:
            from aigis.guard.embedding import shared_encoder  # loads scipy: only when a policy asks for it

            self.term = InjectionTerm.load(Path(term) if term else folder / FILE_NAME if folder else None)
            self.short_terms = load_short_terms(folder)
            self.encoder = shared_encoder(encoder_dir)
            shorts = [(SHORT_FILES[lang], short) for lang, short in self.short_terms.items()]
            named = [(term or FILE_NAME, self.term), *shorts]
            for name, read in named:
                if self.encoder.output_dim() != len(read.w):
                    raise ConfigError(
                        f"injection term {name} reads {len(read.w)}-wide vectors, but the encoder in "
                        f"{self.encoder.folder} gives {self.encoder.output_dim()}: train the term with this "
                        "encoder (aigis guard train --semantic)"
                    )

    def score(self, text: str, semantic: bool = True) -> tuple[float, list[KeywordHit]]:
        """(injection probability of the worst window, cue-phrase hits over the whole text); a long English
        text's probability moved by the style term and, on the semantic tier (and with ``semantic``), the
        embedding term (``moved``)."""
        p, inj = self.ngram_score(text)
        return self.moved(p, text, semantic), inj

    def ngram_score(self, text: str) -> tuple[float, list[KeywordHit]]:
        """``score`` by the n-gram model alone."""
        low = lower_same_length(text)
        inj = self.cues.find(text, lowered=low)
        kw = self.lexicon.find(text, lowered=low)
        if len(text) <= WINDOW:
            best = self.model.score(featurize(text, hits=(tuple(kw), tuple(inj)), words=self.model.words))
        else:
            best = float(window_scores(self.model, text, WINDOW, (kw, inj))[1].max())
        return best, inj

    def moved(self, p: float, text: str, semantic: bool = True, short: bool = False) -> float:
        """The n-gram probability ``p`` of ``text`` moved by the terms that read it: the style term, and with
        ``semantic`` the embedding term, for long English text, each counting the text's most jailbreak-like
        piece (``aigis.guard.injection_term``); with ``semantic`` and ``short`` (a user's own message), the
        short term of the text's language for a short text (``aigis.guard.short_term``)."""
        if semantic and short and self.short_terms:
            lang = detect_lang(text)
            brief = self.short_terms.get(lang)
            if brief is not None and brief.reads(text):
                vector = self.encoder.encode_one(encoder_text(text, lang))
                return sigmoid(fast_logit(p) + brief.share * raised(brief.logit(vector)))
        style = self.style if self.style is not None and self.style.reads(text) else None
        term = self.term if semantic and self.term is not None and self.term.reads(text) else None
        if (style is None and term is None) or detect_lang(text) != "en":
            return p
        z = fast_logit(p) - self.long_text_offset
        style_logit, ranked = ranked_pieces(style, text)  # once for both terms
        if style is not None:
            z += style.share * style_logit
        if term is not None:
            z += term.share * max(
                term.logit(self.encoder.encode_one(encoder_text(piece, "en")))
                for piece in ranked[:MAX_EMBEDDED_PIECES]
            )
        return sigmoid(z)

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        if not text.strip():
            return []
        p, hits = self.ngram_score(text)
        reading = text  # the reading the n-gram model finds worst, which the terms read
        embedded = context.source in _DOCUMENT_SOURCES
        own = context.direction == "input" and not embedded  # a user's own message
        if own:
            # a user's greeting, thanks or pasted number must not talk an attack down (``cores``)
            for bare in cores(text):
                q, bare_hits = self.ngram_score(bare)
                if not too_short_to_judge(bare, bare_hits) and q > p:
                    p, reading = q, bare
        # one encoder pass per view at most; as on the semantic harmful tier, a text stuffed with payloads
        # has only its first views read with the encoder
        p = self.moved(p, reading, semantic=context.view_index <= ENCODED_VIEWS, short=own)
        if too_short_to_judge(text, hits):  # "key AKIA…": the classifier learned from whole prompts
            p = 0.0
        if not embedded:
            hits = [h for h in hits if h.category != _ADDRESSED]
        threshold = self.document_threshold if embedded else self.threshold
        strong_kinds = _STRONG_KINDS | {_ADDRESSED} if embedded else _STRONG_KINDS
        strong = [h for h in hits if h.weight >= 2 and h.category in strong_kinds]
        if not embedded and strong:
            # a user quoting a cue is most often asking about it: the classifier alone decides those
            spans = quoted_spans(text)
            strong = [h for h in strong if not is_quoted(spans, h.start, h.end)]
        rule = _RULE_SCORE if strong else 0.0
        if embedded and strong:
            rule = 0.9
        score = max(p, rule)
        if score < threshold:
            return self._request_in_document(text, context) if embedded else []
        first: dict[str, KeywordHit] = {}
        for h in sorted(hits, key=lambda h: (-h.weight, h.start)):
            first.setdefault(h.category, h)
        if p < threshold:  # only the rule fired: report the strong kinds only
            first = {k: v for k, v in first.items() if k in strong_kinds and v.weight >= 2}
        findings: list[Finding] = []
        reported_to = -1
        for kind, hit in sorted(first.items(), key=lambda kv: (kv[1].start, -kv[1].end)):
            if embedded and hit.start < reported_to:
                continue  # one category in a document: a cue inside another ("to the AI") says nothing more
            category = "indirect_injection" if embedded else kind
            findings.append(self._finding(category, score, hit, context, text))
            reported_to = max(reported_to, hit.end)
        if not findings:
            findings.append(
                self._finding("indirect_injection" if embedded else "jailbreak", score, None, context, text)
            )
        return findings

    def _request_in_document(self, text: str, context: ScanContext) -> list[Finding]:
        """The piece of a document most like a request to an assistant, where it passes the threshold. Its
        own category: an e-mail's request to its reader ("could you send me the slides?") reads the same,
        so the default policy flags it rather than refusing the document."""
        worst = self.documents.worst(text) if self.documents is not None else None
        if worst is None or worst.score < self.document_threshold:
            return []
        finding = self._finding("request_in_document", worst.score, None, context, text)
        en, zh = KINDS["request_in_document"]
        piece = text[worst.start : worst.end]
        return [
            replace(
                finding,
                span=Span(worst.start, worst.end),
                text=piece,
                rationale=f"{en} / {zh}: “{piece[:80]}”",
            )
        ]

    def _finding(
        self, kind: str, score: float, hit: KeywordHit | None, context: ScanContext, text: str
    ) -> Finding:
        en, zh = KINDS[kind]
        span = Span(hit.start, hit.end) if hit else None
        rationale = f"{en} / {zh}"
        if hit:
            rationale += f": “{hit.term}”"
        return Finding(
            detector=self.name,
            category=kind,
            score=round(score, 4),
            span=span,
            clauses=CLAUSES,
            rationale=rationale,
            text=text[span.start : span.end] if span else "",
            extra={"source": context.source, "name_en": en, "name_zh": zh},
        )
