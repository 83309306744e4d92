"""The maps of a plan folder in headless Chromium with the network blocked.

The plan folder is the tiny synthetic one of ``tests/products/maps/plan_data.py`` (its answer key:
score ``row + col``, known excluded blocks, four cell-aligned sites), plus one slow test on the
embedded Zhengzhou data scored for real.  Screenshots are copied to ``/tmp/layout-screens/``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer

from layout.core.datum import wgs84_to_gcj02
from layout.model.constraints import CONSTRAINT_TYPES
from layout.products.maps.plan import write_plan_maps
from tests.products.maps.browser import PAYLOADS, Visit, screenshot
from tests.products.maps.plan_data import (
    CELL,
    METRIC,
    NCOLS,
    NROWS,
    SITES,
    X0,
    Y_TOP,
    make_plan_dir,
    tiny_layers,
    tiny_score,
)

pytestmark = pytest.mark.browser


_TO_LONLAT = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)


_COUNTS = """() => Object.fromEntries(Object.entries(window.__layout.layers)
    .filter(([key, layer]) => layer.getLayers)
    .map(([key, layer]) => [key, layer.getLayers().length]))"""


_POINT = """([lat, lng]) => {
    const map = window.__layout.map;
    const p = map.latLngToContainerPoint([lat, lng]);
    const box = map.getContainer().getBoundingClientRect();
    return [box.left + p.x, box.top + p.y];
}"""


_SET_VIEW = "([lat, lng, zoom]) => { window.__layout.map.setView([lat, lng], zoom); }"


_CLICK_MAP = "([lat, lng]) => { window.__layout.map.fire('click', {latlng: L.latLng(lat, lng)}); }"


_SITE_CENTRES = """() => {
    const out = [];
    window.__layout.layers.sites.eachLayer(l => {
        const c = l.getCenter ? l.getCenter() : l.getLatLng();
        out.push([c.lat, c.lng]);
    });
    return out;
}"""


# Open every site popup through Leaflet's own event path and return the popups' text.
_POPUPS = """() => {
    const out = [];
    const group = window.__layout.layers.sites;
    group.eachLayer(layer => {
        const latlng = layer.getCenter ? layer.getCenter() : layer.getLatLng();
        layer.fire("click", {latlng: latlng}, true);
        const el = document.querySelector(".leaflet-popup-content");
        out.push(el ? el.textContent : null);
        window.__layout.map.closePopup();
    });
    return out;
}"""


_TOOLTIPS = """() => {
    const out = [];
    for (const group of Object.values(window.__layout.layers)) {
        if (!group.getTooltip || !group.getTooltip()) continue;
        group.eachLayer(layer => {
            const latlng = layer.getLatLng ? layer.getLatLng() : layer.getCenter();
            layer.fire("mouseover", {latlng: latlng}, true);
            out.push(group.getTooltip().getElement().textContent);
            layer.fire("mouseout", {latlng: latlng}, true);
        });
    }
    return out;
}"""


def cell_latlng(row: float, col: float) -> list[float]:
    """``[lat, lng]`` of the centre of a cell of the tiny grid."""
    lon, lat = _TO_LONLAT.transform(X0 + (col + 0.5) * CELL, Y_TOP - (row + 0.5) * CELL)
    return [float(lat), float(lon)]


def click_at(seen: Visit, latlng: list[float]) -> str:
    """Click the map with the mouse at ``latlng`` and return the open popup's text."""
    x, y = seen.page.evaluate(_POINT, latlng)
    seen.page.mouse.click(x, y)
    seen.page.wait_for_timeout(150)
    popup = seen.page.locator(".leaflet-popup-content")
    return popup.inner_text() if popup.count() else ""


@pytest.fixture
def plan_maps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write the maps of the tiny plan folder and return their folder."""
    from layout.io import embedded as datasets

    def write(*, names: list[str] | None = None, **kwargs: Any) -> Path:
        monkeypatch.setattr(datasets, "load_all", lambda: tiny_layers(names))
        plan = make_plan_dir(tmp_path / "plan", names=names)
        kwargs.setdefault("title", "测试规划")
        kwargs.setdefault("date", "2024-05-01")
        write_plan_maps(plan, out_dir=tmp_path / "maps", png=False, **kwargs)
        return tmp_path / "maps"

    return write


def test_industry_map_in_browser(
    visit: Callable[..., Visit],
    plan_maps: Callable[..., Path],
    tmp_path: Path,
) -> None:
    maps = plan_maps()
    seen = visit(maps / "industry_auto.html")
    page = seen.page
    assert seen.external == []
    assert seen.page_errors == [] and seen.console_errors == [] and seen.dialogs == []

    # The surface is one inlined PNG, decoded at the size the map says; the reasons are hidden.
    images = page.evaluate(
        """() => Array.from(document.querySelectorAll("img.leaflet-image-layer")).map(
            img => [img.src.slice(0, 22), img.complete, img.naturalWidth, img.naturalHeight])"""
    )
    info = page.evaluate("() => window.__layout.info")
    height, width = info["image_shape"]
    assert images == [["data:image/png;base64,", True, width, height]]
    assert info["industry"] == "auto" and info["sites"] == 3 and info["datum"] == "wgs84"

    counts = page.evaluate(_COUNTS)
    firms = tiny_layers()["enterprises"]
    assert counts == {
        "counties": 2,
        "boundary": 1,
        "zones": 1,
        "transport_lines": 1,
        "enterprises": int((firms["industry"] == "auto").sum()),
        "sites": 3,
        "site_labels": 3,
    }
    assert page.locator(".layout-rank").count() == 3
    assert sorted(page.locator(".layout-rank").all_inner_texts()) == ["1", "2", "3"]

    legend = page.locator(".layout-legend")
    assert legend.is_visible()
    text = legend.inner_text()
    for word in ("适宜性评分", "0 = 最差，100 = 最佳", "不可建设（刚性约束）", "生态保护红线"):
        assert word in text
    # Cells of red line + steep slope are coloured by their first reason only.
    assert "陡坡" not in text and "推荐选址" in text
    ramp = page.locator(".layout-legend .ramp")
    assert ramp.is_visible() and "linear-gradient" in (ramp.get_attribute("style") or "")
    assert page.locator(".layout-legend .ticks").inner_text().split() == [
        "0",
        "25",
        "50",
        "75",
        "100",
    ]
    assert (
        page.locator(".layout-title").inner_text().startswith("汽车及装备制造 · 适宜性与推荐选址")
    )
    assert "km" in page.locator(".leaflet-control-scale").inner_text()
    screenshot(page, tmp_path, "industry_tiny.png")

    # Clicking a site with the mouse opens its popup (and no score popup under it).
    centres = page.evaluate(_SITE_CENTRES)
    assert len(centres) == 3
    page.evaluate(_SET_VIEW, [*centres[0], 15])
    page.wait_for_timeout(300)
    popup = click_at(seen, centres[0])
    assert "auto-01" in popup and "375 亩 (25.0 公顷)" in popup
    for label in ("同业集聚密度", "主导产业契合", "平均评分", "稳定性", "测试集聚区"):
        assert label in popup
    assert "机场" not in popup  # no weight, no bar
    assert page.locator(".leaflet-popup").count() == 1
    assert page.locator(".layout-site .bar").count() == 2
    screenshot(page, tmp_path, "industry_tiny_popup.png")


def test_clicks_read_scores_and_exclusion_reasons(
    visit: Callable[..., Visit],
    plan_maps: Callable[..., Path],
    tmp_path: Path,
) -> None:
    seen = visit(plan_maps() / "industry_auto.html")
    page = seen.page
    probe = "([lat, lng]) => window.__layout.probe(lat, lng)"
    score = tiny_score()
    # Inside the blocks: the reasons; the flood zone is flagged but not excluded.
    # Bases (escaped, like labels): the vocabulary's for derived types; none for drawn types
    # without a constraints layer.
    assert page.evaluate(probe, cell_latlng(35, 7)) == {
        "reasons": ["永久基本农田"],
        "several": False,
        "bases": [],
    }
    assert page.evaluate(probe, cell_latlng(5, 47)) == {
        "reasons": ["生态保护红线", "陡坡"],
        "several": False,
        "bases": [["陡坡", html.escape(CONSTRAINT_TYPES["steep_slope"].legal_basis)]],
    }
    flood = page.evaluate(probe, cell_latlng(17, 22))
    assert abs(flood["score"] - 39) <= 1
    assert page.evaluate(probe, cell_latlng(2, 59)) is None  # outside the study area
    # Scores over the grid: the pixel under a cell centre holds that cell or a neighbour.
    rows, cols = np.meshgrid(np.arange(1, NROWS - 1, 3), np.arange(1, NCOLS - 2, 4))
    for r, c in zip(rows.ravel(), cols.ravel(), strict=True):
        got = page.evaluate(probe, cell_latlng(r, c))
        window = score[r - 1 : r + 2, c - 1 : c + 2]
        if np.isnan(window).any() or (window == 0).any():
            continue  # next to an excluded block or the edge
        assert got is not None and "score" in got, (r, c, got)
        assert window.min() <= got["score"] <= window.max(), (r, c, got)
    # A real click shows the same in a popup.
    page.evaluate(
        "([lat, lng]) => { window.__layout.map.setView([lat, lng], 14); }", cell_latlng(5, 47)
    )
    page.wait_for_timeout(300)
    text = click_at(seen, cell_latlng(5, 47))
    assert "不可建设（刚性约束）" in text and "生态保护红线、陡坡" in text
    screenshot(page, tmp_path, "industry_tiny_reasons.png")
    seen.page.keyboard.press("Escape")
    assert seen.page_errors == [] and seen.console_errors == []


def test_english_maps_in_browser(
    visit: Callable[..., Visit],
    plan_maps: Callable[..., Path],
) -> None:
    maps = plan_maps(lang="en", title="Test plan")
    seen = visit(maps / "industry_food.html")
    page = seen.page
    assert seen.external == [] and seen.page_errors == [] and seen.console_errors == []
    assert "Suitability score" in page.locator(".layout-legend").inner_text()
    assert (
        page.locator(".layout-title")
        .inner_text()
        .startswith("Food: suitability and recommended sites")
    )
    popups = page.evaluate(_POPUPS)
    assert len(popups) == 1
    assert "375 mu (25.0 ha)" in popups[0] and "same-industry density" in popups[0]
    assert "sensitivity not run" not in popups[0] and "81 % (stable)" in popups[0]
    got = page.evaluate("([lat, lng]) => window.__layout.probe(lat, lng)", [0.0, 0.0])
    assert got is None


def test_overview_with_sites_in_browser(
    visit: Callable[..., Visit],
    plan_maps: Callable[..., Path],
    tmp_path: Path,
) -> None:
    seen = visit(plan_maps() / "overview.html")
    page = seen.page
    assert seen.external == [] and seen.page_errors == [] and seen.console_errors == []
    counts = page.evaluate(_COUNTS)
    assert counts["sites"] == len(SITES)
    popups = page.evaluate(_POPUPS)
    assert len(popups) == len(SITES) and all(p and "亩" in p for p in popups)
    assert sum("未做敏感性分析" in p for p in popups) == 1
    assert "推荐选址" in page.locator(".layout-legend").inner_text()
    assert page.locator(".layout-title").inner_text().startswith("测试规划")
    screenshot(page, tmp_path, "overview_tiny_sites.png")


def test_hostile_plan_runs_nothing(
    visit: Callable[..., Visit],
    plan_maps: Callable[..., Path],
    tmp_path: Path,
) -> None:
    title = PAYLOADS[0] + PAYLOADS[2]
    maps = plan_maps(names=PAYLOADS, title=title)
    for name in ("industry_auto.html", "overview.html"):
        seen = visit(maps / name)
        page = seen.page
        tooltips = page.evaluate(_TOOLTIPS)
        popups = page.evaluate(_POPUPS)
        page.evaluate(
            "() => { window.__layout.map.fire('click', {latlng: L.latLng(34.7, 113.7)}); }"
        )
        page.mouse.move(700, 450)
        page.wait_for_timeout(300)  # an <img onerror> would fire once its load failed
        assert page.evaluate("() => window.__pwned") is None, name
        assert seen.dialogs == [] and seen.page_errors == [] and seen.console_errors == []
        assert seen.external == []
        shown = " ".join(tooltips + popups)
        # Names of sites, zone, counties and firms; the fourth only names a food site and firm.
        for payload in PAYLOADS[: 3 if name.startswith("industry") else 4]:
            assert payload in shown, (name, payload)
        assert (
            page.locator(".layout-title")
            .inner_text()
            .startswith("汽车及装备制造" if name.startswith("industry") else title)
        )
        assert title in page.title()
    screenshot(page, tmp_path, "plan_hostile.png")


def test_harness_catches_unescaped_popups(
    visit: Callable[..., Visit],
    plan_maps: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Negative control: with escaping switched off in the site popups, a payload runs."""
    # Every text of the tooltips, popups, legends and titles is escaped by the templates' inert.
    from layout.products import templating

    monkeypatch.setattr(templating, "escape_text", str)
    maps = plan_maps(names=PAYLOADS)
    seen = visit(maps / "industry_auto.html")
    seen.page.evaluate(_POPUPS)
    seen.page.wait_for_timeout(300)
    assert seen.page.evaluate("() => window.__pwned") is not None


def test_gaode_map_requests_only_gaode_tiles(
    visit: Callable[..., Visit],
    plan_maps: Callable[..., Path],
    tmp_path: Path,
) -> None:
    maps = plan_maps(basemap="gaode")
    seen = visit(maps / "industry_auto.html")
    assert seen.page_errors == []
    assert seen.external and all(
        url.startswith("https://webrd0") and ".is.autonavi.com/appmaptile?" in url
        for url in seen.external
    )
    note = seen.page.locator(".layout-note")
    assert note.is_visible() and note.inner_text() == "坐标已转换为 GCJ-02 以匹配高德底图"
    info = seen.page.evaluate("() => window.__layout.info")
    assert info["datum"] == "gcj02" and info["image_shift"][0] > 0.004
    # The probe follows the shifted image: a farmland cell, moved to GCJ-02, still reads farmland.

    lat, lng = cell_latlng(35, 7)
    glng, glat = wgs84_to_gcj02(lng, lat)
    got = seen.page.evaluate(
        "([lat, lng]) => window.__layout.probe(lat, lng)", [float(glat), float(glng)]
    )
    assert got == {"reasons": ["永久基本农田"], "several": False, "bases": []}


@pytest.mark.slow
def test_embedded_plan_in_browser(
    visit: Callable[..., Visit],
    embedded_plan_dir: Path,
    tmp_path: Path,
) -> None:

    paths = write_plan_maps(
        embedded_plan_dir, out_dir=tmp_path / "maps", date="2024-05-01", png=False
    )
    sites = gpd.read_file(embedded_plan_dir / "plan.gpkg", layer="sites")
    seen = visit(tmp_path / "maps" / "industry_auto.html")
    page = seen.page
    assert seen.external == [] and seen.page_errors == [] and seen.console_errors == []
    counts = page.evaluate(_COUNTS)
    assert counts["sites"] == int((sites["industry"] == "auto").sum())
    assert page.locator("img.leaflet-image-layer").count() == 1
    screenshot(page, tmp_path, "industry_embedded.png")
    centre = page.evaluate(_SITE_CENTRES)[0]
    page.evaluate(_SET_VIEW, [*centre, 13])
    page.wait_for_timeout(300)
    popup = click_at(seen, centre)
    assert "auto-01" in popup and "亩" in popup and "同业集聚密度" in popup
    screenshot(page, tmp_path, "industry_embedded_popup.png")

    seen = visit(tmp_path / "maps" / "overview.html")
    assert seen.external == [] and seen.page_errors == [] and seen.console_errors == []
    assert seen.page.evaluate(_COUNTS)["sites"] == len(sites)
    screenshot(seen.page, tmp_path, "overview_embedded_sites.png")
    assert len(paths) == 8


_CELL_PX = """([a, b, z]) => {
    const m = window.__layout.map;
    return m.project([b[1], b[0]], z).x - m.project([a[1], a[0]], z).x;
}"""


def test_zoom_is_bounded_to_the_grid(visit: Callable[..., Visit],
                                     plan_maps: Callable[..., Path]) -> None:
    """At the deepest zoom a 100 m cell spans 33-64 px (measured by Leaflet); no deeper."""
    seen = visit(plan_maps() / "industry_auto.html")
    page = seen.page
    zmin, zmax, start = page.evaluate("""() => { const m = window.__layout.map;
        return [m.getMinZoom(), m.getMaxZoom(), m.getZoom()]; }""")
    x, y = X0 + CELL * NCOLS / 2, Y_TOP - CELL * NROWS / 2
    a, b = _TO_LONLAT.transform(x, y), _TO_LONLAT.transform(x + CELL, y)
    cell_px = page.evaluate(_CELL_PX, [list(a), list(b), zmax])
    assert 32 < cell_px <= 64, cell_px
    page.evaluate("() => window.__layout.map.setZoom(22, {animate: false})")
    assert page.evaluate("() => window.__layout.map.getZoom()") == zmax
    assert zmin < start <= zmax
    page.evaluate("() => window.__layout.map.setZoom(0, {animate: false})")
    assert page.evaluate("() => window.__layout.map.getZoom()") == zmin


# Rectangles (left, top, right, bottom) of the map controls at the top and of the panels there.
_TOP_BOXES = """() => {
    const box = el => { const r = el.getBoundingClientRect();
                        return [r.left, r.top, r.right, r.bottom]; };
    return {
        controls: Array.from(document.querySelectorAll(".leaflet-top .leaflet-control"))
            .filter(el => el.getBoundingClientRect().width > 0).map(box),
        panels: Array.from(document.querySelectorAll(".layout-title, .layout-note")).map(box),
        expanded: document.querySelectorAll(".leaflet-control-layers-expanded").length,
        width: window.innerWidth,
    };
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    """Whether two (left, top, right, bottom) rectangles share an area (touching does not)."""
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _check_clear(boxes: dict[str, Any]) -> None:
    """No panel overlaps a control or another panel; every panel lies inside the window."""
    panels, controls = boxes["panels"], boxes["controls"]
    assert panels and controls
    for i, p in enumerate(panels):
        assert p[0] >= 0 and p[2] <= boxes["width"], p
        assert not any(_overlap(p, c) for c in controls), (p, controls)
        assert not any(_overlap(p, q) for q in panels[i + 1:]), (p, panels)


@pytest.mark.parametrize(("width", "height"), [(390, 740), (640, 900), (1400, 900)])
def test_layer_list_and_title_fit_the_screen(
    browser: Any,
    visit: Callable[..., Visit],
    plan_maps: Callable[..., Path],
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    """The layer list starts collapsed on small screens (open on large ones) and opens on a
    tap; the title and the datum note never cover a control, before or after it opens."""
    maps = plan_maps(basemap="gaode")  # the GCJ-02 datum note is a second panel at the top
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        for name in ("industry_auto.html", "overview.html"):
            seen = visit(maps / name, context=context)
            page = seen.page
            assert seen.page_errors == []  # the console shows the blocked Gaode tiles
            boxes = page.evaluate(_TOP_BOXES)
            small = width <= 700
            assert boxes["expanded"] == (0 if small else 1)
            assert len(boxes["panels"]) == 2
            _check_clear(boxes)
            if small:
                page.locator(".leaflet-control-layers-toggle").dispatch_event("click")  # a tap
                page.wait_for_timeout(300)
                opened = page.evaluate(_TOP_BOXES)
                assert opened["expanded"] == 1
                assert page.locator(".leaflet-control-layers-overlays label").count() >= 3
                _check_clear(opened)
            screenshot(page, tmp_path, f"panels_{width}_{name.removesuffix('.html')}.png")
            page.close()
    finally:
        context.close()


# The popup bars' colours with their criterion labels, and the legend rows under a heading.
_BARS = """() => Array.from(document.querySelectorAll(".layout-site .bar")).map(b => [
    b.querySelector(".bl").textContent,
    getComputedStyle(b.querySelector(".bt i")).backgroundColor,
])"""
_LEGEND_ROWS = """(title) => {
    const rows = [];
    let el = Array.from(document.querySelectorAll(".layout-legend h5"))
        .find(h => h.textContent === title);
    for (el = el && el.nextElementSibling; el && el.classList.contains("row");
         el = el.nextElementSibling) {
        rows.push([el.textContent, getComputedStyle(el.querySelector(".sw")).backgroundColor]);
    }
    return rows;
}"""


def _rgb(hex_color: str) -> str:
    """A ``#rrggbb`` colour as the browser's computed style spells it."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.parametrize(("lang", "name"), [("zh", "industry_auto.html"), ("en", "overview.html")])
def test_legend_explains_the_popup_bar_colours(
    visit: Callable[..., Visit], plan_maps: Callable[..., Path], lang: str, name: str
) -> None:
    """Each bar colour of the site popups has a legend row naming its criterion group."""
    from layout.model.criteria import CRITERIA, GROUPS
    from layout.products.maps.style import CRITERION_GROUP_COLORS, TEXT

    page = visit(plan_maps(lang=lang) / name).page
    legend = page.evaluate(_LEGEND_ROWS, TEXT[lang]["bars"])
    assert legend, "no popup-bar section in the legend"
    assert TEXT[lang]["bars_note"] in page.locator(".layout-legend").inner_text()
    # independently: open every popup and name the group of each bar by its criterion label
    by_label = {c.label(lang): c.group for c in CRITERIA.values()}
    seen: set[tuple[str, str]] = set()
    for centre in page.evaluate(_SITE_CENTRES):
        page.evaluate(_SET_VIEW, [*centre, 15])
        page.wait_for_timeout(150)
        click_at(Visit(page), centre)
        for label, color in page.evaluate(_BARS):
            group = by_label[label]
            assert color == _rgb(CRITERION_GROUP_COLORS[group])
            seen.add((GROUPS[group][0 if lang == "zh" else 1], color))
        page.evaluate("() => window.__layout.map.closePopup()")
    assert seen and seen == {(label, color) for label, color in legend}
