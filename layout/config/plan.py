"""The plan configuration: a TOML file validated into typed, immutable objects.

A plan names its inputs, the analysis grid, the hard-constraint types that exclude cells, and per
industry the criteria weights (direct or AHP) and criterion parameters. `load_plan` reads the
embedded plan when given no path. Every error names the file and the key, so a planner can fix
the TOML without reading code. The format is documented in ``docs/config.md``.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from layout import settings
from layout.config.criteria import criterion_specs
from layout.core.datum import check_datum
from layout.core.weights import AHPResult, ahp_weights
from layout.errors import ConfigError, CRSError, UnknownIndustryError
from layout.model.catalog import PRIORITY_CODES, load_catalog
from layout.model.constraints import EXCLUDABLE_TYPES
from layout.model.criteria import CRITERIA, WEIGHT_KEYS, check_params
from layout.model.layers import INPUT_NAMES
from layout.model.options import check_demand, check_options, check_sensitivity
from layout.model.plan import IndustryConfig, InputSpec, PlanConfig

_TOP_KEYS = {
    "plan", "inputs", "constraints", "weights", "criteria", "industries", "demand", "allocation",
    "sensitivity",
}
_PLAN_KEYS = {"name", "name_en", "crs", "resolution_m", "seed", "catalog"}
_INPUT_KEYS = {"path", "layer", "datum", "crs", "encoding"}
_INDUSTRY_KEYS = {"weights", "ahp", "criteria"}


def _suggest(word: str, known: list[str] | tuple[str, ...] | set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ";"
    return f"{hint} known: {', '.join(sorted(known))}"


def _check_keys(table: Mapping[str, Any], known: set[str], *, where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}{_suggest(key, known)}")


def embedded_plan_path() -> Path:
    """Path of the embedded plan TOML shipped with the package."""
    return Path(str(resources.files("layout.config") / "zhengzhou_plan.toml"))


def _parse_input(name: str, value: Any, *, base: Path | None, where: str) -> InputSpec:
    if value == "embedded":
        return InputSpec(name)
    if isinstance(value, str):
        value = {"path": value}
    if not isinstance(value, Mapping):
        raise ConfigError(f'{where}: expected "embedded", a path, or a table with path = ...')
    _check_keys(value, _INPUT_KEYS, where=where)
    if "path" not in value:
        raise ConfigError(f"{where}: missing key 'path'")
    path = Path(str(value["path"]))
    if base is not None and not path.is_absolute():
        path = base / path
    if not path.exists():
        raise ConfigError(
            f"{where}: file {path} does not exist; fix the path (relative paths "
            "are read from the plan file's folder)"
        )
    datum = str(value.get("datum", "wgs84"))
    try:
        datum = check_datum(datum)
    except CRSError as exc:
        raise ConfigError(f"{where}.datum: {exc}") from None
    crs = value.get("crs")
    if crs is not None:
        try:
            CRS.from_user_input(crs)
        except PyprojCRSError:
            raise ConfigError(
                f"{where}.crs = {crs!r}: not a CRS pyproj knows "
                "(use e.g. EPSG:4326, EPSG:4490, EPSG:4547)"
            ) from None
    return InputSpec(name, path, value.get("layer"), datum, crs, value.get("encoding"))


def _number(value: Any, *, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} = {value!r}: must be a number")
    return float(value)


def _parse_weights(table: Any, *, where: str, criteria: set[str]) -> dict[str, float]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: must be a table of criterion = weight")
    out: dict[str, float] = {}
    for key, value in table.items():
        if key not in criteria:
            raise ConfigError(f"{where}.{key}: unknown criterion{_suggest(key, criteria)}")
        w = _number(value, where=f"{where}.{key}")
        if not w >= 0:
            raise ConfigError(f"{where}.{key} = {value}: weights must be zero or positive")
        out[key] = w
    return out


def _parse_criteria(table: Any, *, label: str, section: str) -> dict[str, dict[str, Any]]:
    """Check a ``[criteria]`` or ``[industries.CODE.criteria]`` table: names and parameters."""

    if not isinstance(table, Mapping):
        raise ConfigError(f"{label}: [{section}] must be a table of [{section}.NAME] tables")
    out: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        where = f"{label}: [{section}.{key}]"
        if key not in CRITERIA:
            raise ConfigError(f"{where}: unknown criterion{_suggest(key, set(CRITERIA))}")
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: must be a table of parameters")
        known = {*CRITERIA[key].params, "transform"}
        for param in value:
            if param not in known:
                raise ConfigError(f"{where}: unknown parameter {param!r}{_suggest(param, known)}")
        check_params(key, value, where=where)
        out[key] = dict(value)
    return out


def parse_plan(data: Mapping[str, Any], *, path: Path | None = None) -> PlanConfig:
    """Validate a plan already parsed from TOML into a `PlanConfig`.

    Criterion names and parameters are checked against `layout.model.criteria.CRITERIA`; a criterion's
    transform is checked when the scoring stage builds it (`layout.config.criteria.criterion_specs`),
    which also names the key.
    """

    label = path.name if path else "embedded plan"
    base = path.parent if path else None
    _check_keys(data, _TOP_KEYS, where=label)

    plan = data.get("plan", {})
    _check_keys(plan, _PLAN_KEYS, where=f"{label}: [plan]")
    crs_text = plan.get("crs", settings.default_crs)
    try:
        crs = CRS.from_user_input(crs_text)
    except PyprojCRSError:
        raise ConfigError(f"{label}: [plan] crs = {crs_text!r}: not a CRS pyproj knows") from None
    if not crs.is_projected:
        raise ConfigError(
            f"{label}: [plan] crs = {crs_text!r} is geographic (degrees); metric "
            f"work needs a projected CRS such as {settings.default_crs}"
        )
    resolution = _number(
        plan.get("resolution_m", settings.grid_resolution), where=f"{label}: [plan] resolution_m"
    )
    if not 5 <= resolution <= 5000:
        raise ConfigError(f"{label}: [plan] resolution_m = {resolution}: use 5 to 5000 metres")
    seed = plan.get("seed", settings.seed)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"{label}: [plan] seed = {seed!r}: must be a non-negative integer")
    catalog_path = plan.get("catalog")
    if catalog_path:
        cpath = Path(str(catalog_path))
        if base is not None and not cpath.is_absolute():
            cpath = base / cpath
        if not cpath.exists():
            raise ConfigError(f"{label}: [plan] catalog = {catalog_path!r}: file {cpath} not found")
        catalog = load_catalog(cpath)
    else:
        catalog = load_catalog()

    raw_inputs = data.get("inputs", dict.fromkeys(INPUT_NAMES, "embedded"))
    if not isinstance(raw_inputs, Mapping):
        raise ConfigError(f"{label}: [inputs] must be a table")
    _check_keys(raw_inputs, set(INPUT_NAMES), where=f"{label}: [inputs]")
    inputs: dict[str, InputSpec] = {}
    for name, required in INPUT_NAMES.items():
        if name in raw_inputs:
            inputs[name] = _parse_input(
                name, raw_inputs[name], base=base, where=f"{label}: [inputs] {name}"
            )
        elif required:
            raise ConfigError(f'{label}: [inputs] {name} is required (a path, or "embedded")')

    cons = data.get("constraints", {})
    _check_keys(cons, {"exclude"}, where=f"{label}: [constraints]")
    raw_exclude = cons.get("exclude", list(EXCLUDABLE_TYPES))
    if not isinstance(raw_exclude, list):
        raise ConfigError(
            f"{label}: [constraints] exclude = {raw_exclude!r}: must be a list of constraint "
            'types, e.g. ["basic_farmland", "eco_redline"]'
        )
    exclude = tuple(raw_exclude)
    for i, name in enumerate(exclude):
        if name not in EXCLUDABLE_TYPES:
            known = set(EXCLUDABLE_TYPES)
            raise ConfigError(
                f"{label}: [constraints] exclude[{i}] = {name!r}: unknown "
                f"constraint type{_suggest(str(name), known)}"
            )

    weight_keys = set(WEIGHT_KEYS)
    crit_keys = set(CRITERIA)
    weights = _parse_weights(
        data.get("weights", {}), where=f"{label}: [weights]", criteria=weight_keys
    )
    criteria = _parse_criteria(data.get("criteria", {}), label=label, section="criteria")

    industries: dict[str, IndustryConfig] = {}
    raw_ind = data.get("industries", {})
    if not isinstance(raw_ind, Mapping):
        raise ConfigError(f"{label}: [industries] must be a table of [industries.CODE] tables")
    for code, table in raw_ind.items():
        where = f"{label}: [industries.{code}]"
        if code not in catalog.industries:
            raise UnknownIndustryError(
                f"{where}: unknown industry code {code!r}{_suggest(code, PRIORITY_CODES)}"
            )
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: must be a table")
        _check_keys(table, _INDUSTRY_KEYS, where=where)
        ind_weights = _parse_weights(
            table.get("weights", {}), where=f"{where} weights", criteria=weight_keys
        )
        ahp = None
        if "ahp" in table:
            ahp = _parse_ahp(table["ahp"], where=f"{where} ahp", criteria=crit_keys)
        ind_criteria = _parse_criteria(
            table.get("criteria", {}), label=label, section=f"industries.{code}.criteria"
        )
        industries[code] = IndustryConfig(code, ind_weights, ahp, ind_criteria)


    demand = check_demand(data.get("demand", {}), where=f"{label}: [demand]", catalog=catalog)
    allocation = check_options(data.get("allocation", {}), where=f"{label}: [allocation]",
                               codes=catalog.codes)
    sensitivity = check_sensitivity(data.get("sensitivity", {}),
                                    where=f"{label}: [sensitivity]")

    config = PlanConfig(
        demand=demand,
        allocation=allocation,
        sensitivity=sensitivity,
        name=str(plan.get("name", "郑州都市区产业布局")),
        name_en=str(plan.get("name_en", "Zhengzhou metro area industrial layout")),
        crs=crs,
        resolution=resolution,
        seed=int(seed),
        inputs=inputs,
        exclude=exclude,
        weights=weights,
        criteria=criteria,
        industries=industries,
        path=path,
        catalog=catalog,
        raw=data,
    )

    for code in catalog.codes:  # every industry's weights and transforms, checked at load
        criterion_specs(config, code)
    return config


def _parse_ahp(table: Any, *, where: str, criteria: set[str]) -> AHPResult:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: must be a table with labels = [...] and matrix = [...]")
    _check_keys(table, {"labels", "matrix"}, where=where)
    labels = table.get("labels")
    if not isinstance(labels, list) or not labels:
        raise ConfigError(f"{where}.labels: must be a list of criterion names")
    for lab in labels:
        if lab not in criteria:
            raise ConfigError(f"{where}.labels: unknown criterion {lab!r}{_suggest(lab, criteria)}")
    if "matrix" not in table:
        raise ConfigError(f"{where}: missing key 'matrix'")
    return ahp_weights(table["matrix"], labels=[str(x) for x in labels], where=f"{where}.matrix")


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
        if not file.exists():
            raise ConfigError(f"{file}: plan file not found")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file.name}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file.name}: not UTF-8 text; save the TOML file as UTF-8") from None
    return parse_plan(data, path=label_path)
