"""亩均效益评价: the firm indicators, the grading schemes and the ``[efficiency]`` table.

Chinese industry departments grade every industrial firm A/B/C/D by what it yields per mu of
land and per unit of energy (亩均效益评价, "judge firms by output per mu"); C and D firms' land
is the 低效工业用地 that redevelopment targets.  Two schemes are declared here and computed by
`layout.analysis.efficiency`:

``zhengzhou2018`` (the default)
    Zhengzhou's 2018 rule for zone firms, as the domain brief states it: **A** = in the top half
    by composite score *and* the top 15 % by 亩均税收 (tax per mu); **C** = in the bottom half by
    score *and* the lowest 10 % by 单位能耗总产值 (output per unit of energy).  The brief gives
    only A and C; the project's reading (an interpretation, stated in every output) is:
    **D** = a C firm that is also in the lowest 10 % by tax per mu (failing on both land and
    energy: 整治淘汰); **B** = every other graded firm.  The 2018 composite had six main
    indicators (亩均税收, 亩均主营业务收入, 亩均利润, ...) plus bonus items; the data model has no
    profit, so the composite here is the weighted score of ``weights`` (interpretation).
``weighted``
    The weighted scheme other Henan cities use: the composite score of ``weights`` (default
    45/20/15/15/5 over 亩均税收, 亩均销售收入, 单位能耗增加值, 研发经费投入强度, 全员劳动生产率),
    A = top 25 %, B = down to 70 %, C = down to 95 %, D = the bottom 5 % (``cutoffs``).

The composite score: each indicator becomes a percentile score among the graded firms
(100 x its average rank / n, ascending, ties sharing their average rank), and the score is the
weighted mean of those (0-100].  Shares count firms: a firm is in the top ``q`` of a value when
fewer than ``q x n`` graded firms have a strictly larger value (ties stay together), in the
bottom ``q`` when fewer than ``q x n`` have a strictly smaller one.

Firms on less land than ``min_land_mu`` (Henan's 2019 method covers smaller firms from 5 mu)
and firms missing a value an indicator needs are not graded; each is listed with its reason.

Examples
--------
>>> EfficiencyOptions().scheme, EfficiencyOptions().min_land_mu
('zhengzhou2018', 5.0)
>>> sorted(EfficiencyOptions().weights)[:2]
['labour_productivity', 'rd_share']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from layout.model.table import Number, Table

#: Names of the firm indicators.
IndicatorName = Literal[
    "tax_per_mu", "revenue_per_mu", "output_per_mu", "va_per_mu", "output_per_energy",
    "va_per_energy", "rd_share", "labour_productivity",
]
#: Grading schemes.
SchemeName = Literal["zhengzhou2018", "weighted"]
SCHEMES: tuple[str, ...] = get_args(SchemeName)
#: Grades, best first.
GRADES: tuple[str, ...] = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Indicator:
    """One firm indicator: ``numerator / denominator`` of enterprise columns (or one column)."""

    name: str
    label_zh: str
    label_en: str
    unit: str
    numerator: str
    denominator: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The enterprise columns the indicator reads."""
        return (self.numerator,) if self.denominator is None else (self.numerator,
                                                                    self.denominator)


#: The indicators, declared once (labels and units for tables and maps).
INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("tax_per_mu", "亩均税收", "tax per mu", "万元/亩", "tax_wan", "land_mu"),
        Indicator("revenue_per_mu", "亩均营业收入", "revenue per mu", "万元/亩", "revenue_wan",
                  "land_mu"),
        Indicator("output_per_mu", "亩均产值", "output per mu", "万元/亩", "output_wan",
                  "land_mu"),
        Indicator("va_per_mu", "亩均增加值", "value added per mu", "万元/亩", "value_added_wan",
                  "land_mu"),
        Indicator("output_per_energy", "单位能耗产值", "output per unit of energy", "万元/吨标煤",
                  "output_wan", "energy_tce"),
        Indicator("va_per_energy", "单位能耗增加值", "value added per unit of energy",
                  "万元/吨标煤", "value_added_wan", "energy_tce"),
        Indicator("rd_share", "研发经费投入强度", "R&D share of revenue", "share", "rd_share"),
        Indicator("labour_productivity", "全员劳动生产率", "value added per employee",
                  "万元/人", "value_added_wan", "employees"),
    )
}
assert set(INDICATORS) == set(get_args(IndicatorName))

#: The common Henan weighting (45/20/15/15/5), the default composite of both schemes.
DEFAULT_WEIGHTS: dict[IndicatorName, float] = {
    "tax_per_mu": 45.0, "revenue_per_mu": 20.0, "va_per_energy": 15.0, "rd_share": 15.0,
    "labour_productivity": 5.0,
}


class EfficiencyOptions(Table):
    """The ``[efficiency]`` table of a plan (module docstring for the schemes).

    Attributes
    ----------
    scheme
        ``"zhengzhou2018"`` or ``"weighted"``.
    weights
        Composite-score weights by indicator (any positive scale; normalised).
    cutoffs
        ``weighted``: the A/B/C upper shares in percent of graded firms (A top 25 %, B to 70 %,
        C to 95 %, D the rest).
    top_score, top_tax
        ``zhengzhou2018`` A: top shares (0-1) by score and by tax per mu.
    bottom_score, bottom_energy
        ``zhengzhou2018`` C: bottom shares by score and by output per unit of energy.
    bottom_tax
        ``zhengzhou2018`` D (interpretation): the share by tax per mu below which a C firm is D.
    min_land_mu
        Firms on less land are not graded (mu).
    """

    scheme: SchemeName = "zhengzhou2018"
    weights: dict[IndicatorName, Annotated[Number, Field(ge=0)]] = Field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS))
    cutoffs: Annotated[list[Number], Field(min_length=3, max_length=3)] = Field(
        default_factory=lambda: [25.0, 70.0, 95.0])
    top_score: Annotated[Number, Field(gt=0, le=1)] = 0.5
    top_tax: Annotated[Number, Field(gt=0, le=1)] = 0.15
    bottom_score: Annotated[Number, Field(gt=0, le=1)] = 0.5
    bottom_energy: Annotated[Number, Field(gt=0, le=1)] = 0.10
    bottom_tax: Annotated[Number, Field(ge=0, le=1)] = 0.10
    min_land_mu: Annotated[Number, Field(ge=0)] = 5.0

    @field_validator("weights")
    @classmethod
    def _some_weight(cls, value: dict[str, float]) -> dict[str, float]:
        if not any(w > 0 for w in value.values()):
            raise PydanticCustomError("no_weight", "at least one weight must be > 0")
        return {k: float(w) for k, w in value.items() if w > 0}

    @field_validator("cutoffs")
    @classmethod
    def _increasing(cls, value: list[float]) -> list[float]:
        if not 0 < value[0] < value[1] < value[2] < 100:
            raise PydanticCustomError(
                "cutoffs", "{value}: must increase strictly between 0 and 100",
                {"value": list(value)})
        return value

    def indicators(self) -> tuple[str, ...]:
        """Every indicator the scheme reads: the weighted ones, plus the A/C/D rules'."""
        extra = ("tax_per_mu", "output_per_energy") if self.scheme == "zhengzhou2018" else ()
        return tuple(dict.fromkeys([*self.weights, *extra]))
