"""Solving the selection programme: which candidate sites each industry gets.

`solve` hands the programme of `layout.allocation.problem` to `scipy.optimize.milp` (HiGHS);
the LP relaxation gives the bound the optimality gap is measured against. `solve_greedy` is the
baseline the optimisation is compared with in the benchmark: candidates by mean score, taken
while they fit.

The sensitivity runs (`layout.allocation.sensitivity`) re-select with new candidate values:
`solve_lp` solves the LP relaxation, `restricted_columns` keeps its support, the plan's own
choice and their neighbouring sizes, and `solve_restricted` solves the integer programme over
those columns only (integral like the plan, and fast because it is small; its shortfalls are in
shares of the demand, `shortfall_scale`). `layout.allocation.highs.RelaxationSolver` re-solves
the LP relaxation warm, from a kept basis.

Eligible cells exclude hard constraints (the score stage's flags) and, for pollution-intensive
industries, cells within their residential buffer of an urban area
(`layout.allocation.eligibility`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from layout.allocation.candidates import F64, I64
from layout.allocation.problem import Problem
from layout.errors import LayoutError
from layout.model.options import AllocationOptions


@dataclass(frozen=True)
class Solution:
    """A chosen set of candidates and how good it is."""

    chosen: I64
    objective: float
    shortfall_mu: dict[str, float]
    allocated_mu: dict[str, float]
    method: str
    bound: float = float("nan")
    gap: float = float("nan")
    seconds: float = 0.0
    status: str = ""
    #: HiGHS's own relative gap to its dual bound at the end (<= ``mip_gap`` when it proves
    #: optimality). ``gap`` above is measured against the LP relaxation instead, which is
    #: looser: with binding separation pairs the embedded plan shows ~3 % there while HiGHS
    #: proves the choice optimal within 0.2 %. NaN for the greedy baseline.
    solver_gap: float = float("nan")




def _summarise(problem: Problem, chosen: I64, method: str, t: float, status: str,
               bound: float = float("nan"), values: F64 | None = None) -> Solution:
    cands = problem.cands
    vals = cands.value if values is None else values
    alloc = dict.fromkeys(cands.industries, 0.0)
    for j in chosen:
        alloc[cands.industry[j]] += float(cands.area_mu[j])
    short = {c: max(0.0, problem.demand_mu[c] - alloc[c]) for c in cands.industries}
    obj = float(vals[chosen].sum()) if len(chosen) else 0.0
    # The gap compares full objectives: score × mu less the penalty of any shortfall.
    full = obj - problem.penalty * sum(short.values())
    gap = (bound - full) / abs(bound) if bound == bound and bound != 0 else float("nan")
    return Solution(np.asarray(chosen, np.int64), obj, short, alloc, method, bound, gap, t,
                    status)


def solve(problem: Problem, *, options: AllocationOptions, values: F64 | None = None,
          lp_bound: bool = True) -> Solution:
    """Solve the selection programme with HiGHS (`scipy.optimize.milp`).

    Parameters
    ----------
    problem
        From `build_problem`.
    options
        Time limit and gap.
    values
        Candidate values to use instead of ``problem.cands.value`` (sensitivity runs).
    lp_bound
        Also solve the LP relaxation, whose optimum bounds the integer optimum from above.

    Returns
    -------
    Solution
        Chosen candidates, objective (score × mu), LP bound and relative gap.
    """
    cands = problem.cands
    n = len(cands)
    vals = cands.value if values is None else values
    c = np.concatenate([-vals, np.full(problem.n_short, problem.penalty)])
    integrality = np.concatenate([np.ones(n), np.zeros(problem.n_short)])
    bounds = Bounds(np.zeros(n + problem.n_short),
                    np.concatenate([np.ones(n), np.full(problem.n_short, np.inf)]))
    cons = LinearConstraint(problem.A, problem.lower, problem.upper)
    t0 = time.perf_counter()
    res = milp(c, constraints=cons, integrality=integrality, bounds=bounds,
               options={"time_limit": options.time_limit_s, "mip_rel_gap": options.mip_gap,
                        "disp": False})
    t = time.perf_counter() - t0
    if res.x is None:
        raise LayoutError(f"the allocation programme could not be solved: {res.message}")
    chosen = np.flatnonzero(res.x[:n] > 0.5)
    bound = float("nan")
    if lp_bound:
        lp = milp(c, constraints=cons, integrality=np.zeros_like(integrality), bounds=bounds)
        if lp.x is not None:
            # The LP optimum of the full objective (score × mu minus the shortfall penalty)
            # bounds the integer optimum of the same objective from above.
            bound = float(-lp.fun)
    sol = _summarise(problem, chosen, "milp", t, str(res.message), bound, vals)
    reported = getattr(res, "mip_gap", None)
    solver_gap = float(reported) if reported is not None else float("nan")
    return dataclasses.replace(sol, solver_gap=solver_gap)


def solve_greedy(problem: Problem, *, options: AllocationOptions,
                 values: F64 | None = None) -> Solution:
    """Greedy baseline: take candidates by mean score while every constraint still holds."""
    cands = problem.cands
    n = len(cands)
    vals = cands.value if values is None else values
    t0 = time.perf_counter()
    A = problem.A[:, :n].tocsc()
    usage = np.zeros(A.shape[0])
    # Demand rows have a lower bound only (the shortfall column fills them): skip them here.
    upper = problem.upper.copy()
    dem_rows = list(problem.demand_rows.values())
    upper[dem_rows] = np.inf
    alloc = dict.fromkeys(cands.industries, 0.0)
    nsites = dict.fromkeys(cands.industries, 0)
    mean = vals / np.maximum(cands.area_mu, 1e-9)
    chosen: list[int] = []
    # Best mean score first; a candidate is taken when every constraint still holds and it is
    # large enough that the sites still allowed can meet the rest of the demand.
    for j in np.argsort(-mean, kind="stable"):
        code = cands.industry[j]
        remaining = problem.demand_mu[code] - alloc[code]
        most = cands.max_sites.get(code, options.max_sites)
        if remaining <= 0 or nsites[code] >= most:
            continue
        if cands.area_mu[j] < remaining / (most - nsites[code]) - 1e-9:
            continue
        col = A.getcol(int(j))
        rows = col.indices
        if np.any(usage[rows] + col.data > upper[rows] + 1e-9):
            continue
        usage[rows] += col.data
        alloc[code] += float(cands.area_mu[j])
        nsites[code] += 1
        chosen.append(int(j))
    return _summarise(problem, np.asarray(chosen, np.int64), "greedy",
                      time.perf_counter() - t0, "greedy", values=vals)


def solve_lp(problem: Problem, *, values: F64 | None = None) -> F64:
    """Solve the LP relaxation of the selection programme; the candidates' fractional values.

    Used by the sensitivity runs: about a hundred times faster than `solve`, and on the
    embedded data nearly integral.
    """
    cands = problem.cands
    n = len(cands)
    vals = cands.value if values is None else values
    c = np.concatenate([-vals, np.full(problem.n_short, problem.penalty)])
    bounds = Bounds(np.zeros(n + problem.n_short),
                    np.concatenate([np.ones(n), np.full(problem.n_short, np.inf)]))
    res = milp(c, constraints=LinearConstraint(problem.A, problem.lower, problem.upper),
               integrality=np.zeros(n + problem.n_short), bounds=bounds)
    if res.x is None:
        raise LayoutError(f"the LP relaxation could not be solved: {res.message}")
    return np.asarray(res.x[:n], dtype=np.float64)


def restricted_columns(problem: Problem, base: I64, x_lp: F64, *, rungs: int = 2) -> I64:
    """Candidates of a restricted programme around a base choice and an LP solution.

    The base choice, the LP support, and their families' candidates within ``rungs`` sizes of
    them (so that the demand windows can still be met).
    """
    cands = problem.cands
    keep = {int(j) for j in base} | {int(j) for j in np.flatnonzero(x_lp > 1e-6)}
    by_family: dict[int, list[int]] = {}
    for j in range(len(cands)):
        by_family.setdefault(int(cands.family[j]), []).append(j)
    out = set(keep)
    for j in keep:
        members = by_family[int(cands.family[j])]
        pos = members.index(j)
        out.update(members[max(0, pos - rungs): pos + rungs + 1])
    return np.asarray(sorted(out), dtype=np.int64)


def shortfall_scale(problem: Problem) -> F64:
    """Each industry's demand (mu; 1 where it is 0): the unit of its shortfall variable.

    `solve_restricted` measures shortfalls in shares of the demand, between 0 and 1, rather
    than in mu. The programme is the same (a shortfall never exceeds the demand, since areas
    are not negative), but HiGHS no longer sees an integer-valued shortfall of up to the
    demand in mu (areas are whole multiples of a cell's mu): for such a variable its root
    reduced-cost fixing stores up to a thousand "lurking bounds" and scans them again at
    every cut round, which took more than half of each restricted solve on the embedded plan.
    In shares of the demand the same programme solves in about a third of the time.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> p = SimpleNamespace(cands=SimpleNamespace(industries=["auto", "food"]),
    ...                     demand_mu={"auto": 900.0, "food": 0.0})
    >>> shortfall_scale(p).tolist()
    [900.0, 1.0]
    """
    d = np.array([float(problem.demand_mu.get(c, 0.0)) for c in problem.cands.industries])
    return np.where(d > 0, d, 1.0)


def solve_restricted(problem: Problem, columns: I64, *, values: F64 | None = None,
                     options: AllocationOptions) -> Solution:
    """Solve the integer programme over a subset of candidates (the others are not chosen).

    The sensitivity runs use it with `restricted_columns`: an LP-guided restricted
    integer programme, integral like the plan itself and fast because it is small.
    """
    cands = problem.cands
    n = len(cands)
    vals = cands.value if values is None else values
    cols = np.concatenate([columns, np.arange(n, n + problem.n_short)])
    if problem.A_csc is None:
        problem.A_csc = problem.A.tocsc()
    k = len(columns)
    # The shortfall variables in shares of their demand (see `shortfall_scale`).
    scale = np.concatenate([np.ones(k), shortfall_scale(problem)])
    sub = (problem.A_csc[:, cols] @ sparse.diags(scale)).tocsr()
    # Rows without a coefficient left are satisfied by 0 (all bounds admit it): drop them.
    used = np.diff(sub.indptr) > 0
    sub, lower, upper = sub[used], problem.lower[used], problem.upper[used]
    t0 = time.perf_counter()
    c = np.concatenate([-vals[columns], np.full(problem.n_short, problem.penalty)]) * scale
    res = milp(c, constraints=LinearConstraint(sub, lower, upper),
               integrality=np.concatenate([np.ones(k), np.zeros(problem.n_short)]),
               bounds=Bounds(np.zeros(k + problem.n_short), np.ones(k + problem.n_short)),
               options={"mip_rel_gap": options.mip_gap, "time_limit": options.time_limit_s})
    if res.x is None:
        raise LayoutError(f"a restricted allocation programme could not be solved: {res.message}")
    chosen = columns[np.flatnonzero(res.x[:k] > 0.5)]
    return _summarise(problem, chosen, "restricted", time.perf_counter() - t0, str(res.message),
                      values=vals)
