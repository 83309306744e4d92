"""An illustrative 三调-like land-use layer (DLTB): synthetic patches coded with GB/T 21010-2017.

**Synthetic, not a survey.**  A real DLTB covers every square metre of the municipality with
hundreds of thousands of patches; this layer holds about 140 smooth blobs, placed so that
the plan has each kind of land-use information to work with:

* industrial land (0601 工业用地) around a few firms of every zone (today's industrial land), one
  patch per zone with no firm on it (an infill candidate), and scattered patches outside the
  zones (规模小、布局散);
* reservoir water (1103) under the two drinking-water protection zones (the constraint layer
  speaks first there), and ponds (1104 坑塘水面) on the plain where no constraint lies;
* ordinary farmland (0102 水浇地, 0103 旱地) on the plain outside the basic-farmland layer;
* forest and grassland (0301 乔木林地, 0305 灌木林地, 0404 其他草地) in the hills outside the
  red line;
* village land (0702 农村宅基地) and orchards (0201 果园), classes the plan neither uses nor
  excludes.

Patches never overlap (each is cut out of the ones drawn before it), never leave the boundary
and are written with the 三调 columns BSM (标识码), DLBM (地类编码), DLMC (地类名称) and TBMJ
(图斑面积, m²), plus ``confidence = "illustrative"``.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely
from rasterio.transform import rowcol
from shapely.geometry.base import BaseGeometry

from . import constraints, terrain
from .common import METRIC, blob, xy

#: Vertices per blob: enough for a smooth outline, few enough to keep the GeoPackage small.
VERTICES = 32
#: DLBM -> DLMC of the codes drawn (GB/T 21010-2017).
NAMES = {
    "0102": "水浇地", "0103": "旱地", "0201": "果园", "0301": "乔木林地", "0305": "灌木林地",
    "0404": "其他草地", "0601": "工业用地", "0702": "农村宅基地", "1103": "水库水面",
    "1104": "坑塘水面",
}
#: Industrial patches drawn around firms per zone, and their area range (km²).
FIRM_PATCHES, FIRM_PATCH_KM2 = 3, (0.15, 0.6)
#: Infill patch per zone (no firm on it): area range (km²), least distance from any firm (m).
INFILL_KM2, INFILL_GAP_M = (0.1, 0.35), 150.0
#: Scattered industrial patches outside the zones.
SCATTERED, SCATTERED_KM2 = 12, (0.05, 0.25)
#: (code, count, area range km², where: "plain" or "hills") of the other classes.
OTHERS: tuple[tuple[str, int, tuple[float, float], str], ...] = (
    ("1104", 14, (0.05, 0.3), "plain"),
    ("0102", 10, (0.5, 1.5), "plain"),
    ("0103", 6, (0.4, 1.2), "plain"),
    ("0301", 8, (0.8, 2.5), "hills"),
    ("0305", 6, (0.5, 1.5), "hills"),
    ("0404", 4, (0.3, 1.0), "hills"),
    ("0702", 16, (0.1, 0.4), "plain"),
    ("0201", 6, (0.2, 0.8), "plain"),
)


def _sampler(
    region: BaseGeometry, rng: np.random.Generator
) -> Callable[[], tuple[float, float] | None]:
    """Uniform random points of ``region`` (rejection sampling; None after 2,000 misses)."""
    shapely.prepare(region)
    xmin, ymin, xmax, ymax = region.bounds

    def draw() -> tuple[float, float] | None:
        for _ in range(2000):
            x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
            if shapely.contains_xy(region, x, y):
                return float(x), float(y)
        return None

    return draw


def _elevation(dem: terrain.Dem, x: float, y: float) -> float:
    r, c = rowcol(dem.transform, x, y)
    if 0 <= r < dem.shape[0] and 0 <= c < dem.shape[1]:
        return float(dem.data[r, c])
    return float("nan")


def build(
    outline: BaseGeometry,
    zones: gpd.GeoDataFrame,
    firms: gpd.GeoDataFrame,
    hard: gpd.GeoDataFrame,
    built: gpd.GeoDataFrame,
    dem: terrain.Dem,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Draw the land-use patches (EPSG:4547), in a fixed order from ``rng``.

    Parameters
    ----------
    outline
        The municipality.
    zones, firms, hard, built
        The zones, enterprises, constraints (all types) and urban areas already built.
    dem
        The synthetic DEM (hills are land above 300 m).
    rng
        The layer's own random stream.
    """
    taken = shapely.Polygon()
    rows: list[tuple[str, BaseGeometry]] = []

    def add(code: str, geom: BaseGeometry) -> None:
        nonlocal taken
        geom = shapely.difference(shapely.intersection(geom, outline), taken)
        parts = [p for p in shapely.get_parts(geom) if p.area > 2_000.0]
        if not parts:
            return
        geom = shapely.union_all(parts)
        taken = shapely.union_all([taken, geom])
        rows.append((code, geom))

    def area(bounds: tuple[float, float]) -> float:
        return float(rng.uniform(*bounds)) * 1e6

    firm_points = shapely.MultiPoint(list(firms.geometry))
    away_from_firms = firm_points.buffer(INFILL_GAP_M)
    far_from_firms = firm_points.buffer(INFILL_GAP_M + 500.0)
    for zone in zones.itertuples():
        inside = firms[firms["zone_id"] == zone.zone_id]
        if len(inside):
            picks = rng.choice(len(inside), size=min(FIRM_PATCHES, len(inside)), replace=False)
            for i in sorted(picks):
                p = inside.geometry.iloc[int(i)]
                add("0601", shapely.intersection(
                    blob(p.x, p.y, area(FIRM_PATCH_KM2), rng, n=VERTICES), zone.geometry))
        free = shapely.difference(zone.geometry.buffer(-200.0), far_from_firms)
        at = _sampler(free, rng)() if not free.is_empty else None
        if at is not None:
            patch = blob(*at, area(INFILL_KM2), rng, n=VERTICES)
            add("0601", shapely.difference(shapely.intersection(patch, zone.geometry),
                                           away_from_firms))

    zones_all = zones.geometry.union_all()
    urban = built.geometry.union_all()
    covered = hard.geometry.union_all()
    outside = shapely.difference(outline, shapely.union_all([zones_all.buffer(300.0), covered]))
    scattered = firms[~firms.geometry.within(zones_all.buffer(300.0))]
    if len(scattered):
        picks = rng.choice(len(scattered), size=min(SCATTERED, len(scattered)), replace=False)
        for i in sorted(picks):
            p = scattered.geometry.iloc[int(i)]
            add("0601", shapely.intersection(
                blob(p.x, p.y, area(SCATTERED_KM2), rng, n=VERTICES), outside))

    # reservoir water under the drinking-water protection zones (the constraint covers it)
    for r in constraints.RESERVOIRS:
        cx, cy = xy(*r.centre)
        add("1103", blob(cx, cy, r.water_km2 * 0.5e6, rng, n=VERTICES, aspect=2.2,
                         angle_deg=r.angle_deg))

    free_land = shapely.difference(outside, urban.buffer(200.0))
    draw = _sampler(free_land, rng)
    for code, count, km2, where in OTHERS:
        placed = 0
        for _ in range(count * 50):
            if placed == count:
                break
            at = draw()
            if at is None:
                break
            elev = _elevation(dem, *at)
            if (where == "hills") != (elev > 300.0) or not np.isfinite(elev):
                continue
            add(code, shapely.intersection(blob(*at, area(km2), rng, n=VERTICES), free_land))
            placed += 1

    gdf = gpd.GeoDataFrame(
        {
            "BSM": [f"{4101000000 + i:010d}" for i in range(1, len(rows) + 1)],
            "DLBM": [code for code, _ in rows],
            "DLMC": [NAMES[code] for code, _ in rows],
            "TBMJ": [round(float(g.area), 1) for _, g in rows],
            "confidence": "illustrative",
        },
        geometry=[g for _, g in rows],
        crs=METRIC,
    )
    return gdf
