"""Numbers in columns the data model does not declare: infinite or implausibly large values.

The numeric columns of a layer kind are checked by `layout.data.checks.check_numbers` (an
infinite value, or one of magnitude above `~layout.model.layers.MAX_ABS_VALUE`, is an error
there); `check_other_numbers` looks at every other column of numbers, which a plan does not
use, and reports the same values as warnings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from layout.data.checks import (
    BOUNDED,
    CheckedLayer,
    bad_number_kind,
    format_number,
    problem_text,
    rows_where,
)
from layout.errors import Problem
from layout.model.layers import MAX_ABS_VALUE

#: The fix of a bad value in a column a plan does not use.
FIX_OTHER = "correct the cell, or drop the column if it is not needed"


def check_other_numbers(ctx: CheckedLayer, declared: Sequence[str]) -> list[Problem]:
    """Infinite or implausibly large values in numeric columns the data model does not declare.

    Columns of numbers (integer or float type) other than ``declared`` and the id column are
    not used by a plan, so their bad values are warnings: reported, never silently kept.  An
    empty cell (NaN) is not reported.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame({"ratio": [0.5, float("inf")]}, geometry=[shapely.Point(0, 0)] * 2)
    >>> [str(p) for p in check_other_numbers(CheckedLayer(gdf, "a.gpkg", None), [])]
    ["warning: a.gpkg, feature row 2, column 'ratio': not a finite number: found inf, expected \
a number of magnitude at most 1e+15; correct the cell, or drop the column if it is not needed"]
    """
    gdf = ctx.gdf
    problems: list[Problem] = []
    skip = {*declared, gdf.geometry.name, ctx.id_col}
    for col in gdf.columns:
        if col in skip or gdf[col].dtype.kind not in "iuf":
            continue
        numbers = gdf[col].to_numpy(dtype=float, na_value=np.nan)
        bad = rows_where(~np.isnan(numbers) & ~(np.abs(numbers) <= MAX_ABS_VALUE))
        problems += _report(ctx, str(col), numbers, bad)
    return problems


def _report(ctx: CheckedLayer, col: str, numbers: np.ndarray, bad: list[int]) -> list[Problem]:
    return ctx.report(
        bad,
        lambda r: problem_text(
            bad_number_kind(numbers[r]), format_number(numbers[r]), BOUNDED, FIX_OTHER
        ),
        lambda n, ids: problem_text(
            f"{n} values are infinite or implausibly large",
            f"{format_number(numbers[bad[0]])} … ({ids})",
            BOUNDED,
            FIX_OTHER,
        ),
        column=col,
        severity="warning",
    )
