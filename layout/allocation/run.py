"""The plan: where each priority industry should go, and which industries each zone should host.

`run_plan` is the main job (``layout plan``). From loaded inputs it

1. scores every industry (`layout.scoring.suitability.score`, one shared criteria cache);
2. derives each industry's land demand (`layout.allocation.demand.land_demand`): given in the
   plan, or the growth target (default 三年倍增: output doubles in three years) divided by output
   per mu;
3. allocates compact sites on eligible land (`layout.allocation.allocate.allocate`, the stages
   the province allocation `layout.allocation.regional` runs per region too): eligibility
   (`layout.allocation.eligibility`), candidate regions (`layout.allocation.candidates`), an
   integer programme over them (`layout.allocation.problem`, `layout.allocation.solve`), with a
   greedy baseline beside it;
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

from layout.allocation.allocate import allocate, shortfall_notes
from layout.allocation.before_after import before_after
from layout.allocation.demand import land_demand
from layout.allocation.redevelopment import infill_table
from layout.allocation.result import PlanResult
from layout.allocation.sensitivity import run_sensitivity
from layout.analysis.context import CriteriaContext
from layout.data.inputs import PlanInputs
from layout.errors import ConfigError
from layout.model.options import DemandOptions, SensitivityOptions
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

    if inputs.engine != "memory":
        raise ConfigError(f"{inputs.plan.label}: the plan was loaded for the chunked engine; "
                          "run it with layout.allocation.province.run_on_engine")
    plan = inputs.plan
    catalog = plan.catalog
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

    g = inputs.grid
    alloc = allocate(inputs, results, demand, context=ctx, say=say)
    timings.update(alloc.timings)
    demand_mu = {str(c): float(v) for c, v in demand["demand_mu"].items()}
    solution, sites, site_cells = alloc.solution, alloc.sites, alloc.site_cells
    redev = alloc.redevelopment

    result = PlanResult(inputs, results, demand, alloc.candidates, alloc.problem, solution,
                        alloc.greedy, sites, site_cells, alloc.zone_industries, alloc.allocation,
                        pd.DataFrame(), timings=timings)
    if redev is not None:
        result.redevelopment = infill_table(
            site_cells, dict(zip(sites["site_id"], sites["industry"], strict=True)), redev,
            demand, cell_mu=g.cell_area_m2 / M2_PER_MU,
            cost_wan_per_mu=float(dopts.conversion_cost_wan_per_mu))
        covered = result.redevelopment["infill_mu"].sum()
        say(f"redevelopment: infill covers {covered:,.0f} mu of the "
            f"{demand['demand_mu'].sum():,.0f} mu demand")
    result.notes.extend(shortfall_notes(solution, demand_mu))

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
