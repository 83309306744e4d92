"""Henan: illustrative constraint polygons (placed near real features, outlines synthetic).

* eco_redline: the mountain land above `REDLINE_M` of the synthetic DEM (Taihang, Xiaoshan,
  Xiong'er, Funiu, Songshan, Tongbai, Dabie), one polygon per range, simplified to 1 km;
* water_source: protection zones around eight large reservoirs (blobs of rounded areas at
  their approximate positions) and a 1 km corridor along the South–North Water Diversion
  middle-route canal (中线总干渠), Xichuan to Anyang;
* wetland_reserve and flood_zone: strips along the Yellow River (2.5 km and 6 km);
* scenic_heritage: six famous sites (blobs);
* basic_farmland: synthetic patches on the plain of every city (`build_farmland`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from rasterio.features import shapes

from .common import blob
from .constraints import LEGAL
from .henan_admin import CITIES, HENAN_CRS, hline, hxy
from .henan_terrain import NODATA, RIDGES, Dem

REDLINE_M = 900.0
#: (id, name_zh, name_en, lon/lat, protected area km²), rounded and illustrative.
RESERVOIRS = (
    ("danjiangkou", "丹江口水库", "Danjiangkou Reservoir", (111.55, 32.78), 250.0),
    ("xiaolangdi", "小浪底水库", "Xiaolangdi Reservoir", (112.25, 34.98), 120.0),
    ("suyahu", "宿鸭湖水库", "Suyahu Reservoir", (114.25, 32.9), 90.0),
    ("nanwan", "南湾水库", "Nanwan Reservoir", (113.98, 32.12), 60.0),
    ("baiguishan", "白龟山水库", "Baiguishan Reservoir", (113.15, 33.71), 45.0),
    ("luhun", "陆浑水库", "Luhun Reservoir", (112.19, 34.2), 45.0),
    ("yahekou", "鸭河口水库", "Yahekou Reservoir", (112.64, 33.33), 80.0),
    ("zhaopingtai", "昭平台水库", "Zhaopingtai Reservoir", (112.77, 33.74), 40.0),
)
CANAL = ((111.55, 32.68), (112.1, 32.85), (112.55, 33.12), (112.95, 33.55), (113.25, 33.85),
         (113.5, 34.2), (113.55, 34.6), (113.4, 34.88), (113.6, 35.05), (113.2, 35.22),
         (113.75, 35.4), (114.15, 35.75), (114.3, 36.05), (114.35, 36.35))
YELLOW_RIVER = ((110.3, 34.63), (110.9, 34.68), (111.3, 34.82), (111.75, 34.95),
                (112.2, 35.0), (112.6, 34.88), (113.1, 34.92), (113.6, 34.96), (114.2, 34.92),
                (114.75, 34.9), (115.0, 35.25), (115.4, 35.6), (115.8, 35.9), (116.1, 36.1))
SCENIC = (
    ("songshan", "嵩山风景名胜区", "Songshan scenic area", (113.02, 34.49), 150.0),
    ("yuntai", "云台山风景名胜区", "Yuntaishan scenic area", (113.38, 35.43), 120.0),
    ("jigong", "鸡公山风景名胜区", "Jigongshan scenic area", (114.07, 31.83), 30.0),
    ("laojun", "老君山风景名胜区", "Laojunshan scenic area", (111.65, 33.74), 60.0),
    ("longmen", "龙门石窟", "Longmen Grottoes", (112.47, 34.56), 10.0),
    ("yinxu", "殷墟", "Yinxu (Ruins of Yin)", (114.31, 36.13), 25.0),
)


def _row(cid: str, ctype: str, name_zh: str, name_en: str, geom: shapely.Geometry,
         legal: str | None = None) -> dict:
    return {"constraint_id": cid, "type": ctype, "name_zh": f"{name_zh}（示意）",
            "name_en": f"{name_en} (illustrative)", "legal_basis": LEGAL[legal or ctype],
            "confidence": "illustrative", "geometry": shapely.MultiPolygon(
                [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon)])}


def build_hard(outline: shapely.Geometry, dem: Dem, rng: np.random.Generator
               ) -> gpd.GeoDataFrame:
    """Every constraint but the farmland, clipped to the province, in `HENAN_CRS`."""
    rows = []
    high = (dem.data != NODATA) & (dem.data >= REDLINE_M)
    polys = [shapely.geometry.shape(g) for g, v in
             shapes(high.astype(np.uint8), mask=high, transform=dem.transform) if v == 1]
    mountains = shapely.union_all(polys).buffer(1000).buffer(-1000).simplify(1000)
    mountains = mountains.intersection(outline)
    # Each mountain block is named after the nearest ridge (a connected block may hold several).
    ridges = {name: hline(list(coords)) for name, _crest, _w, coords in RIDGES}
    blocks: dict[str, list[shapely.Polygon]] = {}
    for part in shapely.get_parts(mountains):
        if part.area > 20e6:
            nearest = min(ridges, key=lambda n: ridges[n].distance(part.centroid))
            blocks.setdefault(nearest, []).append(part)
    for name in ridges:
        if name in blocks:
            rows.append(_row(f"er_{name.lower()}", "eco_redline", f"{name}生态保护红线",
                             f"{name} ecological red line", shapely.union_all(blocks[name])))
    for rid, name, name_en, lonlat, km2 in RESERVOIRS:
        shape = blob(*hxy(*lonlat), km2 * 1e6, rng, aspect=2.0,
                     angle_deg=float(rng.uniform(0, 180)))
        rows.append(_row(f"ws_{rid}", "water_source", f"{name}饮用水水源保护区",
                         f"{name_en} drinking-water source protection zone",
                         shape.intersection(outline)))
    rows.append(_row("ws_snwd_canal", "water_source", "南水北调中线总干渠两侧保护区",
                     "South–North Water Diversion canal protection corridor",
                     hline(list(CANAL)).buffer(1000).intersection(outline), "canal"))
    river = hline(list(YELLOW_RIVER))
    wetland = river.buffer(2500).intersection(outline)
    rows.append(_row("wl_yellow_river", "wetland_reserve", "河南黄河湿地自然保护区",
                     "Henan Yellow River wetland reserve", wetland))
    # The lower river's flood plain between the dykes (east of Mengjin), outside the wetland.
    lower = hline([c for c in YELLOW_RIVER if c[0] >= 112.6])
    rows.append(_row("fz_yellow_river", "flood_zone", "黄河滩区", "Yellow River flood plain",
                     lower.buffer(6000).intersection(outline).difference(wetland)))
    for sid, name, name_en, lonlat, km2 in SCENIC:
        shape = blob(*hxy(*lonlat), km2 * 1e6, rng)
        rows.append(_row(f"sh_{sid}", "scenic_heritage", name, name_en,
                         shape.intersection(outline)))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=HENAN_CRS)


def build_farmland(counties: gpd.GeoDataFrame, dem: Dem, exclude: shapely.Geometry,
                   rng: np.random.Generator, *, per_city: int = 3) -> gpd.GeoDataFrame:
    """Synthetic basic-farmland patches on low land (< 200 m), ``per_city`` per city."""
    rows = []
    by_code = counties.set_index("adcode").geometry
    z = dem.data
    for city in CITIES:
        poly = by_code[city.adcode]
        allowed = poly.buffer(-1000).difference(exclude)
        minx, miny, maxx, maxy = poly.bounds
        placed = 0
        for _ in range(400):
            if placed == per_city:
                break
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if not allowed.contains(shapely.Point(x, y)):
                continue
            col, row = ~dem.transform @ (x, y)
            if not 0 < z[int(row), int(col)] < 200:
                continue
            area = float(rng.uniform(0.01, 0.03)) * poly.area
            shape = blob(x, y, area, rng, aspect=1.5, angle_deg=float(rng.uniform(0, 180)))
            geom = shape.intersection(allowed)
            if geom.area < 0.3 * area:
                continue
            placed += 1
            rows.append(_row(f"bf_{city.adcode}_{placed}", "basic_farmland",
                             f"永久基本农田·{city.name_zh}{placed}",
                             f"Permanent basic farmland, {city.name_en} {placed}", geom))
            allowed = allowed.difference(shape.buffer(2000))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=HENAN_CRS)
