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
5. **land indicators** (when given, in an indicators file or the parcel file's own columns) --
   against the national control indicators (`layout.data.indicators`, 2023 and 2008) and the
   zone's standard land (标准地);
6. **place → industries** -- every priority industry ranked by its mean score on the parcel;
7. **better alternatives** -- the nearest sites within ``radius_m`` whose score is clearly
   higher for this industry.

Scores come from the score cache (`layout.scoring.cache`), read in raster windows around the
parcels; constraints and zones from the cache's copy of the vector layers. Nothing of the
scoring pipeline runs once the cache exists.

Modules
-------
`layout.data.parcels`
    Reading parcels (files, WKT), checking, repairing and projecting them (`read_parcels`,
    `prepare_parcels`, `ParcelError` are re-exported here).
`engine`
    `check_parcels`, the check itself.
`cells`
    The grid cells a parcel covers (how a parcel is measured).
`overlaps`
    Exact overlaps with the constraint and zone layers.
`alternatives`
    Better sites nearby, from the score raster or a plan's sites.
`rules`
    `VerdictRules`, the reasons and the verdict.
`results`
    `SiteCheck` and the other result types.
`document`, `markdown`, `page`, `sitemap`
    The JSON document (`report_dict`, `to_json`), the Markdown opinion, the HTML opinion and the
    page with a map (`site_map`).
`opinion`, `opinion_text`, `legal`, `minimap`
    The site opinion's fixed sections in Chinese or English, their words, the legal articles
    cited, and the small map of each parcel (one printed A4 page per parcel).
`batch`
    The batch table (CSV) and GeoJSON beside the documents, and the files' names.
`standard`
    A parcel's project against its zone's standard land (标准地).
`examples`
    Three example parcels and their projects' indicators, one per verdict.
"""

from layout.data.parcels import ID_COLUMNS, ParcelError, prepare_parcels, read_parcels
from layout.products.sitecheck.document import report_dict, to_json
from layout.products.sitecheck.engine import check_parcels
from layout.products.sitecheck.examples import example_indicators, example_parcels
from layout.products.sitecheck.markdown import to_markdown
from layout.products.sitecheck.results import (
    KINDS,
    SCHEMA_VERSION,
    SEVERITIES,
    VERDICTS,
    Alternative,
    ConstraintFeature,
    ConstraintOverlap,
    Contribution,
    IndustryScore,
    Reason,
    SiteCheck,
    Suitability,
    ZoneOverlap,
)
from layout.products.sitecheck.rules import VerdictRules
from layout.products.sitecheck.sitemap import site_map

__all__ = [
    "ID_COLUMNS",
    "KINDS",
    "SCHEMA_VERSION",
    "SEVERITIES",
    "VERDICTS",
    "Alternative",
    "ConstraintFeature",
    "ConstraintOverlap",
    "Contribution",
    "IndustryScore",
    "ParcelError",
    "Reason",
    "SiteCheck",
    "Suitability",
    "VerdictRules",
    "ZoneOverlap",
    "check_parcels",
    "example_indicators",
    "example_parcels",
    "prepare_parcels",
    "read_parcels",
    "report_dict",
    "site_map",
    "to_json",
    "to_markdown",
]
