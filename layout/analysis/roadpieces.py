"""Road lines cut at the cell edges: the pieces `layout.analysis.travel` travels along.

`road_pieces` cuts every road line part exactly at the grid lines
(`layout.core.supercover.segment_pieces`) and keeps, per piece, its cell and its along-line
start and end in metres; `lines_cells` burns lines into cells exactly (the closed supercover,
also used for the barriers of `layout.allocation.barriers`); `junctions` finds where two line
parts meet and `piece_at` the piece holding a position along a line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from layout.core.supercover import line_cells, segment_pieces
from layout.model.grid import Grid

__all__ = ["junctions", "lines_cells", "piece_at", "road_parts", "road_pieces"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def lines_cells(lines: gpd.GeoDataFrame, grid: Grid, *, kinds: Sequence[str]
                ) -> NDArray[np.bool_]:
    """Cells whose closed square a line of one of ``kinds`` touches (exact supercover).

    Parameters
    ----------
    lines
        A layer of lines with a ``kind`` column, in the grid's CRS.
    grid
        The analysis grid.
    kinds
        The kinds of line to burn; empty burns none.

    Returns
    -------
    numpy.ndarray
        bool of the grid's shape.
    """
    chosen = lines[lines["kind"].astype(str).isin([str(k) for k in kinds])]
    coords, ring = shapely.get_coordinates(np.asarray(chosen.geometry.values), return_index=True)
    same = ring[1:] == ring[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    return line_cells(a[:, 0], a[:, 1], b[:, 0], b[:, 1], x0=grid.x0, y_top=grid.y_top,
                      cell=grid.cell, nrows=grid.nrows, ncols=grid.ncols)


def road_parts(lines: gpd.GeoDataFrame, speeds: Mapping[str, float]
                ) -> tuple[NDArray[Any], NDArray[Any], FloatArray]:
    """Single-part road LineStrings, their kinds and speeds (km/h)."""
    roads = lines[lines["kind"].astype(str).isin(list(speeds))]
    kind = roads["kind"].astype(str).to_numpy()
    speed = np.array([speeds[k] for k in kind], np.float64)
    if "speed_kmh" in roads.columns:
        own = pd.to_numeric(roads["speed_kmh"], errors="coerce").to_numpy(np.float64)
        speed = np.where(np.isfinite(own) & (own > 0), own, speed)
    parts, idx = shapely.get_parts(np.asarray(roads.geometry.values), return_index=True)
    ok = (shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)
    return parts[ok], kind[idx[ok]], speed[idx[ok]]


def road_pieces(parts: NDArray[Any], grid: Grid) -> pd.DataFrame:
    """The pieces of each line part in each cell: part, cell, along-line start and end (m)."""
    coords, ring = shapely.get_coordinates(parts, return_index=True)
    same = ring[1:] == ring[:-1]
    a, b, owner = coords[:-1][same], coords[1:][same], ring[:-1][same]
    seglen = np.hypot(*(b - a).T)
    start = np.zeros(len(seglen))  # along-line distance at each segment's start
    for p in np.unique(owner):
        at = np.flatnonzero(owner == p)
        start[at] = np.concatenate([[0.0], np.cumsum(seglen[at])[:-1]])
    seg, t0, t1, row, col = segment_pieces(a[:, 0], a[:, 1], b[:, 0], b[:, 1], x0=grid.x0,
                                           y_top=grid.y_top, cell=grid.cell)
    df = pd.DataFrame({"part": owner[seg], "row": row, "col": col,
                       "s0": start[seg] + t0 * seglen[seg], "s1": start[seg] + t1 * seglen[seg]})
    # Consecutive pieces of one part in one cell (a vertex inside the cell) are one piece.
    new = np.ones(len(df), bool)
    new[1:] = ((df["part"].to_numpy()[1:] != df["part"].to_numpy()[:-1])
               | (row[1:] != row[:-1]) | (col[1:] != col[:-1]))
    gid = np.cumsum(new) - 1
    out = df.groupby(gid).agg(part=("part", "first"), row=("row", "first"),
                              col=("col", "first"), s0=("s0", "min"), s1=("s1", "max"))
    inside = ((out["row"] >= 0) & (out["row"] < grid.nrows)
              & (out["col"] >= 0) & (out["col"] < grid.ncols))
    # Pieces are numbered along the line; a line leaving the grid breaks its chain there.
    out["chain"] = np.cumsum(~inside.to_numpy())
    return out[inside].reset_index(drop=True)


def piece_at(pieces: pd.DataFrame, part: IntArray, s: FloatArray) -> IntArray:
    """Row of the piece of ``part`` holding along-line position ``s`` (-1 off the grid)."""
    out = np.full(len(part), -1, np.intp)
    p, s0, s1 = (pieces[c].to_numpy() for c in ("part", "s0", "s1"))
    for i, (pp, ss) in enumerate(zip(part, s, strict=True)):
        hit = np.flatnonzero((p == pp) & (s0 <= ss + 1e-6) & (s1 >= ss - 1e-6))
        if len(hit):
            out[i] = hit[0]
    return out


def junctions(parts: NDArray[Any]) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Where two line parts of one tier meet: the parts and the along-line positions."""
    tree = shapely.STRtree(parts)
    i, j = tree.query(parts, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    pa, pb, sa, sb = [], [], [], []
    for a, b in zip(i, j, strict=True):
        pts = shapely.get_coordinates(shapely.intersection(parts[a], parts[b]))
        for x, y in pts:
            pt = shapely.Point(x, y)
            pa.append(a)
            pb.append(b)
            sa.append(shapely.line_locate_point(parts[a], pt))
            sb.append(shapely.line_locate_point(parts[b], pt))
    return (np.asarray(pa, np.intp), np.asarray(pb, np.intp), np.asarray(sa, np.float64),
            np.asarray(sb, np.float64))
