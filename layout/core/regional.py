"""Regional concentration indices of industries: plain numpy on arrays.

Location quotients, regional shares, the Ellison-Glaeser agglomeration index and the
Ellison-Glaeser-Kerr coagglomeration index.  The arithmetic and nothing else: no validation, no
GeoDataFrames (`layout.analysis.measures.regions` and `layout.analysis.measures.concentration`
assign the points to regions, check the inputs and own the error messages).

References
----------
.. [1] Ellison, G. & Glaeser, E. L. (1997). Geographic concentration in U.S. manufacturing
   industries: a dartboard approach. *Journal of Political Economy* 105(5), 889-927.
.. [2] Ellison, G., Glaeser, E. L. & Kerr, W. R. (2010). What causes industry agglomeration?
   *American Economic Review* 100(3), 1195-1213 (the coagglomeration index).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = ["coagglomeration", "ellison_glaeser", "location_quotient", "region_shares"]


def location_quotient(e_ir: ArrayLike) -> FloatArray:
    r"""Location quotients of a regions × industries table of employment or output.

    :math:`LQ_{ri} = (e_{ri} / e_r) / (E_i / E)` with :math:`e_r` the region's total,
    :math:`E_i` the industry's total and :math:`E` the grand total.  LQ > 1: the industry's share
    of the region exceeds its share of the whole area.

    Parameters
    ----------
    e_ir
        ``(regions, industries)`` non-negative amounts (employees, output in 万元, ...).

    Returns
    -------
    ndarray
        ``(regions, industries)`` location quotients.  0 where a region has activity but none in
        the industry; NaN for a region with zero total (row) or an industry with zero total
        (column), and for NaN inputs.

    Examples
    --------
    >>> location_quotient([[10.0, 30.0], [30.0, 30.0], [0.0, 0.0]])
    array([[0.625     , 1.25      ],
           [1.25      , 0.83333333],
           [       nan,        nan]])
    """
    e = np.asarray(e_ir, dtype=np.float64)
    e_r = e.sum(axis=1, keepdims=True)
    e_i = e.sum(axis=0, keepdims=True)
    total = e.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (e / e_r) / (e_i / total)
    lq[np.broadcast_to((e_r == 0) | (e_i == 0), lq.shape)] = np.nan
    return np.asarray(lq)


def region_shares(plant_region: ArrayLike, plant_size: ArrayLike, n_regions: int) -> FloatArray:
    """Share of the total size of a set of plants that lies in each region.

    Parameters
    ----------
    plant_region
        Region index of each plant (n,), integers in ``[0, n_regions)``.
    plant_size
        Size of each plant (n,), e.g. employees.
    n_regions
        Number of regions.

    Returns
    -------
    ndarray
        ``(n_regions,)`` shares summing to 1 (all NaN when the total size is 0).

    Examples
    --------
    >>> region_shares([0, 0, 2], [1.0, 1.0, 2.0], 3)
    array([0.5, 0. , 0.5])
    """
    size = np.asarray(plant_size, dtype=np.float64)
    sums = np.bincount(np.asarray(plant_region, dtype=np.int64), weights=size, minlength=n_regions)
    total = size.sum()
    return sums / total if total > 0 else np.full(n_regions, np.nan)


def ellison_glaeser(
    plant_region: ArrayLike, plant_size: ArrayLike, region_share_of_total: ArrayLike
) -> tuple[float, float, float]:
    r"""Ellison-Glaeser (1997) agglomeration index of one industry.

    With :math:`s_r` the industry's share of its size (employment) in region :math:`r`,
    :math:`x_r` the share of all manufacturing in region :math:`r` and
    :math:`z_j` plant :math:`j`'s share of the industry:

    .. math:: G = \sum_r (s_r - x_r)^2, \quad H = \sum_j z_j^2, \quad
              \gamma = \frac{G / (1 - \sum_r x_r^2) - H}{1 - H}

    (Ellison & Glaeser 1997, eq. 5).  :math:`\gamma \approx 0` is the "dartboard" (plants located
    at random in proportion to manufacturing); EG's rule of thumb reads > 0.05 as highly and
    < 0.02 as not very localised.

    Parameters
    ----------
    plant_region
        Region index of each plant of the industry (n,), integers in ``[0, len(x))``.
    plant_size
        Size of each plant (n,), usually employees; non-negative.
    region_share_of_total
        ``x_r`` (regions,), shares of all manufacturing summing to 1.

    Returns
    -------
    gamma, G, H
        Floats; gamma is NaN for a one-plant industry (H = 1) or a zero total size.

    Examples
    --------
    Two equal plants in region 0, manufacturing split evenly over two regions:
    G = (1 - 0.5)² + (0 - 0.5)² = 0.5, H = 0.5, gamma = (0.5 / 0.5 - 0.5) / 0.5 = 1.

    >>> ellison_glaeser([0, 0], [10.0, 10.0], [0.5, 0.5])
    (1.0, 0.5, 0.5)
    """
    x = np.asarray(region_share_of_total, dtype=np.float64)
    size = np.asarray(plant_size, dtype=np.float64)
    total = size.sum()
    if size.size == 0 or total <= 0:
        return (math.nan, math.nan, math.nan)
    z = size / total
    h = float((z * z).sum())
    s = region_shares(plant_region, size, x.size)
    g = float(((s - x) ** 2).sum())
    denom = 1.0 - float((x * x).sum())
    gamma = (g / denom - h) / (1.0 - h) if h < 1.0 and denom > 0 else math.nan
    return (float(gamma), g, h)


def coagglomeration(
    share_a: ArrayLike, share_b: ArrayLike, region_share_of_total: ArrayLike
) -> float:
    r"""Ellison-Glaeser-Kerr (2010) coagglomeration index of two industries.

    .. math:: \gamma^c_{ab} = \frac{\sum_r (s_{ra} - x_r)(s_{rb} - x_r)}{1 - \sum_r x_r^2}

    Parameters
    ----------
    share_a, share_b
        Each industry's regional shares ``s_r`` (regions,) (see `region_shares`).
    region_share_of_total
        ``x_r`` (regions,), shares of all manufacturing.

    Returns
    -------
    float
        Positive when the two industries over-locate in the same regions.

    Examples
    --------
    >>> coagglomeration([1.0, 0.0], [0.8, 0.2], [0.5, 0.5])
    0.6
    """
    x = np.asarray(region_share_of_total, dtype=np.float64)
    sa = np.asarray(share_a, dtype=np.float64)
    sb = np.asarray(share_b, dtype=np.float64)
    denom = 1.0 - float((x * x).sum())
    return float(((sa - x) * (sb - x)).sum() / denom) if denom > 0 else math.nan
