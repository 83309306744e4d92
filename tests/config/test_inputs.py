"""Tests of layout.config.inputs: the ``[inputs]`` tables and their column and value mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from layout.config.inputs import parse_columns
from layout.config.plan import load_plan
from layout.errors import ConfigError
from tests.fixtures import chinese_plan as cp


def _with(tmp_path: Path, kind: str, **table: object) -> Path:
    return cp.write_chinese_plan(tmp_path, inputs={
        kind: {**cp.INPUTS[kind], **table}})


def test_mapping_reaches_the_input_spec(tmp_path: Path) -> None:
    plan = load_plan(cp.write_chinese_plan(tmp_path))
    zones = plan.inputs["zones"]
    assert zones.path == tmp_path / "zones" / "园区.shp"
    assert zones.columns["leading"] == "主导产业"
    assert zones.values == {"leading": {"电子": "electronics"}}
    assert plan.inputs["enterprises"].columns["lon"] == "经度"
    assert plan.inputs["boundary"].columns == {}


def test_a_misspelt_value_target_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    plan = _with(tmp_path, "zones", values={"leading": {"电子": "electronic"}})
    with pytest.raises(ConfigError) as err:
        load_plan(plan)
    assert str(err.value).startswith(
        'plan.toml: inputs.zones: values.leading."电子" = \'electronic\': unknown industry code '
        "'electronic'; did you mean 'electronics'?")


def test_other_is_a_target_of_enterprises_not_of_zones(tmp_path: Path) -> None:
    load_plan(_with(tmp_path / "a", "enterprises", values={"industry": {"化工": "other"}}))
    with pytest.raises(ConfigError, match=r"unknown industry code 'other'"):
        load_plan(_with(tmp_path / "b", "zones", values={"leading": {"物流": "other"}}))


def test_constraint_type_targets_are_checked(tmp_path: Path) -> None:
    plan = _with(tmp_path, "constraints", values={"type": {"基本农田": "basic_farmlnd"}})
    with pytest.raises(ConfigError, match=r"unknown type value 'basic_farmlnd'; did you mean "
                                          r"'basic_farmland'\?"):
        load_plan(plan)


def test_values_of_an_unknown_or_numeric_column_are_refused(tmp_path: Path) -> None:
    plan = _with(tmp_path, "zones", values={"built_share": {"一半": "0.5"}})
    with pytest.raises(ConfigError, match=r"inputs\.zones\.values\.built_share: unknown zones "
                                          r"text column 'built_share'"):
        load_plan(plan)


def test_the_dem_takes_no_mapping(tmp_path: Path) -> None:
    plan = cp.write_chinese_plan(tmp_path, inputs={
        "dem": {"path": "dem.tif", "columns": {"x": "y"}}})
    with pytest.raises(ConfigError, match=r"inputs\.dem\.columns: unknown key"):
        load_plan(plan)


def test_parse_columns() -> None:
    assert parse_columns("lon=经度, lat=纬度,name=企业名称", kind="enterprises") == {
        "lon": "经度", "lat": "纬度", "name": "企业名称"}
    with pytest.raises(ConfigError, match=r"^--columns: 'zone_id' is not NAME=COLUMN"):
        parse_columns("zone_id", kind="zones")
    with pytest.raises(ConfigError, match=r"^--columns: unknown layer kind 'zone'"):
        parse_columns("zone_id=a", kind="zone")
