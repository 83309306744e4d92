"""The records of the catalog: industries, production bases, linkages, land indicators.

Immutable dataclasses, built by `layout.config.catalog` from the catalog file and looked up
through `layout.model.catalog.Catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, get_args

from layout.errors import ConfigError

#: Confidence grades (docs/data_model.md): several sources, one source, estimate.
CONFIDENCE: tuple[str, ...] = ("H", "M", "L")


#: Transport modes an industry needs access to.
TRANSPORT_MODES: tuple[str, ...] = ("expressway", "rail_freight", "airport")


_LANGS = ("zh", "en")


@dataclass(frozen=True)
class Provenance:
    """Where a group of numbers comes from.

    Attributes
    ----------
    confidence
        ``"H"`` (several sources agree), ``"M"`` (one source) or ``"L"`` (estimate, illustrative).
    source
        The document, table row or reasoning behind the numbers.
    """

    confidence: str
    source: str


@dataclass(frozen=True)
class TransportNeeds:
    """How much an industry needs access to each transport mode, each weight in [0, 1].

    0 means irrelevant, 1 essential; the weights are not normalised across modes.

    Examples
    --------
    >>> TransportNeeds(expressway=0.6, rail_freight=1.0, airport=0.0).as_dict()
    {'expressway': 0.6, 'rail_freight': 1.0, 'airport': 0.0}
    """

    expressway: float
    rail_freight: float
    airport: float

    def as_dict(self) -> dict[str, float]:
        """Return the weights keyed by mode, in the order of `TRANSPORT_MODES`."""
        return {mode: getattr(self, mode) for mode in TRANSPORT_MODES}


def _name(obj: Industry | Base, lang: str) -> str:
    if lang == "zh":
        return obj.name_zh
    if lang == "en":
        return obj.name_en
    raise ConfigError(f"lang must be one of {', '.join(map(repr, _LANGS))}, got {lang!r}")


@dataclass(frozen=True)
class Industry:
    """One industry of the catalog.

    Attributes
    ----------
    code
        Short stable code (``"aluminium"``), used in every data layer.
    name_zh, name_en
        Chinese and English names.
    group
        One of `GROUPS`: ``"strategic_supporting"``, ``"strategic_emerging"``, ``"traditional"``.
    gbt4754
        GB/T 4754-2017 divisions (two-digit strings) the industry covers.
    color
        Map colour, ``#RRGGBB``.
    transport
        Need for access to expressways, freight rail and the airport.
    max_slope_deg
        Steepest natural ground, in degrees, on which the industry is planned.
    pollution_intensive
        True for industries that must keep away from housing and water sources.
    residential_buffer_m
        Distance to keep from residential areas, metres (0 = none).
    min_far
        Minimum floor-area ratio of a project (national control indicator).
    far_source
        The table row `min_far` comes from.
    output_per_mu_wan, investment_per_mu_wan, tax_per_mu_wan
        Reference output, fixed-asset investment and tax per mu of land, 万元 (10,000 yuan).
    bases
        Codes of the industry's production bases.
    provenance
        Confidence and source of each group of numbers: ``"transport"``, ``"siting"``,
        ``"far"``, ``"output"``, ``"investment"``, ``"tax"``.
    """

    code: str
    name_zh: str
    name_en: str
    group: str
    gbt4754: tuple[str, ...]
    color: str
    transport: TransportNeeds
    max_slope_deg: float
    pollution_intensive: bool
    residential_buffer_m: float
    min_far: float
    far_source: str
    output_per_mu_wan: float
    investment_per_mu_wan: float
    tax_per_mu_wan: float
    bases: tuple[str, ...] = ()
    provenance: Mapping[str, Provenance] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, hash=False, repr=False
    )

    def name(self, lang: str = "zh") -> str:
        """Return the name in ``"zh"`` (Chinese) or ``"en"`` (English).

        Examples
        --------
        >>> from layout.config.catalog import load_catalog
        >>> ind = load_catalog().industry("food")
        >>> ind.name(), ind.name("en")
        ('食品工业', 'Food')
        """
        return _name(self, lang)


@dataclass(frozen=True)
class Base:
    """A production base (产业基地) of one industry.

    Attributes
    ----------
    code
        Short stable code (``"refractories"``), distinct from every industry code.
    name_zh, name_en
        Chinese and English names.
    parent
        Code of the industry the base belongs to.
    scale
        One of `SCALES`: ``"100bn"`` (千亿级) or ``"500bn"`` (五千亿级).
    pollution_intensive, residential_buffer_m, min_far
        Overrides of the parent's values; None inherits (see `Catalog.base` with ``inherit``).
    """

    code: str
    name_zh: str
    name_en: str
    parent: str
    scale: str
    pollution_intensive: bool | None = None
    residential_buffer_m: float | None = None
    min_far: float | None = None

    def name(self, lang: str = "zh") -> str:
        """Return the name in ``"zh"`` (Chinese) or ``"en"`` (English)."""
        return _name(self, lang)


#: Where a linkage weight comes from: an input–output coefficient (cited) or judgement.
WeightSource = Literal["io_coefficient", "judgement"]
#: The values of `WeightSource`.
WEIGHT_SOURCES: tuple[str, ...] = get_args(WeightSource)


@dataclass(frozen=True)
class Linkage:
    """A directed industrial-chain link: ``source`` supplies ``target``.

    Attributes
    ----------
    source, target
        Industry codes of the supplier and the customer.
    weight
        Strength of the link in [0, 1] (0.8 strong, 0.5 medium, 0.2 weak).
    why
        One sentence on what flows along the link.
    via_base
        The production base of either end through which the link mainly runs, if any.
    weight_source
        Where the weight comes from (`WeightSource`): ``"io_coefficient"``, an input–output
        coefficient (then ``citation`` names the table), or ``"judgement"``.
    citation
        The source of the weight: required for an input–output coefficient, optional otherwise.
    """

    source: str
    target: str
    weight: float
    why: str
    via_base: str | None = None
    weight_source: str = "judgement"
    citation: str | None = None


@dataclass(frozen=True)
class ControlIndicator:
    """One indicator of 《工业项目建设用地控制指标》 in its 2023 and 2008 texts.

    Attributes
    ----------
    field
        Indicator field (`layout.data.indicators.FIELDS`).
    name_zh, name_en
        Its name.
    kind
        ``"mandatory"`` (约束性) or ``"recommended"`` (推荐性), as the 2023 text has it.
    op
        ``">="`` (a minimum) or ``"<="`` (a maximum).
    by_industry
        True when the values are the industry's (FAR minima, reference values per mu).
    value_2023, clause_2023, confidence_2023
        The 2023 figure (None when not verified), its clause, and ``"unverified"`` when the
        catalog has not checked it against the text.
    value_2008, clause_2008, confidence_2008
        The 2008 figure (None when by industry or not in the 2008 text), clause and grade.
    """

    field: str
    name_zh: str
    name_en: str
    kind: str
    op: str
    by_industry: bool
    value_2023: float | None
    clause_2023: str
    confidence_2023: str
    value_2008: float | None = None
    clause_2008: str | None = None
    confidence_2008: str | None = None


@dataclass(frozen=True)
class LandIndicators:
    """National control indicators common to every industrial project.

    Attributes
    ----------
    building_coverage_min
        Minimum building coverage (建筑系数), a share of the site.
    admin_share_max
        Maximum share of the site for administrative and living facilities.
    green_ratio_max
        Maximum green ratio (绿地率).
    source
        The regulation the values come from.
    confidence
        Confidence grade of the values.
    controls
        The control indicators of 《工业项目建设用地控制指标》 (2023 against 2008), empty when
        the catalog has no ``[controls]``.
    edition_2023, edition_2008
        The two texts, as the catalog names them.
    confidence_2023
        Whether the catalog checked the 2023 text (``"unverified"`` when not).
    """

    building_coverage_min: float
    admin_share_max: float
    green_ratio_max: float
    source: str
    confidence: str = "H"
    controls: tuple[ControlIndicator, ...] = ()
    edition_2023: str = ""
    edition_2008: str = ""
    confidence_2023: str = ""
