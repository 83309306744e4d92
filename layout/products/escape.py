"""Escaping by destination: text from input data made inert where it lands.

`escape_text` is the one escaping function for every piece of user text that reaches a map or
an HTML page; `escape_markdown` is its counterpart for Markdown files (``report.md``, the site
check's ``sitecheck.md``), and `mark_data` lets a text mix our own prose with data that only
the Markdown writer escapes (`markdown_from_marked`).

HTML
----

Text in our maps ends up in several contexts: HTML text and attributes (title, legend), strings
that Leaflet later assigns to ``innerHTML`` (tooltips, layer-control labels), and -- in folium's
own templates -- JavaScript template literals (folium's ``Tooltip`` writes its text between
backticks) and Jinja templates (branca's ``Element(str)`` compiles its argument as a template).
`escape_text` makes a string inert in all of them at once, so callers need not know which
context a string lands in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

# Characters that are harmless in HTML text but active elsewhere: backtick, ``$`` and backslash
# in JavaScript template literals, braces in Jinja templates.  HTML numeric references display
# them literally wherever the result is parsed as HTML.
_EXTRA = str.maketrans(
    {
        "`": "&#96;",
        "$": "&#36;",
        "\\": "&#92;",
        "{": "&#123;",
        "}": "&#125;",
        "\r": " ",
        "\n": " ",
        "\t": " ",
        "\u2028": " ",
        "\u2029": " ",
    }
)


#: C0 controls, DEL and C1 controls: nothing a name needs, and active on terminals.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def escape_text(value: object) -> str:
    r"""Return ``value`` as text that displays literally and runs nothing.

    HTML special characters (``& < > " '``) become character references, and so do the
    characters that are active in JavaScript template literals (`` ` ``, ``$``, ``\``) and in
    Jinja templates (``{``, ``}``).  Line breaks become spaces; other control characters (C0, DEL,
    C1) are dropped.  ``None``, NaN and ``pd.NA`` give an empty string.

    Parameters
    ----------
    value
        Any value; it is converted with `str` first.

    Returns
    -------
    str
        Text safe to insert into HTML text, a quoted HTML attribute, a string later assigned to
        ``innerHTML``, or a JavaScript template literal.

    Examples
    --------
    >>> escape_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_text("`${alert(1)}`")
    '&#96;&#36;&#123;alert(1)&#125;&#96;'
    >>> escape_text("郑州 & 中牟")
    '郑州 &amp; 中牟'
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return ""
    text = html.escape(str(value), quote=True).translate(_EXTRA)
    return _CONTROL.sub("", text)


# --- Markdown ------------------------------------------------------------------------------

#: Characters of inline Markdown syntax (CommonMark and GitHub's extensions: tables,
#: strikethrough, math), escaped with a backslash wherever they occur.  ``(`` and ``)`` stay
#: as they are: they only act after ``]``, which is escaped.
_MD_PUNCT = frozenset("\\`*_[]|~#!$")
#: HTML special characters of Markdown text, written as references (raw HTML is Markdown).
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: Line breaks and separators: a name stays on its line (and in its table row).
_MD_LINES = re.compile("[\r\n\u2028\u2029\x85]+")
#: A list marker or a setext underline at the start of a line.
_MD_LEADING = frozenset("-+=")
#: An ordered-list marker at the start of a line: digits then ``.`` or ``)``.
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])")


def escape_markdown(value: object) -> str:
    r"""Return ``value`` as Markdown text that displays literally and runs nothing.

    HTML special characters (``& < >``) become character references, so no HTML element or
    entity can come from the text; the characters of Markdown syntax (``\ ` * _ [ ] | ~ # ! $``)
    get a backslash, except ``_`` inside a word (``new_materials``), which CommonMark never
    reads as emphasis; a ``-``, ``+``, ``=`` or ``1.`` at the start is escaped too, since the
    text may start a line.  Line breaks become spaces and other control characters are
    dropped, so the text keeps its line and its table cell.  ``None``, NaN and ``pd.NA`` give
    an empty string.  Text without these characters is returned unchanged.

    Parameters
    ----------
    value
        Any value; it is converted with `str` first.

    Returns
    -------
    str
        Text safe in a Markdown paragraph, list item, heading or table cell.

    Examples
    --------
    >>> escape_markdown("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_markdown("[click](javascript:alert(1)) | *x*")
    '\\[click\\](javascript:alert(1)) \\| \\*x\\*'
    >>> escape_markdown("1. new_materials\nzone")
    '1\\. new_materials zone'
    >>> escape_markdown("东区汽车园 auto-01")
    '东区汽车园 auto-01'
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return ""
    text = _CONTROL.sub("", _MD_LINES.sub(" ", str(value)).replace("\t", " "))
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in _MD_ENTITIES:
            out.append(_MD_ENTITIES[ch])
        elif ch == "_" and 0 < i < len(text) - 1 and (text[i - 1] + text[i + 1]).isalnum():
            out.append(ch)  # intraword: never emphasis in CommonMark
        elif ch in _MD_PUNCT:
            out.append("\\" + ch)
        else:
            out.append(ch)
    if out and text[0] in _MD_LEADING:
        out[0] = "\\" + out[0]
    elif out and text[0] == " ":
        out[0] = "&#32;"  # four leading spaces would start a code block
    escaped = "".join(out)
    return _MD_ORDERED.sub(r"\1\\\2", escaped)


#: Private-use characters around a piece of data inside a text (`mark_data`).
DATA_START, DATA_END = "\ue000", "\ue001"
_MARKED = re.compile(f"{DATA_START}(.*?){DATA_END}", re.DOTALL)


def mark_data(value: object) -> str:
    r"""Mark ``value`` as text from input data inside a text that is otherwise our own prose.

    A report's blocks hold one text for two writers: the HTML writer escapes all of it (it
    removes the marks with `unmark`), the Markdown writer escapes only the marked parts
    (`markdown_from_marked`), so that our own prose keeps its Markdown (``Gi*``,
    ``[0.70, 1.30]``) byte for byte while a zone name cannot inject any.

    Examples
    --------
    >>> text = f"zone {mark_data('a|b')}"
    >>> unmark(text), markdown_from_marked(text)
    ('zone a|b', 'zone a\\|b')
    """
    text = str(value).replace(DATA_START, "").replace(DATA_END, "")
    return f"{DATA_START}{text}{DATA_END}"


def unmark(text: str) -> str:
    """``text`` without the marks of `mark_data`."""
    return text.replace(DATA_START, "").replace(DATA_END, "")


def markdown_from_marked(text: str, *, prose: Callable[[str], str] | None = None) -> str:
    r"""Markdown of a text with marked data: the data escaped (`escape_markdown`).

    Parameters
    ----------
    text
        Prose with data marked by `mark_data`.
    prose
        Applied to the prose between the data (e.g. escaping table pipes); None: as it is.

    Examples
    --------
    >>> markdown_from_marked(f"a|{mark_data('b|c')}", prose=lambda t: t.replace("|", r"\|"))
    'a\\|b\\|c'
    """
    parts = _MARKED.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(escape_markdown(part))
        else:
            part = unmark(part)  # a stray mark (unbalanced): dropped
            out.append(prose(part) if prose else part)
    return "".join(out)
