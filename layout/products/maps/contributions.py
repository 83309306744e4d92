"""The top criterion contributions of every pixel of an industry map, for its click popup.

A criterion's contribution to a cell's score is ``100 × weight × value`` (docs/plan_outputs.md,
``<code>_criteria.tif``).  `top_contributions` warps each contribution to a coarse Web Mercator
grid over the score image's extent (nearest neighbour, at most `MAX_CELLS` cells, so the page
stays small and offline) and keeps, per pixel, the `TOP` largest: criterion index and points,
both uint8 (points in halves, 0–200), packed row-major as ``[i1, p1, i2, p2, i3, p3]`` (index
255 = none) and base64-coded.
The probe (`layout.products.maps.probe`) reads the same fraction of the extent it reads the score
image at.
"""

from __future__ import annotations

import base64
import logging
import math
import os
from dataclasses import dataclass, field

import numpy as np
from affine import Affine

from layout.io.scoreraster import ScoreRaster, decimated_shape

__all__ = ["MAX_CELLS", "TOP", "Contributions", "top_contributions"]

log = logging.getLogger(__name__)

#: Most pixels of the contribution grid (about 6 bytes each before base64).
MAX_CELLS = 60_000
#: Contributions kept per pixel.
TOP = 3
_NONE = 255


@dataclass(frozen=True)
class Contributions:
    """The packed top contributions of a coarse grid over the score image.

    Attributes
    ----------
    criteria
        Criterion names, by index.
    shape
        ``(height, width)`` of the grid.
    data
        Base64 of ``height × width × 2·TOP`` uint8 (index, half-points) pairs, row-major.
    cell_m
        Ground size of a grid pixel at the grid's centre, in metres (rounded to 10 m).
    """

    criteria: list[str]
    shape: tuple[int, int]
    data: str = field(repr=False)
    cell_m: float = 0.0


def top_contributions(
    score_path: str | os.PathLike[str],
    *,
    image_transform: Affine,
    image_shape: tuple[int, int],
    max_cells: int = MAX_CELLS,
) -> Contributions | None:
    """Top contributions per pixel of a coarse copy of the score image's Web Mercator grid.

    Parameters
    ----------
    score_path
        ``<code>_score.tif`` (its criteria from ``<code>_criteria.tif`` or bands 2, 3, …).
    image_transform, image_shape
        The score image's grid (EPSG:3857).
    max_cells
        Most pixels of the coarse grid.

    Returns
    -------
    Contributions or None
        None when the raster has no criteria or no ``weights`` tag (logged).
    """
    from rasterio.warp import Resampling, reproject

    raster = ScoreRaster(score_path)
    tags = raster.tags
    if "weights" not in tags:
        log.info("%s: no weights tag; the map's popup shows no contributions", score_path)
        return None
    weights = raster.weights
    names = list(weights)
    if not raster.criteria:  # a chunked plan keeps its criteria on the allocation grid only
        log.info("%s: no criteria rasters; the map's popup shows the score and exclusions "
                 "without contributions", score_path)
        return None
    prof = raster.profile
    # A province-sized grid is read decimated through its overviews (never whole): the grid
    # of contributions is far coarser than the score image anyway.
    full = (prof["height"], prof["width"])
    out_shape = decimated_shape(full, max_side=max(image_shape))
    values = raster.read(list(range(2, 2 + len(names))), out_shape=out_shape)
    src_transform = prof["transform"]
    if out_shape is not None:
        src_transform = src_transform @ Affine.scale(full[1] / out_shape[1],
                                                     full[0] / out_shape[0])
    if values.shape[0] != len(names):
        log.info("%s: criteria bands do not match the weights; no contributions", score_path)
        return None
    height, width = image_shape
    step = max(1, math.ceil(math.sqrt(height * width / max_cells)))
    ch, cw = math.ceil(height / step), math.ceil(width / step)
    t = image_transform
    coarse = Affine(t.a * width / cw, 0.0, t.c, 0.0, t.e * height / ch, t.f)
    w = np.array([weights[n] for n in names], np.float32)
    contrib = 100.0 * w[:, None, None] * values
    out = np.full((len(names), ch, cw), np.nan, np.float32)
    reproject(
        contrib,
        out,
        src_transform=src_transform,
        src_crs=prof["crs"],
        dst_transform=coarse,
        dst_crs="EPSG:3857",
        resampling=Resampling.nearest,
        src_nodata=np.nan,
        dst_nodata=np.nan,
    )
    k = min(TOP, len(names))
    filled = np.where(np.isfinite(out), out, -1.0)
    order = np.argsort(-filled, axis=0, kind="stable")[:k]
    points = np.take_along_axis(filled, order, axis=0)
    packed = np.full((ch, cw, 2 * TOP), 0, np.uint8)
    packed[..., 0::2] = _NONE
    for j in range(k):
        ok = points[j] > 0
        packed[..., 2 * j][ok] = order[j][ok]
        packed[..., 2 * j + 1][ok] = np.clip(np.rint(2 * points[j][ok]), 0, 200).astype(np.uint8)
    data = base64.b64encode(packed.tobytes()).decode("ascii")
    # A Web Mercator metre is 1 / cos(latitude) ground metres.
    y_mid = t.f + t.e * height / 2
    lat = math.degrees(2 * math.atan(math.exp(y_mid / 6_378_137.0)) - math.pi / 2)
    cell_m = round(coarse.a * math.cos(math.radians(lat)), -1)
    return Contributions(criteria=names, shape=(ch, cw), data=data, cell_m=cell_m)
