"""Credentials in text: cloud keys, private keys, JWTs, service tokens, and high-entropy values next to
words such as "password" or "密钥"."""

from __future__ import annotations

import math
import re
from collections import Counter

import ahocorasick_rs

from aigis.guard.detectors.base import Detector, Finding, ScanContext, Span, register_detector
from aigis.guard.detectors.pii import SpanSet, _anchored
from aigis.guard.lexicon import lower_same_length

CLAUSES = ("3.1.2(d)", "4.2.2(b)")

# (category, pattern, score); every pattern starts with a literal prefix, so scanning is fast and linear
_TOKENS: list[tuple[str, re.Pattern[str], float]] = [
    (
        "AWS_ACCESS_KEY",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}(?![A-Z0-9])"),
        0.95,
    ),
    ("ALIYUN_ACCESS_KEY", re.compile(r"(?<![A-Za-z0-9])LTAI[A-Za-z0-9]{12,20}(?![A-Za-z0-9])"), 0.9),
    ("TENCENT_SECRET_ID", re.compile(r"(?<![A-Za-z0-9])AKID[A-Za-z0-9]{32}(?![A-Za-z0-9])"), 0.9),
    ("GOOGLE_API_KEY", re.compile(r"AIza[0-9A-Za-z_\-]{35}"), 0.9),
    ("GITHUB_TOKEN", re.compile(r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"), 0.95),
    ("GITLAB_TOKEN", re.compile(r"glpat-[A-Za-z0-9_\-]{20,}"), 0.95),
    ("SLACK_TOKEN", re.compile(r"xox[abposr]-[A-Za-z0-9\-]{10,200}"), 0.9),
    ("STRIPE_KEY", re.compile(r"(?:sk|rk)_live_[A-Za-z0-9]{20,200}"), 0.95),
    ("OPENAI_API_KEY", re.compile(r"sk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_\-]{20,200}"), 0.85),
    ("JWT", re.compile(r"eyJ[A-Za-z0-9_\-]{8,2000}\.eyJ[A-Za-z0-9_\-]{8,4000}\.[A-Za-z0-9_\-]{8,2000}"), 0.9),
    (
        "PRIVATE_KEY",
        re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"),
        0.99,
    ),
]
_KEYWORD_RE = re.compile(
    r"(?i:password|passwd|pwd|secret|token|api[_\- ]?key|access[_\- ]?key|private[_\- ]?key|credential|auth)"
    r"|密码|口令|密钥|令牌|秘钥|私钥"
)
# literals one of which each token pattern contains: a pattern runs only when one occurs in the text
_TOKEN_LITERALS: dict[str, tuple[str, ...]] = {
    "AWS_ACCESS_KEY": ("AKIA", "ASIA", "AGPA", "AIDA", "AROA"),
    "ALIYUN_ACCESS_KEY": ("LTAI",),
    "TENCENT_SECRET_ID": ("AKID",),
    "GOOGLE_API_KEY": ("AIza",),
    "GITHUB_TOKEN": ("gh", "github_pat_"),
    "GITLAB_TOKEN": ("glpat-",),
    "SLACK_TOKEN": ("xox",),
    "STRIPE_KEY": ("_live_",),
    "OPENAI_API_KEY": ("sk-",),
    "JWT": ("eyJ",),
    "PRIVATE_KEY": ("-----BEGIN ",),
}
# the (lower-cased) words a key-word match starts with: the key-word pattern is tried only there
_KEYWORD_WORDS = ["password", "passwd", "pwd", "secret", "token", "api", "access", "private", "credential"]
_KEYWORD_WORDS += ["auth", "密码", "口令", "密钥", "令牌", "秘钥", "私钥"]
_KEYWORD_STARTS = ahocorasick_rs.AhoCorasick(
    _KEYWORD_WORDS,
    matchkind=ahocorasick_rs.MatchKind.Standard,
)
_VALUE_RE = re.compile(r"[\"'`]?([A-Za-z0-9+/=_\-.!@#$%^&*~]{8,200})")
_ASSIGN_CHARS = frozenset(" \t:=：是为\"'`")


def _keyword_starts(text: str) -> list[int]:
    low = lower_same_length(text)
    try:
        found = _KEYWORD_STARTS.find_matches_as_indexes(low, overlapping=True)
    except UnicodeEncodeError:  # lone surrogates: same length, never part of a key word
        clean = re.sub("[\ud800-\udfff]", "\ufffd", low)
        found = _KEYWORD_STARTS.find_matches_as_indexes(clean, overlapping=True)
    return sorted({start for _, start, _ in found})


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


@register_detector
class SecretsDetector(Detector):
    """API keys, tokens, private keys and password-like values near key words."""

    name = "secrets"
    clauses = CLAUSES
    literal = True

    @classmethod
    def known_categories(cls) -> frozenset[str]:
        return frozenset(category for category, _, _ in _TOKENS) | {"SECRET_VALUE"}

    def __init__(self, min_entropy: float = 3.0) -> None:
        self.min_entropy = min_entropy

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        taken = SpanSet()

        def add(category: str, start: int, end: int, score: float, why: str) -> None:
            if not taken.add(start, end):
                return
            found.append(Finding(self.name, category, score, Span(start, end), CLAUSES, why, text[start:end]))

        for category, pattern, score in _TOKENS:
            if not any(lit in text for lit in _TOKEN_LITERALS[category]):
                continue
            for m in pattern.finditer(text):
                add(category, m.start(), m.end(), score, f"{category.lower().replace('_', ' ')} format")
        if "PRIVATE KEY" in text:
            for m in re.finditer(r"-----END [A-Z ]{0,20}PRIVATE KEY(?: BLOCK)?-----", text):
                for i, f in enumerate(found):
                    if f.category == "PRIVATE_KEY" and f.span is not None and f.span.end <= m.start():
                        found[i] = Finding(
                            self.name,
                            "PRIVATE_KEY",
                            0.99,
                            Span(f.span.start, m.end()),
                            CLAUSES,
                            "PEM private key block",
                            text[f.span.start : m.end()],
                        )
                        break
        for m in _anchored(_KEYWORD_RE, text, _keyword_starts(text)):
            # the value must follow the key word within a few characters of assignment punctuation
            pos = m.end()
            limit = min(len(text), pos + 12)
            while pos < limit and (
                text[pos] in _ASSIGN_CHARS
                or (text[pos].isalpha() and pos - m.end() < 8 and not text[pos].isascii())
            ):
                pos += 1
            if pos == m.end() and pos < len(text) and text[pos] not in _ASSIGN_CHARS:
                continue
            v = _VALUE_RE.match(text, pos)
            if v is None:
                continue
            value = v.group(1)
            kinds = sum(
                (
                    any(c.islower() for c in value),
                    any(c.isupper() for c in value),
                    any(c.isdigit() for c in value),
                    any(not c.isalnum() for c in value),
                )
            )
            if kinds >= 2 and entropy(value) >= self.min_entropy:
                add("SECRET_VALUE", v.start(1), v.end(1), 0.8, f"high-entropy value after '{m.group()}'")
        return found
