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
>>> from layout.config.catalog import load_catalog
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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from layout.errors import UnknownIndustryError
from layout.model.industry import (
    Base,
    ControlIndicator,
    Industry,
    LandIndicators,
    Linkage,
    Provenance,
    TransportNeeds,
)

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
    "ControlIndicator",
    "Industry",
    "LandIndicators",
    "Linkage",
    "Provenance",
    "TransportNeeds",
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

_DEFAULT_NAME = "layout/config/industries.toml"
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_DIVISION_RE = re.compile(r"^[0-9]{2}$")


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """The industries, production bases, linkages and land indicators of one catalog file.

    Build one with `layout.config.catalog.load_catalog` (from TOML) or
    `layout.config.catalog.parse_catalog` (from parsed data); both validate. The mappings are
    read-only and keep the file's order.

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

    # -- look-ups ------------------------------------------------------------------------------

    @property
    def codes(self) -> tuple[str, ...]:
        """Industry codes in canonical order.

        Examples
        --------
        >>> from layout.config.catalog import load_catalog
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
        >>> from layout.config.catalog import load_catalog
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
            raise UnknownIndustryError(self.unknown_message(code, allow_other=False)) from None

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
        >>> from layout.config.catalog import load_catalog
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
        >>> from layout.config.catalog import load_catalog
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
        >>> from layout.config.catalog import load_catalog
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
        >>> from layout.config.catalog import load_catalog
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
        return self._ordered(weights)

    def suppliers(self, code: str) -> dict[str, float]:
        """Return the industries that supply ``code`` (its upstream), with the link strength.

        Ordered strongest first, ties in canonical order.

        Examples
        --------
        >>> from layout.config.catalog import load_catalog
        >>> load_catalog().suppliers("auto")
        {'aluminium': 0.8, 'electronics': 0.6, 'new_materials': 0.6, 'textiles': 0.4}
        """
        self.industry(code)
        return self._ordered({k.source: k.weight for k in self.linkages if k.target == code})

    def customers(self, code: str) -> dict[str, float]:
        """Return the industries that ``code`` supplies (its downstream), with the link strength.

        Ordered strongest first, ties in canonical order.

        Examples
        --------
        >>> from layout.config.catalog import load_catalog
        >>> load_catalog().customers("auto")
        {'aluminium': 0.3, 'food': 0.3, 'textiles': 0.2}
        """
        self.industry(code)
        return self._ordered({k.target: k.weight for k in self.linkages if k.source == code})

    def _ordered(self, weights: dict[str, float]) -> dict[str, float]:
        order = {c: i for i, c in enumerate(self.industries)}
        return dict(sorted(weights.items(), key=lambda kv: (-kv[1], order[kv[0]])))

    # -- export --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the catalog as JSON-serialisable data (lists keep the canonical order).

        Bases carry their effective values (inherited ones filled in) and list the keys they
        override in ``overrides``.

        Examples
        --------
        >>> from layout.config.catalog import load_catalog
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

    def unknown_message(self, code: object, *, allow_other: bool) -> str:
        """The message for an unknown industry code: a hint, then the known codes."""
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
