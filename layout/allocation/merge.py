"""Merging the regions' tables into the province's (`layout.allocation.regional`).

* sites: the regions' site tables stacked, re-ranked per industry by mean score across the
  province (ties keep the regions' order) and renamed ``<code>-<rank>`` as `site_table` names
  them, with the ``region`` and ``region_name`` of each site;
* zone → industries: a zone that spans several regions gets, per industry, the mean score over
  its eligible cells in all of them (the regions' means weighted by their eligible cells), the
  land allocated in all of them and all their sites; then the industries are re-ranked;
* allocation: land per industry and zone summed over the regions.

With one region every table comes back as that region computed it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import CRS

from layout.allocation.demand import MU_PER_HA

__all__ = ["merge_allocation", "merge_sites", "merge_zone_industries"]

#: Suffix `layout.allocation.sites.zone_industries` adds to an allocation outside a zone's
#: leading industries.
NOT_LEADING = "; not a designated leading industry of the zone"


def merge_sites(
    sites: Sequence[gpd.GeoDataFrame],
    site_cells: Sequence[Mapping[str, NDArray[np.int64]]],
    *,
    region: Sequence[str],
    region_name: Sequence[str],
    codes: Sequence[str],
    crs: CRS,
) -> tuple[gpd.GeoDataFrame, dict[str, NDArray[np.int64]], list[dict[str, str]]]:
    """One site table for the province, re-ranked, with each site's region.

    Returns
    -------
    sites : GeoDataFrame
        ``site_id``, ``region``, ``region_name`` and the columns of `site_table`.
    site_cells : dict
        New site id -> cells.
    renamed : list
        Per region, its site ids -> the province's.

    Examples
    --------
    >>> import shapely
    >>> def one(score):
    ...     return gpd.GeoDataFrame({"site_id": ["food-01"], "industry": ["food"], "rank": [1],
    ...                              "mean_score": [score]},
    ...                             geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4547")
    >>> s, cells, names = merge_sites([one(50.0), one(70.0)],
    ...     [{"food-01": np.array([1])}, {"food-01": np.array([2])}], region=["a", "b"],
    ...     region_name=["A", "B"], codes=["food"], crs=CRS.from_epsg(4547))
    >>> s[["site_id", "region", "mean_score"]].values.tolist()
    [['food-01', 'b', 70.0], ['food-02', 'a', 50.0]]
    >>> names
    [{'food-01': 'food-02'}, {'food-01': 'food-01'}]
    """
    parts = []
    for k, table in enumerate(sites):
        if not len(table):
            continue
        df = pd.DataFrame(table.copy())
        df["region"] = str(region[k])
        df["region_name"] = str(region_name[k])
        df["_k"] = k
        df["_old"] = df["site_id"].astype(str)
        parts.append(df)
    renamed: list[dict[str, str]] = [{} for _ in sites]
    if not parts:
        cols = ["site_id", "region", "region_name", *[c for c in
                (sites[0].columns if len(sites) else []) if c not in ("site_id", "geometry")]]
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=crs), {}, renamed
    df = pd.concat(parts, ignore_index=True)
    order = {c: i for i, c in enumerate(codes)}
    df["_o"] = df["industry"].map(order)
    df = df.sort_values(["_o", "mean_score"], ascending=[True, False], kind="stable")
    df["rank"] = df.groupby("industry").cumcount() + 1
    df["site_id"] = [f"{c}-{r:02d}" for c, r in zip(df["industry"], df["rank"], strict=True)]
    cells: dict[str, NDArray[np.int64]] = {}
    for sid, k, old in zip(df["site_id"], df["_k"], df["_old"], strict=True):
        renamed[int(k)][str(old)] = str(sid)
        cells[str(sid)] = np.asarray(site_cells[int(k)][str(old)], np.int64)
    first = [c for c in parts[0].columns if not c.startswith("_")
             and c not in ("site_id", "region", "region_name", "geometry")]
    cols = ["site_id", "region", "region_name", *first]
    out = gpd.GeoDataFrame(df[cols], geometry=list(df["geometry"]), crs=crs)
    out.index = pd.RangeIndex(len(out))
    return out, cells, renamed


def merge_zone_industries(tables: Sequence[pd.DataFrame], renamed: Sequence[Mapping[str, str]],
                          *, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """One zone → industries table for the province (see the module docstring).

    Each table is `layout.allocation.sites.zone_industries` of one region with an
    ``eligible_cells`` column: the industry's eligible cells of the zone in that region.
    """
    cols = ["zone_id", "zone_name", "rank", "industry", "mean_score", "allocated_mu", "sites",
            "leading", "reasons"]
    if not tables:
        return pd.DataFrame(columns=cols)
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for k, table in enumerate(tables):
        for raw in table.to_dict("records"):
            rec = {str(key): v for key, v in raw.items()}
            rec["sites"] = [renamed[k].get(s, s) for s in str(rec["sites"]).split(",") if s]
            rows.setdefault((str(rec["zone_id"]), str(rec["industry"])), []).append(rec)
    merged: list[dict[str, Any]] = []
    for (zone_id, code), recs in rows.items():
        n = np.array([float(r["eligible_cells"]) for r in recs])
        means = np.array([float(r["mean_score"]) for r in recs])
        live = n > 0
        if live.sum() == 1:
            mean = float(means[live][0])
        elif live.sum() > 1:
            mean = float((means[live] * n[live]).sum() / n[live].sum())
        else:
            mean = 0.0
        base = recs[int(np.argmax(n))]
        mu = float(sum(float(r["allocated_mu"]) for r in recs))
        leading = bool(base["leading"])
        reasons = str(base["reasons"]).removesuffix(NOT_LEADING)
        if mu > 0 and not leading:
            reasons += NOT_LEADING
        held = sorted({s for r in recs for s in r["sites"]})
        merged.append({"zone_id": zone_id, "zone_name": base["zone_name"], "industry": code,
                       "mean_score": mean, "allocated_mu": mu, "sites": ",".join(held),
                       "leading": leading, "reasons": reasons})
    df = pd.DataFrame(merged)
    zpos = {str(z): i for i, z in enumerate(zones["zone_id"].astype(str))}
    df["_z"] = df["zone_id"].map(zpos)
    df = df.sort_values(["_z", "mean_score", "industry"], ascending=[True, False, True],
                        kind="stable")
    df["rank"] = df.groupby("_z").cumcount() + 1
    return df[cols].reset_index(drop=True)


def merge_allocation(tables: Sequence[pd.DataFrame], *, codes: Sequence[str],
                     zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Land per industry and zone summed over the regions' allocation tables.

    Examples
    --------
    >>> t = pd.DataFrame({"industry": ["food"], "zone_id": ["z1"], "zone_name": ["Z"],
    ...                   "area_mu": [30.0], "area_ha": [2.0]})
    >>> z = gpd.GeoDataFrame({"zone_id": ["z1"]}, geometry=[None], crs="EPSG:4547")
    >>> merge_allocation([t, t], codes=["food"], zones=z)[["area_mu", "area_ha"]].values.tolist()
    [[60.0, 4.0]]
    """
    cols = ["industry", "zone_id", "zone_name", "area_mu", "area_ha"]
    parts = [t for t in tables if len(t)]
    if not parts:
        return pd.DataFrame(columns=cols)
    df = pd.concat(parts, ignore_index=True)
    df = df.groupby(["industry", "zone_id", "zone_name"], as_index=False, sort=False).agg(
        area_mu=("area_mu", "sum"))
    df["area_ha"] = df["area_mu"] / MU_PER_HA
    zpos = {str(z): i for i, z in enumerate(zones["zone_id"].astype(str))}
    df["_o"] = df["industry"].map({c: i for i, c in enumerate(codes)})
    df["_z"] = df["zone_id"].map(lambda z: zpos.get(str(z), -1))
    df = df.sort_values(["_o", "_z"], kind="stable")
    return df[cols].reset_index(drop=True)
