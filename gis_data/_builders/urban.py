"""Built-up areas: the central city, the county seats and a few towns (approximate outlines).

Centres are the known positions of the towns (WGS84, ±1–2 km); outlines are smooth blobs of an
estimated built-up area; populations are rounded estimates of residents around 2012–2015 in
10,000s, meant as a labour-pool indicator, not statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .common import METRIC, blob, largest_part, xy


@dataclass(frozen=True)
class Urban:
    """One built-up area to draw."""

    urban_id: str
    name_zh: str
    name_en: str
    kind: str
    centre: tuple[float, float]
    area_km2: float
    population_10k: float
    confidence: str
    county: str | None  # clip to this county (None: clip to the municipality)
    aspect: float = 1.2
    angle_deg: float = 0.0


URBAN: tuple[Urban, ...] = (
    # The central city: the four central districts, Zhengdong New District and the built parts
    # of Huiji, ZETDZ and the Hi-Tech Zone; ~450 km² and ~5.5 million residents (2015, L).
    Urban("central", "郑州中心城区", "Zhengzhou central city", "central_city",
          (113.665, 34.775), 455.0, 550.0, "M", None, 1.6, 8.0),
    Urban("zhongmu", "中牟县城", "Zhongmu county seat", "county_seat",
          (113.976, 34.719), 22.0, 18.0, "M", "410122", 1.3, 0.0),
    Urban("gongyi", "巩义市区", "Gongyi city", "county_seat",
          (112.983, 34.748), 32.0, 32.0, "M", "410181", 1.5, 30.0),
    Urban("xingyang", "荥阳市区", "Xingyang city", "county_seat",
          (113.383, 34.787), 28.0, 25.0, "M", "410182", 1.3, 0.0),
    Urban("xinmi", "新密市区", "Xinmi city", "county_seat",
          (113.390, 34.539), 28.0, 30.0, "M", "410183", 1.4, 10.0),
    Urban("xinzheng", "新郑市区", "Xinzheng city", "county_seat",
          (113.740, 34.395), 30.0, 32.0, "M", "410184", 1.2, 90.0),
    Urban("dengfeng", "登封市区", "Dengfeng city", "county_seat",
          (113.050, 34.454), 25.0, 25.0, "M", "410185", 1.6, 0.0),
    Urban("shangjie", "上街城区", "Shangjie town", "county_seat",
          (113.298, 34.803), 20.0, 14.0, "M", "410106", 1.3, 0.0),
    Urban("airport_city", "航空港区城区", "Airport zone new town", "town",
          (113.855, 34.565), 28.0, 30.0, "L", None, 1.3, 90.0),
    Urban("longhu", "龙湖镇", "Longhu (university town)", "town",
          (113.665, 34.505), 12.0, 12.0, "L", "410184", 1.3, 90.0),
    Urban("huiguo", "回郭镇", "Huiguo", "town",
          (112.925, 34.760), 5.0, 5.0, "L", "410181", 1.3, 0.0),
    Urban("chaohua", "超化镇", "Chaohua", "town",
          (113.487, 34.492), 3.5, 3.0, "L", "410183", 1.2, 0.0),
    Urban("gaocheng", "告成镇", "Gaocheng", "town",
          (113.140, 34.405), 3.5, 3.0, "L", "410185", 1.2, 0.0),
    Urban("mihe", "米河镇", "Mihe", "town",
          (113.105, 34.655), 3.5, 3.0, "L", "410181", 1.2, 0.0),
    Urban("guangwu", "广武镇", "Guangwu", "town",
          (113.455, 34.850), 3.0, 2.5, "L", "410182", 1.2, 0.0),
    Urban("dawei", "大隗镇", "Dawei", "town",
          (113.560, 34.455), 3.0, 2.5, "L", "410183", 1.2, 0.0),
    Urban("baisha", "白沙镇", "Baisha", "town",
          (113.880, 34.780), 5.0, 5.0, "L", "410122", 1.2, 0.0),
)


def build(
    counties: gpd.GeoDataFrame, boundary: BaseGeometry, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """Draw the built-up areas in EPSG:4547, later ones clipped by earlier ones.

    Returns
    -------
    GeoDataFrame
        Columns urban_id, name_zh, name_en, kind, population_10k, confidence, geometry.
    """
    geoms: list[shapely.Polygon] = []
    taken: BaseGeometry = shapely.Polygon()
    for u in URBAN:
        cx, cy = xy(*u.centre)
        shape = blob(cx, cy, u.area_km2 * 1e6, rng, roughness=0.22, aspect=u.aspect,
                     angle_deg=u.angle_deg)
        allowed = (
            counties.loc[counties.adcode == u.county].geometry.iloc[0]
            if u.county
            else boundary
        )
        g = largest_part(shape.intersection(allowed).difference(taken), shapely.Point(cx, cy))
        if u.urban_id == "central":
            # The city also spreads along the main roads: Zhengdong New District to the east and
            # the Hi-Tech Zone to the west are added as lobes.
            for lon, lat, km2 in ((113.775, 34.770, 70.0), (113.560, 34.805, 45.0)):
                lx, ly = xy(lon, lat)
                lobe = blob(lx, ly, km2 * 1e6, rng, roughness=0.2, aspect=1.3)
                g = largest_part(g.union(lobe.intersection(allowed)), shapely.Point(cx, cy))
        geoms.append(g)
        taken = taken.union(g)
    return gpd.GeoDataFrame(
        {
            "urban_id": [u.urban_id for u in URBAN],
            "name_zh": [u.name_zh for u in URBAN],
            "name_en": [u.name_en for u in URBAN],
            "kind": [u.kind for u in URBAN],
            "population_10k": [u.population_10k for u in URBAN],
            "confidence": [u.confidence for u in URBAN],
        },
        geometry=geoms,
        crs=METRIC,
    )
