"""The score raster's writer and reader agree (layout.io.scoreraster), on a 3 x 4 grid by hand."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import CRS

from layout.errors import CRSMismatchError, DataFileError
from layout.io.raster import write_bands
from layout.io.scoreraster import ScoreRaster, read_surface, write_score_raster
from layout.model.grid import Grid

BITS = {"farm": 1, "steep": 64, "outside_study_area": 128}


@pytest.fixture
def grid() -> Grid:
    # 3 rows x 4 columns of 100 m cells, the north-west corner at (1000, 5300)
    return Grid(x0=1000.0, y_top=5300.0, cell=100.0, nrows=3, ncols=4, crs=CRS.from_epsg(4547),
                mask=np.ones((3, 4), bool))


def _write(folder: Path, grid: Grid) -> tuple[Path, Path]:
    score_path, _, flags_path = _write3(folder, grid)
    return score_path, flags_path


def _write3(folder: Path, grid: Grid) -> tuple[Path, Path, Path]:
    score = np.arange(12, dtype=np.float32).reshape(3, 4) * 5
    score[0, 0] = np.nan  # outside the study area
    a = np.full((3, 4), 0.25, np.float32)
    b = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    b[2, 3] = np.nan  # no data for one criterion
    flags = np.zeros((3, 4), np.uint16)
    flags[0, 0] = 128
    flags[1, 1] = 1
    flags[2, 2] = 64
    return write_score_raster(
        folder, industry="auto", grid=grid, score=score, criteria={"density": a, "slope": b},
        labels={"density": "same-industry density", "slope": "slope"},
        weights={"density": 0.75, "slope": 0.25}, weight_source="direct", flags=flags,
        exclude_bits=1, bit_names=BITS,
    )


def test_written_bands_read_back(tmp_path: Path, grid: Grid) -> None:
    score_path, crit_path, flags_path = _write3(tmp_path, grid)
    assert (score_path.name, crit_path.name, flags_path.name) == (
        "auto_score.tif", "auto_criteria.tif", "auto_flags.tif")
    with rasterio.open(score_path) as src:  # the format, checked with rasterio alone
        assert src.count == 1 and src.nodata == -1.0
        assert src.descriptions == ("score (0-100)",)
        assert src.read(1)[0, 0] == -1.0
    with rasterio.open(crit_path) as src:
        assert src.count == 2 and src.nodata == -1.0
        assert src.descriptions == ("density: same-industry density (weight 0.7500)",
                                    "slope: slope (weight 0.2500)")
        assert src.tags()["weights"] == "density=0.750000;slope=0.250000"
    with ScoreRaster(score_path) as raster:
        assert raster.industry == "auto" and raster.criteria == ["density", "slope"]
        assert raster.weights == {"density": 0.75, "slope": 0.25}
        whole = raster.read([1, 2, 3])
        assert np.isnan(whole[0, 0, 0]) and whole[0, 2, 3] == pytest.approx(55.0)
        assert np.isnan(whole[2, 2, 3]) and whole[1, 0, 0] == pytest.approx(0.25)
        # bands in any order, the score among them, as from one file
        mixed = raster.read([3, 1])
        np.testing.assert_array_equal(mixed[0], whole[2])
        np.testing.assert_array_equal(mixed[1], whole[0])
        # the box (1150..1250, 5120..5180) lies in row 1, column 1 (cells 100 m from x0, y_top)
        win = raster.window((1150.0, 5120.0, 1250.0, 5180.0))
        assert win == (1, 2, 1, 3)
        assert raster.read([1], win)[0].tolist() == [[25.0, 30.0]]
        assert raster.read([1], win, flags=True)[0].tolist() == [[1, 0]]
        assert raster.window((0.0, 0.0, 10.0, 10.0))[1] <= raster.window((0.0, 0.0, 10.0, 10.0))[0]


def test_surface_takes_bits_and_exclusions_from_the_flag_tags(tmp_path: Path, grid: Grid) -> None:
    score_path, _ = _write(tmp_path, grid)
    surface = read_surface(score_path)
    assert surface.industry == "auto" and surface.exclude_bits == 1
    assert surface.bit_names == {1: "farm", 64: "steep", 128: "outside_study_area"}
    assert surface.inside.sum() == 11 and surface.excluded.sum() == 1
    assert surface.bounds == (1000.0, 5000.0, 1400.0, 5300.0)


def test_surface_without_flags_excludes_nothing_and_says_so(
    tmp_path: Path, grid: Grid, caplog: pytest.LogCaptureFixture
) -> None:
    score_path, flags_path = _write(tmp_path, grid)
    flags_path.unlink()
    with caplog.at_level(logging.WARNING, logger="layout.io.scoreraster"):
        surface = read_surface(score_path, bit_names={1: "farm", 128: "outside_study_area"})
    assert "auto_flags.tif not found" in caplog.text
    assert surface.excluded.sum() == 0 and surface.inside.sum() == 11
    assert surface.exclude_bits == 1  # every known bit but the outside bit


def test_mismatched_grids_name_both_files(tmp_path: Path, grid: Grid) -> None:
    score_path, flags_path = _write(tmp_path, grid)
    other = Grid(x0=0.0, y_top=5300.0, cell=100.0, nrows=3, ncols=4, crs=CRS.from_epsg(4547),
                 mask=np.ones((3, 4), bool))
    write_bands(flags_path, [np.zeros((3, 4), np.uint16)], other, descriptions=["flags"],
                nodata=None, dtype="uint16")
    with pytest.raises(CRSMismatchError, match=r"auto_flags\.tif.*auto_score\.tif"):
        read_surface(score_path)


def test_unreadable_score_raster_is_a_data_file_error(tmp_path: Path) -> None:
    bad = tmp_path / "x_score.tif"
    bad.write_bytes(b"not a tiff")
    with pytest.raises(DataFileError, match=r"x_score\.tif: cannot read the score raster"):
        read_surface(bad)


def test_rasters_are_cloud_optimized_with_overviews(tmp_path: Path, grid: Grid) -> None:
    for path in _write3(tmp_path, grid):
        with rasterio.open(path) as src:
            assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG", path.name
            # one overview level even below a block (GDAL's AUTO writes none): 4x3 -> 2x2
            assert src.overviews(1) == [2], path.name
            assert src.compression.name.lower() == "zstd"  # layout.io.raster: ZSTD COGs


def test_flag_overviews_keep_bits(tmp_path: Path, grid: Grid) -> None:
    _, _, flags_path = _write3(tmp_path, grid)
    with rasterio.open(flags_path) as src:
        over = src.read(1, out_shape=(2, 2))  # served from the overview
    # nearest resampling: every overview value is a value of the full raster (no averaged bits)
    assert set(over.ravel().tolist()) <= {0, 1, 64, 128}


def test_same_arrays_write_the_same_bytes(tmp_path: Path, grid: Grid) -> None:
    first = [p.read_bytes() for p in _write3(tmp_path / "a", grid)]
    second = [p.read_bytes() for p in _write3(tmp_path / "b", grid)]
    assert first == second


def test_earlier_single_file_rasters_still_read(tmp_path: Path, grid: Grid) -> None:
    # the layout of earlier versions: the criteria as bands 2, 3 of the score raster
    score = np.arange(12, dtype=np.float32).reshape(3, 4)
    crit = np.full((3, 4), 0.5, np.float32)
    path = write_bands(tmp_path / "auto_score.tif", [score, crit], grid,
                       descriptions=["score (0-100)", "density: d (weight 1.0000)"], nodata=-1.0,
                       tags={"weights": "density=1.000000"})
    with ScoreRaster(path) as raster:
        assert not raster.split and raster.criteria == ["density"]
        got = raster.read([1, 2])
    np.testing.assert_array_equal(got[0], score)
    np.testing.assert_array_equal(got[1], crit)
