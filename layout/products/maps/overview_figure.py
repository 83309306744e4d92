"""The overview map as a static PNG for reports (`overview_png`).

The same content as `layout.products.maps.overview_map` drawn with matplotlib in the plan CRS (true
shapes, metric scale bar, the CRS named under the map and in the PNG's ``CRS`` text chunk), with
the legends beside the map; written by `layout.products.maps.png.render_png` (deterministic
bytes, English labels when no CJK font).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from layout.model.catalog import OTHER
from layout.products.maps.attributes import date_text
from layout.products.maps.png import (
    crs_text,
    drawing_crs,
    metric_layer,
    mpl_text,
    quiet_canvas,
    render_png,
    scale_bar,
)
from layout.products.maps.style import (
    BOUNDARY_COLOR,
    COUNTY_COLOR,
    LINE_KINDS,
    NO_LEADING_COLOR,
    POINT_KINDS,
    SITE_STROKE,
    TEXT,
    UNKNOWN_LINE,
    UNKNOWN_POINT,
    check_lang,
    constraint_style,
    industry_label,
    industry_order,
)

__all__ = ["overview_png"]


def overview_png(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike[str],
    *,
    lang: str = "zh",
    title: str | None = None,
    date: str | dt.date | None = None,
    sites: gpd.GeoDataFrame | None = None,
    crs: Any = None,
    dpi: int = 150,
) -> Path:
    """Draw the overview map as a static PNG (same content as `overview_map`, for reports).

    The PNG shows what the HTML map shows when it opens: urban areas, hidden there by default,
    are left out.

    Parameters
    ----------
    layers
        Layers keyed by data-model name, any CRS; drawn in ``crs`` (true shapes, metric scale
        bar).
    path
        The ``.png`` file to write (atomically; its folder is created if missing).
    lang
        ``"zh"`` or ``"en"``.  With ``"zh"`` and no CJK font installed the labels fall back to
        English and a warning is logged (install e.g. ``fonts-noto-cjk``).
    title
        Title text; default: the overview title in the labels' language.
    date
        Date shown after the title (passed in, never read from the clock).
    sites
        Optional recommended sites (see `overview_map`).
    crs
        The plan CRS, named under the map and in the PNG text chunk ``CRS`` (``Title`` holds
        the title); default: the layers' projected CRS, else the CGCS2000 Gauss-Kruger zone of
        their centre (`layout.products.maps.png.drawing_crs`).
    dpi
        Resolution; the figure is 12.5 × 9.5 inches.

    Returns
    -------
    Path
        The path written.
    """
    check_lang(lang)
    target = CRS.from_user_input(crs) if crs is not None else drawing_crs(
        sites, *(layers.get(k) for k in ("boundary", "zones", "counties", "enterprises")))

    def full_title(effective: str) -> str:
        name = title if title is not None else TEXT[effective]["default_title"]
        return f"{name}  {date_text(date)}".strip()

    def draw(effective: str) -> Any:
        return _draw_overview(layers, lang=effective, title=full_title(effective), sites=sites,
                              dpi=dpi, crs=target)

    return render_png(draw, path, lang=lang,
                      text={"Title": full_title(lang), "CRS": crs_text(target)})


def _label(row: pd.Series, lang: str) -> str:
    for col in ["name_zh", "name_en"] if lang == "zh" else ["name_en", "name_zh"]:
        value = row.get(col)
        if isinstance(value, str) and value.strip():
            return mpl_text(value.strip())
    return ""


def _draw_overview(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str,
    title: str,
    sites: gpd.GeoDataFrame | None,
    dpi: int,
    crs: CRS,
) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    t = TEXT[lang]
    get = {
        k: metric_layer(layers.get(k), k, crs=crs)
        for k in (
            "boundary",
            "counties",
            "zones",
            "enterprises",
            "constraints",
            "transport_lines",
            "transport_points",
        )
    }
    site_layer = metric_layer(sites, "sites", crs=crs)

    # Size the figure to the data: the map takes 70 % of a 13-inch width, legends the rest.
    boxes = [g.total_bounds for g in [*get.values(), site_layer] if g is not None]
    aspect = 0.6
    if boxes:
        arr = np.array(boxes)
        width = np.nanmax(arr[:, 2]) - np.nanmin(arr[:, 0])
        height = np.nanmax(arr[:, 3]) - np.nanmin(arr[:, 1])
        if width > 0 and height > 0:
            aspect = float(np.clip(height / width, 0.4, 1.6))
    map_w = 0.70 * 13.0
    fig_h = max(7.0, map_w * aspect + 1.0)
    fig = Figure(figsize=(13.0, fig_h), dpi=dpi)
    quiet_canvas(FigureCanvasAgg(fig))  # Agg for this figure only: no global backend switch
    ax = fig.add_axes((0.01, 0.02, 0.70, 1.0 - 0.8 / fig_h))
    ax.set_axis_off()
    ax.set_aspect("equal")
    handles: list[Any] = []

    if (g := get["counties"]) is not None:
        g.plot(ax=ax, facecolor="#f4f4f4", edgecolor=COUNTY_COLOR, linewidth=0.5, zorder=1)
        handles.append(Line2D([], [], color=COUNTY_COLOR, lw=0.8, label=t["counties"]))
    if (g := get["constraints"]) is not None:
        kinds = g["type"].astype(str) if "type" in g.columns else pd.Series("", g.index)
        for kind in sorted(kinds.unique()):
            color, label, hatch = constraint_style(kind, lang)
            g[kinds == kind].plot(ax=ax, facecolor=color, alpha=0.18, edgecolor="none", zorder=3)
            g[kinds == kind].plot(
                ax=ax,
                facecolor="none",
                edgecolor=color,
                hatch=hatch,
                linewidth=0.6,
                linestyle="--",
                zorder=3,
            )
            handles.append(
                Patch(facecolor="none", edgecolor=color, hatch=hatch, label=mpl_text(label))
            )
    zone_codes: list[str] = []
    if (g := get["zones"]) is not None:
        firsts = [
            (str(c).split(",")[0].strip() if isinstance(c, str) and c.strip() else "")
            for c in (g["leading"] if "leading" in g.columns else [""] * len(g))
        ]
        colors = [industry_label(c, lang)[1] if c else NO_LEADING_COLOR for c in firsts]
        g.plot(ax=ax, color=colors, alpha=0.5, edgecolor=colors, linewidth=0.8, zorder=4)
        zone_codes = [c for c in firsts if c]
        handles.append(
            Patch(facecolor=NO_LEADING_COLOR, alpha=0.6, label=f"{t['zones']} ({t['zone_note']})")
        )
    if (g := get["boundary"]) is not None:
        g.plot(ax=ax, facecolor="none", edgecolor=BOUNDARY_COLOR, linewidth=1.4, zorder=5)
        handles.append(Line2D([], [], color=BOUNDARY_COLOR, lw=1.6, label=t["boundary"]))
    if (g := get["transport_lines"]) is not None:
        kinds = g["kind"].astype(str) if "kind" in g.columns else pd.Series("", g.index)
        for kind in sorted(kinds.unique()):
            style, zh, en = LINE_KINDS.get(kind, UNKNOWN_LINE)
            ls = "--" if style.get("dashArray") else "-"
            g[kinds == kind].plot(
                ax=ax, color=style["color"], linewidth=style["weight"] * 0.5, linestyle=ls, zorder=6
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color=style["color"],
                    lw=style["weight"] * 0.5,
                    ls=ls,
                    label=zh if lang == "zh" else en,
                )
            )
    if (g := get["transport_points"]) is not None:
        kinds = g["kind"].astype(str) if "kind" in g.columns else pd.Series("", g.index)
        for kind in sorted(kinds.unique()):
            color, radius, zh, en = POINT_KINDS.get(kind, UNKNOWN_POINT)
            part = g[kinds == kind]
            ax.scatter(
                part.geometry.x,
                part.geometry.y,
                s=radius**2 * 1.5,
                c=color,
                marker="s",
                edgecolors="white",
                linewidths=0.5,
                zorder=8,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="s",
                    color="none",
                    markerfacecolor=color,
                    markersize=6,
                    label=zh if lang == "zh" else en,
                )
            )
    industry_handles: list[Any] = []
    if (g := get["enterprises"]) is not None:
        g = g[g.geom_type == "Point"]
        codes = (
            g["industry"].fillna(OTHER).astype(str)
            if "industry" in g.columns
            else pd.Series(OTHER, g.index)
        )
        output = pd.to_numeric(g.get("output_wan", pd.Series(np.nan, g.index)), errors="coerce")
        top = output.max()
        size = 2 + 60 * (output.fillna(0).clip(lower=0) / top) if top and top > 0 else 4.0
        size = pd.Series(size, index=g.index)
        for code in industry_order(set(codes)):
            name, color = industry_label(code, lang)
            sel = codes == code
            ax.scatter(
                g.geometry.x[sel],
                g.geometry.y[sel],
                s=size[sel],
                c=color,
                edgecolors="#404040",
                linewidths=0.2,
                alpha=0.85,
                zorder=7,
            )
            industry_handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    color="none",
                    markerfacecolor=color,
                    markeredgecolor="#404040",
                    markersize=6,
                    label=mpl_text(name),
                )
            )
    for code in industry_order(zone_codes):
        name, color = industry_label(code, lang)
        if mpl_text(name) not in {h.get_label() for h in industry_handles}:
            industry_handles.append(Patch(facecolor=color, alpha=0.6, label=mpl_text(name)))
    if site_layer is not None:
        areas = site_layer[site_layer.geom_type != "Point"]
        site_colors = [
            industry_label(str(c), lang)[1]
            for c in site_layer.get("industry", pd.Series(OTHER, site_layer.index))
        ]
        color_of = pd.Series(site_colors, index=site_layer.index)
        if not areas.empty:
            areas.plot(
                ax=ax,
                color=list(color_of[areas.index]),
                edgecolor=SITE_STROKE,
                linewidth=1.5,
                zorder=9,
            )
        # Sites of a few hundred mu are a few pixels wide at this scale: a star at a point
        # inside each polygon makes them findable; the polygons stay drawn under it.
        stars = site_layer.geometry.representative_point()  # a point's is the point
        if not stars.empty:
            ax.scatter(
                stars.x,
                stars.y,
                s=140,
                marker="*",
                c=site_colors,
                edgecolors=SITE_STROKE,
                linewidths=0.8,
                zorder=9,
            )
        handles.append(
            Line2D(
                [],
                [],
                marker="*",
                color="none",
                markerfacecolor="white",
                markeredgecolor=SITE_STROKE,
                markersize=11,
                label=t["sites"],
            )
        )
    if (g := get["counties"]) is not None:
        for _, row in g.iterrows():
            label = _label(row, lang)
            if label:
                p = row.geometry.representative_point()
                ax.annotate(
                    label,
                    (p.x, p.y),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#505050",
                    zorder=10,
                )

    scale_bar(ax)
    top = 1.0 - 0.9 / fig_h
    if industry_handles:
        leg = fig.legend(
            handles=industry_handles,
            title=f"{t['enterprises']} · {t['industry']}",
            loc="upper left",
            bbox_to_anchor=(0.73, top),
            fontsize=8,
            title_fontsize=9,
            frameon=False,
            alignment="left",
        )
        fig.draw_without_rendering()
        box = leg.get_window_extent().transformed(fig.transFigure.inverted())
        top = box.y0 - 0.02
    if handles:
        fig.legend(
            handles=handles,
            title=t["legend"],
            loc="upper left",
            bbox_to_anchor=(0.73, top),
            fontsize=8,
            title_fontsize=9,
            frameon=False,
            alignment="left",
        )
    fig.suptitle(
        mpl_text(title),
        x=0.02,
        y=1.0 - 0.25 / fig_h,
        ha="left",
        va="top",
        fontsize=14,
        fontweight="bold",
    )
    fig.text(0.72, 0.03, f"{t['dot_note']} · {crs_text(crs)}", fontsize=7, color="#555555")
    return fig
