"""Tests of reading a land-use layer: codes in their schema, mismatches, a 三调 DLTB Shapefile.

The DLTB fixture (tests/fixtures/landuse.py) is a GBK Shapefile without ``.cpg`` in EPSG:4490
with the survey's columns DLBM and DLMC; its answer key ``PATCHES`` holds the codes and names
as written.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from layout.cli.validate import validate
from layout.data.landuse import classify_landuse
from layout.data.mapping import map_layer
from layout.data.validate import validate_file
from layout.errors import ConfigError
from layout.io.vector import read_layer
from tests.fixtures.landuse import PATCHES, write_dltb


def _layer(codes: list[object], names: list[str | None]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": codes, "name": names},
                            geometry=[shapely.box(i, 0, i + 1, 1) for i in range(len(codes))],
                            crs="EPSG:4547")


def test_dltb_in_gbk_without_cpg_reads_and_classifies(tmp_path: Path) -> None:
    path = write_dltb(tmp_path)
    assert not path.with_suffix(".cpg").exists()
    raw = read_layer(path)
    assert raw.crs.to_epsg() == 4490
    assert list(raw["DLMC"]) == [p[1] for p in PATCHES.values()]  # GBK decoded
    mapped, problems = map_layer(raw, kind="landuse")  # DLBM, DLMC accepted as they are
    assert problems == []
    out, problems = classify_landuse(mapped, schema="gbt21010", source=path.name)
    # only the codes written without their leading zero are reported, as warnings
    short = [(row, p[0]) for row, p in enumerate(PATCHES.values(), start=1) if len(p[0]) == 3]
    assert [(p.severity, p.feature) for p in problems] == [
        ("warning", f"row {row}") for row, _ in short]
    for problem, (_, code) in zip(problems, short, strict=True):
        assert f"code '{code}' read as {code.zfill(4)}" in problem.message
    # the codes as written, with the lost leading zero restored by hand
    assert list(out["code"]) == [p[0].zfill(4) for p in PATCHES.values()]
    assert list(out["lu_name"]) == list(out["name"])
    assert set(out["schema"]) == {"gbt21010"}
    assert list(out["lu_class"]) == ["water", "water", "farmland", "industrial", "industrial",
                                     "ecological", "built"]


def test_the_same_file_in_the_other_schema_disagrees(tmp_path: Path) -> None:
    """Read as the 2023 list, 1001 becomes industrial land and its name 铁路用地 disagrees."""
    mapped, _ = map_layer(read_layer(write_dltb(tmp_path)), kind="landuse")
    out, problems = classify_landuse(mapped, schema="ydyh2023", source="DLTB.shp")
    row = list(PATCHES).index(7)
    assert out["lu_class"].iloc[row] == "industrial"
    texts = [str(p) for p in problems if p.severity == "warning" and "1001" in p.message]
    assert texts and "工业用地" in texts[0] and "'铁路用地'" in texts[0]
    assert 'schema = "gbt21010"?' in texts[0]
    # 4 of the 6 named features fit GB/T 21010 only (0103 旱地 and 0301 乔木林地 fit both;
    # 1103 is below the abridged 2023 class 11 and not compared): the schema looks wrong
    (error,) = [p for p in problems if p.severity == "error"]
    assert "the names of 4 of 6 named features fit the codes in GB/T 21010-2017" in error.message
    assert 'use schema = "gbt21010"' in error.message


def test_mismatch_unknown_missing_and_abridged() -> None:
    lu = _layer(["0601", "0601", "1001", "9999", "", "0101", "130101"],
                ["工业用地", "采矿用地", "工业用地", "x", "旱地", None, "供水用地"])
    out, problems = classify_landuse(lu, schema="gbt21010", source="lu.gpkg")
    errors = [str(p) for p in problems if p.severity == "error"]
    warnings = [str(p) for p in problems if p.severity == "warning"]
    assert any("without a land-use code (row 5)" in e for e in errors)
    assert any("unknown GB/T 21010-2017 土地利用现状分类 code '9999'" in e
               and 'values.code = { "9999" = "CODE" }' in e for e in errors)
    assert any("unknown" in e and "'130101'" in e for e in errors)  # not in GB/T 21010
    assert any("feature row 2" in w and "code 0601 is 工业用地" in w and "'采矿用地'" in w
               for w in warnings)
    assert any("feature row 3" in w and "code 1001 is 铁路用地" in w
               and 'schema = "ydyh2023"?' in w for w in warnings)
    assert len(errors) == 3 and len(warnings) == 2  # the matching names and None pass
    assert list(out["lu_class"])[:3] == ["industrial", "industrial", "built"]

    out, problems = classify_landuse(lu.iloc[[6]], schema="ydyh2023", source="lu.gpkg")
    assert [p.severity for p in problems] == ["warning"]
    assert "read as 13 公用设施用地" in problems[0].message and "abridged" in problems[0].message
    assert list(out["lu_class"]) == ["built"]


def test_unknown_schema() -> None:
    with pytest.raises(ConfigError, match="did you mean 'gbt21010'"):
        classify_landuse(_layer(["0601"], ["工业用地"]), schema="gbt2101")


def test_validate_file_needs_a_schema(tmp_path: Path) -> None:
    path = write_dltb(tmp_path)
    with pytest.raises(ConfigError, match="--schema gbt21010"):
        validate_file(path, kind="landuse", study_area=False)
    problems = validate_file(path, kind="landuse", schema="gbt21010", study_area=False)
    assert {p.severity for p in problems} == {"warning"}
    assert all("read as" in p.message for p in problems)


def test_cli_validate_landuse(tmp_path: Path) -> None:
    path = write_dltb(tmp_path)
    run = CliRunner().invoke(validate, [str(path), "--kind", "landuse", "--schema", "gbt21010",
                                        "--no-study-area"])
    assert run.exit_code == 0, run.output
    assert run.output.endswith("0 errors, 2 warnings\n")  # 103 and 601 read as 0103, 0601
    assert "code '601' read as 0601" in run.output
    run = CliRunner().invoke(validate, [str(path), "--kind", "landuse", "--schema", "ydyh2023",
                                        "--no-study-area"])
    # 0601 乡村道路用地, 1001 工业用地 and 1101 物流仓储用地 in 2023: most names fit the other
    # schema, an error (exit 1), and each disagreement a warning
    assert run.exit_code == 1, run.output
    assert "the schema looks wrong" in run.output
    assert "code 1001 is 工业用地" in run.output and "warning" in run.output
    run = CliRunner().invoke(validate, [str(path), "--kind", "landuse", "--no-study-area"])
    assert run.exit_code == 2 and "--schema" in run.output
