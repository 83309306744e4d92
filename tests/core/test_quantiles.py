"""Score quantiles (layout.core.quantiles) against their definitions, computed independently.

`quantile_table` is checked against ``q_j = s[ceil(j n / k) - 1]`` evaluated with exact fractions;
`percentile_from_quantiles` against the exact share of scores at most a value (counted with
`numpy.count_nonzero`), which it must approach within half a step, ``0.5 / k``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from layout.core.quantiles import N_QUANTILES, percentile_from_quantiles, quantile_table


def table_by_definition(scores: np.ndarray, k: int) -> list[float]:
    s = sorted(float(v) for v in scores)
    n = len(s)
    return [s[max(math.ceil(Fraction(j * n, k)) - 1, 0)] for j in range(k + 1)]


@pytest.mark.parametrize(("n", "k"), [(1, 4), (4, 4), (7, 3), (10, 100), (1000, 37), (5, 10_000)])
def test_quantile_table_by_definition(n: int, k: int) -> None:
    scores = np.random.default_rng(n + k).uniform(0, 100, n)
    assert quantile_table(scores, k=k).tolist() == table_by_definition(scores, k)


def test_quantile_table_ends_and_order() -> None:
    scores = np.random.default_rng(1).normal(50, 15, (40, 50)).astype(np.float32)
    q = quantile_table(scores)
    assert q.shape == (N_QUANTILES + 1,) and q.dtype == np.float64
    assert q[0] == float(scores.min()) and q[-1] == float(scores.max())
    assert (np.diff(q) >= 0).all()


def test_quantile_table_of_no_scores_is_nan() -> None:
    q = quantile_table(np.zeros(0), k=5)
    assert q.shape == (6,) and np.isnan(q).all()


@pytest.mark.parametrize("k", [10, 100, 1000])
def test_percentile_within_half_a_step_of_the_exact_share(k: int) -> None:
    rng = np.random.default_rng(k)
    scores = np.round(rng.uniform(0, 100, 5000), 1)  # ties, as scores have
    q = quantile_table(scores, k=k)
    probes = np.concatenate([rng.uniform(-5, 105, 300), scores[:100]])
    got = percentile_from_quantiles(q, probes)
    exact = np.array([np.count_nonzero(scores <= v) / len(scores) * 100.0 for v in probes])
    assert np.abs(got - exact).max() <= 50.0 / k + 1e-9


def test_percentile_ends_and_nan() -> None:
    q = quantile_table(np.arange(1.0, 11.0), k=10)
    got = percentile_from_quantiles(q, np.array([0.5, 10.0, 11.0, np.nan]))
    assert got[:3].tolist() == [0.0, 100.0, 100.0]
    assert np.isnan(got[3])
    assert float(percentile_from_quantiles(q, 5.0)) == pytest.approx(55.0)  # exact share 50 %


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quantile_percentile_bound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = np.round(rng.gamma(2.0, 12.0, size=200_003), 1)  # many ties
    q = quantile_table(scores)
    assert q.size == N_QUANTILES + 1
    probes = np.concatenate([rng.uniform(-5, 120, 500), scores[:500], [scores.min(), scores.max()]])
    exact = 100.0 * np.mean(scores[None, :] <= probes[:, None], axis=1)
    est = percentile_from_quantiles(q, probes)
    assert np.max(np.abs(est - exact)) <= 0.005 + 1e-9
