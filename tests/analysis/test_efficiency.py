"""亩均效益 grades (`layout.analysis.efficiency`) against grades worked out by hand.

Both schemes on small firm tables whose answer is written next to them; the composite score
against an independent pandas calculation (``rank(pct=True)``) at 1e-9; the shares with ties;
ungraded firms with their reasons; the ``[efficiency]`` table's checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layout.analysis.efficiency import grade_firms, grade_table
from layout.core.shares import in_bottom, in_top, percentile_scores
from layout.errors import ConfigError
from layout.model.efficiency import EfficiencyOptions
from layout.model.table import validate


def _zz_firms() -> pd.DataFrame:
    """Ten graded firms (tax per mu 1..10) and two that cannot be graded.

    Firms 1 and 3 use 5x the energy of the others (output per tce 2, the others 10).
    Hand-worked with weights {tax_per_mu: 1}, bottom_energy 0.2: score = 10 x i; A = top half
    by score and top 15 % by tax (fewer than 1.5 firms above) = firms 9, 10; C = bottom half
    and lowest 20 % by output per energy (firms 1 and 3, tied: no firm strictly below) = 1, 3;
    D = C and lowest 10 % by tax = firm 1; B = the rest; firm 11 is on 4 mu, firm 12 has no
    energy figure.
    """
    n = 12
    return pd.DataFrame({
        "ent_id": [f"F{i}" for i in range(1, n + 1)],
        "industry": ["auto"] * 6 + ["food"] * 6,
        "county": ["c1"] * 6 + ["c2"] * 6,
        "tax_wan": [10.0 * i for i in range(1, n + 1)],
        "land_mu": [10.0] * 10 + [4.0, 10.0],
        "output_wan": [1000.0] * n,
        "energy_tce": [500.0, 100.0, 500.0] + [100.0] * 8 + [np.nan],
    })


ZZ_EXPECTED = ["D", "B", "C", "B", "B", "B", "B", "B", "A", "A", "", ""]


def test_zhengzhou2018_hand_computed() -> None:
    opts = EfficiencyOptions(weights={"tax_per_mu": 1}, bottom_energy=0.2)
    got = grade_firms(_zz_firms(), options=opts)
    assert got["grade"].tolist() == ZZ_EXPECTED
    assert got["score"].iloc[:10].tolist() == pytest.approx([10.0 * i for i in range(1, 11)])
    assert got["reason"].iloc[10] == "land 4 mu < 5 mu"
    assert got["reason"].iloc[11] == "missing energy_tce"
    assert (got["reason"].iloc[:10] == "").all()
    assert got["output_per_energy"].iloc[:3].tolist() == pytest.approx([2.0, 10.0, 2.0])


def test_zhengzhou2018_default_shares() -> None:
    """With the default 10 % energy share the grades are the same: ties stay together.

    Firms 1 and 3 tie at the lowest output per energy: no firm lies strictly below either, so
    both are in the lowest 10 % (fewer than 1 firm below).  Grades as with 20 %.
    """
    got = grade_firms(_zz_firms(), options=EfficiencyOptions(weights={"tax_per_mu": 1}))
    assert got["grade"].tolist() == ZZ_EXPECTED


def test_weighted_hand_computed() -> None:
    """20 firms, tax per mu 1..20: A = fewer than 5 above (16-20), B = fewer than 14 (7-15),
    C = fewer than 19 (2-6), D = firm 1."""
    firms = pd.DataFrame({"tax_wan": np.arange(1.0, 21.0) * 10.0, "land_mu": 10.0})
    opts = EfficiencyOptions(scheme="weighted", weights={"tax_per_mu": 1})
    got = grade_firms(firms, options=opts)["grade"].tolist()
    assert got == ["D"] + ["C"] * 5 + ["B"] * 9 + ["A"] * 5


def test_composite_against_pandas_ranks() -> None:
    """Default 45/20/15/15/5 composite = weighted mean of pandas percentile ranks x 100."""
    rng = np.random.default_rng(7)
    n = 40
    firms = pd.DataFrame({
        "tax_wan": rng.uniform(10, 500, n).round(0), "revenue_wan": rng.uniform(1e3, 1e5, n),
        "value_added_wan": rng.uniform(100, 2e4, n), "energy_tce": rng.uniform(10, 1e4, n),
        "rd_share": rng.uniform(0, 0.1, n).round(2), "employees": rng.integers(10, 900, n),
        "land_mu": rng.uniform(5, 300, n), "output_wan": rng.uniform(1e3, 1e5, n),
    })
    got = grade_firms(firms, options=EfficiencyOptions(scheme="weighted"))
    ind = pd.DataFrame({
        "tax_per_mu": firms.tax_wan / firms.land_mu,
        "revenue_per_mu": firms.revenue_wan / firms.land_mu,
        "va_per_energy": firms.value_added_wan / firms.energy_tce,
        "rd_share": firms.rd_share,
        "labour_productivity": firms.value_added_wan / firms.employees,
    })
    w = {"tax_per_mu": 0.45, "revenue_per_mu": 0.20, "va_per_energy": 0.15, "rd_share": 0.15,
         "labour_productivity": 0.05}
    expected = sum(wk * 100 * ind[k].rank(pct=True) for k, wk in w.items())
    assert got["score"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9)
    # 25/70/95: 10 A, 18 B, 10 C, 2 D of 40 (no ties in the score)
    assert got["grade"].value_counts().to_dict() == {"A": 10, "B": 18, "C": 10, "D": 2}


def test_shares_with_ties() -> None:
    v = np.array([5.0, 5.0, 5.0, 1.0])
    assert in_top(v, 0.25).tolist() == [True, True, True, False]
    assert in_bottom(v, 0.25).tolist() == [False, False, False, True]
    assert percentile_scores(v).tolist() == pytest.approx([75.0, 75.0, 75.0, 25.0])


def test_missing_column_is_one_message() -> None:
    firms = pd.DataFrame({"tax_wan": [1.0], "land_mu": [10.0], "output_wan": [5.0]})
    with pytest.raises(ConfigError, match=r"no column 'energy_tce' \(needed by .*output_per_"):
        grade_firms(firms, options=EfficiencyOptions(weights={"tax_per_mu": 1}))


def test_zero_divisor_is_a_reason() -> None:
    firms = pd.DataFrame({"tax_wan": [1.0, 2.0], "land_mu": [10.0, 10.0],
                          "value_added_wan": [5.0, 5.0], "employees": [0, 3]})
    opts = EfficiencyOptions(scheme="weighted", weights={"labour_productivity": 1})
    got = grade_firms(firms, options=opts)
    assert got["reason"].tolist() == ["employees is 0", ""]


def test_grade_table_sums() -> None:
    opts = EfficiencyOptions(weights={"tax_per_mu": 1}, bottom_energy=0.2)
    got = grade_table(grade_firms(_zz_firms(), options=opts), "county").set_index("county")
    # c1: firms 1-6 (D, B, C, B, B, B); c2: 7-12 (B, B, A, A, ungraded x2)
    assert got.loc["c1", ["A", "B", "C", "D", "ungraded"]].tolist() == [0, 4, 1, 1, 0]
    assert got.loc["c2", ["A", "B", "C", "D", "ungraded"]].tolist() == [2, 2, 0, 0, 2]
    assert got.loc["c1", "cd_land_mu"] == pytest.approx(20.0)
    assert got.loc["c2", "tax_per_mu"] == pytest.approx(sum(range(70, 130, 10)) / 54.0,
                                                         abs=1e-3)


@pytest.mark.parametrize(("table", "message"), [
    ({"schme": "weighted"}, "schme"),
    ({"cutoffs": [70, 25, 95]}, "cutoffs"),
    ({"weights": {"tax_per_mu": 0}}, "weight"),
    ({"scheme": "zhejiang"}, "scheme"),
])
def test_options_errors(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        validate(EfficiencyOptions, table, label="plan.toml", prefix=["efficiency"])
