"""Criterion transforms as configured: one validated model per kind, applied by a core kernel.

A criterion's ``transform`` in the plan TOML is a bare kind (``transform = "identity"``) or a
table holding ``kind`` and the parameters (the forms are below). Each kind
is a pydantic model declaring its parameters, their types and bounds; `TransformSpec.from_config`
validates a TOML value into the right one, every problem at once, and `TransformSpec.apply` runs
the numpy kernel of `layout.core.transforms.TRANSFORMS`.

Two parameters may be the placeholder ``"catalog"``: a linear ``low`` (the industry's
``max_slope_deg``) and a threshold's ``threshold`` (its ``residential_buffer_m``);
`TransformSpec.resolve` fills them in per industry (`layout.config.criteria`).

TOML forms
----------
A criterion's ``transform`` is either a bare kind name (for kinds without required parameters) or
an inline table / sub-table holding ``kind`` and the parameters side by side::

    [industries.auto.criteria.kde]
    transform = { kind = "linear", low = 0.0, high = 0.8 }

    [industries.auto.criteria.road_distance]
    transform = { kind = "near", midpoint = 2000.0 }        # 0.5 at 2 km

    [industries.auto.criteria.slope]
    transform = { kind = "threshold", threshold = 15.0, above = false }   # 1 where slope <= 15°

    [industries.auto.criteria.landuse.transform]
    kind = "categorical"
    default = 0.0            # classes not listed; may be nan ("no data")
    [industries.auto.criteria.landuse.transform.mapping]
    1 = 1.0                  # bare integer keys are fine in TOML ...
    "2.5" = 0.4              # ... but decimal keys must be quoted (2.5 would be a dotted key)

    [industries.auto.criteria.density]
    transform = "identity"

Examples
--------
>>> spec = TransformSpec.from_config({"kind": "linear", "low": 0, "high": 500}, where="t")
>>> spec.apply([0.0, 250.0, 1000.0]).tolist(), str(spec)
([0.0, 0.5, 1.0], 'linear(low=0, high=500)')
>>> TransformSpec.from_config({"kind": "lienar"}, where="plan.toml: t")
Traceback (most recent call last):
...
layout.errors.ConfigError: plan.toml: t: unknown transform kind 'lienar'; did you mean 'linear' ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Union

from numpy.typing import ArrayLike
from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from layout.core.transforms import TRANSFORMS, FloatArray, category_key
from layout.errors import ConfigError
from layout.model.table import UNION_TAGS, Number, RawKey, Table, suggest, validate

#: The placeholder for a value taken from the industry's catalog entry.
CATALOG = "catalog"


def _number_or_catalog(value: object) -> object:
    if value == CATALOG:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError(
            "number_or_catalog", 'must be a number, or "catalog" for the industry\'s value'
        )
    if not math.isfinite(value):
        raise PydanticCustomError("finite_number", "must be a finite number")
    return float(value)


def _number_only(value: object) -> object:
    if value == CATALOG:
        raise PydanticCustomError(
            "catalog_here", 'must be a number: only a linear transform\'s low (max_slope_deg) and '
            'a threshold (residential_buffer_m) can be "catalog"')
    return value


#: A parameter number of a transform.
TNumber = Annotated[Number, BeforeValidator(_number_only)]
#: A number, or ``"catalog"`` (filled in per industry by `TransformSpec.resolve`).
CatalogNumber = Annotated[float | Literal["catalog"], BeforeValidator(_number_or_catalog)]
Positive = Annotated[TNumber, Field(gt=0)]
Share = Annotated[Number, Field(ge=0, le=1)]


class TransformSpec(Table):
    """A validated criterion transform: a ``kind`` from `TRANSFORMS` and its parameters."""

    kind: str
    #: Parameters that may be ``"catalog"``: parameter -> catalog attribute of the industry.
    CATALOG_KEYS: ClassVar[dict[str, str]] = {}

    @property
    def params(self) -> dict[str, Any]:
        """The parameters as written (defaults left to the kernel), by name."""
        return {
            k: getattr(self, k)
            for k in type(self).model_fields
            if k != "kind" and k in self.model_fields_set
        }

    def apply(self, x: ArrayLike, *, out: FloatArray | None = None) -> FloatArray:
        """Transform criterion values to suitability with the kernel named by ``kind``.

        Parameters
        ----------
        x
            Raw criterion values (NaN = no data).
        out
            Optional output buffer of ``x``'s shape (may be ``x`` itself).

        Returns
        -------
        numpy.ndarray
            Suitability in [0, 1], float32 for float32 input and float64 otherwise.
        """
        params = self.params
        unresolved = [k for k, v in params.items() if v == CATALOG]
        if unresolved:
            raise ConfigError(f'{self.kind} transform: {", ".join(unresolved)} = "catalog" '
                              "has not been resolved for an industry")
        return TRANSFORMS[self.kind].kernel(x, out=out, **params)

    def resolve(self, values: Mapping[str, float], *, where: str) -> TransformSpec:
        """A copy with every ``"catalog"`` parameter replaced from ``values``, checked again.

        ``values`` maps catalog attribute names (``max_slope_deg``) to the industry's values.
        """
        data = {"kind": self.kind, **self.params}
        for key, value in list(data.items()):
            if value == CATALOG:
                data[key] = values[self.CATALOG_KEYS[key]]
        return TransformSpec.from_config(data, where=where)

    def __str__(self) -> str:
        def fmt(value: Any) -> str:
            if isinstance(value, float):
                return f"{value:g}"
            if isinstance(value, Mapping):
                return "{" + ", ".join(f"{k:g}: {v:g}" for k, v in value.items()) + "}"
            return repr(value)

        args = ", ".join(f"{k}={fmt(v)}" for k, v in self.params.items())
        return f"{self.kind}({args})"

    @classmethod
    def from_config(cls, value: object, *, where: str) -> TransformSpec:
        """Validate a TOML transform value: ``{kind = "...", <param> = ...}`` or a bare kind.

        Parameters
        ----------
        value
            The parsed TOML value of a criterion's ``transform`` key.
        where
            Where that value lives, for messages (``"plan.toml: criteria.slope.transform"``).

        Raises
        ------
        ConfigError
            Unknown kind (with the closest kinds), missing, unknown or non-numeric parameters,
            parameters out of range; every problem listed, each with its key.
        """
        label, _, path = where.partition(": ")
        if not path:
            label, path = "", where
        try:
            spec: TransformSpec = validate(AnyTransform, value, label=label or "transform",
                                           prefix=[RawKey(path)] if path else [])
        except ConfigError as exc:
            text = str(exc)
            raise ConfigError(text if label else text.split(": ", 1)[1]) from None
        return spec


class Identity(TransformSpec):
    """``identity``: the raw value, already in [0, 1]."""

    kind: Literal["identity"]


class Linear(TransformSpec):
    """``linear``: a ramp from ``low`` (0) to ``high`` (1); decreasing when ``low > high``."""

    kind: Literal["linear"]
    low: CatalogNumber
    high: TNumber
    CATALOG_KEYS: ClassVar[dict[str, str]] = {"low": "max_slope_deg"}

    @field_validator("high")
    @classmethod
    def _distinct(cls, high: float, info: ValidationInfo) -> float:
        if info.data.get("low") == high:
            raise ValueError(f"must differ from low (both are {high:g}); use a 'threshold' "
                             "transform for a step")
        return high


class Logistic(TransformSpec):
    """``logistic``: 0.5 at ``midpoint``, rising with ``steepness`` (falling when negative)."""

    kind: Literal["logistic"]
    midpoint: TNumber
    steepness: TNumber

    @field_validator("steepness")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        if value == 0:
            raise ValueError("must be non-zero")
        return value


class Gaussian(TransformSpec):
    """``gaussian``: 1 at ``mean``, falling with standard deviation ``sd``."""

    kind: Literal["gaussian"]
    mean: TNumber
    sd: Positive


class Near(TransformSpec):
    """``near``: 1 at 0, 0.5 at ``midpoint`` (distance decay)."""

    kind: Literal["near"]
    midpoint: Positive


class Small(TransformSpec):
    """``small``: small values suit (ArcGIS TfSmall)."""

    kind: Literal["small"]
    midpoint: Positive
    spread: Positive = 5.0


class Large(TransformSpec):
    """``large``: large values suit (ArcGIS TfLarge)."""

    kind: Literal["large"]
    midpoint: Positive
    spread: Positive = 5.0


class Threshold(TransformSpec):
    """``threshold``: 1 at or above ``threshold`` (at or below with ``above = false``), else 0."""

    kind: Literal["threshold"]
    threshold: CatalogNumber
    above: bool = True
    CATALOG_KEYS: ClassVar[dict[str, str]] = {"threshold": "residential_buffer_m"}


def _mapping(value: object) -> object:
    if not isinstance(value, Mapping) or not value:
        raise PydanticCustomError(
            "mapping", "must be a non-empty table of class value = suitability"
        )
    out: dict[float, float] = {}
    for key, suit in value.items():
        try:
            code = category_key(key)
        except ValueError as exc:
            raise PydanticCustomError("mapping_key", "{msg}", {"msg": f"{key}: {exc}"}) from None
        if isinstance(suit, bool) or not isinstance(suit, int | float) or not 0 <= suit <= 1:
            raise PydanticCustomError(
                "mapping_value", "{msg}",
                {"msg": f"{key} = {suit!r}: suitability must be a number in [0, 1]"},
            )
        if code in out:
            raise PydanticCustomError(
                "mapping_twice", "{msg}", {"msg": f"class value {code:g} is listed twice"}
            )
        out[code] = float(suit)
    return out


def _default(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("default", "must be a number in [0, 1], or nan")
    if not (0 <= value <= 1 or math.isnan(value)):
        raise PydanticCustomError("default", "must be in [0, 1], or nan")
    return float(value)


class Categorical(TransformSpec):
    """``categorical``: class value -> suitability; ``default`` for classes not listed."""

    kind: Literal["categorical"]
    mapping: Annotated[dict[float, float], BeforeValidator(_mapping)]
    default: Annotated[float, BeforeValidator(_default)] = 0.0


#: Each kind's model, in the order of `TRANSFORMS`.
KINDS: dict[str, type[TransformSpec]] = {
    m.model_fields["kind"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in (Identity, Linear, Logistic, Gaussian, Near, Small, Large, Threshold, Categorical)
}
UNION_TAGS.update(KINDS)


def _kind_first(value: object) -> object:
    """Accept a bare kind; normalise its spelling; name unknown kinds with suggestions."""
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, Mapping):
        raise PydanticCustomError(
            "transform", "expected a transform name or a table with a 'kind' key"
        )
    if "kind" not in value:
        raise PydanticCustomError("transform", "{msg}", {
            "msg": f"kind: missing; choose one of {', '.join(KINDS)}"})
    kind = value["kind"]
    name = kind.strip().lower() if isinstance(kind, str) else kind
    if name not in KINDS:
        raise PydanticCustomError("transform", "{msg}", {
            "msg": f"unknown transform kind {kind!r}"
            f"{suggest(str(kind), KINDS, label='known kinds')}"
        })
    return {**value, "kind": name}


#: A transform of any kind, as a TOML value.
AnyTransform = Annotated[
    Union[Identity, Linear, Logistic, Gaussian, Near, Small, Large, Threshold, Categorical],  # noqa: UP007
    Field(discriminator="kind"),
    BeforeValidator(_kind_first),
]
