"""The plan configuration: a TOML file validated into a `layout.model.plan.PlanConfig`.

A plan names its inputs, the analysis grid, the hard-constraint types that exclude cells, and per
industry the criteria weights (direct or AHP) and criterion parameters, then the demand,
allocation and sensitivity options. `load_plan` reads the embedded plan when given no path. The
format is documented in ``docs/config.md``.

Validation runs in three steps, and every problem of a file is reported at once, each with its
key path (`layout.model.table`):

1. ``[plan]`` alone, to find the catalog the rest is checked against;
2. the whole file against `PlanFile` (pydantic models: unknown keys, types, bounds, choices,
   industry codes of the catalog, AHP consistency);
3. each industry's criteria resolved (`layout.config.criteria.criterion_specs`): weights that
   are all zero, transforms whose catalog values make no sense.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pyproj import CRS

from layout import settings
from layout.config.catalog import load_catalog
from layout.config.criteria import criterion_specs
from layout.config.inputs import CrsText, InputsSection, input_specs, resolve_path
from layout.core.weights import AHPResult, ahp_weights
from layout.errors import ConfigError, LayoutError
from layout.io.files import special_file_kind
from layout.model.catalog import Catalog
from layout.model.constraints import DEFAULT_EXCLUDED_TYPES, EXCLUDABLE_TYPES
from layout.model.criteria import CRITERIA, WEIGHT_KEYS, CriteriaTable
from layout.model.efficiency import EfficiencyOptions
from layout.model.options import (
    AllocationOptions,
    DemandOptions,
    EngineKind,
    EngineOptions,
    SensitivityOptions,
    SuitabilityOptions,
)
from layout.model.plan import IndustryConfig, PlanConfig
from layout.model.standard import ZoneSection
from layout.model.table import (
    IndustryCode,
    Number,
    Table,
    codes_context,
    join_problems,
    one_of,
    validate,
)

#: Names of a plan given as Python data without a file nor names (a plan file without names
#: is called by its file name).
DEFAULT_NAME = "产业布局"
DEFAULT_NAME_EN = "Industrial layout"


#: Embedded plans are ``layout/config/<name>_plan.toml``.
EMBEDDED_PLAN_SUFFIX = "_plan.toml"


def embedded_plan_path(name: str = "zhengzhou") -> Path:
    """Path of an embedded plan TOML shipped with the package (the Zhengzhou plan by default)."""
    return Path(str(resources.files("layout.config") / f"{name}{EMBEDDED_PLAN_SUFFIX}"))


def embedded_plan_names() -> tuple[str, ...]:
    """Names of the embedded plans, sorted (``layout plan NAME`` runs one).

    Examples
    --------
    >>> embedded_plan_names()
    ('henan', 'zhengzhou')
    """
    folder = resources.files("layout.config")
    return tuple(sorted(item.name[: -len(EMBEDDED_PLAN_SUFFIX)] for item in folder.iterdir()
                        if item.name.endswith(EMBEDDED_PLAN_SUFFIX)))


def is_bare_name(text: str) -> bool:
    """True for a plan argument that names an embedded plan rather than a file.

    A bare name has no path separator, no ``.toml`` suffix and is no existing file.

    Examples
    --------
    >>> is_bare_name("henan"), is_bare_name("henan.toml"), is_bare_name("plans/henan")
    (True, False, False)
    """
    return not (
        "/" in text or "\\" in text or text.lower().endswith(".toml") or Path(text).exists()
    )


def resolve_plan_name(text: str, *, default_as_none: bool = True) -> Path | None:
    """A plan argument as the plan to load: a file path, or an embedded plan's bare name.

    ``zhengzhou`` is the embedded plan itself (None, as when no plan is given, unless
    ``default_as_none`` is false), so that ``layout plan zhengzhou`` and ``layout plan`` are
    the same run.

    Raises
    ------
    ConfigError
        A bare name that is no embedded plan (the message lists them).

    Examples
    --------
    >>> resolve_plan_name("henan").name, resolve_plan_name("zhengzhou")
    ('henan_plan.toml', None)
    >>> resolve_plan_name("my_plan.toml")
    PosixPath('my_plan.toml')
    >>> resolve_plan_name("hunan")
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: hunan: no such plan file, and no embedded plan of that name; ...
    """
    if not is_bare_name(text):
        return Path(text)
    names = embedded_plan_names()
    if text not in names:
        raise ConfigError(
            f"{text}: no such plan file, and no embedded plan of that name; the embedded plans "
            f"are {', '.join(names)} (or give the path of a plan TOML file)")
    if text == "zhengzhou" and default_as_none:
        return None
    return embedded_plan_path(text)


# --- value types ------------------------------------------------------------------------------


def _projected(value: str) -> str:
    if not CRS.from_user_input(value).is_projected:
        raise PydanticCustomError("crs_geographic", "{msg}", {"msg": (
            f"geographic (degrees); metric work needs a projected CRS such as "
            f"{settings.default_crs}")})
    return value


CriterionName = Annotated[str, one_of("criterion", tuple(CRITERIA))]
WeightKey = Annotated[str, one_of("criterion", WEIGHT_KEYS)]
Weights = dict[WeightKey, Annotated[Number, Field(ge=0)]]
ExcludableType = Annotated[str, one_of("constraint type", EXCLUDABLE_TYPES)]


# --- the tables -------------------------------------------------------------------------------


class PlanSection(Table):
    """``[plan]``: names, CRS, grid resolution, seed and the catalog file."""

    name: str | None = None
    name_en: str | None = None
    crs: Annotated[CrsText, AfterValidator(_projected)] = Field(
        default_factory=lambda: settings.default_crs)
    resolution_m: Annotated[Number, Field(ge=5, le=5000)] = Field(
        default_factory=lambda: settings.grid_resolution)
    seed: Annotated[int, Field(ge=0)] = Field(default_factory=lambda: settings.seed)
    catalog: str | None = None
    engine: EngineKind = "auto"


class ConstraintsSection(Table):
    """``[constraints]``: the constraint types that exclude a cell."""

    exclude: list[ExcludableType] = Field(default_factory=lambda: list(DEFAULT_EXCLUDED_TYPES))


class AhpTable(Table):
    """``[industries.CODE.ahp]``: pairwise judgements (checked for consistency)."""

    labels: Annotated[list[CriterionName], Field(min_length=1)]
    matrix: list[Any]
    _result: AHPResult = PrivateAttr()

    @model_validator(mode="after")
    def _consistent(self) -> AhpTable:
        try:
            self._result = ahp_weights(self.matrix, labels=self.labels, where="matrix")
        except ConfigError as exc:
            raise PydanticCustomError("ahp", "{msg}", {"msg": str(exc)}) from None
        return self

    @property
    def result(self) -> AHPResult:
        """The weights and consistency derived when the table was validated."""
        return self._result


class IndustrySection(Table):
    """``[industries.CODE]``: weights, an AHP matrix, criterion overrides of one industry."""

    weights: Weights = Field(default_factory=dict)
    ahp: AhpTable | None = None
    criteria: CriteriaTable = Field(default_factory=CriteriaTable)  # type: ignore[valid-type]


class PlanFile(Table):
    """A whole plan file, as written."""

    plan: PlanSection = Field(default_factory=PlanSection)
    inputs: InputsSection | None = None
    constraints: ConstraintsSection = Field(default_factory=ConstraintsSection)
    weights: Weights = Field(default_factory=dict)
    criteria: CriteriaTable = Field(default_factory=CriteriaTable)  # type: ignore[valid-type]
    industries: dict[IndustryCode, IndustrySection] = Field(default_factory=dict)
    demand: DemandOptions = Field(default_factory=DemandOptions)
    allocation: AllocationOptions = Field(default_factory=AllocationOptions)
    sensitivity: SensitivityOptions = Field(default_factory=SensitivityOptions)
    efficiency: EfficiencyOptions = Field(default_factory=EfficiencyOptions)
    suitability: SuitabilityOptions = Field(default_factory=SuitabilityOptions)
    engine: EngineOptions = Field(default_factory=EngineOptions)
    zones: dict[str, ZoneSection] = Field(default_factory=dict)


# --- loading ----------------------------------------------------------------------------------


def _catalog(data: Mapping[str, Any], *, label: str, base: Path | None) -> Catalog:
    """The catalog named in ``[plan]`` (the embedded one when it names none, or is bad)."""
    try:
        section: PlanSection = validate(
            PlanSection, data.get("plan", {}), label=label, prefix=["plan"])
    except ConfigError:
        return load_catalog()  # the problems of [plan] are reported with the others
    if not section.catalog:
        return load_catalog()
    path = resolve_path(section.catalog, base)
    if not path.exists():
        raise ConfigError(f"{label}: plan.catalog = {section.catalog!r}: file {path} not found")
    return load_catalog(path)


def _criteria(table: Table) -> dict[str, dict[str, Any]]:
    """The overrides a ``[criteria]`` table sets, by criterion (parameters and transform)."""
    out: dict[str, dict[str, Any]] = {}
    for name in type(table).model_fields:
        crit = getattr(table, name)
        if name in table.model_fields_set and crit is not None:
            out[name] = {k: getattr(crit, k) for k in type(crit).model_fields
                         if k in crit.model_fields_set}
    return out


def parse_plan(data: Mapping[str, Any], *, path: Path | None = None) -> PlanConfig:
    """Validate a plan already parsed from TOML into a `PlanConfig`.

    Raises
    ------
    ConfigError
        Listing every problem, each with its key path (`UnknownIndustryError` when the only
        problems are unknown industry codes, `layout.model.table.validate`).
    """
    label = path.name if path else "embedded plan"
    base = path.parent if path else None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{label}: the plan must be a table")
    catalog = _catalog(data, label=label, base=base)
    context = {**codes_context(catalog.codes), "base": base}
    spec: PlanFile = validate(PlanFile, data, label=label, context=context)
    industries = {
        code: IndustryConfig(
            code,
            dict(table.weights),
            None if table.ahp is None else table.ahp.result,
            _criteria(table.criteria),
        )
        for code, table in spec.industries.items()
    }
    # A plan without names is called by its file name; one name serves both languages.
    config = PlanConfig(
        name=spec.plan.name or spec.plan.name_en or (path.stem if path else DEFAULT_NAME),
        name_en=spec.plan.name_en or spec.plan.name or (path.stem if path else DEFAULT_NAME_EN),
        crs=CRS.from_user_input(spec.plan.crs),
        resolution=float(spec.plan.resolution_m),
        seed=spec.plan.seed,
        inputs=input_specs(spec.inputs, base),
        exclude=tuple(spec.constraints.exclude),
        weights=dict(spec.weights),
        criteria=_criteria(spec.criteria),
        industries=industries,
        path=path,
        catalog=catalog,
        raw=data,
        demand=spec.demand,
        allocation=spec.allocation,
        sensitivity=spec.sensitivity,
        efficiency=spec.efficiency,
        suitability=spec.suitability,
        engine=spec.plan.engine,
        engine_options=spec.engine,
        standards={z: sec.standard for z, sec in spec.zones.items() if sec.standard},
    )
    problems = []
    for code in catalog.codes:  # every industry's weights and transforms, checked at load
        try:
            criterion_specs(config, code)
        except LayoutError as exc:
            text = str(exc)
            problems.append(text[len(label) + 2:] if text.startswith(f"{label}: ") else text)
    if problems:
        raise ConfigError(join_problems(label, list(dict.fromkeys(problems))))
    return config


def load_plan(path: str | Path | None = None) -> PlanConfig:
    """Read and validate a plan TOML file (the embedded Zhengzhou plan when ``path`` is None).

    Examples
    --------
    >>> plan = load_plan()
    >>> plan.crs.to_epsg(), plan.resolution, plan.label
    (4547, 100.0, 'embedded plan')
    """
    if path is None:
        file = embedded_plan_path()
        label_path = None
    else:
        file = Path(path)
        label_path = file
        kind = special_file_kind(file)
        if kind == "missing":
            raise ConfigError(f"{file}: plan file not found")
        if kind:  # a pipe would block the read, a device never end it
            raise ConfigError(f"{file} is a {kind}, not a plan file; give a TOML file")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file.name}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file.name}: not UTF-8 text; save the TOML file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the plan file ({exc.strerror or exc})") from None
    return parse_plan(data, path=label_path)
