"""A plan's criteria for one industry: weights, parameters and transforms, resolved.

`industry_weights` merges the default, shared and per-industry weights (or takes an AHP matrix)
and splits the shared transport weight by the industry's needs; `criterion_specs` resolves each
weighted criterion's parameters and transform (catalog values filled in) into a
`ResolvedCriterion`. The plan loader calls it for every industry, so a bad transform or weight is
reported when the plan is read, not when it is scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from layout.core.transforms import TransformSpec
from layout.core.weights import normalise_weights
from layout.errors import ConfigError
from layout.model.catalog import Industry
from layout.model.criteria import CRITERIA, DEFAULT_WEIGHTS, Criterion, check_params
from layout.model.plan import PlanConfig

_TRANSPORT = ("expressway", "rail_freight", "airport")


@dataclass(frozen=True)
class ResolvedCriterion:
    """A criterion as configured for one industry: parameters, transform and weight."""

    criterion: Criterion
    params: Mapping[str, Any]
    transform: TransformSpec
    weight: float

    @property
    def name(self) -> str:
        """The criterion name."""
        return self.criterion.name


_CATALOG_KEYS = {"low": "max_slope_deg", "threshold": "residential_buffer_m"}


def _resolve_catalog(value: Any, industry: Industry, key: str, *, where: str) -> Any:
    """Replace the placeholder ``"catalog"`` by the industry's value from the catalog.

    Only ``low`` (the slope's ``max_slope_deg``) and ``threshold`` (the residential buffer's
    ``residential_buffer_m``) may be ``"catalog"``.
    """
    if value != "catalog":
        return value
    if key not in _CATALOG_KEYS:
        raise ConfigError(f"{where}.{key} = \"catalog\": only low (max_slope_deg) and threshold "
                          "(residential_buffer_m) can be taken from the catalog; give a number")
    return getattr(industry, _CATALOG_KEYS[key])


def industry_weights(plan: PlanConfig, code: str) -> tuple[dict[str, float], str]:
    """Normalised criterion weights of one industry, and where they came from.

    Order of precedence: an AHP matrix for the industry; else the shared ``[weights]`` updated
    by ``[industries.CODE.weights]``. ``access_transport`` is split over expressway, rail freight
    and airport by the industry's transport needs unless those are given explicitly;
    ``residential_buffer`` applies to pollution-intensive industries only.

    Returns
    -------
    weights, source
        Weights summing to 1 (zero weights dropped) and ``"ahp"`` or ``"direct"``.
    """
    industry = plan.catalog.industry(code)
    cfg = plan.industry(code)
    where = f"{plan.label}: [industries.{code}]"
    if cfg.ahp is not None:
        raw = {k: v for k, v in cfg.ahp.weights.items() if v > 0}
        if not industry.pollution_intensive:
            raw.pop("residential_buffer", None)
        return normalise_weights(raw, where=f"{where} ahp"), "ahp"
    merged: dict[str, float] = dict(DEFAULT_WEIGHTS)
    merged.update(plan.weights)
    merged.update(cfg.weights)
    share = merged.pop("access_transport", 0.0)
    needs = industry.transport
    need = {
        "expressway": needs.expressway,
        "rail_freight": needs.rail_freight,
        "airport": needs.airport,
    }
    total_need = sum(need.values())
    for key in _TRANSPORT:
        explicit = key in plan.weights or key in cfg.weights
        if not explicit:
            merged[key] = share * need[key] / total_need if total_need > 0 else 0.0
    if not industry.pollution_intensive:
        merged["residential_buffer"] = 0.0
    raw = {k: v for k, v in merged.items() if v > 0}
    if not raw:
        raise ConfigError(f"{where} weights: all weights are zero; give at least one criterion "
                          "a positive weight")
    return normalise_weights(raw, where=f"{where} weights"), "direct"


def criterion_specs(plan: PlanConfig, code: str) -> dict[str, ResolvedCriterion]:
    """Resolve every weighted criterion of one industry: parameters, transform and weight.

    Parameters come from the criterion defaults, updated by ``[criteria.NAME]`` and then by
    ``[industries.CODE.criteria.NAME]``; a ``transform`` table replaces the default transform.
    Unknown parameters raise `ConfigError` naming the key.
    """
    industry = plan.catalog.industry(code)
    weights, _ = industry_weights(plan, code)
    out: dict[str, ResolvedCriterion] = {}
    for name, weight in weights.items():
        crit = CRITERIA[name]
        params = dict(crit.params)
        transform = dict(crit.transform)
        t_where = f"built-in default of criterion {name!r}: transform"
        for where, table in (
            (f"{plan.label}: [criteria.{name}]", plan.criteria.get(name, {})),
            (
                f"{plan.label}: [industries.{code}.criteria.{name}]",
                plan.industry(code).criteria.get(name, {}),
            ),
        ):
            for key, value in table.items():
                if key == "transform":
                    if isinstance(value, str):
                        value = {"kind": value}
                    if not isinstance(value, Mapping):
                        raise ConfigError(f"{where} transform: must be a kind or a table")
                    transform = dict(value)
                    t_where = f"{where} transform"
                elif key in params:
                    params[key] = value
                else:
                    known = ", ".join(sorted([*params, "transform"]))
                    raise ConfigError(f"{where}: unknown parameter {key!r}; known: {known}")
            check_params(name, {k: v for k, v in table.items() if k in params}, where=where)
        transform = {
            k: _resolve_catalog(v, industry, k, where=t_where) for k, v in transform.items()
        }
        spec = TransformSpec.from_config(transform, where=t_where)
        out[name] = ResolvedCriterion(crit, params, spec, weight)
    return out
