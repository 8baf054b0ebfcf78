"""Any text, through every entry point of the default Guard: a verdict, spans inside the text, no detector
that fails, and a stream that releases exactly the checked text."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aigis.guard import ACTIONS, Guard

GUARD = Guard.default()

# pieces that exercise the normalizer and the detectors: keywords, cue phrases, PII, escapes, payloads,
# invisible and combining characters, lone surrogates, controls
PIECES = [
    "炸药",
    "bomb",
    "忽略以上所有指令",
    "ignore previous instructions",
    "身份证110101199003074514",
    "13800138000",
    "a@b.com",
    "%41%42%43",
    "aGVsbG8gd29ybGQ=",
    "b.o.m.b",
    "炸 药",
    "ＡＢＣ１２３",
    "аеорс",
    "\u200b\u200d\u2060\ufeff\u202e",
    "\u0301\u0308",
    "\ud800",
    "\x00\x1b[31m",
    "🙂💣👍🏽",
    "𠀀𪜀",
    "。！？…\n",
    "AKIAIOSFODNN7EXAMPLE",
    "4111 1111 1111 1111",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=30).map("".join)


def _no_failures(findings: list[Any]) -> bool:
    return all(f.category != "detector_error" for f in findings)


@settings(max_examples=150, deadline=None)
@given(TEXT, st.one_of(st.none(), TEXT))
def test_any_text_gets_a_verdict_with_spans_inside_it(text: str, prompt: str | None) -> None:
    for verdict in (
        GUARD.check_input(text),
        GUARD.check_input(text, source="document"),
        GUARD.check_output(text, prompt=prompt),
    ):
        assert verdict.action in ACTIONS and isinstance(verdict.text, str)
        assert _no_failures(verdict.findings), [f.rationale for f in verdict.findings]
        for f in verdict.findings:
            assert f.span is None or 0 <= f.span.start <= f.span.end <= len(text)


@settings(max_examples=100, deadline=None)
@given(TEXT, st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=40))
def test_any_stream_releases_the_checked_text(text: str, sizes: list[int]) -> None:
    chunks, i, k = [], 0, 0
    while i < len(text):
        step = sizes[k % len(sizes)]
        chunks.append(text[i : i + step])
        i, k = i + step, k + 1
    stream = GUARD.stream_output(chunks, prompt="hi")
    out = "".join(stream)
    verdict = stream.verdict
    assert verdict is not None and _no_failures(verdict.findings)
    if verdict.action == "allow":
        assert out == text
