"""One map per industry: the suitability surface, the exclusion reasons and the recommended sites.

`read_surface` reads the two GeoTIFFs the scoring stage writes for an industry
(``<code>_score.tif``, ``<code>_flags.tif``, docs/plan_outputs.md) into a `SuitabilitySurface`;
`industry_map` draws it as an offline folium map and `industry_png` as a static PNG.

How the surface reaches the web map
-----------------------------------
The score raster (EPSG:4547, 100 m) is warped to Web Mercator with nearest-neighbour
resampling, at most `MAX_PIXELS` pixels on its long side (the embedded 805 × 1379 grid becomes
about 1200 × 840 pixels of ~120 m), and written as a **palette PNG** inlined as a ``data:`` URI in
an ``ImageOverlay``.  Palette index ``i`` in 0–100 is a score of ``i`` (viridis); the following
entries are *excluded* cells, one pair of greys (fill and hatch line) per combination of exclusion
reasons; the last entry is transparent (outside the study area).  Nearest-neighbour resampling
keeps every pixel equal to one real cell, and the palette PNG is small (a few hundred kB) and
byte-stable: Pillow writes no timestamp or other metadata.

Exclusion reasons are available two ways, both within the size budget and without any request:

* **on click**: a click anywhere on the map reads the pixel of the score image under the pointer
  (the image is drawn once into an off-screen canvas; a ``data:`` image does not taint it) and
  looks its colour up in a small embedded table: the score there, or every reason that excludes
  the cell.  ``window.__layout.probe(lat, lng)`` returns the same for tests and users;
* **as a layer** (hidden at first): a second palette PNG colouring excluded cells by their first
  reason in `layout.model.constraints.CONSTRAINT_BITS` order.

Vectorising the flags instead would have cost megabytes of staircase polygons per map.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
from affine import Affine
from branca.element import MacroElement
from folium.template import Template
from numpy.typing import NDArray
from pyproj import Transformer

from layout import settings
from layout.io.crs import require_crs
from layout.io.scoreraster import SuitabilitySurface
from layout.io.scoreraster import read_surface as io_read_surface
from layout.model.catalog import OTHER
from layout.model.constraints import CONSTRAINT_BITS
from layout.products.maps.basemap import Basemap, resolve_basemap, shift_bounds
from layout.products.maps.escape import escape_text
from layout.products.maps.overview import (
    _codes,
    _collection,
    _enterprises,
    _fmt,
    _geojson,
    _lines,
    _name,
    _points,
    _site_layer,
    _sites,
    _tip,
    base_map,
    finish_map,
    names_by_id,
    transport_legend_items,
)
from layout.products.maps.prepare import DEFAULT_TOLERANCE_M, View
from layout.products.maps.style import (
    BOUNDARY_COLOR,
    COUNTY_COLOR,
    EXCLUDED_FILL,
    EXCLUDED_HATCH,
    NO_LEADING_COLOR,
    SCORE_CMAP,
    SITE_STROKE,
    TEXT,
    check_lang,
    constraint_style,
    industry_label,
)

__all__ = [
    "MAX_PIXELS",
    "SuitabilitySurface",
    "SurfaceImage",
    "industry_map",
    "industry_png",
    "industry_title",
    "read_surface",
    "surface_image",
]

logger = logging.getLogger(__name__)

#: Longest side of the surface image in the web map, in pixels.
MAX_PIXELS = 1200
#: Bit of cells outside the study area (docs/data_model.md).
OUTSIDE_BIT = CONSTRAINT_BITS["outside_study_area"]
#: Palette layout of the score image.
_N_SCORES = 101  # indices 0..100
_TRANSPARENT = 255
_MAX_COMBOS = (_TRANSPARENT - _N_SCORES) // 2  # 77 fill/hatch pairs
#: Hatch of excluded cells: a line of 2 px every 8 px along the diagonal.
_HATCH_PERIOD, _HATCH_WIDTH = 8, 2
#: Opacity of the surface in the web map (the boundaries stay readable through it).
SURFACE_OPACITY = 0.8

_INDUSTRY_CSS = """
.layout-legend .ramp { height: 12px; border: 1px solid #999; margin: 3px 0 1px 0; }
.layout-legend .ticks { display: flex; justify-content: space-between; font-size: 11px;
  color: #333; }
.layout-legend .hatch { flex: none; display: inline-block; width: 14px; height: 10px;
  border: 1px solid #999; }
.layout-rank { background: #ffffff; border: 2px solid #000000; border-radius: 50%;
  font: bold 11px/14px sans-serif; text-align: center; color: #000; box-sizing: border-box; }
.layout-probe { font: 12px/1.4 sans-serif; }
.leaflet-image-layer.layout-surface { image-rendering: pixelated; }
"""


# --- the surface ----------------------------------------------------------------------------


_BITS: dict[int, str] = {bit: kind for kind, bit in CONSTRAINT_BITS.items()}


def _apply(t: Affine, col: float, row: float) -> tuple[float, float]:
    """``(x, y)`` of a pixel corner (affine's ``*`` operator is deprecated)."""
    return t.a * col + t.b * row + t.c, t.d * col + t.e * row + t.f


def read_surface(
    score_path: str | os.PathLike[str], flags_path: str | os.PathLike[str] | None = None
) -> SuitabilitySurface:
    """Read ``<code>_score.tif`` (band 1) and its ``<code>_flags.tif``.

    `layout.io.scoreraster.read_surface` with this package's constraint types for flags rasters
    that carry no bit tags (when the flags raster is missing every cell with a score counts as
    eligible).

    Raises
    ------
    DataFileError
        The score file is missing or unreadable.
    CRSMismatchError
        The two rasters do not share grid, transform and CRS (both are named).
    """
    return io_read_surface(score_path, flags_path, bit_names=_BITS)


# --- the surface as images ------------------------------------------------------------------


def _hex(rgb: Sequence[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def score_colors() -> list[tuple[int, int, int]]:
    """The 101 colours of scores 0, 1, ..., 100 (`SCORE_CMAP`), as 8-bit RGB."""
    from matplotlib import colormaps

    cmap = colormaps[SCORE_CMAP]
    values = cmap(np.linspace(0.0, 1.0, _N_SCORES))[:, :3]
    return [(int(r), int(g), int(b)) for r, g, b in np.rint(values * 255).astype(int)]


def _excluded_colors(k: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Fill and hatch colour of the k-th combination of reasons.

    Greys told apart by a few units per channel: invisible, but unique, so that a click can
    read the reasons back from the pixel.
    """
    d = (k >> 4, (k >> 2) & 3, k & 3)
    fill, hatch = _rgb(EXCLUDED_FILL), _rgb(EXCLUDED_HATCH)
    return (
        (fill[0] - d[0], fill[1] - d[1], fill[2] - d[2]),
        (hatch[0] - d[0], hatch[1] - d[1], hatch[2] - d[2]),
    )


def _png(index: NDArray[np.uint8], palette: Sequence[tuple[int, int, int]]) -> bytes:
    """A palette PNG with index 255 transparent; no metadata, so the bytes are stable."""
    from PIL import Image

    flat = [v for rgb in palette for v in rgb]
    flat += [0] * (768 - len(flat))
    image = Image.fromarray(np.ascontiguousarray(index), mode="P")
    image.putpalette(flat)
    alpha = bytes([255] * _TRANSPARENT + [0])
    buf = io.BytesIO()
    image.save(buf, format="PNG", transparency=alpha, optimize=False, compress_level=9)
    return buf.getvalue()


@dataclass(frozen=True)
class SurfaceImage:
    """The surface warped to Web Mercator and encoded for the web map.

    Attributes
    ----------
    score_png
        Palette PNG of scores (0–100 viridis) and hatched excluded cells.
    reasons_png
        Palette PNG of excluded cells coloured by their first reason.
    bounds
        ``[[south, west], [north, east]]`` of the images in WGS84 lon/lat.
    shape
        ``(height, width)`` of the images in pixels.
    lookup
        Colour (``#rrggbb``) of the score image → the score (int) or the bits of the reasons
        (a list of ints; a negative first element marks the shared entry of rare combinations,
        whose bits are "one or more of").
    reasons
        Bits of the reasons coloured in ``reasons_png``, in legend order, with their colours.
    """

    score_png: bytes = field(repr=False)
    reasons_png: bytes = field(repr=False)
    bounds: list[list[float]]
    shape: tuple[int, int]
    lookup: dict[str, Any] = field(repr=False)
    reasons: list[tuple[int, str]]


def _mercator_grid(surface: SuitabilitySurface, max_pixels: int) -> tuple[Affine, int, int]:
    """Web Mercator grid over the surface: about the source cell size, capped at ``max_pixels``.

    The extent is that of the source outline densified to 50 points a side (a Gauss-Kruger
    rectangle is slightly curved in Web Mercator).  (rasterio's ``calculate_default_transform``
    would do the same but trips affine's deprecation of ``*``.)
    """
    west, south, east, north = surface.bounds
    t = np.linspace(0.0, 1.0, 50)
    xs = np.concatenate([west + t * (east - west), np.full(50, east)])
    xs = np.concatenate([xs, east - t * (east - west), np.full(50, west)])
    ys = np.concatenate([np.full(50, south), south + t * (north - south)])
    ys = np.concatenate([ys, np.full(50, north), north - t * (north - south)])
    to_merc = Transformer.from_crs(surface.crs, "EPSG:3857", always_xy=True)
    mx, my = to_merc.transform(xs, ys)
    mw, me, ms, mn = float(mx.min()), float(mx.max()), float(my.min()), float(my.max())
    rows, cols = surface.score.shape
    # Keep the source's cell count along the longer side, capped at max_pixels.
    size = max((me - mw) / cols, (mn - ms) / rows)
    size = max(size, max(me - mw, mn - ms) / max_pixels)
    width = max(1, math.ceil((me - mw) / size - 1e-9))
    height = max(1, math.ceil((mn - ms) / size - 1e-9))
    return Affine(size, 0.0, mw, 0.0, -size, mn), width, height


def surface_image(surface: SuitabilitySurface, *, max_pixels: int = MAX_PIXELS) -> SurfaceImage:
    """Warp a surface to Web Mercator and encode it as the images of the web map.

    Parameters
    ----------
    surface
        The industry's surface.
    max_pixels
        Longest side of the images (the surface is downsampled, nearest-neighbour, when larger).

    Returns
    -------
    SurfaceImage
        Deterministic: the same surface gives the same bytes.
    """
    from rasterio.warp import Resampling, reproject

    dst_transform, width, height = _mercator_grid(surface, max_pixels)
    score = np.full((height, width), np.nan, np.float32)
    flags = np.full((height, width), OUTSIDE_BIT, np.uint16)
    common = {
        "src_transform": surface.transform,
        "src_crs": surface.crs,
        "dst_transform": dst_transform,
        "dst_crs": "EPSG:3857",
        "resampling": Resampling.nearest,
    }
    reproject(surface.score, score, src_nodata=np.nan, dst_nodata=np.nan, **common)
    src_flags = np.where(np.isfinite(surface.score), surface.flags, surface.flags | OUTSIDE_BIT)
    reproject(src_flags.astype(np.uint16), flags, src_nodata=None, dst_nodata=OUTSIDE_BIT, **common)

    exclude = np.uint16(surface.exclude_bits)
    inside = np.isfinite(score) & ((flags & OUTSIDE_BIT) == 0)
    why = np.where(inside, flags & exclude, 0).astype(np.uint16)
    excluded = why != 0
    eligible = inside & ~excluded

    index = np.full((height, width), _TRANSPARENT, np.uint8)
    index[eligible] = np.clip(np.rint(score[eligible]), 0, 100).astype(np.uint8)
    lookup: dict[str, Any] = {}
    palette = score_colors()
    for i, rgb in enumerate(palette):
        lookup[_hex(rgb)] = i

    # Combinations of reasons, the most frequent first; rare ones beyond the palette share the
    # last entry, which reports the union of their bits as "one or more of".
    values, counts = np.unique(why[excluded], return_counts=True)
    combos = [int(v) for v, _ in sorted(zip(values, counts, strict=True), key=lambda vc: -vc[1])]
    slot = {v: min(k, _MAX_COMBOS - 1) for k, v in enumerate(combos)}
    shared = combos[_MAX_COMBOS - 1 :] if len(combos) > _MAX_COMBOS else []
    rows, cols = np.indices((height, width))
    hatch = ((rows + cols) % _HATCH_PERIOD) < _HATCH_WIDTH
    k_of = np.zeros((height, width), np.int32)
    if combos:
        table = np.zeros(int(max(combos)) + 1, np.int32)
        for v, k in slot.items():
            table[v] = k
        k_of[excluded] = table[why[excluded]]
    index[excluded] = (_N_SCORES + 2 * k_of[excluded] + hatch[excluded]).astype(np.uint8)
    for k in range(min(len(combos), _MAX_COMBOS)):
        if shared and k == _MAX_COMBOS - 1:
            union = int(np.bitwise_or.reduce(np.array(shared, np.uint16)))
            bits = [-1, *[b for b in sorted(surface.bit_names) if union & b]]
        else:
            bits = [b for b in sorted(surface.bit_names) if combos[k] & b]
        fill, line = _excluded_colors(k)
        palette += [fill, line]
        lookup[_hex(fill)] = bits
        lookup[_hex(line)] = bits
    if len(lookup) != len(palette):  # pragma: no cover - guarded by a test of the palette
        raise ValueError("the score palette has duplicate colours; a click could not be read")

    # The reasons layer: each excluded cell coloured by its first reason.
    reason_index = np.full((height, width), _TRANSPARENT, np.uint8)
    reason_palette: list[tuple[int, int, int]] = []
    reasons: list[tuple[int, str]] = []
    assigned = np.zeros((height, width), bool)
    for bit in sorted(b for b in surface.bit_names if b & surface.exclude_bits):
        cells = excluded & ~assigned & ((why & np.uint16(bit)) != 0)
        if not cells.any():
            continue
        color = constraint_style(surface.bit_names[bit], "en")[0]
        reason_index[cells] = len(reason_palette)
        reason_palette.append(_rgb(color))
        reasons.append((bit, color))
        assigned |= cells

    to_lonlat = Transformer.from_crs("EPSG:3857", settings.storage_crs, always_xy=True)
    west, north = _apply(dst_transform, 0, 0)
    east, south = _apply(dst_transform, width, height)
    (w, e), (s, n) = to_lonlat.transform([west, east], [south, north])
    bounds = [[round(float(s), 7), round(float(w), 7)], [round(float(n), 7), round(float(e), 7)]]
    return SurfaceImage(
        score_png=_png(index, palette),
        reasons_png=_png(reason_index, reason_palette),
        bounds=bounds,
        shape=(height, width),
        lookup=lookup,
        reasons=reasons,
    )


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- map elements ---------------------------------------------------------------------------


class _SiteLabels(folium.FeatureGroup):
    """Rank numbers of the sites as non-interactive Leaflet ``divIcon`` markers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        {{ this.labels|tojson }}.forEach(function (p) {
            L.marker([p[0], p[1]], {
                interactive: false,
                keyboard: false,
                // Up and right of the point, so that a small site stays visible.
                icon: L.divIcon({
                    className: "layout-rank", html: p[2], iconSize: [20, 20], iconAnchor: [-2, 22],
                }),
            }).addTo({{ this.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, labels: Sequence[tuple[float, float, str]], *, name: str):
        super().__init__(name=name)
        self._name = "SiteLabels"
        self.labels = [[lat, lon, text] for lat, lon, text in labels]


class _Probe(MacroElement):
    """Click anywhere: read the score image's pixel there and show the score or the reasons.

    Also sets ``window.__layout.probe(lat, lng)``, which returns ``{score}``, ``{reasons}``
    (escaped labels) or null (outside the image or the study area).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var overlay = {{ this.overlay.get_name() }};
            var lookup = {{ this.lookup|tojson }};
            var labels = {{ this.labels|tojson }};
            var text = {{ this.text|tojson }};
            var ctx = null, width = 0, height = 0;
            function pixels() {
                if (ctx) return true;
                var img = overlay.getElement();
                if (!img || !img.complete || !img.naturalWidth) return false;
                var canvas = document.createElement("canvas");
                width = canvas.width = img.naturalWidth;
                height = canvas.height = img.naturalHeight;
                ctx = canvas.getContext("2d", {willReadFrequently: true});
                ctx.drawImage(img, 0, 0);
                return true;
            }
            function hex(v) { return (v < 16 ? "0" : "") + v.toString(16); }
            function probe(lat, lng) {
                if (!pixels()) return null;
                var crs = L.CRS.EPSG3857, b = overlay.getBounds();
                var p = crs.project(L.latLng(lat, lng));
                var nw = crs.project(b.getNorthWest()), se = crs.project(b.getSouthEast());
                var fx = (p.x - nw.x) / (se.x - nw.x), fy = (nw.y - p.y) / (nw.y - se.y);
                if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return null;
                var x = Math.floor(fx * width), y = Math.floor(fy * height);
                var d = ctx.getImageData(x, y, 1, 1).data;
                if (d[3] === 0) return null;
                var v = lookup["#" + hex(d[0]) + hex(d[1]) + hex(d[2])];
                if (v === undefined) return null;
                if (typeof v === "number") return {score: v};
                var several = v.length > 0 && v[0] < 0;
                var names = v.filter(function (b) { return b >= 0; })
                    .map(function (b) { return labels[b] || String(b); });
                return {reasons: names, several: several};
            }
            window.__layout.probe = probe;
            map.on("click", function (e) {
                var r = probe(e.latlng.lat, e.latlng.lng);
                if (!r) return;
                var html = r.score !== undefined
                    ? text.score + text.sep + r.score
                    : "<b>" + text.excluded + "</b><br>"
                      + (r.several ? text.several + text.sep : "")
                      + r.reasons.join(text.list_sep);
                L.popup({className: "layout-probe", maxWidth: 320})
                    .setLatLng(e.latlng).setContent(html).openOn(map);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        overlay: folium.raster_layers.ImageOverlay,
        *,
        lookup: Mapping[str, Any],
        labels: Mapping[int, str],
        text: Mapping[str, str],
    ):
        super().__init__()
        self._name = "Probe"
        self.overlay = overlay
        self.lookup = dict(lookup)
        self.labels = {str(k): v for k, v in labels.items()}
        self.text = dict(text)


# --- layers ---------------------------------------------------------------------------------


def _outline(
    gdf: gpd.GeoDataFrame, lang: str, view: View, *, source: str, style: Mapping[str, Any]
) -> dict[str, Any]:
    """Polygons as outlines (a transparent fill keeps their tooltips) named in ``lang``."""
    gdf = gdf.reset_index(drop=True)
    disp = view.prepare(gdf, source=source)
    id_col = "adcode" if "adcode" in disp.columns else "zone_id"
    props = [
        {"tip": _tip(_name(row, lang, id_col), [], lang), "style": dict(style)}
        for _, row in disp.iterrows()
    ]
    return _collection(disp, props)


def _zone_outlines(gdf: gpd.GeoDataFrame, lang: str, view: View, code: str) -> dict[str, Any]:
    """Zones as dashed outlines: thick where ``code`` is a leading industry."""
    t = TEXT[lang]
    disp = view.prepare(gdf.reset_index(drop=True), source="zones")
    props = []
    for _, row in disp.iterrows():
        codes = _codes(row.get("leading"))
        names = [industry_label(c, lang)[0] for c in codes]
        leads = code in codes
        color = industry_label(code, lang)[1] if leads else NO_LEADING_COLOR
        style = {
            "color": "#000000" if leads else "#555555",
            "weight": 2.5 if leads else 1.2,
            "dashArray": "5 4",
            "fillColor": color,
            "fillOpacity": 0.0,
        }
        rows = [(t["leading"], t["list_sep"].join(names) if names else t["none"])]
        props.append({"tip": _tip(_name(row, lang, "zone_id"), rows, lang), "style": style})
    return _collection(disp, props)


def _rank_labels(sites: gpd.GeoDataFrame, view: View) -> list[Any]:
    """``(lat, lon, escaped rank)`` at a point inside each site."""
    gdf = sites.reset_index(drop=True)
    disp = view.prepare(gdf, source="sites")
    out = []
    for _, row in disp.iterrows():
        point = row.geometry.representative_point()
        rank = row.get("rank")
        text = _fmt(rank, 0) if _fmt(rank) else str(row.get("site_id") or "")
        out.append((round(point.y, 6), round(point.x, 6), escape_text(text)))
    return out


def industry_title(code: str, lang: str) -> str:
    """Heading of an industry map: ``汽车及装备制造 · 适宜性与推荐选址``."""
    name = industry_label(code, lang)[0]
    sep = " · " if lang == "zh" else ": "
    return f"{name}{sep}{TEXT[lang]['suitability_title']}"


def _legend(
    lang: str,
    *,
    code: str,
    reasons: Sequence[tuple[int, str]],
    bit_names: Mapping[int, str],
    sites: int,
    enterprises: bool,
    zones: bool,
    lines: Sequence[str],
    points: Sequence[str],
    note: str,
) -> str:
    t = TEXT[lang]
    e = escape_text
    colors = score_colors()
    stops = ",".join(_hex(colors[i]) for i in range(0, _N_SCORES, 10))
    hatch = f"repeating-linear-gradient(45deg,{EXCLUDED_HATCH} 0 2px,{EXCLUDED_FILL} 2px 7px)"
    name, color = industry_label(code, lang)
    out = [f"<details open><summary>{e(t['legend'])}</summary>"]

    def row(swatch: str, label: str) -> None:
        out.append(f'<div class="row">{swatch}<span>{e(label)}</span></div>')

    out.append(f"<h5>{e(t['suitability'])}</h5>")
    out.append(f'<div class="ramp" style="background:linear-gradient(to right,{stops})"></div>')
    out.append(
        '<div class="ticks">'
        + "".join(f"<span>{v}</span>" for v in (0, 25, 50, 75, 100))
        + "</div>"
    )
    out.append(f'<div class="note">{e(t["score_range"])}</div>')
    row(f'<span class="hatch" style="background:{hatch}"></span>', t["excluded"])
    if reasons:
        out.append(f"<h5>{e(t['exclusions'])}</h5>")
        for bit, rc in reasons:
            row(
                f'<span class="sw" style="background:{e(rc)}"></span>',
                constraint_style(bit_names.get(bit, str(bit)), lang)[1],
            )
        out.append(f'<div class="note">{e(t["exclusion_note"])}</div>')
    if sites:
        out.append(f"<h5>{e(t['sites'])}</h5>")
        row(
            f'<span class="sw" style="background:{e(color)};border:2px solid {SITE_STROKE}">'
            "</span>",
            f"{name} ({sites})",
        )
        out.append(f'<div class="note">{e(t["sites_note"])}</div>')
    if enterprises:
        row(
            f'<span class="dot" style="background:{e(color)}"></span>',
            f"{t['enterprises']} · {name}",
        )
    out.append(f"<h5>{e(t['boundaries'])}</h5>")
    row(
        f'<span class="line" style="border-top:2.5px solid {BOUNDARY_COLOR}"></span>',
        t["boundary"],
    )
    row(f'<span class="line" style="border-top:1px solid {COUNTY_COLOR}"></span>', t["counties"])
    if zones:
        row('<span class="line" style="border-top:2px dashed #000000"></span>', t["zones"])
    for swatch, label in transport_legend_items(lines, points, lang):
        row(swatch, label)
    out.append(f'<div class="note">{e(t["click_note"])}</div>')
    if note:
        out.append(f'<div class="note">{e(note)}</div>')
    out.append("</details>")
    return "\n".join(out)


# --- the map --------------------------------------------------------------------------------


def industry_map(
    surface: SuitabilitySurface,
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    title: str,
    sites: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    date: str | dt.date | None = None,
    basemap: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    max_pixels: int = MAX_PIXELS,
) -> folium.Map:
    """Build the web map of one industry: suitability surface, exclusion reasons and sites.

    Parameters
    ----------
    surface
        The industry's surface (`read_surface`).
    layers
        Input layers by data-model name (any CRS): ``boundary``, ``counties``, ``zones``
        (outlined; thick where the industry leads), ``enterprises`` (this industry's only),
        ``transport_lines``, ``transport_points``; any may be missing.
    title
        The plan's name, shown under the industry heading (escaped).
    sites
        The plan's sites (docs/plan_outputs.md); only rows of this industry are drawn, filled
        with the industry colour, numbered by rank, with a popup each (area in mu and ha, mean
        and minimum score, zone, stability, a bar chart of the criterion contributions).
    lang
        ``"zh"`` (default) or ``"en"``.
    date
        Date shown next to the title (never read from the clock).
    basemap
        ``None``/``"none"``, ``"osm"``, ``"tianditu"`` or ``"gaode"`` (see `overview_map`);
        with Gaode the vectors are converted to GCJ-02 exactly and the surface image is shifted
        by the GCJ-02 offset at its centre.
    tolerance_m
        Display simplification of lines and polygons in metres.
    max_pixels
        Longest side of the surface image.

    Returns
    -------
    folium.Map
        With ``window.__layout.layers`` keys ``score``, ``exclusions``, ``sites``,
        ``site_labels``, ``counties``, ``boundary``, ``zones``, ``enterprises``,
        ``transport_lines``, ``transport_points`` (those present), ``window.__layout.info``
        (``industry``, ``datum``, ``image_shift``, ``sites``) and ``window.__layout.probe``.
    """
    check_lang(lang)
    tiles: Basemap | None = resolve_basemap(basemap, lang=lang)
    t = TEXT[lang]
    code = surface.industry
    view = View(tolerance_m=tolerance_m, datum=tiles.datum if tiles else "wgs84")
    present = {k: v for k, v in layers.items() if v is not None and not v.empty}
    for name, gdf in present.items():
        require_crs(gdf, source=gdf.attrs.get("source", name))
    own_sites: gpd.GeoDataFrame | None = None
    if sites is not None and not sites.empty:
        require_crs(sites, source=sites.attrs.get("source", "sites"))
        if "industry" in sites.columns:
            own_sites = sites[sites["industry"].astype(str) == code]
        else:
            own_sites = sites.iloc[:0]

    image = surface_image(surface, max_pixels=max_pixels)
    bounds, shift = shift_bounds(image.bounds, tiles)
    extent = bounds
    heading = industry_title(code, lang)
    m = base_map(extent, title=f"{heading} · {title}", date=date, basemap=tiles)
    folium.map.CustomPane("surface", z_index=350).add_to(m)

    registry: dict[str, Any] = {}

    def add(key: str, layer: Any) -> None:
        layer.add_to(m)
        registry[key] = layer

    labels = {bit: constraint_style(kind, lang)[1] for bit, kind in surface.bit_names.items()}
    score_layer = folium.raster_layers.ImageOverlay(
        _data_uri(image.score_png),
        bounds=bounds,
        name=escape_text(t["suitability"]),
        opacity=SURFACE_OPACITY,
        pixelated=False,  # our CSS class only: folium's would restyle every image layer
        pane="surface",
        className="layout-surface",
        interactive=False,
    )
    add("score", score_layer)
    if image.reasons:
        add(
            "exclusions",
            folium.raster_layers.ImageOverlay(
                _data_uri(image.reasons_png),
                bounds=bounds,
                name=escape_text(t["exclusions"]),
                opacity=0.85,
                pixelated=False,
                pane="surface",
                className="layout-surface",
                interactive=False,
                show=False,
            ),
        )
    if "counties" in present:
        style = {"color": COUNTY_COLOR, "weight": 1.0, "fillColor": "#ffffff", "fillOpacity": 0.0}
        data = _outline(present["counties"], lang, view, source="counties", style=style)
        add("counties", _geojson(data, name=t["counties"]))
    if "boundary" in present:
        style = {"color": BOUNDARY_COLOR, "weight": 2.5, "fill": False}
        data = _outline(present["boundary"], lang, view, source="boundary", style=style)
        add("boundary", _geojson(data, name=t["boundary"], interactive=False))
    if "zones" in present:
        add("zones", _geojson(_zone_outlines(present["zones"], lang, view, code), name=t["zones"]))
    line_kinds: list[str] = []
    if "transport_lines" in present:
        data, line_kinds = _lines(present["transport_lines"], lang, view)
        add("transport_lines", _geojson(data, name=t["transport_lines"]))
    point_kinds: list[str] = []
    if "transport_points" in present:
        data, point_kinds = _points(present["transport_points"], lang, view)
        marker = folium.CircleMarker(radius=5, color="#ffffff", weight=1, fill=True)
        add("transport_points", _geojson(data, name=t["transport_points"], marker=marker))
    has_firms = False
    if "enterprises" in present and "industry" in present["enterprises"].columns:
        firms = present["enterprises"]
        firms = firms[firms["industry"].fillna(OTHER).astype(str) == code]
        if not firms.empty:
            for _, name, color, count, data in _enterprises(firms, lang, view):
                marker = folium.CircleMarker(
                    radius=3,
                    color="#ffffff",
                    weight=0.6,
                    fill=True,
                    fill_color=color,
                    fill_opacity=0.9,
                )
                add(
                    "enterprises",
                    _geojson(data, name=f"{t['enterprises']} · {name} ({count})", marker=marker),
                )
                has_firms = True
    n_sites = 0
    if own_sites is not None and not own_sites.empty:
        data, _ = _sites(
            own_sites,
            lang,
            view,
            fill_opacity=0.45,
            zone_names=names_by_id(present.get("zones"), "zone_id", lang),
            county_names=names_by_id(present.get("counties"), "adcode", lang),
        )
        n_sites = len(data["features"])
        marker = folium.CircleMarker(radius=8, color=SITE_STROKE, weight=2.5, fill=True)
        add("sites", _site_layer(data, name=f"{t['sites']} ({n_sites})", marker=marker))
        add("site_labels", _SiteLabels(_rank_labels(own_sites, view), name=t["site_labels"]))

    legend = _legend(
        lang,
        code=code,
        reasons=image.reasons,
        bit_names=surface.bit_names,
        sites=n_sites,
        enterprises=has_firms,
        zones="zones" in present,
        lines=list(dict.fromkeys(line_kinds)),
        points=list(dict.fromkeys(point_kinds)),
        note=_shift_note(shift, lang),
    )
    finish_map(
        m,
        title=heading,
        subtitle=escape_text(title),
        date=date,
        lang=lang,
        legend=legend,
        layers=registry,
        basemap=tiles,
        css=_INDUSTRY_CSS,
        info={
            "industry": code,
            "sites": n_sites,
            "image_shift": [round(shift[0], 9), round(shift[1], 9)],
            "image_shape": list(image.shape),
        },
    )
    _Probe(
        score_layer,
        lookup=image.lookup,
        labels={bit: escape_text(label) for bit, label in labels.items()},
        text={
            "score": escape_text(t["score"]),
            "excluded": escape_text(t["excluded"]),
            "several": escape_text(t["several"]),
            "sep": escape_text(t["sep"]),
            "list_sep": escape_text(t["list_sep"]),
        },
    ).add_to(m)
    return m


def _shift_note(shift: tuple[float, float], lang: str) -> str:
    if shift == (0.0, 0.0):
        return ""
    dx = shift[0] * 111_320 * math.cos(math.radians(34.7))
    dy = shift[1] * 110_950
    if lang == "zh":
        return (
            f"评分图按中心处 GCJ-02 偏移整体平移（东 {dx:.0f} m，北 {dy:.0f} m），"
            "边缘误差约 80 m 以内"
        )
    return (
        f"surface image shifted by the GCJ-02 offset at its centre ({dx:.0f} m east, "
        f"{dy:.0f} m north); within about 80 m at the edges"
    )


# --- PNG ------------------------------------------------------------------------------------


def industry_png(
    surface: SuitabilitySurface,
    path: str | os.PathLike[str],
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    title: str,
    sites: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    date: str | dt.date | None = None,
    dpi: int = 150,
) -> Path:
    """Draw the industry map as a static PNG for reports (matplotlib Agg, deterministic bytes).

    The surface is drawn in its own CRS (EPSG:4547: true shapes, metric scale bar) with a 0–100
    colour bar; excluded cells are grey and hatched; this industry's sites are outlined,
    filled with the industry colour and numbered by rank; boundary and counties on top.

    Parameters
    ----------
    surface
        The industry's surface.
    path
        The ``.png`` file to write (atomically).
    layers
        Input layers (``boundary``, ``counties``, ``zones`` are drawn).
    title
        The plan's name (second line of the title).
    sites
        The plan's sites; rows of other industries are ignored.
    lang
        ``"zh"`` or ``"en"`` (English when no CJK font is installed; a warning is logged).
    date
        Date shown in the title.
    dpi
        Resolution.

    Returns
    -------
    Path
        The path written.
    """
    from layout.products.maps.png import render_png

    check_lang(lang)

    def draw(effective: str) -> Any:
        return _draw_industry(
            surface, layers=layers, title=title, sites=sites, lang=effective, date=date, dpi=dpi
        )

    return render_png(draw, path, lang=lang)


def _draw_industry(
    surface: SuitabilitySurface,
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    title: str,
    sites: gpd.GeoDataFrame | None,
    lang: str,
    date: str | dt.date | None,
    dpi: int,
) -> Any:
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from layout.products.maps.png import _metric, _mpl, _scale_bar, quiet_canvas

    t = TEXT[lang]
    code = surface.industry
    color = industry_label(code, lang)[1]
    crs = surface.crs
    west, south, east, north = surface.bounds
    aspect = float(np.clip((north - south) / max(east - west, 1.0), 0.4, 1.6))
    map_w = 0.74 * 12.0
    fig_h = max(6.5, map_w * aspect + 1.3)
    fig = Figure(figsize=(12.0, fig_h), dpi=dpi)
    quiet_canvas(FigureCanvasAgg(fig))
    ax = fig.add_axes((0.01, 0.03, 0.74, 1.0 - 1.15 / fig_h))
    ax.set_axis_off()
    ax.set_aspect("equal")

    extent = (west, east, south, north)
    inside = surface.inside
    excluded = surface.excluded
    shown = np.where(inside & ~excluded, surface.score, np.nan)
    image = ax.imshow(
        np.ma.masked_invalid(shown),
        extent=extent,
        origin="upper",
        cmap=colormaps[SCORE_CMAP],
        vmin=0,
        vmax=100,
        interpolation="nearest",
        zorder=1,
    )
    if excluded.any():
        grey = np.where(excluded, 1.0, np.nan)
        ax.imshow(
            np.ma.masked_invalid(grey),
            extent=extent,
            origin="upper",
            cmap=ListedColormap([EXCLUDED_FILL]),
            interpolation="nearest",
            zorder=2,
        )
        rows, cols = surface.score.shape
        xs = west + (np.arange(cols) + 0.5) * (east - west) / cols
        ys = north - (np.arange(rows) + 0.5) * (north - south) / rows
        ax.contourf(
            xs,
            ys,
            excluded.astype(float),
            levels=[0.5, 1.5],
            colors="none",
            hatches=["////"],
            zorder=3,
        )

    handles: list[Any] = [
        Patch(facecolor=EXCLUDED_FILL, edgecolor=EXCLUDED_HATCH, hatch="////", label=t["excluded"])
    ]
    if (g := _metric(layers.get("counties"), "counties")) is not None:
        g = g.to_crs(crs)
        g.plot(ax=ax, facecolor="none", edgecolor=COUNTY_COLOR, linewidth=0.5, zorder=4)
        handles.append(Line2D([], [], color=COUNTY_COLOR, lw=0.8, label=t["counties"]))
    if (g := _metric(layers.get("zones"), "zones")) is not None:
        g = g.to_crs(crs)
        g.plot(
            ax=ax, facecolor="none", edgecolor="#000000", linewidth=0.7, linestyle="--", zorder=5
        )
        handles.append(Line2D([], [], color="#000000", lw=0.8, ls="--", label=t["zones"]))
    if (g := _metric(layers.get("boundary"), "boundary")) is not None:
        g = g.to_crs(crs)
        g.plot(ax=ax, facecolor="none", edgecolor=BOUNDARY_COLOR, linewidth=1.3, zorder=6)
        handles.append(Line2D([], [], color=BOUNDARY_COLOR, lw=1.5, label=t["boundary"]))
    own = _metric(sites, "sites")
    if own is not None and "industry" in own.columns:
        own = own[own["industry"].astype(str) == code].to_crs(crs)
        if not own.empty:
            polys = own[own.geom_type != "Point"]
            if not polys.empty:
                polys.plot(ax=ax, facecolor=color, alpha=0.55, edgecolor="none", zorder=7)
                polys.plot(ax=ax, facecolor="none", edgecolor=SITE_STROKE, linewidth=1.2, zorder=8)
            for _, row in own.iterrows():
                p = row.geometry.representative_point()
                rank = row.get("rank")
                text = _fmt(rank, 0) if _fmt(rank) else _mpl(str(row.get("site_id") or ""))
                ax.annotate(
                    text,
                    (p.x, p.y),
                    xytext=(6, 6),
                    textcoords="offset points",
                    fontsize=8,
                    fontweight="bold",
                    bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "black", "lw": 0.8},
                    zorder=9,
                )
            handles.append(
                Patch(
                    facecolor=color,
                    alpha=0.8,
                    edgecolor=SITE_STROKE,
                    label=f"{_mpl(t['sites'])} ({len(own)}) · {t['sites_note']}",
                )
            )
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    _scale_bar(ax)

    cax = fig.add_axes((0.78, 0.62, 0.025, 0.28))
    bar = fig.colorbar(image, cax=cax)
    bar.set_ticks([0, 25, 50, 75, 100])
    bar.ax.tick_params(labelsize=8)
    cax.set_title(t["suitability"], fontsize=9, loc="left", pad=8)
    fig.legend(
        handles=handles,
        title=t["legend"],
        loc="upper left",
        bbox_to_anchor=(0.77, 0.56),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
        alignment="left",
    )
    date_text = date.isoformat() if isinstance(date, dt.date) else (date or "")
    fig.suptitle(
        _mpl(industry_title(code, lang)),
        x=0.02,
        y=1.0 - 0.2 / fig_h,
        ha="left",
        va="top",
        fontsize=14,
        fontweight="bold",
    )
    fig.text(
        0.02,
        1.0 - 0.62 / fig_h,
        _mpl(f"{title}  {date_text}".strip()),
        ha="left",
        va="top",
        fontsize=10,
        color="#444444",
    )
    fig.text(0.77, 0.03, f"{t['score_range']} · {crs.to_string()}", fontsize=7, color="#555555")
    return fig
