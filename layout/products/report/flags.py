"""What a planner must look at first: the report's flags (需要注意), one line each.

`plan_flags` checks a finished plan for four things and says each in one line that names the
site, zone or industry and gives the numbers:

* **polluting** -- a pollution-intensive industry (`layout.allocation.eligibility.
  polluting_industries`) given land in a zone whose designated leading industries do not
  include it;
* **unstable** -- a site whose stability under the sensitivity analysis is below the plan's
  threshold (only when the sensitivity analysis ran);
* **gap** -- the solver stopped more than `GAP_FLAG` (1 %) from its own dual bound
  (``Solution.solver_gap``; the gap to the LP relaxation when the solver gives none), so a better
  plan may exist. The LP-relaxation gap alone is not flagged: separation pairs make that bound
  loose (about 3 % on the embedded plan while HiGHS proves optimality within 0.2 %);
* **shortfall** -- an industry whose allocated land (the allocation table) is below its demand
  (the demand table) by more than `SHORTFALL_MU`.

The lines hold no clock time, so the same plan gives the same flags. Data text (zone names,
site ids, codes) is marked with `layout.products.escape.mark_data`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from layout.allocation.eligibility import polluting_industries
from layout.allocation.result import PlanResult
from layout.allocation.zones import leading_industries
from layout.model.options import AllocationOptions
from layout.products.escape import mark_data

#: A solver gap above this share is flagged.
GAP_FLAG = 0.01
#: A shortfall (mu) up to this is rounding, not a shortfall.
SHORTFALL_MU = 0.5


@dataclass(frozen=True)
class Flag:
    """One flag: its kind (``polluting``, ``unstable``, ``gap``, ``shortfall``) and line."""

    kind: str
    text: str


def _zone_label(name: object, zone_id: object) -> str:
    return f"{mark_data(name)} ({mark_data(zone_id)})" if name else mark_data(zone_id)


def polluting_flags(result: PlanResult) -> list[Flag]:
    """Pollution-intensive industries given land in a zone that does not lead in them."""
    plan = result.inputs.plan
    polluting = set(polluting_industries(plan.catalog, plan.allocation or AllocationOptions()))
    zones = result.inputs.layer("zones")
    leading = {str(z): leading_industries(v) for z, v in zip(zones["zone_id"], zones["leading"],
                                                              strict=True)}
    out = []
    alloc = result.allocation
    for code, zid, zname, mu in zip(alloc["industry"], alloc["zone_id"], alloc["zone_name"],
                                    alloc["area_mu"], strict=True):
        lead = leading.get(str(zid), [])
        if code not in polluting or not zid or code in lead or float(mu) <= 0:
            continue
        out.append(Flag("polluting", (
            f"{mark_data(code)} (pollution-intensive): {float(mu):,.0f} mu in zone "
            f"{_zone_label(zname, zid)}, whose leading industries are "
            f"{mark_data(', '.join(lead)) if lead else 'none'}")))
    return out


def unstable_flags(result: PlanResult) -> list[Flag]:
    """Sites below the stability threshold (none when the sensitivity analysis did not run)."""
    if not result.stability:
        return []
    threshold = result.inputs.plan.sensitivity.stable_threshold
    sites = result.sites
    out = []
    for r in sites[~sites["stable"].astype(bool)].itertuples():
        where = f"zone {_zone_label(r.zone_name, r.zone_id)}" if r.zone_id else \
            "outside every zone"
        out.append(Flag("unstable", (
            f"site {mark_data(r.site_id)} ({mark_data(r.industry)}, {r.area_mu:,.0f} mu, "
            f"{where}) is unstable: it keeps its industry in {r.stability:.0%} of the "
            f"sensitivity runs, below {threshold:.0%}")))
    return out


def gap_flags(result: PlanResult) -> list[Flag]:
    """The solver's gap to its dual bound when above `GAP_FLAG`.

    HiGHS's own gap (``solver_gap``) says whether a better plan may exist; without it (a
    greedy solution) the gap to the LP relaxation stands in.
    """
    sol = result.solution
    gap, against = (sol.solver_gap, "its dual bound") if not math.isnan(sol.solver_gap) \
        else (sol.gap, "the LP bound")
    if math.isnan(gap) or gap <= GAP_FLAG:
        return []
    if result.inputs.frame is not None:  # a chunked plan: one programme per city
        return [Flag("gap", (
            f"gap {gap:.2%} between the cities' summed objective ({sol.objective:,.0f}, less "
            f"the penalty of any shortfall) and their summed LP bounds ({sol.bound:,.0f}): "
            "the LP relaxations of the cities' programmes, each solved by HiGHS within its "
            "mip_gap; see the province section"))]
    return [Flag("gap", (
        f"solver gap {gap:.2%} to {against} (objective {sol.objective:,.0f}, LP bound "
        f"{sol.bound:,.0f}; status {sol.status}) is above {GAP_FLAG:.0%}: a better plan may "
        "exist; raise time_limit_s or lower mip_gap"))]


def shortfall_flags(result: PlanResult) -> list[Flag]:
    """Industries whose allocated land is below their demand."""
    demand = result.demand["demand_mu"]
    got = result.allocation.groupby("industry")["area_mu"].sum() if len(result.allocation) \
        else pd.Series(dtype=float)
    out = []
    for code, want in demand.items():
        have = float(got.get(code, 0.0))
        short = float(want) - have
        if short > SHORTFALL_MU:
            out.append(Flag("shortfall", (
                f"{mark_data(code)} is short of land: {have:,.0f} mu allocated of its "
                f"{float(want):,.0f} mu demand ({short:,.0f} mu, {short / float(want):.0%}, "
                "unmet)")))
    return out


def plan_flags(result: PlanResult) -> list[Flag]:
    """Every flag of a plan: polluting, unstable, gap, shortfall, in that order."""
    return [*polluting_flags(result), *unstable_flags(result), *gap_flags(result),
            *shortfall_flags(result)]
