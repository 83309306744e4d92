"""Tests of `layout.products.sitecheck`, `layout.scoring.cache` and `layout.data.indicators`.

The score cache of the embedded plan is built once per session into a temporary folder
(`score_cache`, about 5-10 s) and shared with ``test_cli_check_site.py`` through the same path.
Expected values come from independent computations: overlap areas from geopandas/shapely on
the GeoPackage layers projected to EPSG:4547, percentiles from numpy on the full score raster,
parcel means from a 10 m supersampling of the parcel, thresholds from the catalog TOML read with
tomllib.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio import features

from layout import settings
from layout.config.plan import load_plan
from layout.core.quantiles import N_QUANTILES, percentile_from_quantiles, quantile_table
from layout.data.indicators import (
    FIELDS,
    IndicatorError,
    check_indicators,
    parse_indicators,
    read_indicators,
    thresholds,
)
from layout.data.inputs import file_digest
from layout.errors import LayoutError, UnknownIndustryError
from layout.io.crs import convert_datum
from layout.io.raster import FAST_READ
from layout.model.catalog import PRIORITY_CODES
from layout.config.catalog import load_catalog
from layout.products.maps import external_loads, render_html
from layout.products.sitecheck import (
    SCHEMA_VERSION,
    ParcelError,
    VerdictRules,
    check_parcels,
    example_indicators,
    example_parcels,
    prepare_parcels,
    read_parcels,
    report_dict,
    site_map,
    to_json,
    to_markdown,
)
from layout.scoring.cache import ScoreCache, ensure_cache, open_cache
from layout.scoring.cachekey import cache_key, file_sha256

METRIC = "EPSG:4547"
MU = 10_000 / 15


def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScoreCache]:
    """Build (or reuse) the session's cache and point LAYOUT_CACHE_DIR at it."""
    root = tmp_path_factory.getbasetemp() / "score_cache"
    mp = pytest.MonkeyPatch()
    mp.setenv("LAYOUT_CACHE_DIR", str(root))
    try:
        yield ensure_cache(None, root=root, progress=None)
    finally:
        mp.undo()


@pytest.fixture(scope="session")
def score_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScoreCache]:
    yield from shared_cache(tmp_path_factory)


@pytest.fixture(scope="session")
def examples(score_cache: ScoreCache) -> dict[str, object]:
    checks = check_parcels(
        example_parcels(), industry="electronics", indicators=example_indicators(),
        cache=score_cache,
    )
    return {c.parcel_id: c for c in checks}


def _layer(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(settings.embedded_gpkg(), layer=name).to_crs(METRIC)


def _full(cache: ScoreCache, code: str) -> tuple[np.ndarray, np.ndarray, rasterio.Affine]:
    with rasterio.open(cache.score_path(code)) as src:
        score = src.read(1).astype(np.float64)
        score[score == src.nodata] = np.nan
        transform = src.transform
    with rasterio.open(cache.flags_path(code)) as src:
        flags = src.read(1)
    return score, flags, transform


# --- the three example parcels -----------------------------------------------------------------


def test_example_verdicts(examples: dict[str, object]) -> None:
    verdicts = {k: v.verdict for k, v in examples.items()}  # type: ignore[attr-defined]
    assert verdicts == {"A-airport": "suitable", "B-farm": "unsuitable", "C-lowfar": "conditional"}


def test_example_reasons_are_ordered_and_explain(examples: dict[str, object]) -> None:
    a, b, c = (examples[k] for k in ("A-airport", "B-farm", "C-lowfar"))
    assert a.zone.zone_id == "airport" and a.zone.industry_leading  # type: ignore[attr-defined]
    assert a.constraints == ()  # type: ignore[attr-defined]
    first = b.reasons[0]  # type: ignore[attr-defined]
    assert first.severity == "unsuitable" and first.code == "constraint_overlap"
    assert "permanent basic farmland" in first.message and "mu" in first.message
    assert "基本农田保护条例" in first.message  # the legal basis
    failing = [r for r in c.reasons if r.code == "indicator_fail"]  # type: ignore[attr-defined]
    assert {r.message.split(" ")[0] for r in failing} == {"floor-area", "building"}
    order = ["unsuitable", "conditional", "info", "ok"]
    for check in examples.values():
        ranks = [order.index(r.severity) for r in check.reasons]  # type: ignore[attr-defined]
        assert ranks == sorted(ranks)


def test_example_parcels_fixture() -> None:
    ex = example_parcels()
    assert ex.crs.to_epsg() == 4326
    assert ex["parcel_id"].tolist() == ["A-airport", "B-farm", "C-lowfar"]
    areas = ex.to_crs(METRIC).area / MU
    assert np.allclose(areas, 405, rtol=1e-3)  # 600 m x 450 m


# --- overlaps against shapely in EPSG:4547 -----------------------------------------------------


def _expected_overlaps(parcels: gpd.GeoDataFrame) -> dict[tuple[str, str], float]:
    cons = _layer("constraints")
    metric = parcels.to_crs(METRIC)
    out: dict[tuple[str, str], float] = {}
    for pid, geom in zip(metric["parcel_id"], metric.geometry, strict=True):
        for ctype, sub in cons.groupby("type"):
            area = shapely.intersection(geom, sub.geometry.union_all()).area
            if area > 0:
                out[(pid, str(ctype))] = area / MU
    return out


def _random_parcels(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """Rectangles of 150-700 m, slightly rotated, inside the municipality."""
    boundary = _layer("boundary").geometry.iloc[0]
    inner = boundary.buffer(-2000)
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = inner.bounds
    geoms: list[shapely.Geometry] = []
    while len(geoms) < n:
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if not inner.contains(shapely.Point(x, y)):
            continue
        w, h = rng.uniform(150, 700, size=2)
        box = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        geoms.append(shapely.affinity.rotate(box, rng.uniform(-30, 30)))
    gdf = gpd.GeoDataFrame(
        {"parcel_id": [f"R{i:04d}" for i in range(n)]}, geometry=geoms, crs=METRIC
    )
    return gdf.to_crs("EPSG:4326")


def test_overlap_areas_match_shapely(examples: dict[str, object]) -> None:
    expected = _expected_overlaps(example_parcels())
    found = {
        (pid, o.type): o.area_mu
        for pid, c in examples.items()
        for o in c.constraints  # type: ignore[attr-defined]
        if o.type != "steep_slope"
    }
    assert set(found) == set(expected) == {("B-farm", "basic_farmland")}
    for key, value in expected.items():
        assert found[key] == pytest.approx(value, rel=1e-3)
    share = examples["B-farm"].constraints[0].share  # type: ignore[attr-defined]
    assert share == pytest.approx(expected[("B-farm", "basic_farmland")] / 405, rel=2e-3)


@pytest.fixture(scope="session")
def batch(score_cache: ScoreCache) -> tuple[gpd.GeoDataFrame, list]:
    parcels = _random_parcels(300)
    return parcels, check_parcels(parcels, industry="food", cache=score_cache)


def test_batch_overlaps_match_shapely(batch: tuple[gpd.GeoDataFrame, list]) -> None:
    parcels, checks = batch
    expected = _expected_overlaps(parcels)
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


def test_batch_one_result_per_parcel_in_order(batch: tuple[gpd.GeoDataFrame, list]) -> None:
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
    score_cache: ScoreCache, batch: tuple[gpd.GeoDataFrame, list]
) -> None:
    score, flags, _ = _full(score_cache, "food")
    eligible = np.isfinite(score) & ((flags & score_cache.exclude_bits) == 0)
    values = np.sort(score[eligible])
    _, checks = batch
    for c in checks:
        exact = 100.0 * np.searchsorted(values, c.suitability.mean, side="right") / values.size
        assert c.suitability.percentile == pytest.approx(exact, abs=0.01)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quantile_percentile_bound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = np.round(rng.gamma(2.0, 12.0, size=200_003), 1)  # many ties
    q = quantile_table(scores)
    assert q.size == N_QUANTILES + 1
    probes = np.concatenate([rng.uniform(-5, 120, 500), scores[:500], [scores.min(), scores.max()]])
    exact = 100.0 * np.mean(scores[None, :] <= probes[:, None], axis=1)
    est = percentile_from_quantiles(q, probes)
    assert np.max(np.abs(est - exact)) <= 0.005 + 1e-9


def test_parcel_mean_matches_supersampling(
    score_cache: ScoreCache, examples: dict[str, object]
) -> None:
    """The area-weighted mean equals the mean over 10 m sub-cells of the parcel (within 0.05)."""
    score, _, transform = _full(score_cache, "electronics")
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
        got = examples[pid].suitability.mean  # type: ignore[attr-defined]
        assert got == pytest.approx(expected, abs=0.05)


def test_industries_rank_place(examples: dict[str, object]) -> None:
    a = examples["A-airport"]
    ranked = [x.mean_score for x in a.industries]  # type: ignore[attr-defined]
    assert ranked == sorted(ranked, reverse=True)
    checked = [x for x in a.industries if x.checked]  # type: ignore[attr-defined]
    assert [x.code for x in checked] == ["electronics"]
    assert checked[0].mean_score == pytest.approx(a.suitability.mean)  # type: ignore[attr-defined]


def test_alternatives_are_near_better_and_big_enough(score_cache: ScoreCache,
                                                     examples: dict[str, object]) -> None:
    b = examples["B-farm"]
    alts = b.alternatives  # type: ignore[attr-defined]
    assert 1 <= len(alts) <= VerdictRules().max_alternatives
    assert [a.distance_m for a in alts] == sorted(a.distance_m for a in alts)
    for a in alts:
        assert a.distance_m <= 10_000
        assert a.gain >= VerdictRules().alt_margin
        assert a.area_mu >= b.area_mu * 0.999  # type: ignore[attr-defined]
    score, _, transform = _full(score_cache, "electronics")
    r, c = rasterio.transform.rowcol(transform, *convert_to_metric(alts[0].lon, alts[0].lat))
    assert score[r, c] >= b.suitability.mean + 10  # type: ignore[attr-defined]


def convert_to_metric(lon: float, lat: float) -> tuple[float, float]:
    pt = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs(METRIC).iloc[0]
    return pt.x, pt.y


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


# --- datums and CRSs ---------------------------------------------------------------------------


def test_gcj02_input_gives_the_wgs84_result(tmp_path: Path, score_cache: ScoreCache,
                                            examples: dict[str, object]) -> None:
    gcj = convert_datum(example_parcels(), from_datum="wgs84", to_datum="gcj02")
    path = tmp_path / "gcj.geojson"
    gcj.to_file(path, driver="GeoJSON")
    parcels = read_parcels(path, datum="gcj02")
    checks = check_parcels(parcels, industry="electronics", indicators=example_indicators(),
                           cache=score_cache)
    for c in checks:
        ref = examples[c.parcel_id]
        assert c.verdict == ref.verdict  # type: ignore[attr-defined]
        assert c.area_mu == pytest.approx(ref.area_mu, rel=1e-6)  # type: ignore[attr-defined]
        assert c.suitability.mean == pytest.approx(ref.suitability.mean, abs=1e-3)  # type: ignore[attr-defined]
        assert c.excluded_overlap_mu == pytest.approx(ref.excluded_overlap_mu, abs=1e-3)  # type: ignore[attr-defined]


@pytest.mark.parametrize("epsg", [4490, 4547, 4526])
def test_cgcs2000_inputs(tmp_path: Path, score_cache: ScoreCache,
                         examples: dict[str, object], epsg: int) -> None:
    path = tmp_path / f"p{epsg}.gpkg"
    example_parcels().to_crs(epsg).to_file(path, driver="GPKG")
    checks = check_parcels(read_parcels(path), industry="electronics", cache=score_cache)
    for c in checks:
        ref = examples[c.parcel_id]
        assert c.area_mu == pytest.approx(ref.area_mu, rel=1e-4)  # type: ignore[attr-defined]
        assert c.suitability.mean == pytest.approx(ref.suitability.mean, abs=0.05)  # type: ignore[attr-defined]


# --- parcels: reading and repairs --------------------------------------------------------------


def _one(geom: shapely.Geometry, pid: str = "P1", crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": [pid]}, geometry=[geom], crs=crs)


def _boundary(score_cache: ScoreCache) -> gpd.GeoDataFrame:
    return score_cache.layer("boundary")


def test_small_self_intersection_is_repaired_with_a_warning(score_cache: ScoreCache) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    x0, y0, x1, y1 = a.bounds
    # a tiny bow-tie loop at one corner: the ring crosses itself
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0 + 5, y1), (x0 - 3, y1 - 3), (x0 + 3, y1 - 3),
            (x0, y1), (x0, y0)]
    poly = shapely.Polygon(ring)
    assert not poly.is_valid
    out, warnings = prepare_parcels(_one(poly, "P3", METRIC), crs=METRIC,
                                    boundary=_boundary(score_cache))
    assert len(warnings) == 1
    assert warnings[0].startswith("parcel P3 was self-intersecting; repaired")
    assert "area changed" in warnings[0]
    assert out.geometry.iloc[0].is_valid


def test_bowtie_is_refused(score_cache: ScoreCache) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    x0, y0, x1, y1 = a.bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    with pytest.raises(ParcelError, match=r"parcel P9: is self-intersecting.*from 0.0 to .* mu "
                                          r"\(more than 1 %\)"):
        prepare_parcels(_one(bowtie, "P9", METRIC), crs=METRIC, boundary=_boundary(score_cache))


def test_swapped_lat_lon_is_named(score_cache: ScoreCache) -> None:
    a = example_parcels().geometry.iloc[0]
    swapped = shapely.transform(a, lambda xy: xy[:, ::-1])
    with pytest.raises(ParcelError, match=r"parcel X1: latitude and longitude look swapped"):
        prepare_parcels(_one(swapped, "X1"), crs=METRIC, boundary=_boundary(score_cache))


def test_swapped_projected_coordinates_are_named(score_cache: ScoreCache) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    swapped = shapely.transform(a, lambda xy: xy[:, ::-1])
    with pytest.raises(ParcelError, match=r"parcel X2: .*coordinates look swapped"):
        prepare_parcels(_one(swapped, "X2", METRIC), crs=METRIC, boundary=_boundary(score_cache))


def test_outside_study_area_names_every_parcel(score_cache: ScoreCache) -> None:
    shanghai = shapely.box(121.4, 31.2, 121.41, 31.21)
    gdf = gpd.GeoDataFrame({"parcel_id": ["S1", "S2"]}, geometry=[shanghai, shanghai],
                           crs="EPSG:4326")
    with pytest.raises(ParcelError) as info:
        prepare_parcels(gdf, crs=METRIC, boundary=_boundary(score_cache))
    text = str(info.value)
    assert "parcel S1: lies outside the study area" in text and "parcel S2" in text
    assert "\n" not in text


def test_points_are_refused(score_cache: ScoreCache) -> None:
    with pytest.raises(ParcelError, match="parcel P1: is a Point, not a polygon"):
        prepare_parcels(_one(shapely.Point(113.8, 34.55)), crs=METRIC,
                        boundary=_boundary(score_cache))


def test_partly_outside_is_conditional(score_cache: ScoreCache) -> None:
    boundary = _boundary(score_cache).geometry.iloc[0]
    edge = shapely.get_coordinates(boundary)[0]
    geom = shapely.box(edge[0] - 200, edge[1] - 200, edge[0] + 200, edge[1] + 200)
    share = 1 - geom.intersection(boundary).area / geom.area
    assert 0.01 < share < 0.5
    (check,) = check_parcels(_one(geom, "E1", METRIC), industry="auto", cache=score_cache)
    assert check.outside_share == pytest.approx(share, rel=1e-6)
    assert any(r.code == "partly_outside" and r.severity == "conditional" for r in check.reasons)


def test_read_parcels_id_detection_and_wkt(tmp_path: Path) -> None:
    gdf = example_parcels().rename(columns={"parcel_id": "地块编号"})
    path = tmp_path / "p.gpkg"
    gdf.to_file(path, driver="GPKG")
    assert read_parcels(path)["parcel_id"].tolist() == ["A-airport", "B-farm", "C-lowfar"]
    assert read_parcels(path, id_column="note")["parcel_id"].iloc[0].startswith("inside")
    with pytest.raises(ParcelError, match="no column 'nope'"):
        read_parcels(path, id_column="nope")
    no_id = tmp_path / "n.geojson"
    example_parcels()[["geometry"]].to_file(no_id, driver="GeoJSON")
    assert read_parcels(no_id)["parcel_id"].tolist() == ["1", "2", "3"]
    wkt = example_parcels().to_crs(METRIC).geometry.iloc[0].wkt
    with pytest.raises(LayoutError, match="not longitude/latitude degrees"):
        read_parcels(wkt=[wkt])
    assert read_parcels(wkt=[wkt], crs=METRIC).crs.to_epsg() == 4547
    with pytest.raises(ParcelError, match="not valid WKT"):
        read_parcels(wkt=["POLYGON((1 2, 3"])


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    gdf = example_parcels()
    gdf["parcel_id"] = ["A", "B", "A"]
    path = tmp_path / "d.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(ParcelError, match="parcel A: the id appears twice"):
        read_parcels(path)


def test_unknown_industry_suggests(score_cache: ScoreCache) -> None:
    with pytest.raises(UnknownIndustryError, match="did you mean 'electronics'"):
        check_parcels(example_parcels(), industry="electronic", cache=score_cache)


# --- indicators --------------------------------------------------------------------------------


def _catalog_toml() -> dict:
    text = resources.files("layout.config").joinpath("industries.toml").read_text("utf-8")
    return tomllib.loads(text)


@pytest.mark.parametrize("code", PRIORITY_CODES)
def test_thresholds_follow_the_catalog_table(code: str) -> None:
    raw = _catalog_toml()
    row = next(r for r in raw["industries"] if r["code"] == code)
    t = thresholds(code)
    assert (t["far"].op, t["far"].value, t["far"].source) == (
        ">=", row["far"]["min"], row["far"]["source"])
    assert (t["investment_per_mu_wan"].op, t["investment_per_mu_wan"].value) == (
        ">=", row["investment"]["per_mu_wan"])
    assert t["investment_per_mu_wan"].source == row["investment"]["source"]
    assert (t["building_coverage"].op, t["building_coverage"].value) == (
        ">=", raw["land"]["building_coverage_min"])
    assert (t["admin_share"].op, t["admin_share"].value) == ("<=", raw["land"]["admin_share_max"])
    assert (t["green_ratio"].op, t["green_ratio"].value) == ("<=", raw["land"]["green_ratio_max"])
    assert t["green_ratio"].source == raw["land"]["source"]
    # at the threshold passes, a hair beyond fails
    at = {f: t[f].value for f in FIELDS}
    assert all(c.passed for c in check_indicators(at, industry=code))
    worse = {f: t[f].value - 0.01 if t[f].op == ">=" else t[f].value + 0.01 for f in FIELDS}
    assert not any(c.passed for c in check_indicators(worse, industry=code))


def test_parse_indicators_messages() -> None:
    good = example_indicators()["A-airport"]
    with pytest.raises(IndicatorError, match=r"ind.csv, parcel P2: missing field 'green_ratio'"):
        parse_indicators({k: v for k, v in good.items() if k != "green_ratio"},
                         where="ind.csv, parcel P2")
    with pytest.raises(IndicatorError, match=r"field 'far' = 'abc' is not a number"):
        parse_indicators({**good, "far": "abc"})
    with pytest.raises(IndicatorError, match=r"'green_ratio' = 15 is above 1.*divide .* 0.15"):
        parse_indicators({**good, "green_ratio": 15})
    assert parse_indicators({**good, "green_ratio": "15 %"})["green_ratio"] == pytest.approx(0.15)
    with pytest.raises(IndicatorError, match="is not a percentage"):
        parse_indicators({**good, "far": "120%"})


def test_read_indicators_formats(tmp_path: Path) -> None:
    ind = example_indicators()
    header = "parcel_id," + ",".join(FIELDS)
    rows = [f"{pid}," + ",".join(str(v[f]) for f in FIELDS) for pid, v in ind.items()]
    csv = tmp_path / "i.csv"
    csv.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert read_indicators(csv) == ind
    single = tmp_path / "one.json"
    single.write_text(json.dumps(ind["A-airport"]), encoding="utf-8")
    assert read_indicators(single) == {"*": ind["A-airport"]}
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([{"parcel_id": k, **v} for k, v in ind.items()]), "utf-8")
    assert read_indicators(listed) == ind
    toml = tmp_path / "i.toml"
    toml.write_text("".join(
        f"[parcels.{k}]\n" + "".join(f"{f} = {v[f]}\n" for f in FIELDS) for k, v in ind.items()
    ), encoding="utf-8")
    assert read_indicators(toml) == ind
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\nP1,1.2,0.4,0.05,,380\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"bad.csv, parcel P1: field 'green_ratio' is empty"):
        read_indicators(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(IndicatorError, match="is empty"):
        read_indicators(empty)


def test_indicators_for_unknown_or_missing_parcels(score_cache: ScoreCache) -> None:
    ind = example_indicators()
    with pytest.raises(IndicatorError, match="parcel Z is not among the parcels"):
        check_parcels(example_parcels(), industry="electronics", cache=score_cache,
                      indicators={**ind, "Z": ind["A-airport"]})
    with pytest.raises(IndicatorError, match="no indicators for parcel C-lowfar"):
        check_parcels(example_parcels(), industry="electronics", cache=score_cache,
                      indicators={k: v for k, v in ind.items() if k != "C-lowfar"})


# --- cache -------------------------------------------------------------------------------------


def test_cache_key_is_cheap_and_consistent(score_cache: ScoreCache) -> None:
    assert cache_key() == cache_key(load_plan()) == score_cache.key
    assert open_cache(None, root=score_cache.folder.parent) is not None
    assert file_sha256(settings.embedded_gpkg()) == file_digest(settings.embedded_gpkg())


def test_cache_key_follows_changed_plans() -> None:
    import dataclasses

    plan = load_plan()
    assert cache_key(dataclasses.replace(plan, resolution=50.0)) != cache_key(plan)
    assert cache_key(dataclasses.replace(plan, exclude=("basic_farmland",))) != cache_key(plan)
    assert cache_key(dataclasses.replace(plan)) == cache_key(plan)


def test_cache_key_follows_inputs(tmp_path: Path) -> None:
    plan = (resources.files("layout.config") / "zhengzhou_plan.toml").read_text("utf-8")
    data = tmp_path / "d.gpkg"
    data.write_bytes(settings.embedded_gpkg().read_bytes())
    own = 'boundary = { path = "d.gpkg", layer = "boundary" }'
    text = plan.replace('boundary = "embedded"', own)
    assert text != plan
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    first = cache_key(path)
    assert first != cache_key()
    with open(data, "ab") as f:
        f.write(b"\0")
    assert cache_key(path) != first


def test_cache_contents(score_cache: ScoreCache) -> None:
    m = score_cache.manifest
    assert tuple(m["codes"]) == load_catalog().codes
    for code in score_cache.codes:
        with rasterio.open(score_cache.score_path(code)) as src:
            assert src.tags()["industry"] == code and src.crs.to_epsg() == 4547
            assert src.descriptions[0] == "score (0-100)" and src.nodata == -1
        assert score_cache.n_eligible(code) > 100_000
    assert len(score_cache.layer("zones")) == 15


def test_fast_read_storage_keeps_the_bands_of_write_result(tmp_path: Path) -> None:
    from layout.model.grid import Grid
    from layout.scoring.suitability import SuitabilityResult, write_result

    mask = np.ones((5, 7), bool)
    mask[0, 0] = False
    grid = Grid(load_plan().crs, 400_000.0, 3_800_000.0, 100.0, 5, 7, mask)
    rng = np.random.default_rng(1)
    crit = {n: rng.random((5, 7)).astype(np.float32) for n in ("density", "slope")}
    for v in crit.values():
        v[~mask] = np.nan
    score = (40 * crit["density"] + 60 * crit["slope"]).astype(np.float32)
    result = SuitabilityResult("auto", grid, score, crit, crit, {"density": 0.4, "slope": 0.6},
                               "direct", np.zeros((5, 7), np.uint16), 7)
    a = write_result(result, tmp_path / "a")
    b = write_result(result, tmp_path / "b", storage=FAST_READ)
    for pa, pb in zip(a, b, strict=True):
        with rasterio.open(pa) as ra, rasterio.open(pb) as rb:
            np.testing.assert_array_equal(ra.read(), rb.read())
            assert ra.descriptions == rb.descriptions and ra.tags() == rb.tags()
            assert ra.nodata == rb.nodata and ra.transform == rb.transform
            assert rb.profile["interleave"] == "band"


# --- reports -----------------------------------------------------------------------------------


def test_json_document(score_cache: ScoreCache, examples: dict[str, object]) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    text = to_json(doc)
    back = json.loads(text)
    assert back["schema_version"] == SCHEMA_VERSION
    assert back["summary"] == {"parcels": 3, "suitable": 1, "conditional": 1, "unsuitable": 1}
    p = back["parcels"][1]
    assert p["parcel_id"] == "B-farm" and p["verdict"] == "unsuitable"
    assert set(p) >= {"reasons", "constraints", "zone", "suitability", "industries",
                      "alternatives", "indicators", "study_area", "excluded_overlap"}
    assert to_json(report_dict(list(examples.values()), cache=score_cache)) == text


def test_markdown_and_html_escape(score_cache: ScoreCache) -> None:
    evil = example_parcels().iloc[[0]].assign(parcel_id="<script>alert(1)</script>|`${x}`")
    checks = check_parcels(evil, industry="electronics", cache=score_cache, with_geometry=True)
    doc = report_dict(checks, cache=score_cache)
    md = to_markdown(doc)
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\|" in md
    html = render_html(site_map(checks, doc, cache=score_cache))
    assert "<script>alert(1)" not in html and "${x}" not in html
    assert external_loads(html) == []
    assert render_html(site_map(checks, doc, cache=score_cache)) == html


def test_prune_keeps_the_most_recent(tmp_path: Path) -> None:
    import os
    import time

    from layout.scoring.cache import prune

    for i in range(6):
        folder = tmp_path / (f"{i:x}" * 64)[:64]
        folder.mkdir()
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
        os.utime(folder / "manifest.json", (time.time() - 100 + i, time.time() - 100 + i))
    old = tmp_path / ".abc.partial"
    old.mkdir()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    (tmp_path / "other").mkdir()  # not a cache: left alone
    removed = prune(keep=4, root=tmp_path)
    assert sorted(p.name[:1] for p in removed if not p.name.endswith(".partial")) == ["0", "1"]
    assert old in removed and (tmp_path / "other").is_dir()
    assert len([p for p in tmp_path.iterdir() if len(p.name) == 64]) == 4
