"""The frame of every web map: the empty map with its view, and the panels around the layers.

`base_map` makes the canvas-rendered map fitted to the data and titled; `finish_map` adds what
every map has on top of its layers: metric scale bar, layer control (`LayerList`, collapsed on
small screens), title panel and datum note (kept clear of the controls by `PanelPlacer`),
legend panel and ``window.__layout`` (the Leaflet map and its layers, for tests and users).
The panels' style sheet is the template ``map_panels.css.j2``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from layout.products.escape import escape_text
from layout.products.maps.attributes import date_text
from layout.products.maps.basemap import Basemap, add_basemap, datum_note
from layout.products.maps.markup import fragment
from layout.products.templating import render

__all__ = ["LEGEND_WIDTH_PX", "base_map", "finish_map", "home_extent", "panel_css", "zoom_bounds"]

#: Width of the legend panel; the initial view leaves this much room on the left.
LEGEND_WIDTH_PX = 250


def panel_css() -> str:
    """The style sheet of the title, legend, note and site-popup panels of every map."""
    return render("map_panels.css.j2", legend_width=LEGEND_WIDTH_PX)


class _Panel(MacroElement):
    """A fixed HTML panel over the map (title or legend); ``content`` must be escaped HTML."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {%- if this.css %}<style>{{ this.css }}</style>{% endif %}
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="{{ this.css_class }}" id="{{ this.get_name() }}">{{ this.content }}</div>
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, css_class: str, css: str = ""):
        super().__init__()
        self._name = "Panel"
        self.content = content
        self.css_class = css_class
        self.css = css


class _Hook(MacroElement):
    """Expose the map and its layers as ``window.__layout`` (used by tests and by users)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.__layout = {
            map: {{ this._parent.get_name() }},
            lang: {{ this.lang|tojson }},
            info: {{ this.info|tojson }},
            layers: {
            {%- for key, layer in this.layers.items() %}
                {{ key|tojson }}: {{ layer.get_name() }},
            {%- endfor %}
            },
        };
        {% endmacro %}
        """
    )

    def __init__(
        self,
        layers: Mapping[str, Element],
        *,
        lang: str,
        info: Mapping[str, Any] | None = None,
    ):
        super().__init__()
        self._name = "Hook"
        self.layers = dict(layers)
        self.lang = lang
        self.info = dict(info or {})


#: Screens at most this wide or high are small: the layer list starts collapsed there.
SMALL_SCREEN = "(max-width: 700px), (max-height: 500px)"
#: Gap in pixels between the title (and the datum note) and the map controls.
PANEL_GAP_PX = 8


class LayerList(folium.LayerControl):
    """The layer control, collapsed to its button on small screens (`SMALL_SCREEN`).

    Leaflet fixes ``collapsed`` when the control is made, so the option is the page's media
    query at load. A collapsed list opens on a tap (or hover) of its button.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            let {{ this.get_name() }} = L.control.layers(
                { {%- for key, val in this.base_layers.items() %}{{ key|tojson }}: {{ val }},
                {%- endfor %} },
                { {%- for key, val in this.overlays.items() %}{{ key|tojson }}: {{ val }},
                {%- endfor %} },
                Object.assign({{ this.options|tojavascript }},
                    {collapsed: window.matchMedia({{ this.small|tojson }}).matches})
            ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__(collapsed=False)
        self.small = SMALL_SCREEN


class PanelPlacer(MacroElement):
    """Keep the title and the datum note clear of the map controls, at any screen size.

    The panels are laid out from the top, one under the other; each is centred on the map when
    it fits there between the top-left controls (zoom) and the top-right ones (layer list), else
    centred in the gap between them, wrapping its text to the gap's width. It runs at load, on
    resize and whenever a control changes size (the layer list opening or closing).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            const map = {{ this._parent.get_name() }};
            const root = map.getContainer();
            const gap = {{ this.gap }};
            function place() {
                const box = root.getBoundingClientRect();
                let left = gap, right = box.width - gap;
                root.querySelectorAll(".leaflet-top .leaflet-control").forEach(function (c) {
                    const r = c.getBoundingClientRect();
                    if (r.width === 0) return;
                    if (r.left + r.width / 2 < box.left + box.width / 2) {
                        left = Math.max(left, r.right - box.left + gap);
                    } else {
                        right = Math.min(right, r.left - box.left - gap);
                    }
                });
                const room = Math.max(right - left, 40);
                let top = 10;
                document.querySelectorAll(".layout-title, .layout-note").forEach(
                    function (el) {
                        el.style.transform = "none";
                        el.style.whiteSpace = "nowrap";
                        el.style.maxWidth = "none";
                        if (el.getBoundingClientRect().width > room) {
                            el.style.whiteSpace = "normal";
                        }
                        el.style.maxWidth = room + "px";
                        el.style.boxSizing = "border-box";
                        const w = el.getBoundingClientRect().width;
                        const centre = box.width / 2 - w / 2;
                        const x = (centre >= left && centre + w <= right)
                            ? centre : left + Math.max(0, (room - w) / 2);
                        el.style.left = (box.left + window.scrollX + x) + "px";
                        el.style.top = (box.top + window.scrollY + top) + "px";
                        top += el.getBoundingClientRect().height + gap / 2;
                    });
            }
            place();
            window.addEventListener("resize", place);
            if (window.ResizeObserver) {
                const seen = new ResizeObserver(place);
                root.querySelectorAll(".leaflet-top .leaflet-control").forEach(
                    function (c) { seen.observe(c); });
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "PanelPlacer"
        self.gap = PANEL_GAP_PX


class ScaleBar(MacroElement):
    """A metric scale bar (folium's ``control_scale`` also shows miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Scale"


#: Web-Mercator metres per pixel at zoom 0 on the equator (256-pixel tiles).
_M_PER_PX_Z0 = 156_543.034
#: At the deepest zoom a grid cell spans at most this many pixels.
CELL_PX_MAX = 64
#: The shallowest zoom shows at most this many times the width of the map's extent.
ZOOM_OUT_FACTOR = 8


def zoom_bounds(
    extent: list[list[float]] | None, *, cell_m: float | None = None, width_px: int = 1024
) -> tuple[int, int]:
    """``(min_zoom, max_zoom)`` of a map of ``extent`` drawn on a grid of ``cell_m`` metres.

    Deeper than ``max_zoom`` a cell would span more than `CELL_PX_MAX` pixels (a "20 m" scale
    bar over 100 m cells); shallower than ``min_zoom`` the extent would be less than
    1/`ZOOM_OUT_FACTOR` of a ``width_px`` map. Without a grid the deepest zoom is 18.

    Examples
    --------
    >>> zoom_bounds([[34.3, 112.7], [35.0, 114.2]], cell_m=100.0)
    (6, 16)
    """
    lat = 0.0 if not extent else (extent[0][0] + extent[1][0]) / 2
    m_per_px0 = _M_PER_PX_Z0 * math.cos(math.radians(lat))
    max_zoom = 18
    if cell_m:  # cell_m / (m_per_px0 / 2**z) <= CELL_PX_MAX
        max_zoom = max(1, min(18, math.floor(math.log2(CELL_PX_MAX * m_per_px0 / cell_m))))
    min_zoom = 0
    if extent:
        width_m = max(abs(extent[1][1] - extent[0][1]), 1e-6) * 111_320.0 * math.cos(
            math.radians(lat))
        fit = math.log2(width_px * m_per_px0 / width_m)
        min_zoom = max(0, min(max_zoom - 1, math.floor(fit - math.log2(ZOOM_OUT_FACTOR))))
    return min_zoom, max_zoom


def home_extent(crs: Any) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of a CRS's area of use (None when it has none).

    The view of a map with nothing to draw: the plan's CRS says where its city is.

    Examples
    --------
    >>> [corner[1] for corner in home_extent("EPSG:4549")]  # 3-degree zone of 120E: lon
    [118.5, 121.5]
    """
    from pyproj import CRS

    area = CRS.from_user_input(crs).area_of_use
    if area is None:
        return None
    return [[area.south, area.west], [area.north, area.east]]


def base_map(
    extent: list[list[float]] | None,
    *,
    title: str,
    date: str | dt.date | None,
    basemap: Basemap | None,
    cell_m: float | None = None,
    home: list[list[float]] | None = None,
) -> folium.Map:
    """An empty canvas-rendered map fitted to ``extent``, with the page title and tiles.

    The initial view leaves room for the legend (left) and the title (top); zoom is bounded
    by `zoom_bounds` (``cell_m``: the grid's cell size in metres, when the map shows one).
    Without an ``extent`` (nothing to draw) the view is ``home`` (the plan's boundary or its
    CRS's area of use, `home_extent`); without either, the whole world -- never a city of its
    own.
    """
    view = extent or home
    min_zoom, max_zoom = zoom_bounds(view, cell_m=cell_m)
    centre = (
        [(view[0][0] + view[1][0]) / 2, (view[0][1] + view[1][1]) / 2] if view else [0.0, 0.0]
    )
    m = folium.Map(
        location=centre,
        zoom_start=9 if view else 2,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # added below: metric only
        attribution_control=basemap is not None,
        zoom_snap=0.25,
    )
    # On the map itself (folium's min_zoom/max_zoom only reach its default tile layer).
    m.options.update(minZoom=min_zoom, maxZoom=max_zoom)
    add_basemap(m, basemap)
    m.get_root().title = escape_text(f"{title} {date_text(date)}".strip())  # type: ignore[attr-defined]
    if view:
        m.fit_bounds(
            view, padding_top_left=(LEGEND_WIDTH_PX + 20, 50), padding_bottom_right=(120, 30)
        )
    return m


def finish_map(
    m: folium.Map,
    *,
    title: str,
    date: str | dt.date | None,
    lang: str,
    legend: str,
    layers: Mapping[str, Element],
    basemap: Basemap | None,
    subtitle: str = "",
    css: str = "",
    info: Mapping[str, Any] | None = None,
) -> None:
    """Add the scale bar, layer control, title, datum note, legend and ``window.__layout``.

    ``legend`` is HTML that the caller has escaped; ``title`` and ``subtitle`` are plain text
    (template ``map_title.html.j2``); ``css`` is added to the panels' style sheet
    (``map_panels.css.j2``).
    """
    ScaleBar().add_to(m)
    LayerList().add_to(m)
    title_html = fragment("map_title.html.j2", title=title, subtitle=subtitle, date=date_text(date))
    _Panel(title_html, css_class="layout-title", css=panel_css() + css).add_to(m)
    note = datum_note(basemap, lang)
    if note:
        _Panel(escape_text(note), css_class="layout-note").add_to(m)
    PanelPlacer().add_to(m)
    _Panel(legend, css_class="layout-legend").add_to(m)
    details = {
        "datum": basemap.datum if basemap else "wgs84",
        "basemap": basemap.name if basemap else "none",
    }
    _Hook(layers, lang=lang, info={**details, **(info or {})}).add_to(m)

