"""Tests of `layout.products.review.explain`: a site's contributions from the table and the rasters.

Expected values come from hand-made tables worked out in the test and from the in-memory
`PlanResult` (criterion arrays, weights and cells of each site) against what `explain_site` reads
back from the GeoTIFFs of the plan folder (tests/fixtures/plan_folder.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from layout.allocation.run import PlanResult
from layout.errors import ConfigError, DataFileError, LayoutError
from layout.model.criteria import CRITERIA
from layout.products import review
from tests.fixtures.plan_folder import sites_table

# --- site_contributions ---------------------------------------------------------------------


def test_site_contributions_by_hand() -> None:
    out = review.site_contributions(sites_table(), "food-01")
    assert list(out.columns) == list(review.CONTRIBUTION_COLUMNS)
    assert out["criterion"].tolist() == ["zone_fit", "density", "slope"]  # NaN airport dropped
    assert out["contribution"].tolist() == [25.0, 10.0, 5.0]
    assert out["share"].tolist() == pytest.approx([25 / 40, 10 / 40, 5 / 40])
    assert out["group"].tolist() == ["intensive", "agglomeration", "terrain"]
    assert out["label"].tolist() == [CRITERIA[k].label_en for k in out["criterion"]]
    assert out.attrs == {"site_id": "food-01", "industry": "food", "mean_score": 40.0}


def test_site_contributions_zero_is_kept_and_ties_follow_criteria_order() -> None:
    sites = sites_table()
    sites.loc[1, "c_density"] = 4.0  # ties with zone_fit: density comes first in CRITERIA
    out = review.site_contributions(sites, "auto-01", lang="zh")
    assert out["criterion"].tolist() == ["slope", "density", "zone_fit", "airport"]
    assert out["label"].tolist() == [CRITERIA[k].label_zh for k in out["criterion"]]
    assert out["contribution"].iloc[-1] == 0.0


def test_site_contributions_unknown_site_suggests_the_closest() -> None:
    with pytest.raises(review.UnknownSiteError, match="did you mean 'food-01'") as info:
        review.site_contributions(sites_table(), "food-1")
    assert isinstance(info.value, KeyError) and isinstance(info.value, LayoutError)
    with pytest.raises(ConfigError, match="lang"):
        review.site_contributions(sites_table(), "food-01", lang="fr")


def test_site_contributions_of_a_plan_sum_to_the_mean_score(tiny_result: PlanResult) -> None:
    for _, row in tiny_result.sites.iterrows():
        out = review.site_contributions(tiny_result.sites, row["site_id"])
        assert out["contribution"].sum() == pytest.approx(row["mean_score"], abs=1e-3)
        assert (np.diff(out["contribution"].to_numpy()) <= 0).all()


# --- explain_site --------------------------------------------------------------------------


def test_explain_site_matches_the_plan_in_memory(
    outputs: review.PlanOutputs, tiny_result: PlanResult
) -> None:
    assert len(tiny_result.sites) >= 3
    for site_id in tiny_result.sites["site_id"]:
        code = str(outputs.site(site_id)["industry"])
        res = tiny_result.results[code]
        cells = tiny_result.site_cells[site_id]
        out = review.explain_site(outputs, site_id)
        assert out.attrs["n_cells"] == len(cells)
        assert set(out["criterion"]) == set(res.weights)
        for _, row in out.iterrows():
            name = row["criterion"]
            vals = res.criteria[name].ravel()[cells].astype(np.float64)
            present = vals[np.isfinite(vals)]  # no data (NaN) contributes 0
            value = float(present.mean()) if present.size else math.nan
            points = 100 * res.weights[name] * float(np.nan_to_num(vals, nan=0.0).mean())
            assert row["weight"] == pytest.approx(res.weights[name], abs=1e-6)
            assert row["value"] == pytest.approx(value, abs=1e-6, nan_ok=True)
            assert row["contribution"] == pytest.approx(points, abs=1e-3)
            assert row["contribution"] == pytest.approx(row["reported"], abs=1e-3)
        assert out.attrs["score"] == pytest.approx(out.attrs["reported_score"], abs=1e-3)
        assert out["contribution"].sum() == pytest.approx(out.attrs["score"], abs=1e-3)


def test_explain_site_needs_the_raster(outputs: review.PlanOutputs, tmp_path: Path) -> None:
    site_id = str(outputs.sites["site_id"].iloc[0])
    with pytest.raises(review.UnknownSiteError):
        review.explain_site(outputs, "nope-01")
    bare = review.PlanOutputs(
        outputs.folder,
        outputs.sites,
        outputs.zone_industries,
        outputs.allocation,
        outputs.manifest,
        scores={},
    )
    with pytest.raises(DataFileError, match=r"_score\.tif"):
        review.explain_site(bare, site_id)
