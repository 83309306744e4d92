"""A province's grid cut into its regions' grids (`layout.allocation.regional`).

Every cell of the plan grid belongs to at most one region (cell centre in the region's polygon,
later regions winning), so that no two regions' sites share a cell; each region's grid is the
window of the plan grid that ``Grid.from_boundary(region ∩ study area)`` would build at the same
resolution (grids of one resolution are snapped to multiples of the cell size, so they align),
masked to the region's cells.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from layout.errors import ConfigError
from layout.model.grid import Grid, grid_shape

__all__ = ["region_grids", "window_offset"]


def window_offset(grid: Grid, sub: Grid) -> tuple[int, int]:
    """Row and column of ``sub``'s top-left cell in ``grid`` (both of one resolution, aligned).

    Examples
    --------
    >>> from pyproj import CRS
    >>> g = Grid(CRS.from_epsg(4547), 0.0, 1000.0, 100.0, 10, 10, np.ones((10, 10), bool))
    >>> s = Grid(CRS.from_epsg(4547), 300.0, 800.0, 100.0, 2, 3, np.ones((2, 3), bool))
    >>> window_offset(g, s)
    (2, 3)
    """
    r = (grid.y_top - sub.y_top) / grid.cell
    c = (sub.x0 - grid.x0) / grid.cell
    if sub.cell != grid.cell or abs(r - round(r)) > 1e-6 or abs(c - round(c)) > 1e-6:
        raise ConfigError(f"the region grid (cell {sub.cell} m at {sub.x0}, {sub.y_top}) is not "
                          f"aligned with the plan grid (cell {grid.cell} m at {grid.x0}, "
                          f"{grid.y_top}); build both with Grid.from_boundary at one resolution")
    return round(r), round(c)


def region_grids(grid: Grid, regions: gpd.GeoDataFrame, *, study_area: gpd.GeoDataFrame
                 ) -> tuple[NDArray[np.int32], list[Grid | None]]:
    """The region of every cell of ``grid`` and each region's grid.

    A region's grid has the extent ``Grid.from_boundary(region ∩ study area)`` gives it (the
    bounds snapped to the cell size, so it is a window of ``grid``) and is masked to the cells
    ``index`` gives the region.

    Returns
    -------
    index : ndarray
        ``grid.shape`` int32: position of the cell's region in ``regions`` (cell centre in the
        polygon, later rows winning), −1 outside the study area or every region.
    grids : list
        Per region, its grid; None for a region with no cell.
    """
    idx = grid.rasterize(regions, values=np.arange(1, len(regions) + 1), dtype="int32")
    index = np.where(grid.mask, idx.astype(np.int32) - 1, -1).astype(np.int32)
    study = shapely.union_all(study_area.to_crs(grid.crs).geometry.values)
    grids: list[Grid | None] = []
    for k in range(len(regions)):
        inside = index == k
        part = shapely.intersection(regions.geometry.iloc[k], study)
        if not inside.any() or part.is_empty:
            grids.append(None)
            continue
        xmin, _, _, ymax = part.bounds
        x0 = math.floor(xmin / grid.cell) * grid.cell
        y_top = math.ceil(ymax / grid.cell) * grid.cell
        nrows, ncols = grid_shape(part.bounds, grid.cell)
        r0, c0 = round((grid.y_top - y_top) / grid.cell), round((x0 - grid.x0) / grid.cell)
        # The window within the plan grid (a region's cells are inside it by construction).
        r0, c0 = max(r0, 0), max(c0, 0)
        r1, c1 = min(r0 + nrows, grid.nrows), min(c0 + ncols, grid.ncols)
        rows = np.flatnonzero(inside.any(axis=1))
        cols = np.flatnonzero(inside.any(axis=0))
        r0, c0 = min(r0, int(rows[0])), min(c0, int(cols[0]))
        r1, c1 = max(r1, int(rows[-1]) + 1), max(c1, int(cols[-1]) + 1)
        grids.append(Grid(grid.crs, grid.x0 + c0 * grid.cell, grid.y_top - r0 * grid.cell,
                          grid.cell, r1 - r0, c1 - c0, inside[r0:r1, c0:c1].copy()))
    return index, grids
