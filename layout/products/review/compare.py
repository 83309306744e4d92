"""Two allocation tables side by side: land per industry and zone (mu), and the change."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from layout.errors import ConfigError, Problem, ValidationError
from layout.products.review.tables import text_column


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """The columns of an allocation table `compare_allocations` uses, cleaned."""
    return pd.DataFrame(
        {
            "industry": text_column(df, "industry"),
            "zone_id": text_column(df, "zone_id"),
            "zone_name": text_column(df, "zone_name"),
            "area_mu": pd.to_numeric(df["area_mu"], errors="coerce").fillna(0.0).astype(float),
        }
    )


def _check_allocation(df: pd.DataFrame, source: str) -> None:
    missing = [c for c in ("industry", "zone_id", "area_mu") if c not in df.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    source,
                    f"has no column {c!r}; expected the allocation table (docs/plan_outputs.md)",
                    column=c,
                )
                for c in missing
            ]
        )


def compare_allocations(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    labels: tuple[str, str] = ("before", "after"),
    by: Literal["zone", "industry"] = "zone",
) -> pd.DataFrame:
    """Two allocation tables side by side: land per industry and zone (mu), and the change.

    Parameters
    ----------
    a, b
        Allocation tables (`layout.allocation.run.PlanResult.allocation`, `PlanOutputs.allocation`):
        ``industry``, ``zone_id`` (empty outside every zone), ``zone_name``, ``area_mu``.
    labels
        Names of the two value columns.
    by
        ``"zone"``: one row per industry and zone; ``"industry"``: totals per industry.

    Returns
    -------
    DataFrame
        ``industry`` (and ``zone_id``, ``zone_name``), the two ``labels`` columns in mu (0 where
        a table has no land) and ``difference`` (``b − a``). Industries in the order they first
        appear (``a``, then ``b``), zones likewise within each industry.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"industry": ["food", "food"], "zone_id": ["mazhai", ""],
    ...                   "zone_name": ["马寨", ""], "area_mu": [300.0, 120.0]})
    >>> b = pd.DataFrame({"industry": ["food", "auto"], "zone_id": ["mazhai", "zetdz"],
    ...                   "zone_name": ["马寨", "经开区"], "area_mu": [450.0, 600.0]})
    >>> compare_allocations(a, b)
      industry zone_id zone_name  before  after  difference
    0     food  mazhai        马寨   300.0  450.0       150.0
    1     food                    120.0    0.0      -120.0
    2     auto   zetdz       经开区     0.0  600.0       600.0
    >>> compare_allocations(a, b, labels=("base", "variant"), by="industry")
      industry   base  variant  difference
    0     food  420.0    450.0        30.0
    1     auto    0.0    600.0       600.0
    """
    if len(labels) != 2 or not all(labels) or labels[0] == labels[1]:
        raise ConfigError(f"labels = {labels!r}: give two different, non-empty names")
    first, second = str(labels[0]), str(labels[1])
    if {first, second} & {"industry", "zone_id", "zone_name", "difference"}:
        raise ConfigError(f"labels = {labels!r}: a label may not be the name of another column")
    if by not in ("zone", "industry"):
        raise ConfigError(f"by = {by!r}: use 'zone' or 'industry'")
    _check_allocation(a, f"allocation {first!r}")
    _check_allocation(b, f"allocation {second!r}")
    keys = ["industry", "zone_id"] if by == "zone" else ["industry"]
    both = pd.concat([_tidy(a).assign(_src=0), _tidy(b).assign(_src=1)], ignore_index=True)
    # groups in order of first appearance, then industries kept together (stable sort)
    sums = both.groupby([*keys, "_src"], sort=False)["area_mu"].sum().unstack("_src")
    out = sums.reindex(columns=[0, 1]).fillna(0.0).reset_index()
    out.columns = [*keys, first, second]
    industry_order = {k: i for i, k in enumerate(dict.fromkeys(both["industry"]))}
    out = out.sort_values("industry", key=lambda s: s.map(industry_order), kind="stable")
    out = out.reset_index(drop=True)
    if by == "zone":
        named = both[both["zone_name"] != ""].drop_duplicates("zone_id")
        names = dict(zip(named["zone_id"], named["zone_name"], strict=True))
        out.insert(2, "zone_name", [names.get(z, "") for z in out["zone_id"]])
    out["difference"] = out[second] - out[first]
    out.columns.name = None
    out.attrs["unit"] = "mu"
    return out
