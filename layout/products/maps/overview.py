"""The overview map: boundaries, cluster zones, enterprises by industry, constraints, transport.

`overview_map` builds a folium map of the input layers (data model in ``docs/data_model.md``);
`layout.products.maps.save_map` writes it as one offline HTML file.  Every piece of text from the data
goes through `escape_text` before it reaches the page, and tooltips are folium
``GeoJsonTooltip`` objects fed with one pre-escaped HTML property per feature (folium's
``GeoJsonTooltip`` assigns property values to ``innerHTML`` unescaped; its ``Tooltip`` writes
text raw into a JavaScript template literal; its ``Popup`` needs jQuery -- none of these raw
paths ever sees user text here).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from layout.io.crs import require_crs
from layout.model.catalog import OTHER
from layout.products.maps.basemap import Basemap, add_basemap, datum_note, resolve_basemap
from layout.products.maps.escape import escape_text
from layout.products.maps.prepare import DEFAULT_TOLERANCE_M, View, metric_area_km2
from layout.products.maps.style import (
    BOUNDARY_COLOR,
    COUNTY_COLOR,
    CRITERION_GROUP_COLORS,
    LINE_KINDS,
    NO_LEADING_COLOR,
    POINT_KINDS,
    SITE_STROKE,
    TEXT,
    UNKNOWN_GROUP_COLOR,
    UNKNOWN_LINE,
    UNKNOWN_POINT,
    URBAN_COLOR,
    check_lang,
    constraint_style,
    industry_label,
    industry_order,
)

__all__ = ["default_title", "overview_map"]

#: Radius range of enterprise dots in pixels; dot *area* is proportional to output.
MIN_RADIUS_PX = 2.0
MAX_RADIUS_PX = 9.0

#: Width of the legend panel; the initial view leaves this much room on the left.
LEGEND_WIDTH_PX = 250

_PANEL_CSS = """
.leaflet-container { background: #ffffff; }
.layout-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: rgba(255,255,255,0.9); padding: 4px 12px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: bold 17px/1.4 sans-serif; white-space: nowrap; }
.layout-title .layout-date { font-weight: normal; font-size: 13px; margin-left: 10px;
  color: #555; }
.leaflet-control-layers { font-size: 12px; line-height: 1.3; }
.layout-legend { position: absolute; bottom: 44px; left: 10px; z-index: 1000;
  background: rgba(255,255,255,0.93); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.35 sans-serif;
  max-height: calc(100vh - 150px);
  overflow-y: auto; width: {legend_width}px; box-sizing: border-box; }
.layout-legend summary { font-weight: bold; font-size: 13px; cursor: pointer; }
.layout-legend h4 { margin: 0 0 4px 0; font-size: 13px; }
.layout-legend h5 { margin: 6px 0 2px 0; font-size: 12px; color: #333; }
.layout-legend .row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.layout-legend .sw { flex: none; display: inline-block; width: 14px; height: 10px; }
.layout-legend .dot { flex: none; display: inline-block; width: 10px; height: 10px;
  border-radius: 50%; border: 0.5px solid #444; }
.layout-legend .line { flex: none; display: inline-block; width: 18px; height: 0; }
.layout-legend .note { color: #555; font-size: 11px; }
.layout-tip { font: 12px/1.4 sans-serif; }
.layout-note { position: absolute; top: 48px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: #fff3cd; border: 1px solid #d39e00; padding: 2px 10px;
  border-radius: 4px; font: 12px/1.4 sans-serif; white-space: nowrap; }
.layout-site { font: 12px/1.4 sans-serif; min-width: 270px; }
.layout-site table { border-collapse: collapse; margin: 3px 0 5px 0; }
.layout-site th { text-align: left; font-weight: normal; color: #555; padding: 0 10px 0 0; }
.layout-site td { padding: 0; }
.layout-site .hd { font-weight: bold; margin: 2px 0; }
.layout-site .bar { display: flex; align-items: center; gap: 5px; margin: 1px 0; }
.layout-site .bl { flex: 0 0 118px; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.layout-site .bt { flex: 1 1 auto; min-width: 90px; height: 9px; background: #eeeeee; }
.layout-site .bt i { display: block; height: 100%; }
.layout-site .bv { flex: 0 0 34px; text-align: right; font-variant-numeric: tabular-nums; }
""".replace("{legend_width}", str(LEGEND_WIDTH_PX))


class _Panel(MacroElement):
    """A fixed HTML panel over the map (title or legend); ``content`` must be escaped HTML."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {%- if this.css %}<style>{{ this.css }}</style>{% endif %}
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="{{ this.css_class }}" id="{{ this.get_name() }}">{{ this.content }}</div>
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, css_class: str, css: str = ""):
        super().__init__()
        self._name = "Panel"
        self.content = content
        self.css_class = css_class
        self.css = css


class _Hook(MacroElement):
    """Expose the map and its layers as ``window.__layout`` (used by tests and by users)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.__layout = {
            map: {{ this._parent.get_name() }},
            lang: {{ this.lang|tojson }},
            info: {{ this.info|tojson }},
            layers: {
            {%- for key, layer in this.layers.items() %}
                {{ key|tojson }}: {{ layer.get_name() }},
            {%- endfor %}
            },
        };
        {% endmacro %}
        """
    )

    def __init__(
        self,
        layers: Mapping[str, Element],
        *,
        lang: str,
        info: Mapping[str, Any] | None = None,
    ):
        super().__init__()
        self._name = "Hook"
        self.layers = dict(layers)
        self.lang = lang
        self.info = dict(info or {})


class _Scale(MacroElement):
    """A metric scale bar (folium's ``control_scale`` also shows miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Scale"


# --- text helpers ---------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 1) -> str:
    """Format a number with thousands separators, or return '' for missing values."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(x):
        return ""
    return f"{x:,.{digits}f}"


def _tip(title: str, rows: Sequence[tuple[str, str]], lang: str) -> str:
    """Tooltip HTML: a bold title and ``label: value`` lines, every piece escaped."""
    sep = TEXT[lang]["sep"]
    parts = [f"<b>{escape_text(title)}</b>"]
    parts += [
        f"{escape_text(label)}{escape_text(sep)}{escape_text(value)}"
        for label, value in rows
        if value not in ("", None)
    ]
    return "<br>".join(parts)


def _name(row: pd.Series, lang: str, *fallbacks: str) -> str:
    """The feature's name in ``lang`` (``name_zh``/``name_en``), else the first fallback found."""
    order = ["name_zh", "name_en"] if lang == "zh" else ["name_en", "name_zh"]
    for col in [*order, "name", *fallbacks]:
        value = row.get(col)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            text = str(value).strip()
            if text:
                return text
    return ""


def _codes(cell: Any) -> list[str]:
    """Split a comma-separated list of codes (``"auto,food"``); empty or missing gives []."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    return [c.strip() for c in str(cell).split(",") if c.strip()]


# --- GeoJSON --------------------------------------------------------------------------------


def _collection(gdf: gpd.GeoDataFrame, props: Sequence[dict[str, Any]]) -> dict[str, Any]:
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": p}
        for geom, p in zip(gdf.geometry, props, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _geojson(
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


# --- layers ---------------------------------------------------------------------------------


def _counties(gdf: gpd.GeoDataFrame, lang: str, view: View) -> dict[str, Any]:
    t = TEXT[lang]
    gdf = gdf.reset_index(drop=True)
    area = metric_area_km2(gdf)
    disp = view.prepare(gdf, source="counties")
    style = {"color": COUNTY_COLOR, "weight": 1.0, "fillColor": "#f4f4f4", "fillOpacity": 0.35}
    props = [
        {
            "tip": _tip(
                _name(row, lang, "adcode"), [(t["area"], f"{_fmt(area[i])} {t['km2']}")], lang
            ),
            "style": style,
        }
        for i, row in disp.iterrows()
    ]
    return _collection(disp, props)


def _boundary(gdf: gpd.GeoDataFrame, view: View) -> dict[str, Any]:
    disp = view.prepare(gdf, source="boundary")
    style = {"color": BOUNDARY_COLOR, "weight": 2.5, "fill": False}
    return _collection(disp, [{"style": style} for _ in range(len(disp))])


def _urban(gdf: gpd.GeoDataFrame, lang: str, view: View) -> dict[str, Any]:
    disp = view.prepare(gdf, source="urban_areas")
    style = {"color": URBAN_COLOR, "weight": 0.5, "fillColor": URBAN_COLOR, "fillOpacity": 0.3}
    props = [
        {"tip": _tip(_name(row, lang, "urban_id"), [], lang), "style": style}
        for _, row in disp.iterrows()
    ]
    return _collection(disp, props)


def _constraints(
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
                {"tip": _tip(_name(row, lang, "constraint_id"), rows, lang), "style": style}
            )
        out.append((kind, label, _collection(part, props)))
    return out


def _zones(gdf: gpd.GeoDataFrame, lang: str, view: View) -> tuple[dict[str, Any], list[str]]:
    """The zones collection (largest first, so small zones stay on top) and leading codes."""
    t = TEXT[lang]
    gdf = gdf.assign(_area=metric_area_km2(gdf))
    gdf = gdf.sort_values("_area", ascending=False, kind="stable")
    disp = view.prepare(gdf, source="zones")
    props, firsts = [], []
    for _, row in disp.iterrows():
        codes = _codes(row.get("leading"))
        names = [industry_label(c, lang)[0] for c in codes]
        color = industry_label(codes[0], lang)[1] if codes else NO_LEADING_COLOR
        if codes:
            firsts.append(codes[0])
        rows = [
            (t["leading"], t["list_sep"].join(names) if names else t["none"]),
            (t["leading_note"], str(row.get("leading_note") or "")),
            (t["area"], f"{_fmt(row['_area'])} {t['km2']}"),
        ]
        planned = _fmt(row.get("planned_area_km2"))
        if planned:
            rows.append((t["planned_area"], f"{planned} {t['km2']}"))
        built = _fmt(100 * float(row["built_share"]), 0) if _fmt(row.get("built_share")) else ""
        if built:
            rows.append((t["built_share"], f"{built} %"))
        confidence = row.get("confidence")
        if isinstance(confidence, str) and confidence:
            rows.append((t["confidence"], confidence))
        style = {"color": color, "weight": 1.5, "fillColor": color, "fillOpacity": 0.45}
        props.append({"tip": _tip(_name(row, lang, "zone_id"), rows, lang), "style": style})
    return _collection(disp, props), firsts


def _radius(output: pd.Series) -> pd.Series:
    """Dot radius in px: area proportional to output, between MIN and MAX_RADIUS_PX."""
    values = pd.to_numeric(output, errors="coerce").clip(lower=0)
    top = values.max()
    if not np.isfinite(top) or top <= 0:
        return pd.Series(MIN_RADIUS_PX, index=output.index)
    r = MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * np.sqrt(values.fillna(0) / top)
    return r.round(1)


def _enterprises(
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
                    f"{_fmt(row.get('employees'), 0)} {t['people']}".strip()
                    if _fmt(row.get("employees"))
                    else "",
                ),
                (
                    t["output"],
                    f"{_fmt(float(row['output_wan']) / 1e4, 2)} {t['yi']}"
                    if _fmt(row.get("output_wan"))
                    else "",
                ),
                (
                    t["land"],
                    f"{_fmt(row.get('land_mu'), 0)} {t['mu']}" if _fmt(row.get("land_mu")) else "",
                ),
            ]
            title = str(row.get("name") or row.get("ent_id") or "")
            props.append({"tip": _tip(title, rows, lang), "style": {"radius": float(radius[i])}})
        out.append((code, name, color, len(part), _collection(part, props)))
    return out


def _lines(gdf: gpd.GeoDataFrame, lang: str, view: View) -> tuple[dict[str, Any], list[str]]:
    disp = view.prepare(gdf, source="transport_lines")
    props, kinds = [], []
    for _, row in disp.iterrows():
        kind = str(row.get("kind") or "")
        style, zh, en = LINE_KINDS.get(kind, UNKNOWN_LINE)
        kinds.append(kind)
        title = " ".join(str(row.get(c)) for c in ("ref", "name") if row.get(c)) or (
            zh if lang == "zh" else en
        )
        props.append({"tip": _tip(title, [], lang), "style": style})
    return _collection(disp, props), kinds


def _points(gdf: gpd.GeoDataFrame, lang: str, view: View) -> tuple[dict[str, Any], list[str]]:
    disp = view.prepare(gdf, source="transport_points", simplify=False)
    props, kinds = [], []
    for _, row in disp.iterrows():
        kind = str(row.get("kind") or "")
        color, radius, zh, en = POINT_KINDS.get(kind, UNKNOWN_POINT)
        kinds.append(kind)
        title = _name(row, lang, "ref", "node_id") or (zh if lang == "zh" else en)
        rows = [("类型" if lang == "zh" else "Kind", zh if lang == "zh" else en)]
        props.append(
            {"tip": _tip(title, rows, lang), "style": {"radius": radius, "fillColor": color}}
        )
    return _collection(disp, props), kinds


def _number(value: Any) -> float:
    """``value`` as a float, NaN when missing or not a number."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x


def contribution_columns(columns: Sequence[str]) -> list[str]:
    """The ``c_<criterion>`` columns of a sites table (docs/plan_outputs.md), in table order."""
    return [c for c in columns if isinstance(c, str) and c.startswith("c_") and len(c) > 2]


def _criterion_label(name: str, lang: str) -> tuple[str, str]:
    """Label and bar colour of a criterion; unknown names are shown as they are, in grey."""
    from layout.model.criteria import CRITERIA

    crit = CRITERIA.get(name)
    if crit is None:
        return name, UNKNOWN_GROUP_COLOR
    return crit.label(lang), CRITERION_GROUP_COLORS.get(crit.group, UNKNOWN_GROUP_COLOR)


def _bars(row: pd.Series, columns: Sequence[str], lang: str) -> str:
    """Inline HTML/CSS bar chart of the criterion contributions of one site, largest first.

    Bars are scaled to the largest contribution of the site; the value is in score points (the
    contributions sum to the site's mean score).  Criteria without weight (NaN) are left out.
    """
    values = [(c[2:], _number(row.get(c))) for c in columns]
    values = [(n, v) for n, v in values if math.isfinite(v)]
    if not values:
        return ""
    values.sort(key=lambda nv: (-nv[1], nv[0]))
    top = max(max(v for _, v in values), 1e-9)
    out = []
    for name, value in values:
        label, color = _criterion_label(name, lang)
        width = max(0.0, min(100.0, 100.0 * value / top))
        out.append(
            f'<div class="bar"><span class="bl" title="{escape_text(label)}">'
            f"{escape_text(label)}</span>"
            f'<span class="bt"><i style="width:{width:.1f}%;background:{escape_text(color)}">'
            f'</i></span><span class="bv">{escape_text(_fmt(value))}</span></div>'
        )
    return "".join(out)


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
    rank = _number(row.get("rank"))
    if math.isfinite(rank):
        rows.append((t["rank"], f"{rank:.0f}"))
    mu, ha = _number(row.get("area_mu")), _number(row.get("area_ha"))
    if math.isfinite(mu):
        ha = ha if math.isfinite(ha) else mu / 15.0
        rows.append((t["area"], f"{_fmt(mu, 0)} {t['mu']} ({_fmt(ha, 1)} {t['ha']})"))
    mean = _number(row.get("mean_score", row.get("score")))
    if math.isfinite(mean):
        rows.append((t["mean_score"], _fmt(mean)))
    low = _number(row.get("min_score"))
    if math.isfinite(low):
        rows.append((t["min_score"], _fmt(low)))
    zone_id = str(row.get("zone_id") or "").strip()
    zone = (zone_names or {}).get(zone_id) or str(row.get("zone_name") or "").strip()
    if "zone_id" in row.index or "zone_name" in row.index:
        rows.append((t["zone"], zone or t["outside_zones"]))
    county = str(row.get("county") or "").strip()
    if county:
        rows.append((t["county"], (county_names or {}).get(county) or county))
    if "stability" in row.index:
        stab = _number(row.get("stability"))
        if math.isfinite(stab):
            stable = bool(row.get("stable")) if "stable" in row.index else stab >= 0.7
            word = t["stable"] if stable else t["unstable"]
            rows.append((t["stability"], f"{_fmt(100 * stab, 0)} % ({word})"))
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

    Every piece of text is escaped; the bars are plain HTML/CSS (no JavaScript library).
    """
    t = TEXT[lang]
    e = escape_text
    rows = site_summary(row, lang, zone_names=zone_names, county_names=county_names)
    table = "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in rows)
    bars = _bars(row, columns, lang)
    chart = f'<div class="hd">{e(t["contributions"])}</div>{bars}' if bars else ""
    head = f"<b>{e(site_title(row, lang))}</b>"
    return f'<div class="layout-site">{head}<table>{table}</table>{chart}</div>'


def _sites(
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
                "tip": _tip(site_title(row, lang), tip_rows, lang),
                "popup": site_popup(
                    row, lang, columns=columns, zone_names=zone_names, county_names=county_names
                ),
                "style": style,
            }
        )
    return _collection(disp, props), codes


def names_by_id(gdf: gpd.GeoDataFrame | None, id_column: str, lang: str) -> dict[str, str]:
    """``{id: name in lang}`` of a zones or counties layer (empty when the layer is missing)."""
    if gdf is None or gdf.empty or id_column not in gdf.columns:
        return {}
    return {
        str(row[id_column]): _name(row, lang, id_column)
        for _, row in gdf.drop(columns="geometry").iterrows()
    }


def _site_layer(
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


# --- legend ---------------------------------------------------------------------------------


def _legend_html(
    lang: str,
    *,
    industries: Sequence[tuple[str, str]],
    zones: bool,
    constraints: Sequence[tuple[str, str]],
    lines: Sequence[str],
    points: Sequence[str],
    urban: bool,
    sites: bool,
    sources: Sequence[str],
) -> str:
    t = TEXT[lang]
    e = escape_text
    out = [f"<details open><summary>{e(t['legend'])}</summary>"]

    def row(swatch: str, label: str) -> None:
        out.append(f'<div class="row">{swatch}<span>{e(label)}</span></div>')

    if industries:
        out.append(f"<h5>{e(t['enterprises'])}</h5>")
        for name, color in industries:
            row(f'<span class="dot" style="background:{e(color)}"></span>', name)
        out.append(f'<div class="note">{e(t["dot_note"])}</div>')
    if zones or sites:
        out.append(f"<h5>{e(t['zones'])}</h5>")
        if zones:
            row(
                f'<span class="sw" style="background:{e(NO_LEADING_COLOR)};opacity:0.7"></span>',
                f"{t['zones']} ({t['zone_note']})",
            )
        if sites:
            row(f'<span class="sw" style="border:2px solid {e(SITE_STROKE)}"></span>', t["sites"])
    if constraints:
        out.append(f"<h5>{e(t['constraints'])}</h5>")
        for label, color in constraints:
            row(
                f'<span class="sw" style="background:{e(color)};opacity:0.45;'
                f'border:1px dashed {e(color)}"></span>',
                label,
            )
    if lines or points:
        out.append(f"<h5>{e(t['transport_lines'])}</h5>")
        for swatch, label in transport_legend_items(lines, points, lang):
            row(swatch, label)
    out.append(f"<h5>{e(t['boundaries'])}</h5>")
    row(
        f'<span class="line" style="border-top:2.5px solid {e(BOUNDARY_COLOR)}"></span>',
        t["boundary"],
    )
    row(f'<span class="line" style="border-top:1px solid {e(COUNTY_COLOR)}"></span>', t["counties"])
    if urban:
        row(
            f'<span class="sw" style="background:{e(URBAN_COLOR)};opacity:0.4"></span>',
            t["urban_areas"],
        )
    if sources:
        out.append(
            f'<div class="note">{e(t["sources"])}{e(t["sep"])}'
            + "; ".join(e(s) for s in sources)
            + "</div>"
        )
    out.append("</details>")
    return "\n".join(out)


def transport_legend_items(
    lines: Sequence[str], points: Sequence[str], lang: str
) -> list[tuple[str, str]]:
    """Legend swatches (HTML) and labels of transport line and point kinds, in that order."""
    e = escape_text
    items = []
    for kind in lines:
        style, zh, en = LINE_KINDS.get(kind, UNKNOWN_LINE)
        dash = "dashed" if style.get("dashArray") else "solid"
        items.append((f'<span class="line" style="border-top:{e(style["weight"])}px {dash} '
                      f'{e(style["color"])}"></span>', zh if lang == "zh" else en))
    for kind in points:
        color, _, zh, en = POINT_KINDS.get(kind, UNKNOWN_POINT)
        items.append((f'<span class="dot" style="background:{e(color)}"></span>',
                      zh if lang == "zh" else en))
    return items


def _sources(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """Provenance of the boundary and county outlines, shortened (at most two entries).

    Each ``source`` text is cut at its first ``;`` and to 90 characters.
    """
    found: list[str] = []
    for key in ("boundary", "counties"):
        gdf = layers.get(key)
        if gdf is None or "source" not in gdf.columns:
            continue
        for value in gdf["source"].dropna().astype(str):
            short = value.split(";")[0].strip()
            short = short if len(short) <= 90 else short[:89].rstrip() + "…"
            if short and short not in found:
                found.append(short)
    return found[:2]


def default_title(lang: str = "zh") -> str:
    """The overview's default title in ``lang`` (郑州都市区产业布局总览)."""
    return TEXT[check_lang(lang)]["default_title"]


# --- the map --------------------------------------------------------------------------------


def overview_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    title: str,
    lang: str = "zh",
    date: str | dt.date | None = None,
    sites: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
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
        no network.  ``"osm"``, ``"tianditu"`` (key from ``$TIANDITU_KEY``) or ``"gaode"``:
        tiles loaded from the network when viewed; with ``"gaode"`` every overlay is converted
        to GCJ-02 and the map says so (see `layout.products.maps.basemap`).
    tolerance_m
        Display simplification of lines and polygons in metres.

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
    m = base_map(extent, title=title, date=date, basemap=tiles)

    registry: dict[str, folium.GeoJson] = {}

    def add(key: str, layer: folium.GeoJson) -> None:
        layer.add_to(m)
        registry[key] = layer

    if "counties" in present:
        add("counties", _geojson(_counties(present["counties"], lang, view), name=t["counties"]))
    if "boundary" in present:
        add(
            "boundary",
            _geojson(_boundary(present["boundary"], view), name=t["boundary"], interactive=False),
        )
    constraint_legend: list[tuple[str, str]] = []
    if "constraints" in present:
        for kind, label, data in _constraints(present["constraints"], lang, view):
            add(f"constraints:{kind}", _geojson(data, name=f"{t['constraints']} · {label}"))
            constraint_legend.append((label, constraint_style(kind, lang)[0]))
    if "urban_areas" in present:
        add(
            "urban_areas",
            _geojson(_urban(present["urban_areas"], lang, view), name=t["urban_areas"], show=False),
        )
    zone_codes: list[str] = []
    if "zones" in present:
        data, zone_codes = _zones(present["zones"], lang, view)
        add("zones", _geojson(data, name=t["zones"]))
    line_kinds: list[str] = []
    if "transport_lines" in present:
        data, line_kinds = _lines(present["transport_lines"], lang, view)
        add("transport_lines", _geojson(data, name=t["transport_lines"]))
    point_kinds: list[str] = []
    if "transport_points" in present:
        data, point_kinds = _points(present["transport_points"], lang, view)
        marker = folium.CircleMarker(
            radius=5, color="#ffffff", weight=1, fill=True, fill_opacity=0.95
        )
        add("transport_points", _geojson(data, name=t["transport_points"], marker=marker))
    industry_legend: dict[str, tuple[str, str]] = {}
    if "enterprises" in present:
        for code, name, color, count, data in _enterprises(present["enterprises"], lang, view):
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
                _geojson(data, name=f"{t['enterprises']} · {name} ({count})", marker=marker),
            )
            industry_legend[code] = (name, color)
    site_codes: list[str] = []
    if sites is not None and not sites.empty:
        data, site_codes = _sites(
            sites,
            lang,
            view,
            zone_names=names_by_id(present.get("zones"), "zone_id", lang),
            county_names=names_by_id(present.get("counties"), "adcode", lang),
        )
        marker = folium.CircleMarker(
            radius=8, color=SITE_STROKE, weight=2.5, fill=True, fill_opacity=0.9
        )
        add("sites", _site_layer(data, name=t["sites"], marker=marker))
    for code in industry_order(zone_codes + site_codes):
        industry_legend.setdefault(code, industry_label(code, lang))
    legend_industries = [industry_legend[c] for c in industry_order(list(industry_legend))]

    legend = _legend_html(
        lang,
        industries=legend_industries,
        zones=bool(zone_codes) or "zones" in present,
        constraints=constraint_legend,
        lines=list(dict.fromkeys(line_kinds)),
        points=list(dict.fromkeys(point_kinds)),
        urban="urban_areas" in present,
        sites=bool(site_codes),
        sources=_sources(present),
    )
    finish_map(m, title=title, date=date, lang=lang, legend=legend, layers=registry, basemap=tiles)
    return m


def _date_text(date: str | dt.date | None) -> str:
    return date.isoformat() if isinstance(date, dt.date) else (date or "")


def base_map(
    extent: list[list[float]] | None,
    *,
    title: str,
    date: str | dt.date | None,
    basemap: Basemap | None,
) -> folium.Map:
    """An empty canvas-rendered map fitted to ``extent``, with the page title and tiles.

    The initial view leaves room for the legend (left) and the title (top).
    """
    centre = (
        [(extent[0][0] + extent[1][0]) / 2, (extent[0][1] + extent[1][1]) / 2]
        if extent
        else [34.72, 113.63]  # Zhengzhou
    )
    m = folium.Map(
        location=centre,
        zoom_start=9,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # added below: metric only
        attribution_control=basemap is not None,
        zoom_snap=0.25,
    )
    add_basemap(m, basemap)
    date_text = _date_text(date)
    m.get_root().title = escape_text(f"{title} {date_text}".strip())  # type: ignore[attr-defined]
    if extent:
        m.fit_bounds(
            extent, padding_top_left=(LEGEND_WIDTH_PX + 20, 50), padding_bottom_right=(120, 30)
        )
    return m


def finish_map(
    m: folium.Map,
    *,
    title: str,
    date: str | dt.date | None,
    lang: str,
    legend: str,
    layers: Mapping[str, Element],
    basemap: Basemap | None,
    subtitle: str = "",
    css: str = "",
    info: Mapping[str, Any] | None = None,
) -> None:
    """Add the scale bar, layer control, title, datum note, legend and ``window.__layout``.

    ``legend`` and ``subtitle`` are HTML that the caller has escaped; ``title`` is plain text.
    """
    _Scale().add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    date_text = _date_text(date)
    title_html = escape_text(title)
    if subtitle:
        title_html += f'<span class="layout-date">{subtitle}</span>'
    if date_text:
        title_html += f'<span class="layout-date">{escape_text(date_text)}</span>'
    _Panel(title_html, css_class="layout-title", css=_PANEL_CSS + css).add_to(m)
    note = datum_note(basemap, lang)
    if note:
        _Panel(escape_text(note), css_class="layout-note").add_to(m)
    _Panel(legend, css_class="layout-legend").add_to(m)
    details = {
        "datum": basemap.datum if basemap else "wgs84",
        "basemap": basemap.name if basemap else "none",
    }
    _Hook(layers, lang=lang, info={**details, **(info or {})}).add_to(m)
