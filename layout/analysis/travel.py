"""Travel time in minutes from every cell to the nearest target, on the network as it is.

A cost-distance on the analysis grid, solved as one graph (`scipy.sparse.csgraph.dijkstra`,
multi-source with ``min_only``) whose nodes are:

* **ground** — one node per grid cell, at its centre.  Off-road moves go to the 8 neighbours at
  `OFFROAD_KMH` (15 km/h: a field track, a factory lane, a short walk; configurable per
  criterion as ``offroad_kmh``), the length of the move between the two centres.
* **road pieces** — the part of one road line inside one cell (cut exactly at the grid lines,
  `layout.core.supercover.segment_pieces`), placed at the piece's halfway point along the line.
  Consecutive pieces of a line are joined at the line's speed over the length *along the line*
  between their halfway points; a cell holding a surface road joins each of its pieces to its
  ground node off-road (centre to halfway point).  Surface roads join each other where they
  intersect (an at-grade junction), expressways join each other where they intersect (hub
  interchanges), and an expressway never joins a surface road where they cross (a bridge).
  Speeds: a line's ``speed_kmh``, else `DEFAULT_SPEEDS_KMH` by kind (the data model's 100/50).
* **transport points** — interchanges, stations, the airport.  A point joins the ground node of
  its cell off-road (or, when that cell is a barrier, its non-barrier neighbours), and the
  surface road nearest to it when within `TIE_TOLERANCE_M`.  An *interchange* also joins the
  expressway nearest to it within the same tolerance, at `RAMP_KMH`: it is the only place where
  the expressway layer meets the ground layer.  Other points only send (their edges point away
  from them), so no route passes through a station.

**Barriers.**  Cells that an expressway or a railway touches (the closed supercover,
`layout.core.supercover.line_cells`) take no off-road move and give no access to a road: only a
road crossing them gets through, so a site behind an expressway reaches the interchange by the
nearest crossing.  Such a cell still gets a value, that of the best way out of it (its edges only
receive), so scores stay defined on the band.

Every edge costs at least its straight length at its speed, so a cell's time is never below the
straight line to the target at the top speed; road lengths are measured along the lines, so
adding vertices to a line changes nothing.  Cells that cannot reach a target get ``inf``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from layout.analysis.roadpieces import junctions, lines_cells, piece_at, road_parts, road_pieces
from layout.data.interchanges import TOLERANCE_M
from layout.errors import ConfigError, CRSMismatchError, Problem, ValidationError
from layout.io.crs import require_projected, require_same_crs
from layout.model.grid import Grid

__all__ = [
    "BARRIER_KINDS",
    "DEFAULT_SPEEDS_KMH",
    "OFFROAD_KMH",
    "RAMP_KMH",
    "TIE_TOLERANCE_M",
    "TravelGraph",
    "build_travel_graph",
    "travel_minutes",
    "travel_path",
    "travel_tree",
]

#: Off-road speed (km/h) between a cell and its neighbours or its road: a field track or a
#: factory lane; planners' rule of thumb for the first and last kilometre of a delivery.
OFFROAD_KMH = 15.0
#: Design speed (km/h) by kind of road, where a line has no ``speed_kmh`` (docs/data_model.md).
DEFAULT_SPEEDS_KMH: dict[str, float] = {"expressway": 100.0, "main_road": 50.0}
#: Speed (km/h) of the ramp joining an interchange to its expressway and to the nearest road
#: (a typical ramp design speed, JTG D20 40 km/h).
RAMP_KMH = 40.0
#: How far (m) an interchange may lie from its expressway, and any point from the road it is
#: tied to (`layout.data.interchanges.TOLERANCE_M`, whose check warns beyond it).
TIE_TOLERANCE_M = TOLERANCE_M
#: Kinds of line that other roads join only at interchanges.
CONTROLLED_KINDS: tuple[str, ...] = ("expressway",)
#: Kinds of line crossed only where a road crosses them.
BARRIER_KINDS: tuple[str, ...] = ("expressway", "railway")

GROUND, SURFACE, EXPRESS, POINT = 0, 1, 2, 3
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def _minutes(metres: FloatArray | float, kmh: FloatArray | float) -> Any:
    return np.asarray(metres) * 0.06 / np.asarray(kmh)  # m / (km/h * 1000 / 60)


@dataclass(frozen=True)
class TravelGraph:
    """The cell graph of `build_travel_graph`; treat as read-only.

    Attributes
    ----------
    matrix
        Directed edge costs in minutes, ``(n, n)``; explicit zeros are edges.
    grid
        The analysis grid; node ``i < grid.nrows * grid.ncols`` is cell ``divmod(i, ncols)``.
    xy
        ``(n, 2)`` node positions (cell centres, halfway points of road pieces, points).
    layer
        Node layer: `GROUND`, `SURFACE`, `EXPRESS` or `POINT`.
    line
        For road pieces, the row position of their line in the roads table (else -1); ``s``
        holds the halfway point's distance along that line part (m).
    barrier
        ``(nrows, ncols)`` bool, the cells no off-road move enters.
    point_kind
        The ``kind`` of each transport point, in the order of their nodes ``point_node``.
    """

    matrix: csr_array
    grid: Grid
    xy: FloatArray
    layer: NDArray[np.int8]
    line: IntArray
    s: FloatArray
    barrier: NDArray[np.bool_]
    point_kind: NDArray[Any]
    point_node: IntArray
    point_label: NDArray[Any]


class _Edges:
    """Directed edges collected before the sparse matrix is built."""

    def __init__(self) -> None:
        self.src: list[IntArray] = []
        self.dst: list[IntArray] = []
        self.w: list[FloatArray] = []

    def add(self, a: Any, b: Any, w: Any, *, both: bool = True) -> None:
        a, b = np.asarray(a, np.intp).ravel(), np.asarray(b, np.intp).ravel()
        w = np.broadcast_to(np.asarray(w, np.float64), a.shape).copy()
        self.src.append(a)
        self.dst.append(b)
        self.w.append(w)
        if both:
            self.src.append(b)
            self.dst.append(a)
            self.w.append(w)

    def matrix(self, n: int) -> csr_array:
        src, dst, w = (np.concatenate(x) for x in (self.src, self.dst, self.w))
        # Several edges between one pair (a junction seen twice): keep the cheapest.  A COO
        # matrix would add them up.
        order = np.lexsort((w, dst, src))
        src, dst, w = src[order], dst[order], w[order]
        first = np.ones(len(src), bool)
        first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        return csr_array((w[first], (src[first], dst[first])), shape=(n, n))


def _ground_edges(edges: _Edges, grid: Grid, barrier: NDArray[np.bool_], kmh: float) -> None:
    nr, nc = grid.shape
    ids = np.arange(nr * nc).reshape(nr, nc)
    free = ~barrier
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        a = ids[max(0, -dr):nr - max(0, dr), max(0, -dc):nc - max(0, dc)]
        b = ids[max(0, dr):nr - max(0, -dr), max(0, dc):nc - max(0, -dc)]
        fa = free.ravel()[a.ravel()]
        fb = free.ravel()[b.ravel()]
        a, b = a.ravel(), b.ravel()
        w = _minutes(grid.cell * np.hypot(dr, dc), kmh)
        both = fa & fb
        edges.add(a[both], b[both], w)
        # Into a barrier cell only: it takes a value but passes none on.
        edges.add(a[fa & ~fb], b[fa & ~fb], w, both=False)
        edges.add(b[fb & ~fa], a[fb & ~fa], w, both=False)


@dataclass(frozen=True)
class _Roads:
    """Road line parts and their pieces, as `build_travel_graph` numbers them."""

    parts: NDArray[Any]
    speed: FloatArray
    express: NDArray[np.bool_]
    pieces: pd.DataFrame
    smid: FloatArray
    pid: IntArray


def _link_point(edges: _Edges, roads: _Roads, xy: FloatArray, interchange: bool, node: int,
                grid: Grid, barrier: NDArray[np.bool_], *, offroad_kmh: float,
                tolerance_m: float) -> None:
    """Join a transport point to the ground, to the nearest road and (interchange) expressway.

    An interchange's edges go both ways; any other point only sends (no route passes it).
    """
    nr, nc = grid.shape
    (r0,), (c0,) = grid.rowcol(xy[:1], xy[1:])
    if 0 <= r0 < nr and 0 <= c0 < nc and not barrier[r0, c0]:
        cells = [(int(r0), int(c0))]
    else:  # on a barrier: the free cells around it, on both sides
        cells = [(r, c) for r in range(r0 - 1, r0 + 2) for c in range(c0 - 1, c0 + 2)
                 if 0 <= r < nr and 0 <= c < nc and not barrier[r, c]]
    for r, c in cells:
        d = np.hypot(xy[0] - (grid.x0 + (c + 0.5) * grid.cell),
                     xy[1] - (grid.y_top - (r + 0.5) * grid.cell))
        edges.add([node], [r * nc + c], _minutes(d, offroad_kmh), both=interchange)
    point = shapely.Point(xy)
    ties = [(~roads.express, RAMP_KMH if interchange else offroad_kmh)]
    if interchange:
        ties.append((roads.express, RAMP_KMH))
    for members_mask, kmh in ties:
        members = np.flatnonzero(members_mask)
        if not len(members):
            continue
        gap = shapely.distance(roads.parts[members], point)
        best = int(np.argmin(gap))
        if gap[best] > tolerance_m:
            continue
        line_i = int(members[best])
        s = float(shapely.line_locate_point(roads.parts[line_i], point))
        q = piece_at(roads.pieces, np.array([line_i]), np.array([s]))[0]
        if q >= 0:
            w = _minutes(float(gap[best]), kmh) + _minutes(abs(s - roads.smid[q]),
                                                           roads.speed[line_i])
            edges.add([node], [roads.pid[q]], w, both=interchange)


def build_travel_graph(
    lines: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    grid: Grid,
    *,
    offroad_kmh: float = OFFROAD_KMH,
    speeds: Mapping[str, float] | None = None,
    barriers: Sequence[str] = BARRIER_KINDS,
    tie_tolerance_m: float = TIE_TOLERANCE_M,
) -> TravelGraph:
    """Build the cell graph of the roads, barriers and transport points (rules: module doc).

    Parameters
    ----------
    lines
        The ``transport_lines`` layer (``kind``, optional ``speed_kmh``), in the grid's CRS.
    points
        The ``transport_points`` layer (``kind``), in the grid's CRS; may be empty.
    grid
        The analysis grid (projected CRS).
    offroad_kmh
        Speed off the roads.
    speeds
        Road speeds by kind overriding `DEFAULT_SPEEDS_KMH`; kinds absent from both (railways)
        are not roads.
    barriers
        Kinds of line crossed only by a road.
    tie_tolerance_m
        Furthest a point is tied to the nearest road (and an interchange to its expressway).

    Returns
    -------
    TravelGraph

    Raises
    ------
    ConfigError
        A non-positive ``offroad_kmh``.
    CRSMismatchError
        The lines, the points and the grid are not all in one projected CRS.
    ValidationError
        A transport point that is not a Point (every one is listed).
    """
    if not (np.isfinite(offroad_kmh) and offroad_kmh > 0):
        raise ConfigError(f"offroad_kmh must be positive, got {offroad_kmh}")
    require_projected(lines, source="transport lines")
    require_same_crs(lines, points, names=("transport lines", "transport points"))
    if not lines.crs.equals(grid.crs):
        raise CRSMismatchError(
            f"transport lines are in {lines.crs.to_string()} but the grid is in "
            f"{grid.crs.to_string()}; reproject them with .to_crs(grid.crs)")
    not_point = [Problem("transport_points", "expected a Point", feature=str(label),
                         column="geometry")
                 for label, g in zip(points.index, points.geometry, strict=True)
                 if g is None or g.geom_type != "Point" or g.is_empty]
    if not_point:
        raise ValidationError(not_point)
    table = {**DEFAULT_SPEEDS_KMH, **(speeds or {})}
    nr, nc = grid.shape
    n_cells = nr * nc

    barrier = lines_cells(lines, grid, kinds=barriers)

    parts, kind, speed = road_parts(lines, table)
    express = np.isin(kind, list(CONTROLLED_KINDS))
    pieces = road_pieces(parts, grid)
    n_pieces = len(pieces)
    pid = n_cells + np.arange(n_pieces)
    ppart = pieces["part"].to_numpy()
    smid = 0.5 * (pieces["s0"] + pieces["s1"]).to_numpy()
    mid = shapely.get_coordinates(shapely.line_interpolate_point(parts[ppart], smid))
    cell_of = pieces["row"].to_numpy() * nc + pieces["col"].to_numpy()
    p_express = express[ppart]

    pts = points if len(points) else points.iloc[:0]
    pxy = shapely.get_coordinates(np.asarray(pts.geometry.values)).reshape(-1, 2)
    pkind = pts["kind"].astype(str).to_numpy() if len(pts) else np.empty(0, object)
    n_points = len(pxy)
    point_node = n_cells + n_pieces + np.arange(n_points)

    edges = _Edges()
    _ground_edges(edges, grid, barrier, offroad_kmh)

    # Along each line: consecutive pieces of one chain.
    chain = pieces["chain"].to_numpy()
    nxt = np.flatnonzero((ppart[1:] == ppart[:-1]) & (chain[1:] == chain[:-1]))
    edges.add(pid[nxt], pid[nxt + 1], _minutes(smid[nxt + 1] - smid[nxt], speed[ppart[nxt]]))

    # Access: a surface piece and the ground node of its cell.
    rr, cc = pieces["row"].to_numpy(), pieces["col"].to_numpy()
    centre = np.column_stack([grid.x0 + (cc + 0.5) * grid.cell,
                              grid.y_top - (rr + 0.5) * grid.cell])
    acc = _minutes(np.hypot(*(mid - centre).T), offroad_kmh)
    surf = ~p_express
    free = ~barrier.ravel()[cell_of]
    edges.add(pid[surf & free], cell_of[surf & free], acc[surf & free])
    edges.add(pid[surf & ~free], cell_of[surf & ~free], acc[surf & ~free], both=False)

    # Junctions within a tier.
    for tier in (np.flatnonzero(~express), np.flatnonzero(express)):
        if len(tier) < 2:
            continue
        ja, jb, sa, sb = junctions(parts[tier])
        ja, jb = tier[ja], tier[jb]
        qa, qb = piece_at(pieces, ja, sa), piece_at(pieces, jb, sb)
        ok = (qa >= 0) & (qb >= 0)
        qa, qb, ja, jb, sa, sb = qa[ok], qb[ok], ja[ok], jb[ok], sa[ok], sb[ok]
        w = (_minutes(np.abs(sa - smid[qa]), speed[ja])
             + _minutes(np.abs(sb - smid[qb]), speed[jb]))
        edges.add(pid[qa], pid[qb], w)

    roads = _Roads(parts, speed, express, pieces, smid, pid)
    for k in range(n_points):
        _link_point(edges, roads, pxy[k], pkind[k] == "interchange", int(point_node[k]), grid,
                    barrier, offroad_kmh=offroad_kmh, tolerance_m=tie_tolerance_m)

    n = n_cells + n_pieces + n_points
    if not edges.src:
        edges.add([0], [0], 0.0, both=False)
    cx, cy = np.meshgrid(grid.x_centres(), grid.y_centres())
    xy = np.concatenate([np.column_stack([cx.ravel(), cy.ravel()]), mid.reshape(-1, 2), pxy])
    layer = np.concatenate([np.full(n_cells, GROUND), np.where(p_express, EXPRESS, SURFACE),
                            np.full(n_points, POINT)]).astype(np.int8)
    return TravelGraph(
        matrix=edges.matrix(n), grid=grid, xy=xy, layer=layer,
        line=np.concatenate([np.full(n_cells, -1), ppart, np.full(n_points, -1)]).astype(np.intp),
        s=np.concatenate([np.full(n_cells, np.nan), smid, np.full(n_points, np.nan)]),
        barrier=barrier, point_kind=pkind, point_node=point_node.astype(np.intp),
        point_label=np.asarray(pts.index, dtype=object),
    )


def travel_tree(graph: TravelGraph, *, kind: str) -> tuple[FloatArray, IntArray]:
    """Minutes from every node to the nearest point of ``kind`` and the next node on the way.

    Parameters
    ----------
    graph
        From `build_travel_graph`.
    kind
        The ``kind`` of the target points (``interchange``, ``freight_rail``, ``airport`` …).

    Returns
    -------
    minutes : numpy.ndarray
        Per node (cell ``(row, col)`` is node ``row * ncols + col``); ``inf`` where no target
        can be reached, everywhere when there is no point of ``kind``.
    predecessors : numpy.ndarray
        The next node towards the target, -9999 at the targets and unreachable nodes
        (`travel_path` follows them).
    """
    targets = graph.point_node[graph.point_kind == kind]
    n = graph.matrix.shape[0]
    if not len(targets):
        return np.full(n, np.inf), np.full(n, -9999, np.intp)
    dist, pred, _ = dijkstra(graph.matrix, directed=True, indices=targets, min_only=True,
                             return_predecessors=True)
    return np.asarray(dist, np.float64), np.asarray(pred, np.intp)


def travel_minutes(graph: TravelGraph, *, kind: str) -> FloatArray:
    """Minutes from every cell to the nearest transport point of ``kind``.

    Parameters
    ----------
    graph
        From `build_travel_graph`.
    kind
        The ``kind`` of the target points (``interchange``, ``freight_rail``, ``airport`` …).

    Returns
    -------
    numpy.ndarray
        ``(nrows, ncols)`` float64: NaN outside the grid's mask and everywhere when there is no
        point of ``kind``; ``inf`` where no target can be reached.

    Examples
    --------
    A 5 x 1 strip of 100 m cells, an airport at the east end, no road: off-road at 15 km/h,
    0.4 minutes a cell:

    >>> import geopandas as gpd, numpy as np, shapely
    >>> from layout.model.grid import Grid
    >>> grid = Grid(gpd.GeoSeries(crs="EPSG:4547").crs, 0.0, 100.0, 100.0, 1, 5,
    ...             np.ones((1, 5), bool))
    >>> lines = gpd.GeoDataFrame({"kind": []}, geometry=[], crs="EPSG:4547")
    >>> airport = gpd.GeoDataFrame({"kind": ["airport"]}, crs="EPSG:4547",
    ...                            geometry=[shapely.Point(450, 50)])
    >>> travel_minutes(build_travel_graph(lines, airport, grid), kind="airport").round(2)
    array([[1.6, 1.2, 0.8, 0.4, 0. ]])
    """
    g = graph.grid
    if not (graph.point_kind == kind).any():
        return np.full(g.shape, np.nan)
    dist, _ = travel_tree(graph, kind=kind)
    out = dist[: g.nrows * g.ncols].reshape(g.shape).copy()
    out[~g.mask] = np.nan
    return out


def travel_path(predecessors: IntArray, node: int) -> list[int]:
    """The nodes of the best path from ``node`` to its target (inclusive), from the predecessors.

    Parameters
    ----------
    predecessors
        From `travel_tree`.
    node
        A node id; cell ``(row, col)`` is node ``row * ncols + col``.
    """
    path = [int(node)]
    while predecessors[path[-1]] >= 0:
        path.append(int(predecessors[path[-1]]))
        if len(path) > len(predecessors):
            raise RuntimeError("the predecessors contain a cycle")
    return path
