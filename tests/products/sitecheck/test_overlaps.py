"""Tests of `layout.products.sitecheck.overlaps`: constraint and zone overlaps against shapely."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layout.products.sitecheck import SiteCheck, example_parcels
from layout.products.sitecheck.overlaps import constraint_overlaps, split_codes, zone_overlaps
from tests.products.sitecheck.reference import METRIC, MU, expected_overlaps, layer


def test_overlap_areas_match_shapely(examples: dict[str, SiteCheck]) -> None:
    expected = expected_overlaps(example_parcels())
    found = {
        (pid, o.type): o.area_mu
        for pid, c in examples.items()
        for o in c.constraints
        if o.type != "steep_slope"
    }
    assert set(found) == set(expected) == {("B-farm", "basic_farmland")}
    for key, value in expected.items():
        assert found[key] == pytest.approx(value, rel=1e-3)
    share = examples["B-farm"].constraints[0].share
    assert share == pytest.approx(expected[("B-farm", "basic_farmland")] / 405, rel=2e-3)


def test_batch_overlaps_match_shapely(batch: tuple[gpd.GeoDataFrame, list[SiteCheck]]) -> None:
    parcels, checks = batch
    expected = expected_overlaps(parcels)
    found = {
        (c.parcel_id, o.type): o.area_mu
        for c in checks
        for o in c.constraints
        if o.type != "steep_slope"
    }
    # slivers below 1e-6 mu are rounding noise of either side
    expected = {k: v for k, v in expected.items() if v > 1e-6}
    found = {k: v for k, v in found.items() if v > 1e-6}
    assert set(found) == set(expected)
    assert len(expected) > 20  # the test exercises many overlaps
    for key, value in expected.items():
        assert found[key] == pytest.approx(value, rel=1e-3), key


def test_overlaps_of_a_hand_made_layer() -> None:
    parcel = shapely.box(0, 0, 100, 100)  # 10,000 m² = 15 mu
    cons = gpd.GeoDataFrame(
        {"type": ["basic_farmland", "basic_farmland", "flood_zone"],
         "constraint_id": ["bf1", "bf2", "fz1"], "legal_basis": ["law A", "law A", "law B"]},
        geometry=[shapely.box(-50, 0, 25, 100), shapely.box(0, 0, 50, 50),
                  shapely.box(90, 90, 200, 200)],
        crs=METRIC,
    )
    geoms = np.array([parcel], dtype=object)
    (found,) = constraint_overlaps(geoms, np.array([1e4]), cons, exclude={"basic_farmland"})
    assert [(o.type, o.excluding) for o in found] == [("basic_farmland", True),
                                                      ("flood_zone", False)]
    farm, flood = found
    # the two farmland features overlap each other: the type's area counts their union once
    assert farm.area_mu == pytest.approx((2500 + 1250) / MU)
    assert farm.share == pytest.approx(0.375)
    assert [f.constraint_id for f in farm.features] == ["bf1", "bf2"]
    assert farm.legal_basis == "law A"
    assert flood.area_mu == pytest.approx(100 / MU)


def test_zones_of_the_examples(examples: dict[str, SiteCheck]) -> None:
    zones = layer("zones")
    metric = example_parcels().to_crs(METRIC)
    geoms = np.asarray(metric.geometry.values, dtype=object)
    found = zone_overlaps(geoms, shapely.area(geoms), zones, industry="electronics")
    for pid, lst in zip(metric["parcel_id"], found, strict=True):
        assert [z.zone_id for z in lst] == [z.zone_id for z in examples[pid].zones]
        for z in lst:
            assert z.industry_leading == ("electronics" in z.leading)
    assert split_codes(" a, ,b ") == ("a", "b")
