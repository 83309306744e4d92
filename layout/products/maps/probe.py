"""Click anywhere on an industry map: the score and top contributions, or exclusions and basis.

The popup lists the score with its three largest criterion contributions, or every reason that
excludes the cell with its legal basis.

`Probe` reads the pixel of the score image under the pointer (the image is drawn once into an
off-screen canvas; a ``data:`` image does not taint it) and looks its colour up in the image's
table (`layout.products.maps.surface.SurfaceImage.lookup`); the answer opens in a popup built
from escaped labels.  The contributions come from a coarse grid over the same extent
(`layout.products.maps.contributions`), the bases from the constraint vocabulary or the plan's
constraints layer (`legal_bases`).  ``window.__layout.probe(lat, lng)`` returns the same for tests
and users.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.template import Template

from layout.model.constraints import CONSTRAINT_TYPES
from layout.products.escape import escape_text
from layout.products.maps.contributions import TOP, Contributions
from layout.products.maps.sites import criterion_label
from layout.products.maps.style import TEXT, constraint_style
from layout.products.maps.surface import SurfaceImage

__all__ = ["Probe", "legal_bases", "probe_layer"]


class Probe(MacroElement):
    """Click anywhere: read the score image's pixel there and show the score or the reasons.

    Also sets ``window.__layout.probe(lat, lng)``, which returns ``{score, top}`` (``top``:
    ``[label, points]`` pairs), ``{reasons, several, bases}`` (escaped labels; ``bases``:
    ``[label, basis]`` pairs) or null (outside the image or the study area).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var overlay = {{ this.overlay.get_name() }};
            var lookup = {{ this.lookup|tojson }};
            var labels = {{ this.labels|tojson }};
            var text = {{ this.text|tojson }};
            var bases = {{ this.bases|tojson }};
            var contrib = {{ this.contrib|tojson }};
            var packed = null;
            if (contrib) {
                var raw = atob(contrib.data);
                packed = new Uint8Array(raw.length);
                for (var i = 0; i < raw.length; i++) packed[i] = raw.charCodeAt(i);
            }
            function top(fx, fy) {
                if (!packed) return [];
                var h = contrib.shape[0], w = contrib.shape[1], n = contrib.top;
                var at = (Math.floor(fy * h) * w + Math.floor(fx * w)) * 2 * n, out = [];
                for (var j = 0; j < n; j++) {
                    var c = packed[at + 2 * j];
                    if (c === 255) break;
                    out.push([contrib.labels[c], packed[at + 2 * j + 1] / 2]);
                }
                return out;
            }
            var ctx = null, width = 0, height = 0;
            function pixels() {
                if (ctx) return true;
                var img = overlay.getElement();
                if (!img || !img.complete || !img.naturalWidth) return false;
                var canvas = document.createElement("canvas");
                width = canvas.width = img.naturalWidth;
                height = canvas.height = img.naturalHeight;
                ctx = canvas.getContext("2d", {willReadFrequently: true});
                ctx.drawImage(img, 0, 0);
                return true;
            }
            function hex(v) { return (v < 16 ? "0" : "") + v.toString(16); }
            function probe(lat, lng) {
                if (!pixels()) return null;
                var crs = L.CRS.EPSG3857, b = overlay.getBounds();
                var p = crs.project(L.latLng(lat, lng));
                var nw = crs.project(b.getNorthWest()), se = crs.project(b.getSouthEast());
                var fx = (p.x - nw.x) / (se.x - nw.x), fy = (nw.y - p.y) / (nw.y - se.y);
                if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return null;
                var x = Math.floor(fx * width), y = Math.floor(fy * height);
                var d = ctx.getImageData(x, y, 1, 1).data;
                if (d[3] === 0) return null;
                var v = lookup["#" + hex(d[0]) + hex(d[1]) + hex(d[2])];
                if (v === undefined) return null;
                if (typeof v === "number") return {score: v, top: top(fx, fy)};
                var several = v.length > 0 && v[0] < 0;
                var names = v.filter(function (b) { return b >= 0; })
                    .map(function (b) { return labels[b] || String(b); });
                var basis = v.filter(function (b) { return b >= 0 && bases[b]; })
                    .map(function (b) { return [labels[b] || String(b), bases[b]]; });
                return {reasons: names, several: several, bases: basis};
            }
            window.__layout.probe = probe;
            map.on("click", function (e) {
                var r = probe(e.latlng.lat, e.latlng.lng);
                if (!r) return;
                var html;
                if (r.score !== undefined) {
                    html = "<b>" + text.score + text.sep + r.score + "</b>";
                    if (r.top.length) {
                        html += "<br>" + text.top + " " + contrib.note + text.sep
                            + '<ol class="layout-top">'
                            + r.top.map(function (t) {
                                return "<li>" + t[0] + text.sep + t[1].toFixed(1)
                                    + " " + text.points + "</li>";
                            }).join("") + "</ol>";
                    }
                } else {
                    html = "<b>" + text.excluded + "</b><br>"
                        + (r.several ? text.several + text.sep : "")
                        + r.reasons.join(text.list_sep);
                    if (r.bases.length) {
                        html += "<br>" + text.basis + text.sep + '<ul class="layout-basis">'
                            + r.bases.map(function (b) {
                                return "<li>" + b[0] + text.sep + b[1] + "</li>";
                            }).join("") + "</ul>";
                    }
                }
                L.popup({className: "layout-probe", maxWidth: 320})
                    .setLatLng(e.latlng).setContent(html).openOn(map);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        overlay: folium.raster_layers.ImageOverlay,
        *,
        lookup: Mapping[str, Any],
        labels: Mapping[int, str],
        text: Mapping[str, str],
        bases: Mapping[int, str] | None = None,
        contrib: Mapping[str, Any] | None = None,
    ):
        super().__init__()
        self._name = "Probe"
        self.overlay = overlay
        self.lookup = dict(lookup)
        self.labels = {str(k): v for k, v in labels.items()}
        self.text = dict(text)
        self.bases = {str(k): v for k, v in (bases or {}).items()}
        self.contrib = dict(contrib) if contrib else None


def probe_layer(
    overlay: folium.raster_layers.ImageOverlay,
    image: SurfaceImage,
    *,
    bit_names: Mapping[int, str],
    lang: str,
    bases: Mapping[int, str] | None = None,
    contributions: Contributions | None = None,
) -> Probe:
    """The click layer of the score image ``overlay`` showing ``image``, labelled in ``lang``.

    ``bases`` is the legal basis of each constraint bit (`legal_bases`); ``contributions`` the
    top criterion contributions of each pixel (`top_contributions`), shown under the score.
    Every label is escaped (`escape_text`): the popup assigns them to ``innerHTML``.
    """
    t = TEXT[lang]
    labels = {bit: constraint_style(kind, lang)[1] for bit, kind in bit_names.items()}
    # Only the bases of reasons the image holds (the page stays small).
    shown = {b for v in image.lookup.values() if isinstance(v, list) for b in v if b >= 0}
    contrib = None
    if contributions is not None:
        contrib = {
            "labels": [escape_text(criterion_label(n, lang)[0]) for n in contributions.criteria],
            "shape": list(contributions.shape),
            "top": TOP,
            "data": contributions.data,
            "note": escape_text(t["grid_note"].format(m=f"{contributions.cell_m:,.0f}")),
        }
    return Probe(
        overlay,
        lookup=image.lookup,
        labels={bit: escape_text(label) for bit, label in labels.items()},
        text={
            "score": escape_text(t["score"]),
            "excluded": escape_text(t["excluded"]),
            "several": escape_text(t["several"]),
            "sep": escape_text(t["sep"]),
            "list_sep": escape_text(t["list_sep"]),
            "top": escape_text(t["top_contributions"]),
            "points": escape_text(t["points"]),
            "basis": escape_text(t["legal_basis"]),
        },
        bases={bit: escape_text(b) for bit, b in (bases or {}).items() if b and bit in shown},
        contrib=contrib,
    )


def legal_bases(
    bit_names: Mapping[int, str], constraints: gpd.GeoDataFrame | None = None
) -> dict[int, str]:
    """The legal basis of each constraint bit, from the one constraint vocabulary.

    A derived type cites `layout.model.constraints.ConstraintType.legal_basis`; a drawn type
    (whose features carry their own basis) the distinct ``legal_basis`` values of its features
    in ``constraints``, joined by "；".
    """
    out: dict[int, str] = {}
    for bit, kind in bit_names.items():
        ctype = CONSTRAINT_TYPES.get(kind)
        basis = ctype.legal_basis if ctype is not None else ""
        if (
            not basis
            and constraints is not None
            and {"type", "legal_basis"} <= set(constraints.columns)
        ):
            found = constraints.loc[constraints["type"].astype(str) == kind, "legal_basis"]
            basis = "；".join(dict.fromkeys(str(v) for v in found.dropna() if str(v).strip()))
        if basis:
            out[bit] = basis
    return out
