"""Tests of layout.analysis.measures.concentration: Ellison-Glaeser and coagglomeration by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from layout.analysis import measures
from layout.errors import ValidationError
from tests.fixtures.measures import firms_in_squares, three_squares


@pytest.fixture
def regions() -> gpd.GeoDataFrame:
    """Three 1 km squares stored in lon/lat (the join reprojects them to the firms' CRS)."""
    return three_squares().to_crs("EPSG:4326")


def test_ellison_glaeser_gamma_hand_example(regions):
    # Employees: "auto" plants of 30 and 10 in r0 and 60 in r2; "food" plants of 100, 20 and 80
    # in r0, r1 and r2.  All manufacturing:
    #   r0 = 30 + 10 + 100 = 140, r1 = 20, r2 = 60 + 80 = 140; total 300 ->
    #   x = (14/30, 2/30, 14/30), sum x² = (196 + 4 + 196) / 900 = 0.44
    # auto: s = (0.4, 0, 0.6); G = (0.4 - 14/30)² + (2/30)² + (0.6 - 14/30)²
    #   = (1/15)² + (1/15)² + (2/15)² = 6/225;  H = 0.09 + 0.01 + 0.36 = 0.46
    #   gamma = (6/225 / 0.56 - 0.46) / 0.54
    firms = firms_in_squares([(0, "auto", 0, 30), (0, "auto", 0, 10), (2, "auto", 0, 60),
                              (0, "food", 0, 100), (1, "food", 0, 20), (2, "food", 0, 80)])
    eg = measures.ellison_glaeser_gamma(firms, regions, region_id="county")
    auto = eg.loc["auto"]
    assert auto["G"] == pytest.approx(6 / 225, abs=1e-12)
    assert auto["H"] == pytest.approx(0.46, abs=1e-12)
    assert auto["gamma"] == pytest.approx((6 / 225 / 0.56 - 0.46) / 0.54, abs=1e-12)
    assert auto["n_plants"] == 3
    assert list(eg.columns) == ["gamma", "G", "H", "n_plants"]
    # A supplied x_r (e.g. a yearbook's) replaces the layer's own: the hand example of
    # tests/core/test_regional.py with x = (0.5, 0.3, 0.2) gives gamma = -0.0752688.
    share = pd.Series({"r2": 2.0, "r0": 5.0, "r1": 3.0})  # normalised to sum 1
    eg2 = measures.ellison_glaeser_gamma(firms, regions, region_id="county", region_share=share)
    assert eg2.loc["auto", "gamma"] == pytest.approx(-0.0752688, abs=1e-7)


def test_coagglomeration_gamma_matrix(regions):
    # x = (0.5, 0.3, 0.2) given; auto s = (0.4, 0, 0.6), food s = (0.2, 0.1, 0.7):
    # gamma_c = 0.29 / 0.62 (see tests/core/test_regional.py::test_coagglomeration_hand_example).
    firms = firms_in_squares([(0, "auto", 0, 30), (0, "auto", 0, 10), (2, "auto", 0, 60),
                              (0, "food", 0, 20), (1, "food", 0, 10), (2, "food", 0, 70)])
    share = pd.Series({"r0": 0.5, "r1": 0.3, "r2": 0.2})
    gc = measures.coagglomeration_gamma(firms, regions, region_id="county", region_share=share)
    assert gc.loc["auto", "food"] == pytest.approx(0.29 / 0.62, abs=1e-12)
    assert gc.loc["food", "auto"] == gc.loc["auto", "food"]
    assert np.isnan(np.diag(gc.to_numpy())).all()


def test_region_share_must_cover_regions(regions):
    firms = firms_in_squares([(0, "auto", 0, 30), (1, "auto", 0, 10)])
    with pytest.raises(ValidationError, match="no share for regions"):
        measures.ellison_glaeser_gamma(firms, regions, region_id="county",
                                       region_share=pd.Series({"r0": 1.0}))
