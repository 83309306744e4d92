"""Tests of layout.data.coordinates through validate_layer: CRS symptoms and the study area.

One test builds its own embedded GeoPackage to check that it is no default study area.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layout.data.validate import validate_layer
from layout.errors import CRSError
from tests.fixtures.validate import AREA
from tests.fixtures.validate import firms as _firms

# --- CRS symptoms ---------------------------------------------------------------------------


def test_no_crs_suggests_a_crs_from_the_values() -> None:
    degrees = gpd.GeoDataFrame(geometry=[shapely.Point(113.7, 34.7)])
    (problem,) = validate_layer(degrees, study_area=AREA)
    assert problem.severity == "error"
    assert "no CRS" in problem.message and "EPSG:4326" in problem.message
    metres = gpd.GeoDataFrame(geometry=[shapely.Point(512_345, 3_841_234)])
    (problem,) = validate_layer(metres, study_area=AREA)
    assert "EPSG:4547" in problem.message and "crs=" in problem.message


def test_degrees_in_a_projected_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(113.7, 34.7)] * 2, crs="EPSG:4547")
    problems = validate_layer(gdf, study_area=AREA)
    # One problem per feature and no "outside the study area" noise on top.
    assert [p.feature for p in problems] == ["row 1", "row 2"]
    assert all("look like degrees, but the CRS is EPSG:4547" in p.message for p in problems)
    assert "set EPSG:4326" in problems[0].message


def test_metres_in_a_geographic_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(512_345, 3_841_234),
                                     shapely.Point(38_512_345, 3_841_234)], crs="EPSG:4326")
    first, second = validate_layer(gdf, study_area=AREA)
    assert "look like metres, but the CRS is EPSG:4326" in first.message
    assert "EPSG:4547" in first.message
    assert "EPSG:4526" in second.message  # the zone prefix 38


def test_zone_prefix_mismatch() -> None:
    wrong = gpd.GeoDataFrame(geometry=[shapely.Point(38_512_345, 3_841_234)], crs="EPSG:4547")
    (problem,) = validate_layer(wrong, study_area=AREA)
    assert "has the zone prefix 38: set EPSG:4526" in problem.message
    right = gpd.GeoDataFrame(geometry=[shapely.Point(38_512_345, 3_841_234)], crs="EPSG:4526")
    assert validate_layer(right, study_area=AREA) == []


def test_swap_found_through_the_study_area() -> None:
    # A study area west of 90°E: swapped coordinates stay below 90, only the area tells.
    area = gpd.GeoDataFrame(geometry=[shapely.box(10.0, 40.0, 12.0, 42.0)], crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(11, 41), shapely.Point(41, 11),
                                     shapely.Point(30, 30)], crs="EPSG:4326")
    problems = validate_layer(gdf, study_area=area)
    assert [(p.feature, p.severity) for p in problems] == [("row 2", "error"),
                                                         ("row 3", "warning")]
    assert "swapped" in problems[0].message and "outside" in problems[1].message


# --- study area -----------------------------------------------------------------------------


def test_many_outside_features_are_summarised() -> None:
    ids = [f"F{i}" for i in range(40)]
    points = [shapely.Point(121.0 + i * 0.01, 31.0) for i in range(37)]
    points += [shapely.Point(113.7, 34.7)] * 3
    gdf = _firms(ids, points, [1] * 40)
    (problem,) = validate_layer(gdf, kind="enterprises", study_area=AREA)
    assert problem.severity == "warning" and problem.feature is None
    assert problem.message.startswith(
        "37 of 40 features lie outside the study area (by more than 1 km; ids: F0, F1, F2, F3, "
        "F4, F5, F6, F7, F8, F9, …; the first at x=121, y=31)")


def test_a_few_outside_features_are_one_warning() -> None:
    # Three of five outside: one warning with the count, not one line per feature.
    points = [shapely.Point(121.0, 31.0), shapely.Point(121.1, 31.0), shapely.Point(121.2, 31.0),
              shapely.Point(113.7, 34.7), shapely.Point(113.8, 34.7)]
    gdf = _firms([f"F{i}" for i in range(5)], points, [1] * 5)
    problems = validate_layer(gdf, kind="enterprises", study_area=AREA)
    assert [(p.severity, p.feature) for p in problems] == [("warning", None)]
    assert problems[0].message.startswith("3 of 5 features lie outside the study area")


def test_every_feature_outside_is_an_error_naming_the_study_area() -> None:
    # All 100 km east of the study area: a wrong CRS or datum, not stray features.
    points = [shapely.Point(115.5 + i * 0.01, 34.7) for i in range(4)]
    area = AREA.copy()
    area.attrs["source"] = "boundary.geojson"
    (problem,) = validate_layer(_firms([f"F{i}" for i in range(4)], points, [1] * 4),
                                kind="enterprises", study_area=area)
    assert problem.severity == "error" and problem.feature is None
    assert problem.message.startswith(
        "all 4 features lie outside the study area boundary.geojson (by more than 1 km)")
    assert "check the CRS and datum" in problem.message


def test_coordinates_beyond_the_earth() -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(500_000, 3_840_000),
                                     shapely.Point(1e308, 3_840_000)], crs="EPSG:4547")
    (problem,) = validate_layer(gdf, study_area=False)
    assert problem.feature == "row 2" and problem.severity == "error"
    assert problem.message.startswith("coordinates beyond the Earth: found x=1e+308")


def test_tolerance_of_one_kilometre() -> None:
    # 0.0055° of longitude is about 500 m at 34.7°N; 0.022° about 2 km.
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(114.3055, 34.7), shapely.Point(114.322, 34.7)],
                           crs="EPSG:4326")
    problems = validate_layer(gdf, study_area=AREA)
    assert [p.feature for p in problems] == ["row 2"]


def test_study_area_in_another_crs_and_without_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(121.47, 31.23)], crs="EPSG:4326")
    (problem,) = validate_layer(gdf, study_area=AREA.to_crs("EPSG:4547"))
    assert problem.severity == "error"  # its only feature is outside
    assert validate_layer(gdf, study_area=False) == []
    with pytest.raises(CRSError, match="study area has no CRS"):
        validate_layer(gdf, study_area=AREA.set_crs(None, allow_override=True))


def test_no_study_area_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Shanghai is far outside the embedded Zhengzhou boundary: without a study area given,
    # nothing is compared with it, even when the embedded data is there.
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(121.47, 31.23)], crs="EPSG:4326")
    monkeypatch.setenv("LAYOUT_DATA_DIR", str(tmp_path))
    AREA.to_file(tmp_path / "zhengzhou.gpkg", layer="boundary")
    assert validate_layer(gdf) == []
    (problem,) = validate_layer(gdf, study_area=AREA)
    assert "outside the study area" in problem.message


def test_zone_prefix_of_another_zone() -> None:
    # Suzhou metres: zone 40 (CM 120E) with prefix; a file declaring zone 38 or the bare zone.
    x, y = 40_560_000.0, 3_465_000.0
    (problem,) = validate_layer(gpd.GeoDataFrame(geometry=[shapely.Point(x, y)],
                                                 crs="EPSG:4549"))
    assert "has the zone prefix 40: set EPSG:4528" in problem.message
    (problem,) = validate_layer(gpd.GeoDataFrame(geometry=[shapely.Point(x, y)],
                                                 crs="EPSG:4526"))
    assert "set EPSG:4528" in problem.message
    (problem,) = validate_layer(gpd.GeoDataFrame(geometry=[shapely.Point(560_000.0, y)],
                                                 crs="EPSG:4528"))
    assert "lacks the zone prefix 40: set EPSG:4549" in problem.message


def test_metres_without_crs_name_the_zone_of_the_study_area() -> None:
    suzhou = gpd.GeoDataFrame(geometry=[shapely.box(120.4, 31.1, 120.8, 31.5)], crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(560_000.0, 3_465_000.0)])
    (problem,) = validate_layer(gdf, study_area=suzhou)
    assert "EPSG:4549" in problem.message and "EPSG:4547" not in problem.message


def test_study_area_outside_the_zone_of_the_plan_crs() -> None:
    from layout.data.coordinates import check_boundary_extent

    # Suzhou is centred near 120.6E: the zone of 114E (EPSG:4547) is the wrong one; the zone
    # of 120E is EPSG:4549 (4528 with the prefix), as pyproj's area of use confirms.
    suzhou = gpd.GeoDataFrame(geometry=[shapely.box(120.4, 31.1, 120.8, 31.5)], crs="EPSG:4326")
    (problem,) = check_boundary_extent(suzhou, "EPSG:4547", source="city.gpkg")
    assert 'set [plan] crs = "EPSG:4549"' in problem.message
    (problem,) = check_boundary_extent(suzhou, "EPSG:4526", source="city.gpkg")
    assert '"EPSG:4528"' in problem.message
    assert check_boundary_extent(suzhou, "EPSG:4549", source="city.gpkg") == []
    assert check_boundary_extent(suzhou, "EPSG:32651", source="city.gpkg") == []  # not GK
