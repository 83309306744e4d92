"""Figures of the review: criterion contributions, site stability, Gi* hot spots.

Each function draws on the given matplotlib Axes (or a new pyplot figure, shown inline in a
notebook) and returns it. Chinese text needs a CJK font (`layout.products.maps.cjk_font`);
without one, labels fall back to English and CJK characters are dropped.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from layout.errors import Problem, ValidationError
from layout.model.criteria import GROUPS
from layout.products.planfolder import site_row

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from numpy.typing import ArrayLike

    from layout.model.grid import Grid

logger = logging.getLogger(__name__)

#: CJK characters, dropped from figure text when no CJK font is installed.
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
#: A parenthesised remark holding CJK text, e.g. ``" (三年倍增)"``, dropped with it.
CJK_PAREN = re.compile(r"\s*\([^()]*[\u2e80-\u9fff][^()]*\)")


def _families() -> list[str]:
    """Font families for figure text: a CJK font first when one is installed."""
    # imported when drawing: the maps package pulls in folium and matplotlib
    from layout.products.maps import cjk_font

    font = cjk_font()
    return [font, "DejaVu Sans"] if font else ["DejaVu Sans"]


def _fonts(lang: str) -> tuple[str, list[str]]:
    """Effective language and font families: Chinese needs a CJK font (else English)."""
    families = _families()
    if lang == "zh" and len(families) == 1:
        logger.warning(
            "no font with Chinese glyphs found: drawing English labels instead "
            "(install e.g. fonts-noto-cjk)"
        )
        lang = "en"
    return lang, families


def _plain(text: str, families: Sequence[str]) -> str:
    """Text matplotlib can draw: without CJK characters when no CJK font is installed."""
    text = str(text).replace("$", r"\$")
    if len(families) > 1:
        return text
    return CJK.sub("", CJK_PAREN.sub("", text)).strip()


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def plot_contributions(
    contributions: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "en",
) -> Axes:
    """Horizontal bar chart of criterion contributions, largest on top, coloured by group.

    Parameters
    ----------
    contributions
        A table with ``contribution`` and ``label`` (or ``criterion``) columns, and optionally
        ``group``: `site_contributions`, `explain_site`, `parcel_contributions`.
    ax
        Axes to draw on; a new figure (pyplot, so it shows inline in a notebook) when None.
    title
        Title; by default the site or parcel id and its mean score from ``attrs``.
    lang
        Group names in ``"en"`` or ``"zh"`` (labels come from the table).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> table = pd.DataFrame({"criterion": ["zone_fit", "density"], "label": ["zone", "density"],
    ...                       "group": ["intensive", "agglomeration"],
    ...                       "contribution": [20.0, 10.0]})
    >>> ax = plot_contributions(table, ax=Figure().subplots(), title="food-01")
    >>> [float(p.get_width()) for p in ax.patches], ax.get_title()
    ([10.0, 20.0], 'food-01')
    """
    from layout.products.maps.style import CRITERION_GROUP_COLORS, UNKNOWN_GROUP_COLOR

    if "contribution" not in contributions.columns:
        raise ValidationError(
            [Problem("contributions table", "has no column 'contribution'", column="contribution")]
        )
    lang, families = _fonts(lang)
    df = contributions.iloc[::-1]  # largest on top
    label_col = "label" if "label" in df.columns else "criterion"
    labels = [_plain(str(s), families) for s in df[label_col]]
    groups = [str(g) for g in df["group"]] if "group" in df.columns else [""] * len(df)
    colors = [CRITERION_GROUP_COLORS.get(g, UNKNOWN_GROUP_COLOR) for g in groups]
    values = pd.to_numeric(df["contribution"], errors="coerce").fillna(0.0).to_numpy()
    ax = _axes(ax, (7.0, 0.35 * len(df) + 1.4))
    y = np.arange(len(df))
    ax.barh(y, values, color=colors)
    ax.set_yticks(y, labels=labels, fontfamily=families)
    for yi, v in zip(y, values, strict=True):
        ax.annotate(
            f"{v:.1f}",
            (v, yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            fontfamily=families,
        )
    ax.set_xlabel("contribution (score points)", fontfamily=families)
    ax.set_xlim(0, max(1.0, float(values.max()) if len(values) else 1.0) * 1.12)
    if title is None:
        attrs = contributions.attrs
        what = attrs.get("site_id") or attrs.get("parcel_id") or ""
        score = attrs.get("mean_score", attrs.get("score"))
        title = f"{what}: mean score {score:.1f}" if what and score is not None else str(what)
    ax.set_title(_plain(title, families), fontfamily=families)
    present = [g for g in GROUPS if g in groups]
    if present:
        from matplotlib.patches import Patch

        handles = [
            Patch(
                color=CRITERION_GROUP_COLORS[g],
                label=_plain(GROUPS[g][0] if lang == "zh" else GROUPS[g][1], families),
            )
            for g in present
        ]
        ax.legend(handles=handles, loc="lower right", fontsize=8, prop={"family": families})
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_stability(
    sites: pd.DataFrame,
    *,
    industry: str | None = None,
    highlight: str | None = None,
    threshold: float = 0.7,
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of the sites' stability under the sensitivity runs, with the threshold.

    Parameters
    ----------
    sites
        The ``sites`` table, with ``site_id`` and ``stability`` (share of Monte-Carlo runs in
        which the site's cells stay with its industry, 0–1; NaN when the analysis was not run).
    industry
        Only the sites of this industry; all when None.
    highlight
        A site id drawn in a strong colour, the others pale.
    threshold
        ``[sensitivity] stable_threshold``: drawn as a dashed line.
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> sites = pd.DataFrame({"site_id": ["food-01", "food-02"], "industry": ["food"] * 2,
    ...                       "stability": [0.95, 0.5]})
    >>> ax = plot_stability(sites, highlight="food-02", ax=Figure().subplots())
    >>> [float(p.get_width()) for p in ax.patches]
    [0.5, 0.95]
    """
    if "stability" not in sites.columns or "site_id" not in sites.columns:
        raise ValidationError(
            [
                Problem(
                    "sites table", "needs columns 'site_id' and 'stability' (docs/plan_outputs.md)"
                )
            ]
        )
    df = sites
    if industry is not None:
        df = df[df["industry"].astype(str) == industry]
    if highlight is not None:
        site_row(sites, highlight)
    df = df.iloc[::-1]
    values = pd.to_numeric(df["stability"], errors="coerce").to_numpy(dtype=float)
    ids = [str(s) for s in df["site_id"]]
    ax = _axes(ax, (7.0, 0.3 * len(df) + 1.4))
    y = np.arange(len(df))
    colors = ["#08519c" if s == highlight else ("#9ecae1" if highlight else "#4292c6") for s in ids]
    ax.barh(y, np.nan_to_num(values, nan=0.0), color=colors)
    for yi, v in zip(y, values, strict=True):
        text, at = (f"{v:.2f}", v) if math.isfinite(v) else ("not run", 0.0)
        ax.annotate(
            text, (at, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8
        )
    ax.axvline(threshold, color="#cb181d", linestyle="--", linewidth=1)
    ax.annotate(
        f"stable ≥ {threshold:g}",
        (threshold, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -10),
        textcoords="offset points",
        color="#cb181d",
        fontsize=8,
    )
    ax.set_yticks(y, labels=ids)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("stability: share of the site's cells that stay with its industry")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_hot_spots(
    z: ArrayLike,
    grid: Grid,
    *,
    hot: ArrayLike | None = None,
    clusters: gpd.GeoDataFrame | None = None,
    outline: gpd.GeoDataFrame | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    limit: float = 4.0,
) -> Axes:
    """Map of Gi* z-scores on the grid, hot-spot cells outlined, existing clusters on top.

    Parameters
    ----------
    z
        ``(nrows, ncols)`` z-scores (`layout.analysis.measures.hot_spots`), NaN outside the
        study area.
    grid
        The analysis grid.
    hot
        Booleans of the hot-spot cells, outlined in black.
    clusters
        Existing clusters (`layout.analysis.measures.find_clusters`), drawn as outlines.
    outline
        Boundary polygons (the study area, counties), drawn as thin grey lines.
    ax
        Axes to draw on; a new figure when None.
    title
        Title of the axes.
    limit
        The colour scale runs from ``-limit`` to ``+limit``.

    Returns
    -------
    Axes
        In the grid CRS (metres), equal aspect.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from matplotlib.figure import Figure
    >>> from layout.model.grid import Grid
    >>> grid = Grid.from_boundary(gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)],
    ...                                         crs="EPSG:4547"), resolution=100)
    >>> z = np.zeros(grid.shape); z[4:7, 4:7] = 3.0
    >>> ax = plot_hot_spots(z, grid, hot=z > 1.645, ax=Figure().subplots())
    >>> [float(v) for v in ax.images[0].get_extent()]
    [0.0, 1000.0, 0.0, 1000.0]
    """
    zz = np.asarray(z, dtype=np.float64)
    if zz.shape != grid.shape:
        raise ValidationError(
            [Problem("z-scores", f"have shape {zz.shape} but the grid is {grid.shape}")]
        )
    xmin, ymin, xmax, ymax = grid.bounds
    extent = (xmin, xmax, ymin, ymax)
    ax = _axes(ax, (8.0, 8.0 * (ymax - ymin) / max(xmax - xmin, 1.0) + 0.6))
    image = ax.imshow(
        np.where(grid.mask, zz, np.nan),
        extent=extent,
        origin="upper",
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
    )
    ax.figure.colorbar(image, ax=ax, shrink=0.7, label="Gi* z-score")
    if hot is not None:
        hh = np.asarray(hot, dtype=bool)
        if hh.shape != grid.shape:
            raise ValidationError(
                [Problem("hot-spot mask", f"has shape {hh.shape} but the grid is {grid.shape}")]
            )
        if hh.any():
            ys = grid.y_centres()
            xs = grid.x_centres()
            ax.contour(xs, ys, hh.astype(float), levels=[0.5], colors="black", linewidths=0.6)
    from matplotlib.lines import Line2D

    handles = []
    if hot is not None:
        handles.append(
            Line2D([], [], color="black", linewidth=0.6, label="hot spot (z > 1.645, 5 %)")
        )
    layers = ((outline, "#737373", 0.5, ""), (clusters, "#238b45", 1.2, "existing cluster"))
    for gdf, color, width, label in layers:
        if gdf is not None and len(gdf):
            shown = gdf if gdf.crs is None or gdf.crs.equals(grid.crs) else gdf.to_crs(grid.crs)
            shown.boundary.plot(ax=ax, color=color, linewidth=width)
            if label:
                handles.append(Line2D([], [], color=color, linewidth=width, label=label))
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    if title:
        families = _families()
        ax.set_title(_plain(title, families), fontfamily=families)
    return ax
