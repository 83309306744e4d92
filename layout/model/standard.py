"""标准地 (standard land): the indicator set a cluster zone attaches to its industrial land.

Under the 标准地 reform a zone publishes, for land it supplies, the indicators a project must
commit to in the land contract — investment intensity, floor-area ratio, tax per mu, energy
use and emissions. A plan may set them per zone::

    [zones.airport.standard]
    investment_per_mu_wan = 400    # 固定资产投资强度 ≥, 万元 per mu
    far_min = 1.2                  # 容积率 ≥
    tax_per_mu_wan = 30            # 亩均税收 ≥, 万元 per mu
    energy_tce_per_wan = 0.3       # 单位能耗 ≤, tonnes of standard coal per 万元 of output
    emission_t_per_wan = 0.01      # 排放强度 ≤, tonnes of main pollutants per 万元 of output
    source = "航空港区标准地控制性指标（2023）"

`STANDARD_FIELDS` declares each indicator once: the project's field it is compared with (the
names of `layout.data.indicators.FIELDS`, and two more), the comparison and the labels.
"""

from __future__ import annotations

from typing import Annotated

from layout.model.table import Number, Table, Text, in_range

#: Standard-land indicators: key -> (project field, op, label_zh, label_en, unit).
STANDARD_FIELDS: dict[str, tuple[str, str, str, str, str]] = {
    "investment_per_mu_wan": ("investment_per_mu_wan", ">=", "投资强度", "investment intensity",
                              "万元/亩"),
    "far_min": ("far", ">=", "容积率", "floor-area ratio", ""),
    "tax_per_mu_wan": ("tax_per_mu_wan", ">=", "亩均税收", "tax per mu", "万元/亩"),
    "energy_tce_per_wan": ("energy_tce_per_wan", "<=", "单位能耗", "energy per output",
                           "吨标准煤/万元"),
    "emission_t_per_wan": ("emission_t_per_wan", "<=", "排放强度", "emissions per output",
                           "吨/万元"),
}

_Positive = Annotated[Number, in_range(0.0, lo_open=True)]


class ZoneStandard(Table):
    """``[zones.<id>.standard]``: a zone's standard-land indicators (all optional)."""

    investment_per_mu_wan: _Positive | None = None
    far_min: Annotated[Number, in_range(0.0, 10.0, lo_open=True)] | None = None
    tax_per_mu_wan: _Positive | None = None
    energy_tce_per_wan: _Positive | None = None
    emission_t_per_wan: _Positive | None = None
    source: Text = ""

    def values(self) -> dict[str, float]:
        """The indicators the zone sets, by key of `STANDARD_FIELDS`."""
        return {k: float(v) for k in STANDARD_FIELDS if (v := getattr(self, k)) is not None}


class ZoneSection(Table):
    """``[zones.<id>]``: what a plan sets for one cluster zone."""

    standard: ZoneStandard | None = None
