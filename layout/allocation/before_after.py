"""Today against the plan: is the plan more 集聚、集群、集约 (concentrated, clustered, intensive).

Per industry: the share of output inside designated zones, the number of clusters of firms,
and the output-weighted mean distance between firms, today and with the plan's sites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.allocation.result import PlanResult
from layout.analysis.measures import find_clusters


def _weighted_mean_distance(xy: NDArray[np.float64], w: NDArray[np.float64]) -> float:
    """Weight-weighted mean distance between distinct points, km (pairs weighted w_i w_j)."""
    if len(xy) < 2 or w.sum() <= 0:
        return float("nan")
    from scipy.spatial.distance import pdist

    d = pdist(xy) / 1000.0
    i, j = np.triu_indices(len(xy), k=1)
    ww = w[i] * w[j]
    return float((d * ww).sum() / ww.sum()) if ww.sum() > 0 else float("nan")


def before_after(result: PlanResult) -> pd.DataFrame:
    """Today against the plan, per industry: is the plan more 集聚、集群、集约.

    * ``zone_output_share``: share of output inside designated zones (today: enterprises; plan:
      today's plus the new output on the plan's sites, at the demand's output per mu);
    * ``clusters``: DBSCAN clusters (eps 1.5 km, 5 firms) of the enterprises, and of the
      enterprises plus the plan's site cells as firms;
    * ``mean_distance_km``: output-weighted mean distance between firms (sites enter at their
      centroids with their new output);
    * ``new_land_in_zones_share``: share of the plan's new land inside zones.
    """
    inputs = result.inputs
    ent = inputs.layer("enterprises")
    g = inputs.grid
    zones_union = inputs.layer("zones").union_all()
    in_zone = ent.within(zones_union).to_numpy() if len(ent) else np.zeros(0, bool)
    out = pd.to_numeric(ent["output_wan"], errors="coerce").fillna(0.0).to_numpy()
    xy = np.column_stack([ent.geometry.x, ent.geometry.y]) if len(ent) else np.zeros((0, 2))
    rows = []
    for code in inputs.plan.catalog.codes:
        sel = (ent["industry"] == code).to_numpy()
        today_out = float(out[sel].sum())
        today_zone = float(out[sel & in_zone].sum())
        sites = result.sites[result.sites["industry"] == code]
        per_mu = float(result.demand["output_per_mu_wan"].to_dict()[code])
        new_out = sites["area_mu"].to_numpy() * per_mu
        new_zone = float(sum(o for o, z in zip(new_out, sites["zone_id"], strict=True) if z))
        land = float(sites["area_mu"].sum())
        land_zone = float(sites.loc[sites["zone_id"] != "", "area_mu"].sum())
        sub = ent[sel]
        today_clusters = len(find_clusters(sub, industry=code)) if sel.sum() >= 5 else 0
        pts = [xy[sel]]
        for sid in sites["site_id"]:
            cells = result.site_cells[sid]
            r, c = np.divmod(cells, g.ncols)
            pts.append(np.column_stack([g.x0 + (c + 0.5) * g.cell, g.y_top - (r + 0.5) * g.cell]))
        allpts = np.concatenate(pts) if pts else np.zeros((0, 2))
        plan_clusters = _dbscan_count(allpts)
        cent = np.array([[geom.centroid.x, geom.centroid.y] for geom in sites.geometry]) \
            if len(sites) else np.zeros((0, 2))
        md_today = _weighted_mean_distance(xy[sel], out[sel])
        md_plan = _weighted_mean_distance(np.concatenate([xy[sel], cent]),
                                          np.concatenate([out[sel], new_out]))
        total_plan = today_out + float(new_out.sum())
        rows.append({
            "industry": code,
            "zone_output_share_today": today_zone / today_out if today_out else float("nan"),
            "zone_output_share_plan": (today_zone + new_zone) / total_plan if total_plan
            else float("nan"),
            "clusters_today": today_clusters, "clusters_plan": plan_clusters,
            "mean_distance_km_today": md_today, "mean_distance_km_plan": md_plan,
            "new_land_mu": land,
            "new_land_in_zones_share": land_zone / land if land else float("nan"),
        })
    return pd.DataFrame(rows).set_index("industry")


def _dbscan_count(xy: NDArray[np.float64], eps_m: float = 1500.0, min_samples: int = 5) -> int:
    if len(xy) < min_samples:
        return 0
    from sklearn.cluster import DBSCAN

    labels = DBSCAN(eps=eps_m, min_samples=min_samples).fit_predict(xy)
    return len(set(labels) - {-1})
