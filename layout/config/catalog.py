"""The catalog TOML file validated into a `layout.model.catalog.Catalog`.

The catalog (``layout/config/industries.toml`` by default) is validated in two passes
(`layout.config.catalog_schema`: the pydantic models of its tables, and the rules between
entries) whose problems are reported together, in file order, each naming its key and the
industry, base or edge it belongs to.

Examples
--------
>>> cat = load_catalog()
>>> cat.codes[:3], len(cat.linkages)
(('auto', 'electronics', 'new_materials'), 18)
>>> check_industry(" Aluminium ")
'aluminium'
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from layout.config.catalog_schema import (
    BaseTable,
    CatalogFile,
    IndustryTable,
    Problem,
    cross_checks,
    file_order,
    item_context,
)
from layout.errors import ConfigError, DataFileError, UnknownIndustryError
from layout.io.files import special_file_kind
from layout.model.catalog import (
    OTHER,
    Base,
    Catalog,
    ControlIndicator,
    Industry,
    LandIndicators,
    Linkage,
    Provenance,
    TransportNeeds,
)
from layout.model.table import (
    join_problems,
    problems_of,
)

#: The name the embedded catalog is reported under.
DEFAULT_NAME = "layout/config/industries.toml"


# --- rules between entries ----------------------------------------------------------------------


# --- building the catalog -----------------------------------------------------------------------


def _industry(t: IndustryTable, bases: Iterable[BaseTable]) -> Industry:
    groups = {"transport": t.transport, "siting": t.siting, "far": t.far, "output": t.output,
              "investment": t.investment, "tax": t.tax}
    return Industry(
        code=t.code,
        name_zh=t.name_zh,
        name_en=t.name_en,
        group=t.group,
        gbt4754=tuple(t.gbt4754),
        color=t.color,
        transport=TransportNeeds(t.transport.expressway, t.transport.rail_freight,
                                 t.transport.airport),
        max_slope_deg=t.siting.max_slope_deg,
        pollution_intensive=t.siting.pollution_intensive,
        residential_buffer_m=t.siting.residential_buffer_m,
        min_far=t.far.min,
        far_source=t.far.source,
        output_per_mu_wan=t.output.per_mu_wan,
        investment_per_mu_wan=t.investment.per_mu_wan,
        tax_per_mu_wan=t.tax.per_mu_wan,
        bases=tuple(b.code for b in bases if b.parent == t.code),
        provenance=MappingProxyType(
            {name: Provenance(g.confidence, g.source) for name, g in groups.items()}),
    )


def _land(spec: CatalogFile) -> LandIndicators:
    land, ctl = spec.land, spec.controls
    controls = () if ctl is None else tuple(
        ControlIndicator(c.field, c.name_zh, c.name_en, c.kind, c.op, c.by_industry,
                         c.value_2023, c.clause_2023, c.confidence_2023, c.value_2008,
                         c.clause_2008, c.confidence_2008)
        for c in ctl.indicators
    )
    return LandIndicators(
        land.building_coverage_min, land.admin_share_max, land.green_ratio_max, land.source,
        land.confidence, controls,
        ctl.edition_2023 if ctl else "", ctl.edition_2008 if ctl else "",
        ctl.confidence_2023 if ctl else "",
    )


def parse_catalog(data: Mapping[str, Any], *, source: str = "<dict>") -> Catalog:
    """Validate parsed catalog data (the structure of the TOML file) into a `Catalog`.

    Parameters
    ----------
    data
        The parsed document: ``land``, ``industries``, ``bases``, ``linkages``.
    source
        Name of the file (or other origin) used in error messages.

    Raises
    ------
    ConfigError
        Listing every problem found, each with its key (``linkages[3].weight``).
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: the catalog must be a table, got {type(data).__name__}")
    problems: list[Problem] = []
    spec: CatalogFile | None = None
    try:
        spec = CatalogFile.model_validate(data)
    except ValidationError as exc:
        problems += problems_of(exc, root=CatalogFile, suffix=lambda loc: item_context(data, loc))
    problems += [(loc, text + item_context(data, loc)) for loc, text in cross_checks(data)]
    if problems:
        ordered = sorted(range(len(problems)), key=lambda i: (file_order(problems[i][0]), i))
        raise ConfigError(join_problems(source, [problems[i][1] for i in ordered]))
    assert spec is not None
    return Catalog(
        industries=MappingProxyType({t.code: _industry(t, spec.bases) for t in spec.industries}),
        bases=MappingProxyType({
            b.code: Base(b.code, b.name_zh, b.name_en, b.parent, b.scale, b.pollution_intensive,
                         b.residential_buffer_m, b.min_far)
            for b in spec.bases
        }),
        linkages=tuple(Linkage(k.source, k.target, k.weight, k.why, k.via_base,
                               k.weight_source, k.citation)
                       for k in spec.linkages),
        land=_land(spec),
        source=source,
    )


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a catalog TOML file (the embedded one by default).

    Catalogs are cached: loading the same unchanged file again returns the same object.

    Parameters
    ----------
    path
        A catalog file; None for the embedded ``layout/config/industries.toml``.

    Raises
    ------
    DataFileError
        If the file does not exist or cannot be read.
    ConfigError
        If it is not valid TOML or any value is wrong; the message lists every problem.

    Examples
    --------
    >>> load_catalog() is load_catalog()
    True
    """
    if path is None:
        return _load_default()
    p = Path(path)
    kind = special_file_kind(p)
    if kind == "missing":
        raise DataFileError(f"{p}: cannot read the catalog: No such file or directory")
    if kind:
        raise DataFileError(f"{p}: the catalog must be a TOML file, not a {kind}")
    stat = p.stat()
    return _load_file(str(p.resolve()), stat.st_mtime_ns, stat.st_size, str(path))


@lru_cache(maxsize=1)
def _load_default() -> Catalog:
    resource = resources.files("layout.config").joinpath("industries.toml")
    return _parse_text(resource.read_text(encoding="utf-8"), DEFAULT_NAME, str(resource))


@lru_cache(maxsize=16)
def _load_file(resolved: str, mtime_ns: int, size: int, display: str) -> Catalog:
    # mtime and size are part of the cache key so that an edited file is read again.
    try:
        text = Path(resolved).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{display}: the catalog must be UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise DataFileError(f"{display}: cannot read the catalog: {exc.strerror or exc}") from exc
    return _parse_text(text, display, resolved)


def _parse_text(text: str, display: str, source: str) -> Catalog:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{display}: not valid TOML: {exc}") from exc
    return dataclasses.replace(parse_catalog(data, source=display), source=source)


def check_industry(code: str, *, catalog: Catalog | None = None, allow_other: bool = False) -> str:
    """Return ``code`` normalised (stripped, lower case) if it is an industry of the catalog.

    Parameters
    ----------
    code
        The code to check.
    catalog
        The catalog to check against; None for the embedded one.
    allow_other
        Also accept `OTHER` (enterprises outside the catalog's industries).

    Raises
    ------
    UnknownIndustryError
        For any other value; the message suggests the closest code and lists the known ones.

    Examples
    --------
    >>> check_industry("other", allow_other=True)
    'other'
    >>> check_industry("refractories")
    Traceback (most recent call last):
    ...
    layout.errors.UnknownIndustryError: unknown industry 'refractories'; 'refractories' is a ...
    """
    cat = load_catalog() if catalog is None else catalog
    if isinstance(code, str):
        key = code.strip().lower()
        if key in cat.industries or (allow_other and key == OTHER):
            return key
    raise UnknownIndustryError(cat.unknown_message(code, allow_other=allow_other))
