"""Interchanges far from their roads: `check_interchanges` and ``layout validate``.

The reference is shapely's distance from each interchange to the union of the expressways and of
the other roads, read straight from the embedded GeoPackage (not through the package's loader).
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from layout.cli.validate import validate
from layout.data.interchanges import TOLERANCE_M, check_interchanges
from layout.data.validate import validate_file
from layout.settings import embedded_gpkg


def test_gaps_worked_by_hand() -> None:
    lines = gpd.GeoDataFrame(
        {"kind": ["expressway", "main_road", "railway"]}, crs="EPSG:4547",
        geometry=[shapely.LineString([(0, 0), (5000, 0)]),
                  shapely.LineString([(1000, -500), (1000, 500)]),
                  shapely.LineString([(3000, -500), (3000, 500)])])
    pts = gpd.GeoDataFrame(
        {"node_id": ["on_both", "near", "off_road", "off_expressway", "airport"],
         "kind": ["interchange"] * 4 + ["airport"]}, crs="EPSG:4547",
        geometry=[shapely.Point(1000, 0), shapely.Point(1040, 30), shapely.Point(3000, 0),
                  shapely.Point(1000, 300), shapely.Point(4000, 4000)])
    problems = check_interchanges(pts, lines)
    # near: 30 m from the expressway, 40 m from the road, both within 50 m.  off_road: on the
    # expressway, 2000 m from the main road (the railway is no road).  off_expressway: on the
    # road, 300 m from the expressway.  The airport is not an interchange.
    got = {(p.feature, p.message.split(" (")[0]) for p in problems}
    assert got == {("off_road", "interchange 2000 m from the nearest road other than an "
                                "expressway"),
                   ("off_expressway", "interchange 300 m from the nearest expressway")}
    assert all(p.severity == "warning" for p in problems)
    assert check_interchanges(pts, lines, tolerance_m=2500.0) == []


def embedded_gaps() -> dict[str, float]:
    pts = gpd.read_file(embedded_gpkg(), layer="transport_points").to_crs(4547)
    lines = gpd.read_file(embedded_gpkg(), layer="transport_lines").to_crs(4547)
    ic = pts[pts["kind"] == "interchange"]
    roads = lines[lines["kind"] == "main_road"].union_all()
    express = lines[lines["kind"] == "expressway"].union_all()
    assert (ic.distance(express) <= TOLERANCE_M).all()
    gap = ic.distance(roads)
    return dict(zip(ic["node_id"], gap, strict=True))


def test_the_embedded_interchanges_far_from_a_road_are_listed() -> None:
    gaps = embedded_gaps()
    far = {k: v for k, v in gaps.items() if v > TOLERANCE_M}
    assert len(gaps) == 31 and len(far) == 9
    problems = validate_file(embedded_gpkg(), layer="transport_points", kind="transport_points")
    listed = {p.feature: p for p in problems if "interchange" in p.message}
    assert set(listed) == set(far)
    for name, p in listed.items():
        metres = float(p.message.split(" m from")[0].rsplit(" ", 1)[1])
        assert metres == pytest.approx(far[name], abs=0.5)
        assert p.severity == "warning"


def test_layout_validate_prints_them_as_warnings() -> None:
    result = CliRunner().invoke(validate, [str(embedded_gpkg()), "--layer", "transport_points",
                                           "--kind", "transport_points"])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if "interchange" in ln]
    assert len(lines) == 9 and all(" warning: " in ln for ln in lines)
    assert result.output.rstrip().endswith("0 errors, 9 warnings")
