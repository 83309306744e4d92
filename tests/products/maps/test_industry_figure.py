"""An industry map as a static PNG: deterministic bytes, English labels without a CJK font."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from PIL import Image

from layout.products.maps import png as _png
from layout.products.maps.industry_figure import industry_png
from layout.products.maps.surface import SuitabilitySurface, read_surface
from tests.products.maps.plan_data import tiny_layers, tiny_sites, write_surface


@pytest.fixture(scope="module")
def surface(tmp_path_factory: pytest.TempPathFactory) -> SuitabilitySurface:
    score_path, _ = write_surface(tmp_path_factory.mktemp("surface"), "auto")
    return read_surface(score_path)


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return tiny_layers()


def test_industry_png_is_deterministic(
    surface: SuitabilitySurface, layers: dict, tmp_path: Path
) -> None:
    kw: dict[str, Any] = {
        "layers": layers,
        "title": "测试",
        "sites": tiny_sites(),
        "date": "2024-05-01",
    }
    a = industry_png(surface, tmp_path / "a.png", **kw)
    b = industry_png(surface, tmp_path / "b.png", **kw)
    assert a.read_bytes() == b.read_bytes()
    data = a.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in data and b"tIME" not in data
    with Image.open(a) as img:
        assert img.size[0] >= 1500


def test_industry_png_without_cjk_font_falls_back_to_english(
    surface: SuitabilitySurface,
    layers: dict,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:

    monkeypatch.setattr(_png, "cjk_font", lambda: None)
    with caplog.at_level(logging.WARNING):
        path = industry_png(surface, tmp_path / "x.png", layers=layers, title="t")
    assert path.exists() and "English labels" in caplog.text
