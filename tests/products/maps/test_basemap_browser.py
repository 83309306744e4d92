"""The Tianditu key in headless Chromium: obtained when the map is viewed, never from the file.

The network is blocked (tests/products/maps/conftest.py ``visit``): tiles are not loaded, the
tile layers' URL templates are read from Leaflet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from layout.products.maps import overview_map, save_map
from layout.products.maps.basemap import TIANDITU_KEY_STORE
from tests.products.maps.browser import Visit
from tests.products.maps.plan_data import tiny_layers

pytestmark = pytest.mark.browser

#: The tile layers' URL templates and one tile's URL, as Leaflet holds them.
TILES = """() => {
    const out = [];
    window.__layout.map.eachLayer((l) => {
        if (l instanceof L.TileLayer) out.push([l._url, l.getTileUrl({x: 1, y: 2, z: 3})]);
    });
    return out;
}"""


@pytest.fixture(scope="module")
def tianditu_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tianditu") / "map.html"
    save_map(overview_map(tiny_layers(), title="t", basemap="tianditu", lang="en"), path)
    return path


def keys(seen: Visit) -> list[str]:
    urls = seen.page.evaluate(TILES)
    assert len(urls) == 2  # vector tiles and labels
    out = []
    for template, tile in urls:
        assert "{tk}" not in template and "tianditu.gov.cn" in template
        key = template.rsplit("&tk=", 1)[1]
        assert tile.endswith(f"&tk={key}")
        out.append(key)
    return out


def test_key_from_the_address(visit: Callable[..., Visit], tianditu_map: Path) -> None:
    seen = visit(tianditu_map, query="tk=ABC")
    assert keys(seen) == ["ABC", "ABC"]
    assert seen.dialogs == [] and seen.page_errors == []
    assert seen.page.evaluate(f"localStorage.getItem({TIANDITU_KEY_STORE!r})") == "ABC"
    # the next map opened in this browser finds the key without asking
    again = visit(tianditu_map, context=seen.page.context)
    assert keys(again) == ["ABC", "ABC"] and again.dialogs == []


def test_key_asked_once_and_kept(visit: Callable[..., Visit], tianditu_map: Path) -> None:
    seen = visit(tianditu_map, answer="XYZ789")
    assert len(seen.dialogs) == 1 and "Tianditu key" in seen.dialogs[0]
    assert keys(seen) == ["XYZ789", "XYZ789"] and seen.page_errors == []
    again = visit(tianditu_map, context=seen.page.context)
    assert again.dialogs == [] and keys(again) == ["XYZ789", "XYZ789"]


def test_no_key_or_a_bad_one(visit: Callable[..., Visit], tianditu_map: Path) -> None:
    seen = visit(tianditu_map, query="tk=%22%3E%3Cscript%3Ewindow.__pwned=1%3C/script%3E")
    assert len(seen.dialogs) == 1  # not a key: asked instead, and dismissed
    assert keys(seen) == ["", ""] and seen.page_errors == []
    assert seen.page.evaluate("window.__pwned") is None
    assert seen.page.evaluate(f"localStorage.getItem({TIANDITU_KEY_STORE!r})") is None
