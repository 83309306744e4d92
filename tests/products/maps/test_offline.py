"""Offline HTML: nothing loaded from the network, Leaflet inlined, the same bytes every time."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import folium
import pytest

from layout.products.maps import (
    MapRenderError,
    external_loads,
    leaflet_assets,
    overview_map,
    render_html,
    save_map,
)
from tests.products.maps.overview_data import synthetic_layers, synthetic_sites


@pytest.fixture(scope="module")
def layers() -> dict:
    return synthetic_layers()


@pytest.fixture(scope="module")
def html(layers: dict) -> str:
    m = overview_map(layers, title="郑州测试", date="2024-05-01", sites=synthetic_sites())
    return render_html(m)


# --- offline ------------------------------------------------------------------------------


def test_offline_html_loads_nothing_remote(html: str) -> None:
    assert external_loads(html) == []
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=", html, re.IGNORECASE)
    # No http(s) address at all outside Leaflet's own code and comments.
    js, css = leaflet_assets()
    outside_leaflet = html.replace(js, "").replace(css, "")
    assert not re.findall(r"https?://", outside_leaflet)


def test_offline_html_inlines_leaflet_and_drops_other_assets(html: str) -> None:
    js, css = leaflet_assets()
    assert js in html and css in html
    assert 't.version="1.9.3"' in html
    assert "url(images/" not in html and "data:image/png;base64," in html
    assert "sourceMappingURL" not in html
    lower = html.lower()
    for asset in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "glyphicons"):
        assert asset not in lower, asset


def test_external_loads_finds_loads_not_links() -> None:
    page = (
        '<script src="https://cdn.example/a.js"></script>'
        '<link rel="stylesheet" href="//cdn.example/a.css">'
        '<img src="http://example.org/x.png">'
        "<style>@import url(https://f.example/x.css); b{background:url('http://e/x.png')}</style>"
        '<a href="https://leafletjs.com">Leaflet</a>'
        '<script>var t = "https://tile.example/{z}/{x}/{y}.png";</script>'
    )
    found = external_loads(page)
    assert len(found) == 5
    assert not any("leafletjs" in f or "tile.example" in f for f in found)


def test_cdn_variant_links_leaflet_only(layers: dict, html: str) -> None:
    m = overview_map(layers, title="t", date="2024-05-01")
    cdn = render_html(m, cdn=True)
    loads = external_loads(cdn)
    assert loads == [
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js',
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css',
    ]
    assert leaflet_assets()[0] not in cdn
    assert len(cdn) < len(html) - 140_000


def test_osm_basemap_is_a_tile_layer_not_an_asset(layers: dict) -> None:
    text = render_html(overview_map(layers, title="t", date="2024-05-01", basemap="osm"))
    assert external_loads(text) == []
    assert "tile.openstreetmap.org" in text and '"attributionControl": true' in text
    plain = render_html(overview_map(layers, title="t", date="2024-05-01"))
    assert "L.tileLayer" not in plain and '"attributionControl": false' in plain


def test_assets_without_offline_copy_are_refused_offline_and_linked_with_cdn() -> None:
    m = folium.Map(location=[34.7, 113.6], tiles=None)
    # An instance attribute: folium's add_js_link would change the list all maps share.
    m.default_js = [*m.default_js, ("some_plugin", "https://cdn.example/plugin.js")]
    with pytest.raises(MapRenderError, match="some_plugin"):
        render_html(m)
    linked = external_loads(render_html(m, cdn=True))
    assert '<script src="https://cdn.example/plugin.js' in linked
    assert not any("jquery" in x or "bootstrap" in x for x in linked)


# --- determinism --------------------------------------------------------------------------


def test_same_inputs_give_identical_html(layers: dict, html: str) -> None:
    again = render_html(
        overview_map(layers, title="郑州测试", date="2024-05-01", sites=synthetic_sites())
    )
    assert again == html
    assert not re.search(r"_[0-9a-f]{32}\b", html), "random element ids left"
    assert "map_2" in html  # the figure is element 1, the map element 2


def test_rendering_does_not_change_the_map(layers: dict) -> None:
    m = overview_map(layers, title="t", date="2024-05-01")
    first = render_html(m)
    m.get_root().render()  # a render by folium itself (e.g. a notebook) leaves state behind
    assert render_html(m) == first


def test_page_json_is_compact_utf8_and_folium_is_left_as_it_was(layers: dict, html: str) -> None:
    env = folium.GeoJson._template.environment
    before = dict(env.policies)
    text = render_html(overview_map(layers, title="t", date="2024-05-01"))
    assert dict(env.policies) == before  # rendering changes folium's JSON policy only briefly
    assert "中原区" in text and "\\u4e2d" not in text  # UTF-8, not \uXXXX escapes
    assert '"type":"FeatureCollection"' in text


def test_save_map_writes_identical_bytes_atomically(layers: dict, tmp_path: Path) -> None:
    m = overview_map(layers, title="t", date="2024-05-01")
    a, b = tmp_path / "a" / "map.html", tmp_path / "b.html"
    assert save_map(m, a) == a
    save_map(m, b)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().decode("utf-8") == render_html(m)
    assert [p.name for p in a.parent.iterdir()] == ["map.html"]  # no temporary file left


def test_failed_save_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    target.write_text("previous")
    m = folium.Map(location=[34.7, 113.6], tiles=None)
    m.default_js = [*m.default_js, ("unknown_plugin", "https://cdn.example/p.js")]
    with pytest.raises(MapRenderError):
        save_map(m, target)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


_SUBPROCESS = """
import hashlib, importlib.util, sys
spec = importlib.util.spec_from_file_location("tm", sys.argv[1])
tm = importlib.util.module_from_spec(spec); spec.loader.exec_module(tm)
from layout.products.maps import overview_map, render_html
m = overview_map(tm.synthetic_layers(), title="t", date="2024-05-01", sites=tm.synthetic_sites())
print(hashlib.sha256(render_html(m).encode()).hexdigest())
"""


@pytest.mark.slow
def test_html_is_identical_across_processes_and_hash_seeds(layers: dict) -> None:
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SUBPROCESS, str(Path(__file__).with_name("overview_data.py"))],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(done.stdout.strip())
    m = overview_map(layers, title="t", date="2024-05-01", sites=synthetic_sites())
    digests.add(hashlib.sha256(render_html(m).encode()).hexdigest())
    assert len(digests) == 1
