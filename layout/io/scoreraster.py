"""The score rasters of one industry: their one writer and their one reader.

The scoring stage writes three GeoTIFFs per industry (docs/plan_outputs.md); the maps, the
review helpers and the site check read them, all through this module. A plan writes them as
Cloud Optimized GeoTIFFs with overviews, one band set per file so that QGIS draws each right
by default (a single band as grey or with the plan's QML style, never bands 1-3 as RGB).

``<code>_score.tif``
    One band, the score 0–100, float32, nodata −1 outside the study area; band description
    ``score (0-100)``; tags ``industry``, ``weight_source`` and ``weights`` (``name=w;...``, 6
    decimals).
``<code>_criteria.tif``
    One band per criterion (transformed value 0–1; its contribution to the score is
    ``100 × weight × value``), float32, nodata −1; band descriptions ``<name>: <label> (weight
    <w>)``; the same tags.
``<code>_flags.tif``
    uint16 constraint bit flags; tags ``bit_<value> = <constraint type>`` for every bit and
    ``exclude_bits``, the bits that exclude a cell in the plan that wrote it.

`write_score_raster` writes the three; `ScoreRaster` opens them once and reads whole bands,
windows, the criterion names and weights (band 1 the score, bands 2, 3, … the criteria, as if
one file); `read_surface` gives the score and flags of a whole grid as a `SuitabilitySurface`.
Score rasters of earlier versions (the criteria as bands 2, 3, … of ``<code>_score.tif``) are
read as well.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from affine import Affine
from numpy.typing import NDArray
from pyproj import CRS

from layout.errors import CRSMismatchError, DataFileError
from layout.io.raster import RasterGrid, write_bands
from layout.io.surfacegrid import (
    OUTSIDE_TYPE,
    SuitabilitySurface,
    decimated_shape,
    flag_tags,
    score_tags,
)

logger = logging.getLogger(__name__)

#: Nodata of the score raster (outside the study area).
SCORE_NODATA = -1.0

F32 = NDArray[np.float32]


def score_file(folder: str | os.PathLike[str], industry: str) -> Path:
    """``folder/<industry>_score.tif``."""
    return Path(folder) / f"{industry}_score.tif"


def criteria_file(folder: str | os.PathLike[str], industry: str) -> Path:
    """``folder/<industry>_criteria.tif``."""
    return Path(folder) / f"{industry}_criteria.tif"


def flags_file(folder: str | os.PathLike[str], industry: str) -> Path:
    """``folder/<industry>_flags.tif``."""
    return Path(folder) / f"{industry}_flags.tif"


def write_score_raster(
    folder: str | os.PathLike[str],
    *,
    industry: str,
    grid: RasterGrid,
    score: F32,
    criteria: Mapping[str, F32],
    labels: Mapping[str, str],
    weights: Mapping[str, float],
    weight_source: str,
    flags: NDArray[np.uint16],
    exclude_bits: int,
    bit_names: Mapping[str, int],
    storage: Mapping[str, Any] | None = None,
) -> tuple[Path, Path, Path]:
    """Write ``<industry>_score.tif``, ``_criteria.tif`` and ``_flags.tif`` into ``folder``.

    Parameters
    ----------
    folder
        Target folder (created when missing).
    industry
        Industry code (file names and the ``industry`` tag).
    grid
        Grid of every array (shape, CRS, transform).
    score
        Score 0–100, NaN outside the study area.
    criteria
        Transformed criterion values by name, in band order.
    labels
        English label of each criterion (band descriptions).
    weights
        Normalised weight of each criterion.
    weight_source
        ``"direct"`` or ``"ahp"``.
    flags
        uint16 constraint bit flags.
    exclude_bits
        Bits that exclude a cell in this plan.
    bit_names
        Constraint type -> bit, for the flag tags.
    storage
        GDAL creation options (`layout.io.raster.write_bands`) of tiled GeoTIFFs; None (a
        plan's outputs) writes Cloud Optimized GeoTIFFs with overviews.

    Returns
    -------
    score_path, criteria_path, flags_path
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(criteria)
    tags = score_tags(industry, weight_source, {n: weights[n] for n in names})
    cog = storage is None
    score_path = write_bands(
        score_file(folder, industry), [score], grid, descriptions=["score (0-100)"],
        nodata=SCORE_NODATA, tags=tags, storage=storage, cog=cog,
    )
    criteria_path = write_bands(
        criteria_file(folder, industry),
        [criteria[n] for n in names],
        grid,
        descriptions=[f"{n}: {labels[n]} (weight {weights[n]:.4f})" for n in names],
        nodata=SCORE_NODATA,
        tags=tags,
        storage=storage,
        cog=cog,
    )
    flags_path = write_bands(
        flags_file(folder, industry),
        [flags],
        grid,
        descriptions=["constraint flags (bits)"],
        nodata=None,
        dtype="uint16",
        tags=flag_tags(bit_names, exclude_bits),
        storage=storage,
        cog=cog,
        resampling="nearest",  # bits cannot be averaged
    )
    return score_path, criteria_path, flags_path


#: A window of rows ``r0:r1`` and columns ``c0:c1``.
Window = tuple[int, int, int, int]


class ScoreRaster:
    """An industry's score raster (and its flags raster), open for reading.

    Open it with ``with ScoreRaster(path) as raster:``; the datasets stay open until the block
    ends, so many windows read fast. Outside a ``with`` block each call opens and closes them.

    Parameters
    ----------
    path
        ``<code>_score.tif``.
    flags_path
        Its flags raster; default ``<code>_flags.tif`` next to it.
    criteria_path
        Its criteria raster; default ``<code>_criteria.tif`` next to it. When it does not exist
        the criteria are read from bands 2, 3, … of the score raster (earlier versions).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        flags_path: str | os.PathLike[str] | None = None,
        criteria_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.path = Path(path)
        name = self.path.name
        stem = name[: -len("_score.tif")] if name.endswith("_score.tif") else self.path.stem
        self.flags_path = (
            Path(flags_path) if flags_path is not None else self.path.with_name(f"{stem}_flags.tif")
        )
        self.criteria_path = (
            Path(criteria_path) if criteria_path is not None
            else self.path.with_name(f"{stem}_criteria.tif")
        )
        self._stem = stem
        self._open: dict[Any, Any] = {}
        self._env: Any = None

    # -- opening ---------------------------------------------------------------------------------

    def __enter__(self) -> ScoreRaster:
        import rasterio

        self._env = rasterio.Env()
        self._env.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for ds in self._open.values():
            ds.close()
        self._open.clear()
        if self._env is not None:
            self._env.__exit__(kind, exc, tb)
            self._env = None

    def _dataset(self, path: Path, level: int = 0) -> Any:
        import rasterio
        from rasterio.errors import RasterioIOError

        key = path if level == 0 else (path, level)
        if key in self._open:
            return self._open[key]
        try:
            ds = rasterio.open(path) if level == 0 else rasterio.open(
                path, overview_level=level - 1
            )
        except RasterioIOError as exc:
            what = {self.path: "score", self.flags_path: "flags"}.get(path, "criteria")
            raise DataFileError(f"{path}: cannot read the {what} raster ({exc})") from None
        if self._env is not None:
            self._open[key] = ds
        return ds

    def _done(self, ds: Any) -> None:
        if self._env is None:
            ds.close()

    # -- what the file says ------------------------------------------------------------------

    @property
    def tags(self) -> dict[str, str]:
        """Dataset tags of the score raster."""
        ds = self._dataset(self.path)
        try:
            return dict(ds.tags())
        finally:
            self._done(ds)

    @property
    def industry(self) -> str:
        """The ``industry`` tag (else the code in the file name)."""
        return self.tags.get("industry") or self._stem

    @property
    def split(self) -> bool:
        """The criteria are in their own file (`criteria_path`), not in the score raster."""
        return self.criteria_path.is_file()

    @property
    def criteria(self) -> list[str]:
        """Criterion names of bands 2, 3, … (from the band descriptions)."""
        split = self.split
        ds = self._dataset(self.criteria_path if split else self.path)
        try:
            return [str(d or "").split(":")[0] for d in ds.descriptions[0 if split else 1:]]
        finally:
            self._done(ds)

    @property
    def weights(self) -> dict[str, float]:
        """Criterion weights from the ``weights`` tag (`DataFileError` when it is missing)."""
        tags = self.tags
        if "weights" not in tags:
            raise DataFileError(f"{self.path}: no 'weights' tag; was it written by `layout plan`?")
        return {
            k: float(v) for k, v in (item.split("=", 1) for item in tags["weights"].split(";"))
        }

    @property
    def profile(self) -> dict[str, Any]:
        """CRS, transform, shape and nodata of the score raster."""
        ds = self._dataset(self.path)
        try:
            return {
                "crs": ds.crs,
                "transform": ds.transform,
                "height": ds.height,
                "width": ds.width,
                "nodata": ds.nodata,
            }
        finally:
            self._done(ds)

    def window(
        self, bounds: tuple[float, float, float, float], *, pad: int = 0
    ) -> Window:
        """Rows and columns covering ``(xmin, ymin, xmax, ymax)``, padded and clipped.

        Returns ``(r0, r1, c0, c1)``, the ends exclusive; empty (r1 <= r0) when the box lies
        outside the raster.
        """
        p = self.profile
        t = p["transform"]
        xmin, ymin, xmax, ymax = bounds
        c0 = math.floor((xmin - t.c) / t.a) - pad
        c1 = math.ceil((xmax - t.c) / t.a) + pad
        r0 = math.floor((ymax - t.f) / t.e) - pad
        r1 = math.ceil((ymin - t.f) / t.e) + pad
        return (
            max(r0, 0),
            min(max(r1, 0), p["height"]),
            max(c0, 0),
            min(max(c1, 0), p["width"]),
        )

    # -- reading -------------------------------------------------------------------------------

    def read(self, bands: Sequence[int], window: Window | None = None, *, flags: bool = False,
             out_shape: tuple[int, int] | None = None) -> NDArray[Any]:
        """Read bands (1-based) of the score raster, or of the flags raster with ``flags``.

        Band 1 is the score, bands 2, 3, … the criteria (from `criteria_path` when it exists).
        Float bands come back as float32 with nodata as NaN; flags as uint16. ``window`` is
        ``(r0, r1, c0, c1)``; None reads the whole grid. ``out_shape`` ``(rows, cols)`` reads it
        decimated by nearest neighbour, through the file's overviews when it has them (the full
        grid is never held in memory; see `decimated_shape`).
        """
        bands = list(bands)
        if not flags and self.split and any(b != 1 for b in bands):
            crit = [b - 1 for b in bands if b != 1]
            read = self._read(self.criteria_path, crit, window, flags=False, out_shape=out_shape)
            score = self._read(self.path, [1], window, flags=False,
                               out_shape=out_shape) if 1 in bands else None
            at = {b: i for i, b in enumerate(crit)}
            return np.stack([score[0] if b == 1 and score is not None else read[at[b - 1]]
                             for b in bands])
        return self._read(self.flags_path if flags else self.path, bands, window, flags=flags,
                          out_shape=out_shape)

    def _read(self, path: Path, bands: list[int], window: Window | None, *, flags: bool,
              out_shape: tuple[int, int] | None = None) -> NDArray[Any]:
        from rasterio.enums import Resampling
        from rasterio.windows import Window as RioWindow

        ds = self._dataset(path)
        try:
            win = None
            if window is not None:
                r0, r1, c0, c1 = window
                win = RioWindow(c0, r0, c1 - c0, r1 - r0)
            # Nearest: each value is one cell (of an overview); bit flags are never averaged.
            shape = {} if out_shape is None else {"out_shape": (len(bands), *out_shape),
                                                  "resampling": Resampling.nearest}
            arr = ds.read(list(bands), window=win, **shape)
            if arr.dtype.kind == "f":
                arr = arr.astype(np.float32)
                if ds.nodata is not None:
                    arr[arr == ds.nodata] = np.nan
            elif flags:
                arr = arr.astype(np.uint16)
            return arr
        finally:
            self._done(ds)

    def levels(self) -> list[tuple[Affine, tuple[int, int]]]:
        """Transform and ``(rows, cols)`` of each resolution the score raster holds.

        Level 0 is the grid itself, levels 1, 2, … its overviews (a COG written by a plan has
        them, halving the cells each time); the flags raster has the same levels.
        """
        out, count, level = [], 0, 0
        while level <= count:  # the overviews' own sizes (GDAL rounds them)
            ds = self._dataset(self.path, level)
            try:
                out.append((ds.transform, (ds.height, ds.width)))
                count = len(ds.overviews(1)) if level == 0 else count
            finally:
                self._done(ds)
            level += 1
        return out

    def read_level(self, level: int, window: Window, *, flags: bool = False) -> NDArray[Any]:
        """Band 1 of the score raster (or of the flags raster) at ``level`` (`levels`).

        ``window`` ``(r0, r1, c0, c1)`` is in that level's cells. Scores come back as float32
        with nodata (and any negative value) as NaN, flags as uint16, as `read` gives them;
        the overviews are the file's own (scores averaged, flags by nearest, as
        `write_score_raster` writes them).
        """
        from rasterio.windows import Window as RioWindow

        ds = self._dataset(self.flags_path if flags else self.path, level)
        try:
            r0, r1, c0, c1 = window
            arr = ds.read(1, window=RioWindow(c0, r0, c1 - c0, r1 - r0))
        finally:
            self._done(ds)
        if flags:
            return arr.astype(np.uint16)
        arr = arr.astype(np.float32)
        arr[~(arr >= 0)] = np.nan  # nodata is -1
        return arr

    def surface(
        self, *, bit_names: Mapping[int, str] | None = None, max_side: int | None = None
    ) -> SuitabilitySurface:
        """The whole score (band 1) and flags as a `SuitabilitySurface`.

        Parameters
        ----------
        bit_names
            Constraint type of each bit when the flags raster has no ``bit_`` tags (or is
            missing: then every cell with a score counts as eligible, and all these bits but
            the outside bit as excluding).
        max_side
            What the reader needs on the grid's long side, in cells: a grid at least twice as
            long is read decimated (`decimated_shape`, nearest neighbour through the overviews)
            and the surface's transform has the coarser cells. None reads every cell.

        Raises
        ------
        DataFileError
            The score file is missing or unreadable.
        CRSMismatchError
            The two rasters do not share grid, transform and CRS (both are named).
        """
        names = dict(bit_names or {})
        p = self.profile
        full_shape = (p["height"], p["width"])
        out_shape = None if max_side is None else decimated_shape(full_shape, max_side=max_side)
        score = self.read([1], out_shape=out_shape)[0]
        score[score < 0] = np.nan
        transform, crs = p["transform"], CRS.from_user_input(p["crs"])
        file_transform = transform
        if out_shape is not None:
            transform = transform @ Affine.scale(
                full_shape[1] / out_shape[1], full_shape[0] / out_shape[0]
            )
            logger.info(
                "%s: %d x %d cells read as %d x %d (nearest, through its overviews)",
                self.path, full_shape[0], full_shape[1], out_shape[0], out_shape[1],
            )
        industry = self.industry
        outside = next((b for b, n in names.items() if n == OUTSIDE_TYPE), 128)
        exclude_bits = sum(b for b in names if b != outside)
        if self.flags_path.exists():
            ds = self._dataset(self.flags_path)
            try:
                if (
                    ds.shape != full_shape
                    or ds.transform != file_transform
                    or not crs.equals(ds.crs)
                ):
                    raise CRSMismatchError(
                        f"{self.flags_path} ({ds.shape[0]}x{ds.shape[1]} cells, {ds.crs}, origin "
                        f"{ds.transform.c:.1f}, {ds.transform.f:.1f}) does not match {self.path} "
                        f"({full_shape[0]}x{full_shape[1]} cells, {crs.to_string()}, origin "
                        f"{transform.c:.1f}, {transform.f:.1f}); write both with the same grid"
                    )
                ftags = ds.tags()
            finally:
                self._done(ds)
            flags = self.read([1], flags=True, out_shape=out_shape)[0]
            for key, value in ftags.items():
                if key.startswith("bit_") and key[4:].isdigit():
                    names[int(key[4:])] = value
            if ftags.get("exclude_bits", "").strip().isdigit():
                exclude_bits = int(ftags["exclude_bits"])
            outside = next((b for b, n in names.items() if n == OUTSIDE_TYPE), 128)
        else:
            logger.warning(
                "%s not found: no cell of %s is shown as excluded", self.flags_path, industry
            )
            flags = np.where(np.isfinite(score), 0, outside).astype(np.uint16)
        return SuitabilitySurface(
            industry=industry,
            score=score,
            flags=flags,
            transform=transform,
            crs=crs,
            exclude_bits=exclude_bits & ~outside,
            bit_names=names,
        )


def read_surface(
    score_path: str | os.PathLike[str],
    flags_path: str | os.PathLike[str] | None = None,
    *,
    bit_names: Mapping[int, str] | None = None,
    max_side: int | None = None,
) -> SuitabilitySurface:
    """Read ``<code>_score.tif`` (band 1) and its ``<code>_flags.tif`` (`ScoreRaster.surface`)."""
    with ScoreRaster(score_path, flags_path) as raster:
        return raster.surface(bit_names=bit_names, max_side=max_side)
