"""The legends of the maps (templates ``map_legend.html.j2``, ``map_industry_legend.html.j2``).

The expected HTML is what the maps wrote before the legends moved to templates: the maps must
stay byte-identical.
"""

from __future__ import annotations

from layout.products.maps.legend import (
    TransportItem,
    industry_legend,
    legend_sources,
    overview_legend,
    transport_legend,
)

OVERVIEW_EN = (
    '<details open><summary>Legend</summary>\n<h5>Enterprises</h5>\n<div class="row"><span '
    'class="dot" style="background:#ff0000"></span><span>Food</span></div>\n<div class="note">'
    'dot area proportional to output</div>\n<h5>Cluster zones</h5>\n<div class="row"><span '
    'class="sw" style="background:#bdbdbd;opacity:0.7"></span><span>Cluster zones (coloured by '
    'first leading industry)</span></div>\n<div class="row"><span class="sw" style="border:2px '
    'solid #000000"></span><span>Recommended sites</span></div>\n<h5>Hard constraints</h5>\n'
    '<div class="row"><span class="sw" style="background:#00ff00;opacity:0.45;border:1px dashed '
    '#00ff00"></span><span>&lt;x&gt;</span></div>\n<h5>Transport lines</h5>\n<div class="row">'
    '<span class="line" style="border-top:2.0px dashed #252525"></span><span>Railway</span>'
    '</div>\n<div class="row"><span class="line" style="border-top:1.0px solid #737373"></span>'
    '<span>Other line</span></div>\n<div class="row"><span class="dot" style="background:'
    '#08306b"></span><span>Airport</span></div>\n<h5>Boundaries</h5>\n<div class="row"><span '
    'class="line" style="border-top:2.5px solid #252525"></span><span>Municipal boundary</span>'
    '</div>\n<div class="row"><span class="line" style="border-top:1px solid #7f7f7f"></span>'
    '<span>Counties and districts</span></div>\n<div class="row"><span class="sw" style='
    '"background:#8c8c8c;opacity:0.4"></span><span>Urban areas</span></div>\n<div class="note">'
    "Sources: a &amp; b; c</div>\n</details>"
)
OVERVIEW_ZH_BARE = (
    '<details open><summary>图例</summary>\n<h5>边界</h5>\n<div class="row"><span class="line" '
    'style="border-top:2.5px solid #252525"></span><span>市界</span></div>\n<div class="row">'
    '<span class="line" style="border-top:1px solid #7f7f7f"></span><span>区县</span></div>\n'
    "</details>"
)
RAMP = (
    '<div class="ramp" style="background:linear-gradient(to right,#440154,#482475,#414487,'
    '#355f8d,#2a788e,#21918c,#22a884,#44bf70,#7ad151,#bddf26,#fde725)"></div>\n<div class='
    '"ticks"><span>0</span><span>25</span><span>50</span><span>75</span><span>100</span></div>\n'
)
HATCH = (
    '<span class="hatch" style="background:repeating-linear-gradient(45deg,#969696 0 2px,#d9d9d9 '
    '2px 7px)"></span>'
)
INDUSTRY_EN = (
    "<details open><summary>Legend</summary>\n<h5>Suitability score</h5>\n" + RAMP + "<div class="
    '"note">0 = worst, 100 = best</div>\n<div class="row">' + HATCH + "<span>Excluded (hard "
    'constraint)</span></div>\n<h5>Exclusion reasons</h5>\n<div class="row"><span class="sw" '
    'style="background:#abcdef"></span><span>Permanent basic farmland</span></div>\n<div class='
    '"row"><span class="sw" style="background:#123456"></span><span>Other constraint (512)'
    '</span></div>\n<div class="note">coloured by first reason; click the map for all reasons'
    '</div>\n<h5>Recommended sites</h5>\n<div class="row"><span class="sw" style="background:'
    '#F0E442;border:2px solid #000000"></span><span>Food (2)</span></div>\n<div class="note">'
    'numbered by rank within the industry</div>\n<div class="row"><span class="dot" style='
    '"background:#F0E442"></span><span>Enterprises · Food</span></div>\n<h5>Boundaries</h5>\n'
    '<div class="row"><span class="line" style="border-top:2.5px solid #252525"></span><span>'
    'Municipal boundary</span></div>\n<div class="row"><span class="line" style="border-top:1px '
    'solid #7f7f7f"></span><span>Counties and districts</span></div>\n<div class="row"><span '
    'class="line" style="border-top:2px dashed #000000"></span><span>Cluster zones</span></div>\n'
    '<div class="row"><span class="line" style="border-top:3.0px solid #c51b7d"></span><span>'
    'Expressway</span></div>\n<div class="note">click anywhere on the map for the score or '
    'exclusion reasons there</div>\n<div class="note">shifted &lt;east&gt;</div>\n</details>'
)
INDUSTRY_ZH_BARE = (
    "<details open><summary>图例</summary>\n<h5>适宜性评分</h5>\n" + RAMP + '<div class="note">'
    '0 = 最差，100 = 最佳</div>\n<div class="row">' + HATCH + "<span>不可建设（刚性约束）</span>"
    '</div>\n<h5>边界</h5>\n<div class="row"><span class="line" style="border-top:2.5px solid '
    '#252525"></span><span>市界</span></div>\n<div class="row"><span class="line" style="border-'
    'top:1px solid #7f7f7f"></span><span>区县</span></div>\n<div class="note">点击地图任一处查看'
    "该处评分或不可建设原因</div>\n</details>"
)


def test_overview_legend() -> None:
    full = overview_legend(
        "en",
        industries=[("Food", "#ff0000")],
        zones=True,
        constraints=[("<x>", "#00ff00")],
        lines=["railway", "weird"],
        points=["airport"],
        urban=True,
        sites=True,
        sources=["a & b", "c"],
    )
    assert full == OVERVIEW_EN
    bare = overview_legend(
        "zh",
        industries=[],
        zones=False,
        constraints=[],
        lines=[],
        points=[],
        urban=False,
        sites=False,
        sources=[],
    )
    assert bare == OVERVIEW_ZH_BARE


def test_overview_legend_escapes_hostile_labels() -> None:
    hostile = "`${alert(1)}`<script>"
    out = overview_legend(
        "en",
        industries=[(hostile, '"><b>')],
        zones=False,
        constraints=[(hostile, "#000000")],
        lines=[],
        points=[],
        urban=False,
        sites=False,
        sources=[hostile],
    )
    assert "<script>" not in out and "`" not in out and "${" not in out and '"><b>' not in out
    assert out.count("&#96;&#36;&#123;alert(1)&#125;&#96;&lt;script&gt;") == 3


def test_industry_legend() -> None:
    full = industry_legend(
        "en",
        code="food",
        reasons=[(1, "#abcdef"), (512, "#123456")],
        bit_names={1: "basic_farmland"},
        sites=2,
        enterprises=True,
        zones=True,
        lines=["expressway"],
        points=[],
        note="shifted <east>",
    )
    assert full == INDUSTRY_EN
    bare = industry_legend(
        "zh",
        code="auto",
        reasons=[],
        bit_names={},
        sites=0,
        enterprises=False,
        zones=False,
        lines=[],
        points=[],
        note="",
    )
    assert bare == INDUSTRY_ZH_BARE


def test_transport_legend() -> None:
    assert transport_legend(["railway"], ["airport", "x"], "zh") == [
        TransportItem("铁路", "#252525", line=True, weight=2.0, dash="dashed"),
        TransportItem("机场", "#08306b"),
        TransportItem("其他节点", "#525252"),
    ]


def test_legend_sources_are_short_and_at_most_two() -> None:
    import geopandas as gpd
    import shapely

    def layer(*sources: str) -> gpd.GeoDataFrame:
        geoms = [shapely.Point(0, 0)] * len(sources)
        return gpd.GeoDataFrame({"source": list(sources)}, geometry=geoms, crs="EPSG:4326")

    long = "x" * 120
    layers = {"boundary": layer("GS(2024)1; note", "GS(2024)1"), "counties": layer(long, "y")}
    assert legend_sources(layers) == ["GS(2024)1", "x" * 89 + "…"]
    assert legend_sources({}) == []
