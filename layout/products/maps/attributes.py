"""Attribute values of map features read as numbers, names and text.

Data files leave cells empty, NaN or of the wrong type; these helpers turn any cell into what a
tooltip, popup or label shows, never raising on a missing value.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

__all__ = ["date_text", "feature_name", "fmt", "number", "split_codes"]


def fmt(value: Any, digits: int = 1) -> str:
    """Format a number with thousands separators, or return '' for missing values.

    Examples
    --------
    >>> fmt(12345.678), fmt("3", 0), fmt(None), fmt(float("nan"))
    ('12,345.7', '3', '', '')
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(x):
        return ""
    return f"{x:,.{digits}f}"


def number(value: Any) -> float:
    """``value`` as a float, NaN when missing or not a number.

    Examples
    --------
    >>> number("2.5"), number(None)
    (2.5, nan)
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x


def feature_name(row: pd.Series, lang: str, *fallbacks: str) -> str:
    """The feature's name in ``lang`` (``name_zh``/``name_en``), else the first fallback found.

    Examples
    --------
    >>> row = pd.Series({"name_zh": "", "name_en": "Zhongyuan", "adcode": "410102"})
    >>> feature_name(row, "zh", "adcode")
    'Zhongyuan'
    """
    order = ["name_zh", "name_en"] if lang == "zh" else ["name_en", "name_zh"]
    for col in [*order, "name", *fallbacks]:
        value = row.get(col)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            text = str(value).strip()
            if text:
                return text
    return ""


def split_codes(cell: Any) -> list[str]:
    """Split a comma-separated list of codes (``"auto,food"``); empty or missing gives [].

    Examples
    --------
    >>> split_codes("auto, food,"), split_codes(float("nan"))
    (['auto', 'food'], [])
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    return [c.strip() for c in str(cell).split(",") if c.strip()]


def date_text(date: str | dt.date | None) -> str:
    """The date shown next to a map title: ISO for a `datetime.date`, '' for None."""
    return date.isoformat() if isinstance(date, dt.date) else (date or "")
