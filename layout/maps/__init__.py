"""Maps: self-contained offline Folium HTML and static PNGs of the planning layers.

The HTML maps open with no network, years later: Leaflet is inlined from the installed
XStatic-Leaflet package, folium's other CDN assets are dropped, element ids are sequential (the
same inputs give byte-identical files) and every text from the data is escaped with
`escape_text`.

Functions
---------
overview_map
    The overview map of the input layers (a `folium.Map`).
default_title
    The overview's default title in Chinese or English.
overview_png
    The same content as a static PNG for reports.
save_map
    Write a map as one HTML file, atomically (``cdn=True``: link Leaflet from a CDN).
render_html
    The HTML text of a map, as `save_map` writes it.
escape_text
    The one escaping function used for all user text.
external_loads
    Remote resources an HTML page would fetch (empty for offline maps).
"""

from ._escape import escape_text
from ._offline import MapRenderError, external_loads, leaflet_assets, render_html, save_map
from ._png import cjk_font, overview_png
from .overview import default_title, overview_map

__all__ = [
    "MapRenderError",
    "cjk_font",
    "default_title",
    "escape_text",
    "external_loads",
    "leaflet_assets",
    "overview_map",
    "overview_png",
    "render_html",
    "save_map",
]
