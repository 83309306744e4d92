"""Tests of layout.core.regional: location quotients and Ellison-Glaeser(-Kerr) by hand."""

from __future__ import annotations

import numpy as np
import pytest

from layout.core import regional

# --- location quotient ----------------------------------------------------------------------


def test_location_quotient_hand_example():
    # Employment, 3 regions x 2 industries (auto, food):
    #   r0: 60, 40 (e_r = 100); r1: 10, 90 (100); r2: 30, 70 (100).
    # E_auto = 100, E_food = 200, E = 300 -> area shares 1/3 and 2/3.
    #   LQ r0 auto = 0.6 / (1/3) = 1.8;  food = 0.4 / (2/3) = 0.6
    #   LQ r1 auto = 0.1 * 3 = 0.3;      food = 0.9 * 1.5 = 1.35
    #   LQ r2 auto = 0.3 * 3 = 0.9;      food = 0.7 * 1.5 = 1.05
    e = np.array([[60.0, 40.0], [10.0, 90.0], [30.0, 70.0]])
    expected = np.array([[1.8, 0.6], [0.3, 1.35], [0.9, 1.05]])
    np.testing.assert_allclose(regional.location_quotient(e), expected, rtol=1e-12)


def test_location_quotient_zeros():
    # Empty region -> NaN row; an industry with no activity -> NaN column; 0 stays 0.
    e = np.array([[5.0, 0.0, 0.0], [0.0, 0.0, 0.0], [5.0, 10.0, 0.0]])
    lq = regional.location_quotient(e)
    assert np.isnan(lq[1]).all() and np.isnan(lq[:, 2]).all()
    assert lq[0, 1] == 0.0
    assert lq[0, 0] == pytest.approx((5 / 5) / (10 / 20))


# --- Ellison-Glaeser --------------------------------------------------------------------------


def test_ellison_glaeser_hand_example():
    # x = (0.5, 0.3, 0.2): sum x² = 0.38.  Plants: 30 and 10 employees in region 0, 60 in
    # region 2 -> s = (0.4, 0, 0.6).
    # G = 0.1² + 0.3² + 0.4² = 0.26;  H = 0.3² + 0.1² + 0.6² = 0.46;
    # gamma = (0.26 / 0.62 - 0.46) / (1 - 0.46) = (0.4193548 - 0.46) / 0.54 = -0.0752688.
    gamma, g, h = regional.ellison_glaeser([0, 0, 2], [30.0, 10.0, 60.0], [0.5, 0.3, 0.2])
    assert g == pytest.approx(0.26, abs=1e-12)
    assert h == pytest.approx(0.46, abs=1e-12)
    assert gamma == pytest.approx((0.26 / 0.62 - 0.46) / 0.54, abs=1e-12)
    assert gamma == pytest.approx(-0.0752688, abs=1e-7)


def test_ellison_glaeser_dartboard_expectation():
    # EG's theorem: with plants thrown at random in proportion to x (no spillovers), E[gamma] = 0.
    rng = np.random.default_rng(3)
    x = np.array([0.4, 0.25, 0.2, 0.1, 0.05])
    sizes = rng.integers(5, 200, 40).astype(float)
    gammas = [regional.ellison_glaeser(rng.choice(5, 40, p=x), sizes, x)[0] for _ in range(4000)]
    assert abs(np.mean(gammas)) < 0.01


def test_ellison_glaeser_degenerate():
    assert np.isnan(regional.ellison_glaeser([1], [50.0], [0.5, 0.5])[0])  # one plant: H = 1
    assert np.isnan(regional.ellison_glaeser([], [], [0.5, 0.5])[0])


def test_coagglomeration_hand_example():
    # x = (0.5, 0.3, 0.2); s_a = (0.4, 0, 0.6), s_b = (0.2, 0.1, 0.7).
    # sum (s_a - x)(s_b - x) = (-0.1)(-0.3) + (-0.3)(-0.2) + (0.4)(0.5) = 0.03 + 0.06 + 0.2 = 0.29
    # gamma_c = 0.29 / 0.62 = 0.4677419.
    gc = regional.coagglomeration([0.4, 0.0, 0.6], [0.2, 0.1, 0.7], [0.5, 0.3, 0.2])
    assert gc == pytest.approx(0.29 / 0.62, abs=1e-12)
