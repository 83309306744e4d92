"""Ellison-Glaeser concentration of industries over regions, alone and in pairs.

`ellison_glaeser_gamma` (Ellison & Glaeser 1997) measures how much more an industry clusters in
some regions than its plants would by chance; `coagglomeration_gamma` (Ellison, Glaeser & Kerr
2010) how much two industries over-locate in the same regions.
"""

from __future__ import annotations

from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.analysis.measures.checks import check_enterprises
from layout.analysis.measures.regions import assign_regions, industry_codes
from layout.core.regional import coagglomeration, ellison_glaeser, region_shares
from layout.errors import Problem, ValidationError


def _shares_of_total(
    codes: NDArray[np.int64],
    size: NDArray[np.float64],
    ids: pd.Index,
    region_share: pd.Series | None,
) -> NDArray[np.float64]:
    """``x_r``: from the layer itself, or from a caller's Series indexed by region id."""
    if region_share is None:
        return region_shares(codes, size, len(ids))
    src = "region_share"
    missing = ids.difference(region_share.index)
    if len(missing):
        raise ValidationError([Problem(src, f"has no share for regions {list(missing)[:10]}")])
    x = region_share.reindex(ids).to_numpy(dtype=np.float64)
    if not (np.isfinite(x).all() and (x >= 0).all() and x.sum() > 0):
        raise ValidationError([Problem(src, "shares must be finite, >= 0 and not all 0")])
    return cast(NDArray[np.float64], x / x.sum())


def _industry_shares(
    enterprises: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    industry: str,
    size: str,
    region_share: pd.Series | None,
) -> tuple[
    NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], list[str], NDArray[np.float64], int
]:
    check_enterprises(enterprises, source="enterprises layer", codes=[industry], numbers=[size])
    codes, ids = assign_regions(enterprises, regions, region_id=region_id)
    inside = codes >= 0
    names, ind = industry_codes(enterprises[industry][inside])
    sz = enterprises[size].to_numpy(dtype=np.float64)[inside]
    x = _shares_of_total(codes[inside], sz, ids, region_share)
    return codes[inside], sz, ind, names, x, int((~inside).sum())


def ellison_glaeser_gamma(
    enterprises: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    industry: str = "industry",
    size: str = "employees",
    region_share: pd.Series | None = None,
) -> pd.DataFrame:
    """Ellison-Glaeser (1997) γ of every industry over a set of regions.

    Parameters
    ----------
    enterprises
        Enterprise (plant) points with a CRS.
    regions
        Polygons with a CRS.
    region_id
        Column of unique region ids.
    industry
        Column of industry codes.
    size
        Column of plant sizes, usually ``employees`` (EG's measure).
    region_share
        ``x_r``, each region's share of all manufacturing, as a Series indexed by region id
        (e.g. from a statistical yearbook; normalised to sum 1).  None: the share of ``size`` of
        all the enterprises of the layer (every industry, ``other`` included) in the region.

    Returns
    -------
    DataFrame
        One row per industry (sorted codes): ``gamma``, ``G`` (raw concentration),
        ``H`` (plant Herfindahl), ``n_plants``.  ``attrs["n_outside"]``: points in no region,
        dropped.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> regions = gpd.GeoDataFrame({"zone": ["a", "b"]}, crs="EPSG:4547",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> firms = gpd.GeoDataFrame({"industry": ["auto", "auto", "food", "food"],
    ...     "employees": [10, 10, 10, 10]}, crs="EPSG:4547",
    ...     geometry=shapely.points([(2, 2), (3, 3), (15, 5), (16, 5)]))
    >>> ellison_glaeser_gamma(firms, regions, region_id="zone")
              gamma    G    H  n_plants
    industry
    auto        1.0  0.5  0.5         2
    food        1.0  0.5  0.5         2
    """
    codes, sz, ind, names, x, n_out = _industry_shares(
        enterprises,
        regions,
        region_id=region_id,
        industry=industry,
        size=size,
        region_share=region_share,
    )
    rows = []
    for k in range(len(names)):
        sel = ind == k
        gamma, g, h = ellison_glaeser(codes[sel], sz[sel], x)
        rows.append((gamma, g, h, int(sel.sum())))
    out = pd.DataFrame(
        rows, columns=["gamma", "G", "H", "n_plants"], index=pd.Index(names, name=industry)
    )
    out.attrs.update(size=size, n_outside=n_out)
    return out


def coagglomeration_gamma(
    enterprises: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    industry: str = "industry",
    size: str = "employees",
    region_share: pd.Series | None = None,
) -> pd.DataFrame:
    """Ellison-Glaeser-Kerr (2010) coagglomeration γᶜ of every pair of industries.

    Parameters are those of `ellison_glaeser_gamma`.

    Returns
    -------
    DataFrame
        Symmetric industries × industries matrix of γᶜ; the diagonal is NaN (an industry with
        itself is `ellison_glaeser_gamma`).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> regions = gpd.GeoDataFrame({"zone": ["a", "b"]}, crs="EPSG:4547",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> firms = gpd.GeoDataFrame({"industry": ["auto", "auto", "food", "food"],
    ...     "employees": [10, 10, 10, 10]}, crs="EPSG:4547",
    ...     geometry=shapely.points([(2, 2), (3, 3), (15, 5), (16, 5)]))
    >>> coagglomeration_gamma(firms, regions, region_id="zone")
    industry  auto  food
    industry
    auto       NaN  -1.0
    food      -1.0   NaN
    """
    codes, sz, ind, names, x, n_out = _industry_shares(
        enterprises,
        regions,
        region_id=region_id,
        industry=industry,
        size=size,
        region_share=region_share,
    )
    shares = [
        region_shares(codes[ind == k], sz[ind == k], x.size) for k in range(len(names))
    ]
    mat = np.full((len(names), len(names)), np.nan)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            mat[a, b] = mat[b, a] = coagglomeration(shares[a], shares[b], x)
    idx = pd.Index(names, name=industry)
    out = pd.DataFrame(mat, index=idx, columns=idx.copy())
    out.attrs.update(size=size, n_outside=n_out)
    return out
