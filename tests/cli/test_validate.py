"""Tests of ``layout validate`` through click's CliRunner on the command object.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 unreadable input; never a
traceback.  The embedded data is hidden (LAYOUT_DATA_DIR points to an empty folder) so that
the results do not depend on it, except where a study area is passed.
"""

from __future__ import annotations

import os
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from layout.cli.validate import validate
from layout.config.plan import embedded_plan_path
from tests.fixtures.cli_process import ROOT, one_line_error, run_layout

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


# --- bad input in a real process: one line, exit 2, no traceback ----------------------------


def _bad_input(tmp_path: Path, kind: str) -> Path:
    """A file of each kind of bad input; see test_bad_input_is_one_line."""
    if kind == "fifo":
        path = tmp_path / "firms.csv"
        os.mkfifo(path)
    elif kind == "corrupt-xlsx":
        path = tmp_path / "firms.xlsx"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("[Content_Types].xml", "junk<")
    elif kind == "sqlite-not-gpkg":
        path = tmp_path / "firms.gpkg"
        with sqlite3.connect(path) as db:
            db.execute("create table t (a)")
    else:
        path = tmp_path / "firms.csv"
        path.write_text(HEADER + "E1,宇通,auto,100,5,10,113.7,34.7\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kind", "extra", "words"),
    [
        ("fifo", [], "is not a regular file but a named pipe (FIFO)"),
        ("corrupt-xlsx", [], "is not a readable Excel workbook"),
        ("sqlite-not-gpkg", [], "is not a readable GeoPackage"),
        ("unknown-crs", ["--crs", "EPSG:999999"], "'EPSG:999999' is not a CRS"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, kind: str, extra: list[str], words: str) -> None:
    path = _bad_input(tmp_path, kind)
    result = run_layout("validate", str(path), *extra,
                        env={"LAYOUT_DATA_DIR": str(tmp_path / "no_data")})
    line = one_line_error(result, words)
    if kind != "unknown-crs":
        assert line.startswith(f"error: {path}")
    assert result.stdout == ""


def test_a_device_is_not_an_empty_file() -> None:
    line = one_line_error(run_layout("validate", "/dev/zero"), "/dev/zero")
    assert line == "error: /dev/zero is not a regular file but a character device; give a file " \
                   "saved on disk"


def test_damaged_embedded_data_is_one_line(tmp_path: Path) -> None:
    # The embedded plan's study area comes from $LAYOUT_DATA_DIR/zhengzhou.gpkg: a truncated
    # copy is reported, not skipped in silence; without --plan no study area is read at all.
    data = tmp_path / "data"
    data.mkdir()
    whole = (ROOT / "gis_data" / "zhengzhou.gpkg").read_bytes()
    (data / "zhengzhou.gpkg").write_bytes(whole[: len(whole) // 3])
    path = _bad_input(tmp_path, "clean")
    env = {"LAYOUT_DATA_DIR": str(data)}
    line = one_line_error(run_layout("validate", str(path), "--plan", str(embedded_plan_path()),
                                     env=env),
                          str(data / "zhengzhou.gpkg"), "--no-study-area")
    assert "not a readable GeoPackage" in line
    assert run_layout("validate", str(path), env=env).returncode == 0


def test_study_area_of_the_plan_and_of_a_layer(tmp_path: Path) -> None:
    # Firms in Suzhou (120.6E) are outside the embedded Zhengzhou boundary only when asked.
    path = tmp_path / "firms.csv"
    path.write_text(HEADER + "E1,苏州一厂,auto,100,5,10,120.6,31.3\n", encoding="utf-8")
    assert _run(str(path), "--kind", "enterprises").exit_code == 0  # no study area by default
    gpkg = tmp_path / "city.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(0, 0).buffer(1)],
                     crs="EPSG:4326").to_file(gpkg, layer="points")
    gpd.GeoDataFrame(geometry=[shapely.box(120.4, 31.1, 120.8, 31.5)],
                     crs="EPSG:4326").to_file(gpkg, layer="boundary")
    inside = _run(str(path), "--kind", "enterprises", "--study-area", str(gpkg),
                  "--study-area-layer", "boundary")
    assert inside.exit_code == 0, inside.output
    outside = _run(str(path), "--kind", "enterprises", "--study-area", str(gpkg),
                   "--study-area-layer", "points")
    assert outside.exit_code == 1 and "outside the study area" in outside.output
    lonely = _run(str(path), "--study-area-layer", "boundary")
    assert lonely.exit_code == 2 and "--study-area-layer needs --study-area" in lonely.output


@pytest.mark.parametrize("value", ["inf", "+inf", "1e308", "-1e16"])
def test_non_finite_and_huge_numbers_are_errors(tmp_path: Path, value: str) -> None:
    path = tmp_path / "firms.csv"
    path.write_text(HEADER + f"E1,宇通,auto,100,{value},10,113.7,34.7\n"
                    "E2,海马,auto,90,5,10,113.71,34.71\n", encoding="utf-8")
    result = _run(str(path), "--kind", "enterprises", "--no-study-area")
    assert result.exit_code == 1
    first, summary = result.output.splitlines()
    assert first.startswith(f"  1. error: {path}, feature E1, column 'output_wan': ")
    assert "expected a number of magnitude at most 1e+15" in first
    assert summary == f"{path}: 1 error, 0 warnings"


# --- mapping a planner's own columns (issue 13) ------------------------------------------------


def _chinese(tmp_path: Path) -> Path:
    from tests.fixtures.chinese_plan import write_chinese_plan

    return write_chinese_plan(tmp_path)


def test_columns_option_maps_chinese_headers(tmp_path: Path) -> None:
    csv = tmp_path / "企业.csv"
    csv.write_text("编号,企业名称,所属行业,从业人数,年产值万元,用地亩,经度,纬度\n"
                   "E1,宇通客车,汽车及装备制造,800,1000,50,113.7,34.7\n"
                   "E2,新密耐材,30,100,200,20,113.4,34.5\n", encoding="gbk")
    result = _run(str(csv), "--kind", "enterprises", "--no-study-area", "--columns",
                  "ent_id=编号,name=企业名称,industry=所属行业,employees=从业人数,"
                  "output_wan=年产值万元,land_mu=用地亩")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("no problems found\n")
    unmapped = _run(str(csv), "--kind", "enterprises", "--no-study-area")
    assert unmapped.exit_code == 1
    assert "required column missing" in unmapped.output


def test_columns_option_errors(tmp_path: Path) -> None:
    csv = tmp_path / "企业.csv"
    csv.write_text("编号,经度,纬度\nE1,113.7,34.7\n", encoding="utf-8")
    bad_key = _run(str(csv), "--kind", "enterprises", "--columns", "ent_idd=编号")
    assert bad_key.exit_code == 2
    assert bad_key.output.startswith("error: --columns: columns.ent_idd: unknown enterprises "
                                      "column 'ent_idd'; did you mean 'ent_id'")
    assert len(bad_key.output.splitlines()) == 1
    missing = _run(str(csv), "--kind", "enterprises", "--no-study-area", "--columns",
                   "ent_id=编码")
    assert missing.exit_code == 1
    assert "columns.ent_id = \"编码\" (--columns): the file has no such column; did you mean " \
           "'编号'?" in missing.output
    no_kind = _run(str(csv), "--columns", "ent_id=编号")
    assert no_kind.exit_code == 2
    assert "--columns needs --kind" in no_kind.output


def test_plan_option_uses_the_plans_mapping(tmp_path: Path) -> None:
    plan = _chinese(tmp_path)
    shp = tmp_path / "zones" / "园区.shp"
    mapped = _run(str(shp), "--kind", "zones", "--no-study-area", "--plan", str(plan))
    assert mapped.exit_code == 0, mapped.output
    unmapped = _run(str(shp), "--kind", "zones", "--no-study-area")
    assert unmapped.exit_code == 1
    firms = _run(str(tmp_path / "企业名录.xlsx"), "--kind", "enterprises", "--no-study-area",
                 "--datum", "gcj02", "--plan", str(plan))
    assert firms.exit_code == 0, firms.output
    # --columns on top of the plan's: a wrong column named here is reported as from both
    both = _run(str(shp), "--kind", "zones", "--no-study-area", "--plan", str(plan),
                "--columns", "leading=主导")
    assert both.exit_code == 1
    assert "(inputs.zones in plan.toml and --columns)" in both.output


def test_unknown_leading_industry_in_validate(tmp_path: Path) -> None:
    plan = _chinese(tmp_path)
    shp = tmp_path / "zones" / "园区.shp"
    result = _run(str(shp), "--kind", "zones", "--no-study-area", "--columns",
                  "zone_id=园区编号,name_zh=园区名称,name_en=英文名称,county=所在县区,"
                  "leading=主导产业,confidence=可信度")
    assert result.exit_code == 1
    assert "unknown industry '电子' (file column '主导产业'); did you mean 'electronics'" \
           in result.output
    assert plan.exists()
