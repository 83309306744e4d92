"""A chunked plan from end to end: scores window by window, allocation city by city.

`run_chunked_plan` is `layout.allocation.run.run_plan` for a plan loaded for the dask engine
(``inputs.engine == "dask"``, a province at 30 m):

1. scores every industry window by window (`layout.scoring.chunked.score_chunked`): the score
   and flag rasters at the analysis resolution, and block means on the allocation grid
   (``inputs.grid``);
2. allocates each region (the ``counties`` layer: a province's cities) as a dask task under a
   province-wide demand split (`layout.allocation.regional.allocate_by_region`), on the
   allocation grid, and merges the sites, tables, objectives and LP bounds;
3. returns a `PlanResult` the plan folder's writer takes as it is: its ``results`` are the
   allocation grid's (`layout.scoring.chunked.CoarseScores`), its ``score_files`` the rasters
   of step 1, which the writer moves into ``suitability/`` instead of writing its own.

What it does not do, and says so in the report: the sensitivity analysis (per region, future),
the before/after comparison's cluster counts on the analysis grid (computed on the allocation
grid), the redevelopment infill table.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from layout.allocation.before_after import before_after
from layout.allocation.candidates import Candidates, default_max_site_mu
from layout.allocation.problem import SHORTFALL_PENALTY, Problem
from layout.allocation.regional import ProvinceAllocation, allocate_by_region
from layout.allocation.result import PlanResult
from layout.allocation.solve import Solution
from layout.allocation.zones import zone_capacity_mu
from layout.data.inputs import PlanInputs
from layout.model.options import AllocationOptions
from layout.scoring.chunked import ChunkedScores, score_chunked

__all__ = ["run_chunked_plan", "run_on_engine"]

logger = logging.getLogger(__name__)


def _summary(prov: ProvinceAllocation, *, greedy: bool = False) -> Solution:
    """The province's solution as one `Solution` (no candidate indices: they are per region)."""
    alloc = prov.allocation
    by_ind = (alloc.groupby("industry")["area_mu"].sum() if len(alloc) and "area_mu" in alloc
              else pd.Series(dtype=float))
    demand = prov.demand["demand_mu"]
    allocated = {str(c): float(by_ind.get(c, 0.0)) for c in demand.index}
    short = {c: max(0.0, float(demand[c]) - allocated[c]) for c in allocated}
    if greedy:
        obj = float(prov.regions["greedy_objective"].sum())
        return Solution(np.zeros(0, np.int64), obj, short, allocated, "greedy by region")
    return Solution(np.zeros(0, np.int64), float(prov.objective), short, allocated,
                    "MIP by region", bound=float(prov.bound), gap=float(prov.gap),
                    seconds=float(prov.regions["seconds"].sum()), status="by region")


def run_chunked_plan(
    inputs: PlanInputs, *, suitability: str | Path, work: str | Path, client: Any,
    progress: Callable[[str], None] | None = None,
) -> PlanResult:
    """Score and allocate a chunked plan (module docstring).

    Parameters
    ----------
    inputs
        Loaded for the dask engine (`layout.data.inputs.load_inputs` chose it).
    suitability
        Folder for the score and flag rasters.
    work
        Folder for the windows' blocks and block means (on a filesystem the workers share).
    client
        A ``distributed.Client`` (`layout.core.cluster.dask_client`).
    progress
        Called with each stage's line of text.
    """

    def say(message: str) -> None:
        logger.info("%s", message)
        if progress is not None:
            progress(message)

    timings: dict[str, float] = {}
    t = time.perf_counter()
    frame = inputs.frame
    assert frame is not None
    scores: ChunkedScores = score_chunked(inputs, suitability, client=client, work=work)
    timings["score"] = time.perf_counter() - t
    timings.update({f"score_{k}": v for k, v in scores.timings.items()})
    say(f"scored {len(scores.paths)} industries on {scores.cells:,} cells at {frame.cell:g} m "
        f"in {len(scores.windows)} windows ({timings['score']:.1f} s)")

    t = time.perf_counter()
    regions = inputs.layer("counties")
    prov = allocate_by_region(inputs, regions, region_id="adcode", region_name="name_zh",
                              results_for=scores.coarse.results_for, client=client)
    timings["allocate"] = time.perf_counter() - t
    say(f"allocation by region: {len(prov.regions)} regions, objective {prov.objective:,.0f} "
        f"(LP bound {prov.bound:,.0f}, gap {prov.gap:.2%}) ({timings['allocate']:.1f} s)")

    t = time.perf_counter()
    results = scores.coarse.results_for(inputs.grid)
    opts: AllocationOptions = inputs.plan.allocation or AllocationOptions()
    empty = np.zeros(0, np.int64)
    max_site = default_max_site_mu(zone_capacity_mu(inputs.layer("zones")),
                                   min_site_mu=float(opts.min_site_mu))
    # The programmes are the regions'; the province keeps their summary only.
    cands = Candidates(list(inputs.plan.catalog.codes), [], [], empty, empty,
                       np.zeros(0), np.zeros(0), max_site_mu=max_site)
    problem = Problem(cands, sparse.csr_matrix((0, 0)), np.zeros(0), np.zeros(0), {}, 0,
                      {str(c): float(v) for c, v in prov.demand["demand_mu"].items()},
                      SHORTFALL_PENALTY)
    result = PlanResult(inputs, results, prov.demand, cands, problem, _summary(prov),
                        _summary(prov, greedy=True), prov.sites, prov.site_cells,
                        prov.zone_industries, prov.allocation, pd.DataFrame(),
                        timings=timings, notes=list(prov.notes))
    result.sites["stability"] = np.nan
    result.sites["stable"] = False
    result.score_files = dict(scores.paths)
    result.regions = prov.regions
    result.notes.append(
        "province plan: sites chosen city by city on the allocation grid "
        f"({inputs.grid.cell:g} m cells, block means of the {frame.cell:g} m scores); "
        "no sensitivity analysis at this scale")
    result.before_after = before_after(result)
    timings["sites"] = time.perf_counter() - t
    return result


def run_on_engine(
    inputs: PlanInputs, *, work: str | Path, sensitivity: bool | None = None,
    scheduler: str | None = None, workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> PlanResult:
    """Run a plan on the engine its inputs were loaded for.

    The memory engine runs `layout.allocation.run.run_plan`; the dask engine connects to
    ``scheduler`` (or starts a local cluster of ``workers`` processes, default ``[engine]
    workers``, else one per core; `layout.core.cluster.dask_client`) and runs
    `run_chunked_plan` with its rasters and blocks under ``work``, a folder the workers can
    reach (delete it with `layout.scoring.chunked.remove_work` once the plan is written).
    """
    from layout.allocation.run import run_plan
    from layout.core.cluster import dask_client

    if inputs.engine != "dask":
        if scheduler:
            logger.warning("%s runs on the memory engine: --scheduler %s is not used",
                           inputs.plan.label, scheduler)
        return run_plan(inputs, sensitivity=sensitivity, progress=progress)
    opts = inputs.plan.engine_options
    if sensitivity:
        logger.warning("the sensitivity analysis does not run at province scale (chunked plan)")
    work = Path(work)
    with dask_client(scheduler, workers=workers or opts.workers,
                     memory_limit_gb=opts.memory_limit_gb) as client:
        return run_chunked_plan(inputs, suitability=work / "suitability",
                                work=work / "blocks", client=client, progress=progress)
