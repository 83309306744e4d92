r"""Supply-chain linkage on a grid: plain numpy on arrays, no IO and no validation.

An industry's linkage has two sides. *Upstream* are its suppliers, *downstream* its customers,
each a set of other industries with a link strength ``s_j`` in [0, 1] (the catalog's
``[[linkages]]``). On each side the raw linkage of a cell is

.. math:: U(c) = \sum_{j \in \text{suppliers}} s_j\, d_j(c), \qquad
          D(c) = \sum_{j \in \text{customers}} s_j\, d_j(c)

with ``d_j`` the output density of industry *j* (万元/km², a kernel density of enterprise output,
*not* divided by its own peak): a large linked industry counts for more than a small one, as it
should. Both sides are then divided by one constant, the ``q``-th percentile (99 by default) of
``U + D`` over the study-area cells, and clipped at 1:

.. math:: u = \min(U / K, 1), \quad d = \min(D / K, 1), \quad K = P_{q}(U + D).

One constant for both sides keeps them comparable (a cell rich in suppliers and poor in customers
shows it), and the percentile rather than the maximum keeps a single peak (one giant plant) from
squeezing every other cell towards 0. ``docs/linkage.md`` has the reasoning and a worked example.

`layout.analysis.criteria` wraps these kernels: it gets the densities from the criteria context
and the link strengths from the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["DEFAULT_PERCENTILE", "linkage_scale", "linkage_sides", "weighted_sum"]

#: Percentile of upstream + downstream over the study area that scales both sides to 0-1.
DEFAULT_PERCENTILE = 99.0


def weighted_sum(
    terms: Iterable[tuple[float, ArrayLike]], *, shape: tuple[int, ...]
) -> NDArray[np.float64]:
    """Sum of ``strength * density`` over the linked industries of one side (float64).

    Examples
    --------
    >>> weighted_sum([(0.5, np.array([10.0, 0.0])), (0.2, np.array([0.0, 100.0]))],
    ...              shape=(2,)).tolist()
    [5.0, 20.0]
    >>> weighted_sum([], shape=(2,)).tolist()
    [0.0, 0.0]
    """
    acc = np.zeros(shape, np.float64)
    for strength, density in terms:
        acc += float(strength) * np.asarray(density, dtype=np.float64)
    return acc


def linkage_scale(
    upstream: ArrayLike,
    downstream: ArrayLike,
    mask: ArrayLike,
    *,
    percentile: float = DEFAULT_PERCENTILE,
) -> float:
    """The normalising constant: the ``percentile`` of ``upstream + downstream`` over ``mask``.

    NumPy's default (linear) percentile of the finite values of the masked cells; 0 when there
    are none or when the industry has no linked output at all.

    Examples
    --------
    >>> linkage_scale(np.arange(101.0), np.zeros(101), np.ones(101, bool), percentile=99)
    99.0
    """
    total = np.asarray(upstream, np.float64) + np.asarray(downstream, np.float64)
    values = total[np.asarray(mask, bool)]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0
    return float(np.percentile(values, percentile))


def linkage_sides(
    upstream: ArrayLike,
    downstream: ArrayLike,
    mask: ArrayLike,
    *,
    percentile: float = DEFAULT_PERCENTILE,
    scale: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Scale both sides by one constant (`linkage_scale`) and clip them to [0, 1].

    Parameters
    ----------
    upstream, downstream
        Raw sides, ``sum_j s_j d_j`` over suppliers and over customers (`weighted_sum`).
    mask
        Cells of the study area (True), over which the percentile is taken.
    percentile
        Which percentile of ``upstream + downstream`` becomes 1.
    scale
        The constant itself, when it was computed over a larger area than these arrays (a
        window of the grid); ``mask`` and ``percentile`` are then not used.

    Returns
    -------
    upstream, downstream, scale
        The scaled sides (0 everywhere when the scale is 0) and the constant ``K``.

    Examples
    --------
    >>> u, d, k = linkage_sides(np.array([0.0, 2.0, 8.0]), np.array([2.0, 2.0, 8.0]),
    ...                         np.ones(3, bool), percentile=50)
    >>> u.tolist(), d.tolist(), k
    ([0.0, 0.5, 1.0], [0.5, 0.5, 1.0], 4.0)
    """
    up = np.asarray(upstream, np.float64)
    down = np.asarray(downstream, np.float64)
    if scale is None:
        scale = linkage_scale(up, down, mask, percentile=percentile)
    if not scale > 0:
        return np.zeros_like(up), np.zeros_like(down), 0.0
    return np.minimum(up / scale, 1.0), np.minimum(down / scale, 1.0), scale
