"""Tests of layout.data.validate: every problem of a layer is reported at once, with where and why.

The study area is passed explicitly (a box around Zhengzhou, tests/fixtures/validate.py) so that
the tests do not depend on the embedded data.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layout.data import validate as v
from layout.data.validate import raise_for_problems, validate_file, validate_layer
from layout.errors import DataFileError, Problem, ValidationError
from tests.fixtures.validate import AREA, BOWTIE
from tests.fixtures.validate import firms as _firms


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
    _firms(["E1", "E2"], [shapely.Point(121.47, 31.23), shapely.Point(113.7, 34.7)],
           [1, 2]).to_file(firms, driver="GeoJSON")
    (problem,) = validate_file(firms, kind="enterprises", study_area=area)
    assert problem.severity == "warning" and problem.feature == "E1"
    assert f"outside the study area {area} (by more than 1 km)" in problem.message


def test_problem_objects_are_plain() -> None:
    p = Problem("a.csv", "bad", feature="E1", column="x")
    assert str(p) == "error: a.csv, feature E1, column 'x': bad"
    assert v.MAX_SINGLE < v.MAX_LISTED
