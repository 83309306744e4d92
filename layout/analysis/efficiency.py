"""亩均效益评价: per-firm indicators and A/B/C/D grades under a plan's ``[efficiency]`` scheme.

The schemes, indicators and rules are declared in `layout.model.efficiency`; the ranks and
shares are `layout.core.shares` kernels.  `grade_firms` takes the enterprises layer (or any
frame with its columns) and returns it with one column per indicator, the composite ``score``,
the ``grade`` and, for a firm it cannot grade, the ``reason``.  `grade_table` sums the grades
and the land and tax behind them by zone, county or industry.

Examples
--------
>>> import pandas as pd
>>> firms = pd.DataFrame({"tax_wan": [10.0, 40.0], "land_mu": [10.0, 2.0]})
>>> opts = EfficiencyOptions(scheme="weighted", weights={"tax_per_mu": 1})
>>> grade_firms(firms, options=opts)[["tax_per_mu", "grade", "reason"]].to_dict("list")
{'tax_per_mu': [1.0, 20.0], 'grade': ['A', ''], 'reason': ['', 'land 2 mu < 5 mu']}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from layout.core.shares import count_above, in_bottom, in_top, percentile_scores
from layout.errors import ConfigError
from layout.model.efficiency import GRADES, INDICATORS, EfficiencyOptions, IndicatorName

logger = logging.getLogger(__name__)

__all__ = ["grade_firms", "grade_table", "indicator_values"]

#: Grade columns a table of `grade_table` carries, with the ungraded firms last.
UNGRADED = "ungraded"


def indicator_values(firms: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """The indicators ``names`` of each firm (NaN where a value is missing or a divisor is 0).

    Raises
    ------
    ConfigError
        When the frame lacks a column an indicator reads.
    """
    missing = sorted({c for n in names for c in INDICATORS[n].columns} - set(firms.columns))
    if missing:
        needs = {c: [n for n in names if c in INDICATORS[n].columns] for c in missing}
        raise ConfigError(
            "enterprises: no column " + ", ".join(
                f"{c!r} (needed by {', '.join(needs[c])})" for c in missing)
            + "; add it to the layer or set [efficiency] weights without those indicators")
    out = {}
    for name in names:
        ind = INDICATORS[name]
        num = pd.to_numeric(firms[ind.numerator], errors="coerce").astype(float)
        if ind.denominator is None:
            out[name] = num
        else:
            den = pd.to_numeric(firms[ind.denominator], errors="coerce").astype(float)
            out[name] = num / den.where(den > 0)
    return pd.DataFrame(out, index=firms.index)


def _reasons(firms: pd.DataFrame, values: pd.DataFrame, min_land_mu: float) -> pd.Series:
    """Why each firm cannot be graded ('' when it can)."""
    land = pd.to_numeric(firms["land_mu"], errors="coerce")
    reason = pd.Series("", index=firms.index, dtype=object)
    for name in values.columns:
        ind = INDICATORS[name]
        for col in ind.columns:
            col_v = pd.to_numeric(firms[col], errors="coerce")
            bad = col_v.isna() | ((col_v <= 0) & (col == ind.denominator))
            text = np.where(col_v.isna(), f"missing {col}", f"{col} is 0")
            new = bad & (reason == "")
            reason[new] = text[new.to_numpy()]
    small = (reason == "") & (land < min_land_mu)
    reason[small] = pd.Series([f"land {v:g} mu < {min_land_mu:g} mu" for v in land[small]],
                              index=land[small].index, dtype=object)
    return reason


def _composite(values: pd.DataFrame, weights: Mapping[IndicatorName, float]) -> np.ndarray:
    """Weighted mean of the percentile scores of the weighted indicators."""
    total = sum(weights.values())
    score = np.zeros(len(values))
    for name, w in weights.items():
        score += w / total * percentile_scores(values[name].to_numpy(float))
    return score


def _zhengzhou(values: pd.DataFrame, score: np.ndarray, o: EfficiencyOptions) -> np.ndarray:
    tax = values["tax_per_mu"].to_numpy(float)
    energy = values["output_per_energy"].to_numpy(float)
    a = in_top(score, o.top_score) & in_top(tax, o.top_tax)
    c = in_bottom(score, o.bottom_score) & in_bottom(energy, o.bottom_energy)
    d = c & in_bottom(tax, o.bottom_tax)  # interpretation (layout.model.efficiency)
    return np.select([a, d, c], ["A", "D", "C"], "B")


def _weighted(score: np.ndarray, o: EfficiencyOptions) -> np.ndarray:
    above = count_above(score)
    n = score.size
    a, b, c = (p / 100.0 * n for p in o.cutoffs)
    return np.select([above < a, above < b, above < c], ["A", "B", "C"], "D")


def grade_firms(firms: pd.DataFrame, *, options: EfficiencyOptions) -> pd.DataFrame:
    """Grade each firm A/B/C/D under ``options`` (`layout.model.efficiency`).

    Parameters
    ----------
    firms
        Enterprises with ``land_mu`` and the columns the scheme's indicators read; a
        GeoDataFrame stays one (geometry and CRS kept).
    options
        The plan's ``[efficiency]`` table.

    Returns
    -------
    DataFrame
        ``firms`` with one column per indicator, ``score`` (0-100, NaN when ungraded),
        ``grade`` (A-D, '' when ungraded), ``reason`` ('' when graded) and ``scheme``.
    """
    names = options.indicators()
    values = indicator_values(firms, names)
    reason = _reasons(firms, values, float(options.min_land_mu))
    ok = (reason == "").to_numpy()
    score = np.full(len(firms), np.nan)
    grade = np.full(len(firms), "", dtype=object)
    if ok.any():
        sub = values[ok]
        s = _composite(sub, options.weights)
        score[ok] = s
        grade[ok] = (_zhengzhou(sub, s, options) if options.scheme == "zhengzhou2018"
                     else _weighted(s, options))
    out = firms.copy()
    for name in names:
        out[name] = values[name]
    out["score"] = score
    out["grade"] = grade
    out["reason"] = reason.to_numpy()
    out["scheme"] = options.scheme
    logger.info("亩均效益 (%s): %d firms graded, %d not", options.scheme, int(ok.sum()),
                int((~ok).sum()))
    return out


def grade_table(graded: pd.DataFrame, by: str) -> pd.DataFrame:
    """Firms per grade, land and tax per mu by ``by`` (zone_id, county or industry).

    Columns: ``firms``, one count per grade, ``ungraded``, ``land_mu``, ``tax_per_mu`` and
    ``output_per_mu`` (sums over sums, every firm with land), and ``cd_land_mu`` (land of the C
    and D firms: low-efficiency land).
    """
    key = graded[by].fillna("").astype(str)
    g = graded.assign(_key=key.replace("", "(none)"))
    counts = pd.crosstab(g["_key"], g["grade"].replace("", UNGRADED))
    for col in (*GRADES, UNGRADED):
        if col not in counts:
            counts[col] = 0
    land = pd.to_numeric(g["land_mu"], errors="coerce").fillna(0.0)
    sums = g.assign(_land=land).groupby("_key").agg(
        firms=("_land", "size"), land_mu=("_land", "sum"),
        tax=("tax_wan", "sum"), output=("output_wan", "sum"))
    cd = g.assign(_land=land.where(g["grade"].isin(["C", "D"]), 0.0)).groupby("_key")["_land"]
    table = sums[["firms"]].join(counts[[*GRADES, UNGRADED]])
    table["land_mu"] = sums["land_mu"].round(1)
    table["tax_per_mu"] = (sums["tax"] / sums["land_mu"].where(sums["land_mu"] > 0)).round(3)
    table["output_per_mu"] = (sums["output"] / sums["land_mu"].where(sums["land_mu"] > 0)
                              ).round(2)
    table["cd_land_mu"] = cd.sum().round(1)
    table.index.name = by
    return table.reset_index()
