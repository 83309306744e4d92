"""``layout efficiency`` on the tiny plan (tests/fixtures/tiny_plan.py): files written, grades
as `grade_firms` gives them, and exit 2 with one line when the scheme needs a column the
enterprises lack (the tiny firms have no energy figures)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from click.testing import CliRunner

from layout.cli.main import cli
from layout.products.efficiency import EFFICIENCY_NAMES
from tests.fixtures import tiny_plan as tp


def test_weighted_on_tiny_plan(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "p", efficiency={
        "scheme": "weighted", "weights": {"tax_per_mu": 2, "output_per_mu": 1}})
    out = tmp_path / "eff"
    result = CliRunner().invoke(cli, ["efficiency", str(plan), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= set(EFFICIENCY_NAMES)
    firms = pd.read_csv(out / "firms.csv", keep_default_na=False)
    ents = tp.tiny_enterprises()
    assert len(firms) == len(ents)
    graded = firms[firms["grade"] != ""]
    # tiny firms sit on 20-200 mu: every one is graded
    assert len(graded) == len(ents)
    # 25/70/95 by count: the A share is the firms with fewer than n/4 scores above them
    n = len(graded)
    above = graded["score"].apply(lambda s: (graded["score"] > s).sum())
    assert (graded["grade"] == "A").tolist() == (above < 0.25 * n).tolist()
    layer = gpd.read_file(out / "efficiency.gpkg", layer="firms")
    assert layer.crs.to_epsg() == 4547 and len(layer) == len(ents)
    by_county = pd.read_csv(out / "by_county.csv", dtype={"county": str})
    assert by_county["firms"].sum() == len(ents)


def test_missing_energy_exits_2(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "p")
    out = tmp_path / "eff"
    result = CliRunner().invoke(cli, ["efficiency", str(plan), "--out", str(out)])
    assert result.exit_code == 2
    assert "no column 'energy_tce'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
