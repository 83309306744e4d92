"""Checks of the layers handed to the measures, made of the data floor's checks.

The measures run the checks of `layout.data.checks` that apply to what they read: the columns
exist, the geometries are of the right type, codes are not empty, amounts are finite numbers
>= 0, region ids are present and unique.  Every problem is raised at once as a
`~layout.errors.ValidationError`, in the words of ``layout validate``.  The CRS is checked by the
measures themselves (`layout.io.crs.require_projected`, `layout.io.crs.require_crs`), before
these checks.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd

from layout.data.checks import (
    CheckedLayer,
    check_columns,
    check_filled,
    check_geometries,
    check_ids,
    check_numbers,
)
from layout.data.validate import raise_for_problems
from layout.model.layers import LAYER_SCHEMAS, POLYGONS

#: What the data model requires of an enterprise layer (its geometry type and id column).
ENTERPRISES = LAYER_SCHEMAS["enterprises"]


def check_enterprises(
    gdf: gpd.GeoDataFrame, *, source: str, codes: Sequence[str] = (), numbers: Sequence[str] = ()
) -> None:
    """Check a point layer of enterprises: geometry, code columns and non-negative amounts.

    Parameters
    ----------
    gdf
        The enterprises; features are named by ``ent_id`` in the problems when it is a column.
    source
        Name of the layer in the problems.
    codes
        Columns of codes (``industry``): present, no empty cell.
    numbers
        Columns of amounts (``output_wan``, ``employees``): present, finite numbers >= 0.

    Raises
    ------
    ValidationError
        Listing every problem found.

    Examples
    --------
    >>> import shapely
    >>> firms = gpd.GeoDataFrame({"industry": ["auto"], "output_wan": [-1.0]},
    ...                          geometry=[shapely.Point(0, 0)], crs="EPSG:4547")
    >>> check_enterprises(firms, source="firms", codes=["industry"],
    ...                   numbers=["output_wan", "employees"])
    Traceback (most recent call last):
    ...
    layout.errors.ValidationError: firms, column 'employees': required column missing: ... \
(and 1 more error)
    """
    id_col = ENTERPRISES.id_column if ENTERPRISES.id_column in gdf.columns else None
    layer = CheckedLayer(gdf, source, id_col)
    problems = check_columns(layer, [*codes, *numbers])
    problems += check_geometries(layer, ENTERPRISES.geometry)
    problems += check_filled(layer, codes)
    problems += check_numbers(
        layer, numbers, nonneg=set(numbers), required=set(numbers), ranges={}
    )
    raise_for_problems(problems)


def check_regions(gdf: gpd.GeoDataFrame, *, source: str, region_id: str) -> None:
    """Check a polygon layer of regions: polygons, and a column of present, unique region ids.

    Raises
    ------
    ValidationError
        Listing every problem found.
    """
    layer = CheckedLayer(gdf, source, region_id if region_id in gdf.columns else None)
    problems = check_columns(layer, [region_id])
    problems += check_geometries(layer, POLYGONS)
    if layer.id_col is not None:
        problems += check_ids(layer)
    raise_for_problems(problems)
