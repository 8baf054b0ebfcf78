"""The Guard: normalize, run the detectors a policy names, decide an action, mask, answer."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import numpy as np
import numpy.typing as npt

from aigis.errors import ConfigError, InputError
from aigis.guard.detector_options import checked_options
from aigis.guard.detectors import Detector, Finding, ScanContext, Span, detector_class, detector_names
from aigis.guard.detectors.base import Direction, Source
from aigis.guard.detectors.injection import InjectionDetector
from aigis.guard.masking import Vault, mask_value
from aigis.guard.normalize import Normalized, View, load_tables, normalize
from aigis.guard.policy import BLOCKING, SEVERITY, Policy, Rule, default_policy, load_policy, parse_policy

if TYPE_CHECKING:
    from aigis.guard.streaming import AsyncOutputStream, OutputStream

log = logging.getLogger(__name__)

# detectors the default policy names that may not be installed yet; they are skipped when absent
OPTIONAL_DETECTORS = frozenset({"injection", "harmful"})
MAX_CHARS = 20_000_000
INVISIBLE_CLAUSES = ("3.1.1(e)", "LLM01:2025")
# what the Guard itself reports besides its detectors: invisible characters and a detector that failed
GUARD_CATEGORIES: dict[str, frozenset[str] | None] = {
    "normalize": frozenset({"invisible_text"}),
    "guard": frozenset({"detector_error"}),
}


@dataclass(frozen=True)
class Hit:
    """A finding as the guard reports it: span in the original text, and the action the policy chose."""

    detector: str
    category: str
    score: float
    span: Span | None
    clauses: tuple[str, ...]
    rationale: str
    text: str
    action: str = "allow"
    rule: str | None = None
    view: str = "text"
    extra: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "category": self.category,
            "score": round(self.score, 4),
            "span": [self.span.start, self.span.end] if self.span else None,
            "clauses": list(self.clauses),
            "rationale": self.rationale,
            "text": self.text,
            "action": self.action,
            "rule": self.rule,
            "view": self.view,
            **({"extra": self.extra} if self.extra else {}),
        }


@dataclass
class Verdict:
    action: str
    blocked: bool
    text: str
    findings: list[Hit]
    direction: str = "input"
    lang: str = "en"
    reply: str | None = None
    policy: str = "default"
    latency_ms: float = 0.0

    @property
    def flagged(self) -> bool:
        return self.action != "allow"

    @property
    def clauses(self) -> list[str]:
        seen: dict[str, None] = {}
        for h in self.findings:
            if h.action != "allow":
                for c in h.clauses:
                    seen.setdefault(c, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "blocked": self.blocked,
            "text": self.text,
            "direction": self.direction,
            "lang": self.lang,
            "reply": self.reply,
            "policy": self.policy,
            "clauses": self.clauses,
            "latency_ms": round(self.latency_ms, 3),
            "findings": [h.to_dict() for h in self.findings],
        }


def detect_lang(text: str) -> str:
    """'zh' when Han characters make up a fair share of the letters, else 'en'."""
    han = _han_count(text[:2000])
    return "zh" if han and han * 3 >= _latin_count(text[:2000]) else "en"


def written_by_sound(raw: str, norm: Normalized) -> bool:
    """Whether ``raw`` is Chinese written by its sound (pinyin, "ru he zhi zuo …"): its reading views hold
    about one Han character per pinyin syllable of its Latin letters (a syllable is 2–6 letters; 4 is
    taken, so English with a pinyin phrase in it stays English). A reply to it goes out in Chinese."""
    han = max(
        (_han_count(v.text) for v in norm.views if v.kind == "reading"),
        default=0,
    )
    return bool(han) and han * 4 >= _latin_count(raw[:2000])


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _han_count(text: str) -> int:
    cps = _code_points(text)
    return int(np.count_nonzero((cps >= 0x4E00) & (cps <= 0x9FFF)))


def _latin_count(text: str) -> int:
    """ASCII letters in ``text``."""
    folded = _code_points(text) | 0x20
    return int(np.count_nonzero((folded >= 0x61) & (folded <= 0x7A)))


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _coerce(text: Any, name: str = "text") -> str:
    """``text`` as a string the detectors can read, at most ``MAX_CHARS`` long (``name`` says which
    argument it is in the error otherwise)."""
    if isinstance(text, str):
        # lone surrogates cannot be encoded; replace them one for one so spans keep their places
        value = _SURROGATE_RE.sub("\ufffd", text) if not text.isascii() else text
    elif isinstance(text, bytes | bytearray):
        value = bytes(text).decode("utf-8", errors="replace")
    else:
        raise InputError(f"{name} must be a string (or UTF-8 bytes), got {type(text).__name__}")
    if len(value) > MAX_CHARS:
        raise InputError(f"{name} is {len(value):,} characters; the guard accepts at most {MAX_CHARS:,}")
    return value


def check_rules(policy: Policy) -> None:
    """Raise ConfigError for a rule that no finding can match: a detector name that no detector has, or a
    category that none of the matched detectors reports (a typo would otherwise pass every text)."""
    reported = {name: detector_class(name).known_categories() for name in detector_names()}
    reported.update(GUARD_CATEGORIES)
    for direction in ("input", "output"):
        for rule in policy.direction(direction).rules:
            detector_glob, category_glob = rule.match.split("/", 1)
            named = f"{rule.id!r} ({rule.match!r})" if rule.id else repr(rule.match)
            where = f"policy {policy.name!r}: {direction} rule {named}"
            detectors = [d for d in reported if fnmatchcase(d, detector_glob)]
            if not detectors:
                raise ConfigError(f"{where} names no detector; detectors: {', '.join(reported)}")
            sets = [reported[d] for d in detectors]
            known = sorted(set().union(*(s for s in sets if s is not None)))
            if None not in sets and not any(fnmatchcase(c, category_glob) for c in known):
                raise ConfigError(
                    f"{where} matches no category that {', '.join(detectors)} reports; categories: "
                    + ", ".join(known)
                )


class Guard:
    """Checks model input and output against a :class:`Policy`."""

    def __init__(self, policy: Policy | None = None, vault: Vault | None = None) -> None:
        self.policy = policy or default_policy()
        self.detectors: dict[str, Detector] = {}
        self.cascade: dict[str, Detector] = {}
        check_rules(self.policy)
        known = detector_names()
        for name, options in self.policy.detectors.items():
            if name not in known:
                if name in OPTIONAL_DETECTORS:
                    continue
                raise ConfigError(
                    f"policy {self.policy.name!r}: unknown detector {name!r}; available: {', '.join(known)}"
                )
            cls = detector_class(name)
            checked = checked_options(self.policy.name, name, cls, options)
            try:
                det = cls(**checked)
            except TypeError as exc:
                raise ConfigError(
                    f"policy {self.policy.name!r}: bad options for detector {name!r}: {exc}"
                ) from None
            except ConfigError as exc:  # a detector's own check of its options
                raise ConfigError(f"policy {self.policy.name!r}: detector {name!r}: {exc}") from None
            except OSError as exc:  # a model_dir without the model files
                raise ConfigError(
                    f"policy {self.policy.name!r}: detector {name!r} cannot read {exc.filename or ''!r}: "
                    f"{exc.strerror or exc} (a model_dir holds the files 'aigis guard train -o DIR' writes)"
                ) from None
            (self.cascade if getattr(det, "cascade", False) else self.detectors)[name] = det
        injection = self.detectors.get("injection")
        if isinstance(injection, InjectionDetector):
            # whether a prompt is an attack decides how its response is judged: the same check, with the
            # same options, as the one the policy runs on input
            for det in self.detectors.values():
                share = getattr(det, "judge_prompts_with", None)
                if callable(share):
                    share(injection)
        self.vault = vault if vault is not None else (Vault() if self.policy.masking.vault else None)
        secret = (
            os.environ.get(self.policy.masking.secret_env or "", "") if self.policy.masking.secret_env else ""
        )
        self._mask_key = secret.encode() or b"aigis-guard"
        load_tables()

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def default(cls) -> Guard:
        return cls(default_policy())

    @classmethod
    def from_policy(cls, path: str | Path) -> Guard:
        return cls(load_policy(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Guard:
        return cls(parse_policy(data))

    # -- checks ---------------------------------------------------------------------------------
    def check_input(self, text: str | bytes, source: Source = "user", lang: str | None = None) -> Verdict:
        return self.check(text, "input", source=source, lang=lang)

    def check_output(self, text: str | bytes, prompt: str | None = None, lang: str | None = None) -> Verdict:
        return self.check(text, "output", prompt=prompt, lang=lang)

    async def acheck_input(
        self, text: str | bytes, source: Source = "user", lang: str | None = None
    ) -> Verdict:
        return await self.acheck(text, "input", source=source, lang=lang)

    async def acheck_output(
        self, text: str | bytes, prompt: str | None = None, lang: str | None = None
    ) -> Verdict:
        return await self.acheck(text, "output", prompt=prompt, lang=lang)

    def check(
        self,
        text: str | bytes,
        direction: Direction = "input",
        *,
        source: Source | None = None,
        prompt: str | None = None,
        lang: str | None = None,
    ) -> Verdict:
        started = time.perf_counter()
        raw, ctx, norm, hits = self._fast(text, direction, source, prompt, lang)
        if self._cascade_due(hits):
            for name, det in self.cascade.items():
                hits.extend(self._hits(name, det.scan(norm.text, ctx), norm.main, raw))
        return self._verdict(raw, ctx, hits, started)

    async def acheck(
        self,
        text: str | bytes,
        direction: Direction = "input",
        *,
        source: Source | None = None,
        prompt: str | None = None,
        lang: str | None = None,
    ) -> Verdict:
        started = time.perf_counter()
        raw, ctx, norm, hits = self._fast(text, direction, source, prompt, lang)
        if self._cascade_due(hits):
            for name, det in self.cascade.items():
                ascan = getattr(det, "ascan", None)
                if ascan is not None:
                    found = await ascan(norm.text, ctx)
                else:
                    found = await asyncio.to_thread(det.scan, norm.text, ctx)
                hits.extend(self._hits(name, found, norm.main, raw))
        return self._verdict(raw, ctx, hits, started)

    # -- streaming ------------------------------------------------------------------------------
    def stream_output(
        self, chunks: Iterable[str], prompt: str | None = None, lang: str | None = None
    ) -> OutputStream:
        from aigis.guard.streaming import OutputStream

        return OutputStream(self, chunks, prompt=prompt, lang=lang)

    def astream_output(
        self, chunks: AsyncIterable[str], prompt: str | None = None, lang: str | None = None
    ) -> AsyncOutputStream:
        from aigis.guard.streaming import AsyncOutputStream

        return AsyncOutputStream(self, chunks, prompt=prompt, lang=lang)

    def unmask(self, text: str) -> str:
        """Put vaulted originals back into ``text`` (needs a vault)."""
        if self.vault is None:
            raise ConfigError(
                "this guard has no vault: set masking.vault: true in the policy or pass Vault()"
            )
        return self.vault.restore(text)

    # -- internals ------------------------------------------------------------------------------
    def _fast(
        self,
        text: str | bytes,
        direction: Direction,
        source: Source | None,
        prompt: str | None,
        lang: str | None,
    ) -> tuple[str, ScanContext, Normalized, list[Hit]]:
        if direction not in ("input", "output"):
            raise InputError(f"direction {direction!r} is not allowed; use input or output")
        if source is not None and source not in get_args(Source):
            raise InputError(f"source {source!r} is not allowed; use {', '.join(get_args(Source))}")
        raw = _coerce(text)
        if prompt is not None:
            if direction != "output":
                raise InputError(
                    "a prompt is for output checks (the prompt a response answers); the direction is 'input'"
                )
            prompt = _coerce(prompt, "prompt")
        if lang is not None and lang not in ("zh", "en"):
            raise InputError(f"lang {lang!r} is not supported; use zh or en")
        src: Source = source or ("model" if direction == "output" else "user")
        norm = normalize(raw)
        if lang is None:
            lang = detect_lang(prompt or raw)
            if lang == "en" and prompt is None and written_by_sound(raw, norm):
                lang = "zh"
        ctx = ScanContext(direction=direction, source=src, lang=lang, prompt=prompt)
        hits: list[Hit] = []
        for name, det in self.detectors.items():
            for view, at in det.views_in(norm, ctx):
                try:
                    found = det.scan(view.text, at)
                except Exception as exc:  # a broken detector must not take the guard down
                    log.exception("detector %s failed", name)
                    hits.append(
                        Hit(
                            "guard",
                            "detector_error",
                            0.5,
                            None,
                            (),
                            f"{name}: {type(exc).__name__}: {exc}"[:300],
                            "",
                            view=view.kind,
                        )
                    )
                    break
                hits.extend(self._hits(name, found, view, raw))
        for run in norm.invisible:
            hits.append(
                Hit(
                    "normalize",
                    "invisible_text",
                    0.9,
                    Span(run.start, run.end),
                    INVISIBLE_CLAUSES,
                    f"{run.end - run.start} invisible character(s): {' '.join(run.codepoints[:8])}",
                    raw[run.start : run.end],
                )
            )
        return raw, ctx, norm, _dedupe(hits)

    def _hits(self, name: str, found: list[Finding], view: View, raw: str) -> list[Hit]:
        out = []
        for f in found:
            span = None
            if f.span is not None:
                s, e = view.to_original(f.span.start, f.span.end)
                span = Span(s, e)
            text = raw[span.start : span.end] if span is not None else f.text
            out.append(
                Hit(
                    f.detector or name,
                    f.category,
                    float(f.score),
                    span,
                    tuple(f.clauses),
                    f.rationale,
                    text,
                    view=view.kind,
                    extra=dict(f.extra),
                )
            )
        return out

    def _cascade_due(self, hits: list[Hit]) -> bool:
        if not self.cascade:
            return False
        content = [h.score for h in hits if h.detector not in ("pii", "secrets", "leakage")]
        score = max(content, default=0.0)
        lo, hi = self.policy.cascade.band
        for det in self.cascade.values():
            band = getattr(det, "band", None)
            if band is not None:
                lo, hi = band
        return lo <= score < hi

    def _verdict(self, raw: str, ctx: ScanContext, hits: list[Hit], started: float) -> Verdict:
        rules = self.policy.direction(ctx.direction)
        decided: list[tuple[Hit, Rule | None]] = []
        for h in hits:
            action, rule = rules.decide(h.detector, h.category, h.score)
            clauses = h.clauses + tuple(c for c in (rule.clauses if rule else []) if c not in h.clauses)
            decided.append(
                (
                    Hit(
                        h.detector,
                        h.category,
                        h.score,
                        h.span,
                        clauses,
                        h.rationale,
                        h.text,
                        action,
                        (rule.id or rule.match) if rule else None,
                        h.view,
                        h.extra,
                    ),
                    rule,
                )
            )
        top_action, top_rule = "allow", None
        for h, rule in decided:
            if SEVERITY[h.action] > SEVERITY[top_action]:
                top_action, top_rule = h.action, rule
        lang = ctx.lang if self.policy.lang == "auto" else self.policy.lang
        lang = lang or "en"
        reply = None
        out_text = raw
        if top_action in BLOCKING:
            reply = self.policy.reply(top_rule.reply if top_rule else None, top_action, lang)
            out_text = reply
        elif top_action == "mask":
            out_text = self.mask(raw, [h for h, _ in decided], ctx.direction)
        findings = [h for h, _ in decided]
        findings.sort(key=lambda h: (h.span.start if h.span else -1, -SEVERITY[h.action]))
        return Verdict(
            top_action,
            top_action in BLOCKING,
            out_text,
            findings,
            ctx.direction,
            lang,
            reply,
            self.policy.name,
            (time.perf_counter() - started) * 1000,
        )

    def mask(self, raw: str, hits: list[Hit], direction: str, lo: int = 0, hi: int | None = None) -> str:
        """``raw[lo:hi]`` with every hit whose action is mask replaced (spans are positions in ``raw``)."""
        hi = len(raw) if hi is None else hi
        rules = {(r.id or r.match): r for r in reversed(self.policy.direction(direction).rules)}
        spans = sorted(
            (
                (h.span.start, h.span.end, h)
                for h in hits
                if h.action == "mask"
                and h.span is not None
                and h.span.end > h.span.start
                and h.span.start >= lo
                and h.span.end <= hi
            ),
            key=lambda t: (t[0], -t[1]),
        )
        parts: list[str] = []
        pos = lo
        for start, end, h in spans:
            if start < pos:
                continue
            rule = rules.get(h.rule or "")
            style = (rule.mask if rule and rule.mask else None) or self.policy.masking.style
            value = raw[start:end]
            token = mask_value(value, style, h.category, self._mask_key)
            if self.vault is not None and style in ("hash", "synthetic", "label"):
                token = self.vault.put(style, value, token)
            parts.append(raw[pos:start])
            parts.append(token)
            pos = end
        parts.append(raw[pos:hi])
        return "".join(parts)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    best: dict[tuple[str, str, int, int], Hit] = {}
    for h in hits:
        key = (h.detector, h.category, h.span.start if h.span else -1, h.span.end if h.span else -1)
        old = best.get(key)
        if old is None or h.score > old.score:
            best[key] = h
    return list(best.values())
