"""Tests of the site-check reports: the JSON document, the Markdown and the HTML page."""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from markdown_it import MarkdownIt

from layout.products.maps import external_loads, render_html
from layout.products.sitecheck import (
    SCHEMA_VERSION,
    SiteCheck,
    check_parcels,
    example_parcels,
    report_dict,
    site_map,
    to_json,
    to_markdown,
)
from layout.products.sitecheck.page import legend_html, report_html
from layout.scoring.cache import ScoreCache, ensure_cache
from tests.fixtures import tiny_plan as tp


def test_json_document(score_cache: ScoreCache, examples: dict[str, SiteCheck]) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    text = to_json(doc)
    back = json.loads(text)
    assert back["schema_version"] == SCHEMA_VERSION
    assert back["summary"] == {"parcels": 3, "suitable": 1, "conditional": 1, "unsuitable": 1}
    p = back["parcels"][1]
    assert p["parcel_id"] == "B-farm" and p["verdict"] == "unsuitable"
    assert set(p) >= {"reasons", "constraints", "zone", "suitability", "industries",
                      "alternatives", "indicators", "study_area", "excluded_overlap"}
    assert to_json(report_dict(list(examples.values()), cache=score_cache)) == text


def test_compact_json_above_pretty_max(score_cache: ScoreCache,
                                       examples: dict[str, SiteCheck]) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    compact = to_json(doc, pretty_max=2)
    assert json.loads(compact) == json.loads(to_json(doc))
    assert len(compact.splitlines()) < len(to_json(doc).splitlines())


def test_markdown_and_html_escape(score_cache: ScoreCache) -> None:
    evil = example_parcels().iloc[[0]].assign(parcel_id="<script>alert(1)</script>|`${x}`")
    checks = check_parcels(evil, industry="electronics", cache=score_cache, with_geometry=True)
    doc = report_dict(checks, cache=score_cache)
    md = to_markdown(doc)
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\|" in md
    html = render_html(site_map(checks, doc, cache=score_cache))
    assert "<script>alert(1)" not in html and "${x}" not in html
    assert external_loads(html) == []
    assert render_html(site_map(checks, doc, cache=score_cache)) == html


def test_report_html_lists_every_parcel(score_cache: ScoreCache,
                                        examples: dict[str, SiteCheck]) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    html = report_html(doc, lang="en", date="2026-12-06")
    assert html.startswith('<h1 class="sc-title">Site opinion') and html.endswith("</script>")
    assert "Electronic information" in html.splitlines()[0]
    assert re.findall(r"<h2>Parcel ([^ ]+) ", html) == ["A-airport", "B-farm", "C-lowfar"]
    # one badge per parcel in the summary table and one per parcel section
    assert html.count('class="sc-verdict"') == 6
    assert html.count("<td>fails</td>") == 2  # C-lowfar's FAR and building coverage
    assert '<div class="sc-caption">Better sites nearby</div>' in html
    assert html.count('<section class="sc-parcel"') == 3 and html.count("<svg") == 0
    zh = report_html(doc, date="2026-12-06")  # Chinese by default
    assert re.findall(r"<h2>地块 ([^ ]+) ", zh) == ["A-airport", "B-farm", "C-lowfar"]
    assert zh.count("<td>不符合</td>") == 2


def test_legend_is_one_line() -> None:
    legend = legend_html()
    assert "\n" not in legend and legend.count('<div class="row">') == 7


#: A name that is HTML, a Markdown link, emphasis, a table pipe, a list marker and a line break.
HOSTILE = "- 1. <img src=x onerror=alert(1)> [a](javascript:alert(2)) *b* _c_ `d` |e|\n# f"
#: What the text of the hostile name displays as once rendered (its line break a space).
SHOWN = HOSTILE.replace("\n", " ")
#: Fields of the document holding text from the data (or built from it).
DATA_FIELDS = {"name_zh", "name_en", "name", "label", "parcel_id", "zone_id", "site_id",
               "constraint_id", "legal_basis", "message", "source", "confidence", "type"}
#: The elements the Markdown report is made of (blockquote: a parcel's warnings).
MD_TAGS = {"h1", "h2", "h3", "p", "ul", "li", "strong", "blockquote", "table", "thead", "tbody",
           "tr", "th", "td"}


def _hostile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: HOSTILE if k in DATA_FIELDS and isinstance(v, str) else _hostile(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v) for v in value]
    return value


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def test_markdown_renders_names_as_text(score_cache: ScoreCache,
                                        examples: dict[str, SiteCheck]) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    doc["parcels"][0]["warnings"] = ["warning from the data"]
    evil = _hostile(copy.deepcopy(doc))
    assert json.dumps(evil).count("onerror") > 20  # names, ids, reasons, legal bases...
    page = MarkdownIt("commonmark").enable("table").render(to_markdown(evil))
    seen = _Texts()
    seen.feed(page)
    assert seen.tags <= MD_TAGS, seen.tags - MD_TAGS
    assert "<img" not in page and "<a " not in page and "<code" not in page
    # every occurrence displays literally: none lost to a split table row or a list
    shown = to_markdown(evil).count("onerror")
    assert seen.text.count(SHOWN) == shown
    # the same document with plain names renders the same structure
    plain = MarkdownIt("commonmark").enable("table").render(to_markdown(doc))
    assert re.findall(r"<(\w+)", plain) == re.findall(r"<(\w+)", page)


def test_documents_name_no_absolute_path(tmp_path: Path) -> None:
    """A plan in a user's folder: the site-check documents name its files, not their paths."""
    plan = tp.write_tiny_plan(tmp_path / "plan")
    cache = ensure_cache(plan, root=tmp_path / "cache")
    parcel = gpd.GeoDataFrame(
        {"parcel_id": ["P1"]}, geometry=[shapely.box(501_500, 3_842_500, 502_500, 3_843_500)],
        crs=tp.METRIC,
    )
    checks = check_parcels(parcel, industry="food", cache=cache, with_geometry=True)
    doc = report_dict(checks, cache=cache)
    assert doc["plan"]["label"] == "plan.toml"
    texts = [to_json(doc), to_markdown(doc), report_html(doc),
             render_html(site_map(checks, doc, cache=cache))]
    for text in texts:
        assert str(tmp_path) not in text and str(Path.home()) not in text


#: A marker's position and its icon's HTML (a JSON string in the page's script).
_MARKER = re.compile(
    r'L\.marker\(\s*\[([-\d.]+),\s*([-\d.]+)\].*?L\.divIcon\(\{\s*"html": ("(?:[^"\\]|\\.)*")',
    re.S,
)
_LABEL = re.compile(r'<span class="sc-parcel-label sc-(\w+)"[^>]*>([^<]*)</span>')


def test_site_map_labels_each_parcel_with_id_and_verdict(
    score_cache: ScoreCache, examples: dict[str, SiteCheck]
) -> None:
    checks = [c for c in examples.values() if c.geometry is not None]
    doc = report_dict(checks, cache=score_cache)
    words = {"zh": {"suitable": "适宜", "conditional": "有条件适宜", "unsuitable": "不适宜"},
             "en": {"suitable": "suitable", "conditional": "conditional",
                    "unsuitable": "unsuitable"}}
    crs = score_cache.manifest["crs"]
    for lang in ("zh", "en"):
        html = render_html(site_map(checks, doc, cache=score_cache, lang=lang))
        found = []
        for lat, lon, icon in _MARKER.findall(html):
            label = _LABEL.fullmatch(json.loads(icon))
            if label:
                found.append((lat, lon, *label.groups()))
        assert len(found) == len(checks), lang
        for c, (lat, lon, verdict, text) in zip(checks, found, strict=True):
            # The text names the parcel and its verdict in words; the label sits on the parcel.
            assert verdict == c.verdict and text == f"{c.parcel_id} · {words[lang][c.verdict]}"
            pt = gpd.GeoSeries([shapely.Point(float(lon), float(lat))], crs="EPSG:4326")
            assert c.geometry.buffer(1.0).contains(pt.to_crs(crs).iloc[0])  # 1 m: rounding
