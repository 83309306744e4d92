"""Maps without a browser: offline HTML, determinism, escaping, size, PNG, CLI and summaries."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from layout import settings
from layout.cli.overview import overview
from layout.products import summary as report
from layout.products.maps import (
    MapRenderError,
    escape_text,
    external_loads,
    leaflet_assets,
    overview_map,
    overview_png,
    render_html,
    save_map,
)
from layout.products.maps import (
    png as _png,
)
from layout.products.maps.prepare import for_display

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "`${alert(1)}`"]
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


def synthetic_layers(n_firms: int = 240, *, hostile: bool = False, seed: int = 7) -> dict:
    """Layers of the data model on a 3 x 2 grid of 'counties' near Zhengzhou (EPSG:4326).

    Counties are 0.2 x 0.15 degree boxes; firms are spread uniformly with industries drawn from
    CODES; with ``hostile`` the first names of counties, zones, firms and constraints are HOSTILE.
    """
    rng = np.random.default_rng(seed)
    crs = "EPSG:4326"
    boxes = [
        shapely.box(113.3 + i * 0.2, 34.4 + j * 0.15, 113.5 + i * 0.2, 34.55 + j * 0.15)
        for j in range(2)
        for i in range(3)
    ]
    county_names = ["中原区", "二七区", "管城区", "金水区", "上街区", "惠济区"]
    zone_names = ["航空港区", "经开区", "高新区"]
    firm_names = [f"企业{i}" for i in range(n_firms)]
    constraint_names = ["农田", "红线", "水源"]
    if hostile:
        county_names[:3] = HOSTILE
        zone_names[:3] = HOSTILE
        firm_names[:3] = HOSTILE
        constraint_names[:3] = HOSTILE
    counties = gpd.GeoDataFrame(
        {
            "adcode": [f"4101{i:02d}" for i in range(6)],
            "name_zh": county_names,
            "name_en": ["Zhongyuan", "Erqi", "Guancheng", "Jinshui", "Shangjie", "Huiji"],
            "source": "synthetic test data",
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
            "zone_id": ["a", "b", "c"],
            "name_zh": zone_names,
            "name_en": ["A", "B", "C"],
            "county": "410100",
            "leading": ["electronics,biomedicine", "auto,food", ""],
            "built_share": [0.4, 0.6, 0.2],
            "confidence": ["H", "L", "L"],
            "planned_area_km2": [415.0, np.nan, 98.0],
        },
        geometry=[
            shapely.Point(113.5, 34.55).buffer(0.04),
            shapely.Point(113.7, 34.5).buffer(0.03),
            shapely.Point(113.4, 34.65).buffer(0.02),
        ],
        crs=crs,
    )
    firms = gpd.GeoDataFrame(
        {
            "ent_id": [f"e{i}" for i in range(n_firms)],
            "name": firm_names,
            "industry": rng.choice(CODES, n_firms),
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
            "constraint_id": ["c1", "c2", "c3"],
            "type": ["basic_farmland", "eco_redline", "water_source"],
            "name_zh": constraint_names,
            "legal_basis": ["土地管理法", "x", "水污染防治法"],
        },
        geometry=[
            shapely.box(113.82, 34.6, 113.88, 34.68),
            shapely.box(113.32, 34.42, 113.4, 34.5),
            shapely.Point(113.6, 34.62).buffer(0.02),
        ],
        crs=crs,
    )
    lines = gpd.GeoDataFrame(
        {
            "line_id": ["l1", "l2", "l3"],
            "kind": ["expressway", "main_road", "railway"],
            "ref": ["G30", "", ""],
            "name": ["连霍高速", "", "京广铁路"],
        },
        geometry=[
            shapely.LineString([(113.3, 34.6), (113.9, 34.62)]),
            shapely.LineString([(113.5, 34.4), (113.52, 34.7)]),
            shapely.LineString([(113.65, 34.4), (113.66, 34.7)]),
        ],
        crs=crs,
    )
    points = gpd.GeoDataFrame(
        {
            "node_id": ["t1", "t2"],
            "kind": ["airport", "rail_station"],
            "name_zh": ["机场", "郑州站"],
            "name_en": ["Airport", "Zhengzhou station"],
        },
        geometry=[shapely.Point(113.84, 34.52), shapely.Point(113.65, 34.6)],
        crs=crs,
    )
    urban = gpd.GeoDataFrame(
        {"urban_id": ["u1"], "kind": ["central_city"], "name_zh": ["中心城区"]},
        geometry=[shapely.Point(113.65, 34.65).buffer(0.05)],
        crs=crs,
    )
    return {
        "boundary": boundary,
        "counties": counties,
        "zones": zones,
        "enterprises": firms,
        "constraints": constraints,
        "transport_lines": lines,
        "transport_points": points,
        "urban_areas": urban,
    }


def synthetic_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "site_id": ["s1", "s2"],
            "industry": ["electronics", "auto"],
            "area_mu": [1200.0, 800.0],
            "score": [0.91, 0.83],
        },
        geometry=[shapely.Point(113.55, 34.5).buffer(0.01), shapely.Point(113.75, 34.45)],
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def layers() -> dict:
    return synthetic_layers()


@pytest.fixture(scope="module")
def html(layers: dict) -> str:
    m = overview_map(layers, title="郑州测试", date="2024-05-01", sites=synthetic_sites())
    return render_html(m)


# --- escaping -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("`${alert(1)}`", "&#96;&#36;&#123;alert(1)&#125;&#96;"),
        ("a\"b'c&d", "a&quot;b&#x27;c&amp;d"),
        ("{{ 7*7 }}", "&#123;&#123; 7*7 &#125;&#125;"),
        ("back\\slash", "back&#92;slash"),
        ("line\nbreak\x00", "line break"),
        ("郑州 · 中牟", "郑州 · 中牟"),
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (12.5, "12.5"),
    ],
)
def test_escape_text(text: object, expected: str) -> None:
    assert escape_text(text) == expected


def test_escaped_text_has_no_active_characters() -> None:
    nasty = "".join(chr(i) for i in range(32, 127)) + "\u2028"
    out = escape_text(nasty)
    assert not set(out) & set("<>\"'`$\\{}\u2028")


# --- offline --------------------------------------------------------------------------------


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


# --- determinism ----------------------------------------------------------------------------


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
            [sys.executable, "-c", _SUBPROCESS, __file__],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(done.stdout.strip())
    m = overview_map(layers, title="t", date="2024-05-01", sites=synthetic_sites())
    digests.add(hashlib.sha256(render_html(m).encode()).hexdigest())
    assert len(digests) == 1


# --- escaping in the map --------------------------------------------------------------------


def _json_form(text: str) -> str:
    """How a string appears inside the page's JSON (jinja's tojson escapes <, >, &, ')."""
    return (
        json.dumps(text)[1:-1]
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def test_hostile_names_appear_escaped(tmp_path: Path) -> None:
    layers = synthetic_layers(hostile=True)
    title = "<script>alert(1)</script> `${alert(1)}` {{ 7*7 }}"
    text = render_html(overview_map(layers, title=title, date="2024-05-01"))
    for raw in HOSTILE:
        assert raw not in text
        assert _json_form(escape_text(raw)) in text  # in tooltips
    assert "alert(1)</script>" not in text
    assert "{{ 7*7 }}" not in text and "49" not in re.findall(r"<title>(.*?)</title>", text)[0]
    assert f"<title>{escape_text(title)} 2024-05-01</title>" in text
    assert '<div class="layout-title" id="panel_' in text
    assert escape_text(title) in text  # the title panel


def test_every_tooltip_is_prebuilt_escaped_html(layers: dict) -> None:
    m = overview_map(synthetic_layers(hostile=True), title="t", date="2024-05-01")
    for child in m._children.values():
        if isinstance(child, folium.GeoJson):
            for feature in child.data["features"]:
                tip = feature["properties"].get("tip", "")
                stripped = re.sub(r"</?b>|<br>", "", tip)
                assert "<" not in stripped and ">" not in stripped, tip


# --- geometry for display -------------------------------------------------------------------


def test_for_display_simplifies_and_rounds() -> None:
    # A circle of radius 5 km with 1,024 vertices; 30 m tolerance keeps far fewer of them.
    centre = gpd.GeoSeries([shapely.Point(500_000, 3_840_000)], crs=settings.default_crs)
    circle = gpd.GeoDataFrame(geometry=centre.buffer(5000, quad_segs=256))
    shown = for_display(circle, source="circle", tolerance_m=30)
    coords = shapely.get_coordinates(shown.geometry.values)
    assert shown.crs.to_epsg() == 4326
    assert 10 < len(coords) < 200
    assert np.allclose(coords * 1e6, np.round(coords * 1e6), atol=1e-6)
    # Simplification moves the outline by at most the tolerance: the area changes little.
    area = shown.to_crs(settings.default_crs).area.iloc[0]
    assert area == pytest.approx(np.pi * 5000**2, rel=0.01)


def test_layers_need_a_crs(layers: dict) -> None:
    from layout.errors import CRSError

    naive = gpd.GeoDataFrame(geometry=[shapely.Point(113.6, 34.7)])
    with pytest.raises(CRSError, match="pts has no CRS"):
        for_display(naive, source="pts")
    with pytest.raises(CRSError, match="enterprises has no CRS"):
        overview_map({**layers, "enterprises": naive}, title="t")


def _county_coords(m: folium.Map) -> np.ndarray:
    layer = next(c for c in m._children.values() if isinstance(c, folium.GeoJson))
    return shapely.get_coordinates(gpd.GeoDataFrame.from_features(layer.data).geometry)


def test_layers_in_another_crs_are_shown_in_lon_lat(layers: dict) -> None:
    metric = {k: v.to_crs(settings.default_crs) for k, v in layers.items()}
    a = _county_coords(overview_map(layers, title="t", date="2024-05-01"))
    b = _county_coords(overview_map(metric, title="t", date="2024-05-01"))
    assert a.shape == b.shape and np.allclose(a, b, atol=2e-6)
    assert a[:, 0].min() > 113 and a[:, 1].max() < 35  # lon/lat, not metres


@pytest.mark.slow
def test_embedded_overview_is_at_most_5_mb() -> None:
    if not settings.embedded_gpkg().exists():
        pytest.skip("the embedded GeoPackage is not built yet (make data)")
    from layout.io import embedded as datasets

    text = render_html(overview_map(datasets.load_all(), title="t", date="2024-05-01"))
    assert external_loads(text) == []
    assert len(text.encode("utf-8")) <= 5_000_000


# --- PNG ------------------------------------------------------------------------------------


def test_png_is_written_and_deterministic(layers: dict, tmp_path: Path) -> None:
    a = overview_png(layers, tmp_path / "a.png", date="2024-05-01", sites=synthetic_sites())
    b = overview_png(layers, tmp_path / "b.png", date="2024-05-01", sites=synthetic_sites())
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]


def test_png_without_cjk_font_falls_back_to_english(
    layers: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_png, "cjk_font", lambda: None)
    hostile = synthetic_layers(hostile=True)  # Chinese and $-signs still reach the figure
    hostile["counties"].loc[3, "name_en"] = "a$b$c"
    with caplog.at_level(logging.WARNING, logger="layout.products.maps.png"):
        path = overview_png(hostile, tmp_path / "x.png", lang="zh")
    assert path.stat().st_size > 10_000
    assert "English labels" in caplog.text


def test_png_rejects_unknown_language(layers: dict, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang"):
        overview_png(layers, tmp_path / "x.png", lang="fr")


# --- summaries ------------------------------------------------------------------------------


def test_summarise_inputs_counts_and_areas() -> None:
    square = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 2000, 3000)] * 2, crs="EPSG:4547")
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(1, 1)] * 3, crs="EPSG:4547")
    table = report.summarise_inputs({"zones": square, "enterprises": pts})
    assert table.loc["zones", "features"] == 2
    assert table.loc["zones", "area_km2"] == pytest.approx(12.0)  # 2 x 6 km²
    assert table.loc["enterprises", "features"] == 3
    assert np.isnan(table.loc["enterprises", "area_km2"])


def test_summarise_enterprises_matches_groupby(layers: dict) -> None:
    firms = layers["enterprises"]
    table = report.summarise_enterprises(firms, lang="en")
    expected = firms.groupby("industry").agg(
        n=("ent_id", "size"), e=("employees", "sum"), o=("output_wan", "sum")
    )
    for code, row in expected.iterrows():
        assert table.loc[code, "enterprises"] == row["n"]
        assert table.loc[code, "employees"] == row["e"]
        assert table.loc[code, "output_yi"] == pytest.approx(row["o"] / 1e4)
    assert table.loc["total", "enterprises"] == len(firms)
    assert list(table.index[:-1]) == [c for c in CODES if c in set(firms["industry"])]
    assert table.loc["auto", "name"] == "Automobiles and equipment"


def test_format_summary_mentions_every_layer(layers: dict) -> None:
    text = report.format_summary(layers, lang="zh", problems={"zones": 2})
    for name in layers:
        assert name in text
    assert "[2 个问题]" in text and "产业集聚区 3 个" in text and "汽车及装备制造" in text


# --- CLI ------------------------------------------------------------------------------------


@pytest.fixture
def fake_data(monkeypatch: pytest.MonkeyPatch) -> dict:
    from layout.io import embedded as datasets

    data = synthetic_layers()
    monkeypatch.setattr(datasets, "load_all", lambda: {k: v.copy() for k, v in data.items()})
    return data


def test_cli_overview_writes_html_and_png(fake_data: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--out", str(tmp_path / "maps"), "--date", "2024-05-01", "--lang", "en"]
    result = runner.invoke(overview, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html_path, png_path = tmp_path / "maps" / "overview.html", tmp_path / "maps" / "overview.png"
    assert html_path.exists() and png_path.exists()
    assert f"wrote {html_path}" in result.output and f"wrote {png_path}" in result.output
    assert "Cluster zones: 3" in result.output and "Enterprises by industry" in result.output
    first = html_path.read_bytes()
    assert external_loads(first.decode("utf-8")) == []
    quiet = runner.invoke(overview, [*args, "-q"], catch_exceptions=False)
    assert quiet.exit_code == 0
    assert "Enterprises by industry" not in quiet.output and "wrote" in quiet.output
    assert html_path.read_bytes() == first


def test_cli_overview_cdn_and_bad_date(fake_data: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        overview, ["--out", str(tmp_path), "--cdn", "--date", "2024-05-01", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "cdn.jsdelivr.net" in (tmp_path / "overview.html").read_text()
    bad = runner.invoke(overview, ["--out", str(tmp_path), "--date", "May 1"])
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_cli_is_registered() -> None:
    from layout.cli.main import cli

    assert cli.get_command(None, "overview") is overview  # type: ignore[arg-type]
