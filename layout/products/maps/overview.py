"""The overview map: boundaries, cluster zones, enterprises by industry, constraints, transport.

`overview_map` builds a folium map of the input layers (data model in ``docs/data_model.md``);
`layout.products.maps.save_map` writes it as one offline HTML file.  Every piece of text from
the data goes through `escape_text` before it reaches the page (in the ``map_*`` templates as
``inert``, `layout.products.templating.inert`), and tooltips are folium ``GeoJsonTooltip``
objects fed with one pre-escaped HTML property per feature (folium's ``GeoJsonTooltip`` assigns
property values to ``innerHTML`` unescaped; its ``Tooltip`` writes text raw into a JavaScript
template literal; its ``Popup`` needs jQuery -- none of these raw paths ever sees user text
here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd

from layout.io.crs import require_crs
from layout.products.maps.basemap import resolve_basemap
from layout.products.maps.frame import base_map, finish_map, home_extent
from layout.products.maps.layers import (
    MIN_RADIUS_PX,
    boundary_features,
    constraint_features,
    county_features,
    enterprise_features,
    geojson_layer,
    line_features,
    point_features,
    urban_features,
    zone_features,
)
from layout.products.maps.legend import legend_sources, overview_legend
from layout.products.maps.prepare import DEFAULT_TOLERANCE_M, View
from layout.products.maps.sites import bar_groups, names_by_id, site_features, site_layer
from layout.products.maps.style import (
    SITE_STROKE,
    TEXT,
    check_lang,
    constraint_style,
    industry_label,
    industry_order,
)

__all__ = ["default_title", "overview_map"]


def default_title(lang: str = "zh") -> str:
    """The overview's default title in ``lang`` (产业布局总览; a plan's maps use its name)."""
    return TEXT[check_lang(lang)]["default_title"]


def overview_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    title: str,
    lang: str = "zh",
    date: str | dt.date | None = None,
    sites: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    crs: Any = None,
) -> folium.Map:
    """Build the overview map of the input layers.

    Parameters
    ----------
    layers
        Layers keyed by their data-model names (``boundary``, ``counties``, ``zones``,
        ``enterprises``, ``constraints``, ``transport_lines``, ``transport_points``,
        ``urban_areas``); any may be missing.  Any CRS; they are shown in lon/lat.
    title
        Plan name shown on top of the map and as the page title (escaped).
    lang
        ``"zh"`` (default) or ``"en"``: labels, legend and names.
    date
        Date shown next to the title; pass it in (the map never reads the clock, so that the
        same inputs give the same file).
    sites
        Optional recommended sites: the ``sites`` layer of ``plan.gpkg``
        (docs/plan_outputs.md), coloured by industry, with a tooltip and a popup (area in mu and
        ha, scores, zone, stability, a bar chart of the criterion contributions).
    basemap
        ``None``/``"none"`` (default): no tiles, the boundaries are the base and the page needs
        no network.  ``"osm"``, ``"tianditu"`` (the viewer's key, given when the map is opened
        and never written into it) or ``"gaode"``:
        tiles loaded from the network when viewed; with ``"gaode"`` every overlay is converted
        to GCJ-02 and the map says so (see `layout.products.maps.basemap`).
    tolerance_m
        Display simplification of lines and polygons in metres.
    crs
        The plan CRS: when there is nothing to draw, the map shows its area of use
        (`layout.products.maps.frame.home_extent`) instead of the whole world.

    Returns
    -------
    folium.Map
        Canvas-rendered map with one toggleable layer per industry, a layer control, a
        legend, a scale bar and ``window.__layout`` (the Leaflet map and its layers by key:
        ``counties``, ``zones``, ``enterprises:<code>``, ``constraints:<type>``, ...).
        Write it with `layout.products.maps.save_map`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> counties = gpd.GeoDataFrame(
    ...     {"adcode": ["410102"], "name_zh": ["中原区"], "name_en": ["Zhongyuan"]},
    ...     geometry=[shapely.box(113.5, 34.7, 113.6, 34.8)], crs="EPSG:4326")
    >>> m = overview_map({"counties": counties}, title="示例", date="2024-01-01")
    >>> from layout.products.maps import render_html
    >>> "中原区" in render_html(m)
    True
    """
    check_lang(lang)
    tiles = resolve_basemap(basemap, lang=lang)
    t = TEXT[lang]
    view = View(tolerance_m=tolerance_m, datum=tiles.datum if tiles else "wgs84")
    present = {k: v for k, v in layers.items() if v is not None and not v.empty}
    for name, gdf in [*present.items(), ("sites", sites)]:
        if gdf is not None:
            require_crs(gdf, source=gdf.attrs.get("source", name))

    extent = view.bounds({**present, **({"sites": sites} if sites is not None else {})})
    home = None if extent or crs is None else home_extent(crs)
    m = base_map(extent, title=title, date=date, basemap=tiles, home=home)

    registry: dict[str, folium.GeoJson] = {}

    def add(key: str, layer: folium.GeoJson) -> None:
        layer.add_to(m)
        registry[key] = layer

    if "counties" in present:
        add(
            "counties",
            geojson_layer(county_features(present["counties"], lang, view), name=t["counties"]),
        )
    if "boundary" in present:
        add(
            "boundary",
            geojson_layer(
                boundary_features(present["boundary"], view), name=t["boundary"], interactive=False
            ),
        )
    constraint_legend: list[tuple[str, str]] = []
    if "constraints" in present:
        for kind, label, data in constraint_features(present["constraints"], lang, view):
            add(f"constraints:{kind}", geojson_layer(data, name=f"{t['constraints']} · {label}"))
            constraint_legend.append((label, constraint_style(kind, lang)[0]))
    if "urban_areas" in present:
        add(
            "urban_areas",
            geojson_layer(
                urban_features(present["urban_areas"], lang, view),
                name=t["urban_areas"],
                show=False,
            ),
        )
    zone_codes: list[str] = []
    if "zones" in present:
        data, zone_codes = zone_features(present["zones"], lang, view)
        add("zones", geojson_layer(data, name=t["zones"]))
    line_kinds: list[str] = []
    if "transport_lines" in present:
        data, line_kinds = line_features(present["transport_lines"], lang, view)
        add("transport_lines", geojson_layer(data, name=t["transport_lines"]))
    point_kinds: list[str] = []
    if "transport_points" in present:
        data, point_kinds = point_features(present["transport_points"], lang, view)
        marker = folium.CircleMarker(
            radius=5, color="#ffffff", weight=1, fill=True, fill_opacity=0.95
        )
        add("transport_points", geojson_layer(data, name=t["transport_points"], marker=marker))
    industry_legend: dict[str, tuple[str, str]] = {}
    if "enterprises" in present:
        for code, name, color, count, data in enterprise_features(
            present["enterprises"], lang, view
        ):
            marker = folium.CircleMarker(
                radius=MIN_RADIUS_PX,
                color="#404040",
                weight=0.5,
                fill=True,
                fill_color=color,
                fill_opacity=0.85,
            )
            add(
                f"enterprises:{code}",
                geojson_layer(data, name=f"{t['enterprises']} · {name} ({count})", marker=marker),
            )
            industry_legend[code] = (name, color)
    site_codes: list[str] = []
    if sites is not None and not sites.empty:
        data, site_codes = site_features(
            sites,
            lang,
            view,
            zone_names=names_by_id(present.get("zones"), "zone_id", lang),
            county_names=names_by_id(present.get("counties"), "adcode", lang),
        )
        marker = folium.CircleMarker(
            radius=8, color=SITE_STROKE, weight=2.5, fill=True, fill_opacity=0.9
        )
        add("sites", site_layer(data, name=t["sites"], marker=marker))
    for code in industry_order(zone_codes + site_codes):
        industry_legend.setdefault(code, industry_label(code, lang))
    legend_industries = [industry_legend[c] for c in industry_order(list(industry_legend))]

    legend = overview_legend(
        lang,
        industries=legend_industries,
        zones=bool(zone_codes) or "zones" in present,
        constraints=constraint_legend,
        lines=list(dict.fromkeys(line_kinds)),
        points=list(dict.fromkeys(point_kinds)),
        urban="urban_areas" in present,
        sites=bool(site_codes),
        sources=legend_sources(present),
        bars=bar_groups(sites, lang) if site_codes else [],
    )
    finish_map(m, title=title, date=date, lang=lang, legend=legend, layers=registry, basemap=tiles)
    return m
