"""The words of the site opinion (`layout.products.sitecheck.opinion`), in zh and en.

Section titles, verdicts, severities, compass points and every fixed text (`text`).
"""

from __future__ import annotations

from typing import Any

#: Languages of the opinion.
LANGS: tuple[str, ...] = ("zh", "en")
#: The sections of each parcel's opinion, in order: key -> (zh, en) title.
SECTIONS: dict[str, tuple[str, str]] = {
    "project": ("项目基本信息", "Project"),
    "location": ("用地位置与面积", "Location and area"),
    "planning": ("规划符合性", "Conformity with the plans"),
    "constraints": ("三区三线及其他刚性约束",
                    "Three zones and three lines (三区三线) and other hard constraints"),
    "suitability": ("适宜性评价", "Suitability"),
    "indicators": ("用地控制指标", "Land-use control indicators"),
    "conclusion": ("结论与建议", "Conclusion and recommendations"),
    "data": ("数据来源与可信度", "Data sources and confidence"),
    "date": ("审查日期", "Date of review"),
}

VERDICT_WORDS = {
    "zh": {"suitable": "适宜", "conditional": "有条件适宜", "unsuitable": "不适宜"},
    "en": {"suitable": "suitable", "conditional": "conditional", "unsuitable": "unsuitable"},
}
SEVERITY_WORDS = {
    "zh": {"unsuitable": "不适宜", "conditional": "附条件", "info": "提示", "ok": "符合"},
    "en": {"unsuitable": "unsuitable", "conditional": "condition", "info": "note", "ok": "ok"},
}
DIRECTIONS_ZH = {"N": "北", "NE": "东北", "E": "东", "SE": "东南", "S": "南", "SW": "西南",
                 "W": "西", "NW": "西北", "": ""}

#: Every fixed text of the opinion: key -> (zh, en).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("建设项目用地选址审查意见", "Site opinion on an industrial project's land"),
    "summary": ("审查结果汇总", "Summary"),
    "parcel": ("地块", "Parcel"),
    "parcel_id": ("地块编号", "Parcel id"),
    "industry": ("拟建项目产业", "Industry of the project"),
    "verdict": ("审查结论", "Verdict"),
    "plan": ("依据规划", "Plan"),
    "rules": ("审查规则", "Rules"),
    "rules_text": ("layout check-site 判定规则（见 docs/sitecheck.md），数据结构版本 {schema}",
                   "layout check-site verdict rules (docs/sitecheck.md), schema {schema}"),
    "centroid": ("地块中心点（WGS84）", "Centroid (WGS84)"),
    "area": ("用地面积", "Area"),
    "area_text": ("{mu} 亩（{ha} 公顷）", "{mu} mu ({ha} ha)"),
    "outside_study": ("研究范围外面积占比", "Share outside the study area"),
    "zone": ("所在产业集聚区", "Cluster zone"),
    "zone_none": ("不在任何产业集聚区内", "outside every cluster zone"),
    "zone_share": ("{name}（占地块 {pct} %）", "{name} ({pct} % of the parcel)"),
    "leading": ("集聚区主导产业", "Leading industries of the zone"),
    "is_leading": ("本项目是否属主导产业", "Is the project's industry a leading one"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "outside_zone": ("集聚区范围外部分", "Part outside the zone"),
    "other_zones": ("涉及的其他集聚区", "Other zones overlapped"),
    "landuse": ("土地利用现状/规划用途（用地代码）", "Land use (land-use code)"),
    "none": ("无", "none"),
    "landuse_none": ("无（本次审查未提供土地利用图层）",
                     "none (the check had no land-use layer)"),
    "landuse_empty": ("无（地块未压覆土地利用图斑）", "none (the parcel meets no land-use patch)"),
    "landuse_item": ("{code} {name} {mu} 亩（{pct} %）", "{code} {name} {mu} mu ({pct} %)"),
    "landuse_schema": ("用地分类标准", "Land-use classification"),
    "c_type": ("约束类型", "Constraint"),
    "c_excluding": ("本规划禁止建设", "Excluded by the plan"),
    "c_area": ("重叠面积（亩）", "Overlap (mu)"),
    "c_share": ("占地块比例", "Share of the parcel"),
    "c_basis": ("法律依据", "Legal basis"),
    "c_article": ("条款", "Article"),
    "c_features": ("涉及图斑", "Features"),
    "article_none": ("未列明条款（条款号待核实）", "article not given (to be verified)"),
    "c_total": ("禁止建设约束合计（去重）：{mu} 亩，占 {pct} %",
                "Excluding constraints together (merged): {mu} mu, {pct} %"),
    "c_clear": ("未占用三区三线（永久基本农田、生态保护红线）及饮用水水源保护区、自然保护地、"
                "蓄滞洪区、陡坡等刚性约束。",
                "Overlaps no hard constraint: neither the three zones and three lines "
                "(permanent basic farmland, ecological red line) nor water-source zones, "
                "reserves, flood zones or steep ground."),
    "s_mean": ("适宜性评分（均值）", "Suitability score (mean)"),
    "s_min": ("最低评分", "Minimum score"),
    "s_pct": ("在研究区可建设用地中的百分位", "Percentile among the study area's eligible land"),
    "s_elig": ("可建设部分占比", "Eligible share"),
    "crit": ("评价因子", "Criterion"),
    "weight": ("权重", "Weight"),
    "value": ("因子值（0–1）", "Value (0–1)"),
    "points": ("贡献分", "Points"),
    "ranking": ("各重点产业在本地块的评分排序", "Priority industries ranked on this parcel"),
    "i_name": ("指标", "Indicator"),
    "i_value": ("项目值", "Project value"),
    "i_control": ("控制值", "Control value"),
    "i_result": ("结论", "Result"),
    "i_source": ("依据与条款", "Source and clause"),
    "i_kind": ("类别", "Kind"),
    "i_missing": ("未提供", "not given"),
    "std_caption": ("{zone} 标准地指标", "Standard land (标准地) of zone {zone}"),
    "std_value": ("标准地要求", "Zone standard"),
    "std_national": ("国家控制值", "National value"),
    "i_2008": ("2008年值", "2008 value"),
    "mandatory": ("约束性", "mandatory"),
    "recommended": ("推荐性", "recommended"),
    "unverified_2023": ("2023年数值待核实", "2023 figure unverified"),
    "i_conf": ("可信度", "Confidence"),
    "pass": ("符合", "meets"),
    "fail": ("不符合", "fails"),
    "i_none": ("申请未提供项目用地指标；国家控制指标如下，供地时应在出让合同中约定。",
               "The application gives no land indicators; the national control indicators "
               "below are to be written into the land-supply contract."),
    "conditions": ("须满足的条件及理由", "Conditions and reasons"),
    "conditions_none": ("无附加条件。", "No conditions."),
    "notes": ("提示", "Notes"),
    "alts": ("附近更优选址", "Better sites nearby"),
    "alts_none": ("{km} 公里范围内无评分明显更高的选址。",
                  "No site within {km} km scores clearly higher."),
    "a_site": ("选址", "Site"),
    "a_dist": ("距离与方位", "Distance and direction"),
    "a_area": ("面积（亩）", "Area (mu)"),
    "a_score": ("评分", "Score"),
    "a_gain": ("提高", "Gain"),
    "d_layer": ("图层", "Layer"),
    "d_source": ("来源文件", "Source file"),
    "d_conf": ("可信度", "Confidence"),
    "d_version": ("数据版本", "Data version"),
    "d_version_text": ("输入数据 SHA-256 {version}；软件 zz-layout {pkg}；评分缓存 {cache}",
                       "inputs SHA-256 {version}; zz-layout {pkg}; score cache {cache}"),
    "d_illustrative": ("声明：本次审查使用的刚性约束图层为示意数据（可信度 illustrative），"
                       "仅用于演示审查流程，不能替代自然资源主管部门正式划定的三区三线等成果；"
                       "正式审查须以官方矢量数据重新核验。",
                       "Statement: the hard-constraint layers of this check are illustrative "
                       "(confidence: illustrative); they show how the check works and do not "
                       "replace the official three-zones-three-lines data of the natural "
                       "resources authority; a formal review must re-run on official data."),
    "d_unverified": ("注：《工业项目建设用地控制指标》（2023年修订）中标注“待核实”的数值尚未与原文"
                     "逐条核对，本意见暂以2008年版（国土资发〔2008〕24号）数值或目录参考值审查，"
                     "使用前请以现行文件为准。",
                     "Note: figures of the 2023 revision marked unverified have not been checked "
                     "against its text; this opinion uses the 2008 values "
                     "(国土资发〔2008〕24号) or the catalog's reference values instead. Confirm "
                     "them before use."),
    "area_mu": ("面积（亩）", "Area (mu)"),
    "main_reason": ("主要理由", "Main reason"),
}


def text(key: str, lang: str, /, **values: Any) -> str:
    """A fixed text of the opinion in ``lang``, formatted with ``values``."""
    zh, en = TEXTS[key]
    return (zh if lang == "zh" else en).format(**values)
