"""Validated TOML tables: the base model, shared value types, and one style of message.

Configuration files (the plan, the catalog) are validated by pydantic v2 models built on
`Table`: unknown keys are errors, values keep their TOML types (a string is not a number, a
boolean is not an integer), and the models are immutable. `validate` runs a model and turns
pydantic's errors, all of them at once, into the project's one style of message::

    plan.toml: weights.densty: unknown criterion 'densty'; did you mean 'density'? known: ...
    plan.toml: 2 problems:
      - plan.resolution_m = 1: must be >= 5
      - allocation.max_sites = 0: must be > 0

that is the file, the TOML key path (``table.key``, ``array[index]``), the value as written,
and what is expected instead.

Values that depend on another part of the configuration — an industry code must be one of the
catalog's — are checked against the validation context: ``{"codes": (...)}``.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import types
import typing
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Annotated, Any, TypeVar, Union, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from layout.errors import ConfigError, UnknownIndustryError

M = TypeVar("M")


#: Error types of a value outside its choices, and of an unknown industry code.
UNKNOWN_CHOICE = "unknown_choice"
UNKNOWN_INDUSTRY = "unknown_industry"


class Table(BaseModel):
    """A TOML table: unknown keys forbidden, strict types, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def suggest(word: object, known: Iterable[str], *, label: str = "known") -> str:
    """A hint for a mistyped name: "; did you mean 'x'? known: a, b, c".

    Examples
    --------
    >>> suggest("densty", ["density", "hotspot"])
    "; did you mean 'density'? known: density, hotspot"
    """
    options = list(known)
    close = difflib.get_close_matches(str(word), options, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ";"
    return f"{hint} {label}: {', '.join(options)}"


def choice_error(kind: str, value: object, known: Iterable[str]) -> PydanticCustomError:
    """The error of a value that is not one of ``known`` ("unknown <kind> 'x'; did you mean")."""
    return PydanticCustomError(UNKNOWN_CHOICE, "{msg}", {"msg": f"unknown {kind} {value!r}"
                                                        f"{suggest(value, known)}"})


def one_of(kind: str, known: tuple[str, ...]) -> AfterValidator:
    """A check that a string is one of ``known`` ("unknown <kind> 'x'; did you mean ...")."""

    def check(value: str) -> str:
        if value not in known:
            raise choice_error(kind, value, known)
        return value

    return AfterValidator(check)


def check_industry_code(value: str, info: ValidationInfo) -> str:
    """An industry code of the catalog in the validation context (``codes``)."""
    codes = (info.context or {}).get("codes")
    if codes is not None and value not in codes:
        raise PydanticCustomError(UNKNOWN_INDUSTRY, "{msg}", {
            "msg": f"unknown industry code {value!r}{suggest(value, codes)}"})
    return value


def check_finite(value: float) -> float:
    """A finite number (TOML allows ``inf`` and ``nan``)."""
    if not math.isfinite(value):
        raise PydanticCustomError("finite_number", "must be a finite number")
    return value


def in_range(
    lo: float, hi: float = math.inf, *, lo_open: bool = False, hi_open: bool = False
) -> AfterValidator:
    """A check that a number lies in an interval ("must be in (0, 10]")."""

    def check(value: float) -> float:
        below = value <= lo if lo_open else value < lo
        above = value >= hi if hi_open else value > hi
        if below or above:
            left, right = "(" if lo_open else "[", ")" if hi_open or math.isinf(hi) else "]"
            hi_text = "inf" if math.isinf(hi) else f"{hi:g}"
            raise PydanticCustomError("range", "{msg}", {"msg": f"must be in {left}{lo:g}, "
                                                                f"{hi_text}{right}"})
        return value

    return AfterValidator(check)


def check_text(value: str) -> str:
    """A string that is not blank."""
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


#: A string that is not blank.
Text = Annotated[str, AfterValidator(check_text)]
#: An industry code checked against the catalog of the validation context.
IndustryCode = Annotated[str, AfterValidator(check_industry_code)]
#: A finite float (integers accepted).
Number = Annotated[float, AfterValidator(check_finite)]


def codes_context(codes: Iterable[str]) -> dict[str, Any]:
    """The validation context that checks industry codes against ``codes``."""
    return {"codes": tuple(codes)}


# --- messages ---------------------------------------------------------------------------------

#: Tags of discriminated unions (transform kinds); pydantic puts them in error locations.
UNION_TAGS: set[str] = set()

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_MISSING = object()


def format_value(value: object) -> str:
    """A value as it would be written in TOML, for messages.

    Examples
    --------
    >>> format_value(True), format_value("郑州"), format_value([1, "a"]), format_value({"a": 1})
    ('true', '"郑州"', '[1, "a"]', '{...}')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{...}"
    return repr(value)


class RawKey(str):
    """A key path already written out (``"plan.toml: criteria.x"`` parts): never quoted."""

    __slots__ = ()


def key_path(loc: Sequence[str | int]) -> str:
    """A TOML key path: ``a.b[2]."c d"``.

    Examples
    --------
    >>> key_path(["industries", "auto", "criteria", "slope"]), key_path(["exclude", 2, "1.5"])
    ('industries.auto.criteria.slope', 'exclude[2]."1.5"')
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if not isinstance(part, RawKey) and not _BARE.match(text):
                text = json.dumps(text, ensure_ascii=False)
            out += f".{text}" if out else text
    return out


def _unwrap(tp: Any) -> list[Any]:
    """The candidate types inside Annotated / Optional / Union."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return [t for a in typing.get_args(tp) for t in _unwrap(a)]
    return [tp]


def _step(tp: Any, part: str | int) -> Any:
    """The type found one key deeper than ``tp`` (None when unknown)."""
    if isinstance(part, str) and part in UNION_TAGS:
        kind_model = _tagged(tp, part)
        if kind_model is not None:
            return kind_model
    for cand in _unwrap(tp):
        origin = typing.get_origin(cand)
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            field = cand.model_fields.get(str(part))
            if field is not None:
                return field.annotation
        elif origin in (dict, Mapping) and isinstance(part, str):
            return typing.get_args(cand)[1]
        elif origin in (list, tuple, Sequence) and isinstance(part, int):
            return typing.get_args(cand)[0]
    return None


def _tagged(tp: Any, tag: str) -> Any:
    for cand in _unwrap(tp):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            field = cand.model_fields.get("kind")
            if field is not None and tag in typing.get_args(field.annotation):
                return cand
    return None


def _known_keys(root: Any, loc: Sequence[str | int]) -> list[str] | None:
    tp = root
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return None
    for cand in _unwrap(tp):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return [f.alias or name for name, f in cand.model_fields.items()]
    return None


def _is_table(root: Any, loc: Sequence[str | int]) -> bool:
    tp = root
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return False
    cands = [c for c in _unwrap(tp) if c is not type(None)]
    return bool(cands) and all(isinstance(c, type) and issubclass(c, BaseModel) for c in cands)


def _bound(ctx: Mapping[str, Any], key: str) -> str:
    value = ctx[key]
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(err: ErrorDetails, root: Any) -> tuple[str, bool]:
    """What is wrong, and whether to show the value."""
    kind, ctx = err["type"], err.get("ctx") or {}
    loc = list(err["loc"])
    simple = {
        "missing": ("missing", False),
        "float_type": ("must be a number", True),
        "float_parsing": ("must be a number", True),
        "int_type": ("must be a whole number", True),
        "int_from_float": ("must be a whole number", True),
        "bool_type": ("must be true or false", True),
        "string_type": ("must be a string", True),
        "dict_type": ("must be a table", True),
        "model_type": ("must be a table", True),
        "model_attributes_type": ("must be a table", True),
        "list_type": ("must be a list", True),
        "tuple_type": ("must be a list", True),
        "finite_number": ("must be a finite number", True),
    }
    if kind == "missing" and _is_table(root, loc):
        return "missing table", False
    if kind in simple:
        return simple[kind]
    if kind == "extra_forbidden":
        known = _known_keys(root, loc[:-1])
        return "unknown key" + (suggest(loc[-1], known) if known else ""), False
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        text = f"must be one of {', '.join(repr(o) for o in options)}"
        close = difflib.get_close_matches(str(err["input"]), options, n=1, cutoff=0.5)
        return text + (f"; did you mean {close[0]!r}?" if close else ""), True
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
              "less_than_equal": "<="}
    if kind in bounds:
        key = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt",
               "less_than_equal": "le"}[kind]
        return f"must be {bounds[kind]} {_bound(ctx, key)}", True
    if kind == "too_short":
        return "must not be empty", True
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", err["msg"])), False
    if kind == "union_tag_invalid":
        return (f"unknown kind {ctx.get('tag')!r}; known: "
                f"{str(ctx.get('expected_tags', '')).replace(chr(39), '')}", False)
    # our own errors: the message says what is expected, the value is shown unless named in it
    return err["msg"], kind not in (UNKNOWN_CHOICE, UNKNOWN_INDUSTRY, "no_industries", "transform")


def problems_of(
    exc: ValidationError,
    *,
    root: Any,
    prefix: Sequence[str | int] = (),
    suffix: Callable[[Sequence[str | int]], str] | None = None,
) -> list[tuple[tuple[str | int, ...], str]]:
    """Every problem of a pydantic `ValidationError`, one line each (a message may go on).

    Parameters
    ----------
    exc
        The error of validating ``root``.
    root
        The model class or type that was validated (to list the keys it knows).
    prefix
        Key path of the validated value inside the file (``["criteria", "slope"]``).
    suffix
        Text added to the problem at a key path, e.g. which industry an array item is.

    Returns
    -------
    list
        ``(key path, problem)`` pairs, in the order pydantic found them.
    """
    out = []
    for err in exc.errors(include_url=False):
        raw = list(err["loc"])
        message, show = _message(err, root)
        value = err.get("input", _MISSING)
        if isinstance(value, Mapping):  # a whole table: its key path says enough
            show = False
        if raw and raw[-1] == "[key]":  # a dict key that is not allowed: show the key
            raw = raw[:-1]
            show, value = False, raw[-1]
            message = message if message.startswith("unknown") else f"key {message}"
        shown = [p for i, p in enumerate(raw) if not (isinstance(p, str) and p in UNION_TAGS
                                                     and _tag_position(root, raw[:i]))]
        full = (*prefix, *shown)
        path = key_path(full)
        where = f"{path} = {format_value(value)}" if show and value is not _MISSING else path
        text = f"{where}: {message}" if where else message
        out.append((full, text + (suffix(full) if suffix else "")))
    return out


def _tag_position(root: Any, loc: Sequence[str | int]) -> bool:
    tp = root
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return False
    return any(_tagged(tp, tag) is not None for tag in UNION_TAGS)


def join_problems(label: str, problems: Sequence[str]) -> str:
    """One message for a file's problems: one line, or a count and one line per problem."""
    if len(problems) == 1:
        return f"{label}: {problems[0]}"
    listing = "\n".join(f"  - {p}" for p in problems)
    return f"{label}: {len(problems)} problems:\n{listing}"


@lru_cache(maxsize=64)
def _adapter(model: Any) -> TypeAdapter[Any]:
    """A type adapter per model, built once (building one costs milliseconds)."""
    return TypeAdapter(model)


def validate(
    model: type[M] | Any,
    data: object,
    *,
    label: str,
    prefix: Sequence[str | int] = (),
    context: Mapping[str, Any] | None = None,
) -> M:
    """Validate ``data`` into ``model`` (a model class or any type), or raise `ConfigError`.

    The message names ``label`` (the file) and lists every problem with its key path.

    Examples
    --------
    >>> from layout.model.options import AllocationOptions
    >>> validate(AllocationOptions, {"max_sites": 0, "seeds": 2.5}, label="plan.toml",
    ...          prefix=["allocation"])
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: plan.toml: 2 problems:
      - allocation.max_sites = 0: must be > 0
      - allocation.seeds = 2.5: must be a whole number
    """
    adapter = _adapter(cast(Hashable, model))
    try:
        result: M = adapter.validate_python(data, context=dict(context or {}))
    except ValidationError as exc:
        problems = [text for _, text in problems_of(exc, root=model, prefix=prefix)]
        # only unknown industry codes: also a KeyError, as `Catalog.industry` raises
        unknown = all(err["type"] == UNKNOWN_INDUSTRY for err in exc.errors())
        error = UnknownIndustryError if unknown else ConfigError
        raise error(join_problems(label, problems)) from None
    return result
