"""The bundled CJK font: PNG maps draw Chinese on a machine whose system fonts are hidden.

A child Python gets a matplotlib config folder of its own whose font cache lists only
matplotlib's own fonts (DejaVu; built here with system font discovery switched off), and a
fontconfig configuration with no font folder, so neither matplotlib nor ``fc-match`` can find
a system CJK font. It renders a PNG with a Chinese title through `render_png`; no "Glyph ...
missing" warning may be raised and no English fallback logged, and the font used must be the
file of the ``pylopdf-fonts-zh-cn`` dependency.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib import font_manager

CHILD = r"""
import json, logging, sys, warnings
from pathlib import Path
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from layout.products.maps import png

records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger("layout").addHandler(Keep())
logging.getLogger("layout").setLevel(logging.WARNING)
system_cjk = sorted({f.name for f in font_manager.fontManager.ttflist} & set(png.CJK_FAMILIES))

def draw(lang):
    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    fig.suptitle("郑州市产业布局")
    fig.text(0.5, 0.5, "航空港区")
    return fig

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    png.render_png(draw, Path(sys.argv[1]), lang="zh")
font = png.cjk_font()
print(json.dumps({"system_cjk": system_cjk, "font": font,
                  "path": png.resolved_font(font) if font else None,
                  "warnings": [str(w.message) for w in caught], "log": records}))
"""


def _own_fonts_only(cache: Path) -> None:
    """Write a font cache listing only matplotlib's own fonts (no system font discovery)."""
    real = font_manager.findSystemFonts
    font_manager.findSystemFonts = lambda fontpaths=None, fontext="ttf": (  # type: ignore[assignment]
        real(fontpaths, fontext) if fontpaths else [])
    try:
        fm = font_manager.FontManager()
    finally:
        font_manager.findSystemFonts = real
    font_manager.json_dump(fm, cache / f"fontlist-v{font_manager.FontManager.__version__}.json")


def test_png_draws_chinese_with_system_fonts_hidden(tmp_path: Path) -> None:
    pytest.importorskip("pylopdf_fonts_zh_cn")
    from pylopdf_fonts_zh_cn import sans_path

    config = tmp_path / "mpl"
    config.mkdir()
    _own_fonts_only(config)
    (tmp_path / "empty_fonts").mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "empty_fonts"}</dir>'
                    f"<cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>", encoding="utf-8")
    env = {**os.environ, "MPLCONFIGDIR": str(config), "FONTCONFIG_FILE": str(conf),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[3]),
                                          os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "map.png")], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["system_cjk"] == []  # the hiding worked: matplotlib knows no system CJK font
    assert got["path"] == str(sans_path())
    assert not [w for w in got["warnings"] if "missing from" in w or "Glyph" in w], got
    assert got["log"] == []  # no "drew ... with English labels"
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
