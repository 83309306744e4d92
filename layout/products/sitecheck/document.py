"""The JSON document of a site check (`report_dict`, `to_json`; schema in docs/sitecheck.md).

The Markdown and HTML reports are renderings of this document; `zone_cell` and `format_number`
are the text forms of its values that both use.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from layout.products.sitecheck.results import SCHEMA_VERSION, VERDICTS, SiteCheck
from layout.products.sitecheck.rules import VerdictRules
from layout.version import __version__

if TYPE_CHECKING:
    from layout.scoring.cache import ScoreCache


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
        "controls": control_rows(code, cache=cache) if code else [],
        "data": data_block(cache),
        "parcels": [c.to_dict() for c in checks],
    }


def control_rows(code: str, *, cache: ScoreCache) -> list[dict[str, Any]]:
    """The national control indicators of an industry, one row per field (``controls``)."""
    from layout.data.indicators import FIELDS, LABELS_ZH, thresholds

    return [
        {"field": f, "label": FIELDS[f][0], "label_zh": LABELS_ZH[f], "op": t.op,
         "value": t.value, "source": t.source, "confidence": t.confidence, "kind": t.kind,
         "edition": t.edition, "clause_2023": t.clause_2023,
         "confidence_2023": t.confidence_2023, "value_2008": t.value_2008}
        for f, t in thresholds(code, catalog=cache.catalog).items()
    ]


#: Layers whose features carry a confidence column that the document summarises.
_GRADED = ("zones", "constraints")
#: Confidence grades that make a layer illustrative.
ILLUSTRATIVE = ("illustrative", "L")


def _file_name(source: str) -> str:
    """A manifest source (``path[:layer] sha256=…``) with the file's name instead of its path.

    Examples
    --------
    >>> _file_name("/home/a/plan/layers.gpkg:zones sha256=ab12"), _file_name("dem.tif")
    ('layers.gpkg:zones sha256=ab12', 'dem.tif')
    """
    head, sep, digest = source.rpartition(" sha256=")
    if not sep:
        head, digest = source, ""
    path, colon, layer = head.rpartition(":")
    if not colon or "/" in layer or "\\" in layer:
        path, layer = head, ""
    name = PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name
    return f"{name}{':' + layer if layer else ''}{' sha256=' + digest if digest else ''}"


def data_block(cache: ScoreCache) -> dict[str, Any]:
    """Where the check's data come from (the document's ``data``).

    The input files (names and hashes), the confidence of the zone and constraint layers, a
    data version (SHA-256 of the inputs' hashes, 16 hex digits), and whether the constraint
    layers are illustrative.
    """
    m = cache.manifest
    sources = {str(k): _file_name(str(v)) for k, v in dict(m.get("sources", {})).items()}
    # file names and content hashes: the same data give the same version wherever they lie
    version = hashlib.sha256(json.dumps(sources, sort_keys=True).encode()).hexdigest()[:16]
    layers = []
    graded: dict[str, list[str]] = {}
    for name in _GRADED:
        gdf = cache.layer(name)
        graded[name] = (sorted({str(v) for v in gdf["confidence"].dropna()})
                        if "confidence" in gdf.columns else [])
    for name, src in sorted(sources.items()):
        layers.append({"layer": name, "source": src, "confidence": graded.get(name, [])})
    illustrative = any(c in ILLUSTRATIVE for c in graded.get("constraints", []))
    return {
        "version": version,
        "package_version": __version__,
        "cache_key": cache.key,
        "layers": layers,
        "illustrative_constraints": illustrative,
    }


def to_json(document: Mapping[str, Any], *, pretty_max: int = 50) -> str:
    r"""Serialise a `report_dict` document as UTF-8 JSON text; fields keep their order.

    Up to ``pretty_max`` parcels the document is indented; above that each parcel takes one
    compact line (Python's indenting encoder is about ten times slower than the compact one,
    which matters for a thousand parcels). Formatting is not part of the schema. Control
    characters are written as ``\uXXXX`` escapes (C0 by `json`, DEL and C1 here), so the
    text is safe to print on a terminal and reads back to the same strings.
    """
    parcels = document.get("parcels", [])
    if len(parcels) <= pretty_max:
        text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        return _C1.sub(_json_escape, text)
    head = {k: v for k, v in document.items() if k != "parcels"}
    text = json.dumps(head, ensure_ascii=False, indent=2, allow_nan=False)
    enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    body = ",\n".join("    " + enc.encode(p) for p in parcels)
    return _C1.sub(_json_escape, f'{text[:-2]},\n  "parcels": [\n{body}\n  ]\n}}\n')


#: DEL and the C1 controls, which JSON allows raw but a terminal acts on (``0x9b`` is CSI).
_C1 = re.compile("[\x7f-\x9f]")


def _json_escape(match: re.Match[str]) -> str:
    # Outside strings JSON text is printable ASCII: these can only stand inside a string,
    # where \uXXXX is the same character.
    return f"\\u{ord(match.group()):04x}"


def zone_cell(zone: Mapping[str, Any] | None) -> str:
    """``airport``, or ``airport (7 %)`` when only part of the parcel lies in the zone."""
    if not zone:
        return "–"
    share = float(zone["share"])
    return zone["zone_id"] if share >= 0.995 else f"{zone['zone_id']} ({100 * share:.0f} %)"


def format_number(value: Any, digits: int = 1) -> str:
    """A number with thousands separators and ``digits`` decimals; ``–`` for null or NaN.

    Examples
    --------
    >>> format_number(1527.84), format_number(None), format_number(0.5, 2)
    ('1,527.8', '–', '0.50')
    """
    if value is None:
        return "–"
    v = float(value)
    return "–" if math.isnan(v) else f"{v:,.{digits}f}"
