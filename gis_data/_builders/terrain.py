"""An illustrative DEM shaped like Zhengzhou's terrain (not measured elevations).

The surface is a sum of smooth, named landforms on a plain that falls gently to the east, plus
seeded multi-scale noise whose amplitude grows with relief (so the plain stays flat and only the
mountains get steep).  Heights are set from general knowledge of the area:

* Songshan (嵩山): Shaoshi (少室山, about 1,512 m) and Taishi (太室山, about 1,492 m) north of
  Dengfeng on 300–600 m foothills; the highest cell is scaled to 1,500 m;
* Jishan (箕山) south of Dengfeng, Wuzhiling/Fuxi (五指岭/浮戏山) where Gongyi, Xinmi and Xingyang
  meet, Juci (具茨山) on the Xinmi–Xinzheng line: 500–800 m;
* loess hills and tablelands 200–450 m over south Gongyi, Xinmi and Dengfeng;
* the Mangshan loess ridge (邙山) 150–250 m along the Yellow River north-west of the city;
* the Yellow River flood plain and the Huang–Huai plain, 80–120 m, lowest in the east;
* the valleys of the Yi–Luo (Gongyi), Ying (Dengfeng basin) and Shuangji (Xinmi) rivers.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

import numpy as np
import rasterio
from rasterio.features import geometry_mask
from rasterio.transform import from_origin
from scipy.ndimage import distance_transform_edt, uniform_filter1d
from shapely.geometry.base import BaseGeometry

from .common import METRIC, lonlat_array, smooth_noise

RES = 100.0  # metres, the analysis grid resolution
MARGIN = 2000.0  # metres around the boundary
NODATA = -32768
#: Highest cell of the Songshan massif (the real summits are 1,492 m and 1,512 m).
PEAK_M = 1500.0
KM_PER_DEG_LON = 91.6  # at 34.7°N
KM_PER_DEG_LAT = 110.9


@dataclass
class Dem:
    """Elevation grid with its georeferencing (EPSG:4547, 100 m cells)."""

    data: np.ndarray  # int16, NODATA outside the boundary + margin
    transform: rasterio.Affine
    crs: str = METRIC

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns."""
        return (int(self.data.shape[0]), int(self.data.shape[1]))


def _gauss(lon, lat, lon0, lat0, sx_km, sy_km, angle_deg=0.0):
    """Anisotropic Gaussian bump (peak 1) with axes in km, long axis turned from east."""
    dx = (lon - lon0) * KM_PER_DEG_LON
    dy = (lat - lat0) * KM_PER_DEG_LAT
    a = np.deg2rad(angle_deg)
    u = dx * np.cos(a) + dy * np.sin(a)
    v = -dx * np.sin(a) + dy * np.cos(a)
    return np.exp(-0.5 * ((u / sx_km) ** 2 + (v / sy_km) ** 2))


def _dist_to_polyline_km(lon, lat, pts):
    """Distance (km) from every cell to a polyline given as WGS84 vertices."""
    x = lon * KM_PER_DEG_LON
    y = lat * KM_PER_DEG_LAT
    best = np.full(lon.shape, np.inf)
    for (lo1, la1), (lo2, la2) in itertools.pairwise(pts):
        ax, ay = lo1 * KM_PER_DEG_LON, la1 * KM_PER_DEG_LAT
        bx, by = lo2 * KM_PER_DEG_LON, la2 * KM_PER_DEG_LAT
        vx, vy = bx - ax, by - ay
        t = np.clip(((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy), 0.0, 1.0)
        best = np.minimum(best, np.hypot(x - ax - t * vx, y - ay - t * vy))
    return best


def _smoothstep(t):
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


# River valleys that cut the uplands (WGS84 vertices, L): they pull the relief down towards
# the plain so that the county seats sit at realistic heights (Gongyi ~150 m, Dengfeng
# ~350–400 m, Xinmi ~220 m).
YILUO = [(112.78, 34.63), (112.88, 34.69), (112.98, 34.75), (113.06, 34.81), (113.10, 34.86)]
YING = [(112.88, 34.45), (113.00, 34.445), (113.10, 34.43), (113.22, 34.39), (113.35, 34.33)]
SHUANGJI = [(113.22, 34.52), (113.38, 34.535), (113.50, 34.50), (113.62, 34.44), (113.78, 34.38)]


def build(boundary: BaseGeometry, rng: np.random.Generator) -> Dem:
    """Generate the DEM over the boundary's bounding box plus a 2 km margin.

    Parameters
    ----------
    boundary
        Municipal outline in EPSG:4547.
    rng
        Seeded generator for the noise.

    Returns
    -------
    Dem
        int16 metres, nodata outside the boundary buffered by 2 km.
    """
    minx, miny, maxx, maxy = boundary.bounds
    x0 = np.floor((minx - MARGIN) / RES) * RES
    y1 = np.ceil((maxy + MARGIN) / RES) * RES
    ncol = int(np.ceil((maxx + MARGIN - x0) / RES))
    nrow = int(np.ceil((y1 - (miny - MARGIN)) / RES))
    transform = from_origin(x0, y1, RES, RES)
    cx = x0 + (np.arange(ncol) + 0.5) * RES
    cy = y1 - (np.arange(nrow) + 0.5) * RES
    gx, gy = np.meshgrid(cx, cy)
    lon, lat = lonlat_array(gx.ravel(), gy.ravel())
    lon = lon.reshape(gx.shape)
    lat = lat.reshape(gx.shape)

    inside = ~geometry_mask([boundary], out_shape=(nrow, ncol), transform=transform)

    # --- the plain: ~80 m in the far east rising to ~160 m at the foot of the western hills,
    # and ~20 m higher towards the south (Xinzheng ~120 m).
    plain = 78.0 + 22.0 * _smoothstep((114.25 - lon) / 0.55)
    plain += 60.0 * _smoothstep((113.70 - lon) / 0.55)
    plain += 20.0 * _smoothstep((34.75 - lat) / 0.35)

    # --- distance south of the Yellow River (the northern edge of the boundary raster).
    north_row = np.where(inside.any(axis=0), inside.argmax(axis=0), -1)
    river_row = np.where(north_row >= 0, north_row, 0).astype(float)
    # Columns with no boundary cells take the nearest defined river row.
    valid = north_row >= 0
    idx = np.arange(ncol)
    river_row = np.interp(idx, idx[valid], river_row[valid])
    river_row = uniform_filter1d(river_row, size=31, mode="nearest")  # ~3 km smoothing
    d_river_km = (np.arange(nrow)[:, None] - river_row[None, :]) * RES / 1000.0
    river_level = 118.0 - 40.0 * np.clip((lon - 112.8) / 1.4, 0, 1)  # 118 m Gongyi → 78 m east

    relief = np.zeros_like(lon)
    # Broad loess hills and tablelands of the south-west (Gongyi south, Xinmi, Dengfeng).
    relief += 250.0 * _gauss(lon, lat, 113.05, 34.55, 22.0, 13.0, 10.0)
    relief += 90.0 * _gauss(lon, lat, 113.33, 34.70, 12.0, 7.0, 20.0)  # Xingyang tableland
    # Named ranges.
    # Songshan: Taishi (峻极峰) ~5.5 km north of Dengfeng city, Shaoshi (连天峰) south of the
    # Shaolin temple, which sits at its northern foot; both rise ~1,000 m above their foothills
    # within 2–3 km, hence the narrow N-S axes.
    songshan = 1050.0 * _gauss(lon, lat, 113.040, 34.507, 5.5, 1.6, 5.0)  # Taishi
    songshan += 1000.0 * _gauss(lon, lat, 112.950, 34.480, 4.0, 1.6, -10.0)  # Shaoshi
    relief += songshan
    relief += 120.0 * _gauss(lon, lat, 113.00, 34.490, 12.0, 5.0, 5.0)  # Songshan foothills
    relief += 430.0 * _gauss(lon, lat, 113.00, 34.345, 10.0, 3.2, 8.0)  # Jishan
    relief += 420.0 * _gauss(lon, lat, 113.27, 34.605, 7.0, 4.0, 30.0)  # Wuzhiling / Fuxi
    relief += 330.0 * _gauss(lon, lat, 113.55, 34.405, 6.0, 3.0, 20.0)  # Juci
    # Mangshan loess ridge: a crest ~3 km south of the river between 113.2°E and 113.65°E,
    # and its higher western continuation along the river in Gongyi.
    along = _smoothstep((lon - 113.18) / 0.08) * _smoothstep((113.66 - lon) / 0.06)
    relief += 120.0 * along * np.exp(-0.5 * ((d_river_km - 3.0) / 1.6) ** 2)
    gongyi_n = _smoothstep((lon - 112.85) / 0.05) * _smoothstep((113.20 - lon) / 0.06)
    relief += 160.0 * gongyi_n * np.exp(-0.5 * ((d_river_km - 4.5) / 2.5) ** 2)

    # Valleys pull relief down (by up to 70 %) near their thalweg.
    for pts, width_km, depth in ((YILUO, 3.0, 0.7), (YING, 3.5, 0.55), (SHUANGJI, 3.0, 0.5)):
        relief *= 1.0 - depth * np.exp(-0.5 * (_dist_to_polyline_km(lon, lat, pts) / width_km) ** 2)

    # Dissection: the zero lines of a smooth random field form a network of valleys (about
    # 1–3 km apart) that cut the hills, as gullies cut the loess and the ranges.
    valleys = np.exp(-((smooth_noise(lon.shape, 8.0, rng) / 0.5) ** 2))
    valleys += 0.4 * np.exp(-((smooth_noise(lon.shape, 4.0, rng) / 0.5) ** 2))
    # The cut is capped at 35 % of 500 m, so that the high massif gets valleys of ~175 m
    # rather than proportionally deeper (and unrealistically steep) ones.
    relief -= 0.35 * np.clip(valleys, 0, 1) * np.minimum(relief, 500.0)

    # Multi-scale noise, amplitude ~2 m on the plain, ~18 % of the relief in the hills.
    amp = 2.0 + 0.18 * relief
    noise = (
        0.55 * smooth_noise(lon.shape, 25.0, rng)
        + 0.30 * smooth_noise(lon.shape, 9.0, rng)
        + 0.12 * smooth_noise(lon.shape, 4.0, rng)
        + 0.03 * smooth_noise(lon.shape, 1.5, rng)
    )
    elev = plain + relief + amp * noise

    # Yellow River flood plain: within ~4 km of the river the land drops to the river level
    # (the bank and the Mangshan cliffs give the steep northern faces).
    w = _smoothstep(d_river_km / 4.0)
    floodplain = river_level + 1.5 * np.clip(d_river_km, 0, None) + 1.0 * noise
    elev = w * elev + (1 - w) * np.minimum(elev, floodplain)

    # Scale the Songshan component so that the highest cell is PEAK_M.
    k = int(np.argmax(np.where(inside, elev, -np.inf)))
    peak, s_at = elev.flat[k], songshan.flat[k]
    if s_at > 0:
        elev = elev + songshan * (PEAK_M - peak) / s_at

    # Nodata beyond the 2 km margin around the boundary.
    dist_out = distance_transform_edt(~inside) * RES
    data = np.where(dist_out <= MARGIN, np.rint(elev), NODATA).astype(np.int16)
    return Dem(data=data, transform=transform)


def write(dem: Dem, path: str | os.PathLike) -> None:
    """Write the DEM as a tiled, DEFLATE-compressed int16 GeoTIFF (EPSG:4547, nodata −32768)."""
    profile = {
        "driver": "GTiff",
        "dtype": "int16",
        "count": 1,
        "width": dem.shape[1],
        "height": dem.shape[0],
        "crs": dem.crs,
        "transform": dem.transform,
        "nodata": NODATA,
        "compress": "DEFLATE",
        "predictor": 2,
        "zlevel": 9,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(dem.data, 1)
        dst.update_tags(
            AREA_OR_POINT="Area",
            DESCRIPTION="Illustrative DEM of Zhengzhou (synthetic, shaped like the real terrain)",
            UNITS="metre",
        )


def slope_deg(dem: Dem) -> np.ndarray:
    """Slope in degrees (central differences, NaN where nodata)."""
    z = np.where(dem.data == NODATA, np.nan, dem.data.astype(float))
    gy, gx = np.gradient(z, RES)
    return np.degrees(np.arctan(np.hypot(gx, gy)))
