"""The analysis grid: a north-up raster of square cells over the study area, in a metric CRS.

Cell ``(row, col)`` has its centre at ``x = x0 + (col + 0.5) * cell``,
``y = y_top - (row + 0.5) * cell`` (the rasterio convention: row 0 is the northern edge).
Cells outside the study area are masked (``mask`` is False there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from numpy.typing import NDArray
from pyproj import CRS
from rasterio import features

from layout import settings
from layout.errors import ConfigError
from layout.io.crs import require_crs


def grid_shape(bounds: Sequence[float], resolution: float) -> tuple[int, int]:
    """``(nrows, ncols)`` of the grid of cell size ``resolution`` covering ``bounds``.

    The grid is snapped to multiples of the cell size (so that grids of one resolution align),
    as `Grid.from_boundary` builds it; knowing the shape first lets a caller check the memory a
    run needs before any array is allocated.

    Examples
    --------
    >>> grid_shape((50, 0, 1000, 500), 100)
    (5, 10)
    """
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    x0 = math.floor(xmin / resolution) * resolution
    y_top = math.ceil(ymax / resolution) * resolution
    return math.ceil((y_top - ymin) / resolution), math.ceil((xmax - x0) / resolution)


@dataclass(frozen=True)
class Grid:
    """A north-up grid of square cells in a projected CRS.

    Attributes
    ----------
    crs
        Projected CRS of the grid (metres).
    x0, y_top
        Western and northern edges of the grid, in CRS units.
    cell
        Cell size in metres.
    nrows, ncols
        Shape of the grid.
    mask
        Boolean array ``(nrows, ncols)``: True for cells inside the study area.
    """

    crs: CRS
    x0: float
    y_top: float
    cell: float
    nrows: int
    ncols: int
    mask: NDArray[np.bool_] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.crs.is_projected:
            raise ConfigError(
                f"the analysis grid needs a projected CRS, got {self.crs.to_string()}"
            )
        if self.cell <= 0:
            raise ConfigError(f"grid cell size must be positive, got {self.cell}")
        if self.mask.shape != self.shape:
            raise ConfigError(f"grid mask has shape {self.mask.shape}, expected {self.shape}")

    @property
    def shape(self) -> tuple[int, int]:
        """``(nrows, ncols)``."""
        return (self.nrows, self.ncols)

    @property
    def transform(self) -> Affine:
        """The rasterio affine transform of the grid."""
        return Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y_top)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` of the grid."""
        return (
            self.x0,
            self.y_top - self.nrows * self.cell,
            self.x0 + self.ncols * self.cell,
            self.y_top,
        )

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell in square metres."""
        return self.cell * self.cell

    @property
    def n_cells(self) -> int:
        """Number of cells inside the study area."""
        return int(self.mask.sum())

    def x_centres(self) -> NDArray[np.float64]:
        """X of the centre of each column."""
        return self.x0 + (np.arange(self.ncols, dtype=np.float64) + 0.5) * self.cell

    def y_centres(self) -> NDArray[np.float64]:
        """Y of the centre of each row (decreasing)."""
        return self.y_top - (np.arange(self.nrows, dtype=np.float64) + 0.5) * self.cell

    def centres(self, *, masked: bool = True) -> NDArray[np.float64]:
        """``(n, 2)`` array of cell-centre coordinates, row-major; only masked cells by default."""
        xx, yy = np.meshgrid(self.x_centres(), self.y_centres())
        if masked:
            return np.column_stack([xx[self.mask], yy[self.mask]])
        return np.column_stack([xx.ravel(), yy.ravel()])

    def rowcol(
        self, x: NDArray[np.float64], y: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Row and column of the cells holding points ``(x, y)`` (may fall outside the grid)."""
        col = np.floor((np.asarray(x) - self.x0) / self.cell).astype(np.int64)
        row = np.floor((self.y_top - np.asarray(y)) / self.cell).astype(np.int64)
        return row, col

    def rasterize(
        self,
        gdf: gpd.GeoDataFrame | gpd.GeoSeries,
        *,
        values: NDArray[np.generic] | None = None,
        fill: float = 0,
        dtype: str = "uint8",
        all_touched: bool = False,
    ) -> NDArray[np.generic]:
        """Burn geometries into an array of the grid's shape (later rows win where they overlap).

        The layer must be in the grid's CRS; it is reprojected if it is not (never assumed).
        """
        crs = require_crs(gdf, source="layer to rasterize")
        geo = gdf if crs.equals(self.crs) else gdf.to_crs(self.crs)
        geoms = geo.geometry if isinstance(geo, gpd.GeoDataFrame) else geo
        vals = np.ones(len(geoms)) if values is None else np.asarray(values)
        shapes = [
            (g, v) for g, v in zip(geoms, vals, strict=True) if g is not None and not g.is_empty
        ]
        if not shapes:
            return np.full(self.shape, fill, dtype=dtype)
        return features.rasterize(
            shapes,
            out_shape=self.shape,
            transform=self.transform,
            fill=fill,
            dtype=dtype,
            all_touched=all_touched,
        )

    def coverage(self, gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> NDArray[np.float32]:
        """Fraction (0-1) of each cell's area covered by the union of the geometries (exact).

        The polygons are clipped to every cell they touch (`exactextract
        <https://isciences.github.io/exactextract/>`_, exact polygon-cell intersection areas),
        so a polygon edge that cuts a cell gives the cell the share it really covers, where
        `rasterize` only asks whether the cell's centre is inside. Overlapping features count
        once. The layer must have a CRS; it is reprojected to the grid's.

        Examples
        --------
        >>> import shapely
        >>> g = Grid(CRS.from_epsg(4547), 0.0, 200.0, 100.0, 2, 2, np.ones((2, 2), bool))
        >>> part = gpd.GeoSeries([shapely.box(0, 100, 150, 200)], crs="EPSG:4547")
        >>> g.coverage(part).tolist()  # row 0 is the northern row
        [[1.0, 0.5], [0.0, 0.0]]
        """
        from exactextract import exact_extract
        from exactextract.raster import NumPyRasterSource

        crs = require_crs(gdf, source="layer to measure")
        geo = gdf if crs.equals(self.crs) else gdf.to_crs(self.crs)
        geoms = [g for g in geo.geometry if g is not None and not g.is_empty]
        out = np.zeros(self.nrows * self.ncols, np.float32)
        if not geoms:
            return out.reshape(self.shape)
        merged = gpd.GeoDataFrame(geometry=[shapely.union_all(geoms)], crs=self.crs)
        xmin, ymin, xmax, ymax = self.bounds
        # The raster's values are not read: only its grid (the ``cell_id`` and ``coverage``
        # operations), so one byte per cell is enough.
        src = NumPyRasterSource(np.zeros(self.shape, np.uint8), xmin, ymin, xmax, ymax,
                                srs_wkt=self.crs.to_wkt())
        table = exact_extract(src, merged, ["cell_id", "coverage"], output="pandas")
        if len(table):
            ids = np.asarray(table["cell_id"].iloc[0], dtype=np.int64)
            out[ids] = np.minimum(np.asarray(table["coverage"].iloc[0], np.float32), 1.0)
        return out.reshape(self.shape)

    @classmethod
    def from_boundary(
        cls,
        boundary: gpd.GeoDataFrame | gpd.GeoSeries,
        *,
        resolution: float | None = None,
        crs: str | CRS | None = None,
    ) -> Grid:
        """Build the grid covering a study-area boundary, masked to its inside.

        Parameters
        ----------
        boundary
            Study-area polygon(s), any CRS (it is reprojected to ``crs``).
        resolution
            Cell size in metres; `settings.grid_resolution` (100 m) by default.
        crs
            Projected CRS of the grid; `settings.default_crs` (EPSG:4547) by default.

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> sq = gpd.GeoSeries([shapely.box(0, 0, 1000, 500)], crs="EPSG:4547")
        >>> g = Grid.from_boundary(sq, resolution=100)
        >>> g.shape, g.n_cells
        ((5, 10), 50)
        """
        require_crs(boundary, source="study-area boundary")
        target = CRS.from_user_input(crs or settings.default_crs)
        res = float(resolution or settings.grid_resolution)
        geo = boundary.to_crs(target)
        xmin, _, _, ymax = geo.total_bounds
        nrows, ncols = grid_shape(geo.total_bounds, res)
        # Snap the grid to multiples of the cell size so that grids of the same resolution align.
        x0 = math.floor(xmin / res) * res
        y_top = math.ceil(ymax / res) * res
        return cls.masked(geo, crs=target, x0=x0, y_top=y_top, cell=res, nrows=nrows,
                          ncols=ncols)

    @classmethod
    def masked(cls, area: gpd.GeoDataFrame | gpd.GeoSeries, *, crs: CRS, x0: float,
               y_top: float, cell: float, nrows: int, ncols: int) -> Grid:
        """The grid of this geometry, its mask the cells whose centre lies in ``area``.

        ``area`` is in ``crs``. `from_boundary` and the windows of a `GridFrame` build their
        masks here, so a window's mask equals that window of the whole grid's.
        """
        tmp = cls(crs, x0, y_top, cell, nrows, ncols, np.ones((nrows, ncols), dtype=bool))
        mask = tmp.rasterize(area, dtype="uint8").astype(bool)
        return cls(crs, x0, y_top, cell, nrows, ncols, mask)


@dataclass(frozen=True)
class GridFrame:
    """A grid's geometry without its mask: what windows are cut from.

    Attributes mean what they mean in `layout.model.grid.Grid`. A province at 30 m has
    hundreds of millions of cells; its frame is a few numbers, and each window rasterises its
    own part of the study area.
    """

    crs: CRS
    x0: float
    y_top: float
    cell: float
    nrows: int
    ncols: int

    @classmethod
    def of(cls, grid: Grid) -> GridFrame:
        """The frame of a grid."""
        return cls(grid.crs, grid.x0, grid.y_top, grid.cell, grid.nrows, grid.ncols)

    @classmethod
    def from_bounds(cls, bounds: Sequence[float], *, resolution: float, crs: CRS) -> GridFrame:
        """The frame `Grid.from_boundary` builds over ``bounds`` (already in ``crs``).

        Examples
        --------
        >>> f = GridFrame.from_bounds((50, 0, 1000, 500), resolution=100,
        ...                           crs=CRS.from_epsg(4547))
        >>> f.x0, f.y_top, f.nrows, f.ncols
        (0.0, 500.0, 5, 10)
        """
        res = float(resolution)
        nrows, ncols = grid_shape(bounds, res)
        return cls(crs, math.floor(float(bounds[0]) / res) * res,
                   math.ceil(float(bounds[3]) / res) * res, res, nrows, ncols)

    @property
    def n_cells(self) -> int:
        """Cells of the frame, inside the study area or not."""
        return self.nrows * self.ncols

    @property
    def transform(self) -> Affine:
        """The affine transform of the frame."""
        return Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y_top)

    def coarsened(self, factor: int, study_area: gpd.GeoDataFrame | gpd.GeoSeries) -> Grid:
        """The grid of ``factor`` x ``factor`` blocks of this frame, from its origin, masked.

        Block ``(i, j)`` holds the cells of rows ``i*factor …`` and columns ``j*factor …``;
        the mask is the coarse cells whose centre lies in the study area.
        """
        nrows = -(-self.nrows // factor)
        ncols = -(-self.ncols // factor)
        return Grid.masked(study_area, crs=self.crs, x0=self.x0, y_top=self.y_top,
                           cell=self.cell * factor, nrows=nrows, ncols=ncols)

    def window(self, row0: int, col0: int, nrows: int, ncols: int,
               study_area: gpd.GeoDataFrame | gpd.GeoSeries) -> Grid:
        """The grid of rows ``row0 …`` and columns ``col0 …``, masked to the study area.

        The mask is rasterised as `layout.model.grid.Grid.from_boundary` rasterises it (cell
        centres inside the boundary), so it equals that window of the whole grid's mask.
        """
        return Grid.masked(study_area, crs=self.crs, x0=self.x0 + col0 * self.cell,
                           y_top=self.y_top - row0 * self.cell, cell=self.cell, nrows=nrows,
                           ncols=ncols)
