"""HTML fragments from the ``map_*`` templates: `fragment`, tooltips, title, panels."""

from __future__ import annotations

import pytest

from layout.products.escape import escape_text
from layout.products.maps.frame import LEGEND_WIDTH_PX, panel_css
from layout.products.maps.markup import fragment, tip
from layout.products.templating import render

HOSTILE = [
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "{{ 7*7 }}{% if true %}x{% endif %}",
    "back\\slash\nline",
]


def test_tip_escapes_every_piece_and_skips_empty_values() -> None:
    assert tip("<t>", [("a", "1"), ("b", ""), ("c`", "$x")], "en") == (
        "<b>&lt;t&gt;</b><br>a: 1<br>c&#96;: &#36;x"
    )
    assert tip("中原区", [("面积", "1.0 km²")], "zh") == "<b>中原区</b><br>面积：1.0 km²"
    assert tip("t", [], "en") == "<b>t</b>"


@pytest.mark.parametrize("text", HOSTILE)
def test_tip_with_hostile_text(text: str) -> None:
    out = tip(text, [(text, text)], "en")
    assert out == f"<b>{escape_text(text)}</b><br>{escape_text(text)}: {escape_text(text)}"
    assert "<script" not in out and "{{" not in out and "`" not in out


def test_title_fragment() -> None:
    title = fragment("map_title.html.j2", title="<a>", subtitle="`b`", date="2024-05-01")
    assert title == (
        '&lt;a&gt;<span class="layout-date">&#96;b&#96;</span>'
        '<span class="layout-date">2024-05-01</span>'
    )
    assert fragment("map_title.html.j2", title="a", subtitle="", date="") == "a"


def test_fragment_drops_the_final_newline_only() -> None:
    assert render("map_title.html.j2", title="a", subtitle="", date="") == "a"
    assert fragment("map_legend_rows.html.j2") == ""


def test_panel_css() -> None:
    css = panel_css()
    assert css.startswith("\n.leaflet-container { background: #ffffff; }\n")
    assert f"width: {LEGEND_WIDTH_PX}px;" in css and css.endswith("}\n") and len(css) == 2476
    industry = render("map_industry.css.j2")
    assert industry.startswith("\n.layout-legend .ramp {") and industry.endswith("pixelated; }\n")
