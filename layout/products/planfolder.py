"""The plan folder: its one writer (`write_plan`) and its one reader (`read_plan`).

``layout plan`` writes ``plan.gpkg`` (layers ``sites``, ``zone_industries``, ``allocation``,
``zones``, and the QGIS ``layer_styles``), QML styles and the QGIS project ``plan.qgz``
(`layout.products.qgis`), the score rasters and ``measures.csv`` under ``suitability/``,
``allocation.csv``, the report (``report.md``, ``report.html``), ``manifest.json`` and
``timings.json`` into one folder
(docs/plan_outputs.md). Nothing else writes these files, and the review helpers read them back
only through `read_plan` (`PlanOutputs`; `site_row` finds a site). `write_plan` replaces the
folder as a whole (`layout.io.staging.replace_folders`): a failed or interrupted run leaves the
previous folder as it was. The same plan writes the same bytes: no clock time reaches the files
but ``timings.json``, which holds the stage times and nothing else.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from layout.errors import DataFileError, LayoutError, Problem, ValidationError
from layout.io.scoreraster import SuitabilitySurface, read_surface
from layout.io.staging import OutputFolder, replace_folders
from layout.model.constraints import CONSTRAINT_BITS
from layout.products.manifest import read_manifest

if TYPE_CHECKING:  # the writer's stages are imported when it writes: reading stays light
    from layout.allocation.result import PlanResult
    from layout.model.plan import PlanConfig
    from layout.products.report.maps import MapLink

logger = logging.getLogger(__name__)

#: Constraint type of each flag bit, for score rasters whose flags carry no tags.
BIT_NAMES: dict[int, str] = {bit: name for name, bit in CONSTRAINT_BITS.items()}

#: Fixed GeoPackage timestamps, so that the same plan writes the same file contents.
_GPKG_DATE = "2012-04-24T00:00:00Z"

#: The files a plan folder holds (glob patterns): a folder holding only these is a plan folder.
PLAN_NAMES: tuple[str, ...] = (
    "plan.gpkg", "allocation.csv", "redevelopment.csv", "report.md", "report.html",
    "manifest.json", "timings.json",
    "suitability/*_score.tif", "suitability/*_criteria.tif", "suitability/*_flags.tif",
    "suitability/measures.csv", "plan_*.qml", "suitability/*.qml", "plan.qgz",
)
#: The files ``layout score`` writes into its folder, and the raster styles ``layout plan``
#: writes beside them: a plan's ``suitability`` folder (the default ``--out`` of ``layout
#: score``) is a score folder.
SCORE_NAMES: tuple[str, ...] = (
    "*_score.tif", "*_criteria.tif", "*_flags.tif", "measures.csv", "*.qml",
)


def plan_folder(path: str | os.PathLike[str], *, option: str = "--out") -> OutputFolder:
    """The plan folder at ``path`` as an output replaced as a whole (`replace_folders`)."""
    return OutputFolder(Path(path), "plan", option, PLAN_NAMES)


def scores_folder(path: str | os.PathLike[str], *, option: str = "--out") -> OutputFolder:
    """A folder of score rasters (``layout score``) as an output replaced as a whole."""
    return OutputFolder(Path(path), "scores", option, SCORE_NAMES)


def plan_input_files(plan: PlanConfig) -> list[Path]:
    """The files a plan reads: its TOML, its catalog and every input layer's file.

    No output folder may hold one of them (`layout.io.staging.check_outputs`).
    """
    found = [spec.path for spec in plan.inputs.values() if spec.path is not None]
    if plan.path is not None:
        found.append(plan.path)
    catalog = Path(plan.catalog.source)
    if catalog.suffix == ".toml" and catalog.is_file():
        found.append(catalog)
    return [Path(p) for p in found]

# --- writing -------------------------------------------------------------------------------


def _round(df: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(digits)
    return out


def write_plan(
    result: PlanResult, out_dir: str | Path, *, timings: Mapping[str, float] | None = None
) -> list[Path]:
    """Write every output of a plan into ``out_dir``, replacing the folder as a whole.

    The folder must be new, empty or a plan folder (`layout.io.staging.check_outputs`); it is
    replaced only when every file was written, so a failed run leaves it as it was.

    Returns
    -------
    list of Path
        The files written, in ``out_dir``.
    """
    out = Path(out_dir)
    with replace_folders([plan_folder(out)], inputs=plan_input_files(result.inputs.plan)) as (
        stage,
    ):
        rels = write_plan_files(result, stage, timings=timings, out=out)
    return [out / r for r in rels]


def write_plan_files(
    result: PlanResult,
    folder: Path,
    *,
    timings: Mapping[str, float] | None = None,
    out: Path | None = None,
) -> list[str]:
    """Write the plan's files into ``folder`` as it is (a staging folder); return their names.

    `write_plan` and `layout.products.outputs.plan_outputs` call it inside a staging folder;
    ``out`` is the folder's final place (default ``folder``), from which ``manifest.json``
    records the plan TOML's relative path.
    """
    from layout.allocation.zones import zone_layer
    from layout.analysis.landuse import industrial_land_mu, infill_patches
    from layout.analysis.measures import agglomeration_table
    from layout.io.csvsafe import write_csv
    from layout.products.manifest import manifest_text
    from layout.products.qgis.names import with_names
    from layout.products.qgis.project import write_project
    from layout.products.qgis.styles import write_styles
    from layout.scoring.suitability import write_result

    rels: list[str] = []
    stage = folder
    try:
        suit = stage / "suitability"
        suit.mkdir()
        if result.score_files:  # a chunked plan: its engine wrote the rasters already
            for paths in result.score_files.values():
                for p in paths:
                    os.replace(p, suit / Path(p).name)
                    rels.append(f"suitability/{Path(p).name}")
        else:
            for res in result.results.values():
                for p in write_result(res, suit):
                    rels.append(f"suitability/{p.name}")
        inputs = result.inputs
        table = agglomeration_table(
            inputs.layer("enterprises"),
            counties=inputs.layer("counties"),
            zones=inputs.layer("zones"),
            grid=inputs.grid,
            industries=list(inputs.plan.catalog.codes),
            hotspot_z={
                c: r.raw["hotspot"] for c, r in result.results.items() if "hotspot" in r.raw
            },
        )
        write_csv(table, suit / "measures.csv", float_format="%.6g")
        rels.append("suitability/measures.csv")

        gpkg = stage / "plan.gpkg"
        catalog = inputs.plan.catalog
        names = {c: (catalog.industry(c).name_zh, catalog.industry(c).name_en)
                 for c in catalog.codes}
        counties = inputs.layer("counties")
        county_names = {str(a): (str(z), str(e)) for a, z, e in zip(
            counties["adcode"], counties["name_zh"], counties["name_en"], strict=True)}

        def named(table: pd.DataFrame) -> pd.DataFrame:
            return with_names(_round(table), industries=names, counties=county_names)

        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
        try:
            sites = named(result.sites)
            sites["stable"] = sites["stable"].astype(bool)
            pyogrio.write_dataframe(sites, gpkg, layer="sites")
            pyogrio.write_dataframe(named(result.zone_industries), gpkg, layer="zone_industries")
            pyogrio.write_dataframe(named(result.allocation), gpkg, layer="allocation")
            landuse = inputs.layers.get("landuse")
            zones = zone_layer(inputs.layer("zones"), result.allocation,
                               codes=list(inputs.plan.catalog.codes),
                               industrial_mu=None if landuse is None else industrial_land_mu(
                                   landuse, inputs.layer("zones")))
            pyogrio.write_dataframe(_round(zones), gpkg, layer="zones")
            if landuse is not None:
                infill = infill_patches(landuse, inputs.layer("enterprises"),
                                        inputs.layer("zones"))
                pyogrio.write_dataframe(_round(infill), gpkg, layer=INFILL,
                                        geometry_type="MultiPolygon", promote_to_multi=True)
            # QGIS: QML styles next to the files, layer_styles in plan.gpkg, plan.qgz
            styled = {c: (*names[c], catalog.industry(c).color) for c in catalog.codes}
            layers = [str(n) for n, _ in pyogrio.list_layers(gpkg)]
            qml = write_styles(stage, industries=styled, layers=layers)
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        rels += ["plan.gpkg", *qml]
        rels.append(write_project(stage, industries=styled, layers=layers, crs=inputs.grid.crs,
                                  title=inputs.plan.name))

        write_csv(named(result.allocation), stage / "allocation.csv", float_format="%.3f")
        rels.append("allocation.csv")
        if len(result.redevelopment):
            write_csv(result.redevelopment.reset_index(), stage / "redevelopment.csv",
                      float_format="%.3f")
            rels.append("redevelopment.csv")
        rels += write_report(result, stage)
        times = dict(timings or result.timings)
        clock = {"stage_seconds": {k: round(v, 3) for k, v in times.items()},
                 "solver_seconds": round(result.solution.seconds, 3)}
        (stage / "timings.json").write_text(  # apart from the manifest: the one file that varies
            json.dumps(clock, indent=2) + "\n", encoding="utf-8"
        )
        rels += ["timings.json", "manifest.json"]
        (stage / "manifest.json").write_text(
            manifest_text(result, rels, out=folder if out is None else out), encoding="utf-8"
        )
    except OSError as exc:  # disk full, quota: one line naming the file (DataFileError is one)
        if isinstance(exc, LayoutError):
            raise
        raise DataFileError(
            f"{exc.filename or folder}: cannot write it ({exc.strerror or exc}); check the free "
            "space and permissions there"
        ) from None
    return rels


def write_report(
    result: PlanResult, folder: Path, *, maps: Sequence[MapLink] = ()
) -> list[str]:
    """Write ``report.md`` and ``report.html`` of the plan into ``folder``; their names.

    ``maps`` are the maps written with the plan, linked from ``report.html``
    (`layout.products.report.maps.map_links`); none says that no maps were written.
    `layout.products.outputs.PlanOutputWriter.write_maps` writes the report again, with its
    maps, once they are drawn.
    """
    from layout.products.report import plan_blocks, render_html, render_markdown

    blocks = plan_blocks(result)
    (folder / "report.md").write_text(render_markdown(blocks), encoding="utf-8")
    (folder / "report.html").write_text(
        render_html(blocks, title=result.inputs.plan.name, maps=maps), encoding="utf-8"
    )
    return ["report.md", "report.html"]


# --- reading -------------------------------------------------------------------------------

#: The layers of ``plan.gpkg`` (docs/plan_outputs.md).
#: The layer of ``plan.gpkg`` with the recommended sites.
SITES = "sites"
PLAN_LAYERS: tuple[str, ...] = (SITES, "zone_industries", "allocation")
#: The layer of ``plan.gpkg`` with each zone's result; plan folders before it lack it.
ZONES = "zones"
#: The layer of ``plan.gpkg`` with the land-use layer's industrial patches holding no firm
#: (written only when the plan has a land-use layer).
INFILL = "landuse_infill"


class UnknownSiteError(LayoutError, KeyError):
    """A site id that is not in the sites table (the message suggests the closest ids)."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class PlanOutputs:
    """What ``layout plan`` (`layout.products.planfolder.write_plan`) wrote into one folder.

    Attributes
    ----------
    folder
        The plan folder.
    sites
        Layer ``sites`` of ``plan.gpkg``: one row per recommended site, in the plan CRS.
    zone_industries
        Layer ``zone_industries``: every zone's industries ranked by mean score.
    allocation
        Layer ``allocation``: land per industry and zone (mu, ha).
    zones
        Layer ``zones``: each zone's polygon with its allocated land per industry, capacity,
        remaining land and leading industries (empty for a folder written before it).
    infill
        Layer ``landuse_infill``: industrial patches of the land-use layer with no enterprise
        inside (empty when the plan has no land-use layer).
    manifest
        ``manifest.json``: package version, config and input hashes, seed, stage times, solver.
    report, report_md
        ``report.html`` and ``report.md`` (None when absent).
    scores
        ``suitability/<code>_score.tif`` by industry code.
    measures
        ``suitability/measures.csv``, today's agglomeration statistics (empty when absent).
    """

    folder: Path
    sites: gpd.GeoDataFrame
    zone_industries: pd.DataFrame
    allocation: pd.DataFrame
    manifest: Mapping[str, Any]
    report: Path | None = None
    report_md: Path | None = None
    scores: Mapping[str, Path] = field(default_factory=dict)
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    zones: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)
    infill: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)

    def site(self, site_id: str) -> pd.Series:
        """The row of ``sites`` for ``site_id`` (`UnknownSiteError` naming the closest ids)."""
        return site_row(self.sites, site_id)

    def surface(self, industry: str) -> SuitabilitySurface:
        """The industry's score and flags rasters (`layout.io.scoreraster.read_surface`)."""
        return read_surface(self.score_path(industry), bit_names=BIT_NAMES)

    def score_path(self, industry: str) -> Path:
        """``suitability/<industry>_score.tif`` (`DataFileError` when the plan has none)."""
        if industry not in self.scores:
            raise DataFileError(
                f"{self.folder / 'suitability'}: no {industry}_score.tif; the folder has "
                f"scores for {', '.join(self.scores) or 'no industry'}"
            )
        return self.scores[industry]


def read_plan(plan_dir: str | os.PathLike[str]) -> PlanOutputs:
    """Open a plan folder as a reviewer does: tables, manifest, report and rasters.

    Parameters
    ----------
    plan_dir
        A folder written by ``layout plan`` or `layout.products.planfolder.write_plan`.

    Returns
    -------
    PlanOutputs
        The layers of ``plan.gpkg``, the manifest and the paths of the other outputs.

    Raises
    ------
    DataFileError
        The folder, ``plan.gpkg`` (or one of its layers) or ``manifest.json`` is missing or
        unreadable; the message names the file.

    Examples
    --------
    >>> read_plan("no/such/plan")
    Traceback (most recent call last):
    ...
    layout.errors.DataFileError: no/such/plan: no plan.gpkg here; run `layout plan --out ...
    """
    folder = Path(plan_dir)
    gpkg = folder / "plan.gpkg"
    if not gpkg.is_file():
        raise DataFileError(
            f"{folder}: no plan.gpkg here; run `layout plan --out {folder}` first, or give the "
            "folder it wrote"
        )
    try:
        present = {str(name) for name, _ in pyogrio.list_layers(gpkg)}
        missing = [name for name in PLAN_LAYERS if name not in present]
        if missing:
            raise DataFileError(
                f"{gpkg}: no layer {', '.join(map(repr, missing))} (it has "
                f"{', '.join(sorted(present))}); was it written by `layout plan`?"
            )
        names = [*PLAN_LAYERS, *(n for n in (ZONES, INFILL) if n in present)]
        tables = {name: pyogrio.read_dataframe(gpkg, layer=name) for name in names}
    except (DataSourceError, DataLayerError) as exc:
        raise DataFileError(f"{gpkg}: cannot read it ({exc})") from None
    sites = tables["sites"]
    if sites.crs is None:
        raise DataFileError(f"{gpkg}:sites has no CRS; the plan stage writes the plan CRS")
    sites.attrs["source"] = f"{gpkg.name}:sites"
    manifest = read_manifest(folder)
    scores = score_paths(folder)
    measures_path = folder / "suitability" / "measures.csv"
    measures = pd.DataFrame()
    if measures_path.is_file():  # text as written (adcodes stay text), NaN written as ""
        measures = pd.read_csv(measures_path, dtype=str, keep_default_na=False)
        if "value" in measures.columns:
            measures["value"] = pd.to_numeric(measures["value"], errors="coerce")
    return PlanOutputs(
        folder=folder,
        sites=sites,
        zone_industries=pd.DataFrame(tables["zone_industries"]),
        allocation=pd.DataFrame(tables["allocation"]),
        manifest=manifest,
        report=(folder / "report.html") if (folder / "report.html").is_file() else None,
        report_md=(folder / "report.md") if (folder / "report.md").is_file() else None,
        scores=scores,
        measures=measures,
        zones=tables.get(ZONES, gpd.GeoDataFrame()),
        infill=tables.get(INFILL, gpd.GeoDataFrame()),
    )


def score_paths(plan_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """``suitability/<code>_score.tif`` of a plan folder, by industry code (possibly none)."""
    found = sorted((Path(plan_dir) / "suitability").glob("*_score.tif"))
    return {p.name[: -len("_score.tif")]: p for p in found}


def read_sites(
    plan_dir: str | os.PathLike[str], *, required: bool = True
) -> gpd.GeoDataFrame | None:
    """Only the ``sites`` layer of a plan folder, in the plan CRS.

    Parameters
    ----------
    plan_dir
        A folder written by ``layout plan``.
    required
        Raise when there is no ``plan.gpkg`` or no ``sites`` layer (what a site check compares
        needs them); False returns None then (the maps of a partial folder draw no sites).

    Raises
    ------
    DataFileError
        ``plan.gpkg`` (or its ``sites`` layer) is missing while required, cannot be read, or the
        layer has no CRS.
    """
    gpkg = Path(plan_dir) / "plan.gpkg"
    if not gpkg.is_file():
        if required:
            raise DataFileError(f"{gpkg}: not found; run `layout plan --out {plan_dir}` first")
        return None
    try:
        names = [str(name) for name, _ in pyogrio.list_layers(gpkg)]
        if SITES not in names:
            if required:
                raise DataFileError(f"{gpkg}: no layer {SITES!r}; was it written by `layout plan`?")
            logger.warning("%s has no layer %r: no sites are drawn", gpkg, SITES)
            return None
        sites = pyogrio.read_dataframe(gpkg, layer=SITES)
    except (DataSourceError, DataLayerError) as exc:
        raise DataFileError(f"{gpkg}: cannot read layer {SITES!r} ({exc})") from None
    if sites.crs is None:
        raise DataFileError(f"{gpkg}:{SITES} has no CRS; the plan stage writes the plan CRS")
    sites.attrs["source"] = f"{gpkg.name}:{SITES}"
    return sites


def site_row(sites: pd.DataFrame, site_id: str) -> pd.Series:
    """The row of a ``sites`` table for ``site_id``.

    Parameters
    ----------
    sites
        A ``sites`` table with a ``site_id`` column (`PlanOutputs.sites`,
        `layout.allocation.run.PlanResult.sites`).
    site_id
        The site, e.g. ``"auto-01"``.

    Returns
    -------
    Series

    Raises
    ------
    UnknownSiteError
        No such site; the message suggests the closest ids and lists the first ones.
    ValidationError
        The table has no ``site_id`` column.

    Examples
    --------
    >>> sites = pd.DataFrame({"site_id": ["food-01", "auto-01"], "area_mu": [300.0, 450.0]})
    >>> float(site_row(sites, "auto-01")["area_mu"])
    450.0
    >>> site_row(sites, "food-1")
    Traceback (most recent call last):
    ...
    layout.products.planfolder.UnknownSiteError: no site 'food-1' ... did you mean 'food-01'? ...
    """
    if "site_id" not in sites.columns:
        raise ValidationError([Problem("sites table", "has no column 'site_id'", column="site_id")])
    ids = [str(s) for s in sites["site_id"]]
    if site_id not in ids:
        near = difflib.get_close_matches(str(site_id), ids, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(map(repr, near))}?" if near else ""
        shown = ", ".join(ids[:8]) + (", ..." if len(ids) > 8 else "")
        raise UnknownSiteError(f"no site {site_id!r} in the sites table{hint} (sites: {shown})")
    return sites.iloc[ids.index(site_id)]
