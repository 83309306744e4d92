"""The tiny synthetic plan folder of the industry-map and plan-map tests.

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

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine

from layout import settings

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
            tags = src.tags()
            transform, cell = src.transform, abs(src.transform.a)
        code = tags["industry"]
        with rasterio.open(path.with_name(f"{code}_criteria.tif")) as src:
            values = src.read().astype(float)  # one band per criterion
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
