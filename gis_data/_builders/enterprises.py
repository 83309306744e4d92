"""Enterprises: the named anchors of the domain brief plus ~3,600 synthetic firms.

Anchors are placed where the brief says they are (provenance ``documented``; positions L, Foxconn
H) with round, realistic sizes.  Synthetic firms (provenance and confidence ``synthetic``) are
drawn cluster by cluster: each cluster is an industry around a zone, a county seat or a named
place, with a share of the firms inside the zone polygon and the rest Gaussian-scattered around
the centre.  No synthetic firm sits on a constraint polygon or within 20 m of a county line.

Sizes are heavy-tailed: employees are lognormal with an industry median; output is employees x
a lognormal output per worker; land is output / a lognormal output per mu around an industry
median of a few hundred 万元/mu (national development zones averaged ~866 万元/mu in 2011, a
typical Henan cluster zone much less); tax is output x a lognormal industry tax rate.

The 亩均效益 columns (``layout efficiency``) come last, from the same stream after every other
draw (so nothing above changes): revenue is output x a lognormal ratio near 1; value added is
output x a lognormal industry value-added rate; energy is output / a lognormal industry output
per tonne of coal equivalent (aluminium and refractories energy-hungry, electronics light);
R&D share of revenue is lognormal around an industry median.  About 2 % of the synthetic firms
report no energy use (left empty) so that a scheme has firms it cannot grade.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from .common import METRIC, xy

# --- anchors ------------------------------------------------------------------------------
# (name, industry, base, gbt, lon, lat, employees, output 万元, tax 万元, land mu, confidence)
# Sizes are round orders of magnitude for the early 2010s, not reported figures.
ANCHORS = (
    ("富士康科技集团郑州科技园", "electronics", "electronics_base", "39", 113.806, 34.552,
     200_000, 18_000_000.0, 200_000.0, 8400.0, "H"),
    ("宇通客车股份有限公司", "auto", "auto_equipment", "36", 113.742, 34.698,
     16_000, 2_200_000.0, 150_000.0, 2500.0, "L"),
    ("郑州日产汽车有限公司", "auto", "auto_equipment", "36", 113.785, 34.716,
     5_000, 1_500_000.0, 80_000.0, 1800.0, "L"),
    ("海马（郑州）汽车有限公司", "auto", "auto_equipment", "36", 113.760, 34.718,
     3_500, 800_000.0, 40_000.0, 1500.0, "L"),
    ("上汽乘用车郑州分公司", "auto", "auto_equipment", "36", 113.925, 34.706,
     4_000, 2_000_000.0, 90_000.0, 3000.0, "L"),
    ("中铝河南分公司", "aluminium", "aluminium_products", "32", 113.282, 34.816,
     12_000, 1_200_000.0, 40_000.0, 6000.0, "L"),
    ("河南明泰铝业股份有限公司", "aluminium", "aluminium_products", "32", 112.935, 34.738,
     4_000, 900_000.0, 25_000.0, 1500.0, "L"),
    ("巩义市万达铝业有限公司", "aluminium", "aluminium_products", "32", 112.942, 34.731,
     3_000, 600_000.0, 15_000.0, 1200.0, "L"),
    ("巩义市鑫泰铝业有限公司", "aluminium", "aluminium_products", "32", 112.928, 34.744,
     1_500, 300_000.0, 8_000.0, 600.0, "L"),
    ("河南豫联能源集团有限责任公司", "aluminium", "aluminium_products", "32", 112.952, 34.692,
     12_000, 1_500_000.0, 45_000.0, 5000.0, "L"),
    ("河南中孚实业股份有限公司", "aluminium", "aluminium_products", "32", 112.960, 34.700,
     8_000, 1_200_000.0, 35_000.0, 4000.0, "L"),
    ("郑州磨料磨具磨削研究所（三磨所）", "new_materials", "abrasives", "30", 113.555, 34.815,
     1_500, 150_000.0, 9_000.0, 300.0, "L"),
    ("白鸽磨料磨具有限公司", "new_materials", "abrasives", "30", 113.598, 34.760,
     2_000, 100_000.0, 5_000.0, 600.0, "L"),
    ("三全食品股份有限公司", "food", "food_base", "14", 113.628, 34.851,
     10_000, 400_000.0, 20_000.0, 800.0, "L"),
    ("郑州思念食品有限公司", "food", "food_base", "14", 113.636, 34.858,
     10_000, 450_000.0, 22_000.0, 800.0, "L"),
    ("郑州顶益食品有限公司（康师傅）", "food", "food_base", "14", 113.552, 34.688,
     3_000, 400_000.0, 25_000.0, 500.0, "L"),
    ("河南达利食品有限公司", "food", "food_base", "14", 113.772, 34.455,
     2_500, 300_000.0, 15_000.0, 500.0, "L"),
    ("白象食品股份有限公司", "food", "food_base", "14", 113.765, 34.445,
     4_000, 500_000.0, 25_000.0, 800.0, "L"),
    ("郑州旭飞光电科技有限公司", "electronics", "electronic_glass", "39", 113.775, 34.705,
     1_500, 200_000.0, 8_000.0, 600.0, "L"),
    ("郑州福耀玻璃有限公司", "auto", "auto_equipment", "36", 113.733, 34.668,
     1_500, 150_000.0, 7_000.0, 300.0, "L"),
    ("郑州安图生物工程股份有限公司", "biomedicine", "", "27", 113.766, 34.712,
     1_500, 100_000.0, 12_000.0, 200.0, "L"),
    ("河南润弘制药股份有限公司", "biomedicine", "", "27", 113.778, 34.449,
     800, 60_000.0, 5_000.0, 200.0, "L"),
    ("郑州遂成药业有限公司", "biomedicine", "", "27", 113.762, 34.458,
     800, 50_000.0, 4_000.0, 200.0, "L"),
    ("郑州国棉三厂", "textiles", "", "17", 113.605, 34.775,
     3_000, 80_000.0, 1_500.0, 600.0, "L"),
    ("郑州国棉四厂", "textiles", "", "17", 113.612, 34.771,
     3_000, 80_000.0, 1_500.0, 600.0, "L"),
    ("郑州国棉五厂", "textiles", "", "17", 113.598, 34.770,
     3_000, 80_000.0, 1_500.0, 600.0, "L"),
    ("郑州国棉六厂", "textiles", "", "17", 113.618, 34.777,
     3_000, 80_000.0, 1_500.0, 600.0, "L"),
)


# --- synthetic clusters -------------------------------------------------------------------
@dataclass(frozen=True)
class Cluster:
    """A group of synthetic firms of one industry around one place."""

    industry: str
    kind: str  # sub-kind for bases, names and size parameters (e.g. refractories)
    n: int
    where: str | tuple[float, float]  # zone id, or (lon, lat)
    sigma_km: float
    in_zone: float = 0.0  # share drawn uniformly inside the zone polygon
    county: str | None = None  # restrict to this county (default: the zone's county, if any)


C = Cluster
SEATS = {
    "410102": (113.600, 34.760), "410103": (113.630, 34.715), "410104": (113.700, 34.730),
    "410105": (113.690, 34.800), "410106": (113.298, 34.803), "410108": (113.620, 34.860),
    "410122": (113.976, 34.719), "410181": (112.983, 34.748), "410182": (113.383, 34.787),
    "410183": (113.390, 34.539), "410184": (113.740, 34.395), "410185": (113.050, 34.454),
}
_PRIORITY_CLUSTERS: tuple[Cluster, ...] = (
    # electronics: the airport zone (Foxconn's suppliers), Hi-Tech, ZETDZ, Jinshui/Zhengdong
    C("electronics", "electronics", 200, "airport", 5.0, 0.9),
    C("electronics", "electronics", 120, "hitech", 4.0, 0.8),
    C("electronics", "electronics", 38, "zetdz", 3.0, 0.6),
    C("electronics", "electronic_glass", 7, "zetdz", 2.0, 0.8),
    C("electronics", "electronics", 45, (113.740, 34.780), 3.0, county="410105"),
    C("electronics", "electronics", 20, "xingang", 3.0, 0.7),
    # vehicles and equipment
    C("auto", "auto", 180, "zetdz", 3.5, 0.6),
    C("auto", "auto", 140, "zhongmu_auto", 3.5, 0.75),
    C("auto", "auto", 100, "xingyang", 4.0, 0.6),
    C("auto", "auto", 75, "shangjie", 2.5, 0.6),
    C("auto", "auto", 50, "hitech", 4.0, 0.8),
    C("auto", "auto", 45, "jindai", 2.5, 0.7),
    C("auto", "auto", 40, (113.640, 34.700), 3.0, county="410103"),
    C("auto", "auto", 25, "gongyi", 4.0, 0.3),
    C("auto", "auto", 20, "dengfeng", 4.0, 0.6),
    C("auto", "auto", 15, "xinmi", 4.0, 0.5),
    C("auto", "auto", 10, (113.740, 34.400), 4.0, county="410184"),
    # new materials: refractories over Xinmi (~390 firms around 2011), Gongyi and Dengfeng;
    # superhard materials and abrasives in the Hi-Tech zone and Zhongyuan
    C("new_materials", "refractories", 80, "xinmi", 4.0, 0.8),
    C("new_materials", "refractories", 130, (113.420, 34.520), 7.0, county="410183"),
    C("new_materials", "refractories", 90, (113.490, 34.490), 5.0, county="410183"),
    C("new_materials", "refractories", 30, (113.300, 34.560), 5.0, county="410183"),
    C("new_materials", "refractories", 110, (112.980, 34.650), 7.0, county="410181"),
    C("new_materials", "refractories", 90, "dengfeng", 7.0, 0.3),
    C("new_materials", "abrasives", 80, "hitech", 3.0, 0.8),
    C("new_materials", "abrasives", 50, (113.595, 34.765), 2.5, county="410102"),
    C("new_materials", "special_alloys", 25, (112.960, 34.720), 5.0, county="410181"),
    # aluminium: Huiguo (Gongyi zone) and Yulian, Shangjie, a few in Xingyang and Dengfeng
    C("aluminium", "aluminium", 130, "gongyi", 3.5, 0.6),
    C("aluminium", "aluminium", 35, "yulian", 3.0, 0.6),
    C("aluminium", "aluminium", 40, "shangjie", 2.5, 0.6),
    C("aluminium", "aluminium", 20, "xingyang", 4.0, 0.3),
    C("aluminium", "aluminium", 15, "dengfeng", 5.0, 0.3),
    # food: Mazhai, Huiji, Xingang, ZETDZ, Zhongmu, the county seats
    C("food", "food", 85, "mazhai", 2.5, 0.7),
    C("food", "food", 75, "huiji_food", 2.5, 0.6),
    C("food", "food", 75, "xingang", 3.0, 0.7),
    C("food", "food", 40, "zetdz", 3.0, 0.5),
    C("food", "food", 40, (113.976, 34.719), 6.0, county="410122"),
    C("food", "food", 15, (112.983, 34.748), 5.0, county="410181"),
    C("food", "food", 15, (113.383, 34.787), 5.0, county="410182"),
    C("food", "food", 15, (113.390, 34.539), 5.0, county="410183"),
    C("food", "food", 15, (113.740, 34.395), 5.0, county="410184"),
    C("food", "food", 15, (113.050, 34.454), 5.0, county="410185"),
    C("food", "food", 20, (113.700, 34.730), 3.0, county="410104"),
    # biomedicine: ZETDZ, Xingang, the airport zone, Hi-Tech, central districts
    C("biomedicine", "biomedicine", 45, "zetdz", 3.0, 0.6),
    C("biomedicine", "biomedicine", 45, "xingang", 3.0, 0.7),
    C("biomedicine", "biomedicine", 40, "airport", 5.0, 0.8),
    C("biomedicine", "biomedicine", 25, "hitech", 4.0, 0.8),
    C("biomedicine", "biomedicine", 15, (113.700, 34.790), 3.0, county="410105"),
    # textiles and apparel: around the state cotton mills, Xinmi brand apparel, Erqi
    C("textiles", "mills", 45, (113.610, 34.772), 2.0, county="410102"),
    C("textiles", "apparel", 140, "xinmi", 4.0, 0.75),
    C("textiles", "apparel", 35, (113.630, 34.715), 2.5, county="410103"),
    C("textiles", "apparel", 15, (113.383, 34.787), 5.0, county="410182"),
    C("textiles", "apparel", 15, (113.976, 34.719), 5.0, county="410122"),
    C("textiles", "apparel", 15, (113.740, 34.395), 5.0, county="410184"),
    C("textiles", "apparel", 15, (112.983, 34.748), 5.0, county="410181"),
)
# Everything else (chemicals, printing, plastics, furniture, electrical goods, ...): around
# every county seat, more where there are more people.
_OTHER_CLUSTERS = tuple(
    C("other", "other", n, SEATS[code], s, county=code)
    for code, n, s in (
        ("410102", 65, 3.0), ("410103", 65, 3.0), ("410104", 75, 3.5), ("410105", 60, 3.0),
        ("410106", 20, 2.0), ("410108", 45, 3.0), ("410122", 80, 8.0), ("410181", 85, 8.0),
        ("410182", 75, 7.0), ("410183", 75, 7.0), ("410184", 80, 7.0), ("410185", 55, 7.0),
    )
)
CLUSTERS: tuple[Cluster, ...] = (*_PRIORITY_CLUSTERS, *_OTHER_CLUSTERS)

# --- size parameters (medians; lognormal sigmas below) -----------------------------------
# employees median, output per worker (万元/person/year), output per mu (万元/mu), tax rate
SIZE = {
    "electronics": (180, 80.0, 650.0, 0.012),
    "electronic_glass": (300, 120.0, 500.0, 0.03),
    "auto": (110, 90.0, 420.0, 0.035),
    "refractories": (45, 50.0, 220.0, 0.03),
    "abrasives": (70, 45.0, 300.0, 0.035),
    "special_alloys": (90, 120.0, 350.0, 0.025),
    "aluminium": (120, 180.0, 380.0, 0.015),
    "food": (90, 70.0, 400.0, 0.045),
    "biomedicine": (110, 60.0, 480.0, 0.06),
    "mills": (300, 25.0, 150.0, 0.02),
    "apparel": (120, 25.0, 200.0, 0.02),
    "other": (45, 45.0, 250.0, 0.03),
}
SIGMA_EMP, SIGMA_OPW, SIGMA_OPM, SIGMA_TAX = 1.05, 0.45, 0.45, 0.5

# 亩均 columns: value-added rate, output per tce (万元/tce), R&D share of revenue (medians)
EFFICIENCY = {
    "electronics": (0.18, 12.0, 0.030),
    "electronic_glass": (0.28, 3.0, 0.025),
    "auto": (0.22, 8.0, 0.022),
    "refractories": (0.25, 1.2, 0.008),
    "abrasives": (0.28, 2.5, 0.020),
    "special_alloys": (0.25, 2.0, 0.018),
    "aluminium": (0.15, 0.9, 0.008),
    "food": (0.25, 6.0, 0.008),
    "biomedicine": (0.35, 9.0, 0.045),
    "mills": (0.20, 3.0, 0.004),
    "apparel": (0.25, 8.0, 0.006),
    "other": (0.24, 4.0, 0.010),
}
SIGMA_REV, SIGMA_VA, SIGMA_ENERGY, SIGMA_RD = 0.08, 0.25, 0.55, 0.6
NO_ENERGY_SHARE = 0.02


def _efficiency_columns(gdf: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Add revenue_wan, value_added_wan, energy_tce and rd_share (see the module docstring)."""
    n = len(gdf)
    kind = np.where(gdf.anchor.to_numpy(), "", gdf.kind.to_numpy())
    # anchors take their industry's parameters (their kind is empty)
    anchor_kind = {"electronics": "electronics", "auto": "auto", "aluminium": "aluminium",
                   "new_materials": "abrasives", "food": "food", "biomedicine": "biomedicine",
                   "textiles": "mills"}
    kind = np.array([k or anchor_kind[i] for k, i in zip(kind, gdf.industry, strict=True)])
    va_rate, per_tce, rd = (np.array([EFFICIENCY[k][j] for k in kind]) for j in range(3))
    output = gdf.output_wan.to_numpy(float)
    revenue = output * 1.02 * rng.lognormal(0.0, SIGMA_REV, n)
    value_added = output * va_rate * rng.lognormal(0.0, SIGMA_VA, n)
    energy = output / (per_tce * rng.lognormal(0.0, SIGMA_ENERGY, n))
    rd_share = np.minimum(0.25, rd * rng.lognormal(0.0, SIGMA_RD, n))
    no_energy = (rng.random(n) < NO_ENERGY_SHARE) & ~gdf.anchor.to_numpy()
    out = gdf.copy()
    out["revenue_wan"] = np.round(revenue, 1)
    out["value_added_wan"] = np.round(value_added, 1)
    out["energy_tce"] = np.where(no_energy, np.nan, np.round(energy, 1))
    out["rd_share"] = np.round(rd_share, 4)
    return out


BASES = {
    "electronics": "electronics_base", "electronic_glass": "electronic_glass",
    "auto": "auto_equipment", "refractories": "refractories", "abrasives": "abrasives",
    "aluminium": "aluminium_products", "food": "food_base",
}
GBT = {  # GB/T 4754-2017 divisions and their shares
    "electronics": ((39,), (1.0,)),
    "electronic_glass": ((39,), (1.0,)),
    "auto": ((36, 34, 35), (0.45, 0.3, 0.25)),
    "refractories": ((30,), (1.0,)),
    "abrasives": ((30,), (1.0,)),
    "special_alloys": ((31,), (1.0,)),
    "aluminium": ((32, 33), (0.6, 0.4)),
    "food": ((13, 14, 15), (0.35, 0.45, 0.2)),
    "biomedicine": ((27,), (1.0,)),
    "mills": ((17,), (1.0,)),
    "apparel": ((18, 17), (0.8, 0.2)),
    "other": ((20, 21, 22, 23, 24, 26, 28, 29, 38, 40, 41, 42),
              (0.05, 0.08, 0.06, 0.1, 0.04, 0.16, 0.03, 0.14, 0.16, 0.06, 0.05, 0.07)),
}

# --- names ---------------------------------------------------------------------------------
PREFIX = {
    "410102": "郑州", "410103": "郑州", "410104": "郑州", "410105": "郑州", "410106": "郑州",
    "410108": "郑州", "410122": "中牟", "410181": "巩义", "410182": "荥阳", "410183": "新密",
    "410184": "新郑", "410185": "登封",
}
WORD_CHARS = (
    "华鑫恒瑞泰宏盛丰达通源昌隆兴金宇佳信德利正天海东方新科嘉博诚永汇凯豫嵩润远晨光明安康和益万鼎森锦洁"
)
SUFFIX = {
    "electronics": ("电子科技有限公司", "光电科技有限公司", "智能科技有限公司", "电子有限公司",
                    "精密电子有限公司", "通信设备有限公司"),
    "electronic_glass": ("光电玻璃有限公司", "显示材料有限公司"),
    "auto": ("汽车零部件有限公司", "机械制造有限公司", "重型机械有限公司", "汽车配件有限公司",
             "装备制造有限公司", "液压设备有限公司", "泵阀有限公司", "专用汽车有限公司"),
    "refractories": ("耐火材料有限公司", "耐材有限公司", "炉料有限公司", "高温材料有限公司"),
    "abrasives": ("磨料磨具有限公司", "超硬材料有限公司", "金刚石制品有限公司", "砂轮有限公司"),
    "special_alloys": ("新材料有限公司", "特种合金有限公司"),
    "aluminium": ("铝业有限公司", "铝材有限公司", "铝箔有限公司", "铝制品有限公司",
                  "金属制品有限公司"),
    "food": ("食品有限公司", "面业有限公司", "速冻食品有限公司", "饮品有限公司", "粮油有限公司",
             "肉类食品有限公司"),
    "biomedicine": ("制药有限公司", "生物科技有限公司", "医疗器械有限公司", "药业有限公司"),
    "mills": ("棉纺有限公司", "纺织有限公司"),
    "apparel": ("服饰有限公司", "服装有限公司", "针织有限公司", "纺织有限公司"),
}
OTHER_SUFFIX = {
    20: "木业有限公司", 21: "家具有限公司", 22: "纸业有限公司", 23: "印务有限公司",
    24: "文体用品有限公司", 26: "化工有限公司", 28: "化纤有限公司", 29: "塑料制品有限公司",
    38: "电气设备有限公司", 40: "仪器仪表有限公司", 41: "工艺品有限公司", 42: "再生资源有限公司",
}

BORDER_GAP_M = 20.0  # keep synthetic firms off county lines so rounding cannot flip them


def _sample(
    rng: np.random.Generator,
    n: int,
    centre: tuple[float, float],
    sigma_m: float,
    allowed: BaseGeometry,
    zone: BaseGeometry | None,
    in_zone: float,
) -> np.ndarray:
    """Draw ``n`` points: ``in_zone`` of them uniformly in the zone, the rest Gaussian."""
    n_zone = round(n * in_zone) if zone is not None else 0
    out = []
    if n_zone and zone is not None:
        target = zone.intersection(allowed)
        shapely.prepare(target)
        minx, miny, maxx, maxy = target.bounds
        got: list[np.ndarray] = []
        while sum(len(g) for g in got) < n_zone:
            px = rng.uniform(minx, maxx, 4 * n_zone)
            py = rng.uniform(miny, maxy, 4 * n_zone)
            ok = shapely.contains_xy(target, px, py)
            got.append(np.column_stack([px[ok], py[ok]]))
        out.append(np.concatenate(got)[:n_zone])
    n_rest = n - n_zone
    if n_rest:
        got = []
        tries = 0
        while sum(len(g) for g in got) < n_rest:
            px = centre[0] + rng.normal(0.0, sigma_m, 4 * n_rest)
            py = centre[1] + rng.normal(0.0, sigma_m, 4 * n_rest)
            ok = shapely.contains_xy(allowed, px, py)
            got.append(np.column_stack([px[ok], py[ok]]))
            tries += 1
            if tries > 200:
                raise RuntimeError(f"cannot place {n_rest} firms around {centre}")
        out.append(np.concatenate(got)[:n_rest])
    return np.concatenate(out)


def _name(rng: np.random.Generator, county: str, kind: str, gbt: str, used: set[str]) -> str:
    for _ in range(1000):
        prefix = "河南" if rng.random() < 0.12 else PREFIX[county]
        k = 2 if rng.random() < 0.85 else 3
        word = "".join(rng.choice(list(WORD_CHARS), size=k, replace=False))
        options = (OTHER_SUFFIX[int(gbt)],) if kind == "other" else SUFFIX[kind]
        name = prefix + word + options[int(rng.integers(len(options)))]
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of names")


def build(
    counties: gpd.GeoDataFrame,
    boundary: BaseGeometry,
    zones: gpd.GeoDataFrame,
    constraints: gpd.GeoDataFrame,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Build the enterprises layer in EPSG:4547 (columns of docs/data_model.md).

    Parameters
    ----------
    counties, boundary, zones, constraints
        Metric layers already built; synthetic firms avoid every constraint polygon.
    rng
        Seeded generator.
    """
    blocked = constraints.geometry.union_all()
    allowed_county = {
        c.adcode: c.geometry.buffer(-BORDER_GAP_M).difference(blocked)
        for c in counties.itertuples()
    }
    for g in allowed_county.values():
        shapely.prepare(g)
    allowed_all = shapely.union_all(list(allowed_county.values()))
    shapely.prepare(allowed_all)
    zone_geom = dict(zip(zones.zone_id, zones.geometry, strict=True))
    zone_county = dict(zip(zones.zone_id, zones.county, strict=True))

    recs = []
    for a_name, a_ind, a_base, a_gbt, lon, lat, a_emp, a_out, a_tax, a_land, a_conf in ANCHORS:
        x, y = xy(lon, lat)
        recs.append(
            {"name": a_name, "industry": a_ind, "base": a_base, "gbt4754": a_gbt,
             "employees": a_emp, "output_wan": a_out, "tax_wan": a_tax, "land_mu": a_land,
             "anchor": True, "provenance": "documented", "confidence": a_conf, "x": x, "y": y,
             "kind": ""}
        )

    for cl in CLUSTERS:
        if isinstance(cl.where, str):
            zone = zone_geom[cl.where]
            centre_geom = zone.centroid if zone.contains(zone.centroid) else zone.point_on_surface()
            centre = (centre_geom.x, centre_geom.y)
            county = cl.county or (None if cl.where == "airport" else zone_county[cl.where])
        else:
            zone, centre, county = None, xy(*cl.where), cl.county
        allowed = allowed_county[county] if county else allowed_all
        pts = _sample(rng, cl.n, centre, cl.sigma_km * 1000.0, allowed, zone, cl.in_zone)
        emp_med, opw, opm, tax_rate = SIZE[cl.kind]
        emp = np.maximum(8, np.rint(emp_med * rng.lognormal(0.0, SIGMA_EMP, cl.n)))
        emp = np.minimum(emp, 15_000).astype(int)
        output = emp * opw * rng.lognormal(0.0, SIGMA_OPW, cl.n)
        land = np.maximum(3.0, output / (opm * rng.lognormal(0.0, SIGMA_OPM, cl.n)))
        tax = output * tax_rate * rng.lognormal(0.0, SIGMA_TAX, cl.n)
        codes, probs = GBT[cl.kind]
        gbt = rng.choice(np.array(codes), size=cl.n, p=np.array(probs))
        for k in range(cl.n):
            recs.append(
                {"name": "", "industry": cl.industry, "base": BASES.get(cl.kind, ""),
                 "gbt4754": f"{int(gbt[k]):02d}", "employees": int(emp[k]),
                 "output_wan": round(float(output[k]), 1), "tax_wan": round(float(tax[k]), 1),
                 "land_mu": round(float(land[k]), 1), "anchor": False,
                 "provenance": "synthetic", "confidence": "synthetic",
                 "x": float(pts[k, 0]), "y": float(pts[k, 1]), "kind": cl.kind}
            )

    df = pd.DataFrame(recs)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.x, df.y), crs=METRIC)
    county_idx = counties.sindex.query(gdf.geometry, predicate="within")
    gdf["county"] = ""
    gdf.loc[gdf.index[county_idx[0]], "county"] = counties.adcode.to_numpy()[county_idx[1]]
    zone_idx = zones.sindex.query(gdf.geometry, predicate="within")
    gdf["zone_id"] = ""
    # zones do not overlap; if a point were in two, the first zone wins (stable order)
    first = pd.Series(zone_idx[1], index=zone_idx[0]).groupby(level=0).min()
    gdf.loc[gdf.index[first.index], "zone_id"] = zones.zone_id.to_numpy()[first.to_numpy()]
    missing = gdf[gdf.county == ""]
    if len(missing):
        raise RuntimeError(f"enterprises outside every county: {missing.name.tolist()}")

    used = set(gdf.name[gdf.anchor])
    names = gdf.name.tolist()
    for i in np.flatnonzero(~gdf.anchor.to_numpy()):
        names[i] = _name(rng, gdf.county.iat[i], gdf.kind.iat[i], gdf.gbt4754.iat[i], used)
    gdf["name"] = names
    gdf.insert(0, "ent_id", [f"E{i + 1:04d}" for i in range(len(gdf))])
    gdf = _efficiency_columns(gdf, rng)
    cols = ["ent_id", "name", "industry", "base", "gbt4754", "employees", "output_wan",
            "tax_wan", "land_mu", "anchor", "county", "zone_id", "provenance", "confidence",
            "revenue_wan", "value_added_wan", "energy_tce", "rd_share", "geometry"]
    return gdf[cols]
