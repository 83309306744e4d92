"""Agglomeration measures: kernel density, Gi* hot spots, location quotients, Ellison-Glaeser γ.

Each function validates its inputs (CRS, columns, geometry types, values), reports every problem
at once as a `~layout.errors.ValidationError`, and hands plain arrays to the kernels of
`layout.core.kernels`.  Distances are measured in metres, so layers used for distances must be in a
projected CRS (`~layout.errors.CRSError` otherwise, never a silent reprojection from degrees);
point-in-region assignment reprojects as needed.

Column names default to the enterprise layer of ``docs/data_model.md``: ``industry`` (code),
``output_wan`` (annual output, 万元), ``employees``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from typing import Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS
from scipy import stats

from layout import settings
from layout.core import kernels as _kernels
from layout.errors import ConfigError, Problem, UnknownIndustryError, ValidationError
from layout.io.crs import require_crs, require_projected
from layout.model.grid import Grid

__all__ = [
    "coagglomeration_gamma",
    "ellison_glaeser_gamma",
    "find_clusters",
    "hot_spots",
    "kernel_density",
    "location_quotients",
]

#: At most this many rows are reported per column and check (then one "and N more" problem).
_MAX_ROW_PROBLEMS = 20

_POINT_TYPES = ("Point",)
_AREA_TYPES = ("Polygon", "MultiPolygon")


# --- validation helpers ---------------------------------------------------------------------


def _feature_ids(gdf: pd.DataFrame) -> pd.Index:
    """Ids to name rows by in messages: ``ent_id`` when the layer has it, else the index."""
    return pd.Index(gdf["ent_id"]) if "ent_id" in gdf.columns else gdf.index


def _row_problems(
    gdf: pd.DataFrame,
    bad: NDArray[np.bool_],
    *,
    source: str,
    column: str | None,
    message: str,
    values: pd.Series | None = None,
) -> list[Problem]:
    ids = _feature_ids(gdf)
    rows = np.flatnonzero(bad)
    out = []
    for i in rows[:_MAX_ROW_PROBLEMS]:
        found = f" (found {values.iloc[i]!r})" if values is not None else ""
        out.append(Problem(source, message + found, feature=str(ids[i]), column=column))
    if rows.size > _MAX_ROW_PROBLEMS:
        out.append(
            Problem(source, f"{message}: {rows.size - _MAX_ROW_PROBLEMS} more rows", column=column)
        )
    return out


def _missing_columns(gdf: pd.DataFrame, columns: Sequence[str], source: str) -> list[Problem]:
    out = []
    for col in columns:
        if col not in gdf.columns:
            near = difflib.get_close_matches(col, [str(c) for c in gdf.columns], n=3)
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
            have = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
            out.append(
                Problem(source, f"column {col!r} is missing (columns: {have}){hint}", column=col)
            )
    return out


def _geometry_problems(gdf: gpd.GeoDataFrame, kinds: tuple[str, ...], source: str) -> list[Problem]:
    geom = gdf.geometry
    missing = np.asarray(geom.isna() | geom.is_empty)
    out = _row_problems(
        gdf, missing, source=source, column=None, message="geometry is missing or empty"
    )
    wrong = ~missing & ~np.asarray(geom.geom_type.isin(kinds))
    out += _row_problems(
        gdf,
        wrong,
        source=source,
        column=None,
        message=f"geometry must be {' or '.join(kinds)}",
        values=geom.geom_type,
    )
    return out


def _numeric_problems(gdf: pd.DataFrame, column: str, source: str) -> list[Problem]:
    """Problems of a column that must hold finite non-negative numbers."""
    col = gdf[column]
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        return [Problem(source, f"must be numeric, found dtype {col.dtype}", column=column)]
    vals = col.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(vals) | (vals < 0)
    return _row_problems(
        gdf, bad, source=source, column=column, message="must be a finite number >= 0", values=col
    )


def _code_problems(gdf: pd.DataFrame, column: str, source: str) -> list[Problem]:
    col = gdf[column]
    bad = np.asarray(col.isna() | (col.astype(str).str.strip() == ""))
    return _row_problems(gdf, bad, source=source, column=column, message="industry code is missing")


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


def _check_enterprises(
    gdf: gpd.GeoDataFrame, *, source: str, codes: Sequence[str] = (), numbers: Sequence[str] = ()
) -> None:
    """Validate a point layer: geometry, code columns and non-negative numeric columns."""
    problems = _missing_columns(gdf, [*codes, *numbers], source)
    problems += _geometry_problems(gdf, _POINT_TYPES, source)
    problems += [p for c in codes if c in gdf.columns for p in _code_problems(gdf, c, source)]
    problems += [p for c in numbers if c in gdf.columns for p in _numeric_problems(gdf, c, source)]
    _raise(problems)


# --- kernel density and hot spots -----------------------------------------------------------


def kernel_density(
    points: gpd.GeoDataFrame,
    grid: Grid,
    *,
    weight: str | None = "output_wan",
    bandwidth: float = 2000.0,
    cutoff: float = 4.0,
    fill: float = np.nan,
) -> NDArray[np.float64]:
    """Weighted Gaussian kernel density of points on the analysis grid, per km².

    Parameters
    ----------
    points
        Point layer in a projected CRS (reprojected to the grid's CRS if it differs).
    grid
        The analysis grid.
    weight
        Column of non-negative weights (default ``output_wan``: 万元 of output per km²), or None
        to count points (enterprises per km²).
    bandwidth
        Standard deviation of the Gaussian kernel, metres; at least half a cell, and 3 cells or
        more for the documented accuracy of `layout.core.kernels.kde_grid` (0.5 % of the peak).
        The default 2 km is the scale of an industrial cluster zone (产业集聚区).
    cutoff
        Kernel truncation, in bandwidths.
    fill
        Value of cells outside ``grid.mask``.  NaN by default, so that a later normalisation
        (``nanmax``) is not driven by activity beyond the study area; points outside the area
        still add density to the cells inside near the boundary.

    Returns
    -------
    ndarray
        ``(nrows, ncols)`` density in weight units per km² (see `layout.core.kernels.kde_grid`).

    Raises
    ------
    CRSError
        The points have no CRS or a geographic one.
    ValidationError
        A column is missing, a geometry is not a point, a weight is missing or negative.
    ConfigError
        ``bandwidth`` or ``cutoff`` out of range.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> sq = gpd.GeoSeries([shapely.box(0, 0, 2000, 2000)], crs="EPSG:4547")
    >>> grid = Grid.from_boundary(sq, resolution=100)
    >>> pts = gpd.GeoDataFrame({"output_wan": [500.0]}, geometry=[shapely.Point(1050, 950)],
    ...                        crs="EPSG:4547")
    >>> d = kernel_density(pts, grid, bandwidth=300)
    >>> round(float(d[10, 10]))  # 500 万元 / (2 pi (0.3 km)²)
    884
    """
    if not (math.isfinite(bandwidth) and bandwidth > grid.cell / 2):
        raise ConfigError(
            f"bandwidth must be more than half a cell ({grid.cell / 2:g} m), got "
            f"{bandwidth!r} m; the KDE is accurate to 0.5 % from 3 cells "
            f"({3 * grid.cell:g} m)"
        )
    if not (math.isfinite(cutoff) and cutoff >= 1):
        raise ConfigError(f"cutoff (kernel radius in bandwidths) must be >= 1, got {cutoff!r}")
    crs = require_projected(points, source="points for kernel density")
    _check_enterprises(
        points, source="points for kernel density", numbers=[weight] if weight is not None else []
    )
    pts = points if crs.equals(grid.crs) else points.to_crs(grid.crs)
    w = None if weight is None else pts[weight].to_numpy(dtype=np.float64)
    dens = _kernels.kde_grid(
        pts.geometry.x.to_numpy(),
        pts.geometry.y.to_numpy(),
        w,
        x0=grid.x0,
        y_top=grid.y_top,
        cell=grid.cell,
        nrows=grid.nrows,
        ncols=grid.ncols,
        bandwidth=bandwidth,
        cutoff=cutoff,
    )
    dens[~grid.mask] = fill
    return dens


def _benjamini_hochberg(p: NDArray[np.float64], alpha: float) -> NDArray[np.bool_]:
    """Reject flags of the Benjamini-Hochberg (1995) step-up procedure at FDR ``alpha``."""
    m = p.size
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    passed = p[order] <= alpha * np.arange(1, m + 1) / m
    reject = np.zeros(m, dtype=bool)
    if passed.any():
        reject[order[: np.flatnonzero(passed).max() + 1]] = True
    return reject


def hot_spots(
    values: ArrayLike,
    grid: Grid,
    *,
    radius: float = 1,
    metric: Literal["queen", "distance"] = "queen",
    alpha: float = 0.05,
    correction: Literal["none", "fdr"] = "none",
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Getis-Ord Gi* hot spots of a raster on the analysis grid.

    Gi* uses binary weights over each cell's neighbourhood, the cell included, and only the cells
    inside ``grid.mask`` (see `layout.core.kernels.gi_star`: equal to esda's
    ``G_Local(star=True, transform="B")`` z-scores).

    Parameters
    ----------
    values
        ``(nrows, ncols)`` raster, e.g. a `kernel_density`; finite inside the mask, ignored
        outside it.
    grid
        The analysis grid (its mask defines the cells analysed).
    radius, metric
        Neighbourhood: ``"queen"`` square of ``(2 radius + 1)²`` cells (``radius`` an integer
        >= 1) or ``"distance"`` disk of ``radius`` cells (``radius * grid.cell`` metres).
    alpha
        One-sided significance level.
    correction
        ``"none"`` (default): a cell is hot when ``z > Φ⁻¹(1 - alpha)`` (1.645 at 5 %), the
        usual per-cell test of hot-spot maps, with no multiple-testing correction, so about
        ``alpha`` of the cells of a patternless surface are flagged.  ``"fdr"``:
        Benjamini-Hochberg over the one-sided p-values of all analysed cells, controlling the
        false discovery rate at ``alpha`` (valid for the positively dependent z-scores of
        overlapping windows).

    Returns
    -------
    z : ndarray
        ``(nrows, ncols)`` Gi* z-scores, NaN outside the mask (and everywhere if the values are
        constant inside it).
    hot : ndarray
        ``(nrows, ncols)`` booleans, True for significant hot spots; False outside the mask.

    Raises
    ------
    ValidationError
        ``values`` has the wrong shape or non-finite values inside the mask.
    ConfigError
        ``radius``, ``metric``, ``alpha`` or ``correction`` out of range.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> grid = Grid.from_boundary(gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)],
    ...                                         crs="EPSG:4547"), resolution=100)
    >>> v = np.ones(grid.shape); v[4:7, 4:7] = 10.0
    >>> z, hot = hot_spots(v, grid)
    >>> round(float(z[5, 5]), 2), int(hot.sum())  # the 3 x 3 block and a cell beyond each side
    (9.95, 13)
    """
    if metric not in ("queen", "distance"):
        raise ConfigError(f"metric must be 'queen' or 'distance', got {metric!r}")
    if metric == "queen" and not (float(radius).is_integer() and radius >= 1):
        raise ConfigError(f"a queen radius is a whole number of cells >= 1, got {radius!r}")
    if metric == "distance" and not (math.isfinite(radius) and radius >= 1):
        raise ConfigError(f"a distance radius (in cells) must be >= 1, got {radius!r}")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    if correction not in ("none", "fdr"):
        raise ConfigError(f"correction must be 'none' or 'fdr', got {correction!r}")
    arr = np.asarray(values, dtype=np.float64)
    source = "values raster for hot spots"
    if arr.shape != grid.shape:
        raise ValidationError(
            [Problem(source, f"has shape {arr.shape} but the grid is {grid.shape}")]
        )
    bad = grid.mask & ~np.isfinite(arr)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValidationError(
            [
                Problem(
                    source,
                    f"{int(bad.sum())} cells inside the study area are not finite, the first "
                    f"at row {r}, column {c}; fill them (e.g. with 0) or mask them out",
                )
            ]
        )
    z = _kernels.gi_star(arr, mask=grid.mask, radius=radius, metric=metric)
    ok = np.isfinite(z)
    hot = np.zeros(grid.shape, dtype=bool)
    if correction == "none":
        hot[ok] = z[ok] > stats.norm.isf(alpha)
    else:
        hot[ok] = _benjamini_hochberg(stats.norm.sf(z[ok]), alpha) & (z[ok] > 0)
    return z, hot


# --- regional concentration -----------------------------------------------------------------


def assign_regions(
    enterprises: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, *, region_id: str
) -> tuple[NDArray[np.int64], pd.Index]:
    """Position of the region holding each enterprise (-1 when none), and the region ids.

    The join runs in a projected CRS: the enterprises' own when it is projected, otherwise
    `settings.default_crs`.  A point on a shared boundary goes to the first region listed.
    """
    src_r = "regions layer"
    ecrs = require_crs(enterprises, source="enterprises layer")
    require_crs(regions, source=src_r)
    problems = _missing_columns(regions, [region_id], src_r)
    problems += _geometry_problems(regions, _AREA_TYPES, src_r)
    if region_id in regions.columns:
        ids = regions[region_id]
        problems += _row_problems(
            regions,
            np.asarray(ids.isna()),
            source=src_r,
            column=region_id,
            message="region id is missing",
        )
        problems += _row_problems(
            regions,
            np.asarray(ids.duplicated(keep="first") & ids.notna()),
            source=src_r,
            column=region_id,
            message="region id is not unique",
            values=ids,
        )
    _raise(problems)
    work = ecrs if ecrs.is_projected else CRS.from_user_input(settings.default_crs)
    pts = enterprises.geometry if ecrs.equals(work) else enterprises.geometry.to_crs(work)
    reg = regions.geometry.to_crs(work)
    tree = shapely.STRtree(np.asarray(reg.values))
    pt_idx, reg_idx = tree.query(np.asarray(pts.values), predicate="intersects")
    codes = np.full(len(enterprises), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(codes, pt_idx, reg_idx.astype(np.int64))
    codes[codes == np.iinfo(np.int64).max] = -1
    return codes, pd.Index(regions[region_id], name=region_id)


def _industry_codes(values: pd.Series) -> tuple[list[str], NDArray[np.int64]]:
    cats = pd.Categorical(values.astype(str))
    order = sorted(str(c) for c in cats.categories)
    cats = cats.reorder_categories(order)
    return order, np.asarray(cats.codes, dtype=np.int64)


def location_quotients(
    enterprises: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    industry: str = "industry",
    measure: str = "output_wan",
    reference: Literal["all", "regions"] = "all",
) -> pd.DataFrame:
    """Location quotients of every industry in every region.

    ``LQ = (e_ri / e_r) / (E_i / E)``: the industry's share of the region's ``measure`` over its
    share of the whole area's (see `layout.core.kernels.location_quotient`).

    Parameters
    ----------
    enterprises
        Enterprise points with a CRS.
    regions
        Polygons (counties, zones) with a CRS, not necessarily the same.
    region_id
        Column of unique region ids.
    industry
        Column of industry codes.
    measure
        Column of non-negative amounts: ``output_wan`` (万元) or ``employees``.
    reference
        ``"all"`` (default): ``E_i / E`` over every enterprise, the whole study area as in the
        textbook definition, also when the regions (zones) cover only part of it;
        ``"regions"``: over the enterprises inside the regions only.

    Returns
    -------
    DataFrame
        Regions (every region, in layer order, index named ``region_id``) × industries present
        (sorted codes).  0 where a region has activity but none of the industry; NaN for a
        region with no activity.  ``attrs``: ``measure``, ``n_enterprises`` (assigned),
        ``n_outside`` (points in no region, dropped).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> regions = gpd.GeoDataFrame({"zone": ["a", "b"]}, crs="EPSG:4547",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> firms = gpd.GeoDataFrame({"industry": ["auto", "food", "food", "food"],
    ...     "output_wan": [10.0, 10.0, 20.0, 5.0]}, crs="EPSG:4547",
    ...     geometry=shapely.points([(2, 2), (3, 3), (15, 5), (50, 50)]))
    >>> lq = location_quotients(firms, regions, region_id="zone")
    >>> lq.round(3)  # food is 35 of 45 overall: (10 / 20) / (35 / 45) = 0.643 in zone a
    industry   auto   food
    zone
    a         2.250  0.643
    b         0.000  1.286
    >>> location_quotients(firms, regions, region_id="zone", reference="regions").round(3)
    industry   auto   food
    zone
    a         2.000  0.667
    b         0.000  1.333
    >>> lq.attrs["n_outside"]
    1
    """
    _check_enterprises(enterprises, source="enterprises layer", codes=[industry], numbers=[measure])
    if reference not in ("all", "regions"):
        raise ConfigError(f"reference = {reference!r}: use 'all' or 'regions'")
    codes, ids = assign_regions(enterprises, regions, region_id=region_id)
    inside = codes >= 0
    names, ind_all = _industry_codes(enterprises[industry])
    amount_all = enterprises[measure].to_numpy(dtype=np.float64)
    ind, amount = ind_all[inside], amount_all[inside]
    nreg, nind = len(ids), len(names)
    table = np.bincount(codes[inside] * nind + ind, weights=amount, minlength=nreg * nind).reshape(
        nreg, nind
    )
    if reference == "regions":
        present = table.sum(axis=0) > 0
        lq = _kernels.location_quotient(table[:, present])
        names = [n for n, p in zip(names, present, strict=True) if p]
    else:
        totals = np.bincount(ind_all, weights=amount_all, minlength=nind)
        with np.errstate(invalid="ignore", divide="ignore"):
            region_share = table / table.sum(axis=1, keepdims=True)
            lq = region_share / (totals / totals.sum())[None, :]
    out = pd.DataFrame(lq, index=ids, columns=pd.Index(names, name=industry))
    out.attrs.update(
        measure=measure, n_enterprises=int(inside.sum()), n_outside=int((~inside).sum())
    )
    return out


def _shares_of_total(
    codes: NDArray[np.int64],
    size: NDArray[np.float64],
    ids: pd.Index,
    region_share: pd.Series | None,
) -> NDArray[np.float64]:
    """``x_r``: from the layer itself, or from a caller's Series indexed by region id."""
    if region_share is None:
        return _kernels.region_shares(codes, size, len(ids))
    src = "region_share"
    missing = ids.difference(region_share.index)
    if len(missing):
        raise ValidationError([Problem(src, f"has no share for regions {list(missing)[:10]}")])
    x = region_share.reindex(ids).to_numpy(dtype=np.float64)
    if not (np.isfinite(x).all() and (x >= 0).all() and x.sum() > 0):
        raise ValidationError([Problem(src, "shares must be finite, >= 0 and not all 0")])
    return cast(NDArray[np.float64], x / x.sum())


def _industry_shares(
    enterprises: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    industry: str,
    size: str,
    region_share: pd.Series | None,
) -> tuple[
    NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], list[str], NDArray[np.float64], int
]:
    _check_enterprises(enterprises, source="enterprises layer", codes=[industry], numbers=[size])
    codes, ids = assign_regions(enterprises, regions, region_id=region_id)
    inside = codes >= 0
    names, ind = _industry_codes(enterprises[industry][inside])
    sz = enterprises[size].to_numpy(dtype=np.float64)[inside]
    x = _shares_of_total(codes[inside], sz, ids, region_share)
    return codes[inside], sz, ind, names, x, int((~inside).sum())


def ellison_glaeser_gamma(
    enterprises: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    industry: str = "industry",
    size: str = "employees",
    region_share: pd.Series | None = None,
) -> pd.DataFrame:
    """Ellison-Glaeser (1997) γ of every industry over a set of regions.

    Parameters
    ----------
    enterprises
        Enterprise (plant) points with a CRS.
    regions
        Polygons with a CRS.
    region_id
        Column of unique region ids.
    industry
        Column of industry codes.
    size
        Column of plant sizes, usually ``employees`` (EG's measure).
    region_share
        ``x_r``, each region's share of all manufacturing, as a Series indexed by region id
        (e.g. from a statistical yearbook; normalised to sum 1).  None: the share of ``size`` of
        all the enterprises of the layer (every industry, ``other`` included) in the region.

    Returns
    -------
    DataFrame
        One row per industry (sorted codes): ``gamma``, ``G`` (raw concentration),
        ``H`` (plant Herfindahl), ``n_plants``.  ``attrs["n_outside"]``: points in no region,
        dropped.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> regions = gpd.GeoDataFrame({"zone": ["a", "b"]}, crs="EPSG:4547",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> firms = gpd.GeoDataFrame({"industry": ["auto", "auto", "food", "food"],
    ...     "employees": [10, 10, 10, 10]}, crs="EPSG:4547",
    ...     geometry=shapely.points([(2, 2), (3, 3), (15, 5), (16, 5)]))
    >>> ellison_glaeser_gamma(firms, regions, region_id="zone")
              gamma    G    H  n_plants
    industry
    auto        1.0  0.5  0.5         2
    food        1.0  0.5  0.5         2
    """
    codes, sz, ind, names, x, n_out = _industry_shares(
        enterprises,
        regions,
        region_id=region_id,
        industry=industry,
        size=size,
        region_share=region_share,
    )
    rows = []
    for k in range(len(names)):
        sel = ind == k
        gamma, g, h = _kernels.ellison_glaeser(codes[sel], sz[sel], x)
        rows.append((gamma, g, h, int(sel.sum())))
    out = pd.DataFrame(
        rows, columns=["gamma", "G", "H", "n_plants"], index=pd.Index(names, name=industry)
    )
    out.attrs.update(size=size, n_outside=n_out)
    return out


def coagglomeration_gamma(
    enterprises: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_id: str,
    industry: str = "industry",
    size: str = "employees",
    region_share: pd.Series | None = None,
) -> pd.DataFrame:
    """Ellison-Glaeser-Kerr (2010) coagglomeration γᶜ of every pair of industries.

    Parameters are those of `ellison_glaeser_gamma`.

    Returns
    -------
    DataFrame
        Symmetric industries × industries matrix of γᶜ; the diagonal is NaN (an industry with
        itself is `ellison_glaeser_gamma`).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> regions = gpd.GeoDataFrame({"zone": ["a", "b"]}, crs="EPSG:4547",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> firms = gpd.GeoDataFrame({"industry": ["auto", "auto", "food", "food"],
    ...     "employees": [10, 10, 10, 10]}, crs="EPSG:4547",
    ...     geometry=shapely.points([(2, 2), (3, 3), (15, 5), (16, 5)]))
    >>> coagglomeration_gamma(firms, regions, region_id="zone")
    industry  auto  food
    industry
    auto       NaN  -1.0
    food      -1.0   NaN
    """
    codes, sz, ind, names, x, n_out = _industry_shares(
        enterprises,
        regions,
        region_id=region_id,
        industry=industry,
        size=size,
        region_share=region_share,
    )
    shares = [
        _kernels.region_shares(codes[ind == k], sz[ind == k], x.size) for k in range(len(names))
    ]
    mat = np.full((len(names), len(names)), np.nan)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            mat[a, b] = mat[b, a] = _kernels.coagglomeration(shares[a], shares[b], x)
    idx = pd.Index(names, name=industry)
    out = pd.DataFrame(mat, index=idx, columns=idx.copy())
    out.attrs.update(size=size, n_outside=n_out)
    return out


# --- existing clusters ----------------------------------------------------------------------


def find_clusters(
    enterprises: gpd.GeoDataFrame,
    *,
    industry: str | None,
    eps_m: float = 1500.0,
    min_samples: int = 5,
    method: Literal["dbscan", "hdbscan"] = "dbscan",
    buffer_m: float = 100.0,
    industry_col: str = "industry",
) -> gpd.GeoDataFrame:
    """Existing clusters of enterprises of one industry, by DBSCAN or HDBSCAN on metres.

    Parameters
    ----------
    enterprises
        Enterprise points in a projected CRS, with columns ``output_wan`` and ``employees``.
    industry
        Industry code whose enterprises are clustered, or None for all enterprises.
    eps_m
        DBSCAN: neighbourhood radius in metres (default 1.5 km, the scale of one industrial
        park).  HDBSCAN: ``cluster_selection_epsilon``, clusters closer than this are not split.
        HDBSCAN has no density floor: a cluster keeps every firm still attached to it where it
        separates from the rest, so its hull may take in a few scattered firms, and a loose
        group of ``min_samples`` firms far from the others can form a cluster; DBSCAN's
        ``eps_m`` is a fixed density threshold and is the default for that reason.
    min_samples
        DBSCAN: points within ``eps_m`` (the point included) that make a core point.  HDBSCAN:
        ``min_cluster_size``.
    method
        ``"dbscan"`` or ``"hdbscan"`` (scikit-learn's).
    buffer_m
        The convex hull of each cluster is buffered by this many metres (one 100 m grid cell by
        default), so that clusters of collinear firms are polygons too; 0 for bare hulls.
    industry_col
        Column of industry codes.

    Returns
    -------
    GeoDataFrame
        One row per cluster, in the input CRS, largest first: ``label`` (0 = most firms),
        ``industry``, ``n_firms``, ``output_wan`` (sum, 万元), ``employees`` (sum) and the
        (buffered) convex hull.  ``attrs``: ``n_noise`` (firms in no cluster), ``method``.

    Raises
    ------
    UnknownIndustryError
        No enterprise has the industry code (the message lists those present).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> xy = [(0, 0), (100, 0), (0, 100), (100, 100), (50, 50), (9000, 9000)]
    >>> firms = gpd.GeoDataFrame({"industry": ["auto"] * 6, "output_wan": [1.0] * 6,
    ...     "employees": [10] * 6}, geometry=shapely.points(xy), crs="EPSG:4547")
    >>> cl = find_clusters(firms, industry="auto", eps_m=200, min_samples=3)
    >>> cl[["label", "n_firms", "employees"]]
       label  n_firms  employees
    0      0        5         50
    >>> cl.attrs["n_noise"]
    1
    """
    if method not in ("dbscan", "hdbscan"):
        raise ConfigError(f"method must be 'dbscan' or 'hdbscan', got {method!r}")
    if not (math.isfinite(eps_m) and eps_m > 0):
        raise ConfigError(f"eps_m must be a positive distance in metres, got {eps_m!r}")
    if not (isinstance(min_samples, int | np.integer) and min_samples >= 2):
        raise ConfigError(f"min_samples must be an integer >= 2, got {min_samples!r}")
    if not (math.isfinite(buffer_m) and buffer_m >= 0):
        raise ConfigError(f"buffer_m must be >= 0 metres, got {buffer_m!r}")
    source = "enterprises layer"
    crs = require_projected(enterprises, source=source)
    _check_enterprises(
        enterprises,
        source=source,
        codes=[industry_col] if industry is not None else [],
        numbers=["output_wan", "employees"],
    )
    firms = enterprises
    if industry is not None:
        present = sorted(enterprises[industry_col].astype(str).unique())
        if industry not in present:
            near = difflib.get_close_matches(industry, present, n=3)
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
            raise UnknownIndustryError(
                f"no enterprise has {industry_col} {industry!r} (codes present: "
                f"{', '.join(present)}){hint}"
            )
        firms = enterprises[enterprises[industry_col].astype(str) == industry]
    xy = shapely.get_coordinates(np.asarray(firms.geometry.values))
    labels = _cluster_labels(xy, eps_m=eps_m, min_samples=min_samples, method=method)
    out_rows, hulls = [], []
    found = [lab for lab in np.unique(labels) if lab >= 0]
    sizes = {lab: int((labels == lab).sum()) for lab in found}
    for new, lab in enumerate(sorted(found, key=lambda lab: (-sizes[lab], lab))):
        sel = labels == lab
        hull = shapely.MultiPoint(xy[sel]).convex_hull
        hulls.append(hull.buffer(buffer_m) if buffer_m > 0 else hull)
        out_rows.append(
            {
                "label": new,
                "industry": industry if industry is not None else "all",
                "n_firms": sizes[lab],
                "output_wan": float(firms["output_wan"].to_numpy(dtype=np.float64)[sel].sum()),
                "employees": firms["employees"].to_numpy()[sel].sum(),
            }
        )
    columns = ["label", "industry", "n_firms", "output_wan", "employees"]
    out = gpd.GeoDataFrame(pd.DataFrame(out_rows, columns=columns), geometry=hulls, crs=crs)
    out.attrs.update(n_noise=int((labels < 0).sum()), method=method)
    return out


def _cluster_labels(
    xy: NDArray[np.float64], *, eps_m: float, min_samples: int, method: str
) -> NDArray[np.int64]:
    """scikit-learn cluster labels of points (metres); -1 is noise."""
    if len(xy) < min_samples:
        return np.full(len(xy), -1, dtype=np.int64)
    from sklearn.cluster import DBSCAN, HDBSCAN

    if method == "dbscan":
        model = DBSCAN(eps=eps_m, min_samples=min_samples).fit(xy)
    else:
        # copy=True: do not let HDBSCAN modify the array (and silences its FutureWarning).
        model = HDBSCAN(
            min_cluster_size=min_samples, cluster_selection_epsilon=float(eps_m), copy=True
        ).fit(xy)
    return np.asarray(model.labels_, dtype=np.int64)


def agglomeration_table(
    enterprises: gpd.GeoDataFrame,
    *,
    counties: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    grid: Grid,
    industries: Sequence[str],
    measure: str = "output_wan",
    hotspot_radius_m: float = 1000.0,
    hotspot_metric: Literal["queen", "distance"] = "queen",
    hotspot_z: Mapping[str, NDArray[np.floating]] | None = None,
    alpha: float = 0.05,
    eps_m: float = 1500.0,
    min_samples: int = 5,
) -> pd.DataFrame:
    """Today's agglomeration statistics of each industry, as one long table (``measures.csv``).

    Rows are ``industry, measure, region_type, region_id, region_name, value``:

    * ``lq`` by ``county`` (``adcode``) and by ``zone`` (``zone_id``), of ``measure``;
    * ``eg_gamma``, ``eg_G``, ``eg_H`` — Ellison–Glaeser over counties, plant size = employees;
    * ``hotspot_cells`` — Gi* hot-spot cells (z above the one-sided ``alpha`` quantile, no
      multiple-testing correction) of ``measure`` per cell, binary weights within
      ``hotspot_radius_m`` (``hotspot_metric`` as in `layout.core.kernels.window_sum`); pass the
      z-scores already computed by the scoring stage as ``hotspot_z`` to reuse them;
    * ``clusters``, ``clustered_share`` — DBSCAN clusters (``eps_m``, ``min_samples``) and the
      share of the industry's firms inside one;
    * ``firms``, ``output_wan``, ``employees``, ``zone_output_share`` — size and the share of
      output inside designated zones.

    Examples
    --------
    >>> from layout.data.inputs import load_inputs
    >>> inp = load_inputs()
    >>> t = agglomeration_table(inp.layer("enterprises"), counties=inp.layer("counties"),
    ...     zones=inp.layer("zones"), grid=inp.grid, industries=["aluminium"])
    >>> sorted(set(t["measure"]))[:4]
    ['clustered_share', 'clusters', 'eg_G', 'eg_H']
    """
    rows: list[dict[str, object]] = []

    def add(
        code: str, name: str, value: float, rtype: str = "", rid: str = "", rname: str = ""
    ) -> None:
        rows.append(
            {
                "industry": code,
                "measure": name,
                "region_type": rtype,
                "region_id": rid,
                "region_name": rname,
                "value": float(value),
            }
        )

    lq_c = location_quotients(enterprises, counties, region_id="adcode", measure=measure)
    lq_z = location_quotients(enterprises, zones, region_id="zone_id", measure=measure)
    eg = ellison_glaeser_gamma(enterprises, counties, region_id="adcode")
    zone_pos, _ = assign_regions(enterprises, zones, region_id="zone_id")
    cname = dict(zip(counties["adcode"].astype(str), counties["name_zh"].astype(str), strict=True))
    zname = dict(zip(zones["zone_id"].astype(str), zones["name_zh"].astype(str), strict=True))
    ent = enterprises.to_crs(grid.crs)
    xs, ys = ent.geometry.x.to_numpy(), ent.geometry.y.to_numpy()
    row, col = grid.rowcol(xs, ys)
    inside = (row >= 0) & (row < grid.nrows) & (col >= 0) & (col < grid.ncols)
    value = pd.to_numeric(ent[measure], errors="coerce").fillna(0.0).to_numpy()
    for code in industries:
        sel = (ent["industry"] == code).to_numpy()
        n = int(sel.sum())
        add(code, "firms", n)
        add(code, "output_wan", float(value[sel].sum()))
        add(
            code,
            "employees",
            float(pd.to_numeric(ent.loc[sel, "employees"], errors="coerce").sum()),
        )
        total = float(value[sel].sum())
        add(
            code,
            "zone_output_share",
            float(value[sel & (zone_pos >= 0)].sum()) / total if total > 0 else float("nan"),
        )
        for lq, rtype, names in ((lq_c, "county", cname), (lq_z, "zone", zname)):
            if code in lq.columns:
                for rid, v in lq[code].items():
                    add(code, "lq", float(v), rtype, str(rid), names.get(str(rid), ""))
        if code in eg.index:
            for key in ("gamma", "G", "H"):
                add(code, f"eg_{key}", float(cast(float, eg.at[code, key])))
        if hotspot_z is not None and code in hotspot_z:
            z = np.asarray(hotspot_z[code], dtype=np.float64)
            hot = np.nan_to_num(z, nan=-np.inf) > stats.norm.ppf(1.0 - alpha)
        else:
            cells = np.zeros(grid.shape)
            ok = sel & inside
            np.add.at(cells, (row[ok], col[ok]), value[ok])
            radius = max(1.0, hotspot_radius_m / grid.cell)
            if hotspot_metric == "queen":
                radius = float(int(radius))
            _, hot = hot_spots(cells, grid, radius=radius, metric=hotspot_metric, alpha=alpha)
        add(code, "hotspot_cells", int(hot.sum()))
        if n >= min_samples:
            clusters = find_clusters(ent, industry=code, eps_m=eps_m, min_samples=min_samples)
            add(code, "clusters", len(clusters))
            add(code, "clustered_share", float(clusters["n_firms"].sum()) / n if n else 0.0)
        else:
            add(code, "clusters", 0)
            add(code, "clustered_share", 0.0)
    return pd.DataFrame(rows)
