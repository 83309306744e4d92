"""The comparison folder: its one writer, `write_comparison` (``layout compare --out DIR``).

=============================  ==============================================================
``compare.md``/``.html``       flags, what the plans were run with, demand and allocation by
                               industry, allocation by zone, sites, solver (one page, the
                               report's blocks and template)
``industries.csv``             `PlanComparison.industries`
``allocation.csv``             `PlanComparison.allocation` (industry and zone)
``sites.csv``                  `PlanComparison.sites` (kept, moved, removed, added)
``solver.csv``                 `PlanComparison.solver`
``difference_map.html``        `layout.products.maps.difference.difference_map`, offline
=============================  ==============================================================

The folder is replaced as a whole (`layout.io.staging.replace_folders`). The same two plans
write the same bytes: no clock time, no absolute path.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from layout.io.csvsafe import write_csv
from layout.io.staging import OutputFolder, replace_folders
from layout.products.compare import PlanComparison, compare_plans, flag_gap
from layout.products.escape import mark_data
from layout.products.maps.attributes import number
from layout.products.report import Block, render_html, render_markdown

__all__ = ["COMPARE_NAMES", "compare_blocks", "compare_folder", "write_comparison"]

logger = logging.getLogger(__name__)

#: The files of a comparison folder (glob patterns).
COMPARE_NAMES: tuple[str, ...] = (
    "compare.md", "compare.html", "industries.csv", "allocation.csv", "sites.csv",
    "solver.csv", "difference_map.html",
)

_CHANGE_WORDS = {"kept": "kept", "moved": "moved", "removed": "removed", "added": "added"}


def compare_folder(path: str | os.PathLike[str], *, option: str = "--out") -> OutputFolder:
    """The comparison folder at ``path`` as an output replaced as a whole."""
    return OutputFolder(Path(path), "compare", option, COMPARE_NAMES)


def _n(value: Any, digits: int = 0, *, signed: bool = False) -> str:
    x = number(value)
    return "—" if math.isnan(x) else f"{x:{'+' if signed else ''},.{digits}f}"


def _pct(value: Any, *, signed: bool = False) -> str:
    x = number(value)
    return "—" if math.isnan(x) else f"{x:{'+' if signed else ''}.2%}"


def _name(code: Any) -> str:
    from layout.products.maps.style import industry_label

    return f"{industry_label(str(code), 'zh')[0]} {mark_data(code)}"


def compare_blocks(comparison: PlanComparison) -> list[Block]:
    """The comparison page as report blocks (`layout.products.report.render_markdown`)."""
    c = comparison
    ta = str(c.a.manifest.get("title") or c.a.folder.name)
    tb = str(c.b.manifest.get("title") or c.b.folder.name)
    b: list[Block] = [Block("h1", f"Plan comparison: {mark_data(ta)} → {mark_data(tb)}")]
    b.append(Block("p", f"Plan A: {mark_data(c.a.folder.name)}; plan B: "
                   f"{mark_data(c.b.folder.name)}. Every change is B minus A. Difference map: "
                   "difference_map.html."))
    b.append(Block("h2", "Flags (需要注意)"))
    b.append(Block("ul", items=tuple(c.flags)) if c.flags else Block(
        "p", "None: the solver gap did not rise above 1 % and no new unstable site."))

    b.append(Block("h2", "What changed in the plan file"))
    if c.settings.empty:
        b.append(Block("p", "Nothing: both plans were run with the same settings."))
    else:
        b.append(Block("table", header=("setting", "A", "B"), rows=tuple(
            (mark_data(r.key), _setting(r.a), _setting(r.b))
            for r in c.settings.itertuples())))

    b.append(Block("h2", "Demand and allocation by industry"))
    b.append(Block("table", header=(
        "industry", "demand A (mu)", "demand B (mu)", "Δ demand", "allocated A (mu)",
        "allocated B (mu)", "Δ allocated", "sites A", "sites B"), rows=tuple(
        (_name(r.industry), _n(r.demand_mu_a), _n(r.demand_mu_b),
         _n(r.delta_demand_mu, signed=True), _n(r.allocated_mu_a), _n(r.allocated_mu_b),
         _n(r.delta_allocated_mu, signed=True), str(r.sites_a), str(r.sites_b))
        for r in c.industries.itertuples())))

    b.append(Block("h2", "Allocation by industry and zone"))
    moved = c.allocation[c.allocation["delta_mu"].abs() > 0.5]
    b.append(Block("p", f"{len(moved)} of {len(c.allocation)} industry–zone pairs changed by "
                   "more than 0.5 mu."))
    b.append(Block("table", header=("industry", "zone", "A (mu)", "B (mu)", "Δ (mu)"),
                   rows=tuple(
        (_name(r.industry), mark_data(r.zone_name or r.zone_id) if r.zone_id
         else "outside every zone", _n(r.mu_a), _n(r.mu_b), _n(r.delta_mu, signed=True))
        for r in c.allocation.itertuples())))

    b.append(Block("h2", "Sites"))
    counts = c.sites["change"].value_counts()
    b.append(Block("p", "; ".join(f"{_CHANGE_WORDS[k]} {int(counts.get(k, 0))}"
                                  for k in _CHANGE_WORDS) +
                   ". Sites are matched within an industry by overlap (intersection over "
                   "union); moved: a matched pair overlapping less than 50 %."))
    if not c.changed.empty:
        b.append(Block("p", f"Land that changed industry: {c.changed['area_mu'].sum():,.0f} mu."))
    b.append(Block("table", header=(
        "change", "industry", "site A", "site B", "overlap", "mu A", "mu B", "score A",
        "score B", "stability A", "stability B"), rows=tuple(
        (str(r.change), _name(r.industry), _id(r.site_id_a), _id(r.site_id_b),
         _pct(r.overlap) if r.change in ("kept", "moved") else "", _n(r.area_mu_a),
         _n(r.area_mu_b), _n(r.mean_score_a, 1),
         _n(r.mean_score_b, 1), _pct(r.stability_a), _pct(r.stability_b))
        for r in c.sites.itertuples())))

    b.append(Block("h2", "Solver"))
    rows: list[tuple[str, ...]] = []
    for r in c.solver.itertuples():
        quantity = str(r.quantity)
        gap = "gap" in quantity
        rows.append((quantity, _pct(r.a) if gap else _n(r.a),
                     _pct(r.b) if gap else _n(r.b),
                     _pct(r.delta, signed=True) if gap else _n(r.delta, signed=True)))
    b.append(Block("table", header=("quantity", "A", "B", "Δ"), rows=tuple(rows)))
    b.append(Block("p", f"Gap judged (the solver's own, else the gap to the LP bound): A "
                   f"{_pct(flag_gap(c.solver, 'a'))}, B {_pct(flag_gap(c.solver, 'b'))}."))
    return b


def _setting(value: Any) -> str:
    if value is None:
        return "—"
    return mark_data(value) if isinstance(value, str) else str(value)


def _id(value: Any) -> str:
    return mark_data(value) if isinstance(value, str) else ""


def write_comparison(
    plan_a: str | os.PathLike[str],
    plan_b: str | os.PathLike[str],
    *,
    out_dir: str | os.PathLike[str],
    lang: str = "zh",
    date: str | dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Compare two plan folders and write the comparison folder ``out_dir``.

    Parameters
    ----------
    plan_a, plan_b
        Folders written by ``layout plan``; A is the reference.
    out_dir
        The comparison folder (new, empty, or one this function wrote): replaced as a whole.
    lang
        Language of the difference map (``"zh"`` or ``"en"``).
    date
        Date shown on the map.
    progress
        Called with the name of each stage as it starts.

    Returns
    -------
    list of Path
        The files written.
    """
    from layout.products.maps.difference import difference_map
    from layout.products.maps.offline import save_map

    step = progress or (lambda _name: None)
    step("reading the plans")
    comparison = compare_plans(plan_a, plan_b)
    out = Path(out_dir)
    inputs = [Path(plan_a) / "plan.gpkg", Path(plan_b) / "plan.gpkg"]
    with replace_folders([compare_folder(out)], inputs=inputs) as (stage,):
        step("writing the tables")
        blocks = compare_blocks(comparison)
        (stage / "compare.md").write_text(render_markdown(blocks), encoding="utf-8")
        (stage / "compare.html").write_text(
            render_html(blocks, title="Plan comparison"), encoding="utf-8")
        write_csv(comparison.industries, stage / "industries.csv", float_format="%.3f")
        write_csv(comparison.allocation, stage / "allocation.csv", float_format="%.3f")
        write_csv(_sites_csv(comparison.sites), stage / "sites.csv", float_format="%.6g")
        write_csv(comparison.solver, stage / "solver.csv", float_format="%.8g")
        step("drawing the difference map")
        save_map(difference_map(comparison, lang=lang, date=date), stage / "difference_map.html")
    return [out / name for name in COMPARE_NAMES]


def _sites_csv(sites: pd.DataFrame) -> pd.DataFrame:
    out = sites.copy()
    for col in ("stable_a", "stable_b"):
        out[col] = out[col].map(lambda v: "" if v is None or v is pd.NA else str(bool(v)).lower())
    return out
