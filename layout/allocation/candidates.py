"""Candidate sites: for each industry, nested families of compact regions grown from seeds.

For each industry, seeds are the best local maxima of its smoothed score on eligible cells, at
least ``seed_spacing_m`` apart (`find_seeds`). From each seed a region grows cell by cell
(4-connected), always adding the frontier cell with the highest priority
``score - shape_penalty * distance_to_seed / cell``, as ArcGIS *Locate Regions* grows regions: the
penalty keeps regions compact (`grow_region`). Every prefix of that growth order is a contiguous
region, so one growth gives a nested family of candidate sites; candidates are taken at sizes
from the minimum site area up to the industry's demand (`size_ladder`: a geometric ladder plus
demand / k for k = 1 … max_sites). `grow_candidates` does it for every industry.

The selection among the candidates is `layout.allocation.problem` and `layout.allocation.solve`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

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


def size_ladder(demand_cells: int, min_cells: int, max_sites: int) -> list[int]:
    """Candidate sizes (cells) of one industry: from ``min_cells`` up to ``demand_cells``.

    A geometric ladder (x 1.25 from ``min_cells``, rounded), the demand split over 1 …
    ``max_sites`` sites (rounded up), and the demand itself; sizes outside
    ``[min_cells, demand_cells]`` are dropped.

    Examples
    --------
    >>> size_ladder(6, 2, 2)
    [2, 3, 4, 5, 6]
    """
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
        sizes = size_ladder(demand_cells, min_cells, options.max_sites)
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
