"""Supply-chain linkage (linkage_upstream, linkage_downstream) against independent calculations.

* A hand-built case on the tiny plan's grid: a catalog with one supplier link (aluminium → auto,
  strength 0.5) and one customer link (auto → food, 0.8), one aluminium firm of 10,000 万元 and
  one food firm of 1,000 万元, 6.4 km apart. Expected densities are the Gaussian kernel written
  out (10⁶ w / (2π h²) exp(-r² / 2h²) per km²), the scale the 99th percentile of their weighted
  sum by `numpy.percentile`. Tolerance 0.005 on the 0–1 values: `kde_grid` is within 0.08 % of
  a kernel's peak at h = 3 cells, and the scale is about a third of the aluminium term's peak.
* The tiny plan with the embedded catalog: weights split by link strength (read from the TOML
  with tomllib), and the score decomposes exactly into contributions with both sides listed.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import layout
from layout.analysis.context import CriteriaContext
from layout.analysis.criteria import compute_raw, linkage_sides
from layout.config.criteria import industry_weights
from layout.config.plan import load_plan, parse_plan
from layout.data.inputs import PlanInputs, load_inputs
from layout.model.criteria import CRITERIA, DEFAULT_WEIGHTS
from layout.scoring.suitability import score
from tests.fixtures import tiny_plan as tp

CATALOG_TOML = Path(layout.__file__).parent / "config" / "industries.toml"
H = 600.0  # kernel bandwidth of the hand-built case, 3 cells of 200 m
PARAMS = {"bandwidth_m": H, "weight_column": "output_wan"}
#: The hand-built case: (industry, output 万元, x, y) at cell centres of the 200 m grid.
FIRMS = [("aluminium", 10_000.0, 497_100.0, 3_846_900.0), ("food", 1_000.0, 502_100.0, 3_842_900.0)]
LINKS = [("aluminium", "auto", 0.5), ("auto", "food", 0.8)]


def catalog_links() -> list[dict[str, object]]:
    """The embedded catalog's links, read with tomllib alone."""
    links: list[dict[str, object]] = tomllib.loads(CATALOG_TOML.read_text("utf-8"))["linkages"]
    return links


def sides_by_hand(code: str) -> tuple[float, float]:
    links = catalog_links()
    up = math.fsum(float(k["weight"]) for k in links if k["target"] == code)  # type: ignore[arg-type]
    down = math.fsum(float(k["weight"]) for k in links if k["source"] == code)  # type: ignore[arg-type]
    return up, down


@pytest.fixture(scope="module")
def hand_inputs(tmp_path_factory: pytest.TempPathFactory) -> PlanInputs:
    folder = tmp_path_factory.mktemp("linkage")
    text = CATALOG_TOML.read_text("utf-8").split("[[linkages]]")[0]
    for source, target, weight in LINKS:
        text += (f'\n[[linkages]]\nsource = "{source}"\ntarget = "{target}"\nweight = {weight}\n'
                 f'why = "{source} supplies {target}."\nweight_source = "judgement"\n')
    (folder / "catalog.toml").write_text(text, encoding="utf-8")
    plan = tp.write_tiny_plan(folder, plan={"catalog": "catalog.toml"})
    firms = tp.tiny_enterprises()
    firms = firms[~firms["industry"].isin(["aluminium", "food"])].copy()
    for i, (code, output, x, y) in enumerate(FIRMS):
        row = firms.iloc[[0]].copy()
        row["ent_id"], row["industry"], row["output_wan"] = f"H{i}", code, output
        row["anchor"] = False
        row = row.set_geometry(gpd.points_from_xy([x], [y], crs=tp.METRIC))
        firms = pd.concat([firms, row], ignore_index=True)
    firms = gpd.GeoDataFrame(firms, geometry="geometry", crs=tp.METRIC)
    firms.to_file(folder / "enterprises.gpkg", layer="enterprises", engine="pyogrio")
    return load_inputs(plan)


def gaussian(ctx: CriteriaContext, output: float, x: float, y: float) -> np.ndarray:
    g = ctx.grid
    xx = g.x0 + (np.arange(g.ncols) + 0.5) * g.cell
    yy = g.y_top - (np.arange(g.nrows) + 0.5) * g.cell
    r2 = (xx[None, :] - x) ** 2 + (yy[:, None] - y) ** 2
    return np.asarray(1e6 * output / (2 * math.pi * H * H) * np.exp(-0.5 * r2 / H**2))


def test_hand_case_keeps_scale_and_separates_sides(hand_inputs: PlanInputs) -> None:
    ctx = CriteriaContext(hand_inputs)
    mask = ctx.grid.mask
    d_al = gaussian(ctx, *FIRMS[0][1:])
    d_food = gaussian(ctx, *FIRMS[1][1:])
    # Aluminium supplies auto (upstream), food buys from auto (downstream).
    up_raw, down_raw = 0.5 * d_al, 0.8 * d_food
    k = float(np.percentile((up_raw + down_raw)[mask], 99))
    up, down, scale = linkage_sides(ctx, "auto", PARAMS)
    assert scale == pytest.approx(k, rel=0.005)
    np.testing.assert_allclose(up[mask], np.minimum(up_raw / k, 1)[mask], rtol=0, atol=0.005)
    np.testing.assert_allclose(down[mask], np.minimum(down_raw / k, 1)[mask], rtol=0, atol=0.005)
    assert np.isnan(up[~mask]).all() and np.isnan(down[~mask]).all()
    # Scale kept: densities in 万元/km², the aluminium peak 10x the food peak.
    peak_al = float(ctx.weighted_density("aluminium", **PARAMS).max())  # type: ignore[arg-type]
    peak_food = float(ctx.weighted_density("food", **PARAMS).max())  # type: ignore[arg-type]
    assert peak_al == pytest.approx(1e6 * 10_000 / (2 * math.pi * H * H), rel=0.001)
    assert peak_al / peak_food == pytest.approx(10.0, rel=0.002)
    # The food customer's peak weighs 0.8 x 1,000 against 0.5 x 10,000 of aluminium: 0.16 of
    # the aluminium term (dividing each by its own peak would have made it 0.8 / 0.5 = 1.6).
    assert float(np.nanmax(down)) * scale / (0.5 * peak_al) == pytest.approx(0.16, rel=0.01)
    # Sides from link directions: nothing upstream at the customer, nothing downstream at the
    # supplier (the firms are 10.7 bandwidths apart).
    r_al, c_al = ctx.grid.rowcol(np.array([FIRMS[0][2]]), np.array([FIRMS[0][3]]))
    r_f, c_f = ctx.grid.rowcol(np.array([FIRMS[1][2]]), np.array([FIRMS[1][3]]))
    assert up[r_al[0], c_al[0]] == 1.0 and down[r_al[0], c_al[0]] < 1e-6
    assert up[r_f[0], c_f[0]] < 1e-6 and down[r_f[0], c_f[0]] > 0.1
    # The criteria return the same arrays, and the industry with no link returns zeros.
    np.testing.assert_array_equal(compute_raw(ctx, "auto", "linkage_upstream", PARAMS), up)
    np.testing.assert_array_equal(compute_raw(ctx, "auto", "linkage_downstream", PARAMS), down)
    assert not np.nan_to_num(compute_raw(ctx, "textiles", "linkage_upstream", PARAMS)).any()


def test_hand_case_weight_split(hand_inputs: PlanInputs) -> None:
    # auto: supplier strengths 0.5, customer strengths 0.8; linkage weight 0.12 of 0.95.
    w, _ = industry_weights(hand_inputs.plan, "auto")
    assert w["linkage_upstream"] == pytest.approx(0.12 * 0.5 / 1.3 / 0.95, rel=1e-12)
    assert w["linkage_downstream"] == pytest.approx(0.12 * 0.8 / 1.3 / 0.95, rel=1e-12)
    # textiles has no link: neither side is weighted, and the rest is renormalised.
    w, _ = industry_weights(hand_inputs.plan, "textiles")
    assert not {"linkage_upstream", "linkage_downstream"} & set(w)
    assert math.fsum(w.values()) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("code", ["auto", "electronics", "biomedicine", "aluminium", "textiles"])
def test_linkage_weight_split_by_link_strength(code: str) -> None:
    plan = load_plan()
    up, down = sides_by_hand(code)
    w, _ = industry_weights(plan, code)
    shared = 0.10 if code == "aluminium" else 0.12  # [industries.aluminium.weights] linkage
    total = math.fsum(w.get(k, 0.0) for k in ("linkage_upstream", "linkage_downstream"))
    # The total is the old single linkage weight, normalised as before.
    scale = w["density"] / (0.12 if code == "electronics" else 0.10)
    assert total == pytest.approx(shared * scale, rel=1e-12)
    assert w.get("linkage_upstream", 0.0) == pytest.approx(total * up / (up + down), rel=1e-12)
    assert w.get("linkage_downstream", 0.0) == pytest.approx(total * down / (up + down),
                                                             rel=1e-12)
    assert "linkage" not in w


def test_biomedicine_has_suppliers_only() -> None:
    # No link leaves biomedicine in the catalog: its whole linkage weight is upstream.
    assert sides_by_hand("biomedicine")[1] == 0.0
    w, _ = industry_weights(load_plan(), "biomedicine")
    assert "linkage_downstream" not in w and w["linkage_upstream"] > 0


def test_a_plan_setting_linkage_is_split_and_a_side_can_be_set() -> None:
    assert DEFAULT_WEIGHTS["linkage"] == 0.12
    plan = parse_plan({"weights": {"linkage": 0.3},
                       "industries": {"food": {"weights": {"linkage_upstream": 0.05}}}})
    up, down = sides_by_hand("auto")
    w, _ = industry_weights(plan, "auto")
    assert w["linkage_upstream"] / w["density"] == pytest.approx(0.3 * up / (up + down) / 0.10)
    assert w["linkage_downstream"] / w["density"] == pytest.approx(0.3 * down / (up + down) / 0.10)
    # food: upstream given explicitly, downstream still its share of the shared linkage weight.
    up, down = sides_by_hand("food")
    w, _ = industry_weights(plan, "food")
    assert w["linkage_upstream"] / w["density"] == pytest.approx(0.05 / 0.10)
    assert w["linkage_downstream"] / w["density"] == pytest.approx(0.3 * down / (up + down) / 0.10)


def test_old_linkage_keys_elsewhere_name_the_new_ones() -> None:
    from layout.errors import ConfigError

    for data in ({"criteria": {"linkage": {"bandwidth_m": 3000}}},
                 {"industries": {"food": {"ahp": {"labels": ["linkage", "density"],
                                                  "matrix": [2]}}}}):
        with pytest.raises(ConfigError) as info:
            parse_plan(data)
        msg = str(info.value)
        assert "\n" not in msg and "'linkage_upstream' or 'linkage_downstream'" in msg


@pytest.fixture(scope="module")
def tiny_inputs(tmp_path_factory: pytest.TempPathFactory) -> PlanInputs:
    return load_inputs(tp.write_tiny_plan(tmp_path_factory.mktemp("tiny")))


@pytest.mark.parametrize("code", ["auto", "electronics"])
def test_decomposition_lists_both_sides_and_sums_exactly(tiny_inputs: PlanInputs,
                                                          code: str) -> None:
    result = score(tiny_inputs, industry=code)
    parts = result.contributions()
    assert {"linkage_upstream", "linkage_downstream"} <= set(parts)
    # The score is the float32 sum of the contributions in criterion order: exactly.
    total = np.zeros(result.grid.shape, np.float32)
    for part in parts.values():
        total += part
    mask = result.grid.mask
    np.testing.assert_allclose(total[mask], result.score[mask], rtol=0, atol=1e-9)
    # Both sides contribute somewhere, each at most its weight (values clipped at 1).
    for name in ("linkage_upstream", "linkage_downstream"):
        assert parts[name][mask].max() > 0
        assert parts[name].max() <= 100 * result.weights[name] + 1e-4
    # explain() lists them as separate rows with the labels declared once in CRITERIA.
    cell = np.unravel_index(np.argmax(np.where(mask, result.score, -1)), mask.shape)
    df = result.explain((int(cell[0]), int(cell[1])))
    rows = df.set_index("criterion")
    for name in ("linkage_upstream", "linkage_downstream"):
        assert rows.loc[name, "label"] == CRITERIA[name].label_en
    assert math.fsum(df["contribution"]) == pytest.approx(df.attrs["score"], abs=1e-4)
