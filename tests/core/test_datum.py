"""Datum conversion (layout.core.datum) against published reference pairs, and round trips."""

import numpy as np
import pytest
from pyproj import Geod

from layout.core import datum

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat): the test vectors published with eviltransform
# (github.com/googollee/eviltransform, go/transform_test.go), reused by many ports.
EVILTRANSFORM = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]
# wandergis/coordtransform README (Tiananmen, 116.404, 39.915): the forward transforms.
WANDERGIS_WGS_TO_GCJ = ((116.404, 39.915), (116.41024449916938, 39.91640428150164))
WANDERGIS_GCJ_TO_BD = ((116.404, 39.915), (116.41036949371029, 39.92133699351021))
# Its bd09->gcj02 is the usual one-step approximate inverse; ours iterates to the exact inverse,
# so the two agree only to the approximation's error (a few centimetres here).
WANDERGIS_BD_TO_GCJ = ((116.404, 39.915), (116.39762729119315, 39.90865673957631))

GEOD = Geod(ellps="WGS84")


def metres(lon1, lat1, lon2, lat2):
    return np.abs(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_published_pairs(wlon, wlat, glon, glat):
    lon, lat = datum.wgs84_to_gcj02(wlon, wlat)
    assert float(lon) == pytest.approx(glon, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM)
def test_gcj02_to_wgs84_inverts_published_pairs_within_half_a_metre(wlon, wlat, glon, glat):
    lon, lat = datum.gcj02_to_wgs84(glon, glat)
    assert metres(lon, lat, wlon, wlat) < 0.5
    # In fact the iteration converges far below that: about a micrometre.
    assert metres(lon, lat, wlon, wlat) < 1e-3


def test_wandergis_forward_pairs():
    (x, y), (ex, ey) = WANDERGIS_WGS_TO_GCJ
    assert np.allclose(datum.wgs84_to_gcj02(x, y), (ex, ey), atol=1e-11)
    (x, y), (ex, ey) = WANDERGIS_GCJ_TO_BD
    assert np.allclose(datum.gcj02_to_bd09(x, y), (ex, ey), atol=1e-11)
    (x, y), (ex, ey) = WANDERGIS_BD_TO_GCJ
    lon, lat = datum.bd09_to_gcj02(x, y)
    assert metres(lon, lat, ex, ey) < 0.5


def test_round_trips_over_zhengzhou_are_sub_millimetre():
    rng = np.random.default_rng(0)
    lon = rng.uniform(112.7, 114.25, 5000)
    lat = rng.uniform(34.25, 34.98, 5000)
    for fwd, inv in [
        (datum.wgs84_to_gcj02, datum.gcj02_to_wgs84),
        (datum.wgs84_to_bd09, datum.bd09_to_wgs84),
        (datum.gcj02_to_bd09, datum.bd09_to_gcj02),
    ]:
        blon, blat = inv(*fwd(lon, lat))
        assert metres(blon, blat, lon, lat).max() < 1e-3


def test_gcj02_offset_in_zhengzhou_is_about_half_a_kilometre():
    # domain.md: GCJ-02 is about 550 m east and 130 m south of true position in Zhengzhou.
    glon, glat = datum.wgs84_to_gcj02(113.65, 34.75)
    _, _, dist = GEOD.inv(113.65, 34.75, float(glon), float(glat))
    assert 450 < dist < 700
    assert glon > 113.65 and glat < 34.75


def test_outside_china_is_unchanged():
    lon, lat = datum.wgs84_to_gcj02([2.35, -74.0], [48.85, 40.7])
    assert np.array_equal(lon, [2.35, -74.0]) and np.array_equal(lat, [48.85, 40.7])
