"""layout.scoring.suitability: the kernel on a hand example, the invariants of every score on
the tiny plan (all seven industries) and on the embedded Zhengzhou data (one industry: food,
about 1.5 s for 755,000 cells), `explain`, determinism and the GeoTIFFs `write_result` writes.

Tolerances: scores are float32 sums of up to 15 contributions of at most 100 points, so a
float64 re-summation agrees to 1e-4 points (float32 spacing at 100 is 7.6e-6).
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from layout.analysis.context import CriteriaContext
from layout.config.criteria import criterion_specs
from layout.data.inputs import PlanInputs, load_inputs
from layout.errors import CRSError, LayoutError
from layout.model.constraints import CONSTRAINT_BITS
from layout.model.criteria import CRITERIA
from layout.scoring.suitability import (
    SuitabilityResult,
    score,
    score_all,
    score_kernel,
    write_result,
)
from tests.fixtures import tiny_plan as tp

ATOL = 1e-4  # points


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def tiny_inputs(tiny_path: Path) -> PlanInputs:
    return load_inputs(tiny_path)


@pytest.fixture(scope="module")
def tiny_results(tiny_inputs: PlanInputs) -> dict[str, SuitabilityResult]:
    return score_all(tiny_inputs)


@pytest.fixture(scope="module")
def embedded_inputs() -> PlanInputs:
    return load_inputs()


@pytest.fixture(scope="module")
def embedded_food(embedded_inputs: PlanInputs) -> SuitabilityResult:
    return score(embedded_inputs, industry="food")


def all_results(request: pytest.FixtureRequest) -> list[SuitabilityResult]:
    if request.param == "tiny":
        return list(request.getfixturevalue("tiny_results").values())
    return [request.getfixturevalue("embedded_food")]


@pytest.fixture(params=["tiny", "embedded"])
def results(request: pytest.FixtureRequest) -> list[SuitabilityResult]:
    return all_results(request)


# --- the kernel ----------------------------------------------------------------------------


def test_score_kernel_hand_example() -> None:
    nan = float("nan")
    a = np.array([[1.0, 0.5], [nan, 0.2]], np.float32)
    b = np.array([[0.0, 1.0], [1.0, 1.0]], np.float32)
    eligible = np.array([[True, True], [True, False]])
    score_, (pa, pb) = score_kernel([a, b], [0.6, 0.4], eligible)
    # 100 (0.6 a + 0.4 b); NaN contributes 0; the ineligible cell scores 0.
    np.testing.assert_allclose(score_, [[60.0, 70.0], [40.0, 0.0]], atol=1e-5)
    np.testing.assert_allclose(pa, [[60.0, 30.0], [0.0, 0.0]], atol=1e-5)
    np.testing.assert_allclose(pb, [[0.0, 40.0], [40.0, 0.0]], atol=1e-5)
    assert score_.dtype == pa.dtype == np.float32
    np.testing.assert_array_equal(score_, pa + pb)  # same order of summation: exact


def test_score_kernel_leaves_inputs_alone() -> None:
    a = np.array([0.5, np.nan], np.float32)
    copy = a.copy()
    score_kernel([a], [1.0], np.array([True, True]))
    np.testing.assert_array_equal(a, copy)


def test_score_kernel_needs_one_weight_per_criterion() -> None:
    with pytest.raises(ValueError):
        score_kernel([np.ones(2, np.float32)], [0.5, 0.5], np.array([True, True]))


# --- invariants of every result -------------------------------------------------------------


def test_score_is_the_sum_of_contributions(results: list[SuitabilityResult]) -> None:
    for r in results:
        parts = r.contributions()
        assert list(parts) == list(r.criteria) == list(r.weights)
        total = np.sum([p.astype(np.float64) for p in parts.values()], axis=0)
        m = r.grid.mask
        np.testing.assert_allclose(r.score[m], total[m], rtol=0, atol=ATOL, err_msg=r.industry)
        for p in parts.values():
            assert (p[~r.eligible] == 0).all()


def test_score_recomputed_from_weights_and_values(results: list[SuitabilityResult]) -> None:
    for r in results:
        expected = np.zeros(r.grid.shape)
        for name, w in r.weights.items():
            expected += 100.0 * w * np.nan_to_num(r.criteria[name].astype(np.float64))
        e = r.eligible
        np.testing.assert_allclose(r.score[e], expected[e], rtol=0, atol=ATOL, err_msg=r.industry)


def test_score_range_mask_and_exclusion(results: list[SuitabilityResult]) -> None:
    for r in results:
        m = r.grid.mask
        inside = r.score[m]
        assert np.isfinite(inside).all() and (inside >= 0).all() and (inside <= 100).all()
        assert np.isnan(r.score[~m]).all()
        assert (r.score[r.excluded] == 0).all()
        outside = CONSTRAINT_BITS["outside_study_area"]
        # the outside bit always excludes, whatever the plan's exclude list (issue 12)
        assert ((r.flags[r.excluded] & np.uint16(r.exclude_bits | outside)) != 0).all()
        assert not (r.eligible & r.excluded).any()
        np.testing.assert_array_equal(r.eligible | r.excluded, m)
        assert (r.flags[~m] & outside).all()
        # inside the mask it marks the cells the boundary cuts by more than a sliver
        # (checked against shapely in tests/analysis/test_context.py); never eligible
        cut = m & ((r.flags & outside) != 0)
        assert not r.eligible[cut].any()
        assert r.score[r.eligible].max() > 0


def test_weights_and_values(results: list[SuitabilityResult]) -> None:
    for r in results:
        assert math.fsum(r.weights.values()) == pytest.approx(1.0, abs=1e-12)
        assert set(r.criteria) == set(r.raw) == set(r.weights) <= set(CRITERIA)
        for name, v in r.criteria.items():
            inside = v[r.grid.mask]
            ok = np.isnan(inside) | ((inside >= 0) & (inside <= 1))
            assert ok.all(), (r.industry, name)
            assert np.isnan(v[~r.grid.mask]).all(), (r.industry, name)


def test_transformed_values_follow_their_specs(
    tiny_inputs: PlanInputs, tiny_results: dict[str, SuitabilityResult]
) -> None:
    r = tiny_results["aluminium"]
    m = r.grid.mask
    for name, spec in criterion_specs(tiny_inputs.plan, "aluminium").items():
        assert r.weights[name] == spec.weight
        expected = spec.transform.apply(r.raw[name].astype(np.float64))
        np.testing.assert_allclose(r.criteria[name][m], expected[m], atol=1e-6, err_msg=name)


def test_tiny_plan_exclusions(tiny_results: dict[str, SuitabilityResult]) -> None:
    auto, food = tiny_results["auto"], tiny_results["food"]
    # basic_farmland (1), water_source (4), steep_slope (64) exclude; flood_zone (32) does not.
    assert auto.exclude_bits == 1 | 4 | 64
    flood = (auto.flags & 32) != 0
    assert flood.sum() == 28 and auto.eligible[flood].all() and (auto.score[flood] > 0).all()
    farm = (auto.flags & 1) != 0
    assert farm.sum() == 80 and (auto.score[farm] == 0).all()
    # auto (max 5°) loses a ring of the hill that food (8°) keeps.
    steep_auto = (auto.flags & 64) != 0
    steep_food = (food.flags & 64) != 0
    assert steep_food.sum() < steep_auto.sum()
    assert (steep_food <= steep_auto).all()
    assert (auto.score[steep_auto] == 0).all()


def test_residential_buffer_only_in_pollution_intensive(
    tiny_results: dict[str, SuitabilityResult],
) -> None:
    for code, r in tiny_results.items():
        assert ("residential_buffer" in r.weights) == (code == "aluminium")


def test_a_plan_without_dem(tmp_path: Path) -> None:
    inputs = load_inputs(tp.write_tiny_plan(tmp_path, inputs={"dem": None}))
    assert inputs.dem is None
    r = score(inputs, industry="auto")
    m = r.grid.mask
    # No slope data: the criterion keeps its weight and contributes 0 (NaN = no data), and no
    # cell is steep.
    assert np.isnan(r.raw["slope"][m]).all() and np.isnan(r.criteria["slope"][m]).all()
    assert not (r.flags & CONSTRAINT_BITS["steep_slope"]).any()
    assert (r.contributions()["slope"] == 0).all()
    assert np.nanmax(r.score) <= 100 * (1 - r.weights["slope"]) + ATOL
    total = np.sum([p.astype(np.float64) for p in r.contributions().values()], axis=0)
    np.testing.assert_allclose(r.score[m], total[m], atol=ATOL)


# --- explain --------------------------------------------------------------------------------


def _check_explanation(df: pd.DataFrame, r: SuitabilityResult) -> None:
    assert list(df["criterion"]) == list(r.criteria)
    assert math.fsum(df["weight"]) == pytest.approx(1.0, abs=1e-12)
    assert math.fsum(df["contribution"]) == pytest.approx(df.attrs["score"], abs=ATOL)
    assert set(df["group"]) <= {"agglomeration", "clustering", "intensive", "access", "terrain"}


def test_explain_a_cell(results: list[SuitabilityResult]) -> None:
    for r in results:
        row, col = np.unravel_index(np.nanargmax(r.score), r.grid.shape)
        df = r.explain((int(row), int(col)))
        _check_explanation(df, r)
        assert df.attrs["score"] == pytest.approx(float(r.score[row, col]), abs=1e-6)
        assert df.attrs["excluded_by"] == [] and df.attrs["excluded_share"] == 0.0
        for name in r.criteria:
            line = df[df["criterion"] == name].iloc[0]
            assert line["value"] == pytest.approx(float(r.criteria[name][row, col]), nan_ok=True)
            assert line["contribution"] == pytest.approx(
                100 * r.weights[name] * np.nan_to_num(float(r.criteria[name][row, col])), abs=ATOL
            )


def test_explain_an_excluded_cell(tiny_results: dict[str, SuitabilityResult]) -> None:
    r = tiny_results["auto"]
    row, col = np.argwhere((r.flags & 1) != 0)[0]
    df = r.explain((int(row), int(col)))
    assert df.attrs["score"] == 0.0 and (df["contribution"] == 0).all()
    assert df.attrs["excluded_by"] == ["basic_farmland"] and df.attrs["excluded_share"] == 1.0
    assert df["value"].notna().any()  # the values are kept: why it would score, if allowed


def test_explain_a_polygon(tiny_results: dict[str, SuitabilityResult]) -> None:
    r = tiny_results["auto"]
    box = tp.ZONES["east_auto"][3]
    df = r.explain(shapely.box(*box), lang="zh")
    _check_explanation(df, r)
    # The mean over the cells whose centre lies in the zone: 15 x 15 cells of 200 m.
    xs = r.grid.x0 + (np.arange(r.grid.ncols) + 0.5) * r.grid.cell
    ys = r.grid.y_top - (np.arange(r.grid.nrows) + 0.5) * r.grid.cell
    xx, yy = np.meshgrid(xs, ys)
    cells = (xx > box[0]) & (xx < box[2]) & (yy > box[1]) & (yy < box[3])
    assert cells.sum() == 15 * 15
    assert df.attrs["score"] == pytest.approx(float(r.score[cells].astype(np.float64).mean()))
    assert df.loc[df["criterion"] == "zone_fit", "label"].item() == CRITERIA["zone_fit"].label_zh
    assert df.attrs["excluded_by"] == []  # no excluding constraint overlaps the zone


def test_explain_a_geoseries_in_another_crs(tiny_results: dict[str, SuitabilityResult]) -> None:
    r = tiny_results["food"]
    farm = shapely.box(*tp.CONSTRAINTS["farm1"][1]).buffer(-1.0)
    lonlat = gpd.GeoSeries([farm], crs=tp.METRIC).to_crs("EPSG:4326")
    df = r.explain(lonlat)
    _check_explanation(df, r)
    assert df.attrs["excluded_by"] == ["basic_farmland"] and df.attrs["excluded_share"] == 1.0
    assert df.attrs["score"] == 0.0


def test_explain_a_small_polygon_takes_the_cells_it_touches(
    tiny_results: dict[str, SuitabilityResult],
) -> None:
    r = tiny_results["food"]
    df = r.explain(shapely.Point(497_530, 3_846_470).buffer(20))  # inside one cell
    row = int((r.grid.y_top - 3_846_470) // r.grid.cell)
    col = int((497_530 - r.grid.x0) // r.grid.cell)
    assert df.attrs["score"] == pytest.approx(float(r.score[row, col]), abs=1e-6)


def test_explain_errors(tiny_results: dict[str, SuitabilityResult]) -> None:
    r = tiny_results["food"]
    with pytest.raises(LayoutError, match="outside the grid"):
        r.explain((r.grid.nrows, 0))
    with pytest.raises(LayoutError, match="no cell of the study area"):
        r.explain((0, r.grid.ncols - 1))  # the cut north-east corner
    with pytest.raises(CRSError, match="no CRS"):
        r.explain(gpd.GeoSeries([shapely.box(*tp.URBAN)]))


# --- determinism ----------------------------------------------------------------------------


def _assert_same(a: SuitabilityResult, b: SuitabilityResult) -> None:
    assert np.array_equal(a.score, b.score, equal_nan=True)
    assert np.array_equal(a.flags, b.flags)
    assert a.weights == b.weights
    for name in a.criteria:
        assert np.array_equal(a.criteria[name], b.criteria[name], equal_nan=True), name
        assert np.array_equal(a.raw[name], b.raw[name], equal_nan=True), name


def test_deterministic_on_the_tiny_plan(
    tiny_path: Path, tiny_results: dict[str, SuitabilityResult]
) -> None:
    again = score_all(load_inputs(tiny_path))  # a fresh read of every file
    assert list(again) == list(tiny_results)
    for code in again:
        _assert_same(again[code], tiny_results[code])


def test_shared_context_gives_the_same_result(
    tiny_inputs: PlanInputs, tiny_results: dict[str, SuitabilityResult]
) -> None:
    alone = score(tiny_inputs, industry="electronics", context=CriteriaContext(tiny_inputs))
    _assert_same(alone, tiny_results["electronics"])


def test_deterministic_on_the_embedded_data(
    embedded_inputs: PlanInputs, embedded_food: SuitabilityResult
) -> None:
    _assert_same(score(embedded_inputs, industry="food"), embedded_food)


def test_context_of_other_inputs_is_refused(tiny_path: Path, tiny_inputs: PlanInputs) -> None:
    other = load_inputs(tiny_path)
    with pytest.raises(LayoutError, match="other inputs"):
        score(tiny_inputs, industry="food", context=CriteriaContext(other))


# --- write_result ---------------------------------------------------------------------------


def test_write_result(tiny_results: dict[str, SuitabilityResult], tmp_path: Path) -> None:
    r = tiny_results["aluminium"]
    score_path, crit_path, flags_path = write_result(r, tmp_path / "out")
    assert score_path == tmp_path / "out" / "aluminium_score.tif"
    assert crit_path == tmp_path / "out" / "aluminium_criteria.tif"
    assert flags_path == tmp_path / "out" / "aluminium_flags.tif"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "aluminium_criteria.tif",
        "aluminium_flags.tif",
        "aluminium_score.tif",
    ]  # no temporary files left behind
    m = r.grid.mask
    with rasterio.open(score_path) as src:
        assert src.count == 1
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG" and src.overviews(1)
        assert src.crs.to_epsg() == 4547
        assert src.transform == r.grid.transform
        assert (src.height, src.width) == r.grid.shape
        assert src.nodata == -1.0 and src.dtypes[0] == "float32"
        band1 = src.read(1)
        np.testing.assert_array_equal(band1[m], r.score[m])
        assert (band1[~m] == -1).all()
        assert src.descriptions == ("score (0-100)",)
        tags = src.tags()
        assert tags["industry"] == "aluminium" and tags["weight_source"] == "direct"
    with rasterio.open(crit_path) as src:
        assert src.count == len(r.criteria) and src.overviews(1)
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        for i, name in enumerate(r.criteria, start=1):
            desc = src.descriptions[i - 1]
            assert desc.startswith(f"{name}: {CRITERIA[name].label_en}"), desc
            band = src.read(i)
            ok = m & np.isfinite(r.criteria[name])
            np.testing.assert_array_equal(band[ok], r.criteria[name][ok])
            assert (band[~m] == -1).all()
        tags = src.tags()
        assert tags["industry"] == "aluminium" and tags["weight_source"] == "direct"
        written = dict(kv.split("=") for kv in tags["weights"].split(";"))
        assert list(written) == list(r.criteria)
        assert sum(float(v) for v in written.values()) == pytest.approx(1.0, abs=1e-5)
    with rasterio.open(flags_path) as src:
        assert src.count == 1 and src.dtypes[0] == "uint16"
        assert src.crs.to_epsg() == 4547
        np.testing.assert_array_equal(src.read(1), r.flags)
        tags = src.tags()
        assert tags["exclude_bits"] == str(1 | 4 | 64)
        assert tags["bit_64"] == "steep_slope" and tags["bit_128"] == "outside_study_area"


def test_write_result_overwrites(
    tiny_results: dict[str, SuitabilityResult], tmp_path: Path
) -> None:
    write_result(tiny_results["food"], tmp_path)
    score_path, _, _ = write_result(tiny_results["food"], tmp_path)
    with rasterio.open(score_path) as src:
        m = tiny_results["food"].grid.mask
        np.testing.assert_array_equal(src.read(1)[m], tiny_results["food"].score[m])
    assert len(list(tmp_path.iterdir())) == 3
