"""The 城镇建设适宜性 map: the class raster under the county outlines, as a static PNG."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from layout.model.construction import CLASSES
from layout.model.grid import Grid
from layout.products.maps.png import crs_text, metric_layer, quiet_canvas, render_png, scale_bar

__all__ = ["construction_png"]

_TITLE = {"zh": "城镇建设适宜性", "en": "Suitability for urban construction (城镇建设适宜性)"}


def construction_png(
    classes: NDArray[np.uint8],
    grid: Grid,
    path: str | os.PathLike[str],
    *,
    counties: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    dpi: int = 120,
) -> Path:
    """Draw the class raster (`layout.analysis.construction`) with county outlines as a PNG."""

    def draw(effective: str) -> Any:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.colors import ListedColormap
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch

        fig = Figure(figsize=(10.0, 8.0), dpi=dpi)
        quiet_canvas(FigureCanvasAgg(fig))
        ax = fig.add_axes((0.01, 0.02, 0.98, 0.92))
        ax.set_axis_off()
        ax.set_aspect("equal")
        colors = ["#ffffff", *(c.color for c in CLASSES.values())]
        shown = np.ma.masked_equal(classes, 0)
        xmin, ymin, xmax, ymax = grid.bounds
        ax.imshow(shown, cmap=ListedColormap(colors), vmin=0, vmax=len(colors) - 1,
                  extent=(xmin, xmax, ymin, ymax), interpolation="nearest", zorder=1)
        if (g := metric_layer(counties, "counties", crs=grid.crs)) is not None:
            g.plot(ax=ax, facecolor="none", edgecolor="#333333", linewidth=0.6, zorder=2)
        handles = [Patch(facecolor=c.color, label=c.label_zh if effective == "zh"
                         else c.label_en) for c in CLASSES.values()]
        ax.legend(handles=handles, loc="lower right", fontsize=9, frameon=True)
        scale_bar(ax)
        fig.suptitle(_TITLE[effective], fontsize=12)
        return fig

    return render_png(draw, path, lang=lang,
                      text={"Title": _TITLE[lang], "CRS": crs_text(grid.crs)})
