"""Low-efficiency land (低效工业用地) offered to the allocation before greenfield land.

With ``[demand] redevelopment = true`` the plan takes, as redevelopment supply,

* the land of the firms graded **C or D** by the plan's 亩均效益 scheme (``[efficiency]``,
  `layout.analysis.efficiency.grade_firms`): each firm's ``land_mu`` as a disc around its point
  (the cells whose centre lies in the disc, and always the firm's own cell), since the data
  model holds firms as points; and
* the industrial land-use patches with no firm (`layout.analysis.landuse.infill_patches`, the
  ``landuse_infill`` layer of ``plan.gpkg``), when the plan has a land-use layer.

Redevelopment cells keep every hard constraint (a cell excluded for an industry stays
excluded).  Their preference is ``redevelopment_bonus`` score points added where the sites are
grown and chosen (`boosted_scores`); the conversion cost (``conversion_cost_wan_per_mu``) is
reported with the infill it applies to, not traded against the score (the objective is in
score-mu, not money).  `infill_table` says how much of each industry's demand the infill
covers and its output per mu today and in the plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.analysis.efficiency import grade_firms
from layout.analysis.landuse import infill_patches
from layout.model.efficiency import EfficiencyOptions
from layout.model.grid import Grid
from layout.settings import M2_PER_MU

__all__ = ["RedevelopmentLand", "boosted_scores", "infill_table", "redevelopment_land"]

#: Grades whose land is low-efficiency (低效) land.
LOW_GRADES: tuple[str, ...] = ("C", "D")


@dataclass(frozen=True)
class RedevelopmentLand:
    """Redevelopment supply on the grid.

    Attributes
    ----------
    firm_cells
        Cells of the C/D firms' land.
    patch_cells
        Cells of the industrial patches with no firm (not already firm cells).
    firms
        The C/D firms (``ent_id``, ``industry``, ``grade``, ``land_mu``, ``output_wan``,
        ``tax_wan`` where present).
    """

    firm_cells: NDArray[np.bool_]
    patch_cells: NDArray[np.bool_]
    firms: pd.DataFrame

    @property
    def cells(self) -> NDArray[np.bool_]:
        """Every redevelopment cell."""
        return self.firm_cells | self.patch_cells


def redevelopment_land(
    enterprises: gpd.GeoDataFrame,
    grid: Grid,
    *,
    efficiency: EfficiencyOptions,
    landuse: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
) -> RedevelopmentLand:
    """The redevelopment cells of a plan (module docstring)."""
    graded = grade_firms(enterprises, options=efficiency)
    low = graded[graded["grade"].isin(LOW_GRADES)]
    firm_cells = np.zeros(grid.shape, bool)
    if len(low):
        pts = gpd.GeoSeries(low[enterprises.geometry.name], crs=enterprises.crs).to_crs(grid.crs)
        radius = np.sqrt(pd.to_numeric(low["land_mu"]).to_numpy(float) * M2_PER_MU / math.pi)
        firm_cells |= grid.rasterize(pts.buffer(radius, quad_segs=8)).astype(bool)
        row, col = grid.rowcol(pts.x.to_numpy(), pts.y.to_numpy())
        inside = (row >= 0) & (row < grid.nrows) & (col >= 0) & (col < grid.ncols)
        firm_cells[row[inside], col[inside]] = True
    patch_cells = np.zeros(grid.shape, bool)
    if landuse is not None and len(landuse):
        z = zones if zones is not None else gpd.GeoDataFrame(
            {"zone_id": []}, geometry=gpd.GeoSeries([], crs=landuse.crs), crs=landuse.crs)
        patches = infill_patches(landuse, enterprises, z)
        if len(patches):
            patch_cells = grid.rasterize(patches).astype(bool) & ~firm_cells
    firm_cells &= grid.mask
    patch_cells &= grid.mask
    keep = [c for c in ("ent_id", "name", "industry", "grade", "land_mu", "output_wan",
                        "tax_wan") if c in low.columns]
    return RedevelopmentLand(firm_cells, patch_cells, pd.DataFrame(low[keep]))


def boosted_scores(
    scores: Mapping[str, NDArray[np.floating]], cells: NDArray[np.bool_], *, bonus: float
) -> dict[str, NDArray[np.floating]]:
    """Each industry's score with ``bonus`` points added on redevelopment ``cells`` (same dtype).

    Examples
    --------
    >>> s = {"food": np.array([[50.0, 50.0]])}
    >>> boosted_scores(s, np.array([[False, True]]), bonus=10.0)["food"].tolist()
    [[50.0, 60.0]]
    """
    return {c: (s + np.float32(bonus) * cells).astype(s.dtype, copy=False)
            for c, s in scores.items()}


def infill_table(
    site_cells: Mapping[str, NDArray[np.int64]],
    site_industry: Mapping[str, str],
    land: RedevelopmentLand,
    demand: pd.DataFrame,
    *,
    cell_mu: float,
    cost_wan_per_mu: float,
) -> pd.DataFrame:
    """How much of each industry's demand redevelopment land covers, and output per mu.

    Parameters
    ----------
    site_cells
        Flat cell indices of each site.
    site_industry
        The industry of each site.
    land
        From `redevelopment_land`.
    demand
        `layout.allocation.demand.land_demand`.
    cell_mu
        Area of a cell, mu.
    cost_wan_per_mu
        Conversion cost, 万元/mu.

    Returns
    -------
    DataFrame
        Indexed by industry: ``demand_mu``, ``allocated_mu``, ``infill_firm_mu`` (on C/D
        firms' land), ``infill_patch_mu`` (on patches with no firm), ``infill_mu``,
        ``greenfield_mu``, ``infill_share`` (of the demand), ``conversion_cost_wan``,
        ``output_per_mu_today`` and ``output_per_mu_plan`` (万元/mu).  In the plan, the
        industry's output is today's plus its new output, its land today's plus its greenfield
        and patch land: C/D firms' land is already industrial land and changes hands, so it
        adds none (an approximation: the displaced firms' output is not subtracted).
    """
    firm = land.firm_cells.ravel()
    patch = land.patch_cells.ravel()
    rows = []
    for code in demand.index:
        cells = [site_cells[s] for s, ind in site_industry.items() if ind == code]
        idx = np.concatenate(cells) if cells else np.zeros(0, np.int64)
        alloc = idx.size * cell_mu
        on_firm = float(firm[idx].sum()) * cell_mu
        on_patch = float(patch[idx].sum()) * cell_mu
        green = alloc - on_firm - on_patch
        d = demand.loc[code]
        today_out, today_land = float(d["today_output_wan"]), float(d["today_land_mu"])
        plan_land = today_land + green + on_patch
        rows.append({
            "industry": code, "demand_mu": float(d["demand_mu"]), "allocated_mu": alloc,
            "infill_firm_mu": on_firm, "infill_patch_mu": on_patch,
            "infill_mu": on_firm + on_patch, "greenfield_mu": green,
            "infill_share": (on_firm + on_patch) / float(d["demand_mu"])
            if float(d["demand_mu"]) > 0 else 0.0,
            "conversion_cost_wan": (on_firm + on_patch) * cost_wan_per_mu,
            "output_per_mu_today": today_out / today_land if today_land > 0 else np.nan,
            "output_per_mu_plan": (today_out + float(d["new_output_wan"])) / plan_land
            if plan_land > 0 else np.nan,
        })
    return pd.DataFrame(rows).set_index("industry")
