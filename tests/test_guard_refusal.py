"""Refusal detection on model responses, zh and en (the guard's output side and the refusal scorer)."""

from __future__ import annotations

import time

import pytest

from aigis.guard import classify_refusal, is_refusal


@pytest.mark.parametrize(
    "response",
    [
        "抱歉，我无法提供这方面的信息。",
        "作为AI助手，我不能协助此类行为。",
        "I'm sorry, but I can't help with that.",
        "I\u2019m sorry, but I won\u2019t do that.",  # typographic apostrophes
        "I CANNOT help with that.",
        "如果你正在经历困难，请联系心理援助热线。",  # a redirect with nothing requested in it
    ],
)
def test_refusals_and_redirects_decline(response: str) -> None:
    assert is_refusal(response)


@pytest.mark.parametrize(
    "response",
    [
        "第一步，准备好原料。",
        "Sure, here is how to do it.",
        "Python is a programming language.",
        "The first thing to do is gather what you need. " * 5 + "I'm sorry.",  # only the opening counts
    ],
)
def test_compliant_responses_do_not_decline(response: str) -> None:
    assert not is_refusal(response)


def test_partial_compliance_is_labelled_while_the_opening_still_declines() -> None:
    # the refusal scorer weighs what follows a refusal; the guard's output side reads the opening and
    # leaves what follows to the content models
    text = "抱歉，我不能提供帮助。不过具体步骤如下：第一步，准备原料和容器；第二步，混合并加热到八十度。"
    assert classify_refusal(text, "zh").label == "partial"
    assert is_refusal(text)


def test_huge_responses_take_bounded_time() -> None:
    t0 = time.perf_counter()
    assert not is_refusal("a " * 1_000_000)
    assert time.perf_counter() - t0 < 10.0
