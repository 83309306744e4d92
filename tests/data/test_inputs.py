"""Tests of layout.data.inputs.load_inputs on bad inputs, in the library and through ``plan``.

Each case copies the tiny plan (tests/fixtures/tiny_plan.py) and damages one input the way a
user's file is damaged: a world-sized boundary, every enterprise 100 km east of the study
area (a wrong CRS or datum), a few of them there, 1e308 in a numeric column, a DEM truncated
or no raster at all, a truncated embedded GeoPackage, a named pipe as the boundary, an
inconsistent AHP matrix.  The library must raise one `LayoutError` naming the file (or log one
warning); ``layout plan`` must exit 2 with exactly one line on stderr and no traceback.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layout.data.inputs import load_inputs
from layout.errors import DataFileError, ValidationError
from tests.fixtures import tiny_plan as tp
from tests.fixtures.cli_process import ROOT, one_line_error, run_layout

#: Industries of the tiny plan without enterprises: their demand is given (as in test_plan).
PLAN_OVERRIDES = {
    "demand": {"industries": {"new_materials": {"mu": 0.0}, "biomedicine": {"mu": 300.0},
                              "textiles": {"mu": 0.0}}},
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"), **PLAN_OVERRIDES).parent


@pytest.fixture
def plan(base: Path, tmp_path: Path) -> Path:
    """A fresh copy of the tiny plan's folder; returns its plan.toml."""
    folder = tmp_path / "plan"
    shutil.copytree(base, folder)
    return folder / "plan.toml"


def _move_enterprises(folder: Path, dx: float, *, first: int | None = None) -> Path:
    path = folder / "enterprises.gpkg"
    gdf = gpd.read_file(path)
    rows = gdf.index if first is None else gdf.index[:first]
    gdf.loc[rows, "geometry"] = gdf.loc[rows, "geometry"].translate(dx, 0)
    path.unlink()
    gdf.to_file(path)
    return path


def _world_boundary(folder: Path) -> Path:
    path = folder / "boundary.geojson"
    gdf = gpd.read_file(path)
    gdf["geometry"] = [shapely.box(-179, -89, 179, 89)]
    path.unlink()
    gdf.to_file(path, driver="GeoJSON")
    return path


def _set_land(folder: Path, value: float) -> Path:
    path = folder / "enterprises.gpkg"
    gdf = gpd.read_file(path)
    gdf.loc[gdf.index[1], "land_mu"] = value
    path.unlink()
    gdf.to_file(path)
    return path


# --- the library ----------------------------------------------------------------------------


def test_the_tiny_plan_loads_without_warnings(plan: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="layout")
    inputs = load_inputs(plan)
    assert inputs.warnings == () and caplog.records == []


def test_world_sized_boundary_names_the_boundary(plan: Path) -> None:
    path = _world_boundary(plan.parent)
    with pytest.raises(ValidationError) as info:
        load_inputs(plan)
    message = str(info.value)
    assert message.startswith(f"{path}: the study-area boundary spans longitude -179 to 179")
    assert "beyond where the plan CRS EPSG:4547 can be used" in message
    assert "CRS and datum" in message
    assert "no zone intersects" not in message and "more error" not in message


def test_every_enterprise_outside_is_an_error_naming_both_files(plan: Path) -> None:
    path = _move_enterprises(plan.parent, 100_000)
    with pytest.raises(ValidationError) as info:
        load_inputs(plan)
    message = str(info.value)
    n = len(tp.tiny_enterprises())
    assert message.startswith(f"{path}:enterprises: all {n} features lie outside the study area "
                              f"{plan.parent / 'boundary.geojson'}")
    assert "check the CRS and datum" in message


def test_some_enterprises_outside_is_one_warning(
    plan: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _move_enterprises(plan.parent, 100_000, first=3)
    caplog.set_level(logging.WARNING, logger="layout")
    inputs = load_inputs(plan)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    n = len(tp.tiny_enterprises())
    assert record.getMessage().startswith(
        f"{path}:enterprises: 3 of {n} features lie outside the study area")
    assert len(inputs.warnings) == 1


@pytest.mark.parametrize("value", [1e308, float("inf")])
def test_huge_numbers_stop_the_load_naming_file_feature_column(plan: Path, value: float) -> None:
    path = _set_land(plan.parent, value)
    firm = str(tp.tiny_enterprises()["ent_id"].iloc[1])
    with pytest.raises(ValidationError) as info:
        load_inputs(plan)
    assert str(info.value).startswith(f"{path}:enterprises, feature {firm}, column 'land_mu': ")
    assert "magnitude at most 1e+15" in str(info.value)


def test_a_dem_that_is_no_raster_stops_the_load(plan: Path) -> None:
    (plan.parent / "dem.tif").write_text("not a raster\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"dem\.tif: the DEM cannot be read"):
        load_inputs(plan)


def test_truncated_embedded_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = (ROOT / "gis_data" / "zhengzhou.gpkg").read_bytes()
    (tmp_path / "zhengzhou.gpkg").write_bytes(whole[: len(whole) // 3])
    monkeypatch.setenv("LAYOUT_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError) as info:
        load_inputs()
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'zhengzhou.gpkg'}: the embedded data is not a "
                              "readable GeoPackage (")
    assert "make data" in message and "LAYOUT_DATA_DIR" in message


# --- through `layout plan`: one line, exit 2 ------------------------------------------------


def _plan(plan: Path, tmp_path: Path, **env: str):
    return run_layout("plan", str(plan), "--out", str(tmp_path / "out"), "--no-maps",
                      "--no-sensitivity", "-q", env=env)


def test_plan_world_boundary(plan: Path, tmp_path: Path) -> None:
    path = _world_boundary(plan.parent)
    one_line_error(_plan(plan, tmp_path), str(path), "EPSG:4547", "CRS and datum")
    assert not (tmp_path / "out").exists()


def test_plan_every_enterprise_outside(plan: Path, tmp_path: Path) -> None:
    path = _move_enterprises(plan.parent, 100_000)
    one_line_error(_plan(plan, tmp_path), str(path), "boundary.geojson", "CRS and datum")


def test_plan_huge_number(plan: Path, tmp_path: Path) -> None:
    path = _set_land(plan.parent, 1e308)
    one_line_error(_plan(plan, tmp_path), str(path), "column 'land_mu'", "1e+308")


def test_plan_truncated_dem(plan: Path, tmp_path: Path) -> None:
    # The header survives, so the DEM passes the check at load and fails when its blocks
    # are decoded, deep in the warp.
    dem = plan.parent / "dem.tif"
    data = dem.read_bytes()
    dem.write_bytes(data[: len(data) // 2])
    line = one_line_error(_plan(plan, tmp_path), str(dem), "the DEM cannot be read")
    assert "Chunk and warp failed" not in line


def test_plan_boundary_is_a_named_pipe(plan: Path, tmp_path: Path) -> None:
    path = plan.parent / "boundary.geojson"
    path.unlink()
    os.mkfifo(path)
    one_line_error(_plan(plan, tmp_path), str(path), "named pipe (FIFO)")


def test_plan_truncated_embedded_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    whole = (ROOT / "gis_data" / "zhengzhou.gpkg").read_bytes()
    (data / "zhengzhou.gpkg").write_bytes(whole[: len(whole) // 3])
    shutil.copy(ROOT / "gis_data" / "zhengzhou_dem.tif", data)
    result = run_layout("plan", "--out", str(tmp_path / "out"), "--no-maps", "-q",
                        env={"LAYOUT_DATA_DIR": str(data)})
    one_line_error(result, str(data / "zhengzhou.gpkg"), "make data")


def test_plan_inconsistent_ahp_is_one_line(plan: Path, tmp_path: Path) -> None:
    with plan.open("a", encoding="utf-8") as f:
        f.write('\n[industries.auto.ahp]\nlabels = ["density", "lq", "slope"]\n'
                'matrix = [9, "1/9", 9]\n')
    one_line_error(_plan(plan, tmp_path), "plan.toml", "industries.auto.ahp", "CR = ",
                   "(density over lq) = 9")
