"""Background tiles for the web maps, and the datum the overlays must be drawn in to match them.

* ``none`` (default): no tiles, the boundaries are the base and the page loads nothing;
* ``osm``: OpenStreetMap tiles (WGS84), overlays unchanged;
* ``tianditu``: 天地图 vector tiles and annotation (Web Mercator ``w`` set); the key (``tk``) is
  given when the map is viewed, never written into it (below); CGCS2000 differs from WGS84 by
  centimetres, so overlays are unchanged;
* ``gaode``: 高德 (AutoNavi) vector tiles in GCJ-02; every overlay is converted to GCJ-02 and
  the map says so.

Gaode tiles are drawn in the obfuscated GCJ-02 datum, about 550 m east and 130 m south of true
position in Zhengzhou.  Drawing WGS84 data on them would misplace everything by that much, so a
map with ``basemap="gaode"`` moves every vertex with `layout.io.crs.convert_datum`.  A raster
overlay cannot be warped exactly by an image bounds pair, so its bounds are shifted by the GCJ-02
offset at the overlay centre (`shift_bounds`); across the Zhengzhou municipality's bounding box
the true offset departs from that by at most about 80 m (60 m along each axis), less than one
display pixel (~120 m) of the downsampled surface.  The map says so.

Tiles are always loaded from the network when the page is viewed: a map with a basemap is not
offline (the other assets stay inlined).

The Tianditu key
----------------
A Tianditu key is personal (bound to its owner's account and quota), and maps are files people
share, so the key is never written into a map: the page obtains it when it is opened (template
``map_tianditu_key.html.j2``), from the ``tk`` parameter of its address
(``map.html?tk=<key>``), else from the browser's local storage (``layout.tianditu.tk``), else
by asking the viewer once; a key given either way is kept in local storage for the next map. A
key must be letters and digits (at most 64); anything else is ignored. ``$TIANDITU_KEY`` is not
needed to write a Tianditu map and is never read into one.
"""


from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import folium
import geopandas as gpd
import numpy as np
from branca.element import MacroElement
from folium.template import Template

from layout import settings
from layout.core.datum import wgs84_to_gcj02
from layout.errors import LayoutError
from layout.io.crs import convert_datum
from layout.products.escape import escape_text
from layout.products.maps.style import check_lang
from layout.products.templating import render

__all__ = [
    "BASEMAPS",
    "TIANDITU_KEY_ENV",
    "TIANDITU_KEY_STORE",
    "Basemap",
    "BasemapError",
    "add_basemap",
    "datum_note",
    "resolve_basemap",
    "shift_bounds",
    "to_display_datum",
]

#: Accepted ``basemap`` values.
BASEMAPS: tuple[str, ...] = ("none", "osm", "tianditu", "gaode")
#: Environment variable that once held the Tianditu key; it is no longer read into maps (a
#: hint is logged when it is set).
TIANDITU_KEY_ENV = "TIANDITU_KEY"
#: Local-storage item in which the viewer's browser keeps the Tianditu key.
TIANDITU_KEY_STORE = "layout.tianditu.tk"
#: Placeholder of the key in a tile URL: the page replaces it when it is viewed.
KEY_PLACEHOLDER = "{tk}"

_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{tk}}"
)
_GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

_NOTE = {
    "zh": "坐标已转换为 GCJ-02 以匹配高德底图",
    "en": "overlays converted to GCJ-02 to match Gaode tiles",
}


logger = logging.getLogger(__name__)


class BasemapError(LayoutError, ValueError):
    """An unknown basemap."""


@dataclass(frozen=True)
class Tiles:
    """One tile layer: URL template (Leaflet ``{s}``, ``{z}``, ``{x}``, ``{y}``) and options.

    ``viewer_key``: the URL holds `KEY_PLACEHOLDER`, which the page fills with the viewer's
    Tianditu key when it is opened.
    """

    url: str
    name: str
    attribution: str
    subdomains: str = "abc"
    overlay: bool = False
    max_zoom: int = 18
    viewer_key: bool = False


@dataclass(frozen=True)
class Basemap:
    """A basemap: its tile layers and the datum overlays must be drawn in to line up with it.

    Attributes
    ----------
    name
        One of `BASEMAPS` other than ``"none"``.
    datum
        ``"wgs84"`` or ``"gcj02"`` (see `layout.io.crs.convert_datum`).
    tiles
        The base layer first, then overlays such as annotation.
    lang
        Language of the page's question for a Tianditu key.
    """

    name: str
    datum: str
    tiles: tuple[Tiles, ...]
    lang: str = "zh"

    @property
    def converts(self) -> bool:
        """True when overlays are moved to another datum (Gaode: GCJ-02)."""
        return self.datum != "wgs84"


def resolve_basemap(
    name: str | None, *, lang: str = "zh", env: Mapping[str, str] | None = None
) -> Basemap | None:
    """Return the basemap called ``name``, or None for no basemap.

    Parameters
    ----------
    name
        ``None``, ``"none"``, ``"osm"``, ``"tianditu"`` or ``"gaode"``.
    lang
        Language of the annotation tiles (Tianditu: ``cva`` Chinese, ``eva`` English).
    env
        Environment (default `os.environ`): when it holds ``TIANDITU_KEY``, a hint that the key
        is not written into maps is logged. The key itself is never read.

    Returns
    -------
    Basemap or None

    Raises
    ------
    BasemapError
        Unknown name.

    Examples
    --------
    >>> resolve_basemap("gaode").datum
    'gcj02'
    >>> resolve_basemap("tianditu", env={}).tiles[0].url.endswith("&tk={tk}")
    True
    >>> resolve_basemap("none") is None
    True
    """
    check_lang(lang)
    if name is None or name == "none":
        return None
    if name == "osm":
        return Basemap(
            "osm",
            "wgs84",
            (
                Tiles(
                    _OSM_URL,
                    "OpenStreetMap",
                    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                    "contributors",
                    max_zoom=19,
                ),
            ),
        )
    if name == "tianditu":
        environ = os.environ if env is None else env
        if environ.get(TIANDITU_KEY_ENV):
            _key_hint()
        note = "cva" if lang == "zh" else "eva"
        attribution = "&copy; 天地图 Tianditu"
        return Basemap(
            "tianditu",
            "wgs84",  # CGCS2000 tiles: no offset against WGS84 at map scale
            (
                Tiles(
                    _TIANDITU_URL.format(layer="vec"),
                    "天地图" if lang == "zh" else "Tianditu",
                    attribution,
                    subdomains="01234567",
                    viewer_key=True,
                ),
                Tiles(
                    _TIANDITU_URL.format(layer=note),
                    "天地图注记" if lang == "zh" else "Tianditu labels",
                    attribution,
                    subdomains="01234567",
                    overlay=True,
                    viewer_key=True,
                ),
            ),
            lang,
        )
    if name == "gaode":
        return Basemap(
            "gaode",
            "gcj02",
            (
                Tiles(
                    _GAODE_URL,
                    "高德地图" if lang == "zh" else "Gaode (AutoNavi)",
                    "&copy; 高德地图 AutoNavi",
                    subdomains="1234",
                ),
            ),
        )
    raise BasemapError(f"unknown basemap {name!r}; use one of {', '.join(BASEMAPS)}")


class _ViewerKey(MacroElement):
    """The page's script that obtains the Tianditu key when the map is viewed (in the header)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {{ this.script }}
        {% endmacro %}
        """
    )

    def __init__(self, *, lang: str):
        super().__init__()
        self._name = "ViewerKey"
        self.script = render(
            "map_tianditu_key.html.j2",
            store=TIANDITU_KEY_STORE,
            ask=_ASK[check_lang(lang)],
        )


#: What the page asks a viewer who has given no key yet.
_ASK = {
    "zh": "天地图底图需要您的天地图密钥 (tk)。密钥只保存在本浏览器中，不会写入地图文件。"
    "免费申请：https://console.tianditu.gov.cn 。也可在地址后加 ?tk=密钥 打开地图。",
    "en": "The Tianditu background needs your Tianditu key (tk). It is kept in this browser "
    "only, never in the map file. Free key: https://console.tianditu.gov.cn — or open the "
    "map as map.html?tk=<key>.",
}


class _ViewerKeyTileLayer(folium.TileLayer):
    """A tile layer whose URL gets the key the page obtained (`KEY_PLACEHOLDER` replaced)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.tileLayer(
                {{ this.tiles|tojson }}.replace(
                    {{ this.placeholder|tojson }}, encodeURIComponent(window.layoutTiandituKey)
                ),
                {{ this.options|tojavascript }}
            );
        {% endmacro %}
        """
    )
    placeholder = KEY_PLACEHOLDER


@cache
def _key_hint() -> None:
    """Say once per process that ``$TIANDITU_KEY`` no longer reaches the maps."""
    logger.info(
        "tianditu: the key in $%s is not written into the maps; open a map as "
        "map.html?tk=<key> or enter the key when the map asks (kept in the browser)",
        TIANDITU_KEY_ENV,
    )


def add_basemap(m: folium.Map, basemap: Basemap | None) -> list[folium.TileLayer]:
    """Add the basemap's tile layers to ``m`` (nothing for None) and return them.

    A basemap whose tiles need the viewer's key also gets the script that obtains it.
    """
    if basemap is None:
        return []
    if any(t.viewer_key for t in basemap.tiles):
        _ViewerKey(lang=basemap.lang).add_to(m)
    layers = []
    for tiles in basemap.tiles:
        kind = _ViewerKeyTileLayer if tiles.viewer_key else folium.TileLayer
        layer = kind(
            tiles=tiles.url,
            attr=tiles.attribution,
            name=escape_text(tiles.name),
            overlay=tiles.overlay,
            control=True,
            subdomains=tiles.subdomains,
            max_zoom=tiles.max_zoom,
        )
        layer.add_to(m)
        layers.append(layer)
    return layers


def to_display_datum(gdf: gpd.GeoDataFrame, basemap: Basemap | None) -> gpd.GeoDataFrame:
    """Return a lon/lat (EPSG:4326) layer moved to the basemap's datum (unchanged if WGS84)."""
    if basemap is None or not basemap.converts:
        return gdf
    lonlat = (
        gdf if gdf.crs is not None and gdf.crs.is_geographic else gdf.to_crs(settings.storage_crs)
    )
    return convert_datum(lonlat, from_datum="wgs84", to_datum=basemap.datum)


def shift_bounds(
    bounds: list[list[float]], basemap: Basemap | None
) -> tuple[list[list[float]], tuple[float, float]]:
    """Shift ``[[south, west], [north, east]]`` by the datum offset at its centre.

    Returns
    -------
    bounds, offset
        The shifted bounds and the ``(dlon, dlat)`` applied, in degrees (zero for WGS84).

    Examples
    --------
    >>> b, (dlon, dlat) = shift_bounds([[34.2, 112.7], [35.0, 114.3]], resolve_basemap("gaode"))
    >>> round(dlon * 1e3, 2), round(dlat * 1e3, 2)  # millidegrees: ~575 m east, ~128 m south
    (6.28, -1.15)
    """
    if basemap is None or not basemap.converts:
        return [list(bounds[0]), list(bounds[1])], (0.0, 0.0)
    (south, west), (north, east) = bounds
    lon, lat = (west + east) / 2, (south + north) / 2
    glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    dlon, dlat = float(glon[0]) - lon, float(glat[0]) - lat
    return [[south + dlat, west + dlon], [north + dlat, east + dlon]], (dlon, dlat)


def datum_note(basemap: Basemap | None, lang: str) -> str:
    """The visible note of a map whose overlays were converted (empty otherwise), unescaped."""
    if basemap is None or not basemap.converts:
        return ""
    return _NOTE[check_lang(lang)]
