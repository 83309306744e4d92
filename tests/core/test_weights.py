"""Tests for layout.core.weights.

The AHP reference is Saaty's "relative wealth of nations" matrix (Saaty 1977, J. Math. Psychol.
15:234-281; also Saaty 1980, The Analytic Hierarchy Process), whose published principal
eigenvector is (.427, .230, .021, .052, .052, .123, .094) with λmax = 7.61.  The expected weights
are also derived independently in the test, by power iteration (no numpy.linalg) and by the
row-geometric-mean approximation, and CR is recomputed by hand from λmax and RI(7) = 1.32.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from layout.core.weights import RANDOM_INDEX, ahp_weights, format_matrix, normalise_weights
from layout.errors import ConfigError

WHERE = "plan.toml: [industries.auto.weights.ahp] matrix"

NATIONS = ["US", "USSR", "China", "France", "UK", "Japan", "W. Germany"]
WEALTH = [
    [1, 4, 9, 6, 6, 5, 5],
    [1 / 4, 1, 7, 5, 5, 3, 4],
    [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
    [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
]
WEALTH_PUBLISHED = [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094]


def power_iteration(a, tol=1e-15, max_iter=10_000):
    """Perron vector and eigenvalue by repeated multiplication, in plain Python."""
    n = len(a)
    w = [1.0 / n] * n
    for _ in range(max_iter):
        v = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
        total = sum(v)
        v = [x / total for x in v]
        if max(abs(x - y) for x, y in zip(v, w, strict=True)) < tol:
            w = v
            break
        w = v
    aw = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
    lam = sum(aw[i] / w[i] for i in range(n)) / n
    return w, lam


def geometric_mean_weights(a):
    g = [math.prod(row) ** (1 / len(row)) for row in a]
    return [x / sum(g) for x in g]


# --- normalise_weights -------------------------------------------------------------------------


def test_normalise_weights():
    w = normalise_weights({"kde": 3, "road": 1.0, "slope": 0}, where="plan.toml: weights")
    assert list(w) == ["kde", "road", "slope"]
    assert w == pytest.approx({"kde": 0.75, "road": 0.25, "slope": 0.0}, abs=1e-15)
    assert math.fsum(w.values()) == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(
    ("weights", "text"),
    [
        ({"kde": 1, "road": -0.5}, "plan.toml: weights.road: weight must be a finite number >= 0"),
        ({"kde": 1, "road": math.nan}, "plan.toml: weights.road:"),
        ({"kde": 1, "road": math.inf}, "plan.toml: weights.road:"),
        ({"kde": 1, "road": "high"}, "plan.toml: weights.road: weight must be a number"),
        ({"kde": 1, "road": True}, "plan.toml: weights.road: weight must be a number"),
        ({"kde": 0, "road": 0.0}, "plan.toml: weights: all weights are zero (kde, road)"),
        ({}, "plan.toml: weights: expected a non-empty table"),
        ({"道路": -1}, 'plan.toml: weights."道路":'),
    ],
)
def test_normalise_weights_errors(weights, text):
    with pytest.raises(ConfigError) as exc:
        normalise_weights(weights, where="plan.toml: weights")
    assert text in str(exc.value)


def test_normalise_weights_reports_every_bad_key():
    with pytest.raises(ConfigError) as exc:
        normalise_weights({"a": -1, "b": 1, "c": "x"}, where="w")
    assert str(exc.value).startswith("w: 2 problems")
    assert "w.a:" in str(exc.value) and "w.c:" in str(exc.value)


# --- AHP: published example --------------------------------------------------------------------


def test_ahp_wealth_of_nations():
    r = ahp_weights(WEALTH, labels=NATIONS, where=WHERE)
    got = list(r.weights.values())
    assert list(r.weights) == NATIONS
    # published to three decimals
    assert got == pytest.approx(WEALTH_PUBLISHED, abs=5e-4)
    assert r.lambda_max == pytest.approx(7.61, abs=5e-3)
    # independent derivations
    ref, lam = power_iteration(WEALTH)
    assert got == pytest.approx(ref, abs=1e-10)
    assert r.lambda_max == pytest.approx(lam, rel=1e-10)
    # the geometric-mean approximation is within ~0.01 of the eigenvector for this CR
    assert got == pytest.approx(geometric_mean_weights(WEALTH), abs=0.015)
    # CI and CR by hand from λmax: (λ - 7) / 6, then / RI(7) = 1.32
    assert r.ri == 1.32
    assert r.ci == pytest.approx((lam - 7) / 6, rel=1e-9)
    assert r.cr == pytest.approx((lam - 7) / 6 / 1.32, rel=1e-9)
    assert 0.07 < r.cr < 0.08  # Saaty reports CR ≈ 0.08: acceptable
    assert math.fsum(got) == pytest.approx(1.0, abs=1e-12)


def test_ahp_classic_three_by_three():
    a = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]
    r = ahp_weights(a, labels=["kde", "road", "slope"], where=WHERE)
    ref, lam = power_iteration(a)
    assert list(r.weights.values()) == pytest.approx(ref, abs=1e-10)
    assert r.cr == pytest.approx((lam - 3) / 2 / 0.58, rel=1e-9)
    assert r.cr < 0.1


def test_ahp_consistent_matrix_returns_its_weights():
    w = np.array([0.5, 0.25, 0.15, 0.1])
    a = np.outer(w, 1 / w)  # a_ij = w_i / w_j: perfectly consistent
    r = ahp_weights(a, labels=["a", "b", "c", "d"], where=WHERE)
    np.testing.assert_allclose(list(r.weights.values()), w, rtol=0, atol=1e-12)
    assert r.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert r.ci == pytest.approx(0.0, abs=1e-12)
    assert r.cr == pytest.approx(0.0, abs=1e-12)


def test_ahp_small_orders_have_zero_cr():
    r1 = ahp_weights([[1]], labels=["only"], where=WHERE)
    assert r1.weights == {"only": 1.0} and r1.cr == 0.0
    r0 = ahp_weights([], labels=["only"], where=WHERE)  # empty upper triangle of a 1 × 1
    assert r0.weights == {"only": 1.0}
    r2 = ahp_weights([4], labels=["a", "b"], where=WHERE)
    assert list(r2.weights.values()) == pytest.approx([0.8, 0.2], abs=1e-12)
    assert r2.cr == 0.0 and r2.ci == 0.0


# --- AHP: input forms --------------------------------------------------------------------------


def test_upper_triangle_equals_full_form():
    upper = [4, 9, 6, 6, 5, 5, 7, 5, 5, 3, 4, 1 / 5, 1 / 5, 1 / 7, 1 / 5, 1, 1 / 3, 1 / 3,
             1 / 3, 1 / 3, 2]
    full = ahp_weights(WEALTH, labels=NATIONS, where=WHERE)
    tri = ahp_weights(upper, labels=NATIONS, where=WHERE)
    np.testing.assert_allclose(tri.matrix, full.matrix, rtol=1e-15)
    assert list(tri.weights.values()) == pytest.approx(list(full.weights.values()), abs=1e-14)
    assert tri.cr == pytest.approx(full.cr, abs=1e-14)


def test_fraction_strings_as_in_toml():
    full = [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]
    r = ahp_weights(full, labels=["a", "b", "c"], where=WHERE)
    r_upper = ahp_weights(["3", 5, "3"], labels=["a", "b", "c"], where=WHERE)
    assert list(r.weights.values()) == pytest.approx(list(r_upper.weights.values()), abs=1e-14)


def test_result_is_read_only_and_prints():
    r = ahp_weights([3, 5, 3], labels=["a", "b", "c"], where=WHERE)
    assert r.labels == ("a", "b", "c")
    with pytest.raises(ValueError):
        r.matrix[0, 1] = 2
    assert "CR = 0.033" in str(r)


# --- AHP: errors -------------------------------------------------------------------------------


def test_non_reciprocal_pair_is_named():
    a = [[1, 3, 5], [0.5, 1, 3], [1 / 5, 1 / 3, 1]]
    with pytest.raises(ConfigError) as exc:
        ahp_weights(a, labels=["kde", "road", "slope"], where=WHERE)
    msg = str(exc.value)
    assert msg.startswith(WHERE)
    assert "pair (0, 1)" in msg
    assert "a[0][1] (kde over road) = 3" in msg and "a[1][0] (road over kde) = 0.5" in msg
    assert "set a[1][0] = 1/3" in msg


def test_reciprocal_tolerance():
    ok = [[1, 3], [0.3333333, 1]]  # product 0.9999999: within 1e-6
    ahp_weights(ok, labels=["a", "b"], where=WHERE)
    with pytest.raises(ConfigError, match=r"pair \(0, 1\)"):
        ahp_weights([[1, 3], [0.33, 1]], labels=["a", "b"], where=WHERE)


def test_every_non_reciprocal_pair_is_reported():
    a = [[1, 2, 2], [2, 1, 2], [2, 2, 1]]
    with pytest.raises(ConfigError) as exc:
        ahp_weights(a, labels=["a", "b", "c"], where=WHERE)
    msg = str(exc.value)
    assert msg.startswith(f"{WHERE}: 3 problems")
    for pair in ("(0, 1)", "(0, 2)", "(1, 2)"):
        assert pair in msg


def test_inconsistent_matrix_shows_matrix_and_cr():
    # a cycle: kde > road > slope > kde, each "extremely"
    a = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    labels = ["kde", "road", "slope"]
    with pytest.raises(ConfigError) as exc:
        ahp_weights(a, labels=labels, where=WHERE)
    msg = str(exc.value)
    assert msg.startswith(WHERE)
    assert "\n" not in msg  # one line: the CLI prints it as `error: ...`
    assert "a[0][1] (kde over road) = 9" in msg
    # hand: the Perron root of this circulant matrix is 1 + 9 + 1/9 (row sums), so
    # CR = ((1 + 9 + 1/9) - 3) / 2 / 0.58
    cr = ((1 + 9 + 1 / 9) - 3) / 2 / 0.58
    assert f"CR = {cr:.3f} > 0.10" in msg
    assert "revise the judgements" in msg
    # the same matrix passes when the caller accepts any CR
    r = ahp_weights(a, labels=labels, where=WHERE, max_cr=math.inf)
    assert r.cr == pytest.approx(cr, rel=1e-12)
    assert list(r.weights.values()) == pytest.approx([1 / 3] * 3, abs=1e-12)


@pytest.mark.parametrize(
    ("matrix", "labels", "text"),
    [
        ([[1, 2], [0.5, 1]], ["a", "b", "c"], "has 2 rows but there are 3 labels"),
        ([[1, 2, 3], [0.5, 1], [1 / 3, 2, 1]], ["a", "b", "c"], f"{WHERE}[1]: row 1 has 2 values"),
        ([2, 3], ["a", "b", "c"], "has 3 values (n(n-1)/2), got 2"),
        ([[1, 2], 3], ["a", "b"], "mixes rows and single numbers"),
        ([0], ["a", "b"], f"{WHERE}[0]: judgements must be positive"),
        (["three"], ["a", "b"], f"{WHERE}[0]: expected a number or a fraction"),
        ([[1, -2], [-0.5, 1]], ["a", "b"], f"{WHERE}[0][1] (a over b): judgements must be"),
        ([[2, 2], [0.5, 1]], ["a", "b"], f"{WHERE}[0][0] (a): diagonal must be 1"),
        ([3], ["a", "a"], "labels must be unique, repeated: a"),
        ([], [], "no labels"),
        ("1,2,3", ["a", "b", "c"], "expected a list of lists"),
    ],
)
def test_matrix_errors(matrix, labels, text):
    with pytest.raises(ConfigError) as exc:
        ahp_weights(matrix, labels=labels, where=WHERE)
    assert text in str(exc.value)


def test_too_many_criteria():
    labels = [f"c{i}" for i in range(16)]
    with pytest.raises(ConfigError, match="at most 15"):
        ahp_weights(np.ones((16, 16)), labels=labels, where=WHERE)


def test_random_index_table():
    # Saaty (1980), n = 1..15
    assert RANDOM_INDEX == (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48,
                            1.56, 1.57, 1.59)


# --- format_matrix -----------------------------------------------------------------------------


def test_format_matrix():
    text = format_matrix([[1, 3, 0.42], [1 / 3, 1, 3], [1 / 0.42, 1 / 3, 1]], ["kde", "road", "s"])
    assert text.splitlines() == [
        "      kde road    s",
        "kde     1    3 0.42",
        "road  1/3    1    3",
        "s    2.38  1/3    1",
    ]


def test_format_matrix_aligns_wide_labels():
    lines = format_matrix([[1, 2], [0.5, 1]], ["道路", "kde"]).splitlines()
    # 道路 is two characters but four columns wide; every line ends at the same column
    widths = [sum(2 if "\u4e00" <= c <= "\u9fff" else 1 for c in line) for line in lines]
    assert len(set(widths)) == 1
    assert lines[1].startswith("道路 ")
