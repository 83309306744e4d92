"""The windows of a chunked plan: aligned squares of the analysis grid (`layout.scoring.chunked`).

Every window side is a multiple of each kernel density's coarse factor and of the allocation
factor (`window_multiple`), so a window's densities equal the whole grid's and its allocation
blocks are whole; windows that do not touch the study area are skipped (`plan_windows`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely

from layout.config.criteria import criterion_specs
from layout.data.inputs import PlanInputs, allocation_factor
from layout.model.grid import GridFrame

__all__ = ["Window", "kde_factors", "plan_windows", "window_multiple"]


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
