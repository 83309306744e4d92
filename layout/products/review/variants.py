"""Plan variants: one industry's weights or growth target changed, validated like a TOML file."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any, overload

from layout.config.catalog import check_industry
from layout.config.plan import parse_plan
from layout.data.inputs import PlanInputs
from layout.errors import ConfigError
from layout.model.plan import PlanConfig


@overload
def vary_plan(
    plan: PlanConfig,
    industry: str,
    *,
    weights: Mapping[str, float] | None = ...,
    growth: float | None = ...,
) -> PlanConfig: ...


@overload
def vary_plan(
    plan: PlanInputs,
    industry: str,
    *,
    weights: Mapping[str, float] | None = ...,
    growth: float | None = ...,
) -> PlanInputs: ...


def vary_plan(
    plan: PlanConfig | PlanInputs,
    industry: str,
    *,
    weights: Mapping[str, float] | None = None,
    growth: float | None = None,
) -> PlanConfig | PlanInputs:
    """A variant of a plan in which one industry's weights or growth target change.

    The change is written into a copy of the plan's TOML tables (``[industries.CODE.weights]``,
    ``[demand.industries.CODE] growth``) and validated again with `layout.config.plan.parse_plan`,
    so a typo fails as it would in the file. The plan's names get the change appended, so maps
    and reports of the variant say what it is.

    Parameters
    ----------
    plan
        A `PlanConfig`, or `PlanInputs` (then the inputs are reused with the new plan: the
        change touches neither inputs, CRS nor grid).
    industry
        Industry code.
    weights
        Raw weights by criterion name (and the shared ``access_transport``, ``linkage``), merged
        into the industry's ``[industries.CODE.weights]``; renormalised per industry as usual.
    growth
        The industry's growth factor (output at the horizon ÷ today's; 2.0 is 三年倍增).

    Returns
    -------
    PlanConfig or PlanInputs
        The same kind as ``plan``.

    Raises
    ------
    ConfigError
        Neither change given; an industry with AHP weights (change its matrix instead) or with
        its demand given in mu (growth would have no effect); anything `parse_plan` refuses.

    Examples
    --------
    >>> from layout.config.plan import load_plan
    >>> v = vary_plan(load_plan(), "aluminium", growth=1.5)
    >>> v.demand.industries["aluminium"], v.name_en.endswith("(variant: aluminium growth 1.5)")
    ({'growth': 1.5}, True)
    >>> vary_plan(load_plan(), "aluminium", weights={"zone_fitt": 0.2})
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: embedded plan: ...weights.zone_fitt: ... did you mean 'zone_fit' ...
    """
    config = plan.plan if isinstance(plan, PlanInputs) else plan
    code = check_industry(industry, catalog=config.catalog)
    if weights is None and growth is None:
        raise ConfigError(f"vary_plan({code!r}): give weights=..., growth=... or both")
    if not config.raw:
        raise ConfigError(
            f"{config.label}: the plan holds no TOML tables to vary (build it with load_plan or "
            "parse_plan)"
        )
    raw: dict[str, Any] = copy.deepcopy(dict(config.raw))
    changes: list[str] = []
    ind_table = raw.setdefault("industries", {}).setdefault(code, {})
    if weights:
        if "ahp" in ind_table:
            raise ConfigError(
                f"{config.label}: [industries.{code}] has AHP weights, which replace direct "
                f"weights; change its [industries.{code}.ahp] matrix instead"
            )
        ind_table.setdefault("weights", {}).update(dict(weights))
        changes.append(", ".join(f"{k}={v:g}" for k, v in weights.items()))
    if not ind_table:
        del raw["industries"][code]
    if growth is not None:
        dem = raw.setdefault("demand", {}).setdefault("industries", {}).setdefault(code, {})
        if "mu" in dem:
            raise ConfigError(
                f"{config.label}: [demand.industries.{code}] gives the demand in mu "
                f"({dem['mu']:g}), so a growth target has no effect; change mu instead"
            )
        dem["growth"] = growth
        changes.append(f"growth {growth:g}")
    text = f"{code} {'; '.join(changes)}"
    names = raw.setdefault("plan", {})
    names["name"] = f"{config.name}（调整：{text}）"
    names["name_en"] = f"{config.name_en} (variant: {text})"
    new = parse_plan(raw, path=config.path)
    if isinstance(plan, PlanInputs):
        return dataclasses.replace(plan, plan=new)
    return new
