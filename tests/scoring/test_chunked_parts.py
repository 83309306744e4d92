"""The chunked engine's parts against independent calculations (NumPy, SciPy, rasterio)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from pyproj import CRS
from scipy import ndimage

from layout.analysis.window import TravelRaster, nearest_distance
from layout.io.blockraster import assemble_cog, write_block
from layout.model.grid import Grid, GridFrame
from layout.scoring.chunked import block_means, majority_flags
from layout.scoring.figures import (
    HIST_BINS,
    LOG_BINS,
    bin_rank,
    histogram_percentile,
    log_bin,
    log_edges,
)

CRS4547 = CRS.from_epsg(4547)


def test_two_stage_histogram_percentile_equals_numpy() -> None:
    # Skewed positive values as linkage totals are: mostly small, a long tail.
    rng = np.random.default_rng(17)
    values = np.concatenate([np.zeros(5000), rng.lognormal(3.0, 2.0, 200_000)])
    n = values.size
    rank = (n - 1) * 99 / 100
    counts = np.bincount(log_bin(values), minlength=LOG_BINS)
    b, _ = bin_rank(counts, rank)
    b2, _ = bin_rank(counts, np.floor(rank) + 1)  # the next value may lie in a later log bin
    lo, hi = log_edges(b)[0], log_edges(b2)[1]
    exact = np.percentile(values, 99)
    assert lo <= exact < hi  # the right log bin
    inside = values[(values >= lo) & (values < hi)]
    fine = np.bincount(np.minimum(((inside - lo) / (hi - lo) * HIST_BINS).astype(int),
                                  HIST_BINS - 1), minlength=HIST_BINS)
    got = histogram_percentile(fine, lo, hi, rank - int((values < lo).sum()))
    # Within one fine bin: (hi - lo) / 2^16, about 5e-8 of the value.
    assert abs(got - exact) <= (hi - lo) / HIST_BINS
    assert abs(got - exact) / exact < 1e-7


def test_block_means_and_majority_by_hand() -> None:
    a = np.arange(36, dtype=np.float32).reshape(6, 6)
    expected = np.array([[a[r:r + 3, c:c + 3].mean() for c in (0, 3)] for r in (0, 3)])
    np.testing.assert_allclose(block_means(a, 3), expected, rtol=1e-6)
    # A padded edge counts zeros: a 2x3 block of ones in a 3x3 block is 6/9.
    np.testing.assert_allclose(block_means(np.ones((2, 3), np.float32), 3), [[6 / 9]])
    flags = np.zeros((3, 3), np.uint16)
    flags[:2, :] = 4  # 6 of 9 cells
    flags[0, :] |= 8  # 3 of 9
    assert majority_flags(flags, 3).tolist() == [[4]]


def test_nearest_distance_equals_the_distance_transform() -> None:
    g = Grid(CRS4547, 0.0, 5000.0, 100.0, 40, 50, np.ones((40, 50), bool))
    cells = np.zeros((60, 70), bool)  # a halo of 10 cells around the grid
    pts = [(3, 5), (55, 66), (30, 12), (0, 69)]
    for r, c in pts:
        cells[r, c] = True
    edt = ndimage.distance_transform_edt(~cells, sampling=100.0)[10:50, 10:60]
    rows, cols = np.array(pts).T
    got = nearest_distance(rows - 10, cols - 10, g)
    np.testing.assert_allclose(got, edt, rtol=1e-6)


def test_a_frame_window_has_the_whole_grids_mask() -> None:
    area = gpd.GeoSeries([shapely.Point(5000, 5000).buffer(3700)], crs=CRS4547)
    whole = Grid.from_boundary(area, resolution=100, crs=CRS4547)
    frame = GridFrame.of(whole)
    part = frame.window(13, 21, 30, 40, area)
    np.testing.assert_array_equal(part.mask, whole.mask[13:43, 21:61])
    assert (part.x0, part.y_top) == (whole.x0 + 2100, whole.y_top - 1300)
    coarse = frame.coarsened(4, area)
    assert coarse.cell == 400 and (coarse.x0, coarse.y_top) == (whole.x0, whole.y_top)


def test_travel_raster_takes_the_travel_cell_under_each_centre() -> None:
    f = GridFrame(CRS4547, 0.0, 300.0, 100.0, 3, 3)
    minutes = np.arange(9, dtype=np.float32).reshape(3, 3)
    fine = Grid(CRS4547, 0.0, 300.0, 50.0, 7, 6, np.ones((7, 6), bool))
    got = TravelRaster(f, minutes).sample(fine)
    assert got[0, 0] == 0 and got[0, 5] == 2 and got[5, 2] == 7
    assert np.isnan(got[6]).all()  # the seventh row lies below the travel grid


def test_blocks_assemble_into_a_cog_equal_to_the_array(tmp_path) -> None:
    rng = np.random.default_rng(3)
    whole = rng.random((300, 500)).astype(np.float32)
    t = Affine(30.0, 0.0, 400_000.0, 0.0, -30.0, 3_800_000.0)
    blocks = [write_block(tmp_path / f"b{r}_{c}.tif", whole[r:r + 128, c:c + 256], row0=r,
                          col0=c, transform=t, crs=CRS4547, nodata=-1.0)
              for r in range(0, 300, 128) for c in range(0, 500, 256) if (r, c) != (128, 256)]
    out = assemble_cog(tmp_path / "s.tif", blocks, nrows=300, ncols=500, transform=t,
                       crs=CRS4547, dtype="float32", nodata=-1.0, description="score (0-100)",
                       tags={"industry": "auto"})
    with rasterio.open(out) as src:
        got = src.read(1)
        assert src.overviews(1) and src.tags()["industry"] == "auto"
        assert src.descriptions == ("score (0-100)",) and src.transform == t
    hole = np.zeros(whole.shape, bool)
    hole[128:256, 256:500] = True  # the block not written: nodata
    np.testing.assert_array_equal(got[~hole], whole[~hole])
    assert (got[hole] == -1).all()
    flags = assemble_cog(tmp_path / "f.tif", [], nrows=300, ncols=500, transform=t,
                         crs=CRS4547, dtype="uint16", nodata=None, description="flags",
                         resampling="nearest", fill=128)
    with rasterio.open(flags) as src:
        assert (src.read(1) == 128).all()
