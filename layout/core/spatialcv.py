"""Spatial block cross-validation: square blocks, folds by block, and the rank AUC.

Random-split cross-validation flatters a model of spatial data: a held-out point has training
points a few hundred metres away whose criterion values are almost the same (Roberts et al.
2017, *Ecography* 40: 913–929). Block cross-validation holds out whole squares of side
``block_m`` instead, so that the held-out points are far from most training points.

`block_ids` numbers the squares a point falls in, `block_folds` deals the squares into folds
(every point of one square in the same fold) and `rank_auc` is the area under the ROC curve
computed as the Mann–Whitney statistic, ties counted one half.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata


def block_ids(
    x: ArrayLike, y: ArrayLike, *, block_m: float, origin: tuple[float, float] = (0.0, 0.0)
) -> NDArray[np.int64]:
    """Number of the square block holding each point.

    Blocks are squares of side ``block_m`` whose corners sit on multiples of ``block_m`` from
    ``origin`` (x to the east, y to the south, as rows of a north-up grid). Block
    ``(i, j)`` (column ``i = floor((x - x0) / block_m)``, row ``j = floor((y0 - y) / block_m)``)
    gets the id ``j * n + i`` with ``n`` the number of block columns needed for the points.

    Parameters
    ----------
    x, y
        Point coordinates in a projected CRS (metres).
    block_m
        Side of a block, metres.
    origin
        ``(x0, y0)``: the north-west corner of block (0, 0), e.g. a grid's ``(x0, y_top)``.

    Examples
    --------
    >>> block_ids([50, 150, 250, 50], [-50, -50, -50, -250], block_m=200).tolist()
    [0, 0, 1, 2]
    """
    if not block_m > 0:
        raise ValueError(f"block_m must be > 0, got {block_m!r}")
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    col = np.floor((xs - origin[0]) / block_m).astype(np.int64)
    row = np.floor((origin[1] - ys) / block_m).astype(np.int64)
    if not col.size:
        return col
    col -= col.min()
    row -= row.min()
    return row * (int(col.max()) + 1) + col


def block_folds(blocks: ArrayLike, *, n_folds: int, seed: int = 0) -> NDArray[np.int64]:
    """Fold (0 … ``n_folds`` − 1) of each point: its block's, blocks dealt out at random.

    The distinct blocks are shuffled with ``seed`` and dealt round-robin, so folds hold whole
    blocks and differ by at most one block in count.

    Examples
    --------
    >>> f = block_folds([7, 7, 3, 9, 3], n_folds=2, seed=0)
    >>> bool(f[0] == f[1]) and bool(f[2] == f[4])
    True
    """
    if n_folds < 2:
        raise ValueError(f"n_folds must be >= 2, got {n_folds}")
    b = np.asarray(blocks)
    unique, inverse = np.unique(b, return_inverse=True)
    order = np.random.default_rng(seed).permutation(unique.size)
    fold_of_block = np.empty(unique.size, np.int64)
    fold_of_block[order] = np.arange(unique.size) % n_folds
    return fold_of_block[inverse.ravel()]


def rank_auc(labels: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve: P(score of a presence > score of a background), ties 1/2.

    The Mann–Whitney U of the presence ranks over ``n_pos * n_neg`` (average ranks for ties).
    NaN when either class is empty.

    Examples
    --------
    >>> rank_auc([1, 1, 0, 0], [0.9, 0.4, 0.4, 0.1])
    0.875
    """
    y = np.asarray(labels).astype(bool).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)
    u = float(ranks[y].sum()) - n_pos * (n_pos + 1) / 2.0
    return u / (n_pos * n_neg)
