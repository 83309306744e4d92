"""The allocation stages of a plan on one grid: eligibility to the site and zone tables.

`allocate` is what `layout.allocation.run.run_plan` does between scoring and sensitivity, and
what the province allocation (`layout.allocation.regional`) runs once per region:

1. eligible land (`eligibility`: the score stage's hard constraints, linear barriers, the
   residential buffer of pollution-intensive industries), checked against the demand unless
   the caller passes cells it has already checked or split the demand by;
2. candidate regions (`layout.allocation.candidates`), optionally boosted on redevelopment land
   (`layout.allocation.redevelopment`), and the selection programme
   (`layout.allocation.problem`);
3. the HiGHS solution with its LP bound and the greedy baseline (`layout.allocation.solve`);
4. the site table, the zone → industries table and the allocation table
   (`layout.allocation.sites`).

It returns plain objects (an `Allocation`), all of which pickle, so that a dask worker can run it
and send the result back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.allocation.barriers import barrier_cells
from layout.allocation.candidates import Candidates, default_max_site_mu, grow_candidates
from layout.allocation.eligibility import (
    check_eligible_area,
    eligible_cells,
    polluting_industries,
)
from layout.allocation.problem import Problem, build_problem
from layout.allocation.redevelopment import RedevelopmentLand, boosted_scores, redevelopment_land
from layout.allocation.sites import allocation_table, site_table, zone_industries
from layout.allocation.solve import Solution, solve, solve_greedy
from layout.allocation.zones import zone_capacity_mu
from layout.analysis.context import CriteriaContext
from layout.data.inputs import PlanInputs
from layout.model.options import AllocationOptions, DemandOptions
from layout.scoring.suitability import SuitabilityResult

__all__ = ["Allocation", "allocate", "eligibility", "shortfall_notes"]

logger = logging.getLogger(__name__)

Say = Callable[[str], None]


@dataclass
class Allocation:
    """What `allocate` computed on one grid (the fields of `PlanResult` of the same names)."""

    eligible: dict[str, NDArray[np.bool_]]
    candidates: Candidates
    problem: Problem
    solution: Solution
    greedy: Solution
    sites: gpd.GeoDataFrame
    site_cells: dict[str, NDArray[np.int64]]
    zone_industries: pd.DataFrame
    allocation: pd.DataFrame
    #: With ``[demand] redevelopment = true``: the land the candidates were boosted on.
    redevelopment: RedevelopmentLand | None = None
    #: Seconds of ``candidates`` (eligibility, candidates, programme), ``allocate``, ``sites``.
    timings: dict[str, float] = field(default_factory=dict)


def eligibility(inputs: PlanInputs, results: Mapping[str, SuitabilityResult], *,
                context: CriteriaContext) -> dict[str, NDArray[np.bool_]]:
    """Eligible cells of every industry on ``inputs.grid``, not checked against any demand.

    The score stage's eligible cells less the cells of the plan's linear barriers
    (`layout.allocation.barriers.barrier_cells`) and, for pollution-intensive industries, the
    cells near urban areas (`layout.allocation.eligibility.eligible_cells`).
    """
    plan = inputs.plan
    opts: AllocationOptions = plan.allocation or AllocationOptions()
    barriers = barrier_cells(inputs.layer("transport_lines"), inputs.grid, kinds=opts.barriers)
    return eligible_cells(results, context=context, catalog=plan.catalog,
                          polluting=polluting_industries(plan.catalog, opts), barriers=barriers)


def allocate(
    inputs: PlanInputs,
    results: Mapping[str, SuitabilityResult],
    demand: pd.DataFrame,
    *,
    context: CriteriaContext,
    eligible: Mapping[str, NDArray[np.bool_]] | None = None,
    zone_capacity: NDArray[np.float64] | None = None,
    max_site_mu: float | None = None,
    say: Say | None = None,
) -> Allocation:
    """Allocate every industry's demand to compact sites on ``inputs.grid``.

    Parameters
    ----------
    inputs
        The plan's inputs; ``inputs.grid`` is the grid the sites are chosen on.
    results
        The suitability of every industry on that grid.
    demand
        `layout.allocation.demand.land_demand` table (its ``demand_mu`` column is used).
    context
        The criteria context of ``inputs``.
    eligible
        Eligible cells per industry; None computes them (`eligibility`) and checks them against
        the demand (`layout.allocation.eligibility.check_eligible_area`).
    zone_capacity
        Developable land (mu) of each zone of ``inputs.layer("zones")``; None:
        `layout.allocation.zones.zone_capacity_mu` of the zones.
    max_site_mu
        The largest site; None: `layout.allocation.candidates.default_max_site_mu` of the zone
        capacity (``[allocation] max_site_mu`` wins over both).
    say
        Called with each stage's line of text (default: logged).

    Returns
    -------
    Allocation
    """
    tell: Say = say if say is not None else (lambda m: logger.info("%s", m))
    plan = inputs.plan
    opts: AllocationOptions = plan.allocation or AllocationOptions()
    dopts: DemandOptions = plan.demand or DemandOptions()
    ctx = context
    g = inputs.grid
    timings: dict[str, float] = {}

    t = time.perf_counter()
    polluting = polluting_industries(plan.catalog, opts)
    if eligible is None:
        eligible = eligibility(inputs, results, context=ctx)
        check_eligible_area(eligible, demand=demand, grid=g)
    eligible = dict(eligible)
    demand_mu = {str(c): float(v) for c, v in demand["demand_mu"].items()}
    capacity = zone_capacity_mu(inputs.layer("zones")) if zone_capacity is None \
        else np.asarray(zone_capacity, np.float64)
    max_site = default_max_site_mu(capacity, min_site_mu=float(opts.min_site_mu)) \
        if max_site_mu is None else float(max_site_mu)
    cand_scores: dict[str, NDArray[np.floating]] = {c: r.score for c, r in results.items()}
    redev = None
    if dopts.redevelopment:
        redev = redevelopment_land(inputs.layer("enterprises"), g, efficiency=plan.efficiency,
                                   landuse=inputs.layers.get("landuse"),
                                   zones=inputs.layer("zones"))
        cand_scores = boosted_scores(cand_scores, redev.cells,
                                     bonus=float(dopts.redevelopment_bonus))
        tell(f"redevelopment: {len(redev.firms):,} C/D firms on {redev.firm_cells.sum():,} "
             f"cells, {redev.patch_cells.sum():,} cells of industrial patches with no firm")
    cands = grow_candidates(cand_scores, eligible, demand_mu, g,
                            options=opts, max_site_mu=max_site)
    problem = build_problem(
        cands, g, demand_mu={c: demand_mu[c] for c in cands.industries},
        zone_index=ctx.zone_index, zone_capacity_mu=capacity.tolist(), polluting=polluting,
        sensitive=list(opts.sensitive), options=opts)
    timings["candidates"] = time.perf_counter() - t
    tell(f"candidates: {len(cands):,} regions from {len(cands.orders)} seeds; "
         f"{problem.A.shape[0]:,} constraints")

    t = time.perf_counter()
    solution = solve(problem, options=opts)
    greedy = solve_greedy(problem, options=opts)
    timings["allocate"] = time.perf_counter() - t
    tell(f"allocation: objective {solution.objective:,.0f} (LP bound {solution.bound:,.0f}, "
         f"gap {solution.gap:.2%}); greedy {greedy.objective:,.0f} ({timings['allocate']:.1f} s)")

    t = time.perf_counter()
    sites, site_cells = site_table(solution, cands, results, inputs, ctx)
    zone_ind = zone_industries(results, eligible, site_cells, sites, inputs, ctx)
    alloc_table = allocation_table(sites, site_cells, inputs, ctx)
    timings["sites"] = time.perf_counter() - t
    return Allocation(eligible, cands, problem, solution, greedy, sites, site_cells, zone_ind,
                      alloc_table, redev, timings)


def shortfall_notes(solution: Solution, demand_mu: Mapping[str, float]) -> list[str]:
    """One sentence, with the fix, per industry the solution leaves short of its demand."""
    return [
        f"{code} fell short by {short:,.0f} mu of its {demand_mu[code]:,.0f} mu demand: "
        "the compact candidate sites could not meet it within the plan's limits "
        "(unconstrained land, minimum site area and number of sites, the zones' "
        "remaining land, the separation of pollution-intensive industries from food, "
        "medicine and housing); raise max_sites or max_site_mu, or lower the demand"
        for code, short in solution.shortfall_mu.items() if short > 0]
