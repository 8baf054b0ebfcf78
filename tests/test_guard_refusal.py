"""Refusal detection at the opening of a model response, zh and en."""

from __future__ import annotations

import time

import pytest

from aigis.guard.refusal import OPENING_CHARS, is_refusal


@pytest.mark.parametrize(
    "response",
    [
        "抱歉，我无法提供这方面的信息。",
        "作为AI助手，我不能协助此类行为。",
        "这是违法行为，我拒绝回答。",
        "I'm sorry, but I can't help with that.",
        "I\u2019m unable to assist with this request.",  # a typographic apostrophe
        "As an AI, I must decline.",
        "I CANNOT help with that.",
    ],
)
def test_refusals_are_recognised(response: str) -> None:
    assert is_refusal(response)


@pytest.mark.parametrize(
    "response",
    [
        "第一步，准备好原料。",
        "Sure, here is how to do it.",
        "Python is a programming language.",
        "",
    ],
)
def test_compliant_responses_are_not_refusals(response: str) -> None:
    assert not is_refusal(response)


def test_only_the_opening_is_read() -> None:
    assert not is_refusal("Step one: " + "x" * OPENING_CHARS + " I'm sorry")


def test_huge_responses_take_bounded_time() -> None:
    t0 = time.perf_counter()
    assert not is_refusal("a" * 10_000_000)
    assert time.perf_counter() - t0 < 1.0
