"""The province's land demand split across its regions (cities), for `layout.allocation.regional`.

The rule, per industry with a province demand ``D`` (mu):

1. **Where the industry produces today.** Each region's weight is the industry's current output
   there (``output_wan`` of the enterprises inside the region's polygon, point in polygon):
   the growth target is a growth of today's output, so it is placed where that output is.
2. **Capped by the region's eligible land.** A region never receives more than the industry's
   eligible land there (mu, `layout.allocation.allocate.eligibility`): what exceeds it is handed
   to the other regions in proportion to their weights (water-filling), so a region without
   eligible land for the industry gets none. A share smaller than the smallest site
   (``[allocation] min_site_mu``) could never be met: it goes to the other regions instead.
3. **Then by suitability.** What the regions with output cannot hold, and the whole demand of an
   industry with no output anywhere (a demand given in mu for a new industry), goes by each
   region's suitability mass of the industry (the sum of its score × mu over the industry's
   eligible cells in the region), again capped by eligible land.
4. What no region can hold is reported as ``unplaced``; it is not allocated.

The cap is the eligible land, not what compact sites can cover: a region may still fall short
(the solver's shortfall). The regions are solved in parallel, so a shortfall cannot be handed
to "the next region" while they run; instead, after a round, `pass_shortfall` offers each
industry's total shortfall to the regions that did not fall short in it, by suitability mass,
capped by their eligible land beyond their share, and the regions that fell short give up what
the others take; the regions whose demand changed are solved again (``rounds`` of
`layout.allocation.regional.allocate_by_region`). What no region takes stays a shortfall.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.errors import ConfigError

__all__ = ["pass_shortfall", "region_output", "split_demand", "water_fill"]

#: Demand (mu) below which a remainder counts as placed (float round-off of the shares).
EPS_MU = 1e-9


def water_fill(total: float, weights: NDArray[np.float64], caps: NDArray[np.float64], *,
               min_share: float = 0.0) -> NDArray[np.float64]:
    """Split ``total`` in proportion to ``weights`` without exceeding ``caps``.

    A share above its cap is set to the cap and the excess is split among the others in
    proportion to their weights, until nothing exceeds; entries of weight 0 (or cap 0) get
    nothing. The result sums to ``min(total, caps of positive weight summed)``. A share below
    ``min_share`` (the smallest site: a region cannot use less) is dropped, the smallest first,
    and the split redone without it, while another entry can take the total.

    Examples
    --------
    >>> water_fill(100.0, np.array([1.0, 1.0, 2.0]), np.array([10.0, 100.0, 100.0])).tolist()
    [10.0, 30.0, 60.0]
    >>> water_fill(100.0, np.array([1.0, 0.0]), np.array([40.0, 100.0])).tolist()
    [40.0, 0.0]
    >>> water_fill(100.0, np.array([1.0, 9.0]), np.array([100.0, 100.0]), min_share=20).tolist()
    [0.0, 100.0]
    """
    w = np.asarray(weights, np.float64).copy()
    out = _fill(float(total), w, np.asarray(caps, np.float64))
    while min_share > 0:
        small = (out > 0) & (out < min_share)
        if not small.any() or (out > 0).sum() < 2:
            break
        trial_w = w.copy()
        trial_w[np.flatnonzero(small)[np.argmin(out[small])]] = 0.0
        trial = _fill(float(total), trial_w, np.asarray(caps, np.float64))
        if trial.sum() < out.sum() - EPS_MU:
            break  # the others cannot take it all: keep the small share
        w, out = trial_w, trial
    return out


def _fill(total: float, w: NDArray[np.float64], cap: NDArray[np.float64]
          ) -> NDArray[np.float64]:
    out = np.zeros_like(w)
    active = (w > 0) & (cap > 0)
    remaining = float(total)
    while remaining > EPS_MU and active.any():
        share = np.zeros_like(w)
        share[active] = remaining * (w[active] / w[active].sum())
        over = active & (share > cap)
        if not over.any():
            out += share
            break
        out[over] = cap[over]
        remaining -= float(cap[over].sum())
        active &= ~over
    return out


def region_output(enterprises: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, *,
                  codes: list[str]) -> pd.DataFrame:
    """Today's output (万元) of each industry in each region: enterprises point in polygon.

    An enterprise on a shared border counts for the first region that holds it; one outside
    every region counts for none. Both layers must be in the same CRS.

    Returns
    -------
    DataFrame
        Regions (in the order of ``regions``, positional index) × ``codes``.

    Examples
    --------
    >>> import shapely
    >>> regions = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10),
    ...                                      shapely.box(10, 0, 20, 10)], crs="EPSG:4547")
    >>> ent = gpd.GeoDataFrame({"industry": ["food", "food", "auto"],
    ...                         "output_wan": [5.0, 7.0, 3.0]},
    ...                        geometry=gpd.points_from_xy([1, 15, 16], [1, 1, 1]),
    ...                        crs="EPSG:4547")
    >>> region_output(ent, regions, codes=["food", "auto"]).values.tolist()
    [[5.0, 0.0], [7.0, 3.0]]
    """
    if enterprises.crs is None or regions.crs is None or not enterprises.crs.equals(regions.crs):
        raise ConfigError(
            f"enterprises ({enterprises.crs}) and regions ({regions.crs}) must share one CRS; "
            "project the regions to the plan CRS")
    out = pd.DataFrame(0.0, index=pd.RangeIndex(len(regions)), columns=list(codes))
    if not len(enterprises):
        return out
    pts = gpd.GeoDataFrame(
        {"industry": enterprises["industry"].astype(str).to_numpy(),
         "output_wan": pd.to_numeric(enterprises["output_wan"], errors="coerce")
         .fillna(0.0).to_numpy()},
        geometry=enterprises.geometry.to_numpy(), crs=enterprises.crs)
    zones = gpd.GeoDataFrame({"_region": np.arange(len(regions))},
                             geometry=regions.geometry.to_numpy(), crs=regions.crs)
    joined = gpd.sjoin(pts, zones, how="inner", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    joined = joined[joined["industry"].isin(codes)]
    table = joined.groupby(["_region", "industry"])["output_wan"].sum().unstack(fill_value=0.0)
    return out.add(table.reindex(index=out.index, columns=out.columns, fill_value=0.0),
                   fill_value=0.0)


def split_demand(
    demand_mu: Mapping[str, float],
    *,
    output: pd.DataFrame,
    mass: pd.DataFrame,
    eligible_mu: pd.DataFrame,
    min_share: float = 0.0,
) -> tuple[pd.DataFrame, pd.Series]:
    """Each region's share of each industry's province demand (see the module docstring).

    Parameters
    ----------
    demand_mu
        Province demand of each industry (mu).
    output, mass, eligible_mu
        Regions × industries: today's output (`region_output`), suitability mass (score × mu
        over eligible cells) and eligible land (mu). One index, the regions.

    Returns
    -------
    demand : DataFrame
        Regions × industries, mu.
    unplaced : Series
        Per industry, the mu no region can hold (name ``unplaced_mu``).

    Examples
    --------
    >>> idx = pd.RangeIndex(3)
    >>> d, left = split_demand({"food": 90.0},
    ...     output=pd.DataFrame({"food": [2.0, 1.0, 0.0]}, index=idx),
    ...     mass=pd.DataFrame({"food": [1.0, 1.0, 1.0]}, index=idx),
    ...     eligible_mu=pd.DataFrame({"food": [40.0, 100.0, 100.0]}, index=idx))
    >>> d["food"].tolist(), float(left["food"])
    ([40.0, 50.0, 0.0], 0.0)
    """
    regions = eligible_mu.index
    out = pd.DataFrame(0.0, index=regions, columns=list(demand_mu))
    unplaced = pd.Series(0.0, index=list(demand_mu), name="unplaced_mu")
    for code, total in demand_mu.items():
        cap = eligible_mu[code].reindex(regions).fillna(0.0).to_numpy(np.float64)
        first = water_fill(float(total), output[code].reindex(regions).fillna(0.0)
                           .to_numpy(np.float64), cap, min_share=min_share)
        rest = float(total) - float(first.sum())
        second = np.zeros_like(first)
        if rest > EPS_MU:
            second = water_fill(rest, mass[code].reindex(regions).fillna(0.0)
                                .to_numpy(np.float64), cap - first, min_share=min_share)
        out[code] = first + second
        left = float(total) - float(out[code].sum())
        unplaced[code] = left if left > EPS_MU * max(1.0, float(total)) else 0.0
    return out, unplaced


def pass_shortfall(
    share: pd.DataFrame,
    *,
    shortfall: pd.DataFrame,
    mass: pd.DataFrame,
    eligible_mu: pd.DataFrame,
    min_share: float = 0.0,
) -> pd.DataFrame:
    """Offer what regions fell short of to the others (see the module docstring).

    Per industry, the total shortfall is split among the regions that did not fall short in it
    by suitability mass, capped by their eligible land beyond their share (`water_fill`); the
    regions that fell short give up what the others take, in proportion to their shortfall.
    What no region takes stays with the regions that fell short (their shortfall).

    Parameters
    ----------
    share
        Regions × industries: the demand each region was given (mu).
    shortfall
        Regions × industries: what each region's solution fell short of (mu).
    mass, eligible_mu, min_share
        As for `split_demand`.

    Returns
    -------
    DataFrame
        The new demand of every region (changed where a region gives up or takes demand).

    Examples
    --------
    >>> idx = pd.RangeIndex(3)
    >>> f = lambda *v: pd.DataFrame({"food": list(v)}, index=idx)
    >>> new = pass_shortfall(f(100.0, 50.0, 0.0), shortfall=f(30.0, 0.0, 0.0),
    ...     mass=f(1.0, 1.0, 3.0), eligible_mu=f(200.0, 60.0, 200.0))
    >>> new["food"].tolist()
    [70.0, 57.5, 22.5]
    """
    new = share.copy()
    for code in share.columns:
        short = shortfall[code].reindex(share.index).fillna(0.0).to_numpy(np.float64)
        total = float(short.sum())
        if total <= EPS_MU * max(1.0, float(share[code].sum())):
            continue
        fell = short > EPS_MU
        have = share[code].to_numpy(np.float64)
        room = np.clip(eligible_mu[code].reindex(share.index).fillna(0.0).to_numpy(np.float64)
                       - have, 0.0, None)
        room[fell] = 0.0
        extra = water_fill(total, mass[code].reindex(share.index).fillna(0.0)
                           .to_numpy(np.float64), room, min_share=min_share)
        taken = float(extra.sum())
        if taken <= EPS_MU:
            continue
        new[code] = have - short * (taken / total) + extra
    return new
