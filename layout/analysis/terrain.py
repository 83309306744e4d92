"""Terrain from a DEM: resampling onto the analysis grid and slope.

The DEM may be in any CRS and resolution; it is warped onto the grid with bilinear resampling
(rasterio), never assumed to line up. Slope uses Horn's (1981) 3×3 finite differences, the method
of GDAL ``gdaldem slope`` and ArcGIS, on the grid's metric cell size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from numpy.typing import NDArray
from rasterio.warp import Resampling, reproject

from layout.io.raster import check_raster, raster_error
from layout.model.grid import Grid


def dem_on_grid(path: str | Path, grid: Grid) -> NDArray[np.float32]:
    """Read a DEM and resample it onto the grid (metres a.s.l.; NaN where it has no data).

    Raises
    ------
    DataFileError
        When the file cannot be opened or decoded (not a raster, truncated, damaged).
    CRSError
        When the DEM has no CRS.
    """
    path = check_raster(path, what="DEM")
    out = np.full(grid.shape, np.nan, np.float32)
    try:
        with rasterio.open(path) as src:
            reproject(
                source=rasterio.band(src, 1),
                destination=out,
                src_nodata=src.nodata,
                dst_transform=grid.transform,
                dst_crs=grid.crs,
                dst_nodata=np.nan,
                resampling=Resampling.bilinear,
            )
    except rasterio.errors.RasterioError as exc:  # a block GDAL cannot decode: truncated
        raise raster_error(path, exc, what="DEM") from None
    return out


def slope_degrees(elev: NDArray[np.floating], cell: float) -> NDArray[np.float32]:
    """Slope in degrees by Horn's method; edges use the nearest valid neighbours.

    Examples
    --------
    A plane rising 10 m per 100 m cell eastwards has a slope of atan(0.1) = 5.71°:

    >>> import numpy as np
    >>> z = np.tile(np.arange(5) * 10.0, (4, 1))
    >>> round(float(slope_degrees(z, 100.0)[1, 2]), 2)
    5.71
    """
    z = np.asarray(elev, dtype=np.float64)
    # Fill NaN holes with the nearest value along the edge so that gradients stay finite.
    p = np.pad(z, 1, mode="edge")
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * cell)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8.0 * cell)
    return np.degrees(np.arctan(np.hypot(dzdx, dzdy))).astype(np.float32)


def slope_on_grid(path: str | Path, grid: Grid) -> NDArray[np.float32]:
    """Slope in degrees of a DEM resampled onto the grid (NaN where the DEM has no data)."""
    return slope_degrees(dem_on_grid(path, grid), grid.cell)
