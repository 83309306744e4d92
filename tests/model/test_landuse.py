"""Tests of the land-use code lists (layout.model.landuse, layout/config/landuse_codes.toml).

Expected values come from the published lists: GB/T 21010-2017 has 12 first-level and 73
second-level classes; 1001 is 铁路用地 there and 工业用地 in the 2023 用地用海分类, whose
100101-100103 are 一类/二类/三类工业用地.
"""

from __future__ import annotations

import pytest

from layout.config.landuse import landuse_codes
from layout.errors import ConfigError
from layout.model.landuse import LIMIT_TYPES, LandUseClass, LandUseCodes, normalise_code
from layout.model.table import validate

TABLE = landuse_codes()


@pytest.mark.parametrize(("value", "schema", "expected"), [
    ("601", "gbt21010", "0601"),      # the leading zero an Excel column dropped
    (601, "gbt21010", "0601"),
    (601.0, "gbt21010", "0601"),      # a number column read as float
    ("601.0", "gbt21010", "0601"),
    (" 0601 ", "gbt21010", "0601"),
    ("1", "gbt21010", "01"),
    ("0201k", "gbt21010", "0201K"),   # 三调 suffix, upper-cased
    ("05h1", "gbt21010", "05H1"),
    ("10101", "ydyh2023", "010101"),  # six-digit codes of the 2023 list
    ("100101", "ydyh2023", "100101"),
    ("", "gbt21010", ""),
    (None, "gbt21010", ""),
    (float("nan"), "gbt21010", ""),
])
def test_normalise_code(value: object, schema: str, expected: str) -> None:
    assert normalise_code(value, schema=schema) == expected


def test_the_same_code_in_two_schemas() -> None:
    railway = TABLE.lookup("1001", schema="gbt21010")
    industry = TABLE.lookup("1001", schema="ydyh2023")
    assert railway is not None and industry is not None
    assert (railway.name, railway.land_class) == ("铁路用地", LandUseClass.BUILT)
    assert (industry.name, industry.land_class) == ("工业用地", LandUseClass.INDUSTRIAL)
    # GB/T 21010's industrial land is 0601; in the 2023 list 0601 is 乡村道路用地
    assert TABLE.lookup("601", schema="gbt21010").land_class is LandUseClass.INDUSTRIAL
    assert TABLE.lookup("0601", schema="ydyh2023").name == "乡村道路用地"


@pytest.mark.parametrize(("code", "name"), [
    ("100101", "一类工业用地"), ("100102", "二类工业用地"), ("100103", "三类工业用地")])
def test_industrial_classes_of_2023(code: str, name: str) -> None:
    hit = TABLE.lookup(code, schema="ydyh2023")
    assert hit is not None and hit.name == name and hit.land_class is LandUseClass.INDUSTRIAL
    assert not hit.abridged


def test_gbt21010_is_complete_at_two_levels() -> None:
    codes = TABLE.gbt21010.codes
    first = [c for c in codes if len(c) == 2]
    second = [c for c in codes if len(c) == 4 and c.isdigit() and c != "0508"]
    assert first == [f"{i:02d}" for i in range(1, 13)]
    assert len(second) == 73  # the published second-level classes (0508 is a 三调 working code)


def test_2023_first_level_classes() -> None:
    first = [c for c in TABLE.ydyh2023.codes if len(c) == 2]
    assert first == [f"{i:02d}" for i in range(1, 25)]
    assert TABLE.lookup("17", schema="ydyh2023").land_class is LandUseClass.WATER
    assert TABLE.lookup("05", schema="ydyh2023").land_class is LandUseClass.ECOLOGICAL


def test_suffix_and_abridged_codes() -> None:
    pond = TABLE.lookup("1104A", schema="gbt21010")
    assert pond is not None and (pond.listed, pond.land_class) == ("1104", LandUseClass.WATER)
    assert not pond.abridged
    utility = TABLE.lookup("1301", schema="ydyh2023")  # 13 公用设施用地: listed at one level
    assert utility is not None and utility.abridged and utility.listed == "13"
    assert TABLE.lookup("1301", schema="gbt21010") is None  # GB/T 21010 is listed in full
    assert TABLE.lookup("9999", schema="ydyh2023") is None


def test_classes_inherit_and_override() -> None:
    water = TABLE.codes_of("gbt21010", "water")
    assert water == ["11", "1101", "1102", "1103", "1104", "1107", "1110"]
    assert TABLE.lookup("1109", schema="gbt21010").land_class is LandUseClass.BUILT
    assert TABLE.lookup("1106", schema="gbt21010").land_class is LandUseClass.ECOLOGICAL
    assert set(LIMIT_TYPES) == {"farmland", "water", "ecological"}


def test_code_table_is_validated() -> None:
    with pytest.raises(ConfigError, match="its parent 06 is not listed"):
        validate(LandUseCodes, {
            "gbt21010": {"title": "t", "codes": {"0601": {"name": "工业用地"}}},
            "ydyh2023": {"title": "t", "codes": {}}}, label="codes.toml")
    with pytest.raises(ConfigError, match="unknown land-use class 'industry'"):
        validate(LandUseCodes, {
            "gbt21010": {"title": "t", "codes": {"06": {"name": "x", "class": "industry"}}},
            "ydyh2023": {"title": "t", "codes": {}}}, label="codes.toml")
