"""The 亩均效益 map: firms coloured by grade over the counties and zones, as a static PNG."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
from pyproj import CRS

from layout.model.efficiency import GRADES
from layout.products.maps.png import crs_text, metric_layer, quiet_canvas, render_png, scale_bar

__all__ = ["GRADE_COLORS", "efficiency_png"]

#: Colour of each grade (A green to D red) and of ungraded firms.
GRADE_COLORS: dict[str, str] = {"A": "#1a9641", "B": "#a6d96a", "C": "#fdae61", "D": "#d7191c",
                                "": "#9e9e9e"}
_TEXT = {
    "zh": {"title": "亩均效益评价", "ungraded": "未评价", "counties": "县（市、区）",
           "zones": "产业集聚区"},
    "en": {"title": "Output per mu (亩均效益) grades", "ungraded": "not graded",
           "counties": "counties", "zones": "zones"},
}


def efficiency_png(
    firms: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    counties: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    scheme: str = "",
    lang: str = "zh",
    crs: Any = None,
    dpi: int = 120,
) -> Path:
    """Draw graded firms (`layout.analysis.efficiency.grade_firms`) as a PNG map.

    Parameters
    ----------
    firms
        Graded firms with ``grade`` ('' for ungraded), any CRS.
    path
        The ``.png`` file.
    counties, zones
        Drawn under the firms when given.
    scheme
        Named in the title.
    lang
        ``"zh"`` or ``"en"``.
    crs
        Drawing CRS (default: the firms' CRS).
    dpi
        Resolution of the 10 x 8 inch figure.
    """
    target = CRS.from_user_input(crs if crs is not None else firms.crs)

    def draw(effective: str) -> Any:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D

        t = _TEXT[effective]
        fig = Figure(figsize=(10.0, 8.0), dpi=dpi)
        quiet_canvas(FigureCanvasAgg(fig))
        ax = fig.add_axes((0.01, 0.02, 0.98, 0.92))
        ax.set_axis_off()
        ax.set_aspect("equal")
        handles = []
        if (g := metric_layer(counties, "counties", crs=target)) is not None:
            g.plot(ax=ax, facecolor="#f4f4f4", edgecolor="#777777", linewidth=0.5, zorder=1)
            handles.append(Line2D([], [], color="#777777", lw=0.8, label=t["counties"]))
        if (g := metric_layer(zones, "zones", crs=target)) is not None:
            g.plot(ax=ax, facecolor="none", edgecolor="#3a6ea5", linewidth=0.7, zorder=2)
            handles.append(Line2D([], [], color="#3a6ea5", lw=0.8, label=t["zones"]))
        pts = metric_layer(firms, "firms", crs=target)
        for grade in ("", *reversed(GRADES)):  # A drawn last, on top
            if pts is None:
                break
            sub = pts[pts["grade"] == grade]
            label = grade or t["ungraded"]
            if len(sub):
                sub.plot(ax=ax, color=GRADE_COLORS[grade], markersize=5 if grade else 2,
                         zorder=4 if grade else 3)
            handles.append(Line2D([], [], marker="o", ls="", color=GRADE_COLORS[grade],
                                  label=f"{label} ({len(sub)})"))
        ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)
        scale_bar(ax)
        fig.suptitle(f"{t['title']} ({scheme})" if scheme else t["title"], fontsize=12)
        return fig

    title = _TEXT[lang]["title"]
    return render_png(draw, path, lang=lang, text={"Title": title, "CRS": crs_text(target)})
