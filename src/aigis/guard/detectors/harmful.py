"""Harmful content by category, zh and en, for requests (input) and responses (output).

Two tiers in one pass, both linear in the text length:

1. the bilingual keyword library (``aigis.guard.lexicon``, Aho-Corasick) finds category cues;
2. a logistic regression over hashed character n-grams, those keyword cues and the request shapes
   (``aigis.guard.acts``: a request frame with a harmful act, a group with a demeaning word) decides
   whether the text is harmful (a request for, or a piece of, harmful content) or merely mentions a dangerous
   word ("how do I kill a Python process", "杀毒软件推荐"); a softmax head picks the category.

Keywords never decide on their own: a hit without a harmful score above the threshold yields no
finding. Long texts are scored in overlapping windows (all at once, with prefix sums: ``window_scores``) and
the worst window counts; a long request's windows are read by a model that has also learned windows of
prose and requests pasted into prose (``aigis.guard.window_training``).

A message of a person in crisis ("Ending it tomorrow morning.", "决定了，明天早上去跳海") asks for nothing
harmful, and the harmful model passes many of them: a crisis model (``crisis.npz``) judges what a user
writes on its own and gives such a message the self-harm category, so that the policy answers it with the
reply that points to help.

On the output side a response is also unsafe when its prompt is a harmful request and the response does
not decline (``aigis.guard.refusal.declines``): a model that goes along need not name the
harm to do it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from aigis.guard.courtesy import cores
from aigis.guard.detectors.base import (
    Detector,
    Finding,
    ScanContext,
    Span,
    register_detector,
    too_short_to_judge,
)
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.lexicon import (
    Category,
    KeywordHit,
    categories,
    default_lexicon,
    injection_lexicon,
    is_crisis_statement,
    lower_same_length,
)
from aigis.guard.models import (
    LinearModel,
    detect_lang,
    featurize,
    load_binary,
    load_softmax,
    models_window_scores,
)
from aigis.guard.normalize import Normalized, normalize
from aigis.guard.refusal import declines
from aigis.guard.semantic import ENCODED_VIEWS

GUARD_CLAUSES = ("4.2.2(b)", "6.2.7", "A3.15")
_WINDOW = 192  # harmful requests are short; small windows keep one sentence from being diluted
LONG_REQUEST = 4 * _WINDOW  # longer texts are read in windows
# a response that declines, or that answers a prompt judged neither harmful nor an attack, is flagged for
# its own content only when the model is this sure: refusals name the harm they refuse ("……可能构成诈骗"),
# and at the model's threshold JADE's safe answers were flagged about twice as often; the model learned
# requests, and an ordinary answer (an essay on cashless payment, a story in an abandoned house) reads like
# one to it more often than a question does (docs/benchmarks.md, round 34)
DECLINED_THRESHOLD = 0.9
# the key in a finding's ``extra`` that marks a response judged on its own words: read with more of the
# answer around it, such a response may pass (a stream holds it for that reading)
OWN_WORDS = "own_words"
_KEYWORD_BONUS = (
    0.6  # added to a category's probability per strong keyword hit (at most 2): keywords pick the category
)
# the longest message read against the list of short crisis statements: its entries are under 30
# characters, and the rest leaves room for emoji, punctuation and spaces around one ("😭" × 300 + "我想死");
# a longer input is not reduced at all (a 10 MB one took 0.5 s)
_STATEMENT_CHARS = 4096
_KEPT = 8  # how many of the last requests scored keep their crisis probability


def _optional_binary(name: str, model_dir: Path | None) -> LinearModel | None:
    """A binary model that a model folder trained before it existed lacks."""
    try:
        return load_binary(name, model_dir)
    except FileNotFoundError:
        return None


@register_detector
class HarmfulDetector(Detector):
    """Harmful content; findings carry TC260-003 risk ids and framework risk clauses."""

    name = "harmful"
    clauses = GUARD_CLAUSES

    @classmethod
    def known_categories(cls) -> frozenset[str]:
        return frozenset(c.tc260[0] for c in categories().values())

    def __init__(self, threshold: float | None = None, model_dir: Path | None = None) -> None:
        self.model_dir = model_dir
        self.model = load_binary("harmful", model_dir)
        self.category_model = load_softmax("category", model_dir)
        self.self_harm_model = _optional_binary("self_harm", model_dir)
        self.crisis_model = _optional_binary("crisis", model_dir)
        # long requests are read in windows by a model that has also learned windows of prose and requests
        # pasted into prose (``aigis.guard.window_training``); responses by the harmful model itself
        self.window_model = _optional_binary("harmful_windows", model_dir) or self.model
        # its window by language (a window model may read Chinese in narrower windows than English)
        meta = self.window_model.meta
        english = int(str(meta.get("window", _WINDOW)))
        self.window_sizes = {"en": english, "zh": int(str(meta.get("window_zh", english)))}
        self._crisis_seen: dict[str, float] = {}  # the crisis probability of the last requests scored
        self._judged_cores: tuple[str, list[str]] = ("", [])  # the last request's cores long enough to judge
        self.threshold = self.model.threshold if threshold is None else threshold
        self.lexicon = default_lexicon()
        self.cues = injection_lexicon()
        self.categories = categories()
        # (prompt, detector, finding or None) for the last prompt judged: a streamed response, and every
        # normalized view of a response, is checked against the same prompt again and again
        self._last_prompt: tuple[str, str, Finding | None] | None = None
        # the injection check of the last prompt whose response was judged (loaded when first needed)
        self._injection: InjectionDetector | None = None
        self._last_jailbreak: tuple[str, bool] | None = None
        self._last_normalized: tuple[str, Normalized] | None = None

    def score(self, text: str, request: bool = True) -> tuple[float, int, int, tuple[KeywordHit, ...]]:
        """(harmful probability, window start, window end, keyword hits in that window). A request is also
        judged without the greetings, thanks and numbers around it (``aigis.guard.courtesy.cores``), and
        the worse of the two counts: "谢谢你。" or a pasted phone number must not talk a request down.
        A response (``request=False``) is judged as it is: trimming "作为AI助手，" off a refusal would leave
        the harms it names to be read alone."""
        found = self._score(text, request)
        judged = []
        for bare in cores(text) if request else ():
            trimmed = self._score(bare, request)  # same positions: a core blanks rather than cuts
            if not too_short_to_judge(bare, trimmed[3]):
                judged.append(bare)
                found = max(found, trimmed, key=lambda f: f[0])
        if request:
            self._judged_cores = (text, judged)
        return found

    def _score(self, text: str, request: bool = False) -> tuple[float, int, int, tuple[KeywordHit, ...]]:
        """``score`` of one text; a request's crisis probability is kept for ``crisis_probability``."""
        p, start, end, hits, crisis_p = self._read(text, self.crisis_model if request else None, request)
        if crisis_p is not None:
            if len(self._crisis_seen) >= _KEPT:
                self._crisis_seen.clear()
            self._crisis_seen[text] = crisis_p
        return p, start, end, hits

    def _read(
        self, text: str, crisis: LinearModel | None, request: bool = False, size: int | None = None
    ) -> tuple[float, int, int, tuple[KeywordHit, ...], float | None]:
        """The harmful probability, worst window and its keyword hits, and the ``crisis`` model's
        probability (None without one) from the same features: long texts are scored in windows, both
        models in one pass, a ``request``'s harmful windows by the window model. ``size`` sets a
        response's windows (``_WINDOW`` by default)."""
        low = lower_same_length(text)
        kw = self.lexicon.find(text, lowered=low)
        inj = self.cues.find(text, lowered=low)
        if len(text) <= LONG_REQUEST:
            w_kw = tuple(kw)
            f = featurize(text, hits=(w_kw, tuple(inj)), words=self.model.words, acts=self.model.acts)
            return self.model.score(f), 0, len(text), w_kw, None if crisis is None else crisis.score(f)
        reader = self.window_model if request else self.model
        size = self.window_sizes[detect_lang(text)] if request else size or _WINDOW
        models = (reader,) if crisis is None or size != _WINDOW else (reader, crisis)
        starts, scores = models_window_scores(models, text, size, (kw, inj), lowered=low)
        crisis_p = None
        if crisis is not None:
            crisis_scores = scores[1] if len(models) > 1 else self._crisis_windows(crisis, text, kw, inj, low)
            crisis_p = float(crisis_scores.max())
        probs = scores[0]
        k = int(probs.argmax())
        start = int(starts[k])
        end = min(start + size, len(text))
        w_kw = tuple(
            KeywordHit(h.start - start, h.end - start, h.term, h.category, h.weight)
            for h in kw
            if start <= h.start and h.end <= end
        )
        return float(probs[k]), start, end, w_kw, crisis_p

    @staticmethod
    def _crisis_windows(
        crisis: LinearModel, text: str, kw: list[KeywordHit], inj: list[KeywordHit], low: str
    ) -> np.ndarray:
        """The crisis model's probabilities in the harmful detector's own windows."""
        probs: np.ndarray = models_window_scores((crisis,), text, _WINDOW, (kw, inj), lowered=low)[1][0]
        return probs

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        if not text.strip():
            return []
        p, start, end, hits = self.score(text, request=context.direction == "input")
        if p < self.threshold or too_short_to_judge(text, hits):
            return self.crisis(text, (start, end, hits), context) or self.compliance(text, context)
        own_words = self.judged_on_own_words(text, context)
        if own_words and self.answer_probability(text, p) < DECLINED_THRESHOLD:
            return []  # its own words count only when the model is sure
        return [self.finding(text, p, start, end, hits, context, own_words=own_words)]

    def judged_on_own_words(
        self,
        text: str,
        context: ScanContext,
        prompt_probability: Callable[[str], float] | None = None,
        detector: str = "harmful",
    ) -> bool:
        """Whether ``text`` is a response flagged for its own content only when the model is sure
        (``DECLINED_THRESHOLD``): one that declines, or one that answers a harmless prompt
        (``answers_harmless_prompt``)."""
        return context.direction == "output" and (
            declines(text) or self.answers_harmless_prompt(context, prompt_probability, detector)
        )

    def answer_probability(self, text: str, p: float) -> float:
        """How sure the harmful model is of a response judged on its own words (a refusal, or an answer to a
        harmless prompt), given ``p``, its probability in the detector's windows. A long response is also
        read in windows of ``LONG_REQUEST`` characters, each sentence with the answer around it, and the
        lower of the two counts: in windows of 192 characters some piece of a long ordinary answer reads
        like a request to a model that learned requests. Below ``DECLINED_THRESHOLD`` the response passes
        either way, and ``p`` is returned as it is."""
        if len(text) <= LONG_REQUEST or p < DECLINED_THRESHOLD:
            return p
        return min(p, self._read(text, None, size=LONG_REQUEST)[0])

    def crisis(
        self,
        text: str,
        window: tuple[int, int, tuple[KeywordHit, ...]],
        context: ScanContext,
        detector: str = "harmful",
    ) -> list[Finding]:
        """A self-harm finding when ``text``, written by a user and passed by the harmful model, is a message
        of a person in crisis: a whole message on the list of short crisis statements
        (``aigis.guard.lexicon.crisis_statements``), or one long enough to judge with ``crisis_probability``
        at least 0.5; ``window``: the harmful model's window and keyword hits. Documents, tool output and
        responses are never judged so: a story or an article about a crisis is not one."""
        hits = window[2]
        if not _from_user(context):
            return []
        if len(text) <= _STATEMENT_CHARS and is_crisis_statement(text):  # "我想死", "kms"
            note = " (a statement of crisis)"
            return [self.finding(text, 1.0, *window, context, detector=detector, note=note, crisis=True)]
        if too_short_to_judge(text, hits):
            return []
        q = self.crisis_probability(text)
        if q < 0.5:
            return []
        note = f" (crisis model {q:.2f})"
        return [self.finding(text, q, *window, context, detector=detector, note=note, crisis=True)]

    def crisis_probability(self, text: str) -> float:
        """How sure the crisis model is that ``text`` is a message of a person in crisis, 0.5 at its trained
        per-language threshold (0 where the model folder has no crisis model). Like a request's harmful
        score (``score``), the text is also judged without the greetings and numbers around it."""
        if self.crisis_model is None:
            return 0.0
        best = self._crisis_score(text)
        last, judged = self._judged_cores
        if last != text:
            judged = [bare for bare in cores(text) if not too_short_to_judge(bare, self.lexicon.find(bare))]
        for bare in judged:
            best = max(best, self._crisis_score(bare))
        return best

    def _crisis_score(self, text: str) -> float:
        """The crisis model's probability for ``text``: kept from scoring it as a request, or read afresh
        (not scored as a request, or forgotten since by another thread)."""
        found = self._crisis_seen.get(text)
        if found is None:
            found = self._read(text, self.crisis_model)[4]
        return found or 0.0

    def compliance(
        self,
        text: str,
        context: ScanContext,
        prompt_probability: Callable[[str], float] | None = None,
        detector: str = "harmful",
    ) -> list[Finding]:
        """A finding when ``text`` is a response that goes along with a harmful request: its prompt scores
        at or above the threshold (by ``prompt_probability``, the fast model's by default) and the response
        does not decline. Only the response as a whole (the main view) goes along or declines: a payload
        decoded out of a refusal is not an answer."""
        prompt = context.prompt
        if context.direction != "output" or context.view_index or not prompt or not prompt.strip():
            return []
        # no minimum length: a stream is checked before its first words are released, and a refusal that
        # has not declined yet by then is held back too (the policy's reply stands in for it)
        if declines(text):
            return []
        found = self._harmful_request(prompt, context, prompt_probability, detector)
        return [] if found is None else [found]

    def answers_harmless_prompt(
        self,
        context: ScanContext,
        prompt_probability: Callable[[str], float] | None = None,
        detector: str = "harmful",
    ) -> bool:
        """Whether ``context`` is a response to a prompt that is given, not judged a harmful request (by
        ``prompt_probability``, the fast model's by default) and not found an attack by the injection
        check."""
        prompt = context.prompt
        if context.direction != "output" or not prompt or not prompt.strip():
            return False
        if self._harmful_request(prompt, context, prompt_probability, detector) is not None:
            return False
        return not self._jailbreak(prompt)

    def judge_prompts_with(self, injection: InjectionDetector) -> None:
        """Judge whether a prompt is an attack with ``injection``, the Guard's own injection check with its
        policy's options, instead of one with the default options."""
        self._injection = injection
        self._last_jailbreak = None

    def _normalized_prompt(self, prompt: str) -> Normalized:
        """``prompt`` normalized as the Guard normalizes input, kept for the next question about it (whether
        it asks for harm, whether it is an attack)."""
        last = self._last_normalized
        if last is None or last[0] != prompt:
            last = self._last_normalized = (prompt, normalize(prompt))
        return last[1]

    def _jailbreak(self, prompt: str) -> bool:
        """Whether the injection check finds ``prompt`` an attack: a jailbreak prompt often names no harm
        (the harmful model flags about a third of them), and what answers it is judged at the model's
        threshold, as before."""
        last = self._last_jailbreak
        if last is not None and last[0] == prompt:
            return last[1]
        if self._injection is None:
            self._injection = InjectionDetector(model_dir=self.model_dir)
        injection = self._injection
        views = injection.views_in(self._normalized_prompt(prompt), ScanContext(direction="input"))
        found = any(injection.scan(view.text, at) for view, at in views)
        self._last_jailbreak = (prompt, found)
        return found

    def _harmful_request(
        self,
        prompt: str,
        context: ScanContext,
        prompt_probability: Callable[[str], float] | None,
        detector: str,
    ) -> Finding | None:
        """The finding a response to ``prompt`` gets when the prompt is a harmful request, else None."""
        last = self._last_prompt
        if last is not None and last[0] == prompt and last[1] == detector:
            return last[2]
        found = None
        # the prompt is read as the Guard reads input: each view of it (evasions undone, payloads decoded),
        # so that a request hidden from the input check's words is not a harmless prompt here
        for view, at in self.views_in(self._normalized_prompt(prompt), ScanContext(direction="input")):
            request = view.text
            p, start, end, hits = self.score(request)
            if prompt_probability is not None and at.view_index <= ENCODED_VIEWS:
                p = prompt_probability(request)
            if p >= self.threshold and not too_short_to_judge(request, hits):
                # the request names the harm: its category and keywords stand for the response's, with no
                # span in the response
                note = (
                    f"; the response goes along with a harmful request ({p:.2f}; keywords from the request)"
                )
                found = self.finding(request, p, start, end, hits, context, detector=detector, note=note)
                found = replace(found, span=None, text="")
                break
        self._last_prompt = (prompt, detector, found)
        return found

    def is_self_harm(self, text: str) -> bool:
        """Whether the self-harm model reads a text judged harmful as self-harm (a person in crisis gets the
        policy's reply that points to help; the category model, trained on corpus rows, reads many such
        messages as crime or privacy). False where the model folder has no self-harm model."""
        model = self.self_harm_model
        return model is not None and model.score(featurize(text, acts=True)) >= model.threshold

    def finding(
        self,
        text: str,
        p: float,
        start: int,
        end: int,
        hits: tuple[KeywordHit, ...],
        context: ScanContext,
        detector: str = "harmful",
        note: str = "",
        crisis: bool = False,
        own_words: bool = False,
    ) -> Finding:
        """The finding for a text judged harmful with probability ``p`` (``crisis``: a message of a person in
        crisis, with the crisis model's probability): the category model (helped by keyword hits) picks the
        category, the strongest keyword of that category gives the span. ``own_words`` marks a response
        judged on its own words (``judged_on_own_words``), which a longer reading may clear."""
        chunk = text[start:end]
        cat = self.categories["self_harm"] if crisis else self._category(chunk, hits)
        if cat.id != "self_harm" and (
            self.is_self_harm(chunk) or (_from_user(context) and self.crisis_probability(chunk) >= 0.5)
        ):
            cat = self.categories["self_harm"]
        cat_hits = sorted((h for h in hits if h.category == cat.id), key=lambda h: (-h.weight, h.start))
        span = Span(start + cat_hits[0].start, start + cat_hits[0].end) if cat_hits else None
        terms = list(dict.fromkeys(h.term for h in sorted(hits, key=lambda h: h.start)))[:5]
        clauses = tuple(dict.fromkeys((*cat.tc260, *cat.framework, *GUARD_CLAUSES)))
        what = "response" if context.direction == "output" else "request"
        rationale = f"{'a person in crisis' if crisis else 'harmful ' + what}: {cat.en} / {cat.zh}"
        if terms:
            rationale += f" (keywords: {', '.join(terms)})"
        return Finding(
            detector=detector,
            category=cat.tc260[0],
            score=round(p, 4),
            span=span,
            clauses=clauses,
            rationale=rationale + note,
            text=text[span.start : span.end] if span else "",
            extra={
                "category": cat.id,
                "name_zh": cat.zh,
                "name_en": cat.en,
                "keywords": ",".join(terms),
                **({OWN_WORDS: "yes"} if own_words else {}),
            },
        )

    def _category(self, chunk: str, hits: tuple[KeywordHit, ...]) -> Category:
        """The category model's pick for a harmful ``chunk``, helped by its strong keyword hits."""
        probs = self.category_model.probs(featurize(chunk, hits=(hits, ())))
        labels = self.category_model.labels
        bonus: dict[str, float] = defaultdict(float)
        for h in hits:
            if h.weight >= 2 and h.category in self.categories:
                bonus[h.category] = min(bonus[h.category] + _KEYWORD_BONUS, 2 * _KEYWORD_BONUS)
        adjusted = np.array([probs[i] + bonus.get(label, 0.0) for i, label in enumerate(labels)])
        return self.categories[labels[int(adjusted.argmax())]]


def _from_user(context: ScanContext) -> bool:
    """Whether the text is what a user writes (the only text the crisis model judges)."""
    return context.direction == "input" and context.source == "user"
