"""Thresholds chosen on validation rows: the plain k-th-highest rule and its smoothed form."""

from __future__ import annotations

import numpy as np
import pytest

from aigis.guard.calibration import threshold_at_rate


def test_plain_rule_sits_just_above_the_kth_highest_negative() -> None:
    negatives = [float(x) for x in range(100)]  # 99 is the highest
    t = threshold_at_rate(negatives, 0.02)  # two negatives may score above it
    assert t == pytest.approx(97.001)
    assert sum(z >= t for z in negatives) == 2


def test_smoothed_rule_flags_about_the_allowed_share() -> None:
    negatives = np.random.default_rng(3).normal(0.0, 1.0, 5000).tolist()
    for rate in (0.01, 0.02, 0.05):
        t = threshold_at_rate(negatives, rate, smooth=True)
        flagged = sum(z >= t for z in negatives) / len(negatives)
        assert abs(flagged - rate) < 0.002, (rate, flagged)


def test_a_rate_of_zero_sits_above_every_negative() -> None:
    negatives = [0.5, 2.0, -1.0]
    assert threshold_at_rate(negatives, 0.0) == pytest.approx(2.001)
    assert threshold_at_rate(negatives, 0.0, smooth=True) == pytest.approx(2.001)


def test_a_stricter_rate_gives_a_higher_threshold() -> None:
    negatives = np.random.default_rng(4).normal(0.0, 1.0, 800).tolist()
    thresholds = [threshold_at_rate(negatives, r, smooth=True) for r in (0.05, 0.02, 0.01)]
    assert thresholds == sorted(thresholds)
    assert thresholds[0] < thresholds[-1]


def test_the_smoothed_threshold_lies_among_the_highest_negatives_and_ignores_their_order() -> None:
    negatives = np.random.default_rng(5).normal(0.0, 1.0, 300).tolist()
    t = threshold_at_rate(negatives, 0.02, smooth=True)
    assert sorted(negatives)[-15] < t < max(negatives)
    assert threshold_at_rate(negatives[::-1], 0.02, smooth=True) == pytest.approx(t)


def test_one_tail_row_moves_the_smoothed_threshold_less_than_the_plain_one() -> None:
    # a sparse tail: the 3rd-highest of 100 negatives decides at 2 %; moving it across the gap below is
    # the kind of change another training seed makes
    bulk = np.random.default_rng(6).normal(-2.0, 0.5, 95).tolist()
    before = [*bulk, 3.0, 2.6, 2.2, 1.0, 0.9]
    after = [*bulk, 3.0, 2.6, 0.95, 1.0, 0.9]
    plain = abs(threshold_at_rate(after, 0.02) - threshold_at_rate(before, 0.02))
    smooth = abs(threshold_at_rate(after, 0.02, smooth=True) - threshold_at_rate(before, 0.02, smooth=True))
    assert plain > 1.0
    assert smooth < 0.5 * plain


@pytest.mark.parametrize(("negatives", "rate"), [([], 0.02), ([0.0, 1.0], 1.0), ([0.0], -0.1)])
def test_bad_input_is_refused_with_a_reason(negatives: list[float], rate: float) -> None:
    with pytest.raises(ValueError, match=r"negative|max_rate"):
        threshold_at_rate(negatives, rate)
