"""Tests of `layout.products.planfolder`: `read_plan` gives back what `write_plan` wrote.

The plan folder is the tiny synthetic plan's (tests/fixtures/plan_folder.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from layout.allocation.run import PlanResult
from layout.errors import DataFileError
from layout.products.planfolder import PlanOutputs, read_plan
from tests.fixtures.plan_folder import AFFINE_MUL


@pytest.mark.filterwarnings(AFFINE_MUL)
def test_read_plan_gives_back_what_was_written(
    outputs: PlanOutputs, tiny_result: PlanResult, plan_dir: Path
) -> None:
    sites = tiny_result.sites
    assert outputs.folder == plan_dir
    assert outputs.sites.crs.equals(sites.crs)
    assert outputs.sites["site_id"].tolist() == sites["site_id"].tolist()
    for col in ["area_mu", "mean_score", "stability"]:
        np.testing.assert_allclose(outputs.sites[col], sites[col], atol=1e-6)
    assert outputs.sites["stable"].tolist() == sites["stable"].tolist()
    np.testing.assert_allclose(outputs.sites.area, sites.area, rtol=1e-9)
    assert outputs.allocation["zone_id"].tolist() == tiny_result.allocation["zone_id"].tolist()
    np.testing.assert_allclose(outputs.allocation["area_mu"], tiny_result.allocation["area_mu"])
    assert len(outputs.zone_industries) == len(tiny_result.zone_industries)
    assert outputs.manifest == json.loads((plan_dir / "manifest.json").read_text("utf-8"))
    assert outputs.report == plan_dir / "report.html"
    assert outputs.report_md == plan_dir / "report.md"
    assert sorted(outputs.scores) == sorted(tiny_result.results)
    measures = pd.read_csv(plan_dir / "suitability" / "measures.csv")
    assert len(outputs.measures) == len(measures)
    np.testing.assert_allclose(outputs.measures["value"], measures["value"])
    assert set(outputs.measures["region_type"]) == {"", "county", "zone"}
    assert outputs.measures["region_id"].map(type).eq(str).all()
    assert outputs.site(sites["site_id"].iloc[0])["industry"] == sites["industry"].iloc[0]
    surface = outputs.surface(str(sites["industry"].iloc[0]))
    code = str(sites["industry"].iloc[0])
    np.testing.assert_allclose(surface.score, tiny_result.results[code].score, atol=1e-5)


def test_read_plan_errors_name_the_file(plan_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"no plan\.gpkg here"):
        read_plan(tmp_path / "nothing")
    copy_dir = tmp_path / "copy"
    shutil.copytree(plan_dir, copy_dir)
    (copy_dir / "manifest.json").unlink()
    with pytest.raises(DataFileError, match=r"manifest.json: missing"):
        read_plan(copy_dir)
    (copy_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match="cannot read it"):
        read_plan(copy_dir)
    only_sites = tmp_path / "only_sites"
    only_sites.mkdir()
    gpd.read_file(plan_dir / "plan.gpkg", layer="sites").to_file(
        only_sites / "plan.gpkg", layer="sites", engine="pyogrio"
    )
    with pytest.raises(DataFileError, match="no layer 'zone_industries', 'allocation'"):
        read_plan(only_sites)


def test_a_plans_suitability_folder_is_a_score_folder(plan_dir: Path, tmp_path: Path) -> None:
    """`layout score`'s default --out is a plan's ``suitability`` folder: it may replace it."""
    from layout.io.staging import check_outputs
    from layout.products.planfolder import scores_folder

    folder = tmp_path / "suitability"
    shutil.copytree(plan_dir / "suitability", folder)
    names = {p.name for p in folder.iterdir()}
    assert any(n.endswith(".qml") for n in names), names  # the styles layout plan writes
    check_outputs([scores_folder(folder)])  # not refused as holding foreign files
