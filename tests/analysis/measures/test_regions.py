"""Tests of layout.analysis.measures.regions: location quotients by hand, boundaries, errors."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layout.analysis import measures
from layout.errors import CRSError, ValidationError
from tests.fixtures.measures import X0, YTOP, firms_in_squares, three_squares


@pytest.fixture
def regions_metric() -> gpd.GeoDataFrame:
    return three_squares()


@pytest.fixture
def regions(regions_metric) -> gpd.GeoDataFrame:
    """The same squares stored in lon/lat (the join reprojects them to the firms' CRS)."""
    return regions_metric.to_crs("EPSG:4326")


def test_location_quotients_hand_example(regions):
    # Output (万元): r0 auto 60 (2 firms: 20 + 40), food 40; r1 auto 10, food 90; r2 auto 30,
    # food 70; plus a food firm of 999 outside every region (dropped).
    # Same table as tests/core/test_regional.py::test_location_quotient_hand_example:
    # LQ r0 = (1.8, 0.6), r1 = (0.3, 1.35), r2 = (0.9, 1.05).
    firms = firms_in_squares([(0, "auto", 20, 1), (0, "auto", 40, 1), (0, "food", 40, 1),
                              (1, "auto", 10, 1), (1, "food", 90, 1), (2, "auto", 30, 1),
                              (2, "food", 70, 1), (9, "food", 999, 1)])
    lq = measures.location_quotients(firms, regions, region_id="county", reference="regions")
    expected = pd.DataFrame([[1.8, 0.6], [0.3, 1.35], [0.9, 1.05]],
                            index=pd.Index(["r0", "r1", "r2"], name="county"),
                            columns=pd.Index(["auto", "food"], name="industry"))
    pd.testing.assert_frame_equal(lq, expected, rtol=1e-9)
    assert lq.attrs["n_outside"] == 1 and lq.attrs["n_enterprises"] == 7
    # Default reference "all": the outside firm counts in E_i / E. Overall auto 100 of 1,299,
    # food 1,199 of 1,299; r0 auto share 60 / 100 -> LQ 0.6 / (100 / 1299) = 7.794.
    lq_all = measures.location_quotients(firms, regions, region_id="county")
    shares = {"auto": 100 / 1299, "food": 1199 / 1299}
    region = {"r0": (60, 40), "r1": (10, 90), "r2": (30, 70)}
    for rid, (a, f) in region.items():
        assert lq_all.loc[rid, "auto"] == pytest.approx(a / (a + f) / shares["auto"], rel=1e-12)
        assert lq_all.loc[rid, "food"] == pytest.approx(f / (a + f) / shares["food"], rel=1e-12)


def test_location_quotients_boundary_point_goes_to_first_region(regions_metric):
    firms = firms_in_squares([(0, "auto", 1, 1), (1, "food", 1, 1)])
    firms.loc[0, "geometry"] = shapely.Point(X0 + 1000, YTOP - 500)  # on the edge r0 | r1
    lq = measures.location_quotients(firms, regions_metric, region_id="county")
    assert lq.attrs["n_outside"] == 0
    assert lq.loc["r0", "auto"] == 2.0  # r0 holds the auto firm only: (1/1) / (1/2)
    assert lq.loc["r1", "food"] == 2.0


def test_location_quotients_errors(regions):
    firms = firms_in_squares([(0, "auto", 1, 1)])
    with pytest.raises(ValidationError, match="rename 'county' if it is this column"):
        measures.location_quotients(firms, regions, region_id="countie")
    dup = pd.concat([regions, regions.iloc[[0]]])
    with pytest.raises(ValidationError, match="duplicate id"):
        measures.location_quotients(firms, dup, region_id="county")
    with pytest.raises(ValidationError, match="expected a column 'employes'"):
        measures.location_quotients(firms, regions, region_id="county", measure="employes")
    with pytest.raises(CRSError):
        measures.location_quotients(firms, regions.set_crs(None, allow_override=True),
                                    region_id="county")
