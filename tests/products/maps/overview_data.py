"""Synthetic input layers for the overview map tests: six counties near Zhengzhou, zones,
enterprises, constraints, transport, urban areas and two sites (EPSG:4326).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "`${alert(1)}`"]


CODES = [
    "auto",
    "electronics",
    "new_materials",
    "biomedicine",
    "aluminium",
    "food",
    "textiles",
    "other",
]


def synthetic_layers(n_firms: int = 240, *, hostile: bool = False, seed: int = 7) -> dict:
    """Layers of the data model on a 3 x 2 grid of 'counties' near Zhengzhou (EPSG:4326).

    Counties are 0.2 x 0.15 degree boxes; firms are spread uniformly with industries drawn from
    CODES; with ``hostile`` the first names of counties, zones, firms and constraints are HOSTILE.
    """
    rng = np.random.default_rng(seed)
    crs = "EPSG:4326"
    boxes = [
        shapely.box(113.3 + i * 0.2, 34.4 + j * 0.15, 113.5 + i * 0.2, 34.55 + j * 0.15)
        for j in range(2)
        for i in range(3)
    ]
    county_names = ["中原区", "二七区", "管城区", "金水区", "上街区", "惠济区"]
    zone_names = ["航空港区", "经开区", "高新区"]
    firm_names = [f"企业{i}" for i in range(n_firms)]
    constraint_names = ["农田", "红线", "水源"]
    if hostile:
        county_names[:3] = HOSTILE
        zone_names[:3] = HOSTILE
        firm_names[:3] = HOSTILE
        constraint_names[:3] = HOSTILE
    counties = gpd.GeoDataFrame(
        {
            "adcode": [f"4101{i:02d}" for i in range(6)],
            "name_zh": county_names,
            "name_en": ["Zhongyuan", "Erqi", "Guancheng", "Jinshui", "Shangjie", "Huiji"],
            "source": "synthetic test data",
        },
        geometry=boxes,
        crs=crs,
    )
    boundary = gpd.GeoDataFrame(
        {"adcode": ["410100"], "name_zh": ["郑州市"], "name_en": ["Zhengzhou"]},
        geometry=[shapely.union_all(boxes)],
        crs=crs,
    )
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["a", "b", "c"],
            "name_zh": zone_names,
            "name_en": ["A", "B", "C"],
            "county": "410100",
            "leading": ["electronics,biomedicine", "auto,food", ""],
            "built_share": [0.4, 0.6, 0.2],
            "confidence": ["H", "L", "L"],
            "planned_area_km2": [415.0, np.nan, 98.0],
        },
        geometry=[
            shapely.Point(113.5, 34.55).buffer(0.04),
            shapely.Point(113.7, 34.5).buffer(0.03),
            shapely.Point(113.4, 34.65).buffer(0.02),
        ],
        crs=crs,
    )
    firms = gpd.GeoDataFrame(
        {
            "ent_id": [f"e{i}" for i in range(n_firms)],
            "name": firm_names,
            "industry": rng.choice(CODES, n_firms),
            "employees": rng.integers(10, 5000, n_firms),
            "output_wan": rng.lognormal(8, 1.2, n_firms),
            "land_mu": rng.uniform(10, 500, n_firms),
        },
        geometry=gpd.points_from_xy(
            rng.uniform(113.31, 113.89, n_firms), rng.uniform(34.41, 34.69, n_firms)
        ),
        crs=crs,
    )
    constraints = gpd.GeoDataFrame(
        {
            "constraint_id": ["c1", "c2", "c3"],
            "type": ["basic_farmland", "eco_redline", "water_source"],
            "name_zh": constraint_names,
            "legal_basis": ["土地管理法", "x", "水污染防治法"],
        },
        geometry=[
            shapely.box(113.82, 34.6, 113.88, 34.68),
            shapely.box(113.32, 34.42, 113.4, 34.5),
            shapely.Point(113.6, 34.62).buffer(0.02),
        ],
        crs=crs,
    )
    lines = gpd.GeoDataFrame(
        {
            "line_id": ["l1", "l2", "l3"],
            "kind": ["expressway", "main_road", "railway"],
            "ref": ["G30", "", ""],
            "name": ["连霍高速", "", "京广铁路"],
        },
        geometry=[
            shapely.LineString([(113.3, 34.6), (113.9, 34.62)]),
            shapely.LineString([(113.5, 34.4), (113.52, 34.7)]),
            shapely.LineString([(113.65, 34.4), (113.66, 34.7)]),
        ],
        crs=crs,
    )
    points = gpd.GeoDataFrame(
        {
            "node_id": ["t1", "t2"],
            "kind": ["airport", "rail_station"],
            "name_zh": ["机场", "郑州站"],
            "name_en": ["Airport", "Zhengzhou station"],
        },
        geometry=[shapely.Point(113.84, 34.52), shapely.Point(113.65, 34.6)],
        crs=crs,
    )
    urban = gpd.GeoDataFrame(
        {"urban_id": ["u1"], "kind": ["central_city"], "name_zh": ["中心城区"]},
        geometry=[shapely.Point(113.65, 34.65).buffer(0.05)],
        crs=crs,
    )
    return {
        "boundary": boundary,
        "counties": counties,
        "zones": zones,
        "enterprises": firms,
        "constraints": constraints,
        "transport_lines": lines,
        "transport_points": points,
        "urban_areas": urban,
    }


def synthetic_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "site_id": ["s1", "s2"],
            "industry": ["electronics", "auto"],
            "area_mu": [1200.0, 800.0],
            "score": [0.91, 0.83],
        },
        geometry=[shapely.Point(113.55, 34.5).buffer(0.01), shapely.Point(113.75, 34.45)],
        crs="EPSG:4326",
    )
