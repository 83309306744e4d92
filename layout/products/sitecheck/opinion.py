"""The site opinion an officer can file: a `report_dict` document as fixed sections, zh or en.

`opinion` turns the JSON document into what the Markdown (`layout.products.sitecheck.markdown`)
and HTML (`layout.products.sitecheck.page`) documents print, in Chinese (``zh``, the default:
what goes into a 审查意见) or English (``en``), with the same structure in both. Each parcel
gets the sections of `SECTIONS`, in that order:

1. 项目基本信息 / Project
2. 用地位置与面积 / Location and area
3. 规划符合性 / Conformity with the plans (zone, its leading industries, the land-use code when
   the check had a land-use layer — 无 / none otherwise)
4. 三区三线及其他刚性约束 / Hard constraints (overlaps in mu and share, legal basis, article:
   `layout.products.sitecheck.legal`)
5. 适宜性评价 / Suitability (score, percentile, main criteria, place → industries)
6. 用地控制指标 / Land-use control indicators (the project's values against the national
   control indicators, or the control indicators alone)
7. 结论与建议 / Conclusion (verdict, conditions, better sites nearby)
8. 数据来源与可信度 / Data sources and confidence (layers, their confidence, data version; a
   statement when the constraint layers are illustrative)
9. 审查日期 / Date of review

Everything here is text: the renderers escape it (Markdown: `escape_markdown`; HTML: `inert`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from layout.products.sitecheck.document import format_number as num
from layout.products.sitecheck.legal import articles
from layout.products.sitecheck.results import constraint_labels

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

_VERDICT = {
    "zh": {"suitable": "适宜", "conditional": "有条件适宜", "unsuitable": "不适宜"},
    "en": {"suitable": "suitable", "conditional": "conditional", "unsuitable": "unsuitable"},
}
_SEVERITY = {
    "zh": {"unsuitable": "不适宜", "conditional": "附条件", "info": "提示", "ok": "符合"},
    "en": {"unsuitable": "unsuitable", "conditional": "condition", "info": "note", "ok": "ok"},
}
_DIRECTION_ZH = {"N": "北", "NE": "东北", "E": "东", "SE": "东南", "S": "南", "SW": "西南",
                 "W": "西", "NW": "西北", "": ""}

# Every fixed text of the opinion: key -> (zh, en).
_T: dict[str, tuple[str, str]] = {
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
    zh, en = _T[key]
    return (zh if lang == "zh" else en).format(**values)


def check_lang(lang: str) -> str:
    """``lang`` if it is one of `LANGS`; else a ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: give one of {', '.join(LANGS)}")
    return lang


def _pct(share: Any, digits: int = 1) -> str:
    return num(None if share is None else 100 * float(share), digits)


def _reason(r: Mapping[str, Any], lang: str) -> str:
    return str(r.get("message_zh") or r["message"]) if lang == "zh" else str(r["message"])


def _names(document: Mapping[str, Any], p: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Industry code -> name in ``lang`` (from the parcel's ranking)."""
    key = "name_zh" if lang == "zh" else "name_en"
    return {x["code"]: x[key] for x in p["industries"]}


def _section(key: str, lang: str, **parts: Any) -> dict[str, Any]:
    zh, en = SECTIONS[key]
    return {"key": key, "title": zh if lang == "zh" else en, "rows": parts.get("rows", []),
            "tables": parts.get("tables", []), "notes": parts.get("notes", [])}


def _table(header: list[str], rows: list[list[str]], caption: str = "",
           wide: bool = False) -> dict[str, Any]:
    """A table of a section; ``wide`` ones span the page when printed in two columns."""
    return {"caption": caption, "header": header, "rows": rows,
            "wide": wide or len(header) > 6}


def parcel_sections(
    document: Mapping[str, Any], p: Mapping[str, Any], *, lang: str, date: str
) -> list[dict[str, Any]]:
    """The sections of one parcel's opinion (`SECTIONS`, in order)."""

    def t(key: str, /, **values: Any) -> str:
        return text(key, lang, **values)

    ind = document["industry"]
    names = _names(document, p, lang)
    ind_name = ind["name_zh"] if lang == "zh" else ind["name_en"]
    verdict = _VERDICT[lang][p["verdict"]]
    out = []
    out.append(_section("project", lang, rows=[
        [t("parcel_id"), p["parcel_id"]],
        [t("industry"), f"{ind_name} ({ind['code']})"],
        [t("verdict"), verdict],
        [t("plan"), document["plan"]["name"] if lang == "zh"
         else document["plan"].get("name_en") or document["plan"]["name"]],
        [t("rules"), t("rules_text", schema=document["schema_version"])],
    ]))
    out.append(_section("location", lang, rows=[
        [t("centroid"), f"{p['lon']:.6f} E, {p['lat']:.6f} N"],
        [t("area"), t("area_text", mu=num(p["area_mu"]), ha=num(p["area_ha"], 2))],
        [t("outside_study"), f"{_pct(p['study_area']['outside_share'])} %"],
    ], notes=list(p["warnings"])))

    z = p["zone"]
    rows = []
    if z is None:
        rows.append([t("zone"), t("zone_none")])
    else:
        zname = z["name_zh"] if lang == "zh" or not z["name_en"] else z["name_en"]
        sep = "、" if lang == "zh" else ", "
        leading = sep.join(names.get(c, c) for c in z["leading"]) or t("none")
        out_mu = max(float(p["area_mu"]) - float(z["area_mu"]), 0.0)
        rows += [
            [t("zone"), t("zone_share", name=zname, pct=_pct(z["share"]))],
            [t("leading"), leading],
            [t("is_leading"), t("yes") if z["industry_leading"] else t("no")],
            [t("outside_zone"), t("area_text", mu=num(out_mu), ha=num(out_mu / 15, 2))
             + f"; {_pct(1 - float(z['share']))} %"],
        ]
        others = [f"{o['zone_id']} ({_pct(o['share'])} %)" for o in p["zones"][1:]]
        if others:
            rows.append([t("other_zones"), ", ".join(others)])
    lu = p.get("landuse")
    if lu:
        code = lu.get("code", "") if isinstance(lu, Mapping) else str(lu)
        label = lu.get("name_zh" if lang == "zh" else "name_en", "") if isinstance(
            lu, Mapping) else ""
        rows.append([t("landuse"), f"{code} {label}".strip()])
    else:
        rows.append([t("landuse"), t("landuse_none")])
    out.append(_section("planning", lang, rows=rows))  # the zone's reasons: section 7

    label_key = "label_zh"
    c_rows = []
    for c in p["constraints"]:
        arts = articles(c["type"])
        art = "；".join(a.cite(lang) for a in arts) if arts else t("article_none")
        label = c[label_key] if lang == "zh" else constraint_labels(c["type"])[1]
        c_rows.append([
            label, t("yes") if c["excluding"] else t("no"), num(c["area_mu"], 2),
            f"{_pct(c['share'], 2)} %", c["legal_basis"], art,
            ", ".join(f["constraint_id"] for f in c["features"]),
        ])
    if c_rows:
        tables = [_table([t("c_type"), t("c_excluding"), t("c_area"), t("c_share"),
                          t("c_basis"), t("c_article"), t("c_features")], c_rows)]
        notes = [t("c_total", mu=num(p["excluded_overlap"]["area_mu"], 2),
                   pct=_pct(p["excluded_overlap"]["share"], 2))]
        out.append(_section("constraints", lang, tables=tables, notes=notes))
    else:
        out.append(_section("constraints", lang, notes=[t("c_clear")]))

    su = p["suitability"]
    crit_rows = [
        [c["label_zh"] if lang == "zh" else c["label_en"], num(c["weight"], 3),
         num(c["value"], 2), num(c["points"], 2)]
        for c in su["contributions"][:5]
    ]
    sep = "、" if lang == "zh" else ", "
    ranking = sep.join(f"{x['rank']}. {names[x['code']]} {num(x['mean_score'])}"
                       for x in p["industries"])
    s_rows = [
        [t("s_mean"), num(su["mean"])],
        [t("s_min"), num(su["min"])],
        [t("s_pct"), num(su["percentile"], 1)],
        [t("s_elig"), f"{_pct(su['eligible_share'])} %"],
    ]
    s_rows.append([t("ranking"), ranking])
    out.append(_section(
        "suitability", lang, rows=s_rows,
        tables=[_table([t("crit"), t("weight"), t("value"), t("points")], crit_rows)],
    ))

    label = "label_zh" if lang == "zh" else "label"

    def bound(c: Mapping[str, Any], key: str) -> str:
        return f"{'≥' if c['op'] == '>=' else '≤'} {_value(c['field'], c[key])}"

    def kind(c: Mapping[str, Any]) -> str:
        return t(c.get("kind", "mandatory"))

    def grade(c: Mapping[str, Any]) -> str:
        g = str(c["confidence"])
        return g + ("; " + t("unverified_2023") if c.get("confidence_2023") == "unverified"
                    else "")

    def clause(c: Mapping[str, Any]) -> str:
        extra = c.get("clause_2023") or ""
        return f"{c['source']}; 2023: {extra}" if extra else str(c["source"])

    if p["indicators"] is not None:
        i_rows = [
            [c.get(label, c["label"]), kind(c), _value(c["field"], c["value"]),
             bound(c, "threshold"), _value(c["field"], c.get("value_2008")),
             t("pass") if c["passed"] else t("fail"), clause(c), grade(c)]
            for c in p["indicators"]
        ]
        tables = [_table([t("i_name"), t("i_kind"), t("i_value"), t("i_control"),
                          t("i_2008"), t("i_result"), t("i_source"), t("i_conf")], i_rows)]
        notes = []
        rows_for = p["indicators"]
    else:
        rows_for = document.get("controls", [])
        tables = [_table(
            [t("i_name"), t("i_kind"), t("i_control"), t("i_2008"), t("i_source"), t("i_conf")],
            [[c.get(label, c["label"]), kind(c), bound(c, "value"),
              _value(c["field"], c.get("value_2008")), clause(c), grade(c)]
             for c in rows_for], wide=True,
        )]
        notes = [t("i_none")]
    if any(c.get("confidence_2023") == "unverified" for c in rows_for):
        notes.append(t("d_unverified"))
    std = p.get("standard")
    if std:
        lab = "label_zh" if lang == "zh" else "label_en"
        s_rows = [
            [c[lab], "–" if c["value"] is None else f"{c['value']:g}",
             f"{'≥' if c['op'] == '>=' else '≤'} {c['standard']:g} {c['unit']}".strip(),
             "–" if c["national"] is None else f"{c['national']:g}",
             t("i_missing") if c["passed"] is None else t("pass") if c["passed"]
             else t("fail")]
            for c in std
        ]
        source = std[0]["source"]
        tables.append(_table(
            [t("i_name"), t("i_value"), t("std_value"), t("std_national"), t("i_result")],
            s_rows, caption=t("std_caption", zone=std[0]["zone_id"]) + (
                f" — {source}" if source else "")))
    out.append(_section("indicators", lang, tables=tables, notes=notes))

    conds = [f"[{_SEVERITY[lang][r['severity']]}] {_reason(r, lang)}" for r in p["reasons"]
             if r["severity"] in ("unsuitable", "conditional")]
    infos = [_reason(r, lang) for r in p["reasons"] if r["severity"] == "info"]
    km = f"{document['radius_m'] / 1000:g}"
    alt_rows = [
        [a["site_id"], f"{num(a['distance_m'] / 1000, 1)} km "
         f"{_DIRECTION_ZH.get(a['direction'], '') if lang == 'zh' else a['direction']}",
         num(a["area_mu"], 0), num(a["mean_score"]), f"+{num(a['gain'])}", a["zone_id"]]
        for a in p["alternatives"]
    ]
    tables = []
    if alt_rows:
        tables.append(_table([t("a_site"), t("a_dist"), t("a_area"), t("a_score"),
                              t("a_gain"), t("zone")], alt_rows, caption=t("alts")))
    rows = [[t("verdict"), verdict]]
    if not conds:
        rows.append([t("conditions"), t("conditions_none")])
    notes = conds + infos + ([] if alt_rows else [t("alts_none", km=km)])
    out.append(_section("conclusion", lang, rows=rows, tables=tables, notes=notes))

    data = document.get("data") or {}
    d_rows = [[d["layer"], ", ".join(d["confidence"]) or "–", d["source"]]
              for d in data.get("layers", [])]
    notes = []
    if data.get("illustrative_constraints"):
        notes.append(t("d_illustrative"))
    out.append(_section("data", lang, rows=[
        [t("d_version"), t("d_version_text", version=data.get("version", "–"),
                           pkg=data.get("package_version", "–"),
                           cache=str(data.get("cache_key", document["plan"]["cache_key"]))[:16])],
    ], tables=[_table([t("d_layer"), t("d_conf"), t("d_source")], d_rows, wide=True)],
        notes=notes))
    out.append(_section("date", lang, rows=[[SECTIONS["date"][0 if lang == "zh" else 1], date]]))
    return out


def _value(field: str, value: Any) -> str:
    """An indicator value: shares in %, investment in 万元/亩, ratios as they are."""
    from layout.data.indicators import FIELDS, PER_MU

    if value is None:
        return "–"
    if field in FIELDS and FIELDS[field][2]:
        return f"{_pct(value)} %"
    if field in PER_MU:
        return f"{num(value, 0)} 万元/亩"
    return f"{float(value):g}"


def opinion(
    document: Mapping[str, Any], *, lang: str = "zh", date: str | dt.date | None = None
) -> dict[str, Any]:
    """The opinion of a `report_dict` document: title, summary table and sections per parcel.

    Parameters
    ----------
    document
        The JSON document.
    lang
        ``zh`` (default) or ``en``.
    date
        The date of review (ISO text or a date); today when None.
    """
    lang = check_lang(lang)
    day = (date if isinstance(date, str) else (date or dt.date.today()).isoformat())
    ind = document["industry"]
    ind_name = ind["name_zh"] if lang == "zh" else ind["name_en"]
    summary = [
        [p["parcel_id"], _VERDICT[lang][p["verdict"]], num(p["area_mu"]),
         (p["zone"] or {}).get("zone_id", "–"), num(p["suitability"]["mean"]),
         _reason(p["reasons"][0], lang) if p["reasons"] else ""]
        for p in document["parcels"]
    ]
    header = [text(k, lang) for k in ("parcel_id", "verdict", "area_mu", "zone", "s_mean",
                                      "main_reason")]
    return {
        "lang": lang,
        "date": day,
        "title": f"{text('title', lang)}：{ind_name}（{ind['code']}）" if lang == "zh"
        else f"{text('title', lang)}: {ind_name} ({ind['code']})",
        "summary_title": text("summary", lang),
        "summary": _table(header, summary),
        "parcel_word": text("parcel", lang),
        "parcels": [
            {"parcel_id": p["parcel_id"], "verdict": p["verdict"],
             "verdict_text": _VERDICT[lang][p["verdict"]],
             "sections": parcel_sections(document, p, lang=lang, date=day)}
            for p in document["parcels"]
        ],
    }
