"""Planned land indicators of a site check (`layout.data.indicators`) against the catalog.

Thresholds come from the catalog TOML read with tomllib, independently of the package.
"""

from __future__ import annotations

import json
import os
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from layout.data.indicators import (
    FIELDS,
    IndicatorError,
    check_indicators,
    parse_indicators,
    read_indicators,
    thresholds,
)
from layout.model.catalog import PRIORITY_CODES
from layout.products.sitecheck import example_indicators


def _catalog_toml() -> dict:
    text = resources.files("layout.config").joinpath("industries.toml").read_text("utf-8")
    return tomllib.loads(text)


@pytest.mark.parametrize("code", PRIORITY_CODES)
def test_thresholds_follow_the_catalog_table(code: str) -> None:
    raw = _catalog_toml()
    row = next(r for r in raw["industries"] if r["code"] == code)
    t = thresholds(code)
    assert (t["far"].op, t["far"].value, t["far"].source) == (
        ">=", row["far"]["min"], row["far"]["source"])
    assert (t["investment_per_mu_wan"].op, t["investment_per_mu_wan"].value) == (
        ">=", row["investment"]["per_mu_wan"])
    assert t["investment_per_mu_wan"].source == row["investment"]["source"]
    assert (t["building_coverage"].op, t["building_coverage"].value) == (
        ">=", raw["land"]["building_coverage_min"])
    assert (t["admin_share"].op, t["admin_share"].value) == ("<=", raw["land"]["admin_share_max"])
    assert (t["green_ratio"].op, t["green_ratio"].value) == ("<=", raw["land"]["green_ratio_max"])
    green = next(c for c in raw["controls"]["indicators"] if c["field"] == "green_ratio")
    assert t["green_ratio"].source == green["clause_2008"]  # the 2023 figure is unverified
    # at the threshold passes, a hair beyond fails
    at = {f: t[f].value for f in FIELDS}
    assert all(c.passed for c in check_indicators(at, industry=code))
    worse = {f: t[f].value - 0.01 if t[f].op == ">=" else t[f].value + 0.01 for f in FIELDS}
    assert not any(c.passed for c in check_indicators(worse, industry=code))


def test_parse_indicators_messages() -> None:
    good = example_indicators()["A-airport"]
    with pytest.raises(IndicatorError, match=r"ind.csv, parcel P2: missing field 'green_ratio'"):
        parse_indicators({k: v for k, v in good.items() if k != "green_ratio"},
                         where="ind.csv, parcel P2")
    with pytest.raises(IndicatorError, match=r"field 'far' = 'abc' is not a number"):
        parse_indicators({**good, "far": "abc"})
    with pytest.raises(IndicatorError, match=r"'green_ratio' = 15 is above 1.*divide .* 0.15"):
        parse_indicators({**good, "green_ratio": 15})
    assert parse_indicators({**good, "green_ratio": "15 %"})["green_ratio"] == pytest.approx(0.15)
    with pytest.raises(IndicatorError, match="is not a percentage"):
        parse_indicators({**good, "far": "120%"})


def test_read_indicators_formats(tmp_path: Path) -> None:
    ind = example_indicators()
    header = "parcel_id," + ",".join(FIELDS)
    rows = [f"{pid}," + ",".join(str(v[f]) for f in FIELDS) for pid, v in ind.items()]
    csv = tmp_path / "i.csv"
    csv.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert read_indicators(csv) == ind
    single = tmp_path / "one.json"
    single.write_text(json.dumps(ind["A-airport"]), encoding="utf-8")
    assert read_indicators(single) == {"*": ind["A-airport"]}
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([{"parcel_id": k, **v} for k, v in ind.items()]), "utf-8")
    assert read_indicators(listed) == ind
    toml = tmp_path / "i.toml"
    toml.write_text("".join(
        f"[parcels.{k}]\n" + "".join(f"{f} = {v[f]}\n" for f in FIELDS) for k, v in ind.items()
    ), encoding="utf-8")
    assert read_indicators(toml) == ind
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\nP1,1.2,0.4,0.05,,380\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"bad.csv, parcel P1: field 'green_ratio' is empty"):
        read_indicators(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(IndicatorError, match="is empty"):
        read_indicators(empty)




def test_a_named_pipe_is_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "ind.csv"
    os.mkfifo(fifo)  # reading it would block the test forever
    with pytest.raises(IndicatorError, match=r"ind\.csv is a named pipe \(FIFO\), not an "
                                             r"indicators file"):
        read_indicators(fifo)
