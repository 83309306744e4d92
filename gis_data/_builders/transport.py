"""Expressways, main roads, railways, stations and interchanges (approximate alignments).

Alignments are drawn through waypoints known to within about 1–3 km (expressways, railways) or
chosen to connect every county seat and every zone (main roads); the ``confidence`` column says
which.  Lines are clipped to the municipality and then *noded*: wherever two roads (or two
railways) cross, the crossing point is inserted into both as the same vertex, so that a graph can
be built from shared vertices alone.  Interchanges are the vertices an expressway shares with
another road, so each lies exactly on a vertex of its expressway.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from .common import METRIC, xy

# Named waypoints (WGS84) shared by several lines, so that those lines meet at one vertex.
P = {
    "city": (113.665, 34.757),  # 二七广场, the historic centre
    "zhongmu": (113.976, 34.719),
    "gongyi": (112.983, 34.748),
    "xingyang": (113.383, 34.787),
    "xinmi": (113.390, 34.539),
    "xinzheng": (113.740, 34.395),
    "dengfeng": (113.050, 34.454),
    "shangjie": (113.298, 34.803),
    "airport": (113.8408, 34.5197),  # Xinzheng International Airport terminal area (H)
    "zz_station": (113.6540, 34.7478),  # Zhengzhou station (H)
    "zz_east": (113.7730, 34.7601),  # Zhengzhou East (H)
    "putian_w": (113.6996, 34.7350),  # 圃田西 freight (H)
    "container": (113.7992, 34.7307),  # rail container centre (H)
    # zone centres (as in zones.ZONES)
    "z_airport": (113.831, 34.533),
    "z_zetdz": (113.770, 34.710),
    "z_hitech": (113.550, 34.810),
    "z_logistics": (113.830, 34.660),
    "z_zhongmu_auto": (113.920, 34.710),
    "z_mazhai": (113.550, 34.690),
    "z_jindai": (113.730, 34.670),
    "z_gongyi": (112.915, 34.735),
    "z_yulian": (112.950, 34.690),
    "z_shangjie": (113.290, 34.810),
    "z_xingyang": (113.420, 34.760),
    "z_xinmi": (113.520, 34.560),
    "z_xingang": (113.770, 34.450),
    "z_dengfeng": (113.100, 34.448),
    "z_huiji_food": (113.630, 34.855),
    # junctions
    "g30_g4": (113.823, 34.850),
    "g30_ring": (113.500, 34.852),
    "g4_ring": (113.815, 34.650),
    "ring_s85": (113.540, 34.650),
    "g4_s82": (113.825, 34.780),
    "g107_kx": (113.770, 34.800),
    "g107_65": (113.772, 34.650),
    "zmi_1": (113.620, 34.720),
    "zxin_1": (113.660, 34.700),
    "g310_xy": (113.450, 34.782),
    "g310_mh": (113.100, 34.770),
    "zmu_1": (113.880, 34.680),
    "airport_city": (113.855, 34.565),
}


@dataclass(frozen=True)
class Line:
    """A line to draw: waypoints are names of ``P`` or (lon, lat) pairs."""

    key: str
    kind: str
    ref: str
    name: str
    name_en: str
    speed_kmh: float
    confidence: str
    waypoints: tuple


EXPRESSWAYS = (
    Line("G4", "expressway", "G4", "京港澳高速", "Beijing–Hong Kong–Macau Expressway", 100.0,
         "M", ((113.760, 35.000), (113.790, 34.930), (113.815, 34.880), "g30_g4", "g4_s82",
               (113.822, 34.720), "g4_ring", (113.806, 34.600), (113.798, 34.550),
               (113.793, 34.500), (113.785, 34.440), (113.775, 34.380), (113.770, 34.320),
               (113.765, 34.250))),
    Line("G30", "expressway", "G30", "连霍高速", "Lianyungang–Khorgas Expressway", 100.0, "M",
         ((112.700, 34.700), (112.800, 34.718), (112.900, 34.745), (112.980, 34.770),
          (113.050, 34.785), (113.150, 34.800), (113.250, 34.820), (113.320, 34.830),
          (113.420, 34.842), "g30_ring", (113.580, 34.858), (113.650, 34.860),
          (113.720, 34.858), (113.800, 34.852), "g30_g4", (113.900, 34.835), (114.000, 34.815),
          (114.100, 34.800), (114.250, 34.790))),
    # The 绕城高速 ring is ~106 km: its north side is the G30 and its east side the G4; drawn
    # here is the west and south arc (西南绕城) from the G30 to the G4.
    Line("ring", "expressway", "ring", "郑州绕城高速（西南段）", "Zhengzhou Ring Expressway "
         "(south-west arc)", 100.0, "M",
         ("g30_ring", (113.475, 34.800), (113.478, 34.740), (113.505, 34.685), "ring_s85",
          (113.600, 34.622), (113.680, 34.608), (113.750, 34.612), "g4_ring")),
    Line("S1", "expressway", "S1", "郑州机场高速", "Zhengzhou Airport Expressway", 100.0, "L",
         ((113.700, 34.700), (113.720, 34.650), (113.745, 34.612), (113.780, 34.570),
          (113.815, 34.535), "airport")),
    Line("S85", "expressway", "S85", "郑少洛高速", "Zhengzhou–Shaolin–Luoyang Expressway", 100.0,
         "L", ("ring_s85", (113.480, 34.600), (113.420, 34.566), (113.390, 34.558),
               (113.250, 34.512), (113.150, 34.478), (113.060, 34.470), (112.960, 34.478),
               (112.900, 34.462), (112.800, 34.445), (112.740, 34.430))),
    Line("S60", "expressway", "S60", "商登高速", "Shangqiu–Dengfeng Expressway", 100.0, "L",
         ((114.250, 34.430), (114.100, 34.420), (113.950, 34.410), (113.840, 34.385),
          (113.780, 34.360), (113.700, 34.352), (113.600, 34.380), (113.500, 34.420),
          (113.400, 34.440), (113.300, 34.430), (113.200, 34.410), (113.100, 34.400),
          (113.020, 34.415))),
    Line("S82", "expressway", "S82", "郑民高速", "Zhengzhou–Minquan Expressway", 100.0, "L",
         ("g4_s82", (113.900, 34.800), (114.000, 34.835), (114.100, 34.850),
          (114.250, 34.860))),
)

MAIN_ROADS = (
    Line("G310", "main_road", "G310", "310国道（郑上路）", "National road 310 (Zheng–Shang road)",
         60.0, "L", ("city", (113.600, 34.765), (113.520, 34.775), "g310_xy", "xingyang",
                     (113.340, 34.795), "z_shangjie", (113.200, 34.790), "g310_mh", "gongyi",
                     (112.950, 34.745), "z_gongyi")),
    Line("G107", "main_road", "G107", "107国道（东移线）", "National road 107 (eastern alignment)",
         60.0, "M", ((113.755, 34.950), (113.765, 34.860), "g107_kx", (113.772, 34.760),
                     "z_zetdz", "g107_65", (113.775, 34.580), (113.775, 34.500), "z_xingang",
                     (113.750, 34.410), "xinzheng", (113.750, 34.330), (113.760, 34.260))),
    Line("zhengkai", "main_road", "", "郑开大道", "Zhengkai Avenue", 60.0, "L",
         ("city", (113.720, 34.760), (113.800, 34.765), (113.880, 34.778), (113.930, 34.745),
          "zhongmu", (114.080, 34.725), (114.220, 34.730))),
    Line("zhengxin", "main_road", "", "郑新快速路", "Zhengzhou–Xinzheng expressway road", 60.0,
         "L", ("city", "zxin_1", (113.665, 34.620), (113.668, 34.560), (113.665, 34.505),
               (113.690, 34.450), "xinzheng")),
    Line("zhengmi", "main_road", "S316", "郑密路—郑登快速通道", "Zhengzhou–Xinmi–Dengfeng road",
         60.0, "L", ("city", "zmi_1", "z_mazhai", (113.530, 34.620), "z_xinmi",
                     (113.460, 34.545), "xinmi", (113.250, 34.500), (113.150, 34.462),
                     "z_dengfeng", "dengfeng", (112.950, 34.462), (112.850, 34.450))),
    Line("kexue", "main_road", "", "科学大道—北三环", "Kexue Avenue – North 3rd Ring Road", 50.0,
         "L", ((113.450, 34.820), "z_hitech", (113.620, 34.805), (113.700, 34.805),
               "g107_kx")),
    Line("huayuan", "main_road", "", "花园路—江山路", "Huayuan Road – Jiangshan Road", 50.0, "L",
         ((113.675, 34.768), (113.665, 34.810), "z_huiji_food", (113.620, 34.900))),
    Line("hanghai", "main_road", "", "航海路—经开大道", "Hanghai Road – ETDZ Avenue", 50.0, "L",
         ("zmi_1", (113.700, 34.715), "z_zetdz", (113.850, 34.712), "z_zhongmu_auto",
          "zhongmu")),
    Line("nansanhuan", "main_road", "", "南三环—经南路", "South 3rd Ring Road – Jingnan Road",
         50.0, "L", ("z_mazhai", (113.600, 34.685), "zxin_1", "z_jindai", "g107_65",
                     "z_logistics", "zmu_1")),
    Line("xingmi", "main_road", "S232", "荥密路", "Xingyang–Xinmi road", 60.0, "L",
         ("xingyang", "z_xingyang", (113.420, 34.700), (113.400, 34.620), "xinmi")),
    Line("gongdeng", "main_road", "S237", "巩登路（轘辕关）",
         "Gongyi–Dengfeng road (Huanyuan pass)", 60.0, "L",
         ("gongyi", "z_yulian", (112.975, 34.620), (112.985, 34.540), (112.995, 34.495),
          (113.020, 34.470), "dengfeng")),
    Line("mixin", "main_road", "S102", "新密—新郑公路", "Xinmi–Xinzheng road", 60.0, "L",
         ("xinmi", (113.487, 34.492), (113.560, 34.455), (113.650, 34.420), "xinzheng")),
    Line("gangqu", "main_road", "", "新港—航空港—中牟公路", "Xingang–Airport–Zhongmu road", 60.0,
         "L", ("z_xingang", "airport", "z_airport", "airport_city", (113.860, 34.620), "zmu_1",
               "z_zhongmu_auto")),
    Line("shangjie_n", "main_road", "", "上街中心路", "Shangjie central road", 50.0, "L",
         ("shangjie", "z_shangjie", (113.282, 34.845))),
    Line("gaocheng", "main_road", "", "登封—告成公路", "Dengfeng–Gaocheng road", 60.0, "L",
         ("z_dengfeng", (113.140, 34.405), (113.220, 34.360))),
    Line("mihe", "main_road", "", "巩义—米河—新密公路", "Gongyi–Mihe–Xinmi road", 60.0, "L",
         ("g310_mh", (113.105, 34.655), (113.200, 34.600), "xinmi")),
    Line("guangwu", "main_road", "", "荥阳—广武公路", "Xingyang–Guangwu road", 50.0, "L",
         ("g310_xy", (113.455, 34.850), (113.460, 34.880))),
)

RAILWAYS = (
    Line("longhai", "railway", "", "陇海铁路", "Longhai railway", float("nan"), "M",
         ((112.940, 34.725), (112.990, 34.752), (113.100, 34.775),
          (113.220, 34.795), (113.300, 34.800), (113.385, 34.790), (113.500, 34.770),
          (113.600, 34.752), "zz_station", "putian_w", "container", (113.900, 34.725),
          (113.976, 34.722), (114.100, 34.730), (114.250, 34.740))),
    Line("jingguang", "railway", "", "京广铁路", "Beijing–Guangzhou railway", float("nan"), "M",
         ((113.665, 34.990), (113.660, 34.900), (113.652, 34.820), "zz_station",
          (113.660, 34.680), (113.680, 34.600), (113.700, 34.500), (113.725, 34.420),
          (113.742, 34.370), (113.760, 34.260))),
    Line("jingguang_hsr", "railway", "", "京广高速铁路", "Beijing–Guangzhou high-speed railway",
         float("nan"), "L", ((113.720, 34.990), (113.750, 34.880), "zz_east", (113.780, 34.650),
                             (113.790, 34.550), (113.800, 34.450), (113.790, 34.330),
                             (113.780, 34.250))),
    Line("xulan_hsr", "railway", "", "徐兰高速铁路（郑西—郑徐段）",
         "Xuzhou–Lanzhou high-speed railway", float("nan"), "L",
         ((112.830, 34.665), (112.980, 34.715), (113.200, 34.760), (113.400, 34.765),
          (113.520, 34.740), (113.620, 34.710), (113.720, 34.735), "zz_east", (113.900, 34.775),
          (114.050, 34.780), (114.250, 34.785))),
    Line("zhengji", "railway", "", "郑机城际铁路", "Zhengzhou–Airport intercity railway",
         float("nan"), "L", ("zz_east", (113.795, 34.660), (113.815, 34.580), "airport")),
)

POINTS = (
    ("airport", "airport", "郑州新郑国际机场", "Zhengzhou Xinzheng International Airport"),
    ("zz_station", "rail_station", "郑州站", "Zhengzhou railway station"),
    ("zz_east", "rail_station", "郑州东站", "Zhengzhou East railway station"),
    ("putian_w", "freight_rail", "圃田西站（货运）", "Putian West freight station"),
    ("container", "freight_rail", "郑州铁路集装箱中心站", "Zhengzhou rail container centre"),
)


def _coords(wps: tuple) -> shapely.LineString:
    return shapely.LineString([xy(*(P[w] if isinstance(w, str) else w)) for w in wps])


def _insert(line: shapely.LineString, pts: list[tuple[float, float]]) -> shapely.LineString:
    """Insert points lying on ``line`` as vertices, in order along the line."""
    if not pts:
        return line
    old = [(float(c[0]), float(c[1])) for c in line.coords]
    dist = [line.project(shapely.Point(c)) for c in old]
    items = [(d, 0, c) for d, c in zip(dist, old, strict=True)]
    items += [(line.project(shapely.Point(p)), 1, p) for p in pts]
    items.sort(key=lambda t: (t[0], t[1]))
    out: list[tuple[float, float]] = []
    for _, _, c in items:
        if not out or out[-1] != c:
            out.append(c)
    return shapely.LineString(out)


def _nearest_vertex(
    p: shapely.Point, *lines: shapely.LineString, tol: float = 1.0
) -> tuple[float, float]:
    for ln in lines:
        for c in ln.coords:
            if (c[0] - p.x) ** 2 + (c[1] - p.y) ** 2 <= tol * tol:
                return (float(c[0]), float(c[1]))
    return (p.x, p.y)


def node(lines: list[shapely.LineString]) -> list[shapely.LineString]:
    """Insert every crossing of two lines into both as one shared vertex.

    Crossings within 1 m of an existing vertex reuse that vertex, so nothing closer than 1 m
    is ever created.  Overlapping stretches contribute their end points.
    """
    extra: list[list[tuple[float, float]]] = [[] for _ in lines]
    tree = shapely.STRtree(lines)
    for i, a in enumerate(lines):
        for j in sorted(int(k) for k in tree.query(a, predicate="intersects")):
            if j <= i:
                continue
            b = lines[j]
            pts = []
            for part in shapely.get_parts(a.intersection(b)):
                if isinstance(part, shapely.Point):
                    pts.append(part)
                elif isinstance(part, shapely.LineString):
                    pts += [shapely.Point(part.coords[0]), shapely.Point(part.coords[-1])]
            for p in pts:
                c = _nearest_vertex(p, a, b)
                extra[i].append(c)
                extra[j].append(c)
    return [_insert(ln, ex) for ln, ex in zip(lines, extra, strict=True)]


def _clip(spec: Line, boundary: BaseGeometry) -> list[tuple[str, shapely.LineString]]:
    g = _coords(spec.waypoints).intersection(boundary)
    parts = [p for p in shapely.get_parts(shapely.line_merge(g)) if p.length > 300.0]
    parts.sort(key=lambda p: -p.length)
    return [(spec.key if k == 0 else f"{spec.key}_{k + 1}", p) for k, p in enumerate(parts)]


def build(boundary: BaseGeometry) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Build ``transport_lines`` and ``transport_points`` in EPSG:4547.

    Returns
    -------
    lines, points
        GeoDataFrames with the columns of docs/data_model.md (lines also carry ``name_en`` and
        ``confidence``).
    """
    rows = []
    for group in (EXPRESSWAYS + MAIN_ROADS, RAILWAYS):
        specs, geoms = [], []
        for spec in group:
            for line_id, g in _clip(spec, boundary):
                specs.append((line_id, spec))
                geoms.append(g)
        for (line_id, spec), g in zip(specs, node(geoms), strict=True):
            prefix = {"expressway": "exp", "main_road": "road", "railway": "rail"}[spec.kind]
            rows.append(
                {
                    "line_id": f"{prefix}_{line_id}",
                    "kind": spec.kind,
                    "ref": spec.ref,
                    "name": spec.name,
                    "name_en": spec.name_en,
                    "speed_kmh": spec.speed_kmh,
                    "confidence": spec.confidence,
                    "geometry": g,
                }
            )
    lines = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC)
    points = _points(lines)
    return lines, points


_PRIORITY = ("G4", "G30", "ring", "S1", "S85", "S60", "S82")


def _points(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = []
    for key, kind, name_zh, name_en in POINTS:
        rows.append({"node_id": key, "kind": kind, "name_zh": name_zh, "name_en": name_en,
                     "ref": "", "confidence": "H", "geometry": shapely.Point(xy(*P[key]))})
    roads = lines[lines.kind != "railway"]
    # Which road lines use each vertex (interior vertices and end points alike).
    users: dict[tuple[float, float], list[int]] = {}
    for idx, g in zip(roads.index, roads.geometry, strict=True):
        for c in g.coords:
            users.setdefault(c, [])
            if idx not in users[c]:
                users[c].append(idx)
    seen = set()
    exp = roads[roads.kind == "expressway"]
    exp = exp.assign(_p=[_PRIORITY.index(r) for r in exp.ref]).sort_values(["_p", "line_id"])
    for idx, e in exp.iterrows():
        for c in e.geometry.coords:
            others = [o for o in users[c] if o != idx]
            if not others or c in seen:
                continue
            seen.add(c)
            other = roads.loc[others[0]]
            hub = other.kind == "expressway"
            n = sum(1 for r in rows if r["ref"] == e.ref) + 1
            tail = "枢纽立交" if hub else "互通立交"
            rows.append(
                {
                    "node_id": f"ic_{e.ref}_{n:02d}",
                    "kind": "interchange",
                    "name_zh": f"{e['name']}·{other['name']}{tail}",
                    "name_en": f"{e.ref} × {other['name_en']} "
                    + ("junction" if hub else "interchange"),
                    "ref": e.ref,
                    "confidence": "L",
                    "geometry": shapely.Point(c),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC)
