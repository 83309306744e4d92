"""Tests of `layout.products.review.variants`: `vary_plan` changes one industry and nothing else."""

from __future__ import annotations

import copy

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layout.allocation.run import land_demand
from layout.config.criteria import industry_weights
from layout.config.plan import load_plan, parse_plan
from layout.data.inputs import PlanInputs
from layout.errors import ConfigError, UnknownIndustryError
from layout.io import embedded as datasets
from layout.model.grid import Grid
from layout.products import review


def test_vary_plan_growth_halves_the_new_land_of_aluminium() -> None:
    plan = load_plan()
    raw_before = copy.deepcopy(dict(plan.raw))
    variant = review.vary_plan(plan, "Aluminium", growth=1.5)
    assert dict(plan.raw) == raw_before  # the original plan is untouched
    ent = pd.DataFrame(datasets.load("enterprises").drop(columns="geometry"))
    base_d = land_demand(ent, catalog=plan.catalog, options=plan.demand)
    var_d = land_demand(ent, catalog=variant.catalog, options=variant.demand)
    # demand = (growth - 1) x output / output per mu: (1.5 - 1) / (2 - 1) of the base
    assert var_d.loc["aluminium", "demand_mu"] == pytest.approx(
        0.5 * base_d.loc["aluminium", "demand_mu"]
    )
    others = [c for c in plan.catalog.codes if c != "aluminium"]
    assert var_d.loc[others, "demand_mu"].tolist() == base_d.loc[others, "demand_mu"].tolist()
    assert variant.name == f"{plan.name}（调整：aluminium growth 1.5）"
    assert variant.name_en == f"{plan.name_en} (variant: aluminium growth 1.5)"


def test_vary_plan_weights_change_only_that_criterion() -> None:
    plan = load_plan()
    variant = review.vary_plan(plan, "aluminium", weights={"zone_fit": 0.25})
    base, _ = industry_weights(plan, "aluminium")
    new, _ = industry_weights(variant, "aluminium")
    assert set(new) == set(base)
    # raw weights: zone_fit 0.25 now, density 0.10 (shared [weights]) as before
    assert new["zone_fit"] / new["density"] == pytest.approx(0.25 / 0.10)
    for k in base:
        if k != "zone_fit":
            assert new[k] / new["density"] == pytest.approx(base[k] / base["density"])
    for code in plan.catalog.codes:  # other industries keep their weights
        if code != "aluminium":
            assert industry_weights(variant, code) == industry_weights(plan, code)


def test_vary_plan_keeps_the_inputs() -> None:
    plan = load_plan()
    inputs = PlanInputs(
        plan,
        {},
        Grid.from_boundary(
            gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs="EPSG:4547"), resolution=100
        ),
        None,
    )
    out = review.vary_plan(inputs, "food", growth=3.0)
    assert isinstance(out, PlanInputs)
    assert out.grid is inputs.grid and out.layers is inputs.layers
    assert out.plan.demand.industries["food"] == {"growth": 3.0}


def test_vary_plan_refusals() -> None:
    plan = load_plan()
    with pytest.raises(ConfigError, match="give weights"):
        review.vary_plan(plan, "food")
    with pytest.raises(UnknownIndustryError, match="aluminium"):
        review.vary_plan(plan, "aluminum", growth=1.5)
    with pytest.raises(ConfigError, match=r"weights.zone_fitt: unknown criterion"):
        review.vary_plan(plan, "food", weights={"zone_fitt": 1.0})
    with pytest.raises(ConfigError, match=r"growth = -1"):
        review.vary_plan(plan, "food", growth=-1)
    raw = copy.deepcopy(dict(plan.raw))
    raw["industries"]["food"] = {"ahp": {"labels": ["density", "zone_fit"], "matrix": [3]}}
    raw["demand"] = {"industries": {"textiles": {"mu": 100.0}}}
    special = parse_plan(raw)
    with pytest.raises(ConfigError, match=r"\[industries.food.ahp\] matrix instead"):
        review.vary_plan(special, "food", weights={"density": 1.0})
    with pytest.raises(ConfigError, match="in mu"):
        review.vary_plan(special, "textiles", growth=3.0)
