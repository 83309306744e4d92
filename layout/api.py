"""The public API: the six calls a script or notebook needs, on top of every floor.

=================  ==============================================================================
`load_plan`        read and validate a plan TOML (the embedded Zhengzhou plan by default)
`load_inputs`      read, validate and project a plan's input layers; build the analysis grid
`score`            suitability of one industry over the grid, decomposing into criteria
`plan`             the main job: score, allocate, write the plan folder (and its maps)
`check_sites`      a land department's check of parcels for a project of one industry
`read_plan`        open a plan folder as a reviewer does
=================  ==============================================================================

They are importable from the package itself (``from layout import plan``). Each takes its data
argument first and keyword-only options, and raises a `layout.errors.LayoutError` with a
one-line message on bad input. The command line (`layout.cli`) calls the same functions.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd

from layout.allocation.run import PlanResult
from layout.config.catalog import check_industry
from layout.config.plan import load_plan
from layout.data.indicators import read_indicators
from layout.data.inputs import PlanInputs, load_inputs
from layout.model.plan import PlanConfig
from layout.products.planfolder import read_plan, read_sites
from layout.products.sitecheck import SiteCheck, check_parcels, read_parcels
from layout.scoring.cache import ensure_cache
from layout.scoring.suitability import SuitabilityResult
from layout.scoring.suitability import score as score_industry

__all__ = ["check_sites", "load_inputs", "load_plan", "plan", "read_plan", "score"]

logger = logging.getLogger(__name__)

PlanSource = PlanConfig | str | Path | None


def score(inputs: PlanInputs | PlanSource = None, *, industry: str) -> SuitabilityResult:
    """Score every cell of the study area for one industry.

    Parameters
    ----------
    inputs
        Loaded inputs (`load_inputs`), or a plan (`PlanConfig`, TOML path, None for the
        embedded plan) whose inputs are loaded first.
    industry
        An industry code of the plan's catalog (``layout industries`` lists them).

    Returns
    -------
    SuitabilityResult
        The score 0–100, the criterion values and the constraint flags; ``explain`` decomposes
        any cell or polygon into criterion contributions that sum to its score.

    Examples
    --------
    >>> result = score(load_inputs(), industry="food")
    >>> row, col = result.eligible.nonzero()  # the cells no hard constraint excludes
    >>> why = result.explain((int(row[0]), int(col[0])))
    >>> bool(abs(why["contribution"].sum() - why.attrs["score"]) < 1e-4)
    True
    """
    if not isinstance(inputs, PlanInputs):
        inputs = load_inputs(inputs)
    code = check_industry(industry, catalog=inputs.plan.catalog)
    return score_industry(inputs, industry=code)


def plan(
    config: PlanSource = None,
    *,
    out: str | Path,
    maps: str | Path | None = None,
    sensitivity: bool | None = None,
    lang: str = "zh",
    date: str | None = None,
    title: str | None = None,
) -> PlanResult:
    """Run the plan and write its folder: where each industry goes, what each zone should host.

    Parameters
    ----------
    config
        A plan (`PlanConfig`, TOML path, or None for the embedded Zhengzhou plan).
    out
        The plan folder (docs/plan_outputs.md); replaced all at once.
    maps
        Folder for the HTML and PNG maps; None writes none.
    sensitivity
        Run the sensitivity analysis; None follows the plan's ``[sensitivity] enabled``.
    lang
        Language of the maps, ``"zh"`` or ``"en"``.
    date
        Date shown on the maps (``YYYY-MM-DD``); None: today.
    title
        Name of this run on the maps, the report and ``manifest.json`` (``title``), in both
        languages; None: the plan's ``name`` / ``name_en`` (a variant made with
        ``vary_plan`` or ``dataclasses.replace`` shows its own).

    Returns
    -------
    PlanResult
        Sites, zone rankings, allocation, sensitivity and before/after tables.

    Examples
    --------
    >>> import tempfile
    >>> result = plan(out=tempfile.mkdtemp(), sensitivity=False)
    >>> sorted(result.sites["industry"].unique())[:2]
    ['aluminium', 'auto']
    """
    from layout.allocation.province import run_on_engine
    from layout.products.outputs import plan_outputs, titled
    from layout.scoring.chunked import remove_work

    plan_cfg = titled(config if isinstance(config, PlanConfig) else load_plan(config), title)
    # Both folders are checked before the run and replaced together after it, or not at all.
    with plan_outputs(plan_cfg, out=out, maps=maps) as outputs:
        inputs = load_inputs(plan_cfg, chunked=True)
        work = outputs.stage / ".chunked"  # a chunked plan's blocks: removed before the swap
        result = run_on_engine(inputs, work=work, sensitivity=sensitivity)
        files = outputs.write_plan(result)
        remove_work(work)
        logger.info("wrote %d plan files", len(files))
        if maps is not None:
            title = inputs.plan.name if lang == "zh" else inputs.plan.name_en
            paths = outputs.write_maps(lang=lang, date=date, title=title, config=plan_cfg.path)
            logger.info("wrote %d maps", len(paths))
    return result


def check_sites(
    parcels: gpd.GeoDataFrame | str | Path,
    *,
    industry: str,
    config: PlanSource = None,
    indicators: str | Path | None = None,
    radius_km: float = 10.0,
    plan_dir: str | Path | None = None,
) -> list[SiteCheck]:
    """Check whether parcels suit an industrial project: a verdict and every reason.

    Parameters
    ----------
    parcels
        Parcel polygons: a GeoDataFrame with its CRS, or a GeoJSON, GeoPackage or Shapefile.
    industry
        The project's industry code.
    config
        The plan whose scores and constraints are used (None: the embedded plan).
    indicators
        Planned land indicators (CSV, JSON or TOML; docs/sitecheck.md).
    radius_km
        Search radius for better sites nearby.
    plan_dir
        A plan folder whose sites are offered as alternatives.

    Returns
    -------
    list of SiteCheck
        One per parcel: ``verdict`` (suitable, conditional, unsuitable) and ``reasons``, most
        serious first.

    Examples
    --------
    >>> from shapely import box
    >>> parcel = gpd.GeoDataFrame({"parcel_id": ["P1"]},
    ...                           geometry=[box(113.80, 34.52, 113.81, 34.53)], crs="EPSG:4326")
    >>> [c.verdict for c in check_sites(parcel, industry="electronics")]
    ['suitable']
    """
    plan_config = config if isinstance(config, PlanConfig) else load_plan(config)
    code = check_industry(industry, catalog=plan_config.catalog)
    gdf = parcels if isinstance(parcels, gpd.GeoDataFrame) else read_parcels(Path(parcels))
    sets = read_indicators(indicators) if indicators is not None else None
    sites = read_sites(plan_dir) if plan_dir is not None else None
    cache = ensure_cache(plan_config)
    return list(check_parcels(
        gdf, industry=code, indicators=sets, cache=cache, radius_m=radius_km * 1000.0,
        plan_sites=sites,
        indicators_source=Path(indicators).name if indicators is not None else "indicators",
        standards=plan_config.standards,
    ))

