"""The score rasters of a chunked plan, mosaicked from its windows' blocks.

The same format as `layout.io.scoreraster.write_score_raster` writes (tags, descriptions,
nodata, Cloud Optimized with overviews), for a grid no process holds: each window wrote its
block (`layout.io.blockraster.write_block`) and `assemble_score_raster` copies their mosaic.
`layout.io.scoreraster` reads both alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from layout.io.blockraster import Block, assemble_cog
from layout.io.scoreraster import SCORE_NODATA, flags_file, score_file
from layout.io.surfacegrid import OUTSIDE_TYPE, flag_tags, score_tags

__all__ = ["assemble_score_raster"]


def assemble_score_raster(
    folder: str | os.PathLike[str],
    *,
    industry: str,
    frame: Any,
    score_blocks: Sequence[Block],
    flag_blocks: Sequence[Block],
    weights: Mapping[str, float],
    labels: Mapping[str, str],
    weight_source: str,
    exclude_bits: int,
    bit_names: Mapping[str, int],
) -> tuple[Path, Path]:
    """Write ``<industry>_score.tif`` and ``_flags.tif`` from blocks (a chunked plan).

    The same format as `write_score_raster` (tags, descriptions, nodata, COG with overviews),
    mosaicked from the blocks the windows wrote (`layout.io.blockraster.assemble_cog`). A
    chunked plan writes no ``_criteria.tif``: its criteria stay in the block means of the
    allocation grid; the ``weights`` tag and the ``criteria`` tag (``name: label``, one per
    criterion, ``;``-separated) still say how the score is made.

    ``frame`` is the grid's frame (``crs``, ``transform``, ``nrows``, ``ncols``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tags = score_tags(industry, weight_source, weights)
    tags["criteria"] = ";".join(f"{n}: {labels[n]}" for n in weights)
    shape = {"nrows": frame.nrows, "ncols": frame.ncols, "transform": frame.transform,
             "crs": frame.crs}
    score_path = assemble_cog(score_file(folder, industry), score_blocks, **shape,
                              dtype="float32", nodata=SCORE_NODATA,
                              description="score (0-100)", tags=tags)
    flags_path = assemble_cog(flags_file(folder, industry), flag_blocks, **shape,
                              dtype="uint16", nodata=None,
                              description="constraint flags (bits)",
                              tags=flag_tags(bit_names, exclude_bits),
                              resampling="nearest", fill=bit_names[OUTSIDE_TYPE])
    return score_path, flags_path
