"""The view of a map with nothing to draw comes from the plan, never from a city of its own."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS

from layout.products.maps import render_html
from layout.products.maps.frame import base_map, home_extent
from layout.products.maps.overview import overview_map


def _centre_of_use(crs: str) -> tuple[float, float]:
    area = CRS.from_user_input(crs).area_of_use  # independent: pyproj's own bounds
    assert area is not None
    return (area.south + area.north) / 2, (area.west + area.east) / 2


@pytest.mark.parametrize("crs", ["EPSG:4549", "EPSG:4547", "EPSG:4546"])
def test_an_empty_overview_is_centred_on_the_plans_crs(crs: str) -> None:
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs))
    m = overview_map({"boundary": empty}, title="空", date="2024-01-01", crs=crs)
    lat, lon = _centre_of_use(crs)
    assert m.location == pytest.approx([lat, lon], abs=1e-9)
    html = render_html(m)
    assert "34.72" not in html and "113.63" not in html  # the old Zhengzhou default


def test_the_data_extent_wins_and_nothing_at_all_is_the_world() -> None:
    box = shapely.box(120.6, 31.3, 120.7, 31.4)
    boundary = gpd.GeoDataFrame(geometry=[box], crs="EPSG:4326")
    m = overview_map({"boundary": boundary}, title="市", date="2024-01-01", crs="EPSG:4547")
    assert m.location == pytest.approx([31.35, 120.65], abs=1e-6)  # the boundary's centre
    world = base_map(None, title="", date=None, basemap=None)
    assert world.location == [0.0, 0.0]
    home = home_extent("EPSG:4549")
    assert home is not None
    homed = base_map(None, title="", date=None, basemap=None, home=home)
    assert homed.location == pytest.approx(list(_centre_of_use("EPSG:4549")), abs=1e-9)
