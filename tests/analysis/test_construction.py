"""城镇建设适宜性 (`layout.analysis.construction`, `layout.core.construction`) by hand.

Two tiny 3 x 9 grids of 100 m cells, each with classes worked out by hand:

* a plane rising 30 m per cell eastwards (slope atan(0.3) = 16.7°, grade 4 of 3/8/15/25°):
  Horn's slope with edge padding halves the gradient in the first and last columns (8.5°,
  grade 3); the 5-cell relief window (500 m) clipped at the edges sees 60, 90, 120, ... m, and
  relief above 100 m lowers one grade: grades 3 4 5 5 5 5 5 4 3, classes (1-2 适宜, 3-4 一般适宜,
  5 不适宜) 2 2 3 3 3 3 3 2 2;
* a flat plane (grade 1) with an urban area in cell (1, 8) and a location rule lowering two
  grades beyond 500 m: lowered where (8 - c)² + (1 - r)² > 25, i.e. c <= 2 in row 1 and c <= 3
  in rows 0 and 2 (grade 3, 一般适宜); a flood zone over the centre of cell (0, 8): 不适宜.

The area table is checked against cell counts x 15 mu.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from layout.analysis.construction import area_table, grade_grid
from layout.config.construction import load_rules
from layout.core.construction import land_grades
from layout.errors import ConfigError
from layout.model.construction import ConstructionRules
from layout.model.grid import Grid
from layout.model.table import validate

X0, YTOP, CELL, NR, NC = 500_000.0, 3_845_000.0, 100.0, 3, 9


def _grid() -> Grid:
    return Grid(CRS.from_epsg(4547), X0, YTOP, CELL, NR, NC, np.ones((NR, NC), bool))


def _rules(**over: object) -> ConstructionRules:
    data = {
        "guide": "test",
        "land": {"slope_breaks_deg": [3.0, 8.0, 15.0, 25.0], "clause": "c"},
        "relief": {"window_m": 500.0, "steps_m": [100.0, 200.0], "clause": "c"},
        "unsuitable": [
            {"name": "slope", "slope_above_deg": 25.0, "clause": "c"},
            {"name": "flood", "constraint_types": ["flood_zone"], "clause": "c"},
        ],
        "location": [],
        "classes": {"suitable_max_grade": 2, "general_max_grade": 4},
        **over,
    }
    return ConstructionRules.model_validate(data)


def _cell_box(r: int, c: int) -> shapely.Polygon:
    x, y = X0 + c * CELL, YTOP - (r + 1) * CELL
    return shapely.box(x + 10, y + 10, x + CELL - 10, y + CELL - 10)


def test_plane_classes_by_hand() -> None:
    elev = np.tile(np.arange(NC) * 30.0, (NR, 1))
    res = grade_grid(elev, _grid(), rules=_rules())
    assert res.slope[1, 4] == pytest.approx(np.degrees(np.arctan(0.3)), abs=1e-4)
    assert res.slope[1, 0] == pytest.approx(np.degrees(np.arctan(0.15)), abs=1e-4)
    assert res.relief[1].tolist() == [60, 90, 120, 120, 120, 120, 120, 90, 60]
    for r in range(NR):
        assert res.grades[r].tolist() == [3, 4, 5, 5, 5, 5, 5, 4, 3]
        assert res.classes[r].tolist() == [2, 2, 3, 3, 3, 3, 3, 2, 2]


def test_flat_location_and_flood_by_hand() -> None:
    elev = np.full((NR, NC), 100.0)
    urban = gpd.GeoDataFrame(geometry=[_cell_box(1, 8)], crs="EPSG:4547")
    flood = gpd.GeoDataFrame({"type": ["flood_zone"]}, geometry=[_cell_box(0, 8).buffer(5)],
                             crs="EPSG:4547")
    rules = _rules(location=[{"layer": "urban_areas", "beyond_m": 500.0, "lower": 2,
                              "clause": "c"}])
    res = grade_grid(elev, _grid(), rules=rules, constraints=flood,
                     layers={"urban_areas": urban})
    expected = np.ones((NR, NC), np.uint8)
    expected[1, :3] = 2
    expected[0, :4] = 2
    expected[2, :4] = 2
    expected[0, 8] = 3
    assert res.classes.tolist() == expected.tolist()
    assert res.unsuitable["flood"].sum() == 1 and not res.unsuitable["slope"].any()

    counties = gpd.GeoDataFrame(
        {"adcode": ["1", "2"], "name_zh": ["西", "东"], "name_en": ["W", "E"]},
        geometry=[shapely.box(X0, YTOP - 300, X0 + 400, YTOP),
                  shapely.box(X0 + 400, YTOP - 300, X0 + 900, YTOP)], crs="EPSG:4547")
    table = area_table(res, counties).set_index("adcode")
    # west: columns 0-3 -> 11 cells lowered (一般适宜), 1 suitable (row 1, col 3)
    assert table.loc["1", "general_mu"] == pytest.approx(11 * 15.0)
    assert table.loc["1", "suitable_mu"] == pytest.approx(15.0)
    # east: columns 4-8 -> 14 suitable, 1 unsuitable
    assert table.loc["2", "suitable_ha"] == pytest.approx(14.0)
    assert table.loc["2", "unsuitable_ha"] == pytest.approx(1.0)
    assert table.loc["total", "suitable_mu"] == pytest.approx(15 * 15.0)


def test_land_grades_at_breaks() -> None:
    got = land_grades(np.array([0.0, 3.0, 3.01, 8.0, 15.0, 25.0, 25.01, np.nan]),
                      np.zeros(8), slope_breaks=[3, 8, 15, 25], relief_steps=[100, 200])
    assert got.tolist() == [1, 1, 2, 2, 3, 4, 5, 0]


def test_builtin_rules_cite_clauses() -> None:
    rules = load_rules()
    clauses = [rules.land.clause, rules.relief.clause,
               *(r.clause for r in rules.unsuitable), *(r.clause for r in rules.location)]
    assert all("clause unverified" in c for c in clauses)


def test_rule_needs_one_test() -> None:
    with pytest.raises(ConfigError, match="exactly one"):
        validate(ConstructionRules, {
            **_rules().model_dump(),
            "unsuitable": [{"name": "x", "clause": "c", "slope_above_deg": 25.0,
                            "relief_above_m": 200.0}]}, label="rules.toml")
