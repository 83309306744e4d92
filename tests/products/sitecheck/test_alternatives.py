"""Tests of `layout.products.sitecheck.alternatives`: better sites from the raster or a plan."""

from __future__ import annotations

import geopandas as gpd
import pytest
import rasterio
import shapely

from layout.products.sitecheck import SiteCheck, VerdictRules, check_parcels, example_parcels
from layout.products.sitecheck.alternatives import compass_direction
from layout.scoring.cache import ScoreCache
from tests.products.sitecheck.reference import METRIC, full_raster, to_metric


def test_alternatives_are_near_better_and_big_enough(score_cache: ScoreCache,
                                                     examples: dict[str, SiteCheck]) -> None:
    b = examples["B-farm"]
    alts = b.alternatives
    assert 1 <= len(alts) <= VerdictRules().max_alternatives
    assert [a.distance_m for a in alts] == sorted(a.distance_m for a in alts)
    for a in alts:
        assert a.distance_m <= 10_000
        assert a.gain >= VerdictRules().alt_margin
        assert a.area_mu >= b.area_mu * 0.999
    score, _, transform = full_raster(score_cache, "electronics")
    r, c = rasterio.transform.rowcol(transform, *to_metric(alts[0].lon, alts[0].lat))
    assert score[r, c] >= b.suitability.mean + 10


def test_plan_sites_as_alternatives(score_cache: ScoreCache) -> None:
    b = example_parcels().iloc[[1]]
    bm = b.to_crs(METRIC).geometry.iloc[0]
    near = shapely.affinity.translate(bm, 0, 2000).buffer(100)
    far = shapely.affinity.translate(bm, 0, 30_000)
    worse = shapely.affinity.translate(bm, 2000, 0)
    sites = gpd.GeoDataFrame(
        {"site_id": ["electronics-01", "electronics-02", "electronics-03", "food-01"],
         "industry": ["electronics", "electronics", "electronics", "food"],
         "mean_score": [70.0, 80.0, 31.0, 90.0]},
        geometry=[near, far, worse, near], crs=METRIC,
    )
    (check,) = check_parcels(b, industry="electronics", cache=score_cache, plan_sites=sites)
    assert [a.site_id for a in check.alternatives] == ["electronics-01"]
    assert check.alternatives[0].source == "plan"
    assert check.alternatives[0].distance_m == pytest.approx(bm.distance(near), abs=0.01)
    assert check.alternatives[0].direction == "N"


def test_compass_points() -> None:
    points = [compass_direction(dx, dy) for dx, dy in
              [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)]]
    assert points == ["E", "NE", "N", "NW", "W", "SW", "S", "SE"]
    assert compass_direction(1, 0.4) == "E" and compass_direction(1, 0.42) == "NE"
