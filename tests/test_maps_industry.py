"""Industry maps and the maps of a plan folder, without a browser.

The fixture plan folder is tiny and synthetic, and doubles as its own answer key: a 40 x 60 grid
of 100 m cells in EPSG:4547 whose score is ``row + col`` on eligible cells, with three blocks of
flags (below), and sites that are cell-aligned boxes with known contributions.

====================  =============================  ==========================================
block (rows, cols)    flags                          in the maps
====================  =============================  ==========================================
30-39, 0-14           basic_farmland (1)             excluded, score 0
0-9, 40-54            eco_redline + steep_slope (66)  excluded, score 0
15-19, 20-24          flood_zone (32)                 *not* excluded (exclude_bits = 95): scored
0-4, 59               outside_study_area (128)        nodata, transparent
====================  =============================  ==========================================
"""

from __future__ import annotations

import io
import logging
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from click.testing import CliRunner
from PIL import Image
from pyproj import Transformer

from layout import settings
from layout.cli.main import cli
from layout.errors import CRSMismatchError, DataFileError, LayoutError
from layout.products.maps import escape_text, external_loads, render_html
from layout.products.maps.industry import industry_map
from layout.products.maps.industry_figure import industry_png
from layout.products.maps.surface import (
    MAX_PIXELS,
    SuitabilitySurface,
    read_surface,
    score_colors,
    surface_image,
)
from layout.products.maps.plan import write_plan_maps

METRIC = "EPSG:4547"
CELL = 100.0
X0, Y_TOP = 470_000.0, 3_845_000.0
NROWS, NCOLS = 40, 60
TRANSFORM = Affine(CELL, 0.0, X0, 0.0, -CELL, Y_TOP)
EXCLUDE_BITS = 127 & ~32  # flood_zone flagged but not excluded
WEIGHTS = {"density": 0.6, "zone_fit": 0.4}
HOSTILE = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "`${window.__pwned = 'template'}`",
    "{{ 7*7 }}{% if true %}jinja{% endif %}",
]


def tiny_flags() -> np.ndarray:
    flags = np.zeros((NROWS, NCOLS), np.uint16)
    flags[30:40, 0:15] |= 1
    flags[0:10, 40:55] |= 2 | 64
    flags[15:20, 20:25] |= 32
    flags[0:5, 59] |= 128
    return flags


def tiny_score() -> np.ndarray:
    """``row + col`` on eligible cells, 0 on excluded ones, NaN outside."""
    rows, cols = np.indices((NROWS, NCOLS))
    score = (rows + cols).astype(np.float32)
    flags = tiny_flags()
    score[(flags & EXCLUDE_BITS) != 0] = 0.0
    score[(flags & 128) != 0] = np.nan
    return score


def write_surface(folder: Path, code: str) -> tuple[Path, Path]:
    """The two GeoTIFFs of the scoring stage for ``code`` (tags as `write_result` writes)."""
    folder.mkdir(parents=True, exist_ok=True)
    score = tiny_score()
    values = [np.where(np.isnan(score), np.nan, score / 100.0)] * 2
    profile = {
        "driver": "GTiff",
        "height": NROWS,
        "width": NCOLS,
        "crs": METRIC,
        "transform": TRANSFORM,
    }
    score_path = folder / f"{code}_score.tif"
    with rasterio.open(score_path, "w", count=3, dtype="float32", nodata=-1.0, **profile) as dst:
        for i, band in enumerate([score, *values], start=1):
            dst.write(np.where(np.isnan(band), -1.0, band).astype(np.float32), i)
        dst.update_tags(
            industry=code,
            weight_source="direct",
            weights=";".join(f"{k}={v:.6f}" for k, v in WEIGHTS.items()),
        )
    flags_path = folder / f"{code}_flags.tif"
    with rasterio.open(flags_path, "w", count=1, dtype="uint16", nodata=None, **profile) as dst:
        dst.write(tiny_flags(), 1)
        tags = {
            "bit_1": "basic_farmland",
            "bit_2": "eco_redline",
            "bit_4": "water_source",
            "bit_8": "wetland_reserve",
            "bit_16": "scenic_heritage",
            "bit_32": "flood_zone",
            "bit_64": "steep_slope",
            "bit_128": "outside_study_area",
            "exclude_bits": str(EXCLUDE_BITS),
        }
        dst.update_tags(**tags)
    return score_path, flags_path


def cell_box(rows: tuple[int, int], cols: tuple[int, int]) -> shapely.Polygon:
    """Cells ``rows[0]..rows[1]-1`` x ``cols[0]..cols[1]-1`` as one polygon (EPSG:4547)."""
    return shapely.box(
        X0 + cols[0] * CELL, Y_TOP - rows[1] * CELL, X0 + cols[1] * CELL, Y_TOP - rows[0] * CELL
    )


#: Sites: industry, rank, (rows), (cols), contributions (density, zone_fit; airport unweighted).
SITES = [
    ("auto", 1, (20, 25), (50, 55), 45.0, 28.0),
    ("auto", 2, (25, 30), (35, 40), 35.0, 24.0),
    ("auto", 3, (5, 10), (20, 25), 12.0, 8.0),
    ("food", 1, (20, 25), (5, 10), 18.0, 11.0),
]


def tiny_sites(names: list[str] | None = None) -> gpd.GeoDataFrame:
    """The sites layer of docs/plan_outputs.md, in EPSG:4547; ``names`` replace site and zone
    names when given."""
    rows = []
    for i, (code, rank, rr, cc, dens, fit) in enumerate(SITES):
        n_cells = (rr[1] - rr[0]) * (cc[1] - cc[0])
        mean = dens + fit
        stability = [0.92, 0.55, math.nan, 0.81][i]
        rows.append(
            {
                "site_id": names[i % len(names)] if names else f"{code}-{rank:02d}",
                "industry": code,
                "rank": rank,
                "area_mu": n_cells * CELL * CELL / settings.M2_PER_MU,
                "area_ha": n_cells * CELL * CELL / 1e4,
                "n_cells": n_cells,
                "mean_score": mean,
                "min_score": mean - 3.0,
                "zone_id": "z1" if i == 0 else "",
                "zone_name": (names[1 % len(names)] if names else "测试集聚区") if i == 0 else "",
                "county": "410101",
                "stability": stability,
                "stable": bool(stability >= 0.7) if not math.isnan(stability) else False,
                "reasons": f"density {dens:.1f}; zone_fit {fit:.1f}",
                "c_density": dens,
                "c_zone_fit": fit,
                "c_airport": math.nan,
                "geometry": cell_box(rr, cc),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC)


def tiny_layers(names: list[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Boundary, two counties, a zone, enterprises and a road over the grid (EPSG:4326)."""
    full = cell_box((0, NROWS), (0, NCOLS))
    west, east = cell_box((0, NROWS), (0, 30)), cell_box((0, NROWS), (30, NCOLS))
    county_names = [names[0], names[2]] if names else ["西区", "东区"]
    boundary = gpd.GeoDataFrame(
        {"adcode": ["410100"], "name_zh": ["测试市"], "name_en": ["Test city"]},
        geometry=[full],
        crs=METRIC,
    )
    counties = gpd.GeoDataFrame(
        {
            "adcode": ["410101", "410102"],
            "name_zh": county_names,
            "name_en": ["West", "East"],
        },
        geometry=[west, east],
        crs=METRIC,
    )
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["z1"],
            "name_zh": [names[1] if names else "测试集聚区"],
            "name_en": ["Test zone"],
            "county": ["410102"],
            "leading": ["auto,food"],
            "built_share": [0.5],
            "confidence": ["L"],
        },
        geometry=[cell_box((18, 28), (46, 58))],
        crs=METRIC,
    )
    rng = np.random.default_rng(5)
    n = 30
    firms = gpd.GeoDataFrame(
        {
            "ent_id": [f"e{i}" for i in range(n)],
            "name": [(names[i % len(names)] if names and i < 4 else f"企业{i}") for i in range(n)],
            "industry": ["auto" if i % 3 else "food" for i in range(n)],
            "employees": rng.integers(10, 900, n),
            "output_wan": rng.uniform(100, 9000, n),
            "land_mu": rng.uniform(10, 200, n),
        },
        geometry=gpd.points_from_xy(
            rng.uniform(X0 + 300, X0 + 5700, n), rng.uniform(Y_TOP - 3700, Y_TOP - 300, n)
        ),
        crs=METRIC,
    )
    road = gpd.GeoDataFrame(
        {"line_id": ["r1"], "kind": ["expressway"], "ref": ["G0"], "name": ["测试高速"]},
        geometry=[shapely.LineString([(X0, Y_TOP - 2000), (X0 + 6000, Y_TOP - 1500)])],
        crs=METRIC,
    )
    layers = {
        "boundary": boundary,
        "counties": counties,
        "zones": zones,
        "enterprises": firms,
        "transport_lines": road,
    }
    return {k: v.to_crs("EPSG:4326") for k, v in layers.items()}


def make_plan_dir(folder: Path, *, names: list[str] | None = None) -> Path:
    """A plan folder as ``layout plan`` writes it: plan.gpkg (sites) and suitability/."""
    folder.mkdir(parents=True, exist_ok=True)
    for code in ("auto", "food"):
        write_surface(folder / "suitability", code)
    tiny_sites(names).to_file(folder / "plan.gpkg", layer="sites", driver="GPKG")
    return folder


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def surface(tmp_path_factory: pytest.TempPathFactory) -> SuitabilitySurface:
    score_path, _ = write_surface(tmp_path_factory.mktemp("surface"), "auto")
    return read_surface(score_path)


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return tiny_layers()


@pytest.fixture(scope="module")
def html(surface: SuitabilitySurface, layers: dict) -> str:
    m = industry_map(
        surface, layers=layers, title="测试规划", sites=tiny_sites(), date="2024-05-01"
    )
    return render_html(m)


# --- reading the rasters --------------------------------------------------------------------


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


# --- the surface image ----------------------------------------------------------------------


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


# --- the HTML map ---------------------------------------------------------------------------


def test_industry_map_is_offline_and_deterministic(
    surface: SuitabilitySurface, layers: dict, html: str
) -> None:
    assert external_loads(html) == []
    assert html.count("data:image/png;base64,") >= 2  # surface and reasons
    m = industry_map(
        surface, layers=layers, title="测试规划", sites=tiny_sites(), date="2024-05-01"
    )
    assert render_html(m) == html
    assert "Math.random" not in html.split("</style>")[-1]


def test_industry_map_contents(html: str) -> None:
    assert "汽车及装备制造 · 适宜性与推荐选址" in html
    assert "测试规划" in html and "2024-05-01" in html
    assert "linear-gradient(to right,#440154" in html  # viridis legend from 0
    assert "不可建设（刚性约束）" in html and "生态保护红线" in html and "陡坡" in html
    # Only this industry's sites: three auto sites, numbered 1..3; food's site is absent.
    assert html.count('"popup":') == 3
    assert "auto-01" in html and "food-01" not in html
    assert "100 亩" not in html and "375 亩 (25.0 公顷)" in html  # 25 cells of 1 ha
    for label in ("同业集聚密度", "主导产业契合"):
        assert label in html
    assert "机场" not in html.split('"popup":', 1)[1]  # unweighted criterion: no bar
    assert "未做敏感性分析" in html and "92 % (稳定)" in html


def test_industry_map_in_english(surface: SuitabilitySurface, layers: dict) -> None:
    m = industry_map(surface, layers=layers, title="Test plan", sites=tiny_sites(), lang="en")
    html = render_html(m)
    assert "Automobiles" in html and "Suitability score" in html
    assert "375 mu (25.0 ha)" in html and "same-industry density" in html
    assert "适宜性" not in html


def test_industry_map_escapes_every_name(surface: SuitabilitySurface) -> None:
    layers = tiny_layers(HOSTILE)
    title = HOSTILE[3] + HOSTILE[0]
    m = industry_map(
        surface, layers=layers, title=title, sites=tiny_sites(HOSTILE), date="2024-05-01"
    )
    html = render_html(m)
    text = html.replace("\\u0026", "&").replace("\\u003c", "<").replace("\\u003e", ">")
    text = text.replace("\\u0027", "'").replace('\\"', '"')
    for payload in HOSTILE:
        assert payload not in text
        assert escape_text(payload) in text  # shown literally
    assert f"适宜性与推荐选址 · {escape_text(title)} 2024-05-01</title>" in html


def test_industry_map_needs_crs(surface: SuitabilitySurface, layers: dict) -> None:
    sites = tiny_sites()
    sites = gpd.GeoDataFrame(sites.drop(columns="geometry"), geometry=list(sites.geometry))
    with pytest.raises(LayoutError, match="has no CRS"):
        industry_map(surface, layers=layers, title="t", sites=sites)


# --- PNG ------------------------------------------------------------------------------------


def test_industry_png_is_deterministic(
    surface: SuitabilitySurface, layers: dict, tmp_path: Path
) -> None:
    kw: dict[str, Any] = {
        "layers": layers,
        "title": "测试",
        "sites": tiny_sites(),
        "date": "2024-05-01",
    }
    a = industry_png(surface, tmp_path / "a.png", **kw)
    b = industry_png(surface, tmp_path / "b.png", **kw)
    assert a.read_bytes() == b.read_bytes()
    data = a.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in data and b"tIME" not in data
    with Image.open(a) as img:
        assert img.size[0] >= 1500


def test_industry_png_without_cjk_font_falls_back_to_english(
    surface: SuitabilitySurface,
    layers: dict,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from layout.products.maps import png as _png

    monkeypatch.setattr(_png, "cjk_font", lambda: None)
    with caplog.at_level(logging.WARNING):
        path = industry_png(surface, tmp_path / "x.png", layers=layers, title="t")
    assert path.exists() and "English labels" in caplog.text


# --- the plan folder ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_plan_dir(tmp_path_factory.mktemp("plan"))


def _tiny_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw the tiny layers instead of the embedded ones."""
    from layout.io import embedded as datasets

    monkeypatch.setattr(datasets, "load_all", tiny_layers)


def test_write_plan_maps(plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_inputs(monkeypatch)
    paths = write_plan_maps(plan_dir, out_dir=tmp_path / "maps", date="2024-05-01", title="测试")
    names = [p.name for p in paths]
    assert names == [
        "overview.html",
        "overview.png",
        "industry_auto.html",
        "industry_auto.png",
        "industry_food.html",
        "industry_food.png",
    ]
    for path in paths:
        assert path.exists() and path.stat().st_size < 5_000_000
    overview = (tmp_path / "maps" / "overview.html").read_text(encoding="utf-8")
    assert overview.count('"popup":') == len(SITES) and external_loads(overview) == []
    food = (tmp_path / "maps" / "industry_food.html").read_text(encoding="utf-8")
    assert food.count('"popup":') == 1 and "食品工业 · 适宜性与推荐选址" in food
    # The same plan gives byte-identical files.
    again = write_plan_maps(
        plan_dir, out_dir=tmp_path / "again", date="2024-05-01", title="测试", png=False
    )
    for path in again:
        assert path.read_bytes() == (tmp_path / "maps" / path.name).read_bytes()


def test_write_plan_maps_defaults_to_the_plan_name(
    plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tiny_inputs(monkeypatch)
    paths = write_plan_maps(plan_dir, out_dir=tmp_path, lang="en", png=False)
    text = paths[0].read_text(encoding="utf-8")
    assert "Zhengzhou metro area: layout of the seven priority industries" in text


def test_write_plan_maps_needs_a_plan_folder(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="not a plan folder"):
        write_plan_maps(tmp_path, out_dir=tmp_path / "maps")


def test_plan_folder_without_sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_inputs(monkeypatch)
    write_surface(tmp_path / "plan" / "suitability", "auto")
    paths = write_plan_maps(tmp_path / "plan", out_dir=tmp_path / "maps", title="t", png=False)
    assert [p.name for p in paths] == ["overview.html", "industry_auto.html"]
    assert '"popup":' not in paths[1].read_text(encoding="utf-8")


def test_write_plan_maps_with_a_plan_config(tmp_path: Path) -> None:
    """A planner's own plan: the tiny plan's inputs, scored for real, with one site."""
    from layout.data.inputs import load_inputs
    from layout.scoring.suitability import score, write_result
    from tests.fixtures.tiny_plan import write_tiny_plan

    config = write_tiny_plan(tmp_path / "tiny")
    inputs = load_inputs(config)
    folder = tmp_path / "out"
    result = score(inputs, industry="food")
    write_result(result, folder / "suitability")
    best = np.unravel_index(
        int(np.nanargmax(np.where(result.eligible, result.score, -1))), result.score.shape
    )
    g = inputs.grid
    x, y = g.x0 + (best[1] + 0.5) * g.cell, g.y_top - (best[0] + 0.5) * g.cell
    site = gpd.GeoDataFrame(
        {
            "site_id": ["food-01"],
            "industry": ["food"],
            "rank": [1],
            "area_mu": [60.0],
            "area_ha": [4.0],
            "mean_score": [float(result.score[best])],
        },
        geometry=[shapely.box(x - 100, y - 100, x + 100, y + 100)],
        crs=g.crs,
    )
    site.to_file(folder / "plan.gpkg", layer="sites", driver="GPKG")
    paths = write_plan_maps(folder, out_dir=tmp_path / "maps", config=config, png=False)
    html = paths[1].read_text(encoding="utf-8")
    assert paths[1].name == "industry_food.html" and "food-01" in html
    assert inputs.plan.name in paths[0].read_text(encoding="utf-8")
    assert external_loads(html) == []


# --- CLI ------------------------------------------------------------------------------------


def test_cli_map(plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_inputs(monkeypatch)
    out = tmp_path / "maps"
    result = CliRunner().invoke(
        cli, ["map", str(plan_dir), "--out", str(out), "--date", "2024-05-01", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 6 files" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "industry_auto.html",
        "industry_auto.png",
        "industry_food.html",
        "industry_food.png",
        "overview.html",
        "overview.png",
    ]
    quiet = CliRunner().invoke(
        cli, ["map", str(plan_dir), "--out", str(out), "-q", "--no-png", "--cdn"]
    )
    assert quiet.exit_code == 0 and quiet.output.count("\n") == 1
    assert "cdn.jsdelivr.net" in (out / "overview.html").read_text(encoding="utf-8")


def test_cli_map_errors(plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_inputs(monkeypatch)
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    result = CliRunner().invoke(
        cli, ["map", str(plan_dir), "--out", str(tmp_path), "--basemap", "tianditu"]
    )
    assert result.exit_code == 2 and "TIANDITU_KEY" in result.output
    assert "Traceback" not in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["map", str(empty), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "not a plan folder" in result.output
    result = CliRunner().invoke(cli, ["map", str(plan_dir), "--date", "May 1"])
    assert result.exit_code == 2 and "not a date" in result.output


# --- the embedded data, scored for real -----------------------------------------------------


def sites_on_best_cells(
    folder: Path,
    layers: dict[str, gpd.GeoDataFrame],
    *,
    per_industry: int = 4,
    half: int = 3,
    spacing_m: float = 6000.0,
) -> gpd.GeoDataFrame:
    """Synthetic plan sites on the best cells of real score rasters (docs/plan_outputs.md).

    For each ``<code>_score.tif`` in ``folder``: repeatedly take the best eligible cell at least
    ``spacing_m`` from the previous ones and the connected eligible cells of the
    ``(2 half + 1)``-cell square around it; contributions are ``100 w v`` averaged over the
    site's cells (NaN for criteria without weight), zone and county from the site's point.
    """
    from rasterio import features
    from scipy import ndimage

    rows: list[dict[str, Any]] = []
    zones = layers["zones"].to_crs(METRIC)
    counties = layers["counties"].to_crs(METRIC)
    all_names: list[str] = []
    for path in sorted(folder.glob("*_score.tif")):
        with rasterio.open(path) as src:
            score = src.read(1).astype(float)
            values = src.read()[1:].astype(float)
            tags = src.tags()
            transform, cell = src.transform, abs(src.transform.a)
        code = tags["industry"]
        pairs = [kv.split("=") for kv in tags["weights"].split(";")]
        names = [k for k, _ in pairs]
        all_names += [n for n in names if n not in all_names]
        weights = np.array([float(v) for _, v in pairs])
        with rasterio.open(path.with_name(f"{code}_flags.tif")) as src:
            flags = src.read(1)
            exclude = int(src.tags()["exclude_bits"])
        eligible = (score >= 0) & ((flags & (exclude | 128)) == 0)
        contrib = 100 * weights[:, None, None] * np.nan_to_num(values) * eligible
        work = np.where(eligible, score, -1.0)
        for _ in range(per_industry):
            r, c = np.unravel_index(int(np.argmax(work)), work.shape)
            if work[r, c] < 0:
                break
            block = np.zeros_like(eligible)
            block[max(r - half, 0) : r + half + 1, max(c - half, 0) : c + half + 1] = True
            labels, _ = ndimage.label(block & eligible)
            cells = labels == labels[r, c]
            geom = shapely.union_all(
                [
                    shapely.geometry.shape(g)
                    for g, v in features.shapes(
                        cells.astype(np.uint8), mask=cells, transform=transform
                    )
                    if v == 1
                ]
            )
            rad = int(spacing_m / cell)
            work[max(r - rad, 0) : r + rad + 1, max(c - rad, 0) : c + rad + 1] = -1
            parts = {f"c_{n}": float(contrib[i][cells].mean()) for i, n in enumerate(names)}
            top = sorted(parts.items(), key=lambda kv: -kv[1])[:3]
            point = geom.representative_point()
            zone = zones[zones.contains(point)]
            county = counties[counties.contains(point)]
            n_cells = int(cells.sum())
            stability = 0.5 + 0.1 * (len(rows) % 5)
            rows.append(
                {
                    "industry": code,
                    "area_mu": n_cells * cell * cell / settings.M2_PER_MU,
                    "area_ha": n_cells * cell * cell / 1e4,
                    "n_cells": n_cells,
                    "mean_score": float(score[cells].mean()),
                    "min_score": float(score[cells].min()),
                    "zone_id": str(zone.iloc[0]["zone_id"]) if len(zone) else "",
                    "zone_name": str(zone.iloc[0]["name_zh"]) if len(zone) else "",
                    "county": str(county.iloc[0]["adcode"]) if len(county) else "",
                    "stability": stability,
                    "stable": stability >= 0.7,
                    "reasons": "; ".join(f"{k[2:]} {v:.1f}" for k, v in top),
                    **parts,
                    "geometry": geom,
                }
            )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC)
    gdf["rank"] = (
        gdf.groupby("industry")["mean_score"].rank(ascending=False, method="first").astype(int)
    )
    gdf["site_id"] = [f"{c}-{r:02d}" for c, r in zip(gdf["industry"], gdf["rank"], strict=True)]
    head = ["site_id", "industry", "rank", "area_mu", "area_ha", "n_cells", "mean_score"]
    head += ["min_score", "zone_id", "zone_name", "county", "stability", "stable", "reasons"]
    contribution = [f"c_{n}" for n in all_names]
    for col in contribution:
        if col not in gdf.columns:
            gdf[col] = np.nan
    return gdf[[*head, *contribution, "geometry"]]


@pytest.fixture(scope="session")
def embedded_plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded plan scored for every industry, with synthetic sites (slow: ~15 s)."""
    if not settings.embedded_gpkg().exists():
        pytest.skip("the embedded GeoPackage is not built yet (make data)")
    from layout.analysis.context import CriteriaContext
    from layout.data.inputs import load_inputs
    from layout.io import embedded as datasets
    from layout.scoring.suitability import score, write_result

    folder = tmp_path_factory.mktemp("embedded_plan")
    inputs = load_inputs()
    ctx = CriteriaContext(inputs)
    for code in inputs.plan.catalog.codes:
        write_result(score(inputs, industry=code, context=ctx), folder / "suitability")
    sites = sites_on_best_cells(folder / "suitability", datasets.load_all())
    sites.to_file(folder / "plan.gpkg", layer="sites", driver="GPKG")
    return folder


@pytest.mark.slow
def test_embedded_plan_maps_are_at_most_5_mb(embedded_plan_dir: Path, tmp_path: Path) -> None:
    paths = write_plan_maps(embedded_plan_dir, out_dir=tmp_path, date="2024-05-01", png=False)
    assert len(paths) == 8
    sites = gpd.read_file(embedded_plan_dir / "plan.gpkg", layer="sites")
    overview = paths[0].read_text(encoding="utf-8")
    assert overview.count('"popup":') == len(sites) == 28
    for path in paths:
        size = path.stat().st_size
        assert size <= 5_000_000, (path.name, size)
        assert external_loads(path.read_text(encoding="utf-8")) == []


@pytest.mark.slow
def test_embedded_site_columns_follow_the_contract(embedded_plan_dir: Path) -> None:
    sites = gpd.read_file(embedded_plan_dir / "plan.gpkg", layer="sites")
    assert sites.crs.to_epsg() == 4547
    contrib = sites[[c for c in sites.columns if c.startswith("c_")]]
    np.testing.assert_allclose(contrib.sum(axis=1, skipna=True), sites["mean_score"], rtol=1e-4)
    assert (sites["site_id"] == sites["industry"] + "-" + sites["rank"].map("{:02d}".format)).all()
    assert pd.api.types.is_bool_dtype(sites["stable"])


def test_plan_maps_are_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    script = (
        "import hashlib, sys; from pathlib import Path\n"
        "from layout.io import embedded as datasets\n"
        "from layout.products.maps.plan import write_plan_maps\n"
        "from tests.test_maps_industry import make_plan_dir, tiny_layers\n"
        "datasets.load_all = tiny_layers\n"
        "out = Path(sys.argv[1])\n"
        "plan = make_plan_dir(out / 'plan')\n"
        "for p in write_plan_maps(plan, out_dir=out / 'maps', title='t', date='2024-05-01',\n"
        "                         basemap='gaode'):\n"
        "    print(p.name, hashlib.sha256(p.read_bytes()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[1]
    runs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / seed)],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
        )
        runs.append(done.stdout)
    assert runs[0] == runs[1] and runs[0].count("\n") == 6
