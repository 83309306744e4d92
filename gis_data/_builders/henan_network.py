"""Henan: schematic transport network and built-up areas (approximate, illustrative).

Expressways, national trunk roads and railways are polylines through the city seats and a few
known turning points (positions ±5–10 km): they link the cities as the real network does, but
their alignments are schematic.  Interchanges are derived: where two expressways cross, where a
trunk road crosses an expressway, and where a city's access road (a straight road from its seat
to an expressway within `ACCESS_KM`) meets the expressway.  Built-up areas are smooth blobs
sized from rounded populations around the city seats and some county seats.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops

from .common import blob
from .henan_admin import BY_CODE, CITIES, HENAN_CRS, hline, hpoint, hxy

S = {c.name_en: c.seat for c in CITIES}


def _off(name: str, dlon: float, dlat: float) -> tuple[float, float]:
    lon, lat = S[name]
    return (lon + dlon, lat + dlat)


#: (ref, name, name_en, lon/lat polyline); expressways pass a few km beside the city seats.
EXPRESSWAYS = (
    ("G4", "京港澳高速", "Beijing–Hong Kong–Macau Expressway",
     [(114.45, 36.36), _off("Anyang", 0.05, 0), _off("Hebi", 0.06, -0.05),
      _off("Xinxiang", 0.06, 0), _off("Zhengzhou", 0.1, 0), (113.78, 34.38),
      _off("Xuchang", 0.05, 0), _off("Luohe", 0.05, 0), _off("Zhumadian", 0.06, 0),
      _off("Xinyang", 0.05, 0.04), (114.12, 31.72)]),
    ("G30", "连霍高速", "Lianyungang–Khorgas Expressway",
     [(110.38, 34.56), (110.9, 34.5), _off("Sanmenxia", 0, -0.05), (111.87, 34.7),
      _off("Luoyang", 0, 0.06), (112.98, 34.72), _off("Zhengzhou", 0, 0.07),
      _off("Kaifeng", 0, 0.04), (114.82, 34.78), _off("Shangqiu", 0, 0.05), (116.35, 34.38)]),
    ("G45", "大广高速", "Daqing–Guangzhou Expressway",
     [(115.1, 36.05), _off("Puyang", 0.05, 0), (114.95, 35.2), (114.6, 34.6),
      _off("Zhoukou", 0.05, 0), (114.95, 32.9), (115.05, 32.15), (115.15, 31.75)]),
    ("G55", "二广高速", "Erenhot–Guangzhou Expressway",
     [(112.45, 35.42), _off("Jiyuan", 0.04, 0), _off("Luoyang", -0.06, 0), (112.45, 34.15),
      (112.8, 33.72), _off("Nanyang", -0.05, 0.02), (112.09, 32.72), (111.95, 32.42)]),
    ("G36", "宁洛高速", "Nanjing–Luoyang Expressway",
     [_off("Luoyang", 0.06, -0.03), (112.8, 34.2), _off("Pingdingshan", 0.03, 0.04),
      _off("Luohe", 0, -0.04), _off("Zhoukou", 0, -0.04), (115.15, 33.4), (115.6, 33.28)]),
    ("G40", "沪陕高速", "Shanghai–Xi'an Expressway",
     [(115.6, 31.95), _off("Xinyang", 0, -0.05), (113.4, 32.4), _off("Nanyang", 0.02, -0.05),
      (111.5, 33.3), (110.85, 33.5)]),
    ("G5512", "晋新高速", "Jincheng–Xinxiang–Zhengzhou Expressway",
     [(112.85, 35.45), _off("Jiaozuo", 0, -0.04), (113.5, 35.0), _off("Zhengzhou", -0.05, 0.1)]),
    ("G22", "青兰高速", "Qingdao–Lanzhou Expressway",
     [(115.5, 35.95), _off("Puyang", 0, 0.04), _off("Hebi", 0.02, 0.04), (113.7, 35.95)]),
)
#: National trunk roads through the city seats.
TRUNK_ROADS = (
    ("G107", "107国道", "National Road 107",
     [(114.4, 36.35), S["Anyang"], S["Hebi"], S["Xinxiang"], S["Zhengzhou"], S["Xuchang"],
      S["Luohe"], S["Zhumadian"], S["Xinyang"], (114.05, 31.75)]),
    ("G310", "310国道", "National Road 310",
     [(110.4, 34.6), S["Sanmenxia"], S["Luoyang"], S["Zhengzhou"], S["Kaifeng"],
      S["Shangqiu"], (116.4, 34.45)]),
    ("G207", "207国道", "National Road 207",
     [(112.55, 35.4), S["Jiyuan"], S["Luoyang"], (112.84, 34.17), S["Nanyang"], (112.1, 32.5)]),
    ("G106", "106国道", "National Road 106",
     [S["Puyang"], S["Kaifeng"], S["Zhoukou"], (115.05, 32.6), (115.1, 31.8)]),
    ("G311", "311国道", "National Road 311",
     [S["Shangqiu"], S["Zhoukou"], S["Xuchang"], S["Pingdingshan"], S["Nanyang"]]),
    ("G327", "327国道", "National Road 327",
     [S["Puyang"], S["Xinxiang"], S["Jiaozuo"], S["Jiyuan"]]),
    ("G312", "312国道", "National Road 312",
     [S["Xinyang"], (113.4, 32.45), S["Nanyang"], (111.5, 33.35), (110.85, 33.6)]),
)
RAILWAYS = (
    ("rail_jingguang", "京广铁路", "Beijing–Guangzhou Railway",
     [(114.42, 36.36), S["Anyang"], S["Hebi"], S["Xinxiang"], S["Zhengzhou"], S["Xuchang"],
      S["Luohe"], S["Zhumadian"], S["Xinyang"], (114.08, 31.75)]),
    ("rail_longhai", "陇海铁路", "Longhai Railway",
     [(110.38, 34.58), S["Sanmenxia"], S["Luoyang"], S["Zhengzhou"], S["Kaifeng"],
      S["Shangqiu"], (116.38, 34.42)]),
    ("rail_jiaoliu", "焦柳铁路", "Jiaozuo–Liuzhou Railway",
     [S["Jiaozuo"], S["Jiyuan"], S["Luoyang"], (112.6, 33.9), S["Nanyang"], (111.95, 32.45)]),
    ("rail_luobao", "漯宝铁路", "Luohe–Baofeng Railway",
     [S["Luohe"], S["Pingdingshan"], (112.9, 33.88)]),
    ("rail_luofu", "漯阜铁路", "Luohe–Fuyang Railway",
     [S["Luohe"], S["Zhoukou"], (115.5, 33.1)]),
    ("rail_tangtai", "汤台铁路", "Tangyin–Taiqian Railway",
     [(114.36, 35.92), S["Puyang"], (115.55, 35.95)]),
)
AIRPORTS = (
    ("airport_zz", "郑州新郑国际机场", "Zhengzhou Xinzheng International Airport",
     (113.841, 34.527)),
    ("airport_ly", "洛阳北郊机场", "Luoyang Beijiao Airport", (112.388, 34.741)),
    ("airport_ny", "南阳姜营机场", "Nanyang Jiangying Airport", (112.615, 32.981)),
    ("airport_xy", "信阳明港机场", "Xinyang Minggang Airport", (114.079, 32.541)),
)
#: County seats drawn as built-up areas: (id, name_zh, name_en, lon/lat, population 10k).
COUNTY_SEATS = (
    ("gongyi", "巩义市区", "Gongyi", (112.98, 34.75), 35), ("xinzheng", "新郑市区", "Xinzheng",
    (113.74, 34.40), 30), ("yuzhou", "禹州市区", "Yuzhou", (113.49, 34.14), 30),
    ("changge", "长葛市区", "Changge", (113.77, 34.22), 25), ("ruzhou", "汝州市区", "Ruzhou",
    (112.84, 34.17), 30), ("linzhou", "林州市区", "Linzhou", (113.82, 36.08), 25),
    ("huixian", "辉县市区", "Huixian", (113.80, 35.46), 20), ("qinyang", "沁阳市区", "Qinyang",
    (112.94, 35.09), 20), ("mengzhou", "孟州市区", "Mengzhou", (112.79, 34.91), 15),
    ("yongcheng", "永城市区", "Yongcheng", (116.45, 33.93), 40), ("xiangcheng", "项城市区",
    "Xiangcheng", (114.88, 33.47), 30), ("dengzhou", "邓州市区", "Dengzhou", (112.09, 32.69), 40),
    ("wugang", "舞钢市区", "Wugang", (113.52, 33.31), 15), ("lingbao", "灵宝市区", "Lingbao",
    (110.89, 34.52), 20), ("gushi", "固始县城", "Gushi", (115.65, 32.17), 30),
    ("lankao", "兰考县城", "Lankao", (114.82, 34.82), 20), ("huaxian", "滑县县城", "Huaxian",
    (114.52, 35.58), 20), ("changyuan", "长垣市区", "Changyuan", (114.67, 35.20), 20),
)
#: Access roads reach an expressway at most this far from a city seat (km).
ACCESS_KM = 25.0
#: Two derived interchanges closer than this (m) are one.
MERGE_M = 1500.0


def _frame(rows: list[dict], crs: str = HENAN_CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def build_transport(outline: shapely.Geometry) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The ``transport_lines`` and ``transport_points`` layers, clipped to the province."""
    inside = outline.buffer(-200.0)
    rows: list[dict] = []

    def add(line_id: str, kind: str, ref: str, name: str, name_en: str, speed: float,
            geom: shapely.Geometry) -> None:
        clipped = geom.intersection(inside)
        for i, part in enumerate(p for p in shapely.get_parts(clipped)
                                 if isinstance(p, shapely.LineString) and p.length > 2000):
            rows.append({"line_id": line_id if i == 0 else f"{line_id}_{i + 1}", "kind": kind,
                         "ref": ref, "name": name, "name_en": name_en, "speed_kmh": speed,
                         "confidence": "L", "geometry": part})

    for ref, name, name_en, coords in EXPRESSWAYS:
        add(f"exp_{ref}", "expressway", ref, name, name_en, 100.0, hline(coords))
    for ref, name, name_en, coords in TRUNK_ROADS:
        add(f"road_{ref}", "main_road", ref, name, name_en, 60.0, hline(coords))
    for rid, name, name_en, coords in RAILWAYS:
        add(rid, "railway", "", name, name_en, 0.0, hline(coords))
    lines = _frame(rows)
    expressways = lines[lines.kind == "expressway"]
    # Access roads from each seat to every expressway within reach (the end lies on it).
    access = []
    for city in CITIES:
        seat = hpoint(*city.seat)
        for ref, group in expressways.groupby("ref", sort=True):
            geom = group.geometry.union_all()
            if geom.distance(seat) > ACCESS_KM * 1000 or geom.distance(seat) < 500:
                continue
            end = shapely.ops.nearest_points(geom, seat)[0]
            access.append({"line_id": f"acc_{city.adcode}_{ref}", "kind": "main_road",
                           "ref": "", "name": f"{city.name_zh}{ref}连接线（示意）",
                           "name_en": f"{city.name_en} access road to {ref} (schematic)",
                           "speed_kmh": 60.0, "confidence": "L",
                           "geometry": _through(seat, end, 300.0)})
    # A junction of two expressways gets a local road through it, so that it is an interchange
    # the roads reach too (the road runs 3 km towards the nearest seat, 1 km beyond).
    seats = {c.adcode: hpoint(*c.seat) for c in CITIES}
    exp_rows = list(expressways.itertuples())
    for i, a in enumerate(exp_rows):
        for b in exp_rows[i + 1:]:
            if a.ref == b.ref:
                continue
            for k, p in enumerate(p for p in shapely.get_parts(a.geometry.intersection(
                    b.geometry)) if isinstance(p, shapely.Point)):
                code = min(seats, key=lambda c: seats[c].distance(p))
                towards = shapely.LineString([p, seats[code]]).interpolate(3000.0)
                access.append({
                    "line_id": f"link_{a.ref}_{b.ref}_{k + 1}", "kind": "main_road",
                    "ref": "", "name": f"{a.ref}/{b.ref}枢纽连接线（示意）",
                    "name_en": f"{a.ref}/{b.ref} junction link road (schematic)",
                    "speed_kmh": 60.0, "confidence": "L",
                    "geometry": _through(towards, p, 1000.0)})
    lines = _frame(rows + access)
    return lines, _points(lines)


def _through(start: shapely.Point, end: shapely.Point, beyond: float) -> shapely.LineString:
    """A straight road from ``start`` through ``end`` and ``beyond`` metres past it (so that it
    crosses the expressway ``end`` lies on, rather than touching it)."""
    dx, dy = end.x - start.x, end.y - start.y
    n = float(np.hypot(dx, dy)) or 1.0
    return shapely.LineString([start, (end.x + dx / n * beyond, end.y + dy / n * beyond)])


def _points(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Airports, rail and freight stations near the seats, and the derived interchanges."""
    rows: list[dict] = []
    for nid, name, name_en, lonlat in AIRPORTS:
        rows.append({"node_id": nid, "kind": "airport", "name_zh": name, "name_en": name_en,
                     "ref": "", "confidence": "H", "geometry": hpoint(*lonlat)})
    rail = lines[lines.kind == "railway"].geometry.union_all()
    for city in CITIES:
        seat = hpoint(*city.seat)
        if rail.distance(seat) > 10_000:
            continue
        near = shapely.ops.nearest_points(rail, seat)[0]
        rows.append({"node_id": f"st_{city.adcode}", "kind": "rail_station",
                     "name_zh": f"{city.name_zh[:-1]}站", "name_en": f"{city.name_en} station",
                     "ref": "", "confidence": "M", "geometry": near})
        # The freight yard: on a railway 6 km from the passenger station (schematic).
        part = min(shapely.get_parts(rail), key=lambda g: g.distance(near))
        d = part.project(near)
        at = d + 6000.0 if d + 6000.0 < part.length else d - 6000.0
        rows.append({"node_id": f"fr_{city.adcode}", "kind": "freight_rail",
                     "name_zh": f"{city.name_zh[:-1]}货运站（示意）",
                     "name_en": f"{city.name_en} freight yard (schematic)",
                     "ref": "", "confidence": "L", "geometry": part.interpolate(at)})
    exp = lines[lines.kind == "expressway"]
    roads = lines[lines.kind != "railway"]
    found: list[tuple[str, shapely.Point]] = []
    for e in exp.itertuples():
        for r in roads.itertuples():
            if r.line_id == e.line_id:
                continue
            for p in shapely.get_parts(e.geometry.intersection(r.geometry)):
                if isinstance(p, shapely.Point):
                    # Put it exactly on the expressway (intersection rounding).
                    found.append((e.ref, e.geometry.interpolate(e.geometry.project(p))))
    kept: list[tuple[str, shapely.Point]] = []
    for ref, p in sorted(found, key=lambda t: (t[0], t[1].x, t[1].y)):
        if all(q.distance(p) > MERGE_M for _, q in kept):
            kept.append((ref, p))
    counter: dict[str, int] = {}
    for ref, p in kept:
        counter[ref] = counter.get(ref, 0) + 1
        rows.append({"node_id": f"ic_{ref}_{counter[ref]:02d}", "kind": "interchange",
                     "name_zh": f"{ref}互通立交（示意）", "name_en": f"{ref} interchange "
                     "(schematic)", "ref": ref, "confidence": "L", "geometry": p})
    return _frame(rows)


def build_urban(counties: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The ``urban_areas`` layer: the 18 city seats and `COUNTY_SEATS`, clipped to their city."""
    by_code = counties.set_index("adcode").geometry
    rows = []
    for city in CITIES:
        cx, cy = hxy(*city.seat)
        shape = blob(cx, cy, city.population_10k * 0.9e6, rng, aspect=1.3,
                     angle_deg=float(rng.uniform(0, 180)))
        rows.append({"urban_id": f"u_{city.adcode}", "name_zh": f"{city.name_zh}中心城区",
                     "name_en": f"{city.name_en} central city", "kind": "central_city",
                     "population_10k": float(city.population_10k), "confidence": "L",
                     "geometry": shape.intersection(by_code[city.adcode])})
    for uid, name, name_en, lonlat, pop in COUNTY_SEATS:
        cx, cy = hxy(*lonlat)
        code = next(c for c, g in by_code.items() if g.contains(shapely.Point(cx, cy)))
        shape = blob(cx, cy, pop * 0.9e6, rng, angle_deg=float(rng.uniform(0, 180)))
        rows.append({"urban_id": f"u_{uid}", "name_zh": name,
                     "name_en": f"{name_en} ({BY_CODE[code].name_en})", "kind": "county_seat",
                     "population_10k": float(pop), "confidence": "L",
                     "geometry": shape.intersection(by_code[code])})
    out = _frame(rows)
    out["geometry"] = [g if isinstance(g, shapely.Polygon) else
                       max(shapely.get_parts(g), key=lambda p: p.area) for g in out.geometry]
    return out
