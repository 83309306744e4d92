"""An industry's suitability surface: read from its GeoTIFFs, and encoded as web-map images.

`read_surface` reads the two GeoTIFFs the scoring stage writes for an industry
(``<code>_score.tif``, ``<code>_flags.tif``, docs/plan_outputs.md) into a `SuitabilitySurface`;
`surface_image` encodes it for the web map (`layout.products.maps.industry.industry_map`).

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
  and looks its colour up in `SurfaceImage.lookup` (`layout.products.maps.probe`): the score
  there, or every reason that excludes the cell;
* **as a layer** (hidden at first): a second palette PNG colouring excluded cells by their first
  reason in `layout.model.constraints.CONSTRAINT_BITS` order.

Vectorising the flags instead would have cost megabytes of staircase polygons per map.
"""

from __future__ import annotations

import base64
import io
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from affine import Affine
from numpy.typing import NDArray
from pyproj import Transformer

from layout import settings
from layout.io.scoreraster import SuitabilitySurface
from layout.io.scoreraster import read_surface as io_read_surface
from layout.model.constraints import CONSTRAINT_BITS, OUTSIDE_BIT
from layout.products.maps.style import EXCLUDED_FILL, EXCLUDED_HATCH, SCORE_CMAP, constraint_style

__all__ = [
    "MAX_PIXELS",
    "N_SCORES",
    "OUTSIDE_BIT",
    "SuitabilitySurface",
    "SurfaceImage",
    "data_uri",
    "excluded_pair",
    "hex_color",
    "palette_png",
    "pixel_index",
    "read_surface",
    "score_colors",
    "surface_image",
]

#: Longest side of the surface image in the web map, in pixels.
MAX_PIXELS = 1200
#: Palette layout of the score image: scores 0..100, then pairs of excluded greys.
N_SCORES = 101
_TRANSPARENT = 255
_MAX_COMBOS = (_TRANSPARENT - N_SCORES) // 2  # 77 fill/hatch pairs
#: Hatch of excluded cells: a line of 2 px every 8 px along the diagonal.
_HATCH_PERIOD, _HATCH_WIDTH = 8, 2

_BITS: dict[int, str] = {bit: kind for kind, bit in CONSTRAINT_BITS.items()}


def _apply(t: Affine, col: float, row: float) -> tuple[float, float]:
    """``(x, y)`` of a pixel corner (affine's ``*`` operator is deprecated)."""
    return t.a * col + t.b * row + t.c, t.d * col + t.e * row + t.f


def read_surface(
    score_path: str | os.PathLike[str],
    flags_path: str | os.PathLike[str] | None = None,
    *,
    max_pixels: int | None = MAX_PIXELS,
) -> SuitabilitySurface:
    """Read ``<code>_score.tif`` (band 1) and its ``<code>_flags.tif``, as the map needs it.

    `layout.io.scoreraster.read_surface` with this package's constraint types for flags rasters
    that carry no bit tags (when the flags raster is missing every cell with a score counts as
    eligible).  A grid whose long side is at least twice ``max_pixels`` (the surface image's
    long side) is read decimated, nearest neighbour through the COG's overviews
    (`layout.io.scoreraster.decimated_shape`: a 19,000 × 18,500 province grid is read as about
    1,270 × 1,230 cells, never whole); a smaller one, such as the embedded plan's 805 × 1379
    grid, is read whole, so its maps are unchanged.  None reads every cell.

    Raises
    ------
    DataFileError
        The score file is missing or unreadable.
    CRSMismatchError
        The two rasters do not share grid, transform and CRS (both are named).
    """
    return io_read_surface(score_path, flags_path, bit_names=_BITS, max_side=max_pixels)


def hex_color(rgb: Sequence[int]) -> str:
    """``#rrggbb`` of an 8-bit RGB triple.

    Examples
    --------
    >>> hex_color((68, 1, 84))
    '#440154'
    """
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def score_colors() -> list[tuple[int, int, int]]:
    """The 101 colours of scores 0, 1, ..., 100 (`SCORE_CMAP`), as 8-bit RGB."""
    from matplotlib import colormaps

    cmap = colormaps[SCORE_CMAP]
    values = cmap(np.linspace(0.0, 1.0, N_SCORES))[:, :3]
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


def palette_png(index: NDArray[np.uint8], palette: Sequence[tuple[int, int, int]]) -> bytes:
    """A palette PNG with index 255 transparent; no metadata, so the bytes are stable.

    Examples
    --------
    >>> palette_png(np.zeros((2, 2), np.uint8), [(68, 1, 84)])[1:4]
    b'PNG'
    """
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
    transform
        Affine transform of the images' grid in EPSG:3857.
    palette
        RGB colours of the score image's palette indices (what the tiles use too).
    slots
        Combination of exclusion bits → its fill/hatch pair ``k`` (palette indices
        ``N_SCORES + 2k`` and ``N_SCORES + 2k + 1``).
    """

    score_png: bytes = field(repr=False)
    reasons_png: bytes = field(repr=False)
    bounds: list[list[float]]
    shape: tuple[int, int]
    lookup: dict[str, Any] = field(repr=False)
    reasons: list[tuple[int, str]]
    transform: Affine | None = None
    palette: tuple[tuple[int, int, int], ...] = field(default=(), repr=False)
    slots: Mapping[int, int] = field(default_factory=dict, repr=False)


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
        lookup[hex_color(rgb)] = i

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
    index[excluded] = (N_SCORES + 2 * k_of[excluded] + hatch[excluded]).astype(np.uint8)
    for k in range(min(len(combos), _MAX_COMBOS)):
        if shared and k == _MAX_COMBOS - 1:
            union = int(np.bitwise_or.reduce(np.array(shared, np.uint16)))
            bits = [-1, *[b for b in sorted(surface.bit_names) if union & b]]
        else:
            bits = [b for b in sorted(surface.bit_names) if combos[k] & b]
        fill, line = _excluded_colors(k)
        palette += [fill, line]
        lookup[hex_color(fill)] = bits
        lookup[hex_color(line)] = bits
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
        score_png=palette_png(index, palette),
        reasons_png=palette_png(reason_index, reason_palette),
        bounds=bounds,
        shape=(height, width),
        lookup=lookup,
        reasons=reasons,
        transform=dst_transform,
        palette=tuple(palette),
        slots=slot,
    )


def pixel_index(
    score: NDArray[np.float32],
    flags: NDArray[np.uint16],
    *,
    exclude_bits: int,
    slots: Mapping[int, int],
    origin: tuple[int, int] = (0, 0),
) -> NDArray[np.uint8]:
    """Palette indices of pixels in the score image's palette (`SurfaceImage.palette`).

    The kernel of the tiles (`layout.products.maps.tiles`): a score 0–100 where eligible,
    the fill or hatch of the cell's combination of exclusion reasons (``slots``; a combination
    the image does not hold takes its last pair, that of rare combinations), 255 (transparent)
    outside the study area.  ``origin`` is the ``(row, col)`` of ``[0, 0]`` in a grid shared by
    neighbouring tiles, so that the hatch runs on across their edges.

    Examples
    --------
    >>> score = np.array([[12.4, 0.0, np.nan]], np.float32)
    >>> flags = np.array([[0, 1, 0]], np.uint16)
    >>> pixel_index(score, flags, exclude_bits=1, slots={1: 0}).tolist()  # 102: on a hatch line
    [[12, 102, 255]]
    """
    exclude = np.uint16(exclude_bits)
    inside = np.isfinite(score) & ((flags & OUTSIDE_BIT) == 0)
    why = np.where(inside, flags & exclude, 0).astype(np.uint16)
    excluded = why != 0
    eligible = inside & ~excluded
    index = np.full(score.shape, _TRANSPARENT, np.uint8)
    index[eligible] = np.clip(np.rint(score[eligible]), 0, 100).astype(np.uint8)
    if excluded.any():
        last = max(slots.values(), default=0)
        values, inverse = np.unique(why[excluded], return_inverse=True)
        k = np.array([slots.get(int(v), last) for v in values], np.int32)[inverse]
        rows, cols = np.nonzero(excluded)
        hatch = ((rows + origin[0] + cols + origin[1]) % _HATCH_PERIOD) < _HATCH_WIDTH
        index[excluded] = (N_SCORES + 2 * k + hatch).astype(np.uint8)
    return index


def excluded_pair(k: int) -> list[tuple[int, int, int]]:
    """Fill and hatch colours of the ``k``-th combination of exclusion reasons (palette pair)."""
    return list(_excluded_colors(k))


def data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI of PNG bytes (an image inlined in the page)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
