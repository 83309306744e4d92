"""Tests of `layout.data.parcels`: reading parcels, checking, repairing and projecting them.

The study area is the embedded boundary; no score cache is needed, except by the one test
that runs ``layout check-site`` on a parcel without area (the session's ``score_cache``).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layout import settings
from layout.data.parcels import (
    ParcelError,
    coordinate_transformer,
    prepare_parcels,
    project_geometries,
    read_parcels,
)
from layout.errors import CRSError, LayoutError
from layout.products.sitecheck import example_parcels
from layout.scoring.cache import ScoreCache
from tests.fixtures.cli_process import one_line_error, run_layout

METRIC = "EPSG:4547"


@pytest.fixture(scope="module")
def boundary() -> gpd.GeoDataFrame:
    return gpd.read_file(settings.embedded_gpkg(), layer="boundary")


def _one(geom: shapely.Geometry, pid: str = "P1", crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": [pid]}, geometry=[geom], crs=crs)


# --- reading -----------------------------------------------------------------------------------


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


def test_file_or_wkt_not_both_nor_neither(tmp_path: Path) -> None:
    with pytest.raises(ParcelError, match="either a parcels file or --wkt"):
        read_parcels(tmp_path / "p.geojson", wkt=["POINT (1 2)"])
    with pytest.raises(ParcelError, match="no parcels"):
        read_parcels()


# --- checks and repairs ------------------------------------------------------------------------


def test_parcels_are_projected_with_area_and_outside_share(boundary: gpd.GeoDataFrame) -> None:
    out, warnings = prepare_parcels(example_parcels(), crs=METRIC, boundary=boundary)
    assert warnings == [] and out.crs.to_epsg() == 4547
    assert out["parcel_id"].tolist() == ["A-airport", "B-farm", "C-lowfar"]
    expected = example_parcels().to_crs(METRIC).area.to_numpy()
    assert np.allclose(out["area_m2"], expected, rtol=1e-9)
    assert (out["outside_share"] == 0).all()


def test_small_self_intersection_is_repaired_with_a_warning(boundary: gpd.GeoDataFrame) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    x0, y0, x1, y1 = a.bounds
    # a tiny bow-tie loop at one corner: the ring crosses itself
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0 + 5, y1), (x0 - 3, y1 - 3), (x0 + 3, y1 - 3),
            (x0, y1), (x0, y0)]
    poly = shapely.Polygon(ring)
    assert not poly.is_valid
    out, warnings = prepare_parcels(_one(poly, "P3", METRIC), crs=METRIC, boundary=boundary)
    assert len(warnings) == 1
    assert warnings[0].startswith("parcel P3 was self-intersecting; repaired")
    assert "area changed" in warnings[0]
    assert out.geometry.iloc[0].is_valid


def test_bowtie_is_refused(boundary: gpd.GeoDataFrame) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    x0, y0, x1, y1 = a.bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    with pytest.raises(ParcelError, match=r"parcel P9: is self-intersecting.*from 0.0 to .* mu "
                                          r"\(more than 1 %\)"):
        prepare_parcels(_one(bowtie, "P9", METRIC), crs=METRIC, boundary=boundary)
    with pytest.raises(ParcelError, match=r"\(more than 0.5 %\)"):
        prepare_parcels(_one(bowtie, "P9", METRIC), crs=METRIC, boundary=boundary,
                        max_repair_change=0.005)


def test_swapped_lat_lon_is_named(boundary: gpd.GeoDataFrame) -> None:
    a = example_parcels().geometry.iloc[0]
    swapped = shapely.transform(a, lambda xy: xy[:, ::-1])
    with pytest.raises(ParcelError, match=r"parcel X1: latitude and longitude look swapped"):
        prepare_parcels(_one(swapped, "X1"), crs=METRIC, boundary=boundary)


def test_swapped_projected_coordinates_are_named(boundary: gpd.GeoDataFrame) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    swapped = shapely.transform(a, lambda xy: xy[:, ::-1])
    with pytest.raises(ParcelError, match=r"parcel X2: .*coordinates look swapped"):
        prepare_parcels(_one(swapped, "X2", METRIC), crs=METRIC, boundary=boundary)


def test_outside_study_area_names_every_parcel(boundary: gpd.GeoDataFrame) -> None:
    shanghai = shapely.box(121.4, 31.2, 121.41, 31.21)
    gdf = gpd.GeoDataFrame({"parcel_id": ["S1", "S2"]}, geometry=[shanghai, shanghai],
                           crs="EPSG:4326")
    with pytest.raises(ParcelError) as info:
        prepare_parcels(gdf, crs=METRIC, boundary=boundary)
    text = str(info.value)
    assert "parcel S1: lies outside the study area" in text and "parcel S2" in text
    assert "\n" not in text


def test_points_are_refused(boundary: gpd.GeoDataFrame) -> None:
    with pytest.raises(ParcelError, match="parcel P1: is a Point, not a polygon"):
        prepare_parcels(_one(shapely.Point(113.8, 34.55)), crs=METRIC, boundary=boundary)


def test_no_crs_is_refused(boundary: gpd.GeoDataFrame) -> None:
    gdf = example_parcels().set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="has no CRS; pass --crs"):
        prepare_parcels(gdf, crs=METRIC, boundary=boundary)


# --- projection --------------------------------------------------------------------------------


def test_cached_transformers_agree_with_geopandas() -> None:
    parcels = example_parcels()
    metric = project_geometries(parcels.geometry.values, "EPSG:4326", METRIC)
    expected = parcels.to_crs(METRIC).geometry.values
    assert all(shapely.equals_exact(a, b, tolerance=1e-6) for a, b in zip(metric, expected,
                                                                          strict=True))
    # the opposite direction reuses the transformer made for the first
    back = coordinate_transformer(METRIC, "EPSG:4326")(shapely.get_coordinates(metric))
    assert np.allclose(back, shapely.get_coordinates(parcels.geometry.values), atol=1e-9)


# --- bad parcels and options: one line naming the parcel and the file -------------------------

#: Corners on one line in lon/lat: a projection bends the line, giving a sliver of a few m².
COLLINEAR = "POLYGON((113.70 34.70, 113.71 34.70, 113.72 34.70, 113.70 34.70))"


@pytest.mark.parametrize(
    "wkt",
    [COLLINEAR, "POLYGON((113.7 34.7, 113.7 34.7, 113.7 34.7, 113.7 34.7))",
     "POLYGON((113.70 34.70, 113.72 34.72, 113.71 34.71, 113.70 34.70))"],
    ids=["collinear", "one-point", "diagonal"],
)
def test_a_polygon_without_area_is_named(
    tmp_path: Path, boundary: gpd.GeoDataFrame, wkt: str
) -> None:
    good = example_parcels().iloc[[0]]
    gdf = gpd.GeoDataFrame({"parcel_id": ["A-1", "Z-0"]},
                           geometry=[good.geometry.iloc[0], shapely.from_wkt(wkt)],
                           crs="EPSG:4326")
    path = tmp_path / "parcels.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(ParcelError) as info:
        prepare_parcels(read_parcels(path), crs=METRIC, boundary=boundary)
    message = str(info.value)
    assert message.startswith(f"{path}, parcel Z-0: has no area: its corners lie on one line")
    assert "0.0 to 0.0 mu" not in message and "\n" not in message


def test_unknown_crs_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(CRSError, match=r"^'EPSG:999999' is not a CRS pyproj understands"):
        read_parcels(wkt=[COLLINEAR], crs="EPSG:999999")
    with pytest.raises(CRSError, match=r"^'EPSG:999999' is not a CRS pyproj understands"):
        read_parcels(tmp_path / "missing.geojson", crs="EPSG:999999")


def test_check_site_unknown_crs_is_the_line_validate_prints(tmp_path: Path) -> None:
    parcels = tmp_path / "parcels.geojson"
    example_parcels().to_file(parcels, driver="GeoJSON")
    check = one_line_error(
        run_layout("check-site", str(parcels), "--industry", "auto", "--crs", "EPSG:999999",
                   "-q", env={"LAYOUT_CACHE_DIR": str(tmp_path / "cache")}),
        "'EPSG:999999'")
    wkt = one_line_error(
        run_layout("check-site", "--wkt", COLLINEAR, "--industry", "auto", "--crs",
                   "EPSG:999999", "-q", env={"LAYOUT_CACHE_DIR": str(tmp_path / "cache")}),
        "'EPSG:999999'")
    validate = one_line_error(run_layout("validate", str(parcels), "--crs", "EPSG:999999"))
    assert check == wkt == validate
    assert not (tmp_path / "cache").exists()  # refused before any cache is built


def test_check_site_zero_area_parcel(score_cache: ScoreCache, tmp_path: Path) -> None:
    root = score_cache.folder.parent
    line = one_line_error(
        run_layout("check-site", "--wkt", COLLINEAR, "--industry", "auto", "-q",
                   env={"LAYOUT_CACHE_DIR": str(root)}),
        "--wkt, parcel wkt-1: has no area")
    assert "mu" not in line
