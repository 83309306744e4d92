"""The one writer of the CSV files the package writes (`write_csv`), safe to open in a spreadsheet.

A CSV file is data, but Excel, WPS and LibreOffice read a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula (``=HYPERLINK(...)`` becomes a link, ``=cmd|...`` may run a
program), and one that starts with a tab or carriage return may be trimmed into one. As OWASP
advises (https://owasp.org/www-community/attacks/CSV_Injection), `write_csv` prefixes every
such *text* cell (and column name) with a single quote ``'``: spreadsheets show the text as it
is, and a program reading the file sees the quote. A carriage return inside a text cell is
written as a line feed, so that the cell is quoted and stays one cell. Numeric columns are
written unchanged, so a negative number stays a number; text that starts with none of these
characters is written byte for byte as `pandas.DataFrame.to_csv` writes it.

``allocation.csv`` and ``suitability/measures.csv`` of a plan folder and the ``measures.csv`` of
``layout score`` and the batch table of ``layout check-site`` (``sitecheck_<id>_<industry>.csv``)
are written here.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP; a line feed too,
#: which is what a carriage return becomes here).
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")


def inert_cell(value: Any) -> Any:
    """``value`` with a ``'`` in front when it is text a spreadsheet would read as a formula.

    Examples
    --------
    >>> inert_cell("=HYPERLINK('http://x')"), inert_cell("-1"), inert_cell(-1.5), inert_cell("郑州")
    ("'=HYPERLINK('http://x')", "'-1", -1.5, '郑州')
    """
    if not isinstance(value, str):
        return value
    # Python's CSV writer quotes a field with a line feed but not one with a bare carriage
    # return, which a spreadsheet would read as the start of a new row (and of a formula).
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_START) else value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are made inert (`inert_cell`).

    Only columns of object or string dtype are looked at; numbers, booleans and dates are
    left as they are.
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(inert_cell, na_action="ignore")
    out.columns = [inert_cell(c) for c in out.columns]
    return out


def write_csv(
    frame: pd.DataFrame, path: str | os.PathLike[str], *, float_format: str | None = None
) -> None:
    """Write ``frame`` (without its index) as UTF-8 CSV, formula-looking text made inert.

    Parameters
    ----------
    frame
        The table.
    path
        The file to write.
    float_format
        As in `pandas.DataFrame.to_csv` (``"%.3f"``).

    Examples
    --------
    >>> import csv, pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(pd.DataFrame({"name": ["=1+1", "a"], "mu": [-2.5, 3.0]}), p)
    >>> list(csv.reader(p.read_text(encoding="utf-8").splitlines()))
    [['name', 'mu'], ["'=1+1", '-2.5'], ['a', '3.0']]
    """
    inert_frame(frame).to_csv(path, index=False, float_format=float_format)
