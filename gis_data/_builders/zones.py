"""Cluster zones (产业集聚区) of the domain brief, as approximate polygons.

Each zone is a smooth irregular blob of the documented planned area around the documented centre,
clipped to its county (the airport zone to the municipality, as it spans Xinzheng and Zhongmu),
to the zones placed before it and to the reservoirs, wetland and scenic area, then grown back to
the documented area.  Where the brief gives no centre or no area the choice is ours (confidence
L, a typical 10–15 km²) and the ``source`` column says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

from .common import METRIC, blob, fit_area, xy

DOMAIN = "domain brief §2 (2012–2014 provincial cluster-zone list)"


@dataclass(frozen=True)
class Zone:
    """One cluster zone and what is known about it."""

    zone_id: str
    name_zh: str
    name_en: str
    centre: tuple[float, float]
    confidence: str
    planned_km2: float | None  # documented planned area, None when unknown
    leading: str
    leading_bases: str
    leading_note: str
    built_share: float  # estimate of the share already built up (see module docstring)
    note: str  # how centre and area were chosen
    clip_to_municipality: bool = False
    aspect: float = 1.3
    angle_deg: float = 0.0
    default_km2: float = 12.0  # drawn area when planned_km2 is unknown


# built_share: our estimate (0.3–0.8) from each zone's age and how far its build-out had gone
# by the mid-2010s; it is synthetic and only sets how much land a zone still offers.
ZONES: tuple[Zone, ...] = (
    Zone("airport", "郑州航空港经济综合实验区", "Zhengzhou Airport Economy Zone",
         (113.831, 34.533), "H", 415.0, "electronics,biomedicine", "electronics_base",
         "logistics,aviation", 0.35,
         "centre and 415 km² planned area documented; clipped to the municipality",
         clip_to_municipality=True, aspect=1.5, angle_deg=80.0),
    Zone("zetdz", "郑州经济技术开发区", "Zhengzhou Economic and Technological Development Zone",
         (113.770, 34.710), "L", 12.5, "auto,electronics,food",
         "auto_equipment,electronic_glass,food_base", "logistics", 0.80,
         "12.5 km² core (2006); the ~137 km² including the logistics park is not drawn here"),
    Zone("hitech", "郑州高新技术产业开发区", "Zhengzhou Hi-Tech Industrial Development Zone",
         (113.550, 34.810), "L", 98.0, "electronics,new_materials,auto",
         "electronics_base,abrasives", "", 0.65,
         "~98 km² administered area around the documented centre, inside Zhongyuan",
         aspect=1.4, angle_deg=20.0),
    Zone("logistics", "郑州国际物流园区", "Zhengzhou International Logistics Park",
         (113.830, 34.660), "L", None, "", "", "logistics", 0.45,
         "centre documented (L); area unknown, drawn 15 km²", default_km2=15.0),
    Zone("zhongmu_auto", "中牟汽车产业集聚区", "Zhongmu Automobile Industry Cluster Zone",
         (113.920, 34.710), "L", None, "auto", "auto_equipment", "", 0.45,
         "centre documented (L); area unknown, drawn 15 km²", default_km2=15.0),
    Zone("mazhai", "马寨产业集聚区", "Mazhai Industry Cluster Zone",
         (113.550, 34.690), "L", 11.8, "food", "food_base", "food machinery", 0.70,
         "centre (L) and 11.8 km² documented"),
    Zone("jindai", "金岱产业集聚区", "Jindai Industry Cluster Zone",
         (113.730, 34.670), "L", None, "auto", "auto_equipment", "auto glass", 0.50,
         "centre documented (L); area unknown, drawn 12 km²"),
    Zone("gongyi", "巩义市产业集聚区", "Gongyi Industry Cluster Zone",
         (112.915, 34.735), "L", 13.3, "aluminium", "aluminium_products", "cable", 0.65,
         "13.3 km² documented; centre moved from 112.88,34.71 (outside the AMap outline) to "
         "Huiguo (回郭镇) 112.915,34.735 (L)"),
    Zone("yulian", "豫联产业集聚区", "Yulian Industry Cluster Zone",
         (112.950, 34.690), "L", None, "aluminium", "aluminium_products",
         "coal-power-aluminium chain", 0.60,
         "no centre or area documented: placed south-west of Gongyi city near Zhanjie/Zhitian "
         "(L), drawn 12 km²"),
    Zone("shangjie", "上街装备制造产业集聚区", "Shangjie Equipment Manufacturing Cluster Zone",
         (113.290, 34.810), "M", None, "auto,aluminium", "auto_equipment,aluminium_products",
         "general aviation", 0.60,
         "centre documented (M); area unknown, drawn 12 km²"),
    Zone("xingyang", "荥阳市产业集聚区", "Xingyang Industry Cluster Zone",
         (113.420, 34.760), "L", None, "auto", "auto_equipment", "", 0.50,
         "no centre or area documented: placed east of Xingyang city (L), drawn 12 km²"),
    Zone("xinmi", "新密市产业集聚区", "Xinmi Industry Cluster Zone",
         (113.520, 34.560), "L", 13.4, "textiles,new_materials", "refractories",
         "environmental equipment", 0.55, "centre (Quliang 曲梁, L) and 13.4 km² documented"),
    Zone("xingang", "新郑新港产业集聚区", "Xinzheng Xingang Industry Cluster Zone",
         (113.770, 34.450), "L", 27.6, "food,biomedicine", "food_base", "", 0.55,
         "centre (L) and 27.6 km² documented"),
    Zone("dengfeng", "登封市产业集聚区", "Dengfeng Industry Cluster Zone",
         (113.100, 34.448), "L", None, "new_materials,auto", "refractories", "", 0.45,
         "no centre or area documented: placed east of Dengfeng city (L), drawn 12 km²"),
    Zone("huiji_food", "惠济食品产业园", "Huiji Food Industry Park",
         (113.630, 34.855), "L", 4.1, "food", "food_base", "frozen food", 0.75,
         "~4.1 km² documented; no centre documented: placed in south Huiji near the Sanquan "
         "and Synear plants (L)"),
)

#: Placement order: small documented zones first, the big ones last so that they are the ones
#: clipped (and grown back) where they meet.
PLACEMENT = (
    "mazhai", "jindai", "zetdz", "huiji_food", "logistics", "zhongmu_auto", "gongyi", "yulian",
    "shangjie", "xingyang", "xinmi", "dengfeng", "xingang", "hitech", "airport",
)


def build(
    counties: gpd.GeoDataFrame,
    boundary: BaseGeometry,
    avoid: BaseGeometry,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Draw the zones in EPSG:4547.

    Parameters
    ----------
    counties, boundary
        Metric county layer and municipal outline.
    avoid
        Land no zone may take (reservoirs, wetland reserve, scenic area), metric.
    rng
        Seeded generator; each zone draws its outline from it in ``ZONES`` order, so the
        outlines do not depend on the placement order.

    Returns
    -------
    GeoDataFrame
        The zones layer (columns of docs/data_model.md) in ``ZONES`` order.
    """
    by_id = {z.zone_id: z for z in ZONES}
    centres = {z.zone_id: shapely.Point(*xy(*z.centre)) for z in ZONES}
    county_of = {}
    for z in ZONES:
        hit = counties[counties.contains(centres[z.zone_id])]
        if len(hit) != 1:
            raise RuntimeError(f"zone {z.zone_id}: centre {z.centre} is in no county")
        county_of[z.zone_id] = hit.adcode.iloc[0]

    # Unit outlines drawn in ZONES order (fixed), scaled later.
    units = {}
    for z in ZONES:
        target = (z.planned_km2 or z.default_km2) * 1e6
        c = centres[z.zone_id]
        units[z.zone_id] = blob(c.x, c.y, target, rng, roughness=0.2, aspect=z.aspect,
                                angle_deg=z.angle_deg)

    placed: dict[str, shapely.Polygon] = {}
    taken = avoid
    for zid in PLACEMENT:
        z = by_id[zid]
        c = centres[zid]
        target = (z.planned_km2 or z.default_km2) * 1e6
        region = (
            boundary
            if z.clip_to_municipality
            else counties.loc[counties.adcode == county_of[zid]].geometry.iloc[0]
        )
        allowed = region.difference(taken)
        unit = units[zid]

        def make(
            s: float, unit: shapely.Polygon = unit, c: shapely.Point = c
        ) -> shapely.Polygon:
            return shapely.affinity.scale(unit, s, s, origin=c)

        g = fit_area(make, allowed, target, near=c)
        placed[zid] = g
        taken = taken.union(g)

    rows = []
    for z in ZONES:
        g = placed[z.zone_id]
        rows.append(
            {
                "zone_id": z.zone_id,
                "name_zh": z.name_zh,
                "name_en": z.name_en,
                "county": county_of[z.zone_id],
                "leading": z.leading,
                "leading_bases": z.leading_bases,
                "leading_note": z.leading_note,
                "planned_area_km2": float(z.planned_km2) if z.planned_km2 else np.nan,
                "area_km2": g.area / 1e6,
                "built_share": z.built_share,
                "geometry_quality": "approximate",
                "confidence": z.confidence,
                "source": f"{DOMAIN}; {z.note}; outline approximate (seeded blob)",
                "geometry": g,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC)
