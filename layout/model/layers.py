"""The input layers of a plan and what the data model requires of each (docs/data_model.md).

`INPUT_NAMES` says which layers a plan names and whether it must; `LAYER_SCHEMAS` says, per kind
of layer, its geometry types, id column, required and numeric columns, ranges and code values.
`layout.data.validate` checks files against these schemas; nothing else declares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from layout.model.constraints import DRAWN_CONSTRAINT_TYPES

#: Kinds of a ``transport_lines`` feature (the layer's ``kind`` column).
LineKind = Literal["expressway", "main_road", "railway"]
LINE_KINDS: tuple[str, ...] = get_args(LineKind)

POLYGONS = ("Polygon", "MultiPolygon")
LINES = ("LineString", "MultiLineString")
POINTS = ("Point", "MultiPoint")


@dataclass(frozen=True)
class LayerSchema:
    """What the data model (``docs/data_model.md``) requires of one kind of layer.

    Attributes
    ----------
    geometry
        Allowed geometry types.
    id_column
        Column holding a unique id, or None.
    required
        Columns that must exist.
    numeric
        Columns that must hold numbers when present.
    nonnegative
        Numeric columns that must not be negative.
    ranges
        Inclusive ``(low, high)`` bounds of numeric columns.
    choices
        Allowed values of code columns.
    """

    geometry: tuple[str, ...]
    id_column: str | None
    required: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    nonnegative: tuple[str, ...] = ()
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


#: The layer kinds of the data model and what each requires (``docs/data_model.md``).
LAYER_SCHEMAS: dict[str, LayerSchema] = {
    "boundary": LayerSchema(
        geometry=POLYGONS,
        id_column="adcode",
        required=("adcode", "name_zh", "name_en"),
        numeric=("area_km2", "official_area_km2"),
        nonnegative=("area_km2", "official_area_km2"),
    ),
    "counties": LayerSchema(
        geometry=POLYGONS,
        id_column="adcode",
        required=("adcode", "name_zh", "name_en"),
        numeric=("area_km2", "official_area_km2"),
        nonnegative=("area_km2", "official_area_km2"),
        choices={"kind": ("district", "county", "city")},
    ),
    "zones": LayerSchema(
        geometry=POLYGONS,
        id_column="zone_id",
        required=("zone_id", "name_zh", "name_en", "county", "leading", "built_share",
                  "confidence"),
        numeric=("planned_area_km2", "area_km2", "built_share"),
        nonnegative=("planned_area_km2", "area_km2"),
        ranges={"built_share": (0.0, 1.0)},
        choices={"geometry_quality": ("documented", "approximate")},
    ),
    "enterprises": LayerSchema(
        geometry=("Point",),
        id_column="ent_id",
        required=("ent_id", "name", "industry", "employees", "output_wan", "land_mu"),
        numeric=("employees", "output_wan", "tax_wan", "land_mu"),
        nonnegative=("employees", "output_wan", "tax_wan", "land_mu"),
    ),
    "constraints": LayerSchema(
        geometry=POLYGONS,
        id_column="constraint_id",
        required=("constraint_id", "type", "legal_basis"),
        # steep_slope and outside_study_area are derived by the scoring stage, not drawn.
        choices={"type": DRAWN_CONSTRAINT_TYPES},
    ),
    "transport_lines": LayerSchema(
        geometry=LINES,
        id_column="line_id",
        required=("line_id", "kind"),
        numeric=("speed_kmh",),
        nonnegative=("speed_kmh",),
        choices={"kind": LINE_KINDS},
    ),
    "transport_points": LayerSchema(
        geometry=POINTS,
        id_column="node_id",
        required=("node_id", "kind"),
        choices={"kind": ("airport", "rail_station", "freight_rail", "interchange")},
    ),
    "urban_areas": LayerSchema(
        geometry=POLYGONS,
        id_column="urban_id",
        required=("urban_id", "kind"),
        numeric=("population_10k",),
        nonnegative=("population_10k",),
        choices={"kind": ("central_city", "county_seat", "town")},
    ),
}


#: Largest magnitude a numeric attribute may have (docs/data_model.md, "Numbers"): above it a
#: value is a typing or export error (1e308, 9.9e99 fill values), and sums over a few thousand
#: features would overflow or lose every other value.  No real amount in the data model comes
#: near it: Zhengzhou's whole industrial output is about 1e8 万元, coordinates with a zone
#: prefix about 4e7 m.
MAX_ABS_VALUE = 1e15

#: Input layers a plan may name, and whether it must have them.
INPUT_NAMES: dict[str, bool] = {
    "boundary": True,
    "counties": True,
    "zones": True,
    "enterprises": True,
    "constraints": False,
    "transport_lines": False,
    "transport_points": False,
    "urban_areas": False,
    "dem": False,
}
