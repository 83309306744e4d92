"""Static PNG maps for reports: fonts, the figure's canvas, scale bar and the PNG writer.

Drawing is matplotlib on an Agg canvas of the figure's own (no display, no global backend);
`render_png` writes the figure as a deterministic PNG.  Chinese labels need a CJK font:
`cjk_font` registers the font the package depends on (Noto Sans SC from
``pylopdf-fonts-zh-cn``, `bundled_cjk_font`), then looks for one among the usual families and
asks fontconfig; when there is none,
`render_png` draws with English labels and logs that, rather than drawing empty boxes.  The
maps themselves are drawn by `layout.products.maps.overview_figure` and
`layout.products.maps.industry_figure`.

A font counts as available only when the file matplotlib resolves its family to exists and
has Chinese glyphs: matplotlib's font cache can name a font whose file is gone (a stale
cache), and matplotlib would then draw with its default font, Chinese as empty boxes.  Text
the figure still holds that no font in use can draw (a Chinese title or zone name from the
data, with no CJK font) is named in the same warning.
"""

from __future__ import annotations

import contextlib
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
from pyproj import CRS

from layout import settings
from layout.io.crs import require_crs
from layout.io.gkzones import metric_crs_for

__all__ = [
    "CJK_FAMILIES",
    "bundled_cjk_font",
    "cjk_font",
    "metric_layer",
    "mpl_text",
    "quiet_canvas",
    "render_png",
    "resolved_font",
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


def _has_glyphs(path: str, text: str = _PROBE) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in text)


def resolved_font(family: str) -> str | None:
    """The font file matplotlib draws ``family`` with, if it exists and draws Chinese.

    Regular and bold are both resolved (titles are bold); None when matplotlib finds no font of
    that family, its file is missing (a stale font cache) or lacks the glyphs of 郑州.
    """
    from matplotlib import font_manager

    path = ""
    for weight in ("bold", "normal"):
        prop = font_manager.FontProperties(family=family, weight=weight)
        try:
            path = str(font_manager.findfont(prop, fallback_to_default=False))
        except (ValueError, RuntimeError):
            return None
        if not Path(path).is_file() or not _has_glyphs(path):
            return None
    return path


def bundled_cjk_font() -> str | None:
    """Register Noto Sans SC from the ``pylopdf-fonts-zh-cn`` dependency with matplotlib.

    The package ships the font (SIL Open Font License 1.1) inside the wheel, so the PNG maps
    draw Chinese on a machine without system CJK fonts. The font is added to matplotlib's font
    manager in memory (``addfont``), never through its cache file, so a stale cache cannot
    name it wrongly. Returns the family name, or None (with a warning) when the package or
    its file is missing.
    """
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        logger.warning("the bundled CJK font is missing: install pylopdf-fonts-zh-cn (a "
                       "dependency of layout) so that the PNG maps draw Chinese")
        return None
    from matplotlib import font_manager

    path = str(sans_path())
    if not Path(path).is_file() or not _has_glyphs(path):
        logger.warning("%s: the bundled CJK font is missing or damaged; reinstall "
                       "pylopdf-fonts-zh-cn", path)
        return None
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Return the name of an installed font that draws Chinese, or None.

    Tries `CJK_FAMILIES` among the fonts matplotlib knows, then the font fontconfig
    (``fc-match :lang=zh``) picks, which also finds fonts installed after matplotlib built its
    font cache.  A font counts only if the file matplotlib resolves it to exists and has
    glyphs for 郑州 (`resolved_font`).
    """
    from matplotlib import font_manager

    bundled_cjk_font()  # registered first, so a machine without CJK fonts still finds one
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known and resolved_font(family):
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
                name = str(font_manager.FontProperties(fname=path).get_name())
            except (OSError, RuntimeError, ValueError):
                return None
            return name if resolved_font(name) else None
    return None


def metric_layer(
    gdf: gpd.GeoDataFrame | None, source: str, *, crs: Any
) -> gpd.GeoDataFrame | None:
    """The non-empty geometries of a layer in ``crs``, or None when there are none."""
    if gdf is None or gdf.empty:
        return None
    require_crs(gdf, source=source)
    out = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].to_crs(crs)
    return out if not out.empty else None


def drawing_crs(*layers: gpd.GeoDataFrame | None) -> CRS:
    """The CRS to draw layers in when the plan's is not given.

    The first projected CRS among them (a plan's layers are in the plan CRS), else the
    CGCS2000 3-degree zone of their centre (`layout.io.gkzones`).

    Examples
    --------
    >>> import shapely
    >>> pts = gpd.GeoDataFrame(geometry=[shapely.Point(120.6, 31.3)], crs="EPSG:4326")
    >>> drawing_crs(None, pts).to_epsg()
    4549
    """
    usable = [g for g in layers if g is not None and not g.empty and g.crs is not None]
    for gdf in usable:
        if CRS.from_user_input(gdf.crs).is_projected:
            return CRS.from_user_input(gdf.crs)
    if not usable:
        return CRS.from_user_input(settings.storage_crs)
    x0, _, x1, _ = usable[0].to_crs(settings.storage_crs).total_bounds
    return CRS.from_user_input(metric_crs_for(float((x0 + x1) / 2)))


def crs_text(crs: Any) -> str:
    """``EPSG:4549``, or the CRS's name when it has no EPSG code (labels and PNG chunks)."""
    value = CRS.from_user_input(crs)
    epsg = value.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(value.name)


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


def render_png(
    draw: Callable[[str], Any],
    path: str | os.PathLike[str],
    *,
    lang: str,
    text: Mapping[str, str] | None = None,
) -> Path:
    """Draw a figure with ``draw(lang)`` and write it as a deterministic PNG, atomically.

    With ``lang="zh"`` and no CJK font installed, ``draw`` is called with ``"en"`` instead and
    a warning is logged (install e.g. ``fonts-noto-cjk``).  The PNG carries no Software tag
    and no time, so the same figure gives the same bytes; ``text`` becomes PNG text chunks
    (the maps write ``Title`` and ``CRS``; read them with Pillow's ``Image.open(p).text``).

    Parameters
    ----------
    draw
        Builds the matplotlib ``Figure`` (on an Agg canvas) in the language it is given.
    path
        The ``.png`` file; its folder is created if missing.
    lang
        The language asked for.
    text
        Keys and values of PNG text chunks (non-Latin-1 values as international text).

    Returns
    -------
    Path
        The path written.
    """
    font = cjk_font()
    effective = "en" if lang == "zh" and font is None else lang

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
            undrawable = _undrawable_texts(fig, font)
            # zlib level 1: several times faster to encode than the default 6, files ~20 % larger.
            fig.savefig(
                tmp,
                format="png",
                metadata={"Software": None, **dict(text or {})},
                facecolor="white",
                pil_kwargs={"compress_level": 1},
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if effective != lang or undrawable:
        _warn_fonts(target.name, english=effective != lang, undrawable=undrawable)
    return target


def _undrawable_texts(fig: Any, font: str | None) -> list[str]:
    """Texts of ``fig`` with characters neither the CJK font nor the default font can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    from matplotlib.text import Text

    faces = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for family in (font, "DejaVu Sans"):
            if family:
                with contextlib.suppress(OSError, RuntimeError, ValueError):
                    prop = font_manager.FontProperties(family=family)
                    faces.append(FT2Font(str(font_manager.findfont(prop))))
    texts = []
    for artist in fig.findobj(Text):
        text = artist.get_text()
        # CJK and beyond: the default font (DejaVu) covers Latin, Greek and symbols below it.
        chars = {ord(ch) for ch in text if ord(ch) > 0x2E7F}
        if chars and not any(all(f.get_char_index(c) for c in chars) for f in faces):
            texts.append(text)
    return texts


def _warn_fonts(name: str, *, english: bool, undrawable: list[str]) -> None:
    """One warning for one PNG: English labels instead of Chinese, and text drawn as boxes."""
    parts = []
    if english:
        parts.append(
            f"no usable font with Chinese glyphs (tried {', '.join(CJK_FAMILIES[:3])} and "
            f"fontconfig; matplotlib's font cache may name fonts whose files are gone); drew "
            f"{name} with English labels"
        )
    if undrawable:
        sample = "; ".join(repr(t) for t in undrawable[:3])
        parts.append(
            f"{len(undrawable)} text(s) from the data in {name} hold characters no installed "
            f"font draws and show as empty boxes ({sample})"
        )
    logger.warning(
        "%s. Install a CJK font (e.g. apt-get install fonts-noto-cjk; then delete matplotlib's "
        "font cache, ~/.cache/matplotlib) for Chinese text.",
        "; ".join(parts),
    )
