"""Tests of layout.analysis.roads on hand-drawn road layouts with hand-worked answers.

The lattice is drawn in tests/fixtures/roads.py.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from pyproj import CRS
from shapely import LineString, Point

from layout.analysis.roads import build_road_graph
from layout.errors import ConfigError, CRSError, CRSMismatchError, ValidationError
from tests.fixtures import roads
from tests.fixtures.roads import CRS_M, TOL, node_at, road_lines


@pytest.fixture
def lattice_lines() -> gpd.GeoDataFrame:
    return roads.lattice_lines()


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    return roads.lattice_points()


@pytest.fixture
def lattice(lattice_lines: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> nx.Graph:
    return build_road_graph(lattice_lines, interchanges=points)


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
    G = build_road_graph(road_lines([("main_road", [(-100, 0), (100, 0)]),
                                 ("main_road", [(0, -100), (0, 100)])]))
    centre = node_at(G, 0, 0)
    assert G.degree[centre] == 4
    assert all(G.edges[centre, n]["length"] == 100.0 for n in G[centre])


def test_vertices_within_snap_tolerance_merge() -> None:
    lines = road_lines([("main_road", [(0, 0), (1000, 0)]),
                        ("main_road", [(1000.4, 0), (2000, 0)])])
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
    lines = road_lines([("main_road", [(0, 0), (1000, 0)]), ("main_road", [(1000, 0), (2000, 0)])],
                   speed_kmh=[80.0, np.nan])
    G = build_road_graph(lines, speeds={"main_road": 60.0})
    times = sorted(d["time"] for _, _, d in G.edges(data=True))
    assert times == pytest.approx([1000 / (80 / 3.6), 1000 / (60 / 3.6)], abs=TOL)


def test_ramp_when_interchange_is_off_the_road() -> None:
    # The expressway vertex (0, 30) lies 30 m north of the main road y=0: a 30 m ramp.
    lines = road_lines([("main_road", [(-500, 0), (500, 0)]),
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
