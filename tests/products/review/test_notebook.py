"""Tests of `layout.products.review.notebook`: ``html.unescape`` against `show_map`."""

from __future__ import annotations

import html

import folium

from layout.products import review
from layout.products.maps import render_html


def test_show_map_holds_the_offline_page() -> None:
    m = folium.Map(location=[34.75, 113.65], tiles=None, zoom_start=9)
    shown = review.show_map(m, height=321)
    text = shown._repr_html_()
    start = len('<iframe srcdoc="')
    page = html.unescape(text[start : text.index('" style=')])
    assert page == render_html(m)
    assert "height:321px" in text
