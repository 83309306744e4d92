"""Tests of layout.io.gkzones against the EPSG database (pyproj) as the referee."""

from __future__ import annotations

import pytest
from pyproj import CRS

from layout.io.gkzones import gk_epsg, gk_zone, prefixed_epsg, unprefixed

SERIES = [(4534, 4554, 3, False), (4513, 4533, 3, True), (4502, 4512, 6, False),
          (4491, 4501, 6, True)]


@pytest.mark.parametrize(("first", "last", "width", "prefix"), SERIES)
def test_every_zone_agrees_with_the_epsg_database(first: int, last: int, width: int,
                                                   prefix: bool) -> None:
    for code in range(first, last + 1):
        zone = gk_zone(f"EPSG:{code}")
        assert zone is not None and (zone.width, zone.prefix) == (width, prefix)
        params = CRS.from_epsg(code).to_json_dict()["conversion"]["parameters"]
        by_name = {p["name"]: p["value"] for p in params}
        assert by_name["Longitude of natural origin"] == zone.central_meridian
        # The false easting is 500 km, with the zone number in front when prefixed.
        assert by_name["False easting"] == zone.number * 1e6 * prefix + 500_000
        # The zone's own central meridian maps back to it.
        assert gk_epsg(zone.central_meridian, width=width, prefix=prefix) == code
        assert unprefixed(zone) == gk_epsg(zone.central_meridian, width=width)
        if prefix:
            assert prefixed_epsg(zone.number * 1e6 + 512_345) == code


@pytest.mark.parametrize(("lon", "width"), [(113.6, 3), (120.6, 3), (112.2, 3), (113.6, 6),
                                            (119.9, 6), (87.6, 3)])
def test_the_zone_of_a_longitude_covers_it(lon: float, width: int) -> None:
    zone = gk_zone(f"EPSG:{gk_epsg(lon, width=width)}")
    assert zone is not None and zone.covers(lon)
    area = CRS.from_epsg(zone.epsg).area_of_use
    assert area is not None and area.west - 1e-9 <= lon <= area.east + 1e-9


def test_other_crss_are_no_zone() -> None:
    assert gk_zone("EPSG:4326") is None
    assert gk_zone("EPSG:32650") is None
    assert gk_zone("not a crs") is None
