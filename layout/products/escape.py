"""One escaping function for every piece of user text that reaches a map.

Text in our maps ends up in several contexts: HTML text and attributes (title, legend), strings
that Leaflet later assigns to ``innerHTML`` (tooltips, layer-control labels), and -- in folium's
own templates -- JavaScript template literals (folium's ``Tooltip`` writes its text between
backticks) and Jinja templates (branca's ``Element(str)`` compiles its argument as a template).
`escape_text` makes a string inert in all of them at once, so callers need not know which
context a string lands in.
"""

from __future__ import annotations

import html

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


def escape_text(value: object) -> str:
    r"""Return ``value`` as text that displays literally and runs nothing.

    HTML special characters (``& < > " '``) become character references, and so do the
    characters that are active in JavaScript template literals (`` ` ``, ``$``, ``\``) and in
    Jinja templates (``{``, ``}``).  Line breaks become spaces; other control characters are
    dropped.  ``None``, NaN and ``pd.NA`` give an empty string.

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
    return "".join(ch for ch in text if ch >= " ")
