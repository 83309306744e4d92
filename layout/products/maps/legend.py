"""The legend panels of the maps (``map_legend.html.j2``, ``map_industry_legend.html.j2``).

The legends list what the map draws, in the map's colours; the rows they share (swatches of
transport lines, boundaries, ...) are the macros of ``map_legend_rows.html.j2``.  All text is
escaped by the templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd

from layout.products.maps.markup import fragment
from layout.products.maps.style import (
    BOUNDARY_COLOR,
    COUNTY_COLOR,
    EXCLUDED_FILL,
    EXCLUDED_HATCH,
    LINE_KINDS,
    NO_LEADING_COLOR,
    POINT_KINDS,
    SITE_STROKE,
    TEXT,
    UNKNOWN_LINE,
    UNKNOWN_POINT,
    URBAN_COLOR,
    constraint_style,
    industry_label,
)
from layout.products.maps.surface import N_SCORES, hex_color, score_colors

__all__ = [
    "TransportItem",
    "industry_legend",
    "legend_sources",
    "overview_legend",
    "transport_legend",
]

#: Colours the legends share with the map layers, by the names the templates use.
_COLORS = {
    "boundary": BOUNDARY_COLOR,
    "county": COUNTY_COLOR,
    "no_leading": NO_LEADING_COLOR,
    "site_stroke": SITE_STROKE,
    "urban": URBAN_COLOR,
}


@dataclass(frozen=True)
class TransportItem:
    """A legend row of a transport line kind (``line``) or node kind (a dot).

    Attributes
    ----------
    label
        The kind's name.
    color
        Its colour on the map.
    line
        True for a line kind, False for a node kind.
    weight
        Line width in pixels (line kinds).
    dash
        ``"solid"`` or ``"dashed"`` (line kinds).
    """

    label: str
    color: str
    line: bool = False
    weight: float = 0.0
    dash: str = "solid"


def transport_legend(lines: Sequence[str], points: Sequence[str], lang: str) -> list[TransportItem]:
    """Legend rows of transport line and node kinds, in that order (unknown kinds as "other")."""
    items = []
    for kind in lines:
        style, zh, en = LINE_KINDS.get(kind, UNKNOWN_LINE)
        dash = "dashed" if style.get("dashArray") else "solid"
        items.append(
            TransportItem(
                zh if lang == "zh" else en,
                style["color"],
                line=True,
                weight=style["weight"],
                dash=dash,
            )
        )
    for kind in points:
        color, _, zh, en = POINT_KINDS.get(kind, UNKNOWN_POINT)
        items.append(TransportItem(zh if lang == "zh" else en, color))
    return items


def overview_legend(
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
    bars: Sequence[tuple[str, str]] = (),
) -> str:
    """The overview map's legend (HTML).

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.
    industries
        ``(name, colour)`` of the industries of enterprises, zones and sites, in catalog order.
    zones
        Whether the map has cluster zones.
    constraints
        ``(label, colour)`` of the constraint types drawn.
    lines, points
        Transport line and node kinds drawn (no repeats).
    urban
        Whether the map has urban areas.
    sites
        Whether the map has recommended sites.
    sources
        Provenance of the outlines (`legend_sources`).
    bars
        ``(group, colour)`` of the bars of the site popups
        (`layout.products.maps.sites.bar_groups`).
    """
    return fragment(
        "map_legend.html.j2",
        t=TEXT[lang],
        colors=_COLORS,
        industries=industries,
        zones=zones,
        sites=sites,
        constraints=constraints,
        transport=transport_legend(lines, points, lang),
        urban=urban,
        sources=sources,
        bars=bars,
    )


def industry_legend(
    lang: str,
    *,
    code: str,
    reasons: Sequence[tuple[int, str]],
    bit_names: Mapping[int, str],
    sites: int,
    enterprises: bool,
    zones: bool,
    lines: Sequence[str],
    points: Sequence[str],
    note: str,
    bars: Sequence[tuple[str, str]] = (),
) -> str:
    """An industry map's legend (HTML).

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.
    code
        The industry.
    reasons
        ``(bit, colour)`` of the exclusion reasons of the reasons layer
        (`layout.products.maps.surface.SurfaceImage.reasons`).
    bit_names
        Constraint type of each flag bit.
    sites
        Number of the industry's sites drawn (0: none).
    enterprises
        Whether the industry's enterprises are drawn.
    zones
        Whether zone outlines are drawn.
    lines, points
        Transport line and node kinds drawn (no repeats).
    note
        A last note (the GCJ-02 shift of the image), or ''.
    bars
        ``(group, colour)`` of the bars of the site popups
        (`layout.products.maps.sites.bar_groups`).
    """
    colors = score_colors()
    name, color = industry_label(code, lang)
    return fragment(
        "map_industry_legend.html.j2",
        t=TEXT[lang],
        colors=_COLORS,
        stops=",".join(hex_color(colors[i]) for i in range(0, N_SCORES, 10)),
        hatch=f"repeating-linear-gradient(45deg,{EXCLUDED_HATCH} 0 2px,{EXCLUDED_FILL} 2px 7px)",
        reasons=[
            (constraint_style(bit_names.get(bit, str(bit)), lang)[1], rc) for bit, rc in reasons
        ],
        sites=sites,
        name=name,
        color=color,
        enterprises=enterprises,
        zones=zones,
        transport=transport_legend(lines, points, lang),
        note_text=note,
        bars=bars,
    )


def legend_sources(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
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
