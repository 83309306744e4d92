"""The hard-constraint types: one table read by the plan, the scoring, the maps and the site check.

Each type has a bit in the uint16 flag rasters of the scoring stage (docs/data_model.md), Chinese
and English labels, a colour and a hatch for the maps, and where it comes from: *drawn* types are
polygons of a ``constraints`` layer (三区三线 and the other rigid limits a land department
checks); ``steep_slope`` and ``outside_study_area`` are derived when scoring (from the DEM and the
boundary), the ``landuse_*`` types from a land-use layer and ``construction_unsuitable`` from the
城镇建设适宜性 classes. Add a type here and every stage knows it.

Examples
--------
>>> CONSTRAINT_TYPES["eco_redline"].bit, CONSTRAINT_TYPES["eco_redline"].label("zh")
(2, '生态保护红线')
>>> CONSTRAINT_BITS["outside_study_area"], DRAWN_CONSTRAINT_TYPES[0]
(128, 'basic_farmland')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from layout.settings import M2_PER_MU


@dataclass(frozen=True)
class ConstraintType:
    """One hard-constraint type.

    Attributes
    ----------
    name
        The type as written in a constraints layer's ``type`` column and in ``[constraints]``.
    bit
        Its bit in the flag rasters.
    label_zh, label_en
        Legend labels.
    phrase_en
        The English name inside a sentence ("overlaps a flood zone").
    color, hatch
        Map colour (hex) and matplotlib hatch of the PNG maps.
    drawn
        True when it comes from a constraints layer; False when the scoring derives it.
    legal_basis
        The basis cited when the type is derived (drawn features carry their own).
    """

    name: str
    bit: int
    label_zh: str
    label_en: str
    phrase_en: str
    color: str
    hatch: str
    drawn: bool = True
    legal_basis: str = ""

    def label(self, lang: str = "zh") -> str:
        """The legend label in Chinese (``zh``) or English (``en``)."""
        return self.label_zh if lang == "zh" else self.label_en


#: Every constraint type, in bit order. The colours of the drawn and plan-excluded types are the
#: Okabe–Ito palette (colour-blind safe: every pair stays apart under simulated deuteranopia,
#: tests/model/test_constraint_colours.py); a land-use type shares the colour of the layer it
#: stands in for (farmland, water, ecological land) and differs from it by its hatch;
#: ``construction_unsuitable`` is a brown apart from them all.
CONSTRAINT_TYPES: dict[str, ConstraintType] = {
    t.name: t
    for t in (
        ConstraintType("basic_farmland", 1, "永久基本农田", "Permanent basic farmland",
                       "permanent basic farmland", "#f0e442", "..."),
        ConstraintType("eco_redline", 2, "生态保护红线", "Ecological protection red line",
                       "the ecological protection red line", "#009e73", "//"),
        ConstraintType("water_source", 4, "饮用水水源保护区", "Drinking-water source protection",
                       "a drinking-water source protection zone", "#0072b2", "\\\\"),
        ConstraintType("wetland_reserve", 8, "湿地自然保护区", "Wetland nature reserve",
                       "the wetland nature reserve", "#56b4e9", "--"),
        ConstraintType("scenic_heritage", 16, "风景名胜区与世界遗产",
                       "Scenic area and World Heritage", "the scenic area / World Heritage site",
                       "#cc79a7", "xx"),
        ConstraintType("flood_zone", 32, "蓄滞洪区", "Flood zone", "a flood zone", "#e69f00",
                       "||"),
        ConstraintType("steep_slope", 64, "陡坡", "Steep slope", "steep ground", "#d55e00", "++",
                       drawn=False,
                       legal_basis="CJJ 83 城乡建设用地竖向规划规范 (industrial land on natural "
                       "slopes up to the catalog's max_slope_deg); excluded by the plan"),
        ConstraintType("outside_study_area", 128, "研究区外", "Outside the study area",
                       "outside the study area", "#636363", "", drawn=False),
        # Derived from the land-use layer ([inputs.landuse], layout.model.landuse.LIMIT_TYPES):
        # its farmland, water and ecological classes where no constraint layer covers them.
        ConstraintType("landuse_farmland", 256, "现状耕地（土地利用）",
                       "Farmland (land-use layer)", "farmland of the land-use layer",
                       "#f0e442", "**", drawn=False,
                       legal_basis="耕地保护 (GB/T 21010-2017 / 用地用海分类 2023 class 01 耕地 in "
                       "the land-use layer, outside the permanent basic farmland layer); "
                       "excluded by the plan"),
        ConstraintType("landuse_water", 512, "现状水域（土地利用）", "Water (land-use layer)",
                       "water of the land-use layer", "#0072b2", "--", drawn=False,
                       legal_basis="现状水域 (GB/T 21010-2017 1101-1104, 1107, 1110; 用地用海分类 "
                       "2023 class 17 陆地水域, in the land-use layer); excluded by the plan"),
        ConstraintType("landuse_ecological", 1024, "现状林草湿地（土地利用）",
                       "Forest, grassland, wetland (land-use layer)",
                       "forest, grassland or wetland of the land-use layer", "#009e73", "O",
                       drawn=False,
                       legal_basis="林地、草地、湿地 (GB/T 21010-2017 03, 04, 1105, 1106, "
                       "1108; 用地用海分类 2023 03, 04, 05, in the land-use layer); excluded by "
                       "the plan"),
        # Derived from 城镇建设适宜性 (layout.analysis.construction, the built-in rule table
        # layout/config/construction_rules.toml) on the plan's grid, when the plan has a DEM:
        # the cells of class 不适宜. Not excluded unless [constraints] exclude names it.
        ConstraintType("construction_unsuitable", 2048, "城镇建设不适宜区（双评价）",
                       "Unsuitable for urban construction (dual evaluation)",
                       "land unsuitable for urban construction", "#8c510a", "xx", drawn=False,
                       legal_basis="城镇建设适宜性 不适宜 (资源环境承载能力和国土空间开发适宜性评价"
                       "指南（试行）, 自然资办函〔2020〕127号; this project's rule table, clauses "
                       "unverified; DEM cells)"),
    )
}
#: Style of a type no table knows (maps draw it grey, labelled with its name).
UNKNOWN_CONSTRAINT = ConstraintType("other", 0, "其他约束", "Other constraint",
                                    "another constraint", "#636363", "oo")

#: Constraint types and their bit in the flag rasters.
CONSTRAINT_BITS: dict[str, int] = {name: t.bit for name, t in CONSTRAINT_TYPES.items()}
#: The constraint types drawn in a constraints layer (the others are derived when scoring).
DRAWN_CONSTRAINT_TYPES: tuple[str, ...] = tuple(n for n, t in CONSTRAINT_TYPES.items() if t.drawn)
#: Types a plan may exclude (``[constraints] exclude``): all but the study-area bit, which always
#: excludes.
EXCLUDABLE_TYPES: tuple[str, ...] = tuple(n for n in CONSTRAINT_TYPES if n != "outside_study_area")
#: Types a plan excludes when it has no ``[constraints] exclude``: all but
#: ``construction_unsuitable`` (its rule clauses are unverified: a plan opts in by naming it).
DEFAULT_EXCLUDED_TYPES: tuple[str, ...] = tuple(n for n in EXCLUDABLE_TYPES
                                                if n != "construction_unsuitable")
#: Bit of cells outside the study area.
OUTSIDE_BIT: int = CONSTRAINT_BITS["outside_study_area"]
#: The types derived from a land-use layer (its limiting classes, `layout.model.landuse`).
LANDUSE_CONSTRAINT_TYPES: tuple[str, ...] = tuple(n for n in CONSTRAINT_TYPES
                                                  if n.startswith("landuse_"))


#: The one tolerance of the plan and the site check, in mu (0.15 mu = 100 m², a 10 m square:
#: the positional precision of planning layers drawn at 1:10,000). The plan excludes a cell when
#: an excluded constraint type, or the outside of the study area, covers more than this of the
#: cell (`exceeds_sliver`); the site check reports smaller overlaps as slivers and counts larger
#: ones (`layout.products.sitecheck.rules.VerdictRules.sliver_mu`). The plan's site polygons are
#: then clipped to the boundary and to the excluded constraints, so what the site check measures
#: on them is zero: a site of the plan is never `unsuitable` for a hard constraint.
SLIVER_MU: float = 0.15


def exceeds_sliver(coverage: NDArray[np.floating], *, cell_area_m2: float) -> NDArray[np.bool_]:
    """Cells whose covered fraction ``coverage`` (0-1) is more than `SLIVER_MU` of their area.

    Examples
    --------
    >>> exceeds_sliver(np.array([0.0, 0.01, 0.0101, 1.0]), cell_area_m2=10_000.0).tolist()
    [False, False, True, True]
    """
    # float32 coverages carry ~1e-7 relative error: compare with a margin far below the sliver
    limit = SLIVER_MU * M2_PER_MU / cell_area_m2
    return np.asarray(coverage, np.float64) > limit + 1e-6


def bit_names(bits: int) -> list[str]:
    """The constraint types whose bits are set in ``bits``, in table order.

    Examples
    --------
    >>> bit_names(1 | 64)
    ['basic_farmland', 'steep_slope']
    """
    return [name for name, t in CONSTRAINT_TYPES.items() if bits & t.bit]
