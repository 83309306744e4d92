"""A static PNG of the overview map for reports (matplotlib, Agg, no display needed).

Chinese labels need a CJK font.  `cjk_font` looks for one among the usual families and asks
fontconfig; when there is none, `overview_png` falls back to English labels and logs that,
rather than drawing empty boxes.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from layout import settings
from layout.io.crs import require_crs
from layout.model.catalog import OTHER
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

logger = logging.getLogger(__name__)

#: Font families tried, in order, for Chinese labels.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
_PROBE = "郑州"


def _has_glyphs(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in _PROBE)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Return the name of an installed font that draws Chinese, or None.

    Tries `CJK_FAMILIES` among the fonts matplotlib knows, then the font fontconfig
    (``fc-match :lang=zh``) picks, which also finds fonts installed after matplotlib built its
    font cache.  A font counts only if it has glyphs for 郑州.
    """
    from matplotlib import font_manager

    known = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known and _has_glyphs(known[family]):
            return family
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            done = subprocess.run(
                [fc_match, "-f", "%{file}", ":lang=zh"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
            path = done.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            path = ""
        if path and Path(path).is_file() and _has_glyphs(path):
            try:
                font_manager.fontManager.addfont(path)
                return str(font_manager.FontProperties(fname=path).get_name())
            except (OSError, RuntimeError, ValueError):
                return None
    return None


def _metric(gdf: gpd.GeoDataFrame | None, source: str) -> gpd.GeoDataFrame | None:
    if gdf is None or gdf.empty:
        return None
    require_crs(gdf, source=source)
    out = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].to_crs(settings.default_crs)
    return out if not out.empty else None


def _mpl(text: str) -> str:
    """Text drawn literally by matplotlib: a pair of ``$`` would start mathtext."""
    return text.replace("$", r"\$")


def _label(row: pd.Series, lang: str) -> str:
    for col in ["name_zh", "name_en"] if lang == "zh" else ["name_en", "name_zh"]:
        value = row.get(col)
        if isinstance(value, str) and value.strip():
            return _mpl(value.strip())
    return ""


def _draw(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str,
    title: str,
    sites: gpd.GeoDataFrame | None,
    dpi: int,
) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    t = TEXT[lang]
    get = {
        k: _metric(layers.get(k), k)
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
    site_layer = _metric(sites, "sites")

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
            handles.append(Patch(facecolor="none", edgecolor=color, hatch=hatch, label=_mpl(label)))
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
                    label=_mpl(name),
                )
            )
    for code in industry_order(zone_codes):
        name, color = industry_label(code, lang)
        if _mpl(name) not in {h.get_label() for h in industry_handles}:
            industry_handles.append(Patch(facecolor=color, alpha=0.6, label=_mpl(name)))
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

    _scale_bar(ax)
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
        _mpl(title),
        x=0.02,
        y=1.0 - 0.25 / fig_h,
        ha="left",
        va="top",
        fontsize=14,
        fontweight="bold",
    )
    fig.text(0.72, 0.03, f"{t['dot_note']} · EPSG:4547", fontsize=7, color="#555555")
    return fig


def _scale_bar(ax: Any) -> None:
    """A 20 km (or 10 km) scale bar in the lower left of axes in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = 20_000.0 if (x1 - x0) > 80_000 else 10_000.0
    x, y = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="black", lw=2.5, solid_capstyle="butt", zorder=11)
    ax.text(
        x + length / 2,
        y + 0.012 * (y1 - y0),
        f"{length / 1000:.0f} km",
        ha="center",
        va="bottom",
        fontsize=8,
        zorder=11,
        # Readable over a dark raster as well as over white.
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    ax.annotate(
        "N",
        xy=(x1 - 0.04 * (x1 - x0), y1 - 0.04 * (y1 - y0)),
        xytext=(x1 - 0.04 * (x1 - x0), y1 - 0.11 * (y1 - y0)),
        ha="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        zorder=11,
    )


def overview_png(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike[str],
    *,
    lang: str = "zh",
    title: str | None = None,
    date: str | dt.date | None = None,
    sites: gpd.GeoDataFrame | None = None,
    dpi: int = 150,
) -> Path:
    """Draw the overview map as a static PNG (same content as `overview_map`, for reports).

    The PNG shows what the HTML map shows when it opens: urban areas, hidden there by default,
    are left out.

    Parameters
    ----------
    layers
        Layers keyed by data-model name, any CRS; drawn in EPSG:4547 (true shapes, metric scale
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
    dpi
        Resolution; the figure is 12.5 × 9.5 inches.

    Returns
    -------
    Path
        The path written.
    """
    check_lang(lang)

    def draw(effective: str) -> Any:
        full_title = title if title is not None else TEXT[effective]["default_title"]
        date_text = date.isoformat() if isinstance(date, dt.date) else (date or "")
        full_title = f"{full_title}  {date_text}".strip()
        return _draw(layers, lang=effective, title=full_title, sites=sites, dpi=dpi)

    return render_png(draw, path, lang=lang)


def quiet_canvas(canvas: Any) -> Any:
    """Make ``draw_idle`` a no-op on a figure's own Agg canvas.

    geopandas' ``plot`` calls ``canvas.draw_idle()`` after each layer, which on a bare Agg
    canvas renders the whole figure every time (seconds with a raster image on it); the figure
    is drawn once, when it is saved.
    """
    canvas.draw_idle = lambda *args, **kwargs: None
    return canvas


def render_png(draw: Callable[[str], Any], path: str | os.PathLike[str], *, lang: str) -> Path:
    """Draw a figure with ``draw(lang)`` and write it as a deterministic PNG, atomically.

    With ``lang="zh"`` and no CJK font installed, ``draw`` is called with ``"en"`` instead and
    a warning is logged (install e.g. ``fonts-noto-cjk``).  The PNG carries no metadata (no
    Software tag, no time), so the same figure gives the same bytes.

    Parameters
    ----------
    draw
        Builds the matplotlib ``Figure`` (on an Agg canvas) in the language it is given.
    path
        The ``.png`` file; its folder is created if missing.
    lang
        The language asked for.

    Returns
    -------
    Path
        The path written.
    """
    effective = lang
    font = cjk_font()
    if lang == "zh" and font is None:
        logger.warning(
            "no font with Chinese glyphs found (tried %s and fontconfig); drawing %s with "
            "English labels. Install a CJK font (e.g. apt-get install fonts-noto-cjk) for "
            "Chinese labels.",
            ", ".join(CJK_FAMILIES[:3]),
            Path(path).name,
        )
        effective = "en"

    import matplotlib

    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with (
            matplotlib.rc_context(
                {
                    "font.family": "sans-serif",
                    "font.sans-serif": families,
                    "axes.unicode_minus": False,
                    "hatch.linewidth": 0.5,
                }
            ),
            warnings.catch_warnings(),
        ):
            # Names the data gives in Chinese still reach the figure when no CJK font exists.
            warnings.filterwarnings("ignore", message=r"Glyph .* missing from")
            fig = draw(effective)
            # zlib level 1: several times faster to encode than the default 6, files ~20 % larger.
            fig.savefig(tmp, format="png", metadata={"Software": None}, facecolor="white",
                        pil_kwargs={"compress_level": 1})
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
