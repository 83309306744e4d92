"""The report's province section: how a chunked plan was scored and allocated, city by city.

Shown only for a plan run on the chunked engine (`layout.allocation.province`): the analysis
grid and its windows, the allocation grid, and one row per region (city) with its share of the
demand, the land allocated, its objective, LP bound and gap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from layout.products.escape import mark_data
from layout.products.report.block import Block, fmt_value

if TYPE_CHECKING:
    from layout.allocation.result import PlanResult


def province_blocks(result: PlanResult) -> list[Block]:
    """The blocks of the province section (none for a plan on the memory engine)."""
    regions = result.regions
    frame = result.inputs.frame
    if frame is None or not len(regions):
        return []
    g = result.inputs.grid
    sol = result.solution
    rows = tuple(
        (mark_data(str(r.get("region_name", r["region"]))), fmt_value(r["demand_mu"], 0),
         fmt_value(r["allocated_mu"], 0), fmt_value(r["shortfall_mu"], 0), str(int(r["n_sites"])),
         fmt_value(r["objective"], 0), fmt_value(r["bound"], 0),
         "–" if r["gap"] != r["gap"] else f"{r['gap']:.2%}")
        for _, r in regions.iterrows())
    return [
        Block("h2", "Province scale: chunked scoring, allocation by city"),
        Block("p", (
            f"Scored on the chunked (dask) engine: {frame.nrows:,} × {frame.ncols:,} cells of "
            f"{frame.cell:g} m, window by window; score and flag rasters at {frame.cell:g} m. "
            f"Sites were chosen on the allocation grid of {g.cell:g} m cells (block means of "
            "the analysis cells' scores and contributions), one programme per city under a "
            "province-wide demand split (docs/province.md). The province objective is the sum "
            f"of the cities' ({sol.objective:,.0f}) and its LP bound the sum of theirs "
            f"({sol.bound:,.0f}): gap {sol.gap:.2%}, a bound under the demand split. No "
            "sensitivity analysis at this scale.")),
        Block("table", header=("city", "demand mu", "allocated mu", "short mu", "sites",
                               "objective", "LP bound", "gap"), rows=rows),
    ]
