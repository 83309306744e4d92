"""Sites on the maps: the popup (template ``map_site_popup.html.j2``), its bars and summary.

The expected popup is what the maps wrote before popups moved to templates: the maps must stay
byte-identical.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from layout.products.escape import escape_text
from layout.products.maps.sites import (
    Bar,
    contribution_bars,
    contribution_columns,
    site_popup,
    site_summary,
    site_title,
)

COLUMNS = ["c_density", "c_zone_fit", "c_airport"]
POPUP = (
    '<div class="layout-site"><b>&lt;b&gt;s1&lt;/b&gt;</b><table><tr><th>Industry</th><td>'
    "Automobiles and equipment</td></tr><tr><th>Rank</th><td>1</td></tr><tr><th>Area</th><td>"
    "150 mu (10.0 ha)</td></tr><tr><th>Mean score</th><td>73.2</td></tr><tr><th>Minimum score"
    "</th><td>60.0</td></tr><tr><th>Cluster zone</th><td>Zone &#96;1&#96;</td></tr><tr><th>"
    "County</th><td>Zhongyuan</td></tr><tr><th>Stability</th><td>80 % (stable)</td></tr></table>"
    '<div class="hd">Contribution of each criterion (points)</div><div class="bar"><span class="bl"'
    ' title="same-industry density">same-industry density</span><span class="bt"><i style="width:'
    '100.0%;background:#e6550d"></i></span><span class="bv">40.0</span></div><div class="bar">'
    '<span class="bl" title="zone leading-industry fit">zone leading-industry fit</span><span '
    'class="bt"><i style="width:83.1%;background:#31a354"></i></span><span class="bv">33.2</span>'
    "</div></div>"
)


def site(**over: object) -> pd.Series:
    row = {
        "site_id": "<b>s1</b>",
        "industry": "auto",
        "rank": 1,
        "area_mu": 150.0,
        "area_ha": 10.0,
        "mean_score": 73.25,
        "min_score": 60.0,
        "zone_id": "z1",
        "county": "410102",
        "stability": 0.8,
        "stable": True,
        "c_density": 40.0,
        "c_zone_fit": 33.25,
        "c_airport": math.nan,
    }
    return pd.Series({**row, **over})


def test_site_popup() -> None:
    popup = site_popup(
        site(),
        "en",
        columns=COLUMNS,
        zone_names={"z1": "Zone `1`"},
        county_names={"410102": "Zhongyuan"},
    )
    assert popup == POPUP


def test_site_popup_without_contributions_has_no_chart() -> None:
    popup = site_popup(site(), "zh")
    assert popup.startswith('<div class="layout-site"><b>&lt;b&gt;s1&lt;/b&gt;</b><table><tr>')
    assert popup.endswith("</td></tr></table></div>") and "bar" not in popup


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "`${alert(1)}`"]
)
def test_site_popup_escapes_ids_names_and_criteria(text: str) -> None:
    popup = site_popup(
        site(site_id=text, **{f"c_{text}": 5.0}),
        "en",
        columns=[f"c_{text}"],
        zone_names={"z1": text},
        county_names={"410102": text},
    )
    assert popup.count(escape_text(text)) == 5  # title, zone, county, bar label and its title
    assert text not in popup


def test_contribution_bars_largest_first_without_nan() -> None:
    bars = contribution_bars(site(), COLUMNS, "en")
    assert bars == [
        Bar("same-industry density", "#e6550d", 100.0, "40.0"),
        Bar("zone leading-industry fit", "#31a354", 83.125, "33.2"),
    ]
    assert contribution_bars(site(c_density=math.nan, c_zone_fit=None), COLUMNS, "en") == []
    unknown = contribution_bars(site(c_new=3.0), ["c_new"], "en")
    assert unknown == [Bar("new", "#737373", 100.0, "3.0")]


def test_site_summary_and_title() -> None:
    rows = dict(site_summary(site(stability=math.nan, zone_id=""), "en"))
    assert rows["Stability"] == "sensitivity not run"
    assert rows["Cluster zone"] == "outside cluster zones"
    assert rows["County"] == "410102"
    assert site_title(site(site_id=" ", name=None), "zh") == "选址"
    assert contribution_columns(["c_a", "c_", "area", 3, "c_b"]) == ["c_a", "c_b"]
