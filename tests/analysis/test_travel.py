"""Travel time (`layout.analysis.travel`) against independent calculations.

* A small synthetic layout (an expressway, a railway, two crossing main roads, two interchanges,
  a freight station and an airport) is rebuilt here with shapely (each cell's square clipped
  against each line) into a networkx graph and solved by networkx's Dijkstra: the two agree to
  1e-9 relative.
* A cell behind an expressway with one road crossing far away gets the detour worked out by
  hand.
* Adding vertices (50 m against 500 m spacing) changes no cell by more than 1 %.
* No cell is faster than the straight line to its target at the top speed.
* On the embedded data, 200 sampled cells: their paths never step off-road across an expressway
  or a railway (shapely), and their values do not depend on the vertex spacing.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import CRS

from layout.analysis.travel import (
    DEFAULT_SPEEDS_KMH,
    GROUND,
    OFFROAD_KMH,
    RAMP_KMH,
    TIE_TOLERANCE_M,
    build_travel_graph,
    travel_minutes,
    travel_path,
    travel_tree,
)
from layout.data.inputs import load_inputs
from layout.model.criteria import CRITERIA
from layout.model.grid import Grid

CRS_M = CRS.from_epsg(4547)
KINDS = ("interchange", "freight_rail", "airport")


def minutes(metres: float, kmh: float) -> float:
    return metres / (kmh * 1000.0 / 60.0)


# --- the synthetic layout ---------------------------------------------------------------------

EXPRESSWAY = shapely.LineString([(0, 530), (1200, 580)])
RAILWAY = shapely.LineString([(830, 0), (870, 1000)])
ROAD_A = shapely.LineString([(50, 120), (1150, 880)])
ROAD_B = shapely.LineString([(0, 810), (1200, 760)])


def layout_layers(densify: float | None = None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    geoms = [EXPRESSWAY, RAILWAY, ROAD_A, ROAD_B]
    if densify is not None:
        geoms = list(shapely.segmentize(geoms, densify))
    lines = gpd.GeoDataFrame({"kind": ["expressway", "railway", "main_road", "main_road"]},
                             geometry=geoms, crs=CRS_M)
    crossing = EXPRESSWAY.intersection(ROAD_A)
    points = gpd.GeoDataFrame(
        {"kind": ["interchange", "interchange", "freight_rail", "airport"]},
        geometry=[EXPRESSWAY.interpolate(300.0), crossing, RAILWAY.interpolate(500.0),
                  shapely.Point(600, 200)], crs=CRS_M)
    return lines, points


def small_grid() -> Grid:
    mask = np.ones((10, 12), bool)
    mask[0, :3] = False
    return Grid(CRS_M, 0.0, 1000.0, 100.0, 10, 12, mask)


def reference(lines: gpd.GeoDataFrame, points: gpd.GeoDataFrame, grid: Grid, kind: str
              ) -> np.ndarray:
    """The rules of the module docstring rebuilt with shapely clipping, solved by networkx."""
    G = nx.DiGraph()
    c = grid.cell
    cells = {(r, k): shapely.box(grid.x0 + k * c, grid.y_top - (r + 1) * c,
                                 grid.x0 + (k + 1) * c, grid.y_top - r * c)
             for r in range(grid.nrows) for k in range(grid.ncols)}
    centre = {rc: (b.centroid.x, b.centroid.y) for rc, b in cells.items()}
    bar_lines = lines[lines["kind"].isin(["expressway", "railway"])]
    bar_geom = shapely.union_all(list(bar_lines.geometry))
    barrier = {rc for rc, b in cells.items() if b.intersects(bar_geom)}

    def add(a: object, b: object, w: float, both: bool = True) -> None:
        for u, v in [(a, b), (b, a)] if both else [(a, b)]:
            if not G.has_edge(u, v) or G[u][v]["w"] > w:
                G.add_edge(u, v, w=w)

    for (r, k) in cells:
        for dr, dk in ((0, 1), (1, 0), (1, 1), (1, -1)):
            o = (r + dr, k + dk)
            if o not in cells:
                continue
            w = minutes(c * np.hypot(dr, dk), OFFROAD_KMH)
            fa, fb = (r, k) not in barrier, o not in barrier
            if fa and fb:
                add((r, k), o, w)
            elif fa:
                add((r, k), o, w, both=False)
            elif fb:
                add(o, (r, k), w, both=False)

    roads = lines[lines["kind"].isin(["expressway", "main_road"])]
    pieces: dict[int, list[tuple[float, float, tuple[int, int]]]] = {}
    for i, (geom, kind_) in enumerate(zip(roads.geometry, roads["kind"], strict=True)):
        v = DEFAULT_SPEEDS_KMH[kind_]
        found = []
        for rc, b in cells.items():
            part = geom.intersection(b)
            if part.length <= 1e-9:
                continue
            ends = shapely.get_coordinates(part)
            s = sorted(geom.project(shapely.Point(p)) for p in ends)
            found.append((s[0], s[-1], rc))
        found.sort()
        pieces[i] = found
        for (s0, s1, rc), (t0, t1, rc2) in itertools.pairwise(found):
            add(("p", i, rc), ("p", i, rc2), minutes((t0 + t1) / 2 - (s0 + s1) / 2, v))
        if kind_ == "main_road":
            for s0, s1, rc in found:
                m = geom.interpolate((s0 + s1) / 2)
                w = minutes(np.hypot(m.x - centre[rc][0], m.y - centre[rc][1]), OFFROAD_KMH)
                add(("p", i, rc), rc, w, both=rc not in barrier)

    def piece_at(i: int, s: float) -> tuple[tuple[object, ...], float]:
        for s0, s1, rc in pieces[i]:
            if s0 - 1e-6 <= s <= s1 + 1e-6:
                return ("p", i, rc), (s0 + s1) / 2
        raise AssertionError("no piece")

    kinds = list(roads["kind"])
    geoms = list(roads.geometry)
    for i, j in itertools.combinations(range(len(geoms)), 2):
        if (kinds[i] == "expressway") != (kinds[j] == "expressway"):
            continue  # a bridge
        for x, y in shapely.get_coordinates(geoms[i].intersection(geoms[j])):
            p = shapely.Point(x, y)
            (ni, mi), (nj, mj) = piece_at(i, geoms[i].project(p)), piece_at(j, geoms[j].project(p))
            w = (minutes(abs(geoms[i].project(p) - mi), DEFAULT_SPEEDS_KMH[kinds[i]])
                 + minutes(abs(geoms[j].project(p) - mj), DEFAULT_SPEEDS_KMH[kinds[j]]))
            add(ni, nj, w)

    targets = []
    for n, (geom, kind_) in enumerate(zip(points.geometry, points["kind"], strict=True)):
        node = ("pt", n)
        both = kind_ == "interchange"
        own = (int((grid.y_top - geom.y) // c), int((geom.x - grid.x0) // c))
        near = ([own] if own not in barrier else
                [(own[0] + a, own[1] + b) for a in (-1, 0, 1) for b in (-1, 0, 1)
                 if (own[0] + a, own[1] + b) in cells and (own[0] + a, own[1] + b) not in barrier])
        for rc in near:
            add(node, rc, minutes(geom.distance(shapely.Point(centre[rc])), OFFROAD_KMH), both)
        ties = [("main_road", RAMP_KMH if both else OFFROAD_KMH)]
        if both:
            ties.append(("expressway", RAMP_KMH))
        for tie_kind, kmh in ties:
            idx = [i for i in range(len(geoms)) if kinds[i] == tie_kind]
            d = [geoms[i].distance(geom) for i in idx]
            if not d or min(d) > TIE_TOLERANCE_M:
                continue
            i = idx[int(np.argmin(d))]
            s = geoms[i].project(geom)
            pn, sm = piece_at(i, s)
            add(node, pn, minutes(min(d), kmh) + minutes(abs(s - sm), DEFAULT_SPEEDS_KMH[tie_kind]),
                both)
        if kind_ == kind:
            targets.append(node)
    dist = nx.multi_source_dijkstra_path_length(G, targets, weight="w")
    out = np.full(grid.shape, np.inf)
    for (r, k) in cells:
        out[r, k] = dist.get((r, k), np.inf)
    out[~grid.mask] = np.nan
    return out


@pytest.fixture(scope="module")
def synthetic() -> dict[str, np.ndarray]:
    lines, points = layout_layers()
    graph = build_travel_graph(lines, points, small_grid())
    return {k: travel_minutes(graph, kind=k) for k in KINDS}


@pytest.mark.parametrize("kind", KINDS)
def test_equals_a_shortest_path_on_an_independent_graph(synthetic: dict[str, np.ndarray],
                                                        kind: str) -> None:
    lines, points = layout_layers()
    ref = reference(lines, points, small_grid(), kind)
    got = synthetic[kind]
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(ref))
    ok = np.isfinite(ref)
    assert ok.sum() > 80
    np.testing.assert_allclose(got[ok], ref[ok], rtol=1e-9)


@pytest.mark.parametrize("kind", KINDS)
def test_densifying_the_lines_changes_nothing(kind: str) -> None:
    grid = small_grid()
    fine = travel_minutes(build_travel_graph(*layout_layers(50.0), grid), kind=kind)
    coarse = travel_minutes(build_travel_graph(*layout_layers(500.0), grid), kind=kind)
    ok = np.isfinite(coarse)
    np.testing.assert_array_equal(ok, np.isfinite(fine))
    np.testing.assert_allclose(fine[ok], coarse[ok], rtol=0.01)


@pytest.mark.parametrize("kind", KINDS)
def test_never_faster_than_the_straight_line_at_top_speed(synthetic: dict[str, np.ndarray],
                                                          kind: str) -> None:
    grid = small_grid()
    _, points = layout_layers()
    tgt = shapely.get_coordinates(points[points["kind"] == kind].geometry)
    xy = grid.centres(masked=False)
    straight = np.min(np.hypot(xy[:, None, 0] - tgt[None, :, 0],
                               xy[:, None, 1] - tgt[None, :, 1]), axis=1).reshape(grid.shape)
    top = max(*DEFAULT_SPEEDS_KMH.values(), OFFROAD_KMH, RAMP_KMH)
    got = synthetic[kind]
    ok = grid.mask
    assert np.all(got[ok] >= minutes(1.0, top) * straight[ok] - 1e-12)


def test_a_cell_behind_an_expressway_takes_the_detour_to_the_crossing() -> None:
    # 7 x 9 cells of 100 m; an expressway along y = 350 (row 3) across the whole grid; the only
    # crossing is a main road along x = 850 (the centres of column 8).  The cell at row 1,
    # column 0 is 400 m north of the airport at row 5, column 0, across the expressway.
    grid = Grid(CRS_M, 0.0, 700.0, 100.0, 7, 9, np.ones((7, 9), bool))
    lines = gpd.GeoDataFrame({"kind": ["expressway", "main_road"]}, crs=CRS_M, geometry=[
        shapely.LineString([(0, 350), (900, 350)]), shapely.LineString([(850, 0), (850, 700)])])
    airport = gpd.GeoDataFrame({"kind": ["airport"]}, crs=CRS_M, geometry=[shapely.Point(50, 150)])
    got = travel_minutes(build_travel_graph(lines, airport, grid), kind="airport")[1, 0]
    # By hand: 800 m east off-road to the road (a diagonal costs 141 m off-road against 100 m
    # off-road plus 100 m of road, 130 m-equivalent, so straight moves win), 400 m along the
    # road from row 1 to row 5 at 50 km/h (the road runs through the centres: no access leg),
    # 800 m west off-road to the airport.
    by_hand = minutes(1600.0, OFFROAD_KMH) + minutes(400.0, 50.0)
    assert got == pytest.approx(by_hand, rel=1e-12)
    # Without the barrier the cell walks straight: 400 m off-road.
    free = travel_minutes(build_travel_graph(lines, airport, grid, barriers=()), kind="airport")
    assert free[1, 0] == pytest.approx(minutes(400.0, OFFROAD_KMH), rel=1e-12)


def test_no_target_gives_no_data_and_speeds_are_checked() -> None:
    lines, points = layout_layers()
    graph = build_travel_graph(lines, points, small_grid())
    assert np.isnan(travel_minutes(graph, kind="rail_station")).all()
    from layout.errors import ConfigError, CRSMismatchError, ValidationError

    with pytest.raises(ConfigError, match="offroad_kmh"):
        build_travel_graph(lines, points, small_grid(), offroad_kmh=0.0)
    with pytest.raises(CRSMismatchError, match="EPSG:4526"):
        build_travel_graph(lines.to_crs(4526), points.to_crs(4526), small_grid())
    bad = points.copy()
    bad.loc[1, "geometry"] = shapely.box(0, 0, 10, 10)
    with pytest.raises(ValidationError, match=r"feature 1.*expected a Point"):
        build_travel_graph(lines, bad, small_grid())


def test_the_criteria_declare_the_module_default() -> None:
    for name in ("expressway", "rail_freight", "airport"):
        assert CRITERIA[name].params["offroad_kmh"] == OFFROAD_KMH
        assert CRITERIA[name].unit == "min"


# --- the embedded data ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_issue_200_cells_on_the_embedded_data() -> None:
    inputs = load_inputs()
    grid = inputs.grid
    lines, points = inputs.layer("transport_lines"), inputs.layer("transport_points")
    graph = build_travel_graph(lines, points, grid)
    dist, pred = travel_tree(graph, kind="interchange")
    n_cells = grid.nrows * grid.ncols
    cell_min = dist[:n_cells]
    rng = np.random.default_rng(19)
    candidates = np.flatnonzero(grid.mask.ravel() & np.isfinite(cell_min)
                                & ~graph.barrier.ravel())
    sample = rng.choice(candidates, 200, replace=False)
    barriers = shapely.union_all(list(
        lines[lines["kind"].isin(["expressway", "railway"])].geometry))
    shapely.prepare(barriers)
    off_road_steps = crossings_by_road = 0
    for node in sample:
        path = travel_path(pred, int(node))
        assert graph.layer[path[-1]] == 3 and graph.point_kind[
            np.searchsorted(graph.point_node, path[-1])] == "interchange"
        for a, b in itertools.pairwise(path[:-1]):  # the last step is the interchange's own
            la, lb = graph.layer[a], graph.layer[b]
            seg = shapely.LineString([graph.xy[a], graph.xy[b]])
            if la == GROUND or lb == GROUND:  # off-road: a move or a road's access
                off_road_steps += 1
                assert not seg.intersects(barriers), f"cell {node}: step {a}->{b} crosses"
            elif seg.intersects(barriers):
                crossings_by_road += 1
        # A barrier cell is passed on a road only.
        ground = [n for n in path[1:-1] if graph.layer[n] == GROUND]
        assert not graph.barrier.ravel()[ground].any()
    assert off_road_steps > 200 and crossings_by_road > 0

    fine = build_travel_graph(lines.assign(geometry=shapely.segmentize(lines.geometry, 50.0)),
                              points, grid)
    coarse = build_travel_graph(lines.assign(geometry=shapely.segmentize(lines.geometry, 500.0)),
                                points, grid)
    for kind in KINDS:
        a = travel_minutes(fine, kind=kind)
        b = travel_minutes(coarse, kind=kind)
        ok = np.isfinite(b)
        np.testing.assert_array_equal(ok, np.isfinite(a))
        np.testing.assert_allclose(a[ok], b[ok], rtol=0.01)
    r, c = np.divmod(sample, grid.ncols)
    a = travel_minutes(fine, kind="interchange")[r, c]
    np.testing.assert_allclose(a, cell_min[sample], rtol=0.01)
