"""Site checks as tables: the verdicts of a batch, a parcel's criterion contributions.

The checks come from `layout.products.sitecheck.check_parcels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from layout.products.review.tables import (
    check_lang,
    contribution_frame,
    criterion_group,
    criterion_label,
)

if TYPE_CHECKING:
    from layout.products.sitecheck import SiteCheck


def verdicts_table(checks: Sequence[SiteCheck]) -> pd.DataFrame:
    """One row per checked parcel: verdict, area, zone, score and the most serious reason.

    Parameters
    ----------
    checks
        From `layout.products.sitecheck.check_parcels`.

    Returns
    -------
    DataFrame
        ``parcel_id``, ``industry``, ``verdict``, ``area_mu``, ``zone_id`` (the zone holding
        most of the parcel, empty outside every zone), ``zone_share``, ``mean_score``,
        ``percentile``, ``excluded_overlap_mu`` and ``reason`` (the first, most serious one).
    """
    rows = []
    for c in checks:
        rows.append(
            {
                "parcel_id": c.parcel_id,
                "industry": c.industry,
                "verdict": c.verdict,
                "area_mu": c.area_mu,
                "zone_id": c.zone.zone_id if c.zone else "",
                "zone_share": c.zone.share if c.zone else 0.0,
                "mean_score": c.suitability.mean,
                "percentile": c.suitability.percentile,
                "excluded_overlap_mu": c.excluded_overlap_mu,
                "reason": c.reasons[0].message if c.reasons else "",
            }
        )
    cols = [
        "parcel_id",
        "industry",
        "verdict",
        "area_mu",
        "zone_id",
        "zone_share",
        "mean_score",
        "percentile",
        "excluded_overlap_mu",
        "reason",
    ]
    return pd.DataFrame(rows, columns=cols)


def parcel_contributions(check: SiteCheck, *, lang: str = "en") -> pd.DataFrame:
    """A checked parcel's criterion contributions, as `site_contributions` gives a site's.

    Returns
    -------
    DataFrame
        ``criterion``, ``group``, ``label``, ``contribution`` (points of the parcel's mean
        score), ``share``, ``weight``, ``value``; ``attrs``: ``parcel_id``, ``industry``,
        ``mean_score``.
    """
    check_lang(lang)
    parts = check.suitability.contributions
    out = contribution_frame({p.criterion: p.points for p in parts}, lang)
    by_name = {p.criterion: p for p in parts}
    out["label"] = [
        (by_name[k].label_zh if lang == "zh" else by_name[k].label_en) or criterion_label(k, lang)
        for k in out["criterion"]
    ]
    out["group"] = [by_name[k].group or criterion_group(k) for k in out["criterion"]]
    out["weight"] = [by_name[k].weight for k in out["criterion"]]
    out["value"] = [by_name[k].value for k in out["criterion"]]
    out.attrs.update(
        parcel_id=check.parcel_id, industry=check.industry, mean_score=check.suitability.mean
    )
    return out
