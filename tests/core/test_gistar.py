"""Tests of layout.core.gistar against scipy.ndimage, esda/libpysal and hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from layout.core import gistar

# A 60 x 80 grid of 100 m cells near Zhengzhou in EPSG:4547 coordinates (metres).
X0, YTOP, CELL, NROWS, NCOLS = 480_000.0, 3_860_000.0, 100.0, 60, 80


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
    np.testing.assert_allclose(gistar.window_sum(a, radius=radius, metric=metric), ref, atol=1e-12)


def test_gi_star_hand_example():
    # 5 x 5 zeros with a 9 in the middle: n = 25, ybar = 9/25 = 0.36,
    # S² = 81/25 - 0.36² = 3.1104.  Centre: L = 9, W = 9 ->
    # z = (9 - 0.36 * 9) / (sqrt(3.1104) * sqrt(9 * 16 / 24)) = 5.76 / 4.3199 = 1.33336.
    # Corner: L = 0, W = 4 -> z = -1.44 / (sqrt(3.1104) * sqrt(4 * 21 / 24)) = -0.43644.
    v = np.zeros((5, 5))
    v[2, 2] = 9.0
    z = gistar.gi_star(v)
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
    np.testing.assert_allclose(gistar.gi_star(v).ravel(), ref, rtol=0, atol=1e-9)


def test_gi_star_matches_esda_queen_masked(gi_data):
    from libpysal.weights import lat2W, w_subset

    v, mask = gi_data
    ids = np.flatnonzero(mask.ravel())
    w = w_subset(lat2W(*v.shape, rook=False), list(ids))
    ref = _esda_zs(v.ravel()[ids], w)
    z = gistar.gi_star(v, mask=mask)
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
    z = gistar.gi_star(v, mask=mask, radius=radius, metric=metric)
    np.testing.assert_allclose(z.ravel()[ids], ref, rtol=0, atol=1e-9)


def test_gi_star_row_standardised_relation(gi_data):
    # esda's transform="R" Zs = z_B * sqrt((n - W_i) / ((n - 1) W_i)) (documented in gi_star).
    import esda
    from libpysal.weights import fill_diagonal, lat2W

    v, _ = gi_data
    w = fill_diagonal(lat2W(*v.shape, rook=False), 1.0)  # self-weight set: no esda warning
    ref = esda.G_Local(v.ravel(), w, star=True, permutations=0, transform="R").Zs
    n = v.size
    wi = gistar.window_sum(np.ones(v.shape)).ravel()
    np.testing.assert_allclose(gistar.gi_star(v).ravel() * np.sqrt((n - wi) / ((n - 1) * wi)), ref,
                               rtol=0, atol=1e-9)


def test_gi_star_negative_mean_sign(gi_data):
    # Documented: for data with a negative mean esda's ratio form flips the sign of z.
    from libpysal.weights import lat2W

    v, _ = gi_data
    y = v - 3 * v.mean()
    ref = _esda_zs(y.ravel(), lat2W(*v.shape, rook=False))
    np.testing.assert_allclose(gistar.gi_star(y).ravel(), -ref, rtol=0, atol=1e-9)
    # Ord-Getis z is invariant to shifting the data.
    np.testing.assert_allclose(gistar.gi_star(y), gistar.gi_star(v), atol=1e-9)


def test_gi_star_constant_is_nan():
    assert np.isnan(gistar.gi_star(np.full((4, 4), 0.1))).all()
    v = np.arange(16.0).reshape(4, 4)
    mask = np.zeros((4, 4), bool)
    mask[0, :2] = True  # two cells of equal value inside: S = 0
    v[0, :2] = 5.0
    assert np.isnan(gistar.gi_star(v, mask=mask)).all()


def test_gi_star_window_covering_mask_is_nan():
    # Four cells in a 2 x 2 block: every queen window holds all of them, W = n -> 0 / 0.
    mask = np.zeros((5, 5), bool)
    mask[1:3, 1:3] = True
    v = np.arange(25.0).reshape(5, 5)
    assert np.isnan(gistar.gi_star(v, mask=mask)).all()
    # With a distance band of 1 cell each window holds 3 of the 4: finite z inside.
    z = gistar.gi_star(v, mask=mask, radius=1, metric="distance")
    assert np.isfinite(z[mask]).all() and np.isnan(z[~mask]).all()
