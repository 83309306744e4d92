"""A small map of one parcel as inline SVG (`parcel_svg`): the map on each printed page.

The Leaflet map of the site-check page shows every parcel at once and does not print page by
page; each parcel's section therefore carries its own static map, drawn in the plan CRS
(metres, north up): the cluster zones and hard constraints around it, the parcel in its
verdict colour, its overlaps with hard constraints, the better alternatives, a scale bar and a
north arrow. Nothing from the data is written into the SVG but coordinates.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import shapely

from layout.model.constraints import CONSTRAINT_TYPES, UNKNOWN_CONSTRAINT
from layout.products.sitecheck.page import ALT_COLOR, OVERLAP_COLOR, VERDICT_COLORS

if TYPE_CHECKING:
    import geopandas as gpd

    from layout.products.sitecheck.results import SiteCheck


def _path(geom: shapely.Geometry, x0: float, y1: float, k: float) -> str:
    """An SVG path of the polygons of ``geom`` (rings closed, even-odd holes)."""
    parts = []
    polys = shapely.get_parts(shapely.get_parts(geom))
    for poly in polys:
        if not isinstance(poly, shapely.Polygon) or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = shapely.get_coordinates(ring)
            pts = " ".join(f"{(x - x0) * k:.1f},{(y1 - y) * k:.1f}" for x, y in xy[:-1])
            parts.append(f"M{pts}Z")
    return "".join(parts)


def _nice(length: float) -> float:
    """The largest 1, 2 or 5 × 10^n not above ``length``."""
    p = 10 ** math.floor(math.log10(length))
    return max(m * p for m in (1, 2, 5) if m * p <= length)


def parcel_svg(
    check: SiteCheck,
    *,
    zones: gpd.GeoDataFrame | None = None,
    constraints: gpd.GeoDataFrame | None = None,
    width: int = 360,
    height: int = 220,
    min_span_m: float = 1500.0,
) -> str:
    """An inline SVG map of one checked parcel (plan CRS, north up).

    Parameters
    ----------
    check
        The parcel's check, with its geometry (and the alternatives' geometry, when the check
        was asked for it).
    zones, constraints
        The cached zone and constraint layers (plan CRS), drawn where they meet the view.
    width, height
        Size in CSS pixels.
    min_span_m
        The smallest extent of the view, metres.
    """
    g = check.geometry
    if g is None or shapely.is_empty(g):
        return ""
    alts = [a.geometry for a in check.alternatives[:3] if a.geometry is not None]
    xmin, ymin, xmax, ymax = shapely.total_bounds([g, *alts])
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    span_x = max(xmax - xmin, min_span_m) * 1.25
    span_y = max(ymax - ymin, min_span_m) * 1.25
    k = min(width / span_x, height / span_y)
    x0, y1 = cx - width / k / 2, cy + height / k / 2
    view = shapely.box(x0, y1 - height / k, x0 + width / k, y1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sc-map" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img">',
           f'<rect width="{width}" height="{height}" fill="#fafafa" stroke="#999"/>']
    for layer, kind in ((zones, "zone"), (constraints, "constraint")):
        if layer is None or not len(layer):
            continue
        geoms = layer.geometry.values
        near = shapely.intersects(geoms, view)
        for i in near.nonzero()[0]:
            clipped = shapely.intersection(geoms[i], view)
            d = _path(clipped, x0, y1, k)
            if not d:
                continue
            if kind == "zone":
                out.append(f'<path d="{d}" fill="#bdbdbd" fill-opacity="0.18" stroke="#666" '
                           'stroke-width="1" stroke-dasharray="5 3" fill-rule="evenodd"/>')
            else:
                t = CONSTRAINT_TYPES.get(str(layer["type"].iloc[i]), UNKNOWN_CONSTRAINT)
                out.append(f'<path d="{d}" fill="{t.color}" fill-opacity="0.3" '
                           f'stroke="{t.color}" stroke-width="0.8" fill-rule="evenodd"/>')
    for a in alts:
        out.append(f'<path d="{_path(a, x0, y1, k)}" fill="{ALT_COLOR}" fill-opacity="0.35" '
                   f'stroke="{ALT_COLOR}" stroke-width="1.5" fill-rule="evenodd"/>')
    color = VERDICT_COLORS.get(check.verdict, "#555")
    out.append(f'<path d="{_path(g, x0, y1, k)}" fill="{color}" fill-opacity="0.3" '
               f'stroke="{color}" stroke-width="2.5" fill-rule="evenodd"/>')
    for c in check.constraints:
        if c.geometry is not None and not shapely.is_empty(c.geometry):
            out.append(f'<path d="{_path(c.geometry, x0, y1, k)}" fill="{OVERLAP_COLOR}" '
                       'fill-opacity="0.6" stroke="none" fill-rule="evenodd"/>')
    bar = _nice(width / k / 4)
    px = bar * k
    label = f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m"
    out.append(f'<path d="M10,{height - 12}h{px:.1f}" stroke="#222" stroke-width="3"/>'
               f'<text x="10" y="{height - 17}" font-size="10" fill="#222">{label}</text>')
    out.append(f'<path d="M{width - 16},26l-6,12h12z" fill="#222"/>'
               f'<text x="{width - 20}" y="20" font-size="11" fill="#222">N</text>')
    out.append("</svg>")
    return "".join(out)
