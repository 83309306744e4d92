"""An industry's surface: read from its GeoTIFFs and encoded as the web map's palette PNGs.

The rasters are those of the tiny plan folder (``plan_data``), their own answer key.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from PIL import Image
from pyproj import Transformer

from layout.errors import CRSMismatchError, DataFileError
from layout.products.maps.surface import (
    MAX_PIXELS,
    SuitabilitySurface,
    read_surface,
    score_colors,
    surface_image,
)
from tests.products.maps.plan_data import (
    CELL,
    EXCLUDE_BITS,
    METRIC,
    NCOLS,
    NROWS,
    TRANSFORM,
    X0,
    Y_TOP,
    tiny_flags,
    tiny_score,
    write_surface,
)


@pytest.fixture(scope="module")
def surface(tmp_path_factory: pytest.TempPathFactory) -> SuitabilitySurface:
    score_path, _ = write_surface(tmp_path_factory.mktemp("surface"), "auto")
    return read_surface(score_path)


# --- reading the rasters ------------------------------------------------------------------


def test_read_surface(surface: SuitabilitySurface) -> None:
    assert surface.industry == "auto"
    assert surface.exclude_bits == EXCLUDE_BITS
    assert surface.crs.to_epsg() == 4547
    np.testing.assert_array_equal(np.isnan(surface.score), np.isnan(tiny_score()))
    np.testing.assert_array_equal(surface.flags, tiny_flags())
    assert surface.excluded.sum() == 10 * 15 + 10 * 15
    assert not surface.excluded[15:20, 20:25].any()  # flagged flood zone, not excluded
    assert surface.bounds == (X0, Y_TOP - NROWS * CELL, X0 + NCOLS * CELL, Y_TOP)
    assert surface.bit_names[64] == "steep_slope"


def test_read_surface_without_flags_warns_and_excludes_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    score_path, flags_path = write_surface(tmp_path, "food")
    flags_path.unlink()
    with caplog.at_level(logging.WARNING):
        s = read_surface(score_path)
    assert "food_flags.tif not found" in caplog.text
    assert not s.excluded.any()
    assert s.inside.sum() == np.isfinite(tiny_score()).sum()


def test_read_surface_rejects_mismatched_grids(tmp_path: Path) -> None:
    score_path, _ = write_surface(tmp_path / "a", "auto")
    _, other_flags = write_surface(tmp_path / "b", "auto")
    with rasterio.open(other_flags, "r+") as dst:
        dst.transform = Affine(CELL, 0.0, X0 + 500, 0.0, -CELL, Y_TOP)
    with pytest.raises(CRSMismatchError, match="does not match") as err:
        read_surface(score_path, other_flags)
    assert str(score_path) in str(err.value) and str(other_flags) in str(err.value)
    with pytest.raises(DataFileError, match="cannot read"):
        read_surface(tmp_path / "missing_score.tif")


# --- the surface image --------------------------------------------------------------------


def png_chunks(png: bytes) -> dict[str, bytes]:
    """The chunks of a PNG by type (the last of each type), read with struct."""
    import struct

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8].decode("ascii")
        chunks[kind] = png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return chunks


def _decode(png: bytes) -> tuple[np.ndarray, list[tuple[int, int, int]], bytes]:
    """Palette indices, palette and per-index alpha (the tRNS chunk) of a palette PNG."""
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P"
    flat = image.getpalette() or []
    palette = [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]
    return np.asarray(image), palette, png_chunks(png).get("tRNS", b"")


def test_surface_image_matches_the_source_cells(surface: SuitabilitySurface) -> None:
    """Each pixel of the Web Mercator image holds its source cell, computed independently:
    pixel centre -> EPSG:3857 -> EPSG:4547 -> (row, col)."""
    image = surface_image(surface)
    index, palette, alpha = _decode(image.score_png)
    height, width = index.shape
    assert (height, width) == image.shape
    (south, west), (north, east) = image.bounds
    to_merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    to_metric = Transformer.from_crs("EPSG:3857", METRIC, always_xy=True)
    (mw, me), (ms, mn) = to_merc.transform([west, east], [south, north])
    cols, rows = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    x, y = to_metric.transform(mw + cols * (me - mw) / width, mn - rows * (mn - ms) / height)
    fc, fr = (x - X0) / CELL, (Y_TOP - y) / CELL
    clear = (np.abs(fc - np.rint(fc)) > 0.02) & (np.abs(fr - np.rint(fr)) > 0.02)
    src_c, src_r = np.floor(fc).astype(int), np.floor(fr).astype(int)
    on_grid = (src_c >= 0) & (src_c < NCOLS) & (src_r >= 0) & (src_r < NROWS)
    check = clear & on_grid
    assert check.sum() > 0.8 * index.size

    score, flags = tiny_score(), tiny_flags()
    s = score[src_r[check], src_c[check]]
    f = flags[src_r[check], src_c[check]]
    got = index[check]
    outside = np.isnan(s)
    excluded = ~outside & ((f & EXCLUDE_BITS) != 0)
    eligible = ~outside & ~excluded
    assert (got[outside] == 255).all()
    np.testing.assert_array_equal(got[eligible], s[eligible].astype(int))
    assert (got[excluded] >= 101).all() and (got[excluded] < 255).all()
    assert alpha[255] == 0 and set(alpha[:255]) == {255}
    # Colours of scores are viridis; lookup reads them back.
    colours = score_colors()
    for i in np.unique(got[eligible]):
        assert palette[i] == colours[i]
        assert image.lookup["#{:02x}{:02x}{:02x}".format(*palette[i])] == i
    # Excluded pixels read back their reasons: farmland, or red line + steep slope.
    reasons = {
        tuple(image.lookup["#{:02x}{:02x}{:02x}".format(*palette[i])])
        for i in np.unique(got[excluded])
    }
    assert reasons == {(1,), (2, 64)}


def test_surface_image_palette_and_bytes_are_stable(surface: SuitabilitySurface) -> None:
    a, b = surface_image(surface), surface_image(surface)
    assert a.score_png == b.score_png and a.reasons_png == b.reasons_png
    assert set(png_chunks(a.score_png)) == {"IHDR", "PLTE", "tRNS", "IDAT", "IEND"}
    _, palette, _ = _decode(a.score_png)
    used = palette[: len(a.lookup)]
    assert len(set(used)) == len(used) == len(a.lookup)  # a click reads a unique colour


def test_surface_image_is_downsampled(surface: SuitabilitySurface) -> None:
    image = surface_image(surface, max_pixels=30)
    assert max(image.shape) == 30
    full = surface_image(surface)
    assert max(full.shape) <= MAX_PIXELS
    # Both anchored at the north-west corner and covering the whole grid.
    to_lonlat = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform([X0, X0 + NCOLS * CELL], [Y_TOP - NROWS * CELL, Y_TOP])
    for (south, west), (north, east) in (full.bounds, image.bounds):
        assert (west, north) == pytest.approx((full.bounds[0][1], full.bounds[1][0]), abs=1e-9)
        assert west <= lon[0] + 1e-6 and east >= lon[1] - 1e-6
        assert south <= lat[0] + 1e-6 and north >= lat[1] - 1e-6


def test_reasons_layer_colours_the_first_reason(surface: SuitabilitySurface) -> None:
    image = surface_image(surface)
    index, _, _ = _decode(image.reasons_png)
    assert [bit for bit, _ in image.reasons] == [1, 2]  # 66 = 2 | 64: coloured as red line
    counts = {i: int((index == i).sum()) for i in range(len(image.reasons))}
    score_index, _, _ = _decode(image.score_png)
    assert sum(counts.values()) == int(((score_index > 100) & (score_index < 255)).sum())


def test_rare_reason_combinations_share_the_last_palette_entry() -> None:
    flags = np.arange(100, dtype=np.uint16).reshape(10, 10) % 128
    flags = np.where(flags == 0, 1, flags).astype(np.uint16)
    surface = SuitabilitySurface(
        industry="auto",
        score=np.zeros((10, 10), np.float32),
        flags=flags,
        transform=TRANSFORM,
        crs=rasterio.crs.CRS.from_epsg(4547),
        exclude_bits=127,
    )
    image = surface_image(surface)
    index, _, _ = _decode(image.score_png)
    assert index.max() <= 254
    shared = [v for v in image.lookup.values() if isinstance(v, list) and v and v[0] == -1]
    assert shared  # "one or more of" the union of the rare combinations
