"""Learned suitability where the truth is known: a surface firms were drawn from, and none."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from layout.core.spatialcv import block_folds, block_ids
from layout.scoring.learned import cross_validate, suggest_weights
from layout.scoring.presence import sample_cells

SHAPE = (120, 120)  # 100 m cells: a 12 km square, blocks of 2 km -> 36 blocks
CELL = 100.0


def smooth_field(seed: int) -> np.ndarray:
    """A spatially autocorrelated surface (range about 1 km), standardised."""
    f = ndimage.gaussian_filter(np.random.default_rng(seed).normal(size=SHAPE), sigma=6)
    return (f - f.mean()) / f.std()


def run_cv(presence_prob: np.ndarray, fields: list[np.ndarray], *, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    mask = np.ones(SHAPE, bool)
    p = presence_prob.ravel() / presence_prob.sum()
    chosen = rng.choice(p.size, size=400, replace=False, p=p)
    presence = np.zeros(SHAPE, bool)
    presence.ravel()[chosen] = True
    cells, labels = sample_cells(mask, presence, n_background=1500, seed=seed)
    x_all = np.column_stack([f.ravel() for f in fields])
    row, col = np.divmod(cells, SHAPE[1])
    folds = block_folds(block_ids((col + 0.5) * CELL, -(row + 0.5) * CELL, block_m=2000.0),
                        n_folds=5, seed=seed)
    null = np.random.default_rng(seed + 1).random(cells.size)
    cv = cross_validate(x_all[cells], labels, folds=folds, references={"null": null}, seed=seed)
    return {"cv": cv, "labels": labels, "cells": cells}


@pytest.mark.slow
def test_importances_recover_the_known_ranking() -> None:
    # Firms drawn with probability proportional to logistic(3 f1 + 1.2 f2); f3 plays no part.
    # Permutation importance on held-out blocks must rank f1 > f2 > f3, and the suggested
    # weights follow that ranking.
    f1, f2, f3 = smooth_field(1), smooth_field(2), smooth_field(3)
    prob = 1.0 / (1.0 + np.exp(-(3.0 * f1 + 1.2 * f2 - 2.0)))
    out = run_cv(prob, [f1, f2, f3], seed=0)
    imp = out["cv"].importance.mean(axis=0)
    assert imp[0] > imp[1] > imp[2]
    assert imp[2] == pytest.approx(0.0, abs=0.02)  # the irrelevant field moves AUC by < 0.02
    w = suggest_weights(dict(zip(["f1", "f2", "f3"], imp.tolist(), strict=True)))
    assert w["f1"] > w["f2"] > w["f3"]
    assert sum(w.values()) == pytest.approx(1.0, abs=1e-12)
    # The model separates presences well; the null surface does not.
    assert out["cv"].auc["learned"].mean() > 0.75
    assert out["cv"].auc["null"].mean() == pytest.approx(0.5, abs=0.1)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4])
def test_random_placement_gives_auc_near_one_half(seed: int) -> None:
    # Firms placed uniformly at random: no criterion says anything about them, and spatial
    # block CV must not flatter a model that memorises smooth fields: AUC 0.5 +- 0.1.
    fields = [smooth_field(10 + seed + k) for k in range(4)]
    out = run_cv(np.ones(SHAPE), fields, seed=seed)
    assert out["cv"].auc["learned"].mean() == pytest.approx(0.5, abs=0.1)
    assert out["cv"].folds_used == 5


def test_sample_cells_background_and_target_group() -> None:
    mask = np.zeros((10, 10), bool)
    mask[:, :6] = True  # 60 cells in the study area
    presence = np.zeros_like(mask)
    presence[[1, 2, 3], [1, 2, 8]] = True  # the third lies outside the study area
    cells, labels = sample_cells(mask, presence, n_background=25, seed=0)
    assert sorted(cells[labels].tolist()) == [11, 22]
    back = cells[~labels]
    assert back.size == 25 and np.unique(back).size == 25 and mask.ravel()[back].all()
    target = np.zeros_like(mask)
    target[0, :4] = True
    cells, labels = sample_cells(mask, presence, n_background=25, seed=0, target=target)
    assert sorted(cells[~labels].tolist()) == [0, 1, 2, 3]

