"""The overview map as a static PNG: deterministic bytes, English labels without a CJK font."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from layout.products.maps import overview_png
from layout.products.maps import png as _png
from tests.products.maps.overview_data import synthetic_layers, synthetic_sites


@pytest.fixture(scope="module")
def layers() -> dict:
    return synthetic_layers()


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


def test_png_is_drawn_in_the_plan_crs_and_says_so(tmp_path: Path) -> None:
    """Suzhou layers in lon/lat: drawn in the zone of 120E (EPSG:4549), not in EPSG:4547."""
    import geopandas as gpd
    import shapely
    from PIL import Image
    from pyproj import CRS

    box = shapely.box(120.45, 31.2, 120.75, 31.45)
    layers = {"boundary": gpd.GeoDataFrame(geometry=[box], crs="EPSG:4326")}
    path = overview_png(layers, tmp_path / "a.png", lang="en", title="苏州 test",
                        date="2024-05-01")
    with Image.open(path) as img:
        text = dict(img.text)
    assert text["CRS"] == "EPSG:4549" and text["Title"] == "苏州 test  2024-05-01"
    # The zone pyproj's area of use gives for the box's centre is the one drawn.
    area = CRS.from_epsg(4549).area_of_use
    assert area is not None and area.west <= box.centroid.x <= area.east
    given = overview_png(layers, tmp_path / "b.png", lang="en", crs="EPSG:4528")
    with Image.open(given) as img:
        assert img.text["CRS"] == "EPSG:4528"
