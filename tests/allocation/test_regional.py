"""Tests of the province allocation (`layout.allocation.regional`, `region_grids`,
`demand_split`, `merge`) on the embedded Zhengzhou plan split into its counties, at 500 m so
that scoring and solving take seconds (one cell = 25 ha = 375 mu).

Independent references:

* one region equal to the whole study area must give `run_plan`'s allocation on the same grid
  (objective, LP bound, sites and their cells, allocation table) to rtol 1e-9;
* the province objective and LP bound are compared with the regions' programmes solved again
  one by one, outside dask, on grids built by `Grid.from_boundary(county ∩ study area)`, and the
  gap with ``(bound - (objective - 1000 x shortfall)) / bound`` worked out here;
* the demand split is worked out by hand on two- and three-region cases;
* a dask ``LocalCluster`` with two worker processes gives the same result as the local
  scheduler (same sites and cells, objective to rtol 1e-9).
"""

from __future__ import annotations

import dataclasses
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layout.allocation.allocate import allocate, eligibility
from layout.allocation.candidates import default_max_site_mu
from layout.allocation.demand_split import (
    pass_shortfall,
    region_output,
    split_demand,
    water_fill,
)
from layout.allocation.region_grids import region_grids, window_offset
from layout.allocation.regional import MemoryScores, ProvinceAllocation, allocate_by_region
from layout.allocation.run import run_plan
from layout.allocation.zones import zone_capacity_mu
from layout.analysis.context import CriteriaContext
from layout.data.inputs import PlanInputs, load_inputs
from layout.errors import ConfigError
from layout.model.grid import Grid

RES = 500.0


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    """The embedded plan on a 500 m grid."""
    base = load_inputs()
    grid = Grid.from_boundary(base.study_area, resolution=RES, crs=base.plan.crs)
    return dataclasses.replace(base, grid=grid)


@pytest.fixture(scope="module")
def counties(inputs: PlanInputs) -> gpd.GeoDataFrame:
    return inputs.layer("counties")


@pytest.fixture(scope="module")
def by_county(inputs: PlanInputs, counties: gpd.GeoDataFrame) -> ProvinceAllocation:
    """One round (no shortfall passed on), so each region's demand is the first split's."""
    return allocate_by_region(inputs, counties, region_id="adcode", region_name="name_zh",
                              rounds=1)


# (a) one region: run_plan's allocation -----------------------------------------------------------
def test_one_region_equals_run_plan(inputs: PlanInputs) -> None:
    whole = gpd.GeoDataFrame({"id": ["all"]},
                             geometry=[shapely.union_all(inputs.study_area.geometry.values)],
                             crs=inputs.plan.crs)
    index, grids = region_grids(inputs.grid, whole, study_area=inputs.study_area)
    assert grids[0] is not None
    # The region's grid is the plan's: same extent, same cells.
    assert (grids[0].x0, grids[0].y_top, grids[0].shape) == (
        inputs.grid.x0, inputs.grid.y_top, inputs.grid.shape)
    np.testing.assert_array_equal(grids[0].mask, inputs.grid.mask)
    assert (index == 0).sum() == inputs.grid.n_cells
    out = allocate_by_region(inputs, whole, region_id="id")
    ref = run_plan(inputs, sensitivity=False)

    # The whole study area is one region: the demand is the plan's, and nothing is unplaced.
    np.testing.assert_allclose(out.regional_demand.loc["all"].to_numpy(),
                               ref.demand["demand_mu"].to_numpy(), rtol=1e-12)
    assert out.unplaced.sum() == 0
    assert out.objective == pytest.approx(ref.solution.objective, rel=1e-9)
    assert out.bound == pytest.approx(ref.solution.bound, rel=1e-9)
    assert out.gap == pytest.approx(ref.solution.gap, rel=1e-9, abs=1e-12)
    assert out.shortfall_mu == pytest.approx(sum(ref.solution.shortfall_mu.values()), abs=1e-6)
    assert out.regions["n_sites"].tolist() == [len(ref.sites)]

    # Same sites, in the same order, on the same cells of the same grid.
    assert out.sites["site_id"].tolist() == ref.sites["site_id"].tolist()
    assert (out.sites["region"] == "all").all()
    for col in ("industry", "n_cells", "zone_id", "county"):
        assert out.sites[col].tolist() == ref.sites[col].tolist(), col
    np.testing.assert_allclose(out.sites["mean_score"], ref.sites["mean_score"], rtol=1e-9)
    np.testing.assert_allclose(out.sites["area_mu"], ref.sites["area_mu"], rtol=1e-9)
    for sid, cells in ref.site_cells.items():
        np.testing.assert_array_equal(np.sort(out.site_cells[sid]), np.sort(cells))
    pd.testing.assert_frame_equal(out.allocation.reset_index(drop=True),
                                  ref.allocation.reset_index(drop=True), rtol=1e-9)
    ref_zi = ref.zone_industries.reset_index(drop=True)
    pd.testing.assert_frame_equal(out.zone_industries[ref_zi.columns], ref_zi, rtol=1e-9)


# (b) the province is the sum of its regions ------------------------------------------------------
def test_objective_and_bound_are_sums_of_regional_programmes(
        inputs: PlanInputs, counties: gpd.GeoDataFrame, by_county: ProvinceAllocation) -> None:
    out = by_county
    opts = inputs.plan.allocation
    assert opts is not None
    capacity = zone_capacity_mu(inputs.layer("zones"))
    max_site = default_max_site_mu(capacity, min_site_mu=float(opts.min_site_mu))
    zone_idx = CriteriaContext(inputs).zone_index
    zone_cells = np.bincount(zone_idx[zone_idx >= 0], minlength=len(capacity))
    objectives, bounds, shortfalls = [], [], []
    for k in range(len(counties)):
        code = str(counties.iloc[k]["adcode"])
        demand_k = out.regional_demand.loc[code]
        if demand_k.sum() <= 0:
            continue
        # The region's grid from its polygon, independently of region_grids' windows.
        part = gpd.GeoDataFrame(geometry=[shapely.intersection(
            counties.geometry.iloc[k], shapely.union_all(inputs.study_area.geometry.values))],
            crs=inputs.plan.crs)
        grid = Grid.from_boundary(part, resolution=RES, crs=inputs.plan.crs)
        sub = dataclasses.replace(inputs, grid=grid)
        r0, c0 = window_offset(inputs.grid, grid)
        here = np.zeros(inputs.grid.shape, bool)
        here[r0:r0 + grid.nrows, c0:c0 + grid.ncols] = grid.mask
        in_zone = np.bincount(zone_idx[here & (zone_idx >= 0)], minlength=len(capacity))
        cap = capacity * np.divide(in_zone, zone_cells, out=np.zeros(len(capacity)),
                                   where=zone_cells > 0)
        demand = pd.DataFrame({"demand_mu": demand_k})
        ctx = CriteriaContext(sub)
        results = MemoryScores(inputs)(grid)
        alloc = allocate(sub, results, demand, context=ctx,
                         eligible=eligibility(sub, results, context=ctx),
                         zone_capacity=cap, max_site_mu=max_site)
        objectives.append(alloc.solution.objective)
        bounds.append(alloc.solution.bound)
        shortfalls.append(sum(alloc.solution.shortfall_mu.values()))
        row = out.regions.set_index("region").loc[code]
        assert row["objective"] == pytest.approx(alloc.solution.objective, rel=1e-9)
        assert row["bound"] == pytest.approx(alloc.solution.bound, rel=1e-9)
    assert len(objectives) >= 8
    assert out.objective == pytest.approx(sum(objectives), rel=1e-9)
    assert out.bound == pytest.approx(sum(bounds), rel=1e-9)
    # The LP bounds are of the full objective (score x mu less 1000 per mu of shortfall); one
    # round leaves the urban districts far short, so the summed bound may be negative: the gap
    # is relative to its magnitude, as `solve` measures a region's.
    full = sum(objectives) - 1000.0 * sum(shortfalls)
    assert out.gap == pytest.approx((sum(bounds) - full) / abs(sum(bounds)), rel=1e-9)
    assert out.shortfall_mu == pytest.approx(sum(shortfalls) + out.unplaced.sum(), rel=1e-9)
    # The merged tables add up to the regions' rows.
    assert len(out.sites) == out.regions["n_sites"].sum()
    assert out.sites["site_id"].is_unique
    assert out.allocation["area_mu"].sum() == pytest.approx(
        sum(len(c) for c in out.site_cells.values()) * RES * RES / (10_000 / 15), rel=1e-9)
    assert set(out.sites["region"]) <= set(out.regions["region"])


def test_region_grids_are_the_polygons_grids(inputs: PlanInputs,
                                             counties: gpd.GeoDataFrame) -> None:
    """Each window holds the cells `Grid.from_boundary(county ∩ study area)` masks."""
    index, grids = region_grids(inputs.grid, counties, study_area=inputs.study_area)
    study = shapely.union_all(inputs.study_area.geometry.values)
    for k, grid in enumerate(grids):
        assert grid is not None
        part = gpd.GeoSeries([shapely.intersection(counties.geometry.iloc[k], study)],
                             crs=inputs.plan.crs)
        ref = Grid.from_boundary(part, resolution=RES, crs=inputs.plan.crs)
        assert (grid.x0, grid.y_top, grid.shape) == (ref.x0, ref.y_top, ref.shape)
        r0, c0 = window_offset(inputs.grid, ref)
        mine = np.zeros(inputs.grid.shape, bool)
        theirs = np.zeros(inputs.grid.shape, bool)
        mine[index == k] = True
        theirs[r0:r0 + ref.nrows, c0:c0 + ref.ncols] = ref.mask
        # Centre-in-polygon either way; shared edges through a centre are the only difference.
        assert (mine ^ theirs).sum() <= 0.01 * theirs.sum()
    assert ((index >= 0) <= inputs.grid.mask).all()


def test_misaligned_grid_is_refused(inputs: PlanInputs) -> None:
    g = inputs.grid
    off = Grid(g.crs, g.x0 + 10.0, g.y_top, g.cell, 2, 2, np.ones((2, 2), bool))
    with pytest.raises(ConfigError, match="not aligned"):
        window_offset(g, off)


def test_regions_in_another_crs_are_refused(inputs: PlanInputs,
                                            counties: gpd.GeoDataFrame) -> None:
    with pytest.raises(ConfigError, match="EPSG:4326"):
        allocate_by_region(inputs, counties.to_crs(4326), region_id="adcode")
    with pytest.raises(ConfigError, match="unique 'nope'"):
        allocate_by_region(inputs, counties, region_id="nope")


# (c) the demand split by hand --------------------------------------------------------------------
def test_split_demand_by_hand() -> None:
    idx = pd.RangeIndex(3)
    output = pd.DataFrame({"a": [300.0, 100.0, 0.0], "b": [0.0, 0.0, 0.0]}, index=idx)
    mass = pd.DataFrame({"a": [1.0, 1.0, 2.0], "b": [1.0, 3.0, 0.0]}, index=idx)
    eligible = pd.DataFrame({"a": [500.0, 1000.0, 1000.0], "b": [1000.0, 1000.0, 0.0]},
                            index=idx)
    share, left = split_demand({"a": 800.0, "b": 400.0}, output=output, mass=mass,
                               eligible_mu=eligible)
    # a: output 3:1 gives 600 / 200; region 0 holds 500, its 100 more goes to region 1 (the
    # only other one with output): 500 / 300 / 0. Region 2 has no output: none.
    assert share["a"].tolist() == pytest.approx([500.0, 300.0, 0.0], abs=1e-9)
    # b: no output anywhere: suitability mass 1:3 (region 2 has no eligible land).
    assert share["b"].tolist() == pytest.approx([100.0, 300.0, 0.0], abs=1e-9)
    assert left.tolist() == [0.0, 0.0]

    # More than the regions with output can hold: the rest by mass, then unplaced.
    share, left = split_demand({"a": 2700.0, "b": 0.0}, output=output, mass=mass,
                               eligible_mu=eligible)
    # output: 500 (cap) + 1000 (cap) = 1500; the remaining 1200 by mass among those with room:
    # only region 2 (1000), so 200 unplaced.
    assert share["a"].tolist() == pytest.approx([500.0, 1000.0, 1000.0], abs=1e-9)
    assert float(left["a"]) == pytest.approx(200.0)

    # A share below the smallest site goes to the others.
    share, _ = split_demand({"a": 400.0, "b": 0.0}, output=output, mass=mass,
                            eligible_mu=eligible, min_share=150.0)
    assert share["a"].tolist() == pytest.approx([400.0, 0.0, 0.0], abs=1e-9)


def test_water_fill_caps_and_weights() -> None:
    got = water_fill(1000.0, np.array([1.0, 2.0, 7.0]), np.array([50.0, 1000.0, 300.0]))
    # 100 / 200 / 700: regions 0 and 2 are over; 950 - 300 = 650 left for region 1.
    assert got.tolist() == pytest.approx([50.0, 650.0, 300.0])
    assert water_fill(10.0, np.zeros(2), np.ones(2)).tolist() == [0.0, 0.0]


def test_pass_shortfall_by_hand() -> None:
    idx = pd.RangeIndex(3)

    def f(*v: float) -> pd.DataFrame:
        return pd.DataFrame({"a": list(v)}, index=idx)

    # Region 0 fell short by 225 mu; regions 1 and 2 have 100 and 0 mu of room beyond their
    # share: region 1 takes 100, region 0 gives up 100 (125 stays its shortfall).
    new = pass_shortfall(f(600.0, 400.0, 300.0), shortfall=f(225.0, 0.0, 0.0),
                         mass=f(1.0, 1.0, 1.0), eligible_mu=f(900.0, 500.0, 300.0))
    assert new["a"].tolist() == pytest.approx([500.0, 500.0, 300.0])
    # Nobody with room: nothing changes (the region is not solved again).
    same = pass_shortfall(f(600.0, 400.0, 300.0), shortfall=f(225.0, 0.0, 0.0),
                          mass=f(1.0, 1.0, 1.0), eligible_mu=f(900.0, 400.0, 300.0))
    pd.testing.assert_frame_equal(same, f(600.0, 400.0, 300.0))


def test_region_output_point_in_polygon() -> None:
    regions = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100),
                                         shapely.box(100, 0, 200, 100)], crs="EPSG:4547")
    ent = gpd.GeoDataFrame({"industry": ["a", "a", "b", "a"], "output_wan": [1.0, 2.0, 4.0, 8.0]},
                           geometry=gpd.points_from_xy([10, 150, 150, 500], [10, 10, 50, 50]),
                           crs="EPSG:4547")
    out = region_output(ent, regions, codes=["a", "b"])
    assert out.to_numpy().tolist() == [[1.0, 0.0], [2.0, 4.0]]  # the firm at x=500: none


def test_split_follows_output_on_the_city(inputs: PlanInputs,
                                          by_county: ProvinceAllocation) -> None:
    """On Zhengzhou the shares sum to the demand, within each region's eligible land."""
    total = by_county.regional_demand.sum(axis=0) + by_county.unplaced
    np.testing.assert_allclose(total.to_numpy(), by_county.demand["demand_mu"].to_numpy(),
                               rtol=1e-9)
    assert (by_county.regional_demand.to_numpy() >= 0).all()


# (d) a LocalCluster gives the local scheduler's answer -------------------------------------------
@pytest.mark.slow
def test_local_cluster_matches_local_scheduler(inputs: PlanInputs,
                                               counties: gpd.GeoDataFrame) -> None:
    distributed = pytest.importorskip("distributed")
    coarse = Grid.from_boundary(inputs.study_area, resolution=1000.0, crs=inputs.plan.crs)
    prov = dataclasses.replace(inputs, grid=coarse)
    regions = counties.iloc[7:9]
    local = allocate_by_region(prov, regions, region_id="adcode")
    with warnings.catch_warnings():
        # distributed's start-up notes (dashboard port, scratch space) are not ours to test.
        warnings.simplefilter("ignore")
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            remote = allocate_by_region(prov, regions, region_id="adcode", client=client)
    assert remote.objective == pytest.approx(local.objective, rel=1e-9)
    assert remote.bound == pytest.approx(local.bound, rel=1e-9)
    assert remote.sites["site_id"].tolist() == local.sites["site_id"].tolist()
    for sid, cells in local.site_cells.items():
        np.testing.assert_array_equal(remote.site_cells[sid], cells)
    pd.testing.assert_frame_equal(remote.allocation, local.allocation)
    pd.testing.assert_frame_equal(remote.regions.drop(columns="seconds"),
                                  local.regions.drop(columns="seconds"))


def test_zone_across_two_regions_is_merged_by_hand() -> None:
    """A zone in two regions: its mean score weighted by eligible cells, land and sites summed."""
    from layout.allocation.merge import merge_zone_industries

    zones = gpd.GeoDataFrame({"zone_id": ["z"]}, geometry=[shapely.box(0, 0, 1, 1)],
                             crs="EPSG:4547")

    def table(a_mean: float, a_n: int, a_mu: float, sites: str, b_mean: float,
              b_n: int) -> pd.DataFrame:
        return pd.DataFrame({
            "zone_id": ["z", "z"], "zone_name": ["Z", "Z"], "rank": [1, 2],
            "industry": ["a", "b"], "mean_score": [a_mean, b_mean],
            "allocated_mu": [a_mu, 0.0], "sites": [sites, ""], "leading": [False, True],
            "reasons": ["x 1.0" + ("; not a designated leading industry of the zone"
                                   if a_mu else ""), "y 2.0"],
            "eligible_cells": [a_n, b_n]})

    west = table(60.0, 3, 375.0, "a-01", 50.0, 2)
    east = table(40.0, 1, 0.0, "", 80.0, 2)
    out = merge_zone_industries([west, east], [{"a-01": "a-02"}, {}], zones=zones)
    # a: (60 x 3 + 40 x 1) / 4 = 55; b: (50 x 2 + 80 x 2) / 4 = 65, so b ranks first.
    assert out["industry"].tolist() == ["b", "a"]
    assert out["mean_score"].tolist() == pytest.approx([65.0, 55.0])
    assert out["rank"].tolist() == [1, 2]
    a = out.set_index("industry").loc["a"]
    assert a["allocated_mu"] == 375.0
    assert a["sites"] == "a-02"
    assert a["reasons"] == "x 1.0; not a designated leading industry of the zone"
