"""Linear barriers: expressways and railways that no site spans.

A site is one piece of land a project can use as a whole; an expressway or a railway through it
splits it into pieces that only an interchange or a bridge joins. So the cells that such a line
passes through (every cell whose square it touches, computed exactly by
`layout.analysis.roadpieces.lines_cells`; GDAL's ``all_touched`` misses cells on some diagonals) go
to no site. Sites grow 4-connected (`layout.allocation.candidates.
grow_region`) and the touched cells of a line form an unbroken band, so no site reaches across;
the band is the line's land and its legal margin, which is not building land either — the
building control zone of at least 30 m beside an expressway's land (《公路安全保护条例》第十一条)
and the railway line safety protection zone of 8 to 20 m each side (《铁路安全管理条例》第二十七条).
At 100 m cells the band is about 100 to 140 m wide.

Which kinds are barriers is ``[allocation] barriers`` (default expressways and railways; main
roads run through zones and are not).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from layout.analysis.roadpieces import lines_cells
from layout.model.grid import Grid


def barrier_cells(lines: gpd.GeoDataFrame, grid: Grid, *,
                  kinds: Sequence[str]) -> NDArray[np.bool_]:
    """Cells that a line of one of ``kinds`` passes through (every cell its path touches).

    Parameters
    ----------
    lines
        The ``transport_lines`` layer (column ``kind``), in any CRS (reprojected to the grid's).
    grid
        The analysis grid.
    kinds
        The kinds that are barriers; empty gives no barrier cell.

    Returns
    -------
    numpy.ndarray
        bool of the grid's shape, True on a barrier.

    Examples
    --------
    >>> import shapely
    >>> from pyproj import CRS
    >>> g = Grid(CRS.from_epsg(4547), 0.0, 400.0, 100.0, 4, 4, np.ones((4, 4), bool))
    >>> road = gpd.GeoDataFrame({"kind": ["expressway", "main_road"]}, crs="EPSG:4547",
    ...     geometry=[shapely.LineString([(0, 250), (400, 250)]),
    ...               shapely.LineString([(250, 0), (250, 400)])])
    >>> barrier_cells(road, g, kinds=["expressway"]).astype(int).tolist()
    [[0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]]
    """
    if not len(kinds) or lines is None or not len(lines):
        return np.zeros(grid.shape, bool)
    chosen = lines[lines["kind"].astype(str).isin([str(k) for k in kinds])]
    if not len(chosen):
        return np.zeros(grid.shape, bool)
    return lines_cells(chosen.to_crs(grid.crs), grid, kinds=kinds)
