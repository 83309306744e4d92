"""Tile pyramids of large score rasters, and the decimated read of the inline image.

The referee for tile indices is the slippy-map formula worked by hand (lon/lat -> x, y as in
OpenStreetMap's wiki and mercantile), with pyproj for the projections; the referee for pixel
values is rasterio's own read of the COG at the point under each pixel's centre.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import rasterio
from affine import Affine
from PIL import Image
from pyproj import Transformer

from layout.io.scoreraster import decimated_shape, write_score_raster
from layout.io.staging import OutputFolder, check_outputs
from layout.products.maps.plan import MAP_NAMES, TILES, write_plan_maps
from layout.products.maps.surface import N_SCORES, SurfaceImage, read_surface, surface_image
from layout.products.maps.tiles import (
    EMPTY_TILE,
    FIT_TILES,
    MAX_TILES,
    TilePyramid,
    count_tiles,
    needs_tiles,
    pixel_centres,
    tile_bounds,
    tile_range,
    write_tiles,
    zoom_range,
)
from tests.products.maps.browser import Visit, screenshot
from tests.products.maps.plan_data import tiny_layers

#: A custom CRS like the province engine's (Albers over Henan), in metres.
ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=113.5 +ellps=WGS84 +units=m +no_defs"
CELL = 30.0
NROWS, NCOLS = 2500, 2600  # long side 2,600 >= 2 x 1,200: tiled, read decimated
X0, Y_TOP = -60_000.0, 3_870_000.0
EXCLUDE = 1 | 2  # basic_farmland, eco_redline; flood_zone (32) flagged only
#: Folder of the tiles, what `write_tiles` returned, the inline image they share a palette with.
Pyramid = tuple[Path, TilePyramid, SurfaceImage]
BITS = {"basic_farmland": 1, "eco_redline": 2, "flood_zone": 32, "outside_study_area": 128}


def _arrays() -> tuple[np.ndarray, np.ndarray]:
    """Blocky scores (50-cell blocks), three flagged rectangles, a cut-off corner outside."""
    rows, cols = np.indices((NROWS, NCOLS))
    score = ((rows // 50) * 7 + (cols // 50) * 3) % 101
    score = score.astype(np.float32)
    flags = np.zeros((NROWS, NCOLS), np.uint16)
    flags[200:700, 300:900] |= 1
    flags[1500:2100, 1600:2300] |= 2
    flags[600:800, 700:1200] |= 32
    outside = (rows + cols) < 600
    flags[outside] |= 128
    score[(flags & EXCLUDE) != 0] = 0.0
    score[outside] = np.nan
    return score, flags


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan's COGs (with overviews) of one industry over a 2,500 x 2,600 grid at 30 m."""
    folder = tmp_path_factory.mktemp("big") / "suitability"
    score, flags = _arrays()
    grid = SimpleNamespace(crs=ALBERS, nrows=NROWS, ncols=NCOLS,
                           transform=Affine(CELL, 0, X0, 0, -CELL, Y_TOP))
    write_score_raster(
        folder, industry="food", grid=grid, score=score,
        criteria={"density": np.where(np.isnan(score), np.nan, score / 100).astype(np.float32)},
        labels={"density": "density"}, weights={"density": 1.0}, weight_source="direct",
        flags=flags, exclude_bits=EXCLUDE, bit_names=BITS,
    )
    return folder / "food_score.tif"


@pytest.fixture(scope="module")
def pyramid(big: Path, tmp_path_factory: pytest.TempPathFactory) -> Pyramid:
    surface = read_surface(big)
    image = surface_image(surface)
    folder = tmp_path_factory.mktemp("tiles") / "food"
    result = write_tiles(big, folder, image=image, exclude_bits=surface.exclude_bits,
                         url="tiles/food/{z}/{x}/{y}.png")
    return folder, result, image


# --- tile arithmetic against the slippy-map formulas ---------------------------------------------


def _slippy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """OpenStreetMap's tile of a point (https://wiki.openstreetmap.org/wiki/Slippy_map)."""
    n = 2**z
    phi = math.radians(lat)
    x = math.floor((lon + 180.0) / 360.0 * n)
    y = math.floor((1.0 - math.asinh(math.tan(phi)) / math.pi) / 2.0 * n)
    return x, y


def _nw(z: int, x: int, y: int) -> tuple[float, float]:
    """Lon/lat of a tile's north-west corner (the inverse formula)."""
    n = 2**z
    return x / n * 360.0 - 180.0, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


@pytest.mark.parametrize("z", [0, 3, 7, 11, 12, 15])
def test_tile_range_matches_slippy_formula(z: int) -> None:
    to_merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    lons, lats = (110.37, 116.61), (31.41, 36.33)
    (w, e), (s, n) = to_merc.transform(lons, lats)
    x0, y1 = _slippy(lons[0], lats[0], z)
    x1, y0 = _slippy(lons[1], lats[1], z)
    assert tile_range((w, s, e, n), z) == (x0, x1, y0, y1)
    assert count_tiles((w, s, e, n), z) == (x1 - x0 + 1) * (y1 - y0 + 1)


@pytest.mark.parametrize(("z", "x", "y"), [(0, 0, 0), (7, 104, 51), (12, 3338, 1640)])
def test_tile_bounds_match_inverse_formula(z: int, x: int, y: int) -> None:
    to_lonlat = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    west, south, east, north = tile_bounds(z, x, y)
    lon, lat = to_lonlat.transform(west, north)
    lon2, lat2 = to_lonlat.transform(east, south)
    assert (lon, lat) == pytest.approx(_nw(z, x, y), abs=1e-9)
    assert (lon2, lat2) == pytest.approx(_nw(z, x + 1, y + 1), abs=1e-9)


@pytest.mark.parametrize(("z", "x", "y"), [(6, 52, 25), (9, 418, 205), (12, 3345, 1643)])
def test_pixel_centres_match_an_exact_transformation(z: int, x: int, y: int) -> None:
    """The interpolated centres are within 1/100 of a pixel of pyproj's (GDAL's warper allows
    1/8), and exact at every 8th pixel."""
    to_grid = Transformer.from_crs("EPSG:3857", ALBERS, always_xy=True)
    gx, gy = pixel_centres(z, x, y, to_grid)
    west, _, _, north = tile_bounds(z, x, y)
    res = (tile_bounds(z, x, y)[2] - west) / 256
    c = (np.arange(256) + 0.5) * res
    ex, ey = to_grid.transform(*np.meshgrid(west + c, north - c))
    pixel = res * math.cos(math.radians(_nw(z, x, y)[1]))  # ground metres, about
    assert np.abs(gx - ex).max() < 1e-2 * pixel and np.abs(gy - ey).max() < 1e-2 * pixel
    assert np.allclose(gx[::8, ::8], ex[::8, ::8], rtol=0, atol=1e-6)


def test_zoom_range_follows_its_rule() -> None:
    """Deepest zoom: pixel closest to the cell (log scale) unless over the cap; shallowest:
    the extent in at most FIT_TILES tiles. Worked out by brute force over all zooms."""
    to_merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (w, e), (s, n) = to_merc.transform((110.35, 116.65), (31.38, 36.37))
    bounds = (w, s, e, n)
    lat = math.degrees(2 * math.atan(math.exp((s + n) / 2 / 6378137.0)) - math.pi / 2)
    ground = [40075016.68557849 / 256 / 2**z * math.cos(math.radians(lat)) for z in range(21)]
    for cell, cap in [(30.0, MAX_TILES), (30.0, 10**6), (100.0, MAX_TILES), (500.0, 50)]:
        natural = min(range(21), key=lambda z: abs(math.log2(ground[z] / cell)))
        shallow = max(z for z in range(21) if count_tiles(bounds, z) <= FIT_TILES)
        deep = natural
        while deep > shallow and sum(
            count_tiles(bounds, z) for z in range(shallow, deep + 1)
        ) > cap:
            deep -= 1
        assert zoom_range(bounds, cell_m=cell, max_tiles=cap) == (shallow, deep)
    # Henan at 30 m: natural zoom 12 (31.6 m pixels), capped to 11 by MAX_TILES.
    assert zoom_range(bounds, cell_m=30.0) == (6, 11)
    assert zoom_range(bounds, cell_m=30.0, max_tiles=10**6) == (6, 12)


def test_threshold_and_decimation() -> None:
    # The embedded plan's grid: read whole, no tiles (its maps are unchanged).
    assert decimated_shape((805, 1379), max_side=1200) is None
    assert not needs_tiles((805, 1379))
    assert decimated_shape((2399, 1000), max_side=1200) is None and not needs_tiles((2399, 1000))
    assert decimated_shape((2400, 1000), max_side=1200) == (1200, 500)
    assert needs_tiles((2400, 1000))


# --- the decimated read -------------------------------------------------------------------------


def test_large_surface_is_read_decimated_flags_by_nearest(big: Path) -> None:
    score, flags = _arrays()
    surface = read_surface(big)  # default: what the inline image needs
    assert surface.score.shape == (1250, 1300)  # step 2600 // 1200 = 2
    with rasterio.open(big) as src:
        full = src.bounds
    assert surface.bounds == pytest.approx((full.left, full.bottom, full.right, full.top))
    # Bits are never averaged: only combinations present in the grid come back.
    assert set(np.unique(surface.flags)) <= set(np.unique(flags))
    # Away from block edges the decimated cell holds the full grid's value there.
    t = surface.transform
    for r, c in [(300, 300), (900, 1000), (1100, 200)]:
        x, y = t.c + (c + 0.5) * t.a, t.f + (r + 0.5) * t.e
        fr, fc = int((Y_TOP - y) // CELL), int((x - X0) // CELL)
        assert surface.score[r, c] == pytest.approx(score[fr, fc], abs=1e-6)
        assert surface.flags[r, c] == flags[fr, fc]


def test_small_surface_is_read_whole(tmp_path: Path) -> None:
    from tests.products.maps.plan_data import write_surface

    path, _ = write_surface(tmp_path, "food")
    surface = read_surface(path)
    whole = read_surface(path, max_pixels=None)
    with rasterio.open(path) as src:
        expected = src.read(1)
    assert np.array_equal(surface.score, np.where(expected < 0, np.nan, expected), equal_nan=True)
    assert np.array_equal(surface.flags, whole.flags)
    assert surface.transform == whole.transform
    assert surface_image(surface).score_png == surface_image(whole).score_png


# --- the pyramid ----------------------------------------------------------------------------------


def test_tiles_cover_the_zoom_range(pyramid: Pyramid) -> None:
    folder, result, _ = pyramid
    # By hand: 78 x 75 km at 33.8 deg N is about 94 x 90 km of Web Mercator; a zoom-9 tile is
    # 78 km (the extent fits in 2 x 2), a zoom-10 one 39 km (3 x 3 > FIT_TILES); the zoom-12
    # pixel is 31.7 m on the ground, the closest to 30 m cells, and ~130 tiles stay under the cap.
    assert (result.min_zoom, result.max_zoom) == (9, 12)
    written = sorted(folder.rglob("*.png"))
    per_zoom = {z: len(list((folder / str(z)).rglob("*.png"))) for z in range(9, 13)}
    assert per_zoom == result.written
    assert len(written) == sum(per_zoom.values())
    assert 1 <= per_zoom[9] <= FIT_TILES
    for path in written[:5]:
        with Image.open(path) as im:
            assert im.size == (256, 256) and im.mode == "P"


def test_tile_pixels_are_the_cell_under_their_centre(
    big: Path, pyramid: Pyramid
) -> None:
    folder, result, image = pyramid
    z = result.max_zoom
    tiles = sorted((folder / str(z)).rglob("*.png"))
    rng = np.random.default_rng(17)
    to_grid = Transformer.from_crs("EPSG:4326", ALBERS, always_xy=True)
    slots = image.slots
    last = max(slots.values(), default=0)
    checked = {"score": 0, "excluded": 0, "outside": 0}
    with rasterio.open(big) as src, rasterio.open(big.with_name("food_flags.tif")) as fsrc:
        for i in rng.choice(len(tiles), size=min(40, len(tiles)), replace=False):
            path = tiles[int(i)]
            x, y = int(path.parent.name), int(path.stem)
            with Image.open(path) as im:
                index = np.asarray(im)
            for r, c in rng.integers(0, 256, size=(25, 2)):
                n = 2**z
                lon = (x + (c + 0.5) / 256) / n * 360.0 - 180.0
                fy = (y + (r + 0.5) / 256) / n
                lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * fy))))
                gx, gy = to_grid.transform(lon, lat)
                row, col = src.index(gx, gy)
                got = int(index[r, c])
                if not (0 <= row < NROWS and 0 <= col < NCOLS):
                    assert got == 255
                    checked["outside"] += 1
                    continue
                win = ((row, row + 1), (col, col + 1))
                value = float(src.read(1, window=win)[0, 0])
                bits = int(fsrc.read(1, window=win)[0, 0])
                if value < 0 or bits & 128:
                    assert got == 255
                    checked["outside"] += 1
                elif bits & EXCLUDE:
                    hatch = ((y * 256 + r + x * 256 + c) % 8) < 2
                    assert got == N_SCORES + 2 * slots.get(bits & EXCLUDE, last) + hatch
                    checked["excluded"] += 1
                else:
                    assert got == round(value)
                    checked["score"] += 1
    assert checked["score"] > 100 and checked["excluded"] > 0


def test_tiles_share_the_inline_palette(pyramid: Pyramid) -> None:
    folder, _, image = pyramid
    path = next(iter(sorted(folder.rglob("*.png"))))
    with Image.open(path) as im:
        palette = (im.getpalette() or [])[: 3 * len(image.palette)]
        alpha = im.info["transparency"]  # Pillow: the one transparent index, or every alpha
        assert alpha == 255 if isinstance(alpha, int) else alpha[255] == 0
    flat = [v for rgb in image.palette for v in rgb]
    assert palette == flat


def test_empty_tiles_are_not_written(pyramid: Pyramid) -> None:
    folder, result, _ = pyramid
    z = result.max_zoom
    to_merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (s, w), (n, e) = result.bounds
    (mw, me), (ms, mn) = to_merc.transform((w, e), (s, n))
    x0, x1, y0, y1 = tile_range((mw, ms, me, mn), z)
    assert len(list((folder / str(z)).rglob("*.png"))) < (x1 - x0 + 1) * (y1 - y0 + 1)
    for path in (folder / str(z)).rglob("*.png"):
        with Image.open(path) as im:
            assert (np.asarray(im) != 255).any()


def test_tiles_are_deterministic(big: Path, tmp_path: Path,
                                 pyramid: Pyramid) -> None:
    folder = pyramid[0]
    again = tmp_path / "food"
    surface = read_surface(big)
    write_tiles(big, again, image=surface_image(surface), exclude_bits=surface.exclude_bits,
                url="tiles/food/{z}/{x}/{y}.png")

    def digest(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*.png"))}

    assert digest(again) == digest(folder)


# --- the maps folder ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_maps(big: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from layout.io import embedded as datasets

    mp = pytest.MonkeyPatch()
    mp.setattr(datasets, "load_all", tiny_layers)
    out = tmp_path_factory.mktemp("maps") / "maps"
    try:
        write_plan_maps(big.parent.parent, out_dir=out, png=False, title="Big",
                        date="2024-05-01", lang="en")
    finally:
        mp.undo()
    return out


def test_map_loads_tiles_by_relative_url(big_maps: Path) -> None:
    html = (big_maps / "industry_food.html").read_text(encoding="utf-8")
    assert f'"{TILES}/food/{{z}}/{{x}}/{{y}}.png"' in html
    assert str(big_maps) not in html and "file://" not in html
    assert str(big_maps.parent) not in html
    assert EMPTY_TILE in html
    assert '"tms": false' in html.replace(" ", "").replace('":false', '": false')
    assert any((big_maps / TILES / "food").rglob("*.png"))
    # The inline image stays (the click probe reads it) but is invisible.
    assert "data:image/png;base64," in html


def test_maps_folder_with_tiles_is_replaced_as_a_whole(big: Path, big_maps: Path,
                                                       tmp_path: Path) -> None:
    import shutil

    # A maps folder of an earlier version (no marker) holding tiles is layout's own.
    copy = tmp_path / "maps"
    shutil.copytree(big_maps, copy)
    (copy / ".layout-output").unlink()
    check_outputs([OutputFolder(copy, "maps", "--out", MAP_NAMES)])
    (copy / TILES / "food" / "notes.txt").write_text("mine", encoding="utf-8")
    from layout.io.staging import OutputFolderError

    with pytest.raises(OutputFolderError, match=r"notes\.txt"):
        check_outputs([OutputFolder(copy, "maps", "--out", MAP_NAMES)])
    # Rewriting the maps replaces the tiles with the rest: a stale tile does not survive.
    stale = big_maps / TILES / "food" / "3" / "0" / "0.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    from layout.io import embedded as datasets

    mp = pytest.MonkeyPatch()
    mp.setattr(datasets, "load_all", tiny_layers)
    try:
        write_plan_maps(big.parent.parent, out_dir=big_maps, png=False, title="Big",
                        date="2024-05-01", lang="en")
    finally:
        mp.undo()
    assert not stale.exists()
    assert any((big_maps / TILES / "food").rglob("*.png"))


# --- in the browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_tiles_load_from_file_and_the_probe_reads_the_coarse_image(
    visit: Callable[..., Visit], big_maps: Path, tmp_path: Path
) -> None:
    seen = visit(big_maps / "industry_food.html")
    page = seen.page
    # The middle of a 50-cell block away from every flagged rectangle: score 51 by construction.
    score, _ = _arrays()
    r, c = 1275, 1325
    lon, lat = Transformer.from_crs(ALBERS, "EPSG:4326", always_xy=True).transform(
        X0 + (c + 0.5) * CELL, Y_TOP - (r + 0.5) * CELL)
    page.evaluate("([lat, lng]) => { window.__layout.map.setView([lat, lng], 12); }", [lat, lon])
    page.wait_for_function(
        "() => [...document.querySelectorAll('.layout-surface img.leaflet-tile-loaded')]"
        ".filter(i => i.src.includes('/food/12/')).length > 3",
        timeout=10_000,
    )
    tiles = page.evaluate(
        "() => [...document.querySelectorAll('.layout-surface img.leaflet-tile-loaded')]"
        ".map(i => [i.src, i.naturalWidth])"
    )
    drawn = [(src, w) for src, w in tiles if not src.startswith("data:")]
    assert drawn and all(w == 256 for _, w in drawn)
    prefix = (big_maps / TILES / "food").resolve().as_uri() + "/"
    assert all(src.startswith(prefix) for src, _ in drawn), drawn[:3]
    assert seen.external == [] and seen.page_errors == []
    # Missing tiles (outside the study area) are the only files that fail to load.
    assert all("ERR_FILE_NOT_FOUND" in e or "Failed to load resource" in e
               for e in seen.console_errors)
    got = page.evaluate("([lat, lng]) => window.__layout.probe(lat, lng)", [lat, lon])
    assert got["score"] == score[r, c] == 51
    screenshot(page, tmp_path, "industry_tiles.png")


def test_tiles_follow_the_gcj02_shift(big: Path, tmp_path: Path, pyramid: Pyramid) -> None:
    """With a Gaode basemap the inline image is moved by the GCJ-02 offset; the tiles too."""
    _, plain, image = pyramid
    surface = read_surface(big)
    shifted = write_tiles(big, tmp_path / "food", image=image, exclude_bits=surface.exclude_bits,
                          url="tiles/food/{z}/{x}/{y}.png", shift=(0.005, -0.002))
    (s0, w0), (n0, e0) = plain.bounds
    (s1, w1), (n1, e1) = shifted.bounds
    assert (w1 - w0, e1 - e0) == pytest.approx((0.005, 0.005), abs=1e-6)
    assert (s1 - s0, n1 - n0) == pytest.approx((-0.002, -0.002), abs=2e-5)


def test_levels_are_the_grid_and_its_overviews(big: Path) -> None:
    from layout.io.raster import cog_overviews
    from layout.io.scoreraster import ScoreRaster

    with ScoreRaster(big) as raster, rasterio.open(big) as src:
        levels = raster.levels()
        factors = src.overviews(1)
    assert len(levels) == 1 + cog_overviews(NROWS, NCOLS) == 1 + len(factors)
    assert levels[0][1] == (NROWS, NCOLS)
    for (t, (rows, cols)), f in zip(levels[1:], factors, strict=True):
        assert abs(rows - NROWS / f) <= 1 and abs(cols - NCOLS / f) <= 1
        assert t.a == pytest.approx(CELL * NCOLS / cols)


def test_a_geotiff_without_overviews_is_tiled_too(tmp_path: Path, pyramid: Pyramid) -> None:
    """Shallow tiles read the window decimated (nearest); the deepest are the COG's, byte for
    byte (both read the grid itself there)."""
    folder, cog, image = pyramid
    score, flags = _arrays()
    grid = SimpleNamespace(crs=ALBERS, nrows=NROWS, ncols=NCOLS,
                           transform=Affine(CELL, 0, X0, 0, -CELL, Y_TOP))
    plain = tmp_path / "plain"
    write_score_raster(
        plain, industry="food", grid=grid, score=score,
        criteria={"density": np.where(np.isnan(score), np.nan, score / 100).astype(np.float32)},
        labels={"density": "density"}, weights={"density": 1.0}, weight_source="direct",
        flags=flags, exclude_bits=EXCLUDE, bit_names=BITS,
        storage={"tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate"},
    )
    with rasterio.open(plain / "food_score.tif") as src:
        assert src.overviews(1) == []
    out = write_tiles(plain / "food_score.tif", tmp_path / "tiles", image=image,
                      exclude_bits=EXCLUDE, url="tiles/food/{z}/{x}/{y}.png")
    assert (out.min_zoom, out.max_zoom) == (cog.min_zoom, cog.max_zoom)
    deep = str(cog.max_zoom)
    for path in sorted((folder / deep).rglob("*.png")):
        rel = path.relative_to(folder)
        assert (tmp_path / "tiles" / rel).read_bytes() == path.read_bytes(), rel
    shallow = sorted((tmp_path / "tiles" / str(out.min_zoom)).rglob("*.png"))
    assert shallow
    for path in shallow:
        with Image.open(path) as im:
            values = set(np.unique(np.asarray(im)).tolist())
        assert values <= set(range(101)) | {101, 102, 103, 104, 255}
