"""A plan's criteria for one industry: weights, parameters and transforms, resolved.

`industry_weights` merges the default, shared and per-industry weights (or takes an AHP matrix)
and splits the shared transport weight by the industry's needs and the shared linkage weight by
its link strengths; `criterion_specs` resolves each weighted criterion's parameters and
transform (catalog values filled in) into a `ResolvedCriterion`. The plan loader calls it for
every industry, so a bad transform or weight is reported when the plan is read, not when it is
scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from layout.core.weights import normalise_weights
from layout.errors import ConfigError
from layout.model.criteria import CRITERIA, DEFAULT_WEIGHTS, LINKAGE_SIDES, Criterion
from layout.model.plan import PlanConfig
from layout.model.transforms import TransformSpec

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


def industry_weights(plan: PlanConfig, code: str) -> tuple[dict[str, float], str]:
    """Normalised criterion weights of one industry, and where they came from.

    Order of precedence: an AHP matrix for the industry; else the shared ``[weights]`` updated
    by ``[industries.CODE.weights]``. ``access_transport`` is split over expressway, rail freight
    and airport by the industry's transport needs unless those are given explicitly;
    ``linkage`` over ``linkage_upstream`` and ``linkage_downstream`` by the sum of link strengths
    on each side (`linkage_split`), again unless a side is given explicitly;
    ``residential_buffer`` applies to pollution-intensive industries only.

    Returns
    -------
    weights, source
        Weights summing to 1 (zero weights dropped) and ``"ahp"`` or ``"direct"``.
    """
    industry = plan.catalog.industry(code)
    cfg = plan.industry(code)
    where = f"{plan.label}: industries.{code}"
    if cfg.ahp is not None:
        raw = {k: v for k, v in cfg.ahp.weights.items() if v > 0}
        if not industry.pollution_intensive:
            raw.pop("residential_buffer", None)
        return normalise_weights(raw, where=f"{where}.ahp"), "ahp"
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
    _split_linkage(merged, plan, code, explicit=set(plan.weights) | set(cfg.weights))
    if not industry.pollution_intensive:
        merged["residential_buffer"] = 0.0
    raw = {k: v for k, v in merged.items() if v > 0}
    if not raw:
        raise ConfigError(f"{where}.weights: all weights are zero; give at least one criterion "
                          "a positive weight")
    return normalise_weights(raw, where=f"{where}.weights"), "direct"


def linkage_split(plan: PlanConfig, code: str) -> dict[str, float]:
    """Shares of a ``linkage`` weight going to upstream and downstream: by link strength.

    Each side's share is the sum of the catalog's link strengths on that side over the sum on
    both sides (0 and 0 for an industry with no links).

    Examples
    --------
    >>> from layout.config.plan import load_plan
    >>> {k: round(v, 4) for k, v in linkage_split(load_plan(), "auto").items()}
    {'linkage_upstream': 0.75, 'linkage_downstream': 0.25}
    """
    catalog = plan.catalog
    up = sum(catalog.suppliers(code).values())
    down = sum(catalog.customers(code).values())
    total = up + down
    if total <= 0:
        return dict.fromkeys(LINKAGE_SIDES, 0.0)
    return dict(zip(LINKAGE_SIDES, (up / total, down / total), strict=True))


def _split_linkage(
    merged: dict[str, float], plan: PlanConfig, code: str, *, explicit: set[str]
) -> None:
    """Replace ``linkage`` in ``merged`` by its two sides, unless a side is given explicitly."""
    share = merged.pop("linkage", 0.0)
    for key, fraction in linkage_split(plan, code).items():
        if key not in explicit:
            merged[key] = share * fraction


def criterion_specs(plan: PlanConfig, code: str) -> dict[str, ResolvedCriterion]:
    """Resolve every weighted criterion of one industry: parameters, transform and weight.

    Parameters come from the criterion defaults, updated by ``[criteria.NAME]`` and then by
    ``[industries.CODE.criteria.NAME]`` (both validated when the plan was loaded); a
    ``transform`` replaces the default transform, and a ``"catalog"`` value in it is filled in
    from the industry's catalog entry (then the transform is checked again, so a ramp whose
    catalog value equals its other end is reported with its key).
    """
    industry = plan.catalog.industry(code)
    weights, _ = industry_weights(plan, code)
    values = {"max_slope_deg": industry.max_slope_deg,
              "residential_buffer_m": industry.residential_buffer_m}
    out: dict[str, ResolvedCriterion] = {}
    for name, weight in weights.items():
        crit = CRITERIA[name]
        params = dict(crit.params)
        transform = TransformSpec.from_config(
            crit.transform, where=f"built-in default of criterion {name!r}: transform")
        t_where = f"{plan.label}: criteria.{name}.transform"
        for where, table in (
            (f"criteria.{name}", plan.criteria.get(name, {})),
            (f"industries.{code}.criteria.{name}", plan.industry(code).criteria.get(name, {})),
        ):
            for key, value in table.items():
                if key == "transform":
                    transform, t_where = value, f"{plan.label}: {where}.transform"
                else:
                    params[key] = value
        out[name] = ResolvedCriterion(crit, params, transform.resolve(values, where=t_where),
                                      weight)
    return out
