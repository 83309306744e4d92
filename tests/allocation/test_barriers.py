"""Linear barriers: the cells an expressway or railway passes through, against shapely.

`layout.allocation.barriers.barrier_cells` burns lines with rasterio (``all_touched``). The
reference here is geometric: a cell whose open square the line crosses must be a barrier (else
a site holding it would span the line), and a barrier cell's closed square must touch the line
(else land is lost for nothing). A line along a cell edge touches both closed squares and
crosses neither: one of the two suffices to block growth, and either may be marked.
"""

from __future__ import annotations

import tempfile

import geopandas as gpd
import numpy as np
import pytest
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from layout.allocation.barriers import barrier_cells
from layout.data.inputs import load_inputs
from layout.model.grid import Grid
from tests.fixtures import tiny_plan as tp

KINDS = ("expressway", "railway")


def cell_boxes(g: Grid) -> NDArray[np.object_]:
    r, c = np.divmod(np.arange(g.nrows * g.ncols), g.ncols)
    x0, y1 = g.x0 + c * g.cell, g.y_top - r * g.cell
    return shapely.box(x0, y1 - g.cell, x0 + g.cell, y1)


def sandwich(lines: gpd.GeoDataFrame, g: Grid) -> tuple[int, int, int]:
    """Barrier cells, crossed cells missing from them, barrier cells not touching a line."""
    chosen = lines[lines["kind"].isin(KINDS)].to_crs(g.crs)
    geom = chosen.union_all()
    boxes = cell_boxes(g)
    near = shapely.intersects(boxes, geom)  # closed squares
    crossed = np.zeros(len(boxes), bool)
    idx = np.flatnonzero(near)
    # the open square: the line has length inside a square shrunk by a millimetre
    crossed[idx] = shapely.length(shapely.intersection(
        shapely.buffer(boxes[idx], -1e-3, join_style="mitre"), geom)) > 0
    got = barrier_cells(chosen, g, kinds=KINDS).ravel()
    return int(got.sum()), int((crossed & ~got).sum()), int((got & ~near).sum())


def test_the_tiny_plan_lines() -> None:
    inputs = load_inputs(tp.write_tiny_plan(tempfile.mkdtemp()))
    n, missing, extra = sandwich(inputs.layer("transport_lines"), inputs.grid)
    assert n > 0 and missing == 0 and extra == 0


@pytest.mark.slow
def test_the_embedded_lines() -> None:
    inputs = load_inputs()
    n, missing, extra = sandwich(inputs.layer("transport_lines"), inputs.grid)
    # 849 km of expressway and railway at 100 m cells: one to about 1.4 cells per 100 m
    assert 8_000 < n < 13_000
    assert missing == 0 and extra == 0


def test_random_lines_on_a_small_grid() -> None:
    rng = np.random.default_rng(7)
    g = Grid(CRS.from_epsg(4547), 500_000.0, 3_850_000.0, 37.0, 60, 70, np.ones((60, 70), bool))
    xs = rng.uniform(g.x0, g.x0 + 70 * 37.0, (12, 4))
    ys = rng.uniform(g.y_top - 60 * 37.0, g.y_top, (12, 4))
    lines = gpd.GeoDataFrame(
        {"kind": ["expressway", "railway", "main_road"] * 4}, crs=g.crs,
        geometry=[shapely.LineString(np.column_stack([x, y])) for x, y in zip(xs, ys, strict=True)])
    n, missing, extra = sandwich(lines, g)
    assert n > 0 and missing == 0 and extra == 0
    # main roads are not barriers unless listed; nothing is when the list is empty
    assert not barrier_cells(lines, g, kinds=()).any()
    only_roads = barrier_cells(lines, g, kinds=("main_road",))
    roads = lines[lines["kind"] == "main_road"]
    assert only_roads.any()
    assert np.array_equal(only_roads, barrier_cells(roads, g, kinds=(*KINDS, "main_road")))


def test_no_lines_layer() -> None:
    g = Grid(CRS.from_epsg(4547), 0.0, 100.0, 100.0, 1, 1, np.ones((1, 1), bool))
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=g.crs))
    assert barrier_cells(empty, g, kinds=KINDS).tolist() == [[False]]
