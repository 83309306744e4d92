"""The ``[inputs]`` table of a plan: where each layer comes from and how its columns map.

Each input is ``"embedded"``, a path, or a table (`InputTable`: ``path``, ``layer``, ``datum``,
``crs``, ``encoding``).  A vector layer's table may also map the planner's own file onto the
data model (`layout.model.layers.LAYER_SCHEMAS`)::

    [inputs.zones]
    path = "zones/园区.shp"
    columns = { zone_id = "园区编号", name_zh = "园区名称", leading = "主导产业" }
    values.leading = { "电子信息" = "electronics", "汽车及装备制造" = "auto" }

``columns`` maps data-model names (and ``lon``/``lat`` of a table) to the file's columns;
``values`` maps the file's values of a column to data-model values.  Both are checked here
against the layer's schema (a key that is no column of the layer, a target that is no code the
column allows) and applied when the layer is read (`layout.data.mapping`).  The format is in
``docs/config.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from layout import settings
from layout.core.datum import check_datum
from layout.errors import ConfigError, CRSError
from layout.model.catalog import OTHER
from layout.model.landuse import SCHEMAS as LANDUSE_SCHEMAS
from layout.model.layers import COORDINATE_KEYS, INPUT_NAMES, LAYER_SCHEMAS, LIST_SEPARATORS
from layout.model.plan import InputSpec
from layout.model.table import Table, Text, key_path, one_of, suggest, validate

EMBEDDED = "embedded"


def crs_text(value: str) -> str:
    """A CRS pyproj reads (``EPSG:4547``, WKT), as written."""
    try:
        CRS.from_user_input(value)
    except PyprojCRSError:
        raise PydanticCustomError(
            "crs", "not a CRS pyproj knows (use e.g. EPSG:4326, EPSG:4490, EPSG:4549)"
        ) from None
    return value


def _datum(value: str) -> str:
    try:
        return check_datum(value)
    except CRSError as exc:
        raise PydanticCustomError("datum", "{msg}", {"msg": str(exc)}) from None


#: A CRS pyproj reads.
CrsText = Annotated[str, AfterValidator(crs_text)]


def resolve_path(text: str, base: Path | None) -> Path:
    """A path of the plan file: relative paths are read from the plan file's folder."""
    path = Path(text)
    return base / path if base is not None and not path.is_absolute() else path


class InputTable(Table):
    """One input given as a table: its file and how to read it."""

    path: str
    layer: str | None = None
    datum: Annotated[str, AfterValidator(_datum)] = "wgs84"
    crs: CrsText | None = None
    encoding: str | None = None

    @property
    def embedded(self) -> bool:
        """True for the embedded layer of the same name (``"embedded"``)."""
        return self.path == EMBEDDED

    @model_validator(mode="after")
    def _exists(self, info: ValidationInfo) -> InputTable:
        if self.embedded:
            return self
        path = resolve_path(self.path, (info.context or {}).get("base"))
        if not path.exists():
            raise PydanticCustomError("no_file", "{msg}", {"msg": (
                f"file {path} does not exist; fix the path (relative paths are read from the "
                "plan file's folder)")})
        return self


class LayerInput(InputTable):
    """A vector layer's table: `InputTable` and the mapping of its columns and values.

    The keys are checked per layer kind by the subclasses `layer_input` makes.
    """

    columns: dict[str, Text] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)


def _targets_problems(kind: str, values: Mapping[str, Mapping[str, str]],
                      codes: tuple[str, ...] | None) -> list[str]:
    """What is wrong with the targets of ``values`` (codes a column does not allow)."""
    schema = LAYER_SCHEMAS[kind]
    problems = []
    for column, mapping in values.items():
        if column in schema.industry:
            if codes is None:
                continue
            known = (*codes, OTHER) if schema.industry[column] else codes
            what = "industry code"
        elif column in schema.choices:
            known, what = schema.choices[column], f"{column} value"
        else:
            continue
        for given, target in mapping.items():
            items = [target]
            if column in schema.lists:
                items = [t.strip() for t in _split(target)]
            for item in items:
                if item not in known:
                    problems.append(f"{key_path(['values', column, given])} = {target!r}: "
                                    f"unknown {what} {item!r}{suggest(item, known)}")
    return problems


def _split(text: str) -> list[str]:
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [t for t in text.split(LIST_SEPARATORS[0]) if t.strip()]


@cache
def layer_input(kind: str) -> type[LayerInput]:
    """The table of one kind of input layer: `LayerInput` with its column names checked.

    Examples
    --------
    >>> table = layer_input("zones")
    >>> table(path="embedded", columns={"leading": "主导产业"}).columns
    {'leading': '主导产业'}
    >>> validate(table, {"path": "embedded", "columns": {"leadng": "主导产业"}},
    ...          label="plan.toml", prefix=["inputs", "zones"])
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: plan.toml: inputs.zones.columns.leadng: unknown zones column \
'leadng'; did you mean 'leading' or ...? known: zone_id, name_zh, ...
    """
    schema = LAYER_SCHEMAS[kind]
    names = (*schema.columns, *COORDINATE_KEYS)
    text = tuple(c for c in schema.columns if c not in schema.numeric)
    column = Annotated[str, one_of(f"{kind} column", names)]
    text_column = Annotated[str, one_of(f"{kind} text column", text)]

    class KindInput(LayerInput):
        columns: dict[column, Text] = Field(default_factory=dict)
        values: dict[text_column, dict[str, str]] = Field(
            default_factory=dict)

        @model_validator(mode="after")
        def _targets(self, info: ValidationInfo) -> KindInput:
            problems = _targets_problems(kind, self.values, (info.context or {}).get("codes"))
            if problems:
                raise PydanticCustomError("mapping", "{msg}", {"msg": "; ".join(problems)})
            return self

    KindInput.__name__ = KindInput.__qualname__ = f"{kind.title().replace('_', '')}Input"
    return KindInput


class LanduseInput(layer_input("landuse")):  # type: ignore[misc]
    """``[inputs.landuse]``: a land-use layer, the schema of its codes and their columns.

    ``schema`` is required (a code means different things in the two schemas);
    ``code_column`` and ``name_column`` name the file's code and name columns (default
    ``code``/``name``, or DLTB's ``DLBM``/``DLMC``) and are the same as ``columns.code`` and
    ``columns.name``.
    """

    code_schema: Annotated[str, one_of("land-use code schema", LANDUSE_SCHEMAS)] | None = Field(
        default=None, alias="schema")
    code_column: Text | None = None
    name_column: Text | None = None

    @model_validator(mode="after")
    def _one_name(self) -> LanduseInput:
        if self.code_schema is None:
            raise PydanticCustomError("schema", (
                'needs schema = "gbt21010" (三调 DLBM, GB/T 21010-2017) or "ydyh2023" '
                "(用地用海分类 2023): a code means different things in the two"))
        for key, name in (("code_column", "code"), ("name_column", "name")):
            given = getattr(self, key)
            if given is not None and self.columns.get(name, given) != given:
                raise PydanticCustomError("mapping", "{msg}", {"msg": (
                    f"{key} = {given!r} and columns.{name} = {self.columns[name]!r} disagree; "
                    "give one of them")})
        return self

    def mapped_columns(self) -> dict[str, str]:
        """``columns`` with ``code_column`` and ``name_column`` added."""
        out = dict(self.columns)
        if self.code_column is not None:
            out["code"] = self.code_column
        if self.name_column is not None:
            out["name"] = self.name_column
        return out


def _input_form(value: object) -> object:
    """``"embedded"``, a path, or a table with ``path = ...`` (all read as a table)."""
    if isinstance(value, str):
        return {"path": value}
    if not isinstance(value, Mapping):
        raise PydanticCustomError(
            "input", 'expected "embedded", a path, or a table with path = ...')
    return value


def _input(kind: str) -> Any:
    """An input layer: ``"embedded"`` (the embedded layer of that name), a path, or a table."""
    return Annotated[layer_input(kind), BeforeValidator(_input_form)]


class InputsSection(Table):
    """``[inputs]``: the layers of the plan (`INPUT_NAMES`; the first four are required).

    ``dataset`` names the embedded dataset that ``"embedded"`` means: the layers of
    ``gis_data/<dataset>.gpkg`` and the DEM ``gis_data/<dataset>_dem.tif``
    (`layout.settings.EMBEDDED_DATASETS`; ``"zhengzhou"`` by default).
    """

    dataset: Annotated[str, one_of("embedded dataset", settings.EMBEDDED_DATASETS)] = (
        settings.DEFAULT_DATASET)
    boundary: _input("boundary")  # type: ignore[valid-type]
    counties: _input("counties")  # type: ignore[valid-type]
    zones: _input("zones")  # type: ignore[valid-type]
    enterprises: _input("enterprises")  # type: ignore[valid-type]
    constraints: _input("constraints") | None = None  # type: ignore[valid-type]
    transport_lines: _input("transport_lines") | None = None  # type: ignore[valid-type]
    transport_points: _input("transport_points") | None = None  # type: ignore[valid-type]
    urban_areas: _input("urban_areas") | None = None  # type: ignore[valid-type]
    landuse: Annotated[LanduseInput, BeforeValidator(_input_form)] | None = None
    dem: Annotated[InputTable, BeforeValidator(_input_form)] | None = None


def input_specs(section: InputsSection | None, base: Path | None) -> dict[str, InputSpec]:
    """The `InputSpec` of each input a validated ``[inputs]`` names (all embedded without one)."""
    if section is None:  # all embedded; no land use, whose code schema a plan must state
        return {name: InputSpec(name) for name in INPUT_NAMES if name != "landuse"}
    out: dict[str, InputSpec] = {}
    for name in INPUT_NAMES:
        value = getattr(section, name)
        if value is None:
            continue
        schema = value.code_schema if isinstance(value, LanduseInput) else None
        columns = (value.mapped_columns() if isinstance(value, LanduseInput)
                   else getattr(value, "columns", {}))
        values = {k: dict(v) for k, v in getattr(value, "values", {}).items()}
        if value.embedded:
            out[name] = InputSpec(name, columns=dict(columns), values=values, schema=schema,
                                  dataset=section.dataset)
            continue
        out[name] = InputSpec(name, resolve_path(value.path, base), value.layer, value.datum,
                              value.crs, value.encoding, columns=dict(columns),
                              values=values, schema=schema)
    return out


def parse_columns(text: str, *, kind: str, label: str = "--columns") -> dict[str, str]:
    """Parse ``"zone_id=园区编号,leading=主导产业"`` into a checked column mapping.

    Raises
    ------
    ConfigError
        A pair without ``=``, or a name that is no column of ``kind`` (with a did-you-mean).

    Examples
    --------
    >>> parse_columns("zone_id=园区编号, leading=主导产业", kind="zones")
    {'zone_id': '园区编号', 'leading': '主导产业'}
    >>> parse_columns("zoneid=园区编号", kind="zones")
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: --columns: columns.zoneid: unknown zones column 'zoneid'; did \
you mean 'zone_id' or ...? known: zone_id, ...
    """
    if kind not in LAYER_SCHEMAS:
        raise ConfigError(f"{label}: unknown layer kind {kind!r}{suggest(kind, LAYER_SCHEMAS)}")
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, eq, column = part.partition("=")
        if not eq or not name.strip() or not column.strip():
            raise ConfigError(f"{label}: {part!r} is not NAME=COLUMN (e.g. zone_id=园区编号)")
        pairs[name.strip()] = column.strip()
    table: LayerInput = validate(layer_input(kind), {"path": EMBEDDED, "columns": pairs},
                                 label=label)
    return dict(table.columns)
