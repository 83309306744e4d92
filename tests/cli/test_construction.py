"""``layout construction-suitability`` on the tiny plan: files written, areas that add up to
the study area (cells x 60 mu at 200 m), the class raster's codes, exit 2 without a DEM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from click.testing import CliRunner

from layout.analysis.terrain import dem_on_grid
from layout.cli.main import cli
from layout.config.plan import load_plan
from layout.data.inputs import load_inputs
from layout.products.construction import CONSTRUCTION_NAMES
from tests.fixtures import tiny_plan as tp


def tp_dem(plan: Path) -> Path:
    dem = load_inputs(load_plan(plan)).dem
    assert dem is not None
    return dem


def test_tiny_plan(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "p")
    out = tmp_path / "cs"
    result = CliRunner().invoke(cli, ["construction-suitability", str(plan), "--out", str(out),
                                      "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= set(CONSTRUCTION_NAMES)
    grid = load_inputs(load_plan(plan)).grid
    with rasterio.open(out / "construction_class.tif") as src:
        classes = src.read(1)
        assert src.crs.to_epsg() == 4547
    # class 0 (no data) exactly outside the study area and where the DEM has no value
    no_dem = np.isnan(dem_on_grid(tp_dem(plan), grid))
    assert ((classes == 0) == (~grid.mask | no_dem)).all()
    assert set(np.unique(classes[classes > 0]).tolist()) <= {1, 2, 3}
    table = pd.read_csv(out / "area_by_county.csv", dtype={"adcode": str}).set_index("adcode")
    cols = ["suitable_mu", "general_mu", "unsuitable_mu", "no_data_mu"]
    total = table.loc["total", cols].sum()
    assert total == pytest.approx(grid.n_cells * 60.0)
    assert table.drop(index="total")[cols].to_numpy().sum() == pytest.approx(total)


def test_no_dem_exits_2(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "p", inputs={"dem": None})
    result = CliRunner().invoke(cli, ["construction-suitability", str(plan), "--out",
                                      str(tmp_path / "cs")])
    assert result.exit_code == 2
    assert "needs a DEM" in result.output and "Traceback" not in result.output
