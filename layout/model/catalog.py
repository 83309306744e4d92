"""The catalog of industries: the seven priority industries, their production bases and linkages.

The catalog answers "what is an industry here": its codes and names, the GB/T 4754-2017
divisions it covers, the transport it needs, where it may be sited (slope, pollution, buffer from
housing), the land-efficiency benchmarks it is held to (national floor-area-ratio minima, output,
investment and tax per mu) and which other industries it buys from or sells to (the linkage
graph behind 集群, clustering).

Everything lives in a human-editable TOML file, ``layout/config/industries.toml``, whose comments
give the source and confidence of each number. A planner may copy it, edit it and load the copy
with `load_catalog` (``layout industries --catalog PATH`` on the command line); every value is
validated and all problems are reported together, each naming the file and the key.

Examples
--------
>>> cat = load_catalog()
>>> cat.codes == PRIORITY_CODES
True
>>> cat.industry("aluminium").name("en"), cat.industry("aluminium").min_far
('Aluminium', 0.6)
>>> cat.industry("new_materials").bases
('abrasives', 'refractories')
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from layout.errors import ConfigError, DataFileError, UnknownIndustryError

if TYPE_CHECKING:  # networkx is imported where used: `layout industries` does not need it
    import networkx as nx

__all__ = [
    "GROUPS",
    "OTHER",
    "OTHER_COLOR",
    "PRIORITY_CODES",
    "SCALES",
    "Base",
    "Catalog",
    "Industry",
    "LandIndicators",
    "Linkage",
    "Provenance",
    "TransportNeeds",
    "check_industry",
    "load_catalog",
]

#: The seven priority industries (七大重点产业) in canonical order.
PRIORITY_CODES: tuple[str, ...] = (
    "auto",
    "electronics",
    "new_materials",
    "biomedicine",
    "aluminium",
    "food",
    "textiles",
)
#: Code of enterprises outside the catalog's industries.
OTHER = "other"
#: Map colour of `OTHER` (a neutral grey, distinct from the Okabe–Ito colours of the catalog).
OTHER_COLOR = "#999999"

#: Industry groups of the 2012 plan: code -> (Chinese name, English name).
GROUPS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "strategic_supporting": ("战略支撑产业", "strategic supporting"),
        "strategic_emerging": ("战略性新兴产业", "strategic emerging"),
        "traditional": ("传统优势产业", "traditional"),  # to be upgraded (改造提升)
    }
)
#: Scales of production bases: code -> (Chinese name, English name).
SCALES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {"100bn": ("千亿级", "100 bn yuan"), "500bn": ("五千亿级", "500 bn yuan")}
)
#: Confidence grades (docs/data_model.md): several sources, one source, estimate.
CONFIDENCE: tuple[str, ...] = ("H", "M", "L")
#: Transport modes an industry needs access to.
TRANSPORT_MODES: tuple[str, ...] = ("expressway", "rail_freight", "airport")

_DEFAULT_NAME = "layout/config/industries.toml"
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_DIVISION_RE = re.compile(r"^[0-9]{2}$")
_LANGS = ("zh", "en")


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


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
    """

    source: str
    target: str
    weight: float
    why: str
    via_base: str | None = None


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
    """

    building_coverage_min: float
    admin_share_max: float
    green_ratio_max: float
    source: str
    confidence: str = "H"


@dataclass(frozen=True)
class Catalog:
    """The industries, production bases, linkages and land indicators of one catalog file.

    Build one with `load_catalog` (from TOML) or `Catalog.from_dict` (from parsed data); both
    validate. The mappings are read-only and keep the file's order.

    Attributes
    ----------
    industries
        Industries keyed by code, in the file's (canonical) order.
    bases
        Production bases keyed by code, in the file's order.
    linkages
        Supplier → customer links between industries.
    land
        National control indicators common to all industrial projects.
    source
        Path of the file the catalog was read from.
    """

    industries: Mapping[str, Industry]
    bases: Mapping[str, Base]
    linkages: tuple[Linkage, ...]
    land: LandIndicators
    source: str = "<dict>"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> Catalog:
        """Validate parsed catalog data (the structure of the TOML file) into a `Catalog`.

        Parameters
        ----------
        data
            The parsed document: ``land``, ``industries``, ``bases``, ``linkages``.
        source
            Name of the file (or other origin) used in error messages.

        Raises
        ------
        ConfigError
            Listing every problem found, each with its key (``linkages[3].weight``).
        """
        return _parse(data, source)

    # -- look-ups ------------------------------------------------------------------------------

    @property
    def codes(self) -> tuple[str, ...]:
        """Industry codes in canonical order.

        Examples
        --------
        >>> load_catalog().codes
        ('auto', 'electronics', 'new_materials', 'biomedicine', 'aluminium', 'food', 'textiles')
        """
        return tuple(self.industries)

    def industry(self, code: str) -> Industry:
        """Return the industry with this code.

        Raises
        ------
        UnknownIndustryError
            For an unknown code; the message suggests the closest codes.

        Examples
        --------
        >>> load_catalog().industry("electronics").name_zh
        '电子信息'
        >>> load_catalog().industry("autos")
        Traceback (most recent call last):
        ...
        layout.errors.UnknownIndustryError: unknown industry 'autos'; did you mean 'auto'? ...
        """
        try:
            return self.industries[code]
        except (KeyError, TypeError):
            raise UnknownIndustryError(self._unknown_message(code, allow_other=False)) from None

    def base(self, code: str, *, inherit: bool = False) -> Base:
        """Return the production base with this code.

        Parameters
        ----------
        code
            Base code (``"refractories"``).
        inherit
            Fill the overrides left unset (None) with the parent industry's values.

        Raises
        ------
        UnknownIndustryError
            For an unknown base code; the message suggests the closest codes.

        Examples
        --------
        >>> cat = load_catalog()
        >>> cat.base("refractories").residential_buffer_m
        800.0
        >>> cat.base("abrasives").min_far is None, cat.base("abrasives", inherit=True).min_far
        (True, 0.7)
        """
        try:
            base = self.bases[code]
        except (KeyError, TypeError):
            raise UnknownIndustryError(_unknown_base_message(code, self)) from None
        if not inherit:
            return base
        parent = self.industries[base.parent]
        return dataclasses.replace(
            base,
            pollution_intensive=(
                parent.pollution_intensive
                if base.pollution_intensive is None
                else base.pollution_intensive
            ),
            residential_buffer_m=(
                parent.residential_buffer_m
                if base.residential_buffer_m is None
                else base.residential_buffer_m
            ),
            min_far=parent.min_far if base.min_far is None else base.min_far,
        )

    def industry_for_division(self, division: str) -> str:
        """Return the industry code covering a GB/T 4754-2017 division, or `OTHER`.

        Parameters
        ----------
        division
            A division (``"32"``) or a longer code whose first two digits are the division
            (group ``"325"``, class ``"3252"``).

        Examples
        --------
        >>> cat = load_catalog()
        >>> cat.industry_for_division("3252"), cat.industry_for_division("26")
        ('aluminium', 'other')
        """
        div = str(division).strip()[:2]
        for ind in self.industries.values():
            if div in ind.gbt4754:
                return ind.code
        return OTHER

    # -- linkages ------------------------------------------------------------------------------

    def linkage_graph(self) -> nx.DiGraph:
        """Return the linkage graph: supplier → customer edges between industry codes.

        Nodes are all industry codes, with ``name_zh``, ``name_en``, ``group`` and ``color``;
        edges carry ``weight``, ``why`` and ``via_base``. A new graph is built on each call, so
        callers may modify it.

        Examples
        --------
        >>> g = load_catalog().linkage_graph()
        >>> g.number_of_nodes(), g["aluminium"]["auto"]["weight"]
        (7, 0.8)
        """
        import networkx as nx

        graph = nx.DiGraph(source=self.source)
        for ind in self.industries.values():
            graph.add_node(
                ind.code, name_zh=ind.name_zh, name_en=ind.name_en, group=ind.group, color=ind.color
            )
        for link in self.linkages:
            graph.add_edge(
                link.source, link.target, weight=link.weight, why=link.why, via_base=link.via_base
            )
        return graph

    def related(self, code: str) -> dict[str, float]:
        """Return the industries linked to ``code`` as supplier or customer, with their weight.

        Where links run both ways the larger weight is kept. The result is ordered by weight,
        strongest first, ties in canonical order.

        Examples
        --------
        >>> load_catalog().related("food")
        {'auto': 0.3, 'biomedicine': 0.3, 'aluminium': 0.3, 'textiles': 0.15}
        """
        self.industry(code)
        weights: dict[str, float] = {}
        for link in self.linkages:
            if link.source == code:
                other = link.target
            elif link.target == code:
                other = link.source
            else:
                continue
            weights[other] = max(weights.get(other, 0.0), link.weight)
        order = {c: i for i, c in enumerate(self.industries)}
        return dict(sorted(weights.items(), key=lambda kv: (-kv[1], order[kv[0]])))

    # -- export --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the catalog as JSON-serialisable data (lists keep the canonical order).

        Bases carry their effective values (inherited ones filled in) and list the keys they
        override in ``overrides``.

        Examples
        --------
        >>> d = load_catalog().to_dict()
        >>> [i["code"] for i in d["industries"]][:3], d["bases"][3]["residential_buffer_m"]
        (['auto', 'electronics', 'new_materials'], 800.0)
        >>> import json; _ = json.dumps(d)
        """
        industries = []
        for ind in self.industries.values():
            industries.append(
                {
                    "code": ind.code,
                    "name_zh": ind.name_zh,
                    "name_en": ind.name_en,
                    "group": ind.group,
                    "gbt4754": list(ind.gbt4754),
                    "color": ind.color,
                    "bases": list(ind.bases),
                    "transport": ind.transport.as_dict(),
                    "siting": {
                        "max_slope_deg": ind.max_slope_deg,
                        "pollution_intensive": ind.pollution_intensive,
                        "residential_buffer_m": ind.residential_buffer_m,
                    },
                    "benchmarks": {
                        "min_far": ind.min_far,
                        "far_source": ind.far_source,
                        "output_per_mu_wan": ind.output_per_mu_wan,
                        "investment_per_mu_wan": ind.investment_per_mu_wan,
                        "tax_per_mu_wan": ind.tax_per_mu_wan,
                    },
                    "provenance": {
                        k: {"confidence": p.confidence, "source": p.source}
                        for k, p in ind.provenance.items()
                    },
                }
            )
        bases = []
        for base in self.bases.values():
            eff = self.base(base.code, inherit=True)
            bases.append(
                {
                    "code": base.code,
                    "name_zh": base.name_zh,
                    "name_en": base.name_en,
                    "parent": base.parent,
                    "scale": base.scale,
                    "pollution_intensive": eff.pollution_intensive,
                    "residential_buffer_m": eff.residential_buffer_m,
                    "min_far": eff.min_far,
                    "overrides": [k for k in _BASE_OVERRIDES if getattr(base, k) is not None],
                }
            )
        return {
            "source": self.source,
            "industries": industries,
            "bases": bases,
            "linkages": [dataclasses.asdict(link) for link in self.linkages],
            "land": dataclasses.asdict(self.land),
        }

    # -- messages ------------------------------------------------------------------------------

    def _unknown_message(self, code: object, *, allow_other: bool) -> str:
        known = list(self.industries) + ([OTHER] if allow_other else [])
        text = f"unknown industry {code!r}"
        if isinstance(code, str):
            hint = _suggest(code, self, allow_other=allow_other)
            if hint:
                text += f"; {hint}"
        return _with_known(text, "known codes", known)


_BASE_OVERRIDES = ("pollution_intensive", "residential_buffer_m", "min_far")


def _suggest(code: str, catalog: Catalog, *, allow_other: bool) -> str:
    """Return a hint for a mistyped industry code: a base's parent, a name's code, a close code."""
    key = code.strip().lower()
    if key in catalog.bases:
        parent = catalog.bases[key].parent
        return f"{key!r} is a production base of industry {parent!r}"
    for ind in catalog.industries.values():
        if key in (ind.name_zh.lower(), ind.name_en.lower()):
            return f"did you mean {ind.code!r} ({ind.name_zh})?"
    candidates = list(catalog.industries) + ([OTHER] if allow_other else [])
    if key in candidates:  # differs from `code` only by case or spaces
        return f"did you mean {key!r}?"
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    if not close and len(key) >= 2:
        close = [c for c in candidates if c.startswith(key)][:1]
    return f"did you mean {close[0]!r}?" if close else ""


def _unknown_base_message(code: object, catalog: Catalog) -> str:
    text = f"unknown production base {code!r}"
    if isinstance(code, str):
        if code in catalog.industries:
            text += f"; {code!r} is an industry, not a base"
        else:
            close = difflib.get_close_matches(code, list(catalog.bases), n=1, cutoff=0.6)
            if close:
                text += f"; did you mean {close[0]!r}?"
    return _with_known(text, "known bases", catalog.bases)


def _with_known(text: str, label: str, known: Iterable[str]) -> str:
    # "did you mean 'auto'? known codes: ..." reads better than "...?; known codes".
    sep = " " if text.endswith("?") else "; "
    return f"{text}{sep}{label}: {', '.join(known)}"


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a catalog TOML file (the embedded one by default).

    Catalogs are cached: loading the same unchanged file again returns the same object.

    Parameters
    ----------
    path
        A catalog file; None for the embedded ``layout/config/industries.toml``.

    Raises
    ------
    DataFileError
        If the file does not exist or cannot be read.
    ConfigError
        If it is not valid TOML or any value is wrong; the message lists every problem.

    Examples
    --------
    >>> load_catalog() is load_catalog()
    True
    >>> len(load_catalog().linkages)
    18
    """
    if path is None:
        return _load_default()
    p = Path(path)
    try:
        stat = p.stat()
    except OSError as exc:
        raise DataFileError(f"{p}: cannot read the catalog: {exc.strerror or exc}") from exc
    if not p.is_file():
        raise DataFileError(f"{p}: the catalog must be a TOML file, not a directory")
    return _load_file(str(p.resolve()), stat.st_mtime_ns, stat.st_size, str(path))


@lru_cache(maxsize=1)
def _load_default() -> Catalog:
    resource = resources.files("layout.config").joinpath("industries.toml")
    return _parse_text(resource.read_text(encoding="utf-8"), _DEFAULT_NAME, str(resource))


@lru_cache(maxsize=16)
def _load_file(resolved: str, mtime_ns: int, size: int, display: str) -> Catalog:
    # mtime and size are part of the cache key so that an edited file is read again.
    try:
        text = Path(resolved).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{display}: the catalog must be UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise DataFileError(f"{display}: cannot read the catalog: {exc.strerror or exc}") from exc
    return _parse_text(text, display, resolved)


def _parse_text(text: str, display: str, source: str) -> Catalog:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{display}: not valid TOML: {exc}") from exc
    return dataclasses.replace(_parse(data, display), source=source)


def check_industry(code: str, *, catalog: Catalog | None = None, allow_other: bool = False) -> str:
    """Return ``code`` normalised (stripped, lower case) if it is an industry of the catalog.

    Parameters
    ----------
    code
        The code to check.
    catalog
        The catalog to check against; None for the embedded one.
    allow_other
        Also accept `OTHER` (enterprises outside the catalog's industries).

    Raises
    ------
    UnknownIndustryError
        For any other value; the message suggests the closest code and lists the known ones.

    Examples
    --------
    >>> check_industry(" Aluminium ")
    'aluminium'
    >>> check_industry("other", allow_other=True)
    'other'
    >>> check_industry("refractories")
    Traceback (most recent call last):
    ...
    layout.errors.UnknownIndustryError: unknown industry 'refractories'; 'refractories' is a ...
    """
    cat = load_catalog() if catalog is None else catalog
    if isinstance(code, str):
        key = code.strip().lower()
        if key in cat.industries or (allow_other and key == OTHER):
            return key
    raise UnknownIndustryError(cat._unknown_message(code, allow_other=allow_other))


# --------------------------------------------------------------------------------------------
# Validation: read the parsed TOML, collecting every problem with its key
# --------------------------------------------------------------------------------------------

_TOP_KEYS = ("schema_version", "land", "industries", "bases", "linkages")
_LAND_KEYS = ("building_coverage_min", "admin_share_max", "green_ratio_max", "source", "confidence")
_INDUSTRY_KEYS = (
    "code",
    "name_zh",
    "name_en",
    "group",
    "gbt4754",
    "color",
    "transport",
    "siting",
    "far",
    "output",
    "investment",
    "tax",
)
_PROVENANCE_KEYS = ("confidence", "source")
# Each numeric group of an industry: its table name -> its value keys.
_INDUSTRY_GROUPS: dict[str, tuple[str, ...]] = {
    "transport": TRANSPORT_MODES,
    "siting": ("max_slope_deg", "pollution_intensive", "residential_buffer_m"),
    "far": ("min",),
    "output": ("per_mu_wan",),
    "investment": ("per_mu_wan",),
    "tax": ("per_mu_wan",),
}
_BASE_KEYS = ("code", "name_zh", "name_en", "parent", "scale", *_BASE_OVERRIDES)
_LINK_KEYS = ("source", "target", "weight", "why", "via_base")

_MISSING = object()


def _fmt(value: object) -> str:
    """Format a value as it would be written in TOML, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{...}"
    return repr(value)


class _Reader:
    """Collects problems while reading values out of nested tables."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, key: str, message: str, value: object = _MISSING, context: str = "") -> None:
        text = key if value is _MISSING else f"{key} = {_fmt(value)}"
        self.problems.append(f"{text}: {message}{context}")

    def keys(self, table: Mapping[str, Any], allowed: Iterable[str], path: str, ctx: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else f"expected {', '.join(allowed)}"
                self.add(_join(path, key), f"unknown key; {hint}", context=ctx)

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        ctx: str,
        check: Callable[[Any], str | None],
        *,
        required: bool = True,
    ) -> Any:
        """Return ``table[key]`` if present and valid, else record a problem and return None."""
        full = _join(path, key)
        if key not in table:
            if required:
                self.add(full, "missing", context=ctx)
            return None
        value = table[key]
        message = check(value)
        if message:
            self.add(full, message, value, ctx)
            return None
        return value

    def table(
        self, parent: Mapping[str, Any], key: str, path: str, ctx: str
    ) -> Mapping[str, Any] | None:
        """Return the sub-table ``parent[key]``, or None (one problem recorded, not one a key)."""
        full = _join(path, key)
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            self.add(full, "missing table", context=ctx)
            return None
        if not isinstance(value, Mapping):
            self.add(full, "must be a table", value, ctx)
            return None
        return value

    def array(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.add(key, f"must be an array of tables ([[{key}]])", value)
            return []
        out: list[Mapping[str, Any]] = []
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                out.append(item)
            else:
                self.add(f"{key}[{i}]", "must be a table", item)
                out.append({})
        return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# Value checks: each returns None when the value is fine, else what is expected.


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    return None if value.strip() else "must not be empty"


def _code(value: Any) -> str | None:
    if not isinstance(value, str) or not _CODE_RE.match(value):
        return "must be a code of lower-case letters, digits and '_' starting with a letter"
    if value == OTHER:
        return f"{OTHER!r} is reserved for enterprises outside the catalog"
    return None


def _number(
    lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False
) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if not math.isfinite(value):
            return "must be a finite number"
        below = value <= lo if lo_open else value < lo
        above = value >= hi if hi_open else value > hi
        if below or above:
            left, right = "(" if lo_open else "[", ")" if hi_open else "]"
            hi_text = "inf" if math.isinf(hi) else f"{hi:g}"
            return f"must be in {left}{lo:g}, {hi_text}{right}"
        return None

    return check


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _one_of(options: Iterable[str]) -> Callable[[Any], str | None]:
    allowed = tuple(options)

    def check(value: Any) -> str | None:
        if value in allowed:
            return None
        close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"must be one of {', '.join(map(repr, allowed))}{hint}"

    return check


def _color(value: Any) -> str | None:
    return None if isinstance(value, str) and _COLOR_RE.match(value) else "must be '#RRGGBB'"


def _divisions(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of two-digit GB/T 4754-2017 divisions"
    bad = [v for v in value if not isinstance(v, str) or not _DIVISION_RE.match(v)]
    if bad:
        return f'must be two-digit strings such as "36" (bad: {_fmt(bad)})'
    if len(set(value)) != len(value):
        return "lists a division twice"
    return None


_UNIT = _number(0.0, 1.0)
_POSITIVE = _number(0.0, math.inf, lo_open=True, hi_open=True)
_NON_NEGATIVE = _number(0.0, math.inf, hi_open=True)
_SLOPE = _number(0.0, 90.0, lo_open=True, hi_open=True)
_FAR = _number(0.0, 10.0, lo_open=True)
_CONFIDENCE = _one_of(CONFIDENCE)


def _parse(data: Mapping[str, Any], source: str) -> Catalog:
    r = _Reader()
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: the catalog must be a table, got {type(data).__name__}")
    r.keys(data, _TOP_KEYS, "", "")
    if "schema_version" in data:
        r.get(data, "schema_version", "", "", _one_of_int(1))

    land = _read_land(r, data)
    industries = _read_industries(r, data)
    bases = _read_bases(r, data)
    linkages = _read_linkages(r, data, bases)

    if r.problems:
        n = len(r.problems)
        if n == 1:
            raise ConfigError(f"{source}: {r.problems[0]}")
        listing = "\n".join(f"  - {p}" for p in r.problems)
        raise ConfigError(f"{source}: {n} problems:\n{listing}")

    assert land is not None  # no problems means every part was read
    inds = {
        code: dataclasses.replace(
            ind, bases=tuple(b.code for b in bases.values() if b.parent == code)
        )
        for code, ind in industries.items()
    }
    return Catalog(
        industries=MappingProxyType(inds),
        bases=MappingProxyType(dict(bases)),
        linkages=tuple(linkages),
        land=land,
        source=source,
    )


def _one_of_int(*options: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and value in options:
            return None
        return f"must be {' or '.join(map(str, options))} (the version this package reads)"

    return check


def _read_land(r: _Reader, data: Mapping[str, Any]) -> LandIndicators | None:
    land = r.table(data, "land", "", "")
    if land is None:
        return None
    r.keys(land, _LAND_KEYS, "land", "")
    values = {
        key: r.get(land, key, "land", "", _UNIT)
        for key in ("building_coverage_min", "admin_share_max", "green_ratio_max")
    }
    src = r.get(land, "source", "land", "", _text)
    conf = r.get(land, "confidence", "land", "", _CONFIDENCE, required=False)
    if any(v is None for v in values.values()) or src is None:
        return None
    return LandIndicators(
        building_coverage_min=float(values["building_coverage_min"]),
        admin_share_max=float(values["admin_share_max"]),
        green_ratio_max=float(values["green_ratio_max"]),
        source=src,
        confidence=conf or "H",
    )


def _read_industries(r: _Reader, data: Mapping[str, Any]) -> dict[str, Industry]:
    items = r.array(data, "industries")
    if not items and isinstance(data.get("industries", []), list):
        r.add("industries", "missing: the catalog needs at least one [[industries]] table")
    out: dict[str, Industry] = {}
    colors: dict[str, str] = {}
    divisions: dict[str, str] = {}
    seen: set[str] = set()
    for i, item in enumerate(items):
        path = f"industries[{i}]"
        code = r.get(item, "code", path, "", _code)
        ctx = f" (industry {code!r})" if code else ""
        r.keys(item, _INDUSTRY_KEYS, path, ctx)
        if code is not None and code in seen:
            r.add(f"{path}.code", "duplicate industry code", code)
            code = None
        if code is not None:
            seen.add(code)
        name_zh = r.get(item, "name_zh", path, ctx, _text)
        name_en = r.get(item, "name_en", path, ctx, _text)
        group = r.get(item, "group", path, ctx, _one_of(GROUPS))
        gbt = r.get(item, "gbt4754", path, ctx, _divisions)
        color = r.get(item, "color", path, ctx, _color)
        if color is not None:
            if color.lower() in colors:
                r.add(f"{path}.color", f"same colour as {colors[color.lower()]!r}", color, ctx)
            else:
                colors[color.lower()] = str(code)
        for div in gbt or ():
            if div in divisions:
                r.add(
                    f"{path}.gbt4754",
                    f"division {div} is already listed by {divisions[div]!r}",
                    gbt,
                    ctx,
                )
            else:
                divisions[div] = str(code)

        groups: dict[str, dict[str, Any]] = {}
        provenance: dict[str, Provenance] = {}
        for gname, value_keys in _INDUSTRY_GROUPS.items():
            gpath = f"{path}.{gname}"
            table = r.table(item, gname, path, ctx)
            if table is None:
                groups[gname] = dict.fromkeys(value_keys)
                continue
            r.keys(table, (*value_keys, *_PROVENANCE_KEYS), gpath, ctx)
            values = {k: r.get(table, k, gpath, ctx, _GROUP_CHECKS[gname][k]) for k in value_keys}
            conf = r.get(table, "confidence", gpath, ctx, _CONFIDENCE)
            src = r.get(table, "source", gpath, ctx, _text)
            groups[gname] = values
            if conf is not None and src is not None:
                provenance[gname] = Provenance(confidence=conf, source=src)

        fields = [code, name_zh, name_en, group, gbt, color]
        numbers = [v for g in groups.values() for v in g.values()]
        if any(v is None for v in fields + numbers) or len(provenance) != len(_INDUSTRY_GROUPS):
            continue
        tr, st = groups["transport"], groups["siting"]
        out[code] = Industry(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            group=group,
            gbt4754=tuple(gbt),
            color=color,
            transport=TransportNeeds(**{k: float(v) for k, v in tr.items()}),
            max_slope_deg=float(st["max_slope_deg"]),
            pollution_intensive=bool(st["pollution_intensive"]),
            residential_buffer_m=float(st["residential_buffer_m"]),
            min_far=float(groups["far"]["min"]),
            far_source=provenance["far"].source,
            output_per_mu_wan=float(groups["output"]["per_mu_wan"]),
            investment_per_mu_wan=float(groups["investment"]["per_mu_wan"]),
            tax_per_mu_wan=float(groups["tax"]["per_mu_wan"]),
            provenance=MappingProxyType(provenance),
        )
    return out


_GROUP_CHECKS: dict[str, dict[str, Callable[[Any], str | None]]] = {
    "transport": dict.fromkeys(TRANSPORT_MODES, _UNIT),
    "siting": {
        "max_slope_deg": _SLOPE,
        "pollution_intensive": _boolean,
        "residential_buffer_m": _NON_NEGATIVE,
    },
    "far": {"min": _FAR},
    "output": {"per_mu_wan": _POSITIVE},
    "investment": {"per_mu_wan": _POSITIVE},
    "tax": {"per_mu_wan": _POSITIVE},
}


def _read_bases(r: _Reader, data: Mapping[str, Any]) -> dict[str, Base]:
    declared = _declared_codes(data.get("industries"))
    out: dict[str, Base] = {}
    seen: set[str] = set()
    for i, item in enumerate(r.array(data, "bases")):
        path = f"bases[{i}]"
        code = r.get(item, "code", path, "", _code)
        ctx = f" (base {code!r})" if code else ""
        r.keys(item, _BASE_KEYS, path, ctx)
        if code is not None and (code in seen or code in declared):
            what = "production base" if code in seen else "code: it is already an industry code"
            r.add(f"{path}.code", f"duplicate {what}", code)
            code = None
        if code is not None:
            seen.add(code)
        name_zh = r.get(item, "name_zh", path, ctx, _text)
        name_en = r.get(item, "name_en", path, ctx, _text)
        parent = r.get(item, "parent", path, ctx, _text)
        if parent is not None and declared and parent not in declared:
            r.add(f"{path}.parent", _unknown_code_hint(parent, declared), parent, ctx)
            parent = None
        scale = r.get(item, "scale", path, ctx, _one_of(SCALES))
        polluting = r.get(item, "pollution_intensive", path, ctx, _boolean, required=False)
        buffer = r.get(item, "residential_buffer_m", path, ctx, _NON_NEGATIVE, required=False)
        far = r.get(item, "min_far", path, ctx, _FAR, required=False)
        if None in (code, name_zh, name_en, parent, scale):
            continue
        out[code] = Base(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            parent=parent,
            scale=scale,
            pollution_intensive=polluting,
            residential_buffer_m=None if buffer is None else float(buffer),
            min_far=None if far is None else float(far),
        )
    return out


def _declared_codes(items: Any) -> list[str]:
    """Return the well-formed codes an array of tables declares, each once, in file order.

    Industries or bases with other bad values still count, so that one bad value does not also
    turn every reference to its code into an "unknown code" problem.
    """
    if not isinstance(items, list):
        return []
    codes = [item.get("code") for item in items if isinstance(item, Mapping)]
    return list(dict.fromkeys(str(c) for c in codes if _code(c) is None))


def _declared_parents(items: Any) -> dict[str, str]:
    if not isinstance(items, list):
        return {}
    return {
        item["code"]: str(item.get("parent", "?"))
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get("code"), str)
    }


def _unknown_code_hint(code: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(code, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown industry code; {hint}known codes: {', '.join(known)}"


def _read_linkages(r: _Reader, data: Mapping[str, Any], bases: Mapping[str, Base]) -> list[Linkage]:
    declared = _declared_codes(data.get("industries"))
    declared_bases = _declared_codes(data.get("bases"))
    base_parents = _declared_parents(data.get("bases"))
    out: list[Linkage] = []
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(r.array(data, "linkages")):
        path = f"linkages[{i}]"
        src, tgt = item.get("source"), item.get("target")
        ctx = f" (edge {src} → {tgt})" if isinstance(src, str) and isinstance(tgt, str) else ""
        r.keys(item, _LINK_KEYS, path, ctx)
        ends: list[str | None] = []
        for key in ("source", "target"):
            value = r.get(item, key, path, ctx, _text)
            if value is not None and declared and value not in declared:
                if value in declared_bases:
                    parent = base_parents.get(value, "?")
                    msg = (
                        f"{value!r} is a production base; link its industry {parent!r} and "
                        f"set via_base = {value!r}"
                    )
                else:
                    msg = _unknown_code_hint(value, declared)
                r.add(f"{path}.{key}", msg, value, ctx)
                value = None
            ends.append(value)
        source, target = ends
        weight = r.get(item, "weight", path, ctx, _UNIT)
        why = r.get(item, "why", path, ctx, _text)
        via = r.get(item, "via_base", path, ctx, _text, required=False)
        if source is not None and source == target:
            r.add(f"{path}.target", "a linkage cannot join an industry to itself", target, ctx)
            continue
        if source is not None and target is not None:
            if (source, target) in seen:
                r.add(path, f"duplicate of linkages[{seen[(source, target)]}]", context=ctx)
                continue
            seen[(source, target)] = i
        if via is not None:
            if via not in declared_bases:
                close = difflib.get_close_matches(via, declared_bases, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                r.add(f"{path}.via_base", f"unknown production base{hint}", via, ctx)
                via = None
            elif via in bases and bases[via].parent not in (source, target):
                r.add(
                    f"{path}.via_base",
                    f"base of {bases[via].parent!r}, which is neither end of the edge",
                    via,
                    ctx,
                )
                via = None
        if source is None or target is None or weight is None or why is None:
            continue
        if "via_base" in item and via is None:
            continue
        out.append(
            Linkage(source=source, target=target, weight=float(weight), why=why, via_base=via)
        )
    return out
