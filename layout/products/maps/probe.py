"""Click anywhere on an industry map: the score there, or every reason that excludes the cell.

`Probe` reads the pixel of the score image under the pointer (the image is drawn once into an
off-screen canvas; a ``data:`` image does not taint it) and looks its colour up in the image's
table (`layout.products.maps.surface.SurfaceImage.lookup`); the answer opens in a popup built
from escaped labels.  ``window.__layout.probe(lat, lng)`` returns the same for tests and users.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from layout.products.escape import escape_text
from layout.products.maps.style import TEXT, constraint_style
from layout.products.maps.surface import SurfaceImage

__all__ = ["Probe", "probe_layer"]


class Probe(MacroElement):
    """Click anywhere: read the score image's pixel there and show the score or the reasons.

    Also sets ``window.__layout.probe(lat, lng)``, which returns ``{score}``, ``{reasons}``
    (escaped labels) or null (outside the image or the study area).
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
                if (typeof v === "number") return {score: v};
                var several = v.length > 0 && v[0] < 0;
                var names = v.filter(function (b) { return b >= 0; })
                    .map(function (b) { return labels[b] || String(b); });
                return {reasons: names, several: several};
            }
            window.__layout.probe = probe;
            map.on("click", function (e) {
                var r = probe(e.latlng.lat, e.latlng.lng);
                if (!r) return;
                var html = r.score !== undefined
                    ? text.score + text.sep + r.score
                    : "<b>" + text.excluded + "</b><br>"
                      + (r.several ? text.several + text.sep : "")
                      + r.reasons.join(text.list_sep);
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
    ):
        super().__init__()
        self._name = "Probe"
        self.overlay = overlay
        self.lookup = dict(lookup)
        self.labels = {str(k): v for k, v in labels.items()}
        self.text = dict(text)


def probe_layer(
    overlay: folium.raster_layers.ImageOverlay,
    image: SurfaceImage,
    *,
    bit_names: Mapping[int, str],
    lang: str,
) -> Probe:
    """The click layer of the score image ``overlay`` showing ``image``, labelled in ``lang``.

    Every label is escaped (`escape_text`): the popup assigns them to ``innerHTML``.
    """
    t = TEXT[lang]
    labels = {bit: constraint_style(kind, lang)[1] for bit, kind in bit_names.items()}
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
        },
    )
