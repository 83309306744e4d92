"""Writing GeoTIFFs of grids (`write_bands`) and checking input rasters (`check_raster`).

Outputs people open (the plan's score rasters) are written as Cloud Optimized GeoTIFFs
(``cog=True``: GDAL's COG driver, with overviews, so QGIS draws a whole county at once);
working files read window by window (the site check's cache) as plain tiled GeoTIFFs.

Score rasters are read by `layout.io.scoreraster`.  An input raster (the DEM) that GDAL cannot
open or decode becomes one `~layout.errors.DataFileError` naming the file (`raster_error`).

Writes are atomic: a temporary file in the target folder is renamed over the target only when it
is complete, so an interrupted run never leaves a half-written raster.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import rasterio
from numpy.typing import NDArray

from layout.errors import CRSError, DataFileError
from layout.io.files import existing_file, first_line


class RasterGrid(Protocol):
    """What a raster writer needs of a grid (`layout.model.grid.Grid` has it)."""

    @property
    def nrows(self) -> int:
        """Number of rows."""

    @property
    def ncols(self) -> int:
        """Number of columns."""

    @property
    def crs(self) -> Any:
        """The CRS (anything rasterio accepts)."""

    @property
    def transform(self) -> Any:
        """The affine transform (north-up)."""


def write_bands(
    path: str | Path,
    bands: Sequence[NDArray[np.generic]],
    grid: RasterGrid,
    *,
    descriptions: Sequence[str],
    nodata: float | None,
    dtype: str = "float32",
    tags: Mapping[str, str] | None = None,
    storage: Mapping[str, Any] | None = None,
    cog: bool = False,
    resampling: str = "average",
) -> Path:
    """Write arrays of the grid's shape as one multi-band, DEFLATE-compressed GeoTIFF.

    Parameters
    ----------
    path
        Target file; its folder must exist.
    bands
        One 2-D array per band, each of ``grid.shape``.
    grid
        The grid giving CRS and transform.
    descriptions
        One description per band (shown by QGIS and ``gdalinfo``).
    nodata
        The nodata value written where arrays hold NaN (for float types) and declared.
    dtype
        Output data type.
    tags
        Dataset-level metadata (provenance, weights).
    storage
        GDAL creation options replacing the defaults (DEFLATE level 1, 256-pixel tiles, pixel
        interleaving), e.g. `FAST_READ` for rasters read window by window.
    cog
        Write a Cloud Optimized GeoTIFF (GDAL's COG driver) with overviews (`cog_overviews`
        levels, at least one); ``storage`` is then ignored. The same arrays write the same bytes.
    resampling
        Resampling of the overviews (``average`` for scores, ``nearest`` for bit flags).

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    if len(bands) != len(descriptions):
        raise ValueError("one description per band is required")
    profile = {
        "driver": "GTiff",
        "height": grid.nrows,
        "width": grid.ncols,
        "count": len(bands),
        "dtype": dtype,
        "crs": grid.crs,
        "transform": grid.transform,
        "nodata": nodata,
        # DEFLATE (readable everywhere) at level 1 on every core: 2-3x faster than the default
        # level, for files a few per cent larger.
        "compress": "deflate",
        "zlevel": 1,
        "num_threads": "ALL_CPUS",
        "predictor": 2 if np.dtype(dtype).kind in "iu" else 3,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    if cog:
        # ZSTD level 1 for the COGs: a third faster to write than DEFLATE for the same size
        # (GDAL >= 2.3 and QGIS 3 read it), which a plan's 21 rasters feel.
        profile = {
            "driver": "COG", **{k: profile[k] for k in (
                "height", "width", "count", "dtype", "crs", "transform", "nodata",
                "num_threads", "predictor")},
            "compress": "zstd", "level": 1, "blocksize": 256, "overview_resampling": resampling,
            "overview_count": cog_overviews(grid.nrows, grid.ncols),
        }
    elif storage:
        profile.update(storage)
        if str(profile.get("compress", "")).lower() != "deflate":
            profile.pop("zlevel", None)  # a DEFLATE-only option
    fd, tmp = tempfile.mkstemp(suffix=".tif.part", dir=path.parent)
    os.close(fd)
    try:
        with rasterio.open(tmp, "w", **profile) as dst:
            for i, (band, desc) in enumerate(zip(bands, descriptions, strict=True), start=1):
                arr = np.asarray(band)
                if nodata is not None and np.dtype(dtype).kind == "f":
                    arr = np.where(np.isnan(arr), nodata, arr)
                dst.write(arr.astype(dtype), i)
                dst.set_band_description(i, desc)
            if tags:
                dst.update_tags(**{k: str(v) for k, v in tags.items()})
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are for others to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def cog_overviews(nrows: int, ncols: int, *, block: int = 256) -> int:
    """Overview levels of a COG: halve until the larger side fits one block, at least one.

    GDAL's own rule (``OVERVIEWS=AUTO``) writes none for a raster smaller than a block; one
    level is kept even then, so every score raster has overviews.

    Examples
    --------
    >>> cog_overviews(1400, 1600), cog_overviews(40, 60)
    (3, 1)
    """
    levels, size = 0, max(nrows, ncols)
    while size > block:
        size = (size + 1) // 2
        levels += 1
    return max(levels, 1)


#: Storage for rasters read in small windows of a few bands (the site check's cache):
#: band-interleaved tiles, so that reading band 1 decodes only band 1, and ZSTD level 1 with
#: 128-pixel tiles, which decode several times faster (GDAL >= 2.3 and QGIS read them).
FAST_READ: Mapping[str, Any] = {
    "compress": "zstd", "zstd_level": 1, "blockxsize": 128, "blockysize": 128,
    "interleave": "band",
}



def raster_error(path: str | Path, exc: BaseException, *, what: str = "raster") -> DataFileError:
    """The one-line error of a raster GDAL cannot open or decode (truncated, not a raster).

    GDAL's own reason (e.g. ``TIFFReadEncodedStrip() failed``) is often in the exception's
    cause; rasterio's message then only says "see previous exception".

    Examples
    --------
    >>> str(raster_error("dem.tif", OSError("Read failed"), what="DEM"))[:48]
    'dem.tif: the DEM cannot be read (Read failed); t'
    """
    cause = exc.__cause__ or exc.__context__
    reason = first_line(cause) if cause is not None else first_line(exc)
    return DataFileError(
        f"{path}: the {what} cannot be read ({reason}); the file is damaged, truncated or not a "
        "raster: copy or export it again as a GeoTIFF (gdal_translate) and check it in QGIS"
    )


def check_raster(path: str | Path, *, what: str = "raster", where: str = "") -> Path:
    """Check that an input raster is a regular file GDAL opens, with a CRS and a band.

    This is the cheap check done when a plan's inputs are loaded; blocks that cannot be
    decoded (a truncated file) are reported by the reader when it reads them (`raster_error`).

    Parameters
    ----------
    path
        The raster file.
    what
        What it is, for messages (``"DEM"``).
    where
        Where the path was given, for messages (``"[inputs] dem in plan.toml"``).

    Raises
    ------
    DataFileError
        Missing, not a regular file, empty, or not a raster GDAL can open.
    CRSError
        The raster has no CRS.
    """
    try:
        p = existing_file(path)
    except DataFileError as exc:
        raise DataFileError(f"{exc}{f' (fix {where})' if where else ''}") from None
    try:
        with rasterio.open(p) as src:
            crs, count = src.crs, src.count
    except rasterio.errors.RasterioError as exc:
        raise raster_error(p, exc, what=what) from None
    if crs is None:
        raise CRSError(
            f"{p}: the {what} has no CRS; assign one (e.g. gdal_edit.py -a_srs EPSG:4549, its "
            "Gauss-Kruger zone) before using it"
        )
    if count < 1:
        raise DataFileError(f"{p}: the {what} has no band; give a GeoTIFF of elevations")
    return p
