"""Load a plan's input layers: read, validate, project to the metric CRS, build the grid.

This is the first stage of the pipeline (read → validate → project → criteria → score → …).
Its result, `PlanInputs`, is what every later stage takes; none of them reads files again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from layout.config.criteria import industry_weights
from layout.config.plan import load_plan
from layout.data.coordinates import check_boundary_extent
from layout.data.landuse import classify_landuse
from layout.data.mapping import map_layer
from layout.data.memory import check_memory
from layout.data.validate import validate_layer
from layout.errors import MemoryBudgetError, Problem, ValidationError
from layout.io import embedded as datasets
from layout.io.crs import to_metric
from layout.io.files import file_sha256
from layout.io.raster import check_raster
from layout.io.vector import read_layer
from layout.model.grid import Grid, GridFrame
from layout.model.plan import PlanConfig
from layout.progress import track

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanInputs:
    """The loaded inputs of a plan.

    Attributes
    ----------
    plan
        The validated plan configuration.
    layers
        Vector layers by name, projected to ``plan.crs``.
    grid
        The analysis grid over the boundary.
    dem
        Path of the DEM GeoTIFF, or None when the plan has none.
    sources
        Provenance of each input: file (and layer) and a SHA-256 of the file.
    warnings
        Validation warnings (errors raise instead).
    engine
        ``"memory"``: ``grid`` is the analysis grid; ``"dask"``: the plan is scored window by
        window (`layout.scoring.chunked`) over ``frame``, and ``grid`` is the coarser
        allocation grid (blocks of the analysis cells, `chunked_grid`).
    frame
        The analysis grid's frame (`layout.model.grid.GridFrame`) of a chunked plan; None for
        the memory engine.
    """

    plan: PlanConfig
    layers: Mapping[str, gpd.GeoDataFrame]
    grid: Grid
    dem: Path | None
    sources: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()
    engine: str = "memory"
    frame: GridFrame | None = None

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return a projected input layer; an empty frame in the plan CRS when it is optional."""
        if name in self.layers:
            return self.layers[name]
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=self.plan.crs))

    @property
    def study_area(self) -> gpd.GeoDataFrame:
        """The boundary layer in the plan CRS."""
        return self.layers["boundary"]


def criteria_counts(plan: PlanConfig) -> list[int]:
    """Number of criteria each industry of the plan weighs (for the memory guard)."""
    counts = []
    for code in plan.catalog.codes:
        weights, _ = industry_weights(plan, code)
        counts.append(sum(1 for w in weights.values() if w > 0))
    return counts


def load_inputs(plan: PlanConfig | str | Path | None = None, *,
                chunked: bool = False) -> PlanInputs:
    """Read, validate and project every input of a plan, and build its analysis grid.

    Parameters
    ----------
    plan
        A `PlanConfig`, the path of a plan TOML file, or None for the embedded plan.

    chunked
        The caller runs a plan on the chunked engine too (`layout plan`, the maps, which read
        only the layers). Without it, a plan too large for memory (or ``engine = "dask"``) is
        refused in one line (`MemoryBudgetError`) rather than loaded with the allocation grid,
        which a caller made for the analysis grid would score unawares.

    Returns
    -------
    PlanInputs
        Layers in the plan's metric CRS, the grid and the provenance of each input.

    Raises
    ------
    ValidationError
        Listing every problem in every input file at once (`layout.data.validate`): among
        them columns named in ``[inputs]`` that a file lacks and unknown industries
        (`layout.data.mapping`), non-finite or implausibly large numbers, a boundary beyond
        where the plan CRS can be used (`layout.data.coordinates.check_boundary_extent`), and a
        layer whose every feature lies outside the boundary (a wrong CRS or datum).  Warnings
        (some features outside the boundary, ...) are logged, one line per file and kind, and
        kept in ``warnings``.
    DataFileError
        An input file or the DEM cannot be read (missing, not a regular file, damaged).

    Examples
    --------
    >>> inputs = load_inputs()
    >>> inputs.grid.crs.to_epsg(), inputs.grid.cell
    (4547, 100.0)
    """
    if not isinstance(plan, PlanConfig):
        plan = load_plan(plan)
    raw: dict[str, gpd.GeoDataFrame] = {}
    sources: dict[str, str] = {}
    for name, spec in track(list(plan.inputs.items()), stage="loading layers"):
        if name == "dem":
            continue
        if spec.embedded:
            gdf = datasets.load(name, dataset=spec.dataset)
            path = datasets.gpkg_path(spec.dataset)
            sources[name] = f"{path.name}:{name} sha256={file_sha256(path)[:16]}"
        else:
            assert spec.path is not None
            gdf = read_layer(
                spec.path, layer=spec.layer, crs=spec.crs, datum=spec.datum,
                encoding=spec.encoding, lon=spec.columns.get("lon"), lat=spec.columns.get("lat"),
            )
            sources[name] = (
                f"{spec.path}{':' + spec.layer if spec.layer else ''} "
                f"sha256={file_sha256(spec.path)[:16]}"
            )
        raw[name] = gdf

    names = {name: str(gdf.attrs.get("source", sources[name].split(" ")[0]))
             for name, gdf in raw.items()}
    boundary = raw["boundary"]
    # The boundary first: a boundary beyond the plan CRS makes every other layer look outside.
    problems = check_boundary_extent(boundary, plan.crs, source=names["boundary"])
    study = boundary if boundary.crs is not None and not problems else False
    for name, gdf in raw.items():
        source = names[name]
        spec = plan.inputs[name]
        gdf, mapping_problems = map_layer(
            gdf, kind=name, columns=spec.columns, values=spec.values, catalog=plan.catalog,
            origin=f"inputs.{name} in {plan.label}")
        if name == "landuse":  # codes read in the plan's schema (config requires one)
            gdf, landuse_problems = classify_landuse(gdf, schema=str(spec.schema),
                                                     source=source)
            mapping_problems += landuse_problems
        raw[name] = gdf
        problems += mapping_problems
        problems += validate_layer(
            gdf, kind=name, source=source, study_area=False if name == "boundary" else study
        )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(problems)
    for problem in problems:  # warnings: told, never silently accepted
        logger.warning("%s", str(problem).split(": ", 1)[1])

    layers = {name: to_metric(gdf, crs=plan.crs, source=name) for name, gdf in raw.items()}
    boundary_m = layers["boundary"]
    zones = layers["zones"]
    if len(zones) and not zones.intersects(boundary_m.union_all()).any():
        raise ValidationError(
            [
                Problem(
                    names["zones"],
                    f"no zone intersects the study-area boundary {names['boundary']}; check "
                    "that both cover the same city, and their CRS and datum ([inputs] crs, "
                    "datum)",
                )
            ]
        )
    engine = choose_engine(plan, boundary_m.total_bounds, chunked=chunked)
    frame: GridFrame | None = None
    if engine == "memory":
        grid = Grid.from_boundary(boundary_m, resolution=plan.resolution, crs=plan.crs)
    else:
        frame = GridFrame.from_bounds(boundary_m.total_bounds, resolution=plan.resolution,
                                      crs=plan.crs)
        grid = frame.coarsened(allocation_factor(plan), boundary_m)

    dem: Path | None = None
    if "dem" in plan.inputs:
        spec = plan.inputs["dem"]
        dem = datasets.dem_path(spec.dataset) if spec.embedded else spec.path
        assert dem is not None  # a path, or "embedded"
        check_raster(dem, what="DEM", where=f"[inputs] dem in {plan.label}")
        sources["dem"] = f"{dem.name} sha256={file_sha256(dem)[:16]}"
    return PlanInputs(
        plan, layers, grid, dem, sources, tuple(p for p in problems if p.severity != "error"),
        engine, frame,
    )


def allocation_factor(plan: PlanConfig) -> int:
    """Analysis cells per side of an allocation cell of a chunked plan (`EngineOptions`).

    ``[engine] allocation_cell_m`` over the analysis cell, rounded; by default the whole
    multiple of the cell nearest 450 m (15 at 30 m: cells of 20.25 ha, 303.75 mu).

    Examples
    --------
    >>> from layout.config.plan import load_plan
    >>> allocation_factor(load_plan())
    4
    """
    opts = plan.engine_options
    target = float(opts.allocation_cell_m) if opts.allocation_cell_m else 450.0
    return max(1, round(target / plan.resolution))


def choose_engine(plan: PlanConfig, bounds: Sequence[float], *, chunked: bool = True) -> str:
    """``"memory"`` or ``"dask"`` for a plan over ``bounds`` (``[plan] engine``).

    ``auto`` takes the memory engine when its estimated memory fits
    (`layout.data.memory.check_memory`), else dask; ``memory`` refuses a grid that does not
    fit (`MemoryBudgetError`, naming a resolution that would). Without ``chunked`` the caller
    has no chunked path: a plan that needs one is refused, saying which command runs it.
    """
    if plan.engine == "dask" and chunked:
        return "dask"
    try:
        check_memory(bounds, plan.resolution, criteria_counts(plan), source=plan.label)
    except MemoryBudgetError as exc:
        if plan.engine == "memory":
            raise
        if not chunked:
            raise MemoryBudgetError(f"{exc}; only `layout plan` runs a plan this large, on the "
                                    "chunked engine (docs/province.md)") from None
        logger.info("engine: dask (%s)", str(exc).split(": ", 1)[-1].split(";")[0])
        return "dask"
    return "memory"
