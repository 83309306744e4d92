"""Independent reference computations for the site-check tests (geopandas, shapely, rasterio).

Overlap areas come from shapely on the GeoPackage layers projected to EPSG:4547, scores from the
full score rasters read with rasterio; nothing here uses `layout.products.sitecheck`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import rasterio
import shapely

from layout import settings
from layout.scoring.cache import ScoreCache

METRIC = "EPSG:4547"
MU = 10_000 / 15


def layer(name: str) -> gpd.GeoDataFrame:
    """A layer of the embedded GeoPackage in EPSG:4547."""
    return gpd.read_file(settings.embedded_gpkg(), layer=name).to_crs(METRIC)


def full_raster(cache: ScoreCache, code: str) -> tuple[np.ndarray, np.ndarray, rasterio.Affine]:
    """The whole score (NaN outside) and flags of one industry, and their transform."""
    with rasterio.open(cache.score_path(code)) as src:
        score = src.read(1).astype(np.float64)
        score[score == src.nodata] = np.nan
        transform = src.transform
    with rasterio.open(cache.flags_path(code)) as src:
        flags = src.read(1)
    return score, flags, transform


#: The embedded land-use layer's DLBM codes of each limit type of the embedded plan, by hand
#: from GB/T 21010-2017 (01 耕地; 11 水域: 1103 水库水面, 1104 坑塘水面; 03 林地, 04 草地).
LANDUSE_LIMITS = {"landuse_farmland": ("0102", "0103"), "landuse_water": ("1103", "1104"),
                  "landuse_ecological": ("0301", "0305", "0404")}


def expected_overlaps(parcels: gpd.GeoDataFrame) -> dict[tuple[str, str], float]:
    """Overlap (mu) of each parcel with each constraint type: shapely on the merged type.

    The land-use limits are the embedded land-use patches of `LANDUSE_LIMITS` less every
    constraint polygon; ``construction_unsuitable`` is the squares of the 不适宜 cells that
    `layout.analysis.construction.construction_suitability` grades on the embedded plan.
    """
    cons = layer("constraints")
    # each type merged once: intersecting every parcel with it is then cheap
    unions = {str(ctype): sub.geometry.union_all() for ctype, sub in cons.groupby("type")}
    landuse = layer("landuse")
    covered = cons.geometry.union_all()
    for ctype, codes in LANDUSE_LIMITS.items():
        patches = landuse[landuse["DLBM"].isin(codes)].geometry.union_all()
        unions[ctype] = shapely.difference(patches, covered)
    unions["construction_unsuitable"] = unsuitable_squares()
    metric = parcels.to_crs(METRIC)
    out: dict[tuple[str, str], float] = {}
    for pid, geom in zip(metric["parcel_id"], metric.geometry, strict=True):
        for ctype, union in unions.items():
            area = shapely.intersection(geom, union).area
            if area > 0:
                out[(pid, ctype)] = area / MU
    return out


def unsuitable_squares() -> shapely.Geometry:
    """The embedded plan's 不适宜 cells (城镇建设适宜性) as a union of shapely squares."""
    from layout.analysis.construction import construction_suitability
    from layout.config.construction import load_rules
    from layout.config.plan import load_plan
    from layout.data.inputs import load_inputs

    result = construction_suitability(load_inputs(load_plan(None)), rules=load_rules())
    g = result.grid
    rows, cols = np.nonzero(result.classes == 3)  # 3: 不适宜 (layout.model.construction)
    x0 = g.x_centres()[cols] - g.cell / 2
    y0 = g.y_centres()[rows] - g.cell / 2
    return shapely.union_all(shapely.box(x0, y0, x0 + g.cell, y0 + g.cell))


def random_parcels(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """Rectangles of 150-700 m, slightly rotated, inside the municipality."""
    boundary = layer("boundary").geometry.iloc[0]
    inner = boundary.buffer(-2000)
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = inner.bounds
    geoms: list[shapely.Geometry] = []
    while len(geoms) < n:
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if not inner.contains(shapely.Point(x, y)):
            continue
        w, h = rng.uniform(150, 700, size=2)
        box = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        geoms.append(shapely.affinity.rotate(box, rng.uniform(-30, 30)))
    gdf = gpd.GeoDataFrame(
        {"parcel_id": [f"R{i:04d}" for i in range(n)]}, geometry=geoms, crs=METRIC
    )
    return gdf.to_crs("EPSG:4326")


def to_metric(lon: float, lat: float) -> tuple[float, float]:
    """A WGS84 point in EPSG:4547."""
    pt = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs(METRIC).iloc[0]
    return pt.x, pt.y
