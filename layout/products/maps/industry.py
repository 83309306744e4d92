"""One web map per industry: the suitability surface, the exclusion reasons and the sites.

`industry_map` assembles it: the surface as images (`layout.products.maps.surface`), a click
anywhere shows the score or the exclusion reasons (`layout.products.maps.probe`), the
industry's sites with popups and rank numbers (`layout.products.maps.sites`), its enterprises,
zones as outlines, boundaries and transport (`layout.products.maps.layers`), and the legend
(`layout.products.maps.legend`).  `layout.products.maps.industry_png` draws the same as a PNG.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd

from layout.io.crs import require_crs
from layout.model.catalog import OTHER
from layout.products.escape import escape_text
from layout.products.maps.basemap import Basemap, resolve_basemap, shift_bounds
from layout.products.maps.contributions import top_contributions
from layout.products.maps.frame import base_map, finish_map
from layout.products.maps.layers import (
    enterprise_features,
    geojson_layer,
    line_features,
    outline_features,
    point_features,
    zone_outline_features,
)
from layout.products.maps.legend import industry_legend
from layout.products.maps.prepare import DEFAULT_TOLERANCE_M, View
from layout.products.maps.probe import legal_bases, probe_layer
from layout.products.maps.sites import (
    SiteLabels,
    bar_groups,
    names_by_id,
    rank_labels,
    site_features,
    site_layer,
)
from layout.products.maps.style import (
    BOUNDARY_COLOR,
    COUNTY_COLOR,
    SITE_STROKE,
    TEXT,
    check_lang,
    industry_title,
)
from layout.products.maps.surface import (
    MAX_PIXELS,
    SuitabilitySurface,
    SurfaceImage,
    data_uri,
    surface_image,
)
from layout.products.maps.tiles import TILE_CSS, TilePyramid, tile_layer
from layout.products.templating import render

__all__ = ["SURFACE_OPACITY", "industry_map", "shift_note"]

#: Opacity of the surface in the web map (the boundaries stay readable through it).
SURFACE_OPACITY = 0.8


def industry_map(
    surface: SuitabilitySurface,
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    title: str,
    sites: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    date: str | dt.date | None = None,
    basemap: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    max_pixels: int = MAX_PIXELS,
    score_path: str | os.PathLike[str] | None = None,
    image: SurfaceImage | None = None,
    tiles: TilePyramid | None = None,
) -> folium.Map:
    """Build the web map of one industry: suitability surface, exclusion reasons and sites.

    Parameters
    ----------
    surface
        The industry's surface (`read_surface`).
    layers
        Input layers by data-model name (any CRS): ``boundary``, ``counties``, ``zones``
        (outlined; thick where the industry leads), ``enterprises`` (this industry's only),
        ``transport_lines``, ``transport_points``; any may be missing.
    title
        The plan's name, shown under the industry heading (escaped).
    sites
        The plan's sites (docs/plan_outputs.md); only rows of this industry are drawn, filled
        with the industry colour, numbered by rank, with a popup each (area in mu and ha, mean
        and minimum score, zone, stability, a bar chart of the criterion contributions).
    lang
        ``"zh"`` (default) or ``"en"``.
    date
        Date shown next to the title (never read from the clock).
    basemap
        ``None``/``"none"``, ``"osm"``, ``"tianditu"`` or ``"gaode"`` (see `overview_map`);
        with Gaode the vectors are converted to GCJ-02 exactly and the surface image is shifted
        by the GCJ-02 offset at its centre.
    tolerance_m
        Display simplification of lines and polygons in metres.
    max_pixels
        Longest side of the surface image.
    score_path
        The surface's ``<code>_score.tif``: when given, a click on a scored cell also lists its
        three largest criterion contributions (`top_contributions`).
    image
        The surface's image (`surface_image` with ``max_pixels``), when the caller has made it
        already (for the tiles); default: made here.
    tiles
        A tile pyramid of the surface written next to the map (`write_tiles`, made from
        ``image``): it becomes the suitability layer, and the inline image stays beneath it,
        fully transparent, for the click probe (`layout.products.maps.tiles`).

    Returns
    -------
    folium.Map
        With ``window.__layout.layers`` keys ``score``, ``exclusions``, ``sites``,
        ``site_labels``, ``counties``, ``boundary``, ``zones``, ``enterprises``,
        ``transport_lines``, ``transport_points`` (those present; with ``tiles``, ``score`` is
        the tile layer and ``score_image`` the invisible inline image), ``window.__layout.info``
        (``industry``, ``datum``, ``image_shift``, ``sites``; ``tiles``: url and zooms) and
        ``window.__layout.probe``.
    """
    check_lang(lang)
    basemap_tiles: Basemap | None = resolve_basemap(basemap, lang=lang)
    t = TEXT[lang]
    code = surface.industry
    datum = basemap_tiles.datum if basemap_tiles else "wgs84"
    view = View(tolerance_m=tolerance_m, datum=datum)
    present = {k: v for k, v in layers.items() if v is not None and not v.empty}
    for name, gdf in present.items():
        require_crs(gdf, source=gdf.attrs.get("source", name))
    own_sites: gpd.GeoDataFrame | None = None
    if sites is not None and not sites.empty:
        require_crs(sites, source=sites.attrs.get("source", "sites"))
        if "industry" in sites.columns:
            own_sites = sites[sites["industry"].astype(str) == code]
        else:
            own_sites = sites.iloc[:0]

    if image is None:
        image = surface_image(surface, max_pixels=max_pixels)
    bounds, shift = shift_bounds(image.bounds, basemap_tiles)
    extent = bounds
    heading = industry_title(code, lang)
    cell_m = abs(float(surface.transform.a)) if surface.crs.is_projected else None
    if tiles is not None:
        cell_m = tiles.cell_m  # the tiles show the grid's own cells
    m = base_map(extent, title=f"{heading} · {title}", date=date, basemap=basemap_tiles,
                 cell_m=cell_m)
    folium.map.CustomPane("surface", z_index=350).add_to(m)

    registry: dict[str, Any] = {}

    def add(key: str, layer: Any) -> None:
        layer.add_to(m)
        registry[key] = layer

    score_layer = folium.raster_layers.ImageOverlay(
        data_uri(image.score_png),
        bounds=bounds,
        name=escape_text(t["suitability"]),
        # Under tiles the image is only read by the click probe: invisible, not in the list.
        opacity=SURFACE_OPACITY if tiles is None else 0.0,
        pixelated=False,  # our CSS class only: folium's would restyle every image layer
        pane="surface",
        className="layout-surface",
        interactive=False,
        control=tiles is None,
    )
    if tiles is None:
        add("score", score_layer)
    else:
        add("score_image", score_layer)
        add("score", tile_layer(tiles, name=escape_text(t["suitability"]),
                                opacity=SURFACE_OPACITY))
    if image.reasons:
        add(
            "exclusions",
            folium.raster_layers.ImageOverlay(
                data_uri(image.reasons_png),
                bounds=bounds,
                name=escape_text(t["exclusions"]),
                opacity=0.85,
                pixelated=False,
                pane="surface",
                className="layout-surface",
                interactive=False,
                show=False,
            ),
        )
    if "counties" in present:
        style = {"color": COUNTY_COLOR, "weight": 1.0, "fillColor": "#ffffff", "fillOpacity": 0.0}
        data = outline_features(present["counties"], lang, view, source="counties", style=style)
        add("counties", geojson_layer(data, name=t["counties"]))
    if "boundary" in present:
        style = {"color": BOUNDARY_COLOR, "weight": 2.5, "fill": False}
        data = outline_features(present["boundary"], lang, view, source="boundary", style=style)
        add("boundary", geojson_layer(data, name=t["boundary"], interactive=False))
    if "zones" in present:
        add(
            "zones",
            geojson_layer(
                zone_outline_features(present["zones"], lang, view, code), name=t["zones"]
            ),
        )
    line_kinds: list[str] = []
    if "transport_lines" in present:
        data, line_kinds = line_features(present["transport_lines"], lang, view)
        add("transport_lines", geojson_layer(data, name=t["transport_lines"]))
    point_kinds: list[str] = []
    if "transport_points" in present:
        data, point_kinds = point_features(present["transport_points"], lang, view)
        marker = folium.CircleMarker(radius=5, color="#ffffff", weight=1, fill=True)
        add("transport_points", geojson_layer(data, name=t["transport_points"], marker=marker))
    has_firms = False
    if "enterprises" in present and "industry" in present["enterprises"].columns:
        firms = present["enterprises"]
        firms = firms[firms["industry"].fillna(OTHER).astype(str) == code]
        if not firms.empty:
            for _, name, color, count, data in enterprise_features(firms, lang, view):
                marker = folium.CircleMarker(
                    radius=3,
                    color="#ffffff",
                    weight=0.6,
                    fill=True,
                    fill_color=color,
                    fill_opacity=0.9,
                )
                add(
                    "enterprises",
                    geojson_layer(
                        data, name=f"{t['enterprises']} · {name} ({count})", marker=marker
                    ),
                )
                has_firms = True
    n_sites, bars = 0, []
    if own_sites is not None and not own_sites.empty:
        data, _ = site_features(
            own_sites,
            lang,
            view,
            fill_opacity=0.45,
            zone_names=names_by_id(present.get("zones"), "zone_id", lang),
            county_names=names_by_id(present.get("counties"), "adcode", lang),
        )
        n_sites = len(data["features"])
        marker = folium.CircleMarker(radius=8, color=SITE_STROKE, weight=2.5, fill=True)
        add("sites", site_layer(data, name=f"{t['sites']} ({n_sites})", marker=marker))
        add("site_labels", SiteLabels(rank_labels(own_sites, view), name=t["site_labels"]))
        bars = bar_groups(own_sites, lang)

    legend = industry_legend(
        lang,
        code=code,
        reasons=image.reasons,
        bit_names=surface.bit_names,
        sites=n_sites,
        enterprises=has_firms,
        zones="zones" in present,
        lines=list(dict.fromkeys(line_kinds)),
        points=list(dict.fromkeys(point_kinds)),
        note=shift_note(shift, lang, lat=(bounds[0][0] + bounds[1][0]) / 2),
        bars=bars,
    )
    finish_map(
        m,
        title=heading,
        subtitle=title,
        date=date,
        lang=lang,
        legend=legend,
        layers=registry,
        basemap=basemap_tiles,
        css=render("map_industry.css.j2") + ("" if tiles is None else TILE_CSS),
        info={
            "industry": code,
            "sites": n_sites,
            "image_shift": [round(shift[0], 9), round(shift[1], 9)],
            "image_shape": list(image.shape),
            **({} if tiles is None else {"tiles": {
                "url": tiles.url, "min_zoom": tiles.min_zoom, "max_zoom": tiles.max_zoom,
            }}),
        },
    )
    contributions = None
    if score_path is not None and image.transform is not None:
        contributions = top_contributions(
            score_path, image_transform=image.transform, image_shape=image.shape
        )
    probe_layer(
        score_layer,
        image,
        bit_names=surface.bit_names,
        lang=lang,
        bases=legal_bases(surface.bit_names, present.get("constraints")),
        contributions=contributions,
    ).add_to(m)
    return m


def shift_note(shift: tuple[float, float], lang: str, *, lat: float = 0.0) -> str:
    """The legend's note on the GCJ-02 shift of the surface image ('' when not shifted).

    ``shift`` is (east, north) in degrees at latitude ``lat`` (the image's centre).

    Examples
    --------
    >>> shift_note((0.005, -0.001), "en", lat=60.0).split("(")[1].split(";")[0]
    '278 m east, -111 m north)'
    """
    if shift == (0.0, 0.0):
        return ""
    dx = shift[0] * 111_320 * math.cos(math.radians(lat))
    dy = shift[1] * 110_950
    if lang == "zh":
        return (
            f"评分图按中心处 GCJ-02 偏移整体平移（东 {dx:.0f} m，北 {dy:.0f} m），"
            "边缘误差约 80 m 以内"
        )
    return (
        f"surface image shifted by the GCJ-02 offset at its centre ({dx:.0f} m east, "
        f"{dy:.0f} m north); within about 80 m at the edges"
    )
