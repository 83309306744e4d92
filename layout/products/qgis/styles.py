"""QML styles of a plan folder's layers, and the ``layer_styles`` table of ``plan.gpkg``.

Every layer a planner opens gets a style: the recommended sites coloured by industry (the
catalog's colours, as in the HTML and PNG maps) and labelled with their ids, the zones as
outlines, the infill patches hatched, each score raster on the maps' score ramp (viridis,
0–100), each criteria raster on the same ramp over 0–1 (band 1 shown; the others are one click
away), and each flags raster with the constrained cells grey. The styles are rendered from the
Jinja2 templates ``qgis_style.qml.j2`` and ``qgis_renderers.xml.j2``; `layout.products.qgis
.project` puts the same renderers into the project.

QGIS finds them by itself: ``suitability/<code>_score.qml`` beside ``<code>_score.tif`` is the
raster's default style, and the vector styles are the default rows of ``plan.gpkg``'s
``layer_styles`` table (the OGC/QGIS schema), written with a fixed ``update_time`` so that the
same plan writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: QGIS version written into the styles and the project (the oldest tested: Debian's 3.22).
QGIS_VERSION = "3.22.16-Białowieża"
#: ``update_time`` of every ``layer_styles`` row (the date of the source document, as the
#: GeoPackage timestamps of `layout.products.planfolder`).
STYLE_TIME = dt.datetime(2012, 4, 24)
#: Name of the styles layout writes (``styleName`` of ``layer_styles``).
STYLE_NAME = "layout"
#: Fill of the constrained cells of a flags raster (the maps' excluded fill).
_CONSTRAINED = "#969696"
_OUTLINE = "35,35,35,255"


@dataclass(frozen=True)
class StyleClass:
    """One class of a style: a value, its legend label and its colour."""

    value: str
    label: str
    color: str
    alpha: int = 255


@dataclass(frozen=True)
class LayerStyle:
    """What the templates need to draw one layer (see ``qgis_renderers.xml.j2``).

    Attributes
    ----------
    title
        What the style is for (a comment in the QML).
    raster
        A raster style (single-band pseudocolour) rather than a vector one.
    kind
        Vector: ``"categorized"`` (by ``attr``, one class per value) or ``"single"``.
        Raster: unused.
    classes
        Categories (vector) or colour-ramp items (raster).
    """

    title: str
    raster: bool = False
    kind: str = "single"
    attr: str = ""
    classes: Sequence[StyleClass] = field(default_factory=tuple)
    alpha: float = 0.85
    fill: str = "0,0,0,0"
    fill_style: str = "solid"
    outline: str = _OUTLINE
    width: str = "0.26"
    label: str = ""
    opacity: float = 1.0
    min: float = 0.0
    max: float = 100.0
    ramp: str = "INTERPOLATED"
    precision: int = 0


def rgb(color: str, alpha: int = 255) -> str:
    """``#RRGGBB`` as QGIS writes a symbol colour, ``"r,g,b,a"``.

    Examples
    --------
    >>> rgb("#E69F00")
    '230,159,0,255'
    """
    h = color.lstrip("#")
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def score_ramp(*, vmax: float = 100.0, stops: int = 11, digits: int = 0) -> list[StyleClass]:
    """The maps' score colour map (`layout.products.maps.style.SCORE_CMAP`) as ramp items."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    from layout.products.maps.style import SCORE_CMAP

    cmap = colormaps[SCORE_CMAP]
    out = []
    for f in np.linspace(0.0, 1.0, stops):
        v = round(float(f) * vmax, 6)
        out.append(StyleClass(f"{v:g}", f"{v:.{digits}f}", to_hex(cmap(float(f)))))
    return out


def raster_styles(*, industry: str, name: str) -> dict[str, LayerStyle]:
    """Styles of an industry's three rasters, by kind (``score``, ``criteria``, ``flags``)."""
    return {
        "score": LayerStyle(f"{name}: suitability score 0-100", raster=True,
                            classes=score_ramp()),
        "criteria": LayerStyle(f"{name}: criterion values 0-1 (band 1 shown)", raster=True,
                               classes=score_ramp(vmax=1.0, digits=1), max=1.0, precision=1),
        # DISCRETE: a value takes the first item at or above it -- 0 none, 1-127 a constraint
        # bit, 128 and up outside the study area
        "flags": LayerStyle(
            f"{name}: cells under a hard constraint", raster=True, ramp="DISCRETE", max=65535.0,
            opacity=0.6,
            classes=(
                StyleClass("0", "no constraint", "#ffffff", 0),
                StyleClass("127", "constraint (see the flag bits in the tags)", _CONSTRAINED),
                StyleClass("65535", "outside the study area", "#ffffff", 0),
            ),
        ),
    }


def vector_styles(industries: Mapping[str, tuple[str, str, str]]) -> dict[str, LayerStyle]:
    """Styles of ``plan.gpkg``'s layers with geometry, by layer name.

    Parameters
    ----------
    industries
        Industry code -> (Chinese name, English name, ``#RRGGBB`` colour), from the catalog.
    """
    return {
        "sites": LayerStyle(
            "recommended sites by industry", kind="categorized", attr="industry",
            label="site_id",
            classes=tuple(StyleClass(code, f"{zh} {en}", rgb(color))
                          for code, (zh, en, color) in industries.items()),
        ),
        "zones": LayerStyle("industrial cluster zones", fill="0,0,0,0", width="0.6",
                            outline="37,37,37,255", label="name_zh"),
        "landuse_infill": LayerStyle("industrial land with no enterprise (infill)",
                                     fill="140,109,49,255", fill_style="b_diagonal"),
    }


def render_qml(style: LayerStyle) -> str:
    """The QML file of a style (template ``qgis_style.qml.j2``)."""
    from layout.products.templating import render

    return render("qgis_style.qml.j2", style=style, version=QGIS_VERSION)


def layer_styles_table(
    styles: Mapping[str, LayerStyle], *, geometry_column: str = "geom"
) -> pd.DataFrame:
    """Rows of the ``layer_styles`` table, one default style per layer (the OGC/QGIS schema)."""
    return pd.DataFrame({
        "f_table_catalog": "",
        "f_table_schema": "",
        "f_table_name": list(styles),
        "f_geometry_column": geometry_column,
        "styleName": STYLE_NAME,
        "styleQML": [render_qml(s) for s in styles.values()],
        "styleSLD": "",
        "useAsDefault": True,
        "description": [s.title for s in styles.values()],
        "owner": "",
        "ui": "",
        "update_time": pd.Timestamp(STYLE_TIME, tz="UTC"),
    })


def write_styles(
    folder: str | os.PathLike[str],
    *,
    industries: Mapping[str, tuple[str, str, str]],
    layers: Sequence[str],
) -> list[str]:
    """Write the QML styles of a plan folder and the ``layer_styles`` table of its ``plan.gpkg``.

    Parameters
    ----------
    folder
        A plan folder with ``plan.gpkg`` and ``suitability/<code>_{score,criteria,flags}.tif``.
    industries
        Industry code -> (Chinese name, English name, colour), from the catalog.
    layers
        The layers of ``plan.gpkg`` (those with a style get one).

    Returns
    -------
    list of str
        The QML files written, relative to ``folder``.
    """
    import pyogrio

    folder = Path(folder)
    rels: list[str] = []
    vstyles = {k: s for k, s in vector_styles(industries).items() if k in layers}
    for name, style in vstyles.items():
        (folder / f"plan_{name}.qml").write_text(render_qml(style), encoding="utf-8")
        rels.append(f"plan_{name}.qml")
    for code, (zh, en, _) in industries.items():
        for kind, style in raster_styles(industry=code, name=f"{zh} {en}").items():
            rel = f"suitability/{code}_{kind}.qml"
            if (folder / rel).with_suffix(".tif").is_file():
                (folder / rel).write_text(render_qml(style), encoding="utf-8")
                rels.append(rel)
    pyogrio.write_dataframe(layer_styles_table(vstyles), folder / "plan.gpkg",
                            layer="layer_styles")
    return rels
