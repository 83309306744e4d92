"""The supercover against shapely: a cell is touched exactly when its square meets the segment.

Reference: `shapely.intersects(box, segment)` on every cell (closed squares) for `line_cells`,
and the length of `shapely.intersection(box, segment)` for the pieces of `segment_pieces`.
Random segments, plus the cases that trip rasterisers: diagonals through cell corners, segments
along grid lines, end points on grid lines.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from numpy.typing import NDArray

from layout.core.supercover import line_cells, segment_pieces

X0, Y_TOP, CELL, NR, NC = 1000.0, 2000.0, 100.0, 12, 15


def boxes() -> NDArray[np.object_]:
    r, c = np.divmod(np.arange(NR * NC), NC)
    x, y = X0 + c * CELL, Y_TOP - r * CELL
    return shapely.box(x, y - CELL, x + CELL, y)


def segments(seed: int) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    rnd = rng.uniform([X0 - 150, Y_TOP - NR * CELL - 150], [X0 + NC * CELL + 150, Y_TOP + 150],
                      size=(60, 2, 2))
    # Grid-aligned cases: corners to corners (diagonals, steep and shallow), along grid lines.
    k = rng.integers(0, 13, size=(60, 2, 2)).astype(float)
    aligned = np.stack([X0 + k[..., 0] * CELL, Y_TOP - k[..., 1] * CELL], axis=-1)
    return np.concatenate([rnd, aligned])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_line_cells_equal_the_squares_a_segment_meets(seed: int) -> None:
    b = boxes()
    for (xa, ya), (xb, yb) in segments(seed):
        got = line_cells([xa], [ya], [xb], [yb], x0=X0, y_top=Y_TOP, cell=CELL, nrows=NR,
                         ncols=NC).ravel()
        ref = shapely.intersects(b, shapely.LineString([(xa, ya), (xb, yb)]))
        np.testing.assert_array_equal(got, ref, err_msg=f"segment {(xa, ya, xb, yb)}")


@pytest.mark.parametrize("seed", [3, 4])
def test_pieces_have_the_length_shapely_clips(seed: int) -> None:
    b = boxes()
    for (xa, ya), (xb, yb) in segments(seed):
        seg = shapely.LineString([(xa, ya), (xb, yb)])
        _, t0, t1, row, col = segment_pieces([xa], [ya], [xb], [yb], x0=X0, y_top=Y_TOP,
                                             cell=CELL)
        inside = (row >= 0) & (row < NR) & (col >= 0) & (col < NC)
        got = np.zeros(NR * NC)
        np.add.at(got, row[inside] * NC + col[inside], (t1 - t0)[inside] * seg.length)
        ref = shapely.length(shapely.intersection(b, seg))
        # A segment along a grid line lies in two closed squares; the pieces give it to one
        # (the one below or to the right, which may be off the grid).
        along = (xa == xb and (xa - X0) % CELL == 0) or (ya == yb and (Y_TOP - ya) % CELL == 0)
        if along:
            np.testing.assert_allclose(got[got > 0], ref[got > 0], rtol=1e-9)
        else:
            np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-7)
        # The pieces tile the segment: parameters run 0 -> 1 without gaps.
        if seg.length > 0:
            assert t0[0] == 0.0 and t1[-1] == 1.0
            np.testing.assert_array_equal(t0[1:], t1[:-1])
