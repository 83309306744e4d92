"""The site opinion an officer can file: a `report_dict` document as fixed sections, zh or en.

`opinion` turns the JSON document into what the Markdown (`layout.products.sitecheck.markdown`)
and HTML (`layout.products.sitecheck.page`) documents print, in Chinese (``zh``, the default:
what goes into a 审查意见) or English (``en``), with the same structure in both. Each parcel
gets the sections of `SECTIONS`, in that order:

1. 项目基本信息 / Project
2. 用地位置与面积 / Location and area
3. 规划符合性 / Conformity with the plans (zone, its leading industries; the parcel's land-use
   codes by area, dominant first, in mu and share, with their schema, when the check had a
   land-use layer — 无 / none otherwise)
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from layout.products.sitecheck.document import format_number as num
from layout.products.sitecheck.legal import articles
from layout.products.sitecheck.opinion_text import (
    DIRECTIONS_ZH,
    LANGS,
    SECTIONS,
    SEVERITY_WORDS,
    VERDICT_WORDS,
    text,
)
from layout.products.sitecheck.results import constraint_labels


def check_lang(lang: str) -> str:
    """``lang`` if it is one of `LANGS`; else a ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: give one of {', '.join(LANGS)}")
    return lang


def _pct(share: Any, digits: int = 1) -> str:
    return num(None if share is None else 100 * float(share), digits)


def _reason(r: Mapping[str, Any], lang: str) -> str:
    return str(r.get("message_zh") or r["message"]) if lang == "zh" else str(r["message"])


def _section(key: str, lang: str, **parts: Any) -> dict[str, Any]:
    zh, en = SECTIONS[key]
    return {"key": key, "title": zh if lang == "zh" else en, "rows": parts.get("rows", []),
            "tables": parts.get("tables", []), "notes": parts.get("notes", [])}


def _table(header: list[str], rows: list[list[str]], caption: str = "",
           wide: bool = False) -> dict[str, Any]:
    """A table of a section; ``wide`` ones span the page when printed in two columns."""
    return {"caption": caption, "header": header, "rows": rows,
            "wide": wide or len(header) > 6}


@dataclass(frozen=True)
class _Ctx:
    """What every section builder reads: the document, the parcel, the language, the date."""

    document: Mapping[str, Any]
    p: Mapping[str, Any]
    lang: str
    date: str

    def t(self, key: str, /, **values: Any) -> str:
        """A fixed text in the language (`text`)."""
        return text(key, self.lang, **values)

    @property
    def names(self) -> dict[str, str]:
        """Industry code -> name in the language (from the parcel's ranking)."""
        key = "name_zh" if self.lang == "zh" else "name_en"
        return {x["code"]: x[key] for x in self.p["industries"]}

    @property
    def verdict(self) -> str:
        """The parcel's verdict in the language."""
        return VERDICT_WORDS[self.lang][self.p["verdict"]]


def _s_project(cx: _Ctx) -> dict[str, Any]:
    document, p, lang, t, verdict = cx.document, cx.p, cx.lang, cx.t, cx.verdict
    ind = document["industry"]
    ind_name = ind["name_zh"] if lang == "zh" else ind["name_en"]
    return _section("project", lang, rows=[
        [t("parcel_id"), p["parcel_id"]],
        [t("industry"), f"{ind_name} ({ind['code']})"],
        [t("verdict"), verdict],
        [t("plan"), document["plan"]["name"] if lang == "zh"
         else document["plan"].get("name_en") or document["plan"]["name"]],
        [t("rules"), t("rules_text", schema=document["schema_version"])],
    ])


def _s_location(cx: _Ctx) -> dict[str, Any]:
    p, lang, t = cx.p, cx.lang, cx.t
    return _section("location", lang, rows=[
        [t("centroid"), f"{p['lon']:.6f} E, {p['lat']:.6f} N"],
        [t("area"), t("area_text", mu=num(p["area_mu"]), ha=num(p["area_ha"], 2))],
        [t("outside_study"), f"{_pct(p['study_area']['outside_share'])} %"],
    ], notes=list(p["warnings"]))


def _s_planning(cx: _Ctx) -> dict[str, Any]:
    p, lang, t, names = cx.p, cx.lang, cx.t, cx.names
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
    rows += _landuse_rows(p.get("landuse"), lang)
    # the zone's reasons are in section 7
    return _section("planning", lang, rows=rows)


def _landuse_rows(lu: Any, lang: str) -> list[list[str]]:
    """The land-use codes by area (``landuse`` of a parcel), or 无 / none."""
    if lu is None:
        return [[text("landuse", lang), text("landuse_none", lang)]]
    if not lu:
        return [[text("landuse", lang), text("landuse_empty", lang)]]
    parts = []
    for u in lu:
        name = u["name_zh"] if lang == "zh" else (u.get("name_en") or u["name_zh"])
        parts.append(text("landuse_item", lang, code=u["code"], name=name,
                          mu=num(u["area_mu"], 2), pct=_pct(u["share"])))
    titles = list(dict.fromkeys(str(u["schema_title"]) for u in lu))
    return [[text("landuse", lang), ("；" if lang == "zh" else "; ").join(parts)],
            [text("landuse_schema", lang), ", ".join(titles)]]


def _s_constraints(cx: _Ctx) -> dict[str, Any]:
    p, lang, t = cx.p, cx.lang, cx.t
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
        return _section("constraints", lang, tables=tables, notes=notes)
    return _section("constraints", lang, notes=[t("c_clear")])


def _s_suitability(cx: _Ctx) -> dict[str, Any]:
    p, lang, t, names = cx.p, cx.lang, cx.t, cx.names
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
    return _section(
        "suitability", lang, rows=s_rows,
        tables=[_table([t("crit"), t("weight"), t("value"), t("points")], crit_rows)],
    )


def _s_indicators(cx: _Ctx) -> dict[str, Any]:
    document, p, lang, t = cx.document, cx.p, cx.lang, cx.t
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
    return _section("indicators", lang, tables=tables, notes=notes)


def _s_conclusion(cx: _Ctx) -> dict[str, Any]:
    document, p, lang, t, verdict = cx.document, cx.p, cx.lang, cx.t, cx.verdict
    conds = [f"[{SEVERITY_WORDS[lang][r['severity']]}] {_reason(r, lang)}" for r in p["reasons"]
             if r["severity"] in ("unsuitable", "conditional")]
    infos = [_reason(r, lang) for r in p["reasons"] if r["severity"] == "info"]
    km = f"{document['radius_m'] / 1000:g}"
    alt_rows = [
        [a["site_id"], f"{num(a['distance_m'] / 1000, 1)} km "
         f"{DIRECTIONS_ZH.get(a['direction'], '') if lang == 'zh' else a['direction']}",
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
    return _section("conclusion", lang, rows=rows, tables=tables, notes=notes)


def _s_data(cx: _Ctx) -> dict[str, Any]:
    document, lang, t = cx.document, cx.lang, cx.t
    data = document.get("data") or {}
    d_rows = [[d["layer"], ", ".join(d["confidence"]) or "–", d["source"]]
              for d in data.get("layers", [])]
    notes = []
    if data.get("illustrative_constraints"):
        notes.append(t("d_illustrative"))
    return _section("data", lang, rows=[
        [t("d_version"), t("d_version_text", version=data.get("version", "–"),
                           pkg=data.get("package_version", "–"),
                           cache=str(data.get("cache_key", document["plan"]["cache_key"]))[:16])],
    ], tables=[_table([t("d_layer"), t("d_conf"), t("d_source")], d_rows, wide=True)],
        notes=notes)


def _s_date(cx: _Ctx) -> dict[str, Any]:
    lang, date = cx.lang, cx.date
    return _section("date", lang, rows=[[SECTIONS["date"][0 if lang == "zh" else 1], date]])


#: The builder of each section.
_BUILDERS: dict[str, Callable[[_Ctx], dict[str, Any]]] = {
    "project": _s_project,
    "location": _s_location,
    "planning": _s_planning,
    "constraints": _s_constraints,
    "suitability": _s_suitability,
    "indicators": _s_indicators,
    "conclusion": _s_conclusion,
    "data": _s_data,
    "date": _s_date,
}


def parcel_sections(
    document: Mapping[str, Any], p: Mapping[str, Any], *, lang: str, date: str
) -> list[dict[str, Any]]:
    """The sections of one parcel's opinion (`SECTIONS`, in order)."""
    cx = _Ctx(document, p, lang, date)
    return [_BUILDERS[key](cx) for key in SECTIONS]


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
        [p["parcel_id"], VERDICT_WORDS[lang][p["verdict"]], num(p["area_mu"]),
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
             "verdict_text": VERDICT_WORDS[lang][p["verdict"]],
             "sections": parcel_sections(document, p, lang=lang, date=day)}
            for p in document["parcels"]
        ],
    }
