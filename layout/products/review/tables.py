"""The shapes of the review tables: criterion contributions and text columns.

`site_contributions`, `explain_site` and `parcel_contributions` all give a contributions table
(`CONTRIBUTION_COLUMNS`, built by `contribution_frame`); `compare_allocations` and
`confidence_summary` read text columns with `text_column`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from layout.errors import ConfigError
from layout.model.criteria import CRITERIA, contribution_group, contribution_label

#: Columns of a contributions table (`site_contributions`, `explain_site`,
#: `parcel_contributions`).
CONTRIBUTION_COLUMNS: tuple[str, ...] = ("criterion", "group", "label", "contribution", "share")


def check_lang(lang: str) -> None:
    """Refuse a label language other than ``"en"`` and ``"zh"`` (`ConfigError`)."""
    if lang not in ("en", "zh"):
        raise ConfigError(f"lang = {lang!r}: use 'en' or 'zh'")


def criterion_label(name: str, lang: str) -> str:
    """A criterion's label in ``lang`` (`layout.model.criteria.contribution_label`)."""
    return contribution_label(name, lang)


def criterion_group(name: str) -> str:
    """A criterion's group (`layout.model.criteria.contribution_group`)."""
    return contribution_group(name)


def contribution_frame(values: Mapping[str, float], lang: str) -> pd.DataFrame:
    """Rows of finite contributions, largest first (ties in `CRITERIA` order).

    Examples
    --------
    >>> contribution_frame({"slope": 5.0, "density": 15.0, "airport": float("nan")}, "en")
      criterion          group                  label  contribution  share
    0   density  agglomeration  same-industry density          15.0   0.75
    1     slope        terrain                  slope           5.0   0.25
    """
    order = {name: i for i, name in enumerate(CRITERIA)}
    items = [(k, float(v)) for k, v in values.items() if v is not None and math.isfinite(v)]
    items.sort(key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0]))
    total = sum(v for _, v in items)
    return pd.DataFrame(
        {
            "criterion": [k for k, _ in items],
            "group": [criterion_group(k) for k, _ in items],
            "label": [criterion_label(k, lang) for k, _ in items],
            "contribution": [v for _, v in items],
            "share": [v / total if total else math.nan for _, v in items],
        },
        columns=list(CONTRIBUTION_COLUMNS),
    )


def text_column(df: pd.DataFrame, column: str) -> pd.Series:
    """A column as text, missing values (and a missing column) as ``""``.

    Examples
    --------
    >>> text_column(pd.DataFrame({"a": ["x", None]}), "a").tolist()
    ['x', '']
    >>> text_column(pd.DataFrame({"a": ["x", None]}), "b").tolist()
    ['', '']
    """
    if column not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    values = df[column].astype(object)
    return values.where(values.notna(), "").astype(str)
