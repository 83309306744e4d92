"""Tests of layout.data.validate: every problem of a layer is reported at once, with where and why.

The study area is passed explicitly (a box around Zhengzhou) so that the tests do not depend on
the embedded data; one test builds its own embedded GeoPackage to check the default.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layout.data import validate as v
from layout.data.validate import raise_for_problems, validate_file, validate_layer
from layout.errors import ConfigError, CRSError, DataFileError, Problem, ValidationError
from layout.model.layers import LAYER_SCHEMAS

# Zhengzhou municipality: 112°42′–114°14′E, 34°16′–34°58′N (domain brief §2), rounded outwards.
AREA = gpd.GeoDataFrame(geometry=[shapely.box(112.7, 34.2, 114.3, 35.0)], crs="EPSG:4326")
BOWTIE = shapely.Polygon([(113.6, 34.6), (113.7, 34.7), (113.7, 34.6), (113.6, 34.7)])


def _firms(ids, points, employees, crs="EPSG:4326", **extra) -> gpd.GeoDataFrame:
    n = len(ids)
    cols = {"ent_id": ids, "name": ["厂"] * n, "industry": ["auto"] * n,
            "employees": employees, "output_wan": [1.0] * n, "land_mu": [10.0] * n}
    cols.update(extra)
    return gpd.GeoDataFrame(cols, geometry=points, crs=crs)


@pytest.fixture
def many_problems(tmp_path: Path) -> Path:
    """A GeoJSON enterprises layer with one of each problem; see EXPECTED for the answer."""
    rows = [
        ("E1", shapely.Point(113.70, 34.70), "100"),  # fine
        ("E2", shapely.Point(34.60, 113.60), "50"),  # latitude and longitude swapped
        ("E1", shapely.Point(113.75, 34.75), "10"),  # duplicate id
        ("E4", shapely.Point(), "5"),  # empty geometry
        ("E5", shapely.Point(121.47, 31.23), "7"),  # Shanghai: far outside the study area
        ("E6", shapely.Point(113.65, 34.72), "abc"),  # not a number
        ("E7", BOWTIE, "30"),  # invalid (self-intersecting) and not a point
    ]
    gdf = _firms([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    path = tmp_path / "firms.geojson"
    gdf.drop(columns="land_mu").to_file(path, driver="GeoJSON")  # a required column missing
    return path


# (severity, feature, column, words in the message) of each problem in `many_problems`.
EXPECTED = [
    ("error", None, "land_mu", "required column missing"),
    ("error", "E4", None, "no geometry"),
    ("error", "E7", None, "invalid geometry: found Self-intersection"),
    ("error", "E7", None, "wrong geometry type: found Polygon, expected Point"),
    ("error", "E2", None, "latitude and longitude look swapped: found x=34.6, y=113.6"),
    ("warning", "E5", None, "outside the study area (by more than 1 km): found x=121.47"),
    ("error", "E1", "ent_id", "duplicate id: found 'E1' in rows 1, 3"),
    ("error", "E6", "employees", "not a number: found 'abc'"),
]


def test_every_problem_is_reported_at_once(many_problems: Path) -> None:
    problems = validate_file(many_problems, kind="enterprises", study_area=AREA)
    assert len(problems) == len(EXPECTED)
    for problem, (severity, feature, column, words) in zip(problems, EXPECTED, strict=True):
        assert problem.source == str(many_problems)
        assert (problem.severity, problem.feature, problem.column) == (severity, feature, column)
        assert words in problem.message
        assert "; " in problem.message  # each message ends with a fix


def test_messages_name_value_expected_and_fix(many_problems: Path) -> None:
    problems = validate_file(many_problems, kind="enterprises", study_area=AREA)
    by_column = {p.column: p for p in problems if p.column}
    assert str(by_column["employees"]) == (
        f"error: {many_problems}, feature E6, column 'employees': not a number: found 'abc', "
        "expected a number; correct the cell")
    missing = by_column["land_mu"].message
    assert "found columns ent_id, name, industry, employees, output_wan" in missing
    assert "expected a column 'land_mu'" in missing


def test_raise_for_problems(many_problems: Path) -> None:
    problems = validate_file(many_problems, kind="enterprises", study_area=AREA)
    with pytest.raises(ValidationError) as info:
        raise_for_problems(problems)
    assert info.value.problems == problems
    assert "(and 6 more errors)" in str(info.value)
    raise_for_problems([p for p in problems if p.severity == "warning"])  # warnings pass
    raise_for_problems([])


def test_clean_layer_has_no_problems() -> None:
    gdf = _firms(["E1", "E2"], [shapely.Point(113.7, 34.7), shapely.Point(113.4, 34.5)], [1, 2])
    assert validate_layer(gdf, kind="enterprises", study_area=AREA) == []


def test_row_numbers_without_id_column() -> None:
    gdf = gpd.GeoDataFrame({"n": [1, -2]}, geometry=[shapely.Point(113.7, 34.7)] * 2,
                           crs="EPSG:4326")
    (problem,) = validate_layer(gdf, study_area=AREA, nonnegative=["n"])
    assert problem.feature == "row 2"
    assert problem.message.startswith("negative value: found -2, expected a number ≥ 0")


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
                                  "transport_lines", "transport_points", "urban_areas"}
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


# --- validate_file --------------------------------------------------------------------------


def test_file_without_crs_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "noprj.shp"
    _firms(["E1", "E1"], [shapely.Point(113.7, 34.7)] * 2, [1, 2]).to_file(path)
    path.with_suffix(".prj").unlink()
    problems = validate_file(path, kind="enterprises", study_area=AREA)
    assert ["no CRS" in p.message for p in problems] == [True, False]
    assert "duplicate id" in problems[1].message
    assert validate_file(path, kind="enterprises", crs="EPSG:4326", study_area=AREA)[0].message \
        .startswith("duplicate id")


def test_file_crs_contradicting_the_argument(tmp_path: Path) -> None:
    path = tmp_path / "firms.gpkg"
    _firms(["E1"], [shapely.Point(113.7, 34.7)], [1]).to_file(path, layer="enterprises")
    (problem,) = validate_file(path, kind="enterprises", crs="EPSG:4547", study_area=AREA)
    assert "is in EPSG:4326 but crs=EPSG:4547 was given" in problem.message
    assert problem.source == f"{path}:enterprises"


def test_file_datum_on_projected_data(tmp_path: Path) -> None:
    path = tmp_path / "metric.gpkg"
    _firms(["E1"], [shapely.Point(113.7, 34.7)], [1]).to_crs("EPSG:4547").to_file(path)
    (problem,) = validate_file(path, kind="enterprises", datum="gcj02", study_area=AREA)
    assert "lon/lat from a web map" in problem.message


def test_file_empty_layer_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.gpkg"
    _firms([], [], []).to_file(path, layer="enterprises")
    (problem,) = validate_file(path, kind="enterprises", study_area=AREA)
    assert "has no features" in problem.message


def test_csv_with_gcj02_and_bad_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_text("ent_id,name,industry,employees,output_wan,land_mu,经度,纬度\n"
                    "E1,宇通,auto,100,5,10,113.7,34.7\n"
                    "E2,耐材,new_materials,20,1,3,113°25′,34.5\n", encoding="utf-8")
    problems = validate_file(path, kind="enterprises", datum="gcj02", study_area=AREA)
    assert [(p.feature, p.column, p.message.split(":")[0]) for p in problems] == [
        ("E2", None, "no geometry"), ("E2", "经度", "not a number")]


def test_unreadable_file_raises(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="file not found"):
        validate_file(tmp_path / "missing.gpkg")


def test_study_area_from_a_path(tmp_path: Path) -> None:
    area = tmp_path / "area.geojson"
    AREA.to_file(area, driver="GeoJSON")
    firms = tmp_path / "firms.geojson"
    _firms(["E1"], [shapely.Point(121.47, 31.23)], [1]).to_file(firms, driver="GeoJSON")
    (problem,) = validate_file(firms, kind="enterprises", study_area=area)
    assert problem.severity == "warning"


def test_problem_objects_are_plain() -> None:
    p = Problem("a.csv", "bad", feature="E1", column="x")
    assert str(p) == "error: a.csv, feature E1, column 'x': bad"
    assert v.MAX_SINGLE < v.MAX_LISTED
