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
industry_map, industry_png
    One industry's suitability surface, exclusion reasons and sites (HTML map, PNG).
read_surface
    Read ``<code>_score.tif`` and ``<code>_flags.tif`` into a `SuitabilitySurface`.
write_plan_maps
    Every map of a plan folder (overview and one per industry, HTML and PNG).
resolve_basemap
    The tiles of ``none``, ``osm``, ``tianditu`` or ``gaode`` and the datum overlays need.
save_map
    Write a map as one HTML file, atomically (``cdn=True``: link Leaflet from a CDN).
render_html
    The HTML text of a map, as `save_map` writes it.
escape_text
    The one escaping function used for all user text.
external_loads
    Remote resources an HTML page would fetch (empty for offline maps).

Modules
-------
The maps: `overview` and `industry` (web maps), `overview_figure` and `industry_figure` (PNGs),
`plan` (every map of a plan folder).  Their pieces: `layers` (GeoJSON of the input layers),
`sites` (sites, popups, rank labels), `legend`, `frame` (the empty map, title, panels),
`surface` (the suitability surface as images), `probe` (click for score or reasons), `png`
(fonts, scale bar, the PNG writer), `markup` (HTML fragments from the ``map_*`` templates of
``layout/products/templates/``), `attributes`, `style`, `escape`, `prepare`, `basemap`,
`offline`.
"""

from layout.products.escape import escape_text
from layout.products.maps.basemap import BASEMAPS, BasemapError, resolve_basemap
from layout.products.maps.industry import industry_map
from layout.products.maps.industry_figure import industry_png
from layout.products.maps.offline import (
    MapRenderError,
    external_loads,
    leaflet_assets,
    render_html,
    save_map,
)
from layout.products.maps.overview import default_title, overview_map
from layout.products.maps.overview_figure import overview_png
from layout.products.maps.plan import write_plan_maps
from layout.products.maps.png import cjk_font
from layout.products.maps.surface import SuitabilitySurface, read_surface

__all__ = [
    "BASEMAPS",
    "BasemapError",
    "MapRenderError",
    "SuitabilitySurface",
    "cjk_font",
    "default_title",
    "escape_text",
    "external_loads",
    "industry_map",
    "industry_png",
    "leaflet_assets",
    "overview_map",
    "overview_png",
    "read_surface",
    "render_html",
    "resolve_basemap",
    "save_map",
    "write_plan_maps",
]
