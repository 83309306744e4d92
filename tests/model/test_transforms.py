"""Transforms as configured (layout.model.transforms): validated models, messages with keys.

The kernels they apply are tested in tests/core/test_transforms.py.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from layout.core.transforms import TRANSFORMS
from layout.errors import ConfigError
from layout.model.transforms import KINDS, Gaussian, TransformSpec

NAN = math.nan
WHERE = "plan.toml: industries.auto.criteria.kde.transform"


def check(actual, expected, tol=1e-12):
    actual = np.asarray(actual)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=tol, equal_nan=True)


# --- spec layer --------------------------------------------------------------------------------


def test_from_config_and_apply():
    spec = TransformSpec.from_config({"kind": "linear", "low": 5000, "high": 0}, where=WHERE)
    assert spec.kind == "linear"
    assert dict(spec.params) == {"low": 5000.0, "high": 0.0}
    check(spec.apply([1000.0, NAN]), [0.8, NAN])
    assert str(spec) == "linear(low=5000, high=0)"


def test_from_config_bare_kind_and_defaults():
    assert TransformSpec.from_config("identity", where=WHERE).kind == "identity"
    spec = TransformSpec.from_config({"kind": "small", "midpoint": 10}, where=WHERE)
    check(spec.apply([20.0]), [1 / 33])
    spec = TransformSpec.from_config({"kind": "threshold", "threshold": 15, "above": False},
                                     where=WHERE)
    check(spec.apply([10.0, 20.0]), [1, 0])


def test_from_config_categorical_toml_keys():
    spec = TransformSpec.from_config(
        {"kind": "categorical", "mapping": {"1": 1.0, "2.5": 0.4}, "default": NAN}, where=WHERE
    )
    assert dict(spec.params["mapping"]) == {1.0: 1.0, 2.5: 0.4}
    check(spec.apply([1.0, 2.5, 3.0]), [1, 0.4, NAN])


def test_unknown_kind_suggests_closest():
    with pytest.raises(ConfigError) as exc:
        TransformSpec.from_config({"kind": "lienar", "low": 0, "high": 1}, where=WHERE)
    msg = str(exc.value)
    assert msg.startswith(WHERE + ": unknown transform kind 'lienar'")
    assert "did you mean 'linear'" in msg
    assert "known kinds:" in msg


def test_unknown_kind_without_close_match():
    with pytest.raises(ConfigError, match=r"unknown transform kind 'zzzz'; known kinds"):
        TransformSpec.from_config({"kind": "zzzz"}, where=WHERE)


@pytest.mark.parametrize(
    ("config", "key", "text"),
    [
        ({"kind": "linear", "low": 0}, "high", "missing"),
        ({"kind": "linear", "low": 0, "high": 1, "hihg": 2}, "hihg", "did you mean 'high'"),
        ({"kind": "linear", "low": "zero", "high": 1}, "low", "must be a number"),
        ({"kind": "linear", "low": True, "high": 1}, "low", "must be a number"),
        ({"kind": "linear", "low": NAN, "high": 1}, "low", "finite"),
        ({"kind": "linear", "low": 3, "high": 3}, "high", "must differ"),
        ({"kind": "gaussian", "mean": 0, "sd": 0}, "sd", "must be > 0"),
        ({"kind": "gaussian", "mean": 0, "sd": -1}, "sd", "must be > 0"),
        ({"kind": "logistic", "midpoint": 0, "steepness": 0}, "steepness", "non-zero"),
        ({"kind": "near", "midpoint": -5}, "midpoint", "must be > 0"),
        ({"kind": "large", "midpoint": 5, "spread": 0}, "spread", "must be > 0"),
        ({"kind": "threshold", "threshold": 1, "above": "yes"}, "above", "true or false"),
        ({"kind": "categorical", "mapping": {}}, "mapping", "non-empty"),
        ({"kind": "categorical", "mapping": {"1": 1.5}}, "mapping",
         "1 = 1.5: suitability must be a number in [0, 1]"),
        ({"kind": "categorical", "mapping": {"forest": 1}}, "mapping",
         "forest: class value 'forest' is not a number"),
        ({"kind": "categorical", "mapping": {"1": 1}, "default": 2}, "default", "[0, 1]"),
    ],
)
def test_config_errors_name_the_key(config, key, text):
    with pytest.raises(ConfigError) as exc:
        TransformSpec.from_config(config, where=WHERE)
    msg = str(exc.value)
    assert re.search(rf"{re.escape(WHERE)}\.{re.escape(key)}( = [^:]+)?: ", msg), msg
    assert text in msg


def test_config_errors_are_collected():
    with pytest.raises(ConfigError) as exc:
        TransformSpec.from_config({"kind": "gaussian", "mean": "x", "sd": -1}, where=WHERE)
    msg = str(exc.value)
    assert msg.startswith("plan.toml: 2 problems")
    path = WHERE.split(": ", 1)[1]
    assert f'  - {path}.mean = "x":' in msg and f"  - {path}.sd = -1:" in msg


def test_missing_kind_and_bad_value():
    with pytest.raises(ConfigError, match=r"transform: kind: missing"):
        TransformSpec.from_config({"low": 0}, where=WHERE)
    with pytest.raises(ConfigError, match="expected a transform name"):
        TransformSpec.from_config(3, where=WHERE)  # type: ignore[arg-type]


def test_direct_construction_validates():
    # the models validate on construction too (pydantic's ValidationError is a ValueError)
    with pytest.raises(ValueError, match="sd"):
        Gaussian(kind="gaussian", mean=0, sd=0)
    with pytest.raises(ConfigError):  # ConfigError is a ValueError
        TransformSpec.from_config({"kind": "nope"}, where=WHERE)
    spec = TransformSpec.from_config({"kind": "near", "midpoint": 2000}, where=WHERE)
    with pytest.raises(ValueError):  # frozen: a validated transform cannot be changed
        spec.midpoint = 1  # type: ignore[attr-defined]


def test_every_kernel_has_a_model_and_every_model_a_kernel():
    assert list(KINDS) == list(TRANSFORMS)
