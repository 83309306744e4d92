"""The plan's answers in both directions of "产业在哪里布局、布局什么样的产业".

* industry → ranked sites (`site_table`): each chosen candidate as a polygon with its area,
  scores, zone, county and the criterion contributions that explain it;
* zone → ranked industries (`zone_industries`): every industry's mean score on the zone's
  eligible land, the land allocated to it there, and the reasons;
* the allocation table (`allocation_table`): land per industry and zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from affine import Affine
from numpy.typing import NDArray

from layout.allocation.candidates import Candidates
from layout.allocation.demand import MU_PER_HA
from layout.allocation.solve import Solution
from layout.allocation.zones import leading_industries
from layout.analysis.context import CriteriaContext
from layout.data.inputs import PlanInputs
from layout.model.criteria import CRITERIA, LEARNED
from layout.scoring.suitability import SuitabilityResult
from layout.settings import M2_PER_MU


def site_geometry(cells: NDArray[np.int64], inputs: PlanInputs, *,
                  context: CriteriaContext | None = None, clip: bool = True) -> shapely.Geometry:
    """The polygon of a site: the union of its cells, clipped to the land the plan may use.

    Parameters
    ----------
    cells
        Flat indices into the plan grid.
    inputs
        The plan's inputs.
    context
        The plan's criteria context, whose study area and excluded-constraint union
        (`CriteriaContext.excluded_geometry`) are reused; a new one when None.
    clip
        Clip to the study area and cut out the drawn constraint types the plan excludes. A
        cell of the plan overlaps those by at most the sliver tolerance
        (`layout.model.constraints.SLIVER_MU`); clipping removes even that, so the site check
        finds no excluded overlap and nothing outside the study area. False: the bare cells.

    Returns
    -------
    shapely.Geometry
        A Polygon or MultiPolygon in the plan CRS.
    """
    g = inputs.grid
    rows, cols = np.divmod(cells, g.ncols)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    mask = np.zeros((r1 - r0, c1 - c0), np.uint8)
    mask[rows - r0, cols - c0] = 1
    transform = g.transform @ Affine.translation(c0, r0)
    polys = [shapely.geometry.shape(geom) for geom, v in
             rasterio.features.shapes(mask, mask=mask.astype(bool), transform=transform) if v]
    geom = shapely.union_all(polys)
    if not clip:
        return geom
    ctx = context if context is not None else CriteriaContext(inputs)
    xmin, ymin, xmax, ymax = geom.bounds
    # Clip the (large) unions to the site's box first: the overlay then sees a few vertices.
    keep_out = shapely.clip_by_rect(ctx.excluded_geometry, xmin, ymin, xmax, ymax)
    inside = shapely.clip_by_rect(ctx.study_area_geometry, xmin, ymin, xmax, ymax)
    clipped = shapely.difference(shapely.intersection(geom, inside), keep_out)
    parts = [p for p in shapely.get_parts(clipped) if p.geom_type == "Polygon" and p.area > 0]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _mean_contributions(res: SuitabilityResult, cells: NDArray[np.int64]) -> dict[str, float]:
    """Mean contribution (points) of each weighted criterion over flat cell indices.

    Equal to the mean of `SuitabilityResult.contributions` over the cells, without building
    the full-grid arrays: ``100 w_k s_k`` on eligible cells, 0 elsewhere.
    """
    if not len(cells):
        return {}
    elig = res.eligible.ravel()[cells].astype(np.float64)
    weights = res.blend_weights()
    out = {}
    for name, arr in res.blend_values().items():
        vals = np.nan_to_num(arr.ravel()[cells].astype(np.float32), nan=0.0)
        vals *= np.float32(100.0 * weights[name])
        out[name] = float((vals.astype(np.float64) * elig).mean())
    return out


def _reasons(contrib: Mapping[str, float], n: int = 3) -> str:
    top = sorted(((v, k) for k, v in contrib.items() if v == v), reverse=True)[:n]
    return "; ".join(f"{k} {v:.1f}" for v, k in top)


def _mode(values: NDArray[np.integer]) -> int:
    v = values[values >= 0]
    if not len(v) or len(v) * 2 < len(values):
        return -1
    return int(np.bincount(v).argmax())



def site_table(solution: Solution, cands: Candidates,
               results: Mapping[str, SuitabilityResult], inputs: PlanInputs,
               ctx: CriteriaContext) -> tuple[gpd.GeoDataFrame, dict[str, NDArray[np.int64]]]:
    """The chosen sites, ranked per industry by mean score, and each site's cells.

    Returns
    -------
    sites : GeoDataFrame
        One row per site (``site_id`` ``<code>-<rank>``, area -- ``area_mu``, ``area_ha`` of
        the clipped polygon (`site_geometry`) --, scores, zone, county, reasons,
        ``c_<criterion>`` contributions, and ``c_learned`` when the score blends in the
        learned model; ``stability`` NaN until the sensitivity runs).
    site_cells : dict
        Site id -> flat cell indices.
    """
    g = inputs.grid
    names = [*CRITERIA, *([LEARNED] if any(r.learned is not None for r in results.values())
                          else [])]
    zones = inputs.layer("zones")
    counties = inputs.layer("counties")
    zflat, cflat = ctx.zone_index.ravel(), ctx.county_index.ravel()
    rows: list[dict[str, Any]] = []
    cells_of: list[NDArray[np.int64]] = []
    for j in solution.chosen:
        code = cands.industry[int(j)]
        cells = cands.cells(int(j))
        sc = results[code].score.ravel()[cells]
        geom = site_geometry(cells, inputs, context=ctx)
        # The reported area is the clipped polygon's (what the site check measures), at most
        # one sliver (0.15 mu) per edge cell below n_cells x cell area.
        area_mu = float(shapely.area(geom)) / M2_PER_MU
        row: dict[str, Any] = {"industry": code, "n_cells": len(cells),
                               "area_mu": area_mu, "area_ha": area_mu / MU_PER_HA,
                               "mean_score": float(sc.astype(np.float64).mean()),
                               "min_score": float(sc.min())}
        z = _mode(zflat[cells])
        row["zone_id"] = str(zones.iloc[z]["zone_id"]) if z >= 0 else ""
        row["zone_name"] = str(zones.iloc[z]["name_zh"]) if z >= 0 else ""
        c = _mode(cflat[cells])
        row["county"] = str(counties.iloc[c]["adcode"]) if c >= 0 else ""
        means = _mean_contributions(results[code], cells)
        contrib = {name: means.get(name, float("nan")) for name in names}
        row["reasons"] = _reasons(contrib)
        row.update({f"c_{k}": v for k, v in contrib.items()})
        row["geometry"] = geom
        rows.append(row)
        cells_of.append(cells)
    cols = ["site_id", "industry", "rank", "area_mu", "area_ha", "n_cells", "mean_score",
            "min_score", "zone_id", "zone_name", "county", "stability", "stable", "reasons",
            *[f"c_{k}" for k in names]]
    if not rows:
        empty = gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=g.crs)
        return empty, {}
    df = pd.DataFrame(rows)
    df["_cells"] = pd.Series(cells_of, index=df.index, dtype=object)
    df = df.sort_values(["industry", "mean_score", "n_cells"], ascending=[True, False, False],
                        kind="stable")
    order = {c: i for i, c in enumerate(inputs.plan.catalog.codes)}
    df["_o"] = df["industry"].map(order)
    df = df.sort_values(["_o", "mean_score"], ascending=[True, False], kind="stable")
    df["rank"] = df.groupby("industry").cumcount() + 1
    df["site_id"] = [f"{c}-{r:02d}" for c, r in zip(df["industry"], df["rank"], strict=True)]
    df["stability"] = np.nan
    df["stable"] = False
    site_cells = dict(zip(df["site_id"], df["_cells"], strict=True))
    gdf = gpd.GeoDataFrame(df[cols], geometry=list(df["geometry"]), crs=g.crs)
    gdf.index = pd.RangeIndex(len(gdf))
    return gdf, site_cells


def zone_industries(results: Mapping[str, SuitabilityResult],
                    eligible: Mapping[str, NDArray[np.bool_]],
                    site_cells: Mapping[str, NDArray[np.int64]], sites: gpd.GeoDataFrame,
                    inputs: PlanInputs, ctx: CriteriaContext) -> pd.DataFrame:
    """Per zone, every industry ranked by its mean score on the zone's eligible land.

    Every industry of the plan has a row in every zone, so every allocation made in a zone is
    listed (``allocated_mu`` > 0, with the ``sites`` that hold it), whether or not the
    industry ranks high there or is one of the zone's designated ``leading`` industries.
    ``reasons`` names the criteria that contribute most to the mean score and, for an
    allocation outside the zone's leading industries, says so.
    """
    zones = inputs.layer("zones")
    zone_of = ctx.zone_index
    cell_mu = inputs.grid.cell_area_m2 / (10_000.0 / 15.0)
    zflat = zone_of.ravel()
    ind_of = {str(s): str(c) for s, c in zip(sites["site_id"], sites["industry"], strict=True)}
    alloc: dict[tuple[int, str], float] = {}
    held: dict[tuple[int, str], list[str]] = {}
    for sid, cells in site_cells.items():
        code = ind_of[str(sid)]
        zc = zflat[cells]
        for zz, n in zip(*np.unique(zc[zc >= 0], return_counts=True), strict=True):
            alloc[(int(zz), code)] = alloc.get((int(zz), code), 0.0) + float(n) * cell_mu
            held.setdefault((int(zz), code), []).append(str(sid))
    rows = []
    for z in range(len(zones)):
        in_zone = zone_of == z
        leading = leading_industries(zones.iloc[z]["leading"])
        per = []
        for code, res in results.items():
            cells = in_zone & eligible[code]
            if cells.any():
                mean = float(res.score[cells].astype(np.float64).mean())
                contrib = _mean_contributions(res, np.flatnonzero(cells.ravel()))
            else:
                mean, contrib = 0.0, {}
            per.append((mean, code, contrib))
        per.sort(key=lambda x: (-x[0], x[1]))
        for rank, (mean, code, contrib) in enumerate(per, start=1):
            mu = alloc.get((z, code), 0.0)
            reasons = _reasons(contrib) if contrib else "no unconstrained land for this industry"
            if mu > 0 and code not in leading:
                reasons += "; not a designated leading industry of the zone"
            rows.append({"zone_id": str(zones.iloc[z]["zone_id"]),
                         "zone_name": str(zones.iloc[z]["name_zh"]), "rank": rank,
                         "industry": code, "mean_score": mean, "allocated_mu": mu,
                         "sites": ",".join(sorted(held.get((z, code), []))),
                         "leading": code in leading, "reasons": reasons})
    return pd.DataFrame(rows, columns=["zone_id", "zone_name", "rank", "industry", "mean_score",
                                       "allocated_mu", "sites", "leading", "reasons"])


def allocation_table(sites: gpd.GeoDataFrame, site_cells: Mapping[str, NDArray[np.int64]],
                     inputs: PlanInputs, ctx: CriteriaContext) -> pd.DataFrame:
    """Allocated land (mu, ha) per industry and zone (zone '' outside every zone)."""
    zones = inputs.layer("zones")
    cell_mu = inputs.grid.cell_area_m2 / (10_000.0 / 15.0)
    zflat = ctx.zone_index.ravel()
    acc: dict[tuple[str, int], float] = {}
    ind_of = dict(zip(sites["site_id"], sites["industry"], strict=True))
    for sid, cells in site_cells.items():
        z = zflat[cells]
        for zz, n in zip(*np.unique(z, return_counts=True), strict=True):
            key = (ind_of[sid], int(zz))
            acc[key] = acc.get(key, 0.0) + float(n) * cell_mu
    order = {c: i for i, c in enumerate(inputs.plan.catalog.codes)}
    rows = []
    for (code, zpos), mu in sorted(acc.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        rows.append({"industry": code,
                     "zone_id": str(zones.iloc[zpos]["zone_id"]) if zpos >= 0 else "",
                     "zone_name": str(zones.iloc[zpos]["name_zh"]) if zpos >= 0 else "",
                     "area_mu": mu, "area_ha": mu / MU_PER_HA})
    return pd.DataFrame(rows, columns=["industry", "zone_id", "zone_name", "area_mu", "area_ha"])
