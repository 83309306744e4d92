"""Spatial blocks, folds by block and the rank AUC, against hand counts and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from layout.core.spatialcv import block_folds, block_ids, rank_auc


def test_block_ids_by_hand_on_a_tiny_grid() -> None:
    # A 4 x 4 grid of 100 m cells, north-west corner (1000, 5000); blocks of 200 m: 2 x 2 cells.
    # Cell (row, col) has its centre at x = 1050 + 100 col, y = 4950 - 100 row, and lies in
    # block row // 2, column col // 2, numbered row-major over two block columns.
    rows, cols = np.mgrid[0:4, 0:4]
    x = 1050.0 + 100.0 * cols.ravel()
    y = 4950.0 - 100.0 * rows.ravel()
    ids = block_ids(x, y, block_m=200.0, origin=(1000.0, 5000.0))
    expected = [0, 0, 1, 1,
                0, 0, 1, 1,
                2, 2, 3, 3,
                2, 2, 3, 3]
    assert ids.tolist() == expected


def test_folds_hold_whole_blocks_and_are_balanced() -> None:
    blocks = np.repeat(np.arange(10), 7)
    folds = block_folds(blocks, n_folds=3, seed=4)
    for b in range(10):
        assert np.unique(folds[blocks == b]).size == 1
    per_fold = np.bincount([folds[blocks == b][0] for b in range(10)], minlength=3)
    assert sorted(per_fold.tolist()) == [3, 3, 4]
    assert np.array_equal(folds, block_folds(blocks, n_folds=3, seed=4))  # seeded


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rank_auc_matches_scikit_learn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.random(300) < 0.3
    s = np.round(rng.normal(size=300) + y, 1)  # rounded: many ties
    assert rank_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_rank_auc_by_hand() -> None:
    # Pairs (presence, background): (0.9 > 0.4), (0.9 > 0.1), (0.4 = 0.4: 1/2), (0.4 > 0.1)
    assert rank_auc([1, 1, 0, 0], [0.9, 0.4, 0.4, 0.1]) == pytest.approx(3.5 / 4, abs=1e-15)
    assert np.isnan(rank_auc([1, 1], [0.2, 0.3]))
