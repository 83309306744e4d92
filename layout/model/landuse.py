"""Land-use codes: the two code schemas, their classes, and how a code is read.

A land department's land-use layer codes each patch with one of two schemas: GB/T 21010-2017
(the 三调 layer DLTB, field DLBM) or the 2023 国土空间调查、规划、用途管制用地用海分类.  The same
number means different things in the two (``1001`` is 铁路用地 in GB/T 21010 and 工业用地 in the
2023 classification), so a code is never read without its schema: `LandUseCodes.lookup` takes
both.  The code lists themselves are package data (``layout/config/landuse_codes.toml``, loaded
by `layout.config.landuse.landuse_codes`) validated by the models here; each code has its
Chinese name and a `LandUseClass` saying what the plan does with the land.

Codes are normalised before they are looked up (`normalise_code`): a number read from a
spreadsheet (``601.0``), a lost leading zero (``601`` -> ``0601``) and a 三调 suffix letter
(``0201K``, ``1104A``: read as the base code) are accepted.

Examples
--------
>>> normalise_code(" 601 "), normalise_code(601.0), normalise_code("10101", schema="ydyh2023")
('0601', '0601', '010101')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from layout.model.table import Table, one_of


class LandUseSchema(StrEnum):
    """The code schema of a land-use layer (``[inputs.landuse] schema``)."""

    GBT21010 = "gbt21010"
    YDYH2023 = "ydyh2023"


class LandUseClass(StrEnum):
    """What the plan does with a land-use class (docs/data_model.md, "Land use")."""

    INDUSTRIAL = "industrial"
    BUILT = "built"
    FARMLAND = "farmland"
    WATER = "water"
    ECOLOGICAL = "ecological"
    OTHER = "other"


#: The schemas, as written in a plan.
SCHEMAS: tuple[str, ...] = tuple(s.value for s in LandUseSchema)
#: The classes, as written in the code table.
CLASSES: tuple[str, ...] = tuple(c.value for c in LandUseClass)
#: The classes that limit where new sites go, and the derived constraint type of each
#: (`layout.model.constraints.CONSTRAINT_TYPES`): they exclude cells where no constraint layer
#: covers the land.
LIMIT_TYPES: dict[str, str] = {
    LandUseClass.FARMLAND.value: "landuse_farmland",
    LandUseClass.WATER.value: "landuse_water",
    LandUseClass.ECOLOGICAL.value: "landuse_ecological",
}
#: Longest code (digits) of each schema: GB/T 21010 has two levels (4 digits), the 2023
#: classification three (6 digits).
MAX_DIGITS: dict[str, int] = {"gbt21010": 4, "ydyh2023": 6}

_CODE = re.compile(r"^\d{2}(\d{2}){0,2}$|^\d{2}H\d$")
_PARTS = re.compile(r"^(\d+)([A-Z][A-Z0-9]*)?$")
_FLOAT = re.compile(r"^(\d+)\.0*$")


def _code_key(value: str) -> str:
    if not _CODE.match(value):
        raise PydanticCustomError(
            "code", "not a land-use code (two, four or six digits, or a 三调 code like 05H1)")
    return value


class CodeEntry(Table):
    """One code of a code list: its names (English where given) and its class or its parent's."""

    name: str = Field(min_length=1)
    #: English name, where the list gives one (first-level classes and the codes a plan reads
    #: most: industrial, mining, farmland, forest, water); else None.
    name_en: str | None = Field(default=None, min_length=1)
    land_class: Annotated[str, one_of("land-use class", CLASSES)] | None = Field(
        default=None, alias="class")


class CodeList(Table):
    """One schema's code list: a title and the codes (``"0601" = { name = ..., class = ... }``)."""

    title: str
    codes: dict[Annotated[str, AfterValidator(_code_key)], CodeEntry]

    @model_validator(mode="after")
    def _parents(self) -> CodeList:
        for code, entry in self.codes.items():
            if len(code) == 2 and entry.land_class is None:
                raise PydanticCustomError("class", "{msg}", {"msg": (
                    f"codes.{code}: a first-level code needs class = one of {', '.join(CLASSES)}")})
            if len(code) > 2 and parent_code(code) not in self.codes:
                raise PydanticCustomError("parent", "{msg}", {"msg": (
                    f"codes.{code}: its parent {parent_code(code)} is not listed")})
        return self

    def land_class(self, code: str) -> LandUseClass:
        """The class of a listed code: its own, else its nearest listed parent's."""
        while True:
            entry = self.codes[code]
            if entry.land_class is not None:
                return LandUseClass(entry.land_class)
            code = parent_code(code)


def parent_code(code: str) -> str:
    """The code one level up (``0601`` -> ``06``; ``100101`` -> ``1001``; ``05H1`` -> ``05``)."""
    return code[:2] if len(code) <= 4 else code[:-2]


def normalise_code(value: object, *, schema: str = "gbt21010") -> str:
    """A code as the lists write it: text, upper case, leading zero restored.

    A run of digits of odd length lost its leading zero (codes have 2, 4 or 6 digits): ``601``
    is ``0601``, ``1`` is ``01``.  A number read as ``601.0`` is ``601`` first.  Suffix letters
    are kept (``0201k`` -> ``0201K``); empty cells give ``""``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper().replace(" ", "")
    text = _FLOAT.sub(r"\1", text)
    parts = _PARTS.match(text)
    if parts is None:
        return text
    digits, rest = parts.group(1), parts.group(2) or ""
    if len(digits) % 2 and len(digits) < MAX_DIGITS.get(schema, 6):
        digits = "0" + digits
    return digits + rest


@dataclass(frozen=True)
class ResolvedCode:
    """A code looked up in its schema.

    Attributes
    ----------
    schema
        The code schema.
    code
        The code as normalised (``0201K``).
    listed
        The listed code it is read as: the code itself, its base without a 三调 suffix, or
        (``abridged``) the nearest listed parent.
    name
        The listed code's Chinese name.
    land_class
        Its class.
    abridged
        True when the code is not in the (abridged) list and was read as its parent.
    """

    schema: str
    code: str
    listed: str
    name: str
    land_class: LandUseClass
    abridged: bool = False


class LandUseCodes(Table):
    """Both code lists (``layout/config/landuse_codes.toml``)."""

    gbt21010: CodeList
    ydyh2023: CodeList

    def codes(self, schema: str) -> CodeList:
        """The code list of ``schema``."""
        return self.gbt21010 if LandUseSchema(schema) is LandUseSchema.GBT21010 else self.ydyh2023

    def lookup(self, value: object, *, schema: str) -> ResolvedCode | None:
        """Read one code in its schema; None when the schema has no such code.

        A 三调 suffix (``0201K``, ``1104A``) is read as its base code.  In the abridged 2023
        list, a code whose parent is listed is read as the parent (``abridged``); GB/T
        21010-2017 is listed in full, so an unlisted code there is unknown.

        Examples
        --------
        >>> from layout.config.landuse import landuse_codes
        >>> table = landuse_codes()
        >>> [table.lookup("1001", schema=s).name for s in ("gbt21010", "ydyh2023")]
        ['铁路用地', '工业用地']
        >>> hit = table.lookup("601", schema="gbt21010")
        >>> hit.code, hit.name, hit.land_class.value
        ('0601', '工业用地', 'industrial')
        >>> table.lookup("0201K", schema="gbt21010").listed
        '0201'
        """
        codes = self.codes(schema)
        code = normalise_code(value, schema=schema)
        listed = code
        while listed and listed not in codes.codes and listed[-1].isalpha():
            listed = listed[:-1]  # a 三调 suffix letter: 0201K, 1104A, 08H2A
        abridged = False
        if listed not in codes.codes and schema == LandUseSchema.YDYH2023 and listed.isdigit():
            while len(listed) > 2 and listed not in codes.codes:
                listed, abridged = parent_code(listed), True
        if listed not in codes.codes:
            return None
        return ResolvedCode(schema, code, listed, codes.codes[listed].name,
                            codes.land_class(listed), abridged)

    def codes_of(self, schema: str, land_class: str) -> list[str]:
        """The listed codes of one class (``codes_of("gbt21010", "water")``)."""
        codes = self.codes(schema)
        return [c for c in codes.codes if codes.land_class(c).value == land_class]
