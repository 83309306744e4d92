"""Score quantiles: a compact table of order statistics, and percentiles read back from it.

The score cache (`layout.scoring.cache`) stores `quantile_table` of every industry's scores over
its eligible cells, so that a site check can say where a score stands among them
(`percentile_from_quantiles`) without reading the whole raster.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Default number of quantile steps (10,001 values: 0.01 percentile-point steps).
N_QUANTILES = 10_000


def quantile_table(scores: NDArray[np.floating[Any]], k: int = N_QUANTILES) -> NDArray[np.float64]:
    """The ``k + 1`` order statistics ``q_j = s[ceil(j n / k) - 1]`` (``q_0 = s[0]``) of scores.

    Examples
    --------
    >>> quantile_table(np.array([3.0, 1.0, 2.0, 4.0]), k=4).tolist()
    [1.0, 1.0, 2.0, 3.0, 4.0]
    """
    s = np.sort(np.asarray(scores, dtype=np.float64).ravel())
    n = s.size
    if n == 0:
        return np.full(k + 1, np.nan)
    j = np.arange(k + 1, dtype=np.int64)
    idx = np.maximum((j * n + k - 1) // k - 1, 0)
    return s[idx]


def percentile_from_quantiles(
    quantiles: NDArray[np.float64], value: float | NDArray[np.floating[Any]]
) -> NDArray[np.float64]:
    """Share (in percent) of the scores that are at most ``value``, from `quantile_table`.

    Notes
    -----
    With ``j`` the largest index such that ``q_j <= value``, the exact share ``F`` satisfies
    ``j / K <= F < (j + 1) / K`` (``K = len(quantiles) - 1``), so the midpoint returned is within
    ``0.5 / K`` of it: 0.005 percentile points for ``K = 10,000``. Values below the minimum give
    0 and values at or above the maximum give 100, exactly.

    Examples
    --------
    >>> q = quantile_table(np.arange(1.0, 101.0), k=100)  # exact shares: 0, 50 and 100 %
    >>> percentile_from_quantiles(q, np.array([0.0, 50.0, 100.0])).tolist()  # K = 100: ±0.5
    [0.0, 50.5, 100.0]
    """
    k = len(quantiles) - 1
    v = np.asarray(value, dtype=np.float64)
    j = np.searchsorted(quantiles, v, side="right") - 1
    out = (j + 0.5) / k * 100.0
    out = np.where(j < 0, 0.0, out)
    out = np.where(j >= k, 100.0, out)
    return np.where(np.isnan(v), np.nan, out)

