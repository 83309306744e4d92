"""Raster window sums and the Getis-Ord Gi* z-score: plain numpy/scipy on arrays.

The arithmetic and nothing else: no validation, no CRS (`layout.analysis.measures.hotspots`
wraps it, checks the inputs and owns the error messages).  Rasters follow
`layout.model.grid.Grid`: north-up, row 0 at the northern edge.  Window sums are O(cells) for a
square (queen) window whatever its size, O(cells × radius) for a disk.

References
----------
.. [1] Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
   issues and an application. *Geographical Analysis* 27(4), 286-306 (the Gi* z-score).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import uniform_filter1d

FloatArray = NDArray[np.float64]

__all__ = ["gi_moments", "gi_star", "window_sum"]


def _box_sum_axis(a: FloatArray, half: int, axis: int) -> FloatArray:
    """Sum of ``a`` over a window ``[-half, half]`` along one axis, zero outside the array.

    scipy's running-sum box filter (O(n) whatever the window) returns the mean; times the
    window length it is the sum, to round-off of order ``1e-16 * line length * max |a|``.
    """
    if half == 0:
        return a.copy()
    size = 2 * half + 1
    out = uniform_filter1d(a, size, axis=axis, mode="constant", cval=0.0)
    out *= size
    return out


def _queen_sum(a: FloatArray, half: int, tmp: FloatArray, out: FloatArray) -> FloatArray:
    """Square-window sums of ``a`` written into ``out`` (which may be ``a``), using ``tmp``.

    Two passes of scipy's running-sum box filter (O(n) whatever the window).  The buffers are
    passed in because, on large rasters, allocating fresh arrays (page faults on first touch)
    costs more than the filtering itself.
    """
    if half == 0:
        out[...] = a
        return out
    size = 2 * half + 1
    uniform_filter1d(a, size, axis=1, mode="constant", cval=0.0, output=tmp)
    uniform_filter1d(tmp, size, axis=0, mode="constant", cval=0.0, output=out)
    out *= size * size  # the filter returns window means
    return out


def _disk_half_widths(radius: float) -> list[tuple[int, int]]:
    """``(dr, w)`` for every row offset of a disk: the cells ``|dc| <= w`` with dr² + dc² <= r²."""
    r2 = radius * radius
    out = []
    for dr in range(-math.floor(radius), math.floor(radius) + 1):
        w = math.isqrt(max(int(r2 - dr * dr), 0))
        while (w + 1) ** 2 + dr * dr <= r2:  # integer squares: exact, so (3, 4) is in r = 5
            w += 1
        while w > 0 and w * w + dr * dr > r2:
            w -= 1
        out.append((dr, w))
    return out


def window_sum(
    a: ArrayLike, *, radius: float = 1, metric: Literal["queen", "distance"] = "queen"
) -> FloatArray:
    """Sum of a raster over each cell's neighbourhood, the cell included, zero outside the raster.

    Parameters
    ----------
    a
        ``(nrows, ncols)`` raster.
    radius
        ``"queen"``: the square window of ``(2 r + 1)²`` cells (queen contiguity up to order
        ``r``; ``r`` an integer).  ``"distance"``: the cells whose centres lie within ``r`` cell
        sizes of the cell's centre (a circular distance band, ``r`` may be fractional).
    metric
        ``"queen"`` or ``"distance"``.

    Returns
    -------
    ndarray
        ``(nrows, ncols)`` float64 window sums; O(cells) for queen, O(cells × r) for distance.

    Examples
    --------
    >>> window_sum(np.ones((3, 4)))
    array([[4., 6., 6., 4.],
           [6., 9., 9., 6.],
           [4., 6., 6., 4.]])
    >>> window_sum(np.ones((3, 3)), radius=1, metric="distance")  # rook-like: |dr| + |dc| <= 1
    array([[3., 4., 3.],
           [4., 5., 4.],
           [3., 4., 3.]])
    """
    arr = np.asarray(a, dtype=np.float64)
    if metric == "queen":
        return _queen_sum(arr, int(radius), np.empty_like(arr), np.empty_like(arr))
    nrows = arr.shape[0]
    spans = _disk_half_widths(float(radius))
    rows = {w: _box_sum_axis(arr, w, 1) for w in {w for _, w in spans}}
    out = np.zeros_like(arr)
    for dr, w in spans:
        src = rows[w]
        # out[i] += src[i + dr] where row i + dr exists.
        if dr >= 0:
            out[: nrows - dr] += src[dr:]
        else:
            out[-dr:] += src[: nrows + dr]
    return out


def gi_star(
    values: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    radius: float = 1,
    metric: Literal["queen", "distance"] = "queen",
    moments: tuple[float, float, float] | None = None,
) -> FloatArray:
    r"""Getis-Ord Gi* z-scores of a raster: binary weights, the cell included (Ord & Getis 1995).

    For cell :math:`i` with neighbourhood :math:`N_i` (itself included, masked cells left out),
    :math:`L_i = \sum_{j \in N_i} y_j`, :math:`W_i = |N_i|`, and over the :math:`n` cells inside
    the mask :math:`\bar y = \sum y / n`, :math:`S^2 = \sum y^2 / n - \bar y^2`:

    .. math:: z_i = \frac{L_i - \bar y W_i}{S \sqrt{W_i (n - W_i) / (n - 1)}}

    This equals ``esda.G_Local(y, w, star=True, transform="B", permutations=0).Zs`` (esda 2.9)
    with ``w`` the binary contiguity of the cells inside the mask, to round-off (below 1e-13 on
    the test grids).  Notes on esda's conventions:

    * esda's ``S²`` divides by ``n`` (it is ``E[y²] - E[y]²``); the ``n - 1`` appears only in the
      variance factor ``W_i (n - W_i) / (n - 1)``, as in Ord & Getis (1995) with binary
      weights.  Both are matched here.
    * esda computes ``(G_i - E[G_i]) / sqrt(Var G_i)`` with ``G_i = L_i / sum(y)`` and divides by
      ``sqrt(ybar²)``, so for data whose mean is negative its z has the opposite sign of the
      formula above; the two agree for non-negative data, the only case Gi* is meant for.
    * With ``transform="R"`` (esda's default) and the self-weight filled, esda returns
      ``(L_i / W_i - ybar) / S = z_i * sqrt((n - W_i) / ((n - 1) W_i))``: a standardised local
      mean that ignores the averaging over ``W_i`` cells, so it is not N(0, 1) under the null.
      Use the binary form for hot spots.

    Parameters
    ----------
    values
        ``(nrows, ncols)`` raster, finite inside the mask.
    mask
        ``(nrows, ncols)`` booleans, True for cells in the study area; None for all cells.  Cells
        outside are excluded from ``n``, the mean, the variance and every neighbourhood.
    radius, metric
        The neighbourhood, as in `window_sum`: ``"queen"`` square window of ``(2 r + 1)²`` cells
        or ``"distance"`` disk of ``r`` cells (libpysal ``DistanceBand(threshold=r * cell)``).
    moments
        ``(n, sum y, sum y²)`` over the whole study area (`gi_moments`), when ``values`` is a
        window of a larger raster: the window then gives exactly the window of the whole
        raster's z-scores, provided it extends ``radius`` cells beyond the cells that are read.

    Returns
    -------
    ndarray
        ``(nrows, ncols)`` z-scores; NaN outside the mask, everywhere when the values inside
        are constant (S = 0), and where a neighbourhood covers the whole mask (``W_i = n``).

    Examples
    --------
    >>> v = np.zeros((5, 5)); v[2, 2] = 9.0
    >>> z = gi_star(v)
    >>> round(float(z[2, 2]), 4), round(float(z[0, 0]), 4)
    (1.3333, -0.4364)
    """
    y = np.asarray(values, dtype=np.float64)
    m = None if mask is None else np.asarray(mask, dtype=bool)
    if moments is None:
        inside = y if m is None else y[m]
        n = float(inside.size)
        if n < 2 or inside.min() == inside.max():
            return np.full(y.shape, np.nan)  # no variance: no z-score
        total, total_sq = float(inside.sum()), float(np.vdot(inside, inside))
    else:
        n, total, total_sq = (float(v) for v in moments)
    mean = total / n if n else 0.0
    s2 = max(total_sq / n - mean * mean, 0.0) if n else 0.0  # esda's S²: divisor n
    if n < 2 or not s2 > 0:
        return np.full(y.shape, np.nan)  # no variance: no z-score
    # Numerator L_i - ybar W_i = sum over the window of (y_j - ybar), cells outside the mask 0:
    # summing deviations avoids the cancellation of two large window sums.
    dev = np.subtract(y, mean)
    if m is not None:
        dev[~m] = 0.0
    if metric == "queen":
        buf = np.empty_like(dev)
        num = _queen_sum(dev, int(radius), buf, dev)  # in place: two rasters in all
    else:
        num = window_sum(dev, radius=radius, metric=metric)
    # W_i, the number of cells of the mask in the window (integers, whatever the round-off).
    if m is None and metric == "queen":
        # A full rectangle: the product of the 1-D counts along each axis.
        half = int(radius)
        cr = np.rint(window_sum(np.ones((y.shape[0], 1)), radius=half)[:, 0])
        cc = np.rint(window_sum(np.ones((1, y.shape[1])), radius=half)[0])
        wsum = np.multiply(cr[:, None], cc[None, :], out=buf)
    else:
        ones = np.ones(y.shape) if m is None else m.astype(np.float64)
        wsum = np.rint(window_sum(ones, radius=radius, metric=metric))
    # Denominator S sqrt(W (n - W) / (n - 1)), in place.
    den = wsum
    den *= n - wsum
    den *= s2 / (n - 1.0)
    np.sqrt(den, out=den)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.divide(num, den, out=num)
    if m is not None:
        z[~m] = np.nan
    if n <= (2 * radius + 1) ** 2:  # a window may cover the whole mask (W = n): 0 / 0
        z[~np.isfinite(z)] = np.nan
    return z


def gi_moments(values: ArrayLike, mask: ArrayLike | None = None) -> tuple[float, float, float]:
    """``(n, sum y, sum y²)`` of the cells inside ``mask``: what `gi_star` needs of the whole.

    Moments of windows add up, so a chunked computation sums them before it computes any
    window's z-scores.

    Examples
    --------
    >>> gi_moments(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[True, False], [True, True]]))
    (3.0, 8.0, 26.0)
    """
    y = np.asarray(values, dtype=np.float64)
    inside = y if mask is None else y[np.asarray(mask, dtype=bool)]
    return float(inside.size), float(inside.sum()), float(np.vdot(inside, inside))
