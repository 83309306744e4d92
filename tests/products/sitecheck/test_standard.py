"""标准地: a zone's standard-land indicators in the plan, checked against the parcel file's own
columns and listed beside the national figures.

Expected results are computed by hand from the values written here; the national figures are
read from the catalog TOML with tomllib.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from layout.cli.main import cli
from layout.config.plan import load_plan
from layout.errors import ConfigError
from layout.products.sitecheck import check_parcels, report_dict
from layout.products.sitecheck.opinion import opinion
from layout.scoring.cache import ensure_cache
from tests.fixtures import tiny_plan as tp

STANDARD = {"far_min": 1.2, "tax_per_mu_wan": 30.0, "investment_per_mu_wan": 400.0,
            "energy_tce_per_wan": 0.3, "source": "东区标准地指标（测试）"}
#: Parcels in east_auto (the zone with a standard) and one in west_food (none).
PARCELS = {
    "good": (shapely.box(501_200, 3_843_000, 502_200, 3_844_000),
             {"容积率": 1.5, "亩均税收": 35.0, "investment": 450.0, "单位能耗": 0.2}),
    "lowfar": (shapely.box(502_400, 3_842_200, 503_400, 3_843_200),
               {"容积率": 1.1, "亩均税收": 35.0, "investment": 450.0, "单位能耗": 0.5}),
    "bare": (shapely.box(501_200, 3_844_000, 502_000, 3_844_800),
             {"容积率": None, "亩均税收": None, "investment": None, "单位能耗": None}),
    "west": (shapely.box(496_200, 3_846_000, 497_000, 3_846_800),
             {"容积率": 1.5, "亩均税收": 35.0, "investment": 450.0, "单位能耗": 0.2}),
}


def national_far(code: str) -> float:
    text = resources.files("layout.config").joinpath("industries.toml").read_text("utf-8")
    return next(r for r in tomllib.loads(text)["industries"] if r["code"] == code)["far"]["min"]


@pytest.fixture(scope="module")
def plan_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("standard")
    return tp.write_tiny_plan(root / "plan", zones={"east_auto": {"standard": STANDARD}})


@pytest.fixture(scope="module")
def parcels_path(plan_path: Path) -> Path:
    rows = [{"parcel_id": k, **v[1]} for k, v in PARCELS.items()]
    gdf = gpd.GeoDataFrame(rows, geometry=[v[0] for v in PARCELS.values()], crs=tp.METRIC)
    path = plan_path.parent / "parcels.gpkg"
    gdf.to_file(path, driver="GPKG")
    return path


def test_plan_reads_the_standard(plan_path: Path) -> None:
    plan = load_plan(plan_path)
    std = plan.standards["east_auto"]
    assert std.values() == {k: v for k, v in STANDARD.items() if k != "source"}
    assert std.source == STANDARD["source"]


def test_bad_standard_key_is_one_line(plan_path: Path, tmp_path: Path) -> None:
    bad = tp.write_tiny_plan(tmp_path / "p", zones={"east_auto": {"standard": {"far_mn": 1.2}}})
    with pytest.raises(ConfigError, match=r"zones\.east_auto\.standard\.far_mn: unknown key; "
                                          r"did you mean 'far_min'"):
        load_plan(bad)


def test_checks_against_the_zone_and_national_values(plan_path: Path,
                                                     parcels_path: Path) -> None:
    plan = load_plan(plan_path)
    cache = ensure_cache(plan_path, root=plan_path.parent / "cache", progress=None)
    gdf = gpd.read_file(parcels_path)
    checks = {c.parcel_id: c for c in check_parcels(gdf, industry="auto", cache=cache,
                                                    standards=plan.standards)}
    assert checks["west"].standard is None  # west_food sets no standard
    for pid in ("good", "lowfar", "bare"):
        c = checks[pid]
        assert c.zone is not None and c.zone.zone_id == "east_auto"
        got = {s.key: s for s in c.standard or ()}
        assert set(got) == {k for k in STANDARD if k != "source"}
        cols = PARCELS[pid][1]
        project = {"far_min": cols["容积率"], "tax_per_mu_wan": cols["亩均税收"],
                   "investment_per_mu_wan": cols["investment"],
                   "energy_tce_per_wan": cols["单位能耗"]}
        for key, s in got.items():
            want = STANDARD[key]
            assert s.standard == want and s.value == project[key]
            if project[key] is None:
                assert s.passed is None
            elif key == "energy_tce_per_wan":
                assert s.passed is (project[key] <= want)
            else:
                assert s.passed is (project[key] >= want)
        assert got["far_min"].national == national_far("auto")
        assert got["energy_tce_per_wan"].national is None
    codes = {pid: {r.code: r.severity for r in c.reasons} for pid, c in checks.items()}
    assert codes["lowfar"]["standard_fail"] == "conditional"  # FAR 1.1 < 1.2, energy 0.5 > 0.3
    assert checks["lowfar"].verdict in ("conditional", "unsuitable")
    assert "standard_fail" not in codes["good"] and codes["good"]["standard_pass"] == "ok"
    assert codes["bare"]["standard_missing"] == "info" and "standard_fail" not in codes["bare"]
    # the parcel file's own columns are the project's values for the national check too
    far = next(i for i in checks["lowfar"].indicators or () if i.field == "far")
    assert far.value == 1.1 and far.passed is (national_far("auto") <= 1.1)
    # the opinion lists the standard in section 6
    doc = report_dict(list(checks.values()), cache=cache)
    sec = next(s for s in opinion(doc, lang="zh", date="2026-12-06")["parcels"][1]["sections"]
               if s["key"] == "indicators")
    table = next(tb for tb in sec["tables"] if "标准地" in tb["caption"])
    assert [r[4] for r in table["rows"]].count("不符合") == 2


def test_cli_uses_the_plan_standard(plan_path: Path, parcels_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAYOUT_CACHE_DIR", str(plan_path.parent / "cache"))
    result = CliRunner().invoke(cli, ["check-site", str(parcels_path), "--industry", "auto",
                                      "--config", str(plan_path)])
    assert result.exit_code == 0, result.output
    assert '"code": "standard_fail"' in result.stdout


def test_bad_column_value_is_one_line(plan_path: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAYOUT_CACHE_DIR", str(plan_path.parent / "cache"))
    gdf = gpd.GeoDataFrame({"parcel_id": ["P1"], "亩均税收": ["很多"]},
                           geometry=[PARCELS["good"][0]], crs=tp.METRIC)
    path = tmp_path / "p.gpkg"
    gdf.to_file(path, driver="GPKG")
    result = CliRunner().invoke(cli, ["check-site", str(path), "--industry", "auto",
                                      "--config", str(plan_path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "parcel P1" in lines[0] and "亩均税收" in lines[0], lines
