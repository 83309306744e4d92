"""Criterion transforms: map a raw criterion raster to suitability in [0, 1].

Two layers, after scikit-criteria's kernel-under-a-wrapper pattern:

* **Kernels** (`linear`, `logistic`, `gaussian`, `near`, `small`, `large`, `threshold`,
  `categorical`, `identity`) are pure vectorised numpy functions.  They take the raw array first and
  the shape parameters keyword-only, and accept ``out=`` so a caller scoring a million cells against
  many criteria can reuse one buffer (``out`` may be the input array itself).  They check only what
  would make the arithmetic meaningless and raise a plain `ValueError` then.
* **`layout.model.transforms.TransformSpec`** is the validated, configuration-facing
  description of one transform (a pydantic model per kind); its messages name the TOML key.
  `TRANSFORMS` below is the registry both share: kind → kernel and parameter names.

Conventions shared by every kernel:

* NaN means "no data" and stays NaN.  (``categorical`` may also *produce* NaN, through
  ``default = nan``.)
* Output dtype: a float32 input gives a float32 output (4 bytes per cell: a 1,000 × 1,000 grid with
  20 criteria stays at 80 MB); every other input (float64, integers, booleans, float16,
  longdouble) is computed and returned as float64.  ``out``, when given, must be a float array of
  the input's shape and is returned.
* Results lie in [0, 1] (up to rounding; ``±inf`` inputs map to the limits of each function).

The continuous functions follow the ones in ArcGIS Pro's Suitability Modeler / *Rescale by
Function* (see ``docs`` of ``TfLinear``, ``TfGaussian``, ``TfLogisticGrowth``, ``TfNear``,
``TfSmall``, ``TfLarge``), with two deliberate differences documented on the functions: `gaussian`
takes a standard deviation instead of ArcGIS's "spread", and `near` is the distance-decay curve
``1 / (1 + (x / midpoint)**2)`` (ArcGIS's ``TfNear`` with its midpoint at 0).  ArcGIS's lower/upper
thresholds are not reproduced: combine a transform with a constraint mask instead.

How a plan writes a transform (TOML forms) is in `layout.model.transforms`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "TRANSFORMS",
    "TransformInfo",
    "categorical",
    "category_key",
    "gaussian",
    "identity",
    "large",
    "linear",
    "logistic",
    "near",
    "small",
    "threshold",
]

FloatArray = NDArray[np.floating[Any]]


# ---------------------------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------------------------


def _prepare(x: ArrayLike, out: FloatArray | None) -> tuple[FloatArray, FloatArray]:
    """Return ``x`` as float32/float64 and an output buffer of the same shape and dtype."""
    a = np.asarray(x)
    if a.dtype != np.float32 and a.dtype != np.float64:
        if a.dtype.kind not in "biuf":
            raise TypeError(f"criterion values must be numeric, got an array of dtype {a.dtype}")
        a = a.astype(np.float64)
    if out is None:
        return a, np.empty_like(a)
    if not isinstance(out, np.ndarray) or out.dtype.kind != "f" or out.shape != a.shape:
        found = f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
        raise ValueError(f"out must be a float array of shape {a.shape}, got {found}")
    return a, out


def identity(x: ArrayLike, *, out: FloatArray | None = None) -> FloatArray:
    """Clip values to [0, 1]; for criteria that are already suitabilities.

    Parameters
    ----------
    x
        Criterion values (NaN = no data).
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        ``clip(x, 0, 1)``; NaN stays NaN.

    Examples
    --------
    >>> identity([-0.5, 0.25, 1.5, float("nan")]).tolist()
    [0.0, 0.25, 1.0, nan]
    """
    a, o = _prepare(x, out)
    return np.clip(a, 0.0, 1.0, out=o)


def linear(x: ArrayLike, *, low: float, high: float, out: FloatArray | None = None) -> FloatArray:
    """Linear ramp: 0 at ``low``, 1 at ``high``, clipped outside.

    ``f(x) = clip((x - low) / (high - low), 0, 1)``.  With ``low > high`` the ramp decreases:
    ``linear(d, low=5000, high=0)`` is 1 at distance 0 and 0 from 5 km on.

    Parameters
    ----------
    x
        Criterion values (NaN = no data).
    low, high
        Values that map to 0 and 1; they must differ.
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        Suitability in [0, 1].

    Examples
    --------
    >>> linear([0.0, 250.0, 500.0, 900.0], low=0.0, high=500.0).tolist()
    [0.0, 0.5, 1.0, 1.0]
    >>> linear([0.0, 1000.0, 8000.0], low=5000.0, high=0.0).tolist()
    [1.0, 0.8, 0.0]
    """
    if low == high:
        raise ValueError(f"linear: low and high must differ, both are {low}")
    a, o = _prepare(x, out)
    np.subtract(a, low, out=o)
    np.multiply(o, 1.0 / (high - low), out=o)
    return np.clip(o, 0.0, 1.0, out=o)


def logistic(
    x: ArrayLike, *, midpoint: float, steepness: float, out: FloatArray | None = None
) -> FloatArray:
    """Logistic (sigmoid) curve: ``f(x) = 1 / (1 + exp(-steepness * (x - midpoint)))``.

    0.5 at ``midpoint``; the slope there is ``steepness / 4`` per unit of ``x``.  A negative
    ``steepness`` gives a decreasing curve (ArcGIS's *logistic decay*; positive is *logistic
    growth*).  Computed with `scipy.special.expit`, which does not overflow.

    Parameters
    ----------
    x
        Criterion values (NaN = no data).
    midpoint
        Value mapped to 0.5.
    steepness
        Growth rate in 1 / (unit of ``x``); non-zero.
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        Suitability in (0, 1).

    Examples
    --------
    >>> logistic([0.0, 10.0], midpoint=10.0, steepness=0.5).round(4).tolist()
    [0.0067, 0.5]
    >>> logistic([0.0, 10.0], midpoint=10.0, steepness=-0.5).round(4).tolist()
    [0.9933, 0.5]
    """
    if steepness == 0:
        raise ValueError("logistic: steepness must be non-zero")
    a, o = _prepare(x, out)
    with np.errstate(over="ignore"):  # huge |x| * steepness saturates to ±inf, which expit handles
        np.subtract(a, midpoint, out=o)
        np.multiply(o, steepness, out=o)
    from scipy.special import expit  # here: scipy.special costs 0.15 s to import, see cli

    return expit(o, out=o)


def gaussian(x: ArrayLike, *, mean: float, sd: float, out: FloatArray | None = None) -> FloatArray:
    """Gaussian bell: ``f(x) = exp(-0.5 * ((x - mean) / sd)**2)``, 1 at ``mean``.

    Unnormalised (peak 1, not ``1 / (sd √(2π))``).  ArcGIS's ``TfGaussian`` writes the same curve as
    ``exp(-spread * (x - midpoint)**2)``, i.e. ``spread = 1 / (2 sd²)``.

    Parameters
    ----------
    x
        Criterion values (NaN = no data).
    mean
        Most suitable value.
    sd
        Standard deviation (> 0), in units of ``x``: ``f(mean ± sd) = exp(-1/2) ≈ 0.607``.
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        Suitability in [0, 1].

    Examples
    --------
    >>> gaussian([100.0, 110.0, 120.0], mean=100.0, sd=10.0).round(4).tolist()
    [1.0, 0.6065, 0.1353]
    """
    if not sd > 0:
        raise ValueError(f"gaussian: sd must be positive, got {sd}")
    a, o = _prepare(x, out)
    with np.errstate(over="ignore"):  # the square of a huge deviation is inf, and exp(-inf) = 0
        np.subtract(a, mean, out=o)
        np.multiply(o, 1.0 / sd, out=o)
        np.square(o, out=o)
        np.multiply(o, -0.5, out=o)
    return np.exp(o, out=o)


def near(x: ArrayLike, *, midpoint: float, out: FloatArray | None = None) -> FloatArray:
    """Distance decay: ``f(x) = 1 / (1 + (x / midpoint)**2)``.

    1 at ``x = 0``, 0.5 at ``x = midpoint``, 0.2 at ``2 * midpoint``, falling like
    ``(midpoint / x)**2`` far away.  Meant for distances (``x ≥ 0``); the curve is symmetric, so
    negative values behave like their absolute value.

    This is ArcGIS's ``TfNear``, ``1 / (1 + spread * (x - m)**2)``, with its peak ``m`` at 0 and
    ``spread = 1 / midpoint**2``, so the one parameter reads in distance units.  For a bell around
    a non-zero preferred value use `gaussian`.

    Parameters
    ----------
    x
        Criterion values, typically a distance in metres (NaN = no data).
    midpoint
        Distance (> 0) at which suitability has fallen to 0.5.
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        Suitability in (0, 1].

    Examples
    --------
    >>> near([0.0, 2000.0, 4000.0], midpoint=2000.0).tolist()
    [1.0, 0.5, 0.2]
    """
    if not midpoint > 0:
        raise ValueError(f"near: midpoint must be positive, got {midpoint}")
    a, o = _prepare(x, out)
    with np.errstate(over="ignore"):  # (x / midpoint)**2 = inf gives 1 / inf = 0, as it should
        np.multiply(a, 1.0 / midpoint, out=o)
        np.square(o, out=o)
        np.add(o, 1.0, out=o)
        np.reciprocal(o, out=o)
    return o


def _small_into(a: FloatArray, o: FloatArray, midpoint: float, spread: float) -> FloatArray:
    """Write ``1 / (1 + (max(x, 0) / midpoint)**spread)`` into ``o``."""
    with np.errstate(over="ignore"):  # a power that overflows to inf gives 1 / inf = 0
        np.multiply(a, 1.0 / midpoint, out=o)
        np.maximum(o, 0.0, out=o)  # ArcGIS: negative inputs get the value of zero
        np.power(o, spread, out=o)
        np.add(o, 1.0, out=o)
        np.reciprocal(o, out=o)
    return o


def _check_fuzzy(name: str, midpoint: float, spread: float) -> None:
    if not midpoint > 0:
        raise ValueError(f"{name}: midpoint must be positive, got {midpoint}")
    if not spread > 0:
        raise ValueError(f"{name}: spread must be positive, got {spread}")


def small(
    x: ArrayLike, *, midpoint: float, spread: float = 5.0, out: FloatArray | None = None
) -> FloatArray:
    """Fuzzy *small*: ``f(x) = 1 / (1 + (x / midpoint)**spread)``, decreasing.

    1 at 0, 0.5 at ``midpoint``, towards 0 for large ``x``; ``spread`` sets how sharply it drops
    around the midpoint (ArcGIS ``TfSmall``, default spread 5).  Negative values are treated as 0
    (as ArcGIS does), so they get 1.

    Parameters
    ----------
    x
        Criterion values (NaN = no data).
    midpoint
        Value (> 0) mapped to 0.5.
    spread
        Exponent (> 0); larger is steeper.
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        Suitability in [0, 1].

    Examples
    --------
    >>> small([0.0, 10.0, 20.0], midpoint=10.0, spread=2.0).tolist()
    [1.0, 0.5, 0.2]
    """
    _check_fuzzy("small", midpoint, spread)
    a, o = _prepare(x, out)
    return _small_into(a, o, midpoint, spread)


def large(
    x: ArrayLike, *, midpoint: float, spread: float = 5.0, out: FloatArray | None = None
) -> FloatArray:
    """Fuzzy *large*: ``f(x) = 1 / (1 + (x / midpoint)**(-spread))``, increasing.

    0 at 0, 0.5 at ``midpoint``, towards 1 for large ``x`` (ArcGIS ``TfLarge``, default spread 5).
    Computed as ``1 - small(x)``, which is algebraically identical and has no division by zero at
    ``x = 0``.  Negative values are treated as 0, so they get 0.

    Parameters
    ----------
    x
        Criterion values (NaN = no data).
    midpoint
        Value (> 0) mapped to 0.5.
    spread
        Exponent (> 0); larger is steeper.
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        Suitability in [0, 1].

    Examples
    --------
    >>> large([0.0, 10.0, 20.0], midpoint=10.0, spread=2.0).tolist()
    [0.0, 0.5, 0.8]
    """
    _check_fuzzy("large", midpoint, spread)
    a, o = _prepare(x, out)
    _small_into(a, o, midpoint, spread)
    return np.subtract(1.0, o, out=o)


def threshold(
    x: ArrayLike, *, threshold: float, above: bool = True, out: FloatArray | None = None
) -> FloatArray:
    """Step function: 1 where ``x >= threshold`` (or ``x <= threshold`` with ``above=False``).

    Both forms include the threshold itself.  Computed as ``heaviside(±(x - threshold), 1)``,
    which keeps NaN without a separate mask.

    Parameters
    ----------
    x
        Criterion values (NaN = no data).
    threshold
        The cut value.
    above
        True: suitable at or above the threshold; False: at or below it.
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        0.0 or 1.0 (NaN where ``x`` is NaN).

    Examples
    --------
    >>> threshold([5.0, 15.0, 25.0, float("nan")], threshold=15.0).tolist()
    [0.0, 1.0, 1.0, nan]
    >>> threshold([5.0, 15.0, 25.0], threshold=15.0, above=False).tolist()
    [1.0, 1.0, 0.0]
    """
    a, o = _prepare(x, out)
    if above:
        np.subtract(a, threshold, out=o)
    else:
        np.subtract(threshold, a, out=o)
    return np.heaviside(o, 1.0, out=o)


def category_key(key: object) -> float:
    """Return a categorical mapping key as a float (TOML keys arrive as strings)."""
    if isinstance(key, bool):
        raise ValueError(f"class value {key!r} is a boolean, not a number")
    if isinstance(key, numbers.Real):
        value = float(key)
    elif isinstance(key, str):
        try:
            value = float(key.strip())
        except ValueError:
            raise ValueError(f"class value {key!r} is not a number") from None
    else:
        raise ValueError(f"class value {key!r} is not a number")
    if math.isnan(value):
        raise ValueError("class value nan is not allowed (NaN means no data)")
    return value


def categorical(
    x: ArrayLike,
    *,
    mapping: Mapping[int | float | str, float],
    default: float = 0.0,
    out: FloatArray | None = None,
) -> FloatArray:
    """Map class codes to suitabilities (ArcGIS "unique categories").

    Keys are class codes: numbers, or strings holding numbers (TOML table keys are always strings,
    so ``{"1" = 0.8}`` and ``{1: 0.8}`` mean the same).  Keys are compared with ``x`` after casting
    to ``x``'s dtype, so ``0.1`` matches a float32 ``0.1``.  The lookup is a binary search over the
    sorted keys (`numpy.searchsorted`), O(cells × log classes), with no Python loop over cells.

    Parameters
    ----------
    x
        Class codes (NaN = no data).
    mapping
        Class code → suitability.
    default
        Suitability of codes not in ``mapping``; ``nan`` marks them as no data.
    out
        Optional output buffer (may be ``x`` itself).

    Returns
    -------
    numpy.ndarray
        The mapped values; NaN where ``x`` is NaN.

    Examples
    --------
    >>> categorical([1, 2, 7, float("nan")], mapping={"1": 1.0, 2: 0.4}).tolist()
    [1.0, 0.4, 0.0, nan]
    >>> categorical([1, 7], mapping={1: 1.0}, default=float("nan")).tolist()
    [1.0, nan]
    """
    if not mapping:
        raise ValueError("categorical: mapping is empty")
    a, o = _prepare(x, out)
    pairs = sorted((category_key(k), float(v)) for k, v in mapping.items())
    keys = np.array([k for k, _ in pairs], dtype=a.dtype)
    if np.any(np.diff(keys) == 0):
        dupes = sorted({float(k) for k in keys[1:][np.diff(keys) == 0]})
        raise ValueError(f"categorical: class value(s) {dupes} appear more than once")
    values = np.array([v for _, v in pairs], dtype=o.dtype)
    # Everything derived from ``a`` is computed before ``o`` is written, so ``out=x`` is safe.
    idx = np.searchsorted(keys, a)  # NaN sorts after every key
    np.minimum(idx, keys.size - 1, out=idx)
    miss = keys[idx] != a  # True for NaN too
    nodata = np.isnan(a)
    np.take(values, idx, out=o)
    np.copyto(o, default, where=miss)
    np.copyto(o, np.nan, where=nodata)
    return o


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------


class TransformInfo(NamedTuple):
    """One entry of `TRANSFORMS`."""

    kernel: Callable[..., FloatArray]
    required: tuple[str, ...]
    optional: tuple[str, ...]


#: Transform kind → (kernel, required parameter names, optional parameter names).
TRANSFORMS: Mapping[str, TransformInfo] = MappingProxyType(
    {
        "identity": TransformInfo(identity, (), ()),
        "linear": TransformInfo(linear, ("low", "high"), ()),
        "logistic": TransformInfo(logistic, ("midpoint", "steepness"), ()),
        "gaussian": TransformInfo(gaussian, ("mean", "sd"), ()),
        "near": TransformInfo(near, ("midpoint",), ()),
        "small": TransformInfo(small, ("midpoint",), ("spread",)),
        "large": TransformInfo(large, ("midpoint",), ("spread",)),
        "threshold": TransformInfo(threshold, ("threshold",), ("above",)),
        "categorical": TransformInfo(categorical, ("mapping",), ("default",)),
    }
)
