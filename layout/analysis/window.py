"""Criteria over one window of a grid too large to hold: `WindowContext` and what it needs.

The chunked engine (`layout.scoring.chunked`) scores a study area window by window. Most
criteria are local, and a `CriteriaContext` over a window gives exactly the window of the
whole grid's values: kernel densities (every point still contributes, `layout.core.kde`),
zone, county and constraint rasters, location quotients and ratios (from the enterprises, not
the grid). The others need either something of the whole study area or cells beyond the window,
and `WindowContext` supplies both:

* **whole-area figures** (`AreaFigures`, computed before any window is scored): each
  density's peak, the Gi* moments ``(n, sum y, sum y²)``, each industry's linkage scale, and the
  travel times, computed once on a travel grid (`TravelRaster`) and read cell by cell;
* **a halo**: cells around the window, within the whole grid, read for the focal operations and
  cut off afterwards. Gi* reads ``radius`` cells of per-cell sums around the window, slope one
  cell of the DEM, the 城镇建设适宜性 relief its window; distances read ``max_distance_m``
  around the window and **saturate there**: a distance at or beyond it is reported as
  ``max_distance_m`` (the plan's ``[engine] max_distance_m``), so the halo stays bounded.

With the whole-area figures of the same grid and travel times on the analysis grid itself, a
window equals the whole grid's window exactly, except for the saturated distances and round-off
in the Gi* moments (tests/scoring/test_chunked.py checks this on the embedded plan).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import ndimage

from layout.analysis.context import F32, CriteriaContext
from layout.core import gistar
from layout.data.inputs import PlanInputs
from layout.model.constraints import DRAWN_CONSTRAINT_TYPES
from layout.model.grid import Grid, GridFrame

__all__ = ["AreaFigures", "GridFrame", "TravelRaster", "WindowContext", "window_inputs"]


@dataclass(frozen=True)
class TravelRaster:
    """Travel minutes on a travel grid (its own cell size), read at the analysis cells.

    ``minutes`` covers ``frame``; a cell of the analysis grid takes the value of the travel
    cell holding its centre (NaN beyond the frame). With the analysis grid itself as the
    frame this is the identity.
    """

    frame: GridFrame
    minutes: F32

    def sample(self, grid: Grid) -> F32:
        """The minutes at the centres of ``grid``'s cells."""
        f = self.frame
        rows = np.floor((f.y_top - grid.y_centres()) / f.cell).astype(np.int64)
        cols = np.floor((grid.x_centres() - f.x0) / f.cell).astype(np.int64)
        ok_r = (rows >= 0) & (rows < f.nrows)
        ok_c = (cols >= 0) & (cols < f.ncols)
        out = self.minutes[np.clip(rows, 0, f.nrows - 1)[:, None],
                           np.clip(cols, 0, f.ncols - 1)[None, :]].astype(np.float32)
        out[~(ok_r[:, None] & ok_c[None, :])] = np.nan
        return out


@dataclass
class AreaFigures:
    """What a window needs of the whole study area (module docstring).

    Attributes
    ----------
    frame
        The whole grid's frame; halos never reach beyond it.
    max_distance_m
        Distances saturate here (the halo of the distance criteria).
    density_peak
        Peak over the study area of each kernel density, by ``(code, bandwidth_m, column)``.
    gi_moments
        ``(n, sum y, sum y²)`` of each industry's per-cell sums, by ``(code, column)``.
    linkage_scale
        Each industry's linkage scale (`layout.core.linkage.linkage_scale`).
    travel
        Travel minutes by ``(kind, offroad_kmh)``; None where the plan has no such target.
    landuse_limits
        `CriteriaContext.landuse_limits` of the whole area (geometries).
    shared
        Cache entries that do not depend on the grid (location quotients), by cache key.
    enterprise_regions
        `CriteriaContext.enterprise_regions` of the whole area.
    """

    frame: GridFrame
    max_distance_m: float
    density_peak: dict[tuple[str, float, str], float] = field(default_factory=dict)
    gi_moments: dict[tuple[str, str], tuple[float, float, float]] = field(default_factory=dict)
    linkage_scale: dict[str, float] = field(default_factory=dict)
    travel: dict[tuple[str, float], TravelRaster | None] = field(default_factory=dict)
    landuse_limits: dict[str, Any] = field(default_factory=dict)
    shared: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    enterprise_regions: pd.DataFrame | None = None


#: Up to this many feature cells, distances are measured to each directly (`nearest_distance`)
#: rather than by a distance transform of the whole halo.
FEW_FEATURES = 32


def nearest_distance(rows: NDArray[np.integer[Any]], cols: NDArray[np.integer[Any]],
                     grid: Grid) -> F32:
    """Distance in metres from each cell of ``grid`` to the nearest of the cells ``(rows, cols)``.

    The cells may lie outside the grid (negative or beyond its shape); distances are between
    cell centres, as `scipy.ndimage.distance_transform_edt` measures them.

    Examples
    --------
    >>> from pyproj import CRS
    >>> g = Grid(CRS.from_epsg(4547), 0.0, 300.0, 100.0, 3, 4, np.ones((3, 4), bool))
    >>> nearest_distance(np.array([-1]), np.array([0]), g)[:, 0].tolist()
    [100.0, 200.0, 300.0]
    """
    dy2 = ((np.arange(grid.nrows)[None, :] - np.asarray(rows)[:, None]) * grid.cell) ** 2.0
    dx2 = ((np.arange(grid.ncols)[None, :] - np.asarray(cols)[:, None]) * grid.cell) ** 2.0
    best = np.full(grid.shape, np.inf)
    for y2, x2 in zip(dy2, dx2, strict=True):
        np.minimum(best, y2[:, None] + x2[None, :], out=best)
    return np.sqrt(best).astype(np.float32)


def window_inputs(inputs: PlanInputs, grid: Grid) -> PlanInputs:
    """The plan's inputs with another grid (a window of its own, or a coarser one)."""
    return dataclasses.replace(inputs, grid=grid)


@dataclass(eq=False)
class WindowContext(CriteriaContext):
    """A `CriteriaContext` over one window, completed by whole-area figures and halos.

    Parameters
    ----------
    inputs
        The plan's inputs with the window as their grid (`window_inputs`).
    figures
        The whole-area figures (`AreaFigures`).
    row0, col0
        Position of the window's first cell in the whole grid.
    """

    figures: AreaFigures = field(default=None, repr=False)  # type: ignore[assignment]
    row0: int = 0
    col0: int = 0

    def __post_init__(self) -> None:
        self._cache.update(self.figures.shared)
        if self.figures.enterprise_regions is not None:
            self.__dict__["enterprise_regions"] = self.figures.enterprise_regions

    def forget(self, code: str) -> None:
        """Drop what only ``code`` uses (its density, Gi* and anchor distances) from the cache.

        The windows score one industry after another; what another industry still needs (the
        output densities linkage sums, the shared distances and travel times) is kept.
        """
        for key in list(self._cache):
            if (key[0] in ("density", "gi") and key[1] == code) or (
                    key[0] == "edt" and str(key[1]).split(",")[0] == f"anchor:{code}"):
                del self._cache[key]

    # halos ------------------------------------------------------------------------------------
    def halo(self, cells: int) -> tuple[CriteriaContext, tuple[slice, slice]]:
        """A plain context over this window grown by ``cells`` (within the whole grid).

        Returns the context and the slices that cut this window out of its arrays.
        """
        f = self.figures.frame
        g = self.grid
        top = min(cells, self.row0)
        left = min(cells, self.col0)
        bottom = min(cells, f.nrows - self.row0 - g.nrows)
        right = min(cells, f.ncols - self.col0 - g.ncols)
        big = f.window(self.row0 - top, self.col0 - left, g.nrows + top + bottom,
                       g.ncols + left + right, self.inputs.study_area)
        ctx = CriteriaContext(window_inputs(self.inputs, big))
        ctx._cache.update(self.figures.shared)
        return ctx, (slice(top, top + g.nrows), slice(left, left + g.ncols))

    # whole-area figures -----------------------------------------------------------------------
    def density(self, code: str, *, bandwidth_m: float, weight_column: str) -> F32:
        """The window of the kernel density, as a share of its peak over the whole area."""

        def compute() -> F32:
            dens = self._kde(code, float(bandwidth_m), weight_column)
            peak = self.figures.density_peak[(code, float(bandwidth_m), weight_column)]
            return (dens / peak if peak > 0 else dens * 0).astype(np.float32)

        return self._cached(("density", code, float(bandwidth_m), weight_column), compute)

    def gi_star(self, code: str, column: str, radius: float, metric: str) -> NDArray[np.float64]:
        """Gi* z-scores with the whole area's moments, read from a halo of ``radius`` cells."""

        def compute() -> NDArray[np.float64]:
            ctx, cut = self.halo(math.ceil(radius))
            values = ctx.cell_sum(code, column)
            moments = self.figures.gi_moments[(code, column)]
            if metric == "queen":
                z = gistar.gi_star(values, mask=ctx.grid.mask, radius=int(radius),
                                   metric="queen", moments=moments)
            else:
                z = gistar.gi_star(values, mask=ctx.grid.mask, radius=radius,
                                   metric="distance", moments=moments)
            return np.ascontiguousarray(z[cut])

        z: NDArray[np.float64] = self._cached(("gi", code, column, float(radius), metric), compute)
        return z

    def linkage_scale(self, code: str) -> float | None:
        """The industry's linkage scale over the whole area."""
        return self.figures.linkage_scale[code]

    def travel_minutes(self, kind: str, *, offroad_kmh: float) -> F32:
        """Travel minutes read from the whole area's travel raster (NaN without a target)."""
        raster = self.figures.travel.get((kind, float(offroad_kmh)))
        if raster is None:
            return np.full(self.grid.shape, np.nan, np.float32)
        return self._cached(("travel", kind, float(offroad_kmh)),
                            lambda: raster.sample(self.grid)).copy()

    # halos ------------------------------------------------------------------------------------
    def distance_to(self, key: str, cells_of: Callable[[CriteriaContext], NDArray[np.bool_]]
                    ) -> F32:
        """Distance to the features ``cells_of`` marks, read ``max_distance_m`` around.

        Saturates at ``max_distance_m``; NaN only where the whole area has no such feature,
        which a window cannot see: the whole-area figures record it in ``shared`` under
        ``("edt-empty", key)``.
        """

        def compute() -> F32:
            if self.figures.shared.get(("edt-empty", key)):
                return np.full(self.grid.shape, np.nan, np.float32)
            limit = float(self.figures.max_distance_m)
            ctx, cut = self.halo(math.ceil(limit / self.grid.cell))
            cells = cells_of(ctx)
            count = int(cells.sum())
            if not count:
                return np.full(self.grid.shape, limit, np.float32)
            if count <= FEW_FEATURES:  # a few anchors: their distances directly, no transform
                rows, cols = np.nonzero(cells)
                d = nearest_distance(rows - cut[0].start, cols - cut[1].start, self.grid)
                return np.minimum(d, np.float32(limit))
            d = ndimage.distance_transform_edt(~cells, sampling=self.grid.cell)
            return np.minimum(np.asarray(d[cut], np.float32), np.float32(limit))

        return self._cached(("edt", key), compute)

    @cached_property
    def slope(self) -> F32:
        """Slope in degrees, read with one cell of DEM around the window."""
        from layout.analysis.terrain import slope_on_grid

        if self.inputs.dem is None:
            return np.full(self.grid.shape, np.nan, np.float32)
        ctx, cut = self.halo(1)
        return np.ascontiguousarray(slope_on_grid(self.inputs.dem, ctx.grid)[cut])

    @cached_property
    def constraint_coverage(self) -> dict[str, F32]:
        """Covered share of each cell per constraint type (`CriteriaContext`), windowed.

        Polygons are cut to the window first; the land-use limits come from the whole area;
        the 城镇建设适宜性 不适宜 cells are graded with the relief window as halo, and cover
        their cells wholly.
        """
        g = self.grid
        box = shapely.box(*g.bounds)
        out: dict[str, F32] = {}
        cons = self.inputs.layer("constraints")
        if len(cons):
            cons = cons.iloc[cons.sindex.query(box, predicate="intersects")]
        for ctype in DRAWN_CONSTRAINT_TYPES:
            sub = cons[cons["type"] == ctype] if len(cons) else cons
            if len(sub):
                out[ctype] = g.coverage(sub)
        for ctype, geom in self.figures.landuse_limits.items():
            part = shapely.intersection(geom, box)
            if not part.is_empty:
                out[ctype] = g.coverage(gpd.GeoSeries([part], crs=g.crs))
        unsuitable = self.unsuitable_cells
        if unsuitable is not None and unsuitable.any():
            out["construction_unsuitable"] = unsuitable.astype(np.float32)
        outside = 1.0 - g.coverage(self.inputs.study_area)
        outside[~g.mask] = 1.0
        out["outside_study_area"] = outside.astype(np.float32)
        return out

    @cached_property
    def constraint_flags(self) -> NDArray[np.uint16]:
        """`CriteriaContext.constraint_flags`, after which the coverage arrays are dropped."""
        flags = CriteriaContext.constraint_flags.func(self)  # type: ignore[attr-defined]
        self.__dict__.pop("constraint_coverage", None)
        self.__dict__.pop("unsuitable_cells", None)
        return flags

    @cached_property
    def unsuitable_cells(self) -> NDArray[np.bool_] | None:
        """The window's 城镇建设适宜性 不适宜 cells (None without a DEM).

        Graded as `layout.analysis.construction.grade_grid` grades the whole grid, on the
        window grown by the relief window and the farthest ``[[location]]`` distance.
        """
        from layout.analysis.construction import grade_grid, location_lowering, window_cells
        from layout.analysis.terrain import dem_on_grid
        from layout.config.construction import load_rules
        from layout.model.construction import CLASSES

        if self.inputs.dem is None:
            return None
        rules = load_rules()
        layers = {k: self.inputs.layer(k) for k in {r.layer for r in rules.location}}
        # Slope and relief read the relief window around; the [[location]] rules' distances
        # (which lower grades, and the lowest grades are unsuitable) read their beyond_m.
        near = window_cells(float(rules.relief.window_m), self.grid.cell) + 1
        ctx, cut = self.halo(near)
        reach = max([0] + [math.ceil(float(r.beyond_m) / self.grid.cell) + 1
                           for r in rules.location])
        if reach > near:
            far, far_cut = self.halo(reach)
            lowered = location_lowering(far.grid, rules=rules, layers=layers)
            # The small halo's cells within the large one (both clamped to the whole grid).
            top = far_cut[0].start - cut[0].start
            left = far_cut[1].start - cut[1].start
            lower = np.ascontiguousarray(lowered[top:top + ctx.grid.nrows,
                                                 left:left + ctx.grid.ncols])
            del lowered
        else:
            lower = location_lowering(ctx.grid, rules=rules, layers=layers)
        elev = dem_on_grid(self.inputs.dem, ctx.grid)
        result = grade_grid(elev, ctx.grid, rules=rules,
                            constraints=self.inputs.layer("constraints"), lower=lower)
        return np.ascontiguousarray((result.classes == CLASSES["unsuitable"].code)[cut])

    @property
    def construction_limits(self) -> dict[str, Any]:
        """Not used by a window: `constraint_coverage` takes the graded cells directly."""
        return {}

