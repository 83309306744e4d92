"""Site check (``layout check-site``): whether a parcel suits a proposed industrial project.

A land department receives a proposed project -- a parcel boundary, an industry, perhaps the
project's planned land indicators -- and needs a defensible answer in seconds. `check_parcels`
gives, for each parcel, a verdict (``suitable``, ``conditional`` or ``unsuitable``) and every
reason behind it, most serious first:

1. **study area** -- the share of the parcel outside the plan's boundary;
2. **hard constraints** -- each constraint type the parcel overlaps (三区三线 and others), with its
   legal basis, the overlapping area in mu and its share of the parcel, computed exactly on the
   vector layers in the plan CRS (EPSG:4547); steep ground comes from the flags raster;
3. **zone** -- the cluster zone holding most of the parcel and whether the industry is among its
   leading industries (三规合一 consistency), or that the parcel lies outside every zone;
4. **suitability** -- mean and minimum score over the parcel, its percentile among the eligible
   cells of the study area, and the criterion contributions that make the mean;
5. **land indicators** (when given) -- against the national control indicators
   (`layout.data.indicators`);
6. **place → industries** -- every priority industry ranked by its mean score on the parcel;
7. **better alternatives** -- the nearest sites within ``radius_m`` whose score is clearly
   higher for this industry.

Scores come from the score cache (`layout.scoring.cache`), read in raster windows around the parcels;
constraints and zones from the cache's copy of the vector layers. Nothing of the scoring
pipeline runs once the cache exists.

How a parcel is measured
------------------------
The parcel is projected to the plan CRS. Each grid cell it touches gets the weight of the
area it shares with the parcel (exact polygon clipping), so the *mean score* is the
area-weighted mean of the score raster (excluded cells count with their score, 0) over the part
inside the study area, and each criterion's *contribution* is the same mean of
``100 * weight * value`` over eligible cells -- the contributions add up to the mean score.
The *minimum* is taken over the cells the parcel covers at least 10 % of (at least the one it
covers most). The *percentile* is the share of the study area's eligible cells whose score is
at most the parcel's mean (from the cached quantiles, within 0.005 points).

Verdict rules (`VerdictRules`, every threshold a keyword)
-------------------------------------------------------
``unsuitable`` when any of

* a constraint type the plan excludes overlaps more than ``max_overlap_share`` (5 %) of the
  parcel or more than ``max_overlap_mu`` (15 mu, 1 ha), or all excluding types together do;
* the mean score is below ``score_floor`` (15), or below ``score_unsuitable`` (25) while the
  parcel lies outside every zone (less than ``min_zone_share``, 50 %, inside one);

``conditional`` when none of those holds but any of

* a smaller excluding overlap of at least ``sliver_mu`` (0.15 mu, 100 m²: below that it is
  reported as a sliver within the precision of the boundaries), or any overlap of a constraint
  type the plan does not exclude;
* part of the parcel (more than ``outside_tolerance``, 0.1 %) lies outside the study area;
* the parcel lies outside every zone, only partly in one, or in a zone whose leading
  industries do not include this one;
* the mean score is below ``score_conditional`` (40, about the 80th percentile of every
  industry's scores on the embedded data);
* a land indicator fails its control value;

``suitable`` otherwise. Better alternatives and better-suited industries are reported
(severity ``info``) but never change the verdict: they inform, the rules decide.

Why these thresholds: farmland and red lines are binding (土地管理法, 三条控制线), but boundaries of
planning layers drawn at 1:10,000 carry metres of error, so only overlaps above a sliver count,
and only large ones (5 % or one hectare: more than a boundary adjustment can resolve) rule a
parcel out. Zone inconsistency and failing indicators are fixable by the applicant (a 三规合一
consistency review; revised building plans), so they make a parcel conditional, not unsuitable.

Alternatives
------------
With a plan's sites (``plan_sites``, the ``sites`` layer of ``plan.gpkg``,
docs/plan_outputs.md), the alternatives are the sites of this industry within ``radius_m`` of
the parcel whose mean score exceeds the parcel's by at least ``alt_margin`` points (10) and
whose area is at least the parcel's. Without one they come from the cached score raster: the
connected regions (8-neighbour) of eligible cells outside the parcel, within ``radius_m`` of it
(cell-centre distance, so ±1 cell), scoring at least the parcel's mean + ``alt_margin``, with
at least as many cells as the parcel covers. Nearest first, at most ``max_alternatives`` (5).

Parcels
-------
`read_parcels` reads a GeoJSON, GeoPackage or Shapefile (GBK attributes too; `layout.io.vector`) or
WKT text. The parcel id comes from ``id_column`` or the first of `ID_COLUMNS` present, else the
feature number (1, 2, ...). WKT without ``crs`` is read as EPSG:4326 when every coordinate looks
like degrees (|x| ≤ 180, |y| ≤ 90) and refused otherwise. `prepare_parcels` checks each parcel
(polygonal, not empty, id unique, coordinates not swapped, inside the study area) and repairs
self-intersections with `shapely.make_valid`, warning when the area changes by at most
``max_repair_change`` (1 %) and refusing the parcel above that. Problems of every parcel are
collected and raised together as one `ParcelError` line naming the parcel ids.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

from layout.errors import CRSError, LayoutError
from layout.model.constraints import CONSTRAINT_TYPES
from layout.version import __version__

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from layout.model.catalog import Catalog
    from layout.model.plan import PlanConfig
    from layout.scoring.cache import ScoreCache

#: Version of the JSON document `to_json` writes (docs/sitecheck.md).
SCHEMA_VERSION = "1.0"
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
#: Columns taken as the parcel id, in order of preference.
ID_COLUMNS: tuple[str, ...] = (
    "parcel_id",
    "id",
    "ID",
    "Id",
    "地块编号",
    "地块号",
    "编号",
    "name",
    "名称",
)
_DIRECTIONS = ("E", "NE", "N", "NW", "W", "SW", "S", "SE")
_MU = 10_000.0 / 15.0  # m² per mu


def _constraint_labels(kind: str) -> tuple[str, str]:
    """Chinese label and English phrase of a drawn or derived constraint type."""
    known = CONSTRAINT_TYPES.get(kind)
    if known is None or kind == "outside_study_area":
        return kind, kind.replace("_", " ")
    return known.label_zh, known.phrase_en


class ParcelError(LayoutError, ValueError):
    """A parcel cannot be assessed; the message names the file and the parcel id(s)."""


@dataclass(frozen=True)
class VerdictRules:
    """Thresholds of the verdict (module docstring: what each does and why).

    Examples
    --------
    >>> VerdictRules().max_overlap_share, VerdictRules(max_overlap_mu=5).max_overlap_mu
    (0.05, 5)
    """

    max_overlap_share: float = 0.05
    max_overlap_mu: float = 15.0
    sliver_mu: float = 0.15
    min_zone_share: float = 0.5
    score_conditional: float = 40.0
    score_unsuitable: float = 25.0
    score_floor: float = 15.0
    outside_tolerance: float = 0.001
    max_outside_share: float = 0.5
    max_repair_change: float = 0.01
    alt_margin: float = 10.0
    max_alternatives: int = 5
    min_cell_cover: float = 0.1

    def to_dict(self) -> dict[str, float]:
        """The thresholds by name."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


# --- results --------------------------------------------------------------------------------


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
        One sentence for people.
    """

    severity: str
    kind: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"severity": self.severity, "kind": self.kind, "code": self.code,
                "message": self.message}


@dataclass(frozen=True)
class ConstraintFeature:
    """One constraint polygon overlapping the parcel."""

    constraint_id: str
    name_zh: str
    name_en: str
    legal_basis: str
    area_mu: float
    share: float


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
            "label_zh": _constraint_labels(self.type)[0],
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
        }


def _r(value: float, digits: int) -> float | None:
    """Round for JSON; NaN becomes null."""
    v = float(value)
    return None if math.isnan(v) else round(v, digits)


# --- example parcels ------------------------------------------------------------------------


def example_parcels() -> gpd.GeoDataFrame:
    """Three parcels on the embedded data that show the three verdicts for ``electronics``.

    ========  ==================================================  ================================
    parcel    where                                               verdict for electronics
    ========  ==================================================  ================================
    A-airport inside the airport economy zone (electronics is a   ``suitable``
              leading industry), clear of every constraint
    B-farm    south edge of the airport zone, 30 % on permanent   ``unsuitable``
              basic farmland (bf_410184), mostly outside zones
    C-lowfar  inside the airport zone, good score, but the        ``conditional`` (with
              project's FAR 0.6 and building coverage 25 % are    `example_indicators`)
              below the national minimum
    ========  ==================================================  ================================

    Each is a 600 m × 450 m rectangle of the EPSG:4547 grid (405 mu), given here by its corners
    in WGS84 rounded to 1e-6°.

    Returns
    -------
    GeoDataFrame
        Columns ``parcel_id``, ``note``; EPSG:4326.

    Examples
    --------
    >>> ex = example_parcels()
    >>> ex["parcel_id"].tolist(), ex.crs.to_epsg()
    (['A-airport', 'B-farm', 'C-lowfar'], 4326)
    """
    import geopandas as gpd

    corners = {
        "A-airport": [
            (113.810973, 34.549209), (113.810964, 34.553266),
            (113.804427, 34.553255), (113.804437, 34.549199),
        ],
        "B-farm": [
            (113.807492, 34.40497), (113.807482, 34.409027),
            (113.800957, 34.409016), (113.800966, 34.40496),
        ],
        "C-lowfar": [
            (113.832265, 34.525803), (113.832257, 34.529859),
            (113.825722, 34.52985), (113.82573, 34.525793),
        ],
    }
    notes = {
        "A-airport": "inside the airport economy zone, clear of constraints",
        "B-farm": "about 30 % on permanent basic farmland",
        "C-lowfar": "good location; FAR and building coverage below the national minimum",
    }
    return gpd.GeoDataFrame(
        {"parcel_id": list(corners), "note": [notes[k] for k in corners]},
        geometry=[shapely.Polygon(c) for c in corners.values()],
        crs="EPSG:4326",
    )


def example_indicators() -> dict[str, dict[str, float]]:
    """Planned land indicators of the `example_parcels` projects (C fails FAR and coverage).

    Examples
    --------
    >>> example_indicators()["C-lowfar"]["far"]
    0.6
    """
    good = {
        "far": 1.4,
        "building_coverage": 0.45,
        "admin_share": 0.05,
        "green_ratio": 0.15,
        "investment_per_mu_wan": 420.0,
    }
    return {
        "A-airport": dict(good),
        "B-farm": dict(good),
        "C-lowfar": {**good, "far": 0.6, "building_coverage": 0.25},
    }


# --- reading and preparing parcels ----------------------------------------------------------


def _id_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def read_parcels(
    path: str | os.PathLike[str] | None = None,
    *,
    wkt: Sequence[str] = (),
    crs: str | None = None,
    datum: str = "wgs84",
    layer: str | None = None,
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read parcels from a file or WKT text, with a ``parcel_id`` column and the source CRS.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage, Shapefile (GBK attributes detected) or any format of
        `layout.io.vector.read_layer`.
    wkt
        Polygons as WKT text instead of a file (ids ``wkt-1``, ``wkt-2``...).
    crs
        CRS of a file without one, or of the WKT (default for WKT: EPSG:4326 when the
        coordinates look like degrees).
    datum
        ``gcj02``/``bd09`` for coordinates copied from Gaode/Tencent or Baidu maps.
    layer
        Layer of a GeoPackage.
    id_column
        Column holding parcel ids (default: the first of `ID_COLUMNS` present, else the
        feature number from 1).

    Returns
    -------
    GeoDataFrame
        Columns ``parcel_id`` (text) and the file's own, ``attrs["source"]`` for messages.

    Raises
    ------
    LayoutError
        Missing, empty or unreadable input, no CRS, an unknown id column, missing or duplicate
        ids (one line naming the feature or parcel).

    Examples
    --------
    >>> gdf = read_parcels(wkt=["POLYGON((113.80 34.55, 113.81 34.55, 113.81 34.553, "
    ...                         "113.80 34.553, 113.80 34.55))"])
    >>> gdf["parcel_id"].tolist(), gdf.crs.to_epsg(), gdf.attrs["notes"][0][:33]
    (['wkt-1'], 4326, 'WKT coordinates read as EPSG:4326')
    """
    import geopandas as gpd

    from layout.core.datum import check_datum
    from layout.io.vector import apply_datum, read_layer

    if path is not None and wkt:
        raise ParcelError("give either a parcels file or --wkt, not both")
    if path is None and not wkt:
        raise ParcelError("no parcels: give a file (GeoJSON, GeoPackage, Shapefile) or --wkt")
    if wkt:
        geoms = []
        for i, text in enumerate(wkt, start=1):
            try:
                geoms.append(shapely.from_wkt(text))
            except shapely.errors.GEOSException as exc:
                raise ParcelError(f"--wkt #{i} is not valid WKT ({exc})") from None
        notes: list[str] = []
        if crs is None:
            coords = shapely.get_coordinates(np.asarray(geoms, dtype=object))
            if coords.size and (np.abs(coords[:, 0]) <= 180).all() and (
                np.abs(coords[:, 1]) <= 90
            ).all():
                crs = "EPSG:4490" if check_datum(datum) == "cgcs2000" else "EPSG:4326"
                notes.append(f"WKT coordinates read as {crs} (longitude, latitude degrees)")
            else:
                raise CRSError(
                    "the --wkt coordinates are not longitude/latitude degrees, so their CRS "
                    "cannot be assumed; pass --crs, e.g. EPSG:4547 for CGCS2000 Gauss-Kruger metres"
                )
        gdf = gpd.GeoDataFrame(
            {"parcel_id": [f"wkt-{i}" for i in range(1, len(geoms) + 1)]},
            geometry=geoms,
            crs=crs,
        )
        gdf.attrs.update(source="--wkt", notes=notes)
        gdf = apply_datum(gdf, datum)
        return gdf
    assert path is not None
    gdf = read_layer(path, layer=layer, crs=crs, datum=datum)
    source = str(gdf.attrs.get("source", path))
    if id_column is not None and id_column not in gdf.columns:
        cols = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
        raise ParcelError(f"{source} has no column {id_column!r} (--id-column); columns: {cols}")
    col = id_column or next((c for c in ID_COLUMNS if c in gdf.columns), None)
    notes = list(gdf.attrs.get("notes", []))
    if col is None:
        ids = [str(i) for i in range(1, len(gdf) + 1)]
        notes.append("no parcel id column: parcels are numbered from 1 in file order")
    else:
        ids = [_id_text(v) for v in gdf[col]]
        for i, pid in enumerate(ids, start=1):
            if not pid:
                raise ParcelError(f"{source}, feature {i}: no parcel id in column {col!r}")
        seen: set[str] = set()
        for pid in ids:
            if pid in seen:
                raise ParcelError(f"{source}, parcel {pid}: the id appears twice in column {col!r}")
            seen.add(pid)
    attrs = dict(gdf.attrs)
    out = gdf.drop(columns=["parcel_id"], errors="ignore")
    out.insert(0, "parcel_id", ids)
    out.attrs = {**attrs, "notes": notes, "id_column": col}
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def prepare_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    crs: Any,
    boundary: gpd.GeoDataFrame,
    rules: VerdictRules | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Check parcels, repair self-intersections and project them to the plan CRS.

    Parameters
    ----------
    parcels
        With a ``parcel_id`` column (`read_parcels`) and a CRS.
    crs
        The plan CRS (metres).
    boundary
        The study area, any CRS.
    rules
        ``max_repair_change`` and ``max_outside_share`` are used.

    Returns
    -------
    parcels, warnings
        Parcels in ``crs`` with ``area_m2`` and ``outside_share`` columns; one warning per
        repair.

    Raises
    ------
    ParcelError
        Every problem of every parcel, in one line (the first, then how many more and which
        parcels).
    """
    import geopandas as gpd
    from pyproj import CRS

    rules = rules or VerdictRules()
    source = str(parcels.attrs.get("source", "parcels"))
    if parcels.crs is None:
        raise CRSError(
            f"{source} has no CRS; pass --crs (e.g. EPSG:4326 for lon/lat degrees, EPSG:4547 "
            "for CGCS2000 metres) or set one with gdf.set_crs(...)"
        )
    if len(parcels) == 0:
        raise ParcelError(f"{source} has no parcels")
    if "parcel_id" not in parcels.columns:
        parcels = parcels.assign(parcel_id=[str(i) for i in range(1, len(parcels) + 1)])
    ids = [str(v) for v in parcels["parcel_id"]]
    src_crs = CRS.from_user_input(parcels.crs)
    target = CRS.from_user_input(crs)
    if len(boundary) and not CRS.from_user_input(boundary.crs).equals(target):
        boundary = boundary.to_crs(target)
    study = boundary.geometry.union_all() if len(boundary) else None
    if study is not None:
        shapely.prepare(study)
    problems: list[tuple[str, str]] = []
    warnings: list[str] = []
    geoms = np.asarray(shapely.force_2d(np.asarray(parcels.geometry.values, dtype=object)))
    out_geoms: list[shapely.Geometry | None] = []
    outside: list[float] = []

    def swapped(g: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(g, lambda xy: xy[:, ::-1])

    to_target = _project(geoms, src_crs, target)
    for pid, g, gm in zip(ids, geoms, to_target, strict=True):
        if g is None or shapely.is_empty(g):
            problems.append((pid, "has no geometry; give the parcel boundary"))
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        kind = shapely.get_type_id(g)
        if kind not in (3, 6):  # Polygon, MultiPolygon
            what = g.geom_type
            problems.append((pid, f"is a {what}, not a polygon; give the parcel boundary"))
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        xy = shapely.get_coordinates(g)
        if src_crs.is_geographic and (np.abs(xy[:, 1]) > 90).any() and (
            np.abs(xy[:, 0]) <= 90
        ).all():
            problems.append(
                (pid, f"latitude and longitude look swapped (x={xy[0, 0]:.4f}, y={xy[0, 1]:.4f}; "
                      "longitude comes first): swap the coordinates")
            )
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        mxy = shapely.get_coordinates(gm)
        if not np.isfinite(mxy).all():
            problems.append(
                (pid, f"its coordinates cannot be projected from {_crs_name(src_crs)} to "
                      f"{_crs_name(target)}; check --crs")
            )
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        if not shapely.is_valid(gm):
            before = abs(float(shapely.area(gm)))
            fixed = _polygonal(shapely.make_valid(gm))
            after = float(shapely.area(fixed)) if fixed is not None else 0.0
            change = abs(after - before) / before if before > 0 else float("inf")
            if fixed is None or change > rules.max_repair_change:
                problems.append(
                    (pid, f"is self-intersecting, and repairing it would change its area from "
                          f"{before / _MU:,.1f} to {after / _MU:,.1f} mu (more than "
                          f"{100 * rules.max_repair_change:g} %); fix the boundary")
                )
                out_geoms.append(None)
                outside.append(float("nan"))
                continue
            warnings.append(
                f"parcel {pid} was self-intersecting; repaired (area changed {100 * change:.1f} %)"
            )
            gm = fixed
        area = float(shapely.area(gm))
        if area <= 0:
            problems.append((pid, "has zero area"))
            out_geoms.append(None)
            outside.append(float("nan"))
            continue
        share_out = 0.0
        if study is not None and not shapely.contains_properly(study, gm):
            inside = float(shapely.area(shapely.intersection(gm, study)))
            share_out = max(0.0, 1.0 - inside / area)
            if share_out > rules.max_outside_share:
                if inside == 0 and _inside_if_swapped(g, src_crs, target, study, swapped):
                    msg = (
                        "lies outside the study area, but inside it with x and y exchanged: the "
                        "coordinates look swapped (longitude/easting comes first)"
                    )
                elif inside == 0:
                    d = float(shapely.distance(gm, study))
                    msg = (
                        f"lies outside the study area ({d / 1000:,.1f} km from its boundary); "
                        "check the coordinates, --crs and --datum"
                    )
                else:
                    msg = (
                        f"lies {100 * share_out:.0f} % outside the study area (more than "
                        f"{100 * rules.max_outside_share:g} %)"
                    )
                problems.append((pid, msg))
                out_geoms.append(None)
                outside.append(float("nan"))
                continue
        out_geoms.append(gm)
        outside.append(share_out)
    if problems:
        pid, msg = problems[0]
        text = f"{source}, parcel {pid}: {msg}"
        if len(problems) > 1:
            more = [p for p, _ in problems[1:]]
            shown = ", ".join(more[:5]) + (", …" if len(more) > 5 else "")
            text += f" (and {_plural(len(more), 'more problem')}: parcel {shown})"
        raise ParcelError(text)
    out = gpd.GeoDataFrame(
        {"parcel_id": ids, "outside_share": outside},
        geometry=gpd.GeoSeries(out_geoms, crs=target, index=parcels.index),
        index=parcels.index,
    )
    out["area_m2"] = out.geometry.area
    out.attrs = dict(parcels.attrs)
    return out, warnings


_TRANSFORMERS: dict[tuple[str, str], Any] = {}


def _seed_transformers(pipelines: Mapping[str, Any] | None, target: str) -> None:
    """Register the cache's stored pipelines (`layout.scoring.cache`) as transformers to ``target``."""
    import pyproj
    from pyproj import CRS, Transformer

    if not pipelines or pipelines.get("proj_version") != pyproj.proj_version_str:
        return
    dst = CRS.from_user_input(target).srs
    for code, definition in pipelines.items():
        if code == "proj_version" or (code, dst) in _TRANSFORMERS:
            continue
        try:
            _TRANSFORMERS[(code, dst)] = Transformer.from_pipeline(str(definition))
        except pyproj.exceptions.ProjError:
            continue


def _transformer(src: Any, dst: Any) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """An ``(n, 2)`` coordinate function from ``src`` to ``dst`` (x/y order, i.e. lon/lat).

    Creating a pyproj transformer costs tens of milliseconds, a large share of a one-parcel
    check, so they are cached by CRS text and one made for the opposite direction is reused.
    """
    from pyproj import CRS, Transformer
    from pyproj.enums import TransformDirection

    a, b = CRS.from_user_input(src), CRS.from_user_input(dst)
    key = (a.srs, b.srs)
    if key in _TRANSFORMERS:
        tr, direction = _TRANSFORMERS[key], TransformDirection.FORWARD
    elif key[::-1] in _TRANSFORMERS:
        tr, direction = _TRANSFORMERS[key[::-1]], TransformDirection.INVERSE
    else:
        tr = _TRANSFORMERS[key] = Transformer.from_crs(a, b, always_xy=True)
        direction = TransformDirection.FORWARD

    def apply(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = tr.transform(xy[:, 0], xy[:, 1], direction=direction, errcheck=False)
        return np.column_stack([np.asarray(x, np.float64), np.asarray(y, np.float64)])

    return apply


def _project(geoms: Any, src: Any, dst: Any) -> NDArray[Any]:
    """Project shapely geometries (an array) between CRSs with a cached transformer."""
    return np.asarray(shapely.transform(np.asarray(geoms, dtype=object), _transformer(src, dst)))


def _crs_name(crs: Any) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.name)


def _polygonal(g: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a geometry (make_valid may add lines and points), or None."""
    if g is None or shapely.is_empty(g):
        return None
    if shapely.get_type_id(g) in (3, 6):  # Polygon, MultiPolygon
        return g
    parts = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)]
    if not parts:
        return None
    return shapely.union_all(parts)


def _inside_if_swapped(
    g: shapely.Geometry,
    src: Any,
    target: Any,
    study: shapely.Geometry,
    swap: Callable[[shapely.Geometry], shapely.Geometry],
) -> bool:
    moved = _project([swap(g)], src, target)[0]  # failures give inf, not errors
    xy = shapely.get_coordinates(moved)
    return bool(np.isfinite(xy).all() and shapely.intersects(moved, study))


# --- the check ------------------------------------------------------------------------------


@dataclass
class _Grid:
    x0: float
    y_top: float
    cell: float
    nrows: int
    ncols: int

    def window(
        self, xmin: float, ymin: float, xmax: float, ymax: float, pad: int = 0
    ) -> tuple[int, int, int, int]:
        """Rows r0..r1 (exclusive) and cols c0..c1 covering a box, padded and clipped."""
        c0 = math.floor((xmin - self.x0) / self.cell) - pad
        c1 = math.ceil((xmax - self.x0) / self.cell) + pad
        r0 = math.floor((self.y_top - ymax) / self.cell) - pad
        r1 = math.ceil((self.y_top - ymin) / self.cell) + pad
        return (
            max(r0, 0),
            min(max(r1, 0), self.nrows),
            max(c0, 0),
            min(max(c1, 0), self.ncols),
        )


class _Rasters:
    """Raster files opened once for a check, read in windows (one GDAL environment)."""

    def __init__(self) -> None:
        import rasterio

        self._env = rasterio.Env()
        self._open: dict[Path, Any] = {}

    def __enter__(self) -> _Rasters:
        self._env.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for ds in self._open.values():
            ds.close()
        self._env.__exit__(*exc)

    def _ds(self, path: Path) -> Any:
        import rasterio

        if path not in self._open:
            self._open[path] = rasterio.open(path)
        return self._open[path]

    def read(
        self, path: Path, bands: Sequence[int], win: tuple[int, int, int, int]
    ) -> NDArray[Any]:
        """Read bands over a window (rows r0:r1, cols c0:c1); float nodata becomes NaN."""
        from rasterio.windows import Window

        src = self._ds(path)
        r0, r1, c0, c1 = win
        arr = src.read(list(bands), window=Window(c0, r0, c1 - c0, r1 - r0))
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
            if src.nodata is not None:
                arr[arr == src.nodata] = np.nan
        return arr

    def band_names(self, path: Path) -> list[str]:
        """Criterion names from the band descriptions (``name: label (weight)``)."""
        return [str(d or "").split(":")[0] for d in self._ds(path).descriptions]


@dataclass
class _Cells:
    """Every (parcel, cell) pair a parcel touches, with the shared area."""

    parcel: NDArray[np.int64]
    row: NDArray[np.int64]
    col: NDArray[np.int64]
    area: NDArray[np.float64]


def _parcel_cells(geoms: NDArray[Any], grid: _Grid) -> _Cells:
    pi, rr, cc = [], [], []
    for i, g in enumerate(geoms):
        r0, r1, c0, c1 = grid.window(*shapely.bounds(g))
        rows, cols = np.meshgrid(np.arange(r0, r1), np.arange(c0, c1), indexing="ij")
        pi.append(np.full(rows.size, i, np.int64))
        rr.append(rows.ravel())
        cc.append(cols.ravel())
    parcel = np.concatenate(pi) if pi else np.zeros(0, np.int64)
    row = np.concatenate(rr) if rr else np.zeros(0, np.int64)
    col = np.concatenate(cc) if cc else np.zeros(0, np.int64)
    x0 = grid.x0 + col * grid.cell
    y1 = grid.y_top - row * grid.cell
    boxes = shapely.box(x0, y1 - grid.cell, x0 + grid.cell, y1)
    shapely.prepare(geoms)
    # cells wholly inside their parcel need no clipping (prepared tests are cheap)
    inside = shapely.contains_properly(geoms[parcel], boxes)
    area = np.full(len(boxes), grid.cell * grid.cell)
    edge = ~inside
    area[edge] = shapely.area(shapely.intersection(geoms[parcel[edge]], boxes[edge]))
    keep = area > 0
    return _Cells(parcel[keep], row[keep], col[keep], np.asarray(area[keep], np.float64))


def _weighted_mean(
    idx: NDArray[np.int64], w: NDArray[np.float64], v: NDArray[Any], n: int
) -> NDArray[np.float64]:
    """Per-parcel weighted mean of ``v`` ignoring NaN."""
    ok = np.isfinite(v)
    num = np.bincount(idx[ok], weights=w[ok] * v[ok].astype(np.float64), minlength=n)
    den = np.bincount(idx[ok], weights=w[ok], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _direction(dx: float, dy: float) -> str:
    if dx == 0 and dy == 0:
        return ""
    angle = math.degrees(math.atan2(dy, dx)) % 360
    return _DIRECTIONS[int(((angle + 22.5) % 360) // 45)]


def _split_codes(cell: Any) -> tuple[str, ...]:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ()
    return tuple(c.strip() for c in str(cell).split(",") if c.strip())


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def check_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    industry: str,
    indicators: Mapping[str, Mapping[str, Any]] | None = None,
    plan: PlanConfig | str | os.PathLike[str] | None = None,
    cache: ScoreCache | None = None,
    radius_m: float = 10_000,
    rules: VerdictRules | None = None,
    plan_sites: gpd.GeoDataFrame | None = None,
    with_geometry: bool = False,
    indicators_source: str = "indicators",
) -> list[SiteCheck]:
    """Assess parcels for an industrial project of one industry.

    Parameters
    ----------
    parcels
        Parcel polygons in any CRS (it must have one), with a ``parcel_id`` column (else the
        feature number is the id). `read_parcels` reads files and WKT.
    industry
        Industry code (`layout industries`); unknown codes raise with the closest codes.
    indicators
        Planned land indicators by parcel id (``{"*": {...}}`` for one set for every parcel), as
        `layout.data.indicators.read_indicators` returns them, or raw field values (validated here).
    plan
        The plan (a `PlanConfig`, a TOML path, or None for the embedded plan); only used to
        find or build the cache when ``cache`` is None.
    cache
        The plan's score cache (`layout.scoring.cache.open_cache`); built on first use when None
        (`layout.scoring.cache.ensure_cache`). Catalog, CRS and excluded constraint types come from it.
    radius_m
        Search radius for better alternatives, metres.
    rules
        Verdict thresholds (`VerdictRules`).
    plan_sites
        Sites of a plan (``plan.gpkg`` layer ``sites``) to draw alternatives from.
    with_geometry
        Also return the alternatives' polygons (for maps); slower on large batches.
    indicators_source
        Name of the indicators' origin in messages (the file name).

    Returns
    -------
    list of SiteCheck
        One per parcel, in input order.

    Raises
    ------
    LayoutError
        Bad input (one line naming the parcel or the field): `ParcelError`, `CRSError`,
        `layout.data.indicators.IndicatorError`, `layout.errors.UnknownIndustryError`.

    Notes
    -----
    On the embedded data (the first call builds the score cache, a few seconds)::

        checks = check_parcels(example_parcels(), industry="electronics",
                               indicators=example_indicators())
        [c.verdict for c in checks]  # ['suitable', 'unsuitable', 'conditional']
    """
    from layout.config.catalog import check_industry
    from layout.data.indicators import (
        IndicatorError,
        check_indicators,
        for_parcel,
        parse_indicators,
    )
    from layout.scoring.cache import ensure_cache, open_cache

    rules = rules or VerdictRules()
    if radius_m < 0 or not math.isfinite(radius_m):
        raise ParcelError(f"radius {radius_m!r} m: give a distance of 0 or more metres")
    if cache is None:
        cache = open_cache(plan) or ensure_cache(plan)
    catalog = cache.catalog
    code = check_industry(industry, catalog=catalog)
    crs = cache.crs
    _seed_transformers(cache.manifest.get("pipelines"), crs)
    exclude = set(cache.exclude)
    boundary = cache.layer("boundary")
    prepared, warnings = prepare_parcels(parcels, crs=crs, boundary=boundary, rules=rules)
    ids = prepared["parcel_id"].tolist()

    # indicators: validate everything before any work
    ind_sets: dict[str, Mapping[str, float]] | None = None
    if indicators is not None:
        sets = {str(k): v for k, v in indicators.items()}
        unknown = [k for k in sets if k != "*" and k not in set(ids)]
        if unknown:
            raise IndicatorError(
                f"{indicators_source}: parcel {unknown[0]} is not among the parcels "
                f"({', '.join(ids[:5])}{', …' if len(ids) > 5 else ''})"
            )
        ind_sets = {}
        for pid in ids:
            raw = for_parcel(sets, pid, source=indicators_source)
            where = indicators_source if "*" in sets else f"{indicators_source}, parcel {pid}"
            ind_sets[pid] = parse_indicators(raw, where=where)

    m = cache.manifest
    grid = _Grid(
        float(m["grid"]["x0"]), float(m["grid"]["y_top"]), float(m["resolution_m"]),
        int(m["grid"]["nrows"]), int(m["grid"]["ncols"]),
    )
    geoms = np.asarray(prepared.geometry.values, dtype=object)
    n = len(geoms)
    areas = np.asarray(prepared["area_m2"], np.float64)
    cells = _parcel_cells(geoms, grid)

    # union windows: the parcels' cells, and the parcels plus the search radius
    pad = math.ceil(radius_m / grid.cell) + 1
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    pwin = grid.window(xmin, ymin, xmax, ymax)
    rwin = grid.window(xmin, ymin, xmax, ymax, pad=pad)
    pr = cells.row - pwin[0]
    pc = cells.col - pwin[2]

    # suitability of every industry on the parcels (place -> industries)
    codes = list(cache.codes)
    means: dict[str, NDArray[np.float64]] = {}
    with _Rasters() as rasters:
        for c in codes:
            if c == code:
                continue
            band = rasters.read(cache.score_path(c), [1], pwin)[0]
            means[c] = _weighted_mean(cells.parcel, cells.area, band[pr, pc], n)
        # the checked industry: score and flags over the radius window, criteria over parcels
        rscore = rasters.read(cache.score_path(code), [1], rwin)[0]
        rflags = rasters.read(cache.flags_path(code), [1], rwin)[0].astype(np.uint16)
        names = rasters.band_names(cache.score_path(code))[1:]
        crit = rasters.read(cache.score_path(code), range(2, len(names) + 2), pwin)
    rr = cells.row - rwin[0]
    rc = cells.col - rwin[2]
    excl_bits = int(m["exclude_bits"])
    in_study = np.isfinite(rscore)
    eligible_r = in_study & ((rflags & np.uint16(excl_bits)) == 0)
    cell_score = rscore[rr, rc]
    cell_elig = eligible_r[rr, rc]
    means[code] = _weighted_mean(cells.parcel, cells.area, cell_score, n)
    w_in = np.where(np.isfinite(cell_score), cells.area, 0.0)
    den = np.bincount(cells.parcel, weights=w_in, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        elig_share = np.bincount(cells.parcel, weights=w_in * cell_elig, minlength=n) / den
    steep_bit = np.uint16(64)
    steep = (rflags[rr, rc] & steep_bit) != 0
    steep_m2 = np.bincount(cells.parcel, weights=cells.area * steep, minlength=n)
    percentiles = cache.percentile(code, means[code])

    cell_area = grid.cell * grid.cell
    cover = cells.area / cell_area
    mins = np.full(n, np.inf)
    best_cover = np.zeros(n)
    np.maximum.at(best_cover, cells.parcel, cover)
    take = np.isfinite(cell_score) & (
        (cover >= rules.min_cell_cover) | (cover >= best_cover[cells.parcel])
    )
    np.minimum.at(mins, cells.parcel[take], cell_score[take].astype(np.float64))
    mins[~np.isfinite(mins)] = np.nan

    weights = m["weights"][code]
    contrib: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    for k, name in enumerate(names):
        v = crit[k][pr, pc].astype(np.float64)
        pts = 100.0 * float(weights[name]) * np.nan_to_num(v) * cell_elig
        inside = np.isfinite(cell_score)
        contrib[name] = (
            _weighted_mean(cells.parcel, cells.area, np.where(inside, v, np.nan), n),
            _weighted_mean(cells.parcel, cells.area, np.where(inside, pts, np.nan), n),
        )

    # vector overlays: constraints and zones
    constraints = _constraint_overlaps(
        geoms, areas, cache.layer("constraints"), exclude, rules
    )
    zones = _zone_overlaps(geoms, areas, cache.layer("zones"), code)

    # alternatives
    if plan_sites is not None:
        alts = _plan_alternatives(
            geoms, areas, means[code], plan_sites, code=code, crs=crs,
            radius_m=radius_m, rules=rules, with_geometry=with_geometry,
        )
    else:
        alts = _raster_alternatives(
            geoms, cells, means[code], rscore, eligible_r, rwin, grid,
            zones_layer=cache.layer("zones"), radius_m=radius_m, rules=rules,
            with_geometry=with_geometry,
        )

    # everything in WGS84 for people
    cent = shapely.get_coordinates(_project(shapely.centroid(geoms), crs, "EPSG:4326"))
    alts = _alts_lonlat(alts, crs)

    max_slope = catalog.industry(code).max_slope_deg
    steep_excluding = "steep_slope" in exclude
    labels = m.get("criteria", {})

    results: list[SiteCheck] = []
    for i, pid in enumerate(ids):
        cons = list(constraints[i])
        if steep_m2[i] > 0:
            cons.append(
                ConstraintOverlap(
                    "steep_slope", steep_excluding, steep_m2[i] / _MU, steep_m2[i] / areas[i],
                    f"{CONSTRAINT_TYPES['steep_slope'].legal_basis} (> {max_slope:g}° for this industry; DEM cells)",
                )
            )
        cons.sort(key=lambda c: (-c.share, c.type))
        excl = [c for c in cons if c.excluding and c.type != "steep_slope"]
        excl_geoms = [c.geometry for c in excl if c.geometry is not None]
        # exact, polygons only: steep ground (raster cells) is reported on its own
        excl_m2 = float(shapely.area(shapely.union_all(excl_geoms))) if excl_geoms else 0.0
        zlist = zones[i]
        zone = zlist[0] if zlist else None
        contribs = tuple(
            sorted(
                (
                    Contribution(
                        name,
                        labels.get(name, {}).get("label_en", name),
                        labels.get(name, {}).get("label_zh", name),
                        labels.get(name, {}).get("group", ""),
                        float(weights[name]),
                        float(contrib[name][0][i]),
                        float(contrib[name][1][i]),
                    )
                    for name in names
                ),
                key=lambda c: (-c.points, c.criterion),
            )
        )
        suit = Suitability(
            float(means[code][i]), float(mins[i]), float(percentiles[i]), float(elig_share[i]),
            contribs,
        )
        leading_codes = set(zone.leading) if zone and zone.share >= rules.min_zone_share else set()
        ranked = sorted(codes, key=lambda c: (-np.nan_to_num(means[c][i], nan=-1), codes.index(c)))
        inds = tuple(
            IndustryScore(
                c, catalog.industry(c).name_zh, catalog.industry(c).name_en,
                float(means[c][i]), r, c in leading_codes, c == code,
            )
            for r, c in enumerate(ranked, start=1)
        )
        checks = None
        if ind_sets is not None:
            checks = tuple(check_indicators(ind_sets[pid], industry=code, catalog=catalog))
        parcel_warnings = tuple(w for w in warnings if w.startswith(f"parcel {pid} "))
        base = SiteCheck(
            parcel_id=pid,
            industry=code,
            verdict="suitable",
            reasons=(),
            area_mu=areas[i] / _MU,
            area_ha=areas[i] / 10_000.0,
            lon=float(cent[i, 0]),
            lat=float(cent[i, 1]),
            outside_share=float(prepared["outside_share"].iloc[i]),
            constraints=tuple(cons),
            excluded_overlap_mu=excl_m2 / _MU,
            excluded_overlap_share=excl_m2 / areas[i],
            zone=zone,
            zones=tuple(zlist),
            suitability=suit,
            industries=inds,
            alternatives=tuple(alts[i]),
            indicators=checks,
            warnings=parcel_warnings,
            geometry=geoms[i],
        )
        reasons = _reasons(base, catalog=catalog, rules=rules, radius_m=radius_m,
                           from_plan=plan_sites is not None)
        verdict = _verdict(reasons)
        results.append(replace(base, verdict=verdict, reasons=tuple(reasons)))
    return results


def _constraint_overlaps(
    geoms: NDArray[Any],
    areas: NDArray[np.float64],
    layer: gpd.GeoDataFrame,
    exclude: set[str],
    rules: VerdictRules,
) -> list[list[ConstraintOverlap]]:
    """Overlaps of every parcel with every constraint type (exact, plan CRS)."""
    n = len(geoms)
    out: list[list[ConstraintOverlap]] = [[] for _ in range(n)]
    if layer is None or len(layer) == 0:
        return out
    cgeoms = np.asarray(layer.geometry.values, dtype=object)
    tree = shapely.STRtree(cgeoms)
    pi, ci = tree.query(geoms, predicate="intersects")
    if len(pi) == 0:
        return out
    inter = shapely.intersection(geoms[pi], cgeoms[ci])
    inter_area = shapely.area(inter)
    rows = layer.reset_index(drop=True)
    types = rows["type"].astype(str).to_numpy() if "type" in rows.columns else np.full(
        len(rows), "constraint")
    groups: dict[tuple[int, str], list[int]] = {}
    for k, (p, c) in enumerate(zip(pi, ci, strict=True)):
        if inter_area[k] <= 0:
            continue
        groups.setdefault((int(p), str(types[c])), []).append(k)
    for (p, ctype), ks in sorted(groups.items()):
        feats = []
        for k in ks:
            row = rows.iloc[int(ci[k])]
            feats.append(
                ConstraintFeature(
                    _text(row, "constraint_id"),
                    _text(row, "name_zh"),
                    _text(row, "name_en"),
                    _text(row, "legal_basis"),
                    float(inter_area[k]) / _MU,
                    float(inter_area[k]) / areas[p],
                )
            )
        geom = inter[ks[0]] if len(ks) == 1 else shapely.union_all(inter[ks])
        a = float(shapely.area(geom))
        bases = list(dict.fromkeys(f.legal_basis for f in feats if f.legal_basis))
        feats.sort(key=lambda f: (-f.area_mu, f.constraint_id))
        out[p].append(
            ConstraintOverlap(
                ctype, ctype in exclude, a / _MU, a / areas[p], "; ".join(bases), tuple(feats),
                geom,
            )
        )
    return out


def _zone_overlaps(
    geoms: NDArray[Any], areas: NDArray[np.float64], layer: gpd.GeoDataFrame, code: str
) -> list[list[ZoneOverlap]]:
    n = len(geoms)
    out: list[list[ZoneOverlap]] = [[] for _ in range(n)]
    if layer is None or len(layer) == 0:
        return out
    zgeoms = np.asarray(layer.geometry.values, dtype=object)
    tree = shapely.STRtree(zgeoms)
    pi, zi = tree.query(geoms, predicate="intersects")
    if len(pi) == 0:
        return out
    a = shapely.area(shapely.intersection(geoms[pi], zgeoms[zi]))
    rows = layer.reset_index(drop=True)
    for k, (p, z) in enumerate(zip(pi, zi, strict=True)):
        if a[k] <= 0:
            continue
        row = rows.iloc[int(z)]
        leading = _split_codes(row.get("leading"))
        out[int(p)].append(
            ZoneOverlap(
                _text(row, "zone_id"), _text(row, "name_zh"), _text(row, "name_en"),
                float(a[k]) / areas[p], float(a[k]) / _MU, leading, code in leading,
            )
        )
    for lst in out:
        lst.sort(key=lambda z: (-z.share, z.zone_id))
    return out


def _raster_alternatives(
    geoms: NDArray[Any],
    cells: _Cells,
    means: NDArray[np.float64],
    score: NDArray[np.float32],
    eligible: NDArray[np.bool_],
    win: tuple[int, int, int, int],
    grid: _Grid,
    *,
    zones_layer: gpd.GeoDataFrame,
    radius_m: float,
    rules: VerdictRules,
    with_geometry: bool,
) -> list[list[Alternative]]:
    """Parcel-sized sites in clearly better regions near each parcel (module docstring)."""
    from scipy import ndimage

    n = len(geoms)
    out: list[list[Alternative]] = [[] for _ in range(n)]
    pad = math.ceil(radius_m / grid.cell) + 1
    order = np.argsort(cells.parcel, kind="stable")
    starts = np.searchsorted(cells.parcel[order], np.arange(n + 1))
    structure = np.ones((3, 3), bool)
    zone_geoms = np.asarray(zones_layer.geometry.values, dtype=object) if len(zones_layer) else None
    zone_ids = zones_layer["zone_id"].astype(str).tolist() if zone_geoms is not None else []
    zone_tree = shapely.STRtree(zone_geoms) if zone_geoms is not None else None
    cell_mu = grid.cell * grid.cell / _MU
    for i in range(n):
        if not np.isfinite(means[i]):
            continue
        sel = order[starts[i]:starts[i + 1]]
        prow, pcol = cells.row[sel], cells.col[sel]
        r0 = max(int(prow.min()) - pad, win[0])
        r1 = min(int(prow.max()) + pad + 1, win[1])
        c0 = max(int(pcol.min()) - pad, win[2])
        c1 = min(int(pcol.max()) + pad + 1, win[3])
        sub = score[r0 - win[0]:r1 - win[0], c0 - win[2]:c1 - win[2]]
        elig = eligible[r0 - win[0]:r1 - win[0], c0 - win[2]:c1 - win[2]]
        own = np.zeros(sub.shape, bool)
        own[prow - r0, pcol - c0] = True
        dist = ndimage.distance_transform_edt(~own, sampling=grid.cell)
        threshold = means[i] + rules.alt_margin
        with np.errstate(invalid="ignore"):
            cand = elig & (sub >= threshold) & ~own & (dist <= radius_m)
        if not cand.any():
            continue
        labels, count = ndimage.label(cand, structure=structure)
        flat = labels.ravel()
        pos = np.flatnonzero(flat)  # candidate cells, row-major
        lab = flat[pos]
        sizes = np.bincount(lab, minlength=count + 1)
        need = max(1, math.ceil(float(shapely.area(geoms[i])) / (grid.cell**2) - 1e-9))
        keep = np.flatnonzero(sizes >= need)
        keep = keep[keep > 0]
        if keep.size == 0:
            continue
        d = dist.ravel()[pos]
        dmin_all = np.full(count + 1, np.inf)
        np.minimum.at(dmin_all, lab, d)
        dmin = dmin_all[keep]
        ordering = sorted(range(keep.size), key=lambda j: (dmin[j], int(keep[j])))
        centre = shapely.centroid(geoms[i])
        width = sub.shape[1]
        for rank, j in enumerate(ordering[: rules.max_alternatives], start=1):
            mine = lab == keep[j]
            cells_j = pos[mine]
            rows, cols = np.divmod(cells_j, width)
            seed = int(cells_j[np.flatnonzero(d[mine] == dmin[j])[0]])  # first nearest cell
            sr, sc = divmod(seed, width)
            # the site: the `need` cells of the region nearest to its cell nearest the parcel;
            # ties go to the earlier cell in row-major order (unique keys: a reproducible set)
            d2 = (rows - sr) ** 2 + (cols - sc) ** 2
            key = d2.astype(np.int64) * (1 << 32) + cells_j
            pick = np.argpartition(key, need - 1)[:need] if need < key.size else slice(None)
            rows, cols = rows[pick], cols[pick]
            values = sub[rows, cols].astype(np.float64)
            xs = grid.x0 + (c0 + cols + 0.5) * grid.cell
            ys = grid.y_top - (r0 + rows + 0.5) * grid.cell
            x, y = float(xs.mean()), float(ys.mean())
            zone_id = ""
            if zone_tree is not None:
                hit = zone_tree.query(shapely.Point(x, y), predicate="intersects")
                if len(hit):
                    zone_id = zone_ids[int(hit.min())]
            geom = None
            if with_geometry:
                half = grid.cell / 2
                geom = shapely.union_all(shapely.box(xs - half, ys - half, xs + half, ys + half))
            out[i].append(
                Alternative(
                    rank, "raster", f"R{rank}", float(dmin[j]),
                    _direction(x - centre.x, y - centre.y), need * cell_mu,
                    float(values.mean()), float(values.max()), float(values.mean() - means[i]),
                    x, y, zone_id, float(sizes[keep[j]]) * cell_mu, geom,
                )
            )
    return out


def _plan_alternatives(
    geoms: NDArray[Any],
    areas: NDArray[np.float64],
    means: NDArray[np.float64],
    sites: gpd.GeoDataFrame,
    *,
    code: str,
    crs: Any,
    radius_m: float,
    rules: VerdictRules,
    with_geometry: bool,
) -> list[list[Alternative]]:
    """The plan's sites of this industry, near and clearly better (module docstring)."""
    from layout.io.crs import require_crs

    require_crs(sites, source="plan sites")
    n = len(geoms)
    out: list[list[Alternative]] = [[] for _ in range(n)]
    for col in ("industry", "mean_score"):
        if col not in sites.columns:
            raise ParcelError(f"plan sites: missing column {col!r} (docs/plan_outputs.md)")
    own = sites[sites["industry"].astype(str) == code].to_crs(crs).reset_index(drop=True)
    if own.empty:
        return out
    sgeoms = np.asarray(own.geometry.values, dtype=object)
    s_area = shapely.area(sgeoms)
    score = np.asarray(own["mean_score"], np.float64)
    mx = np.asarray(own["max_score"] if "max_score" in own.columns else own["mean_score"],
                    np.float64)
    sid = own["site_id"].astype(str).tolist() if "site_id" in own.columns else [
        f"{code}-{k + 1:02d}" for k in range(len(own))]
    zid = own["zone_id"].fillna("").astype(str).tolist() if "zone_id" in own.columns else [
        ""] * len(own)
    cent = shapely.centroid(sgeoms)
    for i in range(n):
        if not np.isfinite(means[i]):
            continue
        d = shapely.distance(geoms[i], sgeoms)
        ok = (d <= radius_m) & (score >= means[i] + rules.alt_margin) & (s_area >= areas[i])
        ok &= ~shapely.intersects(geoms[i], sgeoms) | (d > 0)
        idx = sorted(np.flatnonzero(ok), key=lambda k: (d[k], -score[k]))[: rules.max_alternatives]
        pc = shapely.centroid(geoms[i])
        for rank, k in enumerate(idx, start=1):
            out[i].append(
                Alternative(
                    rank, "plan", sid[k], float(d[k]),
                    _direction(cent[k].x - pc.x, cent[k].y - pc.y), float(s_area[k]) / _MU,
                    float(score[k]), float(mx[k]), float(score[k] - means[i]), cent[k].x,
                    cent[k].y, zid[k], float("nan"), sgeoms[k] if with_geometry else None,
                )
            )
    return out


def _alts_lonlat(alts: list[list[Alternative]], crs: Any) -> list[list[Alternative]]:
    """Replace the plan-CRS positions of alternatives (in lon/lat fields) by WGS84."""
    flat = [a for lst in alts for a in lst]
    if not flat:
        return alts
    lonlat = _transformer(crs, "EPSG:4326")(np.array([[a.lon, a.lat] for a in flat]))
    it = iter(lonlat)
    return [[replace(a, lon=float(xy[0]), lat=float(xy[1])) for a, xy in zip(lst, it, strict=False)]
            for lst in alts]


# --- reasons and verdict --------------------------------------------------------------------


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _pct(share: float) -> str:
    return f"{100 * share:.1f} %"


def _reasons(
    s: SiteCheck, *, catalog: Catalog, rules: VerdictRules, radius_m: float, from_plan: bool
) -> list[Reason]:
    out: list[Reason] = []
    ind = catalog.industry(s.industry)
    name = f"{ind.name_en} ({ind.code})"

    # study area
    if s.outside_share > rules.outside_tolerance:
        out.append(Reason("conditional", "study_area", "partly_outside",
                          f"{_pct(s.outside_share)} of the parcel lies outside the study area "
                          "(the plan's boundary): that part is outside this plan's jurisdiction"))

    # constraints
    for c in s.constraints:
        zh, en = _constraint_labels(c.type)
        ids = ", ".join(f.constraint_id for f in c.features if f.constraint_id)
        detail = f" [{ids}]" if ids else ""
        basis = f"; legal basis: {c.legal_basis}" if c.legal_basis else ""
        head = f"overlaps {en} ({zh}): {c.area_mu:,.1f} mu, {_pct(c.share)} of the parcel{detail}"
        if c.area_mu < rules.sliver_mu:
            out.append(Reason("info", "constraint", "constraint_sliver",
                              f"{head} -- a sliver within the precision of the boundaries{basis}"))
        elif not c.excluding:
            out.append(Reason("conditional", "constraint", "constraint_overlap_not_excluded",
                              f"{head} -- not excluded by this plan; the authority for it must "
                              f"agree{basis}"))
        elif c.share > rules.max_overlap_share or c.area_mu > rules.max_overlap_mu:
            out.append(Reason("unsuitable", "constraint", "constraint_overlap",
                              f"{head} -- more than {100 * rules.max_overlap_share:g} % or "
                              f"{rules.max_overlap_mu:g} mu of a hard constraint{basis}"))
        else:
            out.append(Reason("conditional", "constraint", "constraint_overlap_small",
                              f"{head} -- the boundary must be adjusted to leave it out{basis}"))
    n_excl = sum(
        c.excluding and c.type != "steep_slope" and c.area_mu >= rules.sliver_mu
        for c in s.constraints
    )
    if n_excl > 1 and (
        s.excluded_overlap_share > rules.max_overlap_share
        or s.excluded_overlap_mu > rules.max_overlap_mu
    ) and not any(r.code == "constraint_overlap" for r in out):
        out.append(Reason("unsuitable", "constraint", "constraints_total",
                          f"hard constraints together cover {s.excluded_overlap_mu:,.1f} mu, "
                          f"{_pct(s.excluded_overlap_share)} of the parcel"))
    if not s.constraints:
        out.append(Reason("ok", "constraint", "no_constraint",
                          "overlaps no hard constraint (三区三线, water sources, reserves, flood "
                          "zones, steep ground)"))

    # zone
    in_zone = s.zone is not None and s.zone.share >= rules.min_zone_share
    if s.zone is None:
        out.append(Reason("conditional", "zone", "outside_zones",
                          "lies outside every cluster zone (产业集聚区): new industrial land "
                          "outside the designated zones goes against infill first (集约)"))
    else:
        z = s.zone
        zname = f"{z.name_zh} ({z.name_en})" if z.name_en else z.name_zh
        leads = ", ".join(z.leading) or "none designated"
        if not in_zone:
            out.append(Reason("conditional", "zone", "partly_in_zone",
                              f"only {_pct(z.share)} of the parcel lies in {zname}; the rest is "
                              "outside every cluster zone"))
        elif z.industry_leading:
            out.append(Reason("ok", "zone", "leading",
                              f"lies in {zname} ({_pct(z.share)} of the parcel); {ind.code} is "
                              f"among its leading industries ({leads}): consistent with the zone "
                              "plan (三规合一)"))
        else:
            out.append(Reason("conditional", "zone", "not_leading",
                              f"lies in {zname} ({_pct(z.share)} of the parcel), but {ind.code} "
                              f"is not among its leading industries ({leads}): needs a "
                              "consistency review against the zone plan (三规合一)"))

    # suitability
    su = s.suitability
    top = "; ".join(f"{c.criterion} {c.points:.1f}" for c in su.contributions[:3])
    score_text = (
        f"suitability for {name}: mean {su.mean:.1f}, minimum {su.min:.1f}, percentile "
        f"{su.percentile:.1f} of the study area's eligible cells (largest contributions: {top})"
    )
    if not np.isfinite(su.mean):
        out.append(Reason("unsuitable", "score", "no_score",
                          "no score: the parcel covers no cell of the study area"))
    elif su.mean < rules.score_floor:
        out.append(Reason("unsuitable", "score", "very_low_score",
                          f"{score_text} -- below {rules.score_floor:g}"))
    elif su.mean < rules.score_unsuitable and not in_zone:
        out.append(Reason("unsuitable", "score", "low_score_outside_zones",
                          f"{score_text} -- below {rules.score_unsuitable:g} outside the zones"))
    elif su.mean < rules.score_conditional:
        out.append(Reason("conditional", "score", "low_score",
                          f"{score_text} -- below {rules.score_conditional:g}"))
    else:
        out.append(Reason("ok", "score", "score", score_text))

    # indicators
    if s.indicators is not None:
        for chk in s.indicators:
            out.append(Reason("ok" if chk.passed else "conditional", "indicator",
                              "indicator_pass" if chk.passed else "indicator_fail", chk.message))

    # place -> industries
    checked = next((x for x in s.industries if x.checked), None)
    better = [x for x in s.industries if not x.checked and checked is not None
              and x.mean_score >= checked.mean_score + rules.alt_margin]
    ranking = ", ".join(f"{x.code} {x.mean_score:.1f}" for x in s.industries)
    if better:
        out.append(Reason("info", "industries", "better_industries",
                          f"this parcel suits {', '.join(x.code for x in better)} clearly better "
                          f"(ranking by mean score: {ranking})"))
    else:
        place = next((x.rank for x in s.industries if x.checked), 0)
        out.append(Reason("ok", "industries", "ranking",
                          f"{s.industry} ranks {_ordinal(place)} of {len(s.industries)} "
                          "industries on this parcel, none clearly better (ranking by mean "
                          f"score: {ranking})"))

    # alternatives
    what = "site of the plan" if from_plan else "area"
    if s.alternatives:
        a = s.alternatives[0]
        out.append(Reason("info", "alternatives", "alternatives",
                          f"{_plural(len(s.alternatives), 'clearly better ' + what)} within "
                          f"{radius_m / 1000:g} km (score ≥ parcel mean + {rules.alt_margin:g}); "
                          f"nearest {a.distance_m / 1000:.1f} km {a.direction}: a {a.area_mu:,.0f} "
                          f"mu site scoring {a.mean_score:.1f} (+{a.gain:.1f})"))
    else:
        out.append(Reason("ok", "alternatives", "no_alternatives",
                          f"no {what} within {radius_m / 1000:g} km scores clearly higher "
                          f"(parcel mean + {rules.alt_margin:g})"))
    sev = {v: k for k, v in enumerate(SEVERITIES)}
    kind = {v: k for k, v in enumerate(KINDS)}
    return sorted(out, key=lambda r: (sev[r.severity], kind[r.kind]))


def _verdict(reasons: Sequence[Reason]) -> str:
    severities = {r.severity for r in reasons}
    if "unsuitable" in severities:
        return "unsuitable"
    if "conditional" in severities:
        return "conditional"
    return "suitable"


# --- output ---------------------------------------------------------------------------------


def report_dict(
    checks: Sequence[SiteCheck],
    *,
    cache: ScoreCache,
    radius_m: float = 10_000,
    rules: VerdictRules | None = None,
    alternatives_from: str = "raster",
) -> dict[str, Any]:
    """The JSON document of a site check (schema in docs/sitecheck.md).

    It holds no time stamp: the same inputs give the same document.
    """
    rules = rules or VerdictRules()
    code = checks[0].industry if checks else ""
    ind = cache.catalog.industry(code) if code else None
    counts = {v: sum(c.verdict == v for c in checks) for v in VERDICTS}
    m = cache.manifest
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "zz-layout", "version": __version__, "command": "layout check-site"},
        "industry": {
            "code": code,
            "name_zh": ind.name_zh if ind else "",
            "name_en": ind.name_en if ind else "",
        },
        "plan": {
            "name": m["plan_name"],
            "name_en": m["plan_name_en"],
            "label": m["plan"],
            "crs": m["crs"],
            "resolution_m": m["resolution_m"],
            "exclude": list(m["exclude"]),
            "cache_key": cache.key,
        },
        "radius_m": radius_m,
        "alternatives_from": alternatives_from,
        "rules": rules.to_dict(),
        "summary": {"parcels": len(checks), **counts},
        "parcels": [c.to_dict() for c in checks],
    }


def to_json(document: Mapping[str, Any], *, pretty_max: int = 50) -> str:
    """Serialise a `report_dict` document as UTF-8 JSON text; fields keep their order.

    Up to ``pretty_max`` parcels the document is indented; above that each parcel takes one
    compact line (Python's indenting encoder is about ten times slower than the compact one,
    which matters for a thousand parcels). Formatting is not part of the schema.
    """
    parcels = document.get("parcels", [])
    if len(parcels) <= pretty_max:
        return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    head = {k: v for k, v in document.items() if k != "parcels"}
    text = json.dumps(head, ensure_ascii=False, indent=2, allow_nan=False)
    enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    body = ",\n".join("    " + enc.encode(p) for p in parcels)
    return f'{text[:-2]},\n  "parcels": [\n{body}\n  ]\n}}\n'



def _md(value: Any) -> str:
    """Make text safe inside a Markdown table cell (and inert if the Markdown becomes HTML)."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(a, b)
    return text


def _zone_cell(zone: Mapping[str, Any] | None) -> str:
    """``airport``, or ``airport (7 %)`` when only part of the parcel lies in the zone."""
    if not zone:
        return "–"
    share = float(zone["share"])
    return zone["zone_id"] if share >= 0.995 else f"{zone['zone_id']} ({100 * share:.0f} %)"


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    v = float(value)
    return "–" if math.isnan(v) else f"{v:,.{digits}f}"


def to_markdown(document: Mapping[str, Any]) -> str:
    """A Markdown report of a `report_dict` document, for people."""
    ind = document["industry"]
    summ = document["summary"]
    lines = [
        f"# Site check: {_md(ind['name_zh'])} {_md(ind['name_en'])} ({_md(ind['code'])})",
        "",
        f"Plan: {_md(document['plan']['name'])} ({_md(document['plan']['label'])}); "
        f"{summ['parcels']} parcels: {summ['suitable']} suitable, {summ['conditional']} "
        f"conditional, {summ['unsuitable']} unsuitable. Alternatives within "
        f"{document['radius_m'] / 1000:g} km. Schema {document['schema_version']}.",
        "",
        "| parcel | verdict | area (mu) | zone | mean score | percentile | most serious reason |",
        "|---|---|---:|---|---:|---:|---|",
    ]
    for p in document["parcels"]:
        zone = _zone_cell(p["zone"])
        lines.append(
            f"| {_md(p['parcel_id'])} | **{p['verdict']}** | {_num(p['area_mu'])} | {_md(zone)} "
            f"| {_num(p['suitability']['mean'])} | {_num(p['suitability']['percentile'])} "
            f"| {_md(p['reasons'][0]['message'] if p['reasons'] else '')} |"
        )
    for p in document["parcels"]:
        lines += ["", f"## Parcel {_md(p['parcel_id'])}: {p['verdict']}", ""]
        lines.append(
            f"Area {_num(p['area_mu'])} mu ({_num(p['area_ha'], 2)} ha); centroid "
            f"{p['lon']:.6f} E, {p['lat']:.6f} N."
        )
        for w in p["warnings"]:
            lines.append(f"\n> warning: {_md(w)}")
        lines += ["", "### Reasons, most serious first", ""]
        for k, r in enumerate(p["reasons"], start=1):
            lines.append(f"{k}. **{r['severity']}** ({r['kind']}): {_md(r['message'])}")
        if p["constraints"]:
            lines += ["", "### Hard constraints", "",
                      "| type | excluding | area (mu) | share | features | legal basis |",
                      "|---|---|---:|---:|---|---|"]
            for c in p["constraints"]:
                feats = ", ".join(f["constraint_id"] for f in c["features"])
                lines.append(
                    f"| {_md(c['type'])} | {'yes' if c['excluding'] else 'no'} "
                    f"| {_num(c['area_mu'], 2)} | {_num(100 * c['share'], 2)} % | {_md(feats)} "
                    f"| {_md(c['legal_basis'])} |"
                )
        su = p["suitability"]
        lines += ["", f"### Suitability for {_md(ind['code'])}: criterion contributions", "",
                  f"Mean {_num(su['mean'])}, minimum {_num(su['min'])}, percentile "
                  f"{_num(su['percentile'], 2)}, eligible share "
                  f"{_num(100 * su['eligible_share'])} %.",
                  "", "| criterion | weight | value (0–1) | points |", "|---|---:|---:|---:|"]
        for c in su["contributions"]:
            lines.append(
                f"| {_md(c['label_en'])} ({_md(c['criterion'])}) | {_num(c['weight'], 3)} "
                f"| {_num(c['value'], 2)} | {_num(c['points'], 2)} |"
            )
        lines += ["", "### Place → industries", "",
                  "| rank | industry | mean score | leading in zone |", "|---:|---|---:|---|"]
        for x in p["industries"]:
            mark = " (checked)" if x["checked"] else ""
            lines.append(
                f"| {x['rank']} | {_md(x['name_zh'])} {_md(x['code'])}{mark} "
                f"| {_num(x['mean_score'])} | {'yes' if x['leading_in_zone'] else ''} |"
            )
        lines += ["", f"### Better alternatives within {document['radius_m'] / 1000:g} km", ""]
        if p["alternatives"]:
            lines += ["| # | site | distance (km) | direction | area (mu) | mean score | gain "
                      "| lon, lat | zone | better region (mu) |",
                      "|---:|---|---:|---|---:|---:|---:|---|---|---:|"]
            for a in p["alternatives"]:
                lines.append(
                    f"| {a['rank']} | {_md(a['site_id'])} | {_num(a['distance_m'] / 1000, 2)} "
                    f"| {a['direction']} | {_num(a['area_mu'], 0)} | {_num(a['mean_score'])} "
                    f"| +{_num(a['gain'])} | {a['lon']:.5f}, {a['lat']:.5f} "
                    f"| {_md(a['zone_id'])} | {_num(a['region_area_mu'], 0)} |"
                )
        else:
            lines.append("None scores clearly higher.")
        if p["indicators"] is not None:
            lines += ["", "### Land indicators", "",
                      "| indicator | value | threshold | result | source |",
                      "|---|---:|---|---|---|"]
            for c in p["indicators"]:
                lines.append(
                    f"| {_md(c['label'])} | {c['value']:g} | {c['op']} {c['threshold']:g} "
                    f"| {'pass' if c['passed'] else '**fail**'} | {_md(c['source'])} "
                    f"({_md(c['confidence'])}) |"
                )
    return "\n".join(lines) + "\n"


# --- HTML with a map ------------------------------------------------------------------------

_VERDICT_COLORS = {"suitable": "#1a9641", "conditional": "#e08214", "unsuitable": "#d7191c"}
_ALT_COLOR = "#2c7bb6"
_OVERLAP_COLOR = "#7b3294"
_PAGE_CSS = """
html, body { margin: 0; height: 100%; font: 13px/1.45 sans-serif; color: #222; }
.sc-report { position: absolute; left: 0; top: 0; bottom: 0; width: 44%; overflow-y: auto;
  box-sizing: border-box; padding: 10px 16px; border-right: 1px solid #ccc; background: #fff; }
.sc-report h1 { font-size: 18px; margin: 4px 0 6px 0; }
.sc-report h2 { font-size: 15px; margin: 16px 0 4px 0; border-bottom: 1px solid #ddd; }
.sc-report h3 { font-size: 13px; margin: 10px 0 3px 0; }
.sc-report table { border-collapse: collapse; margin: 4px 0; width: 100%; }
.sc-report td, .sc-report th { border: 1px solid #ddd; padding: 2px 5px; vertical-align: top; }
.sc-report th { background: #f2f2f2; text-align: left; }
.sc-report td.n { text-align: right; white-space: nowrap; }
.sc-report ol { padding-left: 20px; margin: 4px 0; }
.sc-verdict { display: inline-block; padding: 1px 8px; border-radius: 3px; color: #fff;
  font-weight: bold; }
.sc-sev { font-weight: bold; }
.sc-sev-unsuitable { color: #d7191c; } .sc-sev-conditional { color: #b35806; }
.sc-sev-info { color: #2c7bb6; } .sc-sev-ok { color: #1a9641; }
.sc-note { color: #555; font-size: 12px; }
.sc-legend { position: absolute; right: 10px; bottom: 24px; z-index: 1000;
  background: rgba(255,255,255,0.93); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.4 sans-serif; }
.sc-legend .row { display: flex; align-items: center; gap: 6px; }
.sc-legend .sw { display: inline-block; width: 14px; height: 10px; }
.leaflet-container { background: #fff; }
.layout-tip { font: 12px/1.4 sans-serif; }
"""


def _verdict_badge(verdict: str) -> str:
    from layout.products.maps import escape_text

    color = _VERDICT_COLORS.get(verdict, "#555")
    return f'<span class="sc-verdict" style="background:{color}">{escape_text(verdict)}</span>'


def _report_html(document: Mapping[str, Any]) -> str:
    """The report part of the HTML page; every data text escaped with `escape_text`."""
    from layout.products.maps import escape_text as e

    ind = document["industry"]
    summ = document["summary"]
    radius_km = e(f"{document['radius_m'] / 1000:g}")
    out = [
        f"<h1>Site check: {e(ind['name_zh'])} {e(ind['name_en'])} ({e(ind['code'])})</h1>",
        f'<div class="sc-note">{e(document["plan"]["name"])} · {summ["parcels"]} parcels: '
        f"{summ['suitable']} suitable, {summ['conditional']} conditional, "
        f"{summ['unsuitable']} unsuitable · alternatives within "
        f"{radius_km} km · schema {e(document['schema_version'])}"
        "</div>",
        "<table><tr><th>parcel</th><th>verdict</th><th>area (mu)</th><th>zone</th>"
        "<th>mean</th><th>pct</th></tr>",
    ]
    for p in document["parcels"]:
        zone = _zone_cell(p["zone"])
        out.append(
            f"<tr><td>{e(p['parcel_id'])}</td><td>{_verdict_badge(p['verdict'])}</td>"
            f'<td class="n">{e(_num(p["area_mu"]))}</td><td>{e(zone)}</td>'
            f'<td class="n">{e(_num(p["suitability"]["mean"]))}</td>'
            f'<td class="n">{e(_num(p["suitability"]["percentile"]))}</td></tr>'
        )
    out.append("</table>")
    for p in document["parcels"]:
        su = p["suitability"]
        out.append(f"<h2>Parcel {e(p['parcel_id'])} {_verdict_badge(p['verdict'])}</h2>")
        out.append(
            f'<div class="sc-note">{e(_num(p["area_mu"]))} mu ({e(_num(p["area_ha"], 2))} ha) · '
            f"{p['lon']:.5f} E, {p['lat']:.5f} N</div>"
        )
        for w in p["warnings"]:
            out.append(f'<div class="sc-note">warning: {e(w)}</div>')
        out.append("<ol>")
        for r in p["reasons"]:
            sev = e(r["severity"])
            out.append(
                f'<li><span class="sc-sev sc-sev-{sev}">{sev}</span> · {e(r["kind"])}: '
                f"{e(r['message'])}</li>"
            )
        out.append("</ol>")
        out.append("<h3>Criterion contributions</h3><table><tr><th>criterion</th>"
                   "<th>weight</th><th>value</th><th>points</th></tr>")
        for c in su["contributions"][:8]:
            out.append(
                f"<tr><td>{e(c['label_zh'])} {e(c['label_en'])}</td>"
                f'<td class="n">{e(_num(c["weight"], 3))}</td>'
                f'<td class="n">{e(_num(c["value"], 2))}</td>'
                f'<td class="n">{e(_num(c["points"], 2))}</td></tr>'
            )
        out.append("</table>")
        out.append("<h3>Place → industries</h3><table><tr><th>#</th><th>industry</th>"
                   "<th>mean</th><th>leading</th></tr>")
        for x in p["industries"]:
            bold = ("<b>", "</b>") if x["checked"] else ("", "")
            out.append(
                f'<tr><td class="n">{x["rank"]}</td><td>{bold[0]}{e(x["name_zh"])} '
                f'{e(x["code"])}{bold[1]}</td><td class="n">{e(_num(x["mean_score"]))}</td>'
                f"<td>{'yes' if x['leading_in_zone'] else ''}</td></tr>"
            )
        out.append("</table>")
        if p["alternatives"]:
            out.append("<h3>Better alternatives</h3><table><tr><th>#</th><th>distance</th>"
                       "<th>area (mu)</th><th>mean</th><th>gain</th><th>zone</th></tr>")
            for a in p["alternatives"]:
                out.append(
                    f'<tr><td>{e(a["site_id"])}</td><td class="n">'
                    f'{e(_num(a["distance_m"] / 1000, 1))} km {e(a["direction"])}</td>'
                    f'<td class="n">{e(_num(a["area_mu"], 0))}</td>'
                    f'<td class="n">{e(_num(a["mean_score"]))}</td>'
                    f'<td class="n">+{e(_num(a["gain"]))}</td><td>{e(a["zone_id"])}</td></tr>'
                )
            out.append("</table>")
        if p["indicators"] is not None:
            out.append("<h3>Land indicators</h3><table><tr><th>indicator</th><th>value</th>"
                       "<th>threshold</th><th>result</th></tr>")
            for c in p["indicators"]:
                res = "pass" if c["passed"] else "<b>fail</b>"
                value, bound = f"{c['value']:g}", f"{c['threshold']:g}"
                out.append(
                    f"<tr><td>{e(c['label'])}</td><td class=\"n\">{e(value)}</td>"
                    f"<td>{e(c['op'])} {e(bound)}</td><td>{res}</td></tr>"
                )
            out.append("</table>")
    return "\n".join(out)


def site_map(
    checks: Sequence[SiteCheck],
    document: Mapping[str, Any],
    *,
    cache: ScoreCache,
    max_alternative_parcels: int = 100,
) -> folium.Map:
    """A self-contained folium page: the report on the left, a map of the parcels on the right.

    The map shows the parcels coloured by verdict, their constraint overlaps, the zones and
    constraints nearby (clipped to the view), and the alternatives of the first
    ``max_alternative_parcels`` parcels. Every text from the data goes through
    `layout.products.maps.escape_text`; write the map with `layout.products.maps.save_map` (offline, deterministic).
    """
    import folium
    import geopandas as gpd
    from branca.element import MacroElement
    from folium.template import Template

    from layout.products.maps import escape_text as e
    from layout.products.maps.prepare import for_display
    from layout.products.maps.style import constraint_style, industry_label

    crs = cache.manifest["crs"]
    geoms = [c.geometry for c in checks if c.geometry is not None]
    alt_geoms = [
        a.geometry for c in checks[:max_alternative_parcels] for a in c.alternatives
        if a.geometry is not None
    ]
    everything = shapely.union_all([shapely.envelope(g) for g in geoms + alt_geoms])
    xmin, ymin, xmax, ymax = shapely.bounds(everything)
    span = max(xmax - xmin, ymax - ymin)
    margin = max(500.0, 0.1 * span)
    view = shapely.box(xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    # layers are clipped well beyond the initial view, so that no clip edge shows as a border
    clip = shapely.buffer(view, max(10_000.0, 2 * span), join_style="mitre")

    def tip(title: str, rows: Sequence[tuple[str, str]]) -> str:
        body = "".join(f"<br>{e(k)}: {e(v)}" for k, v in rows)
        return f"<b>{e(title)}</b>{body}"

    def collection(gdf: gpd.GeoDataFrame, props: list[dict[str, Any]]) -> dict[str, Any]:
        disp = for_display(gdf, source="site check", tolerance_m=0)
        feats = [
            {"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": p}
            for g, p in zip(disp.geometry, props, strict=True)
        ]
        return {"type": "FeatureCollection", "features": feats}

    def layer(data: dict[str, Any], name: str, *, interactive: bool = True) -> folium.GeoJson:
        tooltip = (
            folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True,
                                  class_name="layout-tip") if interactive else None
        )
        extra: dict[str, Any] = {} if interactive else {"interactive": False}
        return folium.GeoJson(data, name=e(name), tooltip=tooltip, **extra)

    m = folium.Map(
        location=[34.7, 113.7], zoom_start=12, tiles=None, prefer_canvas=True,
        control_scale=False, attribution_control=False, width="56%", height="100%",
        left="44%", top="0%", position="absolute", zoom_snap=0.25,
    )
    root = m.get_root()
    ind = document["industry"]
    root.title = e(f"Site check: {ind['code']}")  # type: ignore[attr-defined]

    zones = cache.layer("zones")
    if len(zones):
        near = zones[zones.intersects(clip)].copy()
        if len(near):
            near["geometry"] = near.geometry.intersection(clip)
            props = []
            for _, row in near.iterrows():
                codes = _split_codes(row.get("leading"))
                color = industry_label(codes[0], "en")[1] if codes else "#bdbdbd"
                props.append({
                    "tip": tip(f"{_text(row, 'name_zh')} {_text(row, 'name_en')}",
                               [("leading", ", ".join(codes) or "none")]),
                    "style": {"color": color, "weight": 1.5, "fillColor": color,
                              "fillOpacity": 0.15},
                })
            layer(collection(near, props), "Cluster zones").add_to(m)
    cons = cache.layer("constraints")
    if len(cons):
        near = cons[cons.intersects(clip)].copy()
        if len(near):
            near["geometry"] = near.geometry.intersection(clip)
            props = []
            for _, row in near.iterrows():
                color, label, _ = constraint_style(_text(row, "type"), "en")
                props.append({
                    "tip": tip(_text(row, "name_zh") or _text(row, "constraint_id"),
                               [("type", label), ("legal basis", _text(row, "legal_basis"))]),
                    "style": {"color": color, "weight": 1.0, "dashArray": "4 3",
                              "fillColor": color, "fillOpacity": 0.2},
                })
            layer(collection(near, props), "Hard constraints").add_to(m)

    alt_rows, alt_props = [], []
    for c in checks[:max_alternative_parcels]:
        for a in c.alternatives:
            if a.geometry is None:
                continue
            alt_rows.append(a.geometry)
            alt_props.append({
                "tip": tip(f"alternative {a.site_id} for parcel {c.parcel_id}", [
                    ("distance", f"{a.distance_m / 1000:.1f} km {a.direction}"),
                    ("area", f"{a.area_mu:,.0f} mu"),
                    ("mean score", f"{a.mean_score:.1f} (+{a.gain:.1f})"),
                ]),
                "style": {"color": _ALT_COLOR, "weight": 2, "fillColor": _ALT_COLOR,
                          "fillOpacity": 0.35},
            })
    if alt_rows:
        layer(collection(gpd.GeoDataFrame(geometry=alt_rows, crs=crs), alt_props),
              "Better alternatives").add_to(m)

    ov_rows, ov_props = [], []
    for c in checks:
        for o in c.constraints:
            if o.geometry is None or shapely.is_empty(o.geometry):
                continue
            ov_rows.append(o.geometry)
            ov_props.append({
                "tip": tip(f"parcel {c.parcel_id} ∩ {o.type}",
                           [("area", f"{o.area_mu:,.1f} mu ({100 * o.share:.1f} %)")]),
                "style": {"color": _OVERLAP_COLOR, "weight": 1.5, "fillColor": _OVERLAP_COLOR,
                          "fillOpacity": 0.55},
            })

    par_props = []
    for c in checks:
        color = _VERDICT_COLORS[c.verdict]
        par_props.append({
            "tip": tip(f"parcel {c.parcel_id}: {c.verdict}", [
                ("area", f"{c.area_mu:,.1f} mu"),
                ("mean score", f"{c.suitability.mean:.1f}"),
                ("zone", _zone_cell(c.zone.to_dict() if c.zone else None)),
            ]),
            "style": {"color": color, "weight": 3, "fillColor": color, "fillOpacity": 0.3},
        })
    layer(collection(gpd.GeoDataFrame(geometry=geoms, crs=crs), par_props), "Parcels").add_to(m)
    if ov_rows:
        layer(collection(gpd.GeoDataFrame(geometry=ov_rows, crs=crs), ov_props),
              "Constraint overlaps").add_to(m)

    ext = gpd.GeoSeries([view], crs=crs).to_crs("EPSG:4326").total_bounds
    m.fit_bounds([[round(ext[1], 6), round(ext[0], 6)], [round(ext[3], 6), round(ext[2], 6)]])
    folium.LayerControl(collapsed=True).add_to(m)

    class _Scale(MacroElement):
        _template = Template(
            """
            {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "Scale"

    _Scale().add_to(m)

    legend = ['<div class="row"><b>Legend</b></div>']
    for v, color in _VERDICT_COLORS.items():
        legend.append(f'<div class="row"><span class="sw" style="border:3px solid {color};'
                      f'background:{color}40"></span>parcel: {e(v)}</div>')
    legend.append(f'<div class="row"><span class="sw" style="background:{_OVERLAP_COLOR}">'
                  "</span>overlap with a hard constraint</div>")
    legend.append(f'<div class="row"><span class="sw" style="background:{_ALT_COLOR}80;'
                  f'border:2px solid {_ALT_COLOR}"></span>better alternative</div>')
    legend.append('<div class="row"><span class="sw" style="border:1px dashed #a6761d">'
                  "</span>hard constraint · zone (coloured outline)</div>")

    class _Html(MacroElement):
        _template = Template(
            """
            {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
            {% macro html(this, kwargs) %}
            <div class="sc-report">{{ this.report }}</div>
            <div class="sc-legend">{{ this.legend }}</div>
            {% endmacro %}
            """
        )

        def __init__(self, report: str, legend_html: str) -> None:
            super().__init__()
            self._name = "SiteCheckReport"
            self.css = _PAGE_CSS
            self.report = report
            self.legend = legend_html

    _Html(_report_html(document), "".join(legend)).add_to(m)
    return m
