"""Travel distances over the road network: Dijkstra from the targets to every cell.

Straight-line distance flatters sites across a river or behind an expressway; this module measures
how far a cell is from the nearest target (an interchange, a freight station, an anchor
enterprise) *along the roads*.  Two steps, each taking the previous one's result as an argument:

1. `layout.analysis.roads.build_road_graph` turns the ``transport_lines`` layer (projected CRS)
   into an undirected `networkx.Graph` whose edges carry ``length`` (m), ``time`` (s) and
   ``kind`` (how the roads are joined is told there).
2. `network_distance` runs one multi-source Dijkstra from the targets and looks up every cell
   centre of the analysis `~layout.model.grid.Grid` at once (a `scipy.spatial.cKDTree` query).

*Access.*  Cells and targets join the network by a straight "access" leg to the nearest *access
node*: a node of a surface road or an interchange.  Expressway vertices between interchanges are
not access nodes, since nobody drives onto an expressway from a field.

Distances are ``access leg of the cell + shortest path + access leg of the target``; the legs
count in metres, or in seconds at ``access_speed_kmh`` when ``weight="time"``.  There is no
off-network shortcut: two points next to each other but far from any road are far apart.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS
from scipy.spatial import cKDTree

from layout.errors import ConfigError, CRSMismatchError, Problem, ValidationError
from layout.io.crs import require_projected
from layout.model.grid import Grid

__all__ = ["nearest_node", "network_distance", "node_distance", "snap_cells"]

_SUPER_SOURCE = -1  # node ids are 0..n-1, so -1 is free for the virtual source of Dijkstra
_Weight = Literal["length", "time"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def _graph_arrays(graph: nx.Graph) -> tuple[FloatArray, CRS, NDArray[np.bool_]]:
    try:
        xy, crs, access = graph.graph["xy"], graph.graph["crs"], graph.graph["access"]
    except KeyError as err:
        raise ConfigError(
            f"the graph has no {err.args[0]!r} attribute; build it with build_road_graph()"
        ) from None
    if len(xy) != graph.number_of_nodes():
        raise ConfigError(
            f"the graph has {graph.number_of_nodes()} nodes but graph.graph['xy'] has {len(xy)} "
            "rows; it was changed after build_road_graph(), rebuild it"
        )
    return xy, CRS.from_user_input(crs), access


def _check_weight(weight: str, access_speed_kmh: float) -> None:
    if weight not in ("length", "time"):
        raise ConfigError(f"weight must be 'length' or 'time', got {weight!r}")
    if not (np.isfinite(access_speed_kmh) and access_speed_kmh > 0):
        raise ConfigError(f"access_speed_kmh must be positive, got {access_speed_kmh}")


def _leg_cost(dist: FloatArray, weight: str, access_speed_kmh: float) -> FloatArray:
    """Cost of straight access legs: metres, or seconds at ``access_speed_kmh``."""
    return dist if weight == "length" else dist * 3.6 / access_speed_kmh


def nearest_node(
    graph: nx.Graph,
    xy: ArrayLike,
    *,
    access_only: bool = True,
    max_distance: float | None = None,
) -> tuple[IntArray, FloatArray]:
    """Return the nearest graph node of each point and the straight-line distance to it.

    Parameters
    ----------
    graph
        A graph from `layout.analysis.roads.build_road_graph`.
    xy
        ``(n, 2)`` coordinates (or one ``(x, y)`` pair) in the graph's CRS.
    access_only
        Only consider access nodes (surface roads and interchanges), not expressway vertices
        between interchanges.
    max_distance
        Points further than this (m) from every node get id ``-1`` and distance ``inf``.

    Returns
    -------
    ids : ndarray of int
        Node id per point, shape ``(n,)``.
    dist : ndarray of float
        Distance in CRS units (m), shape ``(n,)``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from layout.analysis.roads import build_road_graph
    >>> road = gpd.GeoDataFrame({"kind": ["main_road"]},
    ...     geometry=[shapely.LineString([(0, 0), (1000, 0)])], crs="EPSG:4547")
    >>> G = build_road_graph(road)
    >>> ids, dist = nearest_node(G, [(100, 50), (900, -10)])
    >>> G.graph["xy"][ids].tolist(), dist.round(1).tolist()
    ([[0.0, 0.0], [1000.0, 0.0]], [111.8, 100.5])
    """
    nodes_xy, _, access = _graph_arrays(graph)
    pts = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    candidates = np.flatnonzero(access) if access_only else np.arange(len(nodes_xy))
    if len(candidates) == 0:
        raise ConfigError("the graph has no access node (no surface road and no interchange)")
    bound = np.inf if max_distance is None else float(max_distance)
    dist, k = cKDTree(nodes_xy[candidates]).query(pts, distance_upper_bound=bound, workers=-1)
    found = k < len(candidates)
    ids = np.where(found, candidates[np.minimum(k, len(candidates) - 1)], -1).astype(np.intp)
    return ids, np.asarray(dist, dtype=np.float64)


def _target_xy(targets: gpd.GeoDataFrame | gpd.GeoSeries | ArrayLike, crs: CRS) -> FloatArray:
    """Coordinates of the target points, checked against the graph's CRS."""
    if isinstance(targets, gpd.GeoDataFrame | gpd.GeoSeries):
        tcrs = require_projected(targets, source="targets")
        if not tcrs.equals(crs):
            raise CRSMismatchError(
                f"targets are in {tcrs.to_string()} but the road graph is in {crs.to_string()}; "
                "reproject the targets with .to_crs(graph.graph['crs'])"
            )
        geoms = np.asarray(targets.geometry.values)
        problems = [
            Problem(
                "targets",
                "expected a Point (use .representative_point() for polygons)",
                feature=str(lab),
                column="geometry",
            )
            for lab, g in zip(targets.index, geoms, strict=True)
            if g is None or shapely.get_type_id(g) != 0 or shapely.is_empty(g)
        ]
        if problems:
            raise ValidationError(problems)
        xy = shapely.get_coordinates(geoms)
    else:
        xy = np.asarray(targets, dtype=np.float64)
        xy = xy.reshape(-1, 2) if xy.size else np.empty((0, 2))
    if len(xy) == 0:
        raise ValidationError(
            [
                Problem(
                    "targets",
                    "there are no target points; a distance to "
                    "the nearest target needs at least one",
                )
            ]
        )
    if not np.isfinite(xy).all():
        raise ValidationError([Problem("targets", "target coordinates must be finite")])
    return xy


def node_distance(
    graph: nx.Graph,
    targets: gpd.GeoDataFrame | gpd.GeoSeries | ArrayLike,
    *,
    weight: _Weight = "length",
    access_speed_kmh: float = 30.0,
    max_snap: float | None = None,
) -> FloatArray:
    """Return, for every graph node, the travel cost to the nearest target.

    The cost of node ``v`` is ``min over targets t of (leg(t) + path(node(t), v))`` where
    ``node(t)`` is the access node nearest to ``t`` and ``leg(t)`` the straight line between them.
    It is solved exactly by one Dijkstra from a virtual source joined to every target node by an
    edge of its leg's cost (`networkx.multi_source_dijkstra_path_length`).

    Parameters
    ----------
    graph
        A graph from `layout.analysis.roads.build_road_graph`.
    targets
        Points (GeoDataFrame or GeoSeries in the graph's CRS) or an ``(n, 2)`` array of
        coordinates in that CRS.
    weight
        ``"length"`` (metres) or ``"time"`` (seconds).
    access_speed_kmh
        Speed of the straight access legs when ``weight="time"``.
    max_snap
        Targets further than this (m) from every access node are ignored.

    Returns
    -------
    ndarray
        Cost per node id, shape ``(n_nodes,)``; ``inf`` for nodes in a component with no target.

    Raises
    ------
    ValidationError
        No targets, non-point targets, or no target within ``max_snap`` of the network.
    CRSMismatchError
        The targets are in another CRS than the graph.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from layout.analysis.roads import build_road_graph
    >>> road = gpd.GeoDataFrame({"kind": ["main_road"]},
    ...     geometry=[shapely.LineString([(0, 0), (1000, 0)])], crs="EPSG:4547")
    >>> node_distance(build_road_graph(road), [(0, 30)]).tolist()
    [30.0, 1030.0]
    """
    nodes_xy, _, _ = _graph_arrays(graph)
    _check_weight(weight, access_speed_kmh)
    txy = _target_xy(targets, CRS.from_user_input(graph.graph["crs"]))
    ids, dist = nearest_node(graph, txy, max_distance=max_snap)
    ok = ids >= 0
    if not ok.any():
        raise ValidationError(
            [Problem("targets", f"no target lies within max_snap={max_snap} m of a road")]
        )
    leg = _leg_cost(dist[ok], weight, access_speed_kmh)
    # Cheapest leg per target node: several targets may share a node.
    order = np.argsort(-leg, kind="stable")
    offset: dict[int, float] = dict(zip(ids[ok][order].tolist(), leg[order].tolist(), strict=True))
    if len(set(offset.values())) == 1:
        # Every source starts at the same cost: plain multi-source Dijkstra, no copy needed.
        base = next(iter(offset.values()))
        found = nx.multi_source_dijkstra_path_length(graph, set(offset), weight=weight)
    else:
        base = 0.0
        aug = graph.copy()
        aug.add_weighted_edges_from(
            ((_SUPER_SOURCE, n, c) for n, c in offset.items()), weight=weight
        )
        found = nx.multi_source_dijkstra_path_length(aug, {_SUPER_SOURCE}, weight=weight)
        del found[_SUPER_SOURCE]
    cost = np.full(len(nodes_xy), np.inf)
    cost[np.fromiter(found.keys(), dtype=np.intp, count=len(found))] = (
        np.fromiter(found.values(), dtype=np.float64, count=len(found)) + base
    )
    return cost


def network_distance(
    graph: nx.Graph,
    targets: gpd.GeoDataFrame | gpd.GeoSeries | ArrayLike,
    grid: Grid,
    *,
    weight: _Weight = "length",
    access_speed_kmh: float = 30.0,
    max_snap: float | None = None,
    cell_snap: tuple[NDArray[np.int64], FloatArray] | None = None,
) -> FloatArray:
    """Return the road travel distance (or time) from every grid cell to the nearest target.

    For the centre ``c`` of each cell inside ``grid.mask``:
    ``leg(c) + node_distance(node(c))``, where ``node(c)`` is the nearest access node and
    ``leg(c)`` the straight line to it (see `node_distance` for the target side).  All cell
    centres are looked up in one vectorised k-d tree query.

    Parameters
    ----------
    graph
        A graph from `layout.analysis.roads.build_road_graph`.
    targets
        Points (GeoDataFrame or GeoSeries in the graph's CRS) or an ``(n, 2)`` array of
        coordinates in that CRS.
    grid
        The analysis grid; must share the graph's CRS.
    weight
        ``"length"``: metres; ``"time"``: seconds (edge ``time``, access legs at
        ``access_speed_kmh``).
    access_speed_kmh
        Speed of the straight access legs, used when ``weight="time"``.
    max_snap
        Cells and targets further than this (m) from every access node cannot reach the
        network: such cells get ``inf`` and such targets are ignored.  No limit by default.
    cell_snap
        The nearest access node of every masked cell, from `snap_cells` with the same
        ``max_snap``: pass it when computing distances to several kinds of targets, so that the
        cells are looked up once.

    Returns
    -------
    ndarray
        ``(nrows, ncols)`` float64: NaN outside ``grid.mask``; ``inf`` for cells that cannot
        reach any target (their road is in a component with no target, or beyond ``max_snap``).

    Raises
    ------
    CRSMismatchError
        The grid or the targets are in another CRS than the graph.
    ValidationError
        No targets, non-point targets, or none within ``max_snap`` of the network.
    ConfigError
        Unknown ``weight``, non-positive ``access_speed_kmh`` or a graph not made by
        `layout.analysis.roads.build_road_graph`.

    Examples
    --------
    A 1 km road along the x axis, a target at its west end, and a row of three 500 m cells
    whose centres lie 250 m north of the road at x = 250, 750 and 1250:

    >>> import geopandas as gpd, numpy as np, shapely
    >>> from layout.analysis.roads import build_road_graph
    >>> from layout.model.grid import Grid
    >>> road = gpd.GeoDataFrame({"kind": ["main_road"]},
    ...     geometry=[shapely.LineString([(0, 0), (1000, 0)])], crs="EPSG:4547")
    >>> G = build_road_graph(road)
    >>> grid = Grid(G.graph["crs"], 0.0, 500.0, 500.0, 1, 3, np.array([[True, True, False]]))
    >>> network_distance(G, [(0, 0)], grid).round(1)
    array([[ 353.6, 1353.6,    nan]])
    >>> network_distance(G, [(0, 0)], grid, weight="time").round(1)  # 50 km/h, legs at 30
    array([[ 42.4, 114.4,   nan]])
    """
    _, crs, _ = _graph_arrays(graph)
    _check_weight(weight, access_speed_kmh)
    if not grid.crs.equals(crs):
        raise CRSMismatchError(
            f"the grid is in {grid.crs.to_string()} but the road graph is in {crs.to_string()}; "
            "build both in the same metric CRS"
        )
    cost = node_distance(
        graph, targets, weight=weight, access_speed_kmh=access_speed_kmh, max_snap=max_snap
    )
    out = np.full(grid.shape, np.nan)
    if not grid.mask.any():
        return out
    ids, dist = cell_snap if cell_snap is not None else snap_cells(graph, grid, max_snap=max_snap)
    cost = np.append(cost, np.inf)  # id -1 (beyond max_snap) reads this last entry
    out[grid.mask] = _leg_cost(dist, weight, access_speed_kmh) + cost[ids]
    return out


def snap_cells(
    graph: nx.Graph, grid: Grid, *, max_snap: float | None = None
) -> tuple[NDArray[np.int64], FloatArray]:
    """Nearest access node and straight-line distance of every cell inside ``grid.mask``.

    The result can be passed to `network_distance` as ``cell_snap`` for every kind of target.
    """
    _, crs, _ = _graph_arrays(graph)
    if not grid.crs.equals(crs):
        raise CRSMismatchError(
            f"the grid is in {grid.crs.to_string()} but the road graph is in {crs.to_string()}; "
            "build both in the same metric CRS"
        )
    ids, dist = nearest_node(graph, grid.centres(), max_distance=max_snap)
    return np.asarray(ids, dtype=np.int64), np.asarray(dist, dtype=np.float64)
