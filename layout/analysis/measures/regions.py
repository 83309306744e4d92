"""Enterprises in regions: which region holds each, and location quotients by region.

`assign_regions` joins points to polygons (counties, zones); `location_quotients` compares an
industry's share of each region's activity with its share of the whole area's.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from layout.analysis.measures.checks import check_enterprises, check_regions
from layout.core.regional import location_quotient
from layout.errors import ConfigError
from layout.io.crs import local_metric_crs, require_crs


def assign_regions(
    enterprises: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, *, region_id: str
) -> tuple[NDArray[np.int64], pd.Index]:
    """Position of the region holding each enterprise (-1 when none), and the region ids.

    The join runs in a projected CRS: the enterprises' own when it is projected, otherwise the
    Gauss-Kruger zone of their centre (`layout.io.crs.local_metric_crs`).  A point on a shared
    boundary goes to the first region listed.
    """
    src_r = "regions layer"
    ecrs = require_crs(enterprises, source="enterprises layer")
    require_crs(regions, source=src_r)
    check_regions(regions, source=src_r, region_id=region_id)
    work = ecrs if ecrs.is_projected else CRS.from_user_input(local_metric_crs(enterprises))
    pts = enterprises.geometry if ecrs.equals(work) else enterprises.geometry.to_crs(work)
    reg = regions.geometry.to_crs(work)
    tree = shapely.STRtree(np.asarray(reg.values))
    pt_idx, reg_idx = tree.query(np.asarray(pts.values), predicate="intersects")
    codes = np.full(len(enterprises), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(codes, pt_idx, reg_idx.astype(np.int64))
    codes[codes == np.iinfo(np.int64).max] = -1
    return codes, pd.Index(regions[region_id], name=region_id)


def industry_codes(values: pd.Series) -> tuple[list[str], NDArray[np.int64]]:
    """The sorted industry codes present and the position of each row's code among them."""
    cats = pd.Categorical(values.astype(str))
    order = sorted(str(c) for c in cats.categories)
    cats = cats.reorder_categories(order)
    return order, np.asarray(cats.codes, dtype=np.int64)


def location_quotients(
    enterprises: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    industry: str = "industry",
    measure: str = "output_wan",
    reference: Literal["all", "regions"] = "all",
) -> pd.DataFrame:
    """Location quotients of every industry in every region.

    ``LQ = (e_ri / e_r) / (E_i / E)``: the industry's share of the region's ``measure`` over its
    share of the whole area's (see `layout.core.regional.location_quotient`).

    Parameters
    ----------
    enterprises
        Enterprise points with a CRS.
    regions
        Polygons (counties, zones) with a CRS, not necessarily the same.
    region_id
        Column of unique region ids.
    industry
        Column of industry codes.
    measure
        Column of non-negative amounts: ``output_wan`` (万元) or ``employees``.
    reference
        ``"all"`` (default): ``E_i / E`` over every enterprise, the whole study area as in the
        textbook definition, also when the regions (zones) cover only part of it;
        ``"regions"``: over the enterprises inside the regions only.

    Returns
    -------
    DataFrame
        Regions (every region, in layer order, index named ``region_id``) × industries present
        (sorted codes).  0 where a region has activity but none of the industry; NaN for a
        region with no activity.  ``attrs``: ``measure``, ``n_enterprises`` (assigned),
        ``n_outside`` (points in no region, dropped).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> regions = gpd.GeoDataFrame({"zone": ["a", "b"]}, crs="EPSG:4547",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> firms = gpd.GeoDataFrame({"industry": ["auto", "food", "food", "food"],
    ...     "output_wan": [10.0, 10.0, 20.0, 5.0]}, crs="EPSG:4547",
    ...     geometry=shapely.points([(2, 2), (3, 3), (15, 5), (50, 50)]))
    >>> lq = location_quotients(firms, regions, region_id="zone")
    >>> lq.round(3)  # food is 35 of 45 overall: (10 / 20) / (35 / 45) = 0.643 in zone a
    industry   auto   food
    zone
    a         2.250  0.643
    b         0.000  1.286
    >>> location_quotients(firms, regions, region_id="zone", reference="regions").round(3)
    industry   auto   food
    zone
    a         2.000  0.667
    b         0.000  1.333
    >>> lq.attrs["n_outside"]
    1
    """
    check_enterprises(enterprises, source="enterprises layer", codes=[industry], numbers=[measure])
    if reference not in ("all", "regions"):
        raise ConfigError(f"reference = {reference!r}: use 'all' or 'regions'")
    codes, ids = assign_regions(enterprises, regions, region_id=region_id)
    inside = codes >= 0
    names, ind_all = industry_codes(enterprises[industry])
    amount_all = enterprises[measure].to_numpy(dtype=np.float64)
    ind, amount = ind_all[inside], amount_all[inside]
    nreg, nind = len(ids), len(names)
    table = np.bincount(codes[inside] * nind + ind, weights=amount, minlength=nreg * nind).reshape(
        nreg, nind
    )
    if reference == "regions":
        present = table.sum(axis=0) > 0
        lq = location_quotient(table[:, present])
        names = [n for n, p in zip(names, present, strict=True) if p]
    else:
        totals = np.bincount(ind_all, weights=amount_all, minlength=nind)
        with np.errstate(invalid="ignore", divide="ignore"):
            region_share = table / table.sum(axis=1, keepdims=True)
            lq = region_share / (totals / totals.sum())[None, :]
    out = pd.DataFrame(lq, index=ids, columns=pd.Index(names, name=industry))
    out.attrs.update(
        measure=measure, n_enterprises=int(inside.sum()), n_outside=int((~inside).sum())
    )
    return out
