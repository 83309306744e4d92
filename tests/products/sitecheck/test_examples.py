"""Tests of `layout.products.sitecheck.examples`."""

from __future__ import annotations

import numpy as np

from layout.products.sitecheck import example_indicators, example_parcels
from tests.products.sitecheck.reference import METRIC, MU


def test_example_parcels_fixture() -> None:
    ex = example_parcels()
    assert ex.crs.to_epsg() == 4326
    assert ex["parcel_id"].tolist() == ["A-airport", "B-farm", "C-lowfar"]
    areas = ex.to_crs(METRIC).area / MU
    assert np.allclose(areas, 405, rtol=1e-3)  # 600 m x 450 m
    assert set(example_indicators()) == set(ex["parcel_id"])
