"""Each zone's result (`layout.allocation.zones`) and the zone table (`zone_industries`).

Checked against the tiny plan's answer key (`tests.fixtures.tiny_plan.ZONES`: boxes and built
shares) and shapely: a site's land in a zone is the area of its polygon inside the zone's box
(the boxes lie on cell edges, so "cell centre in the zone" and "area inside" agree).
"""

from __future__ import annotations

import pytest
import shapely

from layout.allocation.run import PlanResult
from layout.allocation.zones import zone_layer
from tests.fixtures import tiny_plan as tp
from tests.fixtures.plan_folder import tiny_inputs, tiny_result  # noqa: F401 (fixtures)

MU = 10_000.0 / 15.0  # m² per mu


def overlap_mu(result: PlanResult) -> dict[tuple[str, str], tuple[float, set[str]]]:
    """(zone, industry) -> (mu, site ids) from the site polygons and the zone boxes."""
    out: dict[tuple[str, str], tuple[float, set[str]]] = {}
    for zid, (_, _, _, box) in tp.ZONES.items():
        zone = shapely.box(*box)
        for site in result.sites.itertuples():
            area = shapely.intersection(site.geometry, zone).area / MU
            if area > 1e-6:
                mu, ids = out.get((zid, site.industry), (0.0, set()))
                out[(zid, site.industry)] = (mu + area, ids | {site.site_id})
    return out


def test_zone_layer_matches_the_answer_key(tiny_result: PlanResult) -> None:  # noqa: F811
    codes = list(tiny_result.inputs.plan.catalog.codes)
    zones = zone_layer(tiny_result.inputs.layer("zones"), tiny_result.allocation, codes=codes)
    assert list(zones["zone_id"]) == list(tp.ZONES)
    expected = overlap_mu(tiny_result)
    assert expected, "the tiny plan puts land in zones"
    for row in zones.itertuples():
        _, leading, built, box = tp.ZONES[row.zone_id]
        capacity = shapely.box(*box).area / MU * (1.0 - built)
        assert row.capacity_mu == pytest.approx(capacity)
        assert row.area_mu == pytest.approx(shapely.box(*box).area / MU)
        assert row.leading == leading
        assert row.geometry.equals(shapely.box(*box))
        total = 0.0
        for code in codes:
            want = expected.get((row.zone_id, code), (0.0, set()))[0]
            assert getattr(row, f"alloc_mu_{code}") == pytest.approx(want, abs=1e-6), code
            total += want
        assert row.allocated_mu == pytest.approx(total, abs=1e-6)
        assert row.remaining_mu == pytest.approx(capacity - total, abs=1e-6)
        # the programme bounds each zone's allocation by its capacity
        assert row.remaining_mu >= -1e-6
        by_land = sorted((c for c in codes if expected.get((row.zone_id, c))),
                         key=lambda c: -expected[(row.zone_id, c)][0])
        assert (row.industries.split(",") if row.industries else []) == by_land


def test_zone_industries_lists_every_allocation(tiny_result: PlanResult) -> None:  # noqa: F811
    zi = tiny_result.zone_industries
    codes = set(tiny_result.inputs.plan.catalog.codes)
    expected = overlap_mu(tiny_result)
    for zid in tp.ZONES:
        rows = zi[zi["zone_id"] == zid]
        # every industry once, ranked 1..n by mean score
        assert set(rows["industry"]) == codes and len(rows) == len(codes)
        ranked = rows.sort_values("rank")
        assert list(ranked["rank"]) == list(range(1, len(codes) + 1))
        assert list(ranked["mean_score"]) == sorted(ranked["mean_score"], reverse=True)
        leading = tp.ZONES[zid][1].split(",") if tp.ZONES[zid][1] else []
        for r in rows.itertuples():
            mu, ids = expected.get((zid, r.industry), (0.0, set()))
            assert r.allocated_mu == pytest.approx(mu, abs=1e-6)
            assert set(filter(None, r.sites.split(","))) == ids
            assert r.leading == (r.industry in leading)
            off_lead = "not a designated leading industry" in r.reasons
            assert off_lead == (mu > 0 and r.industry not in leading)
    # the tiny plan places land outside a zone's top three (auto in west_food ranks 4th)
    placed = zi[zi["allocated_mu"] > 0]
    assert (placed["rank"] > 3).any()
