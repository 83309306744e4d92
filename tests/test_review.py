"""Tests of `layout.products.review`: reading a plan folder, explaining sites, comparing and varying plans.

Expected values come from independent calculations: hand-made tables worked out in the test,
the in-memory `PlanResult` (criterion arrays, weights and cells of each site) against what
`explain_site` reads back from the GeoTIFFs, ``hashlib`` against `data_provenance`, pandas
``value_counts`` against `confidence_summary`, ``html.unescape`` against `show_map`.

The plan-folder tests run the tiny synthetic plan (tests/fixtures/tiny_plan.py, 200 m cells)
once per module, with 4 sensitivity runs, and write it with `write_plan`.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import logging
import math
import shutil
import warnings
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from layout import settings
from layout.allocation.run import PlanResult, land_demand, run_plan
from layout.config.criteria import industry_weights
from layout.config.plan import load_plan, parse_plan
from layout.data.inputs import PlanInputs, load_inputs
from layout.errors import ConfigError, DataFileError, LayoutError, UnknownIndustryError
from layout.errors import ValidationError as LayoutValidationError
from layout.io import embedded as datasets
from layout.model.criteria import CRITERIA
from layout.model.grid import Grid
from layout.products import review
from layout.products.maps import render_html
from layout.products.maps.style import CRITERION_GROUP_COLORS
from layout.products.planfolder import write_plan
from layout.products.sitecheck import Contribution, Reason, SiteCheck, Suitability, ZoneOverlap
from tests.fixtures import tiny_plan as tp

#: layout/plan.py composes affine transforms with `*` (PendingDeprecationWarning in affine 3),
#: an error under this suite's warning filter; as in test_plan.py, ignored where plans run.
AFFINE_MUL = r"ignore:Use `@` matmul instead of `\*` mul operator:PendingDeprecationWarning"

#: Demands (mu) that fit the 10 x 8 km tiny plan, as in test_plan.py.
DEMAND = {
    "auto": 1500.0,
    "electronics": 900.0,
    "new_materials": 0.0,
    "biomedicine": 300.0,
    "aluminium": 600.0,
    "food": 1200.0,
    "textiles": 0.0,
}
ALLOCATION = {"seed_spacing_m": 1000.0, "seeds": 4, "max_sites": 3, "min_site_mu": 120.0}


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_inputs(tmp_path_factory: pytest.TempPathFactory) -> PlanInputs:
    path = tp.write_tiny_plan(
        tmp_path_factory.mktemp("tiny_review"),
        demand={"industries": {c: {"mu": mu} for c, mu in DEMAND.items()}},
        allocation=dict(ALLOCATION),
        sensitivity={"runs": 4, "spread": 0.3},
    )
    return load_inputs(path)


@pytest.fixture(scope="module")
def tiny_result(tiny_inputs: PlanInputs) -> PlanResult:
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Use `@` matmul", category=PendingDeprecationWarning
        )
        return run_plan(tiny_inputs, sensitivity=True)


@pytest.fixture(scope="module")
def plan_dir(tiny_result: PlanResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny_review_out") / "plan"
    write_plan(tiny_result, folder)
    return folder


@pytest.fixture(scope="module")
def outputs(plan_dir: Path) -> review.PlanOutputs:
    return review.read_plan(plan_dir)


def sites_table() -> pd.DataFrame:
    """Two hand-made sites; food-01's contributions sum to its mean score 40."""
    return pd.DataFrame(
        {
            "site_id": ["food-01", "auto-01"],
            "industry": ["food", "auto"],
            "mean_score": [40.0, 12.0],
            "c_density": [10.0, 2.0],
            "c_zone_fit": [25.0, 4.0],
            "c_slope": [5.0, 6.0],
            "c_airport": [np.nan, 0.0],
        }
    )


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


# --- compare_allocations --------------------------------------------------------------------


def allocations() -> tuple[pd.DataFrame, pd.DataFrame]:
    a = pd.DataFrame(
        {
            "industry": ["auto", "auto", "food", "auto"],
            "zone_id": ["z1", "", "z2", "z1"],  # auto in z1 twice: summed
            "zone_name": ["一区", "", "二区", "一区"],
            "area_mu": [100.0, 50.0, 30.0, 20.0],
            "area_ha": [100 / 15, 50 / 15, 2.0, 20 / 15],
        }
    )
    b = pd.DataFrame(
        {
            "industry": ["food", "auto", "textiles"],
            "zone_id": ["z2", "z3", None],
            "zone_name": ["二区", "三区", None],
            "area_mu": [45.0, 80.0, 10.0],
            "area_ha": [3.0, 80 / 15, 10 / 15],
        }
    )
    return a, b


def test_compare_allocations_by_zone_by_hand() -> None:
    a, b = allocations()
    out = review.compare_allocations(a, b, labels=("A", "B"))
    expected = pd.DataFrame(
        {
            "industry": ["auto", "auto", "auto", "food", "textiles"],
            "zone_id": ["z1", "", "z3", "z2", ""],
            "zone_name": ["一区", "", "三区", "二区", ""],
            "A": [120.0, 50.0, 0.0, 30.0, 0.0],
            "B": [0.0, 0.0, 80.0, 45.0, 10.0],
            "difference": [-120.0, -50.0, 80.0, 15.0, 10.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected)
    assert out.attrs["unit"] == "mu"


def test_compare_allocations_by_industry_equals_group_sums() -> None:
    a, b = allocations()
    out = review.compare_allocations(a, b, by="industry").set_index("industry")
    sums_a = a.groupby("industry")["area_mu"].sum()
    sums_b = b.groupby("industry")["area_mu"].sum()
    for code in ["auto", "food", "textiles"]:
        assert out.loc[code, "before"] == sums_a.get(code, 0.0)
        assert out.loc[code, "after"] == sums_b.get(code, 0.0)
    assert (out["difference"] == out["after"] - out["before"]).all()


def test_compare_allocations_of_a_plan_with_itself(tiny_result: PlanResult) -> None:
    alloc = tiny_result.allocation
    out = review.compare_allocations(alloc, alloc)
    assert (out["difference"] == 0).all()
    assert out["before"].sum() == pytest.approx(alloc["area_mu"].sum())
    assert len(out) == len(alloc.drop_duplicates(["industry", "zone_id"]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"labels": ("same", "same")}, "two different"),
        ({"labels": ("", "x")}, "two different"),
        ({"labels": ("industry", "x")}, "name of another column"),
        ({"by": "county"}, "by = 'county'"),
    ],
)
def test_compare_allocations_refuses_bad_options(kwargs: dict[str, object], match: str) -> None:
    a, b = allocations()
    with pytest.raises(ConfigError, match=match):
        review.compare_allocations(a, b, **kwargs)  # type: ignore[arg-type]


def test_compare_allocations_names_a_missing_column() -> None:
    a, b = allocations()
    with pytest.raises(LayoutValidationError, match="area_mu") as info:
        review.compare_allocations(a, b.drop(columns="area_mu"), labels=("x", "y"))
    assert "'y'" in str(info.value)


# --- vary_plan ------------------------------------------------------------------------------


def test_vary_plan_growth_halves_the_new_land_of_aluminium() -> None:
    plan = load_plan()
    raw_before = copy.deepcopy(dict(plan.raw))
    variant = review.vary_plan(plan, "Aluminium", growth=1.5)
    assert dict(plan.raw) == raw_before  # the original plan is untouched
    ent = pd.DataFrame(datasets.load("enterprises").drop(columns="geometry"))
    base_d = land_demand(ent, catalog=plan.catalog, options=plan.demand)
    var_d = land_demand(ent, catalog=variant.catalog, options=variant.demand)
    # demand = (growth - 1) x output / output per mu: (1.5 - 1) / (2 - 1) of the base
    assert var_d.loc["aluminium", "demand_mu"] == pytest.approx(
        0.5 * base_d.loc["aluminium", "demand_mu"]
    )
    others = [c for c in plan.catalog.codes if c != "aluminium"]
    assert var_d.loc[others, "demand_mu"].tolist() == base_d.loc[others, "demand_mu"].tolist()
    assert variant.name == f"{plan.name}（调整：aluminium growth 1.5）"
    assert variant.name_en == f"{plan.name_en} (variant: aluminium growth 1.5)"


def test_vary_plan_weights_change_only_that_criterion() -> None:
    plan = load_plan()
    variant = review.vary_plan(plan, "aluminium", weights={"zone_fit": 0.25})
    base, _ = industry_weights(plan, "aluminium")
    new, _ = industry_weights(variant, "aluminium")
    assert set(new) == set(base)
    # raw weights: zone_fit 0.25 now, density 0.10 (shared [weights]) as before
    assert new["zone_fit"] / new["density"] == pytest.approx(0.25 / 0.10)
    for k in base:
        if k != "zone_fit":
            assert new[k] / new["density"] == pytest.approx(base[k] / base["density"])
    for code in plan.catalog.codes:  # other industries keep their weights
        if code != "aluminium":
            assert industry_weights(variant, code) == industry_weights(plan, code)


def test_vary_plan_keeps_the_inputs() -> None:
    plan = load_plan()
    inputs = PlanInputs(
        plan,
        {},
        Grid.from_boundary(
            gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs="EPSG:4547"), resolution=100
        ),
        None,
    )
    out = review.vary_plan(inputs, "food", growth=3.0)
    assert isinstance(out, PlanInputs)
    assert out.grid is inputs.grid and out.layers is inputs.layers
    assert out.plan.demand.industries["food"] == {"growth": 3.0}


def test_vary_plan_refusals() -> None:
    plan = load_plan()
    with pytest.raises(ConfigError, match="give weights"):
        review.vary_plan(plan, "food")
    with pytest.raises(UnknownIndustryError, match="aluminium"):
        review.vary_plan(plan, "aluminum", growth=1.5)
    with pytest.raises(ConfigError, match=r"weights.zone_fitt: unknown criterion"):
        review.vary_plan(plan, "food", weights={"zone_fitt": 1.0})
    with pytest.raises(ConfigError, match=r"growth = -1"):
        review.vary_plan(plan, "food", growth=-1)
    raw = copy.deepcopy(dict(plan.raw))
    raw["industries"]["food"] = {"ahp": {"labels": ["density", "zone_fit"], "matrix": [3]}}
    raw["demand"] = {"industries": {"textiles": {"mu": 100.0}}}
    special = parse_plan(raw)
    with pytest.raises(ConfigError, match=r"\[industries.food.ahp\] matrix instead"):
        review.vary_plan(special, "food", weights={"density": 1.0})
    with pytest.raises(ConfigError, match="in mu"):
        review.vary_plan(special, "textiles", growth=3.0)


# --- read_plan and explain_site -------------------------------------------------------------


@pytest.mark.filterwarnings(AFFINE_MUL)
def test_read_plan_gives_back_what_was_written(
    outputs: review.PlanOutputs, tiny_result: PlanResult, plan_dir: Path
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


def test_read_plan_errors_name_the_file(plan_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"no plan\.gpkg here"):
        review.read_plan(tmp_path / "nothing")
    copy_dir = tmp_path / "copy"
    shutil.copytree(plan_dir, copy_dir)
    (copy_dir / "manifest.json").unlink()
    with pytest.raises(DataFileError, match=r"manifest.json: missing"):
        review.read_plan(copy_dir)
    (copy_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match="cannot read it"):
        review.read_plan(copy_dir)
    only_sites = tmp_path / "only_sites"
    only_sites.mkdir()
    gpd.read_file(plan_dir / "plan.gpkg", layer="sites").to_file(
        only_sites / "plan.gpkg", layer="sites", engine="pyogrio"
    )
    with pytest.raises(DataFileError, match="no layer 'zone_industries', 'allocation'"):
        review.read_plan(only_sites)


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


# --- provenance -----------------------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_data_provenance_checks_hashes(tmp_path: Path) -> None:
    good = tmp_path / "zones.gpkg"
    good.write_bytes(b"zones")
    edited = tmp_path / "firms.csv"
    edited.write_bytes(b"firms")
    (tmp_path / "plan.toml").write_text("", encoding="utf-8")
    (tmp_path / "data").mkdir()
    rel = tmp_path / "data" / "dem.tif"
    rel.write_bytes(b"dem")
    manifest = {
        "config": str(tmp_path / "plan.toml"),
        "inputs": {
            "zones": f"{good}:zones sha256={sha(good)[:16]}",
            "enterprises": f"{edited} sha256={sha(edited)[:16]}",
            "dem": f"data/dem.tif sha256={sha(rel)[:16]}",  # relative to the plan TOML
            "boundary": f"zhengzhou.gpkg:boundary sha256={sha(settings.embedded_gpkg())[:16]}",
            "counties": f"{tmp_path / 'gone.shp'} sha256=0123456789abcdef",
        },
    }
    edited.write_bytes(b"firms, edited")
    out = review.data_provenance(manifest).set_index("input")
    assert out.loc["zones", "layer"] == "zones" and out.loc["zones", "file"] == str(good)
    assert out.loc["zones", "unchanged"] is True
    assert out.loc["enterprises", "unchanged"] is False
    assert out.loc["enterprises", "layer"] == ""
    assert out.loc["dem", "unchanged"] is True and out.loc["dem", "path"] == str(rel)
    assert out.loc["boundary", "path"] == str(settings.embedded_gpkg())
    assert out.loc["boundary", "unchanged"] is True
    assert out.loc["counties", "unchanged"] is None and out.loc["counties", "path"] == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zhengzhou.gpkg:zones sha256=ab", ("zhengzhou.gpkg", "zones", "ab")),
        ("/data/my zones.gpkg:zones sha256=ab", ("/data/my zones.gpkg", "zones", "ab")),
        (r"C:\data\zones.gpkg:zones sha256=ab", (r"C:\data\zones.gpkg", "zones", "ab")),
        (r"C:\data\boundary.geojson sha256=ab", (r"C:\data\boundary.geojson", "", "ab")),
        ("zhengzhou_dem.tif sha256=ab", ("zhengzhou_dem.tif", "", "ab")),
        ("no digest", ("no digest", "", "")),
    ],
)
def test_manifest_sources_are_parsed(text: str, expected: tuple[str, str, str]) -> None:
    assert review._parse_source(text) == expected


def test_provenance_of_a_plan_folder(outputs: review.PlanOutputs, tiny_inputs: PlanInputs) -> None:
    out = review.data_provenance(outputs)
    assert set(out["input"]) == set(tiny_inputs.sources)
    assert out["unchanged"].tolist() == [True] * len(out)
    for _, row in out.iterrows():
        assert sha(Path(row["path"])).startswith(row["sha256"])


def test_confidence_summary_counts_like_pandas() -> None:
    layers = datasets.load_all()
    out = review.confidence_summary(layers)
    assert out.index.tolist() == list(layers)
    for name, gdf in layers.items():
        assert out.loc[name, "features"] == len(gdf)
        assert out.loc[name].drop("features").sum() == len(gdf)
        if "confidence" in gdf.columns:
            for value, n in gdf["confidence"].value_counts().items():
                assert out.loc[name, str(value)] == n
        else:
            assert out.loc[name, "not stated"] == len(gdf)
    assert out.columns[:4].tolist() == ["features", "H", "M", "L"]
    assert out.columns[-1] == "not stated"


# --- site checks ----------------------------------------------------------------------------


def a_check(parcel_id: str, verdict: str, *, zone: bool) -> SiteCheck:
    parts = (
        Contribution(
            "zone_fit", "zone leading-industry fit", "主导产业契合", "intensive", 0.1, 1.0, 10.0
        ),
        Contribution("airport", "airport", "机场", "access", 0.2, 0.6, 12.0),
        Contribution(
            "density", "same-industry density", "同业集聚密度", "agglomeration", 0.1, 0.3, 3.0
        ),
    )
    z = ZoneOverlap(
        "airport", "郑州航空港经济综合实验区", "Airport zone", 0.8, 324.0, ("electronics",), True
    )
    return SiteCheck(
        parcel_id=parcel_id,
        industry="electronics",
        verdict=verdict,
        reasons=(
            Reason(verdict, "constraint", "c1", f"first reason of {parcel_id}"),
            Reason("ok", "zone", "z", "second"),
        ),
        area_mu=405.0,
        area_ha=27.0,
        lon=113.8,
        lat=34.5,
        outside_share=0.0,
        constraints=(),
        excluded_overlap_mu=1.5,
        excluded_overlap_share=1.5 / 405,
        zone=z if zone else None,
        zones=(z,) if zone else (),
        suitability=Suitability(25.0, 20.0, 80.0, 1.0, parts),
        industries=(),
        alternatives=(),
        indicators=None,
    )


def test_verdicts_table_one_row_per_parcel() -> None:
    checks = [a_check("P1", "suitable", zone=True), a_check("P2", "unsuitable", zone=False)]
    out = review.verdicts_table(checks)
    assert out["parcel_id"].tolist() == ["P1", "P2"]
    assert out["verdict"].tolist() == ["suitable", "unsuitable"]
    assert out["zone_id"].tolist() == ["airport", ""]
    assert out["zone_share"].tolist() == [0.8, 0.0]
    assert out["reason"].tolist() == ["first reason of P1", "first reason of P2"]
    assert out["mean_score"].tolist() == [25.0, 25.0]
    assert review.verdicts_table([]).columns.tolist() == out.columns.tolist()


def test_parcel_contributions_sorted_with_their_labels() -> None:
    check = a_check("P1", "suitable", zone=True)
    out = review.parcel_contributions(check)
    assert out["criterion"].tolist() == ["airport", "zone_fit", "density"]
    assert out["contribution"].tolist() == [12.0, 10.0, 3.0]
    assert out["contribution"].sum() == check.suitability.mean
    assert out["weight"].tolist() == [0.2, 0.1, 0.1]
    assert review.parcel_contributions(check, lang="zh")["label"].tolist() == [
        "机场",
        "主导产业契合",
        "同业集聚密度",
    ]
    assert out.attrs == {"parcel_id": "P1", "industry": "electronics", "mean_score": 25.0}


# --- figures --------------------------------------------------------------------------------


def test_plot_contributions_bars_colours_and_title() -> None:
    table = review.site_contributions(sites_table(), "food-01")
    ax = review.plot_contributions(table, ax=Figure().subplots())
    widths = [p.get_width() for p in ax.patches]
    assert widths == [5.0, 10.0, 25.0]  # largest on top: drawn last
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours == [CRITERION_GROUP_COLORS[g] for g in ["terrain", "agglomeration", "intensive"]]
    assert [t.get_text() for t in ax.get_yticklabels()] == table["label"].tolist()[::-1]
    assert ax.get_title() == "food-01: mean score 40.0"
    ax.figure.canvas.draw()  # no missing-glyph warning (an error here)


def test_plot_contributions_without_a_cjk_font_draws_english(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(review, "_families", lambda: ["DejaVu Sans"])
    table = review.site_contributions(
        sites_table().assign(c_labour=[1.0, 1.0]), "food-01", lang="zh"
    )
    with caplog.at_level(logging.WARNING, logger="layout.products.review"):
        ax = review.plot_contributions(
            table, ax=Figure().subplots(), lang="zh", title="食品 food-01"
        )
    assert "no font with Chinese glyphs" in caplog.text
    texts = [t.get_text() for t in ax.get_yticklabels()] + [ax.get_title()]
    assert not any(review._CJK.search(t) for t in texts)
    assert ax.get_title() == "food-01"
    ax.figure.canvas.draw()


def test_plot_contributions_needs_contributions() -> None:
    with pytest.raises(LayoutValidationError, match="contribution"):
        review.plot_contributions(pd.DataFrame({"label": ["a"]}), ax=Figure().subplots())


def test_plot_contributions_opens_a_pyplot_figure() -> None:
    import matplotlib.pyplot as plt

    table = review.site_contributions(sites_table(), "food-01")
    try:
        ax = review.plot_contributions(table)
        assert ax.figure in [plt.figure(n) for n in plt.get_fignums()]
    finally:
        plt.close("all")


def test_plot_stability_bars_and_highlight() -> None:
    sites = pd.DataFrame(
        {
            "site_id": ["a-01", "a-02", "b-01"],
            "industry": ["a", "a", "b"],
            "stability": [0.9, np.nan, 0.4],
        }
    )
    ax = review.plot_stability(sites, highlight="a-01", threshold=0.6, ax=Figure().subplots())
    assert [p.get_width() for p in ax.patches] == [0.4, 0.0, 0.9]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b-01", "a-02", "a-01"]
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[2] != colours[0] == colours[1]
    assert "not run" in [t.get_text() for t in ax.texts]
    assert ax.lines[0].get_xdata()[0] == 0.6
    ax = review.plot_stability(sites, industry="a", ax=Figure().subplots())
    assert len(ax.patches) == 2
    with pytest.raises(review.UnknownSiteError):
        review.plot_stability(sites, highlight="c-01", ax=Figure().subplots())


def test_plot_hot_spots_draws_the_grid_in_its_crs() -> None:
    grid = Grid.from_boundary(
        gpd.GeoSeries([shapely.box(500_000, 3_800_000, 501_000, 3_800_800)], crs="EPSG:4547"),
        resolution=100,
    )
    z = np.zeros(grid.shape)
    z[2:5, 3:6] = 3.0
    cluster = gpd.GeoDataFrame(
        geometry=[shapely.box(500_300, 3_800_300, 500_600, 3_800_600)], crs="EPSG:4547"
    ).to_crs("EPSG:4326")  # reprojected to the grid's CRS for drawing
    ax = review.plot_hot_spots(
        z, grid, hot=z > 1.645, clusters=cluster, ax=Figure().subplots(), title="t"
    )
    image = ax.images[0]
    assert [float(v) for v in image.get_extent()] == [
        500_000.0,
        501_000.0,
        3_800_000.0,
        3_800_800.0,
    ]
    np.testing.assert_array_equal(np.asarray(image.get_array()), z)
    xs = np.concatenate(
        [
            c.get_paths()[0].vertices[:, 0]
            for c in ax.collections
            if hasattr(c, "get_paths") and c.get_paths()
        ]
    )
    assert xs.min() >= 500_000 - 1 and xs.max() <= 501_000 + 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "hot spot (z > 1.645, 5 %)",
        "existing cluster",
    ]
    with pytest.raises(LayoutValidationError, match="shape"):
        review.plot_hot_spots(z[:-1], grid, ax=Figure().subplots())


def test_show_map_holds_the_offline_page() -> None:
    m = folium.Map(location=[34.75, 113.65], tiles=None, zoom_start=9)
    shown = review.show_map(m, height=321)
    text = shown._repr_html_()
    start = len('<iframe srcdoc="')
    page = html.unescape(text[start : text.index('" style=')])
    assert page == render_html(m)
    assert "height:321px" in text
