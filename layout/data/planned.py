"""The project's planned values a parcel file carries in its own columns (`parcel_values`).

A land department's parcel file often has the project's planned figures beside the boundary:
容积率, 建筑系数, 投资强度, 亩均产值, 亩均税收, 单位能耗, 排放强度. `PARCEL_COLUMNS` names the
columns read (the field names of `layout.data.indicators.FIELDS` and their Chinese names); the
site check compares them with the national control indicators and with the zone's standard land
(标准地, `layout.model.standard`). An indicators file (``--indicators``) takes precedence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from layout.data.indicators import FIELDS, parse_value

#: Columns read as the project's planned values, by field (the first present is read).
PARCEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "far": ("far", "planned_far", "容积率"),
    "building_coverage": ("building_coverage", "建筑系数"),
    "admin_share": ("admin_share", "行政办公及生活服务设施用地所占比重"),
    "green_ratio": ("green_ratio", "绿地率"),
    "investment_per_mu_wan": ("investment_per_mu_wan", "investment", "投资强度",
                              "固定资产投资强度"),
    "output_per_mu_wan": ("output_per_mu_wan", "output", "亩均产值", "土地产出率"),
    "tax_per_mu_wan": ("tax_per_mu_wan", "tax", "亩均税收", "土地税收"),
    "energy_tce_per_wan": ("energy_tce_per_wan", "单位能耗"),
    "emission_t_per_wan": ("emission_t_per_wan", "排放强度"),
}
#: Fields only a zone's standard land asks for, beside `FIELDS`: (label, unit).
EXTRA_FIELDS: dict[str, tuple[str, str]] = {
    "energy_tce_per_wan": ("energy per output", "tce/万元"),
    "emission_t_per_wan": ("emissions per output", "t/万元"),
}


def parcel_values(
    rows: Sequence[Mapping[str, Any]], ids: Sequence[str], *, source: str = "parcels"
) -> dict[str, dict[str, float]]:
    """The planned values a parcel file carries in its own columns (`PARCEL_COLUMNS`).

    Parameters
    ----------
    rows
        The parcels' attributes, in the order of ``ids``.
    ids
        The parcel ids.
    source
        The file's name, for messages.

    Returns
    -------
    dict
        ``{parcel_id: {field: value}}`` with the fields whose column is present and not empty
        for that parcel (empty when the file has none of the columns).

    Raises
    ------
    IndicatorError
        A value that is not a number, negative, or a share above 1; naming the file, the
        parcel and the column.

    Examples
    --------
    >>> parcel_values([{"容积率": "1.5", "亩均税收": None}, {"容积率": 0.9}], ["P1", "P2"])
    {'P1': {'far': 1.5}, 'P2': {'far': 0.9}}
    """
    out: dict[str, dict[str, float]] = {}
    for pid, row in zip(ids, rows, strict=True):
        values: dict[str, float] = {}
        for name, columns in PARCEL_COLUMNS.items():
            col = next((c for c in columns if c in row), None)
            if col is None:
                continue
            raw = row[col]
            if raw is None or (isinstance(raw, float) and math.isnan(raw)) or (
                    isinstance(raw, str) and not raw.strip()):
                continue
            where = f"{source}, parcel {pid}, column {col!r}"
            share = FIELDS[name][2] if name in FIELDS else False
            values[name] = parse_value(raw, field=name, where=where, share=share)
        out[pid] = values
    return out
