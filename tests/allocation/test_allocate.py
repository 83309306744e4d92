"""Tests of the allocation programme: region growth, seeds, the size ladder
(`layout.allocation.candidates`), and the selection programme (`layout.allocation.problem`,
`layout.allocation.solve`).

Each result is compared with an independent calculation:

* `grow_region` with a growth order worked out by hand on a 4 x 4 grid, and with a plain
  re-implementation (scan the whole frontier at every step; ties to the smaller flat index) on
  random grids;
* `find_seeds` with a loop-by-loop re-implementation of its smoothing and spacing rule;
* `size_ladder` with ladders worked out by hand;
* `solve` with a brute-force enumeration of every choice of at most one candidate per family on
  a 12 x 16 synthetic grid with three industries.  Feasibility in the enumeration is checked
  from the candidates' cells directly (set intersections, cell-centre distances with
  `scipy.spatial.distance.cdist`, zone cells counted per candidate), not from the programme's
  matrix.  Objectives agree to 1e-6 score-mu; the chosen set is the same (each scenario's
  optimum is unique: the runner-up is checked to be worse by more than 1e-6).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from scipy import ndimage
from scipy.spatial.distance import cdist

from layout.allocation.candidates import (
    Candidates,
    find_seeds,
    grow_candidates,
    grow_region,
    size_ladder,
)
from layout.allocation.problem import Problem, build_problem, incompatible_pairs
from layout.allocation.solve import (
    restricted_columns,
    solve,
    solve_greedy,
    solve_lp,
    solve_restricted,
)
from layout.model import options
from layout.model.grid import Grid

CELL = 100.0  # m: one cell = 1 ha = 15 mu
CELL_MU = CELL * CELL / (10_000.0 / 15.0)


def make_grid(nrows: int, ncols: int, cell: float = CELL) -> Grid:
    return Grid(
        CRS.from_epsg(4547),
        500_000.0,
        3_845_000.0,
        cell,
        nrows,
        ncols,
        np.ones((nrows, ncols), bool),
    )


# --- grow_region ------------------------------------------------------------------------------

HAND = np.array(
    [
        [5.0, 1.0, 7.0, 0.0],
        [6.0, 9.0, 2.0, 3.5],
        [0.0, 4.0, 8.0, 1.0],
        [2.0, 0.0, 3.0, 6.0],
    ]
)


def test_grow_region_by_hand_without_penalty() -> None:
    # From the 9 at (1, 1) = flat 5, always the best frontier cell (value in brackets):
    # flat 4 (6), 0 (5), 9 (4), 10 (8, reached through 9), 14 (3), 15 (6, reached through 14),
    # 6 (2: on the frontier since the start), 2 (7, reached through 6), 7 (3.5).
    order = grow_region(HAND, np.ones_like(HAND, bool), 5, max_cells=10, shape_penalty=0.0)
    assert order.tolist() == [5, 4, 0, 9, 10, 14, 15, 6, 2, 7]


def test_grow_region_by_hand_with_penalty() -> None:
    # Priority = score - 2 * distance (cells) to the seed (1, 1):
    # flat 4: 6-2=4; 0: 5-2.83=2.17; 9: 4-2=2; 10: 8-2.83=5.17; 6: 2-2=0; 2: 7-2.83=4.17;
    # 7: 3.5-4=-0.5; 1: 1-2=-1; 14: 3-4.47=-1.47; 15: 6-5.66=0.34 (not on the frontier in time).
    order = grow_region(HAND, np.ones_like(HAND, bool), 5, max_cells=9, shape_penalty=2.0)
    assert order.tolist() == [5, 4, 0, 9, 10, 6, 2, 7, 1]


def test_grow_region_stops_at_ineligible_cells() -> None:
    elig = np.ones_like(HAND, bool)
    elig[2, :] = False  # a wall: the two bottom rows are unreachable
    order = grow_region(HAND, elig, 5, max_cells=16, shape_penalty=0.0)
    # Reachable: rows 0-1 only (8 cells), by value from the seed's component.
    assert order.tolist() == [5, 4, 0, 6, 2, 7, 1, 3]


def grow_by_scanning(
    score: NDArray[np.float64], elig: NDArray[np.bool_], seed: int, max_cells: int, penalty: float
) -> list[int]:
    """Region growth without a heap: scan the frontier, best priority, ties to the smaller index."""
    nrows, ncols = score.shape
    r0, c0 = divmod(seed, ncols)
    prio = {seed: float(score.flat[seed])}
    region: list[int] = []
    frontier = {seed}
    while frontier and len(region) < max_cells:
        best = min(frontier, key=lambda i: (-prio[i], i))
        frontier.remove(best)
        region.append(best)
        r, c = divmod(best, ncols)
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            j = nr * ncols + nc
            if 0 <= nr < nrows and 0 <= nc < ncols and elig[nr, nc] and j not in prio:
                prio[j] = float(score[nr, nc]) - penalty * math.hypot(nr - r0, nc - c0)
                frontier.add(j)
    return region


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("penalty", [0.0, 0.5, 3.0])
def test_grow_region_matches_a_plain_reimplementation(seed: int, penalty: float) -> None:
    rng = np.random.default_rng(seed)
    score = rng.uniform(0, 100, (9, 11))
    elig = rng.uniform(size=score.shape) > 0.2
    start = int(np.flatnonzero(elig.ravel())[0])
    got = grow_region(score, elig, start, max_cells=40, shape_penalty=penalty)
    assert got.tolist() == grow_by_scanning(score, elig, start, 40, penalty)
    # Every prefix is 4-connected (the nested candidates are all contiguous).
    for n in range(1, len(got) + 1):
        mask = np.zeros(score.shape, bool)
        mask.flat[got[:n]] = True
        assert ndimage.label(mask)[1] == 1


# --- find_seeds -------------------------------------------------------------------------------


def seeds_by_loops(
    score: NDArray[np.float64], elig: NDArray[np.bool_], n: int, spacing: int
) -> list[int]:
    """The documented rule, cell by cell.

    Smoothed score = mean score over the eligible cells of the 5 x 5 window, defined where the
    cell is eligible and more than half of the window is; a seed candidate equals the largest
    smoothed value within ``spacing`` cells (Chebyshev); candidates are taken best first,
    skipping any within ``spacing`` of one already taken.
    """
    nr, nc = score.shape
    smooth = np.full(score.shape, -np.inf)
    for r in range(nr):
        for c in range(nc):
            win = (slice(max(0, r - 2), r + 3), slice(max(0, c - 2), c + 3))
            k = int(elig[win].sum())
            if elig[r, c] and k > 12.5:
                smooth[r, c] = float(score[win][elig[win]].sum()) / k
    cands = []
    for r in range(nr):
        for c in range(nc):
            if np.isfinite(smooth[r, c]):
                win = (
                    slice(max(0, r - spacing), r + spacing + 1),
                    slice(max(0, c - spacing), c + spacing + 1),
                )
                if smooth[r, c] >= smooth[win].max() - 1e-9:
                    cands.append((smooth[r, c], r * nc + c))
    cands.sort(key=lambda t: -t[0])
    taken: list[int] = []
    for _, idx in cands:
        r, c = divmod(idx, nc)
        if all(max(abs(r - t // nc), abs(c - t % nc)) > spacing for t in taken):
            taken.append(idx)
        if len(taken) == n:
            break
    return taken


def bumps(
    shape: tuple[int, int], peaks: Sequence[tuple[float, float, float, float]]
) -> NDArray[np.float64]:
    rr, cc = np.mgrid[0 : shape[0], 0 : shape[1]]
    out = np.zeros(shape)
    for r, c, h, s in peaks:
        out += h * np.exp(-0.5 * ((rr - r) ** 2 + (cc - c) ** 2) / s**2)
    return out


def test_find_seeds_on_two_bumps() -> None:
    score = 10 + bumps((20, 30), [(5, 6, 80, 2.5), (14, 22, 60, 2.5), (6, 10, 30, 1.0)])
    elig = np.ones(score.shape, bool)
    got = find_seeds(score, elig, n=5, spacing_cells=4)
    # The two big bumps are seeds, best first; the small bump 4 columns from the first is
    # within the spacing, so it is not.
    assert got[:2].tolist() == [5 * 30 + 6, 14 * 30 + 22]
    assert 6 * 30 + 10 not in got.tolist()
    assert got.tolist() == seeds_by_loops(score, elig, 5, 4)


@pytest.mark.parametrize("spacing", [1, 2, 3, 5])
def test_find_seeds_spacing_and_reimplementation(spacing: int) -> None:
    rng = np.random.default_rng(spacing)
    score = ndimage.gaussian_filter(rng.uniform(0, 100, (25, 30)), 1.5)
    elig = rng.uniform(size=score.shape) > 0.15
    got = find_seeds(score, elig, n=8, spacing_cells=spacing)
    assert 0 < len(got) <= 8
    assert got.tolist() == seeds_by_loops(score, elig, 8, spacing)
    rc = np.column_stack(np.divmod(got, score.shape[1]))
    for a, b in itertools.combinations(range(len(rc)), 2):
        assert np.abs(rc[a] - rc[b]).max() > spacing
    assert elig.ravel()[got].all()


def test_find_seeds_without_eligible_land() -> None:
    score = np.ones((8, 8))
    assert find_seeds(score, np.zeros((8, 8), bool), n=3, spacing_cells=2).tolist() == []


# --- the size ladder --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("demand", "min_cells", "max_sites", "expected"),
    [
        # 3 x 1.25^k rounded (half to even): 3, 4 (3.75), 5 (4.69), 6 (5.86), 7 (7.32),
        # 9 (9.16), 11 (11.44), 14 (14.31), 18 (17.88); demand / k: 20, 10, 7; the demand 20.
        (20, 3, 3, [3, 4, 5, 6, 7, 9, 10, 11, 14, 18, 20]),
        # 2, 2 (2.5 rounds to even), 3 (3.125), 4 (3.906), 5 (4.883); 6, 3.
        (6, 2, 2, [2, 3, 4, 5, 6]),
        # demand / k below the minimum size is dropped: 10/4 = 3 < 4.
        (10, 4, 4, [4, 5, 6, 8, 10]),
        # the demand equals the minimum: a single size.
        (3, 3, 6, [3]),
    ],
)
def test_size_ladder_by_hand(
    demand: int, min_cells: int, max_sites: int, expected: list[int]
) -> None:
    assert size_ladder(demand, min_cells, max_sites) == expected


# --- the selection programme against brute force ----------------------------------------------

NR, NC = 12, 16


@dataclass
class Case:
    """A synthetic allocation problem and everything needed to check it independently."""

    grid: Grid
    cands: Candidates
    problem: Problem
    options: options.AllocationOptions
    demand: dict[str, float]
    zone_index: NDArray[np.int64]
    capacity: list[float]
    polluting: list[str]
    sensitive: list[str]


def synthetic_scores() -> dict[str, NDArray[np.float64]]:
    rng = np.random.default_rng(3)
    shape = (NR, NC)
    # auto and food compete for the north-west; aluminium sits between food's two areas.
    return {
        "auto": 20 + bumps(shape, [(3, 3, 60, 2.0), (8, 12, 50, 2.0)]) + rng.uniform(0, 3, shape),
        "food": 20 + bumps(shape, [(4, 5, 65, 2.0), (10, 9, 45, 1.5)]) + rng.uniform(0, 3, shape),
        "aluminium": 20
        + bumps(shape, [(7, 7, 60, 1.5), (2, 13, 40, 2.0)])
        + rng.uniform(0, 3, shape),
    }


def make_case(
    *,
    demand: Mapping[str, float] | None = None,
    capacity: float = 1e6,
    separation_m: float = 0.0,
    max_sites: int = 2,
    tolerance: float = 0.05,
) -> Case:
    grid = make_grid(NR, NC)
    scores = synthetic_scores()
    elig = np.ones((NR, NC), bool)
    elig[0, 8:11] = False
    eligible = {k: elig.copy() for k in scores}
    dem = dict(demand or {"auto": 90.0, "food": 60.0, "aluminium": 45.0})
    opts = options.AllocationOptions(
        min_site_mu=30.0,
        max_sites=max_sites,
        seeds=2,
        seed_spacing_m=400.0,
        shape_penalty=1.0,
        tolerance=tolerance,
        separation_m=separation_m,
        mip_gap=0.0,
    )
    cands = grow_candidates(scores, eligible, dem, grid, options=opts)
    zone = np.full((NR, NC), -1, np.int64)
    zone[0:6, 0:7] = 0  # the contested north-west
    problem = build_problem(
        cands,
        grid,
        demand_mu=dem,
        zone_index=zone,
        zone_capacity_mu=[capacity],
        polluting=["aluminium"],
        sensitive=["food"],
        options=opts,
    )
    return Case(grid, cands, problem, opts, dem, zone, [capacity], ["aluminium"], ["food"])


def centres(cells: NDArray[np.int64]) -> NDArray[np.float64]:
    r, c = np.divmod(cells, NC)
    return np.column_stack([(c + 0.5) * CELL, -(r + 0.5) * CELL])


def min_distance(a: NDArray[np.int64], b: NDArray[np.int64]) -> float:
    return float(cdist(centres(a), centres(b)).min())


def polygon_gap(a: NDArray[np.int64], b: NDArray[np.int64]) -> float:
    """Distance between the cell squares of two candidates (shapely, not cell centres)."""

    def squares(cells: NDArray[np.int64]) -> shapely.Geometry:
        xy = centres(cells)
        return shapely.union_all(shapely.box(xy[:, 0] - CELL / 2, xy[:, 1] - CELL / 2,
                                             xy[:, 0] + CELL / 2, xy[:, 1] + CELL / 2))

    return float(shapely.distance(squares(a), squares(b)))


@dataclass
class Checker:
    """Feasibility of a set of candidates, from their cells (not from the programme's rows)."""

    case: Case
    cells: list[set[int]]
    zone_mu: NDArray[np.float64]
    dist: dict[tuple[int, int], float]

    @classmethod
    def of(cls, case: Case) -> Checker:
        c = case.cands
        cells = [set(c.cells(j).tolist()) for j in range(len(c))]
        zflat = case.zone_index.ravel()
        zone_mu = np.array([float((zflat[c.cells(j)] == 0).sum()) * CELL_MU for j in range(len(c))])
        dist = {}
        for j, k in itertools.product(range(len(c)), repeat=2):
            if c.industry[j] in case.polluting and c.industry[k] in case.sensitive:
                dist[(j, k)] = min_distance(c.cells(j), c.cells(k))
        return cls(case, cells, zone_mu, dist)

    def violations(self, chosen: Sequence[int], *, skip: str = "") -> list[str]:
        case, c = self.case, self.case.cands
        out = []
        fams = [int(c.family[j]) for j in chosen]
        if len(set(fams)) < len(fams):
            out.append("family")
        for j, k in itertools.combinations(chosen, 2):
            if skip != "overlap" and self.cells[j] & self.cells[k]:
                out.append("overlap")
        for code, d in case.demand.items():
            js = [j for j in chosen if c.industry[j] == code]
            if sum(c.area_mu[j] for j in js) > d * (1 + case.options.tolerance) + 1e-9:
                out.append("demand_upper")
            if len(js) > case.options.max_sites:
                out.append("max_sites")
        if skip != "zone" and sum(self.zone_mu[j] for j in chosen) > case.capacity[0] + 1e-9:
            out.append("zone")
        if skip != "separation":
            for j, k in itertools.permutations(chosen, 2):
                if (j, k) in self.dist and self.dist[(j, k)] < case.options.separation_m:
                    out.append("separation")
        return out

    def objective(self, chosen: Sequence[int]) -> float:
        """Score-mu minus the shortfall penalty: what the programme maximises."""
        c, case = self.case.cands, self.case
        short = sum(
            max(0.0, d - sum(c.area_mu[j] for j in chosen if c.industry[j] == code))
            for code, d in case.demand.items()
        )
        return float(sum(c.value[j] for j in chosen)) - case.problem.penalty * short


def brute_force(case: Case, *, skip: str = "") -> list[tuple[float, tuple[int, ...]]]:
    """Every feasible choice (at most one candidate per family), best first."""
    c = case.cands
    check = Checker.of(case)
    per_family: dict[int, list[int | None]] = {}
    for j in range(len(c)):
        per_family.setdefault(int(c.family[j]), [None]).append(j)
    out = []
    for combo in itertools.product(*per_family.values()):
        chosen = tuple(j for j in combo if j is not None)
        if not check.violations(chosen, skip=skip):
            out.append((check.objective(chosen), chosen))
    out.sort(key=lambda t: -t[0])
    return out


def independent_value(case: Case, j: int) -> float:
    scores = synthetic_scores()[case.cands.industry[j]]
    return float(scores.ravel()[case.cands.cells(j)].sum()) * CELL_MU


Scenario = tuple[str, Case, list[tuple[float, tuple[int, ...]]]]

SCENARIOS = {
    # name: (make_case kwargs, the constraint that must bind: the optimum without it differs)
    "overlap": ({}, "overlap"),
    "zone_capacity": ({"capacity": 60.0}, "zone"),
    "separation": ({"separation_m": 350.0}, "separation"),
    "shortfall": (
        {"demand": {"auto": 100.0, "food": 60.0, "aluminium": 45.0}, "tolerance": 0.0},
        "",
    ),
    "one_site": ({"max_sites": 1, "tolerance": 0.3}, ""),
}


@pytest.fixture(scope="module", params=list(SCENARIOS))
def scenario(request: pytest.FixtureRequest) -> Scenario:
    kwargs, _ = SCENARIOS[request.param]
    case = make_case(**kwargs)  # type: ignore[arg-type]
    return request.param, case, brute_force(case)


def test_candidates_are_nested_prefixes_with_exact_values(scenario: Scenario) -> None:
    _, case, _ = scenario
    c = case.cands
    assert len(c) > 8 and len(c.orders) >= 5
    assert set(c.industry) == {"auto", "food", "aluminium"}
    for j in range(len(c)):
        assert c.area_mu[j] == pytest.approx(c.n_cells[j] * CELL_MU, rel=1e-12)
        assert c.value[j] == pytest.approx(independent_value(case, j), rel=1e-9)
        assert c.area_mu[j] >= case.options.min_site_mu - 1e-9
        # never larger than the demand rounded up to whole cells
        assert c.n_cells[j] <= math.ceil(case.demand[c.industry[j]] / CELL_MU)


def test_solve_equals_brute_force(scenario: Scenario) -> None:
    name, case, feasible = scenario
    best_obj, best = feasible[0]
    assert len(feasible) > 1 and feasible[1][0] < best_obj - 1e-6, "optimum must be unique"
    sol = solve(case.problem, options=case.options)
    assert sorted(sol.chosen.tolist()) == sorted(best)
    check = Checker.of(case)
    assert check.objective(sol.chosen.tolist()) == pytest.approx(best_obj, abs=1e-6)
    assert sol.objective == pytest.approx(sum(case.cands.value[j] for j in best), abs=1e-6)
    # The constraint the scenario is about binds: without it the optimum would differ.
    binding = SCENARIOS[name][1]
    if binding:
        loose = brute_force(case, skip=binding)
        assert loose[0][0] > best_obj + 1e-6
        assert binding in check.violations(loose[0][1])


def test_solution_respects_every_constraint_by_direct_check(scenario: Scenario) -> None:
    _, case, _ = scenario
    c = case.cands
    sol = solve(case.problem, options=case.options)
    chosen = sol.chosen.tolist()
    # one candidate per family
    fams = [int(c.family[j]) for j in chosen]
    assert len(fams) == len(set(fams))
    # no cell in two chosen sites
    cells = np.concatenate([c.cells(j) for j in chosen])
    assert len(cells) == len(np.unique(cells))
    for code, d in case.demand.items():
        js = [j for j in chosen if c.industry[j] == code]
        area = sum(float(c.area_mu[j]) for j in js)
        assert sol.allocated_mu[code] == pytest.approx(area, abs=1e-9)
        assert len(js) <= case.options.max_sites
        assert area <= d * (1 + case.options.tolerance) + 1e-9
        # within the window, or the shortfall is reported
        assert sol.shortfall_mu[code] == pytest.approx(max(0.0, d - area), abs=1e-9)
    # zone capacity
    zflat = case.zone_index.ravel()
    assert float((zflat[cells] == 0).sum()) * CELL_MU <= case.capacity[0] + 1e-9
    # incompatible pairs: no polluting site closer than separation_m to a sensitive one
    for j, k in itertools.product(chosen, chosen):
        if c.industry[j] in case.polluting and c.industry[k] in case.sensitive:
            assert polygon_gap(c.cells(j), c.cells(k)) >= case.options.separation_m


def test_shortfall_scenario_reports_the_missing_land() -> None:
    # 100 mu is 6.67 cells of 15 mu: with no tolerance, 7 cells (105 mu) are too many, so the
    # best the programme can do is 6 cells (90 mu) and report 10 mu missing.
    case = make_case(demand={"auto": 100.0, "food": 60.0, "aluminium": 45.0}, tolerance=0.0)
    sol = solve(case.problem, options=case.options)
    assert sol.allocated_mu["auto"] == pytest.approx(90.0)
    assert sol.shortfall_mu["auto"] == pytest.approx(10.0)
    assert sol.shortfall_mu["food"] == 0.0 and sol.shortfall_mu["aluminium"] == 0.0


def test_incompatible_pairs_equal_polygon_distances() -> None:
    # Separation is kept between the sites' polygons (issue 12): a pair clashes when the gap
    # between their cell squares, not between their cell centres, is below the distance.
    case = make_case()
    c = case.cands
    for sep in (50.0, 100.0, 141.0, 250.0, 300.0, 350.0, 600.0, 1000.0):
        got = set(
            incompatible_pairs(
                c, case.grid, polluting=["aluminium"], sensitive=["food"], distance_m=sep
            )
        )
        expected = {
            (j, k)
            for j in range(len(c))
            for k in range(len(c))
            if c.industry[j] == "aluminium"
            and c.industry[k] == "food"
            and polygon_gap(c.cells(j), c.cells(k)) < sep
        }
        assert got == expected, sep
    assert (
        incompatible_pairs(
            c, case.grid, polluting=["aluminium"], sensitive=["food"], distance_m=0.0
        )
        == []
    )


def test_lp_bound_is_at_least_the_objective(scenario: Scenario) -> None:
    _, case, _ = scenario
    sol = solve(case.problem, options=case.options)
    if sum(sol.shortfall_mu.values()) == 0:
        assert sol.bound >= sol.objective - 1e-6
        assert sol.gap >= -1e-9
    # HiGHS's own gap: proven within the configured mip_gap when it reports optimality
    if "Optimal" in sol.status:
        assert 0.0 <= sol.solver_gap <= case.options.mip_gap + 1e-12
    assert math.isnan(solve_greedy(case.problem, options=case.options).solver_gap)
    x = solve_lp(case.problem)
    assert x.shape == (len(case.cands),)
    assert ((x >= -1e-9) & (x <= 1 + 1e-9)).all()
    # The LP optimum (with its shortfall penalty) bounds the integer optimum from above.
    check = Checker.of(case)
    lp_obj = float(case.cands.value @ x) - case.problem.penalty * sum(
        max(
            0.0,
            d
            - sum(
                case.cands.area_mu[j] * x[j]
                for j in range(len(x))
                if case.cands.industry[j] == code
            ),
        )
        for code, d in case.demand.items()
    )
    assert lp_obj >= check.objective(sol.chosen.tolist()) - 1e-6


def test_lp_bound_with_a_shortfall() -> None:
    # One industry, demand 60 mu (4 cells), no tolerance, one site.  Candidate a: 3 cells of
    # score 100 (value 4,500, area 45: 15 mu short).  Candidate b: 5 cells of score 1 (75 mu:
    # over the demand, so never chosen whole).  Integer optimum: a (objective 4,500).  The LP
    # takes a and b at one half each (area 60, no shortfall): its score part is
    # 0.5 * 4,500 + 0.5 * 75 = 2,287.5 < 4,500.
    grid = make_grid(1, 10)
    cands = Candidates(
        ["auto"],
        [np.arange(0, 3), np.arange(3, 8)],
        ["auto", "auto"],
        np.array([0, 1]),
        np.array([3, 5]),
        np.array([3 * 100.0 * CELL_MU, 5 * 1.0 * CELL_MU]),
        np.array([3 * CELL_MU, 5 * CELL_MU]),
        ["auto", "auto"],
    )
    opts = options.AllocationOptions(max_sites=1, tolerance=0.0, mip_gap=0.0)
    problem = build_problem(
        cands,
        grid,
        demand_mu={"auto": 60.0},
        zone_index=np.full((1, 10), -1),
        zone_capacity_mu=[],
        polluting=[],
        sensitive=[],
        options=opts,
    )
    sol = solve(problem, options=opts)
    assert sol.chosen.tolist() == [0]
    assert sol.objective == pytest.approx(4500.0)
    # The bound is of the full objective: score × mu less the penalty per mu of shortfall.
    # Integer: 4,500 - 1,000 x 15 = -10,500; LP: 2,287.5 with no shortfall.
    full = sol.objective - problem.penalty * sum(sol.shortfall_mu.values())
    assert full == pytest.approx(-10_500.0)
    assert sol.bound == pytest.approx(2287.5)
    assert sol.bound >= full and sol.gap >= 0


def test_greedy_never_beats_solve(scenario: Scenario) -> None:
    _, case, feasible = scenario
    check = Checker.of(case)
    sol = solve(case.problem, options=case.options)
    greedy = solve_greedy(case.problem, options=case.options)
    # The greedy choice is feasible (every constraint but the demand's lower side) ...
    assert check.violations(greedy.chosen.tolist()) == []
    # ... and no better than the optimum in what the programme maximises.
    assert check.objective(greedy.chosen.tolist()) <= check.objective(sol.chosen.tolist()) + 1e-6
    assert check.objective(greedy.chosen.tolist()) <= feasible[0][0] + 1e-6
    if sum(greedy.shortfall_mu.values()) == 0:
        assert greedy.objective <= sol.objective + 1e-6


def test_solve_restricted_with_all_columns_equals_solve(scenario: Scenario) -> None:
    _, case, _ = scenario
    n = len(case.cands)
    sol = solve(case.problem, options=case.options)
    res = solve_restricted(case.problem, np.arange(n), options=case.options)
    assert res.chosen.tolist() == sorted(sol.chosen.tolist())
    assert res.objective == pytest.approx(sol.objective, abs=1e-6)
    assert res.shortfall_mu == pytest.approx(sol.shortfall_mu)


def test_solve_with_new_values_equals_brute_force_on_them() -> None:
    case = make_case(separation_m=350.0)
    rng = np.random.default_rng(11)
    values = case.cands.value * rng.uniform(0.7, 1.3, len(case.cands))
    case.cands.value = values  # the brute force reads cands.value
    best_obj, best = brute_force(case)[0]
    sol = solve(case.problem, options=case.options, values=values)
    assert sorted(sol.chosen.tolist()) == sorted(best)
    assert sol.objective == pytest.approx(sum(values[j] for j in best), abs=1e-6)
    # The LP-guided restricted programme finds it too (its columns include the LP support).
    x = solve_lp(case.problem, values=values)
    cols = restricted_columns(case.problem, sol.chosen, x)
    assert set(sol.chosen.tolist()) <= set(cols.tolist())
    assert set(np.flatnonzero(x > 1e-6).tolist()) <= set(cols.tolist())
    res = solve_restricted(case.problem, cols, values=values, options=case.options)
    assert res.objective == pytest.approx(
        best_obj + case.problem.penalty * sum(res.shortfall_mu.values()), abs=1e-6
    )


def test_restricted_columns_by_hand() -> None:
    case = make_case()
    c = case.cands
    # Family 0 holds candidates 0..k-1 in size order; base = its 3rd candidate, no LP support.
    fam0 = [j for j in range(len(c)) if c.family[j] == 0]
    got = restricted_columns(case.problem, np.array([fam0[2]]), np.zeros(len(c)), rungs=1)
    assert got.tolist() == fam0[1:4]
    got = restricted_columns(case.problem, np.array([fam0[0]]), np.zeros(len(c)), rungs=2)
    assert got.tolist() == fam0[0:3]
