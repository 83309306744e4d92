"""Interchanges tied to their expressway and to the road network.

Travel time (`layout.analysis.travel`) enters and leaves an expressway only at interchanges:
each is tied to the nearest expressway and to the nearest other road when they lie within
`TOLERANCE_M`.  An interchange farther than that from every expressway joins nothing; one
farther from every other road is reached only off-road (or, for a junction of two
expressways, only from the expressways).  `check_interchanges` lists both as warnings, which
``layout validate`` prints for a ``transport_points`` layer when the same GeoPackage holds
``transport_lines``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from layout.errors import Problem

__all__ = ["TOLERANCE_M", "check_interchanges"]

#: How far (m) an interchange may lie from its expressway and from the nearest other road: the
#: data model places interchanges on the expressway where a road meets it; 50 m absorbs the
#: rounding of published positions (the width of a ramp's footprint is about 50–100 m).
TOLERANCE_M = 50.0


def check_interchanges(
    points: gpd.GeoDataFrame,
    lines: gpd.GeoDataFrame,
    *,
    tolerance_m: float = TOLERANCE_M,
    source: str = "transport_points",
) -> list[Problem]:
    """Warn about interchanges farther than ``tolerance_m`` from an expressway or another road.

    Parameters
    ----------
    points
        The ``transport_points`` layer (``kind``; rows of kind ``interchange`` are checked).
    lines
        The ``transport_lines`` layer (``kind``); railways are not roads.
    tolerance_m
        The largest gap (m) that still ties an interchange.
    source
        The file or layer named in the messages.

    Returns
    -------
    list of Problem
        One warning per gap, naming the interchange (``node_id`` or row), the gap in metres and
        the fix.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> lines = gpd.GeoDataFrame({"kind": ["expressway", "main_road"]}, crs="EPSG:4547",
    ...     geometry=[shapely.LineString([(0, 0), (5000, 0)]),
    ...               shapely.LineString([(1000, -500), (1000, 500)])])
    >>> pts = gpd.GeoDataFrame({"node_id": ["A", "B"], "kind": ["interchange"] * 2},
    ...     crs="EPSG:4547", geometry=[shapely.Point(1000, 0), shapely.Point(4000, 0)])
    >>> for p in check_interchanges(pts, lines):
    ...     print(p)  # doctest: +NORMALIZE_WHITESPACE
    warning: transport_points, feature B: interchange 3000 m from the nearest road other than
    an expressway (tolerance 50 m): travel reaches it off-road only; add the road it serves
    to transport_lines or move the point
    """
    if not len(points) or "kind" not in points.columns:
        return []
    inter = points[points["kind"].astype(str) == "interchange"]
    if not len(inter) or lines is None or not len(lines):
        return []
    lines = lines.to_crs(inter.crs) if lines.crs != inter.crs else lines
    kind = lines["kind"].astype(str)
    express = shapely.union_all(np.asarray(lines.geometry[kind == "expressway"].values))
    roads = shapely.union_all(np.asarray(
        lines.geometry[(kind != "expressway") & (kind != "railway")].values))
    ids = inter["node_id"].astype(str) if "node_id" in inter.columns else inter.index.astype(str)
    geoms = np.asarray(inter.geometry.values)
    problems: list[Problem] = []
    for label, target, what, fix in (
        ("expressway", express,
         "joins no expressway", "move the point onto its expressway"),
        ("road other than an expressway", roads,
         "travel reaches it off-road only",
         "add the road it serves to transport_lines or move the point"),
    ):
        gap = (shapely.distance(geoms, target) if not shapely.is_empty(target)
               else np.full(len(geoms), np.inf))
        for name, d in zip(ids, gap, strict=True):
            if d > tolerance_m:
                far = (f"{d:.0f} m from the nearest {label}" if np.isfinite(d)
                       else f"with no {label} in transport_lines")
                problems.append(Problem(
                    source, f"interchange {far} (tolerance {tolerance_m:g} m): {what}; {fix}",
                    feature=str(name), severity="warning"))
    return problems
