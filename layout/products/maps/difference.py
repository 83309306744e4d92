"""The difference map of two plans: land that changed industry, and the sites of both plans.

`difference_map` draws a `layout.products.compare.PlanComparison` as one offline folium map
(`layout.products.maps.offline.save_map`): plan A's sites as dashed outlines in their
industry's colour, plan B's sites filled in their industry's colour with a solid outline, and
the land whose industry differs (`layout.products.compare.changed_land`) on top in
translucent black with a dotted outline (apart from every industry colour), each with a
tooltip naming the change. No basemap: the map opens offline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import folium
import geopandas as gpd

from layout.products.compare import PlanComparison
from layout.products.maps.frame import base_map, finish_map
from layout.products.maps.markup import fragment, tip
from layout.products.maps.prepare import bounds_latlon, for_display
from layout.products.maps.style import TEXT, check_lang, industry_label, industry_order

__all__ = ["CHANGED_COLOR", "difference_map"]

#: Colour of the land that changed industry (near-black: apart from every industry colour,
#: which are all light or saturated; magenta merged with biomedicine's pink).
CHANGED_COLOR = "#1a1a1a"

_WORDS = {
    "zh": {"a": "方案A选址", "b": "方案B选址", "changed": "产业变化的用地", "none": "无",
           "title": "方案比较", "from": "由", "to": "变为", "area": "面积",
           "site": "选址", "score": "平均评分", "mu": "亩"},
    "en": {"a": "Plan A sites", "b": "Plan B sites", "changed": "Land that changed industry",
           "none": "none", "title": "Plan comparison", "from": "from", "to": "to",
           "area": "area", "site": "site", "score": "mean score", "mu": "mu"},
}


def _features(gdf: gpd.GeoDataFrame, *, source: str) -> dict[str, Any]:
    disp = for_display(gdf, source=source, tolerance_m=0.0)
    return dict(disp.__geo_interface__)


def _site_tips(sites: gpd.GeoDataFrame, plan: str, lang: str) -> gpd.GeoDataFrame:
    w = _WORDS[lang]
    out = sites[["site_id", "industry", "area_mu", "mean_score", "geometry"]].copy()
    out["tip"] = [
        tip(f"{w[plan]} · {r.site_id}",
            [(TEXT[lang]["industry"], industry_label(str(r.industry), lang)[0]),
             (w["area"], f"{float(r.area_mu):,.0f} {w['mu']}"),
             (w["score"], f"{float(r.mean_score):.1f}")], lang)
        for r in out.itertuples()
    ]
    out["color"] = [industry_label(str(c), lang)[1] for c in out["industry"]]
    return gpd.GeoDataFrame(out[["tip", "color", "geometry"]], geometry="geometry",
                            crs=sites.crs)


def _change_tips(changed: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    w = _WORDS[lang]

    def name(code: str) -> str:
        return industry_label(code, lang)[0] if code else w["none"]

    out = changed.copy()
    out["tip"] = [
        tip(w["changed"], [(w["from"], name(r.industry_a)), (w["to"], name(r.industry_b)),
                           (w["area"], f"{float(r.area_mu):,.0f} {w['mu']}")], lang)
        for r in out.itertuples()
    ]
    return gpd.GeoDataFrame(out[["tip", "geometry"]], geometry="geometry", crs=changed.crs)


def _layer(data: dict[str, Any], *, name: str, style: dict[str, Any],
           fill_from_color: bool) -> folium.GeoJson:
    def style_fn(feature: dict[str, Any]) -> dict[str, Any]:
        s = dict(style)
        color = feature["properties"].get("color")
        if color:
            s["color"] = color
            if fill_from_color:
                s["fillColor"] = color
        return s

    return folium.GeoJson(
        data, name=name, style_function=style_fn,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True,
                                      class_name="layout-tip"),
    )


def difference_map(
    comparison: PlanComparison,
    *,
    lang: str = "zh",
    title: str | None = None,
    date: str | dt.date | None = None,
) -> folium.Map:
    """The difference map of ``comparison`` (module docstring), ready for `save_map`.

    Parameters
    ----------
    comparison
        The result of `layout.products.compare.compare_plans`.
    lang
        ``"zh"`` or ``"en"``.
    title
        Page title [default: 方案比较 / Plan comparison, with both plan titles].
    date
        The date shown beside the title.
    """
    lang = check_lang(lang)
    w = _WORDS[lang]
    sites_a, sites_b = comparison.a.sites, comparison.b.sites
    changed = comparison.changed
    layers_in = {"a": sites_a, "b": sites_b, "changed": changed}
    extent = bounds_latlon(layers_in)
    if title is None:
        names = [str(p.manifest.get("title") or p.folder.name) for p in (comparison.a,
                                                                           comparison.b)]
        title = f"{w['title']}: {names[0]} → {names[1]}"
    cell = comparison.a.manifest.get("resolution_m")
    m = base_map(extent, title=title, date=date, basemap=None,
                 cell_m=float(cell) if isinstance(cell, (int, float)) else None)
    layers: dict[str, Any] = {}
    if not sites_b.empty:
        layers["sites_b"] = _layer(
            _features(_site_tips(sites_b, "b", lang), source="plan B sites"),
            name=w["b"], fill_from_color=True,
            style={"weight": 2, "fillOpacity": 0.45, "opacity": 1.0})
    if not sites_a.empty:
        layers["sites_a"] = _layer(
            _features(_site_tips(sites_a, "a", lang), source="plan A sites"),
            name=w["a"], fill_from_color=False,
            style={"weight": 3, "dashArray": "6 4", "fillOpacity": 0.0, "opacity": 1.0})
    if not changed.empty:
        layers["changed"] = _layer(
            _features(_change_tips(changed, lang), source="changed land"),
            name=w["changed"], fill_from_color=False,
            style={"color": CHANGED_COLOR, "weight": 2, "dashArray": "2 3",
                   "fillColor": CHANGED_COLOR, "fillOpacity": 0.3, "opacity": 1.0})
    for layer in layers.values():
        layer.add_to(m)
    industries = industry_order(set(sites_a["industry"]) | set(sites_b["industry"]))
    legend = fragment(
        "compare_legend.html.j2",
        words=w,
        changed_color=CHANGED_COLOR,
        industries=[industry_label(str(c), lang) for c in industries],
    )
    finish_map(m, title=title, date=date, lang=lang, legend=legend, layers=layers,
               basemap=None, info={"kind": "compare"})
    return m
