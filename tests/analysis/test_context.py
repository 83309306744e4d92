"""Tests of `layout.analysis.context`: constraint flags from the covered area of each cell.

Independent reference: shapely intersection areas of each cell square with the polygons read
straight from the embedded GeoPackage (not the package's loader, not exactextract), and
shapely distances for the buffers. One sliver is 0.15 mu = 100 m² (1 % of a 100 m cell).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from numpy.typing import NDArray
from scipy import ndimage

from layout.analysis.context import CriteriaContext
from layout.data.inputs import load_inputs
from layout.model.constraints import CONSTRAINT_BITS, SLIVER_MU, exceeds_sliver
from layout.model.grid import Grid
from layout.settings import M2_PER_MU, embedded_gpkg

SLIVER_M2 = 100.0
#: Cells within this of the sliver (m²) are not judged: float32 coverage rounding.
MARGIN_M2 = 0.01


@pytest.fixture(scope="module")
def ctx() -> CriteriaContext:
    return CriteriaContext(load_inputs())


def window_boxes(grid: Grid, bounds: tuple[float, float, float, float]
                 ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_]]:
    """Rows, cols and squares of the cells overlapping ``bounds`` (padded by one cell)."""
    xmin, ymin, xmax, ymax = bounds
    c0 = max(int((xmin - grid.x0) // grid.cell) - 1, 0)
    c1 = min(int((xmax - grid.x0) // grid.cell) + 2, grid.ncols)
    r0 = max(int((grid.y_top - ymax) // grid.cell) - 1, 0)
    r1 = min(int((grid.y_top - ymin) // grid.cell) + 2, grid.nrows)
    rr, cc = np.meshgrid(np.arange(r0, r1), np.arange(c0, c1), indexing="ij")
    rr, cc = rr.ravel(), cc.ravel()
    x0 = grid.x0 + cc * grid.cell
    y1 = grid.y_top - rr * grid.cell
    return rr, cc, shapely.box(x0, y1 - grid.cell, x0 + grid.cell, y1)


def test_sliver_is_one_hundred_square_metres() -> None:
    assert pytest.approx(SLIVER_M2) == SLIVER_MU * M2_PER_MU
    cover = np.array([0.0, 0.0099, 0.01, 0.0102, 0.5, 1.0])
    assert exceeds_sliver(cover, cell_area_m2=10_000.0).tolist() == [
        False, False, False, True, True, True]
    # 200 m cells: the same 100 m² is 0.25 % of the cell
    assert exceeds_sliver(np.array([0.0024, 0.0026]), cell_area_m2=40_000.0).tolist() == [
        False, True]


@pytest.mark.parametrize("constraint_id", ["bf_410104", "bf_410106"])
def test_constraint_bit_follows_the_covered_area(ctx: CriteriaContext,
                                                 constraint_id: str) -> None:
    g = ctx.grid
    cons = gpd.read_file(embedded_gpkg(), layer="constraints").to_crs(g.crs)
    row = cons[cons["constraint_id"] == constraint_id].iloc[0]
    ctype = str(row["type"])
    same_type = shapely.union_all(list(cons.loc[cons["type"] == ctype].geometry))
    rr, cc, boxes = window_boxes(g, row.geometry.bounds)
    area = shapely.area(shapely.intersection(boxes, same_type))
    flagged = (ctx.constraint_flags[rr, cc] & CONSTRAINT_BITS[ctype]) != 0
    judged = np.abs(area - SLIVER_M2) > MARGIN_M2
    np.testing.assert_array_equal(flagged[judged], (area > SLIVER_M2)[judged])
    # the point of the rule: cells whose centre is outside the polygon but whose square it
    # covers by more than a sliver are excluded too (the centre rule let them through)
    centre_out = ~shapely.contains_xy(same_type, *shapely.get_coordinates(
        shapely.centroid(boxes)).T)
    assert (flagged & centre_out).any()
    # and the covered fraction itself is the shapely one
    np.testing.assert_allclose(ctx.constraint_coverage[ctype][rr, cc], area / g.cell_area_m2,
                               atol=1e-6)


def test_outside_bit_follows_the_area_beyond_the_boundary(ctx: CriteriaContext) -> None:
    g = ctx.grid
    boundary = gpd.read_file(embedded_gpkg(), layer="boundary").to_crs(g.crs).union_all()
    # a 10 km stretch of the boundary around its westernmost vertex
    xy = shapely.get_coordinates(boundary)
    x, y = xy[np.argmin(xy[:, 0])]
    rr, cc, boxes = window_boxes(g, (x - 5_000, y - 5_000, x + 5_000, y + 5_000))
    outside_m2 = shapely.area(shapely.difference(boxes, boundary))
    flagged = (ctx.constraint_flags[rr, cc] & CONSTRAINT_BITS["outside_study_area"]) != 0
    judged = np.abs(outside_m2 - SLIVER_M2) > MARGIN_M2
    expected = (outside_m2 > SLIVER_M2) | ~g.mask[rr, cc]
    np.testing.assert_array_equal(flagged[judged], expected[judged])
    # cells with their centre inside but more than a sliver outside exist, and are flagged
    assert (flagged & g.mask[rr, cc]).any()


def test_near_layer_keeps_the_distance_between_polygons(ctx: CriteriaContext) -> None:
    g = ctx.grid
    urban = gpd.read_file(embedded_gpkg(), layer="urban_areas").to_crs(g.crs)
    one = urban.geometry.iloc[int(np.argmin(urban.geometry.area))]
    d = 1_000.0
    near = ctx.near_layer("urban_areas", d)
    xmin, ymin, xmax, ymax = one.bounds
    rr, cc, boxes = window_boxes(g, (xmin - 2 * d, ymin - 2 * d, xmax + 2 * d, ymax + 2 * d))
    gap = shapely.distance(boxes, urban.union_all())
    marked = near[rr, cc]
    # every cell closer than d is marked (the promise); marked cells are at most the buffer's
    # chord slack farther (radius / cos(3 pi / 64): GEOS chords span up to 1.5 of pi / 16)
    assert marked[gap < d].all()
    assert (gap[marked] < d / math.cos(3 * math.pi / 64) + 1e-6).all()
    assert (~marked).any()
    # The whole study area: the only cells that could break the promise are the unmarked
    # neighbours of marked ones; each is at least d from every urban area (shapely distance).
    ring = ndimage.binary_dilation(near) & ~near
    rr, cc = np.nonzero(ring)
    x0 = g.x0 + cc * g.cell
    y1 = g.y_top - rr * g.cell
    gap = shapely.distance(shapely.box(x0, y1 - g.cell, x0 + g.cell, y1), urban.union_all())
    assert gap.min() >= d - 1e-6, (rr[np.argmin(gap)], cc[np.argmin(gap)], gap.min())
