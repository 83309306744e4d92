"""The plan's options for demand, allocation and sensitivity: ``[demand]``, ``[allocation]``,
``[sensitivity]`` of the plan TOML (docs/config.md), with their defaults and checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from layout.errors import ConfigError
from layout.model.catalog import Catalog


@dataclass(frozen=True)
class DemandOptions:
    """The ``[demand]`` table.

    Attributes
    ----------
    growth
        Output at the horizon as a multiple of today's (2.0: 三年倍增, doubling).
    horizon_years
        Plan horizon, years (reported; the growth factor already covers it).
    output_per_mu
        ``"data"``: today's output per mu of the industry's enterprises (sum of output over sum
        of land); ``"catalog"``: the catalog's reference output per mu.
    industries
        Per-industry overrides: ``mu`` (demand given directly), ``growth``,
        ``output_per_mu_wan``.
    """

    growth: float = 2.0
    horizon_years: float = 3.0
    output_per_mu: str = "data"
    industries: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class SensitivityOptions:
    """The ``[sensitivity]`` table: Monte-Carlo runs, weight spread, one-at-a-time, threshold."""

    runs: int = 100
    spread: float = 0.2
    one_at_a_time: bool = True
    enabled: bool = True
    stable_threshold: float = 0.7


def _num(value: Any, where: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where} = {value!r}: must be a number")
    if value < 0 or (positive and value == 0):
        raise ConfigError(f"{where} = {value!r}: must be {'positive' if positive else '>= 0'}")
    return float(value)


def check_demand(table: Any, *, where: str, catalog: Catalog) -> DemandOptions:
    """Validate a ``[demand]`` table (errors name the key)."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} = {table!r}: must be a table")
    known = {"growth", "horizon_years", "output_per_mu", "industries"}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}; known: {', '.join(sorted(known))}")
    growth = _num(table.get("growth", 2.0), f"{where}.growth", positive=True)
    if growth < 1:
        raise ConfigError(f"{where}.growth = {growth:g}: must be at least 1 (output at the horizon "
                          "as a multiple of today's; 2 = doubling); a shrinking industry needs no "
                          "new land")
    horizon = _num(table.get("horizon_years", 3.0), f"{where}.horizon_years", positive=True)
    per_mu = table.get("output_per_mu", "data")
    if per_mu not in ("data", "catalog"):
        raise ConfigError(f"{where}.output_per_mu = {per_mu!r}: use \"data\" or \"catalog\"")
    inds: dict[str, dict[str, float]] = {}
    raw_inds = table.get("industries", {})
    if not isinstance(raw_inds, Mapping):
        raise ConfigError(f"{where}.industries = {raw_inds!r}: must be a table of "
                          "[demand.industries.CODE] tables")
    for code, sub in raw_inds.items():
        w = f"{where}.industries.{code}"
        if code not in catalog.industries:
            raise ConfigError(f"{w}: unknown industry code {code!r}; use one of "
                              f"{', '.join(catalog.codes)}")
        if not isinstance(sub, Mapping):
            raise ConfigError(f"{w}: must be a table with mu, growth or output_per_mu_wan")
        out: dict[str, float] = {}
        for key, value in sub.items():
            if key not in ("mu", "growth", "output_per_mu_wan"):
                raise ConfigError(f"{w}: unknown key {key!r}; known: growth, mu, output_per_mu_wan")
            out[key] = _num(value, f"{w}.{key}", positive=key != "mu")
            if key == "growth" and out[key] < 1:
                raise ConfigError(f"{w}.growth = {out[key]:g}: must be at least 1")
        inds[code] = out
    return DemandOptions(growth, horizon, str(per_mu), inds)


def check_sensitivity(table: Any, *, where: str) -> SensitivityOptions:
    """Validate a ``[sensitivity]`` table (errors name the key)."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} = {table!r}: must be a table")
    known = {"runs", "spread", "one_at_a_time", "enabled", "stable_threshold"}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}; known: {', '.join(sorted(known))}")
    runs = table.get("runs", 100)
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 0:
        raise ConfigError(f"{where}.runs = {runs!r}: must be a whole number >= 0")
    spread = _num(table.get("spread", 0.2), f"{where}.spread")
    if spread >= 1:
        raise ConfigError(f"{where}.spread = {spread}: must be below 1 (0.2 means ±20 %)")
    thr = _num(table.get("stable_threshold", 0.7), f"{where}.stable_threshold")
    if thr > 1:
        raise ConfigError(f"{where}.stable_threshold = {thr:g}: a share, from 0 to 1")
    for key in ("one_at_a_time", "enabled"):
        if key in table and not isinstance(table[key], bool):
            raise ConfigError(f"{where}.{key} = {table[key]!r}: must be true or false")
    return SensitivityOptions(runs, spread, bool(table.get("one_at_a_time", True)),
                              bool(table.get("enabled", True)), thr)


@dataclass(frozen=True)
class AllocationOptions:
    """Options of the allocation (the ``[allocation]`` table of a plan).

    Attributes
    ----------
    min_site_mu
        Smallest site, mu (300 mu = 20 ha).
    max_sites
        Most separate sites per industry.
    tolerance
        Allowed excess over demand (0.05: between 0 and 5 % over).
    seeds
        Seeds per industry (candidate families).
    seed_spacing_m
        Minimum distance between seeds of one industry.
    shape_penalty
        Score points per cell of distance from the seed (compactness).
    separation_m
        Distance a pollution-intensive site keeps from food and biomedicine sites.
    time_limit_s
        Time limit of the integer programme.
    mip_gap
        Relative optimality gap at which HiGHS stops.
    sensitive
        Industries that pollution-intensive sites keep ``separation_m`` from.
    polluting
        Pollution-intensive industries; None takes every industry that the catalog marks
        pollution-intensive, itself or through one of its bases (aluminium; new materials,
        whose refractories base is).
    """

    min_site_mu: float = 300.0
    max_sites: int = 6
    tolerance: float = 0.05
    seeds: int = 6
    seed_spacing_m: float = 3000.0
    shape_penalty: float = 0.5
    separation_m: float = 1000.0
    time_limit_s: float = 120.0
    mip_gap: float = 0.002
    sensitive: tuple[str, ...] = ("food", "biomedicine")
    polluting: tuple[str, ...] | None = None


def check_options(
    table: Any, *, where: str, codes: Sequence[str] | None = None
) -> AllocationOptions:
    """Validate an ``[allocation]`` table into `AllocationOptions` (errors name the key).

    ``codes`` are the known industry codes, against which ``sensitive`` and ``polluting`` are
    checked.
    """
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} = {table!r}: must be a table")
    defaults = AllocationOptions()
    known = set(defaults.__dataclass_fields__)
    integers = {"max_sites", "seeds"}
    positive = {"min_site_mu", "max_sites", "seeds", "time_limit_s", "seed_spacing_m"}
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        w = f"{where}.{key} = {value!r}"
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}; known: {', '.join(sorted(known))}")
        if key in ("sensitive", "polluting"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{w}: must be a list of industry codes")
            for v in value:
                if codes is not None and v not in codes:
                    raise ConfigError(f"{w}: unknown industry code {v!r}; use one of "
                                      f"{', '.join(codes)}")
            kwargs[key] = tuple(value)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value):
            raise ConfigError(f"{w}: must be a finite number")
        if key in integers and not float(value).is_integer():
            raise ConfigError(f"{w}: must be a whole number")
        if value < 0 or (key in positive and value == 0):
            raise ConfigError(f"{w}: must be {'positive' if key in positive else '>= 0'}")
        if key in ("tolerance", "mip_gap") and value >= 1:
            raise ConfigError(f"{w}: a share, below 1 (0.05 = 5 %)")
        kwargs[key] = int(value) if key in integers else float(value)
    return AllocationOptions(**kwargs)
