"""Maps in headless Chromium with the network blocked: they must work offline and run no text.

Every request that is not ``file:`` or ``data:`` is aborted and recorded.  Screenshots go to
``tmp_path`` and are copied to ``/tmp/layout-screens/`` for people to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layout import settings
from layout.products.maps import escape_text, overview_map, save_map

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/layout-screens")
CODES = [
    "auto",
    "electronics",
    "new_materials",
    "biomedicine",
    "aluminium",
    "food",
    "textiles",
    "other",
]
NAMES_ZH = {
    "auto": "汽车及装备制造",
    "electronics": "电子信息",
    "new_materials": "新材料",
    "biomedicine": "生物医药",
    "aluminium": "铝工业",
    "food": "食品工业",
    "textiles": "纺织服装",
    "other": "其他产业",
}

# Each payload sets window.__pwned if it ever runs, in HTML, in a JS string or template
# literal, in a Jinja template, or through an event handler.
PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "`${window.__pwned = 'template'}`",
    "\"'></script><script>window.__pwned = 'breakout'</script>",
    "{{ 7*7 }}{% if true %}jinja{% endif %}",
    "<svg onload=\"window.__pwned = 'svg'\"></svg>",
    "');window.__pwned = 'quote';//",
]


def layers_for_browser(n_firms: int, *, names: list[str] | None = None) -> dict:
    """Counties, zones, firms (industries round-robin over CODES) and a constraint; names of
    the first counties, zones and firms replaced by ``names`` when given."""
    rng = np.random.default_rng(3)
    crs = "EPSG:4326"
    boxes = [
        shapely.box(113.3 + i * 0.2, 34.4 + j * 0.15, 113.5 + i * 0.2, 34.55 + j * 0.15)
        for j in range(2)
        for i in range(3)
    ]
    county_names = ["中原区", "二七区", "管城区", "金水区", "上街区", "惠济区"]
    zone_names = ["航空港区", "经开区"]
    firm_names = [f"企业{i}" for i in range(n_firms)]
    if names:
        county_names[: len(names)] = names[:6]
        zone_names = names[:2]
        firm_names[: len(names)] = names
    counties = gpd.GeoDataFrame(
        {
            "adcode": [f"4101{i:02d}" for i in range(6)],
            "name_zh": county_names,
            "name_en": county_names,
        },
        geometry=boxes,
        crs=crs,
    )
    boundary = gpd.GeoDataFrame(
        {"adcode": ["410100"], "name_zh": ["郑州市"], "name_en": ["Zhengzhou"]},
        geometry=[shapely.union_all(boxes)],
        crs=crs,
    )
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["a", "b"],
            "name_zh": zone_names,
            "name_en": zone_names,
            "county": "410100",
            "leading": ["electronics", "auto,food"],
            "built_share": [0.4, 0.6],
            "confidence": ["H", "L"],
        },
        geometry=[
            shapely.Point(113.5, 34.55).buffer(0.04),
            shapely.Point(113.7, 34.5).buffer(0.03),
        ],
        crs=crs,
    )
    firms = gpd.GeoDataFrame(
        {
            "ent_id": [f"e{i}" for i in range(n_firms)],
            "name": firm_names,
            "industry": [CODES[i % len(CODES)] for i in range(n_firms)],
            "employees": rng.integers(10, 5000, n_firms),
            "output_wan": rng.lognormal(8, 1.2, n_firms),
            "land_mu": rng.uniform(10, 500, n_firms),
        },
        geometry=gpd.points_from_xy(
            rng.uniform(113.31, 113.89, n_firms), rng.uniform(34.41, 34.69, n_firms)
        ),
        crs=crs,
    )
    constraints = gpd.GeoDataFrame(
        {
            "constraint_id": ["c1"],
            "type": ["eco_redline"],
            "name_zh": [names[0] if names else "红线"],
            "legal_basis": ["x"],
        },
        geometry=[shapely.box(113.32, 34.42, 113.4, 34.5)],
        crs=crs,
    )
    return {
        "boundary": boundary,
        "counties": counties,
        "zones": zones,
        "enterprises": firms,
        "constraints": constraints,
    }


@dataclass
class Visit:
    """A page opened with the network blocked, and what happened while it loaded."""

    page: Any
    external: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_page(path: Path, *, wait: bool = True) -> Visit:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page)

        def route(r: Any) -> None:
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                seen.external.append(r.request.url)
                r.abort()

        def on_dialog(d: Any) -> None:
            seen.dialogs.append(d.message)
            d.dismiss()

        context.route("**/*", route)
        page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
        page.on(
            "console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None
        )
        page.on("dialog", on_dialog)
        page.goto(path.resolve().as_uri(), wait_until="load")
        if wait:
            page.wait_for_function("() => window.__layout !== undefined", timeout=10_000)
        page.wait_for_timeout(300)
        return seen

    yield open_page
    for context in contexts:
        context.close()


def _screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / name)
    return path


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
    _screenshot(seen.page, tmp_path, "overview_synthetic.png")


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
    _screenshot(seen.page, tmp_path, "overview_hostile.png")


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
    _screenshot(seen.page, tmp_path, "overview_embedded.png")


def test_harness_catches_unescaped_names(
    visit: Callable[..., Visit], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Negative control: with escaping switched off the payloads do run, so the test above
    would notice a regression."""
    from layout.products.maps import overview as overview_module

    monkeypatch.setattr(overview_module, "escape_text", str)
    layers = layers_for_browser(10, names=PAYLOADS)
    path = save_map(overview_map(layers, title="t", date="2024-05-01"), tmp_path / "raw.html")
    seen = visit(path)
    seen.page.evaluate(_TOOLTIPS)
    seen.page.wait_for_timeout(300)  # an <img onerror> fires once the load has failed
    assert seen.page.evaluate("() => window.__pwned") is not None
