"""Tests of `layout.products.sitecheck.engine` (`check_parcels`) on the embedded data.

Expected values come from independent computations (`reference`): percentiles from numpy on the
full score raster, parcel means from a 10 m supersampling of the parcel.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio import features

from layout.data.indicators import IndicatorError
from layout.errors import UnknownIndustryError
from layout.io.crs import convert_datum
from layout.products.sitecheck import (
    ParcelError,
    SiteCheck,
    check_parcels,
    example_indicators,
    example_parcels,
    read_parcels,
)
from layout.scoring.cache import ScoreCache
from tests.products.sitecheck.reference import METRIC, full_raster

# --- the three example parcels -----------------------------------------------------------------


def test_example_verdicts(examples: dict[str, SiteCheck]) -> None:
    verdicts = {k: v.verdict for k, v in examples.items()}
    assert verdicts == {"A-airport": "suitable", "B-farm": "unsuitable", "C-lowfar": "conditional"}


def test_example_reasons_are_ordered_and_explain(examples: dict[str, SiteCheck]) -> None:
    a, b, c = (examples[k] for k in ("A-airport", "B-farm", "C-lowfar"))
    assert a.zone is not None
    assert a.zone.zone_id == "airport" and a.zone.industry_leading
    assert a.constraints == ()
    first = b.reasons[0]
    assert first.severity == "unsuitable" and first.code == "constraint_overlap"
    assert "permanent basic farmland" in first.message and "mu" in first.message
    assert "基本农田保护条例" in first.message  # the legal basis
    failing = [r for r in c.reasons if r.code == "indicator_fail"]
    assert {r.message.split(" ")[0] for r in failing} == {"floor-area", "building"}
    order = ["unsuitable", "conditional", "info", "ok"]
    for check in examples.values():
        ranks = [order.index(r.severity) for r in check.reasons]
        assert ranks == sorted(ranks)


# --- a batch of random parcels -----------------------------------------------------------------


def test_batch_one_result_per_parcel_in_order(
    batch: tuple[gpd.GeoDataFrame, list[SiteCheck]],
) -> None:
    parcels, checks = batch
    assert [c.parcel_id for c in checks] == parcels["parcel_id"].tolist()
    assert {c.verdict for c in checks} <= {"suitable", "conditional", "unsuitable"}
    assert len({c.verdict for c in checks}) >= 2
    for c in checks:
        total = sum(x.points for x in c.suitability.contributions)
        assert total == pytest.approx(c.suitability.mean, abs=2e-3)
        assert len(c.industries) == 7 and [x.rank for x in c.industries] == list(range(1, 8))


# --- scores and percentiles against numpy ------------------------------------------------------


def test_percentile_matches_numpy_on_full_raster(
    score_cache: ScoreCache, batch: tuple[gpd.GeoDataFrame, list[SiteCheck]]
) -> None:
    score, flags, _ = full_raster(score_cache, "food")
    eligible = np.isfinite(score) & ((flags & score_cache.exclude_bits) == 0)
    values = np.sort(score[eligible])
    _, checks = batch
    for c in checks:
        exact = 100.0 * np.searchsorted(values, c.suitability.mean, side="right") / values.size
        assert c.suitability.percentile == pytest.approx(exact, abs=0.01)


def test_parcel_mean_matches_supersampling(
    score_cache: ScoreCache, examples: dict[str, SiteCheck]
) -> None:
    """The area-weighted mean equals the mean over 10 m sub-cells of the parcel (within 0.05)."""
    score, _, transform = full_raster(score_cache, "electronics")
    metric = example_parcels().to_crs(METRIC)
    for pid, geom in zip(metric["parcel_id"], metric.geometry, strict=True):
        xmin, ymin, xmax, ymax = geom.bounds
        fine = rasterio.Affine(10, 0, math.floor(xmin), 0, -10, math.ceil(ymax))
        shape = (math.ceil((ymax - ymin) / 10) + 2, math.ceil((xmax - xmin) / 10) + 2)
        mask = features.rasterize([(geom, 1)], out_shape=shape, transform=fine).astype(bool)
        rows, cols = np.nonzero(mask)
        xs, ys = fine.c + (cols + 0.5) * 10, fine.f - (rows + 0.5) * 10
        r, c = rasterio.transform.rowcol(transform, xs, ys)
        expected = float(np.nanmean(score[np.asarray(r), np.asarray(c)]))
        got = examples[pid].suitability.mean
        assert got == pytest.approx(expected, abs=0.05)


def test_industries_rank_place(examples: dict[str, SiteCheck]) -> None:
    a = examples["A-airport"]
    ranked = [x.mean_score for x in a.industries]
    assert ranked == sorted(ranked, reverse=True)
    checked = [x for x in a.industries if x.checked]
    assert [x.code for x in checked] == ["electronics"]
    assert checked[0].mean_score == pytest.approx(a.suitability.mean)


# --- datums and CRSs ---------------------------------------------------------------------------


def test_gcj02_input_gives_the_wgs84_result(tmp_path: Path, score_cache: ScoreCache,
                                            examples: dict[str, SiteCheck]) -> None:
    gcj = convert_datum(example_parcels(), from_datum="wgs84", to_datum="gcj02")
    path = tmp_path / "gcj.geojson"
    gcj.to_file(path, driver="GeoJSON")
    parcels = read_parcels(path, datum="gcj02")
    checks = check_parcels(parcels, industry="electronics", indicators=example_indicators(),
                           cache=score_cache)
    for c in checks:
        ref = examples[c.parcel_id]
        assert c.verdict == ref.verdict
        assert c.area_mu == pytest.approx(ref.area_mu, rel=1e-6)
        assert c.suitability.mean == pytest.approx(ref.suitability.mean, abs=1e-3)
        assert c.excluded_overlap_mu == pytest.approx(ref.excluded_overlap_mu, abs=1e-3)


@pytest.mark.parametrize("epsg", [4490, 4547, 4526])
def test_cgcs2000_inputs(tmp_path: Path, score_cache: ScoreCache,
                         examples: dict[str, SiteCheck], epsg: int) -> None:
    path = tmp_path / f"p{epsg}.gpkg"
    example_parcels().to_crs(epsg).to_file(path, driver="GPKG")
    checks = check_parcels(read_parcels(path), industry="electronics", cache=score_cache)
    for c in checks:
        ref = examples[c.parcel_id]
        assert c.area_mu == pytest.approx(ref.area_mu, rel=1e-4)
        assert c.suitability.mean == pytest.approx(ref.suitability.mean, abs=0.05)


# --- study area, industries and indicators -----------------------------------------------------


def test_partly_outside_is_conditional(score_cache: ScoreCache) -> None:
    boundary = score_cache.layer("boundary").geometry.iloc[0]
    edge = shapely.get_coordinates(boundary)[0]
    geom = shapely.box(edge[0] - 200, edge[1] - 200, edge[0] + 200, edge[1] + 200)
    share = 1 - geom.intersection(boundary).area / geom.area
    assert 0.01 < share < 0.5
    parcel = gpd.GeoDataFrame({"parcel_id": ["E1"]}, geometry=[geom], crs=METRIC)
    (check,) = check_parcels(parcel, industry="auto", cache=score_cache)
    assert check.outside_share == pytest.approx(share, rel=1e-6)
    assert any(r.code == "partly_outside" and r.severity == "conditional" for r in check.reasons)


def test_unknown_industry_suggests(score_cache: ScoreCache) -> None:
    with pytest.raises(UnknownIndustryError, match="did you mean 'electronics'"):
        check_parcels(example_parcels(), industry="electronic", cache=score_cache)


def test_indicators_for_unknown_or_missing_parcels(score_cache: ScoreCache) -> None:
    ind = example_indicators()
    with pytest.raises(IndicatorError, match="parcel Z is not among the parcels"):
        check_parcels(example_parcels(), industry="electronics", cache=score_cache,
                      indicators={**ind, "Z": ind["A-airport"]})
    with pytest.raises(IndicatorError, match="no indicators for parcel C-lowfar"):
        check_parcels(example_parcels(), industry="electronics", cache=score_cache,
                      indicators={k: v for k, v in ind.items() if k != "C-lowfar"})


def test_radius_must_be_a_distance(score_cache: ScoreCache) -> None:
    for radius in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ParcelError, match="give a distance of 0 or more metres"):
            check_parcels(example_parcels(), industry="food", cache=score_cache, radius_m=radius)
