"""Tests of layout.analysis.measures.hotspots: esda agreement, FDR, distance bands, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from layout.analysis import measures
from layout.core import gistar
from layout.errors import ConfigError, ValidationError
from layout.model.grid import Grid
from tests.fixtures.measures import masked_grid, random_firms


@pytest.fixture
def grid() -> Grid:
    return masked_grid()


@pytest.fixture
def firms():
    return random_firms()


# --- hot_spots --------------------------------------------------------------------------------


def test_hot_spots_match_esda_on_grid_mask(grid, firms):
    import esda
    from libpysal.weights import lat2W, w_subset

    dens = measures.kernel_density(firms, grid, weight=None, bandwidth=300.0)
    z, hot = measures.hot_spots(dens, grid)  # NaN outside the mask is fine
    ids = np.flatnonzero(grid.mask.ravel())
    w = w_subset(lat2W(*grid.shape, rook=False), list(ids))
    ref = esda.G_Local(dens.ravel()[ids], w, star=True, permutations=0, transform="B").Zs
    np.testing.assert_allclose(z.ravel()[ids], ref, rtol=0, atol=1e-9)
    assert np.isnan(z[~grid.mask]).all() and not hot[~grid.mask].any()
    # Without correction: hot exactly where z exceeds the one-sided 5 % quantile 1.6449.
    np.testing.assert_array_equal(hot[grid.mask], z[grid.mask] > 1.6448536269514722)


def test_hot_spots_fdr_is_stricter(grid):
    rng = np.random.default_rng(5)
    v = rng.normal(10.0, 1.0, grid.shape)  # no pattern
    v[5:9, 5:9] += 6.0  # one real hot spot
    _, plain = measures.hot_spots(v, grid)
    _, fdr = measures.hot_spots(v, grid, correction="fdr")
    assert fdr[6:8, 6:8].all()
    assert fdr.sum() < plain.sum()
    assert not (fdr & ~plain).any()


def test_hot_spots_distance_band(grid):
    v = np.ones(grid.shape)
    v[10:13, 10:13] = 5.0
    z, hot = measures.hot_spots(v, grid, radius=2, metric="distance")
    np.testing.assert_allclose(z, gistar.gi_star(v, mask=grid.mask, radius=2,
                                                 metric="distance"), equal_nan=True)
    assert hot[11, 11]


def test_hot_spots_bad_input(grid):
    with pytest.raises(ValidationError, match=r"shape \(3, 3\)"):
        measures.hot_spots(np.ones((3, 3)), grid)
    v = np.ones(grid.shape)
    v[2, 4] = np.nan
    with pytest.raises(ValidationError, match="row 2, column 4"):
        measures.hot_spots(v, grid)
    with pytest.raises(ConfigError, match="whole number"):
        measures.hot_spots(np.ones(grid.shape), grid, radius=1.5)
    with pytest.raises(ConfigError, match="alpha"):
        measures.hot_spots(np.ones(grid.shape), grid, alpha=5)
