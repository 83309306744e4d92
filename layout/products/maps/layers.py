"""GeoJSON layers of the input data: boundaries, zones, enterprises, constraints, transport.

Each ``*_features`` function prepares a layer for display (`layout.products.maps.prepare.View`)
and returns a GeoJSON ``FeatureCollection`` whose features carry a ``style`` (Leaflet path
options) and a ``tip`` (tooltip HTML, escaped, `layout.products.maps.markup.tip`);
`geojson_layer` turns a collection into a folium layer.  The overview map and the industry maps
draw the same layers, the industry maps some of them as outlines (`outline_features`,
`zone_outline_features`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layout.model.catalog import OTHER
from layout.products.escape import escape_text
from layout.products.maps.attributes import feature_name, fmt, split_codes
from layout.products.maps.markup import tip
from layout.products.maps.prepare import View, metric_area_km2
from layout.products.maps.style import (
    BOUNDARY_COLOR,
    COUNTY_COLOR,
    LINE_KINDS,
    NO_LEADING_COLOR,
    POINT_KINDS,
    TEXT,
    UNKNOWN_LINE,
    UNKNOWN_POINT,
    URBAN_COLOR,
    constraint_style,
    industry_label,
    industry_order,
)

__all__ = [
    "MAX_RADIUS_PX",
    "MIN_RADIUS_PX",
    "boundary_features",
    "constraint_features",
    "county_features",
    "enterprise_features",
    "feature_collection",
    "geojson_layer",
    "line_features",
    "outline_features",
    "point_features",
    "urban_features",
    "zone_features",
    "zone_outline_features",
]

#: Radius range of enterprise dots in pixels; dot *area* is proportional to output.
MIN_RADIUS_PX = 2.0
MAX_RADIUS_PX = 9.0


def feature_collection(gdf: gpd.GeoDataFrame, props: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON ``FeatureCollection`` of the geometries of ``gdf`` with ``props``, in order."""
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": p}
        for geom, p in zip(gdf.geometry, props, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def geojson_layer(
    data: dict[str, Any],
    *,
    name: str,
    marker: folium.CircleMarker | None = None,
    show: bool = True,
    interactive: bool = True,
) -> folium.GeoJson:
    """A GeoJson layer styled by each feature's ``style`` property, tooltip from ``tip``."""
    tooltip = (
        folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True, class_name="layout-tip")
        if interactive
        else None
    )
    extra: dict[str, Any] = {} if interactive else {"interactive": False}
    return folium.GeoJson(
        data,
        name=escape_text(name),
        show=show,
        marker=marker,
        tooltip=tooltip,
        **extra,
    )


def county_features(gdf: gpd.GeoDataFrame, lang: str, view: View) -> dict[str, Any]:
    """Counties and districts, light grey, with name and area in the tooltip."""
    t = TEXT[lang]
    gdf = gdf.reset_index(drop=True)
    area = metric_area_km2(gdf)
    disp = view.prepare(gdf, source="counties")
    style = {"color": COUNTY_COLOR, "weight": 1.0, "fillColor": "#f4f4f4", "fillOpacity": 0.35}
    props = [
        {
            "tip": tip(
                feature_name(row, lang, "adcode"), [(t["area"], f"{fmt(area[i])} {t['km2']}")], lang
            ),
            "style": style,
        }
        for i, row in disp.iterrows()
    ]
    return feature_collection(disp, props)


def boundary_features(gdf: gpd.GeoDataFrame, view: View) -> dict[str, Any]:
    """The municipal boundary as a thick outline (no tooltip)."""
    disp = view.prepare(gdf, source="boundary")
    style = {"color": BOUNDARY_COLOR, "weight": 2.5, "fill": False}
    return feature_collection(disp, [{"style": style} for _ in range(len(disp))])


def urban_features(gdf: gpd.GeoDataFrame, lang: str, view: View) -> dict[str, Any]:
    """Urban areas, grey, named in the tooltip."""
    disp = view.prepare(gdf, source="urban_areas")
    style = {"color": URBAN_COLOR, "weight": 0.5, "fillColor": URBAN_COLOR, "fillOpacity": 0.3}
    props = [
        {"tip": tip(feature_name(row, lang, "urban_id"), [], lang), "style": style}
        for _, row in disp.iterrows()
    ]
    return feature_collection(disp, props)


def constraint_features(
    gdf: gpd.GeoDataFrame, lang: str, view: View
) -> list[tuple[str, str, dict[str, Any]]]:
    """One collection per constraint type: ``(type, label, collection)``."""
    disp = view.prepare(gdf, source="constraints")
    kinds = disp["type"].astype(str) if "type" in disp.columns else pd.Series("", disp.index)
    out = []
    for kind in sorted(kinds.unique()):
        color, label, _ = constraint_style(kind, lang)
        part = disp[kinds == kind]
        style = {
            "color": color,
            "weight": 1.0,
            "dashArray": "4 3",
            "fillColor": color,
            "fillOpacity": 0.22,
        }
        props = []
        for _, row in part.iterrows():
            rows = [(TEXT[lang]["constraints"], label)]
            basis = row.get("legal_basis")
            if isinstance(basis, str) and basis:
                rows.append(("依据" if lang == "zh" else "Legal basis", basis))
            props.append(
                {"tip": tip(feature_name(row, lang, "constraint_id"), rows, lang), "style": style}
            )
        out.append((kind, label, feature_collection(part, props)))
    return out


def zone_features(gdf: gpd.GeoDataFrame, lang: str, view: View) -> tuple[dict[str, Any], list[str]]:
    """The zones collection (largest first, so small zones stay on top) and leading codes."""
    t = TEXT[lang]
    gdf = gdf.assign(_area=metric_area_km2(gdf))
    gdf = gdf.sort_values("_area", ascending=False, kind="stable")
    disp = view.prepare(gdf, source="zones")
    props, firsts = [], []
    for _, row in disp.iterrows():
        codes = split_codes(row.get("leading"))
        names = [industry_label(c, lang)[0] for c in codes]
        color = industry_label(codes[0], lang)[1] if codes else NO_LEADING_COLOR
        if codes:
            firsts.append(codes[0])
        rows = [
            (t["leading"], t["list_sep"].join(names) if names else t["none"]),
            (t["leading_note"], str(row.get("leading_note") or "")),
            (t["area"], f"{fmt(row['_area'])} {t['km2']}"),
        ]
        planned = fmt(row.get("planned_area_km2"))
        if planned:
            rows.append((t["planned_area"], f"{planned} {t['km2']}"))
        built = fmt(100 * float(row["built_share"]), 0) if fmt(row.get("built_share")) else ""
        if built:
            rows.append((t["built_share"], f"{built} %"))
        confidence = row.get("confidence")
        if isinstance(confidence, str) and confidence:
            rows.append((t["confidence"], confidence))
        style = {"color": color, "weight": 1.5, "fillColor": color, "fillOpacity": 0.45}
        props.append({"tip": tip(feature_name(row, lang, "zone_id"), rows, lang), "style": style})
    return feature_collection(disp, props), firsts


def _radius(output: pd.Series) -> pd.Series:
    """Dot radius in px: area proportional to output, between MIN and MAX_RADIUS_PX."""
    values = pd.to_numeric(output, errors="coerce").clip(lower=0)
    top = values.max()
    if not np.isfinite(top) or top <= 0:
        return pd.Series(MIN_RADIUS_PX, index=output.index)
    r = MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * np.sqrt(values.fillna(0) / top)
    return r.round(1)


def enterprise_features(
    gdf: gpd.GeoDataFrame, lang: str, view: View
) -> list[tuple[str, str, str, int, dict[str, Any]]]:
    """One collection per industry: ``(code, name, colour, count, collection)``."""
    t = TEXT[lang]
    disp = view.prepare(gdf.reset_index(drop=True), source="enterprises", simplify=False)
    codes = (
        disp["industry"].fillna(OTHER).astype(str).str.strip().replace("", OTHER)
        if "industry" in disp.columns
        else pd.Series(OTHER, index=disp.index)
    )
    output = disp["output_wan"] if "output_wan" in disp.columns else pd.Series(np.nan, disp.index)
    radius = _radius(output)
    out = []
    for code in industry_order(set(codes)):
        name, color = industry_label(code, lang)
        part = disp[codes == code]
        props = []
        for i, row in part.iterrows():
            rows = [
                (t["industry"], name),
                (
                    t["employees"],
                    f"{fmt(row.get('employees'), 0)} {t['people']}".strip()
                    if fmt(row.get("employees"))
                    else "",
                ),
                (
                    t["output"],
                    f"{fmt(float(row['output_wan']) / 1e4, 2)} {t['yi']}"
                    if fmt(row.get("output_wan"))
                    else "",
                ),
                (
                    t["land"],
                    f"{fmt(row.get('land_mu'), 0)} {t['mu']}" if fmt(row.get("land_mu")) else "",
                ),
            ]
            title = str(row.get("name") or row.get("ent_id") or "")
            props.append({"tip": tip(title, rows, lang), "style": {"radius": float(radius[i])}})
        out.append((code, name, color, len(part), feature_collection(part, props)))
    return out


def line_features(gdf: gpd.GeoDataFrame, lang: str, view: View) -> tuple[dict[str, Any], list[str]]:
    """Transport lines styled by kind, and the kind of each line (for the legend)."""
    disp = view.prepare(gdf, source="transport_lines")
    props, kinds = [], []
    for _, row in disp.iterrows():
        kind = str(row.get("kind") or "")
        style, zh, en = LINE_KINDS.get(kind, UNKNOWN_LINE)
        kinds.append(kind)
        title = " ".join(str(row.get(c)) for c in ("ref", "name") if row.get(c)) or (
            zh if lang == "zh" else en
        )
        props.append({"tip": tip(title, [], lang), "style": style})
    return feature_collection(disp, props), kinds


def point_features(
    gdf: gpd.GeoDataFrame, lang: str, view: View
) -> tuple[dict[str, Any], list[str]]:
    """Transport nodes coloured and sized by kind, and the kind of each node (for the legend)."""
    disp = view.prepare(gdf, source="transport_points", simplify=False)
    props, kinds = [], []
    for _, row in disp.iterrows():
        kind = str(row.get("kind") or "")
        color, radius, zh, en = POINT_KINDS.get(kind, UNKNOWN_POINT)
        kinds.append(kind)
        title = feature_name(row, lang, "ref", "node_id") or (zh if lang == "zh" else en)
        rows = [("类型" if lang == "zh" else "Kind", zh if lang == "zh" else en)]
        props.append(
            {"tip": tip(title, rows, lang), "style": {"radius": radius, "fillColor": color}}
        )
    return feature_collection(disp, props), kinds


def outline_features(
    gdf: gpd.GeoDataFrame, lang: str, view: View, *, source: str, style: Mapping[str, Any]
) -> dict[str, Any]:
    """Polygons as outlines (a transparent fill keeps their tooltips) named in ``lang``."""
    gdf = gdf.reset_index(drop=True)
    disp = view.prepare(gdf, source=source)
    id_col = "adcode" if "adcode" in disp.columns else "zone_id"
    props = [
        {"tip": tip(feature_name(row, lang, id_col), [], lang), "style": dict(style)}
        for _, row in disp.iterrows()
    ]
    return feature_collection(disp, props)


def zone_outline_features(
    gdf: gpd.GeoDataFrame, lang: str, view: View, code: str
) -> dict[str, Any]:
    """Zones as dashed outlines: thick where ``code`` is a leading industry."""
    t = TEXT[lang]
    disp = view.prepare(gdf.reset_index(drop=True), source="zones")
    props = []
    for _, row in disp.iterrows():
        codes = split_codes(row.get("leading"))
        names = [industry_label(c, lang)[0] for c in codes]
        leads = code in codes
        color = industry_label(code, lang)[1] if leads else NO_LEADING_COLOR
        style = {
            "color": "#000000" if leads else "#555555",
            "weight": 2.5 if leads else 1.2,
            "dashArray": "5 4",
            "fillColor": color,
            "fillOpacity": 0.0,
        }
        rows = [(t["leading"], t["list_sep"].join(names) if names else t["none"])]
        props.append({"tip": tip(feature_name(row, lang, "zone_id"), rows, lang), "style": style})
    return feature_collection(disp, props)
