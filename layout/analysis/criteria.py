"""How each criterion is computed: one function per criterion, found by name.

A criterion is declared once, in `layout.model.criteria.CRITERIA` (name, group, labels, unit,
inputs, parameters, default transform); its computation is one function here, registered under
the same name with `computes`. `compute_raw` looks the function up in `COMPUTE`: adding a
criterion means one declaration and one function, and the test suite checks that the two tables
name the same criteria.

Every function takes the shared `CriteriaContext` (kernel densities, distances and region
rasters computed once for all industries), the industry code and the criterion's resolved
parameters, and returns the raw raster in the unit the declaration states.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.analysis.context import F32, CriteriaContext
from layout.core import linkage as core_linkage
from layout.errors import ConfigError
from layout.model.criteria import check_params

logger = logging.getLogger(__name__)

#: The signature of a criterion function: context, industry code, parameters -> raw raster.
CriterionFunction = Callable[[CriteriaContext, str, Mapping[str, Any]], NDArray[np.floating[Any]]]

#: Criterion name -> the function computing its raw raster.
COMPUTE: dict[str, CriterionFunction] = {}

#: Transport point kind of each travel-time criterion.
TRANSPORT_KINDS: dict[str, str] = {
    "expressway": "interchange",
    "rail_freight": "freight_rail",
    "airport": "airport",
}


def computes(*names: str) -> Callable[[CriterionFunction], CriterionFunction]:
    """Register a function as the computation of the criteria ``names``."""

    def register(fn: CriterionFunction) -> CriterionFunction:
        for name in names:
            if name in COMPUTE:
                raise ValueError(f"criterion {name!r} is computed twice")
            COMPUTE[name] = fn
        return fn

    return register


def compute_raw(ctx: CriteriaContext, code: str, name: str, params: Mapping[str, Any]) -> F32:
    """Compute one criterion's raw raster for one industry (unit as in `CRITERIA`).

    Cells outside the study area hold NaN.
    """
    try:
        fn = COMPUTE[name]
    except KeyError:  # pragma: no cover - CRITERIA and COMPUTE are kept in step by the tests
        raise ConfigError(f"criterion {name!r} has no implementation") from None
    out = np.asarray(fn(ctx, code, params), dtype=np.float32)
    out[~ctx.grid.mask] = np.nan
    return out


# --- 集聚 agglomeration ---------------------------------------------------------------------


@computes("density")
def density(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Kernel density of the industry's enterprises, as a share of its peak."""
    return ctx.density(
        code,
        bandwidth_m=float(params["bandwidth_m"]),
        weight_column=str(params["weight_column"]),
    ).copy()


@computes("hotspot")
def hotspot(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> NDArray[np.float64]:
    """Gi* z-score of the industry's per-cell output."""
    radius = max(1.0, float(params["radius_m"]) / ctx.grid.cell)
    metric = str(params["metric"])
    check_params("hotspot", {"metric": metric}, where=f"{ctx.plan.label}: criteria.hotspot")
    return ctx.gi_star(code, str(params["weight_column"]), radius, metric)


@computes("lq")
def lq(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Location quotient of the industry in the zone (or county) holding each cell."""
    return ctx.paint(*ctx.location_quotients(code, str(params["measure"])))


# --- 集群 clustering -------------------------------------------------------------------------


def linkage_totals(
    ctx: CriteriaContext, code: str, params: Mapping[str, Any]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Upstream and downstream linkage of one industry before scaling (万元/km² × strength).

    Each side sums the output densities (kernel bandwidth ``bandwidth_m``, weighted by
    ``weight_column``) of the industry's suppliers or customers in the catalog, times the link
    strength (`layout.core.linkage.weighted_sum`).
    """
    g = ctx.grid
    catalog = ctx.plan.catalog

    def side(links: Mapping[str, float]) -> NDArray[np.float64]:
        terms = [
            (strength, ctx.weighted_density(other, bandwidth_m=float(params["bandwidth_m"]),
                                            weight_column=str(params["weight_column"])))
            for other, strength in links.items()
        ]
        return core_linkage.weighted_sum(terms, shape=g.shape)

    return side(catalog.suppliers(code)), side(catalog.customers(code))


def linkage_sides(
    ctx: CriteriaContext, code: str, params: Mapping[str, Any]
) -> tuple[F32, F32, float]:
    """Upstream and downstream linkage of one industry, on one scale, and that scale.

    Both sides (`linkage_totals`) are divided by the 99th percentile of their sum over the
    study area and clipped at 1 (`layout.core.linkage.linkage_sides`; docs/linkage.md); a
    windowed context gives the percentile of the whole area (`CriteriaContext.linkage_scale`).
    Cells outside the study area hold NaN.
    """
    g = ctx.grid
    up, down, scale = core_linkage.linkage_sides(
        *linkage_totals(ctx, code, params), g.mask, scale=ctx.linkage_scale(code),
    )
    logger.debug("%s: linkage scale (p%g of upstream + downstream) = %.6g %s/km²", code,
                 core_linkage.DEFAULT_PERCENTILE, scale, params["weight_column"])
    out = (up.astype(np.float32), down.astype(np.float32))
    for arr in out:
        arr[~g.mask] = np.nan
    return out[0], out[1], scale


@computes("linkage_upstream")
def linkage_upstream(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Suppliers' output density times link strength, on the shared linkage scale."""
    return linkage_sides(ctx, code, params)[0]


@computes("linkage_downstream")
def linkage_downstream(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Customers' output density times link strength, on the shared linkage scale."""
    return linkage_sides(ctx, code, params)[1]


def anchors(ctx: CriteriaContext, codes: list[str]) -> pd.DataFrame:
    """Anchor enterprises of ``codes`` (``anchor = true``; else the ten largest by output)."""
    ent = ctx.enterprises
    sub = ent[ent["industry"].isin(codes)]
    if "anchor" in sub.columns and sub["anchor"].astype(bool).any():
        return sub[sub["anchor"].astype(bool)]
    out = pd.to_numeric(sub.get("output_wan", pd.Series(dtype=float)), errors="coerce")
    return sub.loc[out.sort_values(ascending=False).index[:10]]


@computes("anchor")
def anchor(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Distance to the nearest anchor enterprise of this or a related industry."""
    codes = [code, *sorted(ctx.plan.catalog.related(code))]
    return ctx.distance_to("anchor:" + ",".join(codes),
                           lambda c: c.occupied_cells(anchors(c, codes))).copy()


# --- 集约 intensive use ----------------------------------------------------------------------


@computes("zone_fit")
def zone_fit(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """2 in a zone the industry leads, 1 in another zone, 0 outside zones."""
    zones = ctx.inputs.layer("zones")
    leads = zones["leading"].fillna("").astype(str).str.split(",")
    fits = np.array([2.0 if code in lead else 1.0 for lead in leads], np.float32)
    out = np.zeros(ctx.grid.shape, np.float32)
    zi = ctx.zone_index
    out[zi >= 0] = fits[zi[zi >= 0]]
    return out


@computes("zone_efficiency")
def zone_efficiency(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Output per mu of the zone (or county) over the industry's reference output per mu."""
    industry = ctx.plan.catalog.industry(code)
    ent = ctx.enterprises
    output = pd.Series(ctx.column_weights(ent, "output_wan"), index=ent.index)
    land = pd.Series(ctx.column_weights(ent, "land_mu"), index=ent.index)
    z_eff, c_eff = ctx.region_ratio(output, land)
    return ctx.paint(z_eff, c_eff) / np.float32(industry.output_per_mu_wan)


@computes("land_available")
def land_available(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Share of the zone not yet built up; the constant ``outside`` outside zones."""
    zones = ctx.inputs.layer("zones")
    free = 1.0 - pd.to_numeric(zones["built_share"], errors="coerce").fillna(1.0).to_numpy()
    out = np.full(ctx.grid.shape, float(params["outside"]), np.float32)
    zi = ctx.zone_index
    out[zi >= 0] = np.clip(free, 0, 1)[zi[zi >= 0]]
    return out


@computes("infill")
def infill(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Distance to the nearest cell holding an enterprise of any industry."""
    return ctx.distance_to("enterprises", lambda c: c.occupied_cells(c.enterprises)).copy()


# --- access and 产城融合 ----------------------------------------------------------------------


@computes("expressway")
def expressway(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Travel time in minutes to the nearest expressway interchange."""
    return ctx.travel_minutes(TRANSPORT_KINDS["expressway"], offroad_kmh=params["offroad_kmh"])


@computes("rail_freight")
def rail_freight(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Travel time in minutes to the nearest freight-rail station."""
    return ctx.travel_minutes(TRANSPORT_KINDS["rail_freight"], offroad_kmh=params["offroad_kmh"])


@computes("airport")
def airport(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Travel time in minutes to the airport."""
    return ctx.travel_minutes(TRANSPORT_KINDS["airport"], offroad_kmh=params["offroad_kmh"])


@computes("labour", "residential_buffer")
def urban_distance(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Distance to the nearest built-up urban area."""
    return ctx.distance_to("urban", lambda c: c.urban_cells).copy()


# --- terrain ----------------------------------------------------------------------------------


@computes("slope")
def slope(ctx: CriteriaContext, code: str, params: Mapping[str, Any]) -> F32:
    """Terrain slope in degrees."""
    return ctx.slope.copy()
