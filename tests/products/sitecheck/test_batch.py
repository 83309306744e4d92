"""The batch tables of a site check: CSV through the CSV-safe writer, RFC 7946 GeoJSON, names.

Areas and positions are compared with shapely and pyproj on the parcels themselves; the CSV is
read back with the standard library.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layout.products.sitecheck import SiteCheck, example_parcels, report_dict
from layout.products.sitecheck.batch import (
    BATCH_COLUMNS,
    batch_csv,
    output_stem,
    safe_name,
    to_geojson,
    write_batch_csv,
)
from layout.scoring.cache import ScoreCache

MU = 10_000 / 15


def test_csv_one_row_per_parcel(score_cache: ScoreCache, examples: dict[str, SiteCheck],
                                tmp_path: Path) -> None:
    checks = list(examples.values())
    doc = report_dict(checks, cache=score_cache)
    path = tmp_path / "b.csv"
    write_batch_csv(doc, path)
    text = path.read_text("utf-8")
    assert text == batch_csv(doc)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == BATCH_COLUMNS
    assert [r["parcel_id"] for r in rows] == [c.parcel_id for c in checks]
    metric = example_parcels().to_crs("EPSG:4547").set_index("parcel_id")
    for r, c in zip(rows, checks, strict=True):
        assert r["industry"] == "electronics" and r["verdict"] == c.verdict
        assert r["main_reason"] == c.reasons[0].message
        assert float(r["area_mu"]) == pytest.approx(metric.geometry[c.parcel_id].area / MU,
                                                    rel=1e-4)
        assert float(r["score"]) == pytest.approx(c.suitability.mean, abs=1e-3)
        assert r["zone"] == (c.zone.zone_id if c.zone else "")
    farm = next(r for r in rows if r["parcel_id"] == "B-farm")
    assert farm["verdict"] == "unsuitable" and farm["main_reason_code"] == "constraint_overlap"
    assert float(farm["constraint_overlap_mu"]) == pytest.approx(
        examples["B-farm"].excluded_overlap_mu, abs=1e-3)


def test_csv_cells_are_inert(score_cache: ScoreCache, examples: dict[str, SiteCheck]) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    doc["parcels"][0]["parcel_id"] = "=HYPERLINK(\"http://x\")"
    rows = list(csv.reader(io.StringIO(batch_csv(doc))))
    assert rows[1][0].startswith("'=")


def test_geojson_rfc7946(score_cache: ScoreCache, examples: dict[str, SiteCheck]) -> None:
    checks = list(examples.values())
    doc = report_dict(checks, cache=score_cache)
    fc = json.loads(to_geojson(checks, doc, crs=score_cache.crs))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert len(fc["features"]) == len(checks)
    wgs = example_parcels().set_index("parcel_id")
    for f, c in zip(fc["features"], checks, strict=True):
        assert tuple(f["properties"]) == BATCH_COLUMNS
        assert f["properties"]["parcel_id"] == c.parcel_id
        g = shapely.geometry.shape(f["geometry"])
        ref = wgs.geometry[c.parcel_id]
        # the same polygon in lon/lat (projection round trip and 1e-7° rounding)
        assert shapely.area(shapely.symmetric_difference(g, ref)) < 1e-3 * ref.area
        ring = shapely.get_exterior_ring(g)
        assert ring.is_ccw  # RFC 7946 §3.1.6: exterior rings counter-clockwise
        lon, lat = shapely.get_coordinates(g).T
        assert (lon > 112).all() and (lon < 115).all() and (lat > 34).all() and (lat < 35).all()


def test_geojson_reads_back_with_geopandas(score_cache: ScoreCache,
                                           examples: dict[str, SiteCheck],
                                           tmp_path: Path) -> None:
    checks = list(examples.values())
    path = tmp_path / "b.geojson"
    path.write_text(to_geojson(checks, report_dict(checks, cache=score_cache),
                               crs=score_cache.crs), encoding="utf-8")
    gdf = gpd.read_file(path)
    assert gdf.crs.to_epsg() == 4326
    metric = gdf.to_crs("EPSG:4547")
    for area, c in zip(metric.area, checks, strict=True):
        assert area / MU == pytest.approx(c.area_mu, rel=1e-4)


@pytest.mark.parametrize(("ids", "industry", "expected"), [
    (["A-airport"], "electronics", "sitecheck_A-airport_electronics"),
    (["甲-1", "乙-2", "丙-3"], "food", "sitecheck_甲-1_to_丙-3_food"),
    (["../../etc/passwd"], "food", "sitecheck_etc_passwd_food"),
    (["a b/c\\d:e*f?"], "food", "sitecheck_a_b_c_d_e_f_food"),
    (["\x1b]0;x\x07"], "auto", "sitecheck_0_x_auto"),
    ([""], "auto", "sitecheck_parcel_auto"),
])
def test_file_names(ids: list[str], industry: str, expected: str) -> None:
    assert output_stem(ids, industry) == expected


def test_long_ids_are_cut() -> None:
    assert len(safe_name("x" * 500)) == 40
