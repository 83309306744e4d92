"""Tests of layout.analysis.network on hand-drawn road layouts with hand-worked answers.

The main fixture, ``lattice`` (EPSG:4547, metres)::

    y=2000  +---------+---------+
            |         |         |
    y=1000  +---------+---------+        + lattice node (main roads every 1000 m)
            |         |         |
    y=500   I=========B=========I        = expressway (0,500)-(2000,500)
            |         |         |        I interchange, B bridge over x=1000 (no interchange)
    y=0     +---------+---------+
           x=0      x=1000    x=2000

Some main roads are drawn with a vertex at every junction, others as one straight segment that
the graph must node where it is crossed or touched.  The x=0 road has no vertex at its
interchange (0, 500), so the graph must split it there; the x=1000 road and the expressway share
a vertex at the bridge B, which must *not* become a junction.

The analysis grid has 100 m cells whose centres fall on multiples of 100 m (x0 = -50,
y_top = 2050), so cell centres can be named by coordinates.
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import CRS
from shapely import LineString, Point

from layout.analysis.network import build_road_graph, nearest_node, network_distance, node_distance
from layout.errors import ConfigError, CRSError, CRSMismatchError, ValidationError
from layout.model.grid import Grid

CRS_M = "EPSG:4547"
TOL = 1e-6  # metres or seconds


def _lines(rows: list[tuple[str, list[tuple[float, float]]]], **cols: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"line_id": [f"l{i}" for i in range(len(rows))], "kind": [k for k, _ in rows], **cols},
        geometry=[LineString(c) for _, c in rows], crs=CRS_M)


@pytest.fixture
def lattice_lines() -> gpd.GeoDataFrame:
    return _lines([
        ("main_road", [(0, 0), (2000, 0)]),                        # crossed/touched, no vertices
        ("main_road", [(0, 1000), (1000, 1000), (2000, 1000)]),    # vertices at the junctions
        ("main_road", [(0, 2000), (2000, 2000)]),
        ("main_road", [(0, 0), (0, 2000)]),                        # no vertex at interchange
        ("main_road", [(1000, 0), (1000, 500), (1000, 1000), (1000, 2000)]),  # vertex at bridge
        ("main_road", [(2000, 0), (2000, 500), (2000, 2000)]),     # vertex at interchange
        ("expressway", [(0, 500), (1000, 500), (2000, 500)]),
        ("railway", [(500, -100), (500, 2100)]),                   # not a road: ignored
    ])


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    """transport_points: two interchanges and a station that must not become one."""
    return gpd.GeoDataFrame(
        {"node_id": ["ic_w", "ic_e", "st"], "kind": ["interchange", "interchange", "rail_station"]},
        geometry=[Point(0, 500), Point(2000, 500), Point(1000, 500)], crs=CRS_M)


@pytest.fixture
def lattice(lattice_lines: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> nx.Graph:
    return build_road_graph(lattice_lines, interchanges=points)


@pytest.fixture
def grid() -> Grid:
    return Grid(CRS.from_user_input(CRS_M), -50.0, 2050.0, 100.0, 21, 21,
                np.ones((21, 21), dtype=bool))


def node_at(G: nx.Graph, x: float, y: float, *, access: bool = True) -> int:
    """The node at exactly (x, y) with the given access flag, found by scanning (independent)."""
    found = [n for n, d in G.nodes(data=True)
             if d["x"] == x and d["y"] == y and d["access"] == access]
    assert len(found) == 1, (x, y, access, found)
    return found[0]


def cell_value(out: np.ndarray, x: float, y: float) -> float:
    return float(out[round((2000 - y) / 100), round(x / 100)])


# --- graph structure ------------------------------------------------------------------------


def test_lattice_nodes_and_edges(lattice: nx.Graph) -> None:
    # Surface: 9 lattice nodes + (1000,500) + (2000,500) + (0,500) split = 12;
    # expressway: 3 nodes, of which the two interchanges merge with their surface node.
    assert lattice.number_of_nodes() == 13
    # Surface: 3 horizontals x 2 + x=0: 3 + x=1000: 3 + x=2000: 3 = 15; expressway: 2.
    assert lattice.number_of_edges() == 17
    kinds = nx.get_edge_attributes(lattice, "kind")
    assert sorted(set(kinds.values())) == ["expressway", "main_road"]
    assert sum(k == "expressway" for k in kinds.values()) == 2
    assert nx.is_connected(lattice)
    assert lattice.graph["crs"].equals(CRS.from_user_input(CRS_M))


def test_arrays_match_node_attributes(lattice: nx.Graph) -> None:
    xy, access = lattice.graph["xy"], lattice.graph["access"]
    assert xy.shape == (lattice.number_of_nodes(), 2)
    assert sorted(lattice.nodes) == list(range(lattice.number_of_nodes()))
    for n, d in lattice.nodes(data=True):
        assert (xy[n, 0], xy[n, 1]) == (d["x"], d["y"])
        assert access[n] == d["access"]


def test_bridge_is_two_unconnected_nodes(lattice: nx.Graph) -> None:
    surface, express = node_at(lattice, 1000, 500), node_at(lattice, 1000, 500, access=False)
    assert not lattice.has_edge(surface, express)
    assert {lattice.edges[surface, n]["kind"] for n in lattice[surface]} == {"main_road"}
    assert {lattice.edges[express, n]["kind"] for n in lattice[express]} == {"expressway"}
    # Only the bridge's expressway node is not an access node.
    assert [n for n in lattice if not lattice.nodes[n]["access"]] == [express]


def test_interchanges_join_both_tiers(lattice: nx.Graph) -> None:
    west, east = node_at(lattice, 0, 500), node_at(lattice, 2000, 500)
    assert sorted(lattice.graph["interchange_nodes"].tolist()) == sorted([west, east])
    for n in (west, east):
        kinds = sorted(lattice.edges[n, m]["kind"] for m in lattice[n])
        assert kinds == ["expressway", "main_road", "main_road"]
    # x=0 road was split at the interchange: 500 m south, 500 m north of it.
    assert sorted(lattice.edges[west, m]["length"] for m in lattice[west]
                  if lattice.edges[west, m]["kind"] == "main_road") == [500.0, 500.0]


def test_crossing_lines_are_noded() -> None:
    G = build_road_graph(_lines([("main_road", [(-100, 0), (100, 0)]),
                                 ("main_road", [(0, -100), (0, 100)])]))
    centre = node_at(G, 0, 0)
    assert G.degree[centre] == 4
    assert all(G.edges[centre, n]["length"] == 100.0 for n in G[centre])


def test_vertices_within_snap_tolerance_merge() -> None:
    lines = _lines([("main_road", [(0, 0), (1000, 0)]), ("main_road", [(1000.4, 0), (2000, 0)])])
    assert nx.is_connected(build_road_graph(lines, snap_tolerance=1.0))
    assert not nx.is_connected(build_road_graph(lines, snap_tolerance=0.1))


def test_edge_lengths_and_times(lattice: nx.Graph) -> None:
    for _, _, d in lattice.edges(data=True):
        speed = {"expressway": 100.0, "main_road": 50.0}[d["kind"]]
        assert d["time"] == pytest.approx(d["length"] / (speed / 3.6), abs=TOL)
    a, b = node_at(lattice, 0, 500), node_at(lattice, 1000, 500, access=False)
    assert lattice.edges[a, b]["length"] == 1000.0
    assert lattice.edges[a, b]["time"] == pytest.approx(36.0, abs=TOL)  # 1 km at 100 km/h
    c, d = node_at(lattice, 0, 1000), node_at(lattice, 1000, 1000)
    assert lattice.edges[c, d]["time"] == pytest.approx(72.0, abs=TOL)  # 1 km at 50 km/h
    assert lattice.edges[c, d]["source"] == 1  # row label of the y=1000 line


def test_speed_column_and_speeds_argument() -> None:
    lines = _lines([("main_road", [(0, 0), (1000, 0)]), ("main_road", [(1000, 0), (2000, 0)])],
                   speed_kmh=[80.0, np.nan])
    G = build_road_graph(lines, speeds={"main_road": 60.0})
    times = sorted(d["time"] for _, _, d in G.edges(data=True))
    assert times == pytest.approx([1000 / (80 / 3.6), 1000 / (60 / 3.6)], abs=TOL)


def test_ramp_when_interchange_is_off_the_road() -> None:
    # The expressway vertex (0, 30) lies 30 m north of the main road y=0: a 30 m ramp.
    lines = _lines([("main_road", [(-500, 0), (500, 0)]),
                    ("expressway", [(0, 30), (0, 1030)])])
    G = build_road_graph(lines, interchanges=np.array([[0.0, 35.0]]))
    ramp = [(u, v, d) for u, v, d in G.edges(data=True) if d["kind"] == "ramp"]
    assert len(ramp) == 1
    _, _, d = ramp[0]
    assert d["length"] == pytest.approx(30.0, abs=TOL)
    assert d["time"] == pytest.approx(30.0 / (40.0 / 3.6), abs=TOL)
    assert nx.is_connected(G)
    # the main road was split at the foot of the ramp
    assert G.degree[node_at(G, 0, 0)] == 3


def test_interchange_far_from_expressway_warns(lattice_lines: gpd.GeoDataFrame) -> None:
    with pytest.warns(UserWarning, match=r"1 interchange\(s\).*join nothing: 1"):
        G = build_road_graph(lattice_lines, interchanges=[(0, 500), (1000, 1500)])
    assert len(G.graph["interchange_nodes"]) == 1


def test_expressways_need_interchanges(lattice_lines: gpd.GeoDataFrame) -> None:
    with pytest.raises(ConfigError, match="no interchanges were given"):
        build_road_graph(lattice_lines)
    G = build_road_graph(lattice_lines, kinds=("main_road",))
    assert "expressway" not in set(nx.get_edge_attributes(G, "kind").values())
    isolated = build_road_graph(lattice_lines, interchanges=np.empty((0, 2)))
    assert nx.number_connected_components(isolated) == 2


def test_geographic_crs_is_refused(lattice_lines: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSError, match="to_metric"):
        build_road_graph(lattice_lines.to_crs("EPSG:4326"), kinds=("main_road",))
    with pytest.raises(CRSError, match="no CRS"):
        build_road_graph(lattice_lines.set_crs(None, allow_override=True))


def test_interchanges_in_another_crs(lattice_lines: gpd.GeoDataFrame,
                                     points: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSMismatchError, match="EPSG:4326"):
        build_road_graph(lattice_lines, interchanges=points.to_crs("EPSG:4326"))


def test_bad_lines_are_all_reported() -> None:
    lines = gpd.GeoDataFrame(
        {"kind": ["main_road", "main_road", "railway"], "speed_kmh": [-5.0, np.nan, np.nan]},
        geometry=[LineString([(0, 0), (1, 0)]), Point(0, 0), LineString([(0, 0), (0, 1)])],
        crs=CRS_M)
    with pytest.raises(ValidationError) as err:
        build_road_graph(lines, kinds=("main_road", "railway"))
    messages = [str(p) for p in err.value.problems]
    assert len(messages) == 3
    assert any("feature 0" in m and "positive" in m for m in messages)
    assert any("feature 1" in m and "Point" in m for m in messages)
    assert any("feature 2" in m and "'railway' has no default speed" in m for m in messages)
    with pytest.raises(ValidationError, match="no line of kind"):
        build_road_graph(lines, kinds=("expressway",))


# --- network distances ----------------------------------------------------------------------


def test_distances_equal_shortest_paths_plus_legs(lattice: nx.Graph, grid: Grid) -> None:
    """Independent referee: legs by hand + networkx.shortest_path_length between named nodes."""
    target = (1000.0, 500.0)  # on the surface node of the bridge: leg 0
    out = network_distance(lattice, [target], grid)
    t_node = node_at(lattice, *target)
    cases = {  # cell centre -> (its nearest access node, hand-worked answer in metres)
        (2000, 500): ((2000, 500), 2000.0),          # detour via y=0 or y=1000, not the bridge
        (1900, 500): ((2000, 500), 100.0 + 2000.0),
        (300, 700): ((0, 500), math.hypot(300, 200) + 2000.0),
        (1300, 1200): ((1000, 1000), math.hypot(300, 200) + 500.0),
        (1000, 600): ((1000, 500), 100.0),
    }
    for (cx, cy), ((nx_, ny_), expected) in cases.items():
        path = nx.shortest_path_length(lattice, node_at(lattice, nx_, ny_), t_node,
                                       weight="length")
        referee = math.hypot(cx - nx_, cy - ny_) + path
        assert referee == pytest.approx(expected, abs=TOL)
        assert cell_value(out, cx, cy) == pytest.approx(expected, abs=TOL), (cx, cy)


def test_bridge_is_not_a_shortcut(lattice_lines: gpd.GeoDataFrame, lattice: nx.Graph,
                                  grid: Grid) -> None:
    out = network_distance(lattice, [(1000.0, 500.0)], grid)
    assert cell_value(out, 2000, 500) == pytest.approx(2000.0, abs=TOL)
    # The same layout with the bridge wrongly drawn as an interchange is 1000 m shorter.
    naive = build_road_graph(lattice_lines, interchanges=[(0, 500), (1000, 500), (2000, 500)])
    out_naive = network_distance(naive, [(1000.0, 500.0)], grid)
    assert cell_value(out_naive, 2000, 500) == pytest.approx(1000.0, abs=TOL)


def test_time_weighting(lattice: nx.Graph, grid: Grid) -> None:
    target = [(0.0, 1000.0)]
    length = network_distance(lattice, target, grid)
    time = network_distance(lattice, target, grid, weight="time")
    # (0,1000) -> (2000,500): 2500 m either way; by time the expressway wins:
    # 500 m of main road at 50 km/h (36 s) + 2000 m of expressway at 100 km/h (72 s) = 108 s,
    # against 2500 m of main road (180 s).
    assert cell_value(length, 2000, 500) == pytest.approx(2500.0, abs=TOL)
    assert cell_value(time, 2000, 500) == pytest.approx(108.0, abs=TOL)
    # 100 m access leg at 30 km/h = 12 s.
    assert cell_value(time, 1900, 500) == pytest.approx(120.0, abs=TOL)
    # The bridge node is reached by main roads only: 1500 m at 50 km/h = 108 s, plus the 12 s leg
    # (through the bridge it would be 36 + 36 + 12 = 84 s).
    assert cell_value(time, 1000, 600) == pytest.approx(120.0, abs=TOL)
    # Referee: networkx on edge "time".
    ref = nx.shortest_path_length(lattice, node_at(lattice, 0, 1000), node_at(lattice, 2000, 500),
                                  weight="time")
    assert ref == pytest.approx(108.0, abs=TOL)
    # A slower access speed only changes the legs: 100 m at 10 km/h = 36 s.
    slow = network_distance(lattice, target, grid, weight="time", access_speed_kmh=10.0)
    assert cell_value(slow, 1900, 500) == pytest.approx(144.0, abs=TOL)


def test_targets_with_different_legs(lattice: nx.Graph, grid: Grid) -> None:
    """Each target's own leg counts: min over targets of leg + path + leg."""
    targets = gpd.GeoDataFrame(geometry=[Point(1000, 500), Point(1300, 1200)], crs=CRS_M)
    out = network_distance(lattice, targets, grid)
    leg2 = math.hypot(300, 200)  # (1300,1200) -> node (1000,1000)
    # cell (2000,1000): from target 1, 500 + 1000 = 1500; from target 2, leg2 + 1000.
    assert cell_value(out, 2000, 1000) == pytest.approx(leg2 + 1000.0, abs=TOL)
    assert cell_value(out, 1000, 400) == pytest.approx(100.0, abs=TOL)
    cost = node_distance(lattice, targets)
    assert cost[node_at(lattice, 1000, 1000)] == pytest.approx(min(500.0, leg2), abs=TOL)
    assert cost[node_at(lattice, 1000, 500)] == pytest.approx(0.0, abs=TOL)


def test_target_array_and_geodataframe_agree(lattice: nx.Graph, grid: Grid) -> None:
    xy = np.array([[1300.0, 1200.0], [150.0, 20.0]])
    gdf = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=CRS_M)
    np.testing.assert_array_equal(network_distance(lattice, xy, grid),
                                  network_distance(lattice, gdf, grid))


def test_mask_and_shape(lattice: nx.Graph, grid: Grid) -> None:
    mask = grid.mask.copy()
    mask[0, :] = False
    masked = Grid(grid.crs, grid.x0, grid.y_top, grid.cell, grid.nrows, grid.ncols, mask)
    out = network_distance(lattice, [(0.0, 0.0)], masked)
    assert out.shape == (21, 21)
    assert np.isnan(out[0]).all()
    assert np.isfinite(out[1:]).all()
    none = Grid(grid.crs, grid.x0, grid.y_top, grid.cell, grid.nrows, grid.ncols,
                np.zeros((21, 21), dtype=bool))
    assert np.isnan(network_distance(lattice, [(0.0, 0.0)], none)).all()


def test_disconnected_component_is_inf() -> None:
    """Road A (0..1000) holds the target; road B (2500..4000) does not connect to it."""
    G = build_road_graph(_lines([("main_road", [(0, 0), (1000, 0)]),
                                 ("main_road", [(2500, 0), (4000, 0)])]))
    # One row of 400 m cells, centres at x = 0, 400, ..., 4000 on y = 0; last cell masked.
    mask = np.ones((1, 11), dtype=bool)
    mask[0, -1] = False
    grid = Grid(CRS.from_user_input(CRS_M), -200.0, 200.0, 400.0, 1, 11, mask)
    out = network_distance(G, [(0.0, 0.0)], grid)
    # x=0: on the target; 400: 400 m leg back to (0,0); 800/1200: 200 m to (1000,0) + 1000;
    # 1600: 600 m to (1000,0) + 1000; from 2000 on the nearest node is on road B.
    expected = [0.0, 400.0, 1200.0, 1200.0, 1600.0] + [np.inf] * 5 + [np.nan]
    np.testing.assert_allclose(out[0], expected, atol=TOL)
    cost = node_distance(G, [(0.0, 0.0)])
    assert np.isinf(cost[[node_at(G, 2500, 0), node_at(G, 4000, 0)]]).all()


def test_max_snap(lattice: nx.Graph, grid: Grid) -> None:
    out = network_distance(lattice, [(0.0, 0.0)], grid, max_snap=300.0)
    assert np.isinf(cell_value(out, 500, 1500))       # 500 m from every node
    assert cell_value(out, 100, 0) == pytest.approx(100.0, abs=TOL)
    # Targets beyond max_snap are ignored; with none left it is an error.
    far = [(0.0, 0.0), (500.0, 1500.0)]
    np.testing.assert_array_equal(network_distance(lattice, far, grid, max_snap=300.0), out)
    with pytest.raises(ValidationError, match=r"max_snap=300\.0"):
        network_distance(lattice, [(500.0, 1500.0)], grid, max_snap=300.0)


def test_densify_brings_roads_closer() -> None:
    lines = _lines([("main_road", [(0, 0), (1000, 0)])])
    ids, dist = nearest_node(build_road_graph(lines), [(400, 100)])
    assert dist[0] == pytest.approx(math.hypot(400, 100), abs=TOL)
    G = build_road_graph(lines, densify=100.0)
    assert G.number_of_nodes() == 11
    ids, dist = nearest_node(G, [(400, 100)])
    assert dist[0] == pytest.approx(100.0, abs=TOL)
    assert (G.nodes[int(ids[0])]["x"], G.nodes[int(ids[0])]["y"]) == (400.0, 0.0)


def test_nearest_node_skips_expressway_vertices(lattice: nx.Graph) -> None:
    ids, dist = nearest_node(lattice, [(1000.0, 520.0), (500.0, 510.0)])
    assert ids[0] == node_at(lattice, 1000, 500)            # the surface node of the bridge
    assert dist[0] == pytest.approx(20.0, abs=TOL)
    # (500,510) is 10 m from the expressway but about 500 m from the nearest access node.
    assert dist[1] == pytest.approx(math.hypot(500, 10), abs=TOL)
    ids, _ = nearest_node(lattice, [(1000.0, 500.0)], max_distance=1.0)
    assert lattice.nodes[int(ids[0])]["access"]
    ids, dist = nearest_node(lattice, [(500.0, 1500.0)], max_distance=100.0)
    assert ids.tolist() == [-1] and np.isinf(dist).all()


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("targets", [
    np.empty((0, 2)),
    [],
    gpd.GeoDataFrame(geometry=[], crs=CRS_M),
])
def test_empty_targets(lattice: nx.Graph, grid: Grid, targets: object) -> None:
    with pytest.raises(ValidationError, match="no target points"):
        network_distance(lattice, targets, grid)


def test_non_point_targets_are_listed(lattice: nx.Graph, grid: Grid) -> None:
    targets = gpd.GeoDataFrame(
        geometry=[Point(0, 0), shapely.box(0, 0, 10, 10), None], index=["a", "b", "c"],
        crs=CRS_M)
    with pytest.raises(ValidationError) as err:
        network_distance(lattice, targets, grid)
    assert [p.feature for p in err.value.problems] == ["b", "c"]
    assert "representative_point" in str(err.value)


def test_crs_mismatches(lattice: nx.Graph, grid: Grid) -> None:
    t = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=CRS_M)
    with pytest.raises(CRSError, match="degrees"):
        network_distance(lattice, t.to_crs("EPSG:4326"), grid)
    with pytest.raises(CRSMismatchError, match=r"EPSG:4526.*EPSG:4547"):
        network_distance(lattice, t.to_crs("EPSG:4526"), grid)
    other = Grid(CRS.from_user_input("EPSG:4526"), grid.x0, grid.y_top, grid.cell, grid.nrows,
                 grid.ncols, grid.mask)
    with pytest.raises(CRSMismatchError, match=r"grid is in EPSG:4526"):
        network_distance(lattice, t, other)


def test_bad_arguments(lattice: nx.Graph, grid: Grid) -> None:
    with pytest.raises(ConfigError, match="weight"):
        network_distance(lattice, [(0, 0)], grid, weight="speed")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="access_speed_kmh"):
        network_distance(lattice, [(0, 0)], grid, weight="time", access_speed_kmh=0)
    with pytest.raises(ConfigError, match="build_road_graph"):
        network_distance(nx.path_graph(3), [(0, 0)], grid)
    with pytest.raises(ValidationError, match="finite"):
        network_distance(lattice, [(np.nan, 0)], grid)
