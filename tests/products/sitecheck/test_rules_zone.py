"""Verdict rules of the zone edge and the industry ranking, on hand-made parcels of the tiny plan.

Shares outside the zone are compared with shapely on the tiny plan's zone boxes (the answer key
of `tests.fixtures.tiny_plan`); industry ranks with plain means of the score rasters over
parcels drawn on cell edges (every cell wholly inside, so the area-weighted mean is the plain
mean of the covered cells).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely

from layout.products.sitecheck import SiteCheck, VerdictRules, check_parcels
from layout.scoring.cache import ScoreCache, ensure_cache
from tests.fixtures import tiny_plan as tp

MU = 10_000 / 15
EAST = shapely.box(*tp.ZONES["east_auto"][3])  # leading: auto, electronics


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory: pytest.TempPathFactory) -> ScoreCache:
    root = tmp_path_factory.mktemp("tiny_rules")
    plan = tp.write_tiny_plan(root / "plan")
    return ensure_cache(plan, root=root / "cache", progress=None)


def check(cache: ScoreCache, boxes: dict[str, shapely.Polygon], industry: str,
          **rules: float) -> dict[str, SiteCheck]:
    parcels = gpd.GeoDataFrame({"parcel_id": list(boxes)}, geometry=list(boxes.values()),
                               crs=tp.METRIC)
    out = check_parcels(parcels, industry=industry, cache=cache, rules=VerdictRules(**rules))
    return {c.parcel_id: c for c in out}


def codes(c: SiteCheck) -> set[str]:
    return {r.code for r in c.reasons}


# --- part of the parcel outside its zone -------------------------------------------------------


EDGE = {  # 1 km squares over the west edge of east_auto (x = 501,000), 3,843-3,844 km north
    "inside": shapely.box(501_200, 3_843_000, 502_200, 3_844_000),
    "edge10": shapely.box(500_990, 3_843_000, 501_990, 3_844_000),   # 10 m out: 15 mu, 1 %
    "edge30": shapely.box(500_970, 3_843_000, 501_970, 3_844_000),   # 30 m out: 45 mu, 3 %
    "edge200": shapely.box(500_800, 3_843_000, 501_800, 3_844_000),  # 200 m out: 20 %
}


def test_zone_share_matches_shapely(tiny_cache: ScoreCache) -> None:
    got = check(tiny_cache, EDGE, "electronics")
    for pid, geom in EDGE.items():
        expected = shapely.area(shapely.intersection(geom, EAST)) / shapely.area(geom)
        c = got[pid]
        assert c.zone is not None and c.zone.zone_id == "east_auto"
        assert c.zone.share == pytest.approx(expected, abs=1e-9)
        assert c.area_mu - c.zone.area_mu == pytest.approx(
            shapely.area(shapely.difference(geom, EAST)) / MU, abs=1e-6)


def test_part_outside_the_zone_beyond_the_tolerance_is_conditional(
    tiny_cache: ScoreCache,
) -> None:
    rules = VerdictRules()
    got = check(tiny_cache, EDGE, "electronics")
    for pid, geom in EDGE.items():
        out_m2 = shapely.area(shapely.difference(geom, EAST))
        share = out_m2 / shapely.area(geom)
        beyond = share > rules.zone_outside_share or out_m2 / MU > rules.zone_outside_mu
        c = got[pid]
        assert ("partly_outside_zone" in codes(c)) == beyond, pid
        if beyond:
            reason = next(r for r in c.reasons if r.code == "partly_outside_zone")
            assert reason.severity == "conditional"
            assert f"{100 * share:.1f} %" in reason.message
            assert c.verdict in ("conditional", "unsuitable")
    # 10 m outside: 15 mu and 1 %, not more than either tolerance: a sliver, reported as info
    assert "zone_edge_sliver" in codes(got["edge10"])
    assert {r.severity for r in got["edge10"].reasons if r.code == "zone_edge_sliver"} == {"info"}
    assert "partly_outside_zone" in codes(got["edge30"])  # 45 mu > 15 mu although 3 % < 5 %
    assert "partly_outside_zone" in codes(got["edge200"])  # 20 %


def test_zone_tolerances_are_keywords(tiny_cache: ScoreCache) -> None:
    loose = check(tiny_cache, EDGE, "electronics", zone_outside_share=0.25, zone_outside_mu=400)
    assert all("partly_outside_zone" not in codes(c) for c in loose.values())


# --- the checked industry ranked low on the parcel ---------------------------------------------


def plain_means(cache: ScoreCache, geom: shapely.Polygon) -> dict[str, float]:
    """Mean score of each industry over the cells of a cell-aligned parcel (rasterio alone)."""
    out = {}
    for code in cache.codes:
        with rasterio.open(cache.score_path(code)) as src:
            score = src.read(1).astype(np.float64)
            score[score == src.nodata] = np.nan
            x0, y0, x1, y1 = geom.bounds
            (r0, r1), (c0, c1) = rasterio.transform.rowcol(
                src.transform, [x0 + 1, x1 - 1], [y1 - 1, y0 + 1])
            out[code] = float(np.nanmean(score[r0:r1 + 1, c0:c1 + 1]))
    return out


def test_industry_ranked_below_the_top_three_is_conditional(tiny_cache: ScoreCache) -> None:
    geom = EDGE["inside"]
    means = plain_means(tiny_cache, geom)
    order = sorted(means, key=lambda k: -means[k])
    rules = VerdictRules()
    assert len(order) > rules.max_industry_rank  # else nothing can rank low
    for code in order:
        c = check(tiny_cache, {"P": geom}, code)["P"]
        rank = order.index(code) + 1
        checked = next(x for x in c.industries if x.checked)
        assert checked.rank == rank
        assert checked.mean_score == pytest.approx(means[code], abs=1e-3)
        low = [r for r in c.reasons if r.code == "ranked_low"]
        assert bool(low) == (rank > rules.max_industry_rank), code
        if low:
            assert low[0].severity == "conditional"
            assert c.verdict in ("conditional", "unsuitable")
            assert all(k in low[0].message for k in order[: rank - 1])
        else:
            assert "ranked_low" not in codes(c)


def test_rank_threshold_is_a_keyword(tiny_cache: ScoreCache) -> None:
    geom = EDGE["inside"]
    n = len(tiny_cache.codes)
    for code in tiny_cache.codes:
        c = check(tiny_cache, {"P": geom}, code, max_industry_rank=n)["P"]
        assert "ranked_low" not in codes(c)


def test_leading_industry_inside_the_zone_can_be_suitable(tiny_cache: ScoreCache) -> None:
    """The rules add conditions; a parcel wholly in its zone, top-ranked and leading, has none."""
    geom = EDGE["inside"]
    means = plain_means(tiny_cache, geom)
    top = max(means, key=lambda k: means[k])
    c = check(tiny_cache, {"P": geom}, top)["P"]
    assert not codes(c) & {"partly_outside_zone", "ranked_low", "zone_edge_sliver"}
