"""Tests of ``layout validate`` through click's CliRunner on the command object.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 unreadable input; never a
traceback.  The embedded data is hidden (LAYOUT_DATA_DIR points to an empty folder) so that
the results do not depend on it, except where a study area is passed.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from layout.cli.validate import validate

HEADER = "ent_id,name,industry,employees,output_wan,land_mu,经度,纬度\n"


@pytest.fixture(autouse=True)
def no_embedded_data(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAYOUT_DATA_DIR", str(tmp_path_factory.mktemp("no_data")))


def _run(*args: str):
    result = CliRunner().invoke(validate, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_clean_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_text(HEADER + "E1,宇通,auto,100,5,10,113.7,34.7\n", encoding="utf-8")
    result = _run(str(path), "--kind", "enterprises")
    assert result.exit_code == 0
    assert result.output == f"{path}: no problems found\n"


def test_problems_exit_1_errors_before_warnings(tmp_path: Path) -> None:
    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(112.7, 34.2, 114.3, 35.0)], crs="EPSG:4326").to_file(
        area, driver="GeoJSON")
    path = tmp_path / "firms.csv"
    path.write_text(HEADER + "E1,宇通,auto,100,5,10,121.47,31.23\n"  # outside: a warning
                    "E1,耐材,new_materials,abc,1,-3,113.4,34.5\n", encoding="utf-8")
    result = _run(str(path), "--kind", "enterprises", "--study-area", str(area))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("  1. error: ") and "duplicate id" in lines[0]
    assert lines[1].startswith("  2. error: ") and "'employees': not a number" in lines[1]
    assert lines[2].startswith("  3. error: ") and "'land_mu': negative value" in lines[2]
    assert lines[3].startswith("  4. warning: ") and "outside the study area" in lines[3]
    assert lines[4] == f"{path}: 3 errors, 1 warning"


def test_warnings_only_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    rows = "E1,宇通,auto,100,5,10,121.47,31.23\nE2,海马,auto,90,5,10,113.7,34.7\n"
    path.write_text(HEADER + rows, encoding="utf-8")
    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(112.7, 34.2, 114.3, 35.0)], crs="EPSG:4326").to_file(
        area, driver="GeoJSON")
    result = _run(str(path), "--kind", "enterprises", "--study-area", str(area))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == f"{path}: 0 errors, 1 warning"
    assert _run(str(path), "--kind", "enterprises", "--study-area", str(area),
                "--no-study-area").output == f"{path}: no problems found\n"


def test_options_are_forwarded(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("code,E,N,staff\nA,113.7,34.7,x\n", encoding="utf-8")
    result = _run(str(path), "--lon", "E", "--lat", "N", "--id-column", "code",
                  "--datum", "gcj02")
    assert result.exit_code == 0  # 'staff' is not checked without --kind
    path.write_bytes("code,E,N\nA,113.7,34.7\nA,113.8,34.8\n".encode("gbk"))
    result = _run(str(path), "--lon", "E", "--lat", "N", "--id-column", "code",
                  "--encoding", "gbk")
    assert result.exit_code == 1 and "feature A, column 'code': duplicate id" in result.output


def test_missing_crs_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "noprj.shp"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(113.7, 34.7)], crs="EPSG:4326").to_file(
        path)
    path.with_suffix(".prj").unlink()
    result = _run(str(path))
    assert result.exit_code == 1 and "no CRS" in result.output
    assert _run(str(path), "--crs", "EPSG:4326").exit_code == 0


@pytest.mark.parametrize("name", ["missing.gpkg", "junk.gpkg", "bad.csv", "table.dwg"])
def test_unreadable_input_exits_2(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "junk.gpkg":
        path.write_text("not a geopackage")
    elif name == "bad.csv":
        path.write_bytes(b"lon,lat\n\x81,1\n")  # neither UTF-8 nor GB18030
    elif name == "table.dwg":
        path.write_text("x")
    result = _run(str(path))
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {path}")
    assert len(result.output.strip().splitlines()) == 1


def test_missing_layer_lists_layers(tmp_path: Path) -> None:
    path = tmp_path / "plan.gpkg"
    pt = gpd.GeoDataFrame(geometry=[shapely.Point(113.7, 34.7)], crs="EPSG:4326")
    pt.to_file(path, layer="zones")
    pt.to_file(path, layer="enterprises")
    result = _run(str(path), "--layer", "firms")
    assert result.exit_code == 2
    assert "has no layer 'firms'; available:" in result.output
    assert _run(str(path), "--layer", "zones").output == f"{path}:zones: no problems found\n"


def test_bad_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "x.csv"), "--kind", "firms")
    assert result.exit_code == 2 and "Invalid value for '--kind'" in result.output
