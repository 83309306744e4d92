"""Rasters written block by block: each block its own GeoTIFF, then one COG read from them all.

A raster too large to hold (a province at 30 m: 19,000 × 18,500 cells) is written by whoever
computes each block, a worker process possibly on another machine sharing the folder, with no
lock: `write_block` writes one block as a small tiled GeoTIFF. `assemble_cog` then mosaics the
blocks through a GDAL VRT (written here as XML; blocks never overlap, and the cells no block
covers are nodata) and copies it to a Cloud Optimized GeoTIFF with GDAL's COG driver, which
reads the VRT tile by tile: no step holds the whole raster in memory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import rasterio
import rasterio.shutil
from affine import Affine
from numpy.typing import NDArray
from pyproj import CRS

from layout.io.raster import cog_overviews

__all__ = ["Block", "assemble_cog", "write_block"]

#: Creation options of a block: tiled, ZSTD level 1 (fast both ways; it is read once).
BLOCK_OPTIONS: Mapping[str, Any] = {
    "driver": "GTiff", "tiled": True, "blockxsize": 256, "blockysize": 256,
    "compress": "zstd", "zstd_level": 1,
}

_GDAL_TYPES = {"float32": "Float32", "uint16": "UInt16", "uint8": "Byte", "int32": "Int32",
               "float64": "Float64"}


@dataclass(frozen=True)
class Block:
    """A block's file and where it lies in the whole raster (rows and columns from 0)."""

    path: Path
    row0: int
    col0: int
    nrows: int
    ncols: int


def write_block(
    path: str | os.PathLike[str], array: NDArray[np.generic], *, row0: int, col0: int,
    transform: Affine, crs: CRS, nodata: float | None,
) -> Block:
    """Write one block of a whole raster (``transform`` is the whole raster's).

    Float NaN is written as ``nodata``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> b = write_block(d / "b.tif", np.ones((2, 3), np.float32), row0=4, col0=6,
    ...                 transform=Affine(10, 0, 0, 0, -10, 100), crs=CRS.from_epsg(4547),
    ...                 nodata=-1.0)
    >>> (b.row0, b.col0, b.nrows, b.ncols)
    (4, 6, 2, 3)
    """
    arr = np.asarray(array)
    if nodata is not None and arr.dtype.kind == "f":
        arr = np.where(np.isnan(arr), arr.dtype.type(nodata), arr)
    nrows, ncols = arr.shape
    x0, y0 = transform @ (col0, row0)
    block_transform = Affine(transform.a, 0.0, x0, 0.0, transform.e, y0)
    profile = {**BLOCK_OPTIONS, "height": nrows, "width": ncols, "count": 1,
               "dtype": arr.dtype.name, "crs": crs, "transform": block_transform,
               "nodata": nodata}
    if nrows < 256 or ncols < 256:
        profile["tiled"] = False
        profile.pop("blockxsize")
        profile.pop("blockysize")
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)
    return Block(Path(path), row0, col0, nrows, ncols)


def _vrt(blocks: Sequence[Block], *, nrows: int, ncols: int, transform: Affine, crs: CRS,
         dtype: str, nodata: float | None, description: str, tags: Mapping[str, str],
         background: Path | None = None) -> str:
    """The VRT XML mosaicking ``blocks`` (paths absolute) over a one-cell ``background``."""
    gt = ", ".join(repr(float(v)) for v in transform.to_gdal())
    meta = "".join(f"<MDI key={quoteattr(str(k))}>{escape(str(v))}</MDI>"
                   for k, v in tags.items())
    nd = "" if nodata is None else f"<NoDataValue>{nodata!r}</NoDataValue>"
    sources = []
    if background is not None:  # one cell stretched over the whole raster, blocks on top
        sources.append(
            f'<SimpleSource><SourceFilename relativeToVRT="0">{escape(str(background))}'
            f'</SourceFilename><SourceBand>1</SourceBand><SrcRect xOff="0" yOff="0" '
            f'xSize="1" ySize="1"/><DstRect xOff="0" yOff="0" xSize="{ncols}" '
            f'ySize="{nrows}"/></SimpleSource>')
    for b in blocks:
        rect = f'xOff="0" yOff="0" xSize="{b.ncols}" ySize="{b.nrows}"'
        dst = f'xOff="{b.col0}" yOff="{b.row0}" xSize="{b.ncols}" ySize="{b.nrows}"'
        sources.append(
            f'<SimpleSource><SourceFilename relativeToVRT="0">'
            f"{escape(str(Path(b.path).resolve()))}</SourceFilename><SourceBand>1</SourceBand>"
            f"<SrcRect {rect}/><DstRect {dst}/></SimpleSource>")
    return (
        f'<VRTDataset rasterXSize="{ncols}" rasterYSize="{nrows}">'
        f"<SRS>{escape(crs.to_wkt())}</SRS><GeoTransform>{gt}</GeoTransform>"
        f"<Metadata>{meta}</Metadata>"
        f'<VRTRasterBand dataType="{_GDAL_TYPES[dtype]}" band="1">{nd}'
        f"<Description>{escape(description)}</Description>{''.join(sources)}"
        "</VRTRasterBand></VRTDataset>"
    )


def assemble_cog(
    path: str | os.PathLike[str], blocks: Sequence[Block], *, nrows: int, ncols: int,
    transform: Affine, crs: CRS, dtype: str, nodata: float | None, description: str,
    tags: Mapping[str, str] | None = None, resampling: str = "average",
    fill: float | None = None, compress: str = "zstd",
) -> Path:
    """Mosaic ``blocks`` into one Cloud Optimized GeoTIFF at ``path`` (replaced atomically).

    The COG has `layout.io.raster.cog_overviews` overview levels and the predictor for its
    type, as `layout.io.raster.write_bands` writes them, compressed with ZSTD level 1 by
    default (a third faster than DEFLATE for the same size; GDAL >= 2.3 and QGIS 3 read it);
    ``resampling`` is the overviews' (``nearest`` for bit flags). The blocks are simple VRT
    sources: they do not overlap, and their own nodata cells are nodata in the mosaic. Cells
    no block covers hold ``fill``, else ``nodata`` (0 for integer rasters without one).
    """
    path = Path(path)
    fd, vrt = tempfile.mkstemp(suffix=".vrt", dir=path.parent)
    os.close(fd)
    fd, tmp = tempfile.mkstemp(suffix=".tif.part", dir=path.parent)
    os.close(fd)
    background = None
    try:
        if fill is not None:
            background = Path(vrt).with_suffix(".fill.tif")
            with rasterio.open(background, "w", driver="GTiff", height=1, width=1, count=1,
                               dtype=dtype, crs=crs, transform=transform) as dst:
                dst.write(np.full((1, 1), fill, dtype=dtype), 1)
        Path(vrt).write_text(_vrt(blocks, nrows=nrows, ncols=ncols, transform=transform,
                                  crs=crs, dtype=dtype, nodata=nodata,
                                  description=description, tags=tags or {},
                                  background=background),
                             encoding="utf-8")
        predictor = 2 if np.dtype(dtype).kind in "iu" else 3
        with rasterio.Env(GDAL_CACHEMAX=256):
            rasterio.shutil.copy(
                vrt, tmp, driver="COG", compress=compress, level=1, predictor=predictor,
                blocksize=256, num_threads="ALL_CPUS", overview_resampling=resampling,
                overview_count=cog_overviews(nrows, ncols))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        Path(vrt).unlink(missing_ok=True)
        if background is not None:
            background.unlink(missing_ok=True)
    return path
