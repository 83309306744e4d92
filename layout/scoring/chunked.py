"""The chunked engine: a plan scored window by window on a dask cluster.

A province at 30 m (Henan: 19,000 × 18,500 cells) does not fit one process. The chunked engine
cuts the analysis grid into square windows (`plan_windows`; windows wholly outside the study
area are skipped) and scores each as a dask task with the memory engine's own criterion
functions, on a `layout.analysis.window.WindowContext`. It runs in three steps:

1. **Whole-area figures** (`area_figures`): two passes of small tasks over the windows give
   each density's peak, the Gi* moments, the mask's cell count and the linkage scales (the
   99th percentile of upstream + downstream: a log-spaced histogram, then equal bins inside
   the log bins of the values NumPy's percentile interpolates between, within about 1e-7 of
   it; the counts are summed as windows finish); the travel times are one task on a travel
   grid of at most ``[engine] travel_max_cells`` cells; location quotients come from the
   enterprises.
2. **Windows** (`_score_window`): each window's scores and flags are written by the worker
   as block GeoTIFFs (`layout.io.blockraster.write_block`), and its block means over the
   allocation grid (``factor`` × ``factor`` cells, `allocation_factor`) as a small ``.npz``.
3. **Assembly**: each industry's blocks become ``<code>_score.tif`` and ``<code>_flags.tif``,
   Cloud Optimized GeoTIFFs with overviews (`layout.io.scoreraster.assemble_score_raster`),
   read tile by tile from a VRT of the blocks: nothing holds a whole raster.

The windows are aligned so that every kernel density's coarse lattice
(`layout.core.kde.kde_grid_coarse`) and every allocation block starts where the whole grid's
does (`window_multiple`): a window's densities are then exactly the whole grid's. What
differs from the memory engine is stated in `layout.analysis.window`: distances saturate at
``[engine] max_distance_m``, travel times come from a coarser grid when the graph would be too
large, the linkage scale is within about 1e-7 of NumPy's percentile.
tests/scoring/test_chunked.py checks the two engines on the embedded plan.

The coarse results (`CoarseScores.results_for`) are ordinary `SuitabilityResult` objects on
windows of the allocation grid: the block means of the scores and of each criterion's
contribution (``value × eligible``), so their contributions still sum to their scores. A cell
of the allocation grid carries a flag bit when more than half of its analysis cells do.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from layout.analysis.context import CriteriaContext
from layout.analysis.criteria import compute_raw, linkage_totals
from layout.analysis.window import AreaFigures, TravelRaster, WindowContext, window_inputs
from layout.config.criteria import criterion_specs
from layout.core import gistar
from layout.core.linkage import DEFAULT_PERCENTILE
from layout.data.inputs import PlanInputs, allocation_factor
from layout.errors import ConfigError
from layout.io.blockraster import Block, write_block
from layout.io.scoreraster import SCORE_NODATA, assemble_score_raster
from layout.model.constraints import CONSTRAINT_BITS
from layout.model.criteria import contribution_label
from layout.model.grid import Grid, GridFrame
from layout.scoring.suitability import ALWAYS_EXCLUDED, SuitabilityResult, score, score_kernel

__all__ = [
    "ChunkedScores",
    "CoarseScores",
    "Window",
    "area_figures",
    "plan_windows",
    "score_chunked",
    "window_multiple",
]

logger = logging.getLogger(__name__)

F32 = NDArray[np.float32]
#: Fine bins inside the log bin that holds the linkage percentile (`area_figures`).
HIST_BINS = 1 << 16
#: The distance criteria: their features are probed on the allocation grid for whether the
#: whole area has any (a window cannot tell "none here" from "none at all").
DISTANCE_CRITERIA = ("anchor", "infill", "labour", "residential_buffer")


@dataclass(frozen=True)
class Window:
    """Rows ``row0 …`` and columns ``col0 …`` of the analysis grid."""

    row0: int
    col0: int
    nrows: int
    ncols: int

    @property
    def key(self) -> str:
        """A name for the window's files."""
        return f"{self.row0:06d}_{self.col0:06d}"


def kde_factors(inputs: PlanInputs) -> set[int]:
    """The coarse factors of every kernel density the plan computes (`kde_grid_coarse`)."""
    cell = inputs.plan.resolution
    out = {1}
    for code in inputs.plan.catalog.codes:
        for spec in criterion_specs(inputs.plan, code).values():
            if "bandwidth_m" in spec.params:
                out.add(max(1, math.floor(float(spec.params["bandwidth_m"]) / (10.0 * cell))))
    return out


def window_multiple(inputs: PlanInputs) -> int:
    """The number every window side is a multiple of: KDE lattices and allocation blocks align.

    Examples
    --------
    >>> from layout.data.inputs import load_inputs
    >>> window_multiple(load_inputs())  # 100 m: KDE factors 3 and 5, allocation factor 4
    60
    """
    return math.lcm(*kde_factors(inputs), allocation_factor(inputs.plan))


def plan_windows(frame: GridFrame, study_area: shapely.Geometry, *, side: int) -> list[Window]:
    """Windows of ``side`` cells covering the frame, those touching the study area only.

    Examples
    --------
    >>> from pyproj import CRS
    >>> f = GridFrame(CRS.from_epsg(4547), 0.0, 1000.0, 100.0, 10, 10)
    >>> [(w.row0, w.col0, w.nrows, w.ncols)
    ...  for w in plan_windows(f, shapely.box(0, 500, 400, 1000), side=4)]
    [(0, 0, 4, 4), (0, 4, 4, 4), (4, 0, 4, 4), (4, 4, 4, 4)]
    """
    shapely.prepare(study_area)
    out = []
    for r in range(0, frame.nrows, side):
        for c in range(0, frame.ncols, side):
            nr, nc = min(side, frame.nrows - r), min(side, frame.ncols - c)
            box = shapely.box(frame.x0 + c * frame.cell, frame.y_top - (r + nr) * frame.cell,
                              frame.x0 + (c + nc) * frame.cell, frame.y_top - r * frame.cell)
            if shapely.intersects(study_area, box):
                out.append(Window(r, c, nr, nc))
    return out


# --- whole-area figures ----------------------------------------------------------------------


def _needs(inputs: PlanInputs) -> dict[str, Any]:
    """What the figures need: density and Gi* keys, linkage parameters per industry."""
    dens: set[tuple[str, float, str]] = set()
    gi: set[tuple[str, str]] = set()
    link: dict[str, dict[str, Any]] = {}
    travel: set[tuple[str, float]] = set()
    from layout.analysis.criteria import TRANSPORT_KINDS

    for code in inputs.plan.catalog.codes:
        for name, spec in criterion_specs(inputs.plan, code).items():
            p = spec.params
            if name == "density":
                dens.add((code, float(p["bandwidth_m"]), str(p["weight_column"])))
            elif name == "hotspot":
                gi.add((code, str(p["weight_column"])))
            elif name in ("linkage_upstream", "linkage_downstream"):
                link[code] = dict(p)
            elif name in TRANSPORT_KINDS:
                travel.add((TRANSPORT_KINDS[name], float(p["offroad_kmh"])))
    return {"density": sorted(dens), "gi": sorted(gi), "linkage": link, "travel": sorted(travel)}


#: Log-spaced bins of the first linkage histogram, between these powers of ten (万元/km²);
#: a total at or below the first edge counts as 0.
LOG_BINS, LOG_LO, LOG_HI = 1 << 14, -12.0, 12.0


def _linkage_values(ctx: CriteriaContext, code: str, params: Mapping[str, Any]
                    ) -> NDArray[np.float64]:
    up, down = linkage_totals(ctx, code, params)
    total = (up + down)[ctx.grid.mask]
    return total[np.isfinite(total)]


def log_bin(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """The log-spaced bin of each value (0 for values at or below ``10**LOG_LO``).

    Examples
    --------
    >>> log_bin(np.array([0.0, 1.0, 1e12])).tolist()
    [0, 8192, 16383]
    """
    with np.errstate(divide="ignore"):
        pos = (np.log10(values) - LOG_LO) / (LOG_HI - LOG_LO) * LOG_BINS
    return np.clip(np.nan_to_num(pos, nan=0.0, neginf=0.0), 0, LOG_BINS - 1).astype(np.int64)


def log_edges(b: int) -> tuple[float, float]:
    """The values between which log bin ``b`` lies (bin 0 from 0)."""
    width = (LOG_HI - LOG_LO) / LOG_BINS
    lo = 0.0 if b == 0 else 10.0 ** (LOG_LO + b * width)
    return lo, 10.0 ** (LOG_LO + (b + 1) * width)


def _pass_maxima(inputs: PlanInputs, frame: GridFrame, window: Window,
                 needs: Mapping[str, Any]) -> dict[str, Any]:
    """One window's share of the figures: maxima, Gi* moments, log histograms, cell count."""
    grid = frame.window(window.row0, window.col0, window.nrows, window.ncols,
                        inputs.study_area)
    out: dict[str, Any] = {"cells": int(grid.mask.sum()), "density": {}, "gi": {},
                           "linkage": {}, "window": window}
    if not out["cells"]:
        return out
    ctx = CriteriaContext(window_inputs(inputs, grid))
    m = grid.mask
    for code, bw, col in needs["density"]:
        out["density"][(code, bw, col)] = float(ctx._kde(code, bw, col)[m].max())
    for code, col in needs["gi"]:
        out["gi"][(code, col)] = gistar.gi_moments(ctx.cell_sum(code, col), m)
    out["range"] = {}
    for code, params in needs["linkage"].items():
        total = _linkage_values(ctx, code, params)
        out["linkage"][code] = np.bincount(log_bin(total), minlength=LOG_BINS).astype(np.int64)
        if total.size:
            out["range"][code] = (int(total.size), float(total.min()), float(total.max()))
    return out


def _pass_histograms(inputs: PlanInputs, frame: GridFrame, window: Window,
                     needs: Mapping[str, Any], bins: Mapping[str, tuple[float, float]]
                     ) -> dict[str, NDArray[np.int64]]:
    """One window's count below each industry's bin, then a fine histogram inside it."""
    grid = frame.window(window.row0, window.col0, window.nrows, window.ncols,
                        inputs.study_area)
    out: dict[str, NDArray[np.int64]] = {}
    if not grid.mask.any():
        return out
    ctx = CriteriaContext(window_inputs(inputs, grid))
    for code, params in needs["linkage"].items():
        if code not in bins:
            continue
        lo, hi = bins[code]
        total = _linkage_values(ctx, code, params)
        inside = total[(total >= lo) & (total < hi)]
        idx = np.minimum(((inside - lo) / (hi - lo) * HIST_BINS).astype(np.int64),
                         HIST_BINS - 1)
        counts = np.zeros(HIST_BINS + 1, np.int64)
        counts[0] = int((total < lo).sum())
        counts[1:] = np.bincount(idx, minlength=HIST_BINS)
        out[code] = counts
    return out


def _fold(client: Any, futures: Sequence[Any], combine: Callable[[Any, Any], Any],
          initial: Any) -> Any:
    """Combine task results as they finish, releasing each: the client never holds them all."""
    from distributed import as_completed

    acc = initial
    for fut in as_completed(futures):
        acc = combine(acc, fut.result())
        fut.release()
    return acc


def _add_counts(acc: dict[str, NDArray[np.int64]], part: Mapping[str, NDArray[np.int64]]
                ) -> dict[str, NDArray[np.int64]]:
    for code, counts in part.items():
        acc[code] = acc[code] + counts if code in acc else counts
    return acc


def bin_rank(counts: NDArray[np.int64], rank: float) -> tuple[int, float]:
    """The bin holding the value of (0-based, fractional) ``rank``, and the rank inside it."""
    cum = np.cumsum(counts)
    b = int(np.searchsorted(cum, math.floor(rank) + 1))
    return b, rank - (int(cum[b - 1]) if b else 0)


def histogram_percentile(counts: NDArray[np.int64], lo: float, hi: float,
                         rank: float) -> float:
    """The value of the (fractional) ``rank`` read from a histogram of equal bins on [lo, hi).

    NumPy's linear percentile has the rank ``h = (n - 1) p / 100`` and interpolates between
    the values of ranks ``floor(h)`` and ``floor(h) + 1``; each is placed linearly inside its
    bin (within one bin width of the exact value), then interpolated the same way. A rank
    beyond the histogram's last value is placed at ``hi``.

    Examples
    --------
    >>> values = np.linspace(0.0, 10.0, 1001)
    >>> counts = np.bincount(np.minimum((values / 10 * 1000).astype(int), 999), minlength=1000)
    >>> exact = np.percentile(values, 99)
    >>> bool(abs(histogram_percentile(counts, 0.0, 10.0, 1000 * 0.99) - exact) <= 10 / 1000)
    True
    """
    width = (hi - lo) / len(counts)
    total = int(counts.sum())

    def value(k: int) -> float:
        if k >= total:
            return hi
        b, inside_rank = bin_rank(counts, float(k))
        return float(lo + (b + (inside_rank + 0.5) / max(int(counts[b]), 1)) * width)

    k = math.floor(rank)
    below = value(k)
    return below + (rank - k) * (value(k + 1) - below) if rank > k else below


class _Probe(CriteriaContext):
    """A context that records, per distance key, whether the whole area has such features."""

    found: dict[str, bool]

    def distance_to(self, key: str, cells_of: Callable[[CriteriaContext], NDArray[np.bool_]]
                    ) -> F32:
        self.found[key] = bool(cells_of(self).any())
        return np.zeros(self.grid.shape, np.float32)

    @property
    def urban_cells(self) -> NDArray[np.bool_]:
        """Every coarse cell an urban area touches (a small town is not lost)."""
        return self.grid.rasterize(self.inputs.layer("urban_areas"),
                                   all_touched=True).astype(bool)


def _travel(inputs: PlanInputs, frame: GridFrame, kinds: Sequence[tuple[str, float]],
            max_cells: int) -> dict[tuple[str, float], TravelRaster | None]:
    """Travel minutes of each ``(kind, offroad_kmh)``, on one graph for every kind.

    The graph is on the analysis grid, or on a grid coarsened by the smallest whole factor
    that keeps it within ``max_cells`` cells.
    """
    factor = max(1, math.ceil(math.sqrt(frame.n_cells / max_cells)))
    grid = frame.coarsened(factor, inputs.study_area)
    ctx = CriteriaContext(window_inputs(inputs, grid))
    out: dict[tuple[str, float], TravelRaster | None] = {}
    for kind, offroad_kmh in kinds:
        minutes = ctx.travel_minutes(kind, offroad_kmh=offroad_kmh)
        out[(kind, offroad_kmh)] = (None if np.isnan(minutes).all()
                                    else TravelRaster(GridFrame.of(grid), minutes))
    return out


def area_figures(inputs: PlanInputs, windows: Sequence[Window], *, client: Any) -> AreaFigures:
    """The whole-area figures of a chunked plan (module docstring, step 1)."""
    frame = inputs.frame
    assert frame is not None, "a chunked plan has a frame"
    opts = inputs.plan.engine_options
    needs = _needs(inputs)
    t = time.perf_counter()
    inputs_f = client.scatter(inputs, broadcast=True, hash=False)
    travel_f = client.submit(_travel, inputs_f, frame, needs["travel"],
                             int(opts.travel_max_cells), pure=False)
    def take(acc: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
        acc["cells"] += part["cells"]
        acc["range"][part["window"]] = part.get("range", {})
        for key, peak in part["density"].items():
            acc["density"][key] = max(acc["density"].get(key, 0.0), peak)
        for key, m in part["gi"].items():
            old = acc["gi"].get(key, (0.0, 0.0, 0.0))
            acc["gi"][key] = (old[0] + m[0], old[1] + m[1], old[2] + m[2])
        _add_counts(acc["linkage"], part["linkage"])
        return acc

    first = _fold(client, client.map(_pass_maxima, [inputs_f] * len(windows),
                                     [frame] * len(windows), windows,
                                     [needs] * len(windows), pure=False),
                  take, {"cells": 0, "density": {}, "gi": {}, "linkage": {}, "range": {}})
    figures = AreaFigures(frame, float(opts.max_distance_m))
    figures.density_peak = {k: first["density"].get(k, 0.0) for k in needs["density"]}
    for key in needs["gi"]:
        figures.gi_moments[key] = first["gi"].get(key, (0.0, 0.0, 0.0))
    # The linkage scale: the log-spaced bin of the percentile's rank, then fine bins inside it.
    ranks: dict[str, float] = {}
    bins: dict[str, tuple[float, float]] = {}
    for code in needs["linkage"]:
        counts = first["linkage"].get(code)
        n = int(counts.sum()) if counts is not None else 0
        figures.linkage_scale[code] = 0.0
        if n == 0:
            continue
        rank = (n - 1) * DEFAULT_PERCENTILE / 100.0
        b, _ = bin_rank(counts, rank)
        if b > 0:  # the percentile is above 10**LOG_LO: refine it, between the log bins of
            # the two values NumPy interpolates between (ranks floor(h) and floor(h) + 1)
            b2, _ = bin_rank(counts, min(math.floor(rank) + 1.0, n - 1.0))
            ranks[code] = rank
            bins[code] = (log_edges(b)[0], log_edges(max(b, b2))[1])
    if bins:
        # Only the windows with values inside an industry's bin are read again; the others'
        # values lie wholly below it (they count below) or above it.
        fine: dict[str, NDArray[np.int64]] = {
            code: np.zeros(HIST_BINS + 1, np.int64) for code in bins}
        again = []
        for w in windows:
            ranges = first["range"].get(w, {})
            if any(ranges[c][1] < hi and ranges[c][2] >= lo
                   for c, (lo, hi) in bins.items() if c in ranges):
                again.append(w)
                continue
            for code, (lo, _) in bins.items():
                if code in ranges and ranges[code][2] < lo:
                    fine[code][0] += ranges[code][0]
        fine = _fold(client, client.map(_pass_histograms, [inputs_f] * len(again),
                                        [frame] * len(again), again,
                                        [needs] * len(again), [bins] * len(again),
                                        pure=False),
                     _add_counts, fine)
        logger.info("linkage scales: %d of %d windows read again", len(again), len(windows))
        for code, (lo, hi) in bins.items():
            counts = fine[code]
            figures.linkage_scale[code] = histogram_percentile(
                counts[1:], lo, hi, ranks[code] - int(counts[0]))
    # Grid-independent entries, from a context on the allocation grid.
    coarse = CriteriaContext(inputs)
    probe = _Probe(inputs)
    probe.found = {}
    for code in inputs.plan.catalog.codes:
        for name, spec in criterion_specs(inputs.plan, code).items():
            if name == "lq":
                coarse.location_quotients(code, str(spec.params["measure"]))
            elif name in DISTANCE_CRITERIA:
                compute_raw(probe, code, name, spec.params)
    figures.shared = {k: v for k, v in coarse._cache.items() if k[0] == "lq"}
    figures.shared.update({("edt-empty", k): not v for k, v in probe.found.items()})
    figures.enterprise_regions = coarse.enterprise_regions
    figures.landuse_limits = dict(coarse.landuse_limits)
    figures.travel = travel_f.result()
    logger.info("whole-area figures of %d windows (%.1f s)", len(windows),
                time.perf_counter() - t)
    return figures


# --- windows ---------------------------------------------------------------------------------


def block_means(a: NDArray[Any], factor: int) -> NDArray[np.float32]:
    """Means of ``factor`` × ``factor`` blocks (the last ones padded with zeros: 0 counts).

    Summed in float32 (relative error about 1e-6 for the 225 cells of a 30 m plan's block).

    Examples
    --------
    >>> block_means(np.arange(16.0).reshape(4, 4), 2).tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    r, c = a.shape
    pr, pc = -(-r // factor) * factor, -(-c // factor) * factor
    if (pr, pc) != (r, c):
        full = np.zeros((pr, pc), np.float32)
        full[:r, :c] = a
    else:
        full = np.asarray(a, np.float32)
    out: NDArray[np.float32] = full.reshape(pr // factor, factor, pc // factor, factor).mean(
        axis=(1, 3), dtype=np.float32)
    return out


def majority_flags(flags: NDArray[np.uint16], factor: int) -> NDArray[np.uint16]:
    """Bits carried by more than half of each block's cells.

    Examples
    --------
    >>> f = np.array([[1, 1], [1, 2]], np.uint16)
    >>> majority_flags(f, 2).tolist()
    [[1]]
    """
    out = np.zeros((-(-flags.shape[0] // factor), -(-flags.shape[1] // factor)), np.uint16)
    present = int(np.bitwise_or.reduce(flags, axis=None)) if flags.size else 0
    for bit in sorted(set(CONSTRAINT_BITS.values())):
        if not present & bit:
            continue
        share = block_means((flags & np.uint16(bit)) > 0, factor)
        out[share > 0.5] |= np.uint16(bit)
    return out


def _score_window(inputs: PlanInputs, figures: AreaFigures, window: Window, folder: str,
                  factor: int) -> dict[str, Any]:
    """Score one window: block GeoTIFFs and block means written to ``folder``."""
    t = time.perf_counter()
    frame = figures.frame
    grid = frame.window(window.row0, window.col0, window.nrows, window.ncols,
                        inputs.study_area)
    summary: dict[str, Any] = {"window": window, "cells": int(grid.mask.sum()), "blocks": {}}
    if not summary["cells"]:
        return summary
    winp = window_inputs(inputs, grid)
    ctx = WindowContext(winp, figures=figures, row0=window.row0, col0=window.col0)
    base = Path(folder)
    coarse: dict[str, NDArray[Any]] = {
        "mask": block_means(grid.mask, factor).astype(np.float32)}
    for code in inputs.plan.catalog.codes:
        res = score(winp, industry=code, context=ctx, learned_weight=0.0, keep_raw=False)
        blocks = {
            "score": write_block(base / f"{code}_score_{window.key}.tif", res.score,
                                 row0=window.row0, col0=window.col0,
                                 transform=frame.transform, crs=frame.crs,
                                 nodata=SCORE_NODATA),
            "flags": write_block(base / f"{code}_flags_{window.key}.tif", res.flags,
                                 row0=window.row0, col0=window.col0,
                                 transform=frame.transform, crs=frame.crs, nodata=None),
        }
        summary["blocks"][code] = blocks
        eligible = res.eligible
        for name, value in res.criteria.items():
            coarse[f"{code}/{name}"] = block_means(
                np.where(eligible & ~np.isnan(value), value, np.float32(0.0)), factor)
        coarse[f"{code}/flags"] = majority_flags(res.flags, factor)
        summary.setdefault("eligible", {})[code] = int(eligible.sum())
        summary.setdefault("score_sum", {})[code] = float(
            np.nansum(res.score[eligible], dtype=np.float64))
        del res
        ctx.forget(code)
    np.savez(base / f"coarse_{window.key}.npz", **coarse)  # type: ignore[arg-type]
    summary["seconds"] = time.perf_counter() - t
    return summary


# --- the run ---------------------------------------------------------------------------------


@dataclass
class CoarseScores:
    """The allocation grid's scores of a chunked plan, read from the windows' block means.

    Attributes
    ----------
    inputs
        The plan's inputs (``grid`` the allocation grid).
    folder
        Where the windows wrote their ``coarse_<row>_<col>.npz``.
    windows
        The windows scored.
    factor
        Analysis cells per side of an allocation cell.
    weights, weight_source
        Each industry's normalised weights and their source (from the plan).
    """

    inputs: PlanInputs
    folder: Path
    windows: Sequence[Window]
    factor: int
    weights: Mapping[str, Mapping[str, float]]
    weight_source: Mapping[str, str]

    def results_for(self, grid: Grid) -> dict[str, SuitabilityResult]:
        """Every industry's `SuitabilityResult` on ``grid``, a window of the allocation grid.

        Raises
        ------
        ValueError
            When ``grid`` is not aligned with the allocation grid.
        """
        g0 = self.inputs.grid
        col = (grid.x0 - g0.x0) / g0.cell
        row = (g0.y_top - grid.y_top) / g0.cell
        if grid.cell != g0.cell or abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
            raise ValueError("the grid is not a window of the allocation grid")
        r0, c0 = round(row), round(col)
        codes = list(self.inputs.plan.catalog.codes)
        arrays: dict[str, F32] = {}
        flags: dict[str, NDArray[np.uint16]] = {}
        names = {code: list(self.weights[code]) for code in codes}
        for code in codes:
            for name in names[code]:
                arrays[f"{code}/{name}"] = np.zeros(grid.shape, np.float32)
            flags[code] = np.full(grid.shape, np.uint16(CONSTRAINT_BITS["outside_study_area"]))
        f = self.factor
        for w in self.windows:
            br0, bc0 = w.row0 // f, w.col0 // f
            bnr, bnc = -(-w.nrows // f), -(-w.ncols // f)
            rs, re_ = max(br0, r0), min(br0 + bnr, r0 + grid.nrows)
            cs, ce = max(bc0, c0), min(bc0 + bnc, c0 + grid.ncols)
            path = self.folder / f"coarse_{w.key}.npz"
            if rs >= re_ or cs >= ce or not path.exists():
                continue
            src = (slice(rs - br0, re_ - br0), slice(cs - bc0, ce - bc0))
            dst = (slice(rs - r0, re_ - r0), slice(cs - c0, ce - c0))
            with np.load(path) as data:
                for code in codes:
                    for name in names[code]:
                        arrays[f"{code}/{name}"][dst] = data[f"{code}/{name}"][src]
                    flags[code][dst] = data[f"{code}/flags"][src]
        out = {}
        plan = self.inputs.plan
        exclude = plan.exclude_mask_bits
        for code in codes:
            fl = flags[code]
            fl[~grid.mask] |= np.uint16(CONSTRAINT_BITS["outside_study_area"])
            eligible = grid.mask & ((fl & np.uint16(exclude | ALWAYS_EXCLUDED)) == 0)
            crit = {}
            for name in names[code]:
                v = arrays[f"{code}/{name}"]
                v[~grid.mask] = np.nan
                crit[name] = v
            wts = dict(self.weights[code])
            total, _ = score_kernel(list(crit.values()), [wts[n] for n in crit], eligible)
            total[~grid.mask] = np.nan
            out[code] = SuitabilityResult(code, grid, total, crit, {}, wts,
                                          self.weight_source[code], fl, exclude, None, 0.0)
        return out


@dataclass
class ChunkedScores:
    """What `score_chunked` leaves: the score rasters, the coarse scores and figures.

    Attributes
    ----------
    paths
        ``(score, flags)`` COG paths by industry.
    coarse
        The allocation grid's scores (`CoarseScores`).
    figures
        The whole-area figures.
    windows
        Windows scored; ``cells`` the study-area cells among them.
    timings
        Seconds of each step.
    """

    paths: dict[str, tuple[Path, Path]]
    coarse: CoarseScores
    figures: AreaFigures
    windows: list[Window]
    cells: int
    eligible: dict[str, int] = field(default_factory=dict)
    mean_score: dict[str, float] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def score_chunked(inputs: PlanInputs, folder: str | Path, *, client: Any,
                  work: str | Path, industries: Iterable[str] | None = None) -> ChunkedScores:
    """Score a chunked plan into ``folder`` (module docstring).

    Parameters
    ----------
    inputs
        A plan loaded for the dask engine (``inputs.engine == "dask"``).
    folder
        Where ``<code>_score.tif`` and ``<code>_flags.tif`` are written.
    client
        A ``distributed.Client`` (`layout.core.cluster.dask_client`).
    work
        A folder for the blocks and block means, on a filesystem the workers share; the
        blocks are deleted after assembly, the block means kept for `CoarseScores`.
    """
    if inputs.frame is None:
        raise ConfigError(f"{inputs.plan.label}: the plan was loaded for the memory engine")
    if float(inputs.plan.suitability.learned_weight) > 0:
        raise ConfigError(f"{inputs.plan.label}: [suitability] learned_weight needs the memory "
                          "engine; set it to 0 or [plan] engine = \"memory\"")
    frame = inputs.frame
    opts = inputs.plan.engine_options
    timings: dict[str, float] = {}
    multiple = window_multiple(inputs)
    side = max(multiple, -(-int(opts.chunk_cells) // multiple) * multiple)
    study = shapely.union_all(list(inputs.study_area.geometry))
    windows = plan_windows(frame, study, side=side)
    logger.info("chunked: %d windows of %d cells a side over %d x %d cells", len(windows), side,
                frame.nrows, frame.ncols)
    t = time.perf_counter()
    figures = area_figures(inputs, windows, client=client)
    timings["figures"] = time.perf_counter() - t

    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    factor = allocation_factor(inputs.plan)
    t = time.perf_counter()
    inputs_f = client.scatter(inputs, broadcast=True, hash=False)
    figures_f = client.scatter(figures, broadcast=True, hash=False)
    futures = client.map(_score_window, [inputs_f] * len(windows), [figures_f] * len(windows),
                         windows, [str(work)] * len(windows), [factor] * len(windows),
                         pure=False)
    summaries = client.gather(futures)
    timings["windows"] = time.perf_counter() - t

    t = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    codes = list(inputs.plan.catalog.codes)
    weights: dict[str, dict[str, float]] = {}
    sources: dict[str, str] = {}
    from layout.config.criteria import industry_weights

    for code in codes:
        specs = criterion_specs(inputs.plan, code)
        weights[code] = {k: s.weight for k, s in specs.items()}
        sources[code] = industry_weights(inputs.plan, code)[1]
    jobs = []
    for code in codes:
        blocks: dict[str, list[Block]] = {"score": [], "flags": []}
        for s in summaries:
            for kind, block in s["blocks"].get(code, {}).items():
                blocks[kind].append(block)
        jobs.append(client.submit(
            assemble_score_raster, folder, industry=code, frame=frame,
            score_blocks=blocks["score"], flag_blocks=blocks["flags"],
            weights=weights[code], labels={n: contribution_label(n, "en") for n in weights[code]},
            weight_source=sources[code], exclude_bits=inputs.plan.exclude_mask_bits,
            bit_names=CONSTRAINT_BITS, pure=False))
    written = client.gather(jobs)
    timings["assemble"] = time.perf_counter() - t
    for s in summaries:
        for per_code in s["blocks"].values():
            for block in per_code.values():
                Path(block.path).unlink(missing_ok=True)
    cells = sum(int(s["cells"]) for s in summaries)
    eligible = {code: sum(s.get("eligible", {}).get(code, 0) for s in summaries)
                for code in codes}
    mean = {code: (sum(s.get("score_sum", {}).get(code, 0.0) for s in summaries)
                   / eligible[code] if eligible[code] else float("nan")) for code in codes}
    coarse = CoarseScores(inputs, work, windows, factor, weights, sources)
    logger.info("chunked: %s cells scored in %.1f s", f"{cells:,}", sum(timings.values()))
    return ChunkedScores(dict(zip(codes, written, strict=True)), coarse, figures, windows,
                         cells, eligible, mean, timings)


def remove_work(work: str | Path) -> None:
    """Delete a chunked run's work folder (block means included)."""
    shutil.rmtree(work, ignore_errors=True)
