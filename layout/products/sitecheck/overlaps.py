"""The exact overlaps of parcels with the constraint and zone layers (plan CRS).

`constraint_overlaps` merges the features of each constraint type a parcel overlaps (area in
mu, share of the parcel, legal bases, the overlapping geometry); `zone_overlaps` gives each
cluster zone a parcel overlaps and whether the checked industry leads there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

from layout.products.sitecheck.results import ConstraintFeature, ConstraintOverlap, ZoneOverlap
from layout.settings import M2_PER_MU

if TYPE_CHECKING:
    import geopandas as gpd


def split_codes(cell: Any) -> tuple[str, ...]:
    """Industry codes of a comma-separated cell (``leading`` of the zones); none for empty cells.

    Examples
    --------
    >>> split_codes("auto, aluminium,"), split_codes(float("nan"))
    (('auto', 'aluminium'), ())
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ()
    return tuple(c.strip() for c in str(cell).split(",") if c.strip())


def field_text(row: Mapping[str, Any], key: str) -> str:
    """The text of ``row[key]``; empty when missing, None or NaN."""
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def constraint_overlaps(
    geoms: NDArray[Any],
    areas: NDArray[np.float64],
    layer: gpd.GeoDataFrame,
    *,
    exclude: set[str],
) -> list[list[ConstraintOverlap]]:
    """Overlaps of every parcel with every constraint type (exact, plan CRS).

    Parameters
    ----------
    geoms, areas
        Parcels in the plan CRS and their areas (m²).
    layer
        The constraint polygons (``type``, ``constraint_id``, names, ``legal_basis``).
    exclude
        Constraint types the plan excludes.

    Returns
    -------
    list of list of ConstraintOverlap
        Per parcel, one overlap per constraint type, by type.
    """
    n = len(geoms)
    out: list[list[ConstraintOverlap]] = [[] for _ in range(n)]
    if layer is None or len(layer) == 0:
        return out
    cgeoms = np.asarray(layer.geometry.values, dtype=object)
    tree = shapely.STRtree(cgeoms)
    pi, ci = tree.query(geoms, predicate="intersects")
    if len(pi) == 0:
        return out
    inter = shapely.intersection(geoms[pi], cgeoms[ci])
    inter_area = shapely.area(inter)
    rows = layer.reset_index(drop=True)
    types = rows["type"].astype(str).to_numpy() if "type" in rows.columns else np.full(
        len(rows), "constraint")
    groups: dict[tuple[int, str], list[int]] = {}
    for k, (p, c) in enumerate(zip(pi, ci, strict=True)):
        if inter_area[k] <= 0:
            continue
        groups.setdefault((int(p), str(types[c])), []).append(k)
    for (p, ctype), ks in sorted(groups.items()):
        feats = []
        for k in ks:
            row = rows.iloc[int(ci[k])]
            feats.append(
                ConstraintFeature(
                    field_text(row, "constraint_id"),
                    field_text(row, "name_zh"),
                    field_text(row, "name_en"),
                    field_text(row, "legal_basis"),
                    float(inter_area[k]) / M2_PER_MU,
                    float(inter_area[k]) / areas[p],
                    field_text(row, "confidence"),
                )
            )
        geom = inter[ks[0]] if len(ks) == 1 else shapely.union_all(inter[ks])
        a = float(shapely.area(geom))
        bases = list(dict.fromkeys(f.legal_basis for f in feats if f.legal_basis))
        feats.sort(key=lambda f: (-f.area_mu, f.constraint_id))
        out[p].append(
            ConstraintOverlap(
                ctype, ctype in exclude, a / M2_PER_MU, a / areas[p], "; ".join(bases),
                tuple(feats), geom,
            )
        )
    return out


def zone_overlaps(
    geoms: NDArray[Any], areas: NDArray[np.float64], layer: gpd.GeoDataFrame, *, industry: str
) -> list[list[ZoneOverlap]]:
    """The cluster zones each parcel overlaps, largest share first (exact, plan CRS).

    ``industry`` is the checked industry code: `ZoneOverlap.industry_leading` says whether it is
    among a zone's ``leading`` codes.
    """
    n = len(geoms)
    out: list[list[ZoneOverlap]] = [[] for _ in range(n)]
    if layer is None or len(layer) == 0:
        return out
    zgeoms = np.asarray(layer.geometry.values, dtype=object)
    tree = shapely.STRtree(zgeoms)
    pi, zi = tree.query(geoms, predicate="intersects")
    if len(pi) == 0:
        return out
    a = shapely.area(shapely.intersection(geoms[pi], zgeoms[zi]))
    rows = layer.reset_index(drop=True)
    for k, (p, z) in enumerate(zip(pi, zi, strict=True)):
        if a[k] <= 0:
            continue
        row = rows.iloc[int(z)]
        leading = split_codes(row.get("leading"))
        out[int(p)].append(
            ZoneOverlap(
                field_text(row, "zone_id"), field_text(row, "name_zh"), field_text(row, "name_en"),
                float(a[k]) / areas[p], float(a[k]) / M2_PER_MU, leading, industry in leading,
            )
        )
    for lst in out:
        lst.sort(key=lambda z: (-z.share, z.zone_id))
    return out
