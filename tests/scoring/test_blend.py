"""``[suitability] learned_weight``: the learned probability blended into the score.

On the tiny plan (four industries with firms, three without) with ``w = 0.3``:
the contributions (criteria scaled by ``1 - w``, then ``learned``) sum to the score to 1e-9
when added in the kernel's float32 order and to 1e-4 points in float64 (float32 rounding of
at most 16 terms of at most 100 points); each expert contribution is ``1 - w`` times the
unblended one (1e-4 points); the learned probability equals a scikit-learn model fitted here
from the firms' cells, computed from the fixture's coordinates, to 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from layout.config.plan import load_plan
from layout.data.inputs import PlanInputs, load_inputs
from layout.errors import ConfigError
from layout.model.criteria import CRITERIA
from layout.scoring.suitability import SuitabilityResult, score_all
from tests.fixtures import tiny_plan as tp

W = 0.3
ATOL = 1e-4  # points, float32 against float64


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SuitabilityResult]:
    return score_all(load_inputs(tp.write_tiny_plan(tmp_path_factory.mktemp("plain"))))


@pytest.fixture(scope="module")
def blended_inputs(tmp_path_factory: pytest.TempPathFactory) -> PlanInputs:
    folder = tmp_path_factory.mktemp("blend")
    return load_inputs(tp.write_tiny_plan(folder, suitability={"learned_weight": W}))


@pytest.fixture(scope="module")
def blended(blended_inputs: PlanInputs) -> dict[str, SuitabilityResult]:
    return score_all(blended_inputs)


def _firm_codes() -> set[str]:
    """The plan's industries with firms in the fixture (firms of "other" industries do not
    count: they are no industry of the catalog)."""
    codes = set(load_plan().catalog.codes)
    return set(tp.tiny_enterprises()["industry"]) & codes


def test_contributions_sum_to_the_score(blended: dict[str, SuitabilityResult]) -> None:
    assert {c for c, r in blended.items() if r.learned is not None} == _firm_codes()
    for code, r in blended.items():
        parts = r.contributions()
        m = r.grid.mask
        if r.learned is None:
            assert list(parts) == list(r.criteria), code
            continue
        assert list(parts) == [*r.criteria, "learned"], code
        in_order = np.zeros(r.grid.shape, np.float32)
        for p in parts.values():
            in_order += p
        np.testing.assert_allclose(r.score[m], in_order[m], rtol=0, atol=1e-9, err_msg=code)
        total = np.sum([p.astype(np.float64) for p in parts.values()], axis=0)
        np.testing.assert_allclose(r.score[m], total[m], rtol=0, atol=ATOL, err_msg=code)
        assert sum(r.blend_weights().values()) == pytest.approx(1.0, abs=1e-12)


def test_expert_parts_scaled_and_learned_part(
    blended: dict[str, SuitabilityResult], plain: dict[str, SuitabilityResult]
) -> None:
    for code in _firm_codes():
        r, base = blended[code], plain[code]
        parts, base_parts = r.contributions(), base.contributions()
        for name in r.criteria:
            np.testing.assert_allclose(parts[name], (1 - W) * base_parts[name].astype(np.float64),
                                       rtol=0, atol=ATOL, err_msg=f"{code} {name}")
        assert r.learned is not None
        expected = np.where(r.eligible, 100.0 * W * np.nan_to_num(r.learned), 0.0)
        np.testing.assert_allclose(parts["learned"], expected, rtol=0, atol=ATOL, err_msg=code)
        inside = r.learned[r.grid.mask]
        assert np.isfinite(inside).all() and (inside >= 0).all() and (inside <= 1).all()
        assert np.isnan(r.learned[~r.grid.mask]).all()


def test_probability_matches_an_independent_fit(blended: dict[str, SuitabilityResult]) -> None:
    firms = tp.tiny_enterprises()
    for code in _firm_codes():
        r = blended[code]
        g = r.grid
        mine = firms[firms["industry"] == code]
        rows = np.floor((g.y_top - mine.geometry.y.to_numpy()) / g.cell).astype(int)
        cols = np.floor((mine.geometry.x.to_numpy() - g.x0) / g.cell).astype(int)
        presence = np.zeros(g.shape, bool)
        presence[rows, cols] = True
        presence &= g.mask
        inside = np.flatnonzero(g.mask.ravel())  # 1,895 cells < 4,000: all are background
        pres = np.flatnonzero(presence.ravel())
        names = [n for n in r.raw if "enterprises" not in CRITERIA[n].inputs]

        def feats(cells: np.ndarray, names: list[str] = names, r: SuitabilityResult = r
                  ) -> np.ndarray:
            x = np.column_stack([r.raw[n].ravel()[cells] for n in names]).astype(np.float64)
            x[~np.isfinite(x)] = np.nan
            return x

        model = HistGradientBoostingClassifier(
            max_iter=60, learning_rate=0.15, max_leaf_nodes=15, min_samples_leaf=20,
            l2_regularization=1.0, early_stopping=False, random_state=0,
        ).fit(feats(np.concatenate([pres, inside])),
              np.r_[np.ones(pres.size, bool), np.zeros(inside.size, bool)])
        expected = model.predict_proba(feats(inside))[:, 1]
        assert r.learned is not None
        np.testing.assert_allclose(r.learned.ravel()[inside], expected, rtol=0, atol=1e-6,
                                   err_msg=code)


def test_explain_lists_the_learned_contribution(blended: dict[str, SuitabilityResult]) -> None:
    r = blended["auto"]
    cell = tuple(int(v) for v in np.argwhere(r.eligible)[0])
    df = r.explain((cell[0], cell[1]), lang="en")
    assert df["criterion"].iloc[-1] == "learned"
    assert df["label"].iloc[-1] == "learned model (today's firms)"
    assert df["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert df["contribution"].sum() == pytest.approx(df.attrs["score"], abs=ATOL)
    assert r.learned is not None
    assert df["value"].iloc[-1] == pytest.approx(float(r.learned[cell]), abs=1e-7)


def test_zero_weight_is_todays_score(tmp_path: Path, plain: dict[str, SuitabilityResult]) -> None:
    zero = score_all(load_inputs(tp.write_tiny_plan(tmp_path,
                                                    suitability={"learned_weight": 0})))
    for code, r in zero.items():
        assert r.learned is None and r.learned_weight == 0.0
        assert np.array_equal(r.score, plain[code].score, equal_nan=True), code
        assert list(r.contributions()) == list(plain[code].criteria)


def test_whole_weight_is_the_learned_probability(blended_inputs: PlanInputs) -> None:
    from layout.scoring.suitability import score

    r = score(blended_inputs, industry="auto", learned_weight=1.0)
    assert r.learned is not None
    e = r.eligible
    np.testing.assert_allclose(r.score[e], 100.0 * r.learned[e], rtol=0, atol=ATOL)


@pytest.mark.parametrize(("table", "key"), [({"learned_weight": 1.5}, "learned_weight"),
                                            ({"learned_weight": -0.1}, "learned_weight"),
                                            ({"learned_wieght": 0.2}, "learned_wieght")])
def test_bad_learned_weight(tmp_path: Path, table: dict[str, float], key: str) -> None:
    with pytest.raises(ConfigError, match=f"suitability.{key}"):
        load_plan(tp.write_tiny_plan(tmp_path, suitability=table))


def test_written_criteria_carry_the_learned_band(
    blended: dict[str, SuitabilityResult], tmp_path: Path
) -> None:
    import rasterio

    from layout.scoring.suitability import write_result

    r = blended["food"]
    score_tif, criteria_tif, _ = write_result(r, tmp_path)
    with rasterio.open(criteria_tif) as src:
        names = [d.split(":", 1)[0] for d in src.descriptions]
        bands = src.read().astype(np.float64)
    with rasterio.open(score_tif) as src:
        written = src.read(1).astype(np.float64)
    assert names == [*r.criteria, "learned"]
    weights = r.blend_weights()
    total = sum(100.0 * weights[n] * np.where(bands[i] < 0, 0.0, bands[i])
                for i, n in enumerate(names))
    e = r.eligible
    np.testing.assert_allclose(written[e], total[e], rtol=0, atol=ATOL)


def test_a_blended_plan_lists_learned_in_its_sites_and_explain(tmp_path: Path) -> None:
    """The plan stage: sites carry ``c_learned``, contributions sum to the mean score (1e-4
    points), the one-at-a-time runs vary its weight, `explain_site` recomputes it from the
    written rasters."""
    from layout.allocation.run import run_plan
    from layout.products import review
    from layout.products.planfolder import read_plan, write_plan
    from tests.allocation.test_run import tiny_overrides

    plan = tp.write_tiny_plan(tmp_path / "plan", suitability={"learned_weight": W},
                              **tiny_overrides())
    result = run_plan(load_inputs(plan), sensitivity=True)
    sites = result.sites
    cols = [c for c in sites.columns if c.startswith("c_")]
    assert cols[-1] == "c_learned"
    np.testing.assert_allclose(sites[cols].fillna(0.0).sum(axis=1), sites["mean_score"],
                               rtol=0, atol=ATOL)
    assert "learned" in set(result.one_at_a_time["criterion"])
    write_plan(result, tmp_path / "out")
    outputs = read_plan(tmp_path / "out")
    learned_sites = sites[sites["c_learned"].notna() & (sites["c_learned"] > 0)]
    assert len(learned_sites)
    site_id = str(learned_sites["site_id"].iloc[0])
    table = review.explain_site(outputs, site_id)
    row = table[table["criterion"] == "learned"].iloc[0]
    assert row["label"] == "learned model (today's firms)"
    assert row["contribution"] == pytest.approx(row["reported"], abs=1e-3)
    assert table["contribution"].sum() == pytest.approx(table.attrs["score"], abs=1e-3)
