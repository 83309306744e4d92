"""Ranks and shares of a set of values: percentile scores and top/bottom shares with ties.

Kernels of the 亩均效益 grading (`layout.analysis.efficiency`), on plain arrays with no missing
values (the caller removes them first).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata


def percentile_scores(values: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
    """``100 x rank / n`` with ascending ranks, ties sharing their average rank.

    Examples
    --------
    >>> percentile_scores(np.array([10.0, 30.0, 20.0, 20.0])).tolist()
    [25.0, 100.0, 62.5, 62.5]
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return np.zeros(0)
    return 100.0 * rankdata(v, method="average") / v.size


def count_above(values: NDArray[np.floating[Any]]) -> NDArray[np.int64]:
    """How many of the values are strictly larger than each one.

    Examples
    --------
    >>> count_above(np.array([1.0, 3.0, 3.0, 2.0])).tolist()
    [3, 0, 0, 2]
    """
    v = np.asarray(values, dtype=np.float64)
    s = np.sort(v)
    return (v.size - np.searchsorted(s, v, side="right")).astype(np.int64)


def count_below(values: NDArray[np.floating[Any]]) -> NDArray[np.int64]:
    """How many of the values are strictly smaller than each one.

    Examples
    --------
    >>> count_below(np.array([1.0, 3.0, 3.0, 2.0])).tolist()
    [0, 2, 2, 1]
    """
    v = np.asarray(values, dtype=np.float64)
    return np.searchsorted(np.sort(v), v, side="left").astype(np.int64)


def in_top(values: NDArray[np.floating[Any]], share: float) -> NDArray[np.bool_]:
    """True where fewer than ``share x n`` values are strictly larger (ties stay together).

    Examples
    --------
    >>> in_top(np.arange(10.0), 0.15).tolist().count(True)
    2
    """
    v = np.asarray(values, dtype=np.float64)
    return count_above(v) < share * v.size


def in_bottom(values: NDArray[np.floating[Any]], share: float) -> NDArray[np.bool_]:
    """True where fewer than ``share x n`` values are strictly smaller (ties stay together).

    Examples
    --------
    >>> in_bottom(np.arange(10.0), 0.10).tolist().count(True)
    1
    """
    v = np.asarray(values, dtype=np.float64)
    return count_below(v) < share * v.size
