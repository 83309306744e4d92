"""Tests of `layout.allocation.demand` and `layout.allocation.run`: land demand, validation of
the plan tables, and `run_plan` on the tiny synthetic plan (tests/fixtures/tiny_plan.py, 200 m
cells: one cell = 4 ha = 60 mu).

Independent references: the demand arithmetic is worked out by hand; site cells are recovered
from the site polygons (cell centres inside them) and checked with `scipy.ndimage.label`
(4-connectivity); zone membership comes from the fixture's zone boxes (edges on the 200 m
grid), not from the package's zone raster; distances are cell-centre distances
(`scipy.spatial.distance.cdist`).  Areas: 1 mu = 10,000 / 15 m², so 15 mu = 1 ha; sums of
criterion contributions match the mean score to 1e-3 points.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import tomllib
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from numpy.typing import NDArray
from scipy import ndimage
from scipy.spatial.distance import cdist

from layout.allocation.barriers import barrier_cells
from layout.allocation.demand import land_demand
from layout.allocation.result import PlanResult
from layout.allocation.run import run_plan
from layout.allocation.sites import site_geometry
from layout.config.catalog import load_catalog
from layout.config.plan import parse_plan
from layout.data.inputs import PlanInputs, load_inputs
from layout.errors import ConfigError, LayoutError
from layout.model.criteria import CRITERIA
from layout.model.options import (
    AllocationOptions,
    DemandOptions,
    SensitivityOptions,
)
from layout.products.report import plan_blocks, render_markdown
from tests.fixtures import tiny_plan as tp

CATALOG = load_catalog()
CELL_M2 = tp.RESOLUTION**2
CELL_MU = CELL_M2 / (10_000.0 / 15.0)  # 60 mu
MIN_SITE_MU = 120.0
MAX_SITES = 3
TOLERANCE = 0.05
#: Demands (mu) small enough for the 10 x 8 km tiny plan; industries without firms get theirs.
DEMAND = {
    "auto": 1500.0,
    "electronics": 900.0,
    "new_materials": 0.0,
    "biomedicine": 300.0,
    "aluminium": 600.0,
    "food": 1200.0,
    "textiles": 0.0,
}
ALLOCATION = {
    "seed_spacing_m": 1000.0,
    "seeds": 4,
    "max_sites": MAX_SITES,
    "min_site_mu": MIN_SITE_MU,
    "tolerance": TOLERANCE,
}
POLLUTING = ("aluminium", "new_materials")  # aluminium itself, new_materials by its refractories
SENSITIVE = ("food", "biomedicine")


def tiny_overrides(**extra: Any) -> dict[str, Any]:
    over: dict[str, Any] = {
        "demand": {"industries": {c: {"mu": mu} for c, mu in DEMAND.items()}},
        "allocation": dict(ALLOCATION),
        "sensitivity": {"runs": 5, "spread": 0.5},
    }
    over.update(extra)
    return over


@pytest.fixture(scope="module")
def tiny_inputs(tmp_path_factory: pytest.TempPathFactory) -> PlanInputs:
    return load_inputs(tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"), **tiny_overrides()))


@pytest.fixture(scope="module")
def planned(tiny_inputs: PlanInputs) -> PlanResult:
    return run_plan(tiny_inputs, sensitivity=True)


# --- land demand by hand ----------------------------------------------------------------------


def firms() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "industry": ["food", "food", "auto", "electronics", "other"],
            "output_wan": [600.0, 400.0, 900.0, 5000.0, 1.0],
            "land_mu": [2.0, 3.0, 0.0, 10.0, 1.0],
        }
    )


#: Industries with no firm above get their demand given, so that the others can be derived.
GIVEN = {
    "new_materials": {"mu": 0.0},
    "biomedicine": {"mu": 0.0},
    "aluminium": {"mu": 0.0},
    "textiles": {"mu": 0.0},
}


def test_land_demand_from_data_by_hand() -> None:
    d = land_demand(firms(), catalog=CATALOG, options=DemandOptions(industries=GIVEN))
    assert list(d.index) == list(CATALOG.codes)
    food = d.loc["food"]
    # food: output 1,000 on 5 mu = 200 万元/mu; (2 - 1) x 1,000 / 200 = 5 mu = 1/3 ha.
    assert food["today_output_wan"] == 1000.0 and food["today_land_mu"] == 5.0
    assert food["output_per_mu_wan"] == pytest.approx(200.0)
    assert food["per_mu_source"] == "data" and food["method"] == "derived"
    assert food["new_output_wan"] == pytest.approx(1000.0)
    assert food["demand_mu"] == pytest.approx(5.0)
    assert food["demand_ha"] == pytest.approx(5.0 / 15.0)
    assert "200.0" in food["arithmetic"] and "= 5 mu" in food["arithmetic"]
    # auto has output but no land: the catalog's 900 万元/mu; 900 / 900 = 1 mu.
    assert d.loc["auto", "per_mu_source"] == "catalog"
    assert d.loc["auto", "output_per_mu_wan"] == CATALOG.industry("auto").output_per_mu_wan
    assert d.loc["auto", "demand_mu"] == pytest.approx(900.0 / 900.0)
    # electronics: 5,000 on 10 mu = 500 万元/mu; 5,000 / 500 = 10 mu.
    assert d.loc["electronics", "demand_mu"] == pytest.approx(10.0)
    for code, given in GIVEN.items():
        assert d.loc[code, "method"] == "given" and d.loc[code, "demand_mu"] == given["mu"]


@pytest.mark.parametrize(
    ("options", "food_mu", "food_per_mu", "source"),
    [
        # growth 3: (3 - 1) x 1,000 / 200 = 10 mu
        ({"growth": 3.0}, 10.0, 200.0, "data"),
        # the catalog's 700 万元/mu for food: 1,000 / 700
        ({"output_per_mu": "catalog"}, 1000.0 / 700.0, 700.0, "catalog"),
        # a per-industry output per mu: 1,000 / 250 = 4 mu
        ({"industries": {"food": {"output_per_mu_wan": 250.0}}}, 4.0, 250.0, "plan"),
        # a per-industry growth: (1.5 - 1) x 1,000 / 200 = 2.5 mu
        ({"industries": {"food": {"growth": 1.5}}}, 2.5, 200.0, "data"),
        # a given demand: 123 mu = 8.2 ha, whatever the data say
        ({"industries": {"food": {"mu": 123.0}}}, 123.0, 200.0, "data"),
    ],
)
def test_land_demand_options_by_hand(
    options: dict[str, Any], food_mu: float, food_per_mu: float, source: str
) -> None:
    kwargs = dict(options)
    kwargs["industries"] = {**GIVEN, **options.get("industries", {})}
    d = land_demand(firms(), catalog=CATALOG, options=DemandOptions(**kwargs))
    assert d.loc["food", "demand_mu"] == pytest.approx(food_mu, rel=1e-12)
    assert d.loc["food", "demand_ha"] == pytest.approx(food_mu / 15.0, rel=1e-12)
    assert d.loc["food", "output_per_mu_wan"] == pytest.approx(food_per_mu)
    assert d.loc["food", "per_mu_source"] == source
    assert d.loc["food", "growth"] == pytest.approx(
        options.get("industries", {}).get("food", {}).get("growth", options.get("growth", 2.0))
    )


def test_land_demand_of_the_tiny_plan_equals_todays_land() -> None:
    # With growth 2 and output per mu from the data, (2 - 1) x output / (output / land) = land.
    ent = pd.DataFrame(tp.tiny_enterprises().drop(columns="geometry"))
    d = land_demand(
        ent,
        catalog=CATALOG,
        options=DemandOptions(
            industries={c: {"mu": 0.0} for c in ("new_materials", "biomedicine", "textiles")}
        ),
    )
    for code in ("auto", "electronics", "aluminium", "food"):
        land = ent.loc[ent["industry"] == code, "land_mu"].sum()
        assert d.loc[code, "demand_mu"] == pytest.approx(land, rel=1e-12)


def test_an_industry_without_enterprises_names_the_fix() -> None:
    given = {c: {"mu": 0.0} for c in ("new_materials", "biomedicine", "aluminium")}
    with pytest.raises(ConfigError) as err:
        land_demand(
            firms(), catalog=CATALOG, options=DemandOptions(industries=given), source="firms.gpkg"
        )
    message = str(err.value)
    assert "'textiles'" in message and "no enterprises" in message and "firms.gpkg" in message
    assert "[demand.industries.textiles] mu = " in message


# --- run_plan on the tiny plan ----------------------------------------------------------------


def centre_xy(inputs: PlanInputs, cells: NDArray[np.int64]) -> NDArray[np.float64]:
    g = inputs.grid
    r, c = np.divmod(np.asarray(cells), g.ncols)
    return np.column_stack([g.x0 + (c + 0.5) * g.cell, g.y_top - (r + 0.5) * g.cell])


def cells_in(inputs: PlanInputs, geom: shapely.Geometry) -> NDArray[np.int64]:
    """Flat indices of the cells whose centre lies inside ``geom``."""
    g = inputs.grid
    xy = centre_xy(inputs, np.arange(g.nrows * g.ncols))
    return np.flatnonzero(shapely.contains_xy(geom, xy[:, 0], xy[:, 1]))


def in_box(xy: NDArray[np.float64], box: tuple[float, float, float, float]) -> NDArray[np.bool_]:
    x0, y0, x1, y1 = box
    return (xy[:, 0] > x0) & (xy[:, 0] < x1) & (xy[:, 1] > y0) & (xy[:, 1] < y1)


def test_site_geometry_raises_no_warning(tiny_inputs: PlanInputs) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bare = site_geometry(np.array([0, 1], np.int64), tiny_inputs, clip=False)
        clipped = site_geometry(np.array([0, 1], np.int64), tiny_inputs)
    assert shapely.area(bare) == pytest.approx(2 * CELL_M2)
    # Cells 0 and 1 are the grid's top row, north of the boundary (its top edge, read from
    # WGS84, lies a few millimetres above y = 3,849,000): clipped to the study area, the site
    # keeps only that sliver (issue 12: site polygons are clipped to the boundary).
    assert shapely.area(clipped) < 0.01 * CELL_M2
    assert shapely.area(shapely.difference(clipped, tp.BOUNDARY)) < 10.0  # m², mm-wide


def test_sites_are_contiguous_and_their_areas_consistent(planned: PlanResult) -> None:
    sites, inputs = planned.sites, planned.inputs
    g = inputs.grid
    assert len(sites) >= 6
    assert sites.crs.equals(inputs.grid.crs)
    for row in sites.itertuples():
        cells = cells_in(inputs, row.geometry)
        # the polygon holds exactly the site's cells
        assert sorted(cells.tolist()) == sorted(planned.site_cells[row.site_id].tolist())
        assert row.n_cells == len(cells)
        mask = np.zeros(g.shape, bool)
        mask.flat[cells] = True
        assert ndimage.label(mask)[1] == 1, f"{row.site_id} is not 4-connected"
        assert row.geometry.geom_type == "Polygon"
        assert row.geometry.area == pytest.approx(row.n_cells * CELL_M2, rel=1e-9)
        assert row.area_mu == pytest.approx(row.n_cells * CELL_MU, rel=1e-12)
        assert row.area_ha == pytest.approx(row.area_mu / 15.0, rel=1e-12)
        assert row.area_ha == pytest.approx(row.n_cells * CELL_M2 / 10_000.0, rel=1e-12)
        assert row.area_mu >= MIN_SITE_MU
        assert row.site_id == f"{row.industry}-{row.rank:02d}"
        # scores over the polygon's cells
        score = planned.results[row.industry].score.ravel()[cells].astype(np.float64)
        assert row.mean_score == pytest.approx(score.mean(), abs=1e-3)
        assert row.min_score == pytest.approx(score.min(), abs=1e-3)


def test_no_cell_in_two_sites(planned: PlanResult) -> None:
    cells = np.concatenate([cells_in(planned.inputs, geom) for geom in planned.sites.geometry])
    assert len(cells) == len(np.unique(cells))
    for a, b in itertools.combinations(planned.sites.geometry, 2):
        assert a.intersection(b).area == pytest.approx(0.0, abs=1e-6)


def test_sites_per_industry_and_demand_window(planned: PlanResult) -> None:
    sites = planned.sites
    by_industry = sites.groupby("industry")["area_mu"].agg(["sum", "count"])
    for code, demand in DEMAND.items():
        if demand == 0:
            assert code not in by_industry.index
            continue
        area, count = by_industry.loc[code]
        assert count <= MAX_SITES
        assert area <= demand * (1 + TOLERANCE) + 1e-9
        if area < demand:
            short = demand - area
            assert any(n.startswith(f"{code} fell short by {short:,.0f} mu") for n in planned.notes)
        assert planned.solution.allocated_mu[code] == pytest.approx(area)
    # ranks follow the mean score within each industry
    for _, grp in sites.groupby("industry"):
        assert grp.sort_values("rank")["mean_score"].is_monotonic_decreasing


def test_sites_keep_off_constraints_and_apart(planned: PlanResult) -> None:
    inputs, sites = planned.inputs, planned.sites
    xy = {sid: centre_xy(inputs, cells) for sid, cells in planned.site_cells.items()}
    excluded = [box for typ, box in tp.CONSTRAINTS.values() if typ in tp.EXCLUDE]
    for sid, pts in xy.items():
        for box in excluded:
            assert not in_box(pts, box).any(), sid
    # Pollution-intensive sites: >= 1,000 m from food and biomedicine sites (separation_m) and
    # from urban cells (aluminium's residential buffer in the catalog: 1,000 m).
    urban = centre_xy(
        inputs,
        np.flatnonzero(
            in_box(centre_xy(inputs, np.arange(inputs.grid.nrows * inputs.grid.ncols)), tp.URBAN)
        ),
    )
    sep = AllocationOptions().separation_m
    for p in sites[sites["industry"].isin(POLLUTING)].itertuples():
        assert cdist(xy[p.site_id], urban).min() >= 1000.0 - 1e-3
        for s in sites[sites["industry"].isin(SENSITIVE)].itertuples():
            assert cdist(xy[p.site_id], xy[s.site_id]).min() >= sep
    # each zone's remaining land: box area x (1 - built_share)
    all_xy = np.concatenate(list(xy.values()))
    for zid, (_, _, built, box) in tp.ZONES.items():
        area_mu = (box[2] - box[0]) * (box[3] - box[1]) / (10_000.0 / 15.0)
        assert in_box(all_xy, box).sum() * CELL_MU <= area_mu * (1 - built) + 1e-9, zid


def test_criterion_columns_sum_to_the_mean_score(planned: PlanResult) -> None:
    sites = planned.sites
    c_cols = [c for c in sites.columns if c.startswith("c_")]
    assert c_cols == [f"c_{name}" for name in CRITERIA]  # one column per declared criterion
    for row in sites.itertuples():
        values = sites.loc[row.Index, c_cols].to_numpy(dtype=float)
        assert np.nansum(values) == pytest.approx(row.mean_score, abs=1e-3)
        weighted = set(planned.results[row.industry].weights)
        for col, v in zip(c_cols, values, strict=True):
            assert math.isnan(v) == (col[2:] not in weighted), (row.site_id, col)
        top = sorted(
            ((v, c[2:]) for c, v in zip(c_cols, values, strict=True) if v == v), reverse=True
        )[:3]
        assert row.reasons == "; ".join(f"{k} {v:.1f}" for v, k in top)


def test_allocation_table_and_zone_industries(planned: PlanResult) -> None:
    inputs, sites, alloc = planned.inputs, planned.sites, planned.allocation
    assert list(alloc.columns) == ["industry", "zone_id", "zone_name", "area_mu", "area_ha"]
    # per industry: the allocation table sums to the sites' areas
    per_ind = alloc.groupby("industry")["area_mu"].sum()
    site_area = sites.groupby("industry")["area_mu"].sum()
    pd.testing.assert_series_equal(per_ind.sort_index(), site_area.sort_index(), check_names=False)
    assert alloc["area_ha"].to_numpy() == pytest.approx(alloc["area_mu"].to_numpy() / 15.0)
    # per industry and zone: site cells inside the fixture's zone boxes
    zi = planned.zone_industries
    for code in sites["industry"].unique():
        pts = np.concatenate(
            [
                centre_xy(inputs, planned.site_cells[s])
                for s in sites.loc[sites["industry"] == code, "site_id"]
            ]
        )
        outside = np.ones(len(pts), bool)
        for zid, (_, _, _, box) in tp.ZONES.items():
            inside = in_box(pts, box)
            outside &= ~inside
            expected = inside.sum() * CELL_MU
            got = alloc.loc[(alloc["industry"] == code) & (alloc["zone_id"] == zid), "area_mu"]
            assert float(got.sum()) == pytest.approx(expected), (code, zid)
            row = zi[(zi["zone_id"] == zid) & (zi["industry"] == code)]
            assert row["allocated_mu"].item() == pytest.approx(expected), (code, zid)
        got = alloc.loc[(alloc["industry"] == code) & (alloc["zone_id"] == ""), "area_mu"]
        assert float(got.sum()) == pytest.approx(outside.sum() * CELL_MU), code


def test_zone_industries_ranks_and_scores(planned: PlanResult) -> None:
    inputs, zi = planned.inputs, planned.zone_industries
    all_xy = centre_xy(inputs, np.arange(inputs.grid.nrows * inputs.grid.ncols))
    assert set(zi["zone_id"]) == set(tp.ZONES)
    barrier = barrier_cells(inputs.layer("transport_lines"), inputs.grid,
                            kinds=("expressway", "railway")).ravel()
    for key, grp in zi.groupby("zone_id"):
        zid = str(key)
        assert sorted(grp["industry"]) == sorted(CATALOG.codes)
        ranked = grp.sort_values("rank")
        assert ranked["rank"].tolist() == list(range(1, len(CATALOG.codes) + 1))
        assert ranked["mean_score"].is_monotonic_decreasing
        leading = tp.ZONES[zid][1].split(",")
        assert (grp["leading"] == grp["industry"].isin(leading)).all()
        # Non-polluting industries: eligible cells are the score stage's (no extra buffer) less
        # the cells an expressway or railway passes through (barrier_cells, checked against
        # shapely in tests/allocation/test_barriers.py).
        inside = in_box(all_xy, tp.ZONES[zid][3]) & ~barrier
        for code in ("auto", "electronics", "food", "biomedicine", "textiles"):
            res = planned.results[code]
            cells = inside & res.eligible.ravel()
            expected = float(res.score.ravel()[cells].astype(np.float64).mean())
            assert grp.loc[grp["industry"] == code, "mean_score"].item() == pytest.approx(
                expected, abs=1e-6
            ), (zid, code)


def test_stability_with_sensitivity(planned: PlanResult) -> None:
    sites = planned.sites
    assert sites["stability"].notna().all()
    assert ((sites["stability"] >= 0) & (sites["stability"] <= 1)).all()
    assert (sites["stable"] == (sites["stability"] >= 0.7)).all()
    assert set(planned.stability) == set(sites["site_id"])
    assert 0.0 <= planned.lp_agreement <= 1.0
    oat = planned.one_at_a_time
    assert len(oat) > 0
    shares = oat[["changed_share_plus", "changed_share_minus"]].to_numpy()
    assert ((shares >= 0) & (shares <= 1)).all()


def test_before_after_shares(planned: PlanResult) -> None:
    ba = planned.before_after
    for col in ("zone_output_share_today", "zone_output_share_plan", "new_land_in_zones_share"):
        values = ba[col].dropna()
        assert ((values >= 0) & (values <= 1)).all(), col
    # today's share, from the fixture's own zone_id column
    ent = tp.tiny_enterprises()
    for code in ("auto", "electronics", "food", "aluminium"):
        sub = ent[ent["industry"] == code]
        share = sub.loc[sub["zone_id"] != "", "output_wan"].sum() / sub["output_wan"].sum()
        assert ba.loc[code, "zone_output_share_today"] == pytest.approx(share, rel=1e-9)
        assert ba.loc[code, "new_land_mu"] == pytest.approx(
            planned.sites.loc[planned.sites["industry"] == code, "area_mu"].sum()
        )


def test_greedy_baseline_is_no_better(planned: PlanResult) -> None:
    sol, greedy = planned.solution, planned.greedy
    penalty = planned.problem.penalty
    assert greedy.objective - penalty * sum(greedy.shortfall_mu.values()) <= (
        sol.objective - penalty * sum(sol.shortfall_mu.values())
    ) * (1 + 1e-9)
    if not sum(sol.shortfall_mu.values()):
        assert sol.bound >= sol.objective * (1 - 1e-9)


def test_run_plan_logs_its_stages_and_prints_nothing(
    tiny_inputs: PlanInputs, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    heard: list[str] = []
    with caplog.at_level(logging.INFO, logger="layout.allocation.run"):
        run_plan(tiny_inputs, sensitivity=False, progress=heard.append)
        logged = [r.getMessage() for r in caplog.records if r.name == "layout.allocation.run"]
        assert capfd.readouterr() == ("", "")
    # The CLI's progress callback hears exactly the logged lines, one per stage.
    assert heard == logged
    stages = [m.split(" ", 1)[0] for m in logged]
    assert stages == ["demand:", "scored", "candidates:", "allocation:"]
    assert logged[0] == f"demand: {sum(DEMAND.values()):,.0f} mu for {len(DEMAND)} industries"


@pytest.mark.slow
def test_run_plan_is_deterministic(planned: PlanResult, tiny_inputs: PlanInputs) -> None:
    again = run_plan(tiny_inputs, sensitivity=True)
    assert_geodataframe_equal(planned.sites, again.sites)
    pd.testing.assert_frame_equal(planned.zone_industries, again.zone_industries)
    pd.testing.assert_frame_equal(planned.allocation, again.allocation)
    assert render_markdown(plan_blocks(planned)) == render_markdown(plan_blocks(again))


def test_no_spread_means_every_site_stable(tmp_path: Path) -> None:
    # Weights multiplied by factors in [1 - 0, 1 + 0]: every run re-selects under the base
    # weights, so every site keeps all its cells.
    over = tiny_overrides(sensitivity={"runs": 2, "spread": 0.0, "one_at_a_time": False})
    result = run_plan(load_inputs(tp.write_tiny_plan(tmp_path, **over)))
    assert result.lp_agreement == 1.0
    assert (result.sites["stability"] == 1.0).all() and result.sites["stable"].all()
    assert result.one_at_a_time.empty


def test_without_sensitivity_stability_is_nan(tmp_path: Path) -> None:
    over = tiny_overrides(sensitivity={"enabled": False})
    result = run_plan(load_inputs(tp.write_tiny_plan(tmp_path, **over)))
    assert result.sites["stability"].isna().all() and not result.sites["stable"].any()
    assert "sensitivity" not in result.timings
    assert "Sensitivity analysis was not run" in render_markdown(plan_blocks(result))


def test_shortfall_is_reported(tmp_path: Path) -> None:
    over = tiny_overrides(
        allocation={**ALLOCATION, "max_sites": 1, "tolerance": 0.0}, sensitivity={"enabled": False}
    )
    over["demand"]["industries"]["electronics"] = {"mu": 330.0}
    result = run_plan(load_inputs(tp.write_tiny_plan(tmp_path, **over)))
    # 330 mu = 5.5 cells of 60 mu: with no tolerance at most 5 cells (300 mu), 30 mu short.
    area = result.sites.loc[result.sites["industry"] == "electronics", "area_mu"].sum()
    assert area == pytest.approx(300.0)
    assert result.solution.shortfall_mu["electronics"] == pytest.approx(30.0)
    assert any(
        n.startswith("electronics fell short by 30 mu of its 330 mu demand") for n in result.notes
    )
    assert "## Shortfalls" in render_markdown(plan_blocks(result))


def test_demand_larger_than_the_land(tmp_path: Path) -> None:
    over = tiny_overrides()
    over["demand"]["industries"]["food"] = {"mu": 1e7}
    inputs = load_inputs(tp.write_tiny_plan(tmp_path, **over))
    with pytest.raises(LayoutError, match=r"'food' needs 10,000,000 mu .*\[demand\.industries"):
        run_plan(inputs, sensitivity=False)


# --- docs/config.md ---------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "config.md"
PLAN_TABLES = re.compile(r"^\[(demand|allocation|sensitivity)[.\]]", re.M)


def plan_table_blocks() -> list[str]:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [b for b in blocks if PLAN_TABLES.search(b)]


def test_doc_plan_table_examples_parse(tmp_path: Path) -> None:
    blocks = plan_table_blocks()
    assert len(blocks) >= 2  # the section's example and the complete example
    for block in blocks:
        data = tomllib.loads(block)
        path = None
        if "inputs" in data:  # the complete example names the tiny plan's files
            path = tp.write_tiny_plan(tmp_path)
        plan = parse_plan(data, path=path)
        assert isinstance(plan.demand, DemandOptions)
        assert isinstance(plan.allocation, AllocationOptions)
        assert isinstance(plan.sensitivity, SensitivityOptions)


def test_doc_section_example_values() -> None:
    block = next(b for b in plan_table_blocks() if "[plan]" not in b)
    plan = parse_plan(tomllib.loads(block))
    # what the text of the section says the example does
    assert plan.demand.growth == 2.0 and plan.demand.output_per_mu == "data"
    assert plan.demand.industries["biomedicine"] == {"mu": 1500.0}
    assert plan.allocation.separation_m == 1500.0
    assert plan.sensitivity.runs == 50


def test_doc_defaults_match_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## `[allocation]`") : text.index("## `[sensitivity]`")]
    for name, default in vars(AllocationOptions()).items():
        row = next((line for line in section.splitlines() if line.startswith(f"| `{name}` ")), None)
        assert row is not None, f"[allocation] {name} is not documented"
        cell = row.split("|")[2].strip()
        if isinstance(default, float | int):
            assert float(cell.strip("`").replace(",", "")) == default, name
    section = text[text.index("## `[sensitivity]`") :]
    for name, default in vars(SensitivityOptions()).items():
        row = next(line for line in section.splitlines() if line.startswith(f"| `{name}` "))
        cell = row.split("|")[2].strip().strip("`")
        expected = str(default).lower() if isinstance(default, bool) else default
        assert (cell == expected) if isinstance(expected, str) else float(cell) == expected
    section = text[text.index("## `[demand]`") : text.index("## `[allocation]`")]
    for name, default in vars(DemandOptions()).items():
        if name == "industries":
            continue
        row = next(line for line in section.splitlines() if line.startswith(f"| `{name}` "))
        cell = row.split("|")[2].strip().strip("`").strip('"')
        if isinstance(default, bool):  # TOML spelling
            assert cell == str(default).lower(), name
            continue
        assert cell == str(default) or float(cell) == default, name


def test_doc_complete_example_plans(tmp_path: Path) -> None:
    block = next(b for b in plan_table_blocks() if "[plan]" in b)
    path = tp.write_tiny_plan(tmp_path)
    path.write_text(block, encoding="utf-8")
    result = run_plan(load_inputs(path), sensitivity=False)
    assert len(result.sites) > 0
    assert isinstance(result.sites, gpd.GeoDataFrame)


# --- the embedded Zhengzhou plan --------------------------------------------------------------


@pytest.mark.slow
def test_embedded_plan_invariants() -> None:
    """The whole embedded plan (about 10 s): the programme's promises, checked from the cells."""
    inputs = load_inputs()
    result = run_plan(inputs, sensitivity=False)
    opts, sites, g = AllocationOptions(), result.sites, inputs.grid
    cell_mu = g.cell_area_m2 / (10_000.0 / 15.0)
    assert len(sites) >= len(CATALOG.codes)
    cells = np.concatenate(list(result.site_cells.values()))
    assert len(cells) == len(np.unique(cells))  # no cell in two sites
    for sid, site in result.site_cells.items():
        mask = np.zeros(g.shape, bool)
        mask.flat[site] = True
        assert ndimage.label(mask)[1] == 1, sid
    for code, grp in sites.groupby("industry"):
        demand = float(result.demand.loc[code, "demand_mu"])
        area = float(grp["area_mu"].sum())
        # max_sites, raised to twice the sites of the largest size the demand needs
        need = math.ceil(demand / result.candidates.max_site_mu - 1e-9)
        assert len(grp) <= (max(opts.max_sites, 2 * need) if need >= 2 else opts.max_sites)
        assert (grp["area_mu"] >= opts.min_site_mu).all()
        assert (grp["area_mu"] <= result.candidates.max_site_mu + 1e-6).all()
        assert area <= demand * (1 + opts.tolerance) + 1e-6
        assert area >= demand - 1e-6 or any(
            n.startswith(f"{code} fell short") for n in result.notes
        )
    # pollution-intensive sites keep separation_m from sensitive ones (cell centres)
    xy = {sid: centre_xy(inputs, c) for sid, c in result.site_cells.items()}
    for p in sites[sites["industry"].isin(POLLUTING)]["site_id"]:
        for s in sites[sites["industry"].isin(SENSITIVE)]["site_id"]:
            assert cdist(xy[p], xy[s]).min() >= opts.separation_m, (p, s)
    # each zone's remaining land, from the zone polygons
    zones = inputs.layer("zones")
    all_xy = np.concatenate(list(xy.values()))
    for zone in zones.itertuples():
        inside = shapely.contains_xy(zone.geometry, all_xy[:, 0], all_xy[:, 1]).sum()
        capacity = zone.geometry.area / (10_000.0 / 15.0) * (1 - zone.built_share)
        assert inside * cell_mu <= capacity + 1e-6, zone.zone_id
    sol = result.solution
    if not sum(sol.shortfall_mu.values()):
        assert sol.bound >= sol.objective * (1 - 1e-9)
    assert result.greedy.objective - result.problem.penalty * sum(
        result.greedy.shortfall_mu.values()
    ) <= sol.objective - result.problem.penalty * sum(sol.shortfall_mu.values())
