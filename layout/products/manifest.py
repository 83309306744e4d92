"""``manifest.json`` of a plan folder: what ran, on what, with which result (no clock time).

Written by `layout.products.planfolder.write_plan` and read back by
`layout.products.planfolder.read_plan` (docs/plan_outputs.md).
"""

from __future__ import annotations

import hashlib
import json
import platform
from typing import TYPE_CHECKING

import numpy as np

from layout.version import __version__

if TYPE_CHECKING:
    from layout.allocation.result import PlanResult


def plan_manifest(result: PlanResult, files: list[str]) -> dict[str, object]:
    """The run's manifest: version, config and input hashes, seed, solver (no clock time)."""
    plan = result.inputs.plan
    cfg_text = plan.path.read_bytes() if plan.path else b"embedded plan"
    sol = result.solution
    return {
        "package": "zz-layout",
        "version": __version__,
        "python": platform.python_version(),
        "config": str(plan.path) if plan.path else "embedded plan",
        # The name the maps and report show: [plan] name, a variant's or --title.
        "title": plan.name,
        "title_en": plan.name_en,
        "config_sha256": hashlib.sha256(cfg_text).hexdigest(),
        # The plan as used, including changes made in Python (replace, model_copy, vary_plan).
        "effective_config_sha256": hashlib.sha256(_effective(result).encode()).hexdigest(),
        "demand": plan.demand.model_dump(),
        "allocation": plan.allocation.model_dump(),
        "sensitivity": plan.sensitivity.model_dump(),
        "inputs": dict(sorted(result.inputs.sources.items())),
        "seed": plan.seed,
        "crs": result.inputs.grid.crs.to_string(),
        "resolution_m": result.inputs.grid.cell,
        "max_site_mu": result.candidates.max_site_mu,
        "solver": {
            "method": sol.method,
            "status": sol.status,
            "objective": sol.objective,
            "lp_bound": sol.bound,
            "gap_to_lp_bound": sol.gap,
            "solver_gap": sol.solver_gap,
            "greedy_objective": result.greedy.objective,
        },
        "files": files,
    }


def manifest_text(result: PlanResult, files: list[str]) -> str:
    """`plan_manifest` as the JSON text of ``manifest.json`` (NaN written as null)."""
    man = _no_nan(plan_manifest(result, files))
    return json.dumps(man, ensure_ascii=False, indent=2, default=_json_default) + "\n"


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return str(value)


def _no_nan(value: object) -> object:
    """JSON has no NaN: replace it by null, recursively."""
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nan(v) for v in value]
    if isinstance(value, float | np.floating) and value != value:
        return None
    return value


def _effective(result: PlanResult) -> str:
    """Canonical text of the plan as used: raw tables, options, grid, weights per industry."""
    plan = result.inputs.plan
    doc = {
        "raw": plan.raw,
        "crs": plan.crs.to_string(),
        "resolution": plan.resolution,
        "seed": plan.seed,
        "exclude": list(plan.exclude),
        "demand": plan.demand.model_dump(),
        "allocation": plan.allocation.model_dump(),
        "sensitivity": plan.sensitivity.model_dump(),
        "weights": {c: r.weights for c, r in result.results.items()},
    }
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
