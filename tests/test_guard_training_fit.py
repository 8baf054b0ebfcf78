"""The fast models' optimiser: fits averaged over minibatch orders."""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt

from aigis.guard.models import Features
from aigis.guard.training import _design, _fit_binary

CUES = 40  # feature ids 0..CUES-1 mark the positive class, the next CUES the negative class


def _toy_rows(seed: int, n: int = 1200) -> list[tuple[Features, float]]:
    """Rows of a few hashed ids each: one or two class cues among shared noise ids."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = float(rng.random() < 0.5)
        base = 0 if label else CUES
        ids = {base + rng.randrange(CUES) for _ in range(rng.randint(1, 2))}
        ids |= {2 * CUES + rng.randrange(400) for _ in range(rng.randint(2, 6))}
        if rng.random() < 0.1:  # label noise: the classes do not separate perfectly
            label = 1.0 - label
        sorted_ids = np.array(sorted(ids), dtype=np.int64)
        vals = np.full(len(sorted_ids), 1 / np.sqrt(len(sorted_ids)), dtype=np.float32)
        rows.append((Features(sorted_ids, vals, (), ()), label))
    return rows


def _fit(
    rows: list[tuple[Features, float]], orders: int, seed: int = 0
) -> tuple[npt.NDArray[np.float64], float]:
    y = np.array([label for _, label in rows])
    return _fit_binary(
        _design([f for f, _ in rows]),
        y,
        np.ones(len(rows)),
        l2=1e-7,
        epochs=3,
        batch=32,
        orders=orders,
        seed=seed,
    )


def test_an_averaged_fit_is_reproducible_and_separates_the_classes() -> None:
    rows = _toy_rows(1)
    w, b = _fit(rows, orders=4)
    w_again, b_again = _fit(rows, orders=4)
    assert np.array_equal(w, w_again) and b == b_again
    assert not np.array_equal(w, _fit(rows, orders=4, seed=1)[0])  # the seed draws the orders
    assert w[:CUES].min() > 0 > w[CUES : 2 * CUES].max()
    logits = [float(f.vals @ w[f.ids]) + b for f, _ in rows]
    correct = sum((z > 0) == (label == 1.0) for z, (_, label) in zip(logits, rows, strict=True))
    assert correct / len(rows) > 0.85
