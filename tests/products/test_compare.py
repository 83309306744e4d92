"""Tests of `layout.products.compare` and `layout.products.comparefiles` (``layout compare``).

Plan A is the products' tiny plan folder (tests/fixtures/plan_folder.py); plan B is the same
plan with one change: food's land demand 1,200 -> 1,500 mu. Every change is checked against an
independent computation on the files as written: pandas group-bys of ``allocation.csv`` and
shapely overlaps of the ``sites`` layers read with geopandas (tolerance 1e-6 mu, 1e-9 shares).
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from layout.allocation.run import run_plan
from layout.cli.main import cli
from layout.data.inputs import load_inputs
from layout.products.compare import MOVED_BELOW, compare_plans
from layout.products.comparefiles import COMPARE_NAMES, write_comparison
from layout.products.maps.offline import external_loads
from layout.products.planfolder import read_plan, write_plan
from layout.settings import M2_PER_MU
from tests.fixtures import tiny_plan as tp
from tests.fixtures.plan_folder import ALLOCATION, DEMAND

FOOD_B = 1500.0


@pytest.fixture(scope="module")
def plan_b_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    demand = {**DEMAND, "food": FOOD_B}
    path = tp.write_tiny_plan(
        tmp_path_factory.mktemp("tiny_compare_b"),
        demand={"industries": {c: {"mu": mu} for c, mu in demand.items()}},
        allocation=dict(ALLOCATION),
        sensitivity={"runs": 4, "spread": 0.3},
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Use `@` matmul",
                                category=PendingDeprecationWarning)
        result = run_plan(load_inputs(path), sensitivity=True)
    folder = tmp_path_factory.mktemp("tiny_compare_b_out") / "plan"
    write_plan(result, folder)
    return folder


def _sites(folder: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(folder / "plan.gpkg", layer="sites")


def _alloc(folder: Path) -> pd.DataFrame:
    df = pd.read_csv(folder / "allocation.csv", dtype={"zone_id": str}, keep_default_na=False)
    return df.assign(area_mu=pd.to_numeric(df["area_mu"]))


def test_industries_match_a_group_by_of_the_allocations(plan_dir: Path, plan_b_dir: Path) -> None:
    c = compare_plans(plan_dir, plan_b_dir)
    table = c.industries.set_index("industry")
    for side, folder in (("a", plan_dir), ("b", plan_b_dir)):
        expected = _alloc(folder).groupby("industry")["area_mu"].sum()
        got = table[f"allocated_mu_{side}"]
        for code in table.index:
            assert got[code] == pytest.approx(float(expected.get(code, 0.0)), abs=1e-3)
    assert table.loc["food", "demand_mu_a"] == pytest.approx(DEMAND["food"])
    assert table.loc["food", "delta_demand_mu"] == pytest.approx(FOOD_B - DEMAND["food"])
    unchanged = [code for code in table.index if code != "food"]
    assert table.loc[unchanged, "delta_demand_mu"].abs().max() == pytest.approx(0.0)


def test_allocation_by_zone_matches_a_group_by(plan_dir: Path, plan_b_dir: Path) -> None:
    c = compare_plans(plan_dir, plan_b_dir)
    ga = _alloc(plan_dir).groupby(["industry", "zone_id"])["area_mu"].sum()
    gb = _alloc(plan_b_dir).groupby(["industry", "zone_id"])["area_mu"].sum()
    expected = (gb.reindex(ga.index.union(gb.index), fill_value=0.0)
                - ga.reindex(ga.index.union(gb.index), fill_value=0.0))
    got = c.allocation.set_index(["industry", "zone_id"])["delta_mu"]
    assert sorted(got.index) == sorted(expected.index)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-3)


def test_site_changes_match_shapely_overlaps(plan_dir: Path, plan_b_dir: Path) -> None:
    c = compare_plans(plan_dir, plan_b_dir)
    sa = _sites(plan_dir).set_index("site_id")
    sb = _sites(plan_b_dir).set_index("site_id")
    for r in c.sites.itertuples():
        if r.change in ("kept", "moved"):
            ga, gb = sa.geometry[r.site_id_a], sb.geometry[r.site_id_b]
            iou = shapely.intersection(ga, gb).area / shapely.union(ga, gb).area
            assert r.overlap == pytest.approx(iou, abs=1e-9)
            assert (r.change == "kept") == (iou >= MOVED_BELOW)
            assert sa.loc[r.site_id_a, "industry"] == sb.loc[r.site_id_b, "industry"]
    # A site touching no same-industry site of the other plan is removed (or added).
    for ids, own, other, change, key in ((sa.index, sa, sb, "removed", "site_id_a"),
                                         (sb.index, sb, sa, "added", "site_id_b")):
        for sid in ids:
            peers = other[other["industry"] == own.loc[sid, "industry"]]
            touching = peers.geometry.intersection(own.geometry[sid]).area.sum() > 0
            row = c.sites[c.sites[key] == sid]
            assert len(row) == 1
            if not touching:
                assert row["change"].iloc[0] == change
    assert len(c.sites[c.sites["site_id_a"].notna()]) == len(sa)
    assert len(c.sites[c.sites["site_id_b"].notna()]) == len(sb)


def test_changed_land_is_the_union_less_the_same_industry_land(
    plan_dir: Path, plan_b_dir: Path
) -> None:
    c = compare_plans(plan_dir, plan_b_dir)
    sa, sb = _sites(plan_dir), _sites(plan_b_dir)
    union = shapely.union_all([*sa.geometry, *sb.geometry]).area
    same = sum(
        shapely.intersection(
            shapely.union_all(sa.geometry[sa["industry"] == code].tolist()),
            shapely.union_all(sb.geometry[sb["industry"] == code].tolist()),
        ).area
        for code in set(sa["industry"]) & set(sb["industry"])
    )
    expected_mu = (union - same) / M2_PER_MU
    assert expected_mu > 0  # the food change moves land
    assert c.changed["area_mu"].sum() == pytest.approx(expected_mu, abs=1e-6)
    assert (c.changed["industry_a"] != c.changed["industry_b"]).all()
    assert c.changed.crs == sa.crs


def test_a_plan_compared_with_itself_changes_nothing(plan_dir: Path) -> None:
    c = compare_plans(plan_dir, plan_dir)
    assert set(c.sites["change"]) == {"kept"}
    assert c.sites["overlap"].tolist() == pytest.approx([1.0] * len(c.sites))
    assert c.changed.empty
    assert c.allocation["delta_mu"].abs().max() == pytest.approx(0.0)
    assert c.flags == []
    assert c.settings.empty


def _with(outputs_: object, *, gap: float | None = None, unstable: str | None = None) -> object:
    man = dict(outputs_.manifest)  # type: ignore[attr-defined]
    if gap is not None:
        man["solver"] = {**man["solver"], "solver_gap": gap}
    sites = outputs_.sites.copy()  # type: ignore[attr-defined]
    if unstable is not None:
        sites.loc[sites["site_id"] == unstable, ["stability", "stable"]] = (0.5, False)
    return dataclasses.replace(outputs_, manifest=man, sites=sites)  # type: ignore[type-var]


def test_flags_a_gap_rising_above_one_percent(plan_dir: Path) -> None:
    base = read_plan(plan_dir)
    rising = compare_plans(_with(base, gap=0.0096), _with(base, gap=0.0405))  # type: ignore[arg-type]
    assert len(rising.flags) == 1
    assert "0.96%" in rising.flags[0] and "4.05%" in rising.flags[0]
    falling = compare_plans(_with(base, gap=0.0405), _with(base, gap=0.0096))  # type: ignore[arg-type]
    within = compare_plans(_with(base, gap=0.002), _with(base, gap=0.0099))  # type: ignore[arg-type]
    assert falling.flags == [] and within.flags == []


def test_flags_a_site_that_became_unstable(plan_dir: Path) -> None:
    base = read_plan(plan_dir)
    sid = str(base.sites["site_id"].iloc[0])
    c = compare_plans(base, _with(base, unstable=sid))  # type: ignore[arg-type]
    assert len(c.flags) == 1 and sid in c.flags[0] and "50%" in c.flags[0]
    # Unstable in both plans: not new, not flagged.
    both = compare_plans(_with(base, unstable=sid), _with(base, unstable=sid))  # type: ignore[arg-type]
    assert both.flags == []


def test_write_comparison_writes_every_file(plan_dir: Path, plan_b_dir: Path,
                                            tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    paths = write_comparison(plan_dir, plan_b_dir, out_dir=out, date="2026-12-06")
    assert sorted(p.name for p in paths) == sorted(COMPARE_NAMES)
    assert all(p.is_file() for p in paths)
    sites = pd.read_csv(out / "sites.csv")
    assert len(sites) == len(compare_plans(plan_dir, plan_b_dir).sites)
    md = (out / "compare.md").read_text(encoding="utf-8")
    assert "| 食品工业 food | 1,200 | 1,500 | +300 |" in md
    html = (out / "difference_map.html").read_text(encoding="utf-8")
    assert external_loads(html) == []
    assert "window.__layout" in html
    again = tmp_path / "cmp2"
    write_comparison(plan_dir, plan_b_dir, out_dir=again, date="2026-12-06")
    for name in COMPARE_NAMES:  # the same plans write the same bytes
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_cli_quiet_prints_nothing_and_stdout_holds_no_progress(
    plan_dir: Path, plan_b_dir: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    quiet = runner.invoke(cli, ["compare", str(plan_dir), str(plan_b_dir), "--out",
                                str(tmp_path / "q"), "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == "" and quiet.stderr == ""
    loud = runner.invoke(cli, ["compare", str(plan_dir), str(plan_b_dir), "--out",
                               str(tmp_path / "v"), "-v"])
    assert loud.exit_code == 0, loud.output
    assert "reading the plans" in loud.stderr and "reading the plans" not in loud.stdout
    assert loud.stdout.splitlines()[-1] == f"wrote {len(COMPARE_NAMES)} files to {tmp_path / 'v'}/"


def test_cli_refuses_a_folder_that_is_not_a_plan(plan_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["compare", str(plan_dir), str(tmp_path / "empty"),
                                      "--out", str(tmp_path / "c"), "-q"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'empty'}: no plan.gpkg here; run `layout plan --out "
        f"{tmp_path / 'empty'}` first, or give the folder it wrote"]
