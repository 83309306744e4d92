"""The criteria context: layers shared by several criteria or industries, computed once.

`CriteriaContext` holds a plan's loaded inputs and computes on first use, then caches, what
several criteria or several industries need: kernel densities, Gi* statistics, per-cell sums,
zone and county rasters, location quotients, distance rasters, the travel-time graph and
travel times, slope and the constraint flags. Scoring all seven industries with one context does
not repeat work. The criterion functions (`layout.analysis.criteria`) read from it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import ndimage

from layout.analysis.measures import assign_regions, location_quotients
from layout.core import gistar, kde
from layout.data.inputs import PlanInputs
from layout.model.constraints import (
    CONSTRAINT_BITS,
    DRAWN_CONSTRAINT_TYPES,
    exceeds_sliver,
)
from layout.model.grid import Grid
from layout.model.plan import PlanConfig

F32 = NDArray[np.float32]
log = logging.getLogger(__name__)


@dataclass
class CriteriaContext:
    """Shared, cached layers for computing criteria over one plan's grid.

    Build it once per plan and pass it to `compute_raw` (or `layout.scoring.suitability.score`)
    for every industry; kernel densities, travel times and rasters are computed on first use.
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

    def column_weights(self, sub: pd.DataFrame, column: str | None) -> NDArray[np.float64]:
        """Per-enterprise weights: a numeric column (NaN as 0), or ones for ``count``/None."""
        if column is None or column == "count":
            return np.ones(len(sub))
        return np.nan_to_num(pd.to_numeric(sub[column], errors="coerce").to_numpy(float))

    def density(self, code: str, *, bandwidth_m: float, weight_column: str) -> F32:
        """Kernel density of an industry's enterprises, as a share of its peak (0–1)."""

        def compute() -> F32:
            dens = self._kde(code, float(bandwidth_m), weight_column)
            g = self.grid
            peak = float(np.max(dens[g.mask])) if g.mask.any() else 0.0
            return (dens / peak if peak > 0 else dens * 0).astype(np.float32)

        return self._cached(("density", code, float(bandwidth_m), weight_column), compute)

    def density_peak(self, code: str, *, bandwidth_m: float, weight_column: str) -> float:
        """Peak over the study area of an industry's kernel density, per km² (not cached).

        What `density` divides by; a chunked plan takes the largest of its windows' peaks.
        """
        m = self.grid.mask
        return float(self._kde(code, float(bandwidth_m), weight_column)[m].max()) \
            if m.any() else 0.0

    def weighted_density(self, code: str, *, bandwidth_m: float, weight_column: str) -> F32:
        """Kernel density of an industry's enterprises in ``weight_column`` units per km².

        For ``output_wan``, output density in 万元/km², not scaled to its peak: what
        supply-chain linkage sums across industries.
        """

        def compute() -> F32:
            return self._kde(code, float(bandwidth_m), weight_column).astype(np.float32)

        return self._cached(("kde", code, float(bandwidth_m), weight_column), compute)

    def _kde(self, code: str, bandwidth_m: float, weight_column: str) -> NDArray[np.float64]:
        """Gaussian kernel density (`layout.core.kde.kde_grid_coarse`), per km², not cached."""
        ent = self.enterprises
        sub = ent[ent["industry"] == code]
        g = self.grid
        if sub.empty:
            return np.zeros(g.shape, np.float64)
        return kde.kde_grid_coarse(
            sub["_x"].to_numpy(),
            sub["_y"].to_numpy(),
            self.column_weights(sub, weight_column),
            x0=g.x0,
            y_top=g.y_top,
            cell=g.cell,
            nrows=g.nrows,
            ncols=g.ncols,
            bandwidth=bandwidth_m,
        )

    def gi_star(self, code: str, column: str, radius: float, metric: str) -> NDArray[np.float64]:
        """Gi* z-scores of an industry's per-cell ``column`` sums (cached).

        ``radius`` is in cells; the queen window uses its integer part.
        """

        def compute() -> NDArray[np.float64]:
            values = self.cell_sum(code, column)
            if metric == "queen":
                return gistar.gi_star(
                    values, mask=self.grid.mask, radius=int(radius), metric="queen"
                )
            return gistar.gi_star(values, mask=self.grid.mask, radius=radius, metric="distance")

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
            np.add.at(out, (row[ok], col[ok]), self.column_weights(sub, column)[ok])
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

    def region_ratio(
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

    def paint(self, zone_values: NDArray[np.float64], county_values: NDArray[np.float64]) -> F32:
        """Raster of per-zone values inside zones and per-county values elsewhere."""
        out = np.full(self.grid.shape, np.nan, np.float32)
        zi, ci = self.zone_index, self.county_index
        in_c = ci >= 0
        out[in_c] = county_values[ci[in_c]]
        in_z = zi >= 0
        out[in_z] = zone_values[zi[in_z]]
        return out

    # distances --------------------------------------------------------------------------------
    def distance_to(self, key: str, cells_of: Callable[[CriteriaContext], NDArray[np.bool_]]
                    ) -> F32:
        """Euclidean distance in metres from every cell to the nearest cell ``cells_of`` marks.

        ``cells_of(context)`` marks the feature cells on a context's grid; it is called with
        this context here, and with a context over a larger window by a windowed context
        (`layout.analysis.window.WindowContext`), which sees features beyond its own window.
        ``key`` names the features for the cache.
        """

        def compute() -> F32:
            cells = cells_of(self)
            if not cells.any():
                return np.full(self.grid.shape, np.nan, np.float32)
            d = ndimage.distance_transform_edt(~cells, sampling=self.grid.cell)
            return np.asarray(d, dtype=np.float32)

        return self._cached(("edt", key), compute)

    def linkage_scale(self, code: str) -> float | None:
        """The linkage scale of an industry when known beforehand; None: from this grid.

        A whole-grid context takes the percentile over its own cells
        (`layout.core.linkage.linkage_sides`); a windowed context returns the one computed over
        the whole study area.
        """
        return None

    def occupied_cells(self, firms: pd.DataFrame) -> NDArray[np.bool_]:
        """Cells holding at least one of ``firms`` (rows of `enterprises`)."""
        g = self.grid
        cells = np.zeros(g.shape, bool)
        row, col = g.rowcol(firms["_x"].to_numpy(), firms["_y"].to_numpy())
        ok = (row >= 0) & (row < g.nrows) & (col >= 0) & (col < g.ncols)
        cells[row[ok], col[ok]] = True
        return cells

    @cached_property
    def urban_cells(self) -> NDArray[np.bool_]:
        """Cells inside built-up urban areas."""
        return self.grid.rasterize(self.inputs.layer("urban_areas")).astype(bool)

    def near_layer(self, layer: str, distance_m: float) -> NDArray[np.bool_]:
        """Cells whose square comes closer than ``distance_m`` to a feature of ``layer``.

        Measured between polygons, not cell centres: the features are buffered by
        ``distance_m`` and every cell the buffer touches is marked (``all_touched``). The
        buffer's arcs are drawn with chords outside the true circle: GEOS splits a corner's arc
        into round(angle / quantum) chords (quantum pi/16 at 8 segments a quadrant), so a chord
        spans up to 1.5 quanta and the radius is scaled by 1/cos(0.75 pi/16) (1.1 % farther);
        a cell left unmarked keeps at least ``distance_m`` from every feature.
        """

        def compute() -> NDArray[np.bool_]:
            feats = self.inputs.layer(layer)
            if not len(feats) or distance_m <= 0:
                return np.zeros(self.grid.shape, bool)
            quad_segs = 8
            radius = float(distance_m) / math.cos(3 * math.pi / (8 * quad_segs))
            zone = shapely.buffer(shapely.union_all(list(feats.geometry)), radius,
                                  quad_segs=quad_segs)
            zone_gs = gpd.GeoSeries([zone], crs=feats.crs)
            return self.grid.rasterize(zone_gs, all_touched=True).astype(bool)

        near: NDArray[np.bool_] = self._cached(("near", layer, float(distance_m)), compute)
        return near

    def travel_graph(self, offroad_kmh: float) -> Any:
        """The cell graph of roads, barriers and transport points (`layout.analysis.travel`)."""

        def compute() -> Any:
            from layout.analysis.travel import build_travel_graph

            return build_travel_graph(
                self.inputs.layer("transport_lines"),
                self.inputs.layer("transport_points"),
                self.grid,
                offroad_kmh=offroad_kmh,
            )

        return self._cached(("travel_graph", float(offroad_kmh)), compute)

    def travel_minutes(self, kind: str, *, offroad_kmh: float) -> F32:
        """Minutes from every cell to the nearest transport point of ``kind`` (NaN without one).

        ``inf`` where no target can be reached (land enclosed by expressways and railways with
        no road crossing into it); the count is logged.
        """

        def compute() -> F32:
            from layout.analysis.travel import travel_minutes

            points = self.inputs.layer("transport_points")
            if self.inputs.layer("transport_lines").empty or not (
                len(points) and (points["kind"] == kind).any()
            ):
                return np.full(self.grid.shape, np.nan, np.float32)
            out = travel_minutes(self.travel_graph(offroad_kmh), kind=kind)
            cut = int(np.isinf(out[self.grid.mask]).sum())
            if cut:
                log.info("%d cells cannot reach any %s: enclosed by barriers with no road "
                         "crossing into them", cut, kind)
            return np.asarray(out, dtype=np.float32)

        key = ("travel", kind, float(offroad_kmh))
        out: F32 = self._cached(key, compute)
        return out.copy()

    # terrain and constraints ------------------------------------------------------------------
    @cached_property
    def slope(self) -> F32:
        """Slope in degrees on the grid (NaN without a DEM)."""
        from layout.analysis.terrain import slope_on_grid

        if self.inputs.dem is None:
            return np.full(self.grid.shape, np.nan, np.float32)
        return slope_on_grid(self.inputs.dem, self.grid)

    @cached_property
    def constraint_coverage(self) -> dict[str, F32]:
        """Covered fraction (0-1) of each cell, per drawn constraint type and outside the area.

        Exact polygon-cell areas (`layout.model.grid.Grid.coverage`): one array per constraint
        type the constraints layer holds, and ``outside_study_area``, the share of each cell
        beyond the boundary (1 for cells whose centre is outside it).
        """
        g = self.grid
        out: dict[str, F32] = {}
        cons = self.inputs.layer("constraints")
        for ctype in DRAWN_CONSTRAINT_TYPES:
            sub = cons[cons["type"] == ctype] if len(cons) else cons
            if len(sub):
                out[ctype] = g.coverage(sub)
        for ctype, geom in (self.landuse_limits | self.construction_limits).items():
            out[ctype] = g.coverage(gpd.GeoSeries([geom], crs=g.crs))
        outside = 1.0 - g.coverage(self.inputs.study_area)
        outside[~g.mask] = 1.0
        out["outside_study_area"] = outside.astype(np.float32)
        return out

    @cached_property
    def landuse_limits(self) -> dict[str, Any]:
        """The land-use layer's farmland, water and ecological land no constraint polygon covers.

        Keyed by derived constraint type (`layout.analysis.landuse.limit_geometries`); empty
        without a land-use layer.
        """
        from layout.analysis.landuse import limit_geometries

        landuse = self.inputs.layer("landuse")
        if not len(landuse):
            return {}
        return limit_geometries(landuse, self.inputs.layer("constraints"))

    @cached_property
    def construction_features(self) -> gpd.GeoDataFrame:
        """The 城镇建设适宜性 不适宜 cells: one ``construction_unsuitable`` feature (or none).

        Graded with the built-in rule table (`layout.analysis.construction`,
        ``layout/config/construction_rules.toml``) as ``layout construction-suitability``
        grades them (`layout.analysis.construction.unsuitable_features`); empty without a DEM.
        """
        from layout.analysis.construction import construction_suitability, unsuitable_features
        from layout.config.construction import load_rules

        if self.inputs.dem is None:
            return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=self.grid.crs))
        return unsuitable_features(construction_suitability(self.inputs, rules=load_rules()))

    @property
    def construction_limits(self) -> dict[str, Any]:
        """`construction_features` by derived constraint type (empty without unsuitable cells)."""
        feats = self.construction_features
        return {str(t): geom for t, geom in zip(feats["type"], feats.geometry, strict=True)
                } if len(feats) else {}

    @cached_property
    def study_area_geometry(self) -> shapely.Geometry:
        """The study area as one (multi)polygon in the plan CRS."""
        return shapely.union_all(list(self.inputs.study_area.geometry))

    @cached_property
    def excluded_geometry(self) -> shapely.Geometry:
        """Union of the drawn constraint polygons of every type the plan excludes (plan CRS).

        ``steep_slope`` is derived per cell (no polygon); cells the plan uses are never steep.
        The land-use limits and the construction-unsuitable cells the plan excludes
        (`landuse_limits`, `construction_limits`) are polygons too, and count.
        """
        cons = self.inputs.layer("constraints")
        drawn = [t for t in self.plan.exclude if t in DRAWN_CONSTRAINT_TYPES]
        parts = list(cons.loc[cons["type"].isin(drawn)].geometry) if len(cons) else []
        derived = self.landuse_limits | self.construction_limits
        parts += [g for t, g in derived.items() if t in self.plan.exclude]
        return shapely.union_all(parts) if parts else shapely.Polygon()

    @cached_property
    def constraint_flags(self) -> NDArray[np.uint16]:
        """Bit flags of the constraint types covering each cell (all types, excluding or not).

        A type's bit is set where it covers more than the sliver tolerance of the cell
        (`layout.model.constraints.SLIVER_MU`, the site check's), not only where it covers the
        cell's centre; the same holds for the outside of the study area. So a cell the plan may
        use overlaps an excluded constraint by at most a sliver, which clipping the site then
        removes (`layout.allocation.sites.site_geometry`).
        """
        g = self.grid
        flags = np.zeros(g.shape, np.uint16)
        for ctype, cover in self.constraint_coverage.items():
            hit = exceeds_sliver(cover, cell_area_m2=g.cell_area_m2)
            flags[hit] |= np.uint16(CONSTRAINT_BITS[ctype])
        flags[~g.mask] |= np.uint16(CONSTRAINT_BITS["outside_study_area"])
        return flags

    def flags(self, code: str) -> NDArray[np.uint16]:
        """Constraint flags plus ``steep_slope`` for this industry's maximum slope."""
        industry = self.plan.catalog.industry(code)
        flags = self.constraint_flags.copy()
        steep = np.nan_to_num(self.slope, nan=0.0) > industry.max_slope_deg
        flags[steep] |= np.uint16(CONSTRAINT_BITS["steep_slope"])
        return flags
