"""Allocation at province scale: one allocation per region (city), run as dask tasks.

A province at 30 m does not fit one in-memory grid, but its allocation does not need 30 m: the
scores come at a coarser *allocation* resolution (block means, `SuitabilityResult` objects on
grids aligned with the plan's) and each region is allocated on its own window of that grid.
`allocate_by_region`:

1. cuts the province grid (``inputs.grid``, at the allocation resolution) into regions: a
   raster of region positions (cell centre in the region's polygon, later rows winning), so
   every cell of the study area belongs to at most one region and no site can use a cell twice;
   each region's grid is the window ``Grid.from_boundary(region ∩ study area)`` would build
   (aligned by construction), masked to the region's cells (`layout.allocation.region_grids`);
2. task 1 per region: ``results_for(region grid)`` (any engine: `MemoryScores`, or the chunked
   dask engine's block means), and the eligible cells (`layout.allocation.allocate.eligibility`);
3. splits the province demand across regions (`layout.allocation.demand_split`: today's output
   first, capped by eligible land, then suitability mass);
4. task 2 per region: the allocation stages of `run_plan` (`layout.allocation.allocate.allocate`)
   on the region's inputs and share of the demand, with the zones' developable land split by
   their cells in each region and the province's largest site;
5. merges the sites (re-ranked across the province, with ``region`` and ``region_name``),
   the allocation table and the zone → industries table, and sums objectives and LP bounds.

The tasks run on a ``dask.distributed`` client when one is given (everything they take and
return pickles), else on dask's local (synchronous) scheduler. The province objective is the
sum of the regions' objectives and its LP bound the sum of their LP bounds: a bound of the programme
*under the demand split* (the regions are independent given their demand), not of one
programme over the whole province. The sensitivity analysis is not run at province scale (a
future option: per region, as tasks, like the allocation).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.allocation.allocate import allocate, eligibility
from layout.allocation.candidates import default_max_site_mu
from layout.allocation.demand import MU_PER_HA, land_demand
from layout.allocation.demand_split import pass_shortfall, region_output, split_demand
from layout.allocation.merge import merge_allocation, merge_sites, merge_zone_industries
from layout.allocation.region_grids import region_grids, window_offset
from layout.allocation.solve import Solution
from layout.allocation.zones import zone_capacity_mu
from layout.analysis.context import CriteriaContext
from layout.data.inputs import PlanInputs
from layout.errors import ConfigError
from layout.model.grid import Grid
from layout.model.options import AllocationOptions, DemandOptions
from layout.scoring.suitability import SuitabilityResult, score
from layout.settings import M2_PER_MU

__all__ = ["MemoryScores", "ProvinceAllocation", "RegionOutcome", "allocate_by_region"]

logger = logging.getLogger(__name__)

ResultsFor = Callable[[Grid], dict[str, SuitabilityResult]]


class MemoryScores:
    """``results_for`` of the in-memory engine: score every industry on a given grid.

    Picklable (it holds the plan's inputs), so it runs on dask workers too. Keeps, like
    `run_plan`, the transformed criteria and only the ``hotspot`` raw values.

    Examples
    --------
    >>> from layout.data.inputs import load_inputs
    >>> inputs = load_inputs()
    >>> g = Grid.from_boundary(inputs.study_area, resolution=2000, crs=inputs.plan.crs)
    >>> res = MemoryScores(inputs)(g)
    >>> sorted(res) == sorted(inputs.plan.catalog.codes), res["food"].score.shape == g.shape
    (True, True)
    """

    def __init__(self, inputs: PlanInputs) -> None:
        self.inputs = inputs

    def __call__(self, grid: Grid) -> dict[str, SuitabilityResult]:
        """Scores of every industry of the plan on ``grid``."""
        sub = dataclasses.replace(self.inputs, grid=grid)
        ctx = CriteriaContext(sub)
        out = {}
        for code in self.inputs.plan.catalog.codes:
            res = score(sub, industry=code, context=ctx)
            out[code] = dataclasses.replace(
                res, raw={k: v for k, v in res.raw.items() if k == "hotspot"})
        return out


@dataclass
class RegionLand:
    """Task 1's result for one region: its scores and eligible cells, with their sums."""

    results: dict[str, SuitabilityResult]
    eligible: dict[str, NDArray[np.bool_]]
    #: Per industry: eligible land (mu) and suitability mass (score × mu on eligible cells).
    eligible_mu: dict[str, float]
    mass: dict[str, float]


def _region_inputs(inputs: PlanInputs, grid: Grid) -> PlanInputs:
    return dataclasses.replace(inputs, grid=grid)


def _prepare(inputs: PlanInputs, grid: Grid, results_for: ResultsFor) -> RegionLand:
    sub = _region_inputs(inputs, grid)
    results = results_for(grid)
    eligible = eligibility(sub, results, context=CriteriaContext(sub))
    cell_mu = grid.cell_area_m2 / M2_PER_MU
    elig_mu = {c: float(e.sum()) * cell_mu for c, e in eligible.items()}
    mass = {c: float(np.nansum(np.where(eligible[c], results[c].score, 0.0),
                               dtype=np.float64)) * cell_mu for c in results}
    return RegionLand(results, eligible, elig_mu, mass)


def _sums(land: RegionLand) -> tuple[dict[str, float], dict[str, float]]:
    return land.eligible_mu, land.mass


@dataclass
class RegionOutcome:
    """Task 2's result for one region (cells are flat indices of the province grid)."""

    position: int
    demand_mu: dict[str, float]
    solution: Solution | None
    greedy_objective: float
    sites: gpd.GeoDataFrame
    site_cells: dict[str, NDArray[np.int64]]
    zone_industries: pd.DataFrame
    allocation: pd.DataFrame
    n_candidates: int
    seconds: float
    #: Score-mu charged per mu of shortfall in the region's programme.
    penalty: float
    notes: list[str] = field(default_factory=list)


def _per_region(outcomes: Mapping[int, RegionOutcome], index: Sequence[int],
                codes: Sequence[str], what: str) -> pd.DataFrame:
    """Regions × industries of each solution's ``shortfall_mu`` (or another such field)."""
    out = pd.DataFrame(0.0, index=list(index), columns=list(codes))
    for k, o in outcomes.items():
        if o.solution is not None:
            for code, v in getattr(o.solution, what).items():
                out.loc[k, code] = float(v)
    return out


def _allocate_region(land: RegionLand, inputs: PlanInputs, grid: Grid, province: Grid,
                     position: int, demand: pd.DataFrame, zone_capacity: NDArray[np.float64],
                     max_site_mu: float) -> RegionOutcome:
    t0 = time.perf_counter()
    sub = _region_inputs(inputs, grid)
    ctx = CriteriaContext(sub)
    demand_mu = {str(c): float(v) for c, v in demand["demand_mu"].items()}
    alloc = allocate(sub, land.results, demand, context=ctx, eligible=land.eligible,
                     zone_capacity=zone_capacity, max_site_mu=max_site_mu,
                     say=lambda m: logger.info("region %d: %s", position, m))
    r0, c0 = window_offset(province, grid)
    cells = {}
    for sid, flat in alloc.site_cells.items():
        rows, cols = np.divmod(flat, grid.ncols)
        cells[sid] = ((rows + r0) * province.ncols + cols + c0).astype(np.int64)
    # Eligible cells of each industry in each zone: the weights of the zones' mean scores when
    # a zone spans several regions (`layout.allocation.merge.merge_zone_industries`).
    zone_flat = ctx.zone_index.ravel()
    nz = len(inputs.layer("zones"))
    zi = alloc.zone_industries.copy()
    counts = {c: np.bincount(zone_flat[e.ravel() & (zone_flat >= 0)], minlength=nz)
              for c, e in land.eligible.items()}
    zpos = {z: i for i, z in enumerate(inputs.layer("zones")["zone_id"].astype(str))}
    zi["eligible_cells"] = [int(counts[c][zpos[z]]) for z, c in
                            zip(zi["zone_id"], zi["industry"], strict=True)]
    sol = alloc.solution
    return RegionOutcome(position, demand_mu, sol, alloc.greedy.objective, alloc.sites, cells,
                         zi, alloc.allocation, len(alloc.candidates), time.perf_counter() - t0,
                         alloc.problem.penalty,
                         [f"{c} fell short by {v:,.0f} mu of its {demand_mu[c]:,.0f} mu share"
                          for c, v in sol.shortfall_mu.items() if v > 0])


@dataclass
class ProvinceAllocation:
    """The merged allocation of a province (`allocate_by_region`).

    Attributes
    ----------
    regions
        One row per region: ``region``, ``region_name``, ``n_cells``, ``demand_mu``,
        ``allocated_mu``, ``shortfall_mu``, ``n_sites``, ``n_candidates``, ``objective``
        (score × mu), ``bound`` (LP), ``gap``, ``greedy_objective``, ``seconds``.
    demand
        The province's `land_demand` table.
    regional_demand
        Regions (``region``) × industries: each region's share of the demand, mu.
    unplaced
        Per industry, the demand no region had eligible land for (mu).
    sites, site_cells, zone_industries, allocation
        As in `PlanResult`, for the whole province; cells are flat indices of the province
        grid; ``sites`` has ``region`` and ``region_name`` columns.
    objective, bound, gap
        Sums over the regions; ``gap = (bound - (objective - penalty x shortfall)) / |bound|``
        (the LP bounds are of the objective less the shortfall's penalty, 1,000 per mu, as
        `layout.allocation.solve.solve` measures a plan's gap), which is
        ``(bound - objective) / bound`` when no region falls short.
    shortfall_mu
        The regions' shortfalls plus the unplaced demand.
    """

    grid: Grid
    regions: pd.DataFrame
    demand: pd.DataFrame
    regional_demand: pd.DataFrame
    unplaced: pd.Series
    sites: gpd.GeoDataFrame
    site_cells: dict[str, NDArray[np.int64]]
    zone_industries: pd.DataFrame
    allocation: pd.DataFrame
    objective: float
    bound: float
    gap: float
    #: The regions' shortfalls and the unplaced demand, summed (mu).
    shortfall_mu: float = 0.0
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _run(client: Any, scheduler: str, fn: Callable[..., Any],
         calls: Sequence[tuple[Any, ...]], *, gather: bool = True) -> list[Any]:
    """Run ``fn(*args)`` for each args tuple as dask tasks; results (or futures) in order."""
    if client is not None:
        futures = [client.submit(fn, *args, pure=False) for args in calls]
        return list(client.gather(futures)) if gather else futures
    import dask

    tasks = [dask.delayed(fn, pure=False)(*args) for args in calls]
    return list(dask.compute(*tasks, scheduler=scheduler))


def allocate_by_region(
    inputs: PlanInputs,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    results_for: ResultsFor | None = None,
    client: Any = None,
    region_name: str | None = None,
    scheduler: str = "sync",
    rounds: int = 2,
) -> ProvinceAllocation:
    """Allocate a province's demand region by region, each region a dask task.

    See the module docstring for the stages. The sensitivity analysis is not run (a future
    option), nor the before/after comparison nor the redevelopment infill table.

    Parameters
    ----------
    inputs
        The province's inputs; ``inputs.grid`` is at the allocation resolution.
    regions
        Region polygons (cities) in the plan CRS.
    region_id
        Column of ``regions`` identifying each region (unique).
    results_for
        ``results_for(grid) -> {code: SuitabilityResult}`` on a grid aligned with
        ``inputs.grid``; `MemoryScores` of ``inputs`` when None. Must pickle with a
        process-based client.
    client
        A ``dask.distributed.Client``; None runs the tasks with dask's local ``scheduler``.
        Give its workers one thread each (``LocalCluster(processes=True,
        threads_per_worker=1)``): the tasks hold the GIL most of the time, and GDAL's in-memory
        rasters warn spuriously (``NotGeoreferencedWarning``) when threads rasterize at once
        (opendatacube/odc-geo#131).
    region_name
        Column of ``regions`` with a readable name (``region_name`` in the tables).
    scheduler
        dask scheduler without a client: ``"sync"`` (one task after another, the default),
        ``"threads"`` (see ``client``) or ``"processes"``.
    rounds
        Rounds of allocation: after each but the last, the demand the regions fell short of
        is offered to the others (`layout.allocation.demand_split.pass_shortfall`) and the
        regions whose demand changed are solved again. 1: no second round.

    Returns
    -------
    ProvinceAllocation

    Raises
    ------
    ConfigError
        Regions without a CRS or in another CRS than the plan, or a missing or repeated id.

    Examples
    --------
    >>> from layout.data.inputs import load_inputs
    >>> inputs = load_inputs()
    >>> g = Grid.from_boundary(inputs.study_area, resolution=1000, crs=inputs.plan.crs)
    >>> prov = dataclasses.replace(inputs, grid=g)
    >>> cities = inputs.layer("counties").iloc[6:9]
    >>> out = allocate_by_region(prov, cities, region_id="adcode", region_name="name_zh")
    >>> out.regions["region_name"].tolist()
    ['中牟县', '巩义市', '荥阳市']
    >>> bool(out.objective == out.regions["objective"].sum()), sorted(set(out.sites["region"]))
    (True, ['410122', '410181', '410182'])
    """
    t_all = time.perf_counter()
    plan = inputs.plan
    catalog = plan.catalog
    g = inputs.grid
    if regions.crs is None or not regions.crs.equals(g.crs):
        raise ConfigError(f"the regions layer is in {regions.crs}, the plan grid in "
                          f"{g.crs.to_string()}; project the regions with to_crs(plan.crs)")
    if region_id not in regions.columns or regions[region_id].duplicated().any():
        raise ConfigError(f"the regions layer needs a unique {region_id!r} column "
                          f"(columns: {', '.join(map(str, regions.columns))})")
    ids = regions[region_id].astype(str).tolist()
    names = regions[region_name].astype(str).tolist() if region_name else ids
    opts: AllocationOptions = plan.allocation or AllocationOptions()
    dopts: DemandOptions = plan.demand or DemandOptions()
    rf: ResultsFor = results_for if results_for is not None else MemoryScores(inputs)
    timings: dict[str, float] = {}

    ent = inputs.layer("enterprises")
    demand = land_demand(pd.DataFrame(ent.drop(columns="geometry")), catalog=catalog,
                         options=dopts, source=inputs.sources.get("enterprises", "").split(" ")[0])
    index, grids = region_grids(g, regions, study_area=inputs.study_area)
    live = [k for k, sub in enumerate(grids) if sub is not None]

    # Zones: each region gets the developable land of a zone in proportion to the zone's cells
    # in it, so a zone across a border is not filled twice; the largest site is the province's.
    zones = inputs.layer("zones")
    capacity = zone_capacity_mu(zones)
    max_site = default_max_site_mu(capacity, min_site_mu=float(opts.min_site_mu))
    zone_idx = CriteriaContext(inputs).zone_index if len(zones) else np.full(g.shape, -1)
    zone_cells = np.bincount(zone_idx[zone_idx >= 0], minlength=len(zones)).astype(np.float64)

    def capacity_of(k: int) -> NDArray[np.float64]:
        here = np.bincount(zone_idx[(index == k) & (zone_idx >= 0)], minlength=len(zones))
        share = np.divide(here, zone_cells, out=np.zeros(len(zones)), where=zone_cells > 0)
        return np.asarray(capacity * share, np.float64)

    pinputs: Any = inputs
    prf: Any = rf
    if client is not None:
        # Send the inputs and the engine to every worker once, not with every task.
        pinputs = client.scatter(inputs, broadcast=True, hash=False)
        prf = client.scatter(rf, broadcast=True, hash=False)

    t = time.perf_counter()
    lands = _run(client, scheduler, _prepare, [(pinputs, grids[k], prf) for k in live],
                 gather=False)
    sums = _run(client, scheduler, _sums, [(land,) for land in lands]) \
        if client is not None else [_sums(land) for land in lands]
    timings["score_eligibility"] = time.perf_counter() - t

    codes = list(catalog.codes)
    elig = pd.DataFrame([s[0] for s in sums], index=live, columns=codes).fillna(0.0)
    mass = pd.DataFrame([s[1] for s in sums], index=live, columns=codes).fillna(0.0)
    output = region_output(ent, regions, codes=codes).loc[live]
    share, unplaced = split_demand({str(c): float(v) for c, v in demand["demand_mu"].items()},
                                   output=output, mass=mass, eligible_mu=elig,
                                   min_share=float(opts.min_site_mu))

    def demand_of(k: int) -> pd.DataFrame:
        d = demand.copy()
        d["demand_mu"] = share.loc[k].reindex(d.index).fillna(0.0).to_numpy()
        d["demand_ha"] = d["demand_mu"] / MU_PER_HA
        d["method"] = "regional share"
        return d

    t = time.perf_counter()
    at = {k: i for i, k in enumerate(live)}
    todo = [k for k in live if share.loc[k].sum() > 0]
    by_pos: dict[int, RegionOutcome] = {}
    for round_ in range(1, max(1, rounds) + 1):
        outs = _run(client, scheduler, _allocate_region,
                    [(lands[at[k]], pinputs, grids[k], g, k, demand_of(k), capacity_of(k),
                      max_site) for k in todo])
        by_pos.update({o.position: o for o in outs})
        if round_ == rounds:
            break
        short = _per_region(by_pos, live, codes, "shortfall_mu")
        if short.to_numpy().sum() <= 0:
            break
        new = pass_shortfall(share, shortfall=short, mass=mass, eligible_mu=elig,
                             min_share=float(opts.min_site_mu))
        todo = [k for k in live if not np.array_equal(new.loc[k].to_numpy(),
                                                      share.loc[k].to_numpy())]
        share = new
        for k in [k for k in todo if share.loc[k].sum() <= 0]:
            by_pos.pop(k, None)  # left with no demand: nothing to solve
        todo = [k for k in todo if share.loc[k].sum() > 0]
        logger.info("round %d: %s mu of shortfall offered to %d regions", round_ + 1,
                    f"{float(short.to_numpy().sum()):,.0f}", len(todo))
        if not todo:
            break
    timings["allocate"] = time.perf_counter() - t

    rows = []
    for k in range(len(regions)):
        o = by_pos.get(k)
        sol = o.solution if o is not None else None
        dem = float(share.loc[k].to_numpy().sum()) if k in share.index else 0.0
        rows.append({
            "region": ids[k], "region_name": names[k], "n_cells": int((index == k).sum()),
            "demand_mu": dem,
            "allocated_mu": sum(sol.allocated_mu.values()) if sol else 0.0,
            "shortfall_mu": sum(sol.shortfall_mu.values()) if sol else 0.0,
            "n_sites": len(o.sites) if o else 0, "n_candidates": o.n_candidates if o else 0,
            "objective": sol.objective if sol else 0.0, "bound": sol.bound if sol else 0.0,
            "gap": sol.gap if sol else float("nan"),
            "greedy_objective": o.greedy_objective if o else 0.0,
            "seconds": o.seconds if o else 0.0})
    table = pd.DataFrame(rows)
    objective = float(table["objective"].sum())
    bound = float(table["bound"].sum())
    # The LP bounds are of the full objective (score x mu less the shortfall's penalty).
    full = objective - sum(o.penalty * float(sum(o.solution.shortfall_mu.values()))
                           for o in outs if o.solution is not None)
    gap = (bound - full) / abs(bound) if bound == bound and bound != 0 else float("nan")

    ordered = [by_pos[k] for k in sorted(by_pos)]
    sites, site_cells, renamed = merge_sites(
        [o.sites for o in ordered], [o.site_cells for o in ordered],
        region=[ids[o.position] for o in ordered], region_name=[names[o.position] for o in ordered],
        codes=codes, crs=g.crs)
    zone_ind = merge_zone_industries([o.zone_industries for o in ordered], renamed, zones=zones)
    alloc_table = merge_allocation([o.allocation for o in ordered], codes=codes, zones=zones)
    notes = [f"{names[o.position]}: {n}" for o in ordered for n in o.notes]
    if notes:
        notes.append("the regions' shortfalls above remain after "
                     f"{rounds} round(s) of offering them to the other regions; raise "
                     "max_sites or max_site_mu, or lower the demand")
    notes += [f"{c}: {v:,.0f} mu of the province demand found no eligible land in any region"
              for c, v in unplaced.items() if v > 0]
    timings["total"] = time.perf_counter() - t_all
    regional = share.copy()
    regional.index = pd.Index([ids[k] for k in share.index], name="region")
    logger.info("province: %d regions, objective %s (LP bound %s, gap %.2f%%), shortfall %s mu "
                "in %.1f s", len(live), f"{objective:,.0f}", f"{bound:,.0f}", 100 * gap,
                f"{float(table['shortfall_mu'].sum() + unplaced.sum()):,.0f}", timings["total"])
    short_mu = float(table["shortfall_mu"].sum() + unplaced.sum())
    return ProvinceAllocation(g, table, demand, regional, unplaced, sites, site_cells, zone_ind,
                              alloc_table, objective, bound, gap, short_mu, notes, timings)
