"""An industry's suitability surface in memory, and how coarse a reader needs it.

`SuitabilitySurface` is what `layout.io.scoreraster.read_surface` gives: the score and flags of
one industry over a grid, as the scoring stage wrote them.  `decimated_shape` says how coarse a
grid a reader that shows ``max_side`` pixels reads (the maps: `layout.products.maps.surface`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from affine import Affine
from numpy.typing import NDArray
from pyproj import CRS

__all__ = ["OUTSIDE_TYPE", "SuitabilitySurface", "decimated_shape", "flag_tags", "score_tags"]

#: Constraint type of the flag bit that marks cells outside the study area.
OUTSIDE_TYPE = "outside_study_area"

F32 = NDArray[np.float32]


@dataclass(frozen=True)
class SuitabilitySurface:
    """The suitability of one industry over the analysis grid, as the scoring stage wrote it.

    Attributes
    ----------
    industry
        Industry code.
    score
        Score 0–100 (float32), NaN outside the study area; excluded cells score 0.
    flags
        uint16 constraint bit flags of every cell (docs/data_model.md).
    transform
        Affine transform of the grid (north-up).
    crs
        Projected CRS of the grid (EPSG:4547 by default).
    exclude_bits
        The flag bits that exclude a cell in this plan (without the outside bit).
    bit_names
        Constraint type of each bit value.
    """

    industry: str
    score: F32 = field(repr=False)
    flags: NDArray[np.uint16] = field(repr=False)
    transform: Affine
    crs: CRS
    exclude_bits: int
    bit_names: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.score.ndim != 2 or self.flags.shape != self.score.shape:
            raise ValueError(
                f"score {self.score.shape} and flags {self.flags.shape} must be 2-D arrays of "
                "one shape"
            )

    @property
    def outside_bit(self) -> int:
        """The flag bit of cells outside the study area (128 unless the tags say otherwise)."""
        return next((b for b, name in self.bit_names.items() if name == OUTSIDE_TYPE), 128)

    @property
    def inside(self) -> NDArray[np.bool_]:
        """Cells inside the study area."""
        return np.isfinite(self.score) & ((self.flags & self.outside_bit) == 0)

    @property
    def excluded(self) -> NDArray[np.bool_]:
        """Cells inside the study area that a hard constraint excludes."""
        return self.inside & ((self.flags & np.uint16(self.exclude_bits)) != 0)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` in the grid CRS."""
        rows, cols = self.score.shape
        t = self.transform
        west, north = t.c, t.f
        east, south = t.a * cols + t.b * rows + t.c, t.d * cols + t.e * rows + t.f
        return (
            float(min(west, east)),
            float(min(south, north)),
            float(max(west, east)),
            float(max(south, north)),
        )


def decimated_shape(shape: tuple[int, int], *, max_side: int) -> tuple[int, int] | None:
    """The shape to read a grid in when a reader needs ``max_side`` cells on its long side.

    A grid at least twice as long as ``max_side`` is read with a step of
    ``long_side // max_side`` cells (so at least ``max_side`` cells remain on the long side);
    a shorter one is read whole (None), exactly as before.

    Examples
    --------
    >>> decimated_shape((805, 1379), max_side=1200) is None
    True
    >>> decimated_shape((18500, 19000), max_side=1200)
    (1234, 1267)
    """
    rows, cols = shape
    step = max(rows, cols) // max(int(max_side), 1)
    if step < 2:
        return None
    return math.ceil(rows / step), math.ceil(cols / step)


def score_tags(industry: str, weight_source: str, weights: Mapping[str, float]
               ) -> dict[str, str]:
    """The tags of ``<code>_score.tif`` and ``_criteria.tif`` (module docstring)."""
    return {"industry": industry, "weight_source": weight_source,
            "weights": ";".join(f"{n}={w:.6f}" for n, w in weights.items())}


def flag_tags(bit_names: Mapping[str, int], exclude_bits: int) -> dict[str, str]:
    """The tags of ``<code>_flags.tif``: ``bit_<value>`` per type, and ``exclude_bits``."""
    tags = {f"bit_{b}": k for k, b in bit_names.items()}
    tags["exclude_bits"] = str(exclude_bits)
    return tags
