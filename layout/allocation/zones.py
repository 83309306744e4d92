"""Each zone's land and result: what the allocation may use there, and what it placed there.

`zone_capacity_mu` is the zone's developable land as the selection programme bounds it
(`layout.allocation.problem.build_problem`): the zone's area less its built-up share.
`zone_layer` is the ``zones`` layer of ``plan.gpkg`` (docs/plan_outputs.md): every zone's
polygon with the land allocated there per industry, the land that remains and its designated
leading industries, so that a zone map needs no join.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.allocation.demand import MU_PER_HA

#: m² per mu (1 mu = 10,000/15 m²).
M2_PER_MU = 10_000.0 / 15.0


def zone_capacity_mu(zones: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Developable land (mu) of each zone: its area times ``1 - built_share``.

    A zone whose ``built_share`` is missing or not a number counts as fully built (no land):
    the plan never fills land it knows nothing about. ``zones`` is in a metric CRS.

    Examples
    --------
    >>> import shapely
    >>> z = gpd.GeoDataFrame({"built_share": [0.25, None]},
    ...                      geometry=[shapely.box(0, 0, 1000, 1000)] * 2, crs="EPSG:4547")
    >>> zone_capacity_mu(z).round(1).tolist()
    [1125.0, 0.0]
    """
    area_mu = zones.geometry.area.to_numpy(dtype=np.float64) / M2_PER_MU
    built = pd.to_numeric(zones["built_share"], errors="coerce").fillna(1.0).to_numpy()
    return area_mu * np.clip(1.0 - built, 0.0, 1.0)


def leading_industries(value: object) -> list[str]:
    """The codes of a zone's ``leading`` text (comma-separated; empty or missing: none).

    Examples
    --------
    >>> leading_industries("auto, electronics"), leading_industries(None)
    (['auto', 'electronics'], [])
    """
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [c.strip() for c in str(value).split(",") if c.strip()]


def zone_layer(zones: gpd.GeoDataFrame, allocation: pd.DataFrame, *,
               codes: Sequence[str],
               industrial_mu: NDArray[np.float64] | None = None) -> gpd.GeoDataFrame:
    """Every zone's polygon with its result (the ``zones`` layer of ``plan.gpkg``).

    Parameters
    ----------
    zones
        The plan's zones layer (in the plan CRS), in the order the plan indexes them.
    allocation
        Land per industry and zone (`layout.allocation.sites.allocation_table`: ``industry``,
        ``zone_id``, ``area_mu``).
    codes
        The catalog's industry codes: one ``alloc_mu_<code>`` column each, zero where none.
    industrial_mu
        Today's industrial land of each zone in the plan's land-use layer
        (`layout.analysis.landuse.industrial_land_mu`); None (no land-use layer) writes NaN.

    Returns
    -------
    GeoDataFrame
        ``zone_id``, ``name_zh``, ``name_en``, ``leading``, ``built_share``, ``area_mu`` (the
        polygon), ``capacity_mu`` (`zone_capacity_mu`), ``allocated_mu``, ``allocated_ha``,
        ``remaining_mu`` (capacity less allocated), ``alloc_mu_<code>`` per industry and
        ``industries`` (those allocated, most land first), ``industrial_land_mu`` (today's,
        from the land-use layer).
    """
    ids = [str(z) for z in zones["zone_id"]]
    per: dict[str, dict[str, float]] = {z: dict.fromkeys(codes, 0.0) for z in ids}
    for zid, code, mu in zip(allocation["zone_id"], allocation["industry"],
                             allocation["area_mu"], strict=True):
        if str(zid) in per and str(code) in per[str(zid)]:
            per[str(zid)][str(code)] += float(mu)
    capacity = zone_capacity_mu(zones)
    allocated = np.array([sum(per[z].values()) for z in ids], np.float64)
    names_en = zones["name_en"] if "name_en" in zones.columns else pd.Series([""] * len(zones))
    out = pd.DataFrame({
        "zone_id": ids,
        "name_zh": [str(v) for v in zones["name_zh"]],
        "name_en": [str(v) for v in names_en],
        "leading": [",".join(leading_industries(v)) for v in zones["leading"]],
        "built_share": pd.to_numeric(zones["built_share"], errors="coerce").to_numpy(),
        "area_mu": zones.geometry.area.to_numpy(dtype=np.float64) / M2_PER_MU,
        "capacity_mu": capacity,
        "allocated_mu": allocated,
        "allocated_ha": allocated / MU_PER_HA,
        "remaining_mu": capacity - allocated,
    })
    for code in codes:
        out[f"alloc_mu_{code}"] = [per[z][code] for z in ids]
    # sorted() is stable: equal areas keep the catalog order
    out["industries"] = [",".join(c for c in sorted(per[z], key=lambda c: -per[z][c])
                                  if per[z][c] > 0) for z in ids]
    out["industrial_land_mu"] = (np.full(len(ids), np.nan) if industrial_mu is None
                                 else np.asarray(industrial_mu, np.float64))
    return gpd.GeoDataFrame(out, geometry=list(zones.geometry), crs=zones.crs)
