"""Criterion weights: direct multipliers, or the Analytic Hierarchy Process (AHP).

Direct weights are any non-negative numbers, rescaled to sum to 1 (`normalise_weights`).  AHP
weights (`ahp_weights`) are the principal eigenvector of a matrix of pairwise judgements on
Saaty's 1-9 scale (``a[i][j] = 3``: criterion *i* is moderately more important than *j*), and come
with the consistency ratio CR that says whether the judgements can be trusted (Saaty's rule:
CR ≤ 0.10).

References
----------
.. [1] Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures.
   *Journal of Mathematical Psychology* 15(3), 234-281.
.. [2] Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill, New York.
.. [3] Saaty, R. W. (1987). The analytic hierarchy process—what it is and how it is used.
   *Mathematical Modelling* 9(3-5), 161-176.

TOML forms
----------
Direct weights, one number per criterion (any scale; they are normalised)::

    [industries.auto.weights]
    kde = 3
    road_distance = 2
    slope = 1

AHP with the *upper triangle* in row order (recommended: the lower triangle is filled with the
reciprocals, so it cannot be inconsistent with itself); for labels ``A, B, C, D`` the values are
``a[A][B], a[A][C], a[A][D], a[B][C], a[B][D], a[C][D]``::

    [industries.auto.weights.ahp]
    labels = ["kde", "road_distance", "slope"]
    matrix = [3, 5, 3]          # kde:road 3, kde:slope 5, road:slope 3

AHP with the *full matrix*; TOML has no fractions, so entries may be numbers or strings such as
``"1/3"``::

    [industries.auto.weights.ahp]
    labels = ["kde", "road_distance", "slope"]
    matrix = [
        [1,     3,     5],
        ["1/3", 1,     3],
        ["1/5", "1/3", 1],
    ]
"""

from __future__ import annotations

import logging
import math
import numbers
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from layout.errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = [
    "RANDOM_INDEX",
    "AHPResult",
    "ahp_weights",
    "format_matrix",
    "normalise_weights",
]

#: Saaty's random consistency index RI for n = 1..15 (index 0 is n = 1): the mean CI of random
#: reciprocal matrices with entries from the 1/9..9 scale, as tabulated in Saaty (1980) [2]_, the
#: table most planning studies cite.  The dip at n = 12 (1.48) is kept as published.  Later tables
#: from larger simulations (e.g. in Saaty's later papers; see also [3]_) differ in the second
#: decimal for some n (about 0.52 for n = 3), which makes CR slightly stricter; state the table
#: when comparing CRs across studies.
RANDOM_INDEX: tuple[float, ...] = (
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
)  # fmt: skip

#: Tolerance on ``a[i][j] * a[j][i] == 1`` and ``a[i][i] == 1``: lets ``0.3333333`` stand for 1/3
#: while catching ``0.33`` (product 0.99), which is a typo rather than a judgement.
RECIPROCAL_TOL = 1e-6


def _at(where: str, key: object) -> str:
    """``where`` followed by a TOML key, quoted when it is not a bare key."""
    text = str(key)
    bare = text and all(c.isascii() and (c.isalnum() or c in "_-") for c in text)
    return f"{where}.{text}" if bare else f'{where}."{text}"'


def _join(problems: list[str], where: str) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"{where}: {len(problems)} problems:\n" + "\n".join(f"  - {p}" for p in problems)


def normalise_weights(weights: Mapping[str, float], *, where: str) -> dict[str, float]:
    """Rescale non-negative weights so that they sum to 1.

    Parameters
    ----------
    weights
        Criterion name → weight, on any scale.
    where
        Where the weights come from, for messages, e.g. ``"plan.toml: [industries.auto] weights"``.

    Returns
    -------
    dict
        Same keys in the same order, values summing to 1.

    Raises
    ------
    ConfigError
        No weights, or a weight that is not a finite non-negative number (each such key is
        named), or all weights zero.

    Examples
    --------
    >>> normalise_weights({"kde": 3, "road": 1}, where="plan.toml: weights")
    {'kde': 0.75, 'road': 0.25}
    >>> normalise_weights({"kde": -1}, where="plan.toml: weights")
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: plan.toml: weights.kde: weight must be a finite number >= 0, got -1
    """
    if not isinstance(weights, Mapping) or not weights:
        raise ConfigError(f"{where}: expected a non-empty table of criterion = weight")
    problems: list[str] = []
    values: dict[str, float] = {}
    for key, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            problems.append(
                f"{_at(where, key)}: weight must be a number, got {value!r} "
                f"({type(value).__name__})"
            )
            continue
        number = float(value)
        if not (math.isfinite(number) and number >= 0):
            problems.append(
                f"{_at(where, key)}: weight must be a finite number >= 0, got {value!r}"
            )
        values[key] = number
    if problems:
        raise ConfigError(_join(problems, where))
    total = math.fsum(values.values())
    if total == 0:
        raise ConfigError(
            f"{where}: all weights are zero ({', '.join(values)}); give at least one a positive "
            "weight"
        )
    return {key: value / total for key, value in values.items()}


@dataclass(frozen=True, eq=False)
class AHPResult:
    """Weights derived from a pairwise comparison matrix, with its consistency.

    Attributes
    ----------
    weights
        Label → weight (the normalised principal eigenvector), in the order of the labels.
    lambda_max
        Principal eigenvalue λmax (≥ n for a positive reciprocal matrix).
    ci
        Consistency index ``(λmax - n) / (n - 1)`` (0 for n ≤ 2).
    cr
        Consistency ratio ``CI / RI`` (0 for n ≤ 2).
    ri
        Random index used (`RANDOM_INDEX`).
    matrix
        The full n × n matrix as float64 (read-only).
    """

    weights: dict[str, float]
    lambda_max: float
    ci: float
    cr: float
    ri: float
    matrix: NDArray[np.float64]

    @property
    def labels(self) -> tuple[str, ...]:
        """The criteria, in matrix order."""
        return tuple(self.weights)

    def __str__(self) -> str:
        lines = [format_matrix(self.matrix, self.labels), ""]
        lines += [f"{label}: {w:.3f}" for label, w in self.weights.items()]
        lines.append(f"λmax = {self.lambda_max:.3f}, CI = {self.ci:.3f}, CR = {self.cr:.3f}")
        return "\n".join(lines)


def _entry(value: object, at: str, problems: list[str]) -> float:
    """Parse one judgement: a number, or a string such as ``"3"``, ``"1/3"`` or ``"0.5"``."""
    if isinstance(value, bool):
        problems.append(f"{at}: expected a number, got {value!r}")
        return math.nan
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Fraction(value.replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            pass
    problems.append(f'{at}: expected a number or a fraction such as "1/3", got {value!r}')
    return math.nan


def _is_row(value: object) -> bool:
    return isinstance(value, Sequence | np.ndarray) and not isinstance(value, str | bytes)


def _parse_matrix(matrix: Any, n: int, where: str) -> NDArray[np.float64]:
    """Return the full matrix from either TOML form; raise ConfigError on shape/entry problems."""
    if isinstance(matrix, np.ndarray):
        matrix = matrix.tolist()
    if not _is_row(matrix):
        raise ConfigError(
            f"{where}: expected a list of lists (full matrix) or a list of numbers (upper "
            f"triangle), got {matrix!r}"
        )
    rows = list(matrix)
    problems: list[str] = []
    full = np.ones((n, n))
    is_row = [_is_row(r) for r in rows]
    if rows and all(is_row):
        if len(rows) != n:
            raise ConfigError(
                f"{where}: the full matrix has {len(rows)} rows but there are {n} labels"
            )
        for i, row in enumerate(rows):
            if len(row) != n:
                problems.append(f"{where}[{i}]: row {i} has {len(row)} values, expected {n}")
                continue
            for j, value in enumerate(row):
                full[i, j] = _entry(value, f"{where}[{i}][{j}]", problems)
    elif not any(is_row):
        expected = n * (n - 1) // 2
        if len(rows) != expected:
            raise ConfigError(
                f"{where}: the upper triangle of a {n} × {n} matrix has {expected} values "
                f"(n(n-1)/2), got {len(rows)}; give either that many numbers in row order or the "
                "full matrix as a list of rows"
            )
        iu, ju = np.triu_indices(n, k=1)
        for k, (i, j) in enumerate(zip(iu.tolist(), ju.tolist(), strict=True)):
            value = _entry(rows[k], f"{where}[{k}]", problems)
            if not (value > 0 and math.isfinite(value)):
                problems.append(f"{where}[{k}]: judgements must be positive, got {rows[k]!r}")
                value = math.nan
            full[i, j] = value
            full[j, i] = 1.0 / value if value else math.nan
    else:
        raise ConfigError(
            f"{where}: mixes rows and single numbers; give either the full matrix (a list of "
            "rows) or the upper triangle (a flat list of numbers)"
        )
    if problems:
        raise ConfigError(_join(problems, where))
    return full


def _check_matrix(a: NDArray[np.float64], labels: Sequence[str], where: str) -> None:
    """Positive entries, unit diagonal, reciprocal pairs; every violation is reported."""
    n = a.shape[0]
    problems: list[str] = []
    for i in range(n):  # n ≤ 15: a loop over pairs reads better than masks and costs nothing
        if not math.isclose(a[i, i], 1.0, rel_tol=0, abs_tol=RECIPROCAL_TOL):
            problems.append(f"{where}[{i}][{i}] ({labels[i]}): diagonal must be 1, got {a[i, i]:g}")
        for j in range(n):
            if i != j and not (a[i, j] > 0 and math.isfinite(a[i, j])):
                problems.append(
                    f"{where}[{i}][{j}] ({labels[i]} over {labels[j]}): judgements must be "
                    f"positive and finite, got {a[i, j]:g}"
                )
    if problems:
        raise ConfigError(_join(problems, where))
    for i in range(n):
        for j in range(i + 1, n):
            product = a[i, j] * a[j, i]
            if abs(product - 1.0) > RECIPROCAL_TOL:
                problems.append(
                    f"{where}: pair ({i}, {j}) is not reciprocal: a[{i}][{j}] ({labels[i]} over "
                    f"{labels[j]}) = {a[i, j]:g} but a[{j}][{i}] ({labels[j]} over {labels[i]}) = "
                    f"{a[j, i]:g}; their product is {product:.6g}, it must be 1 (±"
                    f"{RECIPROCAL_TOL:g}); set a[{j}][{i}] = {_fraction(1 / a[i, j])}, or give "
                    "the upper triangle only"
                )
    if problems:
        raise ConfigError(_join(problems, where))


def _fraction(value: float) -> str:
    """Write a judgement as Saaty would: ``3``, ``1/3``, else three significant digits."""
    if value >= 1 and math.isclose(value, round(value), rel_tol=1e-3):
        return str(round(value))
    if 0 < value < 1 and math.isclose(1 / value, round(1 / value), rel_tol=1e-3):
        return f"1/{round(1 / value)}"
    return f"{value:.3g}"


def _width(text: str) -> int:
    """Display width in a terminal: CJK (wide) characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _rjust(text: str, width: int) -> str:
    return " " * (width - _width(text)) + text


def format_matrix(matrix: Any, labels: Sequence[str]) -> str:
    """Format a pairwise comparison matrix as a small table with row and column labels.

    Entries are written as Saaty judgements (``3``, ``1/3``) when they are within 0.1 % of one,
    otherwise with three significant digits.  Wide (CJK) labels are aligned by display width.

    Parameters
    ----------
    matrix
        An n × n array-like of positive numbers.
    labels
        n criterion names.

    Returns
    -------
    str
        One line per row, plus a header line; no trailing spaces.

    Examples
    --------
    >>> print(format_matrix([[1, 3], [1 / 3, 1]], ["kde", "road"]))
          kde road
    kde     1    3
    road  1/3    1
    """
    a = np.asarray(matrix, dtype=float)
    names = [str(label) for label in labels]
    cells = [[_fraction(float(v)) for v in row] for row in a]
    head = max((_width(n) for n in names), default=0)
    widths = [
        max([_width(names[j])] + [_width(row[j]) for row in cells]) for j in range(len(names))
    ]
    lines = [" " * head + "".join(" " + _rjust(n, w) for n, w in zip(names, widths, strict=True))]
    for name, row in zip(names, cells, strict=True):
        body = "".join(" " + _rjust(c, w) for c, w in zip(row, widths, strict=True))
        lines.append(name + " " * (head - _width(name)) + body)
    return "\n".join(line.rstrip() for line in lines)


def ahp_weights(
    matrix: Any, *, labels: Sequence[str], where: str, max_cr: float = 0.1
) -> AHPResult:
    """Derive weights from a pairwise comparison matrix by Saaty's eigenvector method.

    The weights are the principal (Perron) eigenvector of the matrix, from `numpy.linalg.eig`,
    real part, scaled to sum to 1.  Consistency: ``CI = (λmax - n) / (n - 1)`` and
    ``CR = CI / RI(n)`` with ``RI`` from `RANDOM_INDEX` (Saaty 1980).  Matrices of order 1 or 2
    are always consistent (CR = 0).

    Parameters
    ----------
    matrix
        Either the full n × n matrix (list of lists or array; entries numbers or fraction strings
        like ``"1/3"``) or its upper triangle as n(n-1)/2 values in row order (see the module
        docstring for the TOML forms).
    labels
        The n criterion names, in matrix order (unique).
    where
        Where the matrix comes from, for messages, e.g.
        ``"plan.toml: [industries.auto.weights.ahp] matrix"``.
    max_cr
        Largest acceptable consistency ratio; Saaty's 0.10 by default.  ``math.inf`` accepts any
        matrix (to report CR without failing).

    Returns
    -------
    AHPResult

    Raises
    ------
    ConfigError
        Bad shape or labels, non-numeric or non-positive entries, diagonal not 1, a pair that is
        not reciprocal (naming the pair), more than 15 criteria (no RI published), or
        ``CR > max_cr`` (one line: CR and the judgement that deviates most from the derived
        weights; the matrix itself goes to the debug log).

    Examples
    --------
    >>> r = ahp_weights([3, 5, 3], labels=["kde", "road", "slope"], where="plan.toml: ahp")
    >>> {k: round(w, 3) for k, w in r.weights.items()}
    {'kde': 0.637, 'road': 0.258, 'slope': 0.105}
    >>> round(r.lambda_max, 3), round(r.cr, 3)
    (3.039, 0.033)
    """
    names = [str(label) for label in labels]
    n = len(names)
    if n == 0:
        raise ConfigError(f"{where}: no labels; AHP needs at least one criterion")
    if len(set(names)) != n:
        dupes = sorted({name for name in names if names.count(name) > 1})
        raise ConfigError(f"{where}: labels must be unique, repeated: {', '.join(dupes)}")
    if n > len(RANDOM_INDEX):
        raise ConfigError(
            f"{where}: {n} criteria; AHP random indices are published for at most "
            f"{len(RANDOM_INDEX)}, and judgements on that many criteria are rarely consistent; "
            "group the criteria into a hierarchy"
        )
    a = _parse_matrix(matrix, n, where)
    _check_matrix(a, names, where)

    eigenvalues, vectors = np.linalg.eig(a)
    k = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[k].real)
    w = vectors[:, k].real
    w = w / w.sum()  # the Perron vector has one sign; dividing by the sum also makes it positive
    ri = RANDOM_INDEX[n - 1]
    # λmax ≥ n for positive reciprocal matrices; a negative CI can only be round-off.
    ci = max((lambda_max - n) / (n - 1), 0.0) if n > 2 else 0.0
    cr = ci / ri if ri > 0 else 0.0
    a.setflags(write=False)
    result = AHPResult(
        weights={name: float(v) for name, v in zip(names, w, strict=True)},
        lambda_max=lambda_max,
        ci=ci,
        cr=cr,
        ri=ri,
        matrix=a,
    )
    if cr > max_cr:
        # The judgement furthest from what the weights imply (a[i][j] vs w_i / w_j), on a log scale.
        implied = np.outer(w, 1.0 / w)
        dev = np.abs(np.log(a / implied))
        i, j = np.unravel_index(int(np.argmax(np.triu(dev, k=1))), dev.shape)
        # One line for the user; the whole matrix goes to the debug log (-v shows it).
        logger.debug("%s: the inconsistent matrix (CR = %.3f):\n%s", where, cr,
                     format_matrix(a, names))
        raise ConfigError(
            f"{where}: the pairwise judgements are too inconsistent to use: CR = {cr:.3f} > "
            f"{max_cr:.2f} (λmax = {lambda_max:.3f}, n = {n}, RI = {ri:.2f}); the judgement "
            f"furthest from the derived weights is a[{i}][{j}] ({names[i]} over {names[j]}) = "
            f"{_fraction(a[i, j])}, where the weights imply about {implied[i, j]:.2g}; revise "
            "the judgements (if A beats B and B beats C, A beats C by about the product) until "
            f"CR <= {max_cr:.2f}"
        )
    return result
