"""Tests of the site-check reports: the JSON document, the Markdown and the HTML page."""

from __future__ import annotations

import json
import re

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
from layout.scoring.cache import ScoreCache


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
    html = report_html(doc)
    assert html.startswith("<h1>Site check: 电子信息") and html.endswith("</table>")
    assert re.findall(r"<h2>Parcel ([^ ]+) ", html) == ["A-airport", "B-farm", "C-lowfar"]
    # one badge per parcel in the summary table and one per parcel section
    assert html.count('class="sc-verdict"') == 6
    assert html.count("<b>fail</b>") == 2  # C-lowfar's FAR and building coverage
    assert "<h3>Better alternatives</h3>" in html


def test_legend_is_one_line() -> None:
    legend = legend_html()
    assert "\n" not in legend and legend.count('<div class="row">') == 7
