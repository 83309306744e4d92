"""Kernels of the 城镇建设适宜性 grading (`layout.analysis.construction`): relief and classes.

Plain arrays in, arrays out; the rule table is `layout.model.construction.ConstructionRules`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage


def relief(elevation: NDArray[np.floating[Any]], window: int) -> NDArray[np.float32]:
    """Max minus min elevation in the ``window`` x ``window`` cells around each cell.

    NaN cells are ignored in the window and stay NaN.

    Examples
    --------
    >>> e = np.array([[0.0, 10.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 50.0]])
    >>> relief(e, 3).tolist()
    [[10.0, 10.0, 10.0], [10.0, 50.0, 50.0], [0.0, 50.0, 50.0]]
    """
    e = np.asarray(elevation, np.float64)
    nan = np.isnan(e)
    hi = ndimage.maximum_filter(np.where(nan, -np.inf, e), size=window, mode="nearest")
    lo = ndimage.minimum_filter(np.where(nan, np.inf, e), size=window, mode="nearest")
    out = (hi - lo).astype(np.float32)
    out[nan] = np.nan
    return out


def land_grades(
    slope: NDArray[np.floating[Any]],
    relief_m: NDArray[np.floating[Any]],
    *,
    slope_breaks: Sequence[float],
    relief_steps: Sequence[float],
    lower: NDArray[np.integer[Any]] | None = None,
) -> NDArray[np.uint8]:
    """Grades 1 (best) to ``len(slope_breaks) + 1``: slope class, lowered by relief and ``lower``.

    A slope at a break belongs to the class below it (3° is class 1 of 3/8/15/25); relief above
    each step lowers one grade; the grade never passes the worst.  0 where slope is NaN.

    Examples
    --------
    >>> land_grades(np.array([2.0, 3.0, 10.0, 30.0]), np.array([0.0, 150.0, 250.0, 0.0]),
    ...             slope_breaks=[3, 8, 15, 25], relief_steps=[100, 200]).tolist()
    [1, 2, 5, 5]
    """
    s = np.asarray(slope, np.float64)
    worst = len(slope_breaks) + 1
    grade = np.digitize(np.nan_to_num(s, nan=0.0), np.asarray(slope_breaks, np.float64),
                        right=True) + 1
    r = np.nan_to_num(np.asarray(relief_m, np.float64), nan=0.0)
    for step in relief_steps:
        grade += r > step
    if lower is not None:
        grade += np.asarray(lower, np.int64)
    out = np.minimum(grade, worst).astype(np.uint8)
    out[np.isnan(s)] = 0
    return out


def classes_of(
    grades: NDArray[np.integer[Any]],
    unsuitable: NDArray[np.bool_],
    *,
    suitable_max: int,
    general_max: int,
) -> NDArray[np.uint8]:
    """Class codes 1 适宜, 2 一般适宜, 3 不适宜 (0 where the grade is 0).

    Examples
    --------
    >>> classes_of(np.array([1, 2, 3, 5, 0]), np.array([False, True, False, False, False]),
    ...            suitable_max=2, general_max=4).tolist()
    [1, 3, 2, 3, 0]
    """
    g = np.asarray(grades)
    out = np.where(g <= suitable_max, 1, np.where(g <= general_max, 2, 3)).astype(np.uint8)
    out[np.asarray(unsuitable, bool)] = 3
    out[g == 0] = 0
    return out
