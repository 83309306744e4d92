"""An offline tile pyramid of an industry's suitability surface, for grids too big for one image.

When a map gets tiles
---------------------
When the grid's long side is at least ``2 × MAX_PIXELS`` cells (2,400; `needs_tiles`): exactly
when the inline surface image is read decimated (`layout.io.scoreraster.decimated_shape`), that
is when it would show less than half the cells along the long side.  Below that nothing changes
(the embedded plan's 805 × 1379 grid has no tiles).

The pyramid
-----------
XYZ tiles (Web Mercator, 256 px, rows counted from the north, as Leaflet and OpenStreetMap),
palette PNGs written to ``maps/tiles/<code>/{z}/{x}/{y}.png`` next to ``industry_<code>.html``,
which loads them by the *relative* URL template ``tiles/<code>/{z}/{x}/{y}.png``: the map still
opens from ``file://`` with no network, and the maps folder can be moved as a whole.  The
palette is the inline image's (`layout.products.maps.surface.SurfaceImage.palette`): scores
0–100 in viridis, excluded cells in hatched greys (the hatch continues across tile edges),
transparent outside the study area.  A tile with no cell of the study area is not written;
Leaflet then shows its ``errorTileUrl``, a transparent 1 × 1 PNG.

Zoom range (`zoom_range`):

* the deepest zoom is the one whose pixel, in ground metres at the extent's mid-latitude, is
  closest (on a log scale) to the cell size; then it is lowered while the tiles over the
  extent's bounding box, summed over all zooms, exceed `MAX_TILES` (4,096) per industry;
* the shallowest is the deepest zoom at which the extent fits in `FIT_TILES` (4) tiles.

Leaflet draws the shallowest tiles scaled down when zoomed out further and the deepest scaled up
when zoomed in further.  Tile counts over the bounding box per industry (upper bounds: empty
tiles are not written):

=======================================  =========  ==================================  =====
extent, cells                            zooms      tiles per zoom                      total
=======================================  =========  ==================================  =====
Henan at 30 m (110.35–116.65° E,         6–11       4, 9, 25, 90, 342, 1,295            1,765
31.38–36.37° N; 19,000 × 18,500)
Zhengzhou at 30 m (112.7–114.2° E,       8–12       4, 9, 20, 54, 198                     285
34.3–35.0° N; 4,600 × 2,600)
Zhengzhou at 50 m (2,760 × 1,560)        8–11       4, 9, 20, 54                           87
=======================================  =========  ==================================  =====

For Henan the zoom with the pixel closest to 30 m is 12 (31.6 m at 33.9° N), but with its 5,037
tiles the total would pass `MAX_TILES`, so the deepest is 11 (63 m pixels); a synthetic
19,000 × 18,500 COG with an elliptic study area writes 1,433 tiles (2.2 MB) in about 11–15 s on
2 shared cores (``benchmarks/bench_tiles.py``).

Sampling
--------
Every pixel takes the cell under its centre (nearest neighbour): the pixel centres are
transformed from EPSG:3857 to the grid's CRS with pyproj (`pixel_centres`: exactly every 8th,
interpolated between, as GDAL's approximate transformer does) -- what GDAL's nearest warp (a
``WarpedVRT``) does, with the resolution chosen explicitly -- and looked up in the coarsest
level of the COG (the grid or one of its overviews: `layout.io.scoreraster.ScoreRaster.levels`)
whose cell is no larger than the tile's pixel, reading only the window under the tile.  At the
deepest zoom that is the grid itself; shallower zooms read the overviews the COG was written
with (scores averaged, flags by nearest: bits are never averaged).  With a Gaode basemap the
tiles are shifted by the same GCJ-02 offset as the inline image.

The output is deterministic: the same rasters give the same files, byte for byte (palette PNGs
without metadata, tiles written in a fixed order).

The inline image stays
----------------------
The map keeps the inline image (`layout.products.maps.surface.surface_image`): the click probe
reads the score there, from its coarser grid.  With tiles it lies beneath them fully transparent
(opacity 0, out of the layer list), and the tile layer is the map's "suitability" layer.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from affine import Affine
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from layout.io.scoreraster import ScoreRaster
from layout.model.constraints import OUTSIDE_BIT
from layout.products.maps.surface import (
    MAX_PIXELS,
    SurfaceImage,
    excluded_pair,
    palette_png,
    pixel_index,
)
from layout.products.maps.tilegrid import (
    FIT_TILES,
    MAX_TILES,
    MERC_RADIUS,
    TILE_SIZE,
    count_tiles,
    merc_y,
    mid_latitude,
    pixel_centres,
    tile_bounds,
    tile_range,
    zoom_range,
)

__all__ = [
    "EMPTY_TILE",
    "FIT_TILES",
    "MAX_TILES",
    "TILE_CSS",
    "TILE_SIZE",
    "TilePyramid",
    "count_tiles",
    "needs_tiles",
    "pixel_centres",
    "tile_bounds",
    "tile_layer",
    "tile_range",
    "write_tiles",
    "zoom_range",
]

if TYPE_CHECKING:
    import folium

logger = logging.getLogger(__name__)

#: GDAL block cache while tiles are made, in MB.
CACHE_MB = 64
#: A transparent 1 × 1 PNG, shown where no tile was written.
EMPTY_TILE = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
#: Style of the tile layer's images (cells drawn as squares when zoomed past the tiles).
TILE_CSS = ".layout-surface img.leaflet-tile { image-rendering: pixelated; }\n"
@dataclass(frozen=True)
class TilePyramid:
    """A written tile pyramid, as the map references it.

    Attributes
    ----------
    url
        Relative URL template of the tiles (``tiles/<code>/{z}/{x}/{y}.png``).
    min_zoom, max_zoom
        Shallowest and deepest zoom written.
    bounds
        ``[[south, west], [north, east]]`` in WGS84 lon/lat of the area tiled.
    cell_m
        Cell size of the grid, in metres.
    written
        Tiles written per zoom (empty tiles are not).
    """

    url: str
    min_zoom: int
    max_zoom: int
    bounds: list[list[float]]
    cell_m: float
    written: dict[int, int] = field(default_factory=dict)


def needs_tiles(shape: tuple[int, int], *, max_pixels: int = MAX_PIXELS) -> bool:
    """Whether a grid of ``(rows, cols)`` cells gets a tile pyramid (module docstring).

    Examples
    --------
    >>> needs_tiles((805, 1379)), needs_tiles((18500, 19000))
    (False, True)
    """
    return max(shape) >= 2 * max_pixels


def tile_layer(
    pyramid: TilePyramid, *, name: str, opacity: float = 1.0
) -> folium.raster_layers.TileLayer:
    """The Leaflet layer of a written pyramid: relative URLs, so it loads from ``file://``.

    Leaflet draws the shallowest tiles scaled down at shallower zooms and the deepest scaled up
    at deeper ones (``minNativeZoom``/``maxNativeZoom``), requests none outside the pyramid's
    bounds, and shows `EMPTY_TILE` where no tile was written.  ``name`` is shown in the layer
    list as it is (escape it).
    """
    import folium

    return folium.raster_layers.TileLayer(
        tiles=pyramid.url,
        attr="&#8203;",  # folium requires one for custom tiles; an invisible space
        name=name,
        overlay=True,
        control=True,
        opacity=opacity,
        tms=False,
        min_zoom=0,
        max_zoom=22,
        max_native_zoom=pyramid.max_zoom,
        minNativeZoom=pyramid.min_zoom,
        bounds=pyramid.bounds,
        errorTileUrl=EMPTY_TILE,
        tileSize=TILE_SIZE,
        pane="surface",
        className="layout-surface",
        noWrap=True,
    )


def _image_bounds(image: SurfaceImage) -> tuple[float, float, float, float]:
    t = image.transform
    if t is None:
        raise ValueError("the surface image has no transform; make it with surface_image")
    height, width = image.shape
    west, north = t.c, t.f
    east, south = t.c + t.a * width, t.f + t.e * height
    return min(west, east), min(south, north), max(west, east), max(south, north)


def write_tiles(
    score_path: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    *,
    image: SurfaceImage,
    exclude_bits: int,
    url: str,
    shift: tuple[float, float] = (0.0, 0.0),
    max_tiles: int = MAX_TILES,
) -> TilePyramid:
    """Write the tile pyramid of ``<code>_score.tif`` (and its flags) into ``folder``.

    Parameters
    ----------
    score_path
        ``<code>_score.tif``, its ``<code>_flags.tif`` next to it (a COG with overviews reads
        fastest; any GeoTIFF works).
    folder
        Where ``{z}/{x}/{y}.png`` are written (created; nothing else is touched).
    image
        The map's inline surface image (`surface_image`): its palette, combinations of
        exclusion reasons and Web Mercator extent.
    exclude_bits
        Bits that exclude a cell (`SuitabilitySurface.exclude_bits`).
    url
        The relative URL template the map will use (``tiles/<code>/{z}/{x}/{y}.png``).
    shift
        ``(east, north)`` degrees the inline image is shifted by (the Gaode basemap's GCJ-02
        offset, `layout.products.maps.basemap.shift_bounds`); the tiles follow it.
    max_tiles
        Cap of `zoom_range`.

    Returns
    -------
    TilePyramid
        Zooms, bounds and the tiles written per zoom.

    Examples
    --------
    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> from layout.io.scoreraster import write_score_raster
    >>> from layout.products.maps.surface import read_surface, surface_image
    >>> from affine import Affine
    >>> tmp = Path(tempfile.mkdtemp())
    >>> grid = SimpleNamespace(crs="EPSG:4547", nrows=40, ncols=60,
    ...                        transform=Affine(100, 0, 400000, 0, -100, 3850000))
    >>> score = np.tile(np.linspace(0, 100, 60, dtype=np.float32), (40, 1))
    >>> _ = write_score_raster(tmp, industry="food", grid=grid, score=score,
    ...     criteria={"c": score / 100}, labels={"c": "c"}, weights={"c": 1.0},
    ...     weight_source="direct", flags=np.zeros((40, 60), np.uint16), exclude_bits=0,
    ...     bit_names={})
    >>> surface = read_surface(tmp / "food_score.tif")
    >>> pyramid = write_tiles(tmp / "food_score.tif", tmp / "tiles", image=surface_image(surface),
    ...                       exclude_bits=0, url="tiles/food/{z}/{x}/{y}.png")
    >>> pyramid.min_zoom, pyramid.max_zoom, sum(pyramid.written.values())
    (10, 10, 1)
    """
    folder = Path(folder)
    bounds = _image_bounds(image)
    west, south, east, north = bounds
    dx = math.radians(shift[0]) * MERC_RADIUS
    lat_c = mid_latitude(bounds)
    dy = merc_y(lat_c + shift[1]) - merc_y(lat_c)
    shifted = (west + dx, south + dy, east + dx, north + dy)
    palette = list(image.palette)
    if len(palette) < 103:  # no excluded pair in the image: tiles may still need one
        palette += excluded_pair(0)
    import rasterio

    written: dict[int, int] = {}
    # GDAL's block cache defaults to 5 % of the RAM (1.2 GB of 23 GB) and fills up over a
    # province's tiles; neighbouring tiles share blocks, so a small cache is as fast.
    with rasterio.Env(GDAL_CACHEMAX=CACHE_MB), ScoreRaster(score_path) as raster:
        profile = raster.profile
        crs = CRS.from_user_input(profile["crs"])
        cell_m = abs(float(profile["transform"].a))
        zmin, zmax = zoom_range(shifted, cell_m=cell_m, max_tiles=max_tiles)
        levels = raster.levels()
        to_grid = Transformer.from_crs("EPSG:3857", crs, always_xy=True)
        for z in range(zmin, zmax + 1):
            x0, x1, y0, y1 = tile_range(shifted, z)
            n = 0
            for y in range(y0, y1 + 1):
                for x in range(x0, x1 + 1):
                    index = _tile(raster, levels, to_grid, z, x, y, shift=(dx, dy),
                                  exclude_bits=exclude_bits, slots=image.slots)
                    if index is None:
                        continue
                    path = folder / str(z) / str(x) / f"{y}.png"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(palette_png(index, palette))
                    n += 1
            written[z] = n
    to_lonlat = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    (w, e), (s, nn) = to_lonlat.transform(
        [shifted[0], shifted[2]], [shifted[1], shifted[3]]
    )
    logger.info("%s: %d tiles at zooms %d-%d in %s", score_path, sum(written.values()),
                zmin, zmax, folder)
    return TilePyramid(
        url=url,
        min_zoom=zmin,
        max_zoom=zmax,
        bounds=[[round(float(s), 7), round(float(w), 7)],
                [round(float(nn), 7), round(float(e), 7)]],
        cell_m=cell_m,
        written=written,
    )


def _tile(
    raster: ScoreRaster,
    levels: list[tuple[Affine, tuple[int, int]]],
    to_grid: Transformer,
    z: int,
    x: int,
    y: int,
    *,
    shift: tuple[float, float],
    exclude_bits: int,
    slots: Mapping[int, int],
) -> NDArray[np.uint8] | None:
    """Palette indices of tile ``z/x/y``, or None when no pixel falls in the study area."""
    gx, gy = pixel_centres(z, x, y, to_grid, shift=shift)
    # The tile's pixel in grid units, measured along its middle row.
    mid = TILE_SIZE // 2
    pixel = math.hypot(gx[mid, mid + 1] - gx[mid, mid], gy[mid, mid + 1] - gy[mid, mid])
    level = 0
    for k, (t, _) in enumerate(levels):
        if abs(t.a) <= pixel * (1 + 1e-9):
            level = k
    t, (rows, cols) = levels[level]
    col = np.floor((gx - t.c) / t.a).astype(np.int64)
    row = np.floor((gy - t.f) / t.e).astype(np.int64)
    ok = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    if not ok.any():
        return None
    r0, r1 = int(row[ok].min()), int(row[ok].max()) + 1
    c0, c1 = int(col[ok].min()), int(col[ok].max()) + 1
    window = (r0, r1, c0, c1)
    step = int(pixel // abs(t.a))
    flagged = raster.flags_path.exists()
    if step >= 2 and level == 0:
        # A GeoTIFF without overviews: read the window decimated (nearest), never whole.
        shape = (math.ceil((r1 - r0) / step), math.ceil((c1 - c0) / step))
        score_win = raster.read([1], window, out_shape=shape)[0]
        score_win[~(score_win >= 0)] = np.nan
        flags_win = raster.read([1], window, flags=True, out_shape=shape)[0] if flagged else None
        row = r0 + (row - r0) * shape[0] // (r1 - r0)
        col = c0 + (col - c0) * shape[1] // (c1 - c0)
    else:
        score_win = raster.read_level(level, window)
        flags_win = raster.read_level(level, window, flags=True) if flagged else None
    if flags_win is None:  # as `read_surface`: every scored cell eligible
        flags_win = np.where(np.isfinite(score_win), 0, OUTSIDE_BIT).astype(np.uint16)
    score = np.full((TILE_SIZE, TILE_SIZE), np.nan, np.float32)
    flags = np.full((TILE_SIZE, TILE_SIZE), OUTSIDE_BIT, np.uint16)
    score[ok] = score_win[row[ok] - r0, col[ok] - c0]
    flags[ok] = flags_win[row[ok] - r0, col[ok] - c0]
    index = pixel_index(score, flags, exclude_bits=exclude_bits, slots=slots,
                        origin=(y * TILE_SIZE, x * TILE_SIZE))
    if (index == 255).all():
        return None
    return index
