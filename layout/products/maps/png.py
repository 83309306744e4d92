"""Static PNG maps for reports: fonts, the figure's canvas, scale bar and the PNG writer.

Drawing is matplotlib on an Agg canvas of the figure's own (no display, no global backend);
`render_png` writes the figure as a deterministic PNG.  Chinese labels need a CJK font:
`cjk_font` looks for one among the usual families and asks fontconfig; when there is none,
`render_png` draws with English labels and logs that, rather than drawing empty boxes.  The
maps themselves are drawn by `layout.products.maps.overview_figure` and
`layout.products.maps.industry_figure`.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd

from layout import settings
from layout.io.crs import require_crs

__all__ = [
    "CJK_FAMILIES",
    "cjk_font",
    "metric_layer",
    "mpl_text",
    "quiet_canvas",
    "render_png",
    "scale_bar",
]

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


def metric_layer(gdf: gpd.GeoDataFrame | None, source: str) -> gpd.GeoDataFrame | None:
    """The non-empty geometries of a layer in the metric CRS, or None when there are none."""
    if gdf is None or gdf.empty:
        return None
    require_crs(gdf, source=source)
    out = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].to_crs(settings.default_crs)
    return out if not out.empty else None


def mpl_text(text: str) -> str:
    """Text drawn literally by matplotlib: a pair of ``$`` would start mathtext."""
    return text.replace("$", r"\$")


def scale_bar(ax: Any) -> None:
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
            fig.savefig(
                tmp,
                format="png",
                metadata={"Software": None},
                facecolor="white",
                pil_kwargs={"compress_level": 1},
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
