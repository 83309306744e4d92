"""Land-use indicators of an industrial project against the national control indicators (集约).

A project's planned indicators are checked against 《工业项目建设用地控制指标》 as the catalog
(``layout/config/industries.toml``) records it: ``[controls]`` lists each indicator's kind in
the 2023 revision (mandatory 约束性 or recommended 推荐性), its 2023 clause and whether the 2023
figure was verified, and the 2008 figure (国土资发〔2008〕24号). Unverified 2023 figures are not
used: the 2008 figure (or the industry's reference value) stands in, and the `Threshold` says
so (``edition``, ``confidence_2023``). Without ``[controls]`` the 2008 set below applies.
``output_per_mu_wan`` and ``tax_per_mu_wan`` (recommended, 2023) are optional:

==========================  ===========  ===================================  ==================
field                       unit         threshold                            from the catalog
==========================  ===========  ===================================  ==================
``far``                     ratio        floor-area ratio ≥ the industry's    ``far.min``
``building_coverage``       share 0–1    building coverage (建筑系数) ≥         ``land``
``admin_share``             share 0–1    administrative and living land ≤     ``land``
``green_ratio``             share 0–1    green ratio (绿地率) ≤                 ``land``
``investment_per_mu_wan``   万元 per mu   fixed-asset investment intensity ≥   ``investment``
==========================  ===========  ===================================  ==================

Shares are ratios from 0 to 1. A plain number above 1 is refused with a message suggesting to
divide by 100 (``35`` is ambiguous: 35 % or a mistake?); a text value with a percent sign
(``"35%"``) is read as a percentage. The investment threshold is the catalog's reference value
(confidence L, "replace with the local control value"); its check says so.

Indicator files (`read_indicators`) are CSV, JSON or TOML and hold either one set for every
parcel or one set per parcel keyed by parcel id:

* CSV: one row per parcel with a ``parcel_id`` column (or ``id``, ``地块编号`` …), or a single row
  without one;
* JSON: an object of fields (one set), a list of objects each with ``parcel_id``, or an object
  of objects keyed by parcel id;
* TOML: top-level fields (one set), or ``[parcels.<id>]`` tables.

Every field is required and must be a number; each problem raises `IndicatorError` naming the
file, the parcel and the field.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layout.data.controls import OPTIONAL, Threshold, thresholds
from layout.errors import LayoutError
from layout.io.files import special_file_kind
from layout.model.catalog import Catalog

#: Indicator fields: (label, unit, is a 0–1 share).
FIELDS: dict[str, tuple[str, str, bool]] = {
    "far": ("floor-area ratio", "", False),
    "building_coverage": ("building coverage", "", True),
    "admin_share": ("administrative and living share", "", True),
    "green_ratio": ("green ratio", "", True),
    "investment_per_mu_wan": ("investment intensity", "万元/mu", False),
    "output_per_mu_wan": ("output per mu", "万元/mu", False),
    "tax_per_mu_wan": ("tax per mu", "万元/mu", False),
}
#: Fields given in 万元 per mu.
PER_MU: frozenset[str] = frozenset({"investment_per_mu_wan", "output_per_mu_wan",
                                    "tax_per_mu_wan"})
#: Chinese names of the indicator fields (《工业项目建设用地控制指标》 terms).
LABELS_ZH: dict[str, str] = {
    "far": "容积率",
    "building_coverage": "建筑系数",
    "admin_share": "行政办公及生活服务设施用地所占比重",
    "green_ratio": "绿地率",
    "investment_per_mu_wan": "固定资产投资强度",
    "output_per_mu_wan": "土地产出率",
    "tax_per_mu_wan": "土地税收",
}
#: Column names taken as the parcel id of an indicator row, in order of preference.
ID_NAMES: tuple[str, ...] = ("parcel_id", "id", "ID", "Id", "地块编号", "地块号", "编号", "name")
#: Key of a single indicator set that applies to every parcel.
ALL = "*"


class IndicatorError(LayoutError, ValueError):
    """An indicators file or value is wrong; the message names the file, parcel and field."""


@dataclass(frozen=True)
class IndicatorCheck:
    """One indicator of a project against its threshold.

    Attributes
    ----------
    field, label, unit
        The indicator.
    value
        The project's value.
    threshold
        The control indicator it is checked against.
    passed
        True when the value meets the threshold.
    """

    field: str
    label: str
    unit: str
    value: float
    threshold: Threshold
    passed: bool

    @property
    def message(self) -> str:
        """One sentence: value, verdict, threshold and source."""
        word = "meets" if self.passed else "fails"
        bound = "minimum" if self.threshold.op == ">=" else "maximum"
        src = self.threshold.source
        grade = self.threshold.confidence
        conf = "" if grade == "H" else f"; confidence {grade}"
        sign = "≥" if self.threshold.op == ">=" else "≤"
        return (
            f"{self.label} {_show(self.field, self.value)} {word} the {bound} "
            f"{sign} {_show(self.field, self.threshold.value)} ({src}{conf})"
        )

    @property
    def message_zh(self) -> str:
        """The same sentence in Chinese."""
        word = "符合" if self.passed else "不符合"
        bound = "下限" if self.threshold.op == ">=" else "上限"
        sign = "≥" if self.threshold.op == ">=" else "≤"
        grade = self.threshold.confidence
        conf = "" if grade == "H" else f"；可信度 {grade}"
        return (
            f"{LABELS_ZH[self.field]} {_show(self.field, self.value, mu='亩')}，{word}控制指标"
            f"{bound} {sign} {_show(self.field, self.threshold.value, mu='亩')}"
            f"（{self.threshold.source}{conf}）"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (see docs/sitecheck.md)."""
        return {
            "field": self.field,
            "label": self.label,
            "label_zh": LABELS_ZH[self.field],
            "unit": self.unit,
            "value": self.value,
            "op": self.threshold.op,
            "threshold": self.threshold.value,
            "passed": self.passed,
            "source": self.threshold.source,
            "confidence": self.threshold.confidence,
            "kind": self.threshold.kind,
            "edition": self.threshold.edition,
            "clause_2023": self.threshold.clause_2023,
            "confidence_2023": self.threshold.confidence_2023,
            "value_2008": self.threshold.value_2008,
        }


def _show(field: str, value: float, *, mu: str = "mu") -> str:
    if FIELDS[field][2]:
        return f"{100 * value:.1f} %"
    if field in PER_MU:
        return f"{value:,.0f} 万元/{mu}"
    return f"{value:g}"


def check_indicators(
    values: Mapping[str, float], *, industry: str, catalog: Catalog | None = None
) -> list[IndicatorCheck]:
    """Check a project's indicators (validated by `parse_indicators`) against the thresholds.

    Examples
    --------
    >>> checks = check_indicators(
    ...     {"far": 0.8, "building_coverage": 0.4, "admin_share": 0.05, "green_ratio": 0.15,
    ...      "investment_per_mu_wan": 400}, industry="electronics")
    >>> [(c.field, c.passed) for c in checks]  # doctest: +NORMALIZE_WHITESPACE
    [('far', False), ('building_coverage', True), ('admin_share', True), ('green_ratio', True),
     ('investment_per_mu_wan', True)]
    """
    table = thresholds(industry, catalog=catalog)
    out = []
    for name, (label, unit, _) in FIELDS.items():
        if name not in table or values.get(name) is None:
            continue  # an optional field left out, or a field the catalog does not control
        value = float(values[name])
        t = table[name]
        out.append(IndicatorCheck(name, label, unit, value, t, t.passes(value)))
    return out


def parse_value(value: Any, *, field: str, where: str, share: bool | None = None) -> float:
    """Validate one indicator value; shares may be given as ``"35%"``.

    ``share`` says whether the value is a 0–1 share (`FIELDS` says so for its fields).
    """
    share = FIELDS[field][2] if share is None else share
    text = None
    if isinstance(value, bool):
        raise IndicatorError(f"{where}: field {field!r} = {value!r} is not a number")
    if isinstance(value, str):
        text = value.strip().replace("，", ",").replace(",", "")
        if not text:
            raise IndicatorError(f"{where}: field {field!r} is empty; give a number")
        percent = text.endswith(("%", "％"))
        if percent:
            text = text[:-1].strip()
        try:
            number = float(text)
        except ValueError:
            raise IndicatorError(f"{where}: field {field!r} = {value!r} is not a number") from None
        if percent:
            if not share:
                raise IndicatorError(
                    f"{where}: field {field!r} = {value!r} is not a percentage; give a number"
                )
            number /= 100.0
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise IndicatorError(f"{where}: field {field!r} = {value!r} is not a number")
    if not math.isfinite(number):
        raise IndicatorError(f"{where}: field {field!r} = {value!r} is not a finite number")
    if number < 0:
        raise IndicatorError(f"{where}: field {field!r} = {value!r} is negative")
    if share and number > 1:
        raise IndicatorError(
            f"{where}: field {field!r} = {value!r} is above 1; shares are ratios from 0 to 1 "
            f"(divide percentages by 100: {number / 100:g}, or write '{value}%')"
        )
    return number


def parse_indicators(values: Mapping[str, Any], *, where: str = "indicators") -> dict[str, float]:
    """Validate one set of indicators: every field present and numeric, shares within 0–1.

    Parameters
    ----------
    values
        Field → value; other keys are ignored (an id column, notes).
    where
        Where the values come from, for messages (``"ind.csv, parcel P3"``).

    Raises
    ------
    IndicatorError
        Naming ``where`` and the first field that is missing or wrong.

    Examples
    --------
    >>> parse_indicators({"far": "1.2", "building_coverage": "45%", "admin_share": 0.05,
    ...                   "green_ratio": 0.1, "investment_per_mu_wan": 380})["building_coverage"]
    0.45
    >>> parse_indicators({"far": 1.2}, where="ind.csv, parcel P3")
    Traceback (most recent call last):
    ...
    layout.data.indicators.IndicatorError: ind.csv, parcel P3: missing field 'building_coverage' ...
    """
    out: dict[str, float] = {}
    for name in FIELDS:
        if name in OPTIONAL and (values.get(name) is None or values.get(name) == ""):
            continue
        if name not in values or values[name] is None:
            raise IndicatorError(
                f"{where}: missing field {name!r} (the fields are {', '.join(FIELDS)})"
            )
        out[name] = parse_value(values[name], field=name, where=where)
    return out


def _id_key(keys: Sequence[str]) -> str | None:
    return next((k for k in ID_NAMES if k in keys), None)


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_to_sets(
    rows: Sequence[Mapping[str, Any]], *, name: str, id_key: str | None
) -> dict[str, dict[str, float]]:
    if not rows:
        raise IndicatorError(f"{name} holds no indicators; give the fields {', '.join(FIELDS)}")
    if id_key is None:
        if len(rows) > 1:
            raise IndicatorError(
                f"{name} has {len(rows)} rows but no parcel id column "
                f"({'/'.join(ID_NAMES[:3])}…); add one to key the rows by parcel"
            )
        return {ALL: parse_indicators(rows[0], where=name)}
    out: dict[str, dict[str, float]] = {}
    for i, row in enumerate(rows, start=1):
        raw = row.get(id_key)
        pid = "" if raw is None else _id_text(raw)
        if not pid:
            raise IndicatorError(f"{name}, row {i}: no parcel id in column {id_key!r}")
        if pid in out:
            raise IndicatorError(f"{name}: parcel {pid} appears twice")
        out[pid] = parse_indicators(row, where=f"{name}, parcel {pid}")
    return out


def read_indicators(path: str | Path) -> dict[str, dict[str, float]]:
    r"""Read an indicators file (CSV, JSON or TOML) into validated sets keyed by parcel id.

    Returns
    -------
    dict
        ``{parcel_id: {field: value}}``, or ``{ALL: {...}}`` for one set that applies to every
        parcel.

    Raises
    ------
    IndicatorError
        The file is missing, empty, unreadable, or a field is missing or not a number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ind.csv"
    >>> _ = p.write_text("parcel_id,far,building_coverage,admin_share,green_ratio,"
    ...                  "investment_per_mu_wan\nP1,1.2,0.45,0.05,0.12,380\n", encoding="utf-8")
    >>> read_indicators(p)["P1"]["far"]
    1.2
    """
    p = Path(path)
    name = p.name
    kind = special_file_kind(p)
    if kind == "missing":
        raise IndicatorError(f"{p}: indicators file not found")
    if kind:  # a pipe would block the read, a device never end it
        raise IndicatorError(f"{p} is a {kind}, not an indicators file; give a .csv, .json "
                             "or .toml file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IndicatorError(f"{p}: cannot read the indicators ({exc.strerror or exc})") from None
    if not data.strip():
        raise IndicatorError(f"{name} is empty; give the fields {', '.join(FIELDS)}")
    suffix = p.suffix.lower()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise IndicatorError(f"{name} is neither UTF-8 nor GBK text") from None
    if suffix in (".csv", ".tsv", ".txt"):
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",")
        fields = [str(f).strip() for f in (reader.fieldnames or [])]
        rows = [
            {str(k).strip(): v for k, v in row.items() if k is not None} for row in reader
        ]
        missing = [f for f in FIELDS if f not in fields and f not in OPTIONAL]
        if missing:
            raise IndicatorError(
                f"{name}: missing field {missing[0]!r} (columns: {', '.join(fields)}; "
                f"needed: {', '.join(FIELDS)})"
            )
        return _rows_to_sets(rows, name=name, id_key=_id_key(fields))
    if suffix == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IndicatorError(f"{name} is not valid JSON: {exc}") from None
        return _from_object(obj, name=name)
    if suffix == ".toml":
        try:
            obj = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise IndicatorError(f"{name} is not valid TOML: {exc}") from None
        if "parcels" in obj and isinstance(obj["parcels"], Mapping):
            obj = obj["parcels"]
        return _from_object(obj, name=name)
    raise IndicatorError(f"{name}: indicators must be a .csv, .json or .toml file")


def _from_object(obj: Any, *, name: str) -> dict[str, dict[str, float]]:
    if isinstance(obj, list):
        if not all(isinstance(row, Mapping) for row in obj):
            raise IndicatorError(f"{name}: a list of indicators must hold objects")
        keys = sorted({k for row in obj for k in row})
        return _rows_to_sets(obj, name=name, id_key=_id_key(keys))
    if not isinstance(obj, Mapping):
        raise IndicatorError(f"{name}: expected an object of indicator fields")
    if any(k in obj for k in FIELDS) or not obj:
        return _rows_to_sets([obj], name=name, id_key=None)
    if all(isinstance(v, Mapping) for v in obj.values()):
        return {
            str(pid): parse_indicators(v, where=f"{name}, parcel {pid}") for pid, v in obj.items()
        }
    raise IndicatorError(
        f"{name}: expected the fields {', '.join(FIELDS)}, or one table of them per parcel id"
    )


def for_parcel(
    sets: Mapping[str, Mapping[str, float]], parcel_id: str, *, source: str = "indicators"
) -> Mapping[str, float]:
    """The indicator set of one parcel (the shared set when there is one).

    Raises
    ------
    IndicatorError
        When the sets are keyed by parcel and this parcel has none.
    """
    if ALL in sets:
        return sets[ALL]
    if parcel_id in sets:
        return sets[parcel_id]
    raise IndicatorError(f"{source}: no indicators for parcel {parcel_id}")
