"""The presence–background model of an industry's firms, and its probability over the grid.

Shared by `layout.scoring.learned` (which validates it by spatial blocks) and
`layout.scoring.suitability` (which blends its probability into the score when the plan sets
``[suitability] learned_weight``). Presences are the study-area cells holding a firm of the
industry, background cells are drawn at random in the study area; the features are the
industry's criteria *raw*, without those computed from the firms themselves (`FIRM_LAYER`,
docs/learned.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from layout.analysis.context import CriteriaContext
from layout.errors import ConfigError
from layout.model.criteria import CRITERIA

logger = logging.getLogger(__name__)

#: Background cells drawn per industry.
DEFAULT_BACKGROUND = 4000
#: The input layer whose criteria describe the firms themselves.
FIRM_LAYER = "enterprises"


def presence_model(seed: int = 0) -> Any:
    """The presence–background classifier (unfitted): gradient-boosted trees, fixed seed."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=60, learning_rate=0.15, max_leaf_nodes=15, min_samples_leaf=20,
        l2_regularization=1.0, early_stopping=False, random_state=seed,
    )


def sample_cells(
    mask: NDArray[np.bool_],
    presence: NDArray[np.bool_],
    *,
    n_background: int,
    seed: int = 0,
    target: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Flat indices of the presence and background cells, and their labels (True = presence).

    Presences are the ``presence`` cells inside ``mask``. Background: ``n_background`` cells
    of ``mask`` drawn without replacement with ``seed`` (all of them when fewer), or, with
    ``target``, the ``target`` cells inside ``mask`` (a seeded subsample of ``n_background``
    when more). A cell may be both a presence and a background point, as in MaxEnt.
    """
    pres = np.flatnonzero(presence & mask)
    pool = np.flatnonzero(mask if target is None else (target & mask))
    rng = np.random.default_rng(seed)
    back = np.sort(rng.choice(pool, size=min(n_background, pool.size), replace=False))
    cells = np.concatenate([pres, back]).astype(np.int64)
    labels = np.concatenate([np.ones(pres.size, bool), np.zeros(back.size, bool)])
    return cells, labels


def learned_criteria(names: list[str], *, firm_criteria: bool = False) -> list[str]:
    """The criteria a learned model uses: without those computed from the firms by default."""
    return [n for n in names if firm_criteria or FIRM_LAYER not in CRITERIA[n].inputs]


def feature_matrix(raw: Mapping[str, NDArray[Any]], names: list[str],
                   cells: NDArray[np.int64]) -> NDArray[np.float64]:
    """``(cells, criteria)`` raw values; unreachable (inf) travel times become NaN (no value)."""
    out = np.column_stack([raw[n].ravel()[cells] for n in names]).astype(np.float64)
    out[~np.isfinite(out)] = np.nan
    return out


def learned_probability(
    context: CriteriaContext,
    raw: Mapping[str, NDArray[Any]],
    *,
    industry: str,
    n_background: int = DEFAULT_BACKGROUND,
    seed: int = 0,
) -> NDArray[np.float32] | None:
    """Probability of a firm of ``industry`` at every study-area cell (NaN outside).

    The model (`presence_model`) is fitted on all presences and ``n_background`` random
    background cells with ``seed``, from the raw criteria ``raw`` (`learned_criteria`), the
    defaults of ``layout learn``; it is then applied to every cell of the study area.
    None (with a warning) when no cell of the study area holds a firm of the industry: there
    is nothing to learn, and its score stays the expert one.

    Raises
    ------
    ConfigError
        When the industry has no criterion to learn from.
    """
    grid = context.inputs.grid
    where = f"{context.inputs.plan.label}: suitability.learned_weight"
    names = learned_criteria(list(raw))
    if not names:
        raise ConfigError(f"{where}: {industry} has no criterion to learn from (all are "
                          "computed from the firms); set learned_weight = 0")
    ent = context.enterprises
    presence = context.occupied_cells(ent[ent["industry"] == industry])
    cells, labels = sample_cells(grid.mask, presence, n_background=n_background, seed=seed)
    if not labels.any() or labels.all():
        logger.warning("%s: no cell of the study area holds a firm of %s, so there is nothing "
                       "to learn from; its score stays the expert score", where, industry)
        return None
    model = presence_model(seed).fit(feature_matrix(raw, names, cells), labels)
    inside = np.flatnonzero(grid.mask.ravel()).astype(np.int64)
    prob = np.full(grid.shape, np.nan, np.float32)
    prob.reshape(-1)[inside] = model.predict_proba(feature_matrix(raw, names, inside))[:, 1]
    logger.info("%s: learned probability from %d presences, %d background cells, %d criteria",
                industry, int(labels.sum()), int((~labels).sum()), len(names))
    return prob
