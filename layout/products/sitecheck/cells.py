"""The grid cells a parcel covers, each with the area it shares with the parcel.

How a parcel is measured
------------------------
The parcel is projected to the plan CRS. Each grid cell it touches gets the weight of the
area it shares with the parcel (exact polygon clipping), so the *mean score* is the
area-weighted mean of the score raster (excluded cells count with their score, 0) over the part
inside the study area, and each criterion's *contribution* is the same mean of
``100 * weight * value`` over eligible cells -- the contributions add up to the mean score.
The *minimum* is taken over the cells the parcel covers at least 10 % of (at least the one it
covers most). The *percentile* is the share of the study area's eligible cells whose score is
at most the parcel's mean (from the cached quantiles, within 0.005 points).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray


@dataclass
class CellGrid:
    """The analysis grid of a score cache (north-up, square cells).

    Attributes
    ----------
    x0, y_top
        Left and top edges, plan CRS metres.
    cell
        Cell size, metres.
    nrows, ncols
        Grid shape.
    """

    x0: float
    y_top: float
    cell: float
    nrows: int
    ncols: int

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any]) -> CellGrid:
        """The grid a score cache's ``manifest.json`` describes (``grid``, ``resolution_m``)."""
        g = manifest["grid"]
        return cls(
            float(g["x0"]), float(g["y_top"]), float(manifest["resolution_m"]),
            int(g["nrows"]), int(g["ncols"]),
        )

    def window(
        self, xmin: float, ymin: float, xmax: float, ymax: float, pad: int = 0
    ) -> tuple[int, int, int, int]:
        """Rows r0..r1 (exclusive) and cols c0..c1 covering a box, padded and clipped."""
        c0 = math.floor((xmin - self.x0) / self.cell) - pad
        c1 = math.ceil((xmax - self.x0) / self.cell) + pad
        r0 = math.floor((self.y_top - ymax) / self.cell) - pad
        r1 = math.ceil((self.y_top - ymin) / self.cell) + pad
        return (
            max(r0, 0),
            min(max(r1, 0), self.nrows),
            max(c0, 0),
            min(max(c1, 0), self.ncols),
        )


@dataclass
class ParcelCells:
    """Every (parcel, cell) pair a parcel touches, with the shared area."""

    parcel: NDArray[np.int64]
    row: NDArray[np.int64]
    col: NDArray[np.int64]
    area: NDArray[np.float64]


def parcel_cells(geoms: NDArray[Any], grid: CellGrid) -> ParcelCells:
    """The cells each parcel (plan CRS polygons) touches, with the area they share (exact)."""
    pi, rr, cc = [], [], []
    for i, g in enumerate(geoms):
        r0, r1, c0, c1 = grid.window(*shapely.bounds(g))
        rows, cols = np.meshgrid(np.arange(r0, r1), np.arange(c0, c1), indexing="ij")
        pi.append(np.full(rows.size, i, np.int64))
        rr.append(rows.ravel())
        cc.append(cols.ravel())
    parcel = np.concatenate(pi) if pi else np.zeros(0, np.int64)
    row = np.concatenate(rr) if rr else np.zeros(0, np.int64)
    col = np.concatenate(cc) if cc else np.zeros(0, np.int64)
    x0 = grid.x0 + col * grid.cell
    y1 = grid.y_top - row * grid.cell
    boxes = shapely.box(x0, y1 - grid.cell, x0 + grid.cell, y1)
    shapely.prepare(geoms)
    # cells wholly inside their parcel need no clipping (prepared tests are cheap)
    inside = shapely.contains_properly(geoms[parcel], boxes)
    area = np.full(len(boxes), grid.cell * grid.cell)
    edge = ~inside
    area[edge] = shapely.area(shapely.intersection(geoms[parcel[edge]], boxes[edge]))
    keep = area > 0
    return ParcelCells(parcel[keep], row[keep], col[keep], np.asarray(area[keep], np.float64))


def weighted_mean(
    idx: NDArray[np.int64], w: NDArray[np.float64], v: NDArray[Any], n: int
) -> NDArray[np.float64]:
    """Per-parcel weighted mean of ``v`` ignoring NaN.

    ``idx`` is the parcel of each value, ``w`` its weight; NaN for a parcel with no value.

    Examples
    --------
    >>> weighted_mean(np.array([0, 0, 1]), np.array([1.0, 3.0, 1.0]),
    ...               np.array([10.0, 20.0, np.nan]), 2).tolist()
    [17.5, nan]
    """
    ok = np.isfinite(v)
    num = np.bincount(idx[ok], weights=w[ok] * v[ok].astype(np.float64), minlength=n)
    den = np.bincount(idx[ok], weights=w[ok], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)
