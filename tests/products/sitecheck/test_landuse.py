"""A parcel's land-use codes: shapely areas by hand, overlaps counted once, schema kept."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layout.products.sitecheck.landuse import parcel_landuse
from layout.settings import M2_PER_MU


def test_codes_by_area_overlaps_once_and_schemas_apart() -> None:
    boxes = [shapely.box(0, 0, 100, 100), shapely.box(50, 0, 150, 100),  # two 0601, overlapping
             shapely.box(150, 0, 200, 100), shapely.box(0, 100, 200, 130)]
    lu = gpd.GeoDataFrame(
        {"code": ["0601", "0601", "1001", "1001"],
         "schema": ["gbt21010", "gbt21010", "gbt21010", "ydyh2023"],
         "lu_name": ["工业用地", "工业用地", "铁路用地", "工业用地"],
         "lu_class": ["industrial", "industrial", "built", "industrial"]},
        geometry=boxes, crs="EPSG:4547")
    parcels = np.array([shapely.box(0, 0, 200, 120), shapely.box(500, 500, 600, 600)],
                       dtype=object)
    areas = shapely.area(parcels)
    first, second = parcel_landuse(parcels, areas, lu)
    assert second == ()
    # by hand: 0601 x 0-150 (150 x 100), 1001 railway x 150-200 (50 x 100), 2023 1001 the
    # strip y 100-120 (200 x 20); the same number in two schemas stays two entries
    expected = [("0601", "gbt21010", 15_000.0), ("1001", "gbt21010", 5_000.0),
                ("1001", "ydyh2023", 4_000.0)]
    assert [(u.code, u.schema) for u in first] == [(c, s) for c, s, _ in expected]
    for u, (_, _, m2) in zip(first, expected, strict=True):
        assert u.area_mu == pytest.approx(m2 / M2_PER_MU, rel=1e-12)
        assert u.share == pytest.approx(m2 / areas[0], rel=1e-12)
    assert [u.name_zh for u in first] == ["工业用地", "铁路用地", "工业用地"]
    assert [u.name_en for u in first] == ["Industrial land", "Railway land", "Industrial land"]
    assert [u.schema_title[:4] for u in first] == ["GB/T"] * 2 + ["国土空间"]
