"""Jinja2 templates of the products (HTML reports, site-check pages, map popups and legends).

Templates live in ``layout/products/templates/``; `render` fills one. HTML templates
(``*.html.j2``, ``*.html``) and XML templates of QGIS (``*.xml.j2``, ``*.qml.j2``, ``*.qgs.j2``)
are autoescaped, so text from data files cannot inject markup;
Markdown and other text templates are not. Undefined variables are errors, not empty strings.

Autoescaping covers HTML, but text from the data also lands where HTML escaping is not enough
(tooltips assigned to ``innerHTML`` from JSON, JavaScript template literals of folium). Templates
therefore print data text with ``inert(value)``: `layout.products.escape.escape_text`, marked
safe so that autoescaping does not escape it twice.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from layout.products.escape import escape_text


def inert(value: object) -> Markup:
    """``value`` escaped with `escape_text`, as markup a template inserts unchanged.

    Examples
    --------
    >>> str(inert("`${x}` & 'y'"))
    '&#96;&#36;&#123;x&#125;&#96; &amp; &#x27;y&#x27;'
    """
    return Markup(escape_text(value))


@cache
def environment() -> jinja2.Environment:
    """The shared template environment (loaded once per process)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("layout.products", "templates"),
        autoescape=jinja2.select_autoescape(
            # QGIS styles and projects are XML: escaped like HTML
            enabled_extensions=("html", "html.j2", "htm", "xml.j2", "qml.j2", "qgs.j2"),
            default_for_string=True,
        ),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["inert"] = inert
    return env


def render(name: str, /, **context: Any) -> str:
    """Render the template ``name`` (a file of ``layout/products/templates/``) with ``context``.

    Examples
    --------
    >>> render("map_title.html.j2", title="<b>郑州</b>", subtitle="", date="2026-12-05")
    '&lt;b&gt;郑州&lt;/b&gt;<span class="layout-date">2026-12-05</span>'
    """
    return environment().get_template(name).render(**context)
