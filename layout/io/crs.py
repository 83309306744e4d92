"""Coordinate systems of layers: CRS checks, metric projection, areas, datum shifts of layers.

Real datums are handled by pyproj: WGS84 (EPSG:4326), CGCS2000 geographic (EPSG:4490) and the
CGCS2000 Gauss-Kruger zones (`layout.io.gkzones`; EPSG:4547 for Zhengzhou, 4549 for Suzhou). The
obfuscated GCJ-02 and BD-09 coordinates of Chinese web maps are moved vertex by vertex with the
array functions of `layout.core.datum`.
"""

from __future__ import annotations

from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as _PyprojCRSError

from layout import settings
from layout.core.datum import FloatArray, check_datum, convert_coords
from layout.errors import CRSError, CRSMismatchError
from layout.io.gkzones import metric_crs_for


def convert_datum(
    gdf: gpd.GeoDataFrame, *, from_datum: str, to_datum: str = "wgs84"
) -> gpd.GeoDataFrame:
    """Return a copy of a lon/lat GeoDataFrame with every vertex moved between datums.

    Parameters
    ----------
    gdf
        Layer in a geographic CRS (EPSG:4326 or EPSG:4490), its coordinates in ``from_datum``.
    from_datum, to_datum
        ``"wgs84"``, ``"cgcs2000"``, ``"gcj02"`` or ``"bd09"``.

    Returns
    -------
    GeoDataFrame
        Same rows and CRS, new coordinates; the input is not modified.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pt = gpd.GeoDataFrame(geometry=[shapely.Point(113.8408, 34.5197)], crs="EPSG:4326")
    >>> gcj = convert_datum(pt, from_datum="wgs84", to_datum="gcj02")
    >>> back = convert_datum(gcj, from_datum="gcj02")
    >>> bool(shapely.equals_exact(back.geometry.iloc[0], pt.geometry.iloc[0], tolerance=1e-9))
    True
    """
    require_crs(gdf, source="convert_datum input")
    if not CRS.from_user_input(gdf.crs).is_geographic:
        raise CRSError(
            f"datum conversion needs lon/lat coordinates, but the layer is in {gdf.crs}; "
            "reproject to EPSG:4326 first"
        )
    src, dst = check_datum(from_datum), check_datum(to_datum)
    out = gdf.copy()
    if src == dst or {src, dst} == {"wgs84", "cgcs2000"}:
        return out

    def move(xy: FloatArray) -> FloatArray:
        x, y = convert_coords(xy[:, 0], xy[:, 1], from_datum=src, to_datum=dst)
        return np.column_stack([x, y])

    out.geometry = shapely.transform(np.asarray(gdf.geometry.values), move)
    return out


# --- CRS checks -----------------------------------------------------------------------------


def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str = "layer") -> CRS:
    """Return the layer's CRS, or raise `CRSError` saying how to set one."""
    if gdf.crs is None:
        raise CRSError(
            f"{source} has no CRS; set one (e.g. gdf.set_crs('EPSG:4326') or --crs EPSG:4326)"
        )
    return CRS.from_user_input(gdf.crs)


def require_projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str = "layer") -> CRS:
    """Return the layer's CRS if it is projected (metres), else raise `CRSError`."""
    crs = require_crs(gdf, source=source)
    if not crs.is_projected:
        raise CRSError(
            f"{source} is in {crs.to_string()} (degrees) but distances and areas need metres; "
            f"reproject with to_metric() or .to_crs('{local_metric_crs(gdf)}') (the CGCS2000 "
            "Gauss-Kruger zone of its centre)"
        )
    return crs


def require_same_crs(
    a: gpd.GeoDataFrame | gpd.GeoSeries,
    b: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    names: tuple[str, str] = ("first layer", "second layer"),
) -> CRS:
    """Return the shared CRS of two layers, or raise `CRSMismatchError` naming both CRSs."""
    ca, cb = require_crs(a, source=names[0]), require_crs(b, source=names[1])
    if not ca.equals(cb):
        raise CRSMismatchError(
            f"{names[0]} is in {ca.to_string()} but {names[1]} is in {cb.to_string()}; "
            "reproject one of them so that both share a CRS"
        )
    return ca


def to_metric(
    gdf: gpd.GeoDataFrame, *, crs: str | CRS | None = None, source: str = "layer"
) -> gpd.GeoDataFrame:
    """Reproject a layer to a metric CRS: ``crs`` (the plan's), else `local_metric_crs`.

    Raises `CRSError` when the layer has no CRS rather than guessing one.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pt = gpd.GeoDataFrame(geometry=[shapely.Point(114.0, 34.7)], crs="EPSG:4326")
    >>> round(float(to_metric(pt).geometry.x.iloc[0]))  # on the central meridian: false easting
    500000
    """
    require_crs(gdf, source=source)
    target = CRS.from_user_input(crs or local_metric_crs(gdf))
    if not target.is_projected:
        raise CRSError(f"the metric CRS must be projected, got {target.to_string()}")
    return gdf.to_crs(target)


# --- areas ----------------------------------------------------------------------------------


def local_metric_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """A layer's own CRS when projected, else the CGCS2000 3-degree zone of its centre.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> local_metric_crs(gpd.GeoSeries([shapely.Point(120.6, 31.3)], crs="EPSG:4326"))
    'EPSG:4549'
    """
    crs = require_crs(gdf, source="layer")
    if crs.is_projected:
        return crs.to_string()
    x0, _, x1, _ = gdf.to_crs("EPSG:4326").total_bounds
    lon = float((x0 + x1) / 2) if np.isfinite([x0, x1]).all() else 0.0
    return metric_crs_for(lon)


def _metric_area(gdf: gpd.GeoDataFrame | gpd.GeoSeries, source: str) -> pd.Series:
    crs = require_crs(gdf, source=source)
    geo = gdf if crs.is_projected else gdf.to_crs(local_metric_crs(gdf))
    return cast(pd.Series, geo.area)


def area_mu(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str = "layer") -> pd.Series:
    """Area of each feature in mu (亩, 666.67 m²), computed in a projected CRS.

    Geographic layers are reprojected to the Gauss-Kruger zone of their centre first
    (`local_metric_crs`); the index is kept.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> sq = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs="EPSG:4547")
    >>> float(area_mu(sq).iloc[0])
    1500.0
    """
    return (_metric_area(gdf, source) / settings.M2_PER_MU).rename("area_mu")


def area_ha(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str = "layer") -> pd.Series:
    """Area of each feature in hectares, computed in a projected CRS (see `area_mu`)."""
    return (_metric_area(gdf, source) / settings.M2_PER_HA).rename("area_ha")


def mu_to_ha(mu: float) -> float:
    """Convert mu to hectares (15 mu = 1 ha)."""
    return mu * settings.M2_PER_MU / settings.M2_PER_HA


def parse_crs(crs: str | CRS, *, where: str = "") -> CRS:
    """A CRS from anything pyproj understands; `~layout.errors.CRSError` naming it otherwise.

    Every command parses a CRS given by the user (``--crs``, ``crs =`` in a plan) here, so
    all report an unknown one in the same line.

    Parameters
    ----------
    crs
        An EPSG code (``"EPSG:4547"``), WKT, a PROJ string, or a CRS.
    where
        Where the value was given, for the message (``"[inputs.zones] crs"``); by default the
        message names only the value, so ``--crs`` of every command reads the same.

    Examples
    --------
    >>> parse_crs("EPSG:4547").name
    'CGCS2000 / 3-degree Gauss-Kruger CM 114E'
    >>> parse_crs("EPSG:999999")
    Traceback (most recent call last):
    ...
    layout.errors.CRSError: 'EPSG:999999' is not a CRS pyproj understands (not in the PROJ ...
    """
    try:
        return CRS.from_user_input(crs)
    except (_PyprojCRSError, TypeError, ValueError):
        given = f"{where} = " if where else ""
        raise CRSError(
            f"{given}{crs!r} is not a CRS pyproj understands (not in the PROJ database, or "
            "misspelt); use an EPSG code such as EPSG:4326 (lon/lat) or EPSG:4549 (CGCS2000 "
            "Gauss-Kruger metres, zone of 120°E)"
        ) from None


def crs_label(crs: CRS) -> str:
    """``EPSG:code`` when the CRS has one, else its name, for messages."""
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name

