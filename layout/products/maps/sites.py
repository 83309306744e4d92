"""Recommended sites on the maps: GeoJSON with tooltips and popups, and rank labels.

A site's popup (`site_popup`, template ``map_site_popup.html.j2``) shows the `site_summary`
table (area in mu and ha, scores, zone, county, stability) and a bar chart of its criterion
contributions (the ``c_<criterion>`` columns of the ``sites`` layer, docs/plan_outputs.md);
`site_features` builds the GeoJSON of a sites layer, `site_layer` the folium layer with tooltip
and popup, `SiteLabels` the rank numbers of the industry maps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.template import Template

from layout.model.catalog import OTHER
from layout.products.escape import escape_text
from layout.products.maps.attributes import feature_name, fmt, number
from layout.products.maps.frame import LEGEND_WIDTH_PX
from layout.products.maps.layers import feature_collection
from layout.products.maps.markup import fragment, tip
from layout.products.maps.prepare import View
from layout.products.maps.style import (
    CRITERION_GROUP_COLORS,
    SITE_STROKE,
    TEXT,
    UNKNOWN_GROUP_COLOR,
    industry_label,
    industry_order,
)

__all__ = [
    "Bar",
    "SiteLabels",
    "bar_groups",
    "contribution_bars",
    "contribution_columns",
    "criterion_label",
    "names_by_id",
    "rank_labels",
    "site_features",
    "site_layer",
    "site_popup",
    "site_summary",
    "site_title",
]


@dataclass(frozen=True)
class Bar:
    """One bar of a site's contribution chart.

    Attributes
    ----------
    label
        The criterion's label.
    color
        Bar colour (the criterion group's).
    width
        Bar length in percent of the largest contribution of the site.
    value
        The contribution in score points, formatted.
    """

    label: str
    color: str
    width: float
    value: str


def contribution_columns(columns: Sequence[str]) -> list[str]:
    """The ``c_<criterion>`` columns of a sites table (docs/plan_outputs.md), in table order."""
    return [c for c in columns if isinstance(c, str) and c.startswith("c_") and len(c) > 2]


def criterion_label(name: str, lang: str) -> tuple[str, str]:
    """Label and bar colour of a criterion; unknown names are shown as they are, in grey."""
    from layout.model.criteria import contribution_group, contribution_label

    group = contribution_group(name)
    return contribution_label(name, lang), CRITERION_GROUP_COLORS.get(group, UNKNOWN_GROUP_COLOR)


def bar_groups(sites: pd.DataFrame | None, lang: str) -> list[tuple[str, str]]:
    """``(group name, bar colour)`` of the bars the sites' popups show, for the legend.

    One row per criterion group with a contribution (a finite ``c_<criterion>`` value) at any
    site, in the order of `layout.model.criteria.GROUPS`; criteria of no known group (grey
    bars) come last as one row "other".

    Examples
    --------
    >>> table = pd.DataFrame({"c_zone_fit": [1.0], "c_slope": [float("nan")],
    ...                       "c_mystery": [2.0], "c_density": [3.0]})
    >>> bar_groups(table, "en")
    [('agglomeration', '#e6550d'), ('intensive use', '#31a354'), ('other criteria', '#737373')]
    """
    from layout.model.criteria import CRITERIA, GROUPS

    if sites is None:
        return []
    shown: set[str] = set()
    for col in contribution_columns(list(sites.columns)):
        values = pd.to_numeric(sites[col], errors="coerce")
        if np.isfinite(values.to_numpy(dtype=float)).any():
            crit = CRITERIA.get(col[2:])
            shown.add(crit.group if crit is not None and crit.group in GROUPS else "")
    side = 0 if lang == "zh" else 1
    rows = [(GROUPS[g][side], CRITERION_GROUP_COLORS.get(g, UNKNOWN_GROUP_COLOR))
            for g in GROUPS if g in shown]
    if "" in shown:
        rows.append((TEXT[lang]["other_criteria"], UNKNOWN_GROUP_COLOR))
    return rows


def contribution_bars(row: pd.Series, columns: Sequence[str], lang: str) -> list[Bar]:
    """The bars of the criterion contributions of one site, largest first.

    Bars are scaled to the largest contribution of the site; the value is in score points (the
    contributions sum to the site's mean score).  Criteria without weight (NaN) are left out.
    """
    values = [(c[2:], number(row.get(c))) for c in columns]
    values = [(n, v) for n, v in values if math.isfinite(v)]
    if not values:
        return []
    values.sort(key=lambda nv: (-nv[1], nv[0]))
    top = max(max(v for _, v in values), 1e-9)
    out = []
    for name, value in values:
        label, color = criterion_label(name, lang)
        width = max(0.0, min(100.0, 100.0 * value / top))
        out.append(Bar(label=label, color=color, width=width, value=fmt(value)))
    return out


def site_summary(
    row: pd.Series,
    lang: str,
    *,
    zone_names: Mapping[str, str] | None = None,
    county_names: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """``(label, value)`` rows describing a site of the plan (unescaped text).

    Area in mu and ha, mean and minimum score, zone, county and stability, from the columns of
    the ``sites`` layer (docs/plan_outputs.md); a ``score`` column stands in for ``mean_score``.
    """
    t = TEXT[lang]
    code = str(row.get("industry") or OTHER)
    rows: list[tuple[str, str]] = [(t["industry"], industry_label(code, lang)[0])]
    rank = number(row.get("rank"))
    if math.isfinite(rank):
        rows.append((t["rank"], f"{rank:.0f}"))
    mu, ha = number(row.get("area_mu")), number(row.get("area_ha"))
    if math.isfinite(mu):
        ha = ha if math.isfinite(ha) else mu / 15.0
        rows.append((t["area"], f"{fmt(mu, 0)} {t['mu']} ({fmt(ha, 1)} {t['ha']})"))
    mean = number(row.get("mean_score", row.get("score")))
    if math.isfinite(mean):
        rows.append((t["mean_score"], fmt(mean)))
    low = number(row.get("min_score"))
    if math.isfinite(low):
        rows.append((t["min_score"], fmt(low)))
    zone_id = str(row.get("zone_id") or "").strip()
    zone = (zone_names or {}).get(zone_id) or str(row.get("zone_name") or "").strip()
    if "zone_id" in row.index or "zone_name" in row.index:
        rows.append((t["zone"], zone or t["outside_zones"]))
    county = str(row.get("county") or "").strip()
    if county:
        rows.append((t["county"], (county_names or {}).get(county) or county))
    if "stability" in row.index:
        stab = number(row.get("stability"))
        if math.isfinite(stab):
            stable = bool(row.get("stable")) if "stable" in row.index else stab >= 0.7
            word = t["stable"] if stable else t["unstable"]
            rows.append((t["stability"], f"{fmt(100 * stab, 0)} % ({word})"))
        else:
            rows.append((t["stability"], t["not_run"]))
    return rows


def site_title(row: pd.Series, lang: str) -> str:
    """The site's name: ``site_id`` (``auto-01``), else ``name``, else the word for site."""
    for col in ("site_id", "name"):
        value = row.get(col)
        if (
            value is not None
            and str(value).strip()
            and not (isinstance(value, float) and math.isnan(value))
        ):
            return str(value).strip()
    return TEXT[lang]["site"]


def site_popup(
    row: pd.Series,
    lang: str,
    *,
    columns: Sequence[str] = (),
    zone_names: Mapping[str, str] | None = None,
    county_names: Mapping[str, str] | None = None,
) -> str:
    """Popup HTML of a site: the `site_summary` table and a bar chart of ``columns``.

    Every piece of text is escaped; the bars are plain HTML/CSS (no JavaScript library)
    (template ``map_site_popup.html.j2``).
    """
    return fragment(
        "map_site_popup.html.j2",
        title=site_title(row, lang),
        rows=site_summary(row, lang, zone_names=zone_names, county_names=county_names),
        heading=TEXT[lang]["contributions"],
        bars=contribution_bars(row, columns, lang),
    )


def site_features(
    gdf: gpd.GeoDataFrame,
    lang: str,
    view: View,
    *,
    fill_opacity: float = 0.7,
    zone_names: Mapping[str, str] | None = None,
    county_names: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Sites as GeoJSON with a tooltip (``tip``) and a popup (``popup``) per feature.

    Sites are ordered by industry (catalog order) and rank, so the output does not depend on
    the row order of the input.
    """
    t = TEXT[lang]
    gdf = gdf.reset_index(drop=True)
    codes_in = (
        gdf["industry"].fillna(OTHER).astype(str)
        if "industry" in gdf.columns
        else pd.Series(OTHER, gdf.index)
    )
    order = {c: i for i, c in enumerate(industry_order(set(codes_in)))}
    rank = (
        pd.to_numeric(gdf["rank"], errors="coerce")
        if "rank" in gdf.columns
        else pd.Series(np.nan, gdf.index)
    )
    keys = pd.DataFrame({"ind": codes_in.map(order), "rank": rank, "pos": np.arange(len(gdf))})
    gdf = gdf.loc[keys.sort_values(["ind", "rank", "pos"], kind="stable").index]
    columns = contribution_columns(list(gdf.columns))
    disp = view.prepare(gdf, source="sites")
    props, codes = [], []
    for _, row in disp.iterrows():
        code = str(row.get("industry") or OTHER)
        _, color = industry_label(code, lang)
        codes.append(code)
        summary = site_summary(row, lang, zone_names=zone_names, county_names=county_names)
        tip_rows = [r for r in summary if r[0] in (t["industry"], t["area"], t["mean_score"])]
        if row.geometry.geom_type in ("Point", "MultiPoint"):
            style: dict[str, Any] = {"radius": 8.0, "fillColor": color}
        else:
            style = {
                "color": SITE_STROKE,
                "weight": 2.5,
                "fillColor": color,
                "fillOpacity": fill_opacity,
            }
        props.append(
            {
                "tip": tip(site_title(row, lang), tip_rows, lang),
                "popup": site_popup(
                    row, lang, columns=columns, zone_names=zone_names, county_names=county_names
                ),
                "style": style,
            }
        )
    return feature_collection(disp, props), codes


def names_by_id(gdf: gpd.GeoDataFrame | None, id_column: str, lang: str) -> dict[str, str]:
    """``{id: name in lang}`` of a zones or counties layer (empty when the layer is missing)."""
    if gdf is None or gdf.empty or id_column not in gdf.columns:
        return {}
    return {
        str(row[id_column]): feature_name(row, lang, id_column)
        for _, row in gdf.drop(columns="geometry").iterrows()
    }


def site_layer(
    data: dict[str, Any], *, name: str, marker: folium.CircleMarker | None = None
) -> folium.GeoJson:
    """A sites GeoJson layer: tooltip, popup on click; clicks do not reach the map below."""
    layer = folium.GeoJson(
        data,
        name=escape_text(name),
        marker=marker,
        tooltip=folium.GeoJsonTooltip(
            fields=["tip"], labels=False, sticky=True, class_name="layout-tip"
        ),
        popup=folium.GeoJsonPopup(
            fields=["popup"],
            labels=False,
            localize=False,
            class_name="layout-popup",
            maxWidth=380,
            # Keep the popup clear of the legend (left) and the title (top) when panning to it.
            autoPanPaddingTopLeft=[LEGEND_WIDTH_PX + 20, 60],
        ),
        bubblingMouseEvents=False,
    )
    return layer

class SiteLabels(folium.FeatureGroup):
    """Rank numbers of the sites as non-interactive Leaflet ``divIcon`` markers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        {{ this.labels|tojson }}.forEach(function (p) {
            L.marker([p[0], p[1]], {
                interactive: false,
                keyboard: false,
                // Up and right of the point, so that a small site stays visible.
                icon: L.divIcon({
                    className: "layout-rank", html: p[2], iconSize: [20, 20], iconAnchor: [-2, 22],
                }),
            }).addTo({{ this.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, labels: Sequence[tuple[float, float, str]], *, name: str):
        super().__init__(name=name)
        self._name = "SiteLabels"
        self.labels = [[lat, lon, text] for lat, lon, text in labels]


def rank_labels(sites: gpd.GeoDataFrame, view: View) -> list[Any]:
    """``(lat, lon, escaped rank)`` at a point inside each site."""
    gdf = sites.reset_index(drop=True)
    disp = view.prepare(gdf, source="sites")
    out = []
    for _, row in disp.iterrows():
        point = row.geometry.representative_point()
        rank = row.get("rank")
        text = fmt(rank, 0) if fmt(rank) else str(row.get("site_id") or "")
        out.append((round(point.y, 6), round(point.x, 6), escape_text(text)))
    return out

