"""Candidate sites: for each industry, nested families of compact regions grown from seeds.

For each industry, seeds are the best local maxima of its smoothed score on eligible cells, at
least ``seed_spacing_m`` apart (`find_seeds`). From each seed a region grows cell by cell
(4-connected), always adding the frontier cell with the highest priority
``score - shape_penalty * distance_to_seed / cell``, as ArcGIS *Locate Regions* grows regions: the
penalty keeps regions compact (`grow_region`). Every prefix of that growth order is a contiguous
region, so one growth gives a nested family of candidate sites; candidates are taken at sizes
from the minimum site area up to the industry's demand or the largest site, whichever is smaller
(`size_ladder`: a geometric ladder plus demand / k for k = 1 … max_sites). `grow_candidates`
does it for every industry.

**The largest site.** A region is never grown beyond ``max_site_mu`` (`default_max_site_mu`
when the plan leaves it out: the median developable land of the zones). An industry whose
demand needs many sites of that size gets up to twice ``ceil(demand / max_site_mu)`` sites
and three times as many seeds (`site_limits`); `Candidates.max_sites` holds the number per
industry for the programme.

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
    #: Most sites per industry (``max_sites``, raised where the largest site needs more).
    max_sites: dict[str, int] = field(default_factory=dict)
    #: The largest site, mu, the regions were grown to.
    max_site_mu: float = math.inf

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


def size_ladder(demand_cells: int, min_cells: int, max_sites: int,
                max_cells: int | None = None) -> list[int]:
    """Candidate sizes (cells) of one industry: from ``min_cells`` up to ``demand_cells``.

    A geometric ladder (x 1.25 from ``min_cells``, rounded), the demand split over 1 …
    ``max_sites`` sites (rounded up), and the demand itself; sizes outside
    ``[min_cells, min(demand_cells, max_cells)]`` are dropped, and ``max_cells`` itself is a
    size when it is below the demand.

    Examples
    --------
    >>> size_ladder(6, 2, 2)
    [2, 3, 4, 5, 6]
    >>> size_ladder(20, 2, 2, max_cells=7)
    [2, 3, 4, 5, 6, 7]
    """
    top = demand_cells if max_cells is None else min(demand_cells, max_cells)
    sizes = {int(top)}
    s = float(min_cells)
    while s < top:
        sizes.add(round(s))
        s *= 1.25
    for k in range(1, max_sites + 1):
        sizes.add(math.ceil(demand_cells / k))
    return sorted(x for x in sizes if min_cells <= x <= top)


def default_max_site_mu(zone_capacity_mu: NDArray[np.floating], *, min_site_mu: float) -> float:
    """The largest site when the plan gives none: the median developable land of the zones.

    Zones without developable land do not count; without any zone with land the largest site
    is 5,000 mu (333 ha). Never below ``min_site_mu``.

    Examples
    --------
    >>> default_max_site_mu(np.array([0.0, 1537.0, 9000.0, 51450.0]), min_site_mu=300.0)
    9000.0
    >>> default_max_site_mu(np.array([]), min_site_mu=300.0)
    5000.0
    """
    cap = np.asarray(zone_capacity_mu, np.float64)
    cap = cap[np.isfinite(cap) & (cap > 0)]
    value = float(np.median(cap)) if len(cap) else 5000.0
    return max(value, float(min_site_mu))


def site_limits(demand_mu: float, *, max_site_mu: float,
                options: AllocationOptions) -> tuple[int, int]:
    """Most sites and seeds of an industry of demand ``demand_mu``.

    ``max_sites`` and ``seeds`` of the options; where the demand is larger than one site of
    ``max_site_mu``, the sites are raised to twice and the seeds to three times the number of
    such sites the demand needs: sites of the largest size rarely fit side by side (other
    industries, zones' remaining land, separation), so the programme needs room to choose.
    (Measured on the embedded plan with growth 3: seeds at twice the need left 19,220 mu
    unmet, at three times none; docs/config.md.)

    Examples
    --------
    >>> site_limits(40_000.0, max_site_mu=5_000.0, options=AllocationOptions())
    (16, 24)
    >>> site_limits(10_000.0, max_site_mu=5_000.0, options=AllocationOptions())
    (6, 6)
    >>> site_limits(4_000.0, max_site_mu=5_000.0, options=AllocationOptions(max_sites=1))
    (1, 6)
    """
    need = math.ceil(demand_mu / max_site_mu - 1e-9) if math.isfinite(max_site_mu) else 1
    if need < 2:
        return options.max_sites, options.seeds
    return max(options.max_sites, 2 * need), max(options.seeds, 3 * need)


def grow_candidates(
    scores: Mapping[str, NDArray[np.floating]],
    eligible: Mapping[str, NDArray[np.bool_]],
    demand_mu: Mapping[str, float],
    grid: Grid,
    *,
    options: AllocationOptions,
    max_site_mu: float = math.inf,
) -> Candidates:
    """Candidate sites of every industry with a positive demand (see the module docstring).

    ``max_site_mu`` is the largest site (``options.max_site_mu`` when that is set).
    """
    cell_mu = grid.cell_area_m2 / (10_000.0 / 15.0)
    if options.max_site_mu is not None:
        max_site_mu = float(options.max_site_mu)
    min_cells = max(1, math.ceil(options.min_site_mu / cell_mu))
    max_cells = max(min_cells, math.floor(max_site_mu / cell_mu + 1e-9)) \
        if math.isfinite(max_site_mu) else None
    spacing = max(1, round(options.seed_spacing_m / grid.cell))
    orders: list[I64] = []
    fam_ind: list[str] = []
    fam, ncell, val, area, ind = [], [], [], [], []
    limits: dict[str, int] = {}
    industries = [c for c in scores if demand_mu.get(c, 0.0) > 0]
    for code in industries:
        score = np.asarray(scores[code], dtype=np.float64)
        elig = eligible[code] & np.isfinite(score)
        demand_cells = max(min_cells, math.ceil(demand_mu[code] / cell_mu))
        limits[code], n_seeds = site_limits(demand_mu[code], max_site_mu=max_site_mu,
                                            options=options)
        sizes = size_ladder(demand_cells, min_cells, limits[code], max_cells)
        flat = np.nan_to_num(score, nan=0.0).ravel()
        for seed in find_seeds(score, elig, n=n_seeds, spacing_cells=spacing):
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
                      np.asarray(ncell, np.int64), np.asarray(val), np.asarray(area), ind,
                      max_sites=limits, max_site_mu=max_site_mu)
