"""The report's flags (`layout.products.report.flags`), checked against hand-made cases.

Each case changes one table of the tiny plan's result (`dataclasses.replace`) so that the right
answer is known without the package: which pollution-intensive industry sits in a zone that does
not lead in it, which site is unstable, whether the gap exceeds 1 %, which demand is unmet.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
from markdown_it import MarkdownIt

from layout.allocation.run import PlanResult
from layout.products.escape import unmark
from layout.products.report.flags import plan_flags
from tests.fixtures import tiny_plan as tp
from tests.fixtures.plan_folder import DEMAND

#: Pollution-intensive in the packaged catalog (its ``pollution_intensive`` marks).
POLLUTING = {"aluminium", "new_materials"}


def texts(result: PlanResult, kind: str) -> list[str]:
    return [unmark(f.text) for f in plan_flags(result) if f.kind == kind]


def allocation(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """An allocation table (industry, zone id, mu) with the tiny plan's zone names."""
    names = {"": ""} | dict(zip(tp.ZONES, ["东区汽车园", "西区食品园", "北部园区"], strict=True))
    return pd.DataFrame({"industry": [r[0] for r in rows], "zone_id": [r[1] for r in rows],
                         "zone_name": [names[r[1]] for r in rows],
                         "area_mu": [r[2] for r in rows], "area_ha": [r[2] / 15 for r in rows]})


def test_the_tiny_plan_flags_its_gap_and_nothing_else(tiny_result: PlanResult) -> None:
    sol = tiny_result.solution
    # independently: the solver's own gap decides (the LP gap only when the solver gives none)
    full = sol.objective - tiny_result.problem.penalty * sum(sol.shortfall_mu.values())
    lp_gap = (sol.bound - full) / abs(sol.bound)
    gap = lp_gap if math.isnan(sol.solver_gap) else sol.solver_gap
    by_industry = tiny_result.sites.groupby("industry")["area_mu"].sum()
    unmet = {c: mu for c, mu in DEMAND.items() if by_industry.get(c, 0.0) < mu - 0.5}
    flags = plan_flags(tiny_result)
    assert [f.kind for f in flags] == (["gap"] if gap > 0.01 else []) + ["shortfall"] * len(unmet)
    if gap > 0.01:
        assert f"{gap:.2%}" in flags[0].text
    assert tiny_result.sites["stable"].all()  # 4 runs, all stable: no unstable flag


def test_a_polluting_industry_outside_its_leading_zone(tiny_result: PlanResult) -> None:
    alloc = allocation([
        ("aluminium", "east_auto", 1234.0),    # leading auto, electronics: flagged
        ("aluminium", "", 600.0),              # outside every zone: not a zone's industry
        ("new_materials", "north_park", 90.0),  # no leading industry at all: flagged
        ("food", "west_food", 1200.0),         # not polluting
        ("auto", "west_food", 300.0),          # not polluting, though not leading
    ])
    case = dataclasses.replace(tiny_result, allocation=alloc)
    lines = texts(case, "polluting")
    assert len(lines) == 2
    assert lines[0].startswith("aluminium (pollution-intensive): 1,234 mu in zone 东区汽车园 "
                               "(east_auto), whose leading industries are auto, electronics")
    assert "new_materials" in lines[1] and "90 mu" in lines[1] and "north_park" in lines[1]
    assert lines[1].endswith("whose leading industries are none")
    # the same industry in a zone that leads in it is not flagged
    zones = tiny_result.inputs.layer("zones").copy()
    zones.loc[zones["zone_id"] == "east_auto", "leading"] = "auto, aluminium"
    inputs = dataclasses.replace(tiny_result.inputs,
                                 layers={**tiny_result.inputs.layers, "zones": zones})
    led = dataclasses.replace(case, inputs=inputs)
    assert [x for x in texts(led, "polluting") if "east_auto" in x] == []
    assert {p for p in POLLUTING if any(t.startswith(p) for t in texts(case, "polluting"))} \
        == POLLUTING


def test_unstable_sites_only_when_the_sensitivity_ran(tiny_result: PlanResult) -> None:
    sites = tiny_result.sites.copy()
    sid = str(sites["site_id"].iloc[1])
    sites.loc[1, ["stability", "stable"]] = [0.4, False]
    ran = dataclasses.replace(tiny_result, sites=sites, stability={sid: 0.4})
    lines = texts(ran, "unstable")
    assert len(lines) == 1
    threshold = tiny_result.inputs.plan.sensitivity.stable_threshold
    assert lines[0].startswith(f"site {sid} ({sites['industry'].iloc[1]}, "
                               f"{sites['area_mu'].iloc[1]:,.0f} mu")
    assert lines[0].endswith(f"in 40% of the sensitivity runs, below {threshold:.0%}")
    not_run = dataclasses.replace(ran, stability={})
    assert texts(not_run, "unstable") == []


def test_gap_above_one_percent(tiny_result: PlanResult) -> None:
    def with_gap(gap: float, solver_gap: float = float("nan")) -> PlanResult:
        sol = dataclasses.replace(tiny_result.solution, gap=gap, solver_gap=solver_gap)
        return dataclasses.replace(tiny_result, solution=sol)

    # without the solver's own gap (greedy), the LP gap decides
    assert texts(with_gap(0.0099), "gap") == []
    assert texts(with_gap(float("nan")), "gap") == []
    (line,) = texts(with_gap(0.0312), "gap")
    assert line.startswith("solver gap 3.12% to the LP bound") and "above 1%" in line
    # with it, the solver's gap decides: a loose LP bound alone is no flag
    assert texts(with_gap(0.0312, 0.002), "gap") == []
    (line,) = texts(with_gap(0.0312, 0.0150), "gap")
    assert line.startswith("solver gap 1.50% to its dual bound") and "above 1%" in line


def test_shortfall_against_the_demand_table(tiny_result: PlanResult) -> None:
    alloc = allocation([("auto", "east_auto", 1000.0), ("auto", "", 400.0),
                        ("electronics", "north_park", 900.0), ("biomedicine", "", 300.0),
                        ("aluminium", "", 599.8), ("food", "west_food", 300.0)])
    lines = texts(dataclasses.replace(tiny_result, allocation=alloc), "shortfall")
    # independently: demand (tests.fixtures.plan_folder.DEMAND) less the rows above
    got: dict[str, float] = {}
    for code, _, mu in alloc[["industry", "zone_id", "area_mu"]].itertuples(index=False):
        got[code] = got.get(code, 0.0) + mu
    unmet = {c: d - got.get(c, 0.0) for c, d in DEMAND.items() if d - got.get(c, 0.0) > 0.5}
    assert unmet == {"auto": 100.0, "food": 900.0}  # aluminium's 0.2 mu is rounding
    assert lines == [
        "auto is short of land: 1,400 mu allocated of its 1,500 mu demand (100 mu, 7%, unmet)",
        "food is short of land: 300 mu allocated of its 1,200 mu demand (900 mu, 75%, unmet)",
    ]


def test_flags_head_the_report(tiny_result: PlanResult, plan_dir: Path) -> None:
    md = (plan_dir / "report.md").read_text(encoding="utf-8")
    tokens = MarkdownIt().parse(md)
    heads = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"
             and t.tag == "h2"]
    assert heads[:2] == ["Flags (需要注意)", "Summary"]
    html = MarkdownIt().render(md)
    section = html.split("<h2>Flags (需要注意)</h2>")[1].split("<h2>")[0]
    flags = plan_flags(tiny_result)
    assert section.count("<li>") == len(flags)
    for f in flags:
        assert unmark(f.text).split(" (")[0] in section
    if not flags:
        assert "None:" in section
    assert np.isfinite(tiny_result.solution.objective)
