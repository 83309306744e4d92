"""The input layers of a plan and what the data model requires of each (docs/data_model.md).

`INPUT_NAMES` says which layers a plan names and whether it must; `LAYER_SCHEMAS` says, per kind
of layer, its geometry types, its columns (with the Shapefile alias of each name longer than ten
characters), id column, required and numeric columns, ranges, code values, and the columns that
hold industry codes or lists.  `layout.data.validate` checks files against these schemas and
`layout.data.mapping` maps a planner's own columns onto them; nothing else declares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from layout.model.constraints import DRAWN_CONSTRAINT_TYPES
from layout.model.landuse import CLASSES as LANDUSE_CLASSES
from layout.model.landuse import SCHEMAS as LANDUSE_SCHEMAS

#: Longest field name a Shapefile's dBASE table holds (longer names are cut by every writer).
SHAPEFILE_NAME_MAX = 10
#: Separators of the items of a list cell (``电子信息、汽车及装备制造``); the data model writes ",".
LIST_SEPARATORS: tuple[str, ...] = (",", "，", "、", ";", "；")
#: Names of a table's longitude and latitude columns in ``[inputs] columns`` (not data-model
#: columns: they become the point geometry).
COORDINATE_KEYS: tuple[str, ...] = ("lon", "lat")

#: Kinds of a ``transport_lines`` feature (the layer's ``kind`` column).
LineKind = Literal["expressway", "main_road", "railway"]
LINE_KINDS: tuple[str, ...] = get_args(LineKind)

#: Optional enterprise columns of the 亩均效益 evaluation (`layout.analysis.efficiency`):
#: main-business revenue and value added (万元/year), energy use (tonnes of coal equivalent per
#: year) and R&D spending as a share of revenue (0-1).
EFFICIENCY_COLUMNS: tuple[str, ...] = ("revenue_wan", "value_added_wan", "energy_tce",
                                       "rd_share")

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
    columns
        Every column of the data model, required or not (``docs/data_model.md``).
    aliases
        The Shapefile alias (at most `SHAPEFILE_NAME_MAX` characters) of each column whose name
        is longer, or the name agencies give a column (the land-use layer's ``DLBM``): a file
        may use either name.
    industry
        Columns holding industry codes of the catalog, and whether ``other`` is allowed in
        each; a file's industry names (Chinese or English) or GB/T 4754 divisions are mapped to
        the codes (`layout.data.mapping`).
    lists
        Columns holding several values in one cell (`LIST_SEPARATORS`).
    """

    geometry: tuple[str, ...]
    id_column: str | None
    required: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    nonnegative: tuple[str, ...] = ()
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    industry: Mapping[str, bool] = field(default_factory=dict)
    lists: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        named = {*self.required, *self.numeric, *self.ranges, *self.choices, *self.aliases,
                 *self.industry, *self.lists}
        if not named <= set(self.columns):
            raise ValueError(f"columns not declared: {sorted(named - set(self.columns))}")
        for name in self.columns:
            alias = self.aliases.get(name)
            if len(name) > SHAPEFILE_NAME_MAX and (alias is None
                                                  or len(alias) > SHAPEFILE_NAME_MAX):
                raise ValueError(f"{name!r} needs a Shapefile alias of at most "
                                 f"{SHAPEFILE_NAME_MAX} characters")

    def column_of(self, name: str) -> str | None:
        """The data-model column a file's column name stands for, or None.

        Examples
        --------
        >>> zones = LAYER_SCHEMAS["zones"]
        >>> zones.column_of("built_shr"), zones.column_of("built_share"), zones.column_of("x")
        ('built_share', 'built_share', None)
        """
        if name in self.columns:
            return name
        return next((col for col, alias in self.aliases.items() if alias == name), None)


#: The layer kinds of the data model and what each requires (``docs/data_model.md``).
LAYER_SCHEMAS: dict[str, LayerSchema] = {
    "boundary": LayerSchema(
        geometry=POLYGONS,
        id_column="adcode",
        required=("adcode", "name_zh", "name_en"),
        numeric=("area_km2", "official_area_km2"),
        nonnegative=("area_km2", "official_area_km2"),
        columns=("adcode", "name_zh", "name_en", "area_km2", "official_area_km2", "source"),
        aliases={"official_area_km2": "offic_km2"},
    ),
    "counties": LayerSchema(
        geometry=POLYGONS,
        id_column="adcode",
        required=("adcode", "name_zh", "name_en"),
        numeric=("area_km2", "official_area_km2"),
        nonnegative=("area_km2", "official_area_km2"),
        choices={"kind": ("district", "county", "city")},
        columns=("adcode", "name_zh", "name_en", "kind", "area_km2", "official_area_km2",
                 "source"),
        aliases={"official_area_km2": "offic_km2"},
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
        columns=("zone_id", "name_zh", "name_en", "county", "leading", "leading_bases",
                 "leading_note", "planned_area_km2", "area_km2", "built_share",
                 "geometry_quality", "confidence", "source"),
        aliases={"leading_bases": "lead_bases", "leading_note": "lead_note",
                 "planned_area_km2": "plan_km2", "built_share": "built_shr",
                 "geometry_quality": "geom_qual"},
        industry={"leading": False},  # priority industries: "other" is no leading industry
        lists=("leading", "leading_bases"),
    ),
    "enterprises": LayerSchema(
        geometry=("Point",),
        id_column="ent_id",
        required=("ent_id", "name", "industry", "employees", "output_wan", "land_mu"),
        numeric=("employees", "output_wan", "tax_wan", "land_mu", *EFFICIENCY_COLUMNS),
        nonnegative=("employees", "output_wan", "tax_wan", "land_mu", *EFFICIENCY_COLUMNS),
        ranges={"rd_share": (0.0, 1.0)},
        columns=("ent_id", "name", "industry", "base", "gbt4754", "employees", "output_wan",
                 "tax_wan", "land_mu", "anchor", "county", "zone_id", "provenance",
                 "confidence", *EFFICIENCY_COLUMNS),
        aliases={"revenue_wan": "revenue", "value_added_wan": "va_wan",
                 "energy_tce": "energy"},
        industry={"industry": True},
    ),
    "constraints": LayerSchema(
        geometry=POLYGONS,
        id_column="constraint_id",
        required=("constraint_id", "type", "legal_basis"),
        # steep_slope and outside_study_area are derived by the scoring stage, not drawn.
        choices={"type": DRAWN_CONSTRAINT_TYPES},
        columns=("constraint_id", "type", "name_zh", "name_en", "legal_basis", "confidence"),
        aliases={"constraint_id": "constr_id", "legal_basis": "legal_bas"},
    ),
    "transport_lines": LayerSchema(
        geometry=LINES,
        id_column="line_id",
        required=("line_id", "kind"),
        numeric=("speed_kmh",),
        nonnegative=("speed_kmh",),
        choices={"kind": LINE_KINDS},
        columns=("line_id", "kind", "ref", "name", "name_en", "speed_kmh", "confidence"),
    ),
    "transport_points": LayerSchema(
        geometry=POINTS,
        id_column="node_id",
        required=("node_id", "kind"),
        choices={"kind": ("airport", "rail_station", "freight_rail", "interchange")},
        columns=("node_id", "kind", "name_zh", "name_en", "ref", "confidence"),
    ),
    "urban_areas": LayerSchema(
        geometry=POLYGONS,
        id_column="urban_id",
        required=("urban_id", "kind"),
        numeric=("population_10k",),
        nonnegative=("population_10k",),
        choices={"kind": ("central_city", "county_seat", "town")},
        columns=("urban_id", "name_zh", "name_en", "kind", "population_10k", "confidence"),
        aliases={"population_10k": "pop_10k"},
    ),
    # A land department's land-use layer (三调 DLTB or a 2023-classification current-use
    # layer): ``code`` as the file writes it, normalised and classified on reading with the
    # plan's schema (`layout.data.landuse`), which adds ``schema``, ``lu_class`` and
    # ``lu_name``.  DLTB's own names DLBM (code), DLMC (name), BSM (标识码) and TBMJ (图斑面积,
    # m²) are accepted as they are.
    "landuse": LayerSchema(
        geometry=POLYGONS,
        id_column=None,
        required=("code",),
        numeric=("area_m2",),
        nonnegative=("area_m2",),
        choices={"schema": LANDUSE_SCHEMAS, "lu_class": LANDUSE_CLASSES},
        columns=("code", "name", "patch_id", "area_m2", "confidence", "schema", "lu_class",
                 "lu_name"),
        aliases={"code": "DLBM", "name": "DLMC", "patch_id": "BSM", "area_m2": "TBMJ"},
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
    "landuse": False,
    "dem": False,
}
