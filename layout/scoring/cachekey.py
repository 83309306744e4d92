"""The score cache's key: one SHA-256 of everything the cached scores depend on.

`cache_key` hashes, in order:

* a format tag (`CACHE_FORMAT`) and the package version;
* the scoring code itself (`scoring_code_files`): every ``.py`` file of the floors the scores
  depend on -- the ground modules (``layout/*.py``: errors, settings, version) and the packages
  in `SCORING_FLOORS` (core, io, model, config, data, analysis, scoring) -- found by walking
  those folders and sorted by their path relative to the package, each hashed with that path.
  Nothing is listed by hand, so a renamed, moved or new module can never be missed, and a
  development checkout whose version string has not changed never serves scores of older code.
  The floors above scoring (allocation, products, cli) do not count: they use the scores but
  cannot change them (the floors import only downwards);
* the plan TOML text (the embedded plan's when the plan has no file), the catalog TOML text and
  the built-in construction rule table (it grades the ``construction_unsuitable`` flags);
* for each input of the plan, its name and the SHA-256 of its file -- of every sidecar file too
  for a Shapefile (``.dbf``, ``.prj``, ``.cpg`` ...).

Only files are hashed, never loaded or imported, so the key costs a few milliseconds (the
package's code is about 1 MB and the embedded data under 2 MB), with
`layout.io.files.file_sha256`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layout.errors import DataFileError, LayoutError
from layout.io.files import file_sha256
from layout.version import __version__

if TYPE_CHECKING:
    from layout.model.plan import PlanConfig

#: Version of the cache layout; bump it when the files or their meaning change.
CACHE_FORMAT = 1
#: The package folder whose code is hashed (`scoring_code_files`).
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
#: Subpackages (floors) whose code decides the scores, besides the ground modules.
SCORING_FLOORS: tuple[str, ...] = ("core", "io", "model", "config", "data", "analysis", "scoring")
#: Sidecar files of a Shapefile that are part of its input.
SIDECARS = (".shx", ".dbf", ".prj", ".cpg", ".qix")


def scoring_code_files(root: Path | None = None) -> list[Path]:
    """Every ``.py`` file the scores depend on, sorted by path relative to the package.

    The ground modules (``*.py`` directly in the package folder) and every ``.py`` file under
    the `SCORING_FLOORS` folders, at any depth.

    Parameters
    ----------
    root
        The package folder; `PACKAGE_ROOT` by default.

    Examples
    --------
    >>> names = [p.relative_to(PACKAGE_ROOT).as_posix() for p in scoring_code_files()]
    >>> "errors.py" in names, "scoring/suitability.py" in names, "cli/main.py" in names
    (True, True, False)
    >>> names == sorted(names)
    True
    """
    base = PACKAGE_ROOT if root is None else root
    files = [p for p in base.glob("*.py") if p.is_file()]
    for floor in SCORING_FLOORS:
        files.extend(p for p in (base / floor).rglob("*.py") if p.is_file())
    return sorted(files, key=lambda p: p.relative_to(base).as_posix())


def plan_data(
    plan: PlanConfig | str | os.PathLike[str] | None,
) -> tuple[Mapping[str, Any], Path | None, str]:
    """The plan's parsed TOML, the folder its relative paths start from, and its label.

    A `PlanConfig` gives its ``raw`` data; a path or None (the embedded plan) is parsed with
    `tomllib` only -- not validated, which would import the whole scoring stage. Both give the
    same data for the same file, hence the same key.
    """
    import tomllib

    from layout.config.plan import embedded_plan_path
    from layout.model.plan import PlanConfig

    if isinstance(plan, PlanConfig):
        base = plan.path.parent if plan.path is not None else None
        return plan.raw, base, plan.label
    file = embedded_plan_path() if plan is None else Path(plan)
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    return data, (None if plan is None else file.parent), (
        "embedded plan" if plan is None else file.name
    )


def input_files(data: Mapping[str, Any], base: Path | None) -> list[tuple[str, Path]]:
    """Every file a plan's inputs are read from, with the input name.

    Paths resolve as `layout.config.plan` resolves them: relative to the plan's folder; a
    Shapefile brings its sidecar files (`SIDECARS`).
    """
    from layout import settings
    from layout.model.layers import INPUT_NAMES

    raw = data.get("inputs", dict.fromkeys(INPUT_NAMES, "embedded"))
    files: list[tuple[str, Path]] = []
    for name in sorted(k for k in raw if k in INPUT_NAMES):
        value = raw[name]
        text = value.get("path") if isinstance(value, Mapping) else value
        if text == "embedded":  # also as a table: landuse = { path = "embedded", ... }
            path = settings.embedded_dem() if name == "dem" else settings.embedded_gpkg()
            files.append((name, path))
            continue
        path = Path(str(text))
        if base is not None and not path.is_absolute():
            path = base / path
        files.append((name, path))
        if path.suffix.lower() == ".shp":
            for ext in SIDECARS:
                for side in (path.with_suffix(ext), path.with_suffix(ext.upper())):
                    if side.exists():
                        files.append((f"{name}{ext}", side))
    return files


def catalog_file(data: Mapping[str, Any], base: Path | None) -> Path | None:
    """The catalog file a plan names, or None for the embedded catalog."""
    plan = data.get("plan", {})
    text = plan.get("catalog") if isinstance(plan, Mapping) else None
    if not text:
        return None
    path = Path(str(text))
    return base / path if base is not None and not path.is_absolute() else path


def _salient(plan: PlanConfig) -> str:
    """What of a validated plan decides the scores, as text."""
    return repr((
        plan.crs.to_string(), plan.resolution, plan.seed, plan.exclude,
        sorted(plan.weights.items()),
        sorted((k, sorted(v.items())) for k, v in plan.criteria.items()),
        sorted((k, repr(v)) for k, v in plan.industries.items()),
        sorted((k, repr(v)) for k, v in plan.inputs.items()), plan.catalog.source,
        *((plan.suitability.learned_weight,) if plan.suitability.learned_weight else ()),
    ))


def _overrides(plan: PlanConfig) -> str:
    """The salient fields of a plan changed after loading (``dataclasses.replace``), or ''."""
    from layout.config.plan import parse_plan

    try:
        loaded = parse_plan(plan.raw, path=plan.path)
    except LayoutError:
        return _salient(plan)
    mine = _salient(plan)
    return "" if mine == _salient(loaded) else mine




def cache_key(plan: PlanConfig | str | os.PathLike[str] | None = None) -> str:
    """The cache key of a plan: SHA-256 of code, plan, catalog and input files (hex).

    Parameters
    ----------
    plan
        A `PlanConfig`, a plan TOML path, or None for the embedded plan; a path is read with
        `tomllib` only (cheap), and gives the same key as the `PlanConfig` loaded from it. A
        `PlanConfig` changed after loading (``dataclasses.replace(plan, resolution=50)``) gets
        its changed fields into the key as well.

    Returns
    -------
    str
        64 hex digits; equal keys mean equal scores.

    Raises
    ------
    DataFileError
        An input file is missing.

    Examples
    --------
    >>> from layout.config.plan import load_plan
    >>> key = cache_key()
    >>> len(key), key == cache_key(load_plan())
    (64, True)
    """
    from importlib import resources

    from layout.model.plan import PlanConfig

    data, base, label = plan_data(plan)
    h = hashlib.sha256()

    def part(name: str, payload: bytes) -> None:
        h.update(name.encode("utf-8") + b"\0" + str(len(payload)).encode() + b"\0" + payload)

    part("format", str(CACHE_FORMAT).encode())
    part("version", __version__.encode())
    root = PACKAGE_ROOT
    for module in scoring_code_files(root):
        part(f"code:{module.relative_to(root).as_posix()}", module.read_bytes())
    part("plan", json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    if isinstance(plan, PlanConfig):  # changed after loading: the TOML data does not say it all
        changed = _overrides(plan)
        if changed:
            part("overrides", changed.encode())
    catalog = catalog_file(data, base)
    if catalog is None:
        part("catalog", resources.files("layout.config").joinpath("industries.toml").read_bytes())
    elif catalog.is_file():
        part("catalog", catalog.read_bytes())
    else:
        raise DataFileError(f"{catalog}: the catalog of {label} not found")
    # the construction_unsuitable flags are graded with the built-in rule table
    part("construction_rules",
         resources.files("layout.config").joinpath("construction_rules.toml").read_bytes())
    for name, path in input_files(data, base):
        if not path.exists():
            raise DataFileError(f"{path}: input {name!r} of {label} not found")
        part(f"input:{name}", file_sha256(path).encode())
    return h.hexdigest()
