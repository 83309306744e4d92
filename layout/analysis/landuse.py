"""What a plan takes from its land-use layer: limits, today's industrial land, infill patches.

The land-use layer (``[inputs.landuse]``, read and classified by `layout.data.landuse`) carries
per patch its ``code``, ``schema`` and class ``lu_class`` (`layout.model.landuse.LandUseClass`).
Three things follow from it, all in the plan's metric CRS:

* **limits** (`limit_geometries`): the farmland, water and ecological patches, less whatever
  a constraints layer polygon already covers (the constraint layer speaks first; the land-use
  layer fills in where it is silent).  Each class is a derived constraint type with its own
  bit (``landuse_farmland``, ``landuse_water``, ``landuse_ecological``,
  `layout.model.constraints.CONSTRAINT_TYPES`) and excludes cells like the drawn types;
* **today's industrial land per zone** (`industrial_land_mu`): the area of the industrial
  patches (GB/T 21010 ``0601``, 2023 classification ``1001``/``1001xx``) inside each zone;
* **infill candidates** (`infill_patches`): industrial patches with no enterprise inside --
  land already industrial that the firms layer does not use.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from layout.model.constraints import CONSTRAINT_TYPES
from layout.model.landuse import LIMIT_TYPES, LandUseClass
from layout.settings import M2_PER_MU

#: Columns of the infill layer (``landuse_infill`` of ``plan.gpkg``).
INFILL_COLUMNS = ("patch", "code", "name", "schema", "zone_id", "area_mu", "firms")


def _union(gdf: gpd.GeoDataFrame) -> BaseGeometry:
    geoms = [g for g in gdf.geometry if g is not None and not g.is_empty]
    return shapely.union_all(geoms) if geoms else shapely.Polygon()


def class_geometry(landuse: gpd.GeoDataFrame, land_class: str) -> BaseGeometry:
    """Union of the patches of one class (an empty polygon when there are none)."""
    if not len(landuse) or "lu_class" not in landuse.columns:
        return shapely.Polygon()
    return _union(landuse[landuse["lu_class"] == land_class])


def limit_features(
    landuse: gpd.GeoDataFrame, constraints: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The limiting patches as features of a constraints layer, each citing its code and schema.

    Each farmland, water or ecological patch, less every constraint polygon, becomes a row with
    the columns of the constraints layer: ``constraint_id`` (``landuse_<row>``, the patch's row
    in the land-use layer from 1), ``type`` (its derived constraint type), ``name_zh``
    (the list's name and the code), ``name_en``, ``legal_basis`` (schema, code and the type's
    basis) and ``confidence``.  The score cache stores them with the drawn constraints, so
    that the site check lists a parcel's overlaps with them like any constraint.

    Examples
    --------
    >>> lu = gpd.GeoDataFrame({"lu_class": ["water"], "code": ["1101"], "lu_name": ["河流水面"],
    ...     "schema": ["gbt21010"]}, geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:4547")
    >>> cons = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 40, 100)], crs="EPSG:4547")
    >>> row = limit_features(lu, cons).iloc[0]
    >>> row["constraint_id"], row["type"], row["name_zh"], row.geometry.area
    ('landuse_1', 'landuse_water', '河流水面 1101', 6000.0)
    >>> row["legal_basis"].split(" (")[0]
    'GB/T 21010-2017 土地利用现状分类 1101 河流水面'
    """
    from layout.config.landuse import landuse_codes

    columns = ["constraint_id", "type", "name_zh", "name_en", "legal_basis", "confidence"]
    empty = gpd.GeoDataFrame({c: [] for c in columns},
                             geometry=gpd.GeoSeries([], crs=landuse.crs), crs=landuse.crs)
    if not len(landuse) or "lu_class" not in landuse.columns:
        return empty
    classes = landuse["lu_class"].to_numpy()
    positions = np.flatnonzero(np.isin(classes, list(LIMIT_TYPES)))
    if not len(positions):
        return empty
    covered = _union(constraints) if len(constraints) else shapely.Polygon()
    geoms = np.asarray(landuse.geometry.values)[positions]
    if not covered.is_empty:
        geoms = shapely.difference(geoms, covered)
    keep = ~shapely.is_empty(geoms) & (shapely.area(geoms) > 0)
    table = landuse_codes()
    rows = []
    for pos, geom in zip(positions[keep], geoms[keep], strict=True):
        patch = landuse.iloc[int(pos)]
        ctype = CONSTRAINT_TYPES[LIMIT_TYPES[str(patch["lu_class"])]]
        code, name = str(patch["code"]), str(patch["lu_name"])
        title = table.codes(str(patch["schema"])).title
        rows.append({
            "constraint_id": f"landuse_{pos + 1}", "type": ctype.name,
            "name_zh": f"{name} {code}", "name_en": f"{ctype.label_en}: {code}",
            "legal_basis": f"{title} {code} {name} (land-use layer); {ctype.legal_basis}",
            "confidence": str(patch.get("confidence", "")) if "confidence" in patch else "",
            "geometry": geom,
        })
    if not rows:
        return empty
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=landuse.crs)


def with_landuse_limits(
    constraints: gpd.GeoDataFrame, landuse: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The constraints layer followed by the land-use limit features (`limit_features`)."""
    return with_features(constraints, limit_features(landuse, constraints))


def with_features(constraints: gpd.GeoDataFrame, extra: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The constraints layer followed by derived constraint features ``extra`` (same columns)."""
    if not len(extra):
        return constraints
    if not len(constraints):
        return extra
    both = pd.concat([constraints, extra.to_crs(constraints.crs)], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry=constraints.geometry.name, crs=constraints.crs)


def limit_geometries(
    landuse: gpd.GeoDataFrame, constraints: gpd.GeoDataFrame
) -> dict[str, BaseGeometry]:
    """Each limiting class's land where no constraint polygon lies, by derived constraint type.

    Parameters
    ----------
    landuse
        The classified land-use layer (``code``, ``schema``, ``lu_class``, ``lu_name``:
        `layout.data.landuse.classify_landuse`), in the plan CRS.
    constraints
        The constraints layer in the same CRS (may be empty).

    Returns
    -------
    dict
        ``landuse_farmland``, ``landuse_water``, ``landuse_ecological`` -> geometry; types
        with no land are left out.

    Examples
    --------
    >>> lu = gpd.GeoDataFrame({"lu_class": ["water", "industrial"], "code": ["1101", "0601"],
    ...     "lu_name": ["河流水面", "工业用地"], "schema": ["gbt21010"] * 2},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
    ...     crs="EPSG:4547")
    >>> cons = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 40, 100)], crs="EPSG:4547")
    >>> {k: v.area for k, v in limit_geometries(lu, cons).items()}
    {'landuse_water': 6000.0}
    """
    features = limit_features(landuse, constraints)  # one computation for plan and site check
    out: dict[str, BaseGeometry] = {}
    for ctype in LIMIT_TYPES.values():
        geom = _union(features[features["type"] == ctype]) if len(features) else shapely.Polygon()
        if not geom.is_empty and geom.area > 0:
            out[ctype] = geom
    return out


def industrial_land_mu(landuse: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Today's industrial land (mu) of the land-use layer inside each zone, in zone order.

    Overlapping patches count once; a patch across a zone edge counts inside only.

    Examples
    --------
    >>> lu = gpd.GeoDataFrame({"lu_class": ["industrial"]},
    ...     geometry=[shapely.box(0, 0, 1000, 1000)], crs="EPSG:4547")
    >>> zones = gpd.GeoDataFrame(geometry=[shapely.box(500, 0, 1500, 1000)], crs="EPSG:4547")
    >>> industrial_land_mu(lu, zones).round(1).tolist()  # 500 m x 1000 m = 750 mu
    [750.0]
    """
    geom = class_geometry(landuse, LandUseClass.INDUSTRIAL.value)
    if geom.is_empty:
        return np.zeros(len(zones), np.float64)
    inter = shapely.intersection(np.asarray(zones.geometry.values), geom)
    return np.asarray(shapely.area(inter), np.float64) / M2_PER_MU


def infill_patches(
    landuse: gpd.GeoDataFrame, enterprises: gpd.GeoDataFrame, zones: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The industrial patches with no enterprise inside: land for infill before new land.

    Returns
    -------
    GeoDataFrame
        One row per such patch (`INFILL_COLUMNS`): its row number in the land-use layer
        (``patch``, from 1), code, table name, schema, the zone holding most of it (``""``
        outside every zone), its area in mu and ``firms`` (0).  Same CRS as ``landuse``.

    Examples
    --------
    >>> lu = gpd.GeoDataFrame({"lu_class": ["industrial"] * 2, "code": ["0601"] * 2,
    ...     "lu_name": ["工业用地"] * 2, "schema": ["gbt21010"] * 2},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)],
    ...     crs="EPSG:4547")
    >>> firms = gpd.GeoDataFrame(geometry=[shapely.Point(50, 50)], crs="EPSG:4547")
    >>> zones = gpd.GeoDataFrame({"zone_id": ["Z1"]}, geometry=[shapely.box(150, 0, 400, 100)],
    ...     crs="EPSG:4547")
    >>> infill_patches(lu, firms, zones)[["patch", "zone_id", "area_mu"]].values.tolist()
    [[2, 'Z1', 15.0]]
    """
    empty = gpd.GeoDataFrame({c: [] for c in INFILL_COLUMNS},
                             geometry=gpd.GeoSeries([], crs=landuse.crs), crs=landuse.crs)
    if not len(landuse) or "lu_class" not in landuse.columns:
        return empty
    positions = np.flatnonzero((landuse["lu_class"] == LandUseClass.INDUSTRIAL.value).to_numpy())
    if not len(positions):
        return empty
    patches = landuse.iloc[positions]
    geoms = np.asarray(patches.geometry.values)
    firms = [g for g in enterprises.geometry if g is not None and not g.is_empty]
    counts = np.zeros(len(patches), np.int64)
    if firms:
        tree = shapely.STRtree(firms)
        hit = tree.query(geoms, predicate="intersects")
        counts = np.bincount(hit[0], minlength=len(patches))
    keep = counts == 0
    zone_ids = _main_zone(geoms[keep], zones)
    out = pd.DataFrame({
        "patch": positions[keep] + 1,
        "code": [str(v) for v in patches["code"].to_numpy()[keep]],
        "name": [str(v) for v in patches["lu_name"].to_numpy()[keep]],
        "schema": [str(v) for v in patches["schema"].to_numpy()[keep]],
        "zone_id": zone_ids,
        "area_mu": shapely.area(geoms[keep]) / M2_PER_MU,
        "firms": counts[keep],
    })
    return gpd.GeoDataFrame(out, geometry=list(geoms[keep]), crs=landuse.crs)


def _main_zone(geoms: NDArray[np.object_], zones: gpd.GeoDataFrame) -> list[str]:
    """The zone holding the largest part of each geometry ("" when none holds any)."""
    if not len(zones) or not len(geoms):
        return [""] * len(geoms)
    ids = [str(z) for z in zones["zone_id"]]
    zgeoms = np.asarray(zones.geometry.values)
    out = []
    for geom in geoms:
        areas = shapely.area(shapely.intersection(zgeoms, geom))
        best = int(np.argmax(areas))
        out.append(ids[best] if areas[best] > 0 else "")
    return out
