"""Example parcels and project indicators on the embedded data, one per verdict.

`example_parcels` and `example_indicators` feed the tests, the notebook and the benchmarks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shapely

if TYPE_CHECKING:
    import geopandas as gpd


def example_parcels() -> gpd.GeoDataFrame:
    """Three parcels on the embedded data that show the three verdicts for ``electronics``.

    ========  ==================================================  ================================
    parcel    where                                               verdict for electronics
    ========  ==================================================  ================================
    A-airport inside the airport economy zone (electronics is a   ``suitable``
              leading industry), clear of every constraint
    B-farm    south edge of the airport zone, 30 % on permanent   ``unsuitable``
              basic farmland (bf_410184), mostly outside zones
    C-lowfar  inside the airport zone, good score, but the        ``conditional`` (with
              project's FAR 0.6 and building coverage 25 % are    `example_indicators`)
              below the national minimum
    ========  ==================================================  ================================

    Each is a 600 m × 450 m rectangle of the EPSG:4547 grid (405 mu), given here by its corners
    in WGS84 rounded to 1e-6°.

    Returns
    -------
    GeoDataFrame
        Columns ``parcel_id``, ``note``; EPSG:4326.

    Examples
    --------
    >>> ex = example_parcels()
    >>> ex["parcel_id"].tolist(), ex.crs.to_epsg()
    (['A-airport', 'B-farm', 'C-lowfar'], 4326)
    """
    import geopandas as gpd

    corners = {
        "A-airport": [
            (113.810973, 34.549209), (113.810964, 34.553266),
            (113.804427, 34.553255), (113.804437, 34.549199),
        ],
        "B-farm": [
            (113.807492, 34.40497), (113.807482, 34.409027),
            (113.800957, 34.409016), (113.800966, 34.40496),
        ],
        "C-lowfar": [
            (113.832265, 34.525803), (113.832257, 34.529859),
            (113.825722, 34.52985), (113.82573, 34.525793),
        ],
    }
    notes = {
        "A-airport": "inside the airport economy zone, clear of constraints",
        "B-farm": "about 30 % on permanent basic farmland",
        "C-lowfar": "good location; FAR and building coverage below the national minimum",
    }
    return gpd.GeoDataFrame(
        {"parcel_id": list(corners), "note": [notes[k] for k in corners]},
        geometry=[shapely.Polygon(c) for c in corners.values()],
        crs="EPSG:4326",
    )


def example_indicators() -> dict[str, dict[str, float]]:
    """Planned land indicators of the `example_parcels` projects (C fails FAR and coverage).

    Examples
    --------
    >>> example_indicators()["C-lowfar"]["far"]
    0.6
    """
    good = {
        "far": 1.4,
        "building_coverage": 0.45,
        "admin_share": 0.05,
        "green_ratio": 0.15,
        "investment_per_mu_wan": 420.0,
        "output_per_mu_wan": 1600.0,
        "tax_per_mu_wan": 25.0,
    }
    return {
        "A-airport": dict(good),
        "B-farm": dict(good),
        "C-lowfar": {**good, "far": 0.6, "building_coverage": 0.25},
    }
