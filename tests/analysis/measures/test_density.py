"""Tests of layout.analysis.measures.density: checks, CRS handling and agreement with the kernel."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from layout.analysis import measures
from layout.core import kde
from layout.errors import ConfigError, CRSError, LayoutError, ValidationError
from layout.model.grid import Grid
from tests.fixtures.measures import X0, YTOP, masked_grid, random_firms


@pytest.fixture
def grid() -> Grid:
    return masked_grid()


@pytest.fixture
def firms():
    return random_firms()


# --- kernel_density -------------------------------------------------------------------------


def test_kernel_density_matches_kernel_and_masks(grid, firms):
    d = measures.kernel_density(firms, grid, bandwidth=500.0)
    ref = kde.kde_grid(firms.geometry.x, firms.geometry.y, firms["output_wan"], x0=X0,
                       y_top=YTOP, cell=100.0, nrows=40, ncols=50, bandwidth=500.0)
    np.testing.assert_allclose(d[grid.mask], ref[grid.mask], rtol=1e-12)
    assert np.isnan(d[~grid.mask]).all()
    d0 = measures.kernel_density(firms, grid, bandwidth=500.0, fill=0.0)
    assert (d0[~grid.mask] == 0).all()


def test_kernel_density_counts_and_reprojects(grid, firms):
    # weight=None counts firms; another projected CRS (UTM 49N) is reprojected to the grid's.
    counts = measures.kernel_density(firms, grid, weight=None, bandwidth=400.0)
    utm = measures.kernel_density(firms.to_crs("EPSG:32649"), grid, weight=None, bandwidth=400.0)
    np.testing.assert_allclose(utm, counts, rtol=1e-6, equal_nan=True)
    # 120 firms, most of their kernel mass inside: integral (per km² x 0.01 km²) is below 120.
    total = np.nansum(measures.kernel_density(firms, grid, weight=None, bandwidth=400.0,
                                              fill=0.0)) * 0.01
    assert 0 < total < 120


def test_kernel_density_geographic_crs(grid, firms):
    with pytest.raises(CRSError, match="degrees"):
        measures.kernel_density(firms.to_crs("EPSG:4326"), grid)


def test_kernel_density_no_crs(grid, firms):
    with pytest.raises(CRSError, match="no CRS"):
        measures.kernel_density(firms.set_crs(None, allow_override=True), grid)


def test_kernel_density_missing_column(grid, firms):
    with pytest.raises(ValidationError, match="expected a column 'output_wan'") as err:
        measures.kernel_density(firms.drop(columns="output_wan"), grid)
    assert isinstance(err.value, LayoutError) and isinstance(err.value, ValueError)


def test_kernel_density_collects_bad_values(grid, firms):
    bad = firms.copy()
    bad.loc[3, "output_wan"] = -1.0
    bad.loc[7, "output_wan"] = np.nan
    bad.loc[9, "geometry"] = shapely.box(X0, YTOP - 100, X0 + 100, YTOP)
    with pytest.raises(ValidationError) as err:
        measures.kernel_density(bad, grid)
    problems = err.value.problems
    assert {p.feature for p in problems} == {"E003", "E007", "E009"}
    assert "2 more errors" in str(err.value)


def test_kernel_density_bad_bandwidth(grid, firms):
    with pytest.raises(ConfigError, match="half a cell"):
        measures.kernel_density(firms, grid, bandwidth=40.0)
