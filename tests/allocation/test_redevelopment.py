"""Low-efficiency land before greenfield (`layout.allocation.redevelopment`).

A 6 x 12 grid of equal scores (50) with a 3 x 3 block of redevelopment cells in the east:
with the bonus the programme places a 9-cell (135 mu) demand exactly on that block (worked out
by hand: every 9-cell region has value 50 x 9 x 15 score-mu without the bonus, and only the
block gains the 10 points on all nine cells); without it the site lies elsewhere.  The infill
table is checked by hand on the chosen cells; the C/D firm discs against shapely.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from layout.allocation.candidates import grow_candidates
from layout.allocation.problem import build_problem
from layout.allocation.redevelopment import (
    RedevelopmentLand,
    boosted_scores,
    infill_table,
    redevelopment_land,
)
from layout.allocation.solve import solve
from layout.model import options
from layout.model.efficiency import EfficiencyOptions
from layout.model.grid import Grid

NR, NC, CELL = 6, 12, 100.0
CELL_MU = CELL * CELL / (10_000.0 / 15.0)  # 15 mu


def _grid() -> Grid:
    return Grid(CRS.from_epsg(4547), 500_000.0, 3_845_000.0, CELL, NR, NC,
                np.ones((NR, NC), bool))


def _block() -> np.ndarray:
    cells = np.zeros((NR, NC), bool)
    cells[2:5, 8:11] = True
    return cells


def _allocate(bonus: float) -> set[int]:
    grid = _grid()
    scores = boosted_scores({"food": np.full((NR, NC), 50.0)}, _block(), bonus=bonus)
    opts = options.AllocationOptions(min_site_mu=135.0, max_sites=1, seeds=40,
                                     seed_spacing_m=100.0, shape_penalty=0.0, mip_gap=0.0)
    eligible = {"food": np.ones((NR, NC), bool)}
    cands = grow_candidates(scores, eligible, {"food": 135.0}, grid, options=opts)
    problem = build_problem(cands, grid, demand_mu={"food": 135.0},
                            zone_index=np.full((NR, NC), -1, np.int64), zone_capacity_mu=[],
                            polluting=[], sensitive=[], options=opts)
    sol = solve(problem, options=opts)
    assert len(sol.chosen) == 1
    return set(cands.cells(int(sol.chosen[0])).tolist())


def test_infill_preferred_over_equal_greenfield() -> None:
    block = set(np.flatnonzero(_block().ravel()).tolist())
    assert _allocate(10.0) == block
    assert _allocate(0.0) != block  # equal scores: the block wins only by the bonus


def test_infill_table_by_hand() -> None:
    firm = np.zeros((NR, NC), bool)
    firm[2, 8:11] = True  # 3 cells of a C/D firm's land
    patch = np.zeros((NR, NC), bool)
    patch[3:5, 8:11] = True  # 6 cells of an empty industrial patch
    land = RedevelopmentLand(firm, patch, pd.DataFrame())
    site = np.concatenate([np.flatnonzero(_block().ravel()), [0, 1]])  # 9 infill + 2 green
    demand = pd.DataFrame({"demand_mu": [200.0], "today_output_wan": [1000.0],
                           "today_land_mu": [10.0], "new_output_wan": [1000.0]},
                          index=pd.Index(["food"], name="industry"))
    t = infill_table({"S1": site}, {"S1": "food"}, land, demand, cell_mu=CELL_MU,
                     cost_wan_per_mu=50.0).loc["food"]
    assert t["allocated_mu"] == pytest.approx(11 * 15.0)
    assert t["infill_firm_mu"] == pytest.approx(45.0)
    assert t["infill_patch_mu"] == pytest.approx(90.0)
    assert t["greenfield_mu"] == pytest.approx(30.0)
    assert t["infill_share"] == pytest.approx(135.0 / 200.0)
    assert t["conversion_cost_wan"] == pytest.approx(135.0 * 50.0)
    assert t["output_per_mu_today"] == pytest.approx(100.0)
    # (1000 + 1000) / (10 + 30 greenfield + 90 patch)
    assert t["output_per_mu_plan"] == pytest.approx(2000.0 / 130.0)


def test_cd_firm_land_as_discs() -> None:
    """Two firms graded by tax per mu (weighted, cut-offs 10/20/30 %): the better is A (no firm
    above it, fewer than 0.2), the worse D (one firm above: not fewer than 0.6).  The D firm's
    30 mu disc (radius 97.7 m) covers the cells whose centres lie in it: only its own cell,
    since the neighbouring centres are 100 m away."""
    grid = _grid()
    x, y = 500_450.0, 3_845_000.0 - 250.0  # a cell centre
    firms = gpd.GeoDataFrame(
        {"ent_id": ["E1", "E2"], "industry": ["food", "food"], "tax_wan": [10.0, 500.0],
         "land_mu": [30.0, 30.0], "output_wan": [100.0, 100.0]},
        geometry=[shapely.Point(x, y), shapely.Point(500_050.0, 3_844_450.0)], crs="EPSG:4547")
    opts = EfficiencyOptions(scheme="weighted", weights={"tax_per_mu": 1},
                             cutoffs=[10.0, 20.0, 30.0])
    land = redevelopment_land(firms, grid, efficiency=opts)
    assert land.firms["ent_id"].tolist() == ["E1"]
    r = math.sqrt(30.0 * (10_000.0 / 15.0) / math.pi)  # 97.7 m
    xs, ys = np.meshgrid(grid.x_centres(), grid.y_centres())
    expected = np.hypot(xs - x, ys - y) < r
    assert (land.firm_cells == expected).all()
    assert land.firm_cells.sum() == 1
    assert not land.patch_cells.any()
