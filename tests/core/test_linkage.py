"""layout.core.linkage: the weighted sums and the one p99 scale, against hand calculations.

The percentile is checked against an order statistic interpolated by hand (NumPy's default
"linear" method: rank ``q / 100 * (n - 1)`` between the two neighbouring sorted values) and
against `numpy.percentile` on the same cells. Tolerance: 1e-12 relative (float64 arithmetic on
values of order 1e4).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from layout.core.linkage import DEFAULT_PERCENTILE, linkage_scale, linkage_sides, weighted_sum


def hand_percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    rank = q / 100 * (len(s) - 1)
    lo = math.floor(rank)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (rank - lo) * (s[hi] - s[lo])


def test_weighted_sum_keeps_scale() -> None:
    # Two suppliers whose output differs 10x, densities known at three cells (万元/km²):
    # s = 0.5 for the big one, 0.8 for the small one.
    big = np.array([40_000.0, 4_000.0, 0.0])
    small = np.array([0.0, 400.0, 4_000.0])
    out = weighted_sum([(0.5, big), (0.8, small)], shape=(3,))
    # By hand: 0.5 * 40,000 = 20,000; 0.5 * 4,000 + 0.8 * 400 = 2,320; 0.8 * 4,000 = 3,200.
    assert out.tolist() == pytest.approx([20_000.0, 2_320.0, 3_200.0], rel=1e-12)
    # Each peak counts by output x strength (20,000 : 3,200), not equalised (0.5 : 0.8).
    assert out[0] / out[2] == pytest.approx(0.5 * 10 / 0.8, rel=1e-12)


def test_scale_is_the_99th_percentile_of_the_sum_over_the_mask() -> None:
    rng = np.random.default_rng(7)
    up = rng.gamma(0.5, 3000.0, size=(40, 50))
    down = rng.gamma(0.5, 800.0, size=(40, 50))
    mask = np.zeros((40, 50), bool)
    mask[5:35, 3:47] = True  # 1,320 cells
    up[~mask] = 1e9  # values outside the study area must not count
    k = linkage_scale(up, down, mask)
    total = (up + down)[mask].tolist()
    assert DEFAULT_PERCENTILE == 99.0
    assert k == pytest.approx(hand_percentile(total, 99.0), rel=1e-12)
    assert k == pytest.approx(float(np.percentile(np.array(total), 99)), rel=1e-12)
    # About 1 % of the study-area cells lie above it.
    assert np.mean(np.array(total) > k) == pytest.approx(0.01, abs=1 / 1320)


def test_sides_share_one_scale_and_clip_at_one() -> None:
    # Five cells; upstream + downstream = 0, 2, 4, 6, 20: the median (q = 50) is 4.
    up = np.array([0.0, 2.0, 1.0, 6.0, 12.0])
    down = np.array([0.0, 0.0, 3.0, 0.0, 8.0])
    u, d, k = linkage_sides(up, down, np.ones(5, bool), percentile=50)
    assert k == 4.0
    assert u.tolist() == [0.0, 0.5, 0.25, 1.0, 1.0]  # 6/4 and 12/4 clipped
    assert d.tolist() == [0.0, 0.0, 0.75, 0.0, 1.0]
    # Same constant on both sides: unclipped ratios are preserved.
    assert u[2] / d[2] == pytest.approx(up[2] / down[2])


def test_no_linked_output_gives_zeros() -> None:
    zeros = np.zeros(4)
    u, d, k = linkage_sides(zeros, zeros, np.ones(4, bool))
    assert k == 0.0 and not u.any() and not d.any()
    assert linkage_scale(zeros, zeros, np.zeros(4, bool)) == 0.0  # no study-area cell


def test_nan_cells_are_ignored_by_the_scale() -> None:
    up = np.array([np.nan, 1.0, 2.0, 3.0])
    k = linkage_scale(up, np.zeros(4), np.ones(4, bool), percentile=50)
    assert k == pytest.approx(hand_percentile([1.0, 2.0, 3.0], 50))
