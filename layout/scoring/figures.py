"""The whole-area figures of a chunked plan, computed before any window is scored.

`area_figures` runs two passes of small dask tasks over the windows
(`layout.scoring.windows`) and sums their results as they finish, so the client never holds
every window's share: each kernel density's peak, the Gi* moments ``(n, sum y, sum y²)``, the
cells of the study area, and each industry's linkage scale, the 99th percentile of upstream +
downstream. That percentile is read from a log-spaced histogram (`log_bin`), then from
`HIST_BINS` equal bins inside the log bins of the two values NumPy's linear percentile
interpolates between (`histogram_percentile`): within about 1e-7 of ``np.percentile``. The
second pass reads only the windows whose values reach into those bins. Travel times are one
task on one graph; location quotients, and which distance features exist anywhere, come from
the enterprises on the allocation grid.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from layout.analysis.context import F32, CriteriaContext
from layout.analysis.criteria import TRANSPORT_KINDS, compute_raw, linkage_totals
from layout.analysis.window import AreaFigures, TravelRaster, window_inputs
from layout.config.criteria import criterion_specs
from layout.core import gistar
from layout.core.linkage import DEFAULT_PERCENTILE
from layout.data.inputs import PlanInputs
from layout.model.grid import GridFrame
from layout.scoring.windows import Window

__all__ = ["HIST_BINS", "LOG_BINS", "area_figures", "bin_rank", "histogram_percentile",
           "log_bin", "log_edges"]

logger = logging.getLogger(__name__)

#: Fine bins inside the log bin that holds the linkage percentile (`area_figures`).
HIST_BINS = 1 << 16
#: The distance criteria: their features are probed on the allocation grid for whether the
#: whole area has any (a window cannot tell "none here" from "none at all").
DISTANCE_CRITERIA = ("anchor", "infill", "labour", "residential_buffer")


def _needs(inputs: PlanInputs) -> dict[str, Any]:
    """What the figures need: density and Gi* keys, linkage parameters per industry."""
    dens: set[tuple[str, float, str]] = set()
    gi: set[tuple[str, str]] = set()
    link: dict[str, dict[str, Any]] = {}
    travel: set[tuple[str, float]] = set()
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
        out["density"][(code, bw, col)] = ctx.density_peak(code, bandwidth_m=bw,
                                                            weight_column=col)
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
