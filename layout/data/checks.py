"""The individual checks of a layer, each returning the problems it finds.

`CheckedLayer` holds the layer under check with the label of each feature (its id, else ``row N``
counting from 1) and turns the rows that fail a check into problems: one per feature, or a single
summary when more than `MAX_SINGLE` features share it, listing the first `MAX_LISTED`.  The
checks of columns, geometries, ids, numbers, codes and text are here; the symptoms of a wrong CRS
and the study area are in `layout.data.coordinates`.  `layout.data.validate.validate_layer` runs
them all; other floors compose the ones they need.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layout.errors import Problem
from layout.io import encoding as _encoding
from layout.model.layers import MAX_ABS_VALUE

#: Up to this many features with the same problem are reported one by one.
MAX_SINGLE = 5
#: A summary problem lists this many feature ids.
MAX_LISTED = 10


class CheckedLayer:
    """The layer under check with its feature labels.

    Parameters
    ----------
    gdf
        The layer.
    source
        Name of the data in the problems.
    id_col
        Column of feature ids naming the features in the problems, or None for ``row N``.
    """

    def __init__(self, gdf: gpd.GeoDataFrame, source: str, id_col: str | None):
        self.gdf = gdf
        self.source = source
        self.id_col = id_col
        n = len(gdf)
        rows = [f"row {i + 1}" for i in range(n)]
        if id_col is not None:
            ids = gdf[id_col].to_numpy()
            self.labels = [rows[i] if is_missing(v) else _id_text(v) for i, v in enumerate(ids)]
        else:
            self.labels = rows

    def report(
        self,
        rows: Sequence[int],
        one: Callable[[int], str],
        many: Callable[[int, str], str],
        *,
        column: str | None = None,
        severity: str = "error",
    ) -> list[Problem]:
        """One problem per row, or a single summary when more than `MAX_SINGLE` rows share it."""
        if len(rows) == 0:
            return []
        if len(rows) <= MAX_SINGLE:
            return [
                Problem(
                    self.source, one(r), feature=self.labels[r], column=column, severity=severity
                )
                for r in rows
            ]
        return [
            Problem(
                self.source, many(len(rows), self.listing(rows)), column=column, severity=severity
            )
        ]

    def listing(self, rows: Sequence[int]) -> str:
        """``ids: E1, E7, …`` or ``rows: 3, 8, …`` for a summary."""
        shown = [self.labels[r] for r in rows[:MAX_LISTED]]
        more = ", …" if len(rows) > MAX_LISTED else ""
        if all(s.startswith("row ") for s in shown):
            return "rows: " + ", ".join(s[4:] for s in shown) + more
        return "ids: " + ", ".join(shown) + more


def rows_where(mask: np.ndarray) -> list[int]:
    """Positions of the True values of a boolean array, as Python ints."""
    return [int(i) for i in np.flatnonzero(mask)]


def problem_text(what: str, found: str, expected: str, fix: str) -> str:
    """The message of a problem: what is wrong, the value found, what was expected, the fix."""
    return f"{what}: found {found}, expected {expected}; {fix}"


def is_missing(value: Any) -> bool:
    """True for None, NaN/NA and blank text: a cell with no value."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _id_text(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def format_number(v: float) -> str:
    """A number as a message shows it: whole above 1000, else up to 6 decimals, no trailing 0.

    Examples
    --------
    >>> format_number(1234.5), format_number(0.125), format_number(1e308)
    ('1234', '0.125', '1e+308')
    """
    if not np.isfinite(v):
        return str(v)
    if abs(v) >= 1e15:  # "1e+308", not 309 digits
        return f"{v:.6g}"
    if abs(v) >= 1000:
        return f"{v:.0f}"
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _value(v: Any) -> str:
    text = repr(v) if isinstance(v, str) else format_number(float(v)) if _is_number(v) else repr(v)
    return text if len(text) <= 40 else text[:39] + "…'"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def check_columns(ctx: CheckedLayer, required: Sequence[str]) -> list[Problem]:
    """Required columns that are missing, each with the closest column name found.

    Columns in ``attrs["unmapped"]`` (mapped to a column the file lacks, already reported by
    `layout.data.mapping.map_layer`) are not reported again.
    """
    present = [str(c) for c in ctx.gdf.columns if c != ctx.gdf.geometry.name]
    problems = []
    reported = set(ctx.gdf.attrs.get("unmapped", ()))
    for col in required:
        if col in ctx.gdf.columns or col in reported:
            continue
        close = difflib.get_close_matches(col, present, n=1, cutoff=0.6)
        hint = f"; rename {close[0]!r} if it is this column" if close else ""
        problems.append(
            Problem(
                ctx.source,
                problem_text(
                    "required column missing",
                    f"columns {', '.join(present) or '(none)'}",
                    f"a column {col!r}",
                    f"add the column{hint}, or name the file's column in [inputs] "
                    f"columns.{col} (--columns {col}=COLUMN)",
                ),
                column=col,
            )
        )
    return problems


def check_geometries(ctx: CheckedLayer, allowed: tuple[str, ...] | None) -> list[Problem]:
    """Missing or empty and invalid geometries, and geometry types not in ``allowed``."""
    geoms = np.asarray(ctx.gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms)
    invalid = rows_where(~missing & ~valid)
    reasons = shapely.is_valid_reason(geoms)
    problems = ctx.report(
        rows_where(missing),
        lambda r: problem_text(
            "no geometry",
            "an empty or missing geometry",
            "a location or shape",
            "give the feature its coordinates or delete it",
        ),
        lambda n, ids: problem_text(
            f"{n} features have no geometry",
            f"empty or missing geometries ({ids})",
            "a location or shape for each",
            "give them coordinates or delete them",
        ),
    )
    problems += ctx.report(
        invalid,
        lambda r: problem_text(
            "invalid geometry",
            reasons[r],
            "a valid geometry",
            "repair it (QGIS 'Fix geometries' or shapely.make_valid)",
        ),
        lambda n, ids: problem_text(
            f"{n} features have invalid geometries",
            f"{ids}; first: {reasons[invalid[0]]}",
            "valid geometries",
            "repair them (QGIS 'Fix geometries' or shapely.make_valid)",
        ),
    )
    if allowed:
        types = shapely.get_type_id(geoms)
        names = np.array(
            [
                "Point",
                "LineString",
                "LinearRing",
                "Polygon",
                "MultiPoint",
                "MultiLineString",
                "MultiPolygon",
                "GeometryCollection",
            ]
        )
        found = np.where(types >= 0, names[np.clip(types, 0, 7)], "")
        wrong = rows_where(~missing & ~np.isin(found, allowed))
        expected = " or ".join(allowed)
        problems += ctx.report(
            wrong,
            lambda r: problem_text(
                "wrong geometry type",
                str(found[r]),
                expected,
                f"check the layer kind (--kind), or convert the feature to {expected}",
            ),
            lambda n, ids: problem_text(
                f"{n} features have the wrong geometry type",
                f"{found[wrong[0]]} ({ids})",
                expected,
                f"check the layer kind (--kind), or convert them to {expected}",
            ),
        )
    return problems


def check_ids(ctx: CheckedLayer) -> list[Problem]:
    """Missing and duplicated values of the id column (``ctx.id_col``, which must be set)."""
    col = ctx.id_col
    assert col is not None
    values = ctx.gdf[col].to_numpy()
    missing = [i for i, v in enumerate(values) if is_missing(v)]
    problems = ctx.report(
        missing,
        lambda r: problem_text(
            "missing id", "an empty cell", "a unique id", "give the feature an id"
        ),
        lambda n, ids: problem_text(
            f"{n} features have no id", ids, "a unique id for each", "give each feature an id"
        ),
        column=col,
    )
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        if not is_missing(v):
            groups.setdefault(_id_text(v), []).append(i)
    dups = {k: rows for k, rows in groups.items() if len(rows) > 1}
    if len(dups) <= MAX_SINGLE:
        for key, rows in dups.items():
            problems.append(
                Problem(
                    ctx.source,
                    problem_text(
                        "duplicate id",
                        f"{key!r} in rows {', '.join(str(r + 1) for r in rows)}",
                        "each id once",
                        "give each feature its own id",
                    ),
                    feature=key,
                    column=col,
                )
            )
    else:
        shown = ", ".join(repr(k) for k in list(dups)[:MAX_LISTED])
        more = ", …" if len(dups) > MAX_LISTED else ""
        problems.append(
            Problem(
                ctx.source,
                problem_text(
                    f"{len(dups)} ids are used more than once",
                    shown + more,
                    "each id once",
                    "give each feature its own id",
                ),
                column=col,
            )
        )
    return problems


def check_filled(ctx: CheckedLayer, columns: Sequence[str]) -> list[Problem]:
    """Empty cells (missing values, blank text) of columns that need a value in every row.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> firms = gpd.GeoDataFrame({"industry": ["auto", " "]}, geometry=[shapely.Point(0, 0)] * 2)
    >>> [str(p) for p in check_filled(CheckedLayer(firms, "firms", None), ["industry"])]
    ["error: firms, feature row 2, column 'industry': missing value: found an empty cell, \
expected a value; fill it in"]
    """
    problems: list[Problem] = []
    for col in columns:
        if col in ctx.gdf.columns:
            raw = ctx.gdf[col].to_numpy(dtype=object)
            problems += ctx.report(
                [i for i, v in enumerate(raw) if is_missing(v)],
                lambda r: problem_text("missing value", "an empty cell", "a value", "fill it in"),
                lambda n, ids: problem_text(
                    f"{n} values are missing", f"empty cells ({ids})", "values", "fill them in"
                ),
                column=col,
            )
    return problems


def check_numbers(
    ctx: CheckedLayer,
    columns: Sequence[str],
    *,
    nonneg: set[str],
    required: set[str],
    ranges: Mapping[str, tuple[float, float]],
) -> list[Problem]:
    """Values of numeric columns that are not numbers, missing (``required``) or out of range.

    ``ranges`` gives a column's inclusive ``(low, high)``; columns in ``nonneg`` without a range
    must be >= 0.
    """
    problems: list[Problem] = []
    for col in columns:
        if col in ctx.gdf.columns:
            low, high = ranges.get(col, (0.0 if col in nonneg else -np.inf, np.inf))
            problems += _check_number_column(ctx, col, required=col in required, low=low, high=high)
    return problems


#: What a numeric cell is expected to hold, in messages.
BOUNDED = f"a number of magnitude at most {format_number(MAX_ABS_VALUE)}"


def bad_number_kind(v: float) -> str:
    """What is wrong with a number beyond `MAX_ABS_VALUE` or infinite, in messages."""
    return "not a finite number" if not np.isfinite(v) else "implausibly large value"


def _check_number_column(
    ctx: CheckedLayer, col: str, *, required: bool, low: float, high: float
) -> list[Problem]:
    raw = ctx.gdf[col].to_numpy(dtype=object)
    empty = np.array([is_missing(v) for v in raw], dtype=bool)
    cleaned = [
        None if e else (v.strip() if isinstance(v, str) else v)
        for v, e in zip(raw, empty, strict=True)
    ]
    numbers = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce").to_numpy(dtype=float)
    bools = np.array([isinstance(v, bool | np.bool_) for v in raw], dtype=bool)
    # Text that is no number, and NaN written as a value, are "not a number".
    bad = rows_where(~empty & (np.isnan(numbers) | bools))
    problems = ctx.report(
        bad,
        lambda r: problem_text("not a number", _value(raw[r]), "a number", "correct the cell"),
        lambda n, ids: problem_text(
            f"{n} values are not numbers",
            f"{_value(raw[bad[0]])} … ({ids})",
            "numbers",
            "correct the cells",
        ),
        column=col,
    )
    # inf and 1e308 are no amounts either: a kernel weight or an area of inf, or a sum of
    # values near the float limit, would poison every total computed from the column.
    huge = rows_where(~empty & ~bools & ~np.isnan(numbers) & ~(np.abs(numbers) <= MAX_ABS_VALUE))
    problems += ctx.report(
        huge,
        lambda r: problem_text(
            bad_number_kind(numbers[r]), format_number(numbers[r]), BOUNDED, "correct the cell"
        ),
        lambda n, ids: problem_text(
            f"{n} values are infinite or implausibly large",
            f"{format_number(numbers[huge[0]])} … ({ids})",
            BOUNDED,
            "correct the cells",
        ),
        column=col,
    )
    if required:
        problems += ctx.report(
            rows_where(empty),
            lambda r: problem_text("missing value", "an empty cell", "a number", "fill it in"),
            lambda n, ids: problem_text(
                f"{n} values are missing", f"empty cells ({ids})", "numbers", "fill them in"
            ),
            column=col,
        )
    if not (np.isfinite(low) or np.isfinite(high)):
        return problems
    ok = np.isfinite(numbers) & ~bools & (np.abs(numbers) <= MAX_ABS_VALUE)  # others reported
    out = rows_where(ok & ((numbers < low) | (numbers > high)))
    if np.isfinite(high):
        what, expected = (
            "value out of range",
            f"a number from {format_number(low)} to {format_number(high)}",
        )
    else:
        what, expected = "negative value", f"a number ≥ {format_number(low)}"
    problems += ctx.report(
        out,
        lambda r: problem_text(what, format_number(numbers[r]), expected, "correct the cell"),
        lambda n, ids: problem_text(
            f"{n} values out of range",
            f"{format_number(numbers[out[0]])} … ({ids})",
            expected,
            "correct the cells",
        ),
        column=col,
    )
    return problems


def check_choices(ctx: CheckedLayer, choices: Mapping[str, tuple[str, ...]]) -> list[Problem]:
    """Values of code columns that are not among the allowed codes (empty cells pass)."""
    problems: list[Problem] = []
    for col, allowed in choices.items():
        if col in ctx.gdf.columns:
            problems += _check_choice_column(ctx, col, allowed)
    return problems


def _check_choice_column(ctx: CheckedLayer, col: str, allowed: tuple[str, ...]) -> list[Problem]:
    raw = ctx.gdf[col].to_numpy(dtype=object)
    bad = [i for i, v in enumerate(raw) if not is_missing(v) and str(v) not in allowed]
    expected = "one of " + ", ".join(allowed)
    return ctx.report(
        bad,
        lambda r: problem_text(
            "unknown code",
            _value(raw[r]),
            expected,
            "use a code of the data model (docs/data_model.md)",
        ),
        lambda n, ids: problem_text(
            f"{n} unknown codes",
            f"{_value(raw[bad[0]])} … ({ids})",
            expected,
            "use codes of the data model (docs/data_model.md)",
        ),
        column=col,
    )


def check_text(ctx: CheckedLayer) -> list[Problem]:
    """Text that looks garbled by a wrong encoding (warnings), in every text column."""
    problems: list[Problem] = []
    gdf = ctx.gdf
    for col in gdf.columns:
        if col != gdf.geometry.name and gdf[col].dtype.kind == "O":
            problems += _check_text_column(ctx, col)
    return problems


def _check_text_column(ctx: CheckedLayer, col: Any) -> list[Problem]:
    raw = ctx.gdf[col].to_numpy(dtype=object)
    bad = [i for i, v in enumerate(raw) if isinstance(v, str) and _encoding.MOJIBAKE.search(v)]
    fix = (
        "the file was written or read in the wrong encoding; read it with the right "
        "encoding= (--encoding) or export it again as UTF-8"
    )
    return ctx.report(
        bad,
        lambda r: problem_text("text looks garbled", _value(raw[r]), "readable text", fix),
        lambda n, ids: problem_text(
            f"{n} texts look garbled", f"{_value(raw[bad[0]])} … ({ids})", "readable text", fix
        ),
        column=str(col),
        severity="warning",
    )
