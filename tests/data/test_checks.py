"""Tests of layout.data.checks through validate_layer: columns, ids, numbers, codes and text."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from layout.data.validate import validate_layer
from layout.errors import ConfigError
from layout.model.layers import LAYER_SCHEMAS
from tests.fixtures.validate import AREA
from tests.fixtures.validate import firms as _firms

# --- columns and values ---------------------------------------------------------------------


def test_ranges_codes_and_missing_values() -> None:
    zones = gpd.GeoDataFrame(
        {"zone_id": ["airport", None], "name_zh": ["航空港", "经开"], "name_en": ["a", "b"],
         "county": ["410184", "410122"], "leading": ["electronics", ""],
         "built_share": [1.5, None], "confidence": ["H", "L"],
         "geometry_quality": ["documented", "guessed"]},
        geometry=[shapely.box(113.8, 34.5, 113.9, 34.6), shapely.box(113.7, 34.7, 113.8, 34.8)],
        crs="EPSG:4326")
    problems = validate_layer(zones, kind="zones", study_area=AREA)
    found = {(p.feature, p.column, p.message.split(":")[0]) for p in problems}
    assert found == {
        ("row 2", "zone_id", "missing id"),
        ("airport", "built_share", "value out of range"),
        ("row 2", "built_share", "missing value"),
        ("row 2", "geometry_quality", "unknown code"),
    }
    share = next(p for p in problems if p.message.startswith("value out of range"))
    assert "found 1.5, expected a number from 0 to 1" in share.message


def test_unknown_constraint_type_and_close_column_name() -> None:
    gdf = gpd.GeoDataFrame({"constraint_id": ["c1"], "type": ["military"], "legal_bases": ["x"]},
                           geometry=[shapely.box(113.5, 34.5, 113.6, 34.6)], crs="EPSG:4326")
    problems = validate_layer(gdf, kind="constraints", study_area=AREA)
    assert {p.column for p in problems} == {"legal_basis", "type"}
    missing = next(p for p in problems if p.column == "legal_basis")
    assert "rename 'legal_bases' if it is this column" in missing.message


def test_many_bad_values_are_summarised() -> None:
    n = 12
    gdf = _firms([f"E{i}" for i in range(n)], [shapely.Point(113.7, 34.7)] * n, ["n/a"] * n)
    (problem,) = validate_layer(gdf, kind="enterprises", study_area=AREA)
    assert problem.message.startswith("12 values are not numbers: found 'n/a' … (ids: E0, E1")


def test_booleans_are_not_numbers() -> None:
    gdf = _firms(["E1"], [shapely.Point(113.7, 34.7)], [True])
    (problem,) = validate_layer(gdf, kind="enterprises", study_area=AREA)
    assert problem.column == "employees" and "not a number" in problem.message


def test_garbled_text_is_a_warning() -> None:
    garbled = "新密市耐材厂".encode("gbk").decode("latin-1")
    gdf = _firms(["E1"], [shapely.Point(113.7, 34.7)], [1])
    gdf["name"] = [garbled]
    (problem,) = validate_layer(gdf, kind="enterprises", study_area=AREA)
    assert (problem.severity, problem.column) == ("warning", "name")
    assert "text looks garbled" in problem.message and "encoding" in problem.message


def test_extra_required_and_numeric_columns() -> None:
    gdf = gpd.GeoDataFrame({"a": ["x"]}, geometry=[shapely.Point(113.7, 34.7)], crs="EPSG:4326")
    problems = validate_layer(gdf, study_area=AREA, required=["b"], numeric=["a"])
    assert [(p.column, p.message.split(":")[0]) for p in problems] == [
        ("b", "required column missing"), ("a", "not a number")]


def test_schemas_follow_the_data_model() -> None:
    assert set(LAYER_SCHEMAS) == {"boundary", "counties", "zones", "enterprises", "constraints",
                                  "transport_lines", "transport_points", "urban_areas",
                                  "landuse"}
    firms = LAYER_SCHEMAS["enterprises"]
    assert firms.id_column == "ent_id"
    assert set(firms.required) == {"ent_id", "name", "industry", "employees", "output_wan",
                                   "land_mu"}
    assert {"employees", "output_wan", "land_mu"} <= set(firms.nonnegative)
    with pytest.raises(ConfigError, match="unknown layer kind 'firms'"):
        validate_layer(gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"), kind="firms")


def test_empty_layer() -> None:
    (problem,) = validate_layer(gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"), source="x.gpkg")
    assert "has no features" in problem.message
