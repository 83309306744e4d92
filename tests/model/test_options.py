"""The plan's [demand], [allocation] and [sensitivity] tables (layout.model.options).

Each option is validated into its model when the plan is read; every bad value names the file,
the key path and what is expected (the one message style of `layout.model.table`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from layout.config.catalog import load_catalog
from layout.config.plan import parse_plan
from layout.errors import ConfigError
from layout.model.options import AllocationOptions, DemandOptions, SensitivityOptions
from layout.model.table import codes_context, validate

CODES = codes_context(load_catalog().codes)
#: Demand given in mu for every industry but food, so that only food's options matter.
GIVEN = {c: {"mu": 100.0} for c in load_catalog().codes if c != "food"}


def parse(data: dict[str, Any]) -> Any:
    return parse_plan(data, path=Path("plan.toml"))


def test_defaults_and_values() -> None:
    assert parse({}).demand == DemandOptions()
    assert parse({}).sensitivity == SensitivityOptions()
    assert parse({}).allocation == AllocationOptions()
    d = validate(DemandOptions, {"growth": 1.5, "output_per_mu": "catalog",
                                 "industries": {"food": {"mu": 10, "growth": 3}}},
                 label="p.toml", prefix=["demand"], context=CODES)
    assert d.growth == 1.5 and d.output_per_mu == "catalog"
    assert d.industries == {"food": {"mu": 10.0, "growth": 3.0}}
    s = validate(SensitivityOptions, {"runs": 7, "spread": 0.1, "one_at_a_time": False,
                                      "enabled": False, "stable_threshold": 0.5}, label="p.toml")
    assert s == SensitivityOptions(runs=7, spread=0.1, one_at_a_time=False, enabled=False,
                                   stable_threshold=0.5)
    opts = validate(AllocationOptions, {"max_sites": 3, "tolerance": 0.1, "sensitive": ["food"],
                                        "polluting": ["aluminium"]}, label="p.toml",
                    context=CODES)
    assert opts.max_sites == 3 and isinstance(opts.max_sites, int)
    assert opts.tolerance == 0.1
    assert opts.sensitive == ("food",) and opts.polluting == ("aluminium",)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"demand": {"grwth": 2}}, ["demand.grwth: unknown key", "did you mean 'growth'"]),
        ({"demand": {"growth": 0}}, ["demand.growth = 0", "must be >= 1"]),
        ({"demand": {"growth": "2"}}, ['demand.growth = "2"', "must be a number"]),
        ({"demand": {"output_per_mu": "dat"}},
         ['demand.output_per_mu = "dat"', "one of 'data', 'catalog'"]),
        ({"demand": {"industries": {"food": 5}}}, ["demand.industries.food = 5", "table"]),
        ({"demand": {"industries": {"food": {"m": 5}}}},
         ["demand.industries.food.m: key must be one of 'mu', 'growth', 'output_per_mu_wan'"]),
        ({"demand": {"industries": {"food": {"mu": -1}}}}, ["food.mu = -1: must be >= 0"]),
        ({"allocation": {"max_site": 3}}, ["allocation.max_site: unknown key", "max_sites"]),
        ({"allocation": {"max_sites": 0}}, ["allocation.max_sites = 0", "must be > 0"]),
        ({"allocation": {"seeds": True}}, ["allocation.seeds = true", "whole number"]),
        ({"allocation": {"tolerance": "5%"}}, ['allocation.tolerance = "5%"', "number"]),
        ({"allocation": {"separation_m": -10}}, ["allocation.separation_m = -10", ">= 0"]),
        ({"allocation": {"time_limit_s": 0}}, ["allocation.time_limit_s = 0", "> 0"]),
        ({"allocation": {"sensitive": "food"}}, ['allocation.sensitive = "food"', "list"]),
        ({"allocation": {"polluting": ["aluminium", 3]}},
         ["allocation.polluting[1] = 3", "must be a string"]),
        ({"allocation": {"max_sites": 2.5}}, ["allocation.max_sites = 2.5", "whole number"]),
        ({"allocation": {"tolerance": math.nan}}, ["allocation.tolerance = nan", "finite"]),
        ({"sensitivity": {"run": 3}}, ["sensitivity.run: unknown key", "runs"]),
        ({"sensitivity": {"runs": -1}}, ["sensitivity.runs = -1", ">= 0"]),
        ({"sensitivity": {"runs": 2.0}}, ["sensitivity.runs = 2.0", "whole number"]),
        ({"sensitivity": {"spread": 1.0}}, ["sensitivity.spread = 1.0", "must be < 1"]),
        ({"sensitivity": {"enabled": "yes"}}, ['sensitivity.enabled = "yes"', "true or false"]),
        ({"sensitivity": {"stable_threshold": 1.5}}, ["stable_threshold = 1.5", "<= 1"]),
    ],
)
def test_table_errors_name_file_and_key(table: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        parse(table)
    message = str(err.value)
    assert message.startswith("plan.toml: "), message
    for word in words:
        assert word in message, message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        parse({"allocation": {"max_sites": 0, "seeds": 2.5}, "sensitivity": {"runs": -1}})
    lines = str(err.value).splitlines()
    assert lines[0] == "plan.toml: 3 problems:"
    assert lines[1:] == ["  - allocation.max_sites = 0: must be > 0",
                         "  - allocation.seeds = 2.5: must be a whole number",
                         "  - sensitivity.runs = -1: must be >= 0"]


def test_unknown_industries_in_demand_and_allocation() -> None:
    with pytest.raises(ConfigError, match=r"^plan\.toml: demand\.industries\.autos: unknown "
                                          r"industry code 'autos'; did you mean 'auto'"):
        parse({"demand": {"industries": {"autos": {"mu": 1}}}})
    with pytest.raises(ConfigError, match=r"allocation\.sensitive\[0\]: unknown industry code "
                                          r"'fod'; did you mean 'food'"):
        parse({"allocation": {"sensitive": ["fod"]}})


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"growth": 0.5, "industries": GIVEN}, "demand.growth = 0.5: must be >= 1"),
        ({"industries": {**GIVEN, "food": {"growth": 0.5}}},
         "demand.industries: food.growth = 0.5: must be >= 1"),
    ],
)
def test_growth_below_one_gives_no_negative_demand(table: dict[str, Any], key: str) -> None:
    # Growth below 1 would make (growth - 1) x output negative. The guard is where the plan is
    # read, not in `land_demand` (which trusts validated options): every plan reaches the
    # demand through that check, so a negative demand can never be computed. (This test used
    # to wrap both calls in try/except ConfigError and return early, so its assertion never ran.)
    with pytest.raises(ConfigError) as err:
        parse({"demand": table})
    assert key in str(err.value), str(err.value)


@pytest.mark.parametrize(
    "data", [{"demand": {"industries": 3}}, {"allocation": 5}, {"sensitivity": 3}, {"demand": 3}]
)
def test_tables_given_as_values_are_config_errors(data: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"^plan\.toml: .*must be a table"):
        parse(data)
