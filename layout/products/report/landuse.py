"""What the report says about the plan's land-use layer: limits, industrial land, infill.

`landuse_summary` gathers, for the report (`layout.products.report.blocks`), the figures of
`layout.analysis.landuse`: the land-use limits not covered by a constraints layer and whether
the plan excludes them, today's industrial land per zone, and the industrial patches with no
firm (infill candidates, the ``landuse_infill`` layer of ``plan.gpkg``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from layout.allocation.run import PlanResult
from layout.analysis.landuse import industrial_land_mu, infill_patches, limit_geometries
from layout.config.landuse import landuse_codes
from layout.model.constraints import CONSTRAINT_TYPES
from layout.settings import M2_PER_MU


@dataclass(frozen=True)
class LandUseSummary:
    """The land-use figures of one plan (areas in mu).

    Attributes
    ----------
    schema
        Title of the code schema (``GB/T 21010-2017 土地利用现状分类``).
    patches
        Number of patches in the layer.
    industrial_mu, industrial_in_zones_mu
        Today's industrial land in the layer, and inside the zones.
    infill_patches, infill_mu
        Industrial patches with no enterprise inside, and their area.
    zones
        Per zone with industrial land: ``zone_id``, ``name_zh``, ``industrial_land_mu``,
        ``infill_patches``, ``infill_mu``.
    limits
        Per land-use limit type: ``type``, ``label``, ``area_mu`` (outside every constraint
        polygon) and ``excluded`` (by the plan's ``[constraints] exclude``).
    """

    schema: str
    patches: int
    industrial_mu: float
    industrial_in_zones_mu: float
    infill_patches: int
    infill_mu: float
    zones: pd.DataFrame
    limits: pd.DataFrame


def landuse_summary(result: PlanResult) -> LandUseSummary | None:
    """The land-use figures of a plan, or None when the plan has no land-use layer."""
    inputs = result.inputs
    if "landuse" not in inputs.layers:
        return None
    landuse = inputs.layers["landuse"]
    zones = inputs.layer("zones")
    schema = str(landuse["schema"].iloc[0]) if len(landuse) else ""
    title = landuse_codes().codes(schema).title if schema else ""
    per_zone = industrial_land_mu(landuse, zones)
    infill = infill_patches(landuse, inputs.layer("enterprises"), zones)
    industrial = landuse[landuse["lu_class"] == "industrial"] if len(landuse) else landuse
    total = (float(industrial.geometry.union_all().area) / M2_PER_MU if len(industrial)
             else 0.0)
    table = pd.DataFrame({
        "zone_id": [str(z) for z in zones["zone_id"]],
        "name_zh": [str(z) for z in zones["name_zh"]],
        "industrial_land_mu": per_zone,
    })
    by_zone = infill.groupby("zone_id")["area_mu"].agg(["count", "sum"])
    table["infill_patches"] = [int(by_zone["count"].get(z, 0)) for z in table["zone_id"]]
    table["infill_mu"] = [float(by_zone["sum"].get(z, 0.0)) for z in table["zone_id"]]
    table = table[table["industrial_land_mu"] > 0].sort_values(
        "industrial_land_mu", ascending=False, kind="stable")
    limits = limit_geometries(landuse, inputs.layer("constraints"))
    rows = [{"type": t, "label": CONSTRAINT_TYPES[t].label("zh"),
             "area_mu": float(shapely.area(g)) / M2_PER_MU, "excluded": t in inputs.plan.exclude}
            for t, g in limits.items()]
    return LandUseSummary(
        schema=title, patches=len(landuse), industrial_mu=total,
        industrial_in_zones_mu=float(np.sum(per_zone)), infill_patches=len(infill),
        infill_mu=float(infill["area_mu"].sum()) if len(infill) else 0.0,
        zones=table.reset_index(drop=True),
        limits=pd.DataFrame(rows, columns=["type", "label", "area_mu", "excluded"]))
