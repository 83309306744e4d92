"""The plan: where each priority industry should go, and which industries each zone should host.

`run_plan` is the main job (``layout plan``). From loaded inputs it

1. scores every industry (`layout.scoring.suitability.score`, one shared criteria cache);
2. derives each industry's land demand (`layout.allocation.demand.land_demand`): given in the
   plan, or the growth target (default 三年倍增: output doubles in three years) divided by output
   per mu;
3. allocates compact sites on eligible land (`layout.allocation.eligibility`): candidate regions
   (`layout.allocation.candidates`), an integer programme over them
   (`layout.allocation.problem`, `layout.allocation.solve`), with a greedy baseline beside it;
4. answers both directions of "产业在哪里布局、布局什么样的产业" (`layout.allocation.sites`):
   industry → ranked sites (`PlanResult.sites`) and zone → ranked industries
   (`PlanResult.zone_industries`), each with the criterion contributions that explain them;
5. measures how far to trust it (`layout.allocation.sensitivity`): Monte-Carlo perturbation of
   the weights and one-at-a-time changes per criterion, giving every site a stability figure;
6. compares today with the plan (`layout.allocation.before_after`): share of output inside
   zones, number of clusters, mean distance between firms.

Each stage is logged (``logger.info``) with its figures and time.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.allocation.barriers import barrier_cells
from layout.allocation.before_after import before_after
from layout.allocation.candidates import default_max_site_mu, grow_candidates
from layout.allocation.demand import land_demand
from layout.allocation.eligibility import eligible_land, polluting_industries
from layout.allocation.problem import build_problem
from layout.allocation.redevelopment import boosted_scores, infill_table, redevelopment_land
from layout.allocation.result import PlanResult
from layout.allocation.sensitivity import run_sensitivity
from layout.allocation.sites import allocation_table, site_table, zone_industries
from layout.allocation.solve import solve, solve_greedy
from layout.allocation.zones import zone_capacity_mu
from layout.analysis.context import CriteriaContext
from layout.data.inputs import PlanInputs
from layout.model.options import AllocationOptions, DemandOptions, SensitivityOptions
from layout.progress import track
from layout.scoring.suitability import score
from layout.settings import M2_PER_MU

__all__ = ["PlanResult", "Progress", "land_demand", "run_plan"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


def run_plan(
    inputs: PlanInputs, *, sensitivity: bool | None = None, progress: Progress | None = None
) -> PlanResult:
    """Run the whole plan on loaded inputs (see the module docstring).

    Parameters
    ----------
    inputs
        From `layout.data.inputs.load_inputs`.
    sensitivity
        Run the sensitivity analysis; None follows the plan's ``[sensitivity] enabled``.
    progress
        Also called with each stage's line of text (the CLI prints it); every line is logged
        (``logger.info``) either way.

    Returns
    -------
    PlanResult
    """

    def say(message: str) -> None:
        logger.info("%s", message)
        if progress is not None:
            progress(message)

    plan = inputs.plan
    catalog = plan.catalog
    opts: AllocationOptions = plan.allocation or AllocationOptions()
    dopts: DemandOptions = plan.demand or DemandOptions()
    sopts: SensitivityOptions = plan.sensitivity or SensitivityOptions()
    timings: dict[str, float] = {}
    t = time.perf_counter()

    ent = inputs.layer("enterprises")
    demand = land_demand(pd.DataFrame(ent.drop(columns="geometry")), catalog=catalog,
                         options=dopts, source=inputs.sources.get("enterprises", "").split(" ")[0])
    timings["demand"] = time.perf_counter() - t
    say(f"demand: {demand['demand_mu'].sum():,.0f} mu for {len(demand)} industries")

    t = time.perf_counter()
    ctx = CriteriaContext(inputs)
    results = {}
    for code in track(list(catalog.codes), stage="scoring industries"):
        res = score(inputs, industry=code, context=ctx)
        # Keep the transformed criteria (sites' contributions, sensitivity) and, of the raw
        # values, only the Gi* z-scores that measures.csv reuses: about half the memory.
        raw = {k: v for k, v in res.raw.items() if k == "hotspot"}
        results[code] = dataclasses.replace(res, raw=raw)
    timings["score"] = time.perf_counter() - t
    say(f"scored {len(results)} industries on {inputs.grid.n_cells:,} cells "
        f"({timings['score']:.1f} s)")

    t = time.perf_counter()
    g = inputs.grid
    polluting = polluting_industries(catalog, opts)
    barriers = barrier_cells(inputs.layer("transport_lines"), g, kinds=opts.barriers)
    eligible = eligible_land(results, demand=demand, context=ctx, grid=g, catalog=catalog,
                             polluting=polluting, barriers=barriers)
    demand_mu = {str(c): float(v) for c, v in demand["demand_mu"].items()}
    capacity = zone_capacity_mu(inputs.layer("zones"))
    max_site = default_max_site_mu(capacity, min_site_mu=float(opts.min_site_mu))
    cand_scores: dict[str, NDArray[np.floating]] = {c: r.score for c, r in results.items()}
    redev = None
    if dopts.redevelopment:
        redev = redevelopment_land(ent, g, efficiency=plan.efficiency,
                                   landuse=inputs.layers.get("landuse"),
                                   zones=inputs.layer("zones"))
        cand_scores = boosted_scores(cand_scores, redev.cells,
                                     bonus=float(dopts.redevelopment_bonus))
        say(f"redevelopment: {len(redev.firms):,} C/D firms on {redev.firm_cells.sum():,} "
            f"cells, {redev.patch_cells.sum():,} cells of industrial patches with no firm")
    cands = grow_candidates(cand_scores, eligible, demand_mu, g,
                            options=opts, max_site_mu=max_site)
    problem = build_problem(
        cands, g, demand_mu={c: demand_mu[c] for c in cands.industries},
        zone_index=ctx.zone_index, zone_capacity_mu=capacity.tolist(), polluting=polluting,
        sensitive=list(opts.sensitive), options=opts)
    timings["candidates"] = time.perf_counter() - t
    say(f"candidates: {len(cands):,} regions from {len(cands.orders)} seeds; "
        f"{problem.A.shape[0]:,} constraints")

    t = time.perf_counter()
    solution = solve(problem, options=opts)
    greedy = solve_greedy(problem, options=opts)
    timings["allocate"] = time.perf_counter() - t
    say(f"allocation: objective {solution.objective:,.0f} (LP bound {solution.bound:,.0f}, "
        f"gap {solution.gap:.2%}); greedy {greedy.objective:,.0f} ({timings['allocate']:.1f} s)")

    t = time.perf_counter()
    sites, site_cells = site_table(solution, cands, results, inputs, ctx)
    zone_ind = zone_industries(results, eligible, site_cells, sites, inputs, ctx)
    alloc_table = allocation_table(sites, site_cells, inputs, ctx)
    timings["sites"] = time.perf_counter() - t

    result = PlanResult(inputs, results, demand, cands, problem, solution, greedy, sites,
                        site_cells, zone_ind, alloc_table, pd.DataFrame(), timings=timings)
    if redev is not None:
        result.redevelopment = infill_table(
            site_cells, dict(zip(sites["site_id"], sites["industry"], strict=True)), redev,
            demand, cell_mu=g.cell_area_m2 / M2_PER_MU,
            cost_wan_per_mu=float(dopts.conversion_cost_wan_per_mu))
        covered = result.redevelopment["infill_mu"].sum()
        say(f"redevelopment: infill covers {covered:,.0f} mu of the "
            f"{demand['demand_mu'].sum():,.0f} mu demand")
    for code, short in solution.shortfall_mu.items():
        if short > 0:
            result.notes.append(
                f"{code} fell short by {short:,.0f} mu of its {demand_mu[code]:,.0f} mu demand: "
                "the compact candidate sites could not meet it within the plan's limits "
                "(unconstrained land, minimum site area and number of sites, the zones' "
                "remaining land, the separation of pollution-intensive industries from food, "
                "medicine and housing); raise max_sites or max_site_mu, or lower the demand")

    run_sens = sopts.enabled if sensitivity is None else sensitivity
    if run_sens and (sopts.runs > 0 or sopts.one_at_a_time):
        t = time.perf_counter()
        run_sensitivity(result, options=sopts, seed=plan.seed)
        timings["sensitivity"] = time.perf_counter() - t
        say(f"sensitivity: {sopts.runs} runs at ±{sopts.spread:.0%} "
            f"({timings['sensitivity']:.1f} s)")
    else:
        sites["stability"] = np.nan
        sites["stable"] = False

    t = time.perf_counter()
    result.before_after = before_after(result)
    timings["before_after"] = time.perf_counter() - t
    return result
