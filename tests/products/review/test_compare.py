"""Tests of `layout.products.review.compare`: two allocation tables side by side, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from layout.allocation.run import PlanResult
from layout.errors import ConfigError
from layout.errors import ValidationError as LayoutValidationError
from layout.products import review


def allocations() -> tuple[pd.DataFrame, pd.DataFrame]:
    a = pd.DataFrame(
        {
            "industry": ["auto", "auto", "food", "auto"],
            "zone_id": ["z1", "", "z2", "z1"],  # auto in z1 twice: summed
            "zone_name": ["一区", "", "二区", "一区"],
            "area_mu": [100.0, 50.0, 30.0, 20.0],
            "area_ha": [100 / 15, 50 / 15, 2.0, 20 / 15],
        }
    )
    b = pd.DataFrame(
        {
            "industry": ["food", "auto", "textiles"],
            "zone_id": ["z2", "z3", None],
            "zone_name": ["二区", "三区", None],
            "area_mu": [45.0, 80.0, 10.0],
            "area_ha": [3.0, 80 / 15, 10 / 15],
        }
    )
    return a, b


def test_compare_allocations_by_zone_by_hand() -> None:
    a, b = allocations()
    out = review.compare_allocations(a, b, labels=("A", "B"))
    expected = pd.DataFrame(
        {
            "industry": ["auto", "auto", "auto", "food", "textiles"],
            "zone_id": ["z1", "", "z3", "z2", ""],
            "zone_name": ["一区", "", "三区", "二区", ""],
            "A": [120.0, 50.0, 0.0, 30.0, 0.0],
            "B": [0.0, 0.0, 80.0, 45.0, 10.0],
            "difference": [-120.0, -50.0, 80.0, 15.0, 10.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected)
    assert out.attrs["unit"] == "mu"


def test_compare_allocations_by_industry_equals_group_sums() -> None:
    a, b = allocations()
    out = review.compare_allocations(a, b, by="industry").set_index("industry")
    sums_a = a.groupby("industry")["area_mu"].sum()
    sums_b = b.groupby("industry")["area_mu"].sum()
    for code in ["auto", "food", "textiles"]:
        assert out.loc[code, "before"] == sums_a.get(code, 0.0)
        assert out.loc[code, "after"] == sums_b.get(code, 0.0)
    assert (out["difference"] == out["after"] - out["before"]).all()


def test_compare_allocations_of_a_plan_with_itself(tiny_result: PlanResult) -> None:
    alloc = tiny_result.allocation
    out = review.compare_allocations(alloc, alloc)
    assert (out["difference"] == 0).all()
    assert out["before"].sum() == pytest.approx(alloc["area_mu"].sum())
    assert len(out) == len(alloc.drop_duplicates(["industry", "zone_id"]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"labels": ("same", "same")}, "two different"),
        ({"labels": ("", "x")}, "two different"),
        ({"labels": ("industry", "x")}, "name of another column"),
        ({"by": "county"}, "by = 'county'"),
    ],
)
def test_compare_allocations_refuses_bad_options(kwargs: dict[str, object], match: str) -> None:
    a, b = allocations()
    with pytest.raises(ConfigError, match=match):
        review.compare_allocations(a, b, **kwargs)  # type: ignore[arg-type]


def test_compare_allocations_names_a_missing_column() -> None:
    a, b = allocations()
    with pytest.raises(LayoutValidationError, match="area_mu") as info:
        review.compare_allocations(a, b.drop(columns="area_mu"), labels=("x", "y"))
    assert "'y'" in str(info.value)
