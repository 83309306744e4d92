"""A report block and the number format of its tables (`layout.products.report.blocks`).

Its own module so that the report's sections in other modules (the province section,
`layout.products.report.province`) build blocks without importing the plan's blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Block", "fmt_value"]


@dataclass(frozen=True)
class Block:
    """A heading (``h1``–``h3``), a paragraph (``p``), a list (``ul``) or a table."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def fmt_value(value: Any, digits: int = 1) -> str:
    """A table cell: thousands separators, ``digits`` decimals, — for NaN, yes/no for bools.

    Examples
    --------
    >>> fmt_value(1234.567), fmt_value(float("nan")), fmt_value(True), fmt_value(12000)
    ('1,234.6', '—', 'yes', '12,000')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.{digits}f}"
    return str(value)
