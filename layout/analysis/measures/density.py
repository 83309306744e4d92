"""Kernel density of enterprises on the analysis grid (`kernel_density`)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from layout.analysis.measures.checks import check_enterprises
from layout.core.kde import kde_grid
from layout.errors import ConfigError
from layout.io.crs import require_projected
from layout.model.grid import Grid


def kernel_density(
    points: gpd.GeoDataFrame,
    grid: Grid,
    *,
    weight: str | None = "output_wan",
    bandwidth: float = 2000.0,
    cutoff: float = 4.0,
    fill: float = np.nan,
) -> NDArray[np.float64]:
    """Weighted Gaussian kernel density of points on the analysis grid, per km².

    Parameters
    ----------
    points
        Point layer in a projected CRS (reprojected to the grid's CRS if it differs).
    grid
        The analysis grid.
    weight
        Column of non-negative weights (default ``output_wan``: 万元 of output per km²), or None
        to count points (enterprises per km²).
    bandwidth
        Standard deviation of the Gaussian kernel, metres; at least half a cell, and 3 cells or
        more for the documented accuracy of `layout.core.kde.kde_grid` (0.5 % of the peak).
        The default 2 km is the scale of an industrial cluster zone (产业集聚区).
    cutoff
        Kernel truncation, in bandwidths.
    fill
        Value of cells outside ``grid.mask``.  NaN by default, so that a later normalisation
        (``nanmax``) is not driven by activity beyond the study area; points outside the area
        still add density to the cells inside near the boundary.

    Returns
    -------
    ndarray
        ``(nrows, ncols)`` density in weight units per km² (see `layout.core.kde.kde_grid`).

    Raises
    ------
    CRSError
        The points have no CRS or a geographic one.
    ValidationError
        A column is missing, a geometry is not a point, a weight is missing or negative.
    ConfigError
        ``bandwidth`` or ``cutoff`` out of range.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> sq = gpd.GeoSeries([shapely.box(0, 0, 2000, 2000)], crs="EPSG:4547")
    >>> grid = Grid.from_boundary(sq, resolution=100)
    >>> pts = gpd.GeoDataFrame({"output_wan": [500.0]}, geometry=[shapely.Point(1050, 950)],
    ...                        crs="EPSG:4547")
    >>> d = kernel_density(pts, grid, bandwidth=300)
    >>> round(float(d[10, 10]))  # 500 万元 / (2 pi (0.3 km)²)
    884
    """
    if not (math.isfinite(bandwidth) and bandwidth > grid.cell / 2):
        raise ConfigError(
            f"bandwidth must be more than half a cell ({grid.cell / 2:g} m), got "
            f"{bandwidth!r} m; the KDE is accurate to 0.5 % from 3 cells "
            f"({3 * grid.cell:g} m)"
        )
    if not (math.isfinite(cutoff) and cutoff >= 1):
        raise ConfigError(f"cutoff (kernel radius in bandwidths) must be >= 1, got {cutoff!r}")
    crs = require_projected(points, source="points for kernel density")
    check_enterprises(
        points, source="points for kernel density", numbers=[weight] if weight is not None else []
    )
    pts = points if crs.equals(grid.crs) else points.to_crs(grid.crs)
    w = None if weight is None else pts[weight].to_numpy(dtype=np.float64)
    dens = kde_grid(
        pts.geometry.x.to_numpy(),
        pts.geometry.y.to_numpy(),
        w,
        x0=grid.x0,
        y_top=grid.y_top,
        cell=grid.cell,
        nrows=grid.nrows,
        ncols=grid.ncols,
        bandwidth=bandwidth,
        cutoff=cutoff,
    )
    dens[~grid.mask] = fill
    return dens
