"""The verdict of a site check: its thresholds (`VerdictRules`) and the reasons behind it.

`reasons_for` lists every finding about a checked parcel, most serious first; `verdict_of` turns
them into the verdict.

Verdict rules (`VerdictRules`, every threshold a keyword)
---------------------------------------------------------
``unsuitable`` when any of

* a constraint type the plan excludes overlaps more than ``max_overlap_share`` (5 %) of the
  parcel or more than ``max_overlap_mu`` (15 mu, 1 ha), or all excluding types together do;
* the mean score is below ``score_floor`` (15), or below ``score_unsuitable`` (25) while the
  parcel lies outside every zone (less than ``min_zone_share``, 50 %, inside one);

``conditional`` when none of those holds but any of

* a smaller excluding overlap of at least ``sliver_mu`` (0.15 mu, 100 m²: below that it is
  reported as a sliver within the precision of the boundaries; the plan excludes a cell at the
  same tolerance, `layout.model.constraints.SLIVER_MU`), or any overlap of a constraint
  type the plan does not exclude;
* part of the parcel (more than ``outside_tolerance``, 0.1 %) lies outside the study area;
* the parcel lies outside every zone, only partly in one, or in a zone whose leading
  industries do not include this one;
* the parcel lies mostly in a zone, but the part outside that zone is more than
  ``zone_outside_share`` (5 %) of the parcel or more than ``zone_outside_mu`` (15 mu, 1 ha);
  a smaller part of at least ``sliver_mu`` is reported (``info``) as within the tolerance;
* the checked industry ranks below the top ``max_industry_rank`` (3) of the priority industries
  by mean score on the parcel (place → industries);
* the mean score is below ``score_conditional`` (40, about the 80th percentile of every
  industry's scores on the embedded data);
* the project fails an indicator of its zone's standard land (标准地, the plan's
  ``[zones.<id>.standard]``: a contractual commitment); a standard the project gives no value
  for is reported (``info``) to be written into the land contract;
* a land indicator fails its mandatory control value (约束性: FAR, building coverage,
  administrative share, green ratio); a recommended one (推荐性: investment, output and tax per
  mu) that falls short is reported (``info``) without changing the verdict;

``suitable`` otherwise. Better alternatives and better-suited industries are reported
(severity ``info``) but never change the verdict: they inform, the rules decide.

Why these thresholds: farmland and red lines are binding (土地管理法, 三条控制线), but boundaries of
planning layers drawn at 1:10,000 carry metres of error, so only overlaps above a sliver count,
and only large ones (5 % or one hectare: more than a boundary adjustment can resolve) rule a
parcel out. Zone inconsistency and failing indicators are fixable by the applicant (a 三规合一
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from layout.data.parcels import MAX_OUTSIDE_SHARE, MAX_REPAIR_CHANGE
from layout.model.constraints import SLIVER_MU
from layout.products.sitecheck.results import (
    KINDS,
    SEVERITIES,
    Reason,
    SiteCheck,
    constraint_labels,
)

if TYPE_CHECKING:
    from layout.model.catalog import Catalog


@dataclass(frozen=True)
class VerdictRules:
    """Thresholds of the verdict (module docstring: what each does and why).

    Examples
    --------
    >>> VerdictRules().max_overlap_share, VerdictRules(max_overlap_mu=5).max_overlap_mu
    (0.05, 5)
    """

    max_overlap_share: float = 0.05
    max_overlap_mu: float = 15.0
    sliver_mu: float = SLIVER_MU  # the plan's tolerance too (layout.model.constraints)
    min_zone_share: float = 0.5
    score_conditional: float = 40.0
    score_unsuitable: float = 25.0
    score_floor: float = 15.0
    outside_tolerance: float = 0.001
    max_outside_share: float = MAX_OUTSIDE_SHARE
    max_repair_change: float = MAX_REPAIR_CHANGE
    alt_margin: float = 10.0
    max_alternatives: int = 5
    min_cell_cover: float = 0.1
    zone_outside_share: float = 0.05
    zone_outside_mu: float = 15.0
    max_industry_rank: int = 3

    def to_dict(self) -> dict[str, float]:
        """The thresholds by name."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _name_zh(catalog: Catalog, code: str) -> str:
    """The Chinese name of an industry code (the code itself when the catalog lacks it)."""
    try:
        return catalog.industry(code).name_zh
    except KeyError:
        return code


#: Compass directions in Chinese.
_DIR_ZH = {"N": "北", "NE": "东北", "E": "东", "SE": "东南", "S": "南", "SW": "西南", "W": "西",
           "NW": "西北"}


def _pct(share: float) -> str:
    return f"{100 * share:.1f} %"


def reasons_for(
    s: SiteCheck, *, catalog: Catalog, rules: VerdictRules, radius_m: float, from_plan: bool
) -> list[Reason]:
    """Every finding about a checked parcel, most serious first (module docstring).

    Parameters
    ----------
    s
        The parcel's check; its ``verdict`` and ``reasons`` are not read.
    catalog
        The industry catalog (names of the checked industry).
    rules
        The thresholds.
    radius_m
        The search radius of the alternatives (messages).
    from_plan
        True when the alternatives are sites of a plan, not areas of the score raster.

    Returns
    -------
    list of Reason
        Sorted by severity (`SEVERITIES`), then kind (`KINDS`).
    """
    out: list[Reason] = []
    ind = catalog.industry(s.industry)
    name = f"{ind.name_en} ({ind.code})"
    name_zh = ind.name_zh

    def add(severity: str, kind: str, code: str, en: str, zh: str) -> None:
        out.append(Reason(severity, kind, code, en, zh))

    # study area
    if s.outside_share > rules.outside_tolerance:
        add("conditional", "study_area", "partly_outside",
            f"{_pct(s.outside_share)} of the parcel lies outside the study area "
            "(the plan's boundary): that part is outside this plan's jurisdiction",
            f"地块 {_pct(s.outside_share)} 位于规划研究范围之外，该部分不在本规划管辖范围内")

    # constraints
    for c in s.constraints:
        zh, en = constraint_labels(c.type)
        ids = ", ".join(f.constraint_id for f in c.features if f.constraint_id)
        detail = f" [{ids}]" if ids else ""
        basis = f"; legal basis: {c.legal_basis}" if c.legal_basis else ""
        basis_zh = f"；依据：{c.legal_basis}" if c.legal_basis else ""
        head = f"overlaps {en} ({zh}): {c.area_mu:,.1f} mu, {_pct(c.share)} of the parcel{detail}"
        head_zh = f"与{zh}重叠 {c.area_mu:,.1f} 亩，占地块面积 {_pct(c.share)}{detail}"
        if c.area_mu < rules.sliver_mu:
            add("info", "constraint", "constraint_sliver",
                f"{head} -- a sliver within the precision of the boundaries{basis}",
                f"{head_zh}，属边界精度范围内的细碎重叠{basis_zh}")
        elif not c.excluding:
            add("conditional", "constraint", "constraint_overlap_not_excluded",
                f"{head} -- not excluded by this plan; the authority for it must agree{basis}",
                f"{head_zh}，本规划未将其作为禁止建设要素，须征得主管部门同意{basis_zh}")
        elif c.share > rules.max_overlap_share or c.area_mu > rules.max_overlap_mu:
            add("unsuitable", "constraint", "constraint_overlap",
                f"{head} -- more than {100 * rules.max_overlap_share:g} % or "
                f"{rules.max_overlap_mu:g} mu of a hard constraint{basis}",
                f"{head_zh}，超过刚性约束容许值（{100 * rules.max_overlap_share:g} % 或 "
                f"{rules.max_overlap_mu:g} 亩）{basis_zh}")
        else:
            add("conditional", "constraint", "constraint_overlap_small",
                f"{head} -- the boundary must be adjusted to leave it out{basis}",
                f"{head_zh}，须调整用地边界予以避让{basis_zh}")
    n_excl = sum(
        c.excluding and c.type != "steep_slope" and c.area_mu >= rules.sliver_mu
        for c in s.constraints
    )
    if n_excl > 1 and (
        s.excluded_overlap_share > rules.max_overlap_share
        or s.excluded_overlap_mu > rules.max_overlap_mu
    ) and not any(r.code == "constraint_overlap" for r in out):
        add("unsuitable", "constraint", "constraints_total",
            f"hard constraints together cover {s.excluded_overlap_mu:,.1f} mu, "
            f"{_pct(s.excluded_overlap_share)} of the parcel",
            f"各类刚性约束合计覆盖 {s.excluded_overlap_mu:,.1f} 亩，占地块面积 "
            f"{_pct(s.excluded_overlap_share)}")
    if not s.constraints:
        add("ok", "constraint", "no_constraint",
            "overlaps no hard constraint (三区三线, water sources, reserves, flood zones, "
            "steep ground)",
            "未占用三区三线及饮用水水源保护区、自然保护地、蓄滞洪区、陡坡等刚性约束")

    # zone
    in_zone = s.zone is not None and s.zone.share >= rules.min_zone_share
    if s.zone is None:
        add("conditional", "zone", "outside_zones",
            "lies outside every cluster zone (产业集聚区): new industrial land outside the "
            "designated zones goes against infill first (集约)",
            "地块位于各产业集聚区之外：在集聚区外新增工业用地不符合集约用地、优先盘活区内存量的要求")
    else:
        z = s.zone
        zname = f"{z.name_zh} ({z.name_en})" if z.name_en else z.name_zh
        leads = ", ".join(z.leading) or "none designated"
        leads_zh = "、".join(_name_zh(catalog, c) for c in z.leading) or "未确定"
        if not in_zone:
            add("conditional", "zone", "partly_in_zone",
                f"only {_pct(z.share)} of the parcel lies in {zname}; the rest is outside "
                "every cluster zone",
                f"地块仅 {_pct(z.share)} 位于{z.name_zh}内，其余部分在各产业集聚区之外")
        else:
            out_mu = max(s.area_mu - z.area_mu, 0.0)
            out_share = max(1.0 - z.share, 0.0)
            head = f"{_pct(out_share)} of the parcel ({out_mu:,.1f} mu) lies outside {zname}"
            head_zh = f"地块 {_pct(out_share)}（{out_mu:,.1f} 亩）位于{z.name_zh}范围之外"
            if out_share > rules.zone_outside_share or out_mu > rules.zone_outside_mu:
                add("conditional", "zone", "partly_outside_zone",
                    f"{head}: more than {100 * rules.zone_outside_share:g} % or "
                    f"{rules.zone_outside_mu:g} mu; the parcel or the zone boundary must be "
                    "adjusted before the land is supplied",
                    f"{head_zh}，超过容许值（{100 * rules.zone_outside_share:g} % 或 "
                    f"{rules.zone_outside_mu:g} 亩），供地前须调整用地范围或集聚区边界")
            elif out_mu >= rules.sliver_mu:
                add("info", "zone", "zone_edge_sliver",
                    f"{head}: within the tolerance ({100 * rules.zone_outside_share:g} % and "
                    f"{rules.zone_outside_mu:g} mu)",
                    f"{head_zh}，在容许范围内（{100 * rules.zone_outside_share:g} % 且 "
                    f"{rules.zone_outside_mu:g} 亩）")
        if in_zone and z.industry_leading:
            add("ok", "zone", "leading",
                f"lies in {zname} ({_pct(z.share)} of the parcel); {ind.code} is among its "
                f"leading industries ({leads}): consistent with the zone plan (三规合一)",
                f"位于{z.name_zh}（占地块 {_pct(z.share)}），{name_zh}属该区主导产业"
                f"（{leads_zh}），符合集聚区规划（三规合一）")
        elif in_zone:
            add("conditional", "zone", "not_leading",
                f"lies in {zname} ({_pct(z.share)} of the parcel), but {ind.code} is not "
                f"among its leading industries ({leads}): needs a consistency review against "
                "the zone plan (三规合一)",
                f"位于{z.name_zh}（占地块 {_pct(z.share)}），但{name_zh}不属该区主导产业"
                f"（{leads_zh}），须进行规划符合性审查（三规合一）")

    # suitability
    su = s.suitability
    top = "; ".join(f"{c.criterion} {c.points:.1f}" for c in su.contributions[:3])
    top_zh = "；".join(f"{c.label_zh} {c.points:.1f}" for c in su.contributions[:3])
    score_text = (
        f"suitability for {name}: mean {su.mean:.1f}, minimum {su.min:.1f}, percentile "
        f"{su.percentile:.1f} of the study area's eligible cells (largest contributions: {top})"
    )
    score_zh = (
        f"{name_zh}适宜性评分：均值 {su.mean:.1f}，最低 {su.min:.1f}，位于研究区可建设栅格的第 "
        f"{su.percentile:.1f} 百分位（主要贡献：{top_zh}）"
    )
    if not np.isfinite(su.mean):
        add("unsuitable", "score", "no_score",
            "no score: the parcel covers no cell of the study area",
            "无评分：地块未覆盖研究区任何栅格")
    elif su.mean < rules.score_floor:
        add("unsuitable", "score", "very_low_score",
            f"{score_text} -- below {rules.score_floor:g}",
            f"{score_zh}，低于 {rules.score_floor:g}")
    elif su.mean < rules.score_unsuitable and not in_zone:
        add("unsuitable", "score", "low_score_outside_zones",
            f"{score_text} -- below {rules.score_unsuitable:g} outside the zones",
            f"{score_zh}，位于集聚区外且低于 {rules.score_unsuitable:g}")
    elif su.mean < rules.score_conditional:
        add("conditional", "score", "low_score",
            f"{score_text} -- below {rules.score_conditional:g}",
            f"{score_zh}，低于 {rules.score_conditional:g}")
    else:
        add("ok", "score", "score", score_text, score_zh)

    # indicators
    if s.indicators is not None:
        for chk in s.indicators:
            mandatory = chk.threshold.kind == "mandatory"
            if chk.passed:
                add("ok", "indicator", "indicator_pass", chk.message, chk.message_zh)
            elif mandatory:
                add("conditional", "indicator", "indicator_fail", chk.message, chk.message_zh)
            else:  # a recommended indicator (推荐性, 2023) informs, it does not bind
                add("info", "indicator", "indicator_below_recommended",
                    f"{chk.message} -- a recommended indicator",
                    f"{chk.message_zh}（推荐性指标）")

    # the zone's standard land (标准地)
    for sc in s.standard or ():
        sign = "≥" if sc.op == ">=" else "≤"
        want = f"{sign} {sc.standard:g}{(' ' + sc.unit) if sc.unit else ''}"
        src = f" ({sc.source})" if sc.source else ""
        src_zh = f"（{sc.source}）" if sc.source else ""
        if sc.passed is None:
            add("info", "indicator", "standard_missing",
                f"the standard land of zone {sc.zone_id} sets {sc.label_en} {want}{src}; the "
                "project gives no value: write it into the land contract",
                f"{sc.zone_id} 标准地要求{sc.label_zh} {want}{src_zh}，项目未提供该值，"
                "应在供地合同中约定")
        elif sc.passed:
            add("ok", "indicator", "standard_pass",
                f"{sc.label_en} {sc.value:g} meets the standard land of zone {sc.zone_id} "
                f"({want}){src}",
                f"{sc.label_zh} {sc.value:g}，符合 {sc.zone_id} 标准地要求（{want}）{src_zh}")
        else:
            add("conditional", "indicator", "standard_fail",
                f"{sc.label_en} {sc.value:g} fails the standard land of zone {sc.zone_id} "
                f"({want}){src}",
                f"{sc.label_zh} {sc.value:g}，不符合 {sc.zone_id} 标准地要求（{want}）{src_zh}")

    # place -> industries
    checked = next((x for x in s.industries if x.checked), None)
    better = [x for x in s.industries if not x.checked and checked is not None
              and x.mean_score >= checked.mean_score + rules.alt_margin]
    ranking = ", ".join(f"{x.code} {x.mean_score:.1f}" for x in s.industries)
    ranking_zh = "、".join(f"{x.name_zh} {x.mean_score:.1f}" for x in s.industries)
    place = checked.rank if checked is not None else 0
    n_ind = len(s.industries)
    low = place > rules.max_industry_rank
    if low:
        above = ", ".join(x.code for x in s.industries if x.rank < place)
        above_zh = "、".join(x.name_zh for x in s.industries if x.rank < place)
        add("conditional", "industries", "ranked_low",
            f"{s.industry} ranks {_ordinal(place)} of {n_ind} industries on this parcel, "
            f"below the top {rules.max_industry_rank} ({above} suit it better): the project's "
            f"fit to this land needs a review (ranking by mean score: {ranking})",
            f"{name_zh}在本地块 {n_ind} 个产业中排第 {place} 位，未进入前 "
            f"{rules.max_industry_rank} 位（{above_zh}更适宜），须复核项目与用地的匹配性"
            f"（按评分均值排序：{ranking_zh}）")
    if better:
        add("info", "industries", "better_industries",
            f"this parcel suits {', '.join(x.code for x in better)} clearly better "
            f"(ranking by mean score: {ranking})",
            f"本地块明显更适宜{'、'.join(x.name_zh for x in better)}（按评分均值排序："
            f"{ranking_zh}）")
    elif not low:
        add("ok", "industries", "ranking",
            f"{s.industry} ranks {_ordinal(place)} of {n_ind} industries on this parcel, none "
            f"clearly better (ranking by mean score: {ranking})",
            f"{name_zh}在本地块 {n_ind} 个产业中排第 {place} 位，无明显更适宜的产业"
            f"（按评分均值排序：{ranking_zh}）")

    # alternatives
    what = "site of the plan" if from_plan else "area"
    what_zh = "规划选址" if from_plan else "地块"
    if s.alternatives:
        a = s.alternatives[0]
        dir_zh = _DIR_ZH.get(a.direction, "")
        add("info", "alternatives", "alternatives",
            f"{_plural(len(s.alternatives), 'clearly better ' + what)} within "
            f"{radius_m / 1000:g} km (score ≥ parcel mean + {rules.alt_margin:g}); "
            f"nearest {a.distance_m / 1000:.1f} km {a.direction}: a {a.area_mu:,.0f} "
            f"mu site scoring {a.mean_score:.1f} (+{a.gain:.1f})",
            f"{radius_m / 1000:g} 公里范围内有 {len(s.alternatives)} 处明显更优的{what_zh}"
            f"（评分 ≥ 本地块均值 + {rules.alt_margin:g}）；最近一处位于{dir_zh}"
            f"方向 {a.distance_m / 1000:.1f} 公里，面积 {a.area_mu:,.0f} 亩，评分 "
            f"{a.mean_score:.1f}（+{a.gain:.1f}）")
    else:
        add("ok", "alternatives", "no_alternatives",
            f"no {what} within {radius_m / 1000:g} km scores clearly higher "
            f"(parcel mean + {rules.alt_margin:g})",
            f"{radius_m / 1000:g} 公里范围内无评分明显更高的{what_zh}（本地块均值 + "
            f"{rules.alt_margin:g}）")
    sev = {v: k for k, v in enumerate(SEVERITIES)}
    kind = {v: k for k, v in enumerate(KINDS)}
    return sorted(out, key=lambda r: (sev[r.severity], kind[r.kind]))


def verdict_of(reasons: Sequence[Reason]) -> str:
    """The verdict the most serious reason sets (``info`` and ``ok`` reasons never count).

    Examples
    --------
    >>> verdict_of([Reason("info", "alternatives", "alternatives", "a better site nearby")])
    'suitable'
    >>> verdict_of([Reason("conditional", "zone", "outside_zones", "outside every zone")])
    'conditional'
    """
    severities = {r.severity for r in reasons}
    if "unsuitable" in severities:
        return "unsuitable"
    if "conditional" in severities:
        return "conditional"
    return "suitable"
