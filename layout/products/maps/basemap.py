"""Background tiles for the web maps, and the datum the overlays must be drawn in to match them.

* ``none`` (default): no tiles, the boundaries are the base and the page loads nothing;
* ``osm``: OpenStreetMap tiles (WGS84), overlays unchanged;
* ``tianditu``: 天地图 vector tiles and annotation (Web Mercator ``w`` set, key from
  ``$TIANDITU_KEY``); CGCS2000 differs from WGS84 by centimetres, so overlays are unchanged;
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
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np

from layout import settings
from layout.core.datum import wgs84_to_gcj02
from layout.errors import LayoutError
from layout.io.crs import convert_datum
from layout.products.escape import escape_text
from layout.products.maps.style import check_lang

__all__ = [
    "BASEMAPS",
    "TIANDITU_KEY_ENV",
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
#: Environment variable holding the Tianditu key (``tk``).
TIANDITU_KEY_ENV = "TIANDITU_KEY"

_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
_GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# Tianditu keys are 32 hexadecimal digits; anything else cannot be a key and is refused before
# it reaches a JavaScript string.
_KEY_RE = re.compile(r"^[0-9A-Za-z]{16,64}$")

_NOTE = {
    "zh": "坐标已转换为 GCJ-02 以匹配高德底图",
    "en": "overlays converted to GCJ-02 to match Gaode tiles",
}


class BasemapError(LayoutError, ValueError):
    """An unknown basemap, or one that cannot be used as asked (e.g. no Tianditu key)."""


@dataclass(frozen=True)
class Tiles:
    """One tile layer: URL template (Leaflet ``{s}``, ``{z}``, ``{x}``, ``{y}``) and options."""

    url: str
    name: str
    attribution: str
    subdomains: str = "abc"
    overlay: bool = False
    max_zoom: int = 18


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
    """

    name: str
    datum: str
    tiles: tuple[Tiles, ...]

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
        Environment to read ``TIANDITU_KEY`` from (default `os.environ`).

    Returns
    -------
    Basemap or None

    Raises
    ------
    BasemapError
        Unknown name, or ``"tianditu"`` without a usable key in ``$TIANDITU_KEY``.

    Examples
    --------
    >>> resolve_basemap("gaode").datum
    'gcj02'
    >>> resolve_basemap("tianditu", env={"TIANDITU_KEY": "0123456789abcdef0123456789abcdef"}).datum
    'wgs84'
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
        key = (environ.get(TIANDITU_KEY_ENV) or "").strip()
        if not key:
            raise BasemapError(
                f"--basemap tianditu needs a Tianditu key: set the environment variable "
                f"{TIANDITU_KEY_ENV} (a free key from https://console.tianditu.gov.cn), or use "
                "--basemap osm, gaode or none"
            )
        if not _KEY_RE.match(key):
            raise BasemapError(
                f"${TIANDITU_KEY_ENV} does not look like a Tianditu key (expected 16-64 letters "
                f"and digits, got {len(key)} characters)"
            )
        note = "cva" if lang == "zh" else "eva"
        attribution = "&copy; 天地图 Tianditu"
        return Basemap(
            "tianditu",
            "wgs84",  # CGCS2000 tiles: no offset against WGS84 at map scale
            (
                Tiles(
                    _TIANDITU_URL.format(layer="vec", key=key),
                    "天地图" if lang == "zh" else "Tianditu",
                    attribution,
                    subdomains="01234567",
                ),
                Tiles(
                    _TIANDITU_URL.format(layer=note, key=key),
                    "天地图注记" if lang == "zh" else "Tianditu labels",
                    attribution,
                    subdomains="01234567",
                    overlay=True,
                ),
            ),
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


def add_basemap(m: folium.Map, basemap: Basemap | None) -> list[folium.TileLayer]:
    """Add the basemap's tile layers to ``m`` (nothing for None) and return them."""
    if basemap is None:
        return []
    layers = []
    for tiles in basemap.tiles:
        layer = folium.TileLayer(
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
