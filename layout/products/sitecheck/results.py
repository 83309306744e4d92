"""What a site check finds: the result types of `check_parcels` and their JSON forms.

`SiteCheck` is the assessment of one parcel: the `Reason` list behind its verdict, the
`ConstraintOverlap` and `ZoneOverlap` findings, the `Suitability` (with one `Contribution` per
criterion), the `IndustryScore` ranking (place → industries) and the better `Alternative` sites.
Each has ``to_dict``, its part of the JSON document (docs/sitecheck.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import shapely

from layout.model.constraints import CONSTRAINT_TYPES
from layout.products.sitecheck.landuse import LandUseShare

#: Version of the JSON document `to_json` writes (docs/sitecheck.md).
SCHEMA_VERSION = "1.2"
#: Verdicts, best first.
VERDICTS: tuple[str, ...] = ("suitable", "conditional", "unsuitable")
#: Severities of reasons, most serious first.
SEVERITIES: tuple[str, ...] = ("unsuitable", "conditional", "info", "ok")
#: Kinds of reasons, in the order they are listed within one severity.
KINDS: tuple[str, ...] = (
    "study_area",
    "constraint",
    "zone",
    "score",
    "indicator",
    "industries",
    "alternatives",
)


def constraint_labels(kind: str) -> tuple[str, str]:
    """Chinese label and English phrase of a drawn or derived constraint type."""
    known = CONSTRAINT_TYPES.get(kind)
    if known is None or kind == "outside_study_area":
        return kind, kind.replace("_", " ")
    return known.label_zh, known.phrase_en


@dataclass(frozen=True)
class Reason:
    """One finding about a parcel.

    Attributes
    ----------
    severity
        ``unsuitable``, ``conditional``, ``info`` or ``ok`` (`SEVERITIES`).
    kind
        What it is about (`KINDS`).
    code
        A stable machine-readable code (``constraint_overlap``, ``not_leading``...).
    message
        One sentence for people (English).
    message_zh
        The same in Chinese (empty when none was written: documents then show ``message``).
    """

    severity: str
    kind: str
    code: str
    message: str
    message_zh: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"severity": self.severity, "kind": self.kind, "code": self.code,
                "message": self.message, "message_zh": self.message_zh or self.message}


@dataclass(frozen=True)
class ConstraintFeature:
    """One constraint polygon overlapping the parcel."""

    constraint_id: str
    name_zh: str
    name_en: str
    legal_basis: str
    area_mu: float
    share: float
    confidence: str = ""


@dataclass(frozen=True)
class ConstraintOverlap:
    """The overlap of one constraint type with the parcel (its features merged).

    Attributes
    ----------
    type
        Constraint type (docs/data_model.md), or ``steep_slope`` (from the flags raster).
    excluding
        True when the plan excludes this type.
    area_mu, share
        Overlapping area (mu) and its share of the parcel (0–1).
    legal_basis
        The legal bases of the overlapping features, ``;``-joined.
    features
        The overlapping features (empty for ``steep_slope``).
    geometry
        The overlapping area in the plan CRS (None for ``steep_slope``).
    """

    type: str
    excluding: bool
    area_mu: float
    share: float
    legal_basis: str
    features: tuple[ConstraintFeature, ...] = ()
    geometry: shapely.Geometry | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "type": self.type,
            "label_zh": constraint_labels(self.type)[0],
            "excluding": self.excluding,
            "area_mu": _r(self.area_mu, 3),
            "share": _r(self.share, 5),
            "legal_basis": self.legal_basis,
            "features": [
                {
                    "constraint_id": f.constraint_id,
                    "name_zh": f.name_zh,
                    "name_en": f.name_en,
                    "legal_basis": f.legal_basis,
                    "area_mu": _r(f.area_mu, 3),
                    "share": _r(f.share, 5),
                    "confidence": f.confidence,
                }
                for f in self.features
            ],
        }


@dataclass(frozen=True)
class ZoneOverlap:
    """A cluster zone the parcel overlaps.

    Attributes
    ----------
    zone_id, name_zh, name_en
        The zone.
    share, area_mu
        Share of the parcel inside the zone (0–1), and that area in mu.
    leading
        The zone's leading industry codes.
    industry_leading
        True when the checked industry is among them.
    """

    zone_id: str
    name_zh: str
    name_en: str
    share: float
    area_mu: float
    leading: tuple[str, ...]
    industry_leading: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "zone_id": self.zone_id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "share": _r(self.share, 5),
            "area_mu": _r(self.area_mu, 3),
            "leading": list(self.leading),
            "industry_leading": self.industry_leading,
        }


@dataclass(frozen=True)
class Contribution:
    """A criterion's part of the parcel's mean score."""

    criterion: str
    label_en: str
    label_zh: str
    group: str
    weight: float
    value: float
    points: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "criterion": self.criterion,
            "label_en": self.label_en,
            "label_zh": self.label_zh,
            "group": self.group,
            "weight": _r(self.weight, 6),
            "value": _r(self.value, 4),
            "points": _r(self.points, 3),
        }


@dataclass(frozen=True)
class Suitability:
    """The parcel's suitability for the checked industry.

    Attributes
    ----------
    mean, min
        Area-weighted mean score and the minimum over covered cells (0–100).
    percentile
        Share (%) of the study area's eligible cells scoring at most ``mean``.
    eligible_share
        Share of the parcel on cells no hard constraint excludes (raster view).
    contributions
        Criterion contributions, largest first; their points sum to ``mean``.
    """

    mean: float
    min: float
    percentile: float
    eligible_share: float
    contributions: tuple[Contribution, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "mean": _r(self.mean, 3),
            "min": _r(self.min, 3),
            "percentile": _r(self.percentile, 3),
            "eligible_share": _r(self.eligible_share, 5),
            "contributions": [c.to_dict() for c in self.contributions],
        }


@dataclass(frozen=True)
class IndustryScore:
    """One priority industry's mean score on the parcel (place → industries)."""

    code: str
    name_zh: str
    name_en: str
    mean_score: float
    rank: int
    leading_in_zone: bool
    checked: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rank": self.rank,
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "mean_score": _r(self.mean_score, 3),
            "leading_in_zone": self.leading_in_zone,
            "checked": self.checked,
        }


@dataclass(frozen=True)
class Alternative:
    """A nearby site scoring clearly higher for the industry.

    Attributes
    ----------
    rank
        1 = nearest.
    source
        ``"raster"`` (a region of the score raster) or ``"plan"`` (a site of ``plan.gpkg``).
    site_id
        The plan's site id, or ``"R<rank>"`` for a raster region.
    distance_m
        Distance from the parcel: cell centres (raster sites, ±1 cell) or polygons (plan sites).
    direction
        Compass direction from the parcel's centroid to the site's centroid (``NE``...).
    area_mu
        Area of the site (a raster site has as many cells as the parcel covers).
    mean_score, max_score
        Scores over the site.
    gain
        ``mean_score`` minus the parcel's mean score.
    lon, lat
        WGS84 centroid of the site.
    zone_id
        The zone holding the site's centroid, or empty.
    region_area_mu
        Area of the connected better region the raster site was cut from (within the radius);
        NaN for plan sites.
    geometry
        The site in the plan CRS (None unless asked for).
    """

    rank: int
    source: str
    site_id: str
    distance_m: float
    direction: str
    area_mu: float
    mean_score: float
    max_score: float
    gain: float
    lon: float
    lat: float
    zone_id: str = ""
    region_area_mu: float = float("nan")
    geometry: shapely.Geometry | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rank": self.rank,
            "source": self.source,
            "site_id": self.site_id,
            "distance_m": _r(self.distance_m, 1),
            "direction": self.direction,
            "area_mu": _r(self.area_mu, 2),
            "mean_score": _r(self.mean_score, 3),
            "max_score": _r(self.max_score, 3),
            "gain": _r(self.gain, 3),
            "lon": _r(self.lon, 6),
            "lat": _r(self.lat, 6),
            "zone_id": self.zone_id,
            "region_area_mu": _r(self.region_area_mu, 2),
        }


@dataclass(frozen=True)
class StandardCheck:
    """One indicator of a zone's standard land (标准地) against the project's value.

    Attributes
    ----------
    zone_id
        The zone whose standard it is.
    key, field
        The standard's key (`layout.model.standard.STANDARD_FIELDS`) and the project field.
    label_zh, label_en, unit, op
        The indicator.
    standard
        The zone's value.
    national
        The national control value of the same field (None when there is none).
    value
        The project's value (None when the project gives none).
    passed
        None without a project value, else whether it meets the zone's value.
    source
        Where the zone's standard comes from (the plan's ``source``).
    """

    zone_id: str
    key: str
    field: str
    label_zh: str
    label_en: str
    unit: str
    op: str
    standard: float
    national: float | None
    value: float | None
    passed: bool | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "zone_id": self.zone_id, "key": self.key, "field": self.field,
            "label_zh": self.label_zh, "label_en": self.label_en, "unit": self.unit,
            "op": self.op, "standard": self.standard, "national": self.national,
            "value": self.value, "passed": self.passed, "source": self.source,
        }


@dataclass(frozen=True)
class SiteCheck:
    """The assessment of one parcel for one industry.

    Attributes
    ----------
    parcel_id
        The parcel's id.
    industry
        The checked industry code.
    verdict
        ``suitable``, ``conditional`` or ``unsuitable``.
    reasons
        Every finding, most serious first.
    area_mu, area_ha
        Parcel area (plan CRS).
    lon, lat
        WGS84 centroid.
    outside_share
        Share of the parcel outside the study area.
    constraints
        Overlaps by constraint type, largest share first.
    excluded_overlap_mu, excluded_overlap_share
        Area and share covered by any excluding constraint polygon (merged, exact); steep ground
        is a raster measure and counts in ``constraints`` only.
    zone
        The zone holding most of the parcel, or None outside every zone.
    zones
        Every zone the parcel overlaps, largest share first.
    suitability
        Scores for the checked industry.
    industries
        Every priority industry by mean score on the parcel (place → industries).
    alternatives
        Better sites nearby, nearest first.
    indicators
        Land-indicator checks, or None when no indicators were given.
    warnings
        Repairs and assumptions made while reading the parcel.
    standard
        The zone's standard-land indicators (标准地) against the project's values, or None when
        the parcel's zone has none.
    landuse
        The parcel's land-use codes by area, dominant first (`layout.products.sitecheck.landuse`);
        empty when it meets no patch, None when the plan has no land-use layer.
    geometry
        The parcel in the plan CRS.
    """

    parcel_id: str
    industry: str
    verdict: str
    reasons: tuple[Reason, ...]
    area_mu: float
    area_ha: float
    lon: float
    lat: float
    outside_share: float
    constraints: tuple[ConstraintOverlap, ...]
    excluded_overlap_mu: float
    excluded_overlap_share: float
    zone: ZoneOverlap | None
    zones: tuple[ZoneOverlap, ...]
    suitability: Suitability
    industries: tuple[IndustryScore, ...]
    alternatives: tuple[Alternative, ...]
    indicators: tuple[Any, ...] | None
    warnings: tuple[str, ...] = ()
    standard: tuple[StandardCheck, ...] | None = None
    landuse: tuple[LandUseShare, ...] | None = None
    geometry: shapely.Geometry | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (one element of ``parcels`` in docs/sitecheck.md)."""
        return {
            "parcel_id": self.parcel_id,
            "verdict": self.verdict,
            "area_mu": _r(self.area_mu, 3),
            "area_ha": _r(self.area_ha, 4),
            "lon": _r(self.lon, 6),
            "lat": _r(self.lat, 6),
            "reasons": [r.to_dict() for r in self.reasons],
            "study_area": {"outside_share": _r(self.outside_share, 5)},
            "constraints": [c.to_dict() for c in self.constraints],
            "excluded_overlap": {
                "area_mu": _r(self.excluded_overlap_mu, 3),
                "share": _r(self.excluded_overlap_share, 5),
            },
            "zone": self.zone.to_dict() if self.zone else None,
            "zones": [z.to_dict() for z in self.zones],
            "suitability": self.suitability.to_dict(),
            "industries": [i.to_dict() for i in self.industries],
            "alternatives": [a.to_dict() for a in self.alternatives],
            "indicators": None
            if self.indicators is None
            else [c.to_dict() for c in self.indicators],
            "warnings": list(self.warnings),
            "standard": None if self.standard is None else [c.to_dict() for c in self.standard],
            "landuse": None if self.landuse is None else [u.to_dict() for u in self.landuse],
        }


def _r(value: float, digits: int) -> float | None:
    """Round for JSON; NaN becomes null."""
    v = float(value)
    return None if math.isnan(v) else round(v, digits)
