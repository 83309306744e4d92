"""Validate a vector layer against the data model, collecting every problem at once.

`validate_layer` checks a GeoDataFrame and returns a list of `~layout.errors.Problem`; it never
stops at the first problem.  `validate_file` reads a file first (see `layout.io.vector.read_layer`) and
turns what can be reported (no CRS, a contradicting CRS, no features) into problems as well.
`raise_for_problems` raises `~layout.errors.ValidationError` when any problem is an error.

What is checked:

* the CRS: missing; symptoms of a wrong one -- latitude and longitude swapped (a "latitude"
  beyond ±90 that is a valid longitude, or a feature outside the study area that falls inside it
  once x and y are exchanged), degrees in a projected CRS, metres in a geographic CRS, a
  Gauss-Kruger zone prefix that does not match EPSG:4547/4526;
* geometries: missing or empty, invalid (with the reason from `shapely.is_valid_reason`), of the
  wrong type for the layer kind;
* features outside the study area, more than `STUDY_AREA_TOLERANCE_M` beyond it: a warning,
  not an error, since a province-wide file may rightly hold them (features already reported for
  a CRS symptom or an invalid geometry are not reported again);
* columns: required ones missing (with the closest names found), ids missing or duplicated,
  values that are not numbers, negative or out of range, or not among the allowed codes;
* text that looks garbled by a wrong encoding (a warning).

Each problem names the source (file and layer), the feature (the value of the id column when
there is one, else ``row N`` counting the first feature as row 1), the column, the value found,
what was expected and how to fix it.  When more than `MAX_SINGLE` features share a problem they
are summarised in one problem listing the first `MAX_LISTED` of them.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from layout import settings
from layout.errors import ConfigError, CRSError, LayoutError, Problem, ValidationError
from layout.io import encoding as _encoding
from layout.io import vector as layout_io
from layout.model.layers import LAYER_SCHEMAS

#: Features within this distance of the study area (metres) are not reported as outside it.
STUDY_AREA_TOLERANCE_M = 1000.0
#: Up to this many features with the same problem are reported one by one.
MAX_SINGLE = 5
#: A summary problem lists this many feature ids.
MAX_LISTED = 10



#: A study area: polygons with a CRS, None for the embedded boundary, False for no check.
StudyArea: TypeAlias = "gpd.GeoDataFrame | gpd.GeoSeries | Literal[False] | None"


def validate_layer(
    gdf: gpd.GeoDataFrame,
    *,
    kind: str | None = None,
    source: str = "layer",
    study_area: StudyArea = None,
    id_column: str | None = None,
    required: Iterable[str] | None = None,
    numeric: Iterable[str] | None = None,
    nonnegative: Iterable[str] | None = None,
) -> list[Problem]:
    """Check a layer and return every problem found (an empty list when it is fine).

    Parameters
    ----------
    gdf
        The layer, as read (any CRS, or none).
    kind
        A key of `LAYER_SCHEMAS` (``"enterprises"``, ``"zones"`` …): its required and numeric
        columns, id column, geometry types and codes are checked.
    source
        Name of the data in the problems, e.g. ``"firms.gpkg:enterprises"``.
    study_area
        Polygons of the study area, with a CRS.  None uses the ``boundary`` layer of the embedded
        data when it exists; False skips the check.  Features more than
        `STUDY_AREA_TOLERANCE_M` outside it are reported as warnings.
    id_column
        Column of unique feature ids (default: the kind's).
    required, numeric, nonnegative
        Columns to check in addition to the kind's: present, numeric, numeric and not negative.

    Returns
    -------
    list of Problem
        In the order of the checks; errors and warnings mixed (see ``Problem.severity``).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> firms = gpd.GeoDataFrame(
    ...     {"ent_id": ["E1", "E1"], "employees": [120, "abc"]},
    ...     geometry=[shapely.Point(113.7, 34.7), shapely.Point(34.6, 113.6)], crs="EPSG:4326")
    >>> area = gpd.GeoDataFrame(geometry=[shapely.box(113.5, 34.5, 114, 35)], crs="EPSG:4326")
    >>> for p in validate_layer(firms, source="firms.csv", study_area=area,
    ...                         id_column="ent_id", numeric=["employees"]):
    ...     print(p)
    error: firms.csv, feature E1: latitude and longitude look swapped: found x=34.6, y=113.6, \
expected x (longitude) first; swap the columns (or --lon/--lat) and read the file again
    error: firms.csv, feature E1, column 'ent_id': duplicate id: found 'E1' in rows 1, 2, \
expected each id once; give each feature its own id
    error: firms.csv, feature E1, column 'employees': not a number: found 'abc', expected a \
number; correct the cell
    """
    schema = LAYER_SCHEMAS.get(kind) if kind is not None else None
    if kind is not None and schema is None:
        raise ConfigError(f"unknown layer kind {kind!r}; use one of {', '.join(LAYER_SCHEMAS)}")
    id_col = id_column or (schema.id_column if schema else None)
    req = list(dict.fromkeys([*(schema.required if schema else ()), *(required or ()),
                              *([id_col] if id_col else [])]))
    nonneg = list(dict.fromkeys([*(schema.nonnegative if schema else ()), *(nonnegative or ())]))
    lonlat = list(gdf.attrs.get("lonlat_columns", ()))
    num = list(dict.fromkeys([*(schema.numeric if schema else ()), *(numeric or ()), *nonneg,
                              *lonlat]))
    ctx = _Context(gdf, source, id_col if id_col in gdf.columns else None)
    problems: list[Problem] = []
    if len(gdf) == 0:
        return [Problem(source, f"{source} has no features; check that the right file and "
                                "layer were exported")]
    problems += _check_columns(ctx, req)
    problems += _check_geometries(ctx, schema.geometry if schema else None)
    flagged, crs_problems, skip_area = _check_coordinates(ctx)
    problems += crs_problems
    if study_area is not False and not skip_area and gdf.crs is not None:
        area = _default_study_area() if study_area is None else study_area
        if area is not None:
            problems += _check_study_area(ctx, area, exclude=flagged)
    if ctx.id_col is not None:
        problems += _check_ids(ctx)
    problems += _check_numbers(ctx, num, nonneg=set(nonneg), required=set(req),
                               ranges=schema.ranges if schema else {})
    problems += _check_choices(ctx, schema.choices if schema else {})
    problems += _check_text(ctx)
    return problems


def validate_file(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    kind: str | None = None,
    crs: str | CRS | None = None,
    datum: str = "wgs84",
    encoding: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    study_area: StudyArea | str | os.PathLike[str] = None,
    id_column: str | None = None,
    required: Iterable[str] | None = None,
    numeric: Iterable[str] | None = None,
    nonnegative: Iterable[str] | None = None,
) -> list[Problem]:
    r"""Read a file and validate it; see `layout.io.vector.read_layer` and `validate_layer`.

    A file that reads but has no CRS, a CRS contradicting ``crs``, no features, or a datum that
    cannot be converted is reported as problems rather than raised, so that every other problem
    is reported too.  ``study_area`` may also be the path of a polygon layer (read with
    `layout.io.vector.read_layer`); the other arguments are those of the two functions.

    Returns
    -------
    list of Problem
        Every problem found.

    Raises
    ------
    DataFileError
        When the file cannot be read at all: missing, unknown format, missing layer or lon/lat
        columns, undecodable text (`~layout.errors.EncodingError`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> csv = pathlib.Path(tmp.name) / "firms.csv"
    >>> _ = csv.write_text("ent_id,lon,lat,employees\nE1,113.7,34.7,-5\n", encoding="utf-8")
    >>> [str(p) for p in validate_file(csv, study_area=False, nonnegative=["employees"])]
    ["error: ...firms.csv, feature row 1, column 'employees': negative value: found -5, ..."]
    >>> tmp.cleanup()
    """
    area: StudyArea = (layout_io.read_layer(study_area)
                       if isinstance(study_area, str | os.PathLike) else study_area)
    gdf = layout_io.read_raw(path, layer=layer, crs=crs, datum=datum, encoding=encoding,
                          lon=lon, lat=lat, source_name=None)
    source = str(gdf.attrs.get("source", path))
    problems: list[Problem] = []
    if len(gdf) > 0:
        gdf, crs_problem = layout_io.resolve_crs(gdf, crs)
        if crs_problem and gdf.crs is not None:  # a missing CRS is reported by validate_layer
            problems.append(Problem(source, crs_problem))
        if gdf.crs is not None:
            try:
                gdf = layout_io.apply_datum(gdf, datum)
            except CRSError as exc:
                problems.append(Problem(source, str(exc)))
    return problems + validate_layer(
        gdf, kind=kind, source=source, study_area=area, id_column=id_column,
        required=required, numeric=numeric, nonnegative=nonnegative)


def raise_for_problems(problems: Sequence[Problem]) -> None:
    """Raise `~layout.errors.ValidationError` holding all problems if any is an error.

    Examples
    --------
    >>> raise_for_problems([Problem("a.csv", "odd", severity="warning")])  # warnings pass
    >>> raise_for_problems([Problem("a.csv", "bad")])
    Traceback (most recent call last):
    ...
    layout.errors.ValidationError: a.csv: bad
    """
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)


# --- helpers --------------------------------------------------------------------------------


class _Context:
    """The layer under check with its feature labels."""

    def __init__(self, gdf: gpd.GeoDataFrame, source: str, id_col: str | None):
        self.gdf = gdf
        self.source = source
        self.id_col = id_col
        n = len(gdf)
        rows = [f"row {i + 1}" for i in range(n)]
        if id_col is not None:
            ids = gdf[id_col].to_numpy()
            self.labels = [rows[i] if _is_missing(v) else _id_text(v) for i, v in enumerate(ids)]
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
            return [Problem(self.source, one(r), feature=self.labels[r], column=column,
                            severity=severity) for r in rows]
        return [Problem(self.source, many(len(rows), self.listing(rows)), column=column,
                        severity=severity)]

    def listing(self, rows: Sequence[int]) -> str:
        """``ids: E1, E7, …`` or ``rows: 3, 8, …`` for a summary."""
        shown = [self.labels[r] for r in rows[:MAX_LISTED]]
        more = ", …" if len(rows) > MAX_LISTED else ""
        if all(s.startswith("row ") for s in shown):
            return "rows: " + ", ".join(s[4:] for s in shown) + more
        return "ids: " + ", ".join(shown) + more


def _rows(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def _msg(what: str, found: str, expected: str, fix: str) -> str:
    return f"{what}: found {found}, expected {expected}; {fix}"


def _is_missing(value: Any) -> bool:
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


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return str(v)
    if abs(v) >= 1000:
        return f"{v:.0f}"
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _value(v: Any) -> str:
    text = repr(v) if isinstance(v, str) else _fmt(float(v)) if _is_number(v) else repr(v)
    return text if len(text) <= 40 else text[:39] + "…'"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def _check_columns(ctx: _Context, required: Sequence[str]) -> list[Problem]:
    present = [str(c) for c in ctx.gdf.columns if c != ctx.gdf.geometry.name]
    problems = []
    for col in required:
        if col in ctx.gdf.columns:
            continue
        close = difflib.get_close_matches(col, present, n=1, cutoff=0.6)
        hint = f"; rename {close[0]!r} if it is this column" if close else ""
        problems.append(Problem(ctx.source, _msg(
            "required column missing", f"columns {', '.join(present) or '(none)'}",
            f"a column {col!r}", f"add the column{hint}"), column=col))
    return problems


def _check_geometries(ctx: _Context, allowed: tuple[str, ...] | None) -> list[Problem]:
    geoms = np.asarray(ctx.gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms)
    invalid = _rows(~missing & ~valid)
    reasons = shapely.is_valid_reason(geoms)
    problems = ctx.report(
        _rows(missing),
        lambda r: _msg("no geometry", "an empty or missing geometry", "a location or shape",
                       "give the feature its coordinates or delete it"),
        lambda n, ids: _msg(f"{n} features have no geometry", f"empty or missing geometries "
                            f"({ids})", "a location or shape for each",
                            "give them coordinates or delete them"))
    problems += ctx.report(
        invalid,
        lambda r: _msg("invalid geometry", reasons[r], "a valid geometry",
                       "repair it (QGIS 'Fix geometries' or shapely.make_valid)"),
        lambda n, ids: _msg(f"{n} features have invalid geometries", f"{ids}; first: "
                            f"{reasons[invalid[0]]}", "valid geometries",
                            "repair them (QGIS 'Fix geometries' or shapely.make_valid)"))
    if allowed:
        types = shapely.get_type_id(geoms)
        names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                          "MultiLineString", "MultiPolygon", "GeometryCollection"])
        found = np.where(types >= 0, names[np.clip(types, 0, 7)], "")
        wrong = _rows(~missing & ~np.isin(found, allowed))
        expected = " or ".join(allowed)
        problems += ctx.report(
            wrong,
            lambda r: _msg("wrong geometry type", str(found[r]), expected,
                           f"check the layer kind (--kind), or convert the feature to {expected}"),
            lambda n, ids: _msg(f"{n} features have the wrong geometry type",
                                f"{found[wrong[0]]} ({ids})", expected,
                                f"check the layer kind (--kind), or convert them to {expected}"))
    return problems


def _crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _metre_hint(x: float) -> str:
    if 3.8e7 <= abs(x) < 3.9e7:
        return "EPSG:4526 (CGCS2000 Gauss-Kruger CM 114E with the zone prefix 38)"
    return "EPSG:4547 (CGCS2000 Gauss-Kruger CM 114E, x about 300000–700000)"


def _check_coordinates(ctx: _Context) -> tuple[set[int], list[Problem], bool]:
    """Look for symptoms of a wrong CRS.

    Returns the rows already reported (skipped by the study-area check), the problems, and
    whether the whole layer is in doubt (then the study-area check is skipped).
    """
    gdf = ctx.gdf
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bounds = shapely.bounds(geoms)  # NaN for missing geometries
    x0, y0, x1, y1 = bounds.T
    rows = np.flatnonzero(usable)
    if len(rows) == 0:
        return set(), [], True
    ax = np.maximum(np.abs(x0), np.abs(x1))
    ay = np.maximum(np.abs(y0), np.abs(y1))
    degree_like = (ax <= 180) & (ay <= 90)
    where = lambda r: f"x={_fmt(x0[r])}, y={_fmt(y0[r])}"  # noqa: E731

    if gdf.crs is None:
        sample = int(rows[0])
        guess = ("EPSG:4326 (lon/lat degrees)" if degree_like[rows].all()
                 else _metre_hint(x0[sample]))
        hint = gdf.attrs.get("crs_hint")
        return set(), [Problem(ctx.source, hint or _msg(
            "no CRS", f"no CRS (a Shapefile without .prj?) and coordinates such as "
            f"{where(sample)}", "a CRS", f"pass crs= (--crs) if you know it; the values look "
            f"like {guess}"))], True

    crs = CRS.from_user_input(gdf.crs)
    label = _crs_label(crs)
    problems: list[Problem] = []
    if crs.is_geographic:
        swapped = usable & (ay > 90) & (ay <= 180) & (ax <= 90)
        metres = usable & ~swapped & ((ax > 180) | (ay > 90))
        s_rows = _rows(swapped)
        m_rows = _rows(metres)
        fix = "swap the columns (or --lon/--lat) and read the file again"
        problems += ctx.report(
            s_rows,
            lambda r: _msg("latitude and longitude look swapped", where(r),
                           "x (longitude) first", fix),
            lambda n, ids: _msg(f"{n} features have latitude and longitude swapped",
                                f"{where(s_rows[0])} ({ids})", "x (longitude) first", fix))
        def fix_m(x: float) -> str:
            return f"the CRS is wrong: if these are metres of {_metre_hint(x)}, set that CRS"

        problems += ctx.report(
            m_rows,
            lambda r: _msg(f"coordinates look like metres, but the CRS is {label} (degrees)",
                           where(r), "longitude/latitude degrees", fix_m(x0[r])),
            lambda n, ids: _msg(f"{n} features have coordinates in metres, but the CRS is "
                                f"{label} (degrees)", f"{where(m_rows[0])} ({ids})",
                                "longitude/latitude degrees", fix_m(x0[m_rows[0]])))
        return set(s_rows) | set(m_rows), problems, len(m_rows) == len(rows)

    deg_rows = _rows(usable & degree_like)
    fix_d = ("the CRS is wrong: set EPSG:4326 (or EPSG:4490) as the file's CRS instead of "
             f"{label}; do not reproject")
    problems += ctx.report(
        deg_rows,
        lambda r: _msg(f"coordinates look like degrees, but the CRS is {label} (metres)",
                       where(r), "metres", fix_d),
        lambda n, ids: _msg(f"{n} features have coordinates in degrees, but the CRS is {label} "
                            "(metres)", f"{where(deg_rows[0])} ({ids})", "metres", fix_d))
    epsg = crs.to_epsg()
    zone_rows: list[int] = []
    if epsg in (4547, 4526):  # the Zhengzhou Gauss-Kruger zone without / with its prefix 38
        prefixed = usable & ~degree_like & (ax >= 1e7)
        bare = usable & ~degree_like & (ax < 1e7)
        zone_rows = _rows(prefixed if epsg == 4547 else bare)
        other = "EPSG:4526" if epsg == 4547 else "EPSG:4547"
        why = "has the zone prefix 38" if epsg == 4547 else "lacks the zone prefix 38"
        fix_z = f"x {why}: set {other} as the file's CRS instead of {label}"
        problems += ctx.report(
            zone_rows,
            lambda r: _msg("easting does not match the CRS", where(r), f"eastings of {label}",
                           fix_z),
            lambda n, ids: _msg(f"{n} features have eastings that do not match the CRS",
                                f"{where(zone_rows[0])} ({ids})", f"eastings of {label}",
                                fix_z))
    flagged = set(deg_rows) | set(zone_rows)
    return flagged, problems, len(flagged) == len(rows)


def _default_study_area() -> gpd.GeoDataFrame | None:
    """The embedded boundary, or None when the embedded data is not there (yet)."""
    path = settings.embedded_gpkg()
    try:
        if not path.exists() or "boundary" not in pyogrio.list_layers(path)[:, 0]:
            return None
        return layout_io.read_layer(path, layer="boundary")
    except (LayoutError, pyogrio.errors.DataSourceError):
        return None


def _check_study_area(
    ctx: _Context, area: gpd.GeoDataFrame | gpd.GeoSeries, *, exclude: set[int]
) -> list[Problem]:
    if area.crs is None:
        raise CRSError("the study area has no CRS; set one (e.g. area.set_crs('EPSG:4326'))")
    if len(area) == 0:
        return []
    metric = settings.default_crs
    region = area.to_crs(metric).union_all().buffer(STUDY_AREA_TOLERANCE_M)
    geoms = ctx.gdf.geometry
    arr = np.asarray(geoms.values, dtype=object)
    usable = ~(shapely.is_missing(arr) | shapely.is_empty(arr)) & shapely.is_valid(arr)
    rows = [r for r in _rows(usable) if r not in exclude]  # invalid ones are reported already
    if not rows:
        return []
    inside = shapely.intersects(_to(arr[rows], ctx.gdf.crs, metric), region)
    outside = [rows[i] for i in np.flatnonzero(~inside)]
    bounds = shapely.bounds(arr)
    swapped: list[int] = []
    if outside and CRS.from_user_input(ctx.gdf.crs).is_geographic:
        # Outside as given but inside with x and y exchanged: swapped columns, not a stray point.
        flipped = shapely.transform(arr[outside], lambda xy: xy[:, ::-1])
        hit = shapely.intersects(_to(flipped, ctx.gdf.crs, metric), region)
        swapped = [outside[i] for i in np.flatnonzero(hit)]
        outside = [r for r in outside if r not in set(swapped)]
    fix_s = "swap the columns (or --lon/--lat) and read the file again"
    problems = ctx.report(
        swapped,
        lambda r: _msg("latitude and longitude look swapped (swapped, the feature lies in the "
                       "study area)", f"x={_fmt(bounds[r, 0])}, y={_fmt(bounds[r, 1])}",
                       "x (longitude) first", fix_s),
        lambda n, ids: _msg(f"{n} features have latitude and longitude swapped", ids,
                            "x (longitude) first", fix_s))
    km = STUDY_AREA_TOLERANCE_M / 1000
    fix = "check its coordinates (CRS, datum, typing), or drop it if it belongs elsewhere"
    return problems + ctx.report(
        outside,
        lambda r: _msg(f"outside the study area (by more than {km:g} km)",
                       f"x={_fmt(bounds[r, 0])}, y={_fmt(bounds[r, 1])}",
                       "a feature inside the study area", fix),
        lambda n, ids: f"{n} features outside the study area ({ids}); check their "
                       "coordinates (CRS, datum, typing), or drop those that belong elsewhere",
        severity="warning")


def _to(geoms: np.ndarray, crs: Any, target: str) -> np.ndarray:
    """Reproject an array of geometries (coordinates that cannot be projected become inf)."""
    return np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(target).values, dtype=object)


def _check_ids(ctx: _Context) -> list[Problem]:
    col = ctx.id_col
    assert col is not None
    values = ctx.gdf[col].to_numpy()
    missing = [i for i, v in enumerate(values) if _is_missing(v)]
    problems = ctx.report(
        missing,
        lambda r: _msg("missing id", "an empty cell", "a unique id", "give the feature an id"),
        lambda n, ids: _msg(f"{n} features have no id", ids, "a unique id for each",
                            "give each feature an id"),
        column=col)
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        if not _is_missing(v):
            groups.setdefault(_id_text(v), []).append(i)
    dups = {k: rows for k, rows in groups.items() if len(rows) > 1}
    if len(dups) <= MAX_SINGLE:
        for key, rows in dups.items():
            problems.append(Problem(ctx.source, _msg(
                "duplicate id", f"{key!r} in rows {', '.join(str(r + 1) for r in rows)}",
                "each id once", "give each feature its own id"), feature=key, column=col))
    else:
        shown = ", ".join(repr(k) for k in list(dups)[:MAX_LISTED])
        more = ", …" if len(dups) > MAX_LISTED else ""
        problems.append(Problem(ctx.source, _msg(
            f"{len(dups)} ids are used more than once", shown + more, "each id once",
            "give each feature its own id"), column=col))
    return problems


def _check_numbers(
    ctx: _Context,
    columns: Sequence[str],
    *,
    nonneg: set[str],
    required: set[str],
    ranges: Mapping[str, tuple[float, float]],
) -> list[Problem]:
    problems: list[Problem] = []
    for col in columns:
        if col in ctx.gdf.columns:
            low, high = ranges.get(col, (0.0 if col in nonneg else -np.inf, np.inf))
            problems += _check_number_column(ctx, col, required=col in required,
                                             low=low, high=high)
    return problems


def _check_number_column(
    ctx: _Context, col: str, *, required: bool, low: float, high: float
) -> list[Problem]:
    raw = ctx.gdf[col].to_numpy(dtype=object)
    empty = np.array([_is_missing(v) for v in raw], dtype=bool)
    cleaned = [None if e else (v.strip() if isinstance(v, str) else v)
               for v, e in zip(raw, empty, strict=True)]
    numbers = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce").to_numpy(
        dtype=float)
    bools = np.array([isinstance(v, bool | np.bool_) for v in raw], dtype=bool)
    bad = _rows(~empty & (np.isnan(numbers) | bools))
    problems = ctx.report(
        bad,
        lambda r: _msg("not a number", _value(raw[r]), "a number", "correct the cell"),
        lambda n, ids: _msg(f"{n} values are not numbers", f"{_value(raw[bad[0]])} … ({ids})",
                            "numbers", "correct the cells"),
        column=col)
    if required:
        problems += ctx.report(
            _rows(empty),
            lambda r: _msg("missing value", "an empty cell", "a number", "fill it in"),
            lambda n, ids: _msg(f"{n} values are missing", f"empty cells ({ids})", "numbers",
                                "fill them in"),
            column=col)
    if not (np.isfinite(low) or np.isfinite(high)):
        return problems
    ok = ~np.isnan(numbers) & ~bools
    out = _rows(ok & ((numbers < low) | (numbers > high)))
    if np.isfinite(high):
        what, expected = "value out of range", f"a number from {_fmt(low)} to {_fmt(high)}"
    else:
        what, expected = "negative value", f"a number ≥ {_fmt(low)}"
    problems += ctx.report(
        out,
        lambda r: _msg(what, _fmt(numbers[r]), expected, "correct the cell"),
        lambda n, ids: _msg(f"{n} values out of range", f"{_fmt(numbers[out[0]])} … ({ids})",
                            expected, "correct the cells"),
        column=col)
    return problems


def _check_choices(ctx: _Context, choices: Mapping[str, tuple[str, ...]]) -> list[Problem]:
    problems: list[Problem] = []
    for col, allowed in choices.items():
        if col in ctx.gdf.columns:
            problems += _check_choice_column(ctx, col, allowed)
    return problems


def _check_choice_column(ctx: _Context, col: str, allowed: tuple[str, ...]) -> list[Problem]:
    raw = ctx.gdf[col].to_numpy(dtype=object)
    bad = [i for i, v in enumerate(raw) if not _is_missing(v) and str(v) not in allowed]
    expected = "one of " + ", ".join(allowed)
    return ctx.report(
        bad,
        lambda r: _msg("unknown code", _value(raw[r]), expected,
                       "use a code of the data model (docs/data_model.md)"),
        lambda n, ids: _msg(f"{n} unknown codes", f"{_value(raw[bad[0]])} … ({ids})", expected,
                            "use codes of the data model (docs/data_model.md)"),
        column=col)


def _check_text(ctx: _Context) -> list[Problem]:
    problems: list[Problem] = []
    gdf = ctx.gdf
    for col in gdf.columns:
        if col != gdf.geometry.name and gdf[col].dtype.kind == "O":
            problems += _check_text_column(ctx, col)
    return problems


def _check_text_column(ctx: _Context, col: Any) -> list[Problem]:
    raw = ctx.gdf[col].to_numpy(dtype=object)
    bad = [i for i, v in enumerate(raw) if isinstance(v, str) and _encoding.MOJIBAKE.search(v)]
    fix = ("the file was written or read in the wrong encoding; read it with the right "
           "encoding= (--encoding) or export it again as UTF-8")
    return ctx.report(
        bad,
        lambda r: _msg("text looks garbled", _value(raw[r]), "readable text", fix),
        lambda n, ids: _msg(f"{n} texts look garbled", f"{_value(raw[bad[0]])} … ({ids})",
                            "readable text", fix),
        column=str(col), severity="warning")
