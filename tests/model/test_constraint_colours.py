"""Exclusion colours stay apart for a reader with deuteranopia (`layout.model.constraints`).

Each colour is simulated with the deuteranopia matrix of Machado, Oliveira and Fernandes
(2009, "A physiologically-based model for simulation of color vision deficiency", IEEE TVCG
15(6), severity 1.0), applied to linear sRGB, then compared in CIELAB (D65, CIE76 ΔE) -- all
computed here with numpy, not by the package. Every pair of types must stay at least `MIN_DE`
apart, or, where a land-use type shares its counterpart's colour on purpose, differ in hatch.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from layout.model.constraints import CONSTRAINT_TYPES

#: Machado et al. (2009), deuteranopia, severity 1.0 (linear RGB).
MACHADO_DEUTERANOPIA = np.array([
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
])
#: sRGB (D65) to XYZ.
SRGB_TO_XYZ = np.array([
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
])
D65 = np.array([0.95047, 1.0, 1.08883])
#: Smallest ΔE (CIE76) between two types' simulated colours; ~10 is "clearly different" on a
#: map legend, the old palette reached 7.7 (water source / scenic area).
MIN_DE = 15.0


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = (SRGB_TO_XYZ @ linear_rgb) / D65
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def deuteranope_lab(hex_colour: str) -> np.ndarray:
    return _lab(np.clip(MACHADO_DEUTERANOPIA @ _linear(hex_colour), 0.0, 1.0))


def test_simulation_matches_published_behaviour() -> None:
    # Red and green, far apart for normal vision, come close for a deuteranope; blue and
    # yellow stay apart (the axis deuteranopes keep).
    red, green = deuteranope_lab("#ff0000"), deuteranope_lab("#00ff00")
    blue, yellow = deuteranope_lab("#0000ff"), deuteranope_lab("#ffff00")
    normal = np.linalg.norm(_lab(_linear("#ff0000")) - _lab(_linear("#00ff00")))
    assert np.linalg.norm(red - green) < 0.5 * normal
    assert np.linalg.norm(blue - yellow) > 80


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(CONSTRAINT_TYPES, 2)))
def test_every_pair_of_exclusions_stays_apart(a: str, b: str) -> None:
    ta, tb = CONSTRAINT_TYPES[a], CONSTRAINT_TYPES[b]
    de = float(np.linalg.norm(deuteranope_lab(ta.color) - deuteranope_lab(tb.color)))
    if de < MIN_DE:  # the colours merge: the hatch must tell them apart
        assert ta.hatch != tb.hatch, (a, b, round(de, 1))
        assert {a, b} & {"landuse_farmland", "landuse_water", "landuse_ecological"}, (
            f"{a} and {b} merge under deuteranopia (ΔE {de:.1f} < {MIN_DE})")
