"""The chunked (dask) engine against the memory engine, on the embedded Zhengzhou plan.

The engines are run on the same plan at 200 m (a quarter of the cells of the embedded 100 m
grid, so the suite stays fast) on a LocalCluster of 2 worker processes. Stated tolerances:

* with ``max_distance_m`` beyond the study area's diagonal (no distance saturates), the scores
  agree within 1e-3 points and the flags are equal. What differs: float32 round-off, the Gi*
  moments summed window by window, and the linkage scale, read from a histogram refined
  inside the log bin of the percentile (within about 1e-7 of NumPy's percentile);
* with the default 15 km, a distance criterion equals ``min(memory engine, 15 km)`` exactly;
* the allocation grid's scores equal the block means of the memory engine's scores (excluded
  and outside cells counting 0) within 1e-3 points, and their contributions sum to them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely

from layout.analysis.context import CriteriaContext
from layout.analysis.criteria import compute_raw
from layout.analysis.window import WindowContext, window_inputs
from layout.config.criteria import criterion_specs
from layout.config.plan import embedded_plan_path
from layout.data.inputs import load_inputs
from layout.scoring.chunked import block_means, score_chunked
from layout.scoring.suitability import score
from layout.scoring.windows import plan_windows

pytestmark = pytest.mark.slow


def _plan(tmp: Path, name: str, *, engine: str, extra: str = "") -> Path:
    text = embedded_plan_path().read_text(encoding="utf-8")
    text = text.replace("resolution_m = 100.0", f'resolution_m = 200.0\nengine = "{engine}"', 1)
    path = tmp / f"{name}.toml"
    path.write_text(text + "\n[engine]\nchunk_cells = 150\n" + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client():
    from layout.core.cluster import dask_client

    with dask_client(workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def engines(tmp_path_factory, client):
    tmp = tmp_path_factory.mktemp("chunked")
    memory = load_inputs(_plan(tmp, "memory", engine="memory"))
    chunked = load_inputs(_plan(tmp, "dask", engine="dask", extra="max_distance_m = 200000.0\n"),
                          chunked=True)
    run = score_chunked(chunked, tmp / "out", client=client, work=tmp / "work")
    ctx = CriteriaContext(memory)
    results = {code: score(memory, industry=code, context=ctx)
               for code in memory.plan.catalog.codes}
    return memory, chunked, run, results


def test_the_plan_loads_for_each_engine(engines) -> None:
    memory, chunked, run, _ = engines
    assert memory.engine == "memory" and memory.frame is None
    assert chunked.engine == "dask"
    f = chunked.frame
    assert (f.x0, f.y_top, f.nrows, f.ncols) == (memory.grid.x0, memory.grid.y_top,
                                                 memory.grid.nrows, memory.grid.ncols)
    # The allocation grid: blocks of round(450 / 200) = 2 cells from the frame's origin.
    assert chunked.grid.cell == 400.0
    assert chunked.grid.shape == (math.ceil(f.nrows / 2), math.ceil(f.ncols / 2))
    assert len(run.windows) > 4  # really cut into windows
    assert run.cells == int(memory.grid.mask.sum())


def test_engines_agree_on_scores_and_flags(engines) -> None:
    memory, _, run, results = engines
    m = memory.grid.mask
    for code, res in results.items():
        score_path, flags_path = run.paths[code]
        with rasterio.open(score_path) as src:
            s = src.read(1)
            assert src.overviews(1), "a COG with overviews"
            assert src.crs == memory.grid.crs and src.transform == memory.grid.transform
        with rasterio.open(flags_path) as src:
            fl = src.read(1)
        np.testing.assert_allclose(s[m], res.score[m], atol=1e-3, rtol=0, err_msg=code)
        assert (s[~m] == -1).all()
        np.testing.assert_array_equal(fl, res.flags, err_msg=code)


def test_allocation_grid_holds_block_means_that_decompose(engines) -> None:
    _, chunked, run, results = engines
    coarse = run.coarse.results_for(chunked.grid)
    for code, res in results.items():
        c = coarse[code]
        expected = block_means(np.nan_to_num(res.score, nan=0.0), 2)
        ok = c.eligible
        assert ok.sum() > 1000
        np.testing.assert_allclose(c.score[ok], expected[ok], atol=1e-3, rtol=0, err_msg=code)
        total = sum(c.contributions().values())
        np.testing.assert_allclose(total[ok], c.score[ok], atol=1e-4)
        assert (c.score[chunked.grid.mask & ~ok] == 0).all()


def test_a_window_of_the_allocation_grid_is_read_alone(engines) -> None:
    _, chunked, run, _ = engines
    g = chunked.grid
    whole = run.coarse.results_for(g)
    part = chunked.frame.coarsened(2, chunked.study_area)  # the same grid, rebuilt
    assert part.shape == g.shape
    from layout.model.grid import Grid

    sub = Grid(g.crs, g.x0 + 30 * g.cell, g.y_top - 20 * g.cell, g.cell, 50, 70,
               g.mask[20:70, 30:100])
    some = run.coarse.results_for(sub)
    for code in whole:
        np.testing.assert_array_equal(some[code].score, whole[code].score[20:70, 30:100])
    bad = Grid(g.crs, g.x0 + 7.0, g.y_top, g.cell, 5, 5, np.ones((5, 5), bool))
    with pytest.raises(ValueError, match="not a window"):
        run.coarse.results_for(bad)


def test_distances_saturate_at_max_distance(tmp_path, client) -> None:
    memory = load_inputs(_plan(tmp_path, "memory", engine="memory"))
    chunked = load_inputs(_plan(tmp_path, "dask", engine="dask",
                                extra="max_distance_m = 6000.0\n"), chunked=True)
    from layout.scoring.figures import area_figures

    study = shapely.union_all(list(chunked.study_area.geometry))
    windows = plan_windows(chunked.frame, study, side=150)
    figures = area_figures(chunked, windows, client=client)
    ctx = CriteriaContext(memory)
    w = windows[len(windows) // 2]
    grid = chunked.frame.window(w.row0, w.col0, w.nrows, w.ncols, chunked.study_area)
    wctx = WindowContext(window_inputs(chunked, grid), figures=figures, row0=w.row0,
                         col0=w.col0)
    cut = (slice(w.row0, w.row0 + w.nrows), slice(w.col0, w.col0 + w.ncols))
    specs = criterion_specs(memory.plan, "auto")
    for name in ("anchor", "infill", "labour"):
        full = compute_raw(ctx, "auto", name, specs[name].params)[cut]
        part = compute_raw(wctx, "auto", name, specs[name].params)
        m = grid.mask
        assert np.nanmax(full[m]) > 6000 or name != "anchor"  # something does saturate
        np.testing.assert_array_equal(part[m], np.minimum(full[m], np.float32(6000.0)))
