"""Basemaps without a network: tile URL templates, the Tianditu key, and GCJ-02 overlays for Gaode.

The Gaode check compares every coordinate drawn on the Gaode map with `wgs84_to_gcj02` of the
same coordinate drawn on the plain map: the conversion must touch every overlay, and nothing else.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from layout.core.datum import wgs84_to_gcj02
from layout.errors import LayoutError
from layout.products.maps import external_loads, overview_map, render_html
from layout.products.maps.basemap import (
    BASEMAPS,
    TIANDITU_KEY_ENV,
    BasemapError,
    datum_note,
    resolve_basemap,
    shift_bounds,
)
from layout.products.maps.industry import industry_map
from layout.products.maps.plan import write_plan_maps
from layout.products.maps.surface import read_surface
from tests.products.maps.plan_data import tiny_layers, tiny_sites, write_surface

KEY = "0123456789abcdef0123456789abcdef"


GAODE = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)


def tianditu(layer: str) -> str:
    return (
        f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{tk}}"
    )


def tile_layers(html: str) -> list[tuple[str, str]]:
    """``(url template, options as JavaScript text)`` of every ``L.tileLayer`` in a page.

    A Tianditu URL is followed by the ``.replace`` that puts the viewer's key in at view time.
    """
    found = re.findall(
        r"L\.tileLayer\(\s*(\".*?\")(?:\.replace\(.*?\),)?,?\s*(\{.*?\})\s*\);", html, re.S
    )
    return [(json.loads(url), opts) for url, opts in found]


def geojson_layers(html: str) -> dict[str, list[Any]]:
    """Coordinates of every GeoJSON layer of ``window.__layout``, by key."""
    out: dict[str, list[Any]] = {}
    for key, var in re.findall(r'"([\w:]+)": (geo_json_\d+),', html):
        data = re.search(rf"\n\s*{var}_add\((\{{.*?\}})\);", html, re.S)
        assert data, key
        coords: list[Any] = []

        def walk(obj: Any, coords: list[Any] = coords) -> None:
            if isinstance(obj, list) and obj and isinstance(obj[0], (int, float)):
                coords.append(obj[:2])
            elif isinstance(obj, list):
                for item in obj:
                    walk(item)

        for feature in json.loads(data.group(1))["features"]:
            walk(feature["geometry"]["coordinates"])
        out[key] = coords
    return out


def image_bounds(html: str) -> list[list[list[float]]]:
    return [
        json.loads(b)
        for b in re.findall(r"L\.imageOverlay\(\s*\"data:[^\"]*\",\s*(\[\[.*?\]\]),", html, re.S)
    ]


@pytest.fixture(scope="module")
def surface(tmp_path_factory: pytest.TempPathFactory) -> Any:
    score_path, _ = write_surface(tmp_path_factory.mktemp("basemap"), "auto")
    return read_surface(score_path)


def test_names() -> None:
    assert BASEMAPS == ("none", "osm", "tianditu", "gaode")
    assert resolve_basemap(None) is None and resolve_basemap("none") is None
    with pytest.raises(BasemapError, match="unknown basemap 'bing'"):
        resolve_basemap("bing")


def test_tianditu_needs_no_key_to_write_maps() -> None:
    tiles = resolve_basemap("tianditu", env={TIANDITU_KEY_ENV: KEY})
    assert tiles is not None and all(t.viewer_key and KEY not in t.url for t in tiles.tiles)
    assert resolve_basemap("tianditu", env={}) == tiles  # the environment changes nothing
    with pytest.raises(BasemapError, match="unknown basemap") as err:
        resolve_basemap("bing")
    assert isinstance(err.value, LayoutError) and isinstance(err.value, ValueError)


def test_tianditu_tiles() -> None:
    zh = resolve_basemap("tianditu", env={TIANDITU_KEY_ENV: KEY})
    assert zh is not None and zh.datum == "wgs84" and not zh.converts
    assert [t.url for t in zh.tiles] == [tianditu("vec"), tianditu("cva")]
    assert [t.overlay for t in zh.tiles] == [False, True]
    assert all(t.subdomains == "01234567" and "天地图" in t.attribution for t in zh.tiles)
    en = resolve_basemap("tianditu", lang="en", env={TIANDITU_KEY_ENV: KEY})
    assert en is not None and en.tiles[1].url == tianditu("eva")  # English annotation


def test_gaode_and_osm_tiles() -> None:
    gaode = resolve_basemap("gaode")
    assert gaode is not None and gaode.datum == "gcj02" and gaode.converts
    assert [t.url for t in gaode.tiles] == [GAODE]
    assert gaode.tiles[0].subdomains == "1234"
    osm = resolve_basemap("osm")
    assert osm is not None and osm.tiles[0].url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def test_shift_bounds_uses_the_offset_at_the_centre() -> None:
    bounds = [[34.26, 112.70], [34.99, 114.22]]
    shifted, (dlon, dlat) = shift_bounds(bounds, resolve_basemap("gaode"))
    glon, glat = wgs84_to_gcj02(113.46, 34.625)
    assert dlon == pytest.approx(float(glon) - 113.46, abs=1e-12)
    assert dlat == pytest.approx(float(glat) - 34.625, abs=1e-12)
    expected = [[34.26 + dlat, 112.70 + dlon], [34.99 + dlat, 114.22 + dlon]]
    np.testing.assert_allclose(shifted, expected, atol=1e-12)
    # Across the municipality's bounding box the offset departs from the centre's by < 85 m.
    lon, lat = np.meshgrid(np.linspace(112.70, 114.22, 40), np.linspace(34.26, 34.99, 40))
    gx, gy = wgs84_to_gcj02(lon, lat)
    east_m = (gx - lon - dlon) * 111_320 * np.cos(np.radians(lat))
    north_m = (gy - lat - dlat) * 110_950
    assert np.hypot(east_m, north_m).max() < 85
    same, zero = shift_bounds(bounds, resolve_basemap("osm"))
    assert same == bounds and zero == (0.0, 0.0)


def test_datum_note() -> None:
    gaode = resolve_basemap("gaode")
    assert datum_note(gaode, "zh") == "坐标已转换为 GCJ-02 以匹配高德底图"
    assert datum_note(gaode, "en") == "overlays converted to GCJ-02 to match Gaode tiles"
    assert datum_note(resolve_basemap("osm"), "zh") == "" and datum_note(None, "en") == ""


def test_tianditu_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIANDITU_KEY_ENV, KEY)
    html = render_html(overview_map(tiny_layers(), title="t", basemap="tianditu"))
    tiles = tile_layers(html)
    assert [url for url, _ in tiles] == [tianditu("vec"), tianditu("cva")]
    assert all('"subdomains": "01234567"' in opts for _, opts in tiles)
    assert html.count("encodeURIComponent(window.layoutTiandituKey)") == 2
    assert html.count("window.layoutTiandituKey = (function") == 1  # asked once per page
    assert external_loads(html) == []  # tiles are JavaScript strings, not page assets
    assert "GCJ-02" not in html  # CGCS2000 tiles: no conversion, no note
    assert KEY not in html
    monkeypatch.delenv(TIANDITU_KEY_ENV)
    assert render_html(overview_map(tiny_layers(), title="t", basemap="tianditu")) == html


def _all_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_tianditu_key_is_written_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from layout.io import embedded as datasets
    from tests.products.maps.plan_data import make_plan_dir

    secret = "SECRET123"
    monkeypatch.setenv(TIANDITU_KEY_ENV, secret)
    monkeypatch.setattr(datasets, "load_all", tiny_layers)
    plan = make_plan_dir(tmp_path / "plan")
    paths = write_plan_maps(plan, out_dir=tmp_path / "maps", basemap="tianditu", title="t")
    assert {p.suffix for p in paths} == {".html", ".png"}
    written = {**_all_bytes(tmp_path / "maps"), **_all_bytes(plan)}
    assert len(written) >= len(paths)
    for name, data in written.items():  # HTML, PNG (and its metadata), JSON, GeoPackage...
        assert secret.encode() not in data and secret.encode("utf-16-le") not in data, name
    for path in paths:
        if path.suffix == ".html":
            html = path.read_text(encoding="utf-8")
            assert [url for url, _ in tile_layers(html)] == [tianditu("vec"), tianditu("cva")]


def test_gaode_overview_converts_every_overlay() -> None:
    layers = tiny_layers()
    sites = tiny_sites()
    plain = render_html(overview_map(layers, title="t", sites=sites))
    gaode = render_html(overview_map(layers, title="t", sites=sites, basemap="gaode"))
    assert [url for url, _ in tile_layers(gaode)] == [GAODE]
    assert "坐标已转换为 GCJ-02 以匹配高德底图" in gaode
    a, b = geojson_layers(plain), geojson_layers(gaode)
    assert set(a) == set(b) and {"counties", "zones", "sites"} <= set(a)
    for key in a:
        wgs = np.array(a[key], dtype=float)
        gcj = np.array(b[key], dtype=float)
        assert wgs.shape == gcj.shape and len(wgs), key
        lon, lat = wgs84_to_gcj02(wgs[:, 0], wgs[:, 1])
        # Both sides are rounded to 1e-6 degrees (about 0.1 m).
        np.testing.assert_allclose(gcj[:, 0], lon, atol=1.01e-6, err_msg=key)
        np.testing.assert_allclose(gcj[:, 1], lat, atol=1.01e-6, err_msg=key)
        assert np.abs(gcj - wgs).max() > 1e-3  # moved by about 500 m


def test_gaode_industry_map_converts_vectors_and_shifts_the_image(surface: Any) -> None:
    layers = tiny_layers()
    plain = render_html(industry_map(surface, layers=layers, title="t", sites=tiny_sites()))
    gaode_map = industry_map(surface, layers=layers, title="t", sites=tiny_sites(), basemap="gaode")
    gaode = render_html(gaode_map)
    a, b = geojson_layers(plain), geojson_layers(gaode)
    assert {"sites", "counties", "zones", "enterprises", "transport_lines"} <= set(a)
    for key in a:
        wgs = np.array(a[key], dtype=float)
        lon, lat = wgs84_to_gcj02(wgs[:, 0], wgs[:, 1])
        gcj = np.array(b[key], dtype=float)
        np.testing.assert_allclose(gcj, np.column_stack([lon, lat]), atol=1.01e-6, err_msg=key)
    # The rank labels move with the sites.
    labels = [json.loads(x) for x in re.findall(r"(\[\[[\d.,\[\]\"-]+\]\])\.forEach", gaode)]
    plain_labels = [json.loads(x) for x in re.findall(r"(\[\[[\d.,\[\]\"-]+\]\])\.forEach", plain)]
    assert len(labels) == len(plain_labels) == 1
    for (glat, glon, _), (plat, plon, _) in zip(labels[0], plain_labels[0], strict=True):
        elon, elat = wgs84_to_gcj02(plon, plat)
        assert (glat, glon) == pytest.approx((float(elat), float(elon)), abs=2e-6)
    # Both images (surface and reasons) are shifted by the offset at their centre.
    pb, gb = image_bounds(plain), image_bounds(gaode)
    assert len(pb) == len(gb) == 2
    (s, w), (n, e) = pb[0]
    clon, clat = wgs84_to_gcj02((w + e) / 2, (s + n) / 2)
    dlon, dlat = float(clon) - (w + e) / 2, float(clat) - (s + n) / 2
    for bounds in gb:
        np.testing.assert_allclose(bounds, [[s + dlat, w + dlon], [n + dlat, e + dlon]], atol=1e-9)
    assert "坐标已转换为 GCJ-02 以匹配高德底图" in gaode and "评分图按中心处 GCJ-02 偏移" in gaode


def test_write_plan_maps_with_gaode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from layout.io import embedded as datasets
    from tests.products.maps.plan_data import make_plan_dir

    monkeypatch.setattr(datasets, "load_all", tiny_layers)
    plan = make_plan_dir(tmp_path / "plan")
    paths = write_plan_maps(plan, out_dir=tmp_path / "maps", basemap="gaode", title="t", png=False)
    for path in paths:
        html = path.read_text(encoding="utf-8")
        assert [url for url, _ in tile_layers(html)] == [GAODE]
        assert "GCJ-02" in html
