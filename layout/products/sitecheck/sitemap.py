"""The site-check page: the report beside a map of the parcels (`site_map`).

The map shows the parcels coloured by verdict and labelled with their id and verdict in words
(`parcel_labels`), their constraint overlaps, the zones and
constraints nearby and the better alternatives; the report panel, legend and tooltips come from
`layout.products.sitecheck.page`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import shapely

from layout.products.sitecheck.document import zone_cell
from layout.products.sitecheck.opinion_text import VERDICT_WORDS
from layout.products.sitecheck.overlaps import field_text, split_codes
from layout.products.sitecheck.page import (
    ALT_COLOR,
    OVERLAP_COLOR,
    VERDICT_COLORS,
    legend_html,
    page_css,
    report_html,
    tooltip_html,
)
from layout.products.sitecheck.results import SiteCheck

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from layout.scoring.cache import ScoreCache


def parcel_labels(
    checks: Sequence[SiteCheck], *, crs: Any, lang: str = "zh"
) -> folium.FeatureGroup:
    """A layer labelling each parcel with its id and verdict in words (not colour only).

    The label is anchored at a point inside the parcel (`shapely.point_on_surface`) and drawn
    just above it, so the parcel stays visible at small scales; its text is
    ``<parcel id> · <verdict>`` in ``lang`` (`VERDICT_WORDS`), escaped, in a box of the verdict's
    colour (class ``sc-parcel-label sc-<verdict>``).
    """
    import folium
    import geopandas as gpd

    from layout.products.maps import escape_text as e
    from layout.products.maps.prepare import for_display

    group = folium.FeatureGroup(name=e("地块编号与结论" if lang == "zh" else "Parcel labels"))
    shown = [c for c in checks if c.geometry is not None]
    if not shown:
        return group
    points = gpd.GeoDataFrame(
        geometry=[shapely.point_on_surface(c.geometry) for c in shown], crs=crs
    )
    disp = for_display(points, source="site check", tolerance_m=0)
    for c, pt in zip(shown, disp.geometry, strict=True):
        text = f"{c.parcel_id} · {VERDICT_WORDS[lang][c.verdict]}"
        html = (
            f'<span class="sc-parcel-label sc-{e(c.verdict)}" '
            f'style="border-color: {VERDICT_COLORS[c.verdict]}">{e(text)}</span>'
        )
        folium.Marker(
            [pt.y, pt.x],
            icon=folium.DivIcon(html=html, class_name="sc-parcel-anchor", icon_size=(0, 0)),
            interactive=False,
        ).add_to(group)
    return group


def site_map(
    checks: Sequence[SiteCheck],
    document: Mapping[str, Any],
    *,
    cache: ScoreCache,
    max_alternative_parcels: int = 100,
    lang: str = "zh",
    date: str | dt.date | None = None,
) -> folium.Map:
    """A self-contained folium page: the report on the left, a map of the parcels on the right.

    The map shows the parcels coloured by verdict, their constraint overlaps, the zones and
    constraints nearby (clipped to the view), and the alternatives of the first
    ``max_alternative_parcels`` parcels. Every text from the data goes through
    `layout.products.maps.escape_text`; write the map with `layout.products.maps.save_map`
    (offline, deterministic). The report is the site opinion in ``lang`` (``zh`` or ``en``)
    dated ``date`` (today when None), each parcel with its own small map
    (`layout.products.sitecheck.minimap`): printed, one A4 page per parcel.
    """
    import folium
    import geopandas as gpd
    from branca.element import MacroElement
    from folium.template import Template

    from layout.products.maps import escape_text as e
    from layout.products.maps.frame import ScaleBar
    from layout.products.maps.prepare import for_display
    from layout.products.maps.style import constraint_style, industry_label

    crs = cache.manifest["crs"]
    geoms = [c.geometry for c in checks if c.geometry is not None]
    alt_geoms = [
        a.geometry for c in checks[:max_alternative_parcels] for a in c.alternatives
        if a.geometry is not None
    ]
    everything = shapely.union_all([shapely.envelope(g) for g in geoms + alt_geoms])
    xmin, ymin, xmax, ymax = shapely.bounds(everything)
    span = max(xmax - xmin, ymax - ymin)
    margin = max(500.0, 0.1 * span)
    view = shapely.box(xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    # layers are clipped well beyond the initial view, so that no clip edge shows as a border
    clip = shapely.buffer(view, max(10_000.0, 2 * span), join_style="mitre")

    def collection(gdf: gpd.GeoDataFrame, props: list[dict[str, Any]]) -> dict[str, Any]:
        disp = for_display(gdf, source="site check", tolerance_m=0)
        feats = [
            {"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": p}
            for g, p in zip(disp.geometry, props, strict=True)
        ]
        return {"type": "FeatureCollection", "features": feats}

    def layer(data: dict[str, Any], name: str, *, interactive: bool = True) -> folium.GeoJson:
        tooltip = (
            folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True,
                                  class_name="layout-tip") if interactive else None
        )
        extra: dict[str, Any] = {} if interactive else {"interactive": False}
        return folium.GeoJson(data, name=e(name), tooltip=tooltip, **extra)

    m = folium.Map(
        location=[34.7, 113.7], zoom_start=12, tiles=None, prefer_canvas=True,
        control_scale=False, attribution_control=False, width="56%", height="100%",
        left="44%", top="0%", position="absolute", zoom_snap=0.25,
    )
    root = m.get_root()
    ind = document["industry"]
    root.title = e(f"Site check: {ind['code']}")  # type: ignore[attr-defined]

    zones = cache.layer("zones")
    if len(zones):
        near = zones[zones.intersects(clip)].copy()
        if len(near):
            near["geometry"] = near.geometry.intersection(clip)
            props = []
            for _, row in near.iterrows():
                codes = split_codes(row.get("leading"))
                color = industry_label(codes[0], "en")[1] if codes else "#bdbdbd"
                title = f"{field_text(row, 'name_zh')} {field_text(row, 'name_en')}"
                props.append({
                    "tip": tooltip_html(title, [("leading", ", ".join(codes) or "none")]),
                    "style": {"color": color, "weight": 1.5, "fillColor": color,
                              "fillOpacity": 0.15},
                })
            layer(collection(near, props), "Cluster zones").add_to(m)
    cons = cache.layer("constraints")
    if len(cons):
        near = cons[cons.intersects(clip)].copy()
        if len(near):
            near["geometry"] = near.geometry.intersection(clip)
            props = []
            for _, row in near.iterrows():
                color, label, _ = constraint_style(field_text(row, "type"), "en")
                title = field_text(row, "name_zh") or field_text(row, "constraint_id")
                props.append({
                    "tip": tooltip_html(
                        title, [("type", label), ("legal basis", field_text(row, "legal_basis"))]
                    ),
                    "style": {"color": color, "weight": 1.0, "dashArray": "4 3",
                              "fillColor": color, "fillOpacity": 0.2},
                })
            layer(collection(near, props), "Hard constraints").add_to(m)

    alt_rows, alt_props = [], []
    for c in checks[:max_alternative_parcels]:
        for a in c.alternatives:
            if a.geometry is None:
                continue
            alt_rows.append(a.geometry)
            alt_props.append({
                "tip": tooltip_html(f"alternative {a.site_id} for parcel {c.parcel_id}", [
                    ("distance", f"{a.distance_m / 1000:.1f} km {a.direction}"),
                    ("area", f"{a.area_mu:,.0f} mu"),
                    ("mean score", f"{a.mean_score:.1f} (+{a.gain:.1f})"),
                ]),
                "style": {"color": ALT_COLOR, "weight": 2, "fillColor": ALT_COLOR,
                          "fillOpacity": 0.35},
            })
    if alt_rows:
        layer(collection(gpd.GeoDataFrame(geometry=alt_rows, crs=crs), alt_props),
              "Better alternatives").add_to(m)

    ov_rows, ov_props = [], []
    for c in checks:
        for o in c.constraints:
            if o.geometry is None or shapely.is_empty(o.geometry):
                continue
            ov_rows.append(o.geometry)
            ov_props.append({
                "tip": tooltip_html(f"parcel {c.parcel_id} ∩ {o.type}",
                                    [("area", f"{o.area_mu:,.1f} mu ({100 * o.share:.1f} %)")]),
                "style": {"color": OVERLAP_COLOR, "weight": 1.5, "fillColor": OVERLAP_COLOR,
                          "fillOpacity": 0.55},
            })

    par_props = []
    for c in checks:
        color = VERDICT_COLORS[c.verdict]
        par_props.append({
            "tip": tooltip_html(f"parcel {c.parcel_id}: {c.verdict}", [
                ("area", f"{c.area_mu:,.1f} mu"),
                ("mean score", f"{c.suitability.mean:.1f}"),
                ("zone", zone_cell(c.zone.to_dict() if c.zone else None)),
            ]),
            "style": {"color": color, "weight": 3, "fillColor": color, "fillOpacity": 0.3},
        })
    layer(collection(gpd.GeoDataFrame(geometry=geoms, crs=crs), par_props), "Parcels").add_to(m)
    parcel_labels(checks, crs=crs, lang=lang).add_to(m)
    if ov_rows:
        layer(collection(gpd.GeoDataFrame(geometry=ov_rows, crs=crs), ov_props),
              "Constraint overlaps").add_to(m)

    ext = gpd.GeoSeries([view], crs=crs).to_crs("EPSG:4326").total_bounds
    m.fit_bounds([[round(ext[1], 6), round(ext[0], 6)], [round(ext[3], 6), round(ext[2], 6)]])
    folium.LayerControl(collapsed=True).add_to(m)

    ScaleBar().add_to(m)

    class _Html(MacroElement):
        _template = Template(
            """
            {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
            {% macro html(this, kwargs) %}
            <div class="sc-report">{{ this.report }}</div>
            <div class="sc-legend">{{ this.legend }}</div>
            {% endmacro %}
            """
        )

        def __init__(self, report: str, legend: str) -> None:
            super().__init__()
            self._name = "SiteCheckReport"
            self.css = page_css()
            self.report = report
            self.legend = legend

    from layout.products.sitecheck.minimap import parcel_svg

    maps = [parcel_svg(c, zones=zones, constraints=cons) for c in checks]
    _Html(report_html(document, lang=lang, date=date, maps=maps), legend_html()).add_to(m)
    return m
