"""Validate a vector layer against the data model, collecting every problem at once.

`validate_layer` checks a GeoDataFrame and returns a list of `~layout.errors.Problem`; it never
stops at the first problem.  `validate_file` reads a file first (see
`layout.io.vector.read_layer`) and turns what can be reported (no CRS, a contradicting CRS, no
features) into problems as well.  `raise_for_problems` raises `~layout.errors.ValidationError`
when any problem is an error.  The individual checks are in `layout.data.checks` (columns,
geometries, ids, numbers, codes, text) and `layout.data.coordinates` (CRS symptoms, study area).

What is checked:

* the CRS: missing; symptoms of a wrong one -- latitude and longitude swapped (a "latitude"
  beyond ±90 that is a valid longitude, or a feature outside the study area that falls inside it
  once x and y are exchanged), degrees in a projected CRS, metres in a geographic CRS, a
  Gauss-Kruger zone prefix that does not match the CRS (any CGCS2000 zone);
* geometries: missing or empty, invalid (with the reason from `shapely.is_valid_reason`), of the
  wrong type for the layer kind;
* features outside the study area, more than `STUDY_AREA_TOLERANCE_M` beyond it: one warning
  for all of them, not an error, since a province-wide file may rightly hold them (features
  already reported for a CRS symptom or an invalid geometry are not reported again) -- but an
  error when every feature lies outside, the sign of a wrong CRS or datum or of another place;
* columns: required ones missing (with the closest names found), ids missing or duplicated,
  values that are not numbers, negative or out of range, or not among the allowed codes;
* numbers: in a numeric column of the layer kind, an infinite value or one of magnitude above
  `~layout.model.layers.MAX_ABS_VALUE` (1e15) is an error; in any other column of numbers
  (not the id column) it is a warning;
* text that looks garbled by a wrong encoding (a warning).

Each problem names the source (file and layer), the feature (the value of the id column when
there is one, else ``row N`` counting the first feature as row 1), the column, the value found,
what was expected and how to fix it.  When more than `MAX_SINGLE` features share a problem they
are summarised in one problem listing the first `MAX_LISTED` of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, TypeAlias

import geopandas as gpd
from pyproj import CRS

from layout.data.checks import (
    MAX_LISTED,
    MAX_SINGLE,
    CheckedLayer,
    check_choices,
    check_columns,
    check_geometries,
    check_ids,
    check_numbers,
    check_text,
)
from layout.data.coordinates import (
    STUDY_AREA_TOLERANCE_M,
    centre_lon,
    check_coordinates,
    check_study_area,
)
from layout.data.interchanges import check_interchanges
from layout.data.landuse import classify_landuse
from layout.data.mapping import map_layer
from layout.data.numbers import check_other_numbers
from layout.errors import ConfigError, CRSError, Problem, ValidationError
from layout.io import vector as layout_io
from layout.io.crs import to_metric
from layout.model.catalog import Catalog
from layout.model.layers import LAYER_SCHEMAS
from layout.model.plan import PlanConfig

__all__ = [
    "MAX_LISTED",
    "MAX_SINGLE",
    "STUDY_AREA_TOLERANCE_M",
    "StudyArea",
    "raise_for_problems",
    "validate_file",
    "validate_layer",
]

#: A study area: polygons with a CRS; None or False for no check.
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
        Polygons of the study area, with a CRS; None or False: no study area, the check is
        skipped (a plan's inputs are checked against its boundary by `load_inputs`).
        Features more than `STUDY_AREA_TOLERANCE_M` outside it are reported as one warning
        (an error when all are).
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
    if schema is not None:  # aliases are accepted as they are, mapped or not
        named = {a: n for n, a in schema.aliases.items()
                 if n not in gdf.columns and a in gdf.columns}
        if named:
            attrs = dict(gdf.attrs)
            gdf = gdf.rename(columns=named)
            gdf.attrs = attrs
    id_col = id_column or (schema.id_column if schema else None)
    req = list(dict.fromkeys([*(schema.required if schema else ()), *(required or ()),
                              *([id_col] if id_col else [])]))
    nonneg = list(dict.fromkeys([*(schema.nonnegative if schema else ()), *(nonnegative or ())]))
    lonlat = list(gdf.attrs.get("lonlat_columns", ()))
    num = list(dict.fromkeys([*(schema.numeric if schema else ()), *(numeric or ()), *nonneg,
                              *lonlat]))
    ctx = CheckedLayer(gdf, source, id_col if id_col in gdf.columns else None)
    problems: list[Problem] = []
    if len(gdf) == 0:
        return [Problem(source, f"{source} has no features; check that the right file and "
                                "layer were exported")]
    problems += check_columns(ctx, req)
    problems += check_geometries(ctx, schema.geometry if schema else None)
    area = study_area if study_area is not None and study_area is not False else None
    near = centre_lon(area) if area is not None else None
    flagged, crs_problems, skip_area = check_coordinates(ctx, near=near)
    problems += crs_problems
    if area is not None and not skip_area and gdf.crs is not None:
        problems += check_study_area(ctx, area, exclude=flagged)
    if ctx.id_col is not None:
        problems += check_ids(ctx)
    problems += check_numbers(ctx, num, nonneg=set(nonneg), required=set(req),
                               ranges=schema.ranges if schema else {})
    problems += check_other_numbers(ctx, num)
    problems += check_choices(ctx, schema.choices if schema else {})
    problems += check_text(ctx)
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
    study_area_layer: str | None = None,
    id_column: str | None = None,
    required: Iterable[str] | None = None,
    numeric: Iterable[str] | None = None,
    nonnegative: Iterable[str] | None = None,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    catalog: Catalog | None = None,
    origin: str | None = None,
    schema: str | None = None,
) -> list[Problem]:
    r"""Read a file and validate it; see `layout.io.vector.read_layer` and `validate_layer`.

    A file that reads but has no CRS, a CRS contradicting ``crs``, no features, or a datum that
    cannot be converted is reported as problems rather than raised, so that every other problem
    is reported too.  ``study_area`` may also be the path of a polygon layer (read with
    `layout.io.vector.read_layer`, its layer ``study_area_layer`` in a multi-layer GeoPackage);
    the other arguments are those of the two functions.

    With a ``kind``, the file is first mapped onto the data model (`layout.data.mapping`):
    ``columns`` (data-model name -> the file's column, ``lon``/``lat`` of a table included) and
    ``values`` as in a plan's ``[inputs]``, Shapefile aliases, and industry names or divisions
    through ``catalog`` (the built-in catalog by default).  ``origin`` says where the mapping
    was written, for messages.  A land-use layer (``kind="landuse"``) needs the ``schema``
    of its codes: they are normalised and looked up in it (`layout.data.landuse`), and
    unknown codes and code/name disagreements are reported.

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
    area: StudyArea = (layout_io.read_layer(study_area, layer=study_area_layer)
                       if isinstance(study_area, str | os.PathLike) else study_area)
    columns = dict(columns or {})
    gdf = layout_io.read_raw(path, layer=layer, crs=crs, datum=datum, encoding=encoding,
                             lon=lon or columns.get("lon"), lat=lat or columns.get("lat"),
                             source_name=None)
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
    if kind in LAYER_SCHEMAS:
        if catalog is None:
            from layout.config.catalog import load_catalog

            catalog = load_catalog()
        gdf, mapped = map_layer(gdf, kind=kind, columns=columns, values=values, catalog=catalog,
                                origin=origin)
        problems += mapped
    if kind == "landuse":
        if schema is None:
            raise ConfigError("a land-use layer needs the schema of its codes: --schema "
                              "gbt21010 (三调 DLBM) or --schema ydyh2023 (用地用海分类 2023)")
        gdf, classified = classify_landuse(gdf, schema=schema, source=source)
        problems += classified
    problems += validate_layer(
        gdf, kind=kind, source=source, study_area=area, id_column=id_column,
        required=required, numeric=numeric, nonnegative=nonnegative)
    if kind == "transport_points" and gdf.crs is not None:
        problems += _interchange_gaps(path, gdf, source=source)
    return problems


def _interchange_gaps(path: str | os.PathLike[str], points: gpd.GeoDataFrame, *,
                      source: str) -> list[Problem]:
    """Interchanges far from their roads, when the same GeoPackage holds ``transport_lines``."""
    if not str(path).lower().endswith(".gpkg"):
        return []
    if "transport_lines" not in layout_io.list_layers(path):
        return []
    lines = layout_io.read_layer(path, layer="transport_lines")
    if lines.crs is None or "kind" not in lines.columns:
        return []
    return check_interchanges(to_metric(points), to_metric(lines), source=source)


def plan_study_area(plan: PlanConfig) -> gpd.GeoDataFrame:
    """The boundary a plan names (``[inputs.boundary]``, else the embedded one) as read.

    Examples
    --------
    >>> from layout.config.plan import load_plan
    >>> plan_study_area(load_plan()).attrs["source"]
    'zhengzhou.gpkg:boundary'
    """
    spec = plan.inputs["boundary"]
    if spec.embedded or spec.path is None:
        from layout.io import embedded

        return embedded.load("boundary", dataset=spec.dataset)
    return layout_io.read_layer(spec.path, layer=spec.layer, crs=spec.crs, datum=spec.datum,
                                encoding=spec.encoding)


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
