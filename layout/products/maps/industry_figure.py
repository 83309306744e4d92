"""An industry map as a static PNG for reports (`industry_png`).

The surface is drawn in its own CRS (the plan CRS: true shapes, metric scale bar) with a 0–100
colour bar; excluded cells are grey and hatched; the industry's sites are outlined, filled with
the industry colour and numbered by rank; boundary and counties on top.  Written by
`layout.products.maps.png.render_png` (deterministic bytes, English labels when no CJK font).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from layout.io.scoreraster import SuitabilitySurface
from layout.products.maps.attributes import date_text, fmt
from layout.products.maps.png import (
    crs_text,
    metric_layer,
    mpl_text,
    quiet_canvas,
    render_png,
    scale_bar,
)
from layout.products.maps.style import (
    BOUNDARY_COLOR,
    COUNTY_COLOR,
    EXCLUDED_FILL,
    EXCLUDED_HATCH,
    SCORE_CMAP,
    SITE_STROKE,
    TEXT,
    check_lang,
    industry_label,
    industry_title,
)

__all__ = ["industry_png"]


def industry_png(
    surface: SuitabilitySurface,
    path: str | os.PathLike[str],
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    title: str,
    sites: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    date: str | dt.date | None = None,
    dpi: int = 150,
) -> Path:
    """Draw the industry map as a static PNG for reports (matplotlib Agg, deterministic bytes).

    The surface is drawn in its own CRS (the plan CRS: true shapes, metric scale bar) with a 0–100
    colour bar; excluded cells are grey and hatched; this industry's sites are outlined,
    filled with the industry colour and numbered by rank; boundary and counties on top.

    Parameters
    ----------
    surface
        The industry's surface.
    path
        The ``.png`` file to write (atomically).
    layers
        Input layers (``boundary``, ``counties``, ``zones`` are drawn).
    title
        The plan's name (second line of the title).
    sites
        The plan's sites; rows of other industries are ignored.
    lang
        ``"zh"`` or ``"en"`` (English when no CJK font is installed; a warning is logged).
    date
        Date shown in the title.
    dpi
        Resolution.

    Returns
    -------
    Path
        The path written.
    """
    check_lang(lang)

    def draw(effective: str) -> Any:
        return _draw_industry(
            surface, layers=layers, title=title, sites=sites, lang=effective, date=date, dpi=dpi
        )

    heading = industry_title(surface.industry, lang)
    return render_png(draw, path, lang=lang, text={
        "Title": f"{heading} · {title}  {date_text(date)}".strip(), "CRS": crs_text(surface.crs)})


def _draw_industry(
    surface: SuitabilitySurface,
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    title: str,
    sites: gpd.GeoDataFrame | None,
    lang: str,
    date: str | dt.date | None,
    dpi: int,
) -> Any:
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    t = TEXT[lang]
    code = surface.industry
    color = industry_label(code, lang)[1]
    crs = surface.crs
    west, south, east, north = surface.bounds
    aspect = float(np.clip((north - south) / max(east - west, 1.0), 0.4, 1.6))
    map_w = 0.74 * 12.0
    fig_h = max(6.5, map_w * aspect + 1.3)
    fig = Figure(figsize=(12.0, fig_h), dpi=dpi)
    quiet_canvas(FigureCanvasAgg(fig))
    ax = fig.add_axes((0.01, 0.03, 0.74, 1.0 - 1.15 / fig_h))
    ax.set_axis_off()
    ax.set_aspect("equal")

    extent = (west, east, south, north)
    inside = surface.inside
    excluded = surface.excluded
    shown = np.where(inside & ~excluded, surface.score, np.nan)
    image = ax.imshow(
        np.ma.masked_invalid(shown),
        extent=extent,
        origin="upper",
        cmap=colormaps[SCORE_CMAP],
        vmin=0,
        vmax=100,
        interpolation="nearest",
        zorder=1,
    )
    if excluded.any():
        grey = np.where(excluded, 1.0, np.nan)
        ax.imshow(
            np.ma.masked_invalid(grey),
            extent=extent,
            origin="upper",
            cmap=ListedColormap([EXCLUDED_FILL]),
            interpolation="nearest",
            zorder=2,
        )
        rows, cols = surface.score.shape
        xs = west + (np.arange(cols) + 0.5) * (east - west) / cols
        ys = north - (np.arange(rows) + 0.5) * (north - south) / rows
        ax.contourf(
            xs,
            ys,
            excluded.astype(float),
            levels=[0.5, 1.5],
            colors="none",
            hatches=["////"],
            zorder=3,
        )

    handles: list[Any] = [
        Patch(facecolor=EXCLUDED_FILL, edgecolor=EXCLUDED_HATCH, hatch="////", label=t["excluded"])
    ]
    if (g := metric_layer(layers.get("counties"), "counties", crs=crs)) is not None:
        g = g.to_crs(crs)
        g.plot(ax=ax, facecolor="none", edgecolor=COUNTY_COLOR, linewidth=0.5, zorder=4)
        handles.append(Line2D([], [], color=COUNTY_COLOR, lw=0.8, label=t["counties"]))
    if (g := metric_layer(layers.get("zones"), "zones", crs=crs)) is not None:
        g = g.to_crs(crs)
        g.plot(
            ax=ax, facecolor="none", edgecolor="#000000", linewidth=0.7, linestyle="--", zorder=5
        )
        handles.append(Line2D([], [], color="#000000", lw=0.8, ls="--", label=t["zones"]))
    if (g := metric_layer(layers.get("boundary"), "boundary", crs=crs)) is not None:
        g = g.to_crs(crs)
        g.plot(ax=ax, facecolor="none", edgecolor=BOUNDARY_COLOR, linewidth=1.3, zorder=6)
        handles.append(Line2D([], [], color=BOUNDARY_COLOR, lw=1.5, label=t["boundary"]))
    own = metric_layer(sites, "sites", crs=crs)
    if own is not None and "industry" in own.columns:
        own = own[own["industry"].astype(str) == code].to_crs(crs)
        if not own.empty:
            polys = own[own.geom_type != "Point"]
            if not polys.empty:
                polys.plot(ax=ax, facecolor=color, alpha=0.55, edgecolor="none", zorder=7)
                polys.plot(ax=ax, facecolor="none", edgecolor=SITE_STROKE, linewidth=1.2, zorder=8)
            for _, row in own.iterrows():
                p = row.geometry.representative_point()
                rank = row.get("rank")
                text = fmt(rank, 0) if fmt(rank) else mpl_text(str(row.get("site_id") or ""))
                ax.annotate(
                    text,
                    (p.x, p.y),
                    xytext=(6, 6),
                    textcoords="offset points",
                    fontsize=8,
                    fontweight="bold",
                    bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "black", "lw": 0.8},
                    zorder=9,
                )
            handles.append(
                Patch(
                    facecolor=color,
                    alpha=0.8,
                    edgecolor=SITE_STROKE,
                    label=f"{mpl_text(t['sites'])} ({len(own)}) · {t['sites_note']}",
                )
            )
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    scale_bar(ax)

    cax = fig.add_axes((0.78, 0.62, 0.025, 0.28))
    bar = fig.colorbar(image, cax=cax)
    bar.set_ticks([0, 25, 50, 75, 100])
    bar.ax.tick_params(labelsize=8)
    cax.set_title(t["suitability"], fontsize=9, loc="left", pad=8)
    fig.legend(
        handles=handles,
        title=t["legend"],
        loc="upper left",
        bbox_to_anchor=(0.77, 0.56),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
        alignment="left",
    )
    fig.suptitle(
        mpl_text(industry_title(code, lang)),
        x=0.02,
        y=1.0 - 0.2 / fig_h,
        ha="left",
        va="top",
        fontsize=14,
        fontweight="bold",
    )
    fig.text(
        0.02,
        1.0 - 0.62 / fig_h,
        mpl_text(f"{title}  {date_text(date)}".strip()),
        ha="left",
        va="top",
        fontsize=10,
        color="#444444",
    )
    fig.text(0.77, 0.03, f"{t['score_range']} · {crs_text(crs)}", fontsize=7, color="#555555")
    return fig
