"""The plan: where each priority industry should go, and which industries each zone should host.

`run_plan` is the main job (``layout plan``). From loaded inputs it

1. scores every industry (`layout.scoring.suitability.score`, one shared criteria cache);
2. derives each industry's land demand (`land_demand`): given in the plan, or the growth target
   (default 三年倍增: output doubles in three years) divided by output per mu;
3. allocates compact sites (`layout.allocation.solve`): an integer programme over candidate regions,
   with a greedy baseline beside it;
4. answers both directions of "产业在哪里布局、布局什么样的产业": industry → ranked sites
   (`PlanResult.sites`) and zone → ranked industries (`PlanResult.zone_industries`), each with
   the criterion contributions that explain them;
5. measures how far to trust it (`sensitivity`): Monte-Carlo perturbation of the weights and
   one-at-a-time changes per criterion, giving every site a stability figure;
6. compares today with the plan (`before_after`): share of output inside zones, number of
   clusters, mean distance between firms.

Sensitivity runs keep the candidate regions grown under the base weights and recompute their
values exactly from per-criterion sums. Each run solves the LP relaxation of the selection
programme, then the integer programme restricted to the LP's support, the plan's own sites and
their neighbouring sizes (an LP-guided restricted integer programme: integral like the plan, but
small enough to solve in a fraction of a second, where the full programme takes seconds). A
site's stability is the share of its cells, averaged over the runs, that stay with its industry;
the report states how much of the plan the restricted programme reproduces under the base
weights. Runs are spread over the CPU cores and gathered in order.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from affine import Affine
from numpy.typing import NDArray

from layout.allocation import solve as allocate
from layout.analysis.context import CriteriaContext
from layout.analysis.measures import find_clusters
from layout.data.inputs import PlanInputs
from layout.errors import ConfigError, LayoutError
from layout.model.catalog import Catalog
from layout.model.criteria import CRITERIA
from layout.model.options import AllocationOptions, DemandOptions, SensitivityOptions
from layout.scoring.suitability import SuitabilityResult, score

MU_PER_HA = 15.0
Progress = Callable[[str], None]


# --- configuration ----------------------------------------------------------------------------


# --- demand -----------------------------------------------------------------------------------


def land_demand(
    enterprises: pd.DataFrame, *, catalog: Catalog, options: DemandOptions, source: str = ""
) -> pd.DataFrame:
    """Land demand of every priority industry for the plan horizon, with its arithmetic.

    ``demand_mu = (growth - 1) * today's output / output per mu`` unless the plan gives ``mu``.

    Returns
    -------
    DataFrame
        Indexed by industry code: ``today_output_wan``, ``today_land_mu``,
        ``output_per_mu_wan``, ``per_mu_source``, ``growth``, ``new_output_wan``,
        ``demand_mu``, ``demand_ha``, ``method`` and ``arithmetic`` (a sentence).

    Raises
    ------
    ConfigError
        An industry with no enterprises whose demand would have to be derived.

    Examples
    --------
    >>> import pandas as pd
    >>> from layout.model.catalog import load_catalog
    >>> ent = pd.DataFrame({"industry": ["food", "food"], "output_wan": [600.0, 400.0],
    ...                     "land_mu": [2.0, 3.0]})
    >>> opts = DemandOptions(industries={c: {"mu": 0.0} for c in
    ...     ("auto", "electronics", "new_materials", "biomedicine", "aluminium", "textiles")})
    >>> d = land_demand(ent, catalog=load_catalog(), options=opts)
    >>> float(d.loc["food", "output_per_mu_wan"]), float(d.loc["food", "demand_mu"])
    (200.0, 5.0)
    """
    rows = []
    out = pd.to_numeric(enterprises["output_wan"], errors="coerce").fillna(0.0)
    land = pd.to_numeric(enterprises["land_mu"], errors="coerce").fillna(0.0)
    for code in catalog.codes:
        sel = (enterprises["industry"] == code).to_numpy()
        today_out, today_land = float(out[sel].sum()), float(land[sel].sum())
        ov = options.industries.get(code, {})
        growth = float(ov.get("growth", options.growth))
        industry = catalog.industry(code)
        if "output_per_mu_wan" in ov:
            per_mu, per_src = float(ov["output_per_mu_wan"]), "plan"
        elif options.output_per_mu == "catalog" or today_land <= 0:
            per_mu, per_src = industry.output_per_mu_wan, "catalog"
        else:
            per_mu, per_src = today_out / today_land, "data"
        new_out = (growth - 1.0) * today_out
        if "mu" in ov:
            demand, method = float(ov["mu"]), "given"
            text = f"given in the plan: {demand:,.0f} mu"
        else:
            if sel.sum() == 0:
                raise ConfigError(
                    f"industry {code!r} has no enterprises in {source or 'the enterprises layer'}"
                    f", so its land demand cannot be derived from today's output; give "
                    f"[demand.industries.{code}] mu = ... in the plan")
            demand, method = new_out / per_mu if per_mu > 0 else 0.0, "derived"
            text = (f"({growth:g} - 1) x {today_out:,.0f} 万元 / {per_mu:,.1f} 万元/mu "
                    f"({per_src}) = {demand:,.0f} mu")
        rows.append({
            "industry": code, "today_output_wan": today_out, "today_land_mu": today_land,
            "output_per_mu_wan": per_mu, "per_mu_source": per_src, "growth": growth,
            "new_output_wan": new_out, "demand_mu": demand, "demand_ha": demand / MU_PER_HA,
            "method": method, "arithmetic": text,
        })
    return pd.DataFrame(rows).set_index("industry")


# --- results ----------------------------------------------------------------------------------


@dataclass
class PlanResult:
    """Everything `run_plan` computed; `write_plan` turns it into files."""

    inputs: PlanInputs
    results: dict[str, SuitabilityResult]
    demand: pd.DataFrame
    candidates: allocate.Candidates
    problem: allocate.Problem
    solution: allocate.Solution
    greedy: allocate.Solution
    sites: gpd.GeoDataFrame
    site_cells: dict[str, NDArray[np.int64]]
    zone_industries: pd.DataFrame
    allocation: pd.DataFrame
    before_after: pd.DataFrame
    stability: dict[str, float] = field(default_factory=dict)
    one_at_a_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    lp_agreement: float = float("nan")
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def demand_mu_of(demand: pd.DataFrame, code: str) -> float:
    """The demand in mu of one industry from a `land_demand` table."""
    return float(demand["demand_mu"].to_dict()[code])


def _polluting(catalog: Catalog, options: AllocationOptions) -> list[str]:
    if options.polluting is not None:
        return list(options.polluting)
    out = []
    for code in catalog.codes:
        ind = catalog.industry(code)
        if ind.pollution_intensive or any(
                catalog.base(b, inherit=True).pollution_intensive for b in ind.bases):
            out.append(code)
    return out


def _buffer_m(catalog: Catalog, code: str) -> float:
    ind = catalog.industry(code)
    values = [ind.residential_buffer_m if ind.pollution_intensive else 0.0]
    for b in ind.bases:
        base = catalog.base(b, inherit=True)
        if base.pollution_intensive and base.residential_buffer_m is not None:
            values.append(float(base.residential_buffer_m))
    return max(values)


def _site_geometry(cells: NDArray[np.int64], inputs: PlanInputs) -> shapely.Geometry:
    g = inputs.grid
    rows, cols = np.divmod(cells, g.ncols)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    mask = np.zeros((r1 - r0, c1 - c0), np.uint8)
    mask[rows - r0, cols - c0] = 1
    transform = g.transform @ Affine.translation(c0, r0)
    polys = [shapely.geometry.shape(geom) for geom, v in
             rasterio.features.shapes(mask, mask=mask.astype(bool), transform=transform) if v]
    return shapely.union_all(polys)


def _mean_contributions(res: SuitabilityResult, cells: NDArray[np.int64]) -> dict[str, float]:
    """Mean contribution (points) of each weighted criterion over flat cell indices.

    Equal to the mean of `SuitabilityResult.contributions` over the cells, without building
    the full-grid arrays: ``100 w_k s_k`` on eligible cells, 0 elsewhere.
    """
    if not len(cells):
        return {}
    elig = res.eligible.ravel()[cells].astype(np.float64)
    out = {}
    for name, arr in res.criteria.items():
        vals = np.nan_to_num(arr.ravel()[cells].astype(np.float32), nan=0.0)
        vals *= np.float32(100.0 * res.weights[name])
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


def run_plan(
    inputs: PlanInputs, *, sensitivity: bool | None = None, progress: Progress | None = None
) -> PlanResult:
    """Run the whole plan on loaded inputs (see the module docstring).

    Parameters
    ----------
    inputs
        From `layout.data.inputs.load_inputs`.
    sensitivity
        Run the sensitivity analysis; None follows the plan's ``[sensitivity] enabled``.
    progress
        Called with a line of text at each stage (the CLI prints it).

    Returns
    -------
    PlanResult
    """
    say = progress or (lambda _msg: None)
    plan = inputs.plan
    catalog = plan.catalog
    opts: AllocationOptions = plan.allocation or AllocationOptions()
    dopts: DemandOptions = plan.demand or DemandOptions()
    sopts: SensitivityOptions = plan.sensitivity or SensitivityOptions()
    timings: dict[str, float] = {}
    t = time.perf_counter()

    ent = inputs.layer("enterprises")
    demand = land_demand(pd.DataFrame(ent.drop(columns="geometry")), catalog=catalog,
                         options=dopts, source=inputs.sources.get("enterprises", "").split(" ")[0])
    timings["demand"] = time.perf_counter() - t
    say(f"demand: {demand['demand_mu'].sum():,.0f} mu for {len(demand)} industries")

    t = time.perf_counter()
    ctx = CriteriaContext(inputs)
    results = {}
    for code in catalog.codes:
        res = score(inputs, industry=code, context=ctx)
        # Keep the transformed criteria (sites' contributions, sensitivity) and, of the raw
        # values, only the Gi* z-scores that measures.csv reuses: about half the memory.
        raw = {k: v for k, v in res.raw.items() if k == "hotspot"}
        results[code] = dataclasses.replace(res, raw=raw)
    timings["score"] = time.perf_counter() - t
    say(f"scored {len(results)} industries on {inputs.grid.n_cells:,} cells "
        f"({timings['score']:.1f} s)")

    t = time.perf_counter()
    g = inputs.grid
    cell_mu = g.cell_area_m2 / (10_000.0 / 15.0)
    polluting = _polluting(catalog, opts)
    eligible: dict[str, NDArray[np.bool_]] = {}
    urban_d = ctx.distance_to("urban", ctx.urban_cells)
    for code, res in results.items():
        e = res.eligible.copy()
        if code in polluting:
            e &= ~(np.nan_to_num(urban_d, nan=np.inf) < _buffer_m(catalog, code))
        eligible[code] = e
        avail = float(e.sum()) * cell_mu
        need = demand_mu_of(demand, code)
        if need > avail:
            raise LayoutError(
                f"industry {code!r} needs {need:,.0f} mu but only {avail:,.0f} mu of the study "
                "area is unconstrained for it; lower its growth or give [demand.industries."
                f"{code}] mu = ... (at most {avail:,.0f}), or relax [constraints] exclude")
    union = np.zeros(g.shape, bool)
    for e in eligible.values():
        union |= e
    if demand["demand_mu"].sum() > union.sum() * cell_mu:
        raise LayoutError(f"the industries need {demand['demand_mu'].sum():,.0f} mu in all but "
                          f"only {union.sum() * cell_mu:,.0f} mu is unconstrained; lower the "
                          "growth target in [demand]")
    demand_mu = {str(c): float(v) for c, v in demand["demand_mu"].items()}
    cands = allocate.grow_candidates({c: r.score for c, r in results.items()}, eligible,
                                     demand_mu, g, options=opts)
    zones = inputs.layer("zones")
    zone_area_mu = zones.geometry.area.to_numpy() / (10_000.0 / 15.0)
    built = pd.to_numeric(zones["built_share"], errors="coerce").fillna(1.0).to_numpy()
    capacity = zone_area_mu * np.clip(1.0 - built, 0.0, 1.0)
    problem = allocate.build_problem(
        cands, g, demand_mu={c: demand_mu[c] for c in cands.industries},
        zone_index=ctx.zone_index, zone_capacity_mu=capacity, polluting=polluting,
        sensitive=list(opts.sensitive), options=opts)
    timings["candidates"] = time.perf_counter() - t
    say(f"candidates: {len(cands):,} regions from {len(cands.orders)} seeds; "
        f"{problem.A.shape[0]:,} constraints")

    t = time.perf_counter()
    solution = allocate.solve(problem, options=opts)
    greedy = allocate.solve_greedy(problem, options=opts)
    timings["allocate"] = time.perf_counter() - t
    say(f"allocation: objective {solution.objective:,.0f} (LP bound {solution.bound:,.0f}, "
        f"gap {solution.gap:.2%}); greedy {greedy.objective:,.0f} ({timings['allocate']:.1f} s)")

    t = time.perf_counter()
    sites, site_cells = _sites(solution, cands, results, inputs, ctx)
    zone_ind = _zone_industries(results, eligible, site_cells, sites, inputs, ctx)
    alloc_table = _allocation_table(sites, site_cells, inputs, ctx)
    timings["sites"] = time.perf_counter() - t

    result = PlanResult(inputs, results, demand, cands, problem, solution, greedy, sites,
                        site_cells, zone_ind, alloc_table, pd.DataFrame(), timings=timings)
    for code, short in solution.shortfall_mu.items():
        if short > 0:
            result.notes.append(
                f"{code} fell short by {short:,.0f} mu of its {demand_mu[code]:,.0f} mu demand: "
                "the compact candidate sites could not meet it within the plan's limits "
                "(unconstrained land, minimum site area and number of sites, the zones' "
                "remaining land, the separation of pollution-intensive industries from food, "
                "medicine and housing); raise max_sites or lower the demand")

    run_sens = sopts.enabled if sensitivity is None else sensitivity
    if run_sens and (sopts.runs > 0 or sopts.one_at_a_time):
        t = time.perf_counter()
        _sensitivity(result, sopts, plan.seed)
        timings["sensitivity"] = time.perf_counter() - t
        say(f"sensitivity: {sopts.runs} runs at ±{sopts.spread:.0%} "
            f"({timings['sensitivity']:.1f} s)")
    else:
        sites["stability"] = np.nan
        sites["stable"] = False

    t = time.perf_counter()
    result.before_after = before_after(result)
    timings["before_after"] = time.perf_counter() - t
    return result


def _sites(solution: allocate.Solution, cands: allocate.Candidates,
           results: Mapping[str, SuitabilityResult], inputs: PlanInputs,
           ctx: CriteriaContext) -> tuple[gpd.GeoDataFrame, dict[str, NDArray[np.int64]]]:
    g = inputs.grid
    cell_mu = g.cell_area_m2 / (10_000.0 / 15.0)
    zones = inputs.layer("zones")
    counties = inputs.layer("counties")
    zflat, cflat = ctx.zone_index.ravel(), ctx.county_index.ravel()
    rows: list[dict[str, Any]] = []
    cells_of: list[NDArray[np.int64]] = []
    for j in solution.chosen:
        code = cands.industry[int(j)]
        cells = cands.cells(int(j))
        sc = results[code].score.ravel()[cells]
        row: dict[str, Any] = {"industry": code, "n_cells": len(cells),
                               "area_mu": len(cells) * cell_mu,
                               "area_ha": len(cells) * cell_mu / MU_PER_HA,
                               "mean_score": float(sc.astype(np.float64).mean()),
                               "min_score": float(sc.min())}
        z = _mode(zflat[cells])
        row["zone_id"] = str(zones.iloc[z]["zone_id"]) if z >= 0 else ""
        row["zone_name"] = str(zones.iloc[z]["name_zh"]) if z >= 0 else ""
        c = _mode(cflat[cells])
        row["county"] = str(counties.iloc[c]["adcode"]) if c >= 0 else ""
        means = _mean_contributions(results[code], cells)
        contrib = {name: means.get(name, float("nan")) for name in CRITERIA}
        row["reasons"] = _reasons(contrib)
        row.update({f"c_{k}": v for k, v in contrib.items()})
        row["geometry"] = _site_geometry(cells, inputs)
        rows.append(row)
        cells_of.append(cells)
    cols = ["site_id", "industry", "rank", "area_mu", "area_ha", "n_cells", "mean_score",
            "min_score", "zone_id", "zone_name", "county", "stability", "stable", "reasons",
            *[f"c_{k}" for k in CRITERIA]]
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


def _zone_industries(results: Mapping[str, SuitabilityResult],
                     eligible: Mapping[str, NDArray[np.bool_]],
                     site_cells: Mapping[str, NDArray[np.int64]], sites: gpd.GeoDataFrame,
                     inputs: PlanInputs, ctx: CriteriaContext) -> pd.DataFrame:
    zones = inputs.layer("zones")
    zone_of = ctx.zone_index
    cell_mu = inputs.grid.cell_area_m2 / (10_000.0 / 15.0)
    zflat = zone_of.ravel()
    alloc: dict[tuple[int, str], float] = {}
    for sid, cells in site_cells.items():
        code = str(sites.loc[sites["site_id"] == sid, "industry"].iloc[0])
        zc = zflat[cells]
        for zz, n in zip(*np.unique(zc[zc >= 0], return_counts=True), strict=True):
            alloc[(int(zz), code)] = alloc.get((int(zz), code), 0.0) + float(n) * cell_mu
    rows = []
    for z in range(len(zones)):
        in_zone = zone_of == z
        leading = str(zones.iloc[z]["leading"] or "").split(",")
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
            rows.append({"zone_id": str(zones.iloc[z]["zone_id"]),
                         "zone_name": str(zones.iloc[z]["name_zh"]), "rank": rank,
                         "industry": code, "mean_score": mean,
                         "allocated_mu": alloc.get((z, code), 0.0), "leading": code in leading,
                         "reasons": _reasons(contrib) if contrib else
                         "no unconstrained land for this industry"})
    return pd.DataFrame(rows)


def _allocation_table(sites: gpd.GeoDataFrame, site_cells: Mapping[str, NDArray[np.int64]],
                      inputs: PlanInputs, ctx: CriteriaContext) -> pd.DataFrame:
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


# --- sensitivity ------------------------------------------------------------------------------


def _criterion_sums(result: PlanResult) -> dict[str, tuple[list[str], NDArray[np.float64]]]:
    """Per industry: criterion names and the (candidates × criteria) sums of 100 s × cell mu."""
    cands = result.candidates
    g = result.inputs.grid
    cell_mu = g.cell_area_m2 / (10_000.0 / 15.0)
    out: dict[str, tuple[list[str], NDArray[np.float64]]] = {}
    for code in cands.industries:
        res = result.results[code]
        names = list(res.weights)
        js = [j for j in range(len(cands)) if cands.industry[j] == code]
        mat = np.zeros((len(cands), len(names)))
        flats = [np.nan_to_num(res.criteria[k], nan=0.0).ravel().astype(np.float64)
                 for k in names]
        for f in sorted({int(cands.family[j]) for j in js}):
            order = cands.orders[f]
            cums = [np.cumsum(a[order]) for a in flats]
            for j in js:
                if int(cands.family[j]) == f:
                    n = int(cands.n_cells[j])
                    mat[j] = [c[n - 1] * 100.0 * cell_mu for c in cums]
        out[code] = (names, mat)
    return out


def _values(sums: Mapping[str, tuple[list[str], NDArray[np.float64]]],
            weights: Mapping[str, Mapping[str, float]], n: int) -> NDArray[np.float64]:
    v = np.zeros(n)
    for code, (names, mat) in sums.items():
        w = np.array([weights[code][k] for k in names])
        v += mat @ w
    return v


def _cell_industry(result: PlanResult, chosen: NDArray[np.int64]) -> NDArray[np.int16]:
    """Industry index (in candidates.industries) of the chosen candidate covering each cell."""
    cands = result.candidates
    g = result.inputs.grid
    out = np.full(g.nrows * g.ncols, -1, np.int16)
    for j in chosen:
        out[cands.cells(int(j))] = cands.industries.index(cands.industry[int(j)])
    return out


def _rerun(result: PlanResult, values: NDArray[np.float64],
           opts: AllocationOptions) -> NDArray[np.int16]:
    """Re-select sites for new candidate values: LP, then the restricted integer programme."""
    x = allocate.solve_lp(result.problem, values=values)
    cols = allocate.restricted_columns(result.problem, result.solution.chosen, x)
    sol = allocate.solve_restricted(result.problem, cols, values=values, options=opts)
    return _cell_industry(result, sol.chosen)


#: State shared with the worker processes of the sensitivity runs (inherited by fork).
_SENS: dict[str, Any] = {}


def _sens_worker(weights: Mapping[str, Mapping[str, float]]) -> tuple[list[float], float]:
    """One re-selection: per site, the share of its cells that stay; overall changed share."""
    st = _SENS
    lab = _rerun(st["result"], _values(st["sums"], weights, st["n"]), st["opts"])
    same = lab[st["all_cells"]] == st["base_lab"]
    per_site = [float(same[a:b].mean()) for a, b in st["slices"]]
    return per_site, float(1.0 - same.mean()) if len(same) else 0.0


def _map_runs(jobs: list[dict[str, dict[str, float]]], workers: int
              ) -> list[tuple[list[float], float]]:
    """Run the jobs in order, in ``workers`` forked processes when there are several."""
    if workers <= 1 or len(jobs) < 4:
        return [_sens_worker(j) for j in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(_sens_worker, jobs, chunksize=max(1, len(jobs) // (4 * workers))))


def _normalised(ws: Mapping[str, float], factors: Mapping[str, float]) -> dict[str, float]:
    raw = {k: v * factors.get(k, 1.0) for k, v in ws.items()}
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


def _sensitivity(result: PlanResult, sopts: SensitivityOptions, seed: int) -> None:
    """Monte-Carlo and one-at-a-time re-selections; sets stability and the OAT table.

    Every run keeps the candidate regions and re-selects among them (`_rerun`). Runs are
    independent: they are spread over the CPU cores (forked processes) and gathered in order,
    so the result does not depend on the number of cores.
    """
    import os

    cands = result.candidates
    opts: AllocationOptions = result.inputs.plan.allocation or AllocationOptions()
    base_w = {c: dict(result.results[c].weights) for c in cands.industries}
    base_ind = {c: i for i, c in enumerate(cands.industries)}
    sites = result.sites
    site_cells = result.site_cells
    ids = list(site_cells)
    all_cells = np.concatenate([site_cells[s] for s in ids]) if ids else np.zeros(0, np.int64)
    ind_of = dict(zip(sites["site_id"], sites["industry"], strict=True))
    base_lab = np.concatenate([np.full(len(site_cells[s]), base_ind[ind_of[s]], np.int16)
                               for s in ids]) if ids else np.zeros(0, np.int16)
    bounds = np.cumsum([0] + [len(site_cells[s]) for s in ids])
    _SENS.update(result=result, sums=_criterion_sums(result), n=len(cands), opts=opts,
                 all_cells=all_cells, base_lab=base_lab,
                 slices=list(itertools.pairwise(bounds)))

    rng = np.random.default_rng(seed)
    jobs: list[dict[str, dict[str, float]]] = [base_w]  # the base run checks the re-selection
    for _ in range(sopts.runs):
        jobs.append({code: _normalised(ws, dict(zip(ws, rng.uniform(
            1.0 - sopts.spread, 1.0 + sopts.spread, len(ws)), strict=True)))
            for code, ws in base_w.items()})
    names = sorted({k for ws in base_w.values() for k in ws},
                   key=lambda k: list(CRITERIA).index(k))
    if sopts.one_at_a_time:
        for name in names:
            for factor in (1.0 + sopts.spread, 1.0 - sopts.spread):
                jobs.append({code: _normalised(ws, {name: factor})
                             for code, ws in base_w.items()})
    try:
        out = _map_runs(jobs, workers=min(os.cpu_count() or 1, 4))
    finally:
        _SENS.clear()
    result.lp_agreement = 1.0 - out[0][1]
    mc = out[1:1 + sopts.runs]
    if sopts.runs:
        stab = {sid: float(np.mean([r[0][i] for r in mc])) for i, sid in enumerate(ids)}
        sites["stability"] = sites["site_id"].map(stab).astype(float)
        sites["stable"] = sites["stability"] >= sopts.stable_threshold
        result.stability = stab
    if sopts.one_at_a_time:
        oat = out[1 + sopts.runs:]
        result.one_at_a_time = pd.DataFrame(
            [{"criterion": name, "changed_share_plus": oat[2 * i][1],
              "changed_share_minus": oat[2 * i + 1][1]} for i, name in enumerate(names)])


# --- before and after -------------------------------------------------------------------------


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
