"""Tests of `layout.products.review.sitechecks`: site checks made by hand, as tables."""

from __future__ import annotations

from layout.products import review
from layout.products.sitecheck import Contribution, Reason, SiteCheck, Suitability, ZoneOverlap


def a_check(parcel_id: str, verdict: str, *, zone: bool) -> SiteCheck:
    parts = (
        Contribution(
            "zone_fit", "zone leading-industry fit", "主导产业契合", "intensive", 0.1, 1.0, 10.0
        ),
        Contribution("airport", "airport", "机场", "access", 0.2, 0.6, 12.0),
        Contribution(
            "density", "same-industry density", "同业集聚密度", "agglomeration", 0.1, 0.3, 3.0
        ),
    )
    z = ZoneOverlap(
        "airport", "郑州航空港经济综合实验区", "Airport zone", 0.8, 324.0, ("electronics",), True
    )
    return SiteCheck(
        parcel_id=parcel_id,
        industry="electronics",
        verdict=verdict,
        reasons=(
            Reason(verdict, "constraint", "c1", f"first reason of {parcel_id}"),
            Reason("ok", "zone", "z", "second"),
        ),
        area_mu=405.0,
        area_ha=27.0,
        lon=113.8,
        lat=34.5,
        outside_share=0.0,
        constraints=(),
        excluded_overlap_mu=1.5,
        excluded_overlap_share=1.5 / 405,
        zone=z if zone else None,
        zones=(z,) if zone else (),
        suitability=Suitability(25.0, 20.0, 80.0, 1.0, parts),
        industries=(),
        alternatives=(),
        indicators=None,
    )


def test_verdicts_table_one_row_per_parcel() -> None:
    checks = [a_check("P1", "suitable", zone=True), a_check("P2", "unsuitable", zone=False)]
    out = review.verdicts_table(checks)
    assert out["parcel_id"].tolist() == ["P1", "P2"]
    assert out["verdict"].tolist() == ["suitable", "unsuitable"]
    assert out["zone_id"].tolist() == ["airport", ""]
    assert out["zone_share"].tolist() == [0.8, 0.0]
    assert out["reason"].tolist() == ["first reason of P1", "first reason of P2"]
    assert out["mean_score"].tolist() == [25.0, 25.0]
    assert review.verdicts_table([]).columns.tolist() == out.columns.tolist()


def test_parcel_contributions_sorted_with_their_labels() -> None:
    check = a_check("P1", "suitable", zone=True)
    out = review.parcel_contributions(check)
    assert out["criterion"].tolist() == ["airport", "zone_fit", "density"]
    assert out["contribution"].tolist() == [12.0, 10.0, 3.0]
    assert out["contribution"].sum() == check.suitability.mean
    assert out["weight"].tolist() == [0.2, 0.1, 0.1]
    assert review.parcel_contributions(check, lang="zh")["label"].tolist() == [
        "机场",
        "主导产业契合",
        "同业集聚密度",
    ]
    assert out.attrs == {"parcel_id": "P1", "industry": "electronics", "mean_score": 25.0}
