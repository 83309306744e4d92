"""Tests of layout.data.mapping and of plans that map a planner's own files (issue 13).

The Chinese variant of the tiny plan (`tests.fixtures.chinese_plan`) holds exactly the tiny
plan's content in an agency's form (GBK Shapefiles without .cpg and with Chinese field names,
an Excel sheet with Chinese headers in GCJ-02): its layers, and a whole plan run on them, must
equal the tiny plan's.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from layout.allocation.run import run_plan
from layout.config.catalog import load_catalog
from layout.data.inputs import load_inputs
from layout.data.mapping import map_layer, split_items
from layout.errors import ConfigError, DataFileError, ValidationError
from layout.io.vector import read_layer
from layout.model.layers import LAYER_SCHEMAS, LIST_SEPARATORS, SHAPEFILE_NAME_MAX
from tests.fixtures import chinese_plan as cp
from tests.fixtures import tiny_plan as tp
from tests.fixtures.cli_process import one_line_error, run_layout

CATALOG = load_catalog()
#: GCJ-02 -> WGS84 is solved to 1e-9 degrees (layout.core.datum) and the fixture's forward
#: formula is the published one, so firms land within millimetres; 5 cm leaves room for the
#: projection to EPSG:4547 and is 1/4000 of a 200 m cell.
POSITION_TOLERANCE_M = 0.05
#: Demand derived from the enterprises' output (so that their mapped columns count), as in the
#: complete example of docs/config.md; the three industries without firms are given.
OVERRIDES = {
    "demand": {"growth": 1.5, "industries": {"new_materials": {"mu": 0},
                                             "biomedicine": {"mu": 300}, "textiles": {"mu": 0}}},
    "allocation": {"min_site_mu": 120.0, "max_sites": 3, "seed_spacing_m": 1000.0},
}


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cp.write_chinese_plan(tmp_path_factory.mktemp("chinese"), **OVERRIDES)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"), **OVERRIDES)


# --- reading the agency's files ---------------------------------------------------------------


def test_gbk_shapefile_without_cpg_reads_chinese_field_names(chinese: Path) -> None:
    shp = chinese.parent / "zones" / "园区.shp"
    assert not shp.with_suffix(".cpg").exists()
    zones = read_layer(shp)
    assert list(zones.columns[:5]) == ["园区编号", "园区名称", "英文名称", "所在县区", "主导产业"]
    # an empty text field reads as missing: the mapping writes it as "" (no leading industry)
    assert zones["主导产业"].fillna("").tolist() == list(cp.LEADING_ZH.values())
    assert zones.attrs["encoding"] in ("gbk", "gb18030")
    assert "detected; no .cpg" in zones.attrs["notes"][0]


def test_chinese_layers_equal_the_tiny_plans(chinese: Path, tiny: Path) -> None:
    mine, theirs = load_inputs(chinese), load_inputs(tiny)
    cols = ["zone_id", "name_zh", "name_en", "county", "leading", "built_share", "confidence"]
    pd.testing.assert_frame_equal(mine.layers["zones"][cols], theirs.layers["zones"][cols])
    assert mine.layers["zones"].geom_equals(theirs.layers["zones"]).all()
    cols = ["constraint_id", "type", "legal_basis"]
    pd.testing.assert_frame_equal(mine.layers["constraints"][cols],
                                  theirs.layers["constraints"][cols])
    firms, expected = mine.layers["enterprises"], tp.tiny_enterprises()
    assert firms["ent_id"].tolist() == expected["ent_id"].tolist()
    assert firms["industry"].tolist() == expected["industry"].tolist()
    assert firms["anchor"].astype(bool).tolist() == expected["anchor"].tolist()
    np.testing.assert_allclose(firms["output_wan"], expected["output_wan"])
    # GCJ-02 in the sheet, converted back: each firm where the tiny plan has it (EPSG:4547)
    shift = firms.geometry.distance(expected.geometry.to_crs(firms.crs), align=False)
    assert float(shift.max()) < POSITION_TOLERANCE_M
    # ... and the file really was off by the GCJ-02 shift (about 0.5 km in Henan), not WGS84
    sheet = pd.read_excel(chinese.parent / "企业名录.xlsx")
    raw = gpd.GeoSeries(gpd.points_from_xy(sheet["经度"], sheet["纬度"]), crs="EPSG:4326")
    assert 300 < float(raw.to_crs(firms.crs).distance(firms.geometry, align=False).min()) < 800


def test_chinese_plan_plans_like_the_tiny_plan(chinese: Path, tiny: Path) -> None:
    mine = run_plan(load_inputs(chinese), sensitivity=False)
    theirs = run_plan(load_inputs(tiny), sensitivity=False)
    assert len(mine.sites) == len(theirs.sites) > 0
    cols = ["site_id", "industry", "area_mu", "zone_id", "zone_name", "county"]
    pd.testing.assert_frame_equal(mine.sites[cols], theirs.sites[cols])
    assert mine.sites.geom_equals(theirs.sites).all()
    # the firms moved by millimetres (GCJ-02 there and back): scores agree to far below 0.01 %
    np.testing.assert_allclose(mine.sites["mean_score"], theirs.sites["mean_score"], rtol=1e-6)


# --- errors of a mapping ------------------------------------------------------------------------


def test_unknown_mapping_key_is_one_config_line(chinese: Path, tmp_path: Path) -> None:
    plan = cp.write_chinese_plan(tmp_path, inputs={
        "zones": {**cp.INPUTS["zones"],
                  "columns": {**cp.INPUTS["zones"]["columns"], "zone_idd": "园区编号"}}})
    with pytest.raises(ConfigError) as err:
        load_inputs(plan)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("plan.toml: inputs.zones.columns.zone_idd: unknown zones column "
                           "'zone_idd'; did you mean 'zone_id'")
    line = one_line_error(run_layout("score", str(plan), "--industry", "food", "-q"),
                          "plan.toml", "inputs.zones.columns.zone_idd", "did you mean 'zone_id'")
    assert line.startswith("error: plan.toml:")


def test_mapped_column_missing_from_the_file_is_one_line(tmp_path: Path) -> None:
    columns = {**cp.INPUTS["zones"]["columns"], "leading": "主导产业s"}
    plan = cp.write_chinese_plan(tmp_path, inputs={
        "zones": {**cp.INPUTS["zones"], "columns": columns}})
    with pytest.raises(ValidationError) as err:
        load_inputs(plan)
    first = str(err.value.problems[0])
    assert first == (
        f'error: {tmp_path / "zones" / "园区.shp"}: columns.leading = "主导产业s" (inputs.zones '
        "in plan.toml): the file has no such column; did you mean '主导产业'? columns: 园区编号, "
        "园区名称, 英文名称, 所在县区, 主导产业, built_shr, 可信度")
    assert len(err.value.problems) == 1  # not also "required column 'leading' missing"
    line = one_line_error(run_layout("score", str(plan), "--industry", "food", "-q"),
                          "园区.shp", "columns.leading", "did you mean '主导产业'")
    assert "more error" not in line


def test_unknown_leading_industry_names_it_and_lists_the_known(tmp_path: Path) -> None:
    plan = cp.write_chinese_plan(tmp_path, inputs={
        "zones": {**cp.INPUTS["zones"], "values": {}}})  # 电子 no longer mapped
    with pytest.raises(ValidationError) as err:
        load_inputs(plan)
    problems = [p for p in err.value.problems if p.severity == "error"]
    assert len(problems) == 1
    text = str(problems[0])
    assert "\n" not in text
    assert text.startswith(f"error: {tmp_path / 'zones' / '园区.shp'}, feature east_auto, "
                           "column 'leading': unknown industry '电子' (file column '主导产业'); "
                           "did you mean 'electronics' (电子信息)? known: auto 汽车及装备制造, "
                           "electronics 电子信息,")
    assert text.endswith('map it in [inputs.zones]: values.leading = { "电子" = "CODE" }')
    assert "other" not in text.split("known:")[1]  # "other" is no leading industry


def test_unknown_enterprise_industry_is_reported_once_per_value() -> None:
    firms = gpd.GeoDataFrame(
        {"ent_id": ["E1", "E2", "E3"], "industry": ["化工", "化工", "26"]},
        geometry=[shapely.Point(113.7, 34.7)] * 3, crs="EPSG:4326")
    firms.attrs["source"] = "firms.xlsx"
    out, problems = map_layer(firms, kind="enterprises", catalog=CATALOG)
    assert out["industry"].tolist() == ["化工", "化工", "other"]  # 26 chemicals: outside
    assert [(p.feature, p.column) for p in problems] == [("E1", "industry")]
    assert "unknown industry '化工' in 2 features;" in problems[0].message
    assert ", other, or a GB/T 4754 division" in problems[0].message


# --- values, separators, industries, aliases ---------------------------------------------------


@pytest.mark.parametrize("sep", LIST_SEPARATORS)
def test_every_list_separator_is_accepted(sep: str) -> None:
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1"], "leading": [f"电子信息{sep} 汽车及装备制造{sep}food"]},
        geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    out, problems = map_layer(zones, kind="zones", catalog=CATALOG)
    assert problems == []
    assert out.loc[0, "leading"] == "electronics,auto,food"


def test_split_items_mixed_separators() -> None:
    assert split_items("a、b；c;d,e，f") == ["a", "b", "c", "d", "e", "f"]
    assert split_items(" a 、、 ") == ["a"]


def test_values_map_items_then_the_catalog_names() -> None:
    zones = gpd.GeoDataFrame(
        {"编号": ["Z1", "Z2"], "产业": ["汽车、电子", "Automobiles and equipment;铝工业"]},
        geometry=[shapely.box(0, 0, 1, 1)] * 2, crs="EPSG:4326")
    out, problems = map_layer(zones, kind="zones", catalog=CATALOG,
                              columns={"zone_id": "编号", "leading": "产业"},
                              values={"leading": {"汽车": "auto", "电子": "electronics"}})
    assert problems == []
    assert out["leading"].tolist() == ["auto,electronics", "auto,aluminium"]
    assert "编号" not in out.columns and "产业" not in out.columns
    assert zones.columns.tolist() == ["编号", "产业", "geometry"]  # the input frame untouched


def test_divisions_map_to_industries() -> None:
    firms = gpd.GeoDataFrame(
        {"industry": [39, 36.0, "3252", "13", "其它", "electronics"]},
        geometry=[shapely.Point(0, 0)] * 6, crs="EPSG:4326")
    out, problems = map_layer(firms, kind="enterprises", catalog=CATALOG)
    assert problems == []
    assert out["industry"].tolist() == ["electronics", "auto", "aluminium", "food", "other",
                                        "electronics"]


def test_a_division_outside_the_catalog_is_no_leading_industry() -> None:
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "leading": ["26"]},
                             geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    _, problems = map_layer(zones, kind="zones", catalog=CATALOG)
    assert len(problems) == 1 and "unknown industry '26'" in problems[0].message


def test_shapefile_aliases_are_at_most_ten_characters_and_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "data_model.md").read_text("utf-8")
    for kind, schema in LAYER_SCHEMAS.items():
        for name in schema.columns:
            assert f"`{name}`" in doc or f" {name} " in doc or f"{name}," in doc, (kind, name)
            if len(name) > SHAPEFILE_NAME_MAX:
                alias = schema.aliases[name]
                assert len(alias) <= SHAPEFILE_NAME_MAX
                assert f"`{name}` → `{alias}`" in doc, (kind, name, alias)


def test_constraints_shapefile_with_aliases_reads_without_mapping(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"constr_id": ["c1"], "type": ["basic_farmland"], "legal_bas": ["土地管理法"]},
        geometry=[shapely.box(113.6, 34.6, 113.7, 34.7)], crs="EPSG:4326")
    shp = tmp_path / "c.shp"
    pyogrio.write_dataframe(gdf, shp, encoding="gbk")
    os.remove(shp.with_suffix(".cpg")) if shp.with_suffix(".cpg").exists() else None
    out, problems = map_layer(read_layer(shp), kind="constraints", catalog=CATALOG)
    assert problems == []
    assert out[["constraint_id", "legal_basis"]].values.tolist() == [["c1", "土地管理法"]]


def test_schema_columns_are_those_of_the_data_model() -> None:
    from tests.test_gis_data import SCHEMA  # the embedded data's columns, written out anew

    for kind, columns in SCHEMA.items():  # by name or alias (the land use's DLBM, DLMC ...)
        assert all(LAYER_SCHEMAS[kind].column_of(c) for c in columns), kind


# --- docs/config.md: the example of a Chinese agency's files -----------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "config.md"


def test_doc_chinese_example_parses_and_runs(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    block = next(b for b in blocks if "园区.shp" in b)
    data = tomllib.loads(block)
    for name, table in cp.INPUTS.items():  # the fixture writes the files the example names
        assert data["inputs"][name] == table, name
    plan = cp.write_chinese_plan(tmp_path, **OVERRIDES)
    # the documented [inputs], the fixture's [plan], [constraints], [demand] and [allocation]
    rest = {k: v for k, v in tomllib.loads(plan.read_text("utf-8")).items() if k != "inputs"}
    plan.write_text(block + "\n" + tp.to_toml(rest), encoding="utf-8")
    inputs = load_inputs(plan)
    assert inputs.layers["zones"]["leading"].tolist() == ["auto,electronics", "food", ""]
    assert sorted(inputs.layers["constraints"]["type"]) == sorted(
        v[0] for v in tp.CONSTRAINTS.values())
    result = run_plan(inputs, sensitivity=False)
    assert len(result.sites) > 0
    assert set(result.sites["industry"]) >= {"auto", "electronics", "food", "aluminium"}


def test_a_mapped_coordinate_column_the_table_lacks(tmp_path: Path) -> None:
    plan = cp.write_chinese_plan(tmp_path, inputs={"enterprises": {
        **cp.INPUTS["enterprises"],
        "columns": {**cp.INPUTS["enterprises"]["columns"], "lon": "经度数"}}})
    with pytest.raises(DataFileError) as err:
        load_inputs(plan)
    text = str(err.value)
    assert "\n" not in text
    assert "has no column '经度数' (given as longitude: lon=/lat=, [inputs] columns.lon); did " \
           "you mean '经度'? columns: 企业编号," in text
