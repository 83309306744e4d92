"""Tests of layout.analysis.terrain on bad DEMs: one `DataFileError` naming the file.

A truncated GeoTIFF opens (its header is intact) and fails only when its blocks are decoded,
deep inside the warp ("Chunk and warp failed"); a file that is no raster fails at opening.
Both must come out as one line naming the DEM and the fix.  The good DEM of the tiny plan is
the reference: its slope on the grid is finite, so the failures are the files', not the grid's.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from layout.analysis.terrain import dem_on_grid, slope_on_grid
from layout.errors import CRSError, DataFileError
from layout.model.grid import Grid
from tests.fixtures import tiny_plan as tp


@pytest.fixture(scope="module")
def grid() -> Grid:
    boundary = gpd.GeoDataFrame(geometry=[tp.BOUNDARY], crs=tp.METRIC)
    return Grid.from_boundary(boundary, resolution=tp.RESOLUTION, crs=tp.METRIC)


@pytest.fixture(scope="module")
def good_dem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_dem(tmp_path_factory.mktemp("dem") / "dem.tif")


def test_the_good_dem_reads(good_dem: Path, grid: Grid) -> None:
    assert np.isfinite(dem_on_grid(good_dem, grid)).any()


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_dem(tmp_path: Path, good_dem: Path, grid: Grid, keep: float) -> None:
    data = good_dem.read_bytes()
    bad = tmp_path / "dem.tif"
    bad.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(DataFileError) as info:
        slope_on_grid(bad, grid)
    message = str(info.value)
    assert message.startswith(f"{bad}: the DEM cannot be read (")
    assert "truncated" in message and "GeoTIFF" in message and "\n" not in message
    assert "Chunk and warp failed" not in message  # GDAL's reason, not rasterio's wrapper


@pytest.mark.parametrize("content", [b"hello\n", b'{"type": "FeatureCollection"}'])
def test_a_dem_that_is_no_raster(tmp_path: Path, grid: Grid, content: bytes) -> None:
    bad = tmp_path / "dem.tif"
    bad.write_bytes(content)
    with pytest.raises(DataFileError, match=r"the DEM cannot be read \(.*not recognized"):
        dem_on_grid(bad, grid)


def test_a_dem_without_crs(tmp_path: Path, good_dem: Path, grid: Grid) -> None:
    import rasterio

    bad = tmp_path / "dem.tif"
    with rasterio.open(good_dem) as src:
        profile = {**src.profile, "crs": None}
        with rasterio.open(bad, "w", **profile) as dst:
            dst.write(src.read())
    with pytest.raises(CRSError, match="the DEM has no CRS"):
        dem_on_grid(bad, grid)
