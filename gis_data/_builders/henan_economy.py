"""Henan: synthetic cluster zones (产业集聚区) and synthetic firms.

Zones: `City.n_zones` per city (180 in all), the first beside the city seat, the others at
random low-lying places of the city (below `ZONE_MAX_ELEV_M`) at least `ZONE_SPACING_M` apart,
off the avoided constraints and the built-up areas; planned areas lognormal around 12 km² (the
seat zone twice that); one to three leading industries drawn from the city's profile.

Firms: `N_FIRMS` in all, split over the cities by their zones and seat population; two thirds
in zones (mostly of a leading industry), the rest near the seat or scattered over low land,
never on a constraint.  Sizes and ratios are lognormal around per-industry medians close to
those of the synthetic Zhengzhou firms.  Firms with at least `ANCHOR_EMPLOYEES` employees are
flagged as anchors.  Everything here is synthetic: names included.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely import affinity

from .common import blob, fit_area
from .henan_admin import CITIES, HENAN_CRS, hxy
from .henan_terrain import NODATA, Dem

INDUSTRIES = ("auto", "electronics", "new_materials", "biomedicine", "aluminium", "food",
              "textiles")
BASES = {"auto": "auto_equipment", "electronics": "electronics_base",
         "aluminium": "aluminium_products", "food": "food_base", "new_materials": "refractories"}
ZONE_MAX_ELEV_M = 450.0
ZONE_SPACING_M = 12_000.0
N_FIRMS = 8_000
ANCHOR_EMPLOYEES = 3000
#: Per industry: median employees, output per employee (万元), land per employee (mu),
#: tax / output, revenue / output, value added / output, energy (tce) / output (万元),
#: R&D share, GB/T 4754 divisions, name suffix.
PARAMS: dict[str, tuple] = {
    "auto": (120, 86.0, 0.21, 0.036, 1.017, 0.22, 0.13, 0.022, ("36", "34", "35"),
             "机械制造有限公司"),
    "electronics": (190, 81.0, 0.13, 0.012, 1.019, 0.18, 0.08, 0.030, ("39",),
                    "电子科技有限公司"),
    "new_materials": (55, 51.0, 0.23, 0.031, 1.020, 0.26, 0.75, 0.009, ("30",),
                      "新材料有限公司"),
    "biomedicine": (95, 61.0, 0.13, 0.057, 1.015, 0.35, 0.10, 0.045, ("27",),
                    "生物医药有限公司"),
    "aluminium": (130, 184.0, 0.49, 0.015, 1.027, 0.15, 1.04, 0.008, ("32",), "铝业有限公司"),
    "food": (100, 73.0, 0.19, 0.044, 1.024, 0.25, 0.17, 0.008, ("13", "14", "15"),
             "食品有限公司"),
    "textiles": (150, 24.0, 0.13, 0.020, 1.027, 0.25, 0.13, 0.006, ("17", "18"),
                 "纺织服装有限公司"),
    "other": (45, 47.0, 0.21, 0.030, 1.026, 0.24, 0.25, 0.010, ("26", "29", "42", "22"),
              "实业有限公司"),
}
_SYLLABLES = "华兴恒达瑞丰宏昌泰源鑫通汇中嘉盛安利丰润佳宇康明远"


def _elev(dem: Dem, x: float, y: float) -> float:
    col, row = ~dem.transform @ (x, y)
    v = dem.data[int(row), int(col)]
    return float("nan") if v == NODATA else float(v)


def build_zones(counties: gpd.GeoDataFrame, dem: Dem, avoid: shapely.Geometry,
                rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The ``zones`` layer: `City.n_zones` synthetic zones per city, in `HENAN_CRS`."""
    by_code = counties.set_index("adcode").geometry
    rows = []
    for city in CITIES:
        poly = by_code[city.adcode]
        allowed = poly.buffer(-1500).difference(avoid)
        minx, miny, maxx, maxy = poly.bounds
        sx, sy = hxy(*city.seat)
        profile = np.array([city.profile[i] for i in INDUSTRIES])
        centres: list[tuple[float, float]] = []
        spacing = ZONE_SPACING_M
        tries = 0
        while len(centres) < city.n_zones:
            tries += 1
            if tries % 500 == 0:  # a small or hilly city: relax the spacing
                spacing *= 0.8
            if tries > 20_000:
                raise RuntimeError(f"cannot place the zones of {city.name_en}")
            if not centres:  # the seat zone: 6–12 km from the seat (farther if it must)
                r = rng.uniform(6000, 12000 + 50.0 * tries)
                a = rng.uniform(0, 2 * np.pi)
                x, y = sx + r * np.cos(a), sy + r * np.sin(a)
            else:
                x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if not allowed.contains(shapely.Point(x, y)):
                continue
            if not _elev(dem, x, y) < ZONE_MAX_ELEV_M:
                continue
            if any(np.hypot(x - cx, y - cy) < spacing for cx, cy in centres):
                continue
            centres.append((x, y))
        for k, (x, y) in enumerate(centres, start=1):
            planned = float(np.clip(rng.lognormal(np.log(12.0), 0.45), 4.0, 40.0))
            if k == 1:
                planned *= 2.0
            planned = round(planned, 1)
            shape = blob(x, y, planned * 1e6, rng, aspect=float(rng.uniform(1.0, 2.0)),
                         angle_deg=float(rng.uniform(0, 180)))

            def make(s: float, shape: shapely.Polygon = shape, x: float = x,
                     y: float = y) -> shapely.Polygon:
                return affinity.scale(shape, s, s, origin=(x, y))

            geom = fit_area(make, allowed, planned * 1e6, near=shapely.Point(x, y),
                            max_scale=1.5)
            allowed = allowed.difference(geom.buffer(500))
            n_lead = int(rng.choice([1, 2, 3], p=[0.3, 0.5, 0.2]))
            lead = list(rng.choice(INDUSTRIES, size=n_lead, replace=False,
                                   p=profile / profile.sum()))
            short = city.name_zh[:-1]
            rows.append({
                "zone_id": f"z{city.adcode}_{k:02d}",
                "name_zh": f"{short}第{k}产业集聚区（合成）",
                "name_en": f"{city.name_en} cluster zone {k} (synthetic)",
                "county": city.adcode,
                "leading": ",".join(lead),
                "leading_bases": ",".join(BASES[i] for i in lead if i in BASES),
                "leading_note": "",
                "planned_area_km2": planned,
                "area_km2": geom.area / 1e6,
                "built_share": round(float(rng.uniform(0.25, 0.7)), 2),
                "geometry_quality": "approximate",
                "confidence": "synthetic",
                "source": "synthetic (gis_data/build_henan.py): position, outline, area and "
                          "leading industries drawn from the seed; not a real zone",
                "geometry": geom,
            })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=HENAN_CRS)


def _sample_in(geom: shapely.Geometry, rng: np.random.Generator, n: int,
               ok: shapely.Geometry) -> np.ndarray:
    """``n`` uniform points in ``geom`` that lie in ``ok`` (rejection sampling)."""
    minx, miny, maxx, maxy = geom.bounds
    out: list[np.ndarray] = []
    got = 0
    shapely.prepare(ok)
    target = geom.intersection(ok)
    if target.is_empty or n <= 0:
        return np.empty((0, 2))
    shapely.prepare(target)
    while got < n:
        xy = np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)])
        inside = xy[shapely.contains_xy(target, xy[:, 0], xy[:, 1])]
        out.append(inside[: n - got])
        got += len(out[-1])
    return np.concatenate(out)


def build_firms(counties: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                constraints: gpd.GeoDataFrame, dem: Dem, rng: np.random.Generator,
                *, n_firms: int = N_FIRMS) -> gpd.GeoDataFrame:
    """The ``enterprises`` layer: ``n_firms`` synthetic firms, in `HENAN_CRS`."""
    by_code = counties.set_index("adcode").geometry
    free = counties.geometry.union_all().difference(constraints.geometry.union_all())
    weights = np.array([c.n_zones + 0.05 * c.population_10k for c in CITIES])
    per_city = np.floor(n_firms * weights / weights.sum()).astype(int)
    per_city[0] += n_firms - per_city.sum()
    records = []
    for city, n in zip(CITIES, per_city, strict=True):
        profile = np.array([city.profile[i] for i in INDUSTRIES])
        city_zones = zones[zones.county == city.adcode]
        n_zone = round(n * 2 / 3)
        zone_pick = rng.choice(len(city_zones), size=n_zone,
                               p=(city_zones.area / city_zones.area.sum()).to_numpy())
        for zi in range(len(city_zones)):
            z = city_zones.iloc[zi]
            k = int((zone_pick == zi).sum())
            pts = _sample_in(z.geometry, rng, k, free)
            lead = z["leading"].split(",")
            for x, y in pts:
                if rng.random() < 0.7:
                    ind = str(rng.choice(lead))
                elif rng.random() < 0.3:
                    ind = "other"
                else:
                    ind = str(rng.choice(INDUSTRIES, p=profile / profile.sum()))
                records.append((city, ind, x, y, z["zone_id"]))
        # The rest: half around the seat, half over the city's land.
        rest = n - n_zone
        sx, sy = hxy(*city.seat)
        near_seat = shapely.Point(sx, sy).buffer(20_000).intersection(by_code[city.adcode])
        pts = np.concatenate([_sample_in(near_seat, rng, rest // 2, free),
                              _sample_in(by_code[city.adcode], rng, rest - rest // 2, free)])
        for x, y in pts:
            ind = ("other" if rng.random() < 0.35
                   else str(rng.choice(INDUSTRIES, p=profile / profile.sum())))
            records.append((city, ind, x, y, ""))
    rows = []
    for i, (city, ind, x, y, zone_id) in enumerate(records, start=1):
        (emp_med, opw, lpe, tax, rev, va, energy, rd, divisions, suffix) = PARAMS[ind]
        emp = int(np.clip(round(rng.lognormal(np.log(emp_med), 1.1)), 8, 30_000))
        output = emp * opw * float(rng.lognormal(0, 0.6))
        name = (city.name_zh[:-1] + "".join(rng.choice(list(_SYLLABLES), size=2)) + suffix)
        rows.append({
            "ent_id": f"H{i:05d}", "name": name, "industry": ind,
            "base": BASES.get(ind, "") if ind != "other" else "",
            "gbt4754": str(rng.choice(divisions)), "employees": emp,
            "output_wan": round(output, 1),
            "tax_wan": round(output * tax * float(rng.lognormal(0, 0.3)), 1),
            "land_mu": round(max(1.0, emp * lpe * float(rng.lognormal(0, 0.4))), 1),
            "anchor": emp >= ANCHOR_EMPLOYEES, "county": city.adcode, "zone_id": zone_id,
            "provenance": "synthetic", "confidence": "synthetic",
            "revenue_wan": round(output * rev, 1),
            "value_added_wan": round(output * va * float(rng.lognormal(0, 0.2)), 1),
            "energy_tce": round(output * energy * float(rng.lognormal(0, 0.3)), 1),
            "rd_share": round(float(np.clip(rd * rng.lognormal(0, 0.5), 0, 0.3)), 4),
            "geometry": shapely.Point(x, y),
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=HENAN_CRS)
