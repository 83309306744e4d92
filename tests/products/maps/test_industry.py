"""An industry's web map without a browser: offline, deterministic, escaped, in both languages."""

from __future__ import annotations

import geopandas as gpd
import pytest

from layout.errors import LayoutError
from layout.products.maps import escape_text, external_loads, render_html
from layout.products.maps.industry import industry_map
from layout.products.maps.surface import SuitabilitySurface, read_surface
from tests.products.maps.plan_data import HOSTILE, tiny_layers, tiny_sites, write_surface


@pytest.fixture(scope="module")
def surface(tmp_path_factory: pytest.TempPathFactory) -> SuitabilitySurface:
    score_path, _ = write_surface(tmp_path_factory.mktemp("surface"), "auto")
    return read_surface(score_path)


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return tiny_layers()


@pytest.fixture(scope="module")
def html(surface: SuitabilitySurface, layers: dict) -> str:
    m = industry_map(
        surface, layers=layers, title="测试规划", sites=tiny_sites(), date="2024-05-01"
    )
    return render_html(m)


def test_industry_map_is_offline_and_deterministic(
    surface: SuitabilitySurface, layers: dict, html: str
) -> None:
    assert external_loads(html) == []
    assert html.count("data:image/png;base64,") >= 2  # surface and reasons
    m = industry_map(
        surface, layers=layers, title="测试规划", sites=tiny_sites(), date="2024-05-01"
    )
    assert render_html(m) == html
    assert "Math.random" not in html.split("</style>")[-1]


def test_industry_map_contents(html: str) -> None:
    assert "汽车及装备制造 · 适宜性与推荐选址" in html
    assert "测试规划" in html and "2024-05-01" in html
    assert "linear-gradient(to right,#440154" in html  # viridis legend from 0
    assert "不可建设（刚性约束）" in html and "生态保护红线" in html and "陡坡" in html
    # Only this industry's sites: three auto sites, numbered 1..3; food's site is absent.
    assert html.count('"popup":') == 3
    assert "auto-01" in html and "food-01" not in html
    assert "100 亩" not in html and "375 亩 (25.0 公顷)" in html  # 25 cells of 1 ha
    for label in ("同业集聚密度", "主导产业契合"):
        assert label in html
    assert "机场" not in html.split('"popup":', 1)[1]  # unweighted criterion: no bar
    assert "未做敏感性分析" in html and "92 % (稳定)" in html


def test_industry_map_in_english(surface: SuitabilitySurface, layers: dict) -> None:
    m = industry_map(surface, layers=layers, title="Test plan", sites=tiny_sites(), lang="en")
    html = render_html(m)
    assert "Automobiles" in html and "Suitability score" in html
    assert "375 mu (25.0 ha)" in html and "same-industry density" in html
    assert "适宜性" not in html


def test_industry_map_escapes_every_name(surface: SuitabilitySurface) -> None:
    layers = tiny_layers(HOSTILE)
    title = HOSTILE[3] + HOSTILE[0]
    m = industry_map(
        surface, layers=layers, title=title, sites=tiny_sites(HOSTILE), date="2024-05-01"
    )
    html = render_html(m)
    text = html.replace("\\u0026", "&").replace("\\u003c", "<").replace("\\u003e", ">")
    text = text.replace("\\u0027", "'").replace('\\"', '"')
    for payload in HOSTILE:
        assert payload not in text
        assert escape_text(payload) in text  # shown literally
    assert f"适宜性与推荐选址 · {escape_text(title)} 2024-05-01</title>" in html


def test_industry_map_needs_crs(surface: SuitabilitySurface, layers: dict) -> None:
    sites = tiny_sites()
    sites = gpd.GeoDataFrame(sites.drop(columns="geometry"), geometry=list(sites.geometry))
    with pytest.raises(LayoutError, match="has no CRS"):
        industry_map(surface, layers=layers, title="t", sites=sites)
