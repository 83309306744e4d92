"""The HTML report of a site check: the panel beside its map (`site_map`).

The report, its style sheet and the map's tooltips and legend are templates of
`layout.products.templating` (``sitecheck_*`` in ``layout/products/templates/``).

Every text from the data is escaped with `layout.products.escape.escape_text` (the templates'
`inert`, `layout.products.templating.inert`),
not with the templates' own autoescaping: the map page passes text through contexts where more
than HTML is active (tooltips assigned to ``innerHTML``, JavaScript template literals, branca's
Jinja), and `escape_text` makes text inert in all of them. It also writes quotes as
``&quot;``/``&#x27;``, as the pages have always had them. Numbers and fixed words rely on the
autoescaping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from layout.products.sitecheck.opinion import opinion

#: Colour of each verdict (report badges, parcels on the map, legend).
VERDICT_COLORS = {"suitable": "#1a9641", "conditional": "#e08214", "unsuitable": "#d7191c"}
#: Colour of better alternatives on the map.
ALT_COLOR = "#2c7bb6"
#: Colour of constraint overlaps on the map.
OVERLAP_COLOR = "#7b3294"


def page_css() -> str:
    """The style sheet of the site-check page (report panel and legend)."""
    from layout.products.templating import render

    return render("sitecheck_page.css")


def report_html(
    document: Mapping[str, Any],
    *,
    lang: str = "zh",
    date: str | dt.date | None = None,
    maps: Sequence[str] = (),
) -> str:
    """The report part of the HTML page: the site opinion of a `report_dict` document.

    Parameters
    ----------
    document
        The JSON document.
    lang
        ``zh`` (default) or ``en`` (`layout.products.sitecheck.opinion`).
    date
        The date of review; today when None.
    maps
        One inline SVG map per parcel (`layout.products.sitecheck.minimap`), or none.
    """
    from markupsafe import Markup

    from layout.products.templating import render

    html = render(
        "sitecheck_report.html.j2",
        o=opinion(document, lang=lang, date=date),
        colors=VERDICT_COLORS,
        maps=[Markup(m) for m in maps],
    )
    # one line per template line; the page holds the report without a final newline
    return html.removesuffix("\n")


def tooltip_html(title: str, rows: Sequence[tuple[str, str]] = ()) -> str:
    """A map tooltip: ``title`` in bold, then one ``key: value`` line per row.

    Examples
    --------
    >>> tooltip_html("parcel <A>", [("area", "405 mu")])
    '<b>parcel &lt;A&gt;</b><br>area: 405 mu'
    """
    from layout.products.templating import render

    return render("sitecheck_tooltip.html.j2", title=title, rows=rows)


def legend_html() -> str:
    """The legend of the site-check map (verdict colours, overlaps, alternatives, layers)."""
    from layout.products.templating import render

    return render(
        "sitecheck_legend.html.j2",
        colors=VERDICT_COLORS,
        alt_color=ALT_COLOR,
        overlap_color=OVERLAP_COLOR,
    )
