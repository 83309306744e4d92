"""Tests of layout.analysis.network on hand-drawn road layouts with hand-worked answers.

The lattice is drawn in tests/fixtures/roads.py; the analysis grid has 100 m cells whose centres
fall on multiples of 100 m (x0 = -50, y_top = 2050), so cell centres can be named by coordinates.
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import CRS
from shapely import Point

from layout.analysis.network import nearest_node, network_distance, node_distance
from layout.analysis.roads import build_road_graph
from layout.errors import ConfigError, CRSError, CRSMismatchError, ValidationError
from layout.model.grid import Grid
from tests.fixtures import roads
from tests.fixtures.roads import CRS_M, TOL, cell_value, node_at, road_lines


@pytest.fixture
def lattice_lines() -> gpd.GeoDataFrame:
    return roads.lattice_lines()


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    return roads.lattice_points()


@pytest.fixture
def lattice(lattice_lines: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> nx.Graph:
    return build_road_graph(lattice_lines, interchanges=points)


@pytest.fixture
def grid() -> Grid:
    return roads.lattice_grid()


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
    G = build_road_graph(road_lines([("main_road", [(0, 0), (1000, 0)]),
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
    lines = road_lines([("main_road", [(0, 0), (1000, 0)])])
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
