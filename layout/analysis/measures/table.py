"""Today's agglomeration statistics of each industry as one long table (``measures.csv``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from layout.analysis.measures.clusters import find_clusters
from layout.analysis.measures.concentration import ellison_glaeser_gamma
from layout.analysis.measures.hotspots import hot_spots
from layout.analysis.measures.regions import assign_regions, location_quotients
from layout.model.grid import Grid


def agglomeration_table(
    enterprises: gpd.GeoDataFrame,
    *,
    counties: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    grid: Grid,
    industries: Sequence[str],
    measure: str = "output_wan",
    hotspot_radius_m: float = 1000.0,
    hotspot_metric: Literal["queen", "distance"] = "queen",
    hotspot_z: Mapping[str, NDArray[np.floating]] | None = None,
    alpha: float = 0.05,
    eps_m: float = 1500.0,
    min_samples: int = 5,
) -> pd.DataFrame:
    """Today's agglomeration statistics of each industry, as one long table (``measures.csv``).

    Rows are ``industry, measure, region_type, region_id, region_name, value``:

    * ``lq`` by ``county`` (``adcode``) and by ``zone`` (``zone_id``), of ``measure``;
    * ``eg_gamma``, ``eg_G``, ``eg_H`` — Ellison–Glaeser over counties, plant size = employees;
    * ``hotspot_cells`` — Gi* hot-spot cells (z above the one-sided ``alpha`` quantile, no
      multiple-testing correction) of ``measure`` per cell, binary weights within
      ``hotspot_radius_m`` (``hotspot_metric`` as in `layout.core.gistar.window_sum`); pass the
      z-scores already computed by the scoring stage as ``hotspot_z`` to reuse them;
    * ``clusters``, ``clustered_share`` — DBSCAN clusters (``eps_m``, ``min_samples``) and the
      share of the industry's firms inside one;
    * ``firms``, ``output_wan``, ``employees``, ``zone_output_share`` — size and the share of
      output inside designated zones.

    Examples
    --------
    >>> from layout.data.inputs import load_inputs
    >>> inp = load_inputs()
    >>> t = agglomeration_table(inp.layer("enterprises"), counties=inp.layer("counties"),
    ...     zones=inp.layer("zones"), grid=inp.grid, industries=["aluminium"])
    >>> sorted(set(t["measure"]))[:4]
    ['clustered_share', 'clusters', 'eg_G', 'eg_H']
    """
    rows: list[dict[str, object]] = []

    def add(
        code: str, name: str, value: float, rtype: str = "", rid: str = "", rname: str = ""
    ) -> None:
        rows.append(
            {
                "industry": code,
                "measure": name,
                "region_type": rtype,
                "region_id": rid,
                "region_name": rname,
                "value": float(value),
            }
        )

    lq_c = location_quotients(enterprises, counties, region_id="adcode", measure=measure)
    lq_z = location_quotients(enterprises, zones, region_id="zone_id", measure=measure)
    eg = ellison_glaeser_gamma(enterprises, counties, region_id="adcode")
    zone_pos, _ = assign_regions(enterprises, zones, region_id="zone_id")
    cname = dict(zip(counties["adcode"].astype(str), counties["name_zh"].astype(str), strict=True))
    zname = dict(zip(zones["zone_id"].astype(str), zones["name_zh"].astype(str), strict=True))
    ent = enterprises.to_crs(grid.crs)
    xs, ys = ent.geometry.x.to_numpy(), ent.geometry.y.to_numpy()
    row, col = grid.rowcol(xs, ys)
    inside = (row >= 0) & (row < grid.nrows) & (col >= 0) & (col < grid.ncols)
    value = pd.to_numeric(ent[measure], errors="coerce").fillna(0.0).to_numpy()
    for code in industries:
        sel = (ent["industry"] == code).to_numpy()
        n = int(sel.sum())
        add(code, "firms", n)
        add(code, "output_wan", float(value[sel].sum()))
        add(
            code,
            "employees",
            float(pd.to_numeric(ent.loc[sel, "employees"], errors="coerce").sum()),
        )
        total = float(value[sel].sum())
        add(
            code,
            "zone_output_share",
            float(value[sel & (zone_pos >= 0)].sum()) / total if total > 0 else float("nan"),
        )
        for lq, rtype, names in ((lq_c, "county", cname), (lq_z, "zone", zname)):
            if code in lq.columns:
                for rid, v in lq[code].items():
                    add(code, "lq", float(v), rtype, str(rid), names.get(str(rid), ""))
        if code in eg.index:
            for key in ("gamma", "G", "H"):
                add(code, f"eg_{key}", float(cast(float, eg.at[code, key])))
        if hotspot_z is not None and code in hotspot_z:
            z = np.asarray(hotspot_z[code], dtype=np.float64)
            hot = np.nan_to_num(z, nan=-np.inf) > stats.norm.ppf(1.0 - alpha)
        else:
            cells = np.zeros(grid.shape)
            ok = sel & inside
            np.add.at(cells, (row[ok], col[ok]), value[ok])
            radius = max(1.0, hotspot_radius_m / grid.cell)
            if hotspot_metric == "queen":
                radius = float(int(radius))
            _, hot = hot_spots(cells, grid, radius=radius, metric=hotspot_metric, alpha=alpha)
        add(code, "hotspot_cells", int(hot.sum()))
        if n >= min_samples:
            clusters = find_clusters(ent, industry=code, eps_m=eps_m, min_samples=min_samples)
            add(code, "clusters", len(clusters))
            add(code, "clustered_share", float(clusters["n_firms"].sum()) / n if n else 0.0)
        else:
            add(code, "clusters", 0)
            add(code, "clustered_share", 0.0)
    return pd.DataFrame(rows)
