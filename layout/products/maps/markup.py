"""HTML fragments of the maps from the ``map_*`` templates: tooltips, popups, legends, titles.

The templates (``layout/products/templates/map_*.html.j2``) are rendered by
`layout.products.templating.render`, autoescaped.  Text from the data reaches a map in places
where HTML escaping is not enough, so every such value goes through ``inert(value)`` in the
templates (`layout.products.templating.inert`). Anything a template prints without it is still
autoescaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layout.products.maps.style import TEXT
from layout.products.templating import render

__all__ = ["fragment", "tip"]


def fragment(name: str, /, **context: Any) -> str:
    """Render the map template ``name`` as an inline fragment (no final newline).

    The final newline of the file is not part of the fragment.
    """
    return render(name, **context).removesuffix("\n")


def tip(title: str, rows: Sequence[tuple[str, str]], lang: str) -> str:
    """Tooltip HTML: a bold title and ``label: value`` lines (empty values left out), escaped.

    Examples
    --------
    >>> tip("<中原区>", [("面积", "12.0 km²"), ("规划面积", "")], "zh")
    '<b>&lt;中原区&gt;</b><br>面积：12.0 km²'
    """
    return fragment("map_tip.html.j2", title=title, rows=rows, sep=TEXT[lang]["sep"])
