"""城镇建设适宜性 on a plan's grid: a rule table (`layout.model.construction`) applied.

`construction_suitability` reads the plan's DEM onto the grid, derives slope (Horn) and relief
(`layout.core.construction.relief` in a window of ``[relief] window_m``), grades each cell from
its slope class lowered by relief and by the ``[[location]]`` rules, marks the
``[[unsuitable]]`` cells (slope, elevation, relief or constraint polygons by cell centre), and
turns grades into classes (`layout.core.construction.classes_of`).  `area_table` sums the
classes per county in mu and hectares.  `unsuitable_features` turns the 不适宜 cells into the
polygons of the derived constraint type ``construction_unsuitable`` (`layout.model.constraints`),
which a plan may exclude (``[constraints] exclude``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from rasterio import features
from scipy import ndimage

from layout.analysis.terrain import dem_on_grid, slope_degrees
from layout.core.construction import classes_of, land_grades, relief
from layout.data.inputs import PlanInputs
from layout.errors import ConfigError
from layout.model.constraints import CONSTRAINT_TYPES
from layout.model.construction import CLASSES, ConstructionRules
from layout.model.grid import Grid
from layout.settings import M2_PER_MU

__all__ = ["ConstructionResult", "area_table", "construction_suitability", "grade_grid",
           "location_lowering", "unsuitable_features"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConstructionResult:
    """The graded grid.

    Attributes
    ----------
    grid
        The plan's grid.
    classes
        Class codes (`layout.model.construction.CLASSES`; 0 outside the study area).
    grades
        Grades before the unsuitable rules (1 best; 0 outside).
    slope, relief, elevation
        Degrees, metres, metres a.s.l. (NaN outside).
    unsuitable
        Cells each ``[[unsuitable]]`` rule marks, by rule name.
    rules
        The rule table applied.
    """

    grid: Grid
    classes: NDArray[np.uint8]
    grades: NDArray[np.uint8]
    slope: NDArray[np.float32]
    relief: NDArray[np.float32]
    elevation: NDArray[np.float32]
    unsuitable: dict[str, NDArray[np.bool_]]
    rules: ConstructionRules


def window_cells(window_m: float, cell: float) -> int:
    """An odd window of at least 3 cells closest to ``window_m``.

    Examples
    --------
    >>> window_cells(500.0, 100.0), window_cells(400.0, 100.0), window_cells(50.0, 100.0)
    (5, 5, 3)
    """
    k = max(3, round(window_m / cell))
    return k if k % 2 else k + 1


def grade_grid(
    elevation: NDArray[np.floating],
    grid: Grid,
    *,
    rules: ConstructionRules,
    constraints: gpd.GeoDataFrame | None = None,
    layers: dict[str, gpd.GeoDataFrame] | None = None,
    lower: NDArray[np.integer] | None = None,
) -> ConstructionResult:
    """Grade an elevation array of ``grid``'s shape (metres; NaN where unknown).

    ``lower`` gives the grades the ``[[location]]`` rules take off each cell when they were
    measured elsewhere (`location_lowering`, on a larger window); else they are measured here.
    """
    # Slope and relief from the whole DEM (terrain beyond the boundary counts at its edge),
    # then kept inside the study area only.
    raw = np.asarray(elevation, np.float32)
    outside = ~grid.mask | np.isnan(raw)
    slope = slope_degrees(raw, grid.cell)
    rel = relief(raw, window_cells(float(rules.relief.window_m), grid.cell))
    elev = np.where(outside, np.nan, raw).astype(np.float32)
    slope[outside] = np.nan
    rel[outside] = np.nan
    if lower is None:
        lower = location_lowering(grid, rules=rules, layers=layers)
    grades = land_grades(slope, rel, slope_breaks=rules.land.slope_breaks_deg,
                         relief_steps=rules.relief.steps_m, lower=lower)
    cons = constraints if constraints is not None else gpd.GeoDataFrame()
    marked: dict[str, NDArray[np.bool_]] = {}
    for rule in rules.unsuitable:
        if rule.slope_above_deg is not None:
            m = np.nan_to_num(slope, nan=0.0) > rule.slope_above_deg
        elif rule.elevation_above_m is not None:
            m = np.nan_to_num(elev, nan=-np.inf) > rule.elevation_above_m
        elif rule.relief_above_m is not None:
            m = np.nan_to_num(rel, nan=0.0) > rule.relief_above_m
        else:
            sub = cons[cons["type"].isin(rule.constraint_types)] if len(cons) else cons
            m = grid.rasterize(sub).astype(bool) if len(sub) else np.zeros(grid.shape, bool)
        marked[rule.name] = m & grid.mask
    any_marked = np.zeros(grid.shape, bool)
    for m in marked.values():
        any_marked |= m
    classes = classes_of(grades, any_marked, suitable_max=rules.classes.suitable_max_grade,
                         general_max=rules.classes.general_max_grade)
    return ConstructionResult(grid, classes, grades, slope, rel, elev, marked, rules)


def location_lowering(grid: Grid, *, rules: ConstructionRules,
                      layers: dict[str, gpd.GeoDataFrame] | None) -> NDArray[np.int64]:
    """Grades the ``[[location]]`` rules take off each cell (farther than ``beyond_m``)."""
    lower = np.zeros(grid.shape, np.int64)
    for loc in rules.location:
        feats = (layers or {}).get(loc.layer)
        if feats is None or not len(feats):
            logger.warning("construction suitability: no %s layer; location rule skipped",
                           loc.layer)
            continue
        cells = grid.rasterize(feats, all_touched=True).astype(bool)
        dist = ndimage.distance_transform_edt(~cells, sampling=grid.cell)
        lower += loc.lower * (dist > float(loc.beyond_m))
    return lower


def construction_suitability(inputs: PlanInputs, *, rules: ConstructionRules
                             ) -> ConstructionResult:
    """Grade the plan's grid (module docstring).

    Raises
    ------
    ConfigError
        When the plan has no DEM.
    """
    if inputs.dem is None:
        raise ConfigError(f"{inputs.plan.label}: construction suitability needs a DEM; name one "
                          "in [inputs] dem")
    elev = dem_on_grid(inputs.dem, inputs.grid)
    result = grade_grid(elev, inputs.grid, rules=rules, constraints=inputs.layer("constraints"),
                        layers={k: inputs.layer(k) for k in {r.layer for r in rules.location}})
    counts = {c.key: int((result.classes == c.code).sum()) for c in CLASSES.values()}
    logger.info("construction suitability: %s cells", counts)
    return result


def area_table(result: ConstructionResult, counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area of each class per county, mu and ha, with a total row (``adcode`` "total").

    ``no_data_mu`` is the study area the DEM does not cover (no class).

    A cell counts for the county holding its centre; cells in no county count only in the
    total.
    """
    g = result.grid
    n = len(counties)
    idx = g.rasterize(counties, values=np.arange(1, n + 1), dtype="int32").astype(np.int64)
    cell_mu = g.cell_area_m2 / M2_PER_MU
    rows = []
    names = counties.reset_index(drop=True)
    for k in range(n + 1):
        sel = (idx == k) if k else np.ones(g.shape, bool)
        row: dict[str, object] = {
            "adcode": str(names.at[k - 1, "adcode"]) if k else "total",
            "name_zh": str(names.at[k - 1, "name_zh"]) if k and "name_zh" in names else "合计",
            "name_en": str(names.at[k - 1, "name_en"]) if k and "name_en" in names else "total",
        }
        for c in CLASSES.values():
            mu = float(((result.classes == c.code) & sel).sum()) * cell_mu
            row[f"{c.key}_mu"] = round(mu, 1)
            row[f"{c.key}_ha"] = round(mu / 15.0, 2)
        # study-area cells with no elevation (the DEM does not cover them): no class
        row["no_data_mu"] = round(float(((result.classes == 0) & g.mask & sel).sum()) * cell_mu,
                                  1)
        rows.append(row)
    table = pd.DataFrame(rows)
    return pd.concat([table.iloc[1:], table.iloc[:1]], ignore_index=True)


def unsuitable_features(result: ConstructionResult) -> gpd.GeoDataFrame:
    """The 不适宜 cells as one ``construction_unsuitable`` feature of a constraints layer.

    The feature is the union of the cells' squares (grid CRS), with the constraints layer's
    columns (``constraint_id``, ``type``, ``name_zh``, ``name_en``, ``legal_basis``,
    ``confidence``); no row when no cell is unsuitable.

    Examples
    --------
    >>> from layout.config.construction import load_rules
    >>> g = Grid.from_boundary(gpd.GeoSeries([shapely.box(0, 0, 300, 100)], crs="EPSG:4547"),
    ...                        resolution=100)
    >>> elev = np.array([[0.0, 0.0, 500.0]])  # the 500 m step: slope > 25° on the last cells
    >>> feats = unsuitable_features(grade_grid(elev, g, rules=load_rules()))
    >>> feats["type"].tolist(), feats.geometry.area.tolist()
    (['construction_unsuitable'], [20000.0])
    """
    g = result.grid
    ctype = CONSTRAINT_TYPES["construction_unsuitable"]
    columns = ["constraint_id", "type", "name_zh", "name_en", "legal_basis", "confidence"]
    cells = (result.classes == CLASSES["unsuitable"].code).astype(np.uint8)
    if not cells.any():
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=g.crs),
                                crs=g.crs)
    polys = [shapely.geometry.shape(geom) for geom, _ in
             features.shapes(cells, mask=cells.astype(bool), transform=g.transform)]
    row = {"constraint_id": "construction_unsuitable", "type": ctype.name,
           "name_zh": ctype.label_zh, "name_en": ctype.label_en,
           "legal_basis": ctype.legal_basis, "confidence": ""}
    return gpd.GeoDataFrame({k: [v] for k, v in row.items()},
                            geometry=[shapely.union_all(polys)], crs=g.crs)
