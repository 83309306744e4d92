"""Eligible land: the cells each industry may be allocated, and whether they can meet its demand.

Eligible cells exclude hard constraints (the score stage's flags: a constraint covering more
than a sliver of the cell) and, for pollution-intensive industries, cells within their
residential buffer of an urban area, measured between polygons: a cell is excluded when any
part of its square comes within the buffer of an urban-area polygon
(`layout.analysis.context.CriteriaContext.near_layer`), so the site polygons keep the whole
distance, not only their cell centres. The cells of linear barriers (expressways and railways,
`layout.allocation.barriers`) are eligible for no industry, so no site spans one. An industry,
or all of them together, needing more land than is eligible is an error that names the fix.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.allocation.demand import demand_mu_of
from layout.analysis.context import CriteriaContext
from layout.errors import LayoutError
from layout.model.catalog import Catalog
from layout.model.grid import Grid
from layout.model.options import AllocationOptions
from layout.scoring.suitability import SuitabilityResult


def polluting_industries(catalog: Catalog, options: AllocationOptions) -> list[str]:
    """Pollution-intensive industries: the plan's list, else those the catalog marks.

    An industry is pollution-intensive when the catalog marks it, or one of its bases, so.
    """
    if options.polluting is not None:
        return list(options.polluting)
    out = []
    for code in catalog.codes:
        ind = catalog.industry(code)
        if ind.pollution_intensive or any(
                catalog.base(b, inherit=True).pollution_intensive for b in ind.bases):
            out.append(code)
    return out


def residential_buffer_m(catalog: Catalog, code: str) -> float:
    """Distance (m) an industry's sites keep from urban areas.

    The largest of its own buffer (when it is pollution-intensive) and those of its
    pollution-intensive bases.
    """
    ind = catalog.industry(code)
    values = [ind.residential_buffer_m if ind.pollution_intensive else 0.0]
    for b in ind.bases:
        base = catalog.base(b, inherit=True)
        if base.pollution_intensive and base.residential_buffer_m is not None:
            values.append(float(base.residential_buffer_m))
    return max(values)


def eligible_cells(
    results: Mapping[str, SuitabilityResult],
    *,
    context: CriteriaContext,
    catalog: Catalog,
    polluting: list[str],
    barriers: NDArray[np.bool_] | None = None,
) -> dict[str, NDArray[np.bool_]]:
    """Eligible cells of every industry, without checking them against a demand.

    `eligible_land` is this followed by `check_eligible_area`; the province allocation
    (`layout.allocation.regional`) computes the cells of each region first and splits the
    demand by them, so it needs them before any demand is known.
    """
    eligible: dict[str, NDArray[np.bool_]] = {}
    for code, res in results.items():
        e = res.eligible.copy()
        if barriers is not None:
            e &= ~barriers
        if code in polluting:
            e &= ~context.near_layer("urban_areas", residential_buffer_m(catalog, code))
        eligible[code] = e
    return eligible


def check_eligible_area(eligible: Mapping[str, NDArray[np.bool_]], *, demand: pd.DataFrame,
                        grid: Grid) -> None:
    """Raise when an industry, or all of them together, needs more land than is eligible.

    Raises
    ------
    LayoutError
        An industry needs more land than is eligible for it, or all need more than the union.
    """
    cell_mu = grid.cell_area_m2 / (10_000.0 / 15.0)
    for code, e in eligible.items():
        avail = float(e.sum()) * cell_mu
        need = demand_mu_of(demand, code)
        if need > avail:
            raise LayoutError(
                f"industry {code!r} needs {need:,.0f} mu but only {avail:,.0f} mu of the study "
                "area is unconstrained for it; lower its growth or give [demand.industries."
                f"{code}] mu = ... (at most {avail:,.0f}), or relax [constraints] exclude")
    union = np.zeros(grid.shape, bool)
    for e in eligible.values():
        union |= e
    if demand["demand_mu"].sum() > union.sum() * cell_mu:
        raise LayoutError(f"the industries need {demand['demand_mu'].sum():,.0f} mu in all but "
                          f"only {union.sum() * cell_mu:,.0f} mu is unconstrained; lower the "
                          "growth target in [demand]")


def eligible_land(
    results: Mapping[str, SuitabilityResult],
    *,
    demand: pd.DataFrame,
    context: CriteriaContext,
    grid: Grid,
    catalog: Catalog,
    polluting: list[str],
    barriers: NDArray[np.bool_] | None = None,
) -> dict[str, NDArray[np.bool_]]:
    """Eligible cells of every industry (see the module docstring).

    ``barriers`` (`layout.allocation.barriers.barrier_cells`) are eligible for none.

    Raises
    ------
    LayoutError
        An industry needs more land than is eligible for it, or all need more than the union.
    """
    eligible = eligible_cells(results, context=context, catalog=catalog, polluting=polluting,
                              barriers=barriers)
    check_eligible_area(eligible, demand=demand, grid=grid)
    return eligible
