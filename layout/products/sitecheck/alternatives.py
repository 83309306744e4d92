"""Better sites near a parcel for the checked industry (information, never the verdict).

With a plan's sites (``plan_sites``, the ``sites`` layer of ``plan.gpkg``,
docs/plan_outputs.md), the alternatives are the sites of this industry within ``radius_m`` of
the parcel whose mean score exceeds the parcel's by at least ``alt_margin`` points (10) and
whose area is at least the parcel's. Without one they come from the cached score raster: the
connected regions (8-neighbour) of eligible cells outside the parcel, within ``radius_m`` of it
(cell-centre distance, so ±1 cell), scoring at least the parcel's mean + ``alt_margin``, with
at least as many cells as the parcel covers. Nearest first, at most ``max_alternatives`` (5).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

from layout.data.parcels import ParcelError, coordinate_transformer
from layout.products.sitecheck.cells import CellGrid, ParcelCells
from layout.products.sitecheck.results import Alternative
from layout.products.sitecheck.rules import VerdictRules
from layout.settings import M2_PER_MU

if TYPE_CHECKING:
    import geopandas as gpd

_DIRECTIONS = ("E", "NE", "N", "NW", "W", "SW", "S", "SE")


def compass_direction(dx: float, dy: float) -> str:
    """The compass point (``E``, ``NE``, ...) of a displacement; empty for none.

    Examples
    --------
    >>> compass_direction(1.0, 1.0), compass_direction(0.0, -2.0), compass_direction(0, 0)
    ('NE', 'S', '')
    """
    if dx == 0 and dy == 0:
        return ""
    angle = math.degrees(math.atan2(dy, dx)) % 360
    return _DIRECTIONS[int(((angle + 22.5) % 360) // 45)]


def raster_alternatives(
    geoms: NDArray[Any],
    cells: ParcelCells,
    means: NDArray[np.float64],
    score: NDArray[np.float32],
    eligible: NDArray[np.bool_],
    win: tuple[int, int, int, int],
    grid: CellGrid,
    *,
    zones_layer: gpd.GeoDataFrame,
    radius_m: float,
    rules: VerdictRules,
    with_geometry: bool,
) -> list[list[Alternative]]:
    """Parcel-sized sites in clearly better regions near each parcel (module docstring)."""
    from scipy import ndimage

    n = len(geoms)
    out: list[list[Alternative]] = [[] for _ in range(n)]
    pad = math.ceil(radius_m / grid.cell) + 1
    order = np.argsort(cells.parcel, kind="stable")
    starts = np.searchsorted(cells.parcel[order], np.arange(n + 1))
    structure = np.ones((3, 3), bool)
    zone_geoms = np.asarray(zones_layer.geometry.values, dtype=object) if len(zones_layer) else None
    zone_ids = zones_layer["zone_id"].astype(str).tolist() if zone_geoms is not None else []
    zone_tree = shapely.STRtree(zone_geoms) if zone_geoms is not None else None
    cell_mu = grid.cell * grid.cell / M2_PER_MU
    for i in range(n):
        if not np.isfinite(means[i]):
            continue
        sel = order[starts[i]:starts[i + 1]]
        prow, pcol = cells.row[sel], cells.col[sel]
        r0 = max(int(prow.min()) - pad, win[0])
        r1 = min(int(prow.max()) + pad + 1, win[1])
        c0 = max(int(pcol.min()) - pad, win[2])
        c1 = min(int(pcol.max()) + pad + 1, win[3])
        sub = score[r0 - win[0]:r1 - win[0], c0 - win[2]:c1 - win[2]]
        elig = eligible[r0 - win[0]:r1 - win[0], c0 - win[2]:c1 - win[2]]
        own = np.zeros(sub.shape, bool)
        own[prow - r0, pcol - c0] = True
        dist = ndimage.distance_transform_edt(~own, sampling=grid.cell)
        threshold = means[i] + rules.alt_margin
        with np.errstate(invalid="ignore"):
            cand = elig & (sub >= threshold) & ~own & (dist <= radius_m)
        if not cand.any():
            continue
        labels, count = ndimage.label(cand, structure=structure)
        flat = labels.ravel()
        pos = np.flatnonzero(flat)  # candidate cells, row-major
        lab = flat[pos]
        sizes = np.bincount(lab, minlength=count + 1)
        need = max(1, math.ceil(float(shapely.area(geoms[i])) / (grid.cell**2) - 1e-9))
        keep = np.flatnonzero(sizes >= need)
        keep = keep[keep > 0]
        if keep.size == 0:
            continue
        d = dist.ravel()[pos]
        dmin_all = np.full(count + 1, np.inf)
        np.minimum.at(dmin_all, lab, d)
        dmin = dmin_all[keep]
        ordering = sorted(range(keep.size), key=lambda j: (dmin[j], int(keep[j])))
        centre = shapely.centroid(geoms[i])
        width = sub.shape[1]
        for rank, j in enumerate(ordering[: rules.max_alternatives], start=1):
            mine = lab == keep[j]
            cells_j = pos[mine]
            rows, cols = np.divmod(cells_j, width)
            seed = int(cells_j[np.flatnonzero(d[mine] == dmin[j])[0]])  # first nearest cell
            sr, sc = divmod(seed, width)
            # the site: the `need` cells of the region nearest to its cell nearest the parcel;
            # ties go to the earlier cell in row-major order (unique keys: a reproducible set)
            d2 = (rows - sr) ** 2 + (cols - sc) ** 2
            key = d2.astype(np.int64) * (1 << 32) + cells_j
            pick = np.argpartition(key, need - 1)[:need] if need < key.size else slice(None)
            rows, cols = rows[pick], cols[pick]
            values = sub[rows, cols].astype(np.float64)
            xs = grid.x0 + (c0 + cols + 0.5) * grid.cell
            ys = grid.y_top - (r0 + rows + 0.5) * grid.cell
            x, y = float(xs.mean()), float(ys.mean())
            zone_id = ""
            if zone_tree is not None:
                hit = zone_tree.query(shapely.Point(x, y), predicate="intersects")
                if len(hit):
                    zone_id = zone_ids[int(hit.min())]
            geom = None
            if with_geometry:
                half = grid.cell / 2
                geom = shapely.union_all(shapely.box(xs - half, ys - half, xs + half, ys + half))
            out[i].append(
                Alternative(
                    rank, "raster", f"R{rank}", float(dmin[j]),
                    compass_direction(x - centre.x, y - centre.y), need * cell_mu,
                    float(values.mean()), float(values.max()), float(values.mean() - means[i]),
                    x, y, zone_id, float(sizes[keep[j]]) * cell_mu, geom,
                )
            )
    return out


def plan_alternatives(
    geoms: NDArray[Any],
    areas: NDArray[np.float64],
    means: NDArray[np.float64],
    sites: gpd.GeoDataFrame,
    *,
    code: str,
    crs: Any,
    radius_m: float,
    rules: VerdictRules,
    with_geometry: bool,
) -> list[list[Alternative]]:
    """The plan's sites of this industry, near and clearly better (module docstring)."""
    from layout.io.crs import require_crs

    require_crs(sites, source="plan sites")
    n = len(geoms)
    out: list[list[Alternative]] = [[] for _ in range(n)]
    for col in ("industry", "mean_score"):
        if col not in sites.columns:
            raise ParcelError(f"plan sites: missing column {col!r} (docs/plan_outputs.md)")
    own = sites[sites["industry"].astype(str) == code].to_crs(crs).reset_index(drop=True)
    if own.empty:
        return out
    sgeoms = np.asarray(own.geometry.values, dtype=object)
    s_area = shapely.area(sgeoms)
    score = np.asarray(own["mean_score"], np.float64)
    mx = np.asarray(own["max_score"] if "max_score" in own.columns else own["mean_score"],
                    np.float64)
    sid = own["site_id"].astype(str).tolist() if "site_id" in own.columns else [
        f"{code}-{k + 1:02d}" for k in range(len(own))]
    zid = own["zone_id"].fillna("").astype(str).tolist() if "zone_id" in own.columns else [
        ""] * len(own)
    cent = shapely.centroid(sgeoms)
    for i in range(n):
        if not np.isfinite(means[i]):
            continue
        d = shapely.distance(geoms[i], sgeoms)
        ok = (d <= radius_m) & (score >= means[i] + rules.alt_margin) & (s_area >= areas[i])
        ok &= ~shapely.intersects(geoms[i], sgeoms) | (d > 0)
        idx = sorted(np.flatnonzero(ok), key=lambda k: (d[k], -score[k]))[: rules.max_alternatives]
        pc = shapely.centroid(geoms[i])
        for rank, k in enumerate(idx, start=1):
            out[i].append(
                Alternative(
                    rank, "plan", sid[k], float(d[k]),
                    compass_direction(cent[k].x - pc.x, cent[k].y - pc.y),
                    float(s_area[k]) / M2_PER_MU,
                    float(score[k]), float(mx[k]), float(score[k] - means[i]), cent[k].x,
                    cent[k].y, zid[k], float("nan"), sgeoms[k] if with_geometry else None,
                )
            )
    return out


def alternatives_lonlat(alts: list[list[Alternative]], crs: Any) -> list[list[Alternative]]:
    """Replace the plan-CRS positions of alternatives (in lon/lat fields) by WGS84."""
    flat = [a for lst in alts for a in lst]
    if not flat:
        return alts
    lonlat = coordinate_transformer(crs, "EPSG:4326")(np.array([[a.lon, a.lat] for a in flat]))
    it = iter(lonlat)
    return [[replace(a, lon=float(xy[0]), lat=float(xy[1])) for a, xy in zip(lst, it, strict=False)]
            for lst in alts]
