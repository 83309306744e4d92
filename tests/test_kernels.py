"""Tests of layout.core.kernels against scikit-learn, esda/libpysal, scipy and hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from layout.core import kernels as k

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
    ours = k.kde_grid(x, y, w, x0=X0, y_top=YTOP, cell=CELL, nrows=NROWS, ncols=NCOLS,
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
            ours = k.kde_grid(px, py, None, x0=X0, y_top=YTOP, cell=CELL, nrows=NROWS,
                              ncols=NCOLS, bandwidth=h)
            ref = _exact_kde(px, py, np.ones(1), h)
            assert np.abs(ours - ref).max() <= 0.005 * ref.max()


def test_kde_points_outside_contribute(weighted_points):
    # Points up to 1 km outside the grid: the direct sum over all points is the reference.
    x, y, w = weighted_points
    outside = (x < X0) | (x > X0 + NCOLS * CELL) | (y > YTOP) | (y < YTOP - NROWS * CELL)
    assert outside.sum() >= 10
    only_out = k.kde_grid(x[outside], y[outside], w[outside], x0=X0, y_top=YTOP, cell=CELL,
                          nrows=NROWS, ncols=NCOLS, bandwidth=1000.0)
    ref = _exact_kde(x[outside], y[outside], w[outside], 1000.0)
    assert only_out.max() > 0
    assert np.abs(only_out - ref).max() <= 0.005 * ref.max()


def test_kde_mass_and_units():
    # One point of weight 1000 (万元) mid-grid: the integral over the grid is 1000 less the
    # tail beyond the truncation radius 4h: 1 - erf(4 / sqrt 2)² = 1.3e-4.
    px, py = np.array([X0 + 4050.0]), np.array([YTOP - 3050.0])  # a cell centre
    d = k.kde_grid(px, py, [1000.0], x0=X0, y_top=YTOP, cell=CELL, nrows=NROWS, ncols=NCOLS,
                   bandwidth=500.0)
    cell_km2 = (CELL / 1000.0) ** 2
    assert d.sum() * cell_km2 == pytest.approx(1000.0, rel=2e-4)
    # Peak: 1000 / (2 pi 0.25 km²) = 636.6 万元 per km².
    assert d.max() == pytest.approx(1000.0 / (2 * np.pi * 0.25), rel=1e-3)
    assert (d >= 0).all()


def test_kde_chunks_tile_exactly(weighted_points):
    # Computing two halves of the grid separately gives the full result (the chunking promise).
    x, y, w = weighted_points
    full = k.kde_grid(x, y, w, x0=X0, y_top=YTOP, cell=CELL, nrows=NROWS, ncols=NCOLS,
                      bandwidth=800.0)
    top = k.kde_grid(x, y, w, x0=X0, y_top=YTOP, cell=CELL, nrows=25, ncols=NCOLS,
                     bandwidth=800.0)
    bottom = k.kde_grid(x, y, w, x0=X0, y_top=YTOP - 25 * CELL, cell=CELL, nrows=NROWS - 25,
                        ncols=NCOLS, bandwidth=800.0)
    np.testing.assert_allclose(np.vstack([top, bottom]), full, rtol=0, atol=1e-9 * full.max())


def test_kde_empty():
    d = k.kde_grid([], [], None, x0=0.0, y_top=0.0, cell=10.0, nrows=3, ncols=4, bandwidth=50.0)
    assert d.shape == (3, 4) and (d == 0).all()


# --- window_sum and gi_star -----------------------------------------------------------------


@pytest.mark.parametrize(("radius", "metric"), [(1, "queen"), (3, "queen"), (1, "distance"),
                                                (2.5, "distance"), (5, "distance")])
def test_window_sum_matches_ndimage(radius, metric):
    rng = np.random.default_rng(1)
    a = rng.normal(size=(17, 23))
    r = int(np.floor(radius))
    dr, dc = np.mgrid[-r:r + 1, -r:r + 1]
    foot = np.ones_like(dr, bool) if metric == "queen" else dr**2 + dc**2 <= radius**2
    ref = ndimage.correlate(a, foot.astype(float), mode="constant", cval=0.0)
    np.testing.assert_allclose(k.window_sum(a, radius=radius, metric=metric), ref, atol=1e-12)


def test_gi_star_hand_example():
    # 5 x 5 zeros with a 9 in the middle: n = 25, ybar = 9/25 = 0.36,
    # S² = 81/25 - 0.36² = 3.1104.  Centre: L = 9, W = 9 ->
    # z = (9 - 0.36 * 9) / (sqrt(3.1104) * sqrt(9 * 16 / 24)) = 5.76 / 4.3199 = 1.33336.
    # Corner: L = 0, W = 4 -> z = -1.44 / (sqrt(3.1104) * sqrt(4 * 21 / 24)) = -0.43644.
    v = np.zeros((5, 5))
    v[2, 2] = 9.0
    z = k.gi_star(v)
    assert z[2, 2] == pytest.approx(5.76 / (np.sqrt(3.1104) * np.sqrt(6.0)), abs=1e-12)
    assert z[0, 0] == pytest.approx(-1.44 / (np.sqrt(3.1104) * np.sqrt(3.5)), abs=1e-12)


@pytest.fixture(scope="module")
def gi_data():
    rng = np.random.default_rng(7)
    nrows, ncols = 12, 15
    v = rng.gamma(2.0, 3.0, (nrows, ncols))
    v[3:6, 8:12] += 15.0  # a hot block
    mask = np.ones((nrows, ncols), bool)
    mask[:3, :4] = False  # a corner outside the study area
    mask[7, 5:9] = False  # a river
    mask[-1, -1] = False
    return v, mask


def _esda_zs(y, w):
    import esda

    return esda.G_Local(y, w, star=True, permutations=0, transform="B").Zs


def test_gi_star_matches_esda_queen(gi_data):
    from libpysal.weights import lat2W

    v, _ = gi_data
    ref = _esda_zs(v.ravel(), lat2W(*v.shape, rook=False))
    np.testing.assert_allclose(k.gi_star(v).ravel(), ref, rtol=0, atol=1e-9)


def test_gi_star_matches_esda_queen_masked(gi_data):
    from libpysal.weights import lat2W, w_subset

    v, mask = gi_data
    ids = np.flatnonzero(mask.ravel())
    w = w_subset(lat2W(*v.shape, rook=False), list(ids))
    ref = _esda_zs(v.ravel()[ids], w)
    z = k.gi_star(v, mask=mask)
    np.testing.assert_allclose(z.ravel()[ids], ref, rtol=0, atol=1e-9)
    assert np.isnan(z[~mask]).all()


def _centres_of(shape, cell=100.0):
    rr, cc = np.divmod(np.arange(shape[0] * shape[1]), shape[1])
    return np.column_stack([X0 + (cc + 0.5) * cell, YTOP - (rr + 0.5) * cell])


@pytest.mark.parametrize(("radius", "metric", "p"), [
    (1.5, "distance", 2.0), (2, "distance", 2.0), (3, "distance", 2.0),
    (2, "queen", np.inf),  # queen of order 2 = Chebyshev distance band of 2 cells
])
def test_gi_star_matches_esda_distance_band(gi_data, radius, metric, p):
    from libpysal.weights import DistanceBand

    v, mask = gi_data
    ids = np.flatnonzero(mask.ravel())
    # Cell centres inside the mask only; threshold is inclusive (d <= r * cell) in libpysal.
    w = DistanceBand(_centres_of(v.shape)[ids], threshold=radius * 100.0, binary=True, p=p,
                     silence_warnings=True)
    ref = _esda_zs(v.ravel()[ids], w)
    z = k.gi_star(v, mask=mask, radius=radius, metric=metric)
    np.testing.assert_allclose(z.ravel()[ids], ref, rtol=0, atol=1e-9)


def test_gi_star_row_standardised_relation(gi_data):
    # esda's transform="R" Zs = z_B * sqrt((n - W_i) / ((n - 1) W_i)) (documented in gi_star).
    import esda
    from libpysal.weights import fill_diagonal, lat2W

    v, _ = gi_data
    w = fill_diagonal(lat2W(*v.shape, rook=False), 1.0)  # self-weight set: no esda warning
    ref = esda.G_Local(v.ravel(), w, star=True, permutations=0, transform="R").Zs
    n = v.size
    wi = k.window_sum(np.ones(v.shape)).ravel()
    np.testing.assert_allclose(k.gi_star(v).ravel() * np.sqrt((n - wi) / ((n - 1) * wi)), ref,
                               rtol=0, atol=1e-9)


def test_gi_star_negative_mean_sign(gi_data):
    # Documented: for data with a negative mean esda's ratio form flips the sign of z.
    from libpysal.weights import lat2W

    v, _ = gi_data
    y = v - 3 * v.mean()
    ref = _esda_zs(y.ravel(), lat2W(*v.shape, rook=False))
    np.testing.assert_allclose(k.gi_star(y).ravel(), -ref, rtol=0, atol=1e-9)
    # Ord-Getis z is invariant to shifting the data.
    np.testing.assert_allclose(k.gi_star(y), k.gi_star(v), atol=1e-9)


def test_gi_star_constant_is_nan():
    assert np.isnan(k.gi_star(np.full((4, 4), 0.1))).all()
    v = np.arange(16.0).reshape(4, 4)
    mask = np.zeros((4, 4), bool)
    mask[0, :2] = True  # two cells of equal value inside: S = 0
    v[0, :2] = 5.0
    assert np.isnan(k.gi_star(v, mask=mask)).all()


def test_gi_star_window_covering_mask_is_nan():
    # Four cells in a 2 x 2 block: every queen window holds all of them, W = n -> 0 / 0.
    mask = np.zeros((5, 5), bool)
    mask[1:3, 1:3] = True
    v = np.arange(25.0).reshape(5, 5)
    assert np.isnan(k.gi_star(v, mask=mask)).all()
    # With a distance band of 1 cell each window holds 3 of the 4: finite z inside.
    z = k.gi_star(v, mask=mask, radius=1, metric="distance")
    assert np.isfinite(z[mask]).all() and np.isnan(z[~mask]).all()


# --- location quotient ----------------------------------------------------------------------


def test_location_quotient_hand_example():
    # Employment, 3 regions x 2 industries (auto, food):
    #   r0: 60, 40 (e_r = 100); r1: 10, 90 (100); r2: 30, 70 (100).
    # E_auto = 100, E_food = 200, E = 300 -> area shares 1/3 and 2/3.
    #   LQ r0 auto = 0.6 / (1/3) = 1.8;  food = 0.4 / (2/3) = 0.6
    #   LQ r1 auto = 0.1 * 3 = 0.3;      food = 0.9 * 1.5 = 1.35
    #   LQ r2 auto = 0.3 * 3 = 0.9;      food = 0.7 * 1.5 = 1.05
    e = np.array([[60.0, 40.0], [10.0, 90.0], [30.0, 70.0]])
    expected = np.array([[1.8, 0.6], [0.3, 1.35], [0.9, 1.05]])
    np.testing.assert_allclose(k.location_quotient(e), expected, rtol=1e-12)


def test_location_quotient_zeros():
    # Empty region -> NaN row; an industry with no activity -> NaN column; 0 stays 0.
    e = np.array([[5.0, 0.0, 0.0], [0.0, 0.0, 0.0], [5.0, 10.0, 0.0]])
    lq = k.location_quotient(e)
    assert np.isnan(lq[1]).all() and np.isnan(lq[:, 2]).all()
    assert lq[0, 1] == 0.0
    assert lq[0, 0] == pytest.approx((5 / 5) / (10 / 20))


# --- Ellison-Glaeser --------------------------------------------------------------------------


def test_ellison_glaeser_hand_example():
    # x = (0.5, 0.3, 0.2): sum x² = 0.38.  Plants: 30 and 10 employees in region 0, 60 in
    # region 2 -> s = (0.4, 0, 0.6).
    # G = 0.1² + 0.3² + 0.4² = 0.26;  H = 0.3² + 0.1² + 0.6² = 0.46;
    # gamma = (0.26 / 0.62 - 0.46) / (1 - 0.46) = (0.4193548 - 0.46) / 0.54 = -0.0752688.
    gamma, g, h = k.ellison_glaeser([0, 0, 2], [30.0, 10.0, 60.0], [0.5, 0.3, 0.2])
    assert g == pytest.approx(0.26, abs=1e-12)
    assert h == pytest.approx(0.46, abs=1e-12)
    assert gamma == pytest.approx((0.26 / 0.62 - 0.46) / 0.54, abs=1e-12)
    assert gamma == pytest.approx(-0.0752688, abs=1e-7)


def test_ellison_glaeser_dartboard_expectation():
    # EG's theorem: with plants thrown at random in proportion to x (no spillovers), E[gamma] = 0.
    rng = np.random.default_rng(3)
    x = np.array([0.4, 0.25, 0.2, 0.1, 0.05])
    sizes = rng.integers(5, 200, 40).astype(float)
    gammas = [k.ellison_glaeser(rng.choice(5, 40, p=x), sizes, x)[0] for _ in range(4000)]
    assert abs(np.mean(gammas)) < 0.01


def test_ellison_glaeser_degenerate():
    assert np.isnan(k.ellison_glaeser([1], [50.0], [0.5, 0.5])[0])  # one plant: H = 1
    assert np.isnan(k.ellison_glaeser([], [], [0.5, 0.5])[0])


def test_coagglomeration_hand_example():
    # x = (0.5, 0.3, 0.2); s_a = (0.4, 0, 0.6), s_b = (0.2, 0.1, 0.7).
    # sum (s_a - x)(s_b - x) = (-0.1)(-0.3) + (-0.3)(-0.2) + (0.4)(0.5) = 0.03 + 0.06 + 0.2 = 0.29
    # gamma_c = 0.29 / 0.62 = 0.4677419.
    gc = k.coagglomeration([0.4, 0.0, 0.6], [0.2, 0.1, 0.7], [0.5, 0.3, 0.2])
    assert gc == pytest.approx(0.29 / 0.62, abs=1e-12)


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
    exact = k.kde_grid(x, y, w, **kw)
    fast = k.kde_grid_coarse(x, y, w, **kw)
    assert np.abs(fast - exact).max() <= 0.005 * exact.max()
