"""Parcels of a site check: reading them from files or WKT, checking and projecting them.

`read_parcels` reads a GeoJSON, GeoPackage or Shapefile (GBK attributes too; `layout.io.vector`)
or WKT text. The parcel id comes from ``id_column`` or the first of `ID_COLUMNS` present, else
the feature number (1, 2, ...). WKT without ``crs`` is read as EPSG:4326 when every coordinate
looks like degrees (|x| ≤ 180, |y| ≤ 90) and refused otherwise. `prepare_parcels` checks each
parcel (polygonal, not empty, id unique, coordinates not swapped, inside the study area) and
repairs self-intersections with `shapely.make_valid`, warning when the area changes by at most
``max_repair_change`` (1 %) and refusing the parcel above that. Problems of every parcel are
collected and raised together as one `ParcelError` line naming the parcel ids.

Parcels are projected with cached pyproj transformers (`coordinate_transformer`,
`project_geometries`); `seed_transformers` registers the pipelines a score cache stored, so a
one-parcel check does not search PROJ's database.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

from layout.errors import CRSError, LayoutError
from layout.io.gkzones import GK_HINT
from layout.settings import M2_PER_MU

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns taken as the parcel id, in order of preference.
ID_COLUMNS: tuple[str, ...] = (
    "parcel_id",
    "id",
    "ID",
    "Id",
    "地块编号",
    "地块号",
    "编号",
    "name",
    "名称",
)
#: Largest relative area change a self-intersection repair may make (`prepare_parcels`).
MAX_REPAIR_CHANGE = 0.01
#: Largest share of a parcel that may lie outside the study area (`prepare_parcels`).
MAX_OUTSIDE_SHARE = 0.5
#: Smallest parcel area (m²) once projected; below it the polygon encloses no land.
MIN_PARCEL_M2 = 1.0
#: A polygon's area relative to its squared perimeter below which its corners lie on a line:
#: a square gives 1/16, a 1 km x 1 cm sliver 2.5e-6; exactly collinear degrees give about 0.
DEGENERATE_RATIO = 1e-9
#: The problem of a polygon that encloses no area.
DEGENERATE = (
    "has no area: its corners lie on one line or one point (a degenerate polygon, e.g. a line "
    "or point exported as a polygon); give the parcel boundary, at least three corners that "
    "enclose the land"
)


class ParcelError(LayoutError, ValueError):
    """A parcel cannot be assessed; the message names the file and the parcel id(s)."""


def _id_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def read_parcels(
    path: str | os.PathLike[str] | None = None,
    *,
    wkt: Sequence[str] = (),
    crs: str | None = None,
    datum: str = "wgs84",
    layer: str | None = None,
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read parcels from a file or WKT text, with a ``parcel_id`` column and the source CRS.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage, Shapefile (GBK attributes detected) or any format of
        `layout.io.vector.read_layer`.
    wkt
        Polygons as WKT text instead of a file (ids ``wkt-1``, ``wkt-2``...).
    crs
        CRS of a file without one, or of the WKT (default for WKT: EPSG:4326 when the
        coordinates look like degrees).
    datum
        ``gcj02``/``bd09`` for coordinates copied from Gaode/Tencent or Baidu maps.
    layer
        Layer of a GeoPackage.
    id_column
        Column holding parcel ids (default: the first of `ID_COLUMNS` present, else the
        feature number from 1).

    Returns
    -------
    GeoDataFrame
        Columns ``parcel_id`` (text) and the file's own, ``attrs["source"]`` for messages.

    Raises
    ------
    LayoutError
        Missing, empty or unreadable input, no CRS, an unknown id column, missing or duplicate
        ids (one line naming the feature or parcel).

    Examples
    --------
    >>> gdf = read_parcels(wkt=["POLYGON((113.80 34.55, 113.81 34.55, 113.81 34.553, "
    ...                         "113.80 34.553, 113.80 34.55))"])
    >>> gdf["parcel_id"].tolist(), gdf.crs.to_epsg(), gdf.attrs["notes"][0][:33]
    (['wkt-1'], 4326, 'WKT coordinates read as EPSG:4326')
    """
    import geopandas as gpd

    from layout.core.datum import check_datum
    from layout.io.crs import parse_crs
    from layout.io.vector import apply_datum, read_layer

    if crs is not None:
        parse_crs(crs)  # an unknown CRS is one line before anything is read
    if path is not None and wkt:
        raise ParcelError("give either a parcels file or --wkt, not both")
    if path is None and not wkt:
        raise ParcelError("no parcels: give a file (GeoJSON, GeoPackage, Shapefile) or --wkt")
    if wkt:
        geoms = []
        for i, text in enumerate(wkt, start=1):
            try:
                geoms.append(shapely.from_wkt(text))
            except shapely.errors.GEOSException as exc:
                raise ParcelError(f"--wkt #{i} is not valid WKT ({exc})") from None
        notes: list[str] = []
        if crs is None:
            coords = shapely.get_coordinates(np.asarray(geoms, dtype=object))
            if coords.size and (np.abs(coords[:, 0]) <= 180).all() and (
                np.abs(coords[:, 1]) <= 90
            ).all():
                crs = "EPSG:4490" if check_datum(datum) == "cgcs2000" else "EPSG:4326"
                notes.append(f"WKT coordinates read as {crs} (longitude, latitude degrees)")
            else:
                raise CRSError(
                    "the --wkt coordinates are not longitude/latitude degrees, so their CRS "
                    "cannot be assumed; pass --crs, e.g. the plan CRS for its metres, or "
                    f"{GK_HINT}"
                )
        gdf = gpd.GeoDataFrame(
            {"parcel_id": [f"wkt-{i}" for i in range(1, len(geoms) + 1)]},
            geometry=geoms,
            crs=crs,
        )
        gdf.attrs.update(source="--wkt", notes=notes)
        gdf = apply_datum(gdf, datum)
        return gdf
    assert path is not None
    gdf = read_layer(path, layer=layer, crs=crs, datum=datum)
    source = str(gdf.attrs.get("source", path))
    if id_column is not None and id_column not in gdf.columns:
        cols = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
        raise ParcelError(f"{source} has no column {id_column!r} (--id-column); columns: {cols}")
    col = id_column or next((c for c in ID_COLUMNS if c in gdf.columns), None)
    notes = list(gdf.attrs.get("notes", []))
    if col is None:
        ids = [str(i) for i in range(1, len(gdf) + 1)]
        notes.append("no parcel id column: parcels are numbered from 1 in file order")
    else:
        ids = [_id_text(v) for v in gdf[col]]
        for i, pid in enumerate(ids, start=1):
            if not pid:
                raise ParcelError(f"{source}, feature {i}: no parcel id in column {col!r}")
        seen: set[str] = set()
        for pid in ids:
            if pid in seen:
                raise ParcelError(f"{source}, parcel {pid}: the id appears twice in column {col!r}")
            seen.add(pid)
    attrs = dict(gdf.attrs)
    out = gdf.drop(columns=["parcel_id"], errors="ignore")
    out.insert(0, "parcel_id", ids)
    out.attrs = {**attrs, "notes": notes, "id_column": col}
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def prepare_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    crs: Any,
    boundary: gpd.GeoDataFrame,
    max_repair_change: float = MAX_REPAIR_CHANGE,
    max_outside_share: float = MAX_OUTSIDE_SHARE,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Check parcels, repair self-intersections and project them to the plan CRS.

    Parameters
    ----------
    parcels
        With a ``parcel_id`` column (`read_parcels`) and a CRS.
    crs
        The plan CRS (metres).
    boundary
        The study area, any CRS.
    max_repair_change
        Largest relative area change a repair of a self-intersection may make; a parcel
        whose repair changes more is refused.
    max_outside_share
        Largest share of a parcel outside the study area; a parcel with more is refused.

    Returns
    -------
    parcels, warnings
        Parcels in ``crs`` with ``area_m2`` and ``outside_share`` columns; one warning per
        repair.

    Raises
    ------
    ParcelError
        Every problem of every parcel, in one line (the first, then how many more and which
        parcels).
    """
    import geopandas as gpd
    from pyproj import CRS

    source = str(parcels.attrs.get("source", "parcels"))
    if parcels.crs is None:
        raise CRSError(
            f"{source} has no CRS; pass --crs (e.g. EPSG:4326 for lon/lat degrees, the plan CRS "
            "for its metres) or set one with gdf.set_crs(...)"
        )
    if len(parcels) == 0:
        raise ParcelError(f"{source} has no parcels")
    if "parcel_id" not in parcels.columns:
        parcels = parcels.assign(parcel_id=[str(i) for i in range(1, len(parcels) + 1)])
    ids = [str(v) for v in parcels["parcel_id"]]
    src_crs = CRS.from_user_input(parcels.crs)
    target = CRS.from_user_input(crs)
    if len(boundary) and not CRS.from_user_input(boundary.crs).equals(target):
        boundary = boundary.to_crs(target)
    study = boundary.geometry.union_all() if len(boundary) else None
    if study is not None:
        shapely.prepare(study)
    problems: list[tuple[str, str]] = []
    warnings: list[str] = []
    geoms = np.asarray(shapely.force_2d(np.asarray(parcels.geometry.values, dtype=object)))
    out_geoms: list[shapely.Geometry | None] = []
    outside: list[float] = []

    def swapped(g: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(g, lambda xy: xy[:, ::-1])

    to_target = project_geometries(geoms, src_crs, target)
    for pid, g, gm in zip(ids, geoms, to_target, strict=True):
        if g is None or shapely.is_empty(g):
            problems.append((pid, "has no geometry; give the parcel boundary"))
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        kind = shapely.get_type_id(g)
        if kind not in (3, 6):  # Polygon, MultiPolygon
            what = g.geom_type
            problems.append((pid, f"is a {what}, not a polygon; give the parcel boundary"))
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        if degenerate(g):
            problems.append((pid, DEGENERATE))
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        xy = shapely.get_coordinates(g)
        if src_crs.is_geographic and (np.abs(xy[:, 1]) > 90).any() and (
            np.abs(xy[:, 0]) <= 90
        ).all():
            problems.append(
                (pid, f"latitude and longitude look swapped (x={xy[0, 0]:.4f}, y={xy[0, 1]:.4f}; "
                      "longitude comes first): swap the coordinates")
            )
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        mxy = shapely.get_coordinates(gm)
        if not np.isfinite(mxy).all():
            problems.append(
                (pid, f"its coordinates cannot be projected from {_crs_name(src_crs)} to "
                      f"{_crs_name(target)}; check --crs")
            )
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        if not shapely.is_valid(gm):
            before = abs(float(shapely.area(gm)))
            fixed = _polygonal(shapely.make_valid(gm))
            after = float(shapely.area(fixed)) if fixed is not None else 0.0
            change = abs(after - before) / before if before > 0 else float("inf")
            if fixed is None or change > max_repair_change:
                problems.append(
                    (pid, f"is self-intersecting, and repairing it would change its area from "
                          f"{before / M2_PER_MU:,.1f} to {after / M2_PER_MU:,.1f} mu (more than "
                          f"{100 * max_repair_change:g} %); fix the boundary")
                )
                out_geoms.append(None)
                outside.append(float("nan"))
                continue
            warnings.append(
                f"parcel {pid} was self-intersecting; repaired (area changed {100 * change:.1f} %)"
            )
            gm = fixed
        area = float(shapely.area(gm))
        if area < MIN_PARCEL_M2:
            problems.append((pid, DEGENERATE))
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        share_out = 0.0
        if study is not None and not shapely.contains_properly(study, gm):
            inside = float(shapely.area(shapely.intersection(gm, study)))
            share_out = max(0.0, 1.0 - inside / area)
            if share_out > max_outside_share:
                if inside == 0 and _inside_if_swapped(g, src_crs, target, study, swapped):
                    msg = (
                        "lies outside the study area, but inside it with x and y exchanged: the "
                        "coordinates look swapped (longitude/easting comes first)"
                    )
                elif inside == 0:
                    d = float(shapely.distance(gm, study))
                    msg = (
                        f"lies outside the study area ({d / 1000:,.1f} km from its boundary); "
                        "check the coordinates, --crs and --datum"
                    )
                else:
                    msg = (
                        f"lies {100 * share_out:.0f} % outside the study area (more than "
                        f"{100 * max_outside_share:g} %)"
                    )
                problems.append((pid, msg))
                out_geoms.append(None)
                outside.append(float("nan"))
                continue
        out_geoms.append(gm)
        outside.append(share_out)
    if problems:
        pid, msg = problems[0]
        text = f"{source}, parcel {pid}: {msg}"
        if len(problems) > 1:
            more = [p for p, _ in problems[1:]]
            shown = ", ".join(more[:5]) + (", …" if len(more) > 5 else "")
            text += f" (and {_plural(len(more), 'more problem')}: parcel {shown})"
        raise ParcelError(text)
    out = gpd.GeoDataFrame(
        {"parcel_id": ids, "outside_share": outside},
        geometry=gpd.GeoSeries(out_geoms, crs=target, index=parcels.index),
        index=parcels.index,
    )
    out["area_m2"] = out.geometry.area
    out.attrs = dict(parcels.attrs)
    return out, warnings


_TRANSFORMERS: dict[tuple[str, str], Any] = {}


def seed_transformers(pipelines: Mapping[str, Any] | None, target: str) -> None:
    """Register stored PROJ pipelines (a score cache's) as the transformers to ``target``.

    ``pipelines`` maps input CRS codes to pipeline text and ``proj_version`` to the PROJ
    version that wrote them; with another PROJ version nothing is registered.
    """
    import pyproj
    from pyproj import CRS, Transformer

    if not pipelines or pipelines.get("proj_version") != pyproj.proj_version_str:
        return
    dst = CRS.from_user_input(target).srs
    for code, definition in pipelines.items():
        if code == "proj_version" or (code, dst) in _TRANSFORMERS:
            continue
        try:
            _TRANSFORMERS[(code, dst)] = Transformer.from_pipeline(str(definition))
        except pyproj.exceptions.ProjError:
            continue


def coordinate_transformer(
    src: Any, dst: Any
) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """An ``(n, 2)`` coordinate function from ``src`` to ``dst`` (x/y order, i.e. lon/lat).

    Creating a pyproj transformer costs tens of milliseconds, a large share of a one-parcel
    check, so they are cached by CRS text and one made for the opposite direction is reused.
    """
    from pyproj import CRS, Transformer
    from pyproj.enums import TransformDirection

    a, b = CRS.from_user_input(src), CRS.from_user_input(dst)
    key = (a.srs, b.srs)
    if key in _TRANSFORMERS:
        tr, direction = _TRANSFORMERS[key], TransformDirection.FORWARD
    elif key[::-1] in _TRANSFORMERS:
        tr, direction = _TRANSFORMERS[key[::-1]], TransformDirection.INVERSE
    else:
        tr = _TRANSFORMERS[key] = Transformer.from_crs(a, b, always_xy=True)
        direction = TransformDirection.FORWARD

    def apply(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = tr.transform(xy[:, 0], xy[:, 1], direction=direction, errcheck=False)
        return np.column_stack([np.asarray(x, np.float64), np.asarray(y, np.float64)])

    return apply


def project_geometries(geoms: Any, src: Any, dst: Any) -> NDArray[Any]:
    """Project shapely geometries (an array) between CRSs with a cached transformer."""
    return np.asarray(
        shapely.transform(np.asarray(geoms, dtype=object), coordinate_transformer(src, dst))
    )


def _crs_name(crs: Any) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.name)


def degenerate(g: shapely.Geometry) -> bool:
    """True for a polygon whose corners enclose no area (collinear or coincident corners).

    Checked in the parcel's own coordinates, before projection: a projection bends straight
    lines slightly, which would give collinear lon/lat corners a sliver of area.

    Examples
    --------
    >>> degenerate(shapely.from_wkt("POLYGON((113.7 34.7, 113.71 34.7, 113.72 34.7, 113.7 34.7))"))
    True
    >>> degenerate(shapely.box(0, 0, 1, 1))
    False
    >>> degenerate(shapely.from_wkt("POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))"))  # a bow-tie has area
    False
    """
    length = float(shapely.length(g))
    if length == 0:
        return True
    # The valid form's area: a bow-tie's signed lobes cancel, its repaired form's do not.
    poly = g if shapely.is_valid(g) else _polygonal(shapely.make_valid(g))
    return poly is None or float(shapely.area(poly)) <= DEGENERATE_RATIO * length * length


def _polygonal(g: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a geometry (make_valid may add lines and points), or None."""
    if g is None or shapely.is_empty(g):
        return None
    if shapely.get_type_id(g) in (3, 6):  # Polygon, MultiPolygon
        return g
    parts = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)]
    if not parts:
        return None
    return shapely.union_all(parts)


def _inside_if_swapped(
    g: shapely.Geometry,
    src: Any,
    target: Any,
    study: shapely.Geometry,
    swap: Callable[[shapely.Geometry], shapely.Geometry],
) -> bool:
    moved = project_geometries([swap(g)], src, target)[0]  # failures give inf, not errors
    xy = shapely.get_coordinates(moved)
    return bool(np.isfinite(xy).all() and shapely.intersects(moved, study))

