"""Display copies of layers: simplified, reprojected to lon/lat and rounded.

Only maps use these copies; analysis always works on the full geometries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layout import settings
from layout.core.datum import convert_coords
from layout.io.crs import require_crs
from layout.io.gkzones import metric_crs_for

#: Display simplification in metres (the layer's metric CRS); 30 m is below a screen pixel at
#: zoom 11.
DEFAULT_TOLERANCE_M = 30.0
#: Decimal places of displayed lon/lat: 1e-6 degrees is about 0.1 m.
DECIMALS = 6

_LINEAL_OR_POLYGONAL = {"LineString", "MultiLineString", "Polygon", "MultiPolygon", "LinearRing"}


def metric_crs(gdf: gpd.GeoDataFrame) -> Any:
    """A layer's own CRS when projected, else the CGCS2000 3-degree zone of its centre.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pt = gpd.GeoDataFrame(geometry=[shapely.Point(120.6, 31.3)], crs="EPSG:4326")
    >>> metric_crs(pt)
    'EPSG:4549'
    """
    if CRS.from_user_input(gdf.crs).is_projected:
        return gdf.crs
    x0, _, x1, _ = gdf.to_crs(settings.storage_crs).total_bounds
    if not np.isfinite([x0, x1]).all():
        return gdf.crs  # no geometry: nothing to measure
    return metric_crs_for(float((x0 + x1) / 2))


def for_display(
    gdf: gpd.GeoDataFrame,
    *,
    source: str,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    datum: str = "wgs84",
) -> gpd.GeoDataFrame:
    """Return a copy of a layer fit for a web map.

    Rows with missing or empty geometry are dropped; lines and polygons are simplified with
    ``tolerance_m`` metres in a metric CRS (the layer's own when projected, else the CGCS2000
    Gauss-Kruger zone of its centre; topology preserved); all
    coordinates are reprojected to EPSG:4326, moved to ``datum`` when it is not WGS84 (GCJ-02
    for Gaode tiles) and rounded to `DECIMALS` places.

    Parameters
    ----------
    gdf
        The layer, in any CRS (it must have one).
    source
        Name used in error messages.
    tolerance_m
        Simplification tolerance in metres; 0 keeps every vertex.
    datum
        Datum of the displayed coordinates: ``"wgs84"`` (default) or ``"gcj02"`` (see
        `layout.core.datum.convert_coords`); the CRS stays EPSG:4326 by name.

    Returns
    -------
    GeoDataFrame
        Same columns and index (minus dropped rows), in EPSG:4326.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> sq = gpd.GeoDataFrame(geometry=[shapely.box(113.5, 34.5, 113.6, 34.6)], crs="EPSG:4326")
    >>> for_display(sq, source="sq").geometry.iloc[0].bounds
    (113.5, 34.5, 113.6, 34.6)
    """
    require_crs(gdf, source=source)
    geom = gdf.geometry
    keep = geom.notna() & ~geom.is_empty
    out = gdf.loc[keep].copy()
    if out.empty:
        return out.to_crs(settings.storage_crs)
    if tolerance_m > 0:
        crs = metric_crs(out)
        metric = out.geometry.to_crs(crs)
        types = metric.geom_type.to_numpy()
        simplify = np.isin(types, list(_LINEAL_OR_POLYGONAL))
        values = np.asarray(metric.values, dtype=object)
        if simplify.any():
            values[simplify] = shapely.simplify(
                values[simplify], tolerance_m, preserve_topology=True
            )
        lonlat = gpd.GeoSeries(values, index=out.index, crs=crs).to_crs(
            settings.storage_crs
        )
    else:
        lonlat = out.geometry.to_crs(settings.storage_crs)

    def finish(xy: np.ndarray) -> np.ndarray:
        if datum != "wgs84":
            x, y = convert_coords(xy[:, 0], xy[:, 1], from_datum="wgs84", to_datum=datum)
            xy = np.column_stack([x, y])
        return np.round(xy, DECIMALS)

    rounded = shapely.transform(np.asarray(lonlat.values), finish)
    out = out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=settings.storage_crs))
    return out[~out.geometry.is_empty]


@dataclass(frozen=True)
class View:
    """How layers are prepared for one map: display simplification and datum.

    Attributes
    ----------
    tolerance_m
        Simplification tolerance of lines and polygons in metres (points are never moved).
    datum
        ``"wgs84"`` or ``"gcj02"`` (overlays drawn on Gaode tiles).
    """

    tolerance_m: float = DEFAULT_TOLERANCE_M
    datum: str = "wgs84"

    def prepare(
        self, gdf: gpd.GeoDataFrame, *, source: str, simplify: bool = True
    ) -> gpd.GeoDataFrame:
        """`for_display` with this view's tolerance (0 when ``simplify`` is False) and datum."""
        return for_display(
            gdf,
            source=source,
            tolerance_m=self.tolerance_m if simplify else 0.0,
            datum=self.datum,
        )

    def bounds(self, layers: Mapping[str, gpd.GeoDataFrame]) -> list[list[float]] | None:
        """`bounds_latlon` of ``layers`` in this view's datum."""
        return bounds_latlon(layers, datum=self.datum)


def metric_area_km2(gdf: gpd.GeoDataFrame, *, column: str = "area_km2") -> pd.Series:
    """Area per feature in km²: the ``column`` value where given, else computed (`metric_crs`)."""
    computed = gdf.geometry.to_crs(metric_crs(gdf)).area / 1e6
    if column in gdf.columns:
        given = pd.to_numeric(gdf[column], errors="coerce")
        return given.where(given.notna(), computed).rename("area_km2")
    return computed.rename("area_km2")


def bounds_latlon(
    layers: Mapping[str, gpd.GeoDataFrame], *, datum: str = "wgs84"
) -> list[list[float]] | None:
    """Return ``[[south, west], [north, east]]`` of all non-empty layers (EPSG:4326).

    With ``datum="gcj02"`` the corners are moved to GCJ-02 like the displayed layers.
    """
    boxes = [
        gdf.to_crs(settings.storage_crs).total_bounds
        for gdf in layers.values()
        if gdf is not None and not gdf.empty
    ]
    if not boxes:
        return None
    arr = np.array(boxes)
    west, south = float(np.nanmin(arr[:, 0])), float(np.nanmin(arr[:, 1]))
    east, north = float(np.nanmax(arr[:, 2])), float(np.nanmax(arr[:, 3]))
    if datum != "wgs84":
        xs, ys = convert_coords([west, east], [south, north], from_datum="wgs84", to_datum=datum)
        west, east, south, north = float(xs[0]), float(xs[1]), float(ys[0]), float(ys[1])
    return [
        [round(south, DECIMALS), round(west, DECIMALS)],
        [round(north, DECIMALS), round(east, DECIMALS)],
    ]
