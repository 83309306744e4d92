"""The faster sensitivity runs (issue 17): warm-started LPs and restricted programmes.

* `RelaxationSolver` (a HiGHS instance kept per process, its objective changed and re-run from
  the base basis) against a cold `solve_lp` on the same values: the same optimum (objective
  within rtol 1e-9, the same fractional values within 1e-7 where the LP optimum is unique),
  whatever the order of the solves, and a cold fallback without HiGHS.
* `solve_restricted` (shortfalls in shares of demand) against a brute-force enumeration and
  against the programme written independently here with shortfalls in mu
  (`scipy.optimize.milp`): the same optimum at ``mip_gap = 0`` (abs 1e-6).
* The base plan does not depend on the sensitivity runs: the chosen candidates and objective
  of `run_plan` on the tiny plan equal an independent solve of its programme.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from layout.allocation import highs
from layout.allocation.highs import RelaxationSolver
from layout.allocation.problem import Problem
from layout.allocation.solve import (
    restricted_columns,
    shortfall_scale,
    solve,
    solve_lp,
    solve_restricted,
)
from layout.data.inputs import load_inputs
from tests.allocation.test_allocate import SCENARIOS, brute_force, make_case
from tests.allocation.test_run import ALLOCATION, tiny_overrides
from tests.fixtures import tiny_plan as tp

RTOL = 1e-9


def lp_objective(problem: Problem, values: np.ndarray, x: np.ndarray) -> float:
    """The LP's score part; the shortfall part is then fixed by x (minimal shortfall)."""
    c = problem.cands
    short = sum(
        max(0.0, problem.demand_mu[code]
            - sum(c.area_mu[j] * x[j] for j in range(len(x)) if c.industry[j] == code))
        for code in c.industries
    )
    return float(values @ x) - problem.penalty * short


def perturbed(values: np.ndarray, seed: int, k: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [values * rng.uniform(0.6, 1.4, len(values)) for _ in range(k)]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_warm_lp_equals_cold_lp(name: str) -> None:
    case = make_case(**SCENARIOS[name][0])
    p = case.problem
    lp = RelaxationSolver(p, start=case.cands.value)
    assert lp.warm  # SciPy >= 1.15 bundles HiGHS
    for values in perturbed(case.cands.value, 5, 8):
        warm, cold = lp.solve(values), solve_lp(p, values=values)
        assert lp_objective(p, values, warm) == pytest.approx(
            lp_objective(p, values, cold), rel=RTOL)
        assert ((warm >= -1e-9) & (warm <= 1 + 1e-9)).all()


def test_warm_lp_does_not_depend_on_the_order_of_solves() -> None:
    case = make_case(separation_m=350.0)
    vs = perturbed(case.cands.value, 7, 5)
    a = RelaxationSolver(case.problem, start=case.cands.value)
    b = RelaxationSolver(case.problem, start=case.cands.value)
    forward = [a.solve(v) for v in vs]
    backward = [b.solve(v) for v in reversed(vs)][::-1]
    for x, y in zip(forward, backward, strict=True):
        np.testing.assert_array_equal(x, y)


def test_warm_lp_falls_back_to_cold_solves_without_highs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(highs, "highs_class", lambda: None)
    case = make_case()
    lp = RelaxationSolver(case.problem, start=case.cands.value)
    assert not lp.warm
    values = perturbed(case.cands.value, 3, 1)[0]
    np.testing.assert_allclose(lp.solve(values), solve_lp(case.problem, values=values),
                               atol=1e-7)


def test_shortfall_scale_is_the_demand() -> None:
    demand = {"auto": 100.0, "food": 60.0, "aluminium": 45.0}
    case = make_case(demand=demand)
    got = dict(zip(case.cands.industries, shortfall_scale(case.problem), strict=True))
    assert got == demand
    case.problem.demand_mu["food"] = 0.0  # no demand: the unit stays 1 mu
    assert dict(zip(case.cands.industries, shortfall_scale(case.problem), strict=True))[
        "food"] == 1.0


def milp_in_mu(problem: Problem, columns: np.ndarray, values: np.ndarray) -> float:
    """The restricted programme as it was written before: shortfalls in mu, unbounded."""
    n, ns = len(problem.cands), problem.n_short
    cols = np.concatenate([columns, np.arange(n, n + ns)])
    sub = problem.A.tocsc()[:, cols]
    k = len(columns)
    c = np.concatenate([-values[columns], np.full(ns, problem.penalty)])
    res = milp(c, constraints=LinearConstraint(sub, problem.lower, problem.upper),
               integrality=np.concatenate([np.ones(k), np.zeros(ns)]),
               bounds=Bounds(np.zeros(k + ns), np.concatenate([np.ones(k), np.full(ns, np.inf)])),
               options={"mip_rel_gap": 0.0})
    assert res.x is not None
    return float(-res.fun)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_restricted_in_shares_of_demand_is_the_same_optimum(name: str) -> None:
    case = make_case(**SCENARIOS[name][0])  # mip_gap 0: proven optima
    p = case.problem
    for values in perturbed(case.cands.value, 11, 3):
        x = solve_lp(p, values=values)
        base = solve(p, options=case.options).chosen
        cols = restricted_columns(p, base, x)
        res = solve_restricted(p, cols, values=values, options=case.options)
        full = res.objective - p.penalty * sum(res.shortfall_mu.values())
        assert full == pytest.approx(milp_in_mu(p, cols, values), abs=1e-6)
        everything = solve_restricted(p, np.arange(len(case.cands)), values=values,
                                      options=case.options)
        case.cands.value = values  # the brute force reads cands.value
        best = brute_force(case)[0][0]
        assert everything.objective - p.penalty * sum(everything.shortfall_mu.values()) \
            == pytest.approx(best, abs=1e-6)


def test_base_plan_equals_an_independent_solve(tmp_path_factory: pytest.TempPathFactory) -> None:
    from layout.allocation.run import run_plan

    over = tiny_overrides(allocation={**ALLOCATION, "mip_gap": 0.0},
                          sensitivity={"runs": 6, "spread": 0.3})
    inputs = load_inputs(tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"), **over))
    result = run_plan(inputs, sensitivity=True)
    p = result.problem
    n, ns = len(p.cands), p.n_short
    c = np.concatenate([-p.cands.value, np.full(ns, p.penalty)])
    ref = milp(c, constraints=LinearConstraint(p.A, p.lower, p.upper),
               integrality=np.concatenate([np.ones(n), np.zeros(ns)]),
               bounds=Bounds(np.zeros(n + ns), np.concatenate([np.ones(n), np.full(ns, np.inf)])),
               options={"mip_rel_gap": 0.0})
    assert ref.x is not None
    ref_chosen = np.flatnonzero(ref.x[:n] > 0.5)
    assert sorted(result.solution.chosen.tolist()) == ref_chosen.tolist()
    assert result.solution.objective == pytest.approx(float(p.cands.value[ref_chosen].sum()),
                                                      rel=1e-12)
    assert result.lp_agreement == pytest.approx(1.0)  # re-selection under the base weights
    assert result.sites["stability"].between(0, 1).all()
