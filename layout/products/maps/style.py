"""Labels and colours of map elements that are not industries (industries come from the catalog).

Kept in one place so that the HTML map, the static PNG and their legends agree.
"""

from __future__ import annotations

from typing import Any

from layout.config.catalog import load_catalog
from layout.errors import UnknownIndustryError
from layout.model.catalog import OTHER, OTHER_COLOR, PRIORITY_CODES
from layout.model.constraints import CONSTRAINT_TYPES, UNKNOWN_CONSTRAINT

LANGS: tuple[str, ...] = ("zh", "en")

#: Interface words, by language.
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "boundary": "市界",
        "boundaries": "边界",
        "counties": "区县",
        "zones": "产业集聚区",
        "enterprises": "企业",
        "constraints": "刚性约束",
        "transport_lines": "交通线路",
        "transport_points": "交通节点",
        "urban_areas": "城镇建成区",
        "sites": "推荐选址",
        "legend": "图例",
        "industry": "产业",
        "leading": "主导产业",
        "leading_note": "其他主导产业",
        "none": "未指定",
        "area": "面积",
        "planned_area": "规划面积",
        "built_share": "已建成比例",
        "employees": "从业人员",
        "output": "产值",
        "land": "用地",
        "score": "评分",
        "confidence": "可信度",
        "km2": "km²",
        "yi": "亿元",
        "mu": "亩",
        "people": "人",
        "dot_note": "圆点面积与产值成正比",
        "zone_note": "按首位主导产业着色",
        "sources": "数据来源",
        "default_title": "产业布局总览",
        "sep": "：",
        "list_sep": "、",
        "site": "选址",
        "rank": "排名",
        "ha": "公顷",
        "mean_score": "平均评分",
        "min_score": "最低评分",
        "zone": "集聚区",
        "outside_zones": "集聚区外",
        "county": "区县",
        "stability": "稳定性",
        "stable": "稳定",
        "unstable": "不稳定",
        "not_run": "未做敏感性分析",
        "contributions": "各准则贡献（分）",
        "suitability": "适宜性评分",
        "suitability_title": "适宜性与推荐选址",
        "score_range": "0 = 最差，100 = 最佳",
        "excluded": "不可建设（刚性约束）",
        "exclusions": "不可建设原因",
        "exclusion_note": "按首个原因着色；点击地图查看全部原因",
        "click_note": "点击地图任一处查看该处评分或不可建设原因",
        "outside": "研究区外",
        "several": "以下一种或多种",
        "top_contributions": "主要贡献",
        "grid_note": "（约 {m} 米网格）",
        "points": "分",
        "legal_basis": "依据",
        "site_labels": "选址编号",
        "sites_note": "编号为行业内排名",
        "bars": "选址弹窗：准则贡献条颜色",
        "bars_note": "按准则类别着色；点击选址查看",
        "other_criteria": "其他准则",
    },
    "en": {
        "boundary": "Municipal boundary",
        "boundaries": "Boundaries",
        "counties": "Counties and districts",
        "zones": "Cluster zones",
        "enterprises": "Enterprises",
        "constraints": "Hard constraints",
        "transport_lines": "Transport lines",
        "transport_points": "Transport nodes",
        "urban_areas": "Urban areas",
        "sites": "Recommended sites",
        "legend": "Legend",
        "industry": "Industry",
        "leading": "Leading industries",
        "leading_note": "Other leading industries",
        "none": "none designated",
        "area": "Area",
        "planned_area": "Planned area",
        "built_share": "Built-up share",
        "employees": "Employees",
        "output": "Output",
        "land": "Land",
        "score": "Score",
        "confidence": "Confidence",
        "km2": "km²",
        "yi": "100 M yuan",
        "mu": "mu",
        "people": "",
        "dot_note": "dot area proportional to output",
        "zone_note": "coloured by first leading industry",
        "sources": "Sources",
        "default_title": "Industrial layout overview",
        "sep": ": ",
        "list_sep": ", ",
        "site": "Site",
        "rank": "Rank",
        "ha": "ha",
        "mean_score": "Mean score",
        "min_score": "Minimum score",
        "zone": "Cluster zone",
        "outside_zones": "outside cluster zones",
        "county": "County",
        "stability": "Stability",
        "stable": "stable",
        "unstable": "unstable",
        "not_run": "sensitivity not run",
        "contributions": "Contribution of each criterion (points)",
        "suitability": "Suitability score",
        "suitability_title": "suitability and recommended sites",
        "score_range": "0 = worst, 100 = best",
        "excluded": "Excluded (hard constraint)",
        "exclusions": "Exclusion reasons",
        "exclusion_note": "coloured by first reason; click the map for all reasons",
        "click_note": "click anywhere on the map for the score or exclusion reasons there",
        "outside": "outside the study area",
        "several": "one or more of",
        "top_contributions": "top contributions",
        "grid_note": "(~{m} m grid)",
        "points": "points",
        "legal_basis": "legal basis",
        "site_labels": "Site numbers",
        "sites_note": "numbered by rank within the industry",
        "bars": "Site popup: contribution bars",
        "bars_note": "coloured by criterion group; click a site to see them",
        "other_criteria": "other criteria",
    },
}

#: Transport line kinds: style (Leaflet path options) and labels.
LINE_KINDS: dict[str, tuple[dict[str, Any], str, str]] = {
    "expressway": ({"color": "#c51b7d", "weight": 3.0, "opacity": 0.9}, "高速公路", "Expressway"),
    "main_road": ({"color": "#e08214", "weight": 1.5, "opacity": 0.8}, "主干道", "Main road"),
    "railway": (
        {"color": "#252525", "weight": 2.0, "opacity": 0.9, "dashArray": "6 4"},
        "铁路",
        "Railway",
    ),
}
UNKNOWN_LINE: tuple[dict[str, Any], str, str] = (
    {"color": "#737373", "weight": 1.0, "opacity": 0.8},
    "其他线路",
    "Other line",
)

#: Transport point kinds: colour, radius (px), labels.
POINT_KINDS: dict[str, tuple[str, float, str, str]] = {
    "airport": ("#08306b", 7.0, "机场", "Airport"),
    "rail_station": ("#3f007d", 6.0, "铁路客运站", "Railway station"),
    "freight_rail": ("#67000d", 6.0, "铁路货运站", "Rail freight terminal"),
    "interchange": ("#c51b7d", 3.5, "高速互通", "Expressway interchange"),
}
UNKNOWN_POINT = ("#525252", 4.0, "其他节点", "Other node")

#: Bar colours of criterion contributions, by criterion group (`layout.model.criteria.GROUPS`).
CRITERION_GROUP_COLORS: dict[str, str] = {
    "agglomeration": "#e6550d",
    "clustering": "#756bb1",
    "intensive": "#31a354",
    "access": "#3182bd",
    "terrain": "#8c6d31",
}
UNKNOWN_GROUP_COLOR = "#737373"

#: Colour map of suitability scores (matplotlib name), the same in HTML and PNG maps.
SCORE_CMAP = "viridis"
#: Excluded cells: light fill and darker hatch lines.
EXCLUDED_FILL = "#d9d9d9"
EXCLUDED_HATCH = "#969696"

URBAN_COLOR = "#8c8c8c"
BOUNDARY_COLOR = "#252525"
COUNTY_COLOR = "#7f7f7f"
NO_LEADING_COLOR = "#bdbdbd"
SITE_STROKE = "#000000"


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"zh"`` or ``"en"``, else raise `ValueError`."""
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


def industry_order(codes: set[str] | list[str]) -> list[str]:
    """Order industry codes: the seven priority industries, then unknown codes, then ``other``."""
    present = set(codes)
    ordered = [c for c in PRIORITY_CODES if c in present]
    ordered += sorted(present - set(PRIORITY_CODES) - {OTHER})
    if OTHER in present:
        ordered.append(OTHER)
    return ordered


def industry_label(code: str, lang: str) -> tuple[str, str]:
    """Return ``(name, colour)`` of an industry code; unknown codes and ``other`` are grey."""
    if code == OTHER:
        return ("其他产业" if lang == "zh" else "Other industries"), OTHER_COLOR
    try:
        ind = load_catalog().industry(code)
    except UnknownIndustryError:
        return code, OTHER_COLOR
    return (ind.name_zh if lang == "zh" else ind.name_en), ind.color


def constraint_style(kind: str, lang: str) -> tuple[str, str, str]:
    """Return ``(colour, label, hatch)`` of a hard-constraint type (`CONSTRAINT_TYPES`)."""
    known = CONSTRAINT_TYPES.get(kind)
    ctype = known or UNKNOWN_CONSTRAINT
    label = ctype.label(lang)
    if known is None:
        label = f"{label} ({kind})"
    return ctype.color, label, ctype.hatch


def industry_title(code: str, lang: str) -> str:
    """Heading of an industry map: ``汽车及装备制造 · 适宜性与推荐选址``.

    Examples
    --------
    >>> industry_title("auto", "en")
    'Automobiles and equipment: suitability and recommended sites'
    """
    name = industry_label(code, lang)[0]
    sep = " · " if lang == "zh" else ": "
    return f"{name}{sep}{TEXT[lang]['suitability_title']}"
