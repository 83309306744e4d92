"""The site check itself: `check_parcels` assesses parcels for one industry.

For each parcel it reads the cached score rasters in windows around the parcels (through
`layout.io.scoreraster.ScoreRaster`), overlays the cached constraint and zone layers
(`layout.products.sitecheck.overlaps`), looks for better sites nearby
(`layout.products.sitecheck.alternatives`) and turns the findings into reasons and a verdict
(`layout.products.sitecheck.rules`). Nothing of the scoring pipeline runs once the score cache
exists. How a parcel is measured: `layout.products.sitecheck.cells`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

from layout.data.parcels import (
    ParcelError,
    prepare_parcels,
    project_geometries,
    seed_transformers,
)
from layout.io.scoreraster import ScoreRaster
from layout.model.constraints import CONSTRAINT_TYPES
from layout.products.sitecheck.alternatives import (
    alternatives_lonlat,
    plan_alternatives,
    raster_alternatives,
)
from layout.products.sitecheck.cells import CellGrid, parcel_cells, weighted_mean
from layout.products.sitecheck.landuse import parcel_landuse
from layout.products.sitecheck.overlaps import constraint_overlaps, zone_overlaps
from layout.products.sitecheck.results import (
    ConstraintOverlap,
    Contribution,
    IndustryScore,
    SiteCheck,
    Suitability,
)
from layout.products.sitecheck.rules import VerdictRules, reasons_for, verdict_of
from layout.products.sitecheck.standard import standard_checks
from layout.settings import M2_PER_MU

if TYPE_CHECKING:
    import geopandas as gpd

    from layout.model.plan import PlanConfig
    from layout.model.standard import ZoneStandard
    from layout.scoring.cache import ScoreCache


def check_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    industry: str,
    indicators: Mapping[str, Mapping[str, Any]] | None = None,
    plan: PlanConfig | str | os.PathLike[str] | None = None,
    cache: ScoreCache | None = None,
    radius_m: float = 10_000,
    rules: VerdictRules | None = None,
    plan_sites: gpd.GeoDataFrame | None = None,
    with_geometry: bool = False,
    indicators_source: str = "indicators",
    standards: Mapping[str, ZoneStandard] | None = None,
) -> list[SiteCheck]:
    """Assess parcels for an industrial project of one industry.

    Parameters
    ----------
    parcels
        Parcel polygons in any CRS (it must have one), with a ``parcel_id`` column (else the
        feature number is the id). `layout.data.parcels.read_parcels` reads files and WKT.
    industry
        Industry code (`layout industries`); unknown codes raise with the closest codes.
    indicators
        Planned land indicators by parcel id (``{"*": {...}}`` for one set for every parcel), as
        `layout.data.indicators.read_indicators` returns them, or raw field values (validated here).
    plan
        The plan (a `PlanConfig`, a TOML path, or None for the embedded plan); only used to
        find or build the cache when ``cache`` is None.
    cache
        The plan's score cache (`layout.scoring.cache.open_cache`); built on first use when None
        (`layout.scoring.cache.ensure_cache`). Catalog, CRS and excluded constraint types come
        from it.
    radius_m
        Search radius for better alternatives, metres.
    rules
        Verdict thresholds (`VerdictRules`).
    plan_sites
        Sites of a plan (``plan.gpkg`` layer ``sites``) to draw alternatives from.
    with_geometry
        Also return the alternatives' polygons (for maps); slower on large batches.
    indicators_source
        Name of the indicators' origin in messages (the file name).
    standards
        Standard-land indicators (标准地) by zone id (`layout.model.plan.PlanConfig.standards`);
        the plan's when None and ``plan`` is a `PlanConfig`. A parcel is checked against the
        standard of the zone holding most of it, with the project's values from
        ``indicators`` or, failing those, from the parcel file's own columns
        (`layout.data.planned.PARCEL_COLUMNS`: planned FAR, building coverage, investment,
        output, tax, energy, emissions).

    Returns
    -------
    list of SiteCheck
        One per parcel, in input order.

    Raises
    ------
    LayoutError
        Bad input (one line naming the parcel or the field): `ParcelError`, `CRSError`,
        `layout.data.indicators.IndicatorError`, `layout.errors.UnknownIndustryError`.

    Notes
    -----
    On the embedded data (the first call builds the score cache, a few seconds)::

        checks = check_parcels(example_parcels(), industry="electronics",
                               indicators=example_indicators())
        [c.verdict for c in checks]  # ['suitable', 'unsuitable', 'conditional']
    """
    from layout.config.catalog import check_industry
    from layout.data.indicators import (
        IndicatorError,
        check_indicators,
        for_parcel,
        parse_indicators,
    )
    from layout.data.planned import parcel_values
    from layout.scoring.cache import ensure_cache, open_cache

    rules = rules or VerdictRules()
    if radius_m < 0 or not math.isfinite(radius_m):
        raise ParcelError(f"radius {radius_m!r} m: give a distance of 0 or more metres")
    if cache is None:
        cache = open_cache(plan) or ensure_cache(plan)
    catalog = cache.catalog
    code = check_industry(industry, catalog=catalog)
    crs = cache.crs
    seed_transformers(cache.manifest.get("pipelines"), crs)
    exclude = set(cache.exclude)
    boundary = cache.layer("boundary")
    prepared, warnings = prepare_parcels(
        parcels, crs=crs, boundary=boundary, max_repair_change=rules.max_repair_change,
        max_outside_share=rules.max_outside_share,
    )
    ids = prepared["parcel_id"].tolist()

    # indicators: validate everything before any work
    ind_sets: dict[str, Mapping[str, float]] | None = None
    if indicators is not None:
        sets = {str(k): v for k, v in indicators.items()}
        unknown = [k for k in sets if k != "*" and k not in set(ids)]
        if unknown:
            raise IndicatorError(
                f"{indicators_source}: parcel {unknown[0]} is not among the parcels "
                f"({', '.join(ids[:5])}{', …' if len(ids) > 5 else ''})"
            )
        ind_sets = {}
        for pid in ids:
            raw = for_parcel(sets, pid, source=indicators_source)
            where = indicators_source if "*" in sets else f"{indicators_source}, parcel {pid}"
            ind_sets[pid] = parse_indicators(raw, where=where)

    # the project's values in the parcel file's own columns (the indicators file wins)
    own = [c for c in parcels.columns if c != parcels.geometry.name]
    columns = parcel_values(parcels[own].to_dict(orient="records"), ids,
                            source=str(parcels.attrs.get("source", "parcels")))
    if standards is None and plan is not None and hasattr(plan, "standards"):
        standards = plan.standards
    standards = standards or {}

    m = cache.manifest
    grid = CellGrid.from_manifest(m)
    geoms = np.asarray(prepared.geometry.values, dtype=object)
    n = len(geoms)
    areas = np.asarray(prepared["area_m2"], np.float64)
    cells = parcel_cells(geoms, grid)

    # union windows: the parcels' cells, and the parcels plus the search radius
    pad = math.ceil(radius_m / grid.cell) + 1
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    pwin = grid.window(xmin, ymin, xmax, ymax)
    rwin = grid.window(xmin, ymin, xmax, ymax, pad=pad)
    pr = cells.row - pwin[0]
    pc = cells.col - pwin[2]

    # suitability of every industry on the parcels (place -> industries)
    codes = list(cache.codes)
    means: dict[str, NDArray[np.float64]] = {}
    for c in codes:
        if c == code:
            continue
        with ScoreRaster(cache.score_path(c), cache.flags_path(c)) as raster:
            band = raster.read([1], pwin)[0]
        means[c] = weighted_mean(cells.parcel, cells.area, band[pr, pc], n)
    # the checked industry: score and flags over the radius window, criteria over parcels
    with ScoreRaster(cache.score_path(code), cache.flags_path(code)) as raster:
        rscore = raster.read([1], rwin)[0]
        rflags = raster.read([1], rwin, flags=True)[0]
        names = raster.criteria
        crit = raster.read(range(2, len(names) + 2), pwin)
    rr = cells.row - rwin[0]
    rc = cells.col - rwin[2]
    excl_bits = int(m["exclude_bits"])
    in_study = np.isfinite(rscore)
    eligible_r = in_study & ((rflags & np.uint16(excl_bits)) == 0)
    cell_score = rscore[rr, rc]
    cell_elig = eligible_r[rr, rc]
    means[code] = weighted_mean(cells.parcel, cells.area, cell_score, n)
    w_in = np.where(np.isfinite(cell_score), cells.area, 0.0)
    den = np.bincount(cells.parcel, weights=w_in, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        elig_share = np.bincount(cells.parcel, weights=w_in * cell_elig, minlength=n) / den
    steep_bit = np.uint16(64)
    steep = (rflags[rr, rc] & steep_bit) != 0
    steep_m2 = np.bincount(cells.parcel, weights=cells.area * steep, minlength=n)
    percentiles = cache.percentile(code, means[code])

    cell_area = grid.cell * grid.cell
    cover = cells.area / cell_area
    mins = np.full(n, np.inf)
    best_cover = np.zeros(n)
    np.maximum.at(best_cover, cells.parcel, cover)
    take = np.isfinite(cell_score) & (
        (cover >= rules.min_cell_cover) | (cover >= best_cover[cells.parcel])
    )
    np.minimum.at(mins, cells.parcel[take], cell_score[take].astype(np.float64))
    mins[~np.isfinite(mins)] = np.nan

    weights = m["weights"][code]
    contrib: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    for k, name in enumerate(names):
        v = crit[k][pr, pc].astype(np.float64)
        pts = 100.0 * float(weights[name]) * np.nan_to_num(v) * cell_elig
        inside = np.isfinite(cell_score)
        contrib[name] = (
            weighted_mean(cells.parcel, cells.area, np.where(inside, v, np.nan), n),
            weighted_mean(cells.parcel, cells.area, np.where(inside, pts, np.nan), n),
        )

    # vector overlays: constraints and zones
    constraints = constraint_overlaps(geoms, areas, cache.layer("constraints"), exclude=exclude)
    zones = zone_overlaps(geoms, areas, cache.layer("zones"), industry=code)
    # land use by area, when the plan has a land-use layer (None in the document otherwise)
    has_landuse = bool(m.get("layers", {}).get("landuse"))
    landuse = parcel_landuse(geoms, areas, cache.layer("landuse")) if has_landuse else None

    # alternatives
    if plan_sites is not None:
        alts = plan_alternatives(
            geoms, areas, means[code], plan_sites, code=code, crs=crs,
            radius_m=radius_m, rules=rules, with_geometry=with_geometry,
        )
    else:
        alts = raster_alternatives(
            geoms, cells, means[code], rscore, eligible_r, rwin, grid,
            zones_layer=cache.layer("zones"), radius_m=radius_m, rules=rules,
            with_geometry=with_geometry,
        )

    # everything in WGS84 for people
    cent = shapely.get_coordinates(project_geometries(shapely.centroid(geoms), crs, "EPSG:4326"))
    alts = alternatives_lonlat(alts, crs)

    max_slope = catalog.industry(code).max_slope_deg
    steep_excluding = "steep_slope" in exclude
    labels = m.get("criteria", {})

    results: list[SiteCheck] = []
    for i, pid in enumerate(ids):
        cons = list(constraints[i])
        if steep_m2[i] > 0:
            cons.append(
                ConstraintOverlap(
                    "steep_slope", steep_excluding, steep_m2[i] / M2_PER_MU,
                    steep_m2[i] / areas[i],
                    f"{CONSTRAINT_TYPES['steep_slope'].legal_basis} (> {max_slope:g}° for this "
                    "industry; DEM cells)",
                )
            )
        cons.sort(key=lambda c: (-c.share, c.type))
        excl = [c for c in cons if c.excluding and c.type != "steep_slope"]
        excl_geoms = [c.geometry for c in excl if c.geometry is not None]
        # exact, polygons only: steep ground (raster cells) is reported on its own
        excl_m2 = float(shapely.area(shapely.union_all(excl_geoms))) if excl_geoms else 0.0
        zlist = zones[i]
        zone = zlist[0] if zlist else None
        contribs = tuple(
            sorted(
                (
                    Contribution(
                        name,
                        labels.get(name, {}).get("label_en", name),
                        labels.get(name, {}).get("label_zh", name),
                        labels.get(name, {}).get("group", ""),
                        float(weights[name]),
                        float(contrib[name][0][i]),
                        float(contrib[name][1][i]),
                    )
                    for name in names
                ),
                key=lambda c: (-c.points, c.criterion),
            )
        )
        suit = Suitability(
            float(means[code][i]), float(mins[i]), float(percentiles[i]), float(elig_share[i]),
            contribs,
        )
        leading_codes = set(zone.leading) if zone and zone.share >= rules.min_zone_share else set()
        ranked = sorted(codes, key=lambda c: (-np.nan_to_num(means[c][i], nan=-1), codes.index(c)))
        inds = tuple(
            IndustryScore(
                c, catalog.industry(c).name_zh, catalog.industry(c).name_en,
                float(means[c][i]), r, c in leading_codes, c == code,
            )
            for r, c in enumerate(ranked, start=1)
        )
        values = {**columns[pid], **(ind_sets[pid] if ind_sets is not None else {})}
        checks = None
        if values:
            checks = tuple(check_indicators(values, industry=code, catalog=catalog))
        std = None
        if zone is not None and zone.zone_id in standards:
            std = standard_checks(values, zone.zone_id, standards[zone.zone_id],
                                  industry=code, catalog=catalog)
        parcel_warnings = tuple(w for w in warnings if w.startswith(f"parcel {pid} "))
        base = SiteCheck(
            parcel_id=pid,
            industry=code,
            verdict="suitable",
            reasons=(),
            area_mu=areas[i] / M2_PER_MU,
            area_ha=areas[i] / 10_000.0,
            lon=float(cent[i, 0]),
            lat=float(cent[i, 1]),
            outside_share=float(prepared["outside_share"].iloc[i]),
            constraints=tuple(cons),
            excluded_overlap_mu=excl_m2 / M2_PER_MU,
            excluded_overlap_share=excl_m2 / areas[i],
            zone=zone,
            zones=tuple(zlist),
            suitability=suit,
            industries=inds,
            alternatives=tuple(alts[i]),
            indicators=checks,
            warnings=parcel_warnings,
            standard=std,
            landuse=None if landuse is None else landuse[i],
            geometry=geoms[i],
        )
        reasons = reasons_for(base, catalog=catalog, rules=rules, radius_m=radius_m,
                           from_plan=plan_sites is not None)
        verdict = verdict_of(reasons)
        results.append(replace(base, verdict=verdict, reasons=tuple(reasons)))
    return results
