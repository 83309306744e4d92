"""What changed between two plan folders: demand, allocation, sites, solver, stability.

`compare_plans` reads two folders written by ``layout plan`` through their one reader
(`layout.products.planfolder.read_plan`: ``plan.gpkg`` and ``manifest.json``) and returns a
`PlanComparison` of plain tables; `layout.products.comparefiles.write_comparison` writes them
(Markdown, HTML, CSV and the difference map, docs/compare.md).

Sites are matched by overlap, one to one, within an industry: the pairs of an industry's sites
in plan A and plan B that overlap at all are taken in decreasing order of their shared area,
each site at most once. The overlap of a pair is its intersection over its union
(``|A ∩ B| / |A ∪ B|``, 1 for the same cells, symmetric):

* **kept** -- a matched pair overlapping at least `MOVED_BELOW` (50 %);
* **moved** -- a matched pair overlapping less than that (same industry, still sharing land);
* **removed** -- a site of plan A matched by no site of plan B;
* **added** -- a site of plan B matching no site of plan A.

A site that jumps to land it did not touch before is therefore removed and added, not moved.

Flags (one line each): the solver gap (``Solution.solver_gap`` as ``manifest.json`` records it;
the gap to the LP bound when the solver gave none) rising and above
`layout.products.report.flags.GAP_FLAG` (1 %), and a site of plan B that is unstable while it
was new or stable in plan A (stability from the sensitivity runs; none without them).
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from layout.products.maps.attributes import number
from layout.products.planfolder import PlanOutputs, read_plan
from layout.products.report.flags import GAP_FLAG
from layout.settings import M2_PER_MU

__all__ = [
    "MOVED_BELOW",
    "PlanComparison",
    "changed_land",
    "compare_plans",
    "match_sites",
]

logger = logging.getLogger(__name__)

#: A matched pair of sites overlapping (intersection over union) less than this has moved.
MOVED_BELOW = 0.5

#: The solver quantities of ``manifest.json`` ``solver`` that are compared, in order.
SOLVER_KEYS: tuple[str, ...] = (
    "objective", "lp_bound", "gap_to_lp_bound", "solver_gap", "greedy_objective",
)

#: Site columns carried into the sites table, for each plan.
_SITE_COLUMNS: tuple[str, ...] = ("site_id", "rank", "area_mu", "mean_score", "zone_id",
                                  "stability", "stable")


@dataclass(frozen=True)
class PlanComparison:
    """Two plan folders side by side (`compare_plans`); every ``delta`` is B minus A.

    Attributes
    ----------
    a, b
        The two plan folders as read (`read_plan`).
    industries
        One row per industry: ``demand_mu_a/_b`` (the land demand met, as ``manifest.json``
        ``demand_mu`` records it; NaN for a folder written before it), ``allocated_mu_a/_b``
        (sum of layer ``allocation``), ``sites_a/_b`` and the deltas.
    allocation
        One row per industry and zone (``zone_id`` empty: outside every zone): ``mu_a``,
        ``mu_b``, ``delta_mu``.
    sites
        One row per site or matched pair: ``change`` (kept, moved, removed, added),
        ``industry``, ``overlap`` and each plan's id, rank, area, mean score, zone, stability.
    solver
        One row per solver quantity (`SOLVER_KEYS`): ``a``, ``b``, ``delta``.
    changed
        The land whose industry differs between the plans (`changed_land`), in plan A's CRS.
    flags
        Lines a planner must read first (gap rising above 1 %, a new unstable site).
    settings
        What the plans were run with where it differs: key, value in A, value in B.
    """

    a: PlanOutputs
    b: PlanOutputs
    industries: pd.DataFrame
    allocation: pd.DataFrame
    sites: pd.DataFrame
    solver: pd.DataFrame
    changed: gpd.GeoDataFrame
    flags: list[str] = field(default_factory=list)
    settings: pd.DataFrame = field(default_factory=pd.DataFrame)


def compare_plans(
    plan_a: str | os.PathLike[str] | PlanOutputs, plan_b: str | os.PathLike[str] | PlanOutputs
) -> PlanComparison:
    """Compare two plan folders written by ``layout plan`` (B against A).

    Parameters
    ----------
    plan_a, plan_b
        The folders (or their `read_plan` result); plan A is the reference.

    Returns
    -------
    PlanComparison
        Tables of the changes and the flags.

    Raises
    ------
    DataFileError
        A folder is not a readable plan folder (the message names the file).
    """
    a = plan_a if isinstance(plan_a, PlanOutputs) else read_plan(plan_a)
    logger.info("read plan A: %s (%d sites)", a.folder, len(a.sites))
    b = plan_b if isinstance(plan_b, PlanOutputs) else read_plan(plan_b)
    logger.info("read plan B: %s (%d sites)", b.folder, len(b.sites))
    sites_b = b.sites if b.sites.crs == a.sites.crs else b.sites.to_crs(a.sites.crs)
    if sites_b is not b.sites:
        logger.info("plan B's sites moved from %s to plan A's CRS %s", b.sites.crs, a.sites.crs)
    sites = match_sites(a.sites, sites_b)
    solver = _solver_table(a.manifest, b.manifest)
    comparison = PlanComparison(
        a=a,
        b=b,
        industries=_industry_table(a, b),
        allocation=_allocation_table(a.allocation, b.allocation),
        sites=sites,
        solver=solver,
        changed=changed_land(a.sites, sites_b),
        flags=_gap_flags(solver) + _unstable_flags(sites),
        settings=_settings_table(a.manifest, b.manifest),
    )
    logger.info("compared: %s", ", ".join(
        f"{n} {k}" for k, n in sites["change"].value_counts().items()) or "no sites")
    return comparison


# --- sites ---------------------------------------------------------------------------------


def match_sites(sites_a: gpd.GeoDataFrame, sites_b: gpd.GeoDataFrame) -> pd.DataFrame:
    """Match the sites of two plans by overlap within each industry (module docstring).

    Parameters
    ----------
    sites_a, sites_b
        Layer ``sites`` of each plan, in one projected CRS.

    Returns
    -------
    pandas.DataFrame
        ``change``, ``industry``, ``overlap`` (intersection over union, 0 for added/removed)
        and ``<column>_a`` / ``<column>_b`` for the site columns, ordered by industry and the
        rank in A, then B.
    """
    rows: list[dict[str, Any]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    ga = sites_a.reset_index(drop=True)
    gb = sites_b.reset_index(drop=True)
    pairs: list[tuple[float, int, int]] = []
    for i, ra in ga.iterrows():
        for j, rb in gb.iterrows():
            if ra["industry"] != rb["industry"]:
                continue
            inter = ra.geometry.intersection(rb.geometry).area
            if inter > 0:
                pairs.append((inter, int(i), int(j)))
    for inter, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        union = ga.geometry[i].union(gb.geometry[j]).area
        share = inter / union if union > 0 else 0.0
        rows.append(_site_row("kept" if share >= MOVED_BELOW else "moved", share,
                              ga.loc[i], gb.loc[j]))
    rows += [_site_row("removed", 0.0, ga.loc[i], None) for i in ga.index if i not in used_a]
    rows += [_site_row("added", 0.0, None, gb.loc[j]) for j in gb.index if j not in used_b]
    columns = ["change", "industry", "overlap"] + [
        f"{c}_{s}" for c in _SITE_COLUMNS for s in ("a", "b")]
    table = pd.DataFrame(rows, columns=columns)
    table["_order"] = table["change"].map({"kept": 0, "moved": 1, "removed": 2, "added": 3})
    rank = {c: i for i, c in enumerate(_industry_order(list(table["industry"].unique())))}
    table["_industry"] = table["industry"].map(rank)
    table = table.sort_values(["_industry", "_order", "rank_a", "rank_b"], na_position="last")
    return table.drop(columns=["_order", "_industry"]).reset_index(drop=True)


def _site_row(change: str, overlap: float, ra: pd.Series | None,
              rb: pd.Series | None) -> dict[str, Any]:
    row: dict[str, Any] = {"change": change,
                           "industry": (ra if ra is not None else rb)["industry"],  # type: ignore[index]
                           "overlap": overlap}
    for col in _SITE_COLUMNS:
        for side, r in (("a", ra), ("b", rb)):
            row[f"{col}_{side}"] = r.get(col) if r is not None else None
    return row


def changed_land(sites_a: gpd.GeoDataFrame, sites_b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The land whose industry differs between two plans' sites.

    Sites are unions of whole grid cells and no cell is in two sites of a plan, so the pieces
    of the union overlay are unions of cells.

    Returns
    -------
    geopandas.GeoDataFrame
        ``industry_a``, ``industry_b`` (empty: no site there in that plan), ``area_mu``;
        in ``sites_a``'s CRS.
    """
    cols = ["industry", "geometry"]
    crs = sites_a.crs
    empty = gpd.GeoDataFrame({"industry_a": [], "industry_b": [], "area_mu": []},
                             geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    if sites_a.empty and sites_b.empty:
        return empty
    if sites_a.empty or sites_b.empty:
        only = sites_b if sites_a.empty else sites_a
        out = only[cols].rename(columns={"industry": "industry_b" if sites_a.empty
                                         else "industry_a"})
        piece = gpd.GeoDataFrame(out, geometry="geometry", crs=crs)
    else:
        piece = gpd.overlay(sites_a[cols], sites_b[cols].to_crs(crs), how="union",
                            keep_geom_type=True)
        piece = piece.rename(columns={"industry_1": "industry_a", "industry_2": "industry_b"})
    for col in ("industry_a", "industry_b"):
        if col not in piece:
            piece[col] = ""
        piece[col] = piece[col].fillna("").astype(str)
    piece = piece[piece["industry_a"] != piece["industry_b"]].copy()
    piece["area_mu"] = piece.geometry.area / M2_PER_MU
    piece = piece[piece["area_mu"] > 1e-6]
    if piece.empty:
        return empty
    dissolved = piece.dissolve(by=["industry_a", "industry_b"], as_index=False,
                               aggfunc={"area_mu": "sum"})
    return gpd.GeoDataFrame(dissolved[["industry_a", "industry_b", "area_mu", "geometry"]],
                            geometry="geometry", crs=crs)


# --- tables --------------------------------------------------------------------------------


def _industry_table(a: PlanOutputs, b: PlanOutputs) -> pd.DataFrame:
    def side(plan: PlanOutputs, s: str) -> pd.DataFrame:
        demand = pd.Series(plan.manifest.get("demand_mu") or {}, dtype=float)
        alloc = plan.allocation.groupby("industry")["area_mu"].sum()
        nsites = plan.sites.groupby("industry").size()
        return pd.DataFrame({f"demand_mu_{s}": demand, f"allocated_mu_{s}": alloc,
                             f"sites_{s}": nsites})

    table = side(a, "a").join(side(b, "b"), how="outer")
    for col in ("allocated_mu_a", "allocated_mu_b", "sites_a", "sites_b"):
        table[col] = table[col].fillna(0.0)
    table["sites_a"] = table["sites_a"].astype(int)
    table["sites_b"] = table["sites_b"].astype(int)
    table["delta_demand_mu"] = table["demand_mu_b"] - table["demand_mu_a"]
    table["delta_allocated_mu"] = table["allocated_mu_b"] - table["allocated_mu_a"]
    table.index.name = "industry"
    order = _industry_order(list(table.index))
    return table.loc[order].reset_index()


def _industry_order(codes: list[str]) -> list[str]:
    from layout.products.maps.style import industry_order

    return industry_order(codes)


def _allocation_table(alloc_a: pd.DataFrame, alloc_b: pd.DataFrame) -> pd.DataFrame:
    def side(alloc: pd.DataFrame) -> pd.DataFrame:
        df = alloc.assign(zone_id=alloc["zone_id"].fillna("").astype(str),
                          zone_name=alloc["zone_name"].fillna("").astype(str))
        return df.groupby(["industry", "zone_id"], sort=False).agg(
            zone_name=("zone_name", "first"), mu=("area_mu", "sum"))

    sa, sb = side(alloc_a), side(alloc_b)
    table = sa.add_suffix("_a").join(sb.add_suffix("_b"), how="outer")
    table["zone_name"] = table["zone_name_a"].fillna(table["zone_name_b"]).fillna("")
    table["mu_a"] = table["mu_a"].fillna(0.0)
    table["mu_b"] = table["mu_b"].fillna(0.0)
    table["delta_mu"] = table["mu_b"] - table["mu_a"]
    table = table.reset_index()[["industry", "zone_id", "zone_name", "mu_a", "mu_b", "delta_mu"]]
    rank = {c: i for i, c in enumerate(_industry_order(list(table["industry"].unique())))}
    table["_r"] = table["industry"].map(rank)
    return table.sort_values(["_r", "zone_id"]).drop(columns="_r").reset_index(drop=True)


def _solver_table(man_a: Any, man_b: Any) -> pd.DataFrame:
    sa, sb = man_a.get("solver") or {}, man_b.get("solver") or {}
    rows = [(k, number(sa.get(k)), number(sb.get(k))) for k in SOLVER_KEYS]
    table = pd.DataFrame(rows, columns=["quantity", "a", "b"])
    table["delta"] = table["b"] - table["a"]
    return table


def flag_gap(solver: pd.DataFrame, side: str) -> float:
    """The gap a plan is judged by: the solver's own, else the gap to the LP bound."""
    values = solver.set_index("quantity")[side]
    gap = float(values["solver_gap"])
    return float(values["gap_to_lp_bound"]) if math.isnan(gap) else gap


def _gap_flags(solver: pd.DataFrame) -> list[str]:
    ga, gb = flag_gap(solver, "a"), flag_gap(solver, "b")
    if math.isnan(gb) or gb <= GAP_FLAG or (not math.isnan(ga) and gb <= ga):
        return []
    before = "not recorded" if math.isnan(ga) else f"{ga:.2%}"
    return [f"solver gap rose from {before} to {gb:.2%}, above {GAP_FLAG:.0%}: a better plan B "
            "may exist; raise time_limit_s or lower mip_gap before reading its changes"]


def _unstable_flags(sites: pd.DataFrame) -> list[str]:
    out = []
    for _, r in sites.iterrows():
        stab_b = number(r["stability_b"])
        if math.isnan(stab_b) or bool(r["stable_b"]):
            continue
        if r["change"] == "added" or math.isnan(number(r["stability_a"])):
            why = "a new site"
        elif bool(r["stable_a"]):
            why = f"stable in plan A as {r['site_id_a']} ({number(r['stability_a']):.0%})"
        else:
            continue
        out.append(f"site {r['site_id_b']} of plan B is unstable (stability {stab_b:.0%}): "
                   f"{why}; read it as one option among several")
    return out


def _flat(prefix: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(f"{prefix}.{k}" if prefix else str(k), v))
        return out
    return {prefix: value}


def _settings_table(man_a: Any, man_b: Any) -> pd.DataFrame:
    keys = ("demand", "allocation", "sensitivity", "seed", "crs", "resolution_m", "title",
            "effective_config_sha256")
    fa = _flat("", {k: man_a.get(k) for k in keys})
    fb = _flat("", {k: man_b.get(k) for k in keys})
    rows = [(k, fa.get(k), fb.get(k)) for k in sorted(set(fa) | set(fb))
            if not _same(fa.get(k), fb.get(k))]
    return pd.DataFrame(rows, columns=["key", "a", "b"])


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return bool(np.isclose(x, y, rtol=0, atol=1e-9)) or (math.isnan(x) and math.isnan(y))
    return bool(x == y)
