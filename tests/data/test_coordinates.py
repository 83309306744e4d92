"""Tests of layout.data.coordinates through validate_layer: CRS symptoms and the study area.

One test builds its own embedded GeoPackage to check the default study area.
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
        "37 features outside the study area (ids: F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, …)")


def test_tolerance_of_one_kilometre() -> None:
    # 0.0055° of longitude is about 500 m at 34.7°N; 0.022° about 2 km.
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(114.3055, 34.7), shapely.Point(114.322, 34.7)],
                           crs="EPSG:4326")
    problems = validate_layer(gdf, study_area=AREA)
    assert [p.feature for p in problems] == ["row 2"]


def test_study_area_in_another_crs_and_without_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(121.47, 31.23)], crs="EPSG:4326")
    assert len(validate_layer(gdf, study_area=AREA.to_crs("EPSG:4547"))) == 1
    assert validate_layer(gdf, study_area=False) == []
    with pytest.raises(CRSError, match="study area has no CRS"):
        validate_layer(gdf, study_area=AREA.set_crs(None, allow_override=True))


def test_default_study_area_is_the_embedded_boundary(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(121.47, 31.23)], crs="EPSG:4326")
    monkeypatch.setenv("LAYOUT_DATA_DIR", str(tmp_path))
    assert validate_layer(gdf) == []  # no embedded data: nothing to compare with
    AREA.to_file(tmp_path / "zhengzhou.gpkg", layer="boundary")
    (problem,) = validate_layer(gdf)
    assert "outside the study area" in problem.message
