"""Numeric kernels of the agglomeration criteria and statistics: plain numpy/scipy on arrays.

These functions do the arithmetic and nothing else: no validation, no CRS, no GeoDataFrames
(`layout.analysis.measures` wraps them, checks the inputs and owns the error messages).  Shapes and units
are stated in each docstring.  Rasters follow `layout.model.grid.Grid`: north-up, row 0 at the northern
edge, cell ``(r, c)`` centred at ``x = x0 + (c + 0.5) * cell``, ``y = y_top - (r + 0.5) * cell``.

Every kernel is vectorised and O(n) or O(n log n) in the number of cells or points, so that it can
be benchmarked on its own (``benchmarks/bench_kernels.py``) and run window by window: `kde_grid`
on a sub-grid gives exactly the corresponding window of the full result, because points outside
the window still contribute.

References
----------
.. [1] Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*, ch. 3.5
   (linear binning and FFT convolution for kernel density estimates).
.. [2] Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
   issues and an application. *Geographical Analysis* 27(4), 286-306 (the Gi* z-score).
.. [3] Ellison, G. & Glaeser, E. L. (1997). Geographic concentration in U.S. manufacturing
   industries: a dartboard approach. *Journal of Political Economy* 105(5), 889-927.
.. [4] Ellison, G., Glaeser, E. L. & Kerr, W. R. (2010). What causes industry agglomeration?
   *American Economic Review* 100(3), 1195-1213 (the coagglomeration index).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import uniform_filter1d
from scipy.signal import fftconvolve

FloatArray = NDArray[np.float64]

#: Square metres per square kilometre: densities are returned per km².
M2_PER_KM2 = 1.0e6

#: Points are binned in batches of this many, to bound the memory of the 9 nodes per point.
_BIN_BATCH = 1 << 20

__all__ = [
    "coagglomeration",
    "ellison_glaeser",
    "gi_star",
    "kde_grid",
    "location_quotient",
    "region_shares",
    "window_sum",
]


# --- kernel density -------------------------------------------------------------------------


def _tsc_nodes(u: FloatArray) -> tuple[NDArray[np.int64], FloatArray]:
    """Nearest node and the three quadratic-spline ("TSC") weights of continuous indices ``u``.

    Returns ``k`` (n,) and ``w`` (n, 3): the weights of nodes ``k - 1, k, k + 1``.  They sum to 1,
    their mean is ``u`` and their variance is 1/4 whatever the offset ``u - k`` (unlike linear,
    "cloud-in-cell" binning, whose variance ``t(1 - t)`` depends on the offset and biases peaks
    down by up to ``cell² / (4 h²)``: 2.8 % at h = 3 cells).  A constant variance is removed
    exactly by narrowing the Gaussian (see `kde_grid`).
    """
    k = np.floor(u + 0.5)
    d = u - k  # in [-0.5, 0.5)
    w = np.empty((u.size, 3))
    w[:, 0] = 0.5 * (0.5 - d) ** 2
    w[:, 1] = 0.75 - d * d
    w[:, 2] = 0.5 * (0.5 + d) ** 2
    return k.astype(np.int64), w


def kde_grid(
    x: ArrayLike,
    y: ArrayLike,
    weights: ArrayLike | None,
    *,
    x0: float,
    y_top: float,
    cell: float,
    nrows: int,
    ncols: int,
    bandwidth: float,
    cutoff: float = 4.0,
) -> FloatArray:
    r"""Weighted Gaussian kernel density at every cell centre of a north-up grid, per km².

    The density at a cell centre :math:`c` is

    .. math:: f(c) = 10^6 \sum_i w_i \frac{1}{2\pi h^2}
              \exp\left(-\frac{\lVert c - p_i\rVert^2}{2h^2}\right)

    in *weight units per km²* (points per km² when ``weights`` is None), with ``h`` the bandwidth
    in metres: the same quantity as scikit-learn's
    ``exp(KernelDensity(kernel="gaussian", bandwidth=h).fit(X, sample_weight=w)
    .score_samples(C)) * w.sum() * 1e6``.  Summed over all cells and multiplied by the cell area
    in km², it returns the total weight (less what falls outside the grid).

    Algorithm: the points are binned onto the cell centres of a grid padded by the kernel radius
    with quadratic-spline weights (each point spread over 3 × 3 centres, preserving its weight,
    its mean position and adding an offset-independent variance of ``cell² / 4`` per axis), then
    convolved by FFT with a separable Gaussian of variance ``h² - cell² / 4`` truncated at
    ``cutoff * h``; the two variances add back up to ``h²``.  Cost O(points + cells log cells).

    Accuracy: for ``bandwidth >= 3 * cell`` and ``cutoff >= 4`` the result agrees with the exact
    sum (and with scikit-learn at ``rtol=1e-4``) to within 0.5 % of the peak value everywhere.
    The residual comes from the third and fourth cumulants of the binning and shrinks as
    ``(cell / h)³``: for one point at the worst sub-cell offset it is 0.08 % of the peak at
    h = 3 cells, 0.3 % at 2 cells and 3.5 % at 1 cell; the truncation loses at most
    ``exp(-cutoff² / 2)`` = 0.03 % of a kernel's peak at ``cutoff = 4``.  ``bandwidth`` must
    exceed ``cell / 2``.

    Parameters
    ----------
    x, y
        Point coordinates (n,) in the grid's CRS units (metres).  Points outside the grid still
        contribute to the cells within ``cutoff * bandwidth`` of them.
    weights
        Non-negative weight of each point (n,), or None for 1 per point.
    x0, y_top
        Western and northern edges of the grid (metres).
    cell
        Cell size (metres).
    nrows, ncols
        Grid shape.
    bandwidth
        Standard deviation ``h`` of the Gaussian kernel, metres (> ``cell / 2``).
    cutoff
        Kernel truncation radius in bandwidths.

    Returns
    -------
    ndarray
        ``(nrows, ncols)`` float64 density, weight units per km², non-negative.

    Examples
    --------
    One point of weight 1 at a cell centre: the peak is ``1e6 / (2 pi h²)`` per km².

    >>> d = kde_grid([550.0], [-550.0], None, x0=0.0, y_top=0.0, cell=100.0, nrows=11,
    ...              ncols=11, bandwidth=1000.0)
    >>> round(float(d[5, 5]), 4), round(1e6 / (2 * np.pi * 1000.0**2), 4)
    (0.1592, 0.1592)
    >>> round(float(d.sum()) * 0.01, 3)  # weight in this 1.1 km square: erf(0.55 / sqrt 2)²
    0.175
    """
    px = np.asarray(x, dtype=np.float64).ravel()
    py = np.asarray(y, dtype=np.float64).ravel()
    pw = np.ones_like(px) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    h = float(bandwidth)
    var_eff = h * h - 0.25 * cell * cell  # remove the binning variance, cell²/4 per axis
    radius = math.ceil(cutoff * h / cell)  # kernel radius in cells
    prows, pcols = nrows + 2 * radius, ncols + 2 * radius
    binned = np.zeros(prows * pcols)
    # Continuous indices on the padded grid: centre of padded cell (i, j) is at (i, j).
    for s in range(0, px.size, _BIN_BATCH):
        sl = slice(s, s + _BIN_BATCH)
        kc, wc = _tsc_nodes((px[sl] - x0) / cell - 0.5 + radius)
        kr, wr = _tsc_nodes((y_top - py[sl]) / cell - 0.5 + radius)
        rows = kr[:, None, None] + np.arange(-1, 2)[None, :, None]  # (n, 3, 1)
        cols = kc[:, None, None] + np.arange(-1, 2)[None, None, :]  # (n, 1, 3)
        w = pw[sl, None, None] * wr[:, :, None] * wc[:, None, :]  # (n, 3, 3)
        rows, cols = np.broadcast_arrays(rows, cols)
        # Nodes beyond the padded grid are more than `radius` cells from every cell: dropped.
        keep = (rows >= 0) & (rows < prows) & (cols >= 0) & (cols < pcols)
        binned += np.bincount((rows * pcols + cols)[keep], weights=w[keep], minlength=prows * pcols)
    offsets = np.arange(-radius, radius + 1) * cell
    g = np.exp(-offsets * offsets / (2.0 * var_eff))
    grid = binned.reshape(prows, pcols)
    # Separable convolution; "valid" leaves exactly the (nrows, ncols) unpadded cells.
    out = fftconvolve(grid, g[None, :], mode="valid", axes=1)
    out = fftconvolve(out, g[:, None], mode="valid", axes=0)
    out *= M2_PER_KM2 / (2.0 * np.pi * var_eff)
    # FFT round-off leaves ~1e-16 * peak of noise, sometimes negative where the density is 0.
    return np.maximum(out, 0.0)


def _linear_weights(n_fine: int, k: int) -> tuple[NDArray[np.intp], FloatArray]:
    """Left coarse index and weight of the right neighbour for each fine cell centre.

    The coarse grid has cells ``k`` times larger and one extra coarse cell of padding before the
    first fine cell, so fine centre ``j`` sits at coarse position ``0.5 + (j + 0.5) / k`` in
    units of coarse cells, measured so that coarse centre ``J`` is at ``J``.
    """
    u = 0.5 + (np.arange(n_fine, dtype=np.float64) + 0.5) / k
    left = np.floor(u).astype(np.intp)
    return left, u - left


def kde_grid_coarse(
    x: ArrayLike,
    y: ArrayLike,
    weights: ArrayLike | None,
    *,
    x0: float,
    y_top: float,
    cell: float,
    nrows: int,
    ncols: int,
    bandwidth: float,
    cutoff: float = 4.0,
) -> FloatArray:
    """`kde_grid` computed on cells ``k`` times coarser, then bilinearly interpolated.

    With ``k = floor(bandwidth / (10 * cell))`` the coarse cells are at most a tenth of the
    bandwidth. Bilinear interpolation of a Gaussian of standard deviation ``h`` sampled every
    ``d`` metres errs by at most ``d² / (4 h²)`` of its peak (``|f_xx| + |f_yy| <= 2 / h²``
    times ``d² / 8``), 0.25 % for ``d = h / 10``; with the coarse `kde_grid` error (0.08 % at
    10 coarse cells per bandwidth) the result stays within 0.5 % of the peak of the exact
    density, at about ``1 / k²`` of the cost. For ``k = 1`` it is `kde_grid` itself.

    Examples
    --------
    >>> kw = {"x0": 0.0, "y_top": 0.0, "cell": 100.0, "nrows": 60, "ncols": 80,
    ...       "bandwidth": 3000.0}
    >>> exact = kde_grid([2000.0, 5000.0], [-2000.0, -3500.0], [1.0, 2.0], **kw)
    >>> fast = kde_grid_coarse([2000.0, 5000.0], [-2000.0, -3500.0], [1.0, 2.0], **kw)
    >>> bool(np.abs(fast - exact).max() <= 0.005 * exact.max())
    True
    """
    k = max(1, math.floor(bandwidth / (10.0 * cell)))
    if k == 1:
        return kde_grid(
            x,
            y,
            weights,
            x0=x0,
            y_top=y_top,
            cell=cell,
            nrows=nrows,
            ncols=ncols,
            bandwidth=bandwidth,
            cutoff=cutoff,
        )
    big = k * cell
    coarse = kde_grid(
        x,
        y,
        weights,
        x0=x0 - big,
        y_top=y_top + big,
        cell=big,
        nrows=math.ceil(nrows / k) + 2,
        ncols=math.ceil(ncols / k) + 2,
        bandwidth=bandwidth,
        cutoff=cutoff,
    )
    cl, cw = _linear_weights(ncols, k)
    rl, rw = _linear_weights(nrows, k)
    cols = coarse[:, cl] * (1.0 - cw) + coarse[:, cl + 1] * cw
    return cols[rl, :] * (1.0 - rw)[:, None] + cols[rl + 1, :] * rw[:, None]


# --- Getis-Ord Gi* --------------------------------------------------------------------------


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
    inside = y if m is None else y[m]
    n = float(inside.size)
    if n < 2 or inside.min() == inside.max():
        return np.full(y.shape, np.nan)  # no variance: no z-score
    mean = float(inside.sum()) / n
    s2 = max(float(np.vdot(inside, inside)) / n - mean * mean, 0.0)  # esda's S²: divisor n
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


# --- regional concentration -----------------------------------------------------------------


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
