"""The 城镇建设适宜性 folder (``layout construction-suitability``): rasters, areas, map, rules.

Files, written by `write_construction` (the one writer of this folder):

``construction_class.tif``
    uint8 class codes: 1 适宜, 2 一般适宜, 3 不适宜, 0 nodata (outside the study area); band 2
    the grade before the unsuitable rules (1 best).
``slope.tif``
    The slope (degrees, Horn) and relief (metres) the classes were graded from.
``area_by_county.csv``
    Area of each class per county and in total, mu and ha.
``construction.png``
    The class map with county outlines.
``rules.toml``
    The rule table applied, as read (each rule with its clause).
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd

from layout.analysis.construction import ConstructionResult, area_table
from layout.io.csvsafe import write_csv
from layout.io.raster import write_bands
from layout.io.staging import OutputFolder
from layout.model.construction import CLASSES
from layout.products.maps.construction_figure import construction_png

__all__ = ["CONSTRUCTION_NAMES", "construction_folder", "write_construction"]

#: The files ``layout construction-suitability`` writes into its folder.
CONSTRUCTION_NAMES: tuple[str, ...] = (
    "construction_class.tif", "slope.tif", "area_by_county.csv", "construction.png",
    "rules.toml",
)


def construction_folder(path: str | os.PathLike[str], *, option: str = "--out") -> OutputFolder:
    """The ``layout construction-suitability`` folder as an output replaced as a whole."""
    return OutputFolder(Path(path), "construction", option, CONSTRUCTION_NAMES)


def write_construction(
    result: ConstructionResult,
    folder: str | os.PathLike[str],
    *,
    counties: gpd.GeoDataFrame,
    rules_text: str,
    lang: str = "zh",
) -> list[Path]:
    """Write a graded grid (`layout.analysis.construction.construction_suitability`)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    legend = "; ".join(f"{c.code} {c.label_zh} {c.label_en}" for c in CLASSES.values())
    tags = {"classes": f"0 nodata; {legend}", "guide": result.rules.guide}
    written = [
        write_bands(out / "construction_class.tif", [result.classes, result.grades], result.grid,
                    descriptions=["class", "grade before unsuitable rules"], nodata=0,
                    dtype="uint8", tags=tags),
        write_bands(out / "slope.tif", [result.slope, result.relief], result.grid,
                    descriptions=["slope_deg", "relief_m"], nodata=-9999.0,
                    tags={"method": "Horn slope; relief = max - min elevation in "
                                    f"{result.rules.relief.window_m:g} m window"}),
    ]
    write_csv(area_table(result, counties), out / "area_by_county.csv")
    written.append(out / "area_by_county.csv")
    written.append(construction_png(result.classes, result.grid, out / "construction.png",
                                    counties=counties, lang=lang))
    (out / "rules.toml").write_text(rules_text, encoding="utf-8")
    written.append(out / "rules.toml")
    return written
