"""``layout validate``: check a data file against the data model and list every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from layout.cli.options import EXIT_BAD_INPUT, crs_option, datum_option, plan_file
from layout.cli.terminal import printable
from layout.errors import LayoutError
from layout.model.landuse import SCHEMAS as LANDUSE_SCHEMAS
from layout.model.layers import LAYER_SCHEMAS

#: Exit status when the file was read and has at least one error.
EXIT_PROBLEMS = 1


@click.command("validate")
@click.argument("path", metavar="PATH")
@click.option("--layer", default=None, help="Layer of a GeoPackage or zip, sheet of an Excel file.")
@click.option("--kind", type=click.Choice(list(LAYER_SCHEMAS)), default=None,
              help="Layer kind of the data model: checks its required and numeric columns.")
@crs_option
@datum_option
@click.option("--id-column", default=None, help="Column of unique feature ids.")
@click.option("--encoding", default=None,
              help="Text encoding of a Shapefile or CSV (default: detected, UTF-8 or GBK).")
@click.option("--lon", default=None, help="Longitude (x) column of a CSV or Excel table.")
@click.option("--lat", default=None, help="Latitude (y) column of a CSV or Excel table.")
@click.option("--study-area", "study_area", default=None, metavar="PATH",
              help="Polygons of the study area: features outside it are reported [default: "
                   "the boundary of --plan, else no study area].")
@click.option("--study-area-layer", "study_area_layer", default=None, metavar="NAME",
              help="Layer of --study-area in a GeoPackage of several layers.")
@click.option("--no-study-area", is_flag=True,
              help="Do not check features against a study area (not even the plan's).")
@click.option("--columns", "columns", default=None, metavar="NAME=COLUMN,...",
              help="The file's columns of data-model names (with --kind), e.g. "
                   "'zone_id=园区编号,leading=主导产业'; lon=/lat= name a table's coordinates.")
@click.option("--plan", "plan_path", default=None, metavar="PLAN.toml", callback=plan_file,
              help="Check against this plan's boundary, and (with --kind) map columns and values "
                   "as its [inputs.KIND] does, through its catalog; --columns adds to or "
                   "replaces its columns. A bare name (henan, zhengzhou) is an embedded plan.")
@click.option("--schema", "schema", type=click.Choice(list(LANDUSE_SCHEMAS)), default=None,
              help="Code schema of a land-use layer (--kind landuse): gbt21010 (三调 DLBM, "
                   "GB/T 21010-2017) or ydyh2023 (用地用海分类 2023).")
@click.pass_context
def validate(
    ctx: click.Context,
    path: str,
    layer: str | None,
    kind: str | None,
    crs: str | None,
    datum: str,
    id_column: str | None,
    encoding: str | None,
    lon: str | None,
    lat: str | None,
    study_area: str | None,
    study_area_layer: str | None,
    no_study_area: bool,
    columns: str | None,
    plan_path: Path | None,
    schema: str | None,
) -> None:
    """Check PATH (GeoPackage, GeoJSON, Shapefile, CSV, Excel) and list every problem found.

    With --kind, the file's own column names and values are mapped onto the data model first:
    --columns names them, --plan uses the mapping of a plan's [inputs.KIND] (and its catalog
    for industry names); Shapefile aliases (built_shr, constr_id, ...) are always accepted.
    Features are checked against a study area only when one is given: --study-area, or the
    boundary of --plan.

    Exit status: 0 when there is no error (warnings allowed), 1 when errors were found, 2 when
    the file, the mapping or the plan cannot be read.
    """
    from layout.data.validate import validate_file

    if study_area_layer is not None and study_area is None:
        raise click.UsageError("--study-area-layer needs --study-area (the file it is a layer of)")
    try:
        mapping = _mapping(kind, columns, plan_path)
        if schema is not None or kind == "landuse":
            mapping["schema"] = schema or mapping.pop("schema", None)
        area = _study_area(study_area, plan_path, no_study_area)
        problems = validate_file(
            path, layer=layer, kind=kind, crs=crs, datum=datum, encoding=encoding, lon=lon,
            lat=lat, id_column=id_column, study_area=area,
            study_area_layer=study_area_layer, **mapping)
    except LayoutError as exc:
        click.echo(printable(f"error: {exc}"), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    ordered = [p for p in problems if p.severity == "error"]
    ordered += [p for p in problems if p.severity != "error"]
    for number, problem in enumerate(ordered, start=1):
        click.echo(printable(f"{number:>3}. {problem}"))
    n_errors = sum(p.severity == "error" for p in problems)
    n_warnings = len(problems) - n_errors
    label = problems[0].source if problems else (f"{path}:{layer}" if layer else path)
    if not problems:
        click.echo(f"{label}: no problems found")
    else:
        click.echo(f"{label}: {_count(n_errors, 'error')}, {_count(n_warnings, 'warning')}")
    if n_errors:
        ctx.exit(EXIT_PROBLEMS)


def _mapping(kind: str | None, columns: str | None, plan_path: Path | None) -> dict[str, Any]:
    """The ``columns``, ``values``, ``catalog`` and ``origin`` arguments of `validate_file`."""
    from layout.config.inputs import parse_columns

    if columns and kind is None:
        raise click.UsageError("--columns needs --kind (the data model to map onto)")
    if kind is None:
        return {}
    out: dict[str, Any] = {"columns": {}, "values": {}, "origin": None}
    if plan_path is not None:
        from layout.config.plan import load_plan

        plan = load_plan(plan_path)
        spec = plan.inputs.get(kind)
        if spec is not None:
            out.update(columns=dict(spec.columns), values=dict(spec.values))
            if spec.schema is not None:
                out["schema"] = spec.schema
        out.update(catalog=plan.catalog, origin=f"inputs.{kind} in {plan.label}")
    if columns:
        out["columns"] = {**out["columns"], **parse_columns(columns, kind=kind)}
        out["origin"] = "--columns" if plan_path is None else f"{out['origin']} and --columns"
    return out


def _study_area(path: str | None, plan_path: Path | None, none: bool) -> Any:
    """The study area to check against: --study-area, else the plan's boundary, else none."""
    if none:
        return False
    if path is not None or plan_path is None:
        return path
    from layout.config.plan import load_plan
    from layout.data.validate import plan_study_area
    from layout.errors import DataFileError

    try:
        return plan_study_area(load_plan(plan_path))
    except DataFileError as exc:
        raise DataFileError(
            f"{exc}; or check against another study area (--study-area PATH) or none "
            "(--no-study-area)"
        ) from None


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
