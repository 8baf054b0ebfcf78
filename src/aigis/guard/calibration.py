"""Decision thresholds chosen on validation rows: the lowest score at which at most a given share of the
negative (benign) rows would be flagged.

The plain rule puts the threshold just above the k-th highest negative. Where the highest negatives are
few and far apart, which row is k-th changes from one training run to the next and the threshold jumps
with it. The smoothed rule estimates the same quantile as a weighted mean of all the negatives, with
weights that peak at the k-th (the Harrell-Davis estimator: Harrell and Davis, Biometrika 69, 1982), so
the rows around it all have a say and no single row decides.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def threshold_at_rate(negatives: Sequence[float], max_rate: float, smooth: bool = False) -> float:
    """The lowest threshold at which at most ``max_rate`` of ``negatives`` score at or above it.

    Plain: just above the k-th highest negative (k = floor(n * max_rate), counting from 0).
    ``smooth``: the Harrell-Davis estimate of the negatives' (1 - max_rate) quantile (for a ``max_rate``
    above 0).
    """
    if not negatives:
        raise ValueError("threshold_at_rate needs at least one negative score")
    if not 0.0 <= max_rate < 1.0:
        raise ValueError(f"max_rate must be in [0, 1), got {max_rate}")
    z = np.sort(np.asarray(negatives, dtype=np.float64))
    n = len(z)
    if not smooth or n == 1 or max_rate == 0.0:  # a rate of 0: above the highest, with nothing to smooth
        return float(z[n - 1 - int(n * max_rate)] + 1e-3)
    from scipy.special import betainc  # scipy.special takes about 0.2 s to import: only when smoothing

    q = 1.0 - max_rate
    a, b = (n + 1) * q, (n + 1) * (1.0 - q)
    cdf = betainc(a, b, np.arange(n + 1) / n)  # the Beta(a, b) mass below each i / n
    return float(np.dot(np.diff(cdf), z))
