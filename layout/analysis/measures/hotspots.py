"""Getis-Ord Gi* hot spots of a raster on the analysis grid (`hot_spots`).

Significance per cell, or with the Benjamini-Hochberg (1995) control of the false discovery
rate over all the cells analysed.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from layout.core.gistar import gi_star
from layout.errors import ConfigError, Problem, ValidationError
from layout.model.grid import Grid


def _benjamini_hochberg(p: NDArray[np.float64], alpha: float) -> NDArray[np.bool_]:
    """Reject flags of the Benjamini-Hochberg (1995) step-up procedure at FDR ``alpha``."""
    m = p.size
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    passed = p[order] <= alpha * np.arange(1, m + 1) / m
    reject = np.zeros(m, dtype=bool)
    if passed.any():
        reject[order[: np.flatnonzero(passed).max() + 1]] = True
    return reject


def hot_spots(
    values: ArrayLike,
    grid: Grid,
    *,
    radius: float = 1,
    metric: Literal["queen", "distance"] = "queen",
    alpha: float = 0.05,
    correction: Literal["none", "fdr"] = "none",
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Getis-Ord Gi* hot spots of a raster on the analysis grid.

    Gi* uses binary weights over each cell's neighbourhood, the cell included, and only the cells
    inside ``grid.mask`` (see `layout.core.gistar.gi_star`: equal to esda's
    ``G_Local(star=True, transform="B")`` z-scores).

    Parameters
    ----------
    values
        ``(nrows, ncols)`` raster, e.g. a `kernel_density`; finite inside the mask, ignored
        outside it.
    grid
        The analysis grid (its mask defines the cells analysed).
    radius, metric
        Neighbourhood: ``"queen"`` square of ``(2 radius + 1)²`` cells (``radius`` an integer
        >= 1) or ``"distance"`` disk of ``radius`` cells (``radius * grid.cell`` metres).
    alpha
        One-sided significance level.
    correction
        ``"none"`` (default): a cell is hot when ``z > Φ⁻¹(1 - alpha)`` (1.645 at 5 %), the
        usual per-cell test of hot-spot maps, with no multiple-testing correction, so about
        ``alpha`` of the cells of a patternless surface are flagged.  ``"fdr"``:
        Benjamini-Hochberg over the one-sided p-values of all analysed cells, controlling the
        false discovery rate at ``alpha`` (valid for the positively dependent z-scores of
        overlapping windows).

    Returns
    -------
    z : ndarray
        ``(nrows, ncols)`` Gi* z-scores, NaN outside the mask (and everywhere if the values are
        constant inside it).
    hot : ndarray
        ``(nrows, ncols)`` booleans, True for significant hot spots; False outside the mask.

    Raises
    ------
    ValidationError
        ``values`` has the wrong shape or non-finite values inside the mask.
    ConfigError
        ``radius``, ``metric``, ``alpha`` or ``correction`` out of range.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> grid = Grid.from_boundary(gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)],
    ...                                         crs="EPSG:4547"), resolution=100)
    >>> v = np.ones(grid.shape); v[4:7, 4:7] = 10.0
    >>> z, hot = hot_spots(v, grid)
    >>> round(float(z[5, 5]), 2), int(hot.sum())  # the 3 x 3 block and a cell beyond each side
    (9.95, 13)
    """
    if metric not in ("queen", "distance"):
        raise ConfigError(f"metric must be 'queen' or 'distance', got {metric!r}")
    if metric == "queen" and not (float(radius).is_integer() and radius >= 1):
        raise ConfigError(f"a queen radius is a whole number of cells >= 1, got {radius!r}")
    if metric == "distance" and not (math.isfinite(radius) and radius >= 1):
        raise ConfigError(f"a distance radius (in cells) must be >= 1, got {radius!r}")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    if correction not in ("none", "fdr"):
        raise ConfigError(f"correction must be 'none' or 'fdr', got {correction!r}")
    arr = np.asarray(values, dtype=np.float64)
    source = "values raster for hot spots"
    if arr.shape != grid.shape:
        raise ValidationError(
            [Problem(source, f"has shape {arr.shape} but the grid is {grid.shape}")]
        )
    bad = grid.mask & ~np.isfinite(arr)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValidationError(
            [
                Problem(
                    source,
                    f"{int(bad.sum())} cells inside the study area are not finite, the first "
                    f"at row {r}, column {c}; fill them (e.g. with 0) or mask them out",
                )
            ]
        )
    z = gi_star(arr, mask=grid.mask, radius=radius, metric=metric)
    ok = np.isfinite(z)
    hot = np.zeros(grid.shape, dtype=bool)
    if correction == "none":
        hot[ok] = z[ok] > stats.norm.isf(alpha)
    else:
        hot[ok] = _benjamini_hochberg(stats.norm.sf(z[ok]), alpha) & (z[ok] > 0)
    return z, hot
