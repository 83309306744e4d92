"""The 2023 control indicators of the catalog (《工业项目建设用地控制指标》) against the 2008 text.

Expectations are written by hand from the issue and the domain brief (the 2023 text's mandatory
and recommended indicators; the 2008 figures 30 %, 7 %, 20 %) and read from the TOML with
tomllib, independently of the package's parser.
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import pytest

from layout.config.catalog import parse_catalog
from layout.data.indicators import FIELDS, OPTIONAL, check_indicators, thresholds
from layout.errors import ConfigError
from layout.model.catalog import PRIORITY_CODES
from layout.products.sitecheck import check_parcels, example_indicators, example_parcels
from layout.scoring.cache import ScoreCache

MANDATORY = {"far", "building_coverage", "admin_share"}  # 约束性 in the 2023 text
RECOMMENDED = {"investment_per_mu_wan", "output_per_mu_wan", "tax_per_mu_wan"}  # 推荐性
FIGURES_2008 = {"building_coverage": 0.30, "admin_share": 0.07, "green_ratio": 0.20}


def raw() -> dict[str, Any]:
    text = resources.files("layout.config").joinpath("industries.toml").read_text("utf-8")
    return tomllib.loads(text)


def items() -> dict[str, dict[str, Any]]:
    return {c["field"]: c for c in raw()["controls"]["indicators"]}


def test_mandatory_and_recommended_as_in_the_2023_text() -> None:
    got = items()
    assert {f for f, c in got.items() if c["kind"] == "recommended"} == RECOMMENDED
    assert {f for f, c in got.items() if c["kind"] == "mandatory"} >= MANDATORY
    assert set(got) <= set(FIELDS)
    names = {f: c["name_zh"] for f, c in got.items()}
    assert names["far"] == "容积率" and names["building_coverage"] == "建筑系数"
    assert names["admin_share"] == "行政办公及生活服务设施用地所占比重"
    assert names["investment_per_mu_wan"] == "固定资产投资强度"
    assert names["output_per_mu_wan"] == "土地产出率" and names["tax_per_mu_wan"] == "土地税收"


def test_every_indicator_has_its_clause_and_no_invented_figure() -> None:
    for field, c in items().items():
        assert c["clause_2023"].strip(), field
        assert c["confidence_2023"] in ("H", "M", "L", "unverified")
        if c["confidence_2023"] == "unverified":
            assert "value_2023" not in c, f"{field}: an unverified 2023 figure is not written"
    for field, value in FIGURES_2008.items():
        assert items()[field]["value_2008"] == pytest.approx(value)
        assert "2008" in items()[field]["clause_2008"]


@pytest.mark.parametrize("code", PRIORITY_CODES)
def test_thresholds_use_2008_where_2023_is_unverified(code: str) -> None:
    t = thresholds(code)
    rows = {r["code"]: r for r in raw()["industries"]}[code]
    for field, c in items().items():
        th = t[field]
        assert th.kind == c["kind"] and th.op == c["op"]
        assert th.clause_2023 == c["clause_2023"]
        assert th.confidence_2023 == "unverified"
        if field in FIGURES_2008:
            assert (th.value, th.edition, th.value_2008) == (
                pytest.approx(FIGURES_2008[field]), "2008", pytest.approx(FIGURES_2008[field]))
        elif field == "far":
            assert (th.value, th.edition) == (rows["far"]["min"], "2008")
        else:  # the industry's reference value per mu, illustrative
            key = {"investment_per_mu_wan": "investment", "output_per_mu_wan": "output",
                   "tax_per_mu_wan": "tax"}[field]
            assert (th.value, th.edition, th.confidence) == (
                rows[key]["per_mu_wan"], "reference", rows[key]["confidence"])


def test_a_verified_2023_figure_replaces_the_2008_one() -> None:
    data = copy.deepcopy(raw())
    bc = next(c for c in data["controls"]["indicators"] if c["field"] == "building_coverage")
    bc.update(value_2023=0.4, confidence_2023="H")
    t = thresholds("food", catalog=parse_catalog(data, source="c.toml"))["building_coverage"]
    assert (t.value, t.edition, t.value_2008) == (0.4, "2023", 0.30)
    assert t.source.startswith(data["controls"]["edition_2023"])
    [chk] = [c for c in check_indicators({**example_indicators()["A-airport"],
                                          "building_coverage": 0.35}, industry="food",
                                         catalog=parse_catalog(data, source="c.toml"))
             if c.field == "building_coverage"]
    assert not chk.passed  # 35 % meets 2008's 30 % but not the 40 % of this catalog


@pytest.mark.parametrize(("change", "expect"), [
    (lambda d: d["controls"]["indicators"].append(dict(d["controls"]["indicators"][0])),
     "field 'far' listed twice"),
    (lambda d: d["controls"]["indicators"][1].update(kind="binding"),
     "controls.indicators[1].kind"),
    (lambda d: d["controls"]["indicators"][1].pop("value_2008"),
     "needs value_2023, value_2008 or by_industry = true"),
    (lambda d: d["controls"]["indicators"][0].update(confidence_2023="maybe"),
     "controls.indicators[0].confidence_2023"),
])
def test_schema_refuses(change: Any, expect: str) -> None:
    data = copy.deepcopy(raw())
    change(data)
    with pytest.raises(ConfigError, match=expect.replace("[", r"\[").replace("]", r"\]")):
        parse_catalog(data, source="c.toml")


def test_optional_fields_may_be_left_out() -> None:
    values = {k: v for k, v in example_indicators()["A-airport"].items() if k not in OPTIONAL}
    fields = [c.field for c in check_indicators(values, industry="electronics")]
    assert set(fields) == set(FIELDS) - OPTIONAL


def test_recommended_shortfall_informs(score_cache: ScoreCache) -> None:
    ind = {"A-airport": {**example_indicators()["A-airport"], "tax_per_mu_wan": 1.0}}
    parcel = example_parcels().iloc[[0]]
    (c,) = check_parcels(parcel, industry="electronics", indicators=ind, cache=score_cache)
    low = [r for r in c.reasons if r.code == "indicator_below_recommended"]
    assert len(low) == 1 and low[0].severity == "info" and "土地税收" in low[0].message_zh
    assert c.verdict == "suitable"
