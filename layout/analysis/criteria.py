"""Suitability criteria: what each one measures, its defaults, and how it is computed.

Each criterion turns the plan inputs into a raw raster for one industry (in the unit stated in
`CRITERIA`), which a transform (`layout.core.transforms`) maps to 0–1 suitability. Criteria are grouped
by the principle they serve:

* 集聚 agglomeration — ``density``, ``hotspot``, ``lq``;
* 集群 clustering — ``linkage``, ``anchor``;
* 集约 intensive use — ``zone_fit``, ``zone_efficiency``, ``land_available``, ``infill``;
* access and 产城融合 — ``expressway``, ``rail_freight``, ``airport``, ``labour``,
  ``residential_buffer``;
* terrain — ``slope``.

`CriteriaContext` computes the layers shared by several criteria or industries once (kernel
densities, network distances, zone and county rasters, slope, constraint flags) and caches them,
so that scoring all seven industries does not repeat work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import ndimage

from layout.analysis.measures import assign_regions, location_quotients
from layout.config.plan import CONSTRAINT_BITS, PlanConfig
from layout.core import kernels as _kernels
from layout.core.transforms import TransformSpec
from layout.core.weights import normalise_weights
from layout.data.inputs import PlanInputs
from layout.errors import ConfigError
from layout.model.catalog import Industry
from layout.model.grid import Grid

F32 = NDArray[np.float32]

GROUPS: dict[str, tuple[str, str]] = {
    "agglomeration": ("集聚", "agglomeration"),
    "clustering": ("集群", "clustering"),
    "intensive": ("集约", "intensive use"),
    "access": ("交通与产城融合", "access and 产城融合"),
    "terrain": ("地形", "terrain"),
}


@dataclass(frozen=True)
class Criterion:
    """A criterion's definition: group, labels, raw unit, parameters and default transform."""

    name: str
    group: str
    label_zh: str
    label_en: str
    unit: str
    params: Mapping[str, Any]
    transform: Mapping[str, Any]
    doc: str

    def label(self, lang: str = "zh") -> str:
        """The criterion's label in Chinese (``zh``) or English (``en``)."""
        return self.label_zh if lang == "zh" else self.label_en


def _c(
    name: str,
    group: str,
    zh: str,
    en: str,
    unit: str,
    params: dict[str, Any],
    transform: dict[str, Any],
    doc: str,
) -> Criterion:
    return Criterion(name, group, zh, en, unit, params, transform, doc)


#: Every criterion, in the order of the bands of the score GeoTIFF.
CRITERIA: dict[str, Criterion] = {
    c.name: c
    for c in [
        _c(
            "density",
            "agglomeration",
            "同业集聚密度",
            "same-industry density",
            "share of peak",
            {"bandwidth_m": 3000.0, "weight_column": "output_wan"},
            {"kind": "linear", "low": 0.0, "high": 0.3},
            "Output-weighted Gaussian kernel density of same-industry enterprises (bandwidth "
            "bandwidth_m), as a share of its peak over the study area.",
        ),
        _c(
            "hotspot",
            "agglomeration",
            "热点 Gi*",
            "Gi* hot spot",
            "z-score",
            {"radius_m": 1000.0, "metric": "queen", "weight_column": "output_wan"},
            {"kind": "logistic", "midpoint": 1.96, "steepness": 2.0},
            "Getis-Ord Gi* z-score of same-industry output per cell, binary weights over the "
            "cells within radius_m (metric queen: the square window of side 2 radius_m + 1 cell; "
            "distance: the disk), the cell included.",
        ),
        _c(
            "lq",
            "agglomeration",
            "区位商",
            "location quotient",
            "LQ",
            {"measure": "output_wan"},
            {"kind": "linear", "low": 0.5, "high": 2.0},
            "Location quotient of the industry in the zone holding the cell, or in its county "
            "outside zones.",
        ),
        _c(
            "linkage",
            "clustering",
            "产业链关联",
            "supply-chain linkage",
            "share of peak",
            {"bandwidth_m": 5000.0, "weight_column": "output_wan"},
            {"kind": "linear", "low": 0.0, "high": 0.3},
            "Density of each related industry (suppliers and customers in the linkage graph), "
            "weighted by the edge weight: sum_j w_j d_j / sum_j w_j, each d_j a share of its peak.",
        ),
        _c(
            "anchor",
            "clustering",
            "龙头企业邻近",
            "anchor proximity",
            "m",
            {},
            {"kind": "near", "midpoint": 6000.0},
            "Straight-line distance to the nearest anchor enterprise of this or a related industry "
            "(anchor = true; without anchors, the ten largest firms by output).",
        ),
        _c(
            "zone_fit",
            "intensive",
            "主导产业契合",
            "zone leading-industry fit",
            "class",
            {},
            {"kind": "categorical", "mapping": {"2": 1.0, "1": 0.5, "0": 0.1}},
            "2 inside a zone whose leading industries include this one, 1 inside another zone, "
            "0 outside every zone.",
        ),
        _c(
            "zone_efficiency",
            "intensive",
            "亩均产出",
            "output per mu",
            "ratio to benchmark",
            {},
            {"kind": "linear", "low": 0.0, "high": 1.5},
            "Current output per mu of the zone holding the cell (its county's outside zones) "
            "divided by the industry's reference output per mu in the catalog.",
        ),
        _c(
            "land_available",
            "intensive",
            "可开发用地",
            "developable land",
            "share",
            {"outside": 0.3},
            {"kind": "identity"},
            "Share of the zone not yet built up (1 - built_share); outside zones the constant "
            "`outside` (greenfield land is available, but infill inside zones comes first).",
        ),
        _c(
            "infill",
            "intensive",
            "存量工业用地邻近",
            "infill (near industrial land)",
            "m",
            {},
            {"kind": "near", "midpoint": 1500.0},
            "Straight-line distance to the nearest cell holding an existing enterprise of any "
            "industry: infill rather than isolated greenfield.",
        ),
        _c(
            "expressway",
            "access",
            "高速互通",
            "expressway interchange",
            "m",
            {},
            {"kind": "near", "midpoint": 6000.0},
            "Road-network distance (networkx shortest paths) to the nearest expressway "
            "interchange.",
        ),
        _c(
            "rail_freight",
            "access",
            "铁路货运",
            "rail freight",
            "m",
            {},
            {"kind": "near", "midpoint": 15000.0},
            "Road-network distance to the nearest freight-rail station.",
        ),
        _c(
            "airport",
            "access",
            "机场",
            "airport",
            "m",
            {},
            {"kind": "near", "midpoint": 25000.0},
            "Road-network distance to the airport.",
        ),
        _c(
            "labour",
            "access",
            "劳动力（产城融合）",
            "labour pool (产城融合)",
            "m",
            {},
            {"kind": "near", "midpoint": 5000.0},
            "Straight-line distance to the nearest built-up urban area (jobs near housing).",
        ),
        _c(
            "residential_buffer",
            "access",
            "居住防护距离",
            "residential buffer",
            "m",
            {},
            {"kind": "threshold", "threshold": "catalog"},
            "Distance to the nearest urban area, for pollution-intensive industries only: 1 beyond "
            "the catalog's residential_buffer_m, 0 inside it.",
        ),
        _c(
            "slope",
            "terrain",
            "坡度",
            "slope",
            "degrees",
            {},
            {"kind": "linear", "low": "catalog", "high": 0.0},
            "Terrain slope from the DEM (Horn's method); 1 on flat land, 0 at the industry's "
            "max_slope_deg; steeper cells are excluded (flag steep_slope).",
        ),
    ]
}

#: Keys accepted in [weights] tables: the criteria plus the shared access weight.
WEIGHT_KEYS: tuple[str, ...] = (*CRITERIA, "access_transport")

#: Default weights (before normalising) when a plan gives none.
DEFAULT_WEIGHTS: dict[str, float] = {
    "density": 0.10,
    "hotspot": 0.07,
    "lq": 0.08,
    "linkage": 0.12,
    "anchor": 0.08,
    "zone_fit": 0.10,
    "zone_efficiency": 0.05,
    "land_available": 0.05,
    "infill": 0.05,
    "access_transport": 0.14,
    "labour": 0.06,
    "residential_buffer": 0.05,
    "slope": 0.05,
}
_TRANSPORT = ("expressway", "rail_freight", "airport")


@dataclass(frozen=True)
class ResolvedCriterion:
    """A criterion as configured for one industry: parameters, transform and weight."""

    criterion: Criterion
    params: Mapping[str, Any]
    transform: TransformSpec
    weight: float

    @property
    def name(self) -> str:
        """The criterion name."""
        return self.criterion.name


_CATALOG_KEYS = {"low": "max_slope_deg", "threshold": "residential_buffer_m"}


def _resolve_catalog(value: Any, industry: Industry, key: str, *, where: str) -> Any:
    """Replace the placeholder ``"catalog"`` by the industry's value from the catalog.

    Only ``low`` (the slope's ``max_slope_deg``) and ``threshold`` (the residential buffer's
    ``residential_buffer_m``) may be ``"catalog"``.
    """
    if value != "catalog":
        return value
    if key not in _CATALOG_KEYS:
        raise ConfigError(f"{where}.{key} = \"catalog\": only low (max_slope_deg) and threshold "
                          "(residential_buffer_m) can be taken from the catalog; give a number")
    return getattr(industry, _CATALOG_KEYS[key])


#: Enterprise columns a criterion may weight by (``count`` = one per enterprise).
WEIGHT_COLUMNS = ("output_wan", "employees", "tax_wan", "land_mu", "count")


def check_params(name: str, params: Mapping[str, Any], *, where: str) -> None:
    """Check a criterion's parameter values (not its transform); errors name the key.

    Examples
    --------
    >>> check_params("density", {"bandwidth_m": -5}, where="plan.toml: [criteria.density]")
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: plan.toml: [criteria.density] bandwidth_m = -5: must be a positive number of metres
    """  # noqa: E501
    for key, value in params.items():
        if key == "transform":
            continue
        w = f"{where} {key} = {value!r}"
        if key in ("bandwidth_m", "radius_m"):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ConfigError(f"{w}: must be a positive number of metres")
        elif key in ("weight_column", "measure"):
            allowed = WEIGHT_COLUMNS if key == "weight_column" else WEIGHT_COLUMNS[:-1]
            if value not in allowed:
                raise ConfigError(f"{w}: use one of {', '.join(allowed)}")
        elif key == "metric":
            if value not in ("queen", "distance"):
                raise ConfigError(f"{w}: use 'queen' (square window) or 'distance' (disk)")
        elif key == "outside" and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
        ):
            raise ConfigError(f"{w}: must be a number from 0 to 1")


def industry_weights(plan: PlanConfig, code: str) -> tuple[dict[str, float], str]:
    """Normalised criterion weights of one industry, and where they came from.

    Order of precedence: an AHP matrix for the industry; else the shared ``[weights]`` updated
    by ``[industries.CODE.weights]``. ``access_transport`` is split over expressway, rail freight
    and airport by the industry's transport needs unless those are given explicitly;
    ``residential_buffer`` applies to pollution-intensive industries only.

    Returns
    -------
    weights, source
        Weights summing to 1 (zero weights dropped) and ``"ahp"`` or ``"direct"``.
    """
    industry = plan.catalog.industry(code)
    cfg = plan.industry(code)
    where = f"{plan.label}: [industries.{code}]"
    if cfg.ahp is not None:
        raw = {k: v for k, v in cfg.ahp.weights.items() if v > 0}
        if not industry.pollution_intensive:
            raw.pop("residential_buffer", None)
        return normalise_weights(raw, where=f"{where} ahp"), "ahp"
    merged: dict[str, float] = dict(DEFAULT_WEIGHTS)
    merged.update(plan.weights)
    merged.update(cfg.weights)
    share = merged.pop("access_transport", 0.0)
    needs = industry.transport
    need = {
        "expressway": needs.expressway,
        "rail_freight": needs.rail_freight,
        "airport": needs.airport,
    }
    total_need = sum(need.values())
    for key in _TRANSPORT:
        explicit = key in plan.weights or key in cfg.weights
        if not explicit:
            merged[key] = share * need[key] / total_need if total_need > 0 else 0.0
    if not industry.pollution_intensive:
        merged["residential_buffer"] = 0.0
    raw = {k: v for k, v in merged.items() if v > 0}
    if not raw:
        raise ConfigError(f"{where} weights: all weights are zero; give at least one criterion "
                          "a positive weight")
    return normalise_weights(raw, where=f"{where} weights"), "direct"


def criterion_specs(plan: PlanConfig, code: str) -> dict[str, ResolvedCriterion]:
    """Resolve every weighted criterion of one industry: parameters, transform and weight.

    Parameters come from the criterion defaults, updated by ``[criteria.NAME]`` and then by
    ``[industries.CODE.criteria.NAME]``; a ``transform`` table replaces the default transform.
    Unknown parameters raise `ConfigError` naming the key.
    """
    industry = plan.catalog.industry(code)
    weights, _ = industry_weights(plan, code)
    out: dict[str, ResolvedCriterion] = {}
    for name, weight in weights.items():
        crit = CRITERIA[name]
        params = dict(crit.params)
        transform = dict(crit.transform)
        t_where = f"built-in default of criterion {name!r}: transform"
        for where, table in (
            (f"{plan.label}: [criteria.{name}]", plan.criteria.get(name, {})),
            (
                f"{plan.label}: [industries.{code}.criteria.{name}]",
                plan.industry(code).criteria.get(name, {}),
            ),
        ):
            for key, value in table.items():
                if key == "transform":
                    if isinstance(value, str):
                        value = {"kind": value}
                    if not isinstance(value, Mapping):
                        raise ConfigError(f"{where} transform: must be a kind or a table")
                    transform = dict(value)
                    t_where = f"{where} transform"
                elif key in params:
                    params[key] = value
                else:
                    known = ", ".join(sorted([*params, "transform"]))
                    raise ConfigError(f"{where}: unknown parameter {key!r}; known: {known}")
            check_params(name, {k: v for k, v in table.items() if k in params}, where=where)
        transform = {
            k: _resolve_catalog(v, industry, k, where=t_where) for k, v in transform.items()
        }
        spec = TransformSpec.from_config(transform, where=t_where)
        out[name] = ResolvedCriterion(crit, params, spec, weight)
    return out


# --- computing raw criteria -----------------------------------------------------------------


@dataclass
class CriteriaContext:
    """Shared, cached layers for computing criteria over one plan's grid.

    Build it once per plan and pass it to `compute_raw` (or `layout.scoring.suitability.score`) for every
    industry; kernel densities, network distances and rasters are computed on first use.
    """

    inputs: PlanInputs
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    @property
    def grid(self) -> Grid:
        """The analysis grid."""
        return self.inputs.grid

    @property
    def plan(self) -> PlanConfig:
        """The plan."""
        return self.inputs.plan

    def _cached(self, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # enterprises ------------------------------------------------------------------------------
    @cached_property
    def enterprises(self) -> gpd.GeoDataFrame:
        """Enterprises in the grid CRS, with ``_x``/``_y`` coordinate columns."""
        ent = self.inputs.layer("enterprises").copy()
        ent["_x"] = ent.geometry.x.to_numpy()
        ent["_y"] = ent.geometry.y.to_numpy()
        return ent

    def _weights(self, sub: pd.DataFrame, column: str | None) -> NDArray[np.float64]:
        if column is None or column == "count":
            return np.ones(len(sub))
        return np.nan_to_num(pd.to_numeric(sub[column], errors="coerce").to_numpy(float))

    def density(self, code: str, *, bandwidth_m: float, weight_column: str) -> F32:
        """Kernel density of an industry's enterprises, as a share of its peak (0–1)."""

        def compute() -> F32:
            ent = self.enterprises
            sub = ent[ent["industry"] == code]
            g = self.grid
            if sub.empty:
                return np.zeros(g.shape, np.float32)
            dens = _kernels.kde_grid_coarse(
                sub["_x"].to_numpy(),
                sub["_y"].to_numpy(),
                self._weights(sub, weight_column),
                x0=g.x0,
                y_top=g.y_top,
                cell=g.cell,
                nrows=g.nrows,
                ncols=g.ncols,
                bandwidth=float(bandwidth_m),
            )
            peak = float(np.max(dens[g.mask])) if g.mask.any() else 0.0
            return (dens / peak if peak > 0 else dens * 0).astype(np.float32)

        return self._cached(("density", code, float(bandwidth_m), weight_column), compute)

    def gi_star(self, code: str, column: str, radius: float, metric: str) -> NDArray[np.float64]:
        """Gi* z-scores of an industry's per-cell ``column`` sums (cached).

        ``radius`` is in cells; the queen window uses its integer part.
        """

        def compute() -> NDArray[np.float64]:
            values = self.cell_sum(code, column)
            if metric == "queen":
                return _kernels.gi_star(
                    values, mask=self.grid.mask, radius=int(radius), metric="queen"
                )
            return _kernels.gi_star(values, mask=self.grid.mask, radius=radius, metric="distance")

        z: NDArray[np.float64] = self._cached(("gi", code, column, float(radius), metric), compute)
        return z

    def cell_sum(self, code: str, column: str) -> NDArray[np.float64]:
        """Sum of ``column`` over an industry's enterprises in each grid cell."""

        def compute() -> NDArray[np.float64]:
            ent = self.enterprises
            sub = ent[ent["industry"] == code]
            g = self.grid
            out = np.zeros(g.shape)
            row, col = g.rowcol(sub["_x"].to_numpy(), sub["_y"].to_numpy())
            ok = (row >= 0) & (row < g.nrows) & (col >= 0) & (col < g.ncols)
            np.add.at(out, (row[ok], col[ok]), self._weights(sub, column)[ok])
            return out

        return self._cached(("cellsum", code, column), compute)

    # regions ----------------------------------------------------------------------------------
    @cached_property
    def zone_index(self) -> NDArray[np.int32]:
        """Row position in the zones layer of the zone holding each cell, −1 outside zones."""
        zones = self.inputs.layer("zones")
        idx = self.grid.rasterize(zones, values=np.arange(1, len(zones) + 1), dtype="int32")
        return idx.astype(np.int32) - 1

    @cached_property
    def county_index(self) -> NDArray[np.int32]:
        """Row position in the counties layer of the county holding each cell, −1 outside."""
        counties = self.inputs.layer("counties")
        idx = self.grid.rasterize(counties, values=np.arange(1, len(counties) + 1), dtype="int32")
        return idx.astype(np.int32) - 1

    @cached_property
    def enterprise_regions(self) -> pd.DataFrame:
        """For each enterprise, the row positions of its zone and county (−1 when none).

        Point-in-polygon in the grid CRS (`layout.analysis.measures.assign_regions`), the same
        assignment as the agglomeration statistics, so criteria and ``measures.csv`` agree.
        """
        ent = self.enterprises
        zones = self.inputs.layer("zones")
        counties = self.inputs.layer("counties")
        zone = assign_regions(ent, zones, region_id="zone_id")[0] if len(zones) else None
        county = assign_regions(ent, counties, region_id="adcode")[0] if len(counties) else None
        none = np.full(len(ent), -1, np.int64)
        return pd.DataFrame(
            {"zone": none if zone is None else zone, "county": none if county is None else county},
            index=ent.index,
        )

    def lq_table(self, layer: str, measure: str) -> pd.DataFrame:
        """LQ of every industry in every zone (``layer="zones"``) or county (cached)."""

        def compute() -> pd.DataFrame:
            regions = self.inputs.layer(layer)
            rid = "zone_id" if layer == "zones" else "adcode"
            return location_quotients(self.enterprises, regions, region_id=rid, measure=measure)

        table: pd.DataFrame = self._cached(("lq", layer, measure), compute)
        return table

    def location_quotients(
        self, code: str, measure: str
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """LQ of an industry in each zone and each county (row order of the layers)."""
        out: list[NDArray[np.float64]] = []
        for layer in ("zones", "counties"):
            if not len(self.inputs.layer(layer)):
                out.append(np.zeros(0, np.float64))
                continue
            lq = self.lq_table(layer, measure)
            col = lq[code] if code in lq.columns else pd.Series(0.0, index=lq.index)
            out.append(np.asarray(col.to_numpy(), dtype=np.float64))
        return out[0], out[1]

    def _region_ratio(
        self, numer: pd.Series, denom: pd.Series
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per-zone and per-county (outside zones) ratios of two enterprise sums."""
        reg = self.enterprise_regions
        nz = len(self.inputs.layer("zones"))
        nc = len(self.inputs.layer("counties"))
        in_zone = reg["zone"] >= 0
        zn = np.bincount(reg.loc[in_zone, "zone"], weights=numer[in_zone], minlength=nz)
        zd = np.bincount(reg.loc[in_zone, "zone"], weights=denom[in_zone], minlength=nz)
        out_c = (~in_zone) & (reg["county"] >= 0)
        cn = np.bincount(reg.loc[out_c, "county"], weights=numer[out_c], minlength=nc)
        cd = np.bincount(reg.loc[out_c, "county"], weights=denom[out_c], minlength=nc)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(zd > 0, zn / zd, np.nan), np.where(cd > 0, cn / cd, np.nan)

    def _paint(self, zone_values: NDArray[np.float64], county_values: NDArray[np.float64]) -> F32:
        """Raster of per-zone values inside zones and per-county values elsewhere."""
        out = np.full(self.grid.shape, np.nan, np.float32)
        zi, ci = self.zone_index, self.county_index
        in_c = ci >= 0
        out[in_c] = county_values[ci[in_c]]
        in_z = zi >= 0
        out[in_z] = zone_values[zi[in_z]]
        return out

    # distances --------------------------------------------------------------------------------
    def distance_to(self, key: str, cells: NDArray[np.bool_]) -> F32:
        """Euclidean distance in metres from every cell to the nearest True cell of ``cells``."""

        def compute() -> F32:
            if not cells.any():
                return np.full(self.grid.shape, np.nan, np.float32)
            d = ndimage.distance_transform_edt(~cells, sampling=self.grid.cell)
            return np.asarray(d, dtype=np.float32)

        return self._cached(("edt", key), compute)

    @cached_property
    def urban_cells(self) -> NDArray[np.bool_]:
        """Cells inside built-up urban areas."""
        return self.grid.rasterize(self.inputs.layer("urban_areas")).astype(bool)

    @cached_property
    def road_graph(self) -> Any:
        """The road graph (networkx) of the transport layer, built once."""
        from layout.analysis.network import build_road_graph

        lines = self.inputs.layer("transport_lines")
        points = self.inputs.layer("transport_points")
        inter = points[points["kind"] == "interchange"] if len(points) else points
        return build_road_graph(lines, interchanges=inter)

    @cached_property
    def cell_snap(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Nearest road-graph access node of every cell, looked up once for all targets."""
        from layout.analysis.network import snap_cells

        return snap_cells(self.road_graph, self.grid)

    def network_distance(self, kind: str) -> F32:
        """Road-network distance (m) from every cell to the nearest transport point of ``kind``."""

        def compute() -> F32:
            from layout.analysis.network import network_distance

            points = self.inputs.layer("transport_points")
            targets = points[points["kind"] == kind] if len(points) else points
            if targets.empty or self.inputs.layer("transport_lines").empty:
                return np.full(self.grid.shape, np.nan, np.float32)
            d = network_distance(
                self.road_graph,
                targets,
                self.grid,
                weight="length",
                cell_snap=self.cell_snap,
            )
            return np.asarray(d, dtype=np.float32)

        return self._cached(("net", kind), compute)

    # terrain and constraints ------------------------------------------------------------------
    @cached_property
    def slope(self) -> F32:
        """Slope in degrees on the grid (NaN without a DEM)."""
        from layout.analysis.terrain import slope_on_grid

        if self.inputs.dem is None:
            return np.full(self.grid.shape, np.nan, np.float32)
        return slope_on_grid(self.inputs.dem, self.grid)

    @cached_property
    def constraint_flags(self) -> NDArray[np.uint16]:
        """Bit flags of the constraint types covering each cell (all types, excluding or not)."""
        g = self.grid
        flags = np.zeros(g.shape, np.uint16)
        cons = self.inputs.layer("constraints")
        if len(cons):
            for ctype, bit in CONSTRAINT_BITS.items():
                sub = cons[cons["type"] == ctype]
                if len(sub):
                    flags |= g.rasterize(sub).astype(np.uint16) * np.uint16(bit)
        flags[~g.mask] |= np.uint16(CONSTRAINT_BITS["outside_study_area"])
        return flags

    def flags(self, code: str) -> NDArray[np.uint16]:
        """Constraint flags plus ``steep_slope`` for this industry's maximum slope."""
        industry = self.plan.catalog.industry(code)
        flags = self.constraint_flags.copy()
        steep = np.nan_to_num(self.slope, nan=0.0) > industry.max_slope_deg
        flags[steep] |= np.uint16(CONSTRAINT_BITS["steep_slope"])
        return flags


def _anchors(ctx: CriteriaContext, codes: list[str]) -> pd.DataFrame:
    ent = ctx.enterprises
    sub = ent[ent["industry"].isin(codes)]
    if "anchor" in sub.columns and sub["anchor"].astype(bool).any():
        return sub[sub["anchor"].astype(bool)]
    out = pd.to_numeric(sub.get("output_wan", pd.Series(dtype=float)), errors="coerce")
    return sub.loc[out.sort_values(ascending=False).index[:10]]


def compute_raw(ctx: CriteriaContext, code: str, name: str, params: Mapping[str, Any]) -> F32:
    """Compute one criterion's raw raster for one industry (unit as in `CRITERIA`).

    Cells outside the study area hold NaN.
    """
    g = ctx.grid
    catalog = ctx.plan.catalog
    industry = catalog.industry(code)
    out: NDArray[np.floating[Any]]
    if name == "density":
        out = ctx.density(
            code,
            bandwidth_m=float(params["bandwidth_m"]),
            weight_column=str(params["weight_column"]),
        ).copy()
    elif name == "hotspot":
        radius = max(1.0, float(params["radius_m"]) / g.cell)
        metric = str(params["metric"])
        check_params("hotspot", {"metric": metric}, where=f"{ctx.plan.label}: [criteria.hotspot]")
        out = ctx.gi_star(code, str(params["weight_column"]), radius, metric)
    elif name == "lq":
        out = ctx._paint(*ctx.location_quotients(code, str(params["measure"])))
    elif name == "linkage":
        related = catalog.related(code)
        if not related:
            out = np.zeros(g.shape, np.float32)
        else:
            acc = np.zeros(g.shape, np.float32)
            for other, w in sorted(related.items()):
                acc += np.float32(w) * ctx.density(
                    other,
                    bandwidth_m=float(params["bandwidth_m"]),
                    weight_column=str(params["weight_column"]),
                )
            out = acc / np.float32(sum(related.values()))
    elif name == "anchor":
        codes = [code, *sorted(catalog.related(code))]
        anchors = _anchors(ctx, codes)
        cells = np.zeros(g.shape, bool)
        row, col = g.rowcol(anchors["_x"].to_numpy(), anchors["_y"].to_numpy())
        ok = (row >= 0) & (row < g.nrows) & (col >= 0) & (col < g.ncols)
        cells[row[ok], col[ok]] = True
        out = ctx.distance_to("anchor:" + ",".join(codes), cells).copy()
    elif name == "zone_fit":
        zones = ctx.inputs.layer("zones")
        leads = zones["leading"].fillna("").astype(str).str.split(",")
        fits = np.array([2.0 if code in lead else 1.0 for lead in leads], np.float32)
        out = np.zeros(g.shape, np.float32)
        zi = ctx.zone_index
        out[zi >= 0] = fits[zi[zi >= 0]]
    elif name == "zone_efficiency":
        ent = ctx.enterprises
        output = pd.Series(ctx._weights(ent, "output_wan"), index=ent.index)
        land = pd.Series(ctx._weights(ent, "land_mu"), index=ent.index)
        z_eff, c_eff = ctx._region_ratio(output, land)
        out = ctx._paint(z_eff, c_eff) / np.float32(industry.output_per_mu_wan)
    elif name == "land_available":
        zones = ctx.inputs.layer("zones")
        free = 1.0 - pd.to_numeric(zones["built_share"], errors="coerce").fillna(1.0).to_numpy()
        out = np.full(g.shape, float(params["outside"]), np.float32)
        zi = ctx.zone_index
        out[zi >= 0] = np.clip(free, 0, 1)[zi[zi >= 0]]
    elif name == "infill":
        ent = ctx.enterprises
        cells = np.zeros(g.shape, bool)
        row, col = g.rowcol(ent["_x"].to_numpy(), ent["_y"].to_numpy())
        ok = (row >= 0) & (row < g.nrows) & (col >= 0) & (col < g.ncols)
        cells[row[ok], col[ok]] = True
        out = ctx.distance_to("enterprises", cells).copy()
    elif name in ("expressway", "rail_freight", "airport"):
        kind = {"expressway": "interchange", "rail_freight": "freight_rail", "airport": "airport"}[
            name
        ]
        out = ctx.network_distance(kind)
        out = out.copy()
    elif name in ("labour", "residential_buffer"):
        out = ctx.distance_to("urban", ctx.urban_cells).copy()
    elif name == "slope":
        out = ctx.slope.copy()
    else:  # pragma: no cover - CRITERIA and this function are kept in step by the tests
        raise ConfigError(f"criterion {name!r} has no implementation")
    out = np.asarray(out, dtype=np.float32)
    out[~g.mask] = np.nan
    return out
