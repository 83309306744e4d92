"""``construction_unsuitable``: the 城镇建设适宜性 不适宜 cells as a plan constraint (issue 15).

On the tiny plan (tests/fixtures/tiny_plan.py, 200 m cells) the class raster written by
``layout construction-suitability`` is the independent reference: the cells the plan flags
with bit 2048 must be exactly its class-3 (不适宜) cells; the tiny plan's flood zone (not an
excluding type there) makes some of them. With ``construction_unsuitable`` in
``[constraints] exclude`` no cell among them is eligible and no site overlaps their squares by
more than a sliver (`layout.model.constraints.SLIVER_MU` = 100 m², the tolerance); without it
they are only flagged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from click.testing import CliRunner

from layout.allocation.run import PlanResult, run_plan
from layout.analysis.context import CriteriaContext
from layout.cli.main import cli
from layout.config.plan import load_plan
from layout.data.inputs import PlanInputs, load_inputs
from layout.model.constraints import CONSTRAINT_BITS, DEFAULT_EXCLUDED_TYPES
from layout.model.construction import CLASSES
from layout.scoring.suitability import score
from tests.allocation.test_run import tiny_overrides
from tests.fixtures import tiny_plan as tp

BIT = np.uint16(CONSTRAINT_BITS["construction_unsuitable"])
EXCLUDE = (*tp.EXCLUDE, "construction_unsuitable")


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_tiny_plan(tmp_path_factory.mktemp("tiny_cs"), **tiny_overrides(
        constraints={"exclude": list(EXCLUDE)}))


@pytest.fixture(scope="module")
def reference(plan: Path, tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """The 不适宜 cells of ``layout construction-suitability``'s class raster."""
    out = tmp_path_factory.mktemp("cs") / "out"
    result = CliRunner().invoke(cli, ["construction-suitability", str(plan), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with rasterio.open(out / "construction_class.tif") as src:
        unsuitable: np.ndarray = src.read(1) == CLASSES["unsuitable"].code
    return unsuitable


@pytest.fixture(scope="module")
def inputs(plan: Path) -> PlanInputs:
    return load_inputs(load_plan(plan))


@pytest.fixture(scope="module")
def planned(inputs: PlanInputs) -> PlanResult:
    return run_plan(inputs)


def test_flags_are_the_unsuitable_cells(inputs: PlanInputs, reference: np.ndarray) -> None:
    res = score(inputs, industry="food", context=CriteriaContext(inputs))
    flagged = (res.flags & BIT) != 0
    assert reference.sum() > 0
    np.testing.assert_array_equal(flagged, reference)
    assert not (res.eligible & flagged).any()
    # the tiny plan's flood zone (not excluded by itself) is among them
    flood = shapely.box(*tp.CONSTRAINTS["flood1"][1])
    centres = shapely.points(inputs.grid.centres(masked=False).reshape(-1, 2))
    in_flood = shapely.contains(flood, centres).reshape(inputs.grid.shape) & inputs.grid.mask
    assert in_flood.any() and flagged[in_flood].all()


def test_no_site_covers_them(planned: PlanResult, reference: np.ndarray) -> None:
    g = planned.inputs.grid
    rows, cols = np.nonzero(reference)
    x0 = g.x_centres()[cols] - g.cell / 2
    y0 = g.y_centres()[rows] - g.cell / 2
    squares = shapely.union_all(shapely.box(x0, y0, x0 + g.cell, y0 + g.cell))
    assert len(planned.sites)
    overlap = sum(shapely.intersection(s, squares).area for s in planned.sites.geometry)
    assert overlap <= 100.0  # at most a sliver (SLIVER_MU = 100 m²)


def test_only_flagged_when_not_excluded(tmp_path: Path, reference: np.ndarray) -> None:
    """Without it in exclude (the default), the flood-zone cells stay eligible."""
    assert "construction_unsuitable" not in DEFAULT_EXCLUDED_TYPES
    inputs = load_inputs(tp.write_tiny_plan(tmp_path, **tiny_overrides()))
    res = score(inputs, industry="food")
    flagged = (res.flags & BIT) != 0
    np.testing.assert_array_equal(flagged, reference)
    assert res.eligible[flagged].any()
