"""A warm-started LP relaxation for re-solving the selection programme with new values.

The sensitivity runs (`layout.allocation.sensitivity`) solve the LP relaxation of the same
programme over a hundred times, each time with new candidate values and nothing else changed.
`RelaxationSolver` keeps one HiGHS instance per process with the programme loaded once; each
`RelaxationSolver.solve` changes the objective (``changeColsCost``) and re-runs, so the simplex
starts from the previous optimal basis (a warm start) instead of from scratch. On the embedded
Zhengzhou plan that is about ten times faster than a cold `layout.allocation.solve.solve_lp`,
with the same optimum.

HiGHS is taken from ``highspy`` when it is installed, else from the copy SciPy bundles
(``scipy.optimize._highspy._core``, SciPy >= 1.15; a private module, so every failure to load
or use it falls back to the cold `solve_lp`). `highs_class` says which one is in use.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from scipy import sparse

from layout.allocation.candidates import F64
from layout.allocation.problem import Problem
from layout.allocation.solve import solve_lp

logger = logging.getLogger(__name__)


def highs_class() -> Any | None:
    """The HiGHS solver class: ``highspy.Highs``, SciPy's bundled one, or None if neither.

    Examples
    --------
    >>> highs_class() is None or callable(highs_class())
    True
    """
    try:
        import highspy  # type: ignore[import-not-found,unused-ignore]

        return highspy.Highs
    except ImportError:
        pass
    try:
        from scipy.optimize._highspy import _core  # type: ignore[attr-defined,unused-ignore]

        return _core._Highs
    except (ImportError, AttributeError):
        return None


def _core_module(highs: Any) -> Any:
    """The module holding ``HighsLp`` and ``MatrixFormat`` for an instance of `highs_class`."""
    try:
        import highspy

        if isinstance(highs, highspy.Highs):
            return highspy
    except ImportError:
        pass
    from scipy.optimize._highspy import _core  # type: ignore[attr-defined,unused-ignore]

    return _core


def load_lp(cost: F64, A: sparse.spmatrix, row_lower: F64, row_upper: F64, *,
            col_lower: F64, col_upper: F64) -> Any | None:
    """A HiGHS instance with the LP ``min cost @ x, row_lower <= A x <= row_upper`` loaded.

    Silent (no log output), not yet run. None when HiGHS cannot be loaded.
    """
    cls = highs_class()
    if cls is None:
        return None
    highs = cls()
    h = _core_module(highs)
    a = sparse.csc_matrix(A)
    nrow, ncol = a.shape
    lp = h.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = nrow
    lp.a_matrix_.num_col_ = ncol
    lp.a_matrix_.num_row_ = nrow
    lp.a_matrix_.format_ = h.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.col_cost_ = np.asarray(cost, np.float64)
    lp.col_lower_ = np.asarray(col_lower, np.float64)
    lp.col_upper_ = np.asarray(col_upper, np.float64)
    lp.row_lower_ = np.asarray(row_lower, np.float64)
    lp.row_upper_ = np.asarray(row_upper, np.float64)
    highs.setOptionValue("output_flag", False)
    if highs.passModel(lp) != h.HighsStatus.kOk:
        return None
    return highs


class RelaxationSolver:
    """The LP relaxation of one `Problem`, re-solved with new values from a kept basis.

    The relaxation is loaded into HiGHS once and solved for ``start`` (cold); its optimal
    basis is kept. Each `solve` changes only the objective, restores that basis and re-runs:
    a warm start. Every solve starts from the same basis, so its answer depends only on its
    own values, not on which solves came before (the sensitivity runs are spread over
    processes in an order that varies).

    Parameters
    ----------
    problem
        From `layout.allocation.problem.build_problem`.
    start
        The candidate values whose optimal basis every solve starts from (the base plan's).

    Examples
    --------
    >>> import numpy as np
    >>> from layout.allocation.problem import Problem
    >>> from scipy import sparse
    >>> # two candidates in one family (at most one chosen), no shortfall variables
    >>> A = sparse.csr_matrix(np.array([[1.0, 1.0]]))
    >>> p = Problem(None, A, np.array([-np.inf]), np.array([1.0]), {}, 0, {}, 1000.0)
    >>> lp = RelaxationSolver(p, start=np.array([1.0, 2.0]))
    >>> lp.solve(np.array([3.0, 2.0])).round(6).tolist()
    [1.0, 0.0]
    >>> lp.solve(np.array([1.0, 2.5])).round(6).tolist()
    [0.0, 1.0]
    """

    def __init__(self, problem: Problem, *, start: F64) -> None:
        self.problem = problem
        self.n = problem.A.shape[1] - problem.n_short
        self._idx = np.arange(self.n, dtype=np.int32)
        self._highs: Any | None = None
        self._basis: Any | None = None
        try:
            self._highs = self._load(np.asarray(start, np.float64))
            if self._highs is not None and self._run() is not None:
                self._basis = self._highs.getBasis()
        except Exception as exc:  # a private SciPy module: never let it break the plan
            logger.debug("HiGHS could not be used for warm starts (%s): cold solves", exc)
        if self._basis is None:
            self._highs = None

    @property
    def warm(self) -> bool:
        """Whether solves are warm-started (False: each is a cold `solve_lp`)."""
        return self._highs is not None

    def _load(self, values: F64) -> Any | None:
        p = self.problem
        cost = np.concatenate([-values, np.full(p.n_short, p.penalty)])
        upper = np.concatenate([np.ones(self.n), np.full(p.n_short, np.inf)])
        return load_lp(cost, p.A, p.lower, p.upper,
                       col_lower=np.zeros(len(cost)), col_upper=upper)

    def _run(self) -> F64 | None:
        assert self._highs is not None
        self._highs.run()
        h = _core_module(self._highs)
        if self._highs.getModelStatus() != h.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self._highs.getSolution().col_value, np.float64)[:self.n]

    def solve(self, values: F64) -> F64:
        """The candidates' fractional values at the LP optimum for ``values``.

        Falls back to a cold `layout.allocation.solve.solve_lp` when HiGHS cannot be used
        directly or does not report an optimum.
        """
        values = np.asarray(values, np.float64)
        if self._highs is not None:
            try:
                self._highs.changeColsCost(self.n, self._idx, -values)
                self._highs.clearSolver()  # no state of the previous solve: same bits in any order
                self._highs.setBasis(self._basis)
                x = self._run()
                if x is not None:
                    return x
            except Exception as exc:  # a private SciPy module: never let it break the plan
                logger.debug("warm-started LP failed (%s): cold solve", exc)
        return solve_lp(self.problem, values=values)
