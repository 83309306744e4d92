"""Tests of layout.core.kde against scikit-learn, a direct sum and hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from layout.core import kde

# A 60 x 80 grid of 100 m cells near Zhengzhou in EPSG:4547 coordinates (metres).
X0, YTOP, CELL, NROWS, NCOLS = 480_000.0, 3_860_000.0, 100.0, 60, 80


def _centres() -> np.ndarray:
    xc = X0 + (np.arange(NCOLS) + 0.5) * CELL
    yc = YTOP - (np.arange(NROWS) + 0.5) * CELL
    xx, yy = np.meshgrid(xc, yc)
    return np.column_stack([xx.ravel(), yy.ravel()])


@pytest.fixture(scope="module")
def weighted_points() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """300 points, 10 % of them up to 1 km outside the grid, skewed weights (万元)."""
    rng = np.random.default_rng(20120424)
    n = 300
    x = rng.uniform(X0 - 1000, X0 + NCOLS * CELL + 1000, n)
    y = rng.uniform(YTOP - NROWS * CELL - 1000, YTOP + 1000, n)
    # Two blobs to make a clear peak.
    x[:60] = rng.normal(X0 + 2500, 300, 60)
    y[:60] = rng.normal(YTOP - 2000, 300, 60)
    w = rng.gamma(1.0, 50.0, n)
    return x, y, w


def _exact_kde(x, y, w, h):
    """Direct O(cells x points) sum, per km²: the reference the sklearn check also confirms."""
    c = _centres()
    d2 = (c[:, None, 0] - x[None]) ** 2 + (c[:, None, 1] - y[None]) ** 2
    return ((w * np.exp(-d2 / (2 * h * h))).sum(1) / (2 * np.pi * h * h) * 1e6).reshape(
        NROWS, NCOLS)


# --- kde_grid -------------------------------------------------------------------------------


@pytest.mark.parametrize("h", [500.0, 1000.0, 2000.0])
def test_kde_matches_sklearn(weighted_points, h):
    from sklearn.neighbors import KernelDensity

    x, y, w = weighted_points
    ours = kde.kde_grid(x, y, w, x0=X0, y_top=YTOP, cell=CELL, nrows=NROWS, ncols=NCOLS,
                      bandwidth=h)
    kd = KernelDensity(kernel="gaussian", bandwidth=h, rtol=1e-4)
    kd.fit(np.column_stack([x, y]), sample_weight=w)
    # sklearn's density integrates to 1: times total weight, per m² -> per km².
    ref = (np.exp(kd.score_samples(_centres())) * w.sum() * 1e6).reshape(NROWS, NCOLS)
    assert np.abs(ours - ref).max() <= 0.005 * ref.max()


def test_kde_three_cells_worst_offsets():
    # One point at each of 7 x 7 sub-cell offsets; h = 3 cells is the documented accuracy limit.
    h = 3 * CELL
    for ox in np.linspace(0.0, 1.0, 7):
        for oy in np.linspace(0.0, 1.0, 7):
            px = np.array([X0 + (40 + ox) * CELL])
            py = np.array([YTOP - (30 + oy) * CELL])
            ours = kde.kde_grid(px, py, None, x0=X0, y_top=YTOP, cell=CELL, nrows=NROWS,
                              ncols=NCOLS, bandwidth=h)
            ref = _exact_kde(px, py, np.ones(1), h)
            assert np.abs(ours - ref).max() <= 0.005 * ref.max()


def test_kde_points_outside_contribute(weighted_points):
    # Points up to 1 km outside the grid: the direct sum over all points is the reference.
    x, y, w = weighted_points
    outside = (x < X0) | (x > X0 + NCOLS * CELL) | (y > YTOP) | (y < YTOP - NROWS * CELL)
    assert outside.sum() >= 10
    only_out = kde.kde_grid(x[outside], y[outside], w[outside], x0=X0, y_top=YTOP, cell=CELL,
                          nrows=NROWS, ncols=NCOLS, bandwidth=1000.0)
    ref = _exact_kde(x[outside], y[outside], w[outside], 1000.0)
    assert only_out.max() > 0
    assert np.abs(only_out - ref).max() <= 0.005 * ref.max()


def test_kde_mass_and_units():
    # One point of weight 1000 (万元) mid-grid: the integral over the grid is 1000 less the
    # tail beyond the truncation radius 4h: 1 - erf(4 / sqrt 2)² = 1.3e-4.
    px, py = np.array([X0 + 4050.0]), np.array([YTOP - 3050.0])  # a cell centre
    d = kde.kde_grid(px, py, [1000.0], x0=X0, y_top=YTOP, cell=CELL, nrows=NROWS, ncols=NCOLS,
                   bandwidth=500.0)
    cell_km2 = (CELL / 1000.0) ** 2
    assert d.sum() * cell_km2 == pytest.approx(1000.0, rel=2e-4)
    # Peak: 1000 / (2 pi 0.25 km²) = 636.6 万元 per km².
    assert d.max() == pytest.approx(1000.0 / (2 * np.pi * 0.25), rel=1e-3)
    assert (d >= 0).all()


def test_kde_chunks_tile_exactly(weighted_points):
    # Computing two halves of the grid separately gives the full result (the chunking promise).
    x, y, w = weighted_points
    full = kde.kde_grid(x, y, w, x0=X0, y_top=YTOP, cell=CELL, nrows=NROWS, ncols=NCOLS,
                      bandwidth=800.0)
    top = kde.kde_grid(x, y, w, x0=X0, y_top=YTOP, cell=CELL, nrows=25, ncols=NCOLS,
                     bandwidth=800.0)
    bottom = kde.kde_grid(x, y, w, x0=X0, y_top=YTOP - 25 * CELL, cell=CELL, nrows=NROWS - 25,
                        ncols=NCOLS, bandwidth=800.0)
    np.testing.assert_allclose(np.vstack([top, bottom]), full, rtol=0, atol=1e-9 * full.max())


def test_kde_empty():
    d = kde.kde_grid([], [], None, x0=0.0, y_top=0.0, cell=10.0, nrows=3, ncols=4, bandwidth=50.0)
    assert d.shape == (3, 4) and (d == 0).all()


@pytest.mark.parametrize("bandwidth", [1000.0, 3000.0, 5000.0, 8000.0])
def test_coarse_kde_within_half_a_percent_of_the_exact_grid(bandwidth):
    # The scoring stage uses kde_grid_coarse; its documented bound is 0.5 % of the peak.
    rng = np.random.default_rng(7)
    n = 400
    x = rng.uniform(-3000, 23000, n)
    y = rng.uniform(-18000, 2000, n)
    w = rng.pareto(1.5, n) + 0.1
    kw = {"x0": 0.0, "y_top": 0.0, "cell": 100.0, "nrows": 170, "ncols": 210,
          "bandwidth": bandwidth}
    exact = kde.kde_grid(x, y, w, **kw)
    fast = kde.kde_grid_coarse(x, y, w, **kw)
    assert np.abs(fast - exact).max() <= 0.005 * exact.max()
