"""城镇建设适宜性 (双评价): the classes and the rule table that grades the plan's grid.

The national guide (资源环境承载能力和国土空间开发适宜性评价指南（试行）, 自然资办函〔2020〕127号)
finds land unsuitable for urban construction first (steep slope, very high relief or
elevation, severe hazard), then grades the rest from land resources (slope classes, lowered by
relief), adjusted by other factors (water, hazard, location).  The rules are declarative
(`layout/config/construction_rules.toml`, or a plan's own file): each cites its clause, and a
clause the project could not check says "clause unverified".  `layout.core.construction`
computes the grades, `layout.analysis.construction` applies a rule table to a plan.

Grades run from 1 (best) to ``len(slope_breaks_deg) + 1``; classes are `CLASSES`.

Examples
--------
>>> [c.label_zh for c in CLASSES.values()]
['适宜', '一般适宜', '不适宜']
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from layout.model.constraints import DRAWN_CONSTRAINT_TYPES
from layout.model.table import Number, Table, one_of

#: A drawn constraint type (the constraints layer's ``type``).
ConstraintType = Annotated[str, one_of("constraint type", DRAWN_CONSTRAINT_TYPES)]


@dataclass(frozen=True)
class ConstructionClass:
    """One class of the result: its raster code, names and map colour."""

    code: int
    key: str
    label_zh: str
    label_en: str
    color: str


#: The classes by key; code 0 is nodata (outside the study area, or no DEM value).
CLASSES: dict[str, ConstructionClass] = {
    c.key: c for c in (
        ConstructionClass(1, "suitable", "适宜", "suitable", "#4daf4a"),
        ConstructionClass(2, "general", "一般适宜", "generally suitable", "#ffd92f"),
        ConstructionClass(3, "unsuitable", "不适宜", "unsuitable", "#e41a1c"),
    )
}
NODATA_CLASS = 0


class LandRule(Table):
    """``[land]``: grades from slope classes (土地资源)."""

    slope_breaks_deg: Annotated[list[Number], Field(min_length=1)]
    clause: str

    @model_validator(mode="after")
    def _increasing(self) -> LandRule:
        b = self.slope_breaks_deg
        if any(x >= y for x, y in pairwise(b)) or b[0] <= 0:
            raise PydanticCustomError("breaks", "slope_breaks_deg = {v}: must increase from > 0",
                                      {"v": list(b)})
        return self


class ReliefRule(Table):
    """``[relief]``: relief (max - min elevation in a square window) lowers the grade."""

    window_m: Annotated[Number, Field(gt=0)]
    steps_m: Annotated[list[Number], Field(min_length=1)]
    clause: str


class UnsuitableRule(Table):
    """One ``[[unsuitable]]`` rule: cells it marks are 不适宜 whatever their grade.

    Exactly one of ``slope_above_deg``, ``elevation_above_m``, ``relief_above_m`` or
    ``constraint_types`` is given.
    """

    name: str
    clause: str
    slope_above_deg: Number | None = None
    elevation_above_m: Number | None = None
    relief_above_m: Number | None = None
    constraint_types: list[ConstraintType] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_test(self) -> UnsuitableRule:
        given = [self.slope_above_deg is not None, self.elevation_above_m is not None,
                 self.relief_above_m is not None, bool(self.constraint_types)]
        if sum(given) != 1:
            raise PydanticCustomError(
                "one_test", "rule {name!r}: give exactly one of slope_above_deg, "
                "elevation_above_m, relief_above_m, constraint_types", {"name": self.name})
        return self


class LocationRule(Table):
    """One ``[[location]]`` rule: cells farther than ``beyond_m`` from ``layer`` lose grades."""

    layer: str
    beyond_m: Annotated[Number, Field(gt=0)]
    lower: Annotated[int, Field(ge=1)] = 1
    clause: str


class ClassRule(Table):
    """``[classes]``: the worst grade of 适宜 and of 一般适宜; worse grades are 不适宜."""

    suitable_max_grade: Annotated[int, Field(ge=1)]
    general_max_grade: Annotated[int, Field(ge=1)]


class ConstructionRules(Table):
    """A rule table (``layout/config/construction_rules.toml``)."""

    guide: str
    land: LandRule
    relief: ReliefRule
    unsuitable: list[UnsuitableRule] = Field(default_factory=list)
    location: list[LocationRule] = Field(default_factory=list)
    classes: ClassRule

    @model_validator(mode="after")
    def _grades(self) -> ConstructionRules:
        worst = len(self.land.slope_breaks_deg) + 1
        c = self.classes
        if not c.suitable_max_grade <= c.general_max_grade <= worst:
            raise PydanticCustomError(
                "grades", "classes: need suitable_max_grade <= general_max_grade <= {w} "
                "(grades run from 1 to {w})", {"w": worst})
        return self
