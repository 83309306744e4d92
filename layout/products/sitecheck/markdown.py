"""The site opinion in Markdown, for people (`to_markdown`).

The document has the fixed sections of `layout.products.sitecheck.opinion` (Chinese by default,
English with ``lang="en"``), rendered by the template ``sitecheck_opinion.md.j2``. Every text —
from the data (names, ids, reasons, legal bases) and our own labels alike — is written with
`layout.products.escape.escape_markdown`, so that it displays literally and no Markdown or
HTML in a parcel, zone or constraint name takes effect when the report is rendered.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from layout.products.escape import escape_markdown
from layout.products.sitecheck.opinion import opinion

#: A number as the opinion writes it (``1,527.8``, ``29.64 %``): it needs no escaping where the
#: template puts text (never at the start of a line).
_NUMBER = re.compile(r"[0-9][0-9,.]*( ?%)?")


def _md(value: Any) -> str:
    text = str(value)
    return text if _NUMBER.fullmatch(text) else escape_markdown(text)


def _table(tb: Mapping[str, Any]) -> str:
    """A Markdown table of an opinion table (header and rows, every cell escaped)."""
    lines = ["| " + " | ".join(_md(h) for h in tb["header"]) + " |",
             "|" + "---|" * len(tb["header"])]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in tb["rows"]]
    return "\n".join(lines)


def to_markdown(
    document: Mapping[str, Any], *, lang: str = "zh", date: str | dt.date | None = None
) -> str:
    """The site opinion of a `report_dict` document in Markdown.

    Parameters
    ----------
    document
        The JSON document.
    lang
        ``zh`` (default) or ``en``: the same sections in either language.
    date
        The date of review (ISO text or a date); today when None.
    """
    from layout.products.templating import render

    text = render("sitecheck_opinion.md.j2", o=opinion(document, lang=lang, date=date),
                  md=_md, table=_table)
    return text.rstrip("\n") + "\n"
