"""The selection programme: which candidate sites may be chosen together, in matrix form.

A set-packing integer programme chooses candidates (`layout.allocation.candidates`): maximise
the sum of score × area over the chosen sites, subject to

* at most one candidate per seed family;
* no cell in two chosen sites (one clique row per distinct set of candidates covering a cell);
* each industry's chosen area within ``[demand, demand * (1 + tolerance)]`` (a shortfall
  variable with a large penalty keeps the programme feasible and reports what is missing);
* at most ``max_sites`` per industry (`Candidates.max_sites`, raised where the largest site
  needs more);
* each zone's remaining developable land respected;
* incompatible pairs (a pollution-intensive site within ``separation_m`` of a food or
  biomedicine site, `incompatible_pairs`) never both chosen.

`build_problem` assembles it as a `Problem`, which `layout.allocation.solve` solves (again with
new candidate values in the sensitivity runs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from layout.allocation.candidates import F64, I64, Candidates
from layout.model.grid import Grid
from layout.model.options import AllocationOptions


def _incidence(cands: Candidates, n_flat: int) -> sparse.csr_matrix:
    """Cells × candidates incidence (1 where the candidate covers the cell)."""
    rows, cols = [], []
    for j in range(len(cands)):
        cells = cands.cells(j)
        rows.append(cells)
        cols.append(np.full(len(cells), j, np.int64))
    data = np.ones(sum(len(r) for r in rows), np.int8)
    # No candidate at all (a region whose eligible land holds no site) is an empty matrix.
    none = np.zeros(0, np.int64)
    m = sparse.csr_matrix((data, (np.concatenate(rows) if rows else none,
                                  np.concatenate(cols) if cols else none)),
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

    The distance is measured between the candidates' polygons, not their cell centres: the gap
    between two cell squares whose centres lie ``dr`` rows and ``dc`` columns apart is
    ``cell * hypot(max(|dr| - 1, 0), max(|dc| - 1, 0))``, and two candidates clash when the
    gap between any of their cells is below ``distance_m``. A k-d tree over the sensitive
    candidates' cells finds the cells whose centres are within ``distance_m`` plus one cell
    diagonal (the widest the centre distance can exceed the gap); the exact gap then decides.
    Site polygons are these cells clipped (`layout.allocation.sites.site_geometry`), which only
    widens the gap, so chosen sites keep ``distance_m`` between their polygons.

    Examples
    --------
    Two single-cell candidates 10 cells apart on a 100 m grid: their centres are 1,000 m apart
    but their squares only 900 m, so at 1,000 m they clash and at 900 m they do not.

    >>> from pyproj import CRS
    >>> from layout.model.grid import Grid
    >>> g = Grid(CRS.from_epsg(4547), 0.0, 100.0, 100.0, 1, 11, np.ones((1, 11), bool))
    >>> one = np.ones(2)
    >>> c = Candidates(["aluminium", "food"], [np.array([0]), np.array([10])],
    ...                ["aluminium", "food"], np.array([0, 1]), np.array([1, 1]), one, one,
    ...                ["aluminium", "food"])
    >>> kw = dict(polluting=["aluminium"], sensitive=["food"])
    >>> incompatible_pairs(c, g, distance_m=1000.0, **kw)
    [(0, 1)]
    >>> incompatible_pairs(c, g, distance_m=900.0, **kw)
    []
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
    pts_a = np.concatenate(pts).astype(np.float64)
    tree = cKDTree(pts_a)
    owner_a = np.concatenate(owner)
    pos_a = np.concatenate(pos)
    r = distance_m / grid.cell
    reach_r = r + math.sqrt(2.0)  # centre distance <= square gap + one cell diagonal
    pairs: list[tuple[int, int]] = []
    sen_by_fam: dict[int, list[int]] = {}
    for j in sen:
        sen_by_fam.setdefault(int(cands.family[j]), []).append(j)
    for f_pol in sorted({int(cands.family[j]) for j in pol}):
        order = cands.orders[f_pol]
        rc = np.column_stack([order // ncols, order % ncols]).astype(np.float64)
        hits = tree.query_ball_point(rc, r=reach_r, return_sorted=False)
        # reach[f][i]: smallest growth position of sensitive family f within reach of the
        # polluting family's i-th cell (inf when none); its running minimum over i tells, for
        # every polluting prefix, how long a sensitive prefix may be before they clash.
        reach: dict[int, F64] = {}
        for i, h in enumerate(hits):
            if not h:
                continue
            h = np.asarray(h)
            d = np.maximum(np.abs(pts_a[h] - rc[i]) - 1.0, 0.0)
            h = h[np.hypot(d[:, 0], d[:, 1]) < r - 1e-9]
            if not len(h):
                continue
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


#: Objective lost per mu of shortfall: above any score (0-100) per mu.
SHORTFALL_PENALTY = 1000.0


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
    add(sites, np.full(len(codes), -np.inf),
        np.array([float(cands.max_sites.get(c, options.max_sites)) for c in codes]))
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
    penalty = SHORTFALL_PENALTY
    return Problem(cands, A, np.concatenate(lo), np.concatenate(hi), demand_rows, n_short,
                   dict(demand_mu), penalty)

