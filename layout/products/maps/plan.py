"""All the maps of a plan folder: the overview with every site, and one map per industry.

`write_plan_maps` reads what ``layout plan`` wrote (docs/plan_outputs.md) -- ``plan.gpkg``
(layer ``sites``) and ``suitability/<code>_score.tif`` / ``<code>_flags.tif``, through
`layout.products.planfolder.read_plan` -- together with the plan's input layers, and writes
into one folder:

========================  =====================================================================
``overview.html``/.png    boundaries, zones, enterprises by industry, constraints, transport and
                          every industry's recommended sites
``industry_<code>.html``  the industry's suitability surface, exclusion reasons and sites
``industry_<code>.png``   the same as a static figure for the report
``tiles/<code>/``         for a grid of 2,400 cells or more on its long side: the surface as
                          XYZ tiles ``{z}/{x}/{y}.png`` the HTML loads by relative URLs
                          (`layout.products.maps.tiles`)
========================  =====================================================================

The maps replace their folder as a whole (`layout.io.staging.replace_folders`): all together or
not at all, and never over a folder holding files layout did not write.

What the maps accept as a plan folder (docs/plan_outputs.md):

* a folder written by ``layout plan`` (it has ``manifest.json``, or a ``plan.gpkg`` with the
  plan's layers): it must be complete -- the manifest readable, every file it lists present --
  or the maps refuse it, naming the file, rather than leave an industry out;
* a folder of scores without a manifest, as ``layout score --out DIR/suitability`` writes:
  ``suitability/<code>_score.tif`` with its ``<code>_flags.tif``, and optionally a
  ``plan.gpkg`` holding only a ``sites`` layer; the industries found are mapped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd

from layout.errors import DataFileError
from layout.io.staging import OutputFolder, replace_folders
from layout.products.manifest import manifest_config
from layout.products.maps.style import TEXT, check_lang, industry_order
from layout.progress import track

__all__ = [
    "MAP_NAMES",
    "TILES",
    "PlanMapsInputs",
    "manifest_config",
    "manifest_title",
    "maps_folder",
    "plan_title",
    "read_plan_maps_inputs",
    "write_maps_files",
    "write_plan_maps",
]

logger = logging.getLogger(__name__)

#: Folder of the industry maps' tile pyramids (``tiles/<code>/{z}/{x}/{y}.png``), for grids
#: too large for one inline image (`layout.products.maps.tiles`).
TILES = "tiles"
#: The files of a maps folder (glob patterns): a folder holding only these is a maps folder.
MAP_NAMES: tuple[str, ...] = ("overview.html", "overview.png", "industry_*.html",
                              "industry_*.png", f"{TILES}/*/*/*/*.png")


def maps_folder(path: str | os.PathLike[str], *, option: str = "--out") -> OutputFolder:
    """The maps folder at ``path`` as an output replaced as a whole (`replace_folders`)."""
    return OutputFolder(Path(path), "maps", option, MAP_NAMES)


class PlanMapsInputs(NamedTuple):
    """The files of a plan folder the maps draw (`read_plan_maps_inputs`)."""

    #: ``suitability/<code>_score.tif`` by industry code.
    scores: dict[str, Path]
    #: Layer ``sites`` of ``plan.gpkg`` (None when there is none).
    sites: gpd.GeoDataFrame | None
    #: ``manifest.json`` as read (None when missing or unreadable in a partial folder).
    manifest: Any


def read_plan_maps_inputs(plan_dir: str | os.PathLike[str]) -> PlanMapsInputs:
    """What the maps draw of a plan folder: score rasters by industry, sites and manifest.

    A folder written by ``layout plan`` is read by `layout.products.planfolder.read_plan` and
    must be complete; a folder of scores without a manifest is read file by file (module
    docstring).

    Raises
    ------
    DataFileError
        A plan folder whose manifest is missing or unreadable, or lacks a file its manifest
        lists; a score raster without its flags raster; a ``plan.gpkg`` whose ``sites`` layer
        cannot be read or has no CRS. The message names the file and says to re-run
        ``layout plan``.
    """
    from layout.products.planfolder import PLAN_LAYERS, read_plan, read_sites, score_paths

    folder = Path(plan_dir)
    again = f"re-run `layout plan --out {folder}` to write it again"
    if (folder / "manifest.json").exists() or set(PLAN_LAYERS) <= _layers(folder / "plan.gpkg"):
        try:
            plan = read_plan(folder)
        except DataFileError as exc:
            raise DataFileError(f"{exc}; {again}") from None
        listed = plan.manifest.get("files") if isinstance(plan.manifest, dict) else None
        for rel in listed if isinstance(listed, list) else []:
            if not (folder / str(rel)).is_file():
                raise DataFileError(
                    f"{folder / str(rel)}: missing (manifest.json lists it); {again}"
                )
        scores, sites, manifest = dict(plan.scores), plan.sites, plan.manifest
    else:
        scores, sites, manifest = score_paths(folder), read_sites(folder, required=False), None
    for code, path in scores.items():
        flags = path.with_name(f"{code}_flags.tif")
        if not flags.is_file():
            raise DataFileError(f"{flags}: missing (the maps need it with {path.name}); {again}")
    return PlanMapsInputs(scores, sites, manifest)


def _layers(gpkg: Path) -> set[str]:
    """Layer names of a GeoPackage; none when it is missing or unreadable."""
    if not gpkg.is_file():
        return set()
    import pyogrio
    from pyogrio.errors import DataSourceError

    try:
        return {str(name) for name, _ in pyogrio.list_layers(gpkg)}
    except DataSourceError:
        return set()


def manifest_title(manifest: Any, lang: str) -> str | None:
    """The name a plan folder was written under (``title``/``title_en`` of its manifest).

    It is the name the plan's report shows: a variant's or ``--title``'s, which the TOML the
    manifest names may not hold. None for a manifest written before it, or none at all.

    Examples
    --------
    >>> manifest_title({"title": "变体", "title_en": "Variant"}, "en")
    'Variant'
    >>> manifest_title({"config": "plan.toml"}, "zh") is None
    True
    """
    key = "title" if check_lang(lang) == "zh" else "title_en"
    value = manifest.get(key) if isinstance(manifest, dict) else None
    return value if isinstance(value, str) and value else None


def plan_title(config: str | os.PathLike[str] | None, lang: str) -> str:
    """The plan's name in ``lang`` from its TOML (the embedded plan when None)."""
    from layout.config.plan import load_plan

    plan = load_plan(None if config is None else Path(config))
    name = plan.name if lang == "zh" else plan.name_en
    return name or TEXT[check_lang(lang)]["default_title"]


#: State shared with the map-writing workers (inherited by fork).
_JOB: dict[str, Any] = {}


def _write_one(job: str) -> list[str]:
    """Write the overview (``job == "overview"``) or one industry's map and PNG into the stage."""
    from layout.io.scoreraster import ScoreRaster
    from layout.products.maps.basemap import resolve_basemap, shift_bounds
    from layout.products.maps.industry import industry_map
    from layout.products.maps.industry_figure import industry_png
    from layout.products.maps.offline import save_map
    from layout.products.maps.overview import overview_map
    from layout.products.maps.overview_figure import overview_png
    from layout.products.maps.surface import read_surface, surface_image
    from layout.products.maps.tiles import needs_tiles, write_tiles

    st = _JOB
    stage: Path = st["stage"]
    common = {"title": st["title"], "lang": st["lang"], "date": st["date"], "sites": st["sites"]}
    if job == "overview":
        m = overview_map(st["layers"], basemap=st["basemap"], crs=st["crs"], **common)
        save_map(m, stage / "overview.html", cdn=st["cdn"])
        if not st["png"]:
            return ["overview.html"]
        overview_png(st["layers"], stage / "overview.png", crs=st["crs"], **common)
        return ["overview.html", "overview.png"]
    surface = read_surface(st["scores"][job])  # decimated when large: never the whole grid
    image, pyramid = surface_image(surface), None
    with ScoreRaster(st["scores"][job]) as raster:
        shape = (raster.profile["height"], raster.profile["width"])
    if needs_tiles(shape):
        _, shift = shift_bounds(image.bounds, resolve_basemap(st["basemap"], lang=st["lang"]))
        pyramid = write_tiles(
            st["scores"][job], stage / TILES / job, image=image,
            exclude_bits=surface.exclude_bits, url=f"{TILES}/{job}/{{z}}/{{x}}/{{y}}.png",
            shift=shift,
        )
    m = industry_map(surface, layers=st["layers"], basemap=st["basemap"],
                     score_path=st["scores"][job], image=image, tiles=pyramid, **common)
    save_map(m, stage / f"industry_{job}.html", cdn=st["cdn"])
    if not st["png"]:
        return [f"industry_{job}.html"]
    industry_png(surface, stage / f"industry_{job}.png", layers=st["layers"], **common)
    return [f"industry_{job}.html", f"industry_{job}.png"]


def _map_jobs(jobs: list[str]) -> list[list[str]]:
    """Write the maps, in forked worker processes when there are several cores; in job order."""
    workers = min(os.cpu_count() or 1, 4, len(jobs))
    if workers <= 1:
        return [_write_one(j) for j in jobs]
    from layout.core.workers import fork_map

    return fork_map(_write_one, jobs, workers=workers)  # no worker outlives an interruption


def write_plan_maps(
    plan_dir: str | os.PathLike[str],
    *,
    out_dir: str | os.PathLike[str],
    lang: str = "zh",
    cdn: bool = False,
    basemap: str | None = None,
    date: str | dt.date | None = None,
    title: str | None = None,
    config: str | os.PathLike[str] | None = None,
    png: bool = True,
) -> list[Path]:
    """Write the overview map and one map per industry of a plan folder, as HTML and PNG.

    Parameters
    ----------
    plan_dir
        Folder written by ``layout plan``: ``plan.gpkg`` (layer ``sites``; optional) and
        ``suitability/<code>_score.tif`` with ``<code>_flags.tif`` for each industry mapped.
    out_dir
        Folder for the maps (created if missing; ``layout plan`` and ``layout map`` use
        ``maps/``).
    lang
        ``"zh"`` (default) or ``"en"``.
    cdn
        Link Leaflet from a CDN instead of inlining it (smaller; needs a network).
    basemap
        ``None``/``"none"`` (default, offline), ``"osm"``, ``"tianditu"`` (the key is
        given when the map is viewed, never written: docs/security.md) or ``"gaode"``
        (overlays converted to GCJ-02).
    date
        Date shown in the titles; None shows none (the maps never read the clock).
    title
        The plan's name; default: the name the plan folder was written under (``title`` or
        ``title_en`` of ``plan_dir/manifest.json``: a variant's name or ``--title``), else
        the name in the plan TOML (``config``, else the one the manifest names, else the
        embedded plan).
    config
        The plan TOML whose input layers are drawn; default: the one the manifest records
        (`layout.products.manifest.manifest_config`: its absolute path, else its path relative
        to ``plan_dir``).  Only a plan folder of the embedded plan draws the embedded layers
        (`layout.io.embedded.load_all`).
    png
        Also write the static PNGs.

    Returns
    -------
    list of Path
        The files written, overview first, then industries in catalog order.

    Raises
    ------
    DataFileError
        ``plan_dir`` is not a plan folder, or an incomplete one (`read_plan_maps_inputs`); its
        manifest names a plan TOML that is found neither at its absolute path nor relative to
        ``plan_dir``, and ``config`` is not given.
    OutputFolderError
        ``out_dir`` cannot be replaced (`layout.io.staging.check_outputs`): it holds
        ``plan_dir`` or ``config``, files layout did not write, or cannot be written.
    """
    out = Path(out_dir)
    inputs = [Path(plan_dir)] + ([Path(config)] if config is not None else [])
    with replace_folders([maps_folder(out)], inputs=inputs) as (stage,):
        names = write_maps_files(plan_dir, stage, lang=lang, cdn=cdn, basemap=basemap,
                                 date=date, title=title, config=config, png=png)
    return [out / name for name in names]


def write_maps_files(
    plan_dir: str | os.PathLike[str],
    folder: Path,
    *,
    lang: str = "zh",
    cdn: bool = False,
    basemap: str | None = None,
    date: str | dt.date | None = None,
    title: str | None = None,
    config: str | os.PathLike[str] | None = None,
    png: bool = True,
) -> list[str]:
    """Write the maps of ``plan_dir`` into ``folder`` as it is (a staging folder); their names.

    The options are those of `write_plan_maps`, which calls it inside a staging folder, as
    `layout.products.outputs.plan_outputs` does.
    """
    from layout.io import embedded as datasets

    check_lang(lang)
    plan_dir = Path(plan_dir)
    scores, sites, manifest = read_plan_maps_inputs(plan_dir)
    if not scores and sites is None:
        raise DataFileError(
            f"{plan_dir}: not a plan folder (no plan.gpkg and no suitability/<code>_score.tif); "
            "run `layout plan` first, or give the folder it wrote"
        )
    if config is None and isinstance(manifest, dict):
        # Raises rather than draw the embedded layers under another plan's sites.
        config = manifest_config(manifest, plan_dir)
    if config is None:
        from layout.config.plan import load_plan

        layers, crs = datasets.load_all(), load_plan(None).crs
    else:
        from layout.data.inputs import load_inputs

        inputs = load_inputs(Path(config), chunked=True)  # the layers only
        layers, crs = dict(inputs.layers), inputs.plan.crs
    if title is None:
        title = manifest_title(manifest, lang) or plan_title(config, lang)

    jobs = ["overview", *industry_order(list(scores))]
    _JOB.update(layers=layers, sites=sites, title=title, lang=lang, date=date, crs=crs,
                basemap=basemap, cdn=cdn, png=png, scores=scores, stage=folder)
    names: list[str] = []
    try:
        for written in track(_map_jobs(jobs), stage="drawing maps", total=len(jobs)):
            names += written
    finally:
        _JOB.clear()
    return names
