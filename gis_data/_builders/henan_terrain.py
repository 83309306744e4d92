"""A synthetic DEM shaped like Henan's terrain (not measured elevations).

The surface is a plain that rises gently from the south-east (Huaihe plain, ~35 m) to the west
(~180 m at the foot of the hills), plus named ridges, each a Gaussian section of given crest
height and half-width along a polyline (general knowledge of the province, positions ±10 km):

* Taihang (太行山) along the Shanxi border in the north-west (Jiyuan, Jiaozuo, Xinxiang, Hebi,
  Anyang): crest 1,300–1,500 m (Wangwu 王屋山 1,715 m);
* Xiaoshan (小秦岭) and the Xiong'er (熊耳山) and Waifang (外方山) ranges in the west (Sanmenxia,
  Luoyang), Songshan (嵩山) west of Zhengzhou: 1,200–1,900 m (Laoyachanao 老鸦岔垴 2,413 m, the
  province's highest point);
* Funiu (伏牛山) from Lushi to Lushan in the south-west: 1,800 m;
* Tongbai (桐柏山) and Dabie (大别山) along the southern border (Nanyang, Xinyang): 800–1,100 m;
* the Nanyang basin (100–150 m) between Funiu and Tongbai, and the plain in the east.

Each ridge has foothills twice as wide at a third of its crest height.  Seeded noise,
growing with relief, roughens the hills; the plain stays smooth.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

import numpy as np
import rasterio
import shapely
from affine import Affine
from rasterio.features import geometry_mask

from .common import smooth_noise
from .henan_admin import HENAN_CRS, hlonlat

RES = 500.0  # metres: the engine resamples the DEM to the plan grid
MARGIN = 5000.0
NODATA = -32768
KM_PER_DEG_LON = 92.0  # at ~34°N
KM_PER_DEG_LAT = 111.0

#: (name, crest height m, half-width km, polyline lon/lat).
RIDGES: tuple[tuple[str, float, float, tuple[tuple[float, float], ...]], ...] = (
    ("Taihang", 1400.0, 14.0, ((112.0, 35.28), (112.6, 35.32), (113.3, 35.5), (113.6, 35.8),
                               (113.75, 36.15), (113.9, 36.45))),
    ("Wangwu", 1650.0, 10.0, ((112.1, 35.2), (112.35, 35.18))),
    ("Xiaoqinling", 1900.0, 12.0, ((110.35, 34.42), (110.8, 34.45))),
    ("Xiaoshan", 1200.0, 15.0, ((110.8, 34.5), (111.5, 34.6), (111.95, 34.72))),
    ("Xionger", 1500.0, 16.0, ((110.9, 34.05), (111.5, 34.15), (112.1, 34.2), (112.4, 34.3))),
    ("Waifang", 1300.0, 15.0, ((111.7, 33.95), (112.3, 34.0), (112.8, 34.1))),
    ("Songshan", 1250.0, 9.0, ((112.85, 34.5), (113.15, 34.48))),
    ("Funiu", 1800.0, 18.0, ((110.7, 33.75), (111.4, 33.7), (112.0, 33.6), (112.6, 33.62))),
    ("Tongbai", 850.0, 14.0, ((113.0, 32.55), (113.4, 32.4), (113.8, 32.25))),
    ("Dabie", 1050.0, 18.0, ((113.9, 31.85), (114.4, 31.65), (115.0, 31.6), (115.6, 31.55))),
)


@dataclass
class Dem:
    """Elevation grid (int16 m, `NODATA` outside the boundary + margin) in `HENAN_CRS`."""

    data: np.ndarray
    transform: rasterio.Affine
    crs: str = HENAN_CRS


def _segment_distance_km(lon: np.ndarray, lat: np.ndarray,
                         line: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Distance (km) from every grid point to a lon/lat polyline (local flat approximation)."""
    px, py = lon * KM_PER_DEG_LON, lat * KM_PER_DEG_LAT
    best = np.full(lon.shape, np.inf)
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        ax, ay = x0 * KM_PER_DEG_LON, y0 * KM_PER_DEG_LAT
        bx, by = x1 * KM_PER_DEG_LON, y1 * KM_PER_DEG_LAT
        dx, dy = bx - ax, by - ay
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        best = np.minimum(best, np.hypot(px - ax - t * dx, py - ay - t * dy))
    return best


def elevation(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The smooth landform surface (m) at WGS84 lon/lat, before noise."""
    # The plain: ~35 m in the south-east corner, ~110 m at Zhengzhou, rising to the west.
    plain = 35.0 + 22.0 * np.clip(116.6 - lon, 0, None) + 8.0 * np.clip(lat - 32.5, 0, None)
    relief = np.zeros_like(lon)
    for _name, crest, half_km, line in RIDGES:
        d = _segment_distance_km(lon, lat, line)
        # The crest, and foothills twice as wide at a third of its height.
        ridge = np.maximum(crest * np.exp(-((d / half_km) ** 2)),
                           0.3 * crest * np.exp(-((d / (2.0 * half_km)) ** 2)))
        relief = np.maximum(relief, ridge)
    return plain + relief


def build(boundary: shapely.Geometry, rng: np.random.Generator, *, res: float = RES) -> Dem:
    """Build the DEM over the boundary (plus `MARGIN`) at ``res`` metres."""
    minx, miny, maxx, maxy = boundary.bounds
    x0 = np.floor((minx - MARGIN) / res) * res
    y1 = np.ceil((maxy + MARGIN) / res) * res
    ncols = int(np.ceil((maxx + MARGIN - x0) / res))
    nrows = int(np.ceil((y1 - miny + MARGIN) / res))
    transform = Affine(res, 0.0, x0, 0.0, -res, y1)  # from_origin, without its deprecated `*`
    xs = x0 + (np.arange(ncols) + 0.5) * res
    ys = y1 - (np.arange(nrows) + 0.5) * res
    gx, gy = np.meshgrid(xs, ys)
    lon, lat = hlonlat(gx.ravel(), gy.ravel())
    z = elevation(lon.reshape(gx.shape), lat.reshape(gx.shape))
    # Noise: a few metres on the plain, up to ~15 % of the relief in the hills.
    noise = smooth_noise(z.shape, 3.0 * 1000.0 / res, rng)
    fine = smooth_noise(z.shape, 1.0, rng)
    z = z + (3.0 + 0.12 * np.clip(z - 150.0, 0, None)) * noise + 0.03 * np.clip(z - 150.0, 0,
                                                                                   None) * fine
    z = np.clip(z, 20.0, 2400.0)
    outside = geometry_mask([boundary.buffer(MARGIN)], out_shape=z.shape, transform=transform)
    data = np.where(outside, NODATA, np.round(z)).astype(np.int16)
    return Dem(data, transform)


def write(dem: Dem, path: str | os.PathLike) -> None:
    """Write the DEM as a tiled, DEFLATE-compressed int16 GeoTIFF (nodata −32768)."""
    profile = {
        "driver": "GTiff", "dtype": "int16", "count": 1,
        "width": dem.data.shape[1], "height": dem.data.shape[0],
        "crs": dem.crs, "transform": dem.transform, "nodata": NODATA,
        "compress": "DEFLATE", "predictor": 2, "zlevel": 9,
        "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(dem.data, 1)
        dst.update_tags(
            AREA_OR_POINT="Area",
            DESCRIPTION="Illustrative DEM of Henan (synthetic, shaped like the real terrain)",
            UNITS="metre",
        )
