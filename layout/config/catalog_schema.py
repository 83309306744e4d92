"""The catalog file's schema: pydantic models of its tables, and the rules between entries.

`CatalogFile` checks keys, types, ranges, codes, colours and divisions of each entry;
`cross_checks` the rules between entries (duplicate codes and colours, a division listed twice,
a base's parent, the ends and base of each linkage) on the raw data, so that an industry with one
bad value still counts as declared. `layout.config.catalog` reports both together.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from layout.model.catalog import OTHER
from layout.model.industry import WeightSource
from layout.model.table import Number, Table, Text, format_value, in_range, key_path

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


_DIVISION_RE = re.compile(r"^[0-9]{2}$")


_SECTIONS = ("schema_version", "land", "controls", "industries", "bases", "linkages")


def _code(value: str) -> str:
    if not _CODE_RE.match(value):
        raise PydanticCustomError(
            "code", "must be a code of lower-case letters, digits and '_' starting with a letter")
    if value == OTHER:
        raise PydanticCustomError("code", "{msg}", {
            "msg": f"{OTHER!r} is reserved for enterprises outside the catalog"})
    return value


def _color(value: str) -> str:
    if not _COLOR_RE.match(value):
        raise PydanticCustomError("color", "must be '#RRGGBB'")
    return value


def _divisions(value: object) -> object:
    if not isinstance(value, list) or not value:
        raise PydanticCustomError(
            "divisions", "must be a non-empty list of two-digit GB/T 4754-2017 divisions")
    bad = [v for v in value if not isinstance(v, str) or not _DIVISION_RE.match(v)]
    if bad:
        shown = "[" + ", ".join(f'"{b}"' if isinstance(b, str) else repr(b) for b in bad) + "]"
        raise PydanticCustomError("divisions", "{msg}", {
            "msg": f'must be two-digit strings such as "36" (bad: {shown})'})
    if len(set(value)) != len(value):
        raise PydanticCustomError("divisions", "lists a division twice")
    return value


def _schema(value: object) -> object:
    if value != 1 or isinstance(value, bool):
        raise PydanticCustomError("schema", "must be 1 (the version this package reads)")
    return value


def _industries(value: object) -> object:
    if isinstance(value, list) and not value:
        raise PydanticCustomError(
            "no_industries", "missing: the catalog needs at least one [[industries]] table")
    return value


Code = Annotated[str, AfterValidator(_code)]


Color = Annotated[str, AfterValidator(_color)]


Share = Annotated[Number, in_range(0.0, 1.0)]


Positive = Annotated[Number, in_range(0.0, lo_open=True)]


NonNegative = Annotated[Number, in_range(0.0)]


Far = Annotated[Number, in_range(0.0, 10.0, lo_open=True)]


Confidence = Literal["H", "M", "L"]


class Provenanced(Table):
    """A group of numbers with where they come from."""

    confidence: Confidence
    source: Text


class TransportTable(Provenanced):
    """``[industries.transport]``: need for each transport mode, 0–1."""

    expressway: Share
    rail_freight: Share
    airport: Share


class SitingTable(Provenanced):
    """``[industries.siting]``: steepest ground, pollution, buffer from housing."""

    max_slope_deg: Annotated[Number, in_range(0.0, 90.0, lo_open=True, hi_open=True)]
    pollution_intensive: bool
    residential_buffer_m: NonNegative


class FarTable(Provenanced):
    """``[industries.far]``: the national minimum floor-area ratio."""

    min: Far


class PerMuTable(Provenanced):
    """``[industries.output]``, ``[industries.investment]``, ``[industries.tax]``: per mu."""

    per_mu_wan: Positive


class IndustryTable(Table):
    """One ``[[industries]]`` table."""

    code: Code
    name_zh: Text
    name_en: Text
    group: Literal["strategic_supporting", "strategic_emerging", "traditional"]
    gbt4754: Annotated[list[str], BeforeValidator(_divisions)]
    color: Color
    transport: TransportTable
    siting: SitingTable
    far: FarTable
    output: PerMuTable
    investment: PerMuTable
    tax: PerMuTable


class BaseTable(Table):
    """One ``[[bases]]`` table: a production base and its overrides of the parent's values."""

    code: Code
    name_zh: Text
    name_en: Text
    parent: Text
    scale: Literal["100bn", "500bn"]
    pollution_intensive: bool | None = None
    residential_buffer_m: NonNegative | None = None
    min_far: Far | None = None


class LinkTable(Table):
    """One ``[[linkages]]`` table: ``source`` supplies ``target``.

    ``weight_source`` says where ``weight`` comes from (`WeightSource`); an
    ``"io_coefficient"`` needs a ``citation`` (checked in `cross_checks`).
    """

    source: Text
    target: Text
    weight: Share
    why: Text
    via_base: Text | None = None
    weight_source: WeightSource
    citation: Text | None = None


class LandTable(Table):
    """``[land]``: national control indicators common to every industrial project."""

    building_coverage_min: Share
    admin_share_max: Share
    green_ratio_max: Share
    source: Text
    confidence: Confidence = "H"


#: Fields of the control indicators (`layout.data.indicators.FIELDS`).
ControlField = Literal["far", "building_coverage", "admin_share", "green_ratio",
                       "investment_per_mu_wan", "output_per_mu_wan", "tax_per_mu_wan"]
#: Confidence of a figure of the 2023 text: a grade, or not checked against the text.
EditionConfidence = Literal["H", "M", "L", "unverified"]


class ControlTable(Table):
    """One ``[[controls.indicators]]`` table: an indicator in the 2023 and 2008 texts."""

    field: ControlField
    name_zh: Text
    name_en: Text
    kind: Literal["mandatory", "recommended"]
    op: Literal[">=", "<="]
    by_industry: bool = False
    value_2023: Annotated[Number, in_range(0.0)] | None = None
    clause_2023: Text
    confidence_2023: EditionConfidence
    value_2008: Annotated[Number, in_range(0.0)] | None = None
    clause_2008: Text | None = None
    confidence_2008: Confidence | None = None


def _unique_fields(value: object) -> object:
    if isinstance(value, list):
        fields = [v.get("field") for v in value if isinstance(v, Mapping)]
        dup = next((f for f in fields if fields.count(f) > 1), None)
        if dup is not None:
            raise PydanticCustomError("controls", "{msg}", {"msg": f"field {dup!r} listed twice"})
        for v in value:
            if (isinstance(v, Mapping) and not v.get("by_industry")
                    and v.get("value_2023") is None and v.get("value_2008") is None):
                raise PydanticCustomError("controls", "{msg}", {
                    "msg": f"field {v.get('field')!r} needs value_2023, value_2008 or "
                           "by_industry = true"})
    return value


class ControlsTable(Table):
    """``[controls]``: 《工业项目建设用地控制指标》, the 2023 revision against the 2008 text."""

    title_zh: Text
    edition_2023: Text
    edition_2008: Text
    confidence_2023: EditionConfidence
    note: Text = ""
    indicators: Annotated[list[ControlTable], BeforeValidator(_unique_fields)]


class CatalogFile(Table):
    """A whole catalog file."""

    schema_version: Annotated[int, BeforeValidator(_schema)] = 1
    land: LandTable
    controls: ControlsTable | None = None
    industries: Annotated[list[IndustryTable], BeforeValidator(_industries)]
    bases: list[BaseTable] = Field(default_factory=list)
    linkages: list[LinkTable] = Field(default_factory=list)


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [item if isinstance(item, Mapping) else {} for item in value]


def _declared(items: list[Mapping[str, Any]]) -> list[str]:
    """Well-formed codes an array of tables declares, each once, in file order."""
    codes = [item.get("code") for item in items]
    ok = [c for c in codes if isinstance(c, str) and _CODE_RE.match(c) and c != OTHER]
    return list(dict.fromkeys(ok))


def _unknown_code(code: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(code, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown industry code; {hint}known codes: {', '.join(known)}"


Problem = tuple[tuple[str | int, ...], str]


def cross_checks(data: Mapping[str, Any]) -> list[Problem]:
    """The problems between entries of a parsed catalog file, with their key paths."""
    out: list[Problem] = []

    def add(loc: tuple[str | int, ...], value: object, message: str) -> None:
        where = key_path(loc) if value is _NO_VALUE else f"{key_path(loc)} = {format_value(value)}"
        out.append((loc, f"{where}: {message}"))

    industries, bases, links = (_items(data, k) for k in ("industries", "bases", "linkages"))
    seen: set[str] = set()
    colors: dict[str, str] = {}
    divisions: dict[str, str] = {}
    for i, item in enumerate(industries):
        code = item.get("code")
        if isinstance(code, str) and code in seen:
            add(("industries", i, "code"), code, "duplicate industry code")
        elif isinstance(code, str):
            seen.add(code)
        color = item.get("color")
        if isinstance(color, str) and _COLOR_RE.match(color):
            if color.lower() in colors:
                add(("industries", i, "color"), color, f"same colour as {colors[color.lower()]!r}")
            else:
                colors[color.lower()] = str(code)
        gbt = item.get("gbt4754")
        if isinstance(gbt, list):
            for div in gbt:
                if not isinstance(div, str):
                    continue
                if div in divisions:
                    add(("industries", i, "gbt4754"), gbt,
                        f"division {div} is already listed by {divisions[div]!r}")
                else:
                    divisions[div] = str(code)
    declared = _declared(industries)
    declared_bases = _declared(bases)
    parents: dict[str, str] = {}
    seen_bases: set[str] = set()
    for i, item in enumerate(bases):
        code = item.get("code")
        if isinstance(code, str) and (code in seen_bases or code in declared):
            what = ("production base" if code in seen_bases
                    else "code: it is already an industry code")
            add(("bases", i, "code"), code, f"duplicate {what}")
        elif isinstance(code, str):
            seen_bases.add(code)
            parents[code] = str(item.get("parent", "?"))
        parent = item.get("parent")
        if isinstance(parent, str) and parent.strip() and declared and parent not in declared:
            add(("bases", i, "parent"), parent, _unknown_code(parent, declared))
    seen_links: dict[tuple[str, str], int] = {}
    for i, item in enumerate(links):
        ends = []
        for key in ("source", "target"):
            value = item.get(key)
            if isinstance(value, str) and value.strip() and declared and value not in declared:
                if value in declared_bases:
                    msg = (f"{value!r} is a production base; link its industry "
                           f"{parents.get(value, '?')!r} and set via_base = {value!r}")
                else:
                    msg = _unknown_code(value, declared)
                add(("linkages", i, key), value, msg)
                value = None
            ends.append(value if isinstance(value, str) else None)
        source, target = ends
        if source is not None and source == target:
            add(("linkages", i, "target"), target, "a linkage cannot join an industry to itself")
            continue
        if source is not None and target is not None:
            if (source, target) in seen_links:
                add(("linkages", i), _NO_VALUE,
                    f"duplicate of linkages[{seen_links[(source, target)]}]")
                continue
            seen_links[(source, target)] = i
        if item.get("weight_source") == "io_coefficient" and not item.get("citation"):
            add(("linkages", i, "citation"), _NO_VALUE,
                "missing: a weight_source = \"io_coefficient\" cites its input–output table "
                "(citation = \"...\"), else set weight_source = \"judgement\"")
        via = item.get("via_base")
        if isinstance(via, str) and via.strip():
            if via not in declared_bases:
                close = difflib.get_close_matches(via, declared_bases, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                add(("linkages", i, "via_base"), via, f"unknown production base{hint}")
            elif parents.get(via) not in (source, target) and source and target:
                add(("linkages", i, "via_base"), via,
                    f"base of {parents.get(via)!r}, which is neither end of the edge")
    return out


_NO_VALUE = object()


def item_context(data: Mapping[str, Any], loc: Sequence[str | int]) -> str:
    """Which industry, base or edge a key path belongs to: `` (industry 'auto')``."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return ""
    items = _items(data, str(loc[0]))
    if loc[1] >= len(items):
        return ""
    item = items[loc[1]]
    if loc[0] == "linkages":
        src, tgt = item.get("source"), item.get("target")
        return f" (edge {src} → {tgt})" if isinstance(src, str) and isinstance(tgt, str) else ""
    code = item.get("code")
    if not isinstance(code, str) or not _CODE_RE.match(code) or code == OTHER:
        return ""
    if loc[-1] == "code" and len(loc) == 3:
        return ""
    return f" ({'industry' if loc[0] == 'industries' else 'base'} {code!r})"


def file_order(loc: Sequence[str | int]) -> tuple[int, int]:
    """Sort key of a key path: section of the file, then index of the entry."""
    section = _SECTIONS.index(str(loc[0])) if loc and loc[0] in _SECTIONS else -1
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
    return section, index
