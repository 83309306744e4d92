"""``manifest.json`` of a plan folder: what ran, on what, with which result (no clock time).

The one writer (`manifest_text`, called by `layout.products.planfolder.write_plan`) and the one
reader (`read_manifest`, and `manifest_config` for the plan it names) of the file
(docs/plan_outputs.md).  The plan TOML is recorded so that the folder finds it from anywhere:
``config`` is ``{"path": absolute, "relative": from the plan folder, "sha256": ...}``, or
``{"embedded": true}`` for the embedded plan.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from layout.errors import DataFileError
from layout.version import __version__

if TYPE_CHECKING:
    from layout.allocation.result import PlanResult

logger = logging.getLogger(__name__)

#: The file name of the manifest in a plan folder.
MANIFEST = "manifest.json"


def config_record(path: Path | None, *, out: Path | None = None) -> dict[str, object]:
    """The ``config`` entry of a manifest: where the plan TOML is, and its SHA-256.

    Parameters
    ----------
    path
        The plan TOML; None for the embedded plan.
    out
        The plan folder the manifest goes in (its final place, not a staging folder); the
        TOML's path relative to it is recorded too (None when there is none, e.g. another
        drive).

    Examples
    --------
    >>> config_record(None)
    {'embedded': True}
    """
    if path is None:
        return {"embedded": True}
    absolute = Path(os.path.abspath(path))
    relative: str | None = None
    if out is not None:
        try:
            relative = Path(os.path.relpath(absolute, os.path.abspath(out))).as_posix()
        except ValueError:  # another drive (Windows): no relative path exists
            relative = None
    return {
        "path": str(absolute),
        "relative": relative,
        "sha256": hashlib.sha256(absolute.read_bytes()).hexdigest(),
    }


def plan_manifest(
    result: PlanResult, files: list[str], *, out: Path | None = None
) -> dict[str, object]:
    """The run's manifest: version, config and input hashes, seed, solver (no clock time).

    ``out`` is the plan folder's final place, for the plan TOML's relative path.
    """
    plan = result.inputs.plan
    cfg_text = plan.path.read_bytes() if plan.path else b"embedded plan"
    sol = result.solution
    return {
        "package": "zz-layout",
        "version": __version__,
        "python": platform.python_version(),
        "config": config_record(plan.path, out=out),
        # The name the maps and report show: [plan] name, a variant's or --title.
        "title": plan.name,
        "title_en": plan.name_en,
        "config_sha256": hashlib.sha256(cfg_text).hexdigest(),
        # The plan as used, including changes made in Python (replace, model_copy, vary_plan).
        "effective_config_sha256": hashlib.sha256(_effective(result).encode()).hexdigest(),
        "demand": plan.demand.model_dump(),
        # The land demand the plan met (mu by industry), given or derived (`land_demand`).
        "demand_mu": {str(code): float(mu) for code, mu in result.demand["demand_mu"].items()},
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


def manifest_text(result: PlanResult, files: list[str], *, out: Path | None = None) -> str:
    """`plan_manifest` as the JSON text of ``manifest.json`` (NaN written as null)."""
    man = _no_nan(plan_manifest(result, files, out=out))
    return json.dumps(man, ensure_ascii=False, indent=2, default=_json_default) + "\n"


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """``manifest.json`` of a plan folder, parsed.

    Raises
    ------
    DataFileError
        The file is missing, unreadable or not a JSON object; the message names it.
    """
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(f"{path}: missing; the plan folder is incomplete") from None
    except (OSError, ValueError) as exc:
        raise DataFileError(f"{path}: cannot read it ({exc})") from None
    if not isinstance(manifest, dict):
        raise DataFileError(f"{path}: not a JSON object; re-run `layout plan` to write it again")
    return manifest


def config_text(manifest: Mapping[str, Any]) -> str | None:
    """The plan TOML a manifest names, as recorded (absolute path), or None (embedded, none).

    Examples
    --------
    >>> config_text({"config": {"path": "/data/plan.toml", "relative": "../plan.toml"}})
    '/data/plan.toml'
    >>> config_text({"config": "plan.toml"}), config_text({"config": {"embedded": True}})
    ('plan.toml', None)
    """
    value = manifest.get("config")
    if isinstance(value, Mapping):
        value = value.get("path")
    return value if isinstance(value, str) and value.endswith(".toml") else None


def manifest_config(manifest: Any, plan_dir: str | os.PathLike[str]) -> Path | None:
    """The plan TOML a plan folder was written from, found from any working folder.

    The recorded absolute path is tried first, then the path relative to ``plan_dir``; a file
    found whose SHA-256 differs from the recorded one is used with a warning (the plan was
    edited since).  A manifest of an earlier version (``config`` a path as typed) is looked up
    from the working folder, then from ``plan_dir``.

    Returns
    -------
    Path or None
        The TOML; None for a plan folder of the embedded plan (or no manifest, or one naming
        no plan).

    Raises
    ------
    DataFileError
        The manifest names a TOML found nowhere: one line naming it, the places tried and
        ``--config``.  Another plan's layers (the embedded ones) are never drawn instead.
    """
    folder = Path(plan_dir)
    value = manifest.get("config") if isinstance(manifest, Mapping) else None
    if isinstance(value, Mapping):
        if value.get("embedded"):
            return None
        tried = [Path(str(value["path"]))] if value.get("path") else []
        if value.get("relative"):
            tried.append(folder / str(value["relative"]))
        digest = value.get("sha256")
    elif isinstance(value, str) and value.endswith(".toml"):
        tried, digest = [Path(value), folder / value], None
    else:
        return None  # "embedded plan", or an old manifest without the entry
    for path in tried:
        if path.is_file():
            if isinstance(digest, str) and hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                logger.warning(
                    "%s: changed since %s was written (SHA-256 differs); drawing its layers as "
                    "they are now", path, folder / MANIFEST)
            return path
    where = " or ".join(str(p) for p in dict.fromkeys(tried))
    raise DataFileError(
        f"{folder / MANIFEST}: the plan file it was written from is not found ({where}); "
        "give it with --config PLAN.toml"
    )


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
