"""Summaries of the input layers, as tables and as the short text ``layout overview`` prints.

`summarise_inputs` counts the features of each layer (and the area of polygon layers),
`summarise_enterprises` the firms, employees and output of each industry; `format_summary`
writes both as lines for the terminal, in Chinese or English.

Areas are computed in a metric CRS (the plan's, else the layers' own projected CRS or the
CGCS2000 Gauss-Kruger zone of their centre); outputs are converted from the
data model's 万元 (10⁴ yuan) to 亿元 (10⁸ yuan), the unit Chinese plans report in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from layout.config.catalog import load_catalog
from layout.errors import UnknownIndustryError
from layout.io.crs import require_crs
from layout.io.gkzones import metric_crs_for
from layout.model.catalog import OTHER, PRIORITY_CODES

#: 万元 per 亿元.
WAN_PER_YI = 10_000.0

_POLYGONAL = ("Polygon", "MultiPolygon")


def summarise_inputs(layers: Mapping[str, gpd.GeoDataFrame], *, crs: Any = None) -> pd.DataFrame:
    """One row per layer: feature count, geometry types and, for polygon layers, total area.

    Parameters
    ----------
    layers
        Layers keyed by name (each with a CRS).
    crs
        The metric CRS areas are computed in (the plan's); default: a layer's own projected
        CRS, else the CGCS2000 3-degree zone of its centre.

    Returns
    -------
    DataFrame
        Indexed by layer name (input order), columns ``features`` (int), ``geometry``
        (comma-separated geometry types) and ``area_km2`` (sum of feature areas in ``crs``;
        NaN for layers without polygons).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> sq = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1000, 2000)], crs="EPSG:4547")
    >>> table = summarise_inputs({"zones": sq})
    >>> int(table.at["zones", "features"]), float(table.at["zones", "area_km2"])
    (1, 2.0)
    """
    rows = []
    for name, gdf in layers.items():
        require_crs(gdf, source=name)
        types = gdf.geometry.geom_type.dropna()
        polygons = gdf[types.reindex(gdf.index).isin(_POLYGONAL)]
        area = (
            float(polygons.geometry.to_crs(_metric(polygons, crs)).area.sum() / 1e6)
            if not polygons.empty
            else np.nan
        )
        rows.append(
            {
                "layer": name,
                "features": len(gdf),
                "geometry": ",".join(sorted(types.unique())),
                "area_km2": area,
            }
        )
    out = pd.DataFrame(rows, columns=["layer", "features", "geometry", "area_km2"])
    return out.set_index("layer").astype({"features": "int64"})


def _metric(gdf: gpd.GeoDataFrame, crs: Any) -> Any:
    """``crs``, else the layer's own projected CRS, else the 3-degree zone of its centre."""
    if crs is not None:
        return crs
    if CRS.from_user_input(gdf.crs).is_projected:
        return gdf.crs
    x0, _, x1, _ = gdf.to_crs("EPSG:4326").total_bounds
    return metric_crs_for(float((x0 + x1) / 2))


def summarise_enterprises(enterprises: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """Enterprises per industry: count, employees and output.

    Parameters
    ----------
    enterprises
        Table with ``industry``, ``employees`` and ``output_wan`` (万元) columns (data model).
    lang
        Language of the ``name`` column: ``"zh"`` or ``"en"``.

    Returns
    -------
    DataFrame
        Indexed by industry code (the seven priority industries in catalog order, then other
        codes, then ``other``), columns ``name``, ``enterprises``, ``employees`` and
        ``output_yi`` (亿元), and a last row ``total``.

    Examples
    --------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"industry": ["food", "food", "auto"],
    ...                       "employees": [100, 50, 10], "output_wan": [20000.0, 5000.0, 1e4]})
    >>> summarise_enterprises(firms, lang="en")[["enterprises", "output_yi"]]
              enterprises  output_yi
    industry
    auto                1        1.0
    food                2        2.5
    total               3        3.5
    """
    codes = enterprises.get("industry", pd.Series(OTHER, index=enterprises.index))
    codes = codes.fillna(OTHER).astype(str).str.strip().replace("", OTHER)

    def numbers(column: str) -> pd.Series:
        if column not in enterprises.columns:
            return pd.Series(np.nan, index=enterprises.index)
        return pd.to_numeric(enterprises[column], errors="coerce")

    frame = pd.DataFrame(
        {
            "industry": codes,
            "employees": numbers("employees"),
            "output_yi": numbers("output_wan") / WAN_PER_YI,
        },
        index=enterprises.index,
    )
    grouped = frame.groupby("industry", sort=False).agg(
        enterprises=("industry", "size"),
        employees=("employees", "sum"),
        output_yi=("output_yi", "sum"),
    )
    present = set(grouped.index)
    order = [c for c in PRIORITY_CODES if c in present]
    order += sorted(present - set(PRIORITY_CODES) - {OTHER})
    order += [OTHER] if OTHER in present else []
    grouped = grouped.loc[order]
    total = pd.DataFrame(
        {
            "enterprises": [int(grouped["enterprises"].sum())],
            "employees": [grouped["employees"].sum()],
            "output_yi": [grouped["output_yi"].sum()],
        },
        index=pd.Index(["total"], name="industry"),
    )
    out = pd.concat([grouped, total])
    out.index.name = "industry"
    out.insert(0, "name", [_industry_name(c, lang) for c in out.index])
    return out.astype({"enterprises": "int64"})


def _width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _rjust(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def _industry_name(code: str, lang: str) -> str:
    if code == "total":
        return "合计" if lang == "zh" else "Total"
    if code == OTHER:
        return "其他产业" if lang == "zh" else "Other industries"
    try:
        ind = load_catalog().industry(code)
    except UnknownIndustryError:
        return code
    return ind.name_zh if lang == "zh" else ind.name_en


def format_summary(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str = "zh",
    problems: Mapping[str, int] | None = None,
    crs: Any = None,
) -> str:
    """Short text summary of the inputs for the command line.

    Parameters
    ----------
    layers
        Layers keyed by data-model name.
    lang
        ``"zh"`` or ``"en"``.
    problems
        Optional count of validation problems per layer, shown next to each layer.
    crs
        The plan CRS, for areas (`summarise_inputs`).

    Returns
    -------
    str
        Lines: features per layer (and area of polygon layers), the counties' total area, the
        number of zones, and enterprises per industry with employees and output in 亿元.
    """
    zh = lang == "zh"
    table = summarise_inputs(layers, crs=crs)
    lines = ["输入图层" if zh else "Input layers"]
    width = max((len(n) for n in table.index), default=0)
    for name, row in table.iterrows():
        text = f"  {name:<{width}}  {row['features']:>6} " + ("个要素" if zh else "features")
        if np.isfinite(row["area_km2"]):
            text += f"  {row['area_km2']:>10,.1f} km²"
        if problems is not None and name in problems:
            n = problems[str(name)]
            text += f"  [{n} " + ("个问题" if zh else ("problem" if n == 1 else "problems")) + "]"
        lines.append(text)
    features: dict[str, int] = {str(k): int(v) for k, v in table["features"].items()}
    areas: dict[str, float] = {str(k): float(v) for k, v in table["area_km2"].items()}
    if "counties" in features:
        area, n = areas["counties"], features["counties"]
        lines.append(
            f"区县 {n} 个，总面积 {area:,.1f} km²"
            if zh
            else f"Counties and districts: {n}, total area {area:,.1f} km²"
        )
    if "zones" in features:
        n = features["zones"]
        lines.append(f"产业集聚区 {n} 个" if zh else f"Cluster zones: {n}")
    if "enterprises" in layers:
        ent = summarise_enterprises(layers["enterprises"], lang=lang)
        lines.append("企业（按产业）" if zh else "Enterprises by industry")
        head = (
            ("产业", "企业数", "从业人员", "产值（亿元）")
            if zh
            else ("industry", "firms", "employees", "output (100 M yuan)")
        )
        name_w = max(12, *(_width(str(s)) for s in ent["name"]))
        lines.append(
            f"  {_ljust(head[0], name_w)} {_rjust(head[1], 8)} {_rjust(head[2], 10)} "
            f"{_rjust(head[3], 14)}"
        )
        for _, row in ent.iterrows():
            employees = f"{row['employees']:,.0f}" if np.isfinite(row["employees"]) else "–"
            output = f"{row['output_yi']:,.2f}" if np.isfinite(row["output_yi"]) else "–"
            lines.append(
                f"  {_ljust(str(row['name']), name_w)} {row['enterprises']:>8,} {employees:>10} "
                f"{output:>14}"
            )
    return "\n".join(lines)
