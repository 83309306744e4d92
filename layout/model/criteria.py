"""The suitability criteria as a vocabulary: each declared once, with its defaults.

Each criterion turns the plan inputs into a raw raster for one industry (in the unit stated in
its declaration), which a transform (`layout.core.transforms`) maps to 0–1 suitability.
Criteria are grouped by the principle they serve:

* 集聚 agglomeration — ``density``, ``hotspot``, ``lq``;
* 集群 clustering — ``linkage_upstream``, ``linkage_downstream``, ``anchor``;
* 集约 intensive use — ``zone_fit``, ``zone_efficiency``, ``land_available``, ``infill``;
* access and 产城融合 — ``expressway``, ``rail_freight``, ``airport``, ``labour``,
  ``residential_buffer``;
* terrain — ``slope``.

How each is computed is `layout.analysis.criteria`; how a plan configures them (weights,
parameters, transforms per industry) is `layout.config.criteria`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from layout.model.table import Number, RawKey, Table, validate
from layout.model.transforms import AnyTransform

#: Criterion groups: Chinese and English names.
GROUPS: dict[str, tuple[str, str]] = {
    "agglomeration": ("集聚", "agglomeration"),
    "clustering": ("集群", "clustering"),
    "intensive": ("集约", "intensive use"),
    "access": ("交通与产城融合", "access and 产城融合"),
    "terrain": ("地形", "terrain"),
}


@dataclass(frozen=True)
class Criterion:
    """A criterion's declaration: group, labels, raw unit, parameters, default transform, inputs.

    ``inputs`` names the plan input layers (`layout.model.layers.INPUT_NAMES`) its computation
    reads; the computation itself is `layout.analysis.criteria.COMPUTE` under the same name.
    """

    name: str
    group: str
    label_zh: str
    label_en: str
    unit: str
    params: Mapping[str, Any]
    transform: Mapping[str, Any]
    doc: str
    inputs: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        """The criterion's label in Chinese (``zh``) or English (``en``)."""
        return self.label_zh if lang == "zh" else self.label_en


def _c(
    name: str,
    group: str,
    zh: str,
    en: str,
    unit: str,
    params: dict[str, Any],
    transform: dict[str, Any],
    doc: str,
    inputs: tuple[str, ...],
) -> Criterion:
    return Criterion(name, group, zh, en, unit, params, transform, doc, inputs)


#: Every criterion, in the order of the bands of the score GeoTIFF.
CRITERIA: dict[str, Criterion] = {
    c.name: c
    for c in [
        _c(
            "density",
            "agglomeration",
            "同业集聚密度",
            "same-industry density",
            "share of peak",
            {"bandwidth_m": 3000.0, "weight_column": "output_wan"},
            {"kind": "linear", "low": 0.0, "high": 0.3},
            "Output-weighted Gaussian kernel density of same-industry enterprises (bandwidth "
            "bandwidth_m), as a share of its peak over the study area.",
            ("enterprises",),
        ),
        _c(
            "hotspot",
            "agglomeration",
            "热点 Gi*",
            "Gi* hot spot",
            "z-score",
            {"radius_m": 1000.0, "metric": "queen", "weight_column": "output_wan"},
            {"kind": "logistic", "midpoint": 1.96, "steepness": 2.0},
            "Getis-Ord Gi* z-score of same-industry output per cell, binary weights over the "
            "cells within radius_m (metric queen: the square window of side 2 radius_m + 1 cell; "
            "distance: the disk), the cell included.",
            ("enterprises",),
        ),
        _c(
            "lq",
            "agglomeration",
            "区位商",
            "location quotient",
            "LQ",
            {"measure": "output_wan"},
            {"kind": "linear", "low": 0.5, "high": 2.0},
            "Location quotient of the industry in the zone holding the cell, or in its county "
            "outside zones.",
            ("enterprises", "zones", "counties"),
        ),
        _c(
            "linkage_upstream",
            "clustering",
            "上游供应链关联",
            "upstream linkage (suppliers)",
            "share of p99 (up + down)",
            {"bandwidth_m": 5000.0, "weight_column": "output_wan"},
            {"kind": "linear", "low": 0.0, "high": 1.0},
            "Output density of the industry's suppliers (catalog links into it), each weighted by "
            "its link strength: sum_j s_j d_j, d_j in 万元/km² (kernel density, bandwidth_m); "
            "divided by the 99th percentile over the study area of upstream + downstream, "
            "clipped at 1 (docs/linkage.md).",
            ("enterprises",),
        ),
        _c(
            "linkage_downstream",
            "clustering",
            "下游客户关联",
            "downstream linkage (customers)",
            "share of p99 (up + down)",
            {"bandwidth_m": 5000.0, "weight_column": "output_wan"},
            {"kind": "linear", "low": 0.0, "high": 1.0},
            "Output density of the industry's customers (catalog links out of it), each weighted "
            "by its link strength, on the same scale as linkage_upstream (docs/linkage.md).",
            ("enterprises",),
        ),
        _c(
            "anchor",
            "clustering",
            "龙头企业邻近",
            "anchor proximity",
            "m",
            {},
            {"kind": "near", "midpoint": 6000.0},
            "Straight-line distance to the nearest anchor enterprise of this or a related industry "
            "(anchor = true; without anchors, the ten largest firms by output).",
            ("enterprises",),
        ),
        _c(
            "zone_fit",
            "intensive",
            "主导产业契合",
            "zone leading-industry fit",
            "class",
            {},
            {"kind": "categorical", "mapping": {"2": 1.0, "1": 0.5, "0": 0.1}},
            "2 inside a zone whose leading industries include this one, 1 inside another zone, "
            "0 outside every zone.",
            ("zones",),
        ),
        _c(
            "zone_efficiency",
            "intensive",
            "亩均产出",
            "output per mu",
            "ratio to benchmark",
            {},
            {"kind": "linear", "low": 0.0, "high": 1.5},
            "Current output per mu of the zone holding the cell (its county's outside zones) "
            "divided by the industry's reference output per mu in the catalog.",
            ("enterprises", "zones", "counties"),
        ),
        _c(
            "land_available",
            "intensive",
            "可开发用地",
            "developable land",
            "share",
            {"outside": 0.3},
            {"kind": "identity"},
            "Share of the zone not yet built up (1 - built_share); outside zones the constant "
            "`outside` (greenfield land is available, but infill inside zones comes first).",
            ("zones",),
        ),
        _c(
            "infill",
            "intensive",
            "存量工业用地邻近",
            "infill (near industrial land)",
            "m",
            {},
            {"kind": "near", "midpoint": 1500.0},
            "Straight-line distance to the nearest cell holding an existing enterprise of any "
            "industry: infill rather than isolated greenfield.",
            ("enterprises",),
        ),
        _c(
            "expressway",
            "access",
            "高速互通",
            "expressway interchange",
            "min",
            {"offroad_kmh": 15.0},
            {"kind": "near", "midpoint": 15.0},
            "Travel time in minutes to the nearest expressway interchange: off-road at "
            "offroad_kmh to a road, along the roads at their speeds, expressways and railways "
            "crossed only where a road crosses them (layout.analysis.travel). Midpoint 15 "
            "minutes: the planning target 15 分钟上高速.",
            ("transport_lines", "transport_points"),
        ),
        _c(
            "rail_freight",
            "access",
            "铁路货运",
            "rail freight",
            "min",
            {"offroad_kmh": 15.0},
            {"kind": "near", "midpoint": 30.0},
            "Travel time in minutes to the nearest freight-rail station, as for expressway. "
            "Midpoint 30 minutes: the half-hour logistics circle around a hub.",
            ("transport_lines", "transport_points"),
        ),
        _c(
            "airport",
            "access",
            "机场",
            "airport",
            "min",
            {"offroad_kmh": 15.0},
            {"kind": "near", "midpoint": 30.0},
            "Travel time in minutes to the airport, as for expressway. Midpoint 30 minutes: "
            "the half-hour logistics circle around a hub.",
            ("transport_lines", "transport_points"),
        ),
        _c(
            "labour",
            "access",
            "劳动力（产城融合）",
            "labour pool (产城融合)",
            "m",
            {},
            {"kind": "near", "midpoint": 5000.0},
            "Straight-line distance to the nearest built-up urban area (jobs near housing).",
            ("urban_areas",),
        ),
        _c(
            "residential_buffer",
            "access",
            "居住防护距离",
            "residential buffer",
            "m",
            {},
            {"kind": "threshold", "threshold": "catalog"},
            "Distance to the nearest urban area, for pollution-intensive industries only: 1 beyond "
            "the catalog's residential_buffer_m, 0 inside it.",
            ("urban_areas",),
        ),
        _c(
            "slope",
            "terrain",
            "坡度",
            "slope",
            "degrees",
            {},
            {"kind": "linear", "low": "catalog", "high": 0.0},
            "Terrain slope from the DEM (Horn's method); 1 on flat land, 0 at the industry's "
            "max_slope_deg; steeper cells are excluded (flag steep_slope).",
            ("dem",),
        ),
    ]
}


#: The two sides of supply-chain linkage; a shared ``linkage`` weight is split over them by the
#: sum of the link strengths on each side (`layout.config.criteria.industry_weights`).
LINKAGE_SIDES: tuple[str, str] = ("linkage_upstream", "linkage_downstream")

#: Keys accepted in [weights] tables: the criteria plus the shared access and linkage weights.
WEIGHT_KEYS: tuple[str, ...] = (*CRITERIA, "access_transport", "linkage")


#: Default weights (before normalising) when a plan gives none.
DEFAULT_WEIGHTS: dict[str, float] = {
    "density": 0.10,
    "hotspot": 0.07,
    "lq": 0.08,
    "linkage": 0.12,
    "anchor": 0.08,
    "zone_fit": 0.10,
    "zone_efficiency": 0.05,
    "land_available": 0.05,
    "infill": 0.05,
    "access_transport": 0.14,
    "labour": 0.06,
    "residential_buffer": 0.05,
    "slope": 0.05,
}


#: Enterprise columns a criterion may weight by (``count`` = one per enterprise).
WEIGHT_COLUMNS = ("output_wan", "employees", "tax_wan", "land_mu", "count")


#: The type of each criterion parameter, by name (the same name means the same thing).
PARAM_TYPES: dict[str, Any] = {
    "bandwidth_m": Annotated[Number, Field(gt=0)],
    "radius_m": Annotated[Number, Field(gt=0)],
    "weight_column": Literal[WEIGHT_COLUMNS],
    "measure": Literal[WEIGHT_COLUMNS[:-1]],
    "metric": Literal["queen", "distance"],
    "outside": Annotated[Number, Field(ge=0, le=1)],
    "offroad_kmh": Annotated[Number, Field(gt=0)],
}


def _criterion_table(crit: Criterion) -> type[Table]:
    """The model of a ``[criteria.NAME]`` table: the criterion's parameters and a transform."""
    fields: dict[str, Any] = {
        key: (PARAM_TYPES[key] | None, None) for key in crit.params
    }
    fields["transform"] = (AnyTransform | None, None)
    model: type[Table] = create_model(
        f"{crit.name.title().replace('_', '')}Table",
        __base__=Table,
        __doc__=f"The ``[criteria.{crit.name}]`` table: {', '.join(crit.params) or 'no'} "
        "parameters and a transform.",
        **fields,
    )
    return model


#: The model of each criterion's table, by criterion name.
CRITERION_TABLES: dict[str, type[Table]] = {n: _criterion_table(c) for n, c in CRITERIA.items()}

#: The model of a ``[criteria]`` section: an optional table per criterion.
CriteriaTable: type[Table] = create_model(  # type: ignore[call-overload]
    "CriteriaTable",
    __base__=Table,
    __doc__="A ``[criteria]`` section: parameter and transform overrides by criterion name.",
    **{name: (model | None, None) for name, model in CRITERION_TABLES.items()},
)


def check_params(name: str, params: Mapping[str, Any], *, where: str) -> None:
    """Check a criterion's parameter values (not its transform); errors name the key.

    Examples
    --------
    >>> check_params("density", {"bandwidth_m": -5}, where="plan.toml: criteria.density")
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: plan.toml: criteria.density.bandwidth_m = -5: must be > 0
    """
    label, _, path = where.partition(": ")
    values = {k: v for k, v in params.items() if k != "transform"}
    validate(CRITERION_TABLES[name], values, label=label, prefix=[RawKey(path)] if path else [])


#: The contribution of the learned model to a blended score (``[suitability] learned_weight``,
#: `layout.scoring.presence.learned_probability`): not a criterion, but listed with their
#: contributions wherever contributions are listed.
LEARNED = "learned"
#: Group and labels (Chinese, English) of the `LEARNED` contribution.
LEARNED_GROUP = "learned"
LEARNED_LABELS: tuple[str, str] = ("学习模型（现有企业）", "learned model (today's firms)")


def contribution_label(name: str, lang: str = "zh") -> str:
    """Label of a score contribution: a criterion's, the learned model's, else the name itself.

    Examples
    --------
    >>> contribution_label("learned", "en"), contribution_label("slope", "en")
    ("learned model (today's firms)", 'slope')
    """
    if name == LEARNED:
        return LEARNED_LABELS[0] if lang == "zh" else LEARNED_LABELS[1]
    crit = CRITERIA.get(name)
    return crit.label(lang) if crit is not None else name


def contribution_group(name: str) -> str:
    """Group of a score contribution (`GROUPS`, `LEARNED_GROUP`; empty for an unknown name)."""
    if name == LEARNED:
        return LEARNED_GROUP
    crit = CRITERIA.get(name)
    return crit.group if crit is not None else ""
