"""The land-use layer in a plan: limits where constraints are silent, industrial land, infill.

The tiny plan (tests/fixtures/tiny_plan.py, 200 m cells) gets the DLTB fixture
(tests/fixtures/landuse.py); every patch and constraint edge lies on the 200 m grid, so the
cells a land-use limit flags are exactly the patch less the constraint boxes, and their count
times the cell area equals the shapely area of that difference.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from layout.allocation.run import PlanResult, run_plan
from layout.analysis.context import CriteriaContext
from layout.analysis.landuse import industrial_land_mu, infill_patches
from layout.data.inputs import PlanInputs, load_inputs
from layout.model.constraints import CONSTRAINT_BITS
from layout.products.planfolder import read_plan, write_plan
from layout.settings import M2_PER_MU
from tests.allocation.test_run import tiny_overrides
from tests.fixtures import tiny_plan as tp
from tests.fixtures.landuse import PATCHES, write_dltb

LIMITS = ("landuse_farmland", "landuse_water", "landuse_ecological")
CLASS_OF = {"1101": "landuse_water", "1103": "landuse_water", "103": "landuse_farmland",
            "0301": "landuse_ecological"}
#: Industrial land per zone: the 0.5 % tolerance of the issue (areas are exact here).
REL = 0.005


def _plan(folder: Path, exclude: tuple[str, ...] = (*tp.EXCLUDE, *LIMITS)) -> Path:
    write_dltb(folder)
    return tp.write_tiny_plan(folder, **tiny_overrides(
        inputs={"landuse": {"path": "DLTB/DLTB.shp", "schema": "gbt21010",
                            "code_column": "DLBM", "name_column": "DLMC"}},
        constraints={"exclude": list(exclude)}))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> PlanInputs:
    return load_inputs(_plan(tmp_path_factory.mktemp("tiny_lu")))


def _expected_limit(ctype: str) -> shapely.Geometry:
    """The patches of one limit type less every constraint box, by shapely."""
    patches = [shapely.box(*p[2]) for p in PATCHES.values() if CLASS_OF.get(p[0]) == ctype]
    covered = shapely.union_all([shapely.box(*c[1]) for c in tp.CONSTRAINTS.values()])
    inside = shapely.intersection(shapely.union_all(patches), tp.BOUNDARY)
    return shapely.difference(inside, covered)


@pytest.mark.parametrize("ctype", LIMITS)
def test_limits_flag_the_land_no_constraint_covers(inputs: PlanInputs, ctype: str) -> None:
    ctx = CriteriaContext(inputs)
    grid = inputs.grid
    flagged = (ctx.constraint_flags & np.uint16(CONSTRAINT_BITS[ctype])) != 0
    expected = _expected_limit(ctype).area
    assert expected > 0
    assert flagged.sum() * grid.cell_area_m2 == pytest.approx(expected, rel=1e-9)
    assert ctx.landuse_limits[ctype].area == pytest.approx(expected, rel=1e-9)


def test_reservoir_under_a_constraint_keeps_only_the_constraint_bit(inputs: PlanInputs) -> None:
    """Patch 2 lies half in water1: that half is water_source, the rest landuse_water."""
    ctx = CriteriaContext(inputs)
    grid = inputs.grid
    water = np.uint16(CONSTRAINT_BITS["landuse_water"])
    source = np.uint16(CONSTRAINT_BITS["water_source"])
    # cells of patch 2 (x 502,200-503,000) west and east of water1's edge at x 502,600
    centre_cells = ctx.constraint_flags[grid.rowcol(np.array([502_300.0, 502_900.0]),
                                                    np.array([3_845_500.0] * 2))]
    assert (centre_cells[0] & water) and not (centre_cells[0] & source)
    assert (centre_cells[1] & source) and not (centre_cells[1] & water)


def test_excluded_limits_are_not_eligible(inputs: PlanInputs) -> None:
    from layout.scoring.suitability import score

    ctx = CriteriaContext(inputs)
    res = score(inputs, industry="food", context=ctx)
    water = (res.flags & np.uint16(CONSTRAINT_BITS["landuse_water"])) != 0
    assert water.any() and not (res.eligible & water).any()


def test_limits_not_excluded_stay_eligible(tmp_path: Path) -> None:
    """[constraints] exclude without landuse_farmland: ordinary farmland may take sites."""
    from layout.scoring.suitability import score

    inputs = load_inputs(_plan(tmp_path, exclude=(*tp.EXCLUDE, "landuse_water")))
    res = score(inputs, industry="food")
    farm = (res.flags & np.uint16(CONSTRAINT_BITS["landuse_farmland"])) != 0
    assert farm.any() and res.eligible[farm].all()


def test_industrial_land_per_zone(inputs: PlanInputs) -> None:
    industrial = [shapely.box(*p[2]) for p in PATCHES.values() if p[1] == "工业用地"]
    zones = inputs.layer("zones")
    got = industrial_land_mu(inputs.layer("landuse"), zones)
    for zid, mu in zip(zones["zone_id"], got, strict=True):
        box = shapely.box(*tp.ZONES[zid][3])
        expected = sum(shapely.intersection(box, p).area for p in industrial) / M2_PER_MU
        assert mu == pytest.approx(expected, rel=REL, abs=1e-6), zid
    assert got.sum() > 0


def test_infill_patches_hold_no_firm(inputs: PlanInputs) -> None:
    firms = tp.tiny_enterprises()
    expected = [bsm for bsm, p in PATCHES.items() if p[1] == "工业用地"
                and not firms.geometry.intersects(shapely.box(*p[2])).any()]
    assert expected  # patch 5 by construction
    infill = infill_patches(inputs.layer("landuse"), inputs.layer("enterprises"),
                            inputs.layer("zones"))
    assert list(infill["patch"]) == [list(PATCHES).index(b) + 1 for b in expected]
    assert list(infill["code"]) == ["0601"] * len(expected)
    assert infill["area_mu"].tolist() == pytest.approx(
        [shapely.box(*PATCHES[b][2]).area / M2_PER_MU for b in expected], rel=1e-9)
    assert list(infill["zone_id"]) == ["east_auto"] * len(expected)


@pytest.fixture(scope="module")
def planned(inputs: PlanInputs) -> PlanResult:
    return run_plan(inputs)


def test_plan_folder_reports_land_use(planned: PlanResult, tmp_path: Path) -> None:
    write_plan(planned, tmp_path / "out")
    out = read_plan(tmp_path / "out")
    gpkg = tmp_path / "out" / "plan.gpkg"
    assert "landuse_infill" in {n for n, _ in pyogrio.list_layers(gpkg)}
    zones = out.zones.set_index("zone_id")
    expected = industrial_land_mu(planned.inputs.layer("landuse"), planned.inputs.layer("zones"))
    assert zones["industrial_land_mu"].tolist() == pytest.approx(expected.tolist(), abs=1e-6)
    assert len(out.infill) == 1 and out.infill["zone_id"].iloc[0] == "east_auto"
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "## Land use (现状用地)" in report and "landuse_water" in report


def test_sites_keep_off_the_excluded_land_use(planned: PlanResult) -> None:
    limits = shapely.union_all([_expected_limit(t) for t in LIMITS])
    overlap = sum(shapely.intersection(g, limits).area for g in planned.sites.geometry)
    assert overlap <= 100.0  # at most a sliver (layout.model.constraints.SLIVER_MU = 100 m²)


def test_site_check_cites_schema_and_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          inputs: PlanInputs) -> None:
    """A parcel half on the uncovered river patch: unsuitable, naming 1101 in GB/T 21010."""
    import geopandas as gpd

    from layout.api import check_sites

    monkeypatch.setenv("LAYOUT_CACHE_DIR", str(tmp_path / "cache"))
    river = shapely.box(*PATCHES[1][2])
    parcel = shapely.box(495_800, 3_843_000, 496_600, 3_843_600)
    parcels = gpd.GeoDataFrame({"id": ["P1"]}, geometry=[parcel], crs=tp.METRIC)
    (check,) = check_sites(parcels, industry="food", config=inputs.plan)
    (water,) = [c for c in check.constraints if c.type == "landuse_water"]
    expected = shapely.intersection(parcel, river).area
    assert water.excluding and water.area_mu == pytest.approx(expected / M2_PER_MU, rel=1e-6)
    assert [f.constraint_id for f in water.features] == ["landuse_1"]
    assert "GB/T 21010-2017" in water.legal_basis and "1101 河流水面" in water.legal_basis
    assert check.verdict == "unsuitable"
