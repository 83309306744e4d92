"""Chinese obfuscated datums: GCJ-02 (Gaode/AutoNavi, Tencent) and BD-09 (Baidu), on numpy arrays.

Real datums are pyproj's business: WGS84 (EPSG:4326), CGCS2000 geographic (EPSG:4490) and the
CGCS2000 Gauss-Kruger zones. GCJ-02 and BD-09 have no EPSG code: they are published algorithms
that shift positions by about 0.5 km, implemented here vectorised. The inverses are solved by
fixed-point iteration to better than 1e-9 degrees (about 0.1 mm), far inside the 0.5 m the
project requires. GeoDataFrames are converted by `layout.io.crs.convert_datum`.

All functions take and return ``(lon, lat)`` in that order, like ``(x, y)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from layout.errors import CRSError

Datum = Literal["wgs84", "cgcs2000", "gcj02", "bd09"]


DATUMS: tuple[str, ...] = ("wgs84", "cgcs2000", "gcj02", "bd09")


# Krasovsky 1940 ellipsoid as used by the GCJ-02 algorithm.
_A = 6378245.0


_EE = 0.00669342162296594323


_X_PI = np.pi * 3000.0 / 180.0


FloatArray = NDArray[np.float64]


def _as_float(a: ArrayLike) -> FloatArray:
    return np.asarray(a, dtype=np.float64)


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Return True where a point lies outside the rectangle in which GCJ-02 shifts coordinates.

    The rectangle (72.004–137.8347 E, 0.8293–55.8271 N) is the one of the published algorithm;
    outside it GCJ-02 equals WGS84.
    """
    x, y = _as_float(lon), _as_float(lat)
    return (x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271)


def _delta(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 offset (dlon, dlat) in degrees at WGS84 position (x, y)."""
    xx, yy = x - 105.0, y - 35.0
    sq = np.sqrt(np.abs(xx))
    dlat = -100.0 + 2.0 * xx + 3.0 * yy + 0.2 * yy * yy + 0.1 * xx * yy + 0.2 * sq
    dlat += (20.0 * np.sin(6.0 * xx * np.pi) + 20.0 * np.sin(2.0 * xx * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(yy * np.pi) + 40.0 * np.sin(yy / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(yy / 12.0 * np.pi) + 320.0 * np.sin(yy * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + xx + 2.0 * yy + 0.1 * xx * xx + 0.1 * xx * yy + 0.1 * sq
    dlon += (20.0 * np.sin(6.0 * xx * np.pi) + 20.0 * np.sin(2.0 * xx * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(xx * np.pi) + 40.0 * np.sin(xx / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(xx / 12.0 * np.pi) + 300.0 * np.sin(xx / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = y / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS84 lon/lat to GCJ-02 (the datum of Gaode/AutoNavi and Tencent maps).

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(121.5272106, 31.1774276)  # eviltransform's Shanghai pair
    >>> round(float(lon), 9), round(float(lat), 9)
    (121.531541859, 31.175303984)
    """
    x, y = _as_float(lon), _as_float(lat)
    dlon, dlat = _delta(x, y)
    outside = out_of_china(x, y)
    return np.where(outside, x, x + dlon), np.where(outside, y, y + dlat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 lon/lat to BD-09 (Baidu maps)."""
    x, y = _as_float(lon), _as_float(lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS84 lon/lat to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    tol: float = 1e-10,
    max_iter: int = 30,
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(x, y) == (lon, lat)`` by fixed-point iteration.

    The obfuscations are small smooth shifts (Jacobian close to the identity), so
    ``x <- x - (forward(x) - target)`` converges by several digits per step.
    """
    tx, ty = _as_float(lon), _as_float(lat)
    x, y = tx.copy(), ty.copy()
    for _ in range(max_iter):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        x, y = x - ex, y - ey
        if np.all(np.abs(ex) < tol) and np.all(np.abs(ey) < tol):
            break
    return x, y


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 lon/lat to WGS84, exactly inverting `wgs84_to_gcj02` (to about 1e-10°).

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(121.531541859215, 31.17530398364597)
    >>> round(float(lon), 7), round(float(lat), 7)
    (121.5272106, 31.1774276)
    """
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 lon/lat to GCJ-02, exactly inverting `gcj02_to_bd09`."""
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 lon/lat to WGS84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


_FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def check_datum(datum: str) -> str:
    """Return the normalised datum name, or raise `CRSError` listing the accepted ones."""
    d = datum.lower().replace("-", "").replace("_", "")
    aliases = {
        "wgs84": "wgs84",
        "cgcs2000": "cgcs2000",
        "gcj02": "gcj02",
        "bd09": "bd09",
        "gcj": "gcj02",
        "bd": "bd09",
        "baidu": "bd09",
        "gaode": "gcj02",
        "amap": "gcj02",
    }
    if d not in aliases:
        raise CRSError(f"unknown datum {datum!r}; use one of {', '.join(DATUMS)}")
    return aliases[d]


def convert_coords(
    lon: ArrayLike, lat: ArrayLike, *, from_datum: str, to_datum: str = "wgs84"
) -> tuple[FloatArray, FloatArray]:
    """Convert lon/lat arrays between ``wgs84``/``cgcs2000``, ``gcj02`` and ``bd09``.

    WGS84 and CGCS2000 differ by centimetres and are treated as the same here.
    """
    src, dst = check_datum(from_datum), check_datum(to_datum)
    x, y = _as_float(lon), _as_float(lat)
    if src in _TO_WGS84:
        x, y = _TO_WGS84[src](x, y)
    if dst in _FROM_WGS84:
        x, y = _FROM_WGS84[dst](x, y)
    return x, y
