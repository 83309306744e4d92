"""The road graph: a networkx graph of the roads, expressways joined only at interchanges.

`build_road_graph` turns the ``transport_lines`` layer (projected CRS) into an undirected
`networkx.Graph` whose edges carry ``length`` (m), ``time`` (s) and ``kind``;
`layout.analysis.network` measures travel distances over it.

How roads are joined
--------------------
*Tiers.*  Lines of kind ``expressway`` form the controlled-access tier; every other selected kind
(``main_road`` by default) forms the surface tier.

*Within a tier* lines are noded: they connect where they share a vertex, where one ends on
another and where they cross without a shared vertex (GEOS noding, `shapely.union_all`).
Vertices closer than ``snap_tolerance`` (1 m) become one node.  Every vertex is a node, so a
cell can join a road at any of its vertices, not only at junctions.  Expressways that cross each
other are joined: in the ring-and-radial Zhengzhou network expressways meet at hub interchanges.

*Between tiers* there is no junction where lines cross or share a vertex: such a planar node is a
bridge, and it becomes two nodes at the same coordinates, one per tier.  Expressways join surface
roads only at interchanges (``transport_points`` of kind ``interchange``): each interchange snaps
to the nearest expressway node within ``interchange_tolerance`` (50 m: the data model places
interchanges on an expressway vertex, the tolerance absorbs rounding of the published positions),
and that node is joined to the nearest surface road within the same tolerance, merged with it
when the road passes within ``snap_tolerance``, otherwise through a ``ramp`` edge (40 km/h).
A surface segment passing the interchange is split there, so a road drawn across the expressway
without a shared vertex still connects.

*Access.*  Cells and targets join the network by a straight "access" leg to the nearest *access
node*: a node of a surface road or an interchange.  Expressway vertices between interchanges are
not access nodes, since nobody drives onto an expressway from a field.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from layout.errors import ConfigError, Problem, ValidationError
from layout.io.crs import require_projected, require_same_crs

__all__ = ["CONTROLLED_ACCESS", "DEFAULT_SPEEDS", "build_road_graph"]

#: Speeds in km/h by kind, used where a line has no ``speed_kmh`` (data model defaults:
#: expressway 100, main road 50).  ``ramp`` is the edge joining an interchange to its surface
#: road when they do not touch; 40 km/h is an assumed typical ramp design speed.
DEFAULT_SPEEDS: dict[str, float] = {"expressway": 100.0, "main_road": 50.0, "ramp": 40.0}
#: Kinds of line that other roads may join only at interchanges.
CONTROLLED_ACCESS: frozenset[str] = frozenset({"expressway"})

_RAMP = "ramp"
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


class _Segments:
    """Straight segments of one tier: end-point node ids and the line each came from."""

    def __init__(self, u: IntArray, v: IntArray, owner: IntArray):
        self.u, self.v, self.owner = u, v, owner


def _select_lines(
    lines: gpd.GeoDataFrame, kinds: Collection[str], speeds: Mapping[str, float]
) -> tuple[NDArray[Any], NDArray[Any], FloatArray, NDArray[Any]]:
    """Return single-part geometries, kinds, speeds (km/h) and row labels of the road lines."""
    if "kind" not in lines.columns:
        raise ValidationError(
            [Problem("transport_lines", "the layer has no 'kind' column", column="kind")]
        )
    sel = lines[lines["kind"].isin(list(kinds))]
    if len(sel) == 0:
        found = sorted(map(str, lines["kind"].dropna().unique()))
        raise ValidationError(
            [
                Problem(
                    "transport_lines",
                    f"no line of kind {', '.join(map(repr, kinds))}; "
                    f"kinds found: {found or 'none'}",
                    column="kind",
                )
            ]
        )
    problems: list[Problem] = []
    geoms = np.asarray(sel.geometry.values)
    gtype = shapely.get_type_id(geoms)
    # 1 LineString, 5 MultiLineString; -1 is a missing geometry.
    for label, g, t in zip(sel.index, geoms, gtype, strict=True):
        if t not in (1, 5):
            what = "no geometry" if t == -1 else g.geom_type
            problems.append(
                Problem(
                    "transport_lines",
                    f"expected a LineString, found {what}",
                    feature=str(label),
                    column="geometry",
                )
            )
    row_kind = sel["kind"].to_numpy(dtype=object)
    if "speed_kmh" in sel.columns:
        row_speed = sel["speed_kmh"].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    else:
        row_speed = np.full(len(sel), np.nan)
    for i, label in enumerate(sel.index):
        s = row_speed[i]
        if np.isnan(s):
            if row_kind[i] in speeds:
                row_speed[i] = speeds[row_kind[i]]
            else:
                problems.append(
                    Problem(
                        "transport_lines",
                        f"kind {row_kind[i]!r} has no default speed; give speed_kmh or "
                        f"speeds={{{row_kind[i]!r}: ...}}",
                        feature=str(label),
                        column="speed_kmh",
                    )
                )
        elif not (np.isfinite(s) and s > 0):
            problems.append(
                Problem(
                    "transport_lines",
                    f"speed_kmh must be positive, found {s}",
                    feature=str(label),
                    column="speed_kmh",
                )
            )
    if problems:
        raise ValidationError(problems)
    parts, idx = shapely.get_parts(geoms, return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, idx = parts[keep], idx[keep]
    return parts, row_kind[idx], row_speed[idx], np.asarray(sel.index, dtype=object)[idx]


def _noded_segments(
    geoms: NDArray[Any], speed: FloatArray, densify: float | None
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Node one tier's lines; return segment starts, ends and the index of each one's line.

    A piece of the noded linework that lies on several lines (they overlap) takes the fastest.
    """
    if len(geoms) == 0:
        empty = np.empty((0, 2))
        return empty, empty, np.empty(0, dtype=np.intp)
    pieces = shapely.get_parts(shapely.union_all(geoms))
    pieces = pieces[shapely.get_type_id(pieces) == 1]
    if densify is not None:
        pieces = shapely.segmentize(pieces, densify)
    mid = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    piece_i, line_i = shapely.STRtree(geoms).query_nearest(mid, all_matches=True)
    # Fastest line per piece: sort by speed, the last write per piece wins.
    order = np.argsort(speed[line_i], kind="stable")
    owner_of_piece = np.empty(len(pieces), dtype=np.intp)
    owner_of_piece[piece_i[order]] = line_i[order]
    coords, ring = shapely.get_coordinates(pieces, return_index=True)
    same = ring[1:] == ring[:-1]
    return coords[:-1][same], coords[1:][same], owner_of_piece[ring[:-1][same]]


def _cluster(points: FloatArray, tol: float) -> tuple[IntArray, FloatArray]:
    """Label points closer than ``tol`` (single linkage); return labels and one point per label."""
    uniq, inverse = np.unique(points, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    if len(uniq) == 0:
        return inverse.astype(np.intp), uniq
    pairs = cKDTree(uniq).query_pairs(tol, output_type="ndarray")
    n = len(uniq)
    adj = coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    _, first = np.unique(labels, return_index=True)
    return labels[inverse].astype(np.intp), uniq[first]


def _tier(
    geoms: NDArray[Any],
    speed: FloatArray,
    snap_tolerance: float,
    densify: float | None,
    offset: int,
) -> tuple[FloatArray, _Segments]:
    """Node one tier; return its node coordinates and segments (node ids start at ``offset``)."""
    a, b, owner = _noded_segments(geoms, speed, densify)
    labels, xy = _cluster(np.concatenate([a, b]), snap_tolerance)
    u, v = labels[: len(a)] + offset, labels[len(a) :] + offset
    keep = u != v  # a segment shorter than the snapping tolerance collapses
    return xy, _Segments(u[keep], v[keep], owner[keep])


def _interchange_xy(
    interchanges: gpd.GeoDataFrame | gpd.GeoSeries | ArrayLike, lines: gpd.GeoDataFrame
) -> tuple[FloatArray, NDArray[Any]]:
    """Coordinates and labels of the interchange points (rows of kind ``interchange`` only)."""
    if isinstance(interchanges, gpd.GeoDataFrame | gpd.GeoSeries):
        require_same_crs(lines, interchanges, names=("transport lines", "interchanges"))
        pts = interchanges
        if isinstance(pts, gpd.GeoDataFrame) and "kind" in pts.columns:
            pts = pts[pts["kind"] == "interchange"]
        geoms = np.asarray(pts.geometry.values)
        bad = [
            str(lab)
            for lab, g in zip(pts.index, geoms, strict=True)
            if g is None or shapely.get_type_id(g) != 0 or shapely.is_empty(g)
        ]
        if bad:
            raise ValidationError(
                [
                    Problem("interchanges", "expected a Point", feature=lab, column="geometry")
                    for lab in bad
                ]
            )
        return shapely.get_coordinates(geoms), np.asarray(pts.index, dtype=object)
    xy = np.asarray(interchanges, dtype=np.float64).reshape(-1, 2)
    return xy, np.arange(len(xy), dtype=object)


def _point_segment(p: FloatArray, a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Distance from point ``p`` to each segment ``a``–``b`` and the position ``t`` (0–1) on it."""
    ab = b - a
    den = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.where(den > 0, den, 1.0), 0.0, 1.0)
    q = a + t[:, None] * ab
    return np.hypot(*(p - q).T), t


def build_road_graph(
    lines: gpd.GeoDataFrame,
    *,
    kinds: Collection[str] = ("expressway", "main_road"),
    interchanges: gpd.GeoDataFrame | gpd.GeoSeries | ArrayLike | None = None,
    speeds: Mapping[str, float] | None = None,
    snap_tolerance: float = 1.0,
    interchange_tolerance: float = 50.0,
    densify: float | None = None,
) -> nx.Graph:
    """Build the road graph from road LineStrings, expressways joined only at interchanges.

    The rules (tiers, bridges, interchanges, access nodes) are in the module docstring.

    Parameters
    ----------
    lines
        The ``transport_lines`` layer, in a projected CRS (metres); needs a ``kind`` column and
        may have ``speed_kmh``.  Lines of other kinds (railways) are ignored.
    kinds
        Kinds of line that make up the network.
    interchanges
        Where expressways join surface roads: the ``transport_points`` layer (only rows of kind
        ``interchange`` are used when it has a ``kind`` column), other points in the CRS of
        ``lines``, or an ``(n, 2)`` array of coordinates in that CRS.  Required when the selected
        lines include an expressway; pass an empty array to leave expressways unconnected.
    speeds
        Speeds in km/h by kind, overriding `DEFAULT_SPEEDS`; a line's own ``speed_kmh`` wins
        over both.  A kind without a default (for example ``railway``) needs one of them.
    snap_tolerance
        Vertices of one tier closer than this (m) become one node.
    interchange_tolerance
        Furthest (m) an interchange may be from an expressway vertex, and that vertex from the
        surface road it joins.
    densify
        If given, surface roads get a vertex at least every ``densify`` metres, so that cells
        join a long straight road near their foot point rather than at its far ends.

    Returns
    -------
    networkx.Graph
        Undirected graph with integer nodes ``0 … n-1`` carrying ``x``, ``y`` and ``access``
        (True where cells and targets may join).  Edges carry ``length`` (m), ``time`` (s),
        ``kind`` and ``source`` (the row label of the line, or of the interchange of a ramp).
        ``G.graph`` holds ``crs``, ``xy`` (``(n, 2)`` coordinates indexed by node id),
        ``access`` (boolean array) and ``interchange_nodes``.  Treat the graph as read-only:
        the arrays are not updated if nodes are added.

    Raises
    ------
    CRSError
        ``lines`` has no CRS or a geographic one (reproject with `layout.io.crs.to_metric`).
    CRSMismatchError
        ``interchanges`` is in another CRS than ``lines``.
    ValidationError
        No line of the requested kinds, non-line geometries or bad speeds; every row is listed.
    ConfigError
        Expressways selected but ``interchanges`` not given, or a non-positive argument.

    Warns
    -----
    UserWarning
        An interchange lies further than ``interchange_tolerance`` from every expressway vertex.

    Examples
    --------
    Two main roads crossing without a shared vertex, and an expressway that joins the first at
    an interchange at (0, 0) and passes over the second at (1000, 500), a vertex of both lines:

    >>> import geopandas as gpd, shapely
    >>> roads = gpd.GeoDataFrame(
    ...     {"kind": ["main_road", "main_road", "expressway"]},
    ...     geometry=[shapely.LineString([(0, 0), (2000, 0)]),
    ...               shapely.LineString([(1000, -1000), (1000, 500), (1000, 1000)]),
    ...               shapely.LineString([(0, 0), (0, 500), (1000, 500), (2000, 500)])],
    ...     crs="EPSG:4547")
    >>> G = build_road_graph(roads, interchanges=[(0, 0)])
    >>> G.number_of_nodes(), G.number_of_edges()
    (9, 8)

    The bridge is two nodes, one per tier, and only the surface one is an access node:

    >>> [(n, G.nodes[n]["access"]) for n in G if (G.nodes[n]["x"], G.nodes[n]["y"]) == (1000, 500)]
    [(2, False), (6, True)]
    >>> G.has_edge(2, 6)
    False
    >>> round(nx.shortest_path_length(G, 0, 2, weight="time"), 1)  # 1500 m at 100 km/h
    54.0
    """
    crs = require_projected(lines, source="transport lines")
    for name, value in (
        ("snap_tolerance", snap_tolerance),
        ("interchange_tolerance", interchange_tolerance),
    ):
        if not value >= 0:
            raise ConfigError(f"{name} must be zero or positive, got {value}")
    if densify is not None and not densify > 0:
        raise ConfigError(f"densify must be positive, got {densify}")
    table = {**DEFAULT_SPEEDS, **(speeds or {})}
    bad = {k: s for k, s in table.items() if not (np.isfinite(s) and s > 0)}
    if bad:
        raise ConfigError(f"speeds must be positive km/h, got {bad}")

    geoms, kind, speed, label = _select_lines(lines, kinds, table)
    controlled = np.isin(kind, list(CONTROLLED_ACCESS))
    if controlled.any() and interchanges is None:
        raise ConfigError(
            f"the lines include {int(controlled.sum())} expressway part(s) but no interchanges "
            "were given; pass interchanges=<transport_points layer> (its rows of kind "
            "'interchange' are used), an empty array to leave expressways unconnected, or "
            "kinds=('main_road',) to leave them out"
        )

    ex_idx, sf_idx = np.flatnonzero(controlled), np.flatnonzero(~controlled)
    ex_xy, ex_seg = _tier(geoms[ex_idx], speed[ex_idx], snap_tolerance, None, 0)
    sf_xy, sf_seg = _tier(geoms[sf_idx], speed[sf_idx], snap_tolerance, densify, len(ex_xy))
    ex_owner, sf_owner = ex_idx[ex_seg.owner], sf_idx[sf_seg.owner]
    coords = [ex_xy, sf_xy]
    n_nodes = len(ex_xy) + len(sf_xy)
    su, sv, sown = list(sf_seg.u), list(sf_seg.v), list(sf_owner)  # split at interchanges below
    parent = np.arange(n_nodes)  # surface nodes merged into an interchange node
    ramps: list[tuple[int, int, Any]] = []
    ic_nodes: list[int] = []

    if interchanges is not None and len(ex_xy):
        ic_xy, ic_label = _interchange_xy(interchanges, lines)
        if len(ic_xy):
            dist, hit = cKDTree(ex_xy).query(ic_xy, distance_upper_bound=interchange_tolerance)
            missed = [str(lab) for lab, d in zip(ic_label, dist, strict=True) if not np.isfinite(d)]
            if missed:
                warnings.warn(
                    f"{len(missed)} interchange(s) lie further than {interchange_tolerance} m "
                    f"from every expressway vertex and join nothing: {', '.join(missed)}",
                    UserWarning,
                    stacklevel=2,
                )
            for e, lab in zip(hit, ic_label, strict=True):
                if e >= len(ex_xy) or int(e) in ic_nodes:
                    continue
                e = int(e)
                ic_nodes.append(e)
                if not su:
                    continue
                xy_now = np.concatenate(coords)
                a, b = xy_now[np.asarray(su)], xy_now[np.asarray(sv)]
                d, t = _point_segment(ex_xy[e], a, b)
                j = int(np.argmin(d))
                if d[j] > interchange_tolerance:
                    continue
                seg_len = float(np.hypot(*(b[j] - a[j])))
                if t[j] * seg_len <= snap_tolerance:
                    w, w_xy = su[j], a[j]
                elif (1.0 - t[j]) * seg_len <= snap_tolerance:
                    w, w_xy = sv[j], b[j]
                else:  # split the surface segment at the foot of the interchange
                    w, w_xy = n_nodes, a[j] + t[j] * (b[j] - a[j])
                    n_nodes += 1
                    coords.append(w_xy[None, :])
                    parent = np.append(parent, w)
                    su.append(w)
                    sv.append(sv[j])
                    sown.append(sown[j])
                    sv[j] = w
                if np.hypot(*(w_xy - ex_xy[e])) <= snap_tolerance and parent[w] == w:
                    parent[w] = e
                else:
                    ramps.append((e, w, lab))

    # Assemble the edges: expressway segments, surface segments, ramps.
    u = np.concatenate(
        [ex_seg.u, np.asarray(su, dtype=np.intp), np.asarray([r[0] for r in ramps], dtype=np.intp)]
    )
    v = np.concatenate(
        [ex_seg.v, np.asarray(sv, dtype=np.intp), np.asarray([r[1] for r in ramps], dtype=np.intp)]
    )
    owner = np.concatenate([ex_owner, np.asarray(sown, dtype=np.intp)])
    e_kind = np.concatenate([kind[owner], np.full(len(ramps), _RAMP, dtype=object)])
    e_speed = np.concatenate([speed[owner], np.full(len(ramps), table[_RAMP])])
    e_source = np.concatenate([label[owner], np.asarray([r[2] for r in ramps], dtype=object)])
    u, v = parent[u], parent[v]
    keep = u != v
    u, v, e_kind, e_speed, e_source = u[keep], v[keep], e_kind[keep], e_speed[keep], e_source[keep]

    # Renumber the nodes 0..n-1 (surface nodes merged into interchanges disappear).
    xy_all = np.concatenate(coords)
    used = np.unique(np.concatenate([u, v, np.asarray(ic_nodes, dtype=np.intp)]))
    u, v = np.searchsorted(used, u), np.searchsorted(used, v)
    xy = xy_all[used]
    interchange_nodes = np.searchsorted(used, np.asarray(ic_nodes, dtype=np.intp))
    access = np.zeros(len(used), dtype=bool)
    surface_edge = ~np.isin(e_kind, list(CONTROLLED_ACCESS))
    access[u[surface_edge]] = True
    access[v[surface_edge]] = True
    access[interchange_nodes] = True

    length = np.hypot(*(xy[u] - xy[v]).T)
    time = length / (e_speed / 3.6)  # km/h -> m/s
    G = nx.Graph(crs=crs, xy=xy, access=access, interchange_nodes=interchange_nodes)
    G.add_nodes_from(
        (i, {"x": float(x), "y": float(y), "access": bool(acc)})
        for i, ((x, y), acc) in enumerate(zip(xy, access, strict=True))
    )
    # Where two segments join the same pair of nodes the fastest is kept: add it last.
    for i in np.argsort(-time, kind="stable"):
        G.add_edge(
            int(u[i]),
            int(v[i]),
            length=float(length[i]),
            time=float(time[i]),
            kind=str(e_kind[i]),
            source=e_source[i],
        )
    return G
