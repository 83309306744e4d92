r"""Render folium maps as one self-contained, deterministic HTML file.

Three things in folium's default output stand in the way of a map that opens offline years later
and diffs cleanly:

* **assets from CDNs**: `folium.Map` links Leaflet, jQuery, Bootstrap, awesome-markers,
  Font Awesome and glyphicons from five hosts.  Offline rendering drops them all and inlines
  Leaflet's JavaScript and CSS from the installed XStatic-Leaflet package, with the CSS images
  turned into ``data:`` URIs.  Our maps use no feature that needs the other libraries (folium's
  ``Popup`` and ``keep_in_front`` need jQuery: do not use them).
* **random element ids**: branca names every element ``<kind>_<32 random hex digits>`` and those
  names become JavaScript variables and HTML ids.  Rendering works on a deep copy of the map
  whose elements are renumbered ``<kind>_1``, ``<kind>_2``, ... in tree order.
* **state left by earlier renders**: rendering adds children to the figure and to layers under
  names derived from the random ids; the copy drops those before rendering again.
* **bulky JSON**: Jinja's ``tojson`` writes every Chinese character as a 6-byte ``\uXXXX``
  escape and pads separators with spaces.  While rendering, the templates' environments write
  UTF-8 and compact separators instead (still HTML-safe: ``<``, ``>``, ``&`` and ``'`` stay
  escaped, and so do U+2028/U+2029).

The map object the caller holds is never modified, so it can be saved twice (same bytes) or
shown in a notebook.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import functools
import json
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import JSCSSMixin

from layout.errors import LayoutError


class MapRenderError(LayoutError, ValueError):
    """A map cannot be rendered as asked (for example an asset with no offline copy)."""


#: Assets of folium's defaults that the offline file replaces (Leaflet, inlined) or drops.
_KNOWN_ASSETS = {
    "leaflet": "replaced",
    "leaflet_css": "replaced",
    "jquery": "dropped",
    "bootstrap": "dropped",
    "bootstrap_css": "dropped",
    "glyphicons_css": "dropped",
    "awesome_markers": "dropped",
    "awesome_markers_css": "dropped",
    "awesome_markers_font_css": "dropped",
    "awesome_rotate_css": "dropped",
}

# Keys of children that a previous render added, named after a random 32-hex-digit id.
_GENERATED_KEY = re.compile(r"[0-9a-f]{32}")

# Loads of external resources: the address attributes of elements that fetch something (an
# <a href> is a link, not a load), CSS url() and @import, with an http(s) or "//" address.
_LOADING_TAGS = "script|link|img|iframe|frame|source|video|audio|embed|object|track|input|image|use"
_EXTERNAL_LOAD = re.compile(
    rf"""<(?:{_LOADING_TAGS})\b[^>]*?\b(?:src|href|srcset|poster|data|xlink:href)\s*=\s*"""
    r"""["']?\s*(?:https?:)?//[^\s"'>]*"""
    r"""|url\(\s*["']?\s*(?:https?:)?//[^)]*\)"""
    r"""|@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//[^;]*""",
    re.IGNORECASE,
)


def _leaflet_dir() -> Path:
    try:
        from xstatic.pkg import leaflet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "offline maps inline Leaflet from the XStatic-Leaflet package: "
            "pip install 'xstatic-leaflet>=1.9,<2' (or write the map with cdn=True)"
        ) from exc
    return Path(leaflet.BASE_DIR)


def leaflet_version() -> str:
    """Return the version of the Leaflet copy that offline maps inline (XStatic-Leaflet)."""
    from xstatic.pkg import leaflet

    return str(leaflet.VERSION)


@functools.lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's minified JavaScript and its CSS, ready to inline.

    The CSS's ``url(images/...)`` references become ``data:`` URIs so that the layer-control
    icon needs no file next to the HTML; the JavaScript loses its ``sourceMappingURL`` comment
    (developer tools would fetch the map file).

    Returns
    -------
    tuple of str
        ``(javascript, css)``.
    """
    base = _leaflet_dir()
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+\s*$", "", js)
    # Inside <script>, "</script" ends the element and "<!--" changes how it is parsed.
    if re.search(r"</script|<!--", js, re.IGNORECASE):
        raise MapRenderError(f"{base / 'leaflet.js'} cannot be inlined safely in a <script>")

    def data_uri(match: re.Match[str]) -> str:
        image = base / match.group(1)
        if not image.is_file():
            return match.group(0)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = (base / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)
    return js, css


def _cdn_urls() -> tuple[str, str]:
    version = leaflet_version()
    root = f"https://cdn.jsdelivr.net/npm/leaflet@{version}/dist"
    return f"{root}/leaflet.js", f"{root}/leaflet.css"


class RawHTML(Element):
    """An element that renders a fixed string as is (never compiled as a Jinja template).

    branca's ``Element("...")`` compiles its argument as a template, so ``{{`` in the text would
    be evaluated; this class writes its text verbatim.  Only ever give it trusted text.
    """

    def __init__(self, text: str):
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text unchanged."""
        return self.text


def external_loads(html: str) -> list[str]:
    """Return every reference in ``html`` that would make a browser fetch something remote.

    Looks for the address attributes (``src``, ``href``, ``data``...) of elements that fetch
    what they point to (``<script>``, ``<link>``, ``<img>``, ``<iframe>``...), CSS ``url()`` and
    ``@import`` with an ``http(s)://`` or protocol-relative ``//`` address.  Plain links
    (``<a href>``) load nothing and are not reported, nor are addresses inside JavaScript
    strings such as a tile URL template.

    Examples
    --------
    >>> external_loads('<script src="https://cdn.example.org/x.js"></script><a href="//x.org">')
    ['<script src="https://cdn.example.org/x.js']
    >>> external_loads("<style>a{background:url(data:image/png;base64,AAAA)}</style>")
    []
    """
    return [m.group(0) for m in _EXTERNAL_LOAD.finditer(html)]


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _prune_and_renumber(figure: Figure) -> None:
    """Give every element of the tree a sequential id; drop leftovers of earlier renders."""
    counter = 0

    def visit(element: Element) -> None:
        nonlocal counter
        counter += 1
        element._id = str(counter)
        children: OrderedDict[str, Element] = OrderedDict()
        for key, child in element._children.items():
            old_name = child.get_name()
            if key != old_name and _GENERATED_KEY.search(key):
                continue  # added by an earlier render (e.g. Layer's "<name>_add")
            visit(child)
            children[child.get_name() if key == old_name else key] = child
        element._children = children

    visit(figure)
    # The figure's sections hold what rendering produces; keep only what a user put there.
    for section in (figure.header, figure.html, figure.script):
        kept: OrderedDict[str, Element] = OrderedDict()
        for key, child in section._children.items():
            if isinstance(child, (JavascriptLink, CssLink)):
                continue
            if key != child.get_name() and _GENERATED_KEY.search(key):
                continue
            counter += 1
            renamed = key == child.get_name()
            child._id = str(counter)
            kept[child.get_name() if renamed else key] = child
        section._children = kept


def _strip_assets(figure: Figure, *, keep_unknown: bool) -> list[tuple[str, str, str]]:
    """Remove folium's CDN asset links from every element.

    Returns the assets that are neither Leaflet nor one of folium's dropped defaults, as
    ``(name, url, "js" | "css")``; offline rendering refuses them, CDN rendering links them.
    """
    unknown: list[tuple[str, str, str]] = []
    for element in _walk(figure):
        if not isinstance(element, JSCSSMixin):
            continue
        for kind, assets in (("js", element.default_js), ("css", element.default_css)):
            unknown += [(name, url, kind) for name, url in assets if name not in _KNOWN_ASSETS]
        # Instance attributes: folium's class-level lists are shared by every map.
        element.default_js = []
        element.default_css = []
    if unknown and not keep_unknown:
        listed = "; ".join(f"{name} ({url})" for name, url, _ in unknown)
        raise MapRenderError(
            f"the map uses assets that have no offline copy: {listed}. Remove the feature that "
            "needs them or write the map with cdn=True"
        )
    return list(dict.fromkeys(unknown))


_RENDER_LOCK = threading.Lock()


def _compact_dumps(obj: Any, **kwargs: Any) -> str:
    """`json.dumps` for Jinja's ``tojson``: UTF-8 text, no padding, U+2028/9 escaped."""
    kwargs.setdefault("sort_keys", True)
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), **kwargs)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@contextlib.contextmanager
def _compact_json(figure: Figure) -> Iterator[None]:
    """Make ``tojson`` in the templates of ``figure`` use `_compact_dumps` while rendering."""
    envs = {
        id(env): env
        for el in _walk(figure)
        if (env := getattr(el._template, "environment", None)) is not None
    }
    saved = {key: dict(env.policies) for key, env in envs.items()}
    with _RENDER_LOCK:
        try:
            for env in envs.values():
                env.policies["json.dumps_function"] = _compact_dumps
                env.policies["json.dumps_kwargs"] = {"sort_keys": True}
            yield
        finally:
            for key, env in envs.items():
                env.policies.clear()
                env.policies.update(saved[key])


def render_html(m: folium.Map, *, cdn: bool = False) -> str:
    """Render a folium map as one HTML document, deterministically.

    Parameters
    ----------
    m
        The map; it is not modified (rendering works on a deep copy).
    cdn
        False (default): Leaflet's JavaScript and CSS are inlined from XStatic-Leaflet and the
        page loads nothing from the network (unless the map has a tile layer).  True: the page
        links Leaflet from jsDelivr instead (about 150 kB smaller), and keeps the CDN links of
        any folium plugin; folium's jQuery, Bootstrap and icon fonts are dropped either way.

    Returns
    -------
    str
        The HTML text; identical inputs give identical text.

    Raises
    ------
    MapRenderError
        The map uses a folium feature whose assets have no offline copy, or the offline page
        would still load something remote.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(location=[34.75, 113.65], tiles=None, zoom_start=9)
    >>> html = render_html(m)
    >>> external_loads(html), 'id="map_2"' in html, render_html(m) == html
    ([], True, True)
    """
    root = m.get_root()
    if not isinstance(root, Figure):
        raise MapRenderError(f"the map is not inside a branca Figure (its root is {root!r})")
    figure = copy.deepcopy(root)
    others = _strip_assets(figure, keep_unknown=cdn)
    _prune_and_renumber(figure)
    if cdn:
        js_url, css_url = _cdn_urls()
        figure.header.add_child(JavascriptLink(js_url), name="leaflet")
        figure.header.add_child(CssLink(css_url), name="leaflet_css")
        for name, url, kind in others:
            link = JavascriptLink(url) if kind == "js" else CssLink(url)
            figure.header.add_child(link, name=name)
    else:
        js, css = leaflet_assets()
        figure.header.add_child(
            RawHTML(
                f"<!-- Leaflet {leaflet_version()} (BSD-2-Clause), inlined -->\n"
                f"<script>{js}</script>"
            ),
            name="leaflet",
        )
        figure.header.add_child(RawHTML(f"<style>{css}</style>"), name="leaflet_css")
    with _compact_json(figure):
        html = figure.render()
    if not cdn:
        loads = external_loads(html)
        if loads:
            shown = ", ".join(loads[:3]) + (" ..." if len(loads) > 3 else "")
            raise MapRenderError(f"the offline map would load remote resources: {shown}")
    return html


def save_map(m: folium.Map, path: str | os.PathLike[str], *, cdn: bool = False) -> Path:
    """Write a map to ``path`` as one HTML file, atomically.

    The text is written to a temporary file in the same folder and moved into place with
    `os.replace`, so a reader never sees a half-written map and a failed write leaves any
    previous file intact.

    Parameters
    ----------
    m
        The map.
    path
        The ``.html`` file to write; its folder is created if missing.
    cdn
        Link Leaflet from a CDN instead of inlining it (see `render_html`).

    Returns
    -------
    Path
        The path written.
    """
    target = Path(path)
    html = render_html(m, cdn=cdn)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(html)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
