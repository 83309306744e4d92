"""Maps in headless Chromium with the network blocked: they must work offline and run no text.

Every request that is not ``file:`` or ``data:`` is aborted and recorded.  Screenshots go to
``tmp_path`` and are copied to ``/tmp/layout-screens/`` for people to look at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layout import settings
from layout.products.maps import escape_text, overview_map, save_map
from tests.products.maps.browser import (
    CODES,
    NAMES_ZH,
    PAYLOADS,
    Visit,
    layers_for_browser,
    screenshot,
)

pytestmark = pytest.mark.browser


_COUNTS = """() => Object.fromEntries(Object.entries(window.__layout.layers)
    .map(([key, layer]) => [key, layer.getLayers().length]))"""


_LABELS = """() => Array.from(document.querySelectorAll(
    '.leaflet-control-layers-overlays label span span')).map(e => e.textContent.trim())"""


# Hover every feature in turn (firing the events a mouse fires, so Leaflet builds the tooltip
# DOM exactly as on a real hover) and return the tooltips' text.
_TOOLTIPS = """() => {
    const out = [];
    for (const group of Object.values(window.__layout.layers)) {
        if (!group.getTooltip()) continue;
        group.eachLayer(layer => {
            const latlng = layer.getLatLng ? layer.getLatLng() : layer.getCenter();
            layer.fire("mouseover", {latlng: latlng}, true);
            out.push(group.getTooltip().getElement().textContent);
            layer.fire("mouseout", {latlng: latlng}, true);
        });
    }
    return out;
}"""


def test_overview_works_offline(visit: Callable[..., Visit], tmp_path: Path) -> None:
    layers = layers_for_browser(2000)
    sites = gpd.GeoDataFrame(
        {"industry": ["electronics"], "area_mu": [900.0], "score": [0.9]},
        geometry=[shapely.Point(113.6, 34.5)],
        crs="EPSG:4326",
    )
    path = save_map(
        overview_map(layers, title="郑州测试", date="2024-05-01", sites=sites),
        tmp_path / "overview.html",
    )
    seen = visit(path)
    assert seen.external == []
    assert seen.page_errors == [] and seen.console_errors == [] and seen.dialogs == []

    counts = seen.page.evaluate(_COUNTS)
    expected = {
        f"enterprises:{c}": n for c, n in layers["enterprises"]["industry"].value_counts().items()
    }
    expected |= {"counties": 6, "boundary": 1, "zones": 2, "constraints:eco_redline": 1, "sites": 1}
    assert counts == expected

    labels = seen.page.evaluate(_LABELS)
    for code in CODES:
        assert f"企业 · {NAMES_ZH[code]} ({expected[f'enterprises:{code}']})" in labels
    for label in ("区县", "市界", "产业集聚区", "刚性约束 · 生态保护红线", "推荐选址"):
        assert label in labels

    # Points and polygons are drawn on one canvas (prefer_canvas), not as SVG paths.
    assert seen.page.locator(".leaflet-overlay-pane canvas").count() == 1
    assert seen.page.locator(".leaflet-overlay-pane svg path").count() == 0
    legend = seen.page.locator(".layout-legend")
    assert legend.is_visible()
    for code in CODES:
        assert NAMES_ZH[code] in legend.inner_text()
    assert seen.page.locator(".layout-title").inner_text().startswith("郑州测试")
    assert "km" in seen.page.locator(".leaflet-control-scale").inner_text()

    # Unticking a layer removes it from the map.
    seen.page.get_by_text(f"企业 · {NAMES_ZH['auto']}", exact=False).click()
    assert not seen.page.evaluate(
        "() => window.__layout.map.hasLayer(window.__layout.layers['enterprises:auto'])"
    )
    screenshot(seen.page, tmp_path, "overview_synthetic.png")


def test_hostile_names_run_nothing(visit: Callable[..., Visit], tmp_path: Path) -> None:
    layers = layers_for_browser(50, names=PAYLOADS)
    title = PAYLOADS[0] + PAYLOADS[2]
    path = save_map(overview_map(layers, title=title, date="2024-05-01"), tmp_path / "x.html")
    seen = visit(path)
    tooltips = seen.page.evaluate(_TOOLTIPS)
    # A real hover too, on a firm, through Leaflet's own event path.
    seen.page.mouse.move(700, 450)
    seen.page.wait_for_timeout(300)  # an <img onerror> would fire once its load failed

    assert seen.page.evaluate("() => window.__pwned") is None
    assert seen.dialogs == [] and seen.page_errors == [] and seen.console_errors == []
    assert seen.external == []  # the <img src=x> never became an element
    # Names display literally: in tooltips, in the title and in the page title.
    for payload in PAYLOADS:
        assert any(payload in text for text in tooltips), payload
    assert seen.page.locator(".layout-title").inner_text().startswith(title)
    assert seen.page.title() == f"{title} 2024-05-01"
    assert len(tooltips) == 6 + 2 + 50 + 1  # counties, zones, firms, constraint
    screenshot(seen.page, tmp_path, "overview_hostile.png")


def test_blocked_requests_are_recorded(visit: Callable[..., Visit], tmp_path: Path) -> None:
    """The CDN and OSM variants show that blocking and recording work: the zero above is real."""
    layers = layers_for_browser(20)
    cdn = save_map(
        overview_map(layers, title="t", date="2024-05-01"), tmp_path / "cdn.html", cdn=True
    )
    seen = visit(cdn, wait=False)
    assert sorted(seen.external) == [
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    ]
    assert any("L is not defined" in e for e in seen.page_errors)  # offline needs inlining
    osm = save_map(
        overview_map(layers, title="t", date="2024-05-01", basemap="osm"), tmp_path / "osm.html"
    )
    seen = visit(osm)
    assert seen.page_errors == []
    assert seen.external and all("tile.openstreetmap.org" in url for url in seen.external)


@pytest.mark.slow
def test_embedded_overview_in_browser(visit: Callable[..., Visit], tmp_path: Path) -> None:
    if not settings.embedded_gpkg().exists():
        pytest.skip("the embedded GeoPackage is not built yet (make data)")
    from layout.io import embedded as datasets

    layers = datasets.load_all()
    path = save_map(
        overview_map(layers, title="郑州都市区产业布局总览", date="2024-05-01"),
        tmp_path / "overview.html",
    )
    seen = visit(path)
    assert seen.external == [] and seen.page_errors == [] and seen.console_errors == []
    counts = seen.page.evaluate(_COUNTS)
    firms = sum(n for key, n in counts.items() if key.startswith("enterprises:"))
    assert firms == len(layers["enterprises"])
    assert counts["counties"] == len(layers["counties"])
    assert counts["zones"] == len(layers["zones"])
    assert escape_text(layers["counties"]["name_zh"].iloc[0])  # names exist
    screenshot(seen.page, tmp_path, "overview_embedded.png")


def test_harness_catches_unescaped_names(
    visit: Callable[..., Visit], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Negative control: with escaping switched off the payloads do run, so the test above
    would notice a regression."""
    # Every text of the tooltips, popups, legends and titles is escaped by the templates' inert.
    from layout.products import templating

    monkeypatch.setattr(templating, "escape_text", str)
    layers = layers_for_browser(10, names=PAYLOADS)
    path = save_map(overview_map(layers, title="t", date="2024-05-01"), tmp_path / "raw.html")
    seen = visit(path)
    seen.page.evaluate(_TOOLTIPS)
    seen.page.wait_for_timeout(300)  # an <img onerror> fires once the load has failed
    assert seen.page.evaluate("() => window.__pwned") is not None
