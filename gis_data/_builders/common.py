"""Shared constants and geometry helpers for the data build (metric CRS EPSG:4547)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from layout import settings

METRIC = settings.default_crs  # EPSG:4547, metres
STORAGE = settings.storage_crs  # EPSG:4326, what the GeoPackage holds
#: Coordinates are rounded to 1e-7 degrees (about 1 cm) so that the files are reproducible and a
#: little smaller; identical metric inputs still map to identical rounded outputs, so shared
#: vertices stay shared.
DECIMALS = 7
#: Fixed timestamp for the GeoPackage metadata (gpkg_contents.last_change), so that two builds
#: write the same bytes: the day of the source report's meeting.
FIXED_DATE = "2012-04-24T00:00:00.000Z"

_FWD = Transformer.from_crs("EPSG:4326", METRIC, always_xy=True)
_INV = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)


def xy(lon: float, lat: float) -> tuple[float, float]:
    """Project one WGS84 lon/lat pair to EPSG:4547 metres."""
    x, y = _FWD.transform(lon, lat)
    return float(x), float(y)


def xy_array(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project arrays of WGS84 lon/lat to EPSG:4547 metres."""
    x, y = _FWD.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def lonlat_array(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unproject arrays of EPSG:4547 metres to WGS84 lon/lat."""
    lon, lat = _INV.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def point(lon: float, lat: float) -> shapely.Point:
    """Return a metric (EPSG:4547) point from WGS84 lon/lat."""
    return shapely.Point(*xy(lon, lat))


def line(coords: Sequence[tuple[float, float]]) -> shapely.LineString:
    """Return a metric (EPSG:4547) line from a sequence of WGS84 lon/lat pairs."""
    return shapely.LineString([xy(lon, lat) for lon, lat in coords])


def blob(
    cx: float,
    cy: float,
    area_m2: float,
    rng: np.random.Generator,
    *,
    roughness: float = 0.16,
    aspect: float = 1.0,
    angle_deg: float = 0.0,
    n: int = 96,
) -> shapely.Polygon:
    """Return an irregular, smooth, star-shaped polygon of a given area around a centre.

    The radius is ``1 + sum_k a_k cos(k theta + phi_k)`` for harmonics k = 2..6 with random
    amplitudes decaying as 1/k (so the outline is smooth, never spiky), stretched by ``aspect``
    along an axis turned ``angle_deg`` counter-clockwise from east, then scaled to ``area_m2``.

    Parameters
    ----------
    cx, cy
        Centre in EPSG:4547 metres.
    area_m2
        Area of the returned polygon in square metres.
    rng
        Seeded generator (the only source of randomness).
    roughness
        Amplitude of the perturbation relative to the mean radius.
    aspect
        Ratio of the long to the short axis before perturbation.
    angle_deg
        Direction of the long axis.
    n
        Number of vertices.

    Returns
    -------
    shapely.Polygon
        A valid polygon of area ``area_m2`` (to floating-point precision).
    """
    theta = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, 7):
        r += roughness * rng.normal() / k * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.45, None)
    px = r * np.cos(theta) * np.sqrt(aspect)
    py = r * np.sin(theta) / np.sqrt(aspect)
    a = np.deg2rad(angle_deg)
    qx = px * np.cos(a) - py * np.sin(a)
    qy = px * np.sin(a) + py * np.cos(a)
    unit = shapely.Polygon(np.column_stack([qx, qy]))
    s = np.sqrt(area_m2 / unit.area)
    return shapely.Polygon(np.column_stack([cx + s * qx, cy + s * qy]))


def largest_part(geom: BaseGeometry, near: shapely.Point | None = None) -> shapely.Polygon:
    """Return the polygon part that contains ``near`` (if given and any does), else the largest."""
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and g.area > 0]
    if not parts:
        return shapely.Polygon()
    if near is not None:
        for p in parts:
            if p.contains(near):
                return p
    return max(parts, key=lambda p: p.area)


def fit_area(
    make: Callable[[float], shapely.Polygon],
    allowed: BaseGeometry,
    target_m2: float,
    *,
    near: shapely.Point | None = None,
    max_scale: float = 3.0,
) -> shapely.Polygon:
    """Scale a star-shaped outline until its clipped part has the target area.

    ``make(s)`` returns the outline scaled by ``s`` around its centre (``s = 1`` has the target
    area before clipping).  Because scaled star shapes are nested, the clipped area grows with
    ``s`` and bisection finds the scale whose clipped area equals the target; if even
    ``max_scale`` falls short, that largest outline is returned (the caller reports the area).
    """

    def clipped(s: float) -> shapely.Polygon:
        return largest_part(make(s).intersection(allowed), near)

    g1 = clipped(1.0)
    if g1.area >= 0.995 * target_m2:
        return g1
    lo, hi = 1.0, max_scale
    if clipped(hi).area < target_m2:
        return clipped(hi)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if clipped(mid).area < target_m2:
            lo = mid
        else:
            hi = mid
    return clipped(hi)


def smooth_noise(
    shape: tuple[int, int], sigma: float, rng: np.random.Generator
) -> np.ndarray:
    """Return Gaussian-filtered white noise scaled to unit standard deviation.

    ``sigma`` is the correlation length in cells; the field is deterministic given ``rng``.
    """
    from scipy.ndimage import gaussian_filter

    field = gaussian_filter(rng.standard_normal(shape), sigma=sigma, mode="reflect")
    return (field - field.mean()) / field.std()


def round_coords(geoms: np.ndarray | gpd.GeoSeries, decimals: int = DECIMALS) -> np.ndarray:
    """Round every coordinate of the geometries to ``decimals`` places."""
    arr = np.asarray(geoms)
    return shapely.transform(arr, lambda c: np.round(c, decimals))


def to_storage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject a metric layer to EPSG:4326 and round its coordinates to 1e-7 degrees."""
    out = gdf.to_crs(STORAGE)
    geoms = round_coords(out.geometry.values)
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        # Rounding can collapse a sliver or pinch a ring; repair only those rows.
        geoms[bad] = [_repair(g) for g in geoms[bad]]
    return out.set_geometry(geoms, crs=STORAGE)


def _repair(geom: BaseGeometry) -> BaseGeometry:
    """Make a polygonal geometry valid again, keeping only its polygonal parts."""
    fixed = shapely.make_valid(geom)
    polys = [p for p in shapely.get_parts(fixed) if isinstance(p, shapely.Polygon)]
    if isinstance(geom, shapely.MultiPolygon) or len(polys) != 1:
        return shapely.MultiPolygon(polys)
    return polys[0]
