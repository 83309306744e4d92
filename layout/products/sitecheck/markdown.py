"""A Markdown report of a site check, for people (`to_markdown`).

Every text of the document that comes from the data or holds some (names, ids, reasons,
warnings, legal bases) is written with `layout.products.escape.escape_markdown`, so that it
displays literally and no Markdown or HTML in a parcel, zone or constraint name takes effect
when the report is rendered; criterion labels, our own, keep their text (``Gi*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layout.products.escape import escape_markdown as _md
from layout.products.sitecheck.document import format_number as num
from layout.products.sitecheck.document import zone_cell


def _label(value: Any) -> str:
    """One of our own labels in a Markdown table cell: on one line, pipes and HTML escaped."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(a, b)
    return text


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
        zone = zone_cell(p["zone"])
        lines.append(
            f"| {_md(p['parcel_id'])} | **{p['verdict']}** | {num(p['area_mu'])} | {_md(zone)} "
            f"| {num(p['suitability']['mean'])} | {num(p['suitability']['percentile'])} "
            f"| {_md(p['reasons'][0]['message'] if p['reasons'] else '')} |"
        )
    for p in document["parcels"]:
        lines += ["", f"## Parcel {_md(p['parcel_id'])}: {p['verdict']}", ""]
        lines.append(
            f"Area {num(p['area_mu'])} mu ({num(p['area_ha'], 2)} ha); centroid "
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
                feats = ", ".join(_md(f["constraint_id"]) for f in c["features"])
                lines.append(
                    f"| {_md(c['type'])} | {'yes' if c['excluding'] else 'no'} "
                    f"| {num(c['area_mu'], 2)} | {num(100 * c['share'], 2)} % | {feats} "
                    f"| {_md(c['legal_basis'])} |"
                )
        su = p["suitability"]
        lines += ["", f"### Suitability for {_md(ind['code'])}: criterion contributions", "",
                  f"Mean {num(su['mean'])}, minimum {num(su['min'])}, percentile "
                  f"{num(su['percentile'], 2)}, eligible share "
                  f"{num(100 * su['eligible_share'])} %.",
                  "", "| criterion | weight | value (0–1) | points |", "|---|---:|---:|---:|"]
        for c in su["contributions"]:
            lines.append(
                f"| {_label(c['label_en'])} ({_label(c['criterion'])}) | {num(c['weight'], 3)} "
                f"| {num(c['value'], 2)} | {num(c['points'], 2)} |"
            )
        lines += ["", "### Place → industries", "",
                  "| rank | industry | mean score | leading in zone |", "|---:|---|---:|---|"]
        for x in p["industries"]:
            mark = " (checked)" if x["checked"] else ""
            lines.append(
                f"| {x['rank']} | {_md(x['name_zh'])} {_md(x['code'])}{mark} "
                f"| {num(x['mean_score'])} | {'yes' if x['leading_in_zone'] else ''} |"
            )
        lines += ["", f"### Better alternatives within {document['radius_m'] / 1000:g} km", ""]
        if p["alternatives"]:
            lines += ["| # | site | distance (km) | direction | area (mu) | mean score | gain "
                      "| lon, lat | zone | better region (mu) |",
                      "|---:|---|---:|---|---:|---:|---:|---|---|---:|"]
            for a in p["alternatives"]:
                lines.append(
                    f"| {a['rank']} | {_md(a['site_id'])} | {num(a['distance_m'] / 1000, 2)} "
                    f"| {a['direction']} | {num(a['area_mu'], 0)} | {num(a['mean_score'])} "
                    f"| +{num(a['gain'])} | {a['lon']:.5f}, {a['lat']:.5f} "
                    f"| {_md(a['zone_id'])} | {num(a['region_area_mu'], 0)} |"
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
