"""Writing a plan to disk: ``plan.gpkg``, rasters, tables, report, manifest (docs/plan_outputs.md).

Everything goes through `layout.io.staging.staged_output`: files appear in the output folder only
when all of them were written, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from layout.allocation.run import PlanResult
from layout.analysis.measures import agglomeration_table
from layout.io.staging import staged_output
from layout.products.report import plan_blocks, render_html, render_markdown
from layout.scoring.suitability import write_result
from layout.version import __version__

#: Fixed GeoPackage timestamps, so that the same plan writes the same file contents.
_GPKG_DATE = "2012-04-24T00:00:00Z"


def _round(df: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(digits)
    return out


def manifest(
    result: PlanResult, files: list[str], timings: Mapping[str, float]
) -> dict[str, object]:
    """The run's manifest: version, config and input hashes, seed, stage times, solver."""
    plan = result.inputs.plan
    cfg_text = plan.path.read_bytes() if plan.path else b"embedded plan"
    sol = result.solution
    return {
        "package": "zz-layout", "version": __version__,
        "python": platform.python_version(),
        "config": str(plan.path) if plan.path else "embedded plan",
        "config_sha256": hashlib.sha256(cfg_text).hexdigest(),
        # The plan as used, including changes made in Python (dataclasses.replace, vary_plan).
        "effective_config_sha256": hashlib.sha256(_effective(result).encode()).hexdigest(),
        "demand": dataclasses.asdict(plan.demand) if plan.demand else None,
        "allocation": dataclasses.asdict(plan.allocation) if plan.allocation else None,
        "sensitivity": dataclasses.asdict(plan.sensitivity) if plan.sensitivity else None,
        "inputs": dict(sorted(result.inputs.sources.items())),
        "seed": plan.seed,
        "crs": result.inputs.grid.crs.to_string(), "resolution_m": result.inputs.grid.cell,
        "stage_seconds": {k: round(v, 3) for k, v in timings.items()},
        "solver": {"method": sol.method, "status": sol.status, "objective": sol.objective,
                   "lp_bound": sol.bound, "gap_to_lp_bound": sol.gap,
                   "seconds": round(sol.seconds, 3),
                   "greedy_objective": result.greedy.objective},
        "files": files,
    }


def write_plan(result: PlanResult, out_dir: str | Path, *,
               timings: Mapping[str, float] | None = None) -> list[Path]:
    """Write every output of a plan into ``out_dir`` (all or nothing).

    Returns
    -------
    list of Path
        The files written, in ``out_dir``.
    """
    out = Path(out_dir)
    rels: list[str] = []
    with staged_output(out) as stage:
        suit = stage / "suitability"
        suit.mkdir()
        for res in result.results.values():
            for p in write_result(res, suit):
                rels.append(f"suitability/{p.name}")
        inputs = result.inputs
        table = agglomeration_table(
            inputs.layer("enterprises"), counties=inputs.layer("counties"),
            zones=inputs.layer("zones"), grid=inputs.grid,
            industries=list(inputs.plan.catalog.codes),
            hotspot_z={c: r.raw["hotspot"] for c, r in result.results.items()
                       if "hotspot" in r.raw})
        table.to_csv(suit / "measures.csv", index=False, float_format="%.6g")
        rels.append("suitability/measures.csv")

        gpkg = stage / "plan.gpkg"
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
        try:
            sites = _round(result.sites)
            sites["stable"] = sites["stable"].astype(bool)
            pyogrio.write_dataframe(sites, gpkg, layer="sites")
            pyogrio.write_dataframe(_round(result.zone_industries), gpkg, layer="zone_industries")
            pyogrio.write_dataframe(_round(result.allocation), gpkg, layer="allocation")
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        rels.append("plan.gpkg")

        _round(result.allocation).to_csv(stage / "allocation.csv", index=False,
                                         float_format="%.3f")
        rels.append("allocation.csv")
        blocks = plan_blocks(result)
        (stage / "report.md").write_text(render_markdown(blocks), encoding="utf-8")
        (stage / "report.html").write_text(render_html(blocks, title=inputs.plan.name),
                                           encoding="utf-8")
        rels += ["report.md", "report.html"]
        times = dict(timings or result.timings)
        rels.append("manifest.json")
        man = _no_nan(manifest(result, rels, times))
        (stage / "manifest.json").write_text(
            json.dumps(man, ensure_ascii=False, indent=2, default=_json_default) + "\n",
            encoding="utf-8")
    return [out / r for r in rels]


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
        "raw": plan.raw, "crs": plan.crs.to_string(), "resolution": plan.resolution,
        "seed": plan.seed, "exclude": list(plan.exclude),
        "demand": dataclasses.asdict(plan.demand) if plan.demand else None,
        "allocation": dataclasses.asdict(plan.allocation) if plan.allocation else None,
        "sensitivity": dataclasses.asdict(plan.sensitivity) if plan.sensitivity else None,
        "weights": {c: r.weights for c, r in result.results.items()},
    }
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
