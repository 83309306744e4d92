"""Chinese and English names beside the codes of ``plan.gpkg`` (docs/plan_outputs.md).

Industry names come from the plan's catalog and county names from its ``counties`` layer, the
places where they are declared; the columns sit right after the code they name, so that a
planner reading the attribute table in QGIS sees ``auto``, ``汽车及装备制造``,
``Automobiles and equipment`` side by side.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: The name columns written after a code column: code column -> (Chinese, English) columns.
NAME_COLUMNS: Mapping[str, tuple[str, str]] = {
    "industry": ("industry_zh", "industry_en"),
    "county": ("county_zh", "county_en"),
}


def with_names(
    table: pd.DataFrame,
    *,
    industries: Mapping[str, tuple[str, str]],
    counties: Mapping[str, tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """``table`` with ``<code>_zh`` and ``<code>_en`` after its ``industry``/``county`` columns.

    Parameters
    ----------
    table
        A table of the plan (``sites``, ``zone_industries``, ``allocation``); a GeoDataFrame
        stays one, with its CRS.
    industries
        Industry code -> (Chinese name, English name), from the catalog.
    counties
        County adcode -> (Chinese name, English name), from the ``counties`` layer.

    Returns
    -------
    DataFrame
        A copy; a code without a name (an empty county outside every county) gets ``""``.

    Examples
    --------
    >>> t = pd.DataFrame({"industry": ["food"], "area_mu": [1.0]})
    >>> named = with_names(t, industries={"food": ("食品", "Food")})
    >>> list(named.columns), named.loc[0, "industry_zh"]
    (['industry', 'industry_zh', 'industry_en', 'area_mu'], '食品')
    """
    out = table.copy()
    lookups = {"industry": industries, "county": counties or {}}
    for code_col, (zh, en) in NAME_COLUMNS.items():
        if code_col not in out.columns or zh in out.columns:
            continue
        names = lookups[code_col]
        codes = out[code_col].astype(str)
        at = list(out.columns).index(code_col) + 1
        out.insert(at, zh, [names.get(c, ("", ""))[0] for c in codes])
        out.insert(at + 1, en, [names.get(c, ("", ""))[1] for c in codes])
    return out
