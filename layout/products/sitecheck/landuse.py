"""A parcel's land-use codes: the plan's land-use layer overlaid on the parcel, by area.

When the plan has a land-use layer (``[inputs.landuse]``; the score cache keeps it as read and
classified, `layout.scoring.cache.CACHED_LAYERS`), `parcel_landuse` overlays it on each parcel
with shapely in the plan CRS and returns the parcel's codes, largest area first: the code with
its schema (a code never travels without it), the list's Chinese name, the English name where
the built-in list has one (`layout.model.landuse.CodeEntry`), the area in mu and the share of
the parcel.  Patches of one code are merged before measuring, so overlapping patches count
once.  The site opinion's 规划符合性 section prints them (`layout.products.sitecheck.opinion`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

from layout.settings import M2_PER_MU

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["LandUseShare", "parcel_landuse"]


@dataclass(frozen=True)
class LandUseShare:
    """One land-use code on a parcel.

    Attributes
    ----------
    code, schema
        The code (normalised) and its schema (``gbt21010`` or ``ydyh2023``).
    schema_title
        The schema's title (``GB/T 21010-2017 土地利用现状分类``).
    name_zh, name_en
        The list's name of the code; ``name_en`` is ``""`` where the list has none.
    land_class
        Its class (`layout.model.landuse.LandUseClass`).
    area_mu, share
        Area of the parcel under the code (mu) and its share of the parcel (0-1).
    """

    code: str
    schema: str
    schema_title: str
    name_zh: str
    name_en: str
    land_class: str
    area_mu: float
    share: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code, "schema": self.schema, "schema_title": self.schema_title,
            "name_zh": self.name_zh, "name_en": self.name_en, "class": self.land_class,
            "area_mu": round(self.area_mu, 3), "share": round(self.share, 5),
        }


def parcel_landuse(
    geoms: NDArray[np.object_], areas: NDArray[np.float64], landuse: gpd.GeoDataFrame
) -> list[tuple[LandUseShare, ...]]:
    """Each parcel's land-use codes by area, dominant first (shapely overlay, plan CRS).

    Parameters
    ----------
    geoms, areas
        The parcels and their areas (m²), in the CRS of ``landuse``.
    landuse
        The classified land-use layer (``code``, ``schema``, ``lu_name``, ``lu_class``).

    Returns
    -------
    list of tuple of LandUseShare
        One tuple per parcel; empty where the parcel meets no patch.

    Examples
    --------
    >>> import geopandas as gpd
    >>> lu = gpd.GeoDataFrame({"code": ["0601", "1101"], "schema": ["gbt21010"] * 2,
    ...     "lu_name": ["工业用地", "河流水面"], "lu_class": ["industrial", "water"]},
    ...     geometry=[shapely.box(0, 0, 60, 100), shapely.box(60, 0, 200, 100)],
    ...     crs="EPSG:4547")
    >>> parcel = np.array([shapely.box(0, 0, 100, 100)], dtype=object)
    >>> [(s.code, s.name_en, round(s.share, 2)) for s in parcel_landuse(
    ...     parcel, np.array([10_000.0]), lu)[0]]
    [('0601', 'Industrial land', 0.6), ('1101', 'River water surface', 0.4)]
    """
    from layout.config.landuse import landuse_codes

    out: list[tuple[LandUseShare, ...]] = [() for _ in range(len(geoms))]
    if not len(landuse) or "code" not in landuse.columns or not len(geoms):
        return out
    table = landuse_codes()
    patches = np.asarray(landuse.geometry.values, dtype=object)
    codes = [str(c) for c in landuse["code"]]
    schemas = [str(s) for s in landuse["schema"]]
    names = [str(n) for n in landuse["lu_name"]] if "lu_name" in landuse.columns else codes
    classes = ([str(c) for c in landuse["lu_class"]] if "lu_class" in landuse.columns
               else [""] * len(codes))
    tree = shapely.STRtree(patches)
    hit_parcel, hit_patch = tree.query(geoms, predicate="intersects")
    for i in np.unique(hit_parcel):
        groups: dict[tuple[str, str], list[int]] = {}
        for j in hit_patch[hit_parcel == i]:
            groups.setdefault((schemas[j], codes[j]), []).append(int(j))
        shares = []
        for (schema, code), rows in groups.items():
            inter = shapely.intersection(geoms[i], shapely.union_all(patches[rows]))
            area = float(shapely.area(inter))
            if area <= 0:
                continue
            j = rows[0]
            hit = table.lookup(code, schema=schema)
            shares.append(LandUseShare(
                code=code, schema=schema, schema_title=table.codes(schema).title,
                name_zh=hit.name if hit is not None else names[j],
                name_en=_name_en(table, schema, hit.listed) if hit is not None else "",
                land_class=classes[j], area_mu=area / M2_PER_MU,
                share=area / float(areas[i])))
        out[int(i)] = tuple(sorted(shares, key=lambda s: (-s.area_mu, s.schema, s.code)))
    return out


def _name_en(table: Any, schema: str, code: str) -> str:
    entry = table.codes(schema).codes.get(code)
    return "" if entry is None or entry.name_en is None else str(entry.name_en)
