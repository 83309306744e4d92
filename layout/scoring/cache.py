"""The score-raster cache: every industry's suitability scored once, reused by fast look-ups.

`layout check-site` answers in about a second because it never runs the scoring pipeline on a
warm cache: it reads raster windows and a few vector layers from a folder this module builds
once per plan and inputs.

Key
---
The folder name is `layout.scoring.cachekey.cache_key`: a SHA-256 of the cache format, the
package version, the scoring code (every module of the floors the scores depend on), the plan
and catalog TOML and the input files. Equal keys mean equal scores.

Location
--------
``$LAYOUT_CACHE_DIR/<key>/`` when that variable is set, else ``<user cache folder>/<key>/``
with the user cache folder of `platformdirs.user_cache_dir` for ``zz-layout``: on Linux
``$XDG_CACHE_HOME/zz-layout``, else ``~/.cache/zz-layout``; on macOS
``~/Library/Caches/zz-layout``; on Windows ``zz-layout/Cache`` in ``%LOCALAPPDATA%``
(`cache_root`). A cache is about 150 MB; after building one, `prune` keeps the `KEEP` (4) most
recently used in the root and deletes the others (any may be deleted by hand).

The root may be a folder shared with other files (``LAYOUT_CACHE_DIR`` pointed at a shared
folder): every folder the cache creates, the cache folders and their staging folders, holds the
marker file `MARKER`, and `prune` and `ensure_cache` delete only folders that hold it; anything
else in the root is never touched. Cache folders (and a root the cache creates) are private to
the user: mode 0700, set explicitly whatever the umask.

Contents
--------
``<code>_score.tif``, ``<code>_criteria.tif`` and ``<code>_flags.tif``
    For each of the catalog's industries, the bands, descriptions and tags of
    `layout.scoring.suitability.write_result` (the score 0--100; one band per criterion;
    uint16 constraint flags), stored for fast windowed reads
    (`layout.io.raster.FAST_READ`: band-interleaved ZSTD tiles of 128 pixels).
``quantiles.npz``
    For each industry ``<code>``: the `N_QUANTILES` + 1 quantiles of the score over the eligible
    cells of the study area (`layout.core.quantiles.quantile_table`: ``q_k = s[ceil(k n / K) -
    1]`` of the sorted scores ``s``, ``K = N_QUANTILES``) and ``<code>_n``, the number of those
    cells. `ScoreCache.percentile` turns them into a percentile within 0.005 percentile points
    of the exact one (`layout.core.quantiles.percentile_from_quantiles`).
``layers.gpkg``
    The ``boundary``, ``zones`` and ``constraints`` layers as the scoring stage saw them
    (validated, in the plan CRS), so a check uses the very layers the scores were made from;
    with a land-use layer, ``constraints`` also holds its farmland, water and ecological
    patches outside the drawn constraints, typed ``landuse_*`` and citing schema and code
    (`layout.analysis.landuse.limit_features`), so the site check lists them too; and the
    land-use layer itself, read and classified (``landuse``: code, schema, class and name), from
    which the site check gives each parcel its land-use codes by area.
``manifest.json``
    Key, package version, plan, input provenance, industries, grid and files.

Building
--------
On first use `ensure_cache` loads the inputs, scores every industry with one shared
`layout.analysis.context.CriteriaContext` (about 5 s on the embedded data) and logs so
(``logger.info``; `layout check-site` says so on stderr). The files are written into a
temporary folder next to the target which is renamed into place in one step (`os.replace` of a
folder), so a reader sees either no cache or a complete one, and two processes building at once
both end with a valid cache (the loser discards its copy). This is stronger than
`layout.io.staging.staged_output`, which moves files one by one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from layout.core.quantiles import N_QUANTILES, percentile_from_quantiles, quantile_table
from layout.errors import DataFileError, LayoutError
from layout.model.constraints import OUTSIDE_BIT
from layout.scoring.cachekey import CACHE_FORMAT, cache_key, catalog_file, plan_data
from layout.version import __version__

if TYPE_CHECKING:
    import geopandas as gpd

    from layout.model.catalog import Catalog
    from layout.model.plan import PlanConfig

logger = logging.getLogger(__name__)

#: Vector layers copied into the cache (``layers.gpkg``).
CACHED_LAYERS: tuple[str, ...] = ("boundary", "zones", "constraints", "landuse")
#: Caches kept in the cache root after a build (most recently used first; `prune`).
KEEP = 4
#: The application name of the user cache folder (`platformdirs.user_cache_dir`).
APP_NAME = "zz-layout"
#: The file in every folder the cache made (`prune` deletes only folders holding it).
MARKER = ".zz-layout-cache"
_MARKER_TEXT = "made by the score cache of zz-layout (layout.scoring.cache); safe to delete\n"
#: Mode of the folders the cache creates: private to the user.
FOLDER_MODE = 0o700
_MANIFEST = "manifest.json"
_QUANTILES = "quantiles.npz"
_LAYERS = "layers.gpkg"

Progress = Callable[[str], None]


def cache_root() -> Path:
    """The folder holding cache folders: ``$LAYOUT_CACHE_DIR``, else the user cache folder.

    The user cache folder is `platformdirs.user_cache_dir` of ``zz-layout`` (on Linux
    ``$XDG_CACHE_HOME/zz-layout`` or ``~/.cache/zz-layout``).

    Examples
    --------
    >>> import os
    >>> os.environ.get("LAYOUT_CACHE_DIR") is not None or cache_root().name == "zz-layout"
    True
    """
    env = os.environ.get("LAYOUT_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    # appauthor=False: no author folder on Windows (zz-layout/Cache in %LOCALAPPDATA%).
    return Path(user_cache_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class ScoreCache:
    """A complete cache folder.

    Attributes
    ----------
    key
        The cache key (`cache_key`).
    folder
        The folder holding the files.
    manifest
        The parsed ``manifest.json``.
    """

    key: str
    folder: Path
    manifest: Mapping[str, Any] = field(repr=False)

    @property
    def codes(self) -> tuple[str, ...]:
        """Industry codes with rasters in the cache."""
        return tuple(self.manifest["codes"])

    @property
    def crs(self) -> str:
        """The plan CRS (``EPSG:4547``), of the rasters and of the cached layers."""
        return str(self.manifest["crs"])

    @property
    def exclude(self) -> tuple[str, ...]:
        """Constraint types the plan excludes."""
        return tuple(self.manifest["exclude"])

    @property
    def exclude_bits(self) -> int:
        """Flag bits that exclude a cell: the plan's excluded types and ``outside_study_area``.

        The outside bit always excludes (`layout.scoring.suitability.ALWAYS_EXCLUDED`): it also
        marks cells inside the mask that the boundary cuts by more than a sliver, whose score
        is 0 like any excluded cell's; readers of the cache (the site check) then count the
        same eligible cells as the cached quantiles.
        """
        return int(self.manifest["exclude_bits"])

    @property
    def plan_label(self) -> str:
        """The plan file name, or ``embedded plan``."""
        return str(self.manifest["plan"])

    @cached_property
    def catalog(self) -> Catalog:
        """The plan's industry catalog (the one the scores were made with)."""
        from layout.config.catalog import load_catalog

        return load_catalog(self.manifest.get("catalog_path"))

    def score_path(self, code: str) -> Path:
        """``<code>_score.tif``: the score (its criteria in ``<code>_criteria.tif`` beside it)."""
        return self.folder / f"{code}_score.tif"

    def flags_path(self, code: str) -> Path:
        """``<code>_flags.tif``: uint16 constraint bit flags."""
        return self.folder / f"{code}_flags.tif"

    @property
    def layers_path(self) -> Path:
        """``layers.gpkg`` with the boundary, zones, constraints and land use in the plan CRS."""
        return self.folder / _LAYERS

    @cached_property
    def _quantiles(self) -> dict[str, NDArray[np.float64]]:
        with np.load(self.folder / _QUANTILES) as data:
            return {name: np.asarray(data[name]) for name in data.files}

    def quantiles(self, code: str) -> NDArray[np.float64]:
        """The stored score quantiles of one industry (`quantile_table`)."""
        return self._quantiles[code]

    def n_eligible(self, code: str) -> int:
        """Number of eligible cells the quantiles of ``code`` summarise."""
        return int(self._quantiles[f"{code}_n"])

    def percentile(
        self, code: str, value: float | NDArray[np.floating[Any]]
    ) -> NDArray[np.float64]:
        """Percentile of ``value`` among eligible cells' scores (`percentile_from_quantiles`)."""
        return percentile_from_quantiles(self.quantiles(code), value)

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """One of `CACHED_LAYERS` in the plan CRS (an empty frame when the plan has none)."""
        import geopandas as gpd
        import pyogrio

        if name not in CACHED_LAYERS:
            raise KeyError(f"no cached layer {name!r}; cached: {', '.join(CACHED_LAYERS)}")
        if not self.manifest["layers"].get(name):
            return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=self.manifest["crs"]))
        gdf = pyogrio.read_dataframe(self.layers_path, layer=name)
        gdf.attrs["source"] = str(self.manifest["sources"].get(name, name))
        return gdf


def _complete(folder: Path) -> dict[str, Any] | None:
    """The manifest of a complete cache folder, or None."""
    path = folder / _MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != CACHE_FORMAT:
        return None
    files = manifest.get("files", [])
    if not files or not all((folder / f).is_file() for f in files):
        return None
    return dict(manifest)


def open_cache(
    plan: PlanConfig | str | os.PathLike[str] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
) -> ScoreCache | None:
    """The plan's cache if it is complete, else None; nothing is built or validated.

    This is the fast path of a check: with a plan path (or None) it neither validates the plan
    nor imports the scoring stage. Any trouble reading the plan gives None, so that the caller
    falls back to `layout.config.plan.load_plan`, whose messages name the problem.
    """
    try:
        key = cache_key(plan)
    except (OSError, ValueError, LayoutError):
        return None
    folder = (Path(root) if root is not None else cache_root()) / key
    manifest = _complete(folder)
    if manifest is None:
        return None
    _touch(folder)
    return ScoreCache(key, folder, manifest)


def _touch(folder: Path) -> None:
    """Mark a cache as used now (its manifest's mtime orders caches for `prune`)."""
    with contextlib.suppress(OSError):  # a read-only cache is still usable
        os.utime(folder / _MANIFEST)


def ours(folder: Path) -> bool:
    """True when ``folder`` was made by the cache (it holds `MARKER`), not a symlink."""
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def prune(*, keep: int = KEEP, root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Delete all but the ``keep`` most recently used caches (and stale partial builds).

    Every change of code, plan or inputs makes a new cache of about 150 MB, so old ones are
    removed when a new one is built (`ensure_cache`). Only folders the cache made (`ours`) are
    looked at: whatever else the root holds is left alone. Returns the folders removed.
    """
    base = Path(root) if root is not None else cache_root()
    if not base.is_dir():
        return []
    now = time.time()
    caches, removed = [], []
    for folder in base.iterdir():
        if not ours(folder):
            continue
        if folder.name.endswith(".partial") and now - folder.stat().st_mtime > 3600:
            shutil.rmtree(folder, ignore_errors=True)  # a build that died an hour ago
            removed.append(folder)
        elif len(folder.name) == 64 and (folder / _MANIFEST).is_file():
            caches.append(((folder / _MANIFEST).stat().st_mtime, folder.name, folder))
    for _, _, folder in sorted(caches, reverse=True)[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def ensure_cache(
    plan: PlanConfig | str | os.PathLike[str] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    keep: int = KEEP,
) -> ScoreCache:
    """Return the plan's score cache, building it on first use.

    Parameters
    ----------
    plan
        A `PlanConfig`, a plan TOML path, or None for the embedded plan.
    root
        Folder holding cache folders; `cache_root` by default.
    progress
        Also called with each line of text logged (``logger.info``) while the cache is built
        (`layout check-site` prints them on stderr); None: logging only.
    keep
        After a build, keep this many most recently used caches in ``root`` (`prune`).

    Returns
    -------
    ScoreCache
        A complete cache.
    """
    from layout.config.plan import load_plan
    from layout.model.plan import PlanConfig

    if not isinstance(plan, PlanConfig):
        plan = load_plan(None if plan is None else Path(plan))
    key = cache_key(plan)
    base = Path(root) if root is not None else cache_root()
    folder = base / key
    manifest = _complete(folder)
    if manifest is not None:
        _touch(folder)
        return ScoreCache(key, folder, manifest)

    def say(message: str) -> None:
        logger.info("%s", message)
        if progress is not None:
            progress(message)

    say(
        f"building the score cache of {plan.label} in {folder} "
        "(first use for these inputs; scores every industry once, a few seconds)"
    )
    t0 = time.perf_counter()
    if not base.exists():
        base.mkdir(parents=True)
        os.chmod(base, FOLDER_MODE)  # a root we make is private; a given one is left as it is
    if folder.exists() and not ours(folder):
        raise DataFileError(
            f"{folder}: exists but was not made by the score cache; move it away or set "
            "LAYOUT_CACHE_DIR to another folder"
        )
    stage = Path(tempfile.mkdtemp(prefix=f".{key[:16]}.", suffix=".partial", dir=base))
    try:
        os.chmod(stage, FOLDER_MODE)
        (stage / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        _build(plan, key, stage)
        if folder.exists():  # an incomplete leftover of ours (files deleted by hand)
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(stage, folder)
        except OSError:
            if _complete(folder) is None:  # not a concurrent build that finished first
                raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    manifest = _complete(folder)
    if manifest is None:  # pragma: no cover - the rename above either worked or raised
        raise DataFileError(f"{folder}: the score cache could not be completed")
    removed = prune(keep=keep, root=base)
    gone = f"; removed {len(removed)} older cache(s)" if removed else ""
    say(f"score cache ready ({time.perf_counter() - t0:.1f} s{gone})")
    return ScoreCache(key, folder, manifest)


def _build(plan: PlanConfig, key: str, stage: Path) -> None:
    """Score every industry and write the cache files into ``stage``."""
    import pyogrio

    from layout.analysis.context import CriteriaContext
    from layout.data.inputs import load_inputs
    from layout.io.raster import FAST_READ
    from layout.model.criteria import CRITERIA, LEARNED, contribution_group, contribution_label
    from layout.scoring.suitability import score, write_result

    inputs = load_inputs(plan)
    ctx = CriteriaContext(inputs)
    codes = list(plan.catalog.codes)
    files: list[str] = []
    quantiles: dict[str, NDArray[Any]] = {}
    weights: dict[str, dict[str, float]] = {}
    # Scoring shares one context and runs in this thread; GDAL compresses the GeoTIFFs of the
    # previous industries in worker threads meanwhile (it releases the GIL): about 2x faster.
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = []
        for code in codes:
            result = score(inputs, industry=code, context=ctx)
            pending.append(pool.submit(write_result, result, stage, storage=FAST_READ))
            eligible = result.score[result.eligible]
            quantiles[code] = quantile_table(eligible)
            quantiles[f"{code}_n"] = np.array(eligible.size, dtype=np.int64)
            weights[code] = dict(result.weights)
        for future in pending:
            for path in future.result():
                os.chmod(path, 0o644)
                files.append(path.name)
    np.savez(stage / _QUANTILES, **quantiles)  # type: ignore[arg-type]
    files.append(_QUANTILES)
    from layout.analysis.landuse import with_features, with_landuse_limits

    counts: dict[str, int] = {}
    for name in CACHED_LAYERS:
        gdf = inputs.layer(name)
        if name == "constraints" and "landuse" in inputs.layers:
            gdf = with_landuse_limits(gdf, inputs.layers["landuse"])
        if name == "constraints" and len(ctx.construction_features):
            gdf = with_features(gdf, ctx.construction_features)
        counts[name] = len(gdf)
        if len(gdf):
            pyogrio.write_dataframe(gdf, stage / _LAYERS, layer=name, driver="GPKG")
    if any(counts.values()):
        files.append(_LAYERS)
    g = inputs.grid
    data, base, _ = plan_data(plan)
    catalog = catalog_file(data, base)
    manifest = {
        "format": CACHE_FORMAT,
        "key": key,
        "package_version": __version__,
        "plan": plan.label,
        "plan_name": plan.name,
        "plan_name_en": plan.name_en,
        "catalog_path": None if catalog is None else str(catalog.resolve()),
        "crs": plan.crs.to_string(),
        "resolution_m": g.cell,
        "grid": {"nrows": g.nrows, "ncols": g.ncols, "x0": g.x0, "y_top": g.y_top},
        "codes": codes,
        "exclude": list(plan.exclude),
        "exclude_bits": plan.exclude_mask_bits | OUTSIDE_BIT,
        "weights": weights,
        # labels for reports, so that a check need not import layout.analysis.criteria
        # (scipy.signal)
        "criteria": {
            name: {"label_en": c.label_en, "label_zh": c.label_zh, "group": c.group}
            for name, c in CRITERIA.items()
        } | {LEARNED: {"label_en": contribution_label(LEARNED, "en"),
                       "label_zh": contribution_label(LEARNED, "zh"),
                       "group": contribution_group(LEARNED)}},
        "quantiles": N_QUANTILES,
        "pipelines": _pipelines(plan.crs),
        "layers": counts,
        "sources": dict(inputs.sources),
        "files": sorted(files),
    }
    (stage / _MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
    )
    os.chmod(stage, FOLDER_MODE)


#: Input CRSs whose transformation to the plan CRS is stored in the manifest; with them the
#: plan CRS itself and, for a CGCS2000 Gauss-Kruger zone, the same zone with / without prefix.
PIPELINE_CRSS: tuple[str, ...] = ("EPSG:4326", "EPSG:4490")


def _pipelines(target: Any) -> dict[str, Any]:
    """PROJ pipelines from the usual input CRSs to the plan CRS (x/y order).

    Searching PROJ's database for the operation costs about 0.1 s per process, a tenth of a
    one-parcel check; a transformer made from the stored pipeline text is identical and costs
    nothing. They are only used with the PROJ version that wrote them.
    """
    import pyproj
    from pyproj import Transformer

    from layout.io.gkzones import zone_crss

    out: dict[str, Any] = {"proj_version": pyproj.proj_version_str}
    for code in dict.fromkeys([*PIPELINE_CRSS, *zone_crss(target)]):
        tr = Transformer.from_crs(code, target, always_xy=True)
        out[code] = tr.definition
    return out
