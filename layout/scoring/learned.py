"""Learned suitability: what today's firms say about the expert weights.

For one industry, a presence–background model learns where its firms are today from the same
criterion layers the expert score uses, taken *raw* (before transforms): presences are the
study-area cells holding a firm of the industry, background points are cells drawn at random
in the study area (or, with ``target_group``, the cells of the firms of every industry, which
corrects for where firms could be observed at all; Phillips et al. 2009, *Ecol. Appl.* 19:
181–197). The model is scikit-learn's `~sklearn.ensemble.HistGradientBoostingClassifier`
(NaN values handled natively, monotone-free, fixed seed).

Validation cannot flatter: spatial block cross-validation (`layout.core.spatialcv`) holds out
whole squares of ``block_km`` (default `DEFAULT_BLOCK_KM`), and on the same held-out firms and
background the table gives the AUC of the learned model, of the expert score
(`layout.scoring.suitability.score`) and of a null model (a random surface: one uniform value
per cell). Importances are permutation importances on the held-out blocks (the drop in AUC
when a criterion's values are shuffled); the suggested weights are those importances clipped
at 0 and normalised to sum to 1 (`suggest_weights`).

Why 10 km blocks: the criteria that vary fastest between nearby cells are kernel densities
with bandwidths of 3–5 km (``density``, ``linkage_*``), distances and travel times, whose
values at two cells a few km apart are strongly correlated. Blocks of twice the widest
bandwidth keep most held-out points beyond that range of their nearest training points.

The criteria computed from the firms themselves (``density``, ``hotspot``, ``lq``, linkage,
``anchor``, ``zone_efficiency``, ``infill``: their declared inputs include ``enterprises``)
describe the very presences the model learns: ``infill``, the distance to the nearest cell
holding a firm, is 0 at every presence, and a model given it learns nothing else (on the
embedded data its permutation importance takes 99 % of the total). They are left out of the
learned model by default; ``firm_criteria=True`` keeps them. The expert score is always the
plan's full score.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.analysis.context import CriteriaContext
from layout.config.criteria import criterion_specs
from layout.core.spatialcv import block_folds, block_ids, rank_auc
from layout.data.inputs import PlanInputs
from layout.errors import LayoutError
from layout.model.transforms import TransformSpec
from layout.scoring.presence import (
    DEFAULT_BACKGROUND,
    feature_matrix,
    learned_criteria,
    presence_model,
    sample_cells,
)
from layout.scoring.suitability import score

logger = logging.getLogger(__name__)

#: Side of the cross-validation blocks, km (module docstring: twice the widest kernel bandwidth).
DEFAULT_BLOCK_KM = 10.0
#: Number of cross-validation folds.
DEFAULT_FOLDS = 5
#: Shuffles per criterion in the permutation importance.
PERMUTATION_REPEATS = 3
#: Points of a partial-dependence curve (quantiles 2 % … 98 % of the sampled raw values).
PD_POINTS = 25
#: Rows averaged over in a partial-dependence curve (a seeded subsample beyond that).
PD_ROWS = 2000


@dataclass(frozen=True)
class CrossValidation:
    """Per-fold results of a spatial block cross-validation.

    Attributes
    ----------
    auc
        AUC on each held-out fold, by model: ``"learned"`` and each reference score.
    importance
        Permutation importance (mean drop in AUC) on each held-out fold: ``(folds, criteria)``.
    folds_used
        Folds with presences and background both in training and held out.
    """

    auc: dict[str, NDArray[np.float64]]
    importance: NDArray[np.float64]
    folds_used: int


def cross_validate(
    features: NDArray[np.float64],
    labels: NDArray[np.bool_],
    *,
    folds: NDArray[np.int64],
    references: Mapping[str, NDArray[np.float64]],
    seed: int = 0,
    repeats: int = PERMUTATION_REPEATS,
) -> CrossValidation:
    """Fit on all folds but one, score the held-out one; AUC and permutation importance.

    Parameters
    ----------
    features
        ``(n, k)`` raw criterion values (NaN allowed).
    labels
        True for presences.
    folds
        Fold of each sample (`layout.core.spatialcv.block_folds`).
    references
        Other scores of the same samples (the expert score, a null surface), evaluated on the
        same held-out samples.
    """
    from sklearn.inspection import permutation_importance

    names = ["learned", *references]
    aucs: dict[str, list[float]] = {n: [] for n in names}
    imps: list[NDArray[np.float64]] = []
    for f in np.unique(folds):
        test = folds == f
        if len(np.unique(labels[test])) < 2 or len(np.unique(labels[~test])) < 2:
            logger.debug("fold %d skipped: one class only", f)
            continue
        model = presence_model(seed).fit(features[~test], labels[~test])
        prob = model.predict_proba(features[test])[:, 1]
        aucs["learned"].append(rank_auc(labels[test], prob))
        for name, ref in references.items():
            aucs[name].append(rank_auc(labels[test], ref[test]))
        perm = permutation_importance(model, features[test], labels[test], scoring="roc_auc",
                                      n_repeats=repeats, random_state=seed)
        imps.append(np.asarray(perm.importances_mean, np.float64))
    if not imps:
        raise LayoutError("no fold holds both presences and background: too few firms or too "
                          "few blocks; give a smaller --block-km")
    return CrossValidation({n: np.asarray(v) for n, v in aucs.items()}, np.vstack(imps),
                           len(imps))


def suggest_weights(importance: Mapping[str, float]) -> dict[str, float]:
    """Importances clipped at 0 and normalised to sum to 1 (all 0 when none is positive).

    Examples
    --------
    >>> suggest_weights({"a": 0.03, "b": 0.01, "c": -0.002})
    {'a': 0.75, 'b': 0.25, 'c': 0.0}
    """
    pos = {k: max(float(v), 0.0) for k, v in importance.items()}
    total = sum(pos.values())
    return {k: (v / total if total > 0 else 0.0) for k, v in pos.items()}


def partial_dependence(
    model: Any, features: NDArray[np.float64], column: int, *, seed: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Brute-force partial dependence: the mean predicted probability with one column fixed.

    The column is set in turn to `PD_POINTS` quantiles (2–98 %) of its finite values, over
    at most `PD_ROWS` rows; returns the values and the mean probabilities.
    """
    col = features[:, column]
    finite = col[np.isfinite(col)]
    if not finite.size:
        return np.zeros(0), np.zeros(0)
    grid = np.unique(np.quantile(finite, np.linspace(0.02, 0.98, PD_POINTS)))
    rows = features
    if rows.shape[0] > PD_ROWS:
        pick = np.random.default_rng(seed).choice(rows.shape[0], PD_ROWS, replace=False)
        rows = rows[pick]
    work = np.tile(rows, (grid.size, 1))  # one prediction call for every point of the curve
    work[:, column] = np.repeat(grid, rows.shape[0])
    prob = model.predict_proba(work)[:, 1].reshape(grid.size, rows.shape[0])
    return grid, prob.mean(axis=1)


@dataclass(frozen=True)
class LearnedSuitability:
    """What one industry's firms say about its criteria.

    Attributes
    ----------
    industry
        Industry code.
    criteria
        Criteria of the learned model, in column order.
    cv
        Spatial block cross-validation (AUC per fold, importance per fold).
    expert_weights
        The plan's normalised weights of the industry's criteria.
    transforms
        The plan's transform of each criterion (for the partial-dependence plots).
    partial
        Partial dependence of the model fitted on every sample: criterion -> (raw values,
        mean probability).
    n_presence, n_background
        Samples of each class.
    block_km, target_group
        The options of the run.
    model_
        The classifier fitted on every sample.
    """

    industry: str
    criteria: list[str]
    cv: CrossValidation
    expert_weights: dict[str, float]
    transforms: dict[str, TransformSpec]
    partial: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]
    n_presence: int
    n_background: int
    block_km: float
    target_group: bool
    model_: Any = field(repr=False)

    @property
    def importance(self) -> dict[str, float]:
        """Mean permutation importance over the held-out folds, by criterion."""
        return dict(zip(self.criteria, self.cv.importance.mean(axis=0).tolist(), strict=True))

    @property
    def suggested_weights(self) -> dict[str, float]:
        """Normalised positive importances (`suggest_weights`)."""
        return suggest_weights(self.importance)

    def summary(self) -> dict[str, Any]:
        """One row of the AUC table."""
        a = self.cv.auc
        return {
            "industry": self.industry,
            "learned_auc": float(a["learned"].mean()),
            "learned_auc_sd": float(a["learned"].std(ddof=1)) if a["learned"].size > 1 else 0.0,
            "expert_auc": float(a["expert"].mean()),
            "expert_auc_sd": float(a["expert"].std(ddof=1)) if a["expert"].size > 1 else 0.0,
            "null_auc": float(a["null"].mean()),
            "n_presence": self.n_presence,
            "n_background": self.n_background,
            "folds": self.cv.folds_used,
            "block_km": self.block_km,
            "background": "target_group" if self.target_group else "random",
        }

    def importance_table(self) -> pd.DataFrame:
        """Per criterion: importance mean and sd over folds, expert and suggested weights."""
        imp = self.cv.importance
        sd = imp.std(axis=0, ddof=1) if imp.shape[0] > 1 else np.zeros(imp.shape[1])
        sugg = self.suggested_weights
        return pd.DataFrame({
            "industry": self.industry,
            "criterion": self.criteria,
            "importance": imp.mean(axis=0),
            "importance_sd": sd,
            "expert_weight": [self.expert_weights.get(c, 0.0) for c in self.criteria],
            "suggested_weight": [sugg[c] for c in self.criteria],
        })


def learn(
    inputs: PlanInputs,
    *,
    industry: str,
    context: CriteriaContext | None = None,
    block_km: float = DEFAULT_BLOCK_KM,
    n_folds: int = DEFAULT_FOLDS,
    n_background: int = DEFAULT_BACKGROUND,
    target_group: bool = False,
    firm_criteria: bool = False,
    seed: int = 0,
) -> LearnedSuitability:
    """Learn where one industry's firms are from its raw criteria; validate by spatial blocks.

    Parameters
    ----------
    inputs
        Loaded plan inputs.
    industry
        Industry code.
    context
        Shared criteria cache (pass one for several industries).
    block_km
        Side of the cross-validation blocks, km.
    n_folds
        Folds (blocks dealt out at random with ``seed``).
    n_background
        Background cells (random in the study area, or a subsample of the target group).
    target_group
        Background from the cells of every firm of every industry instead of the study area.
    firm_criteria
        Keep the criteria computed from the firms themselves (module docstring); without
        them, the learned model uses the other criteria only.
    seed
        Seed of the background, the folds, the null surface and the model.
    """
    if not block_km > 0:
        raise LayoutError(f"--block-km must be > 0, got {block_km}")
    ctx = context or CriteriaContext(inputs)
    grid = inputs.grid
    result = score(inputs, industry=industry, context=ctx, learned_weight=0.0)
    specs = criterion_specs(inputs.plan, industry)
    names = learned_criteria(list(result.raw), firm_criteria=firm_criteria)
    if not names:
        raise LayoutError(f"{industry}: no criterion left to learn from")
    ent = ctx.enterprises
    presence = ctx.occupied_cells(ent[ent["industry"] == industry])
    target = ctx.occupied_cells(ent) if target_group else None
    cells, labels = sample_cells(grid.mask, presence, n_background=n_background, seed=seed,
                                 target=target)
    n_pres = int(labels.sum())
    if n_pres < n_folds:
        raise LayoutError(f"{industry}: {n_pres} cells hold its firms; at least {n_folds} "
                          "are needed to learn from them")
    features = feature_matrix(result.raw, names, cells)
    row, col = np.divmod(cells, grid.ncols)
    x = grid.x0 + (col + 0.5) * grid.cell
    y = grid.y_top - (row + 0.5) * grid.cell
    folds = block_folds(block_ids(x, y, block_m=block_km * 1000.0, origin=(grid.x0, grid.y_top)),
                        n_folds=n_folds, seed=seed)
    null = np.random.default_rng(seed + 1).random(grid.shape).ravel()[cells]
    expert = np.nan_to_num(result.score.ravel()[cells].astype(np.float64), nan=0.0)
    cv = cross_validate(features, labels, folds=folds, seed=seed,
                        references={"expert": expert, "null": null})
    model = presence_model(seed).fit(features, labels)
    partial = {n: partial_dependence(model, features, j, seed=seed) for j, n in enumerate(names)}
    out = LearnedSuitability(
        industry, names, cv, dict(result.weights), {n: specs[n].transform for n in names},
        partial, n_pres, int((~labels).sum()), float(block_km), target_group, model,
    )
    s = out.summary()
    logger.info("%s: learned AUC %.3f ± %.3f, expert %.3f, null %.3f (%d presences, %d "
                "background, %d folds of %g km blocks)", industry, s["learned_auc"],
                s["learned_auc_sd"], s["expert_auc"], s["null_auc"], n_pres, s["n_background"],
                cv.folds_used, block_km)
    return out


def learn_all(
    inputs: PlanInputs, *, industries: Sequence[str] | None = None, **options: Any
) -> dict[str, LearnedSuitability]:
    """`learn` for several industries (all seven by default) with one criteria cache."""
    ctx = CriteriaContext(inputs)
    codes = list(industries) if industries else list(inputs.plan.catalog.codes)
    return {c: learn(inputs, industry=c, context=ctx, **options) for c in codes}
