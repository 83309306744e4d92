"""The 亩均效益 folder (``layout efficiency``): graded firms, tables and a map.

Files, written by `write_efficiency` (the one writer of this folder):

``efficiency.gpkg``
    Layer ``firms``: every firm with its indicators, composite ``score``, ``grade`` and
    ``reason`` (plan CRS).
``firms.csv``
    The same without geometry.
``by_zone.csv``, ``by_county.csv``, ``by_industry.csv``
    Firms per grade, land, tax and output per mu, and the C/D firms' land
    (`layout.analysis.efficiency.grade_table`).
``ungraded.csv``
    Firms the scheme cannot grade, with the reason.
``efficiency.png``
    Firms coloured by grade (`layout.products.maps.efficiency_figure`).
``scheme.txt``
    The scheme and its rules as applied, the interpretations marked.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from layout.analysis.efficiency import grade_table
from layout.io.csvsafe import write_csv
from layout.io.staging import OutputFolder
from layout.io.vector import write_layer
from layout.model.efficiency import INDICATORS, EfficiencyOptions
from layout.products.maps.efficiency_figure import efficiency_png

__all__ = ["EFFICIENCY_NAMES", "efficiency_folder", "scheme_text", "write_efficiency"]

#: The files ``layout efficiency`` writes into its folder.
EFFICIENCY_NAMES: tuple[str, ...] = (
    "efficiency.gpkg", "firms.csv", "by_zone.csv", "by_county.csv", "by_industry.csv",
    "ungraded.csv", "efficiency.png", "scheme.txt",
)
_ID_COLUMNS = ("ent_id", "name", "industry", "county", "zone_id", "land_mu")


def efficiency_folder(path: str | os.PathLike[str], *, option: str = "--out") -> OutputFolder:
    """The ``layout efficiency`` folder as an output replaced as a whole."""
    return OutputFolder(Path(path), "efficiency", option, EFFICIENCY_NAMES)


def scheme_text(options: EfficiencyOptions) -> str:
    """The scheme as applied, in words (``scheme.txt``); interpretations are marked."""
    total = sum(options.weights.values())
    lines = [f"scheme = {options.scheme}",
             "composite score = weighted mean of percentile scores (100 x rank / n) of:"]
    lines += [f"  {INDICATORS[k].label_zh} {k} ({INDICATORS[k].unit}): {100 * w / total:.1f} %"
              for k, w in options.weights.items()]
    if options.scheme == "zhengzhou2018":
        lines += [
            f"A = top {options.top_score:.0%} by score and top {options.top_tax:.0%} by "
            "tax per mu (Zhengzhou 2018)",
            f"C = bottom {options.bottom_score:.0%} by score and lowest "
            f"{options.bottom_energy:.0%} by output per unit of energy (Zhengzhou 2018)",
            f"D = a C firm also in the lowest {options.bottom_tax:.0%} by tax per mu "
            "(interpretation: the brief states A and C only)",
            "B = every other graded firm (interpretation)",
            "composite indicators: interpretation (the 2018 scheme's six main indicators "
            "include profit per mu, which the data model lacks)",
        ]
    else:
        a, b, c = options.cutoffs
        lines.append(f"A = top {a:g} %, B = to {b:g} %, C = to {c:g} %, D = the rest, by score")
    lines.append(f"not graded: land below {options.min_land_mu:g} mu, or a value missing "
                 "(or a divisor 0) for an indicator used")
    return "\n".join(lines) + "\n"


def write_efficiency(
    graded: gpd.GeoDataFrame,
    folder: str | os.PathLike[str],
    *,
    options: EfficiencyOptions,
    counties: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
) -> list[Path]:
    """Write the graded firms of `layout.analysis.efficiency.grade_firms` into ``folder``.

    Returns
    -------
    list of Path
        The files written (`EFFICIENCY_NAMES`).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_layer(graded, out / "efficiency.gpkg", layer="firms")]
    table = pd.DataFrame(graded.drop(columns=graded.geometry.name))
    write_csv(table, out / "firms.csv", float_format="%.6g")
    written.append(out / "firms.csv")
    for by, name in (("zone_id", "by_zone"), ("county", "by_county"),
                     ("industry", "by_industry")):
        if by in table.columns:
            write_csv(grade_table(table, by), out / f"{name}.csv", float_format="%.6g")
            written.append(out / f"{name}.csv")
    cols = [c for c in _ID_COLUMNS if c in table.columns]
    write_csv(table.loc[table["reason"] != "", [*cols, "reason"]], out / "ungraded.csv")
    written.append(out / "ungraded.csv")
    written.append(efficiency_png(graded, out / "efficiency.png", counties=counties,
                                  zones=zones, scheme=options.scheme, lang=lang))
    (out / "scheme.txt").write_text(scheme_text(options), encoding="utf-8")
    written.append(out / "scheme.txt")
    return written
