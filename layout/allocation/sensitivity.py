"""How far to trust the plan: Monte-Carlo perturbation of the weights and one-at-a-time changes.

Sensitivity runs keep the candidate regions grown under the base weights and recompute their
values exactly from per-criterion sums. Each run solves the LP relaxation of the selection
programme, then the integer programme restricted to the LP's support, the plan's own sites and
their neighbouring sizes (an LP-guided restricted integer programme: integral like the plan, but
small enough to solve in a fraction of a second, where the full programme takes seconds). A
site's stability is the share of its cells, averaged over the runs, that stay with its industry;
the report states how much of the plan the restricted programme reproduces under the base
weights. Runs are spread over the CPU cores and gathered in order.

Speed (issue 17): each worker process keeps one HiGHS instance of the LP relaxation and only
changes its objective between runs, so every LP starts from the optimal basis under the base
weights (`layout.allocation.highs.RelaxationSolver`: a warm start, the same for every run
whichever process does it); the restricted programmes measure shortfalls in
shares of the demand (`layout.allocation.solve.shortfall_scale`), which spares HiGHS most of
its root work; the workers are forked after the problem and the criterion sums are in place, so
they share those arrays copy-on-write instead of receiving copies with every job.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.allocation.highs import RelaxationSolver
from layout.allocation.result import PlanResult
from layout.allocation.solve import restricted_columns, solve_lp, solve_restricted
from layout.model.criteria import CRITERIA
from layout.model.options import AllocationOptions, SensitivityOptions
from layout.progress import track

#: The name of the sensitivity runs in progress reports.
SENSITIVITY_STAGE = "sensitivity runs"


def _criterion_sums(result: PlanResult) -> dict[str, tuple[list[str], NDArray[np.float64]]]:
    """Per industry: criterion names and the (candidates × criteria) sums of 100 s × cell mu.

    With a learned weight, ``learned`` (the probability) is one more column
    (`layout.scoring.suitability.SuitabilityResult.blend_values`).
    """
    cands = result.candidates
    g = result.inputs.grid
    cell_mu = g.cell_area_m2 / (10_000.0 / 15.0)
    out: dict[str, tuple[list[str], NDArray[np.float64]]] = {}
    for code in cands.industries:
        res = result.results[code]
        values = res.blend_values()
        names = list(values)
        js = [j for j in range(len(cands)) if cands.industry[j] == code]
        mat = np.zeros((len(cands), len(names)))
        flats = [np.nan_to_num(values[k], nan=0.0).ravel().astype(np.float64) for k in names]
        for f in sorted({int(cands.family[j]) for j in js}):
            order = cands.orders[f]
            cums = [np.cumsum(a[order]) for a in flats]
            for j in js:
                if int(cands.family[j]) == f:
                    n = int(cands.n_cells[j])
                    mat[j] = [c[n - 1] * 100.0 * cell_mu for c in cums]
        out[code] = (names, mat)
    return out


def _values(sums: Mapping[str, tuple[list[str], NDArray[np.float64]]],
            weights: Mapping[str, Mapping[str, float]], n: int) -> NDArray[np.float64]:
    v = np.zeros(n)
    for code, (names, mat) in sums.items():
        w = np.array([weights[code][k] for k in names])
        v += mat @ w
    return v


def _cell_industry(result: PlanResult, chosen: NDArray[np.int64]) -> NDArray[np.int16]:
    """Industry index (in candidates.industries) of the chosen candidate covering each cell."""
    cands = result.candidates
    g = result.inputs.grid
    out = np.full(g.nrows * g.ncols, -1, np.int16)
    for j in chosen:
        out[cands.cells(int(j))] = cands.industries.index(cands.industry[int(j)])
    return out


def _rerun(result: PlanResult, values: NDArray[np.float64], opts: AllocationOptions,
           lp: RelaxationSolver | None = None) -> NDArray[np.int16]:
    """Re-select sites for new candidate values: LP, then the restricted integer programme.

    ``lp`` re-solves the LP relaxation from a kept basis (a warm start, the same optimum);
    None solves it cold.
    """
    x = solve_lp(result.problem, values=values) if lp is None else lp.solve(values)
    cols = restricted_columns(result.problem, result.solution.chosen, x)
    sol = solve_restricted(result.problem, cols, values=values, options=opts)
    return _cell_industry(result, sol.chosen)


#: State shared with the worker processes of the sensitivity runs (inherited by fork).
_SENS: dict[str, Any] = {}


def _sens_worker(values: NDArray[np.float64]) -> tuple[list[float], float]:
    """One re-selection: per site, the share of its cells that stay; overall changed share.

    ``values`` are the candidates' values under the run's weights (`_values`), computed by the
    parent: a worker then does no BLAS call, whose threads would spin on the cores the
    other worker needs.
    """
    st = _SENS
    # One warm-started LP per process, made on its first run: after the fork, so that each
    # worker loads the inherited (shared, copy-on-write) matrix into HiGHS once, and HiGHS
    # starts no thread before a fork.
    if st.get("lp_pid") != os.getpid():
        st["lp"] = RelaxationSolver(st["result"].problem, start=st["start"])
        st["lp_pid"] = os.getpid()
    lab = _rerun(st["result"], values, st["opts"], st["lp"])
    same = lab[st["all_cells"]] == st["base_lab"]
    per_site = [float(same[a:b].mean()) for a, b in st["slices"]]
    return per_site, float(1.0 - same.mean()) if len(same) else 0.0


def _map_runs(jobs: list[NDArray[np.float64]], workers: int
              ) -> list[tuple[list[float], float]]:
    """Run the jobs in order, in ``workers`` forked processes when there are several.

    The workers never outlive the run, even when it is interrupted (`layout.core.workers`).
    Jobs go out two at a time, so that the workers finish together (a job is a vector of
    candidate values, a few kB: sending one costs far less than a re-selection).
    """
    if workers <= 1 or len(jobs) < 4:
        return [_sens_worker(j) for j in track(jobs, stage=SENSITIVITY_STAGE, unit="runs")]
    from layout.core.workers import fork_map

    return fork_map(_sens_worker, jobs, workers=workers,
                    chunksize=2, stage=SENSITIVITY_STAGE)


def _normalised(ws: Mapping[str, float], factors: Mapping[str, float]) -> dict[str, float]:
    raw = {k: v * factors.get(k, 1.0) for k, v in ws.items()}
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


def run_sensitivity(result: PlanResult, *, options: SensitivityOptions, seed: int) -> None:
    """Monte-Carlo and one-at-a-time re-selections; sets stability and the OAT table.

    Every run keeps the candidate regions and re-selects among them (`_rerun`). Runs are
    independent: they are spread over the CPU cores (forked processes) and gathered in order,
    so the result does not depend on the number of cores.
    """
    sopts = options
    cands = result.candidates
    opts: AllocationOptions = result.inputs.plan.allocation or AllocationOptions()
    base_w = {c: result.results[c].blend_weights() for c in cands.industries}
    base_ind = {c: i for i, c in enumerate(cands.industries)}
    sites = result.sites
    site_cells = result.site_cells
    ids = list(site_cells)
    all_cells = np.concatenate([site_cells[s] for s in ids]) if ids else np.zeros(0, np.int64)
    ind_of = dict(zip(sites["site_id"], sites["industry"], strict=True))
    base_lab = np.concatenate([np.full(len(site_cells[s]), base_ind[ind_of[s]], np.int16)
                               for s in ids]) if ids else np.zeros(0, np.int16)
    bounds = np.cumsum([0] + [len(site_cells[s]) for s in ids])
    _SENS.update(result=result, sums=_criterion_sums(result), n=len(cands), opts=opts,
                 all_cells=all_cells, base_lab=base_lab,
                 slices=list(itertools.pairwise(bounds)))

    rng = np.random.default_rng(seed)
    jobs: list[dict[str, dict[str, float]]] = [base_w]  # the base run checks the re-selection
    for _ in range(sopts.runs):
        jobs.append({code: _normalised(ws, dict(zip(ws, rng.uniform(
            1.0 - sopts.spread, 1.0 + sopts.spread, len(ws)), strict=True)))
            for code, ws in base_w.items()})
    order = {k: i for i, k in enumerate(CRITERIA)}  # then ``learned``, not a criterion
    names = sorted({k for ws in base_w.values() for k in ws},
                   key=lambda k: (order.get(k, len(order)), k))
    if sopts.one_at_a_time:
        for name in names:
            for factor in (1.0 + sopts.spread, 1.0 - sopts.spread):
                jobs.append({code: _normalised(ws, {name: factor})
                             for code, ws in base_w.items()})
    try:
        values = [_values(_SENS["sums"], w, len(cands)) for w in jobs]
        _SENS["start"] = values[0]  # every LP starts from the base weights' optimal basis
        out = _map_runs(values, workers=min(os.cpu_count() or 1, 4))
    finally:
        _SENS.clear()
    result.lp_agreement = 1.0 - out[0][1]
    mc = out[1:1 + sopts.runs]
    if sopts.runs:
        stab = {sid: float(np.mean([r[0][i] for r in mc])) for i, sid in enumerate(ids)}
        sites["stability"] = sites["site_id"].map(stab).astype(float)
        sites["stable"] = sites["stability"] >= sopts.stable_threshold
        result.stability = stab
    if sopts.one_at_a_time:
        oat = out[1 + sopts.runs:]
        result.one_at_a_time = pd.DataFrame(
            [{"criterion": name, "changed_share_plus": oat[2 * i][1],
              "changed_share_minus": oat[2 * i + 1][1]} for i, name in enumerate(names)])
