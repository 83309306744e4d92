"""Allocation: which cells each industry gets, as compact sites, never two industries per cell.

The problem is solved in three steps.

1. **Candidate sites** (`grow_candidates`). For each industry, seeds are the best local maxima of
   its smoothed score on eligible cells, at least ``seed_spacing_m`` apart. From each seed a
   region grows cell by cell (4-connected), always adding the frontier cell with the highest
   priority ``score - shape_penalty * distance_to_seed / cell``, as ArcGIS *Locate Regions*
   grows regions: the penalty keeps regions compact. Every prefix of that growth order is a
   contiguous region, so one growth gives a nested family of candidate sites; candidates are
   taken at sizes from the minimum site area up to the industry's demand (a geometric ladder
   plus demand / k for k = 1 … max_sites).
2. **Selection** (`solve`). A set-packing integer programme chooses candidates: maximise the
   sum of score × area over the chosen sites, subject to: at most one candidate per seed family;
   no cell in two chosen sites (one clique row per distinct set of candidates covering a
   cell); each industry's chosen area within ``[demand, demand * (1 + tolerance)]`` (a shortfall
   variable with a large penalty keeps the programme feasible and reports what is missing);
   at most ``max_sites`` per industry; each zone's remaining developable land respected;
   incompatible pairs (a pollution-intensive site within ``separation_m`` of a food or
   biomedicine site) never both chosen. `scipy.optimize.milp` (HiGHS) solves it; the LP
   relaxation gives the bound the optimality gap is measured against.
3. **Greedy baseline** (`solve_greedy`): candidates by mean score, taken while they fit — what
   the optimisation is compared with in the benchmark.

Eligible cells exclude hard constraints (the score stage's flags) and, for pollution-intensive
industries, cells within their residential buffer of an urban area.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.spatial import cKDTree

from layout.errors import LayoutError
from layout.model.grid import Grid
from layout.model.options import AllocationOptions

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass
class Candidates:
    """Candidate sites of all industries.

    Each *family* is the growth order of one seed (cell indices into the flattened grid);
    candidate ``j`` is the prefix of family ``family[j]`` of length ``n_cells[j]``.
    """

    industries: list[str]
    orders: list[I64]  # one per family: flat cell indices in growth order
    family_industry: list[str]
    family: I64  # candidate -> family
    n_cells: I64  # candidate -> prefix length
    value: F64  # candidate -> sum of scores over its cells x cell area (score-mu)
    area_mu: F64  # candidate -> area in mu
    industry: list[str] = field(default_factory=list)  # candidate -> industry

    def __len__(self) -> int:
        return len(self.family)

    def cells(self, j: int) -> I64:
        """Flat cell indices of candidate ``j``."""
        return self.orders[int(self.family[j])][: int(self.n_cells[j])]


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


def find_seeds(
    score: NDArray[np.floating],
    eligible: NDArray[np.bool_],
    *,
    n: int,
    spacing_cells: int,
) -> I64:
    """Flat indices of up to ``n`` seeds: local maxima of the smoothed score, best first.

    The score is averaged over 5 × 5 cells (so that a seed sits inside good land, not on a lone
    good cell); a seed is a cell equal to the maximum of the smoothed score within
    ``spacing_cells`` and not closer than that to a better seed.
    """
    s = np.where(eligible, np.nan_to_num(score, nan=0.0), 0.0).astype(np.float64)
    num = ndimage.uniform_filter(s, 5, mode="constant")
    den = ndimage.uniform_filter(eligible.astype(np.float64), 5, mode="constant")
    smooth = np.where(eligible & (den > 0.5), num / np.maximum(den, 1e-12), -np.inf)
    size = 2 * spacing_cells + 1
    peak = ndimage.maximum_filter(smooth, size=size, mode="constant", cval=-np.inf)
    cand = np.flatnonzero((smooth == peak) & np.isfinite(smooth))
    order = cand[np.argsort(-smooth.ravel()[cand], kind="stable")]
    chosen: list[int] = []
    ncols = score.shape[1]
    rc = np.column_stack([order // ncols, order % ncols])
    for i, idx in enumerate(order):
        if chosen:
            d = np.abs(rc[i] - np.column_stack([np.asarray(chosen) // ncols,
                                                np.asarray(chosen) % ncols])).max(axis=1)
            if (d <= spacing_cells).any():
                continue
        chosen.append(int(idx))
        if len(chosen) >= n:
            break
    return np.asarray(chosen, dtype=np.int64)


def grow_region(
    score: NDArray[np.floating],
    eligible: NDArray[np.bool_],
    seed: int,
    *,
    max_cells: int,
    shape_penalty: float,
) -> I64:
    """Grow a 4-connected region from ``seed``: the growth order of up to ``max_cells`` cells.

    Examples
    --------
    >>> s = np.array([[1.0, 9.0, 1.0], [1.0, 5.0, 8.0], [0.0, 0.0, 0.0]])
    >>> grow_region(s, s > 0, 4, max_cells=4, shape_penalty=0.0).tolist()  # ties: lower index
    [4, 1, 5, 0]
    """
    nrows, ncols = score.shape
    flat_score = np.nan_to_num(np.asarray(score, dtype=np.float64), nan=0.0).ravel()
    elig = eligible.ravel()
    r0, c0 = divmod(int(seed), ncols)
    seen = {int(seed)}
    heap: list[tuple[float, int]] = [(-flat_score[seed], int(seed))]
    order: list[int] = []
    while heap and len(order) < max_cells:
        _, idx = heapq.heappop(heap)
        order.append(idx)
        r, c = divmod(idx, ncols)
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < nrows and 0 <= nc < ncols:
                j = nr * ncols + nc
                if j not in seen and elig[j]:
                    seen.add(j)
                    dist = math.hypot(nr - r0, nc - c0)
                    heapq.heappush(heap, (-(flat_score[j] - shape_penalty * dist), j))
    return np.asarray(order, dtype=np.int64)


def _size_ladder(demand_cells: int, min_cells: int, max_sites: int) -> list[int]:
    sizes = set()
    s = float(min_cells)
    while s < demand_cells:
        sizes.add(round(s))
        s *= 1.25
    for k in range(1, max_sites + 1):
        sizes.add(math.ceil(demand_cells / k))
    sizes.add(int(demand_cells))
    return sorted(x for x in sizes if min_cells <= x <= demand_cells)


def grow_candidates(
    scores: Mapping[str, NDArray[np.floating]],
    eligible: Mapping[str, NDArray[np.bool_]],
    demand_mu: Mapping[str, float],
    grid: Grid,
    *,
    options: AllocationOptions,
) -> Candidates:
    """Candidate sites of every industry with a positive demand (see the module docstring)."""
    cell_mu = grid.cell_area_m2 / (10_000.0 / 15.0)
    min_cells = max(1, math.ceil(options.min_site_mu / cell_mu))
    spacing = max(1, round(options.seed_spacing_m / grid.cell))
    orders: list[I64] = []
    fam_ind: list[str] = []
    fam, ncell, val, area, ind = [], [], [], [], []
    industries = [c for c in scores if demand_mu.get(c, 0.0) > 0]
    for code in industries:
        score = np.asarray(scores[code], dtype=np.float64)
        elig = eligible[code] & np.isfinite(score)
        demand_cells = max(min_cells, math.ceil(demand_mu[code] / cell_mu))
        sizes = _size_ladder(demand_cells, min_cells, options.max_sites)
        flat = np.nan_to_num(score, nan=0.0).ravel()
        for seed in find_seeds(score, elig, n=options.seeds, spacing_cells=spacing):
            order = grow_region(score, elig, int(seed), max_cells=sizes[-1],
                                shape_penalty=options.shape_penalty)
            if len(order) < min_cells:
                continue
            f = len(orders)
            orders.append(order)
            fam_ind.append(code)
            csum = np.cumsum(flat[order])
            for n in sizes:
                if n > len(order):
                    break
                fam.append(f)
                ncell.append(n)
                val.append(float(csum[n - 1]) * cell_mu)
                area.append(n * cell_mu)
                ind.append(code)
    return Candidates(industries, orders, fam_ind, np.asarray(fam, np.int64),
                      np.asarray(ncell, np.int64), np.asarray(val), np.asarray(area), ind)


def _incidence(cands: Candidates, n_flat: int) -> sparse.csr_matrix:
    """Cells × candidates incidence (1 where the candidate covers the cell)."""
    rows, cols = [], []
    for j in range(len(cands)):
        cells = cands.cells(j)
        rows.append(cells)
        cols.append(np.full(len(cells), j, np.int64))
    data = np.ones(sum(len(r) for r in rows), np.int8)
    m = sparse.csr_matrix((data, (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n_flat, len(cands)))
    return m


def _clique_rows(inc: sparse.csr_matrix, cands: Candidates) -> sparse.csr_matrix:
    """One row per distinct set of (>= 2 families') candidates covering a cell."""
    fam_count = sparse.csr_matrix(
        (np.ones(inc.nnz), inc.indices, inc.indptr), shape=inc.shape)
    # families per cell: count distinct families among the covering candidates
    fam_of = cands.family[inc.indices]
    cell_of = np.repeat(np.arange(inc.shape[0]), np.diff(inc.indptr))
    pairs = np.unique(np.column_stack([cell_of, fam_of]), axis=0)
    nfam = np.bincount(pairs[:, 0], minlength=inc.shape[0])
    shared = np.flatnonzero(nfam >= 2)
    if not len(shared):
        return sparse.csr_matrix((0, inc.shape[1]))
    sub = fam_count[shared]
    # deduplicate identical rows by hashing their column lists
    seen: dict[bytes, int] = {}
    keep = []
    for i in range(sub.shape[0]):
        key = sub.indices[sub.indptr[i]:sub.indptr[i + 1]].tobytes()
        if key not in seen:
            seen[key] = i
            keep.append(i)
    out = sub[keep]
    out.data[:] = 1.0
    return out


def incompatible_pairs(
    cands: Candidates,
    grid: Grid,
    *,
    polluting: Sequence[str],
    sensitive: Sequence[str],
    distance_m: float,
) -> list[tuple[int, int]]:
    """Pairs (polluting candidate, sensitive candidate) closer than ``distance_m``.

    The distance is the smallest distance between cell centres of the two candidates, found
    with a k-d tree over the sensitive candidates' cells.
    """
    pol = [j for j in range(len(cands)) if cands.industry[j] in polluting]
    sen = [j for j in range(len(cands)) if cands.industry[j] in sensitive]
    if not pol or not sen or distance_m <= 0:
        return []
    ncols = grid.ncols
    # Families: the largest candidate of a family covers all the others.
    fam_cells: dict[int, I64] = {}
    for j in sen:
        f = int(cands.family[j])
        fam_cells[f] = cands.orders[f]
    pts, owner, pos = [], [], []
    for f, cells in fam_cells.items():
        pts.append(np.column_stack([cells // ncols, cells % ncols]))
        owner.append(np.full(len(cells), f))
        pos.append(np.arange(len(cells)))
    tree = cKDTree(np.concatenate(pts).astype(np.float64))
    owner_a = np.concatenate(owner)
    pos_a = np.concatenate(pos)
    r = distance_m / grid.cell
    pairs: list[tuple[int, int]] = []
    sen_by_fam: dict[int, list[int]] = {}
    for j in sen:
        sen_by_fam.setdefault(int(cands.family[j]), []).append(j)
    for f_pol in sorted({int(cands.family[j]) for j in pol}):
        order = cands.orders[f_pol]
        rc = np.column_stack([order // ncols, order % ncols]).astype(np.float64)
        hits = tree.query_ball_point(rc, r=r - 1e-9, return_sorted=False)
        # reach[f][i]: smallest growth position of sensitive family f within reach of the
        # polluting family's i-th cell (inf when none); its running minimum over i tells, for
        # every polluting prefix, how long a sensitive prefix may be before they clash.
        reach: dict[int, F64] = {}
        for i, h in enumerate(hits):
            if not h:
                continue
            h = np.asarray(h)
            for f_sen in np.unique(owner_a[h]):
                arr = reach.setdefault(int(f_sen), np.full(len(order), np.inf))
                arr[i] = pos_a[h[owner_a[h] == f_sen]].min()
        prefix_min = {f: np.minimum.accumulate(a) for f, a in reach.items()}
        for j in pol:
            if int(cands.family[j]) != f_pol:
                continue
            n_pol = int(cands.n_cells[j])
            for f_sen, pm in prefix_min.items():
                limit = pm[n_pol - 1]
                pairs.extend((j, k) for k in sen_by_fam[f_sen] if cands.n_cells[k] > limit)
    return pairs


@dataclass
class Problem:
    """The integer programme in matrix form (so that it can be re-solved with new values)."""

    cands: Candidates
    A: sparse.csr_matrix
    lower: F64
    upper: F64
    demand_rows: dict[str, int]
    n_short: int
    demand_mu: dict[str, float]
    penalty: float
    A_csc: sparse.csc_matrix | None = None


def build_problem(
    cands: Candidates,
    grid: Grid,
    *,
    demand_mu: Mapping[str, float],
    zone_index: NDArray[np.integer],
    zone_capacity_mu: Sequence[float],
    polluting: Sequence[str],
    sensitive: Sequence[str],
    options: AllocationOptions,
) -> Problem:
    """Assemble the constraint matrix of the selection programme.

    Variables are the candidates followed by one shortfall variable (mu) per industry.
    """
    n = len(cands)
    codes = cands.industries
    n_short = len(codes)
    nvar = n + n_short
    blocks: list[sparse.csr_matrix] = []
    lo: list[F64] = []
    hi: list[F64] = []

    def add(rows: sparse.spmatrix, low: F64, high: F64) -> None:
        m = sparse.csr_matrix(rows)
        if m.shape[1] < nvar:
            m = sparse.hstack([m, sparse.csr_matrix((m.shape[0], nvar - m.shape[1]))]).tocsr()
        blocks.append(m)
        lo.append(np.asarray(low, np.float64))
        hi.append(np.asarray(high, np.float64))

    # one candidate per family
    nfam = len(cands.orders)
    fam_rows = sparse.csr_matrix((np.ones(n), (cands.family, np.arange(n))), shape=(nfam, n))
    add(fam_rows, np.full(nfam, -np.inf), np.ones(nfam))
    # no cell twice
    inc = _incidence(cands, grid.nrows * grid.ncols)
    cliques = _clique_rows(inc, cands)
    if cliques.shape[0]:
        add(cliques, np.full(cliques.shape[0], -np.inf), np.ones(cliques.shape[0]))
    # demand with shortfall, and max sites
    ind_idx = {c: i for i, c in enumerate(codes)}
    demand_rows: dict[str, int] = {}
    ind_of = np.array([ind_idx[c] for c in cands.industry], np.int64)
    area_rows = sparse.csr_matrix((cands.area_mu, (ind_of, np.arange(n))),
                                  shape=(len(codes), nvar))
    short_rows = sparse.csr_matrix((np.ones(len(codes)), (np.arange(len(codes)),
                                    n + np.arange(len(codes)))), shape=(len(codes), nvar))
    dem = area_rows + short_rows
    sites = sparse.csr_matrix((np.ones(n), (ind_of, np.arange(n))), shape=(len(codes), nvar))
    row0 = sum(b.shape[0] for b in blocks)
    d = np.array([demand_mu[c] for c in codes])
    # area + shortfall >= demand; area <= demand * (1 + tol) (the shortfall only fills the gap)
    add(dem, d, np.full(len(codes), np.inf))
    for i, c in enumerate(codes):
        demand_rows[c] = row0 + i
    add(area_rows, np.full(len(codes), -np.inf), d * (1.0 + options.tolerance))
    add(sites, np.full(len(codes), -np.inf), np.full(len(codes), options.max_sites))
    # zone capacity
    zflat = np.asarray(zone_index).ravel()
    nz = len(zone_capacity_mu)
    if nz:
        cell_mu = grid.cell_area_m2 / (10_000.0 / 15.0)
        zc = sparse.lil_matrix((nz, nvar))
        for j in range(n):
            z = zflat[cands.cells(j)]
            z = z[z >= 0]
            if len(z):
                counts = np.bincount(z, minlength=nz)
                for zi in np.flatnonzero(counts):
                    zc[zi, j] = counts[zi] * cell_mu
        add(zc.tocsr(), np.full(nz, -np.inf), np.asarray(zone_capacity_mu, np.float64))
    # incompatible pairs
    pairs = incompatible_pairs(cands, grid, polluting=polluting, sensitive=sensitive,
                               distance_m=options.separation_m)
    if pairs:
        pa = np.asarray(pairs, np.int64)
        k = len(pa)
        m = sparse.csr_matrix((np.ones(2 * k), (np.repeat(np.arange(k), 2), pa.ravel())),
                              shape=(k, n))
        add(m, np.full(k, -np.inf), np.ones(k))
    A = sparse.vstack(blocks).tocsr()
    penalty = 1000.0  # per mu of shortfall: above any score (0-100) per mu
    return Problem(cands, A, np.concatenate(lo), np.concatenate(hi), demand_rows, n_short,
                   dict(demand_mu), penalty)


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
    return _summarise(problem, chosen, "milp", t, str(res.message), bound, vals)


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
        if remaining <= 0 or nsites[code] >= options.max_sites:
            continue
        if cands.area_mu[j] < remaining / (options.max_sites - nsites[code]) - 1e-9:
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
    sub = problem.A_csc[:, cols].tocsr()
    # Rows without a coefficient left are satisfied by 0 (all bounds admit it): drop them.
    used = np.diff(sub.indptr) > 0
    sub, lower, upper = sub[used], problem.lower[used], problem.upper[used]
    t0 = time.perf_counter()
    c = np.concatenate([-vals[columns], np.full(problem.n_short, problem.penalty)])
    k = len(columns)
    res = milp(c, constraints=LinearConstraint(sub, lower, upper),
               integrality=np.concatenate([np.ones(k), np.zeros(problem.n_short)]),
               bounds=Bounds(np.zeros(k + problem.n_short),
                             np.concatenate([np.ones(k), np.full(problem.n_short, np.inf)])),
               options={"mip_rel_gap": options.mip_gap, "time_limit": options.time_limit_s})
    if res.x is None:
        raise LayoutError(f"a restricted allocation programme could not be solved: {res.message}")
    chosen = columns[np.flatnonzero(res.x[:k] > 0.5)]
    return _summarise(problem, chosen, "restricted", time.perf_counter() - t0, str(res.message),
                      values=vals)
