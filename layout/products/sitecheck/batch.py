"""A batch of site checks as tables and file names: one row or feature per parcel.

Beside the documents (JSON, Markdown, HTML) a check writes its parcels as a CSV table
(`batch_frame`, `write_batch_csv`, through the one CSV writer `layout.io.csvsafe`) and as a
GeoJSON FeatureCollection (`to_geojson`, RFC 7946: WGS84 lon/lat, no ``crs`` member, exterior
rings counter-clockwise). Both have the same columns (`BATCH_COLUMNS`). `output_stem` names the
files after the parcel ids and the industry, so that two checks into one folder do not
overwrite each other.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from layout.io.csvsafe import inert_frame, write_csv

if TYPE_CHECKING:
    from layout.products.sitecheck.results import SiteCheck

#: Columns of the batch CSV and properties of the GeoJSON features, in order.
BATCH_COLUMNS: tuple[str, ...] = (
    "parcel_id",
    "industry",
    "verdict",
    "main_reason",
    "main_reason_code",
    "constraint_overlap_mu",
    "constraint_overlap_share",
    "score",
    "percentile",
    "zone",
    "zone_share",
    "area_mu",
    "lon",
    "lat",
)
#: Decimal places of GeoJSON coordinates (1e-7 degrees, about 1 cm).
COORD_DIGITS = 7
#: Longest parcel-id part of a file name (characters).
MAX_NAME = 40


def batch_frame(document: Mapping[str, Any]) -> pd.DataFrame:
    """One row per parcel of a `report_dict` document (`BATCH_COLUMNS`).

    ``main_reason`` is the most serious reason (the first); ``constraint_overlap_mu`` the area
    covered by any constraint the plan excludes (polygons merged, exact); ``score`` the mean
    score; ``zone`` the zone holding most of the parcel (empty outside every zone).
    """
    code = document["industry"]["code"]
    rows = []
    for p in document["parcels"]:
        first = p["reasons"][0] if p["reasons"] else {"message": "", "code": ""}
        zone = p["zone"] or {}
        rows.append({
            "parcel_id": p["parcel_id"],
            "industry": code,
            "verdict": p["verdict"],
            "main_reason": first["message"],
            "main_reason_code": first["code"],
            "constraint_overlap_mu": p["excluded_overlap"]["area_mu"],
            "constraint_overlap_share": p["excluded_overlap"]["share"],
            "score": p["suitability"]["mean"],
            "percentile": p["suitability"]["percentile"],
            "zone": zone.get("zone_id", ""),
            "zone_share": zone.get("share", 0.0),
            "area_mu": p["area_mu"],
            "lon": p["lon"],
            "lat": p["lat"],
        })
    return pd.DataFrame(rows, columns=list(BATCH_COLUMNS))


def batch_csv(document: Mapping[str, Any]) -> str:
    """The batch table as CSV text (what `write_batch_csv` writes)."""
    return str(inert_frame(batch_frame(document)).to_csv(index=False, lineterminator="\n"))


def write_batch_csv(document: Mapping[str, Any], path: str | Path) -> None:
    """Write the batch table (`batch_frame`) through the CSV-safe writer."""
    write_csv(batch_frame(document), path)


def _rounded(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.round(xy, COORD_DIGITS))


def to_geojson(
    checks: Sequence[SiteCheck], document: Mapping[str, Any], *, crs: str
) -> str:
    """The parcels as an RFC 7946 GeoJSON FeatureCollection with the batch properties.

    Parameters
    ----------
    checks
        The checks of the document, with their geometry (plan CRS).
    document
        Their `report_dict` document.
    crs
        The plan CRS the geometries are in.

    Notes
    -----
    Coordinates are WGS84 longitude, latitude (EPSG:4326) with `COORD_DIGITS` decimals;
    exterior rings are counter-clockwise and holes clockwise (RFC 7946 §3.1.6); there is no
    ``crs`` member. Missing numbers are ``null``.
    """
    from layout.data.parcels import project_geometries

    frame = batch_frame(document)
    geoms = np.asarray([c.geometry for c in checks], dtype=object)
    wgs = project_geometries(geoms, crs, "EPSG:4326") if len(geoms) else geoms
    features = []
    for i, row in enumerate(frame.to_dict(orient="records")):
        props = {k: (None if isinstance(v, float) and math.isnan(v) else v)
                 for k, v in row.items()}
        g = wgs[i]
        geometry = None
        if g is not None:
            g = shapely.orient_polygons(_rounded(g), exterior_cw=False)
            geometry = json.loads(shapely.to_geojson(g))
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, allow_nan=False) + "\n"


_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_name(text: str) -> str:
    """A piece of a file name: letters (any script), digits, ``.``, ``-``; the rest as ``_``.

    Examples
    --------
    >>> safe_name("A/1 地块"), safe_name("../x"), safe_name("")
    ('A_1_地块', 'x', 'parcel')
    """
    norm = unicodedata.normalize("NFC", str(text))
    out = _UNSAFE.sub("_", norm).strip("._-")
    out = re.sub(r"_+", "_", out)[:MAX_NAME].strip("._-")
    return out or "parcel"


def output_stem(parcel_ids: Sequence[str], industry: str) -> str:
    """The stem of a check's files: ``sitecheck_<id>_<industry>``.

    A batch is named after its first and last parcel:
    ``sitecheck_<first>_to_<last>_<industry>``.

    Examples
    --------
    >>> output_stem(["A-airport"], "electronics")
    'sitecheck_A-airport_electronics'
    >>> output_stem(["P1", "P2", "P9"], "food")
    'sitecheck_P1_to_P9_food'
    """
    ids = [safe_name(p) for p in parcel_ids] or ["parcel"]
    part = ids[0] if len(ids) == 1 else f"{ids[0]}_to_{ids[-1]}"
    return f"sitecheck_{part}_{safe_name(industry)}"
