"""Checks of where the features lie: symptoms of a wrong CRS, and features outside the study area.

A wrong CRS shows in the coordinates: latitude and longitude swapped, degrees in a projected CRS,
metres in a geographic CRS, a Gauss-Kruger zone prefix that does not match the CRS (any CGCS2000
zone, `layout.io.gkzones`).
Features more than `STUDY_AREA_TOLERANCE_M` outside the study area are reported as warnings.  The
problems are built as in `layout.data.checks`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from layout.data.checks import CheckedLayer, format_number, problem_text, rows_where
from layout.errors import CRSError, Problem
from layout.io.crs import crs_label
from layout.io.gkzones import gk_epsg, gk_zone, metric_crs_for, prefixed_epsg, unprefixed

#: Features within this distance of the study area (metres) are not reported as outside it.
STUDY_AREA_TOLERANCE_M = 1000.0
#: Largest projected coordinate (metres) on Earth, with any zone prefix (Gauss-Kruger eastings
#: with a prefix reach about 6.1e7); beyond it a coordinate is a typing or export error.
MAX_PROJECTED_M = 1e8


def _metre_hint(x: float, near: float | None = None) -> str:
    """The CRS metres like ``x`` suggest (a prefixed zone names itself, else ``near``'s zone).

    ``near`` is the study area's centre longitude, when known.
    """
    zone = gk_zone(f"EPSG:{epsg}") if (epsg := prefixed_epsg(x)) else None
    if zone is not None:
        return f"{zone.describe()} (x carries the zone prefix {zone.number})"
    if near is not None:
        here = gk_zone(f"EPSG:{gk_epsg(near)}")
        if here is not None:
            return f"{here.describe()}, the zone of the study area, x about 300000–700000"
    return (
        "a CGCS2000 3-degree Gauss-Kruger zone without prefix, x about 300000–700000 "
        "(EPSG:4534–4554: the zone whose central meridian is nearest the data, e.g. EPSG:4549 "
        "for 120°E)"
    )


def check_coordinates(
    ctx: CheckedLayer, *, near: float | None = None
) -> tuple[set[int], list[Problem], bool]:
    """Look for symptoms of a wrong CRS (or its absence).

    ``near``, the study area's centre longitude when known, lets a hint name its zone.

    Returns the rows already reported (skipped by the study-area check), the problems, and
    whether the whole layer is in doubt (then the study-area check is skipped).
    """
    gdf = ctx.gdf
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bounds = shapely.bounds(geoms)  # NaN for missing geometries
    x0, y0, x1, y1 = bounds.T
    rows = np.flatnonzero(usable)
    if len(rows) == 0:
        return set(), [], True
    ax = np.maximum(np.abs(x0), np.abs(x1))
    ay = np.maximum(np.abs(y0), np.abs(y1))
    degree_like = (ax <= 180) & (ay <= 90)
    where = lambda r: f"x={format_number(x0[r])}, y={format_number(y0[r])}"  # noqa: E731

    if gdf.crs is None:
        sample = int(rows[0])
        guess = (
            "EPSG:4326 (lon/lat degrees)"
            if degree_like[rows].all()
            else _metre_hint(x0[sample], near)
        )
        hint = gdf.attrs.get("crs_hint")
        return (
            set(),
            [
                Problem(
                    ctx.source,
                    hint
                    or problem_text(
                        "no CRS",
                        f"no CRS (a Shapefile without .prj?) and coordinates such as "
                        f"{where(sample)}",
                        "a CRS",
                        f"pass crs= (--crs) if you know it; the values look like {guess}",
                    ),
                )
            ],
            True,
        )

    crs = CRS.from_user_input(gdf.crs)
    label = crs_label(crs)
    problems: list[Problem] = []
    if crs.is_geographic:
        swapped = usable & (ay > 90) & (ay <= 180) & (ax <= 90)
        metres = usable & ~swapped & ((ax > 180) | (ay > 90))
        s_rows = rows_where(swapped)
        m_rows = rows_where(metres)
        fix = "swap the columns (or --lon/--lat) and read the file again"
        problems += ctx.report(
            s_rows,
            lambda r: problem_text(
                "latitude and longitude look swapped", where(r), "x (longitude) first", fix
            ),
            lambda n, ids: problem_text(
                f"{n} features have latitude and longitude swapped",
                f"{where(s_rows[0])} ({ids})",
                "x (longitude) first",
                fix,
            ),
        )

        def fix_m(x: float) -> str:
            return f"the CRS is wrong: if these are metres of {_metre_hint(x, near)}, set that CRS"

        problems += ctx.report(
            m_rows,
            lambda r: problem_text(
                f"coordinates look like metres, but the CRS is {label} (degrees)",
                where(r),
                "longitude/latitude degrees",
                fix_m(x0[r]),
            ),
            lambda n, ids: problem_text(
                f"{n} features have coordinates in metres, but the CRS is {label} (degrees)",
                f"{where(m_rows[0])} ({ids})",
                "longitude/latitude degrees",
                fix_m(x0[m_rows[0]]),
            ),
        )
        return set(s_rows) | set(m_rows), problems, len(m_rows) == len(rows)

    deg_rows = rows_where(usable & degree_like)
    fix_d = (
        "the CRS is wrong: set EPSG:4326 (or EPSG:4490) as the file's CRS instead of "
        f"{label}; do not reproject"
    )
    problems += ctx.report(
        deg_rows,
        lambda r: problem_text(
            f"coordinates look like degrees, but the CRS is {label} (metres)",
            where(r),
            "metres",
            fix_d,
        ),
        lambda n, ids: problem_text(
            f"{n} features have coordinates in degrees, but the CRS is {label} (metres)",
            f"{where(deg_rows[0])} ({ids})",
            "metres",
            fix_d,
        ),
    )
    zone = gk_zone(crs)
    zone_rows: list[int] = []
    if zone is not None:  # a CGCS2000 Gauss-Kruger zone: eastings with or without its prefix
        metric = usable & ~degree_like & (ax <= MAX_PROJECTED_M)
        if zone.prefix:
            zone_rows = rows_where(metric & ((ax < zone.number * 1e6)
                                             | (ax >= (zone.number + 1) * 1e6)))
        else:
            zone_rows = rows_where(metric & (ax >= 1e7))

        def fix_z(r: int) -> str:
            found = prefixed_epsg(x0[r])
            if found is not None:
                return f"x has the zone prefix {int(abs(x0[r]) // 1e6)}: set EPSG:{found} " \
                       f"as the file's CRS instead of {label}"
            return f"x lacks the zone prefix {zone.number}: set EPSG:{unprefixed(zone)} as " \
                   f"the file's CRS instead of {label}"

        problems += ctx.report(
            zone_rows,
            lambda r: problem_text(
                "easting does not match the CRS", where(r), f"eastings of {label}", fix_z(r)
            ),
            lambda n, ids: problem_text(
                f"{n} features have eastings that do not match the CRS",
                f"{where(zone_rows[0])} ({ids})",
                f"eastings of {label}",
                fix_z(zone_rows[0]),
            ),
        )
    far_rows = rows_where(usable & ((ax > MAX_PROJECTED_M) | (ay > MAX_PROJECTED_M)))
    fix_f = "correct the coordinates, or check the file's CRS"
    problems += ctx.report(
        far_rows,
        lambda r: problem_text(
            "coordinates beyond the Earth", where(r), f"metres of {label}", fix_f
        ),
        lambda n, ids: problem_text(
            f"{n} features have coordinates beyond the Earth",
            f"{where(far_rows[0])} ({ids})",
            f"metres of {label}",
            fix_f,
        ),
    )
    flagged = set(deg_rows) | set(zone_rows) | set(far_rows)
    return flagged, problems, len(flagged) == len(rows)


def check_study_area(
    ctx: CheckedLayer, area: gpd.GeoDataFrame | gpd.GeoSeries, *, exclude: set[int]
) -> list[Problem]:
    """Features more than `STUDY_AREA_TOLERANCE_M` outside ``area``.

    Features outside as given but inside with x and y exchanged are reported as swapped
    (errors); the rows in ``exclude`` (already reported) are skipped.  The others outside are
    one warning (how many, which, where the first lies), or one error when every feature
    checked lies outside: that is a wrong CRS or datum, or a file of another place, not a few
    features beyond the edge.  ``area.attrs["source"]``, when set, names the study area.
    """
    if area.crs is None:
        raise CRSError("the study area has no CRS; set one (e.g. area.set_crs('EPSG:4326'))")
    if len(area) == 0:
        return []
    metric = _metric_crs(area)
    region = area.to_crs(metric).union_all().buffer(STUDY_AREA_TOLERANCE_M)
    geoms = ctx.gdf.geometry
    arr = np.asarray(geoms.values, dtype=object)
    usable = ~(shapely.is_missing(arr) | shapely.is_empty(arr)) & shapely.is_valid(arr)
    rows = [r for r in rows_where(usable) if r not in exclude]  # invalid ones are reported already
    if not rows:
        return []
    inside = shapely.intersects(_to(arr[rows], ctx.gdf.crs, metric), region)
    outside = [rows[i] for i in np.flatnonzero(~inside)]
    bounds = shapely.bounds(arr)
    swapped: list[int] = []
    if outside and CRS.from_user_input(ctx.gdf.crs).is_geographic:
        # Outside as given but inside with x and y exchanged: swapped columns, not a stray point.
        flipped = shapely.transform(arr[outside], lambda xy: xy[:, ::-1])
        hit = shapely.intersects(_to(flipped, ctx.gdf.crs, metric), region)
        swapped = [outside[i] for i in np.flatnonzero(hit)]
        outside = [r for r in outside if r not in set(swapped)]
    fix_s = "swap the columns (or --lon/--lat) and read the file again"
    problems = ctx.report(
        swapped,
        lambda r: problem_text(
            "latitude and longitude look swapped (swapped, the feature lies in the study area)",
            f"x={format_number(bounds[r, 0])}, y={format_number(bounds[r, 1])}",
            "x (longitude) first",
            fix_s,
        ),
        lambda n, ids: problem_text(
            f"{n} features have latitude and longitude swapped", ids, "x (longitude) first", fix_s
        ),
    )
    return problems + _outside_problems(ctx, outside, len(rows), bounds, area)


def _outside_problems(
    ctx: CheckedLayer,
    outside: list[int],
    checked: int,
    bounds: np.ndarray,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
) -> list[Problem]:
    """The one problem of the features outside the study area.

    One error when every checked feature is outside, else one warning for all of them (a
    province-wide file may rightly hold a few).
    """
    if not outside:
        return []
    km = STUDY_AREA_TOLERANCE_M / 1000
    first = outside[0]
    at = f"x={format_number(bounds[first, 0])}, y={format_number(bounds[first, 1])}"
    area_name = area.attrs.get("source")
    named = f" {area_name}" if area_name else ""
    if len(outside) == checked:
        every = f"all {checked} features lie" if checked > 1 else "the only feature lies"
        return [Problem(
            ctx.source,
            problem_text(
                f"{every} outside the study area{named} (by more than {km:g} km)",
                f"{at} (the first)" if checked > 1 else at,
                "features inside the study area",
                "check the CRS and datum of this file and of the study area (crs and datum in "
                "[inputs], --crs and --datum; GCJ-02/BD-09 coordinates are off by ~0.5 km, a "
                "wrong CRS by far more), or whether the file belongs to this study area",
            ),
        )]
    if len(outside) == 1:
        return [Problem(
            ctx.source,
            problem_text(
                f"outside the study area{named} (by more than {km:g} km)",
                at,
                "a feature inside the study area",
                "check its coordinates (CRS, datum, typing), or drop it if it belongs elsewhere",
            ),
            feature=ctx.labels[first],
            severity="warning",
        )]
    return [Problem(
        ctx.source,
        f"{len(outside)} of {checked} features lie outside the study area{named} (by more than "
        f"{km:g} km; {ctx.listing(outside)}; the first at {at}); check their coordinates (CRS, "
        "datum, typing), or drop those that belong elsewhere",
        severity="warning",
    )]


def centre_lon(area: gpd.GeoDataFrame | gpd.GeoSeries) -> float | None:
    """The longitude of the centre of a study area's bounds, None when it has none."""
    if area.crs is None or len(area) == 0:
        return None
    x0, _, x1, _ = area.to_crs("EPSG:4326").total_bounds
    return float((x0 + x1) / 2) if np.isfinite([x0, x1]).all() else None


def _metric_crs(area: gpd.GeoDataFrame | gpd.GeoSeries) -> Any:
    """The study area's own CRS when projected, else the 3-degree zone of its centre."""
    crs = CRS.from_user_input(area.crs)
    if crs.is_projected:
        return crs
    return metric_crs_for(centre_lon(area) or 0.0)


def _to(geoms: np.ndarray, crs: Any, target: Any) -> np.ndarray:
    """Reproject an array of geometries (coordinates that cannot be projected become inf)."""
    return np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(target).values, dtype=object)


#: How far (degrees) a study area may reach beyond the area of use of the plan CRS: a
#: Gauss-Kruger zone stays usable a little beyond its 3 degrees, not across continents.
AREA_OF_USE_MARGIN_DEG = 3.0


def check_boundary_extent(boundary: gpd.GeoDataFrame, crs: Any, *, source: str) -> list[Problem]:
    """The study area beyond where the plan CRS can be used, as one problem (else none).

    A study area centred outside the zone of a CGCS2000 Gauss-Kruger plan CRS is one problem
    naming the zone it needs (`layout.io.gkzones`): shapes and distances there are distorted.

    A boundary read in the wrong CRS or datum (metres taken as degrees, a world-sized or
    misplaced polygon) projects to coordinates far away or to nothing; every later check would
    then fail with a message that does not name the boundary.  The boundary is compared, in
    longitude/latitude, with the area of use of the plan CRS (from the EPSG database) widened
    by `AREA_OF_USE_MARGIN_DEG`; a CRS without an area of use is checked only for coordinates
    that cannot be projected.

    Examples
    --------
    >>> world = gpd.GeoDataFrame(geometry=[shapely.box(-179, -89, 179, 89)], crs="EPSG:4326")
    >>> print(check_boundary_extent(world, "EPSG:4547", source="boundary.geojson")[0])
    error: boundary.geojson: the study-area boundary spans longitude -179 to 179 and ...
    """
    if boundary.crs is None or len(boundary) == 0:
        return []
    target = CRS.from_user_input(crs)
    label = crs_label(target)
    fix = (
        "check the boundary file's CRS and datum (crs and datum of [inputs] boundary), or set "
        "[plan] crs to a projected CRS made for that area"
    )
    lonlat = boundary.to_crs("EPSG:4326").total_bounds
    if not np.isfinite(lonlat).all():
        return []  # missing or unprojectable geometries: reported by the geometry checks
    zone = gk_zone(target)
    centre = (lonlat[0] + lonlat[2]) / 2
    # Within China's zones a wrong zone is named; a world-sized box is the case below.
    if zone is not None and not zone.covers(centre) and lonlat[0] >= 70 and lonlat[2] <= 140:
        right = gk_epsg(centre, width=zone.width, prefix=zone.prefix)
        return [Problem(
            source,
            f"the study area is centred at longitude {centre:.2f}°E, outside the zone of the "
            f"plan CRS {label} ({zone.west:g}–{zone.east:g}°E); set [plan] crs = "
            f"\"EPSG:{right}\" (the {zone.width}-degree zone of {centre:.1f}°E)",
        )]
    area = target.area_of_use
    if area is not None:
        w, s, e, n = area.bounds
        m = AREA_OF_USE_MARGIN_DEG
        if lonlat[0] < w - m or lonlat[2] > e + m or lonlat[1] < s - m or lonlat[3] > n + m:
            return [Problem(
                source,
                f"the study-area boundary spans longitude {lonlat[0]:.4g} to {lonlat[2]:.4g} "
                f"and latitude {lonlat[1]:.4g} to {lonlat[3]:.4g}, beyond where the plan CRS "
                f"{label} can be used (longitude {w:g} to {e:g}, latitude {s:g} to {n:g}); {fix}",
            )]
    projected = boundary.to_crs(target).total_bounds
    if not np.isfinite(projected).all():
        return [Problem(source, f"the study-area boundary cannot be projected to {label}; {fix}")]
    return []
