"""Maps inline in a notebook, exactly as `layout.products.maps.save_map` writes them.

folium's own notebook view loads Leaflet from CDNs; `show_map` inlines it instead.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import folium


@dataclass(frozen=True)
class InlineMap:
    """A map page shown inline in a notebook (an ``iframe`` holding the whole page)."""

    page: str = field(repr=False)
    height: int = 520

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
            f'style="width:100%;height:{self.height}px;border:1px solid #ccc" '
            'sandbox="allow-scripts"></iframe>'
        )


def show_map(m: folium.Map, *, height: int = 520) -> InlineMap:
    """Show a folium map inline in a notebook as the offline page `layout.products.maps.save_map`.

    Leaflet is inlined (`layout.products.maps.render_html`), so the map shows without a network,
    and exactly as the saved HTML file does.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(location=[34.75, 113.65], tiles=None, zoom_start=9)
    >>> shown = show_map(m, height=300)
    >>> shown._repr_html_().startswith("<iframe srcdoc=") and "height:300px" in shown._repr_html_()
    True
    """
    # imported when shown: the maps package pulls in folium and matplotlib
    from layout.products.maps import render_html

    return InlineMap(render_html(m), height=int(height))
