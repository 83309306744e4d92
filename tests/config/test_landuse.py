"""Tests of ``[inputs.landuse]`` in a plan (layout.config.inputs.LanduseInput)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from layout.cli.validate import validate
from layout.config.landuse import landuse_codes
from layout.config.plan import load_plan
from layout.errors import ConfigError
from tests.fixtures import tiny_plan as tp
from tests.fixtures.landuse import write_dltb


def _plan(tmp_path: Path, landuse: object) -> Path:
    write_dltb(tmp_path)
    return tp.write_tiny_plan(tmp_path, inputs={"landuse": landuse})


def test_schema_and_columns_reach_the_input_spec(tmp_path: Path) -> None:
    plan = load_plan(_plan(tmp_path, {"path": "DLTB/DLTB.shp", "schema": "ydyh2023",
                                      "code_column": "DLBM", "name_column": "DLMC",
                                      "values": {"code": {"0601X": "0601"}}}))
    spec = plan.inputs["landuse"]
    assert spec.schema == "ydyh2023"
    assert dict(spec.columns) == {"code": "DLBM", "name": "DLMC"}
    assert spec.values["code"] == {"0601X": "0601"}
    assert spec.path == tmp_path / "DLTB" / "DLTB.shp"


@pytest.mark.parametrize(("landuse", "message"), [
    ("DLTB/DLTB.shp", 'inputs.landuse: needs schema = "gbt21010"'),  # a bare path has none
    ({"path": "DLTB/DLTB.shp", "schema": "gbt21011"},
     "unknown land-use code schema 'gbt21011'; did you mean 'gbt21010'"),
    ({"path": "DLTB/DLTB.shp", "schema": "gbt21010", "code_column": "DLBM",
      "columns": {"code": "地类编码"}},
     "code_column = 'DLBM' and columns.code = '地类编码' disagree"),
    ({"path": "DLTB/DLTB.shp", "schema": "gbt21010", "columns": {"kode": "DLBM"}},
     "unknown landuse column 'kode'"),
])
def test_bad_landuse_tables(tmp_path: Path, landuse: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_plan(_plan(tmp_path, landuse))


def test_a_plan_without_inputs_has_no_landuse(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text('[plan]\nname = "x"\n', encoding="utf-8")
    assert "landuse" not in load_plan(path).inputs


def test_embedded_plan_reads_the_illustrative_layer() -> None:
    spec = load_plan().inputs["landuse"]
    assert spec.embedded and spec.schema == "gbt21010"
    assert dict(spec.columns) == {"code": "DLBM", "name": "DLMC"}
    assert landuse_codes().codes(spec.schema).codes["0601"].name == "工业用地"


def test_validate_takes_schema_and_mapping_from_the_plan(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {"path": "DLTB/DLTB.shp", "schema": "gbt21010"})
    run = CliRunner().invoke(validate, [str(tmp_path / "DLTB" / "DLTB.shp"), "--kind",
                                        "landuse", "--plan", str(plan), "--no-study-area"])
    assert run.exit_code == 0, run.output
    # only the codes written without their leading zero (103, 601) are reported, as warnings
    assert run.output.endswith("0 errors, 2 warnings\n")
    assert "code '103' read as 0103" in run.output and "code '601' read as 0601" in run.output
