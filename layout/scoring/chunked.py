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
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from layout.analysis.window import AreaFigures, WindowContext, window_inputs
from layout.config.criteria import criterion_specs, industry_weights
from layout.data.inputs import PlanInputs, allocation_factor
from layout.errors import ConfigError
from layout.io.blockraster import Block, write_block
from layout.io.scoreblocks import assemble_score_raster
from layout.io.scoreraster import SCORE_NODATA
from layout.model.constraints import CONSTRAINT_BITS
from layout.model.criteria import contribution_label
from layout.model.grid import Grid
from layout.scoring.figures import area_figures
from layout.scoring.suitability import ALWAYS_EXCLUDED, SuitabilityResult, score, score_kernel
from layout.scoring.windows import Window, plan_windows, window_multiple

__all__ = ["ChunkedScores", "CoarseScores", "block_means", "majority_flags", "remove_work",
           "score_chunked"]

logger = logging.getLogger(__name__)

F32 = NDArray[np.float32]


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
