"""Tests for layout.core.transforms: each kernel against hand-computed points, and the spec layer.

Expected values are worked out by hand in the comments (exact fractions or closed forms evaluated
with ``math``), independent of the kernels' numpy code.  Tolerance 1e-12 for float64 results and
1e-6 for float32 ones.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from layout.core import transforms as tf
from layout.core.transforms import TRANSFORMS

NAN = math.nan


def check(actual, expected, tol=1e-12):
    actual = np.asarray(actual)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=tol, equal_nan=True)


# --- kernels -----------------------------------------------------------------------------------


def test_identity_clips_and_keeps_nan():
    check(tf.identity([-0.5, 0.0, 0.3, 1.0, 2.0, NAN]), [0, 0, 0.3, 1, 1, NAN])


def test_linear_increasing_with_clipping():
    # (x - 0) / 500 → -0.2, 0, 0.25, 1, 1.2 → clipped
    check(tf.linear([-100.0, 0.0, 125.0, 500.0, 600.0, NAN], low=0, high=500),
          [0, 0, 0.25, 1, 1, NAN])


def test_linear_decreasing_when_low_above_high():
    # 1 at 0 m, 0 from 5 km: (x - 5000) / (0 - 5000) → 1000 m gives 4/5
    check(tf.linear([-10.0, 0.0, 1000.0, 2500.0, 5000.0, 9000.0], low=5000, high=0),
          [1, 1, 0.8, 0.5, 0, 0])


def test_linear_degenerate():
    with pytest.raises(ValueError, match="differ"):
        tf.linear([1.0], low=2, high=2)


def test_logistic_growth_and_decay():
    # 1 / (1 + exp(-0.5 * (12 - 10))) = 1 / (1 + e^-1)
    up = 1 / (1 + math.exp(-1))
    check(tf.logistic([10.0, 12.0, 8.0, NAN], midpoint=10, steepness=0.5), [0.5, up, 1 - up, NAN])
    check(tf.logistic([10.0, 12.0, 8.0], midpoint=10, steepness=-0.5), [0.5, 1 - up, up])


def test_logistic_saturates_without_overflow_warning():
    # pytest turns warnings into errors, so an overflow in exp would fail here
    check(tf.logistic([-1e308, 1e308, -np.inf, np.inf], midpoint=0, steepness=10), [0, 1, 0, 1])


def test_gaussian():
    # exp(-0.5 z²): z = 0, 1, -2
    check(tf.gaussian([100.0, 110.0, 80.0, NAN], mean=100, sd=10),
          [1, math.exp(-0.5), math.exp(-2), NAN])
    check(tf.gaussian([1e200, np.inf], mean=0, sd=1e-100), [0, 0])


def test_near():
    # 1 / (1 + (x / 2000)²): 0 → 1, 2000 → 1/2, 4000 → 1/5, 6000 → 1/10
    check(tf.near([0.0, 2000.0, 4000.0, 6000.0, NAN], midpoint=2000), [1, 0.5, 0.2, 0.1, NAN])
    check(tf.near([np.inf, 1e300], midpoint=1e-10), [0, 0])


def test_small_and_large():
    x = [-3.0, 0.0, 5.0, 10.0, 20.0, NAN]
    # small: 1 / (1 + (x/10)²): negatives count as 0 → 1; 5 → 1/(1 + 1/4) = 0.8; 20 → 1/5
    check(tf.small(x, midpoint=10, spread=2), [1, 1, 0.8, 0.5, 0.2, NAN])
    # large: 1 / (1 + (x/10)^-2): 5 → 1/(1 + 4) = 0.2; 20 → 1/(1 + 1/4) = 0.8; 0 and below → 0
    check(tf.large(x, midpoint=10, spread=2), [0, 0, 0.2, 0.5, 0.8, NAN])
    # default spread 5: 20 → 1 / (1 + 2^5) = 1/33
    check(tf.small([20.0], midpoint=10), [1 / 33])
    check(tf.large([20.0], midpoint=10), [32 / 33])
    check(tf.large([np.inf, 1e300], midpoint=1e-300, spread=50), [1, 1])


def test_threshold_inclusive_both_ways():
    x = [5.0, 15.0, 25.0, NAN, -np.inf, np.inf]
    check(tf.threshold(x, threshold=15), [0, 1, 1, NAN, 0, 1])
    check(tf.threshold(x, threshold=15, above=False), [1, 1, 0, NAN, 1, 0])


def test_categorical_keys_default_and_nan():
    mapping = {"1": 1.0, 2: 0.4, 3.5: 0.7}
    check(tf.categorical([1, 2, 3.5, 4, 0, NAN], mapping=mapping), [1, 0.4, 0.7, 0, 0, NAN])
    check(tf.categorical([1.0, 9.0], mapping=mapping, default=0.25), [1, 0.25])
    check(tf.categorical([1.0, 9.0], mapping=mapping, default=NAN), [1, NAN])


def test_categorical_matches_float32_codes():
    x = np.array([0.1, 0.2], dtype=np.float32)
    out = tf.categorical(x, mapping={0.1: 1.0, "0.2": 0.5})
    assert out.dtype == np.float32
    check(out, [1.0, 0.5], tol=1e-6)


def test_categorical_bad_mapping():
    with pytest.raises(ValueError, match="not a number"):
        tf.categorical([1.0], mapping={"forest": 1.0})
    with pytest.raises(ValueError, match="more than once"):
        tf.categorical([1.0], mapping={"1": 1.0, 1.0: 0.5})


KERNEL_CASES = [
    (tf.identity, {}),
    (tf.linear, {"low": 0, "high": 10}),
    (tf.linear, {"low": 10, "high": 0}),
    (tf.logistic, {"midpoint": 5, "steepness": 1}),
    (tf.gaussian, {"mean": 5, "sd": 2}),
    (tf.near, {"midpoint": 3}),
    (tf.small, {"midpoint": 3, "spread": 2}),
    (tf.large, {"midpoint": 3, "spread": 2}),
    (tf.threshold, {"threshold": 4}),
    (tf.categorical, {"mapping": {1: 0.2, 5: 0.9}, "default": 0.1}),
]


@pytest.mark.parametrize(("kernel", "params"), KERNEL_CASES)
def test_dtype_nan_range_and_in_place(kernel, params):
    x64 = np.array([[-2.0, 0.0, 1.0], [5.0, NAN, 12.0]])
    ref = kernel(x64, **params)
    assert ref.dtype == np.float64
    assert ref.shape == x64.shape
    assert np.isnan(ref[1, 1]) and np.isnan(ref).sum() == 1  # NaN in, NaN out, nowhere else
    assert np.all((ref[~np.isnan(ref)] >= 0) & (ref[~np.isnan(ref)] <= 1))

    x32 = x64.astype(np.float32)
    out32 = kernel(x32, **params)
    assert out32.dtype == np.float32  # memory: float32 criteria stay float32
    check(out32, ref, tol=1e-6)

    buf = x64.copy()
    res = kernel(buf, out=buf, **params)  # in place, the input itself as the output
    assert res is buf
    check(buf, ref)

    check(kernel(np.array([[-2, 0, 1], [5, 3, 12]]), **params)[0], ref[0])  # ints → float64


def test_out_must_match():
    with pytest.raises(ValueError, match="shape"):
        tf.linear(np.zeros(3), low=0, high=1, out=np.zeros(4))
    with pytest.raises(ValueError, match="float"):
        tf.linear(np.zeros(3), low=0, high=1, out=np.zeros(3, dtype=int))


def test_registry_matches_kernel_signatures():
    for name, info in TRANSFORMS.items():
        sig = inspect.signature(info.kernel).parameters
        required = {k for k, p in sig.items()
                    if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
        optional = {k for k, p in sig.items()
                    if p.kind is p.KEYWORD_ONLY and p.default is not p.empty} - {"out"}
        assert set(info.required) == required, name
        assert set(info.optional) == optional, name
