"""Benchmark the numeric kernels against their reference implementations.

Run ``python benchmarks/bench_kernels.py`` (about a minute).  Prints one table:

(a) kernel density: `layout.core.kde.kde_grid` against scikit-learn ``KernelDensity``
    (gaussian, ``rtol=1e-4``, the same weighted points and cell centres), with the largest
    difference as a percentage of the peak density (target: >= 500 x faster, <= 0.5 %);
(b) Getis-Ord Gi*: `layout.core.gistar.gi_star` against ``esda.G_Local(star=True, transform="B",
    permutations=0)`` on a queen-contiguity grid (target: >= 1,000 x faster, same z).  The
    libpysal weights (``lat2W``) are built before the timer starts, so esda is not charged for
    them; esda's own call (which fills the diagonal for Gi* and applies the transform) is timed.

Our kernels are timed over 30 runs (best and median shown; the speed-up uses the best); the
slow references run once.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# After the sys.path line: this source tree, not an install.
from layout.core.gistar import gi_star
from layout.core.kde import kde_grid

SEED = 20120424


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Smallest and median wall time of ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times)), out


def bench_kde(n_points: int = 2000, size: int = 300, cell: float = 100.0,
              bandwidth: float = 1000.0) -> dict[str, Any]:
    from sklearn.neighbors import KernelDensity

    rng = np.random.default_rng(SEED)
    x0, y_top = 480_000.0, 3_860_000.0
    extent = size * cell
    # Clustered points (8 parks) plus 25 % background, some beyond the grid edge.
    centres = rng.uniform([x0, y_top - extent], [x0 + extent, y_top], (8, 2))
    n_bg = n_points // 4
    pts = np.vstack([
        centres[rng.integers(0, 8, n_points - n_bg)] + rng.normal(0, 1500, (n_points - n_bg, 2)),
        rng.uniform([x0 - 2000, y_top - extent - 2000], [x0 + extent + 2000, y_top + 2000],
                    (n_bg, 2)),
    ])
    w = rng.gamma(1.0, 500.0, n_points)  # output, 万元
    xc = x0 + (np.arange(size) + 0.5) * cell
    yc = y_top - (np.arange(size) + 0.5) * cell
    xx, yy = np.meshgrid(xc, yc)
    cells = np.column_stack([xx.ravel(), yy.ravel()])

    t_ours, med, ours = timed(lambda: kde_grid(
        pts[:, 0], pts[:, 1], w, x0=x0, y_top=y_top, cell=cell, nrows=size, ncols=size,
        bandwidth=bandwidth), 30)

    def sk() -> np.ndarray:
        kd = KernelDensity(kernel="gaussian", bandwidth=bandwidth, rtol=1e-4)
        kd.fit(pts, sample_weight=w)
        return (np.exp(kd.score_samples(cells)) * w.sum() * 1e6).reshape(size, size)

    t_ref, _, ref = timed(sk, 1)
    return {
        "name": f"KDE {n_points} pts -> {size}x{size}, h={bandwidth:g} m",
        "ours": t_ours, "median": med, "ref": t_ref, "ref_name": "sklearn KernelDensity(rtol=1e-4)",
        "diff": f"{100 * np.abs(ours - ref).max() / ref.max():.4f} % of peak",
    }


def bench_gi(size: int = 300) -> dict[str, Any]:
    import esda
    from libpysal.weights import lat2W

    rng = np.random.default_rng(SEED)
    v = rng.gamma(2.0, 3.0, (size, size))
    v[100:140, 50:90] += 5.0
    t_ours, med, z = timed(lambda: gi_star(v), 30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal may warn about islands etc.; not timed
        w = lat2W(size, size, rook=False)  # built outside the timer

    def ref() -> np.ndarray:
        return esda.G_Local(v.ravel(), w, star=True, permutations=0, transform="B").Zs

    t_ref, _, zs = timed(ref, 1)
    return {
        "name": f"Gi* queen r=1, {size}x{size}",
        "ours": t_ours, "median": med, "ref": t_ref, "ref_name": "esda G_Local(star, B, perm=0)",
        "diff": f"max |dz| = {np.abs(z.ravel() - zs).max():.1e}",
    }


def main() -> None:
    import esda
    import scipy
    import sklearn

    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy "
          f"{scipy.__version__}, scikit-learn {sklearn.__version__}, esda {esda.__version__}")
    print(f"cpus (os.cpu_count): {os.cpu_count()}; machine: {platform.machine()}")
    rows = [bench_kde(), bench_gi()]
    head = (f"{'kernel':36} {'ours best':>10} {'(median)':>9} {'reference':>10} "
            f"{'speed-up':>9}  accuracy")
    print(head)
    print("-" * (len(head) + 30))
    for r in rows:
        print(f"{r['name']:36} {r['ours'] * 1e3:8.2f}ms {r['median'] * 1e3:7.2f}ms "
              f"{r['ref']:9.2f}s {r['ref'] / r['ours']:8.0f}x  {r['diff']}  [vs {r['ref_name']}]")
    print("speed-up = reference / our best of 30 runs; the reference runs once.")


if __name__ == "__main__":
    main()
