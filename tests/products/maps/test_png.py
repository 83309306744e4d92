"""Tests of `layout.products.maps.png`: the CJK font is checked where matplotlib resolves it.

A stale matplotlib font cache names a font whose file is gone; matplotlib then draws Chinese as
empty boxes. `cjk_font` must not report such a font, and `render_png` must say, in one warning,
that it drew English labels and which texts from the data still show as boxes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from layout.products.maps import png

TITLE = "郑州市产业布局"


@pytest.fixture(autouse=True)
def fresh_font_lookup() -> Iterator[None]:
    png.cjk_font.cache_clear()
    yield
    png.cjk_font.cache_clear()  # no test leaves its answer to the others


def stale_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """matplotlib resolves every CJK family to a file that no longer exists."""
    real = font_manager.findfont

    def findfont(prop: Any, *args: Any, **kwargs: Any) -> str:
        families = prop.get_family() if hasattr(prop, "get_family") else [prop]
        if any(f not in ("DejaVu Sans", "sans-serif") for f in families):
            return "/nonexistent/fonts/NotoSansCJK-Regular.ttc"
        return str(real(prop, *args, **kwargs))

    monkeypatch.setattr(font_manager, "findfont", findfont)


def draw_title(seen: list[str]) -> Any:
    def draw(lang: str) -> Figure:
        seen.append(lang)
        fig = Figure(figsize=(3, 2))
        FigureCanvasAgg(fig)
        fig.suptitle(TITLE)  # a name from the data: Chinese whatever the labels' language
        fig.text(0.5, 0.5, "Zhengzhou" if lang == "en" else "郑州")
        return fig

    return draw


def test_a_font_whose_file_is_gone_is_not_available(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    if not names & set(png.CJK_FAMILIES):
        pytest.skip("no CJK font installed: nothing for a stale cache to name")
    with monkeypatch.context() as m:
        stale_cache(m)
        assert png.resolved_font("Noto Sans CJK SC") is None
        assert png.cjk_font() is None  # though the cache still lists the family


def test_stale_cache_gives_english_labels_and_one_honest_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    with monkeypatch.context() as m:
        stale_cache(m)
        assert png.cjk_font() is None  # looked up (and cached) under the stale cache
    seen: list[str] = []
    with caplog.at_level(logging.WARNING, logger="layout.products.maps.png"):
        path = png.render_png(draw_title(seen), tmp_path / "map.png", lang="zh")
    assert seen == ["en"] and path.read_bytes()[:4] == b"\x89PNG"
    records = [r for r in caplog.records if r.name == "layout.products.maps.png"]
    assert len(records) == 1, [r.getMessage() for r in records]
    message = records[0].getMessage()
    assert "drew map.png with English labels" in message
    assert "1 text(s)" in message and TITLE in message and "empty boxes" in message


def test_installed_cjk_font_draws_chinese_without_warning(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    font = png.cjk_font()
    if font is None:
        pytest.skip("no CJK font installed")
    path = png.resolved_font(font)
    assert path is not None and Path(path).is_file()
    seen: list[str] = []
    with caplog.at_level(logging.WARNING, logger="layout.products.maps.png"):
        png.render_png(draw_title(seen), tmp_path / "map.png", lang="zh")
    assert seen == ["zh"] and caplog.records == []
