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
