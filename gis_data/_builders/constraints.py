"""Illustrative hard constraints (三区三线 and others): where each one is, and why it binds.

None of these outlines is an official delineation; each is drawn from the general position of a
real protected area (or, for basic farmland, generated) so that the planner has constraints of
realistic kind, size and placement to work with.  Every row has ``confidence="illustrative"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from rasterio.features import geometry_mask, shapes
from scipy import ndimage
from shapely.geometry.base import BaseGeometry

from . import admin, terrain
from .common import METRIC, blob, line, point, smooth_noise, xy

LEGAL = {
    "basic_farmland": "《基本农田保护条例》; 《中华人民共和国土地管理法》 (永久基本农田)",
    "eco_redline": "《关于在国土空间规划中统筹划定落实三条控制线的指导意见》 (2019); "
    "《中华人民共和国环境保护法》 (生态保护红线)",
    "water_source": "《中华人民共和国水污染防治法》; 《饮用水水源保护区划分技术规范》 (HJ 338)",
    "canal": "《南水北调工程供用水管理条例》 (2014); 《中华人民共和国水污染防治法》; "
    "南水北调中线总干渠（河南段）两侧水源保护区划定方案",
    "wetland_reserve": "《中华人民共和国湿地保护法》 (2022); 《中华人民共和国自然保护区条例》",
    "scenic_heritage": "《风景名胜区条例》 (2006); 《保护世界文化和自然遗产公约》 (World Heritage)",
    "heritage_sites": "《中华人民共和国文物保护法》; 《保护世界文化和自然遗产公约》 "
    "(World Heritage 2010: Historic Monuments of Dengfeng)",
    "flood_zone": "《中华人民共和国防洪法》; 《中华人民共和国河道管理条例》",
}

#: Wetland strip width (m) inside the river edge: the reserve (郑州黄河湿地省级自然保护区) covers
#: about 366 km² along ~158 km of the river, i.e. a band of roughly 2.3 km.
WETLAND_WIDTH_M = 2300.0
#: Flood-plain band (黄河滩区) between the river and the main dyke, east of Huayuankou.
FLOOD_WIDTH_M = 6000.0
#: Canal protection corridor half-width (m): the first-grade zone is 50 m, the second grade
#: 150–1,000 m each side depending on the terrain; 300 m is a middle value.
CANAL_HALF_WIDTH_M = 300.0
#: Share of the municipality drawn as permanent basic farmland (illustrative; the real share is
#: higher, but the embedded data must leave room for an interesting plan).
FARMLAND_SHARE = 0.20

# South-to-North Water Diversion central route through Zhengzhou (WGS84, L): in from Changge at
# the south of Xinzheng, west of Xinzheng city and Longhu, through Houzhai (二七), between the
# Jiangang and Changzhuang reservoirs, across Zhongyuan and Xingyang to the Yellow River
# crossing at Gubaizui (孤柏嘴, about 113.20°E 34.93°N).
CANAL = [
    (113.830, 34.250), (113.780, 34.300), (113.725, 34.355), (113.697, 34.410),
    (113.676, 34.470), (113.655, 34.530), (113.635, 34.590), (113.607, 34.635),
    (113.593, 34.675), (113.572, 34.700), (113.540, 34.728), (113.500, 34.752),
    (113.440, 34.785), (113.375, 34.826), (113.300, 34.870), (113.240, 34.908),
    (113.200, 34.935), (113.190, 34.960),
]


@dataclass(frozen=True)
class Reservoir:
    """A drinking-water reservoir: water surface and two protection grades."""

    key: str
    name_zh: str
    name_en: str
    centre: tuple[float, float]
    water_km2: float
    angle_deg: float
    primary_m: float  # first-grade zone: water surface plus this ring
    secondary_m: float  # second-grade zone: out to this distance from the water


# 尖岗水库 (Erqi, Houzhai) and 常庄水库 (Zhongyuan), south-west of the central city, both on the
# upper Jialu River and both drinking-water sources of Zhengzhou (positions L).
RESERVOIRS = (
    Reservoir("jiangang", "尖岗水库", "Jiangang Reservoir", (113.572, 34.662), 4.0, 75.0,
              300.0, 1500.0),
    Reservoir("changzhuang", "常庄水库", "Changzhuang Reservoir", (113.580, 34.722), 1.6, 80.0,
              200.0, 1000.0),
)

# Historic Monuments of Dengfeng (World Heritage 2010), positions L.
HERITAGE = [
    ("少林寺建筑群", (112.936, 34.507)),
    ("中岳庙与太室阙", (113.097, 34.462)),
    ("嵩阳书院", (113.040, 34.481)),
    ("嵩岳寺塔", (113.015, 34.500)),
    ("会善寺", (112.992, 34.488)),
    ("观星台", (113.140, 34.398)),
]
HERITAGE_BUFFER_M = 500.0

# Eco red line groups: each DEM-derived mountain patch goes to the nearest range.
RANGES = [
    ("songshan", "嵩山生态保护红线", "Songshan eco red line", (113.00, 34.50)),
    ("jishan", "箕山生态保护红线", "Jishan eco red line", (113.00, 34.345)),
    ("fuxi", "五指岭—浮戏山生态保护红线", "Wuzhiling–Fuxi eco red line", (113.27, 34.605)),
    ("juci", "具茨山生态保护红线", "Juci eco red line", (113.55, 34.405)),
]
ECO_MIN_ELEV_M = 550.0  # mountain land above this is drawn as red line
ECO_MIN_PART_KM2 = 3.0


def _row(cid, ctype, name_zh, name_en, geom, legal_key=None):
    return {
        "constraint_id": cid,
        "type": ctype,
        "name_zh": name_zh,
        "name_en": name_en,
        "legal_basis": LEGAL[legal_key or ctype],
        "confidence": "illustrative",
        "geometry": shapely.MultiPolygon(
            # slivers under 100 m² left by overlays are dropped (they collapse when rounded)
            [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and g.area >= 100]
        ),
    }


def _river_edge(boundary: BaseGeometry, lon_from: float, lon_to: float) -> shapely.LineString:
    """Trace the Yellow River bank (the northern edge) between two longitudes, smoothed ~2 km."""
    x0, _ = xy(lon_from, 34.9)
    x1, _ = xy(lon_to, 34.9)
    xs = np.arange(x0, x1, 250.0)
    ys = admin.northern_edge(boundary, xs)
    ok = ~np.isnan(ys)
    xs, ys = xs[ok], ys[ok]
    ys = ndimage.uniform_filter1d(ys, size=9, mode="nearest")
    return shapely.LineString(np.column_stack([xs, ys]))


def _raster_to_polygons(mask: np.ndarray, dem: terrain.Dem) -> BaseGeometry:
    geoms = [
        shapely.geometry.shape(g)
        for g, v in shapes(mask.astype(np.uint8), mask=mask, transform=dem.transform)
        if v == 1
    ]
    return shapely.union_all(geoms) if geoms else shapely.Polygon()


def build_hard(
    boundary: BaseGeometry,
    counties: gpd.GeoDataFrame,
    urban: gpd.GeoDataFrame,
    dem: terrain.Dem,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Every constraint except basic farmland (which must avoid the zones drawn afterwards)."""
    rows = []
    urban_all = urban.geometry.union_all()

    edge = _river_edge(boundary, 112.95, 114.17)
    wetland = edge.buffer(WETLAND_WIDTH_M).intersection(boundary)
    rows.append(_row("wl_yellow_river", "wetland_reserve", "郑州黄河湿地省级自然保护区（示意）",
                     "Zhengzhou Yellow River Wetland Reserve (illustrative)", wetland))
    east_edge = _river_edge(boundary, 113.62, 114.17)
    flood = (
        east_edge.buffer(FLOOD_WIDTH_M).intersection(boundary).difference(wetland)
        .difference(urban_all.buffer(200.0))
    )
    rows.append(_row("fz_yellow_river", "flood_zone", "黄河滩区（示意）",
                     "Yellow River flood plain between river and dyke (illustrative)", flood))

    # Songshan national scenic area: an E-W ellipse over the Taishi and Shaoshi massifs.
    sx, sy = xy(113.00, 34.505)
    scenic = blob(sx, sy, 260e6, rng, roughness=0.12, aspect=3.0, angle_deg=5.0)
    scenic = scenic.intersection(boundary).difference(urban_all)
    rows.append(_row("sh_songshan", "scenic_heritage", "嵩山国家级风景名胜区（示意）",
                     "Songshan National Scenic Area (illustrative)", scenic))
    sites = shapely.union_all([point(*p).buffer(HERITAGE_BUFFER_M) for _, p in HERITAGE])
    rows.append(_row("sh_dengfeng_heritage", "scenic_heritage",
                     "登封“天地之中”历史建筑群（世界文化遗产，示意）",
                     "Historic Monuments of Dengfeng, World Heritage (illustrative)", sites,
                     "heritage_sites"))

    # Eco red line: mountain land above ECO_MIN_ELEV_M, smoothed, grouped by range.
    inside = ~geometry_mask([boundary], out_shape=dem.shape, transform=dem.transform)
    high = inside & (dem.data >= ECO_MIN_ELEV_M)
    high = ndimage.binary_closing(ndimage.binary_opening(high, iterations=2), iterations=2)
    eco = _raster_to_polygons(high, dem).simplify(80.0).intersection(boundary)
    eco = eco.difference(urban_all)
    parts = [p for p in shapely.get_parts(eco) if p.area >= ECO_MIN_PART_KM2 * 1e6]
    centres = [point(*c) for *_, c in RANGES]
    groups: dict[str, list] = {k: [] for k, *_ in RANGES}
    for p in parts:
        c = p.representative_point()
        k = RANGES[int(np.argmin([c.distance(q) for q in centres]))][0]
        groups[k].append(p)
    for key, name_zh, name_en, _ in RANGES:
        if groups[key]:
            rows.append(_row(f"er_{key}", "eco_redline", name_zh + "（示意）",
                             name_en + " (illustrative)", shapely.union_all(groups[key])))

    for r in RESERVOIRS:
        cx, cy = xy(*r.centre)
        water = blob(cx, cy, r.water_km2 * 1e6, rng, roughness=0.25, aspect=2.2,
                     angle_deg=r.angle_deg)
        primary = water.buffer(r.primary_m).intersection(boundary)
        secondary = water.buffer(r.secondary_m).intersection(boundary).difference(primary)
        for grade, zh, en, geom in (
            (1, "一级", "first", primary),
            (2, "二级", "second", secondary),
        ):
            rows.append(_row(f"ws_{r.key}_{grade}", "water_source",
                             f"{r.name_zh}饮用水水源{zh}保护区（示意）",
                             f"{r.name_en} {en}-grade protection zone (illustrative)", geom))

    canal = line(CANAL).buffer(CANAL_HALF_WIDTH_M).intersection(boundary)
    rows.append(_row("ws_snwd_canal", "water_source", "南水北调中线总干渠两侧保护带（示意）",
                     "South-to-North Water Diversion canal corridor (illustrative)", canal,
                     "canal"))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC)


def build_farmland(
    boundary: BaseGeometry,
    counties: gpd.GeoDataFrame,
    dem: terrain.Dem,
    exclude: BaseGeometry,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Generate permanent basic farmland patches, one MultiPolygon row per county.

    Farmland is drawn on the DEM grid where land is flat and low (< 400 m, slope < 6°), outside
    ``exclude`` (built-up areas, zones and the other constraints, already buffered by the
    caller), preferring the eastern plain (Zhongmu, Xinzheng, the airport fringe) through a
    smooth random score; the threshold is the quantile that gives ``FARMLAND_SHARE`` of the
    municipality.
    """
    inside = ~geometry_mask([boundary], out_shape=dem.shape, transform=dem.transform)
    blocked = ~geometry_mask([exclude], out_shape=dem.shape, transform=dem.transform)
    slope = np.nan_to_num(terrain.slope_deg(dem), nan=90.0)
    eligible = inside & ~blocked & (dem.data < 400) & (slope < 6.0)

    xs = dem.transform.c + (np.arange(dem.shape[1])[None, :] + 0.5) * dem.transform.a
    east = np.clip((xs - xy(113.45, 34.7)[0]) / 60_000.0, 0.0, 1.0)  # 0 west → 1 at ~114.1°E
    score = smooth_noise(dem.shape, 12.0, rng) + 1.6 * east
    score = np.where(eligible, score, -np.inf)
    target = int(FARMLAND_SHARE * inside.sum())
    thresh = np.sort(score[eligible])[-target]
    chosen = eligible & (score >= thresh)
    chosen = ndimage.binary_opening(chosen, iterations=1)
    lab, n = ndimage.label(chosen)
    sizes = ndimage.sum(chosen, lab, index=np.arange(1, n + 1))
    keep = np.zeros(n + 1, bool)
    keep[1:] = sizes >= 50  # drop patches under 0.5 km²
    chosen = keep[lab]

    farmland = _raster_to_polygons(chosen, dem).simplify(60.0)
    rows = []
    for c in counties.itertuples():
        g = farmland.intersection(c.geometry)
        g = shapely.union_all([p for p in shapely.get_parts(g) if p.area > 1e5])
        if g.is_empty:
            continue
        rows.append(_row(f"bf_{c.adcode}", "basic_farmland", f"永久基本农田（示意）·{c.name_zh}",
                         f"Permanent basic farmland, {c.name_en} (illustrative)", g))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC)
