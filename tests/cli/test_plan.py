"""Tests of ``layout plan`` through `layout.cli.main.cli` (click's CliRunner) on the tiny plan.

A successful run writes the files of docs/plan_outputs.md; running it twice gives the same
tables and report.  Bad input (demand beyond the land, an industry without enterprises, zones off
the study area, a missing file, an unknown key) exits with status 2 and one ``error:`` line saying
what to change, and leaves nothing in the output folder: no file, no staging folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from click.testing import CliRunner, Result

from layout.cli.main import cli
from layout.config.catalog import load_catalog
from layout.model.criteria import CRITERIA
from tests.fixtures import tiny_plan as tp

CODES = load_catalog().codes
#: Industries of the tiny plan without enterprises: their demand must be given.
NO_FIRMS = {"new_materials": {"mu": 0.0}, "biomedicine": {"mu": 300.0}, "textiles": {"mu": 0.0}}
PLAN_OVERRIDES: dict[str, Any] = {
    "demand": {"industries": NO_FIRMS},
    "allocation": {"seed_spacing_m": 1000.0, "seeds": 4, "max_sites": 3, "min_site_mu": 120.0},
}
SITE_COLUMNS = [
    "site_id",
    "industry",
    "industry_zh",
    "industry_en",
    "rank",
    "area_mu",
    "area_ha",
    "n_cells",
    "mean_score",
    "min_score",
    "zone_id",
    "zone_name",
    "county",
    "county_zh",
    "county_en",
    "stability",
    "stable",
    "reasons",
    *[f"c_{k}" for k in CRITERIA],
]
ZONE_COLUMNS = [
    "zone_id",
    "zone_name",
    "rank",
    "industry",
    "industry_zh",
    "industry_en",
    "mean_score",
    "allocated_mu",
    "sites",
    "leading",
    "reasons",
]
ALLOCATION_COLUMNS = ["industry", "industry_zh", "industry_en", "zone_id", "zone_name", "area_mu",
                      "area_ha"]


#: Prefix of the staging folders (layout.io.staging.STAGING_PREFIX), spelt out independently.
STAGING = ".layout-staging."


def leftovers(folder: Path) -> list[str]:
    """Staging folders or temporary files left next to or inside the output folder."""
    names = [p.name for p in folder.parent.iterdir()]
    if folder.exists():
        names += [p.name for p in folder.rglob("*")]
    return [n for n in names if n.endswith((".partial", ".part")) or n.startswith(STAGING)]


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"), **PLAN_OVERRIDES)


@pytest.fixture(scope="module")
def planned(tiny_plan: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path, Path]:
    base = tmp_path_factory.mktemp("run")
    out, maps = base / "out", base / "maps"
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            str(tiny_plan),
            "--out",
            str(out),
            "--maps",
            str(maps),
            "--no-sensitivity",
            "--date",
            "2012-04-24",
        ],
    )
    return result, out, maps


# --- a successful run -------------------------------------------------------------------------


@pytest.mark.slow
def test_plan_exits_0_and_writes_the_documented_files(planned: tuple[Result, Path, Path]) -> None:
    result, out, maps = planned
    assert result.exit_code == 0, result.output + str(result.exception)
    assert result.exception is None
    expected = {
        "plan.gpkg",
        "allocation.csv",
        "report.md",
        "report.html",
        "manifest.json",
        "timings.json",
        "suitability/measures.csv",
        "plan.qgz",
        "plan_sites.qml",
        "plan_zones.qml",
    }
    kinds = ("score", "criteria", "flags")
    expected |= {f"suitability/{c}_{kind}.{ext}" for c in CODES for kind in kinds
                 for ext in ("tif", "qml")}
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == expected | {".layout-output"}  # the marker: a folder layout replaces
    assert (out / ".layout-output").read_text(encoding="utf-8").startswith("kind = plan\n")
    assert (maps / ".layout-output").read_text(encoding="utf-8").startswith("kind = maps\n")
    assert leftovers(out) == [] and leftovers(maps) == []
    # the maps of layout.products.maps.plan: an overview and one map per industry
    names = {p.name for p in maps.iterdir()} - {".layout-output"}
    assert "overview.html" in names
    assert {f"industry_{c}.html" for c in CODES} <= names
    # the summary line and the listing of every output
    lines = result.output.splitlines()
    summary = next(line for line in lines if line.startswith("plan: "))
    assert " sites, " in summary and "greedy" in summary
    listed = lines[lines.index("outputs:") + 1 :]
    assert len(listed) == len(expected) + len(names)


@pytest.mark.slow
def test_plan_gpkg_layers(planned: tuple[Result, Path, Path]) -> None:
    _, out, _ = planned
    gpkg = out / "plan.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    # and the QGIS styles of the layers with geometry (tests/products/qgis)
    assert layers == {"sites", "zone_industries", "allocation", "zones", "layer_styles"}
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert isinstance(sites, gpd.GeoDataFrame) and sites.crs.to_epsg() == 4547
    assert list(sites.columns) == [*SITE_COLUMNS, "geometry"]
    assert len(sites) > 0
    assert set(sites.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert sites["stability"].isna().all()  # --no-sensitivity
    assert sites["stable"].dtype == bool and not sites["stable"].any()
    assert (
        sites["site_id"]
        == [f"{c}-{r:02d}" for c, r in zip(sites["industry"], sites["rank"], strict=True)]
    ).all()
    # areas: 200 m cells of 60 mu, 15 mu = 1 ha, and the polygons' own areas
    assert np.allclose(sites["area_mu"], sites["n_cells"] * 60.0)
    assert np.allclose(sites["area_ha"], sites["area_mu"] / 15.0)
    assert np.allclose(sites.geometry.area, sites["n_cells"] * tp.RESOLUTION**2)
    zi = pyogrio.read_dataframe(gpkg, layer="zone_industries")
    assert list(zi.columns) == ZONE_COLUMNS
    assert len(zi) == len(tp.ZONES) * len(CODES)
    alloc = pyogrio.read_dataframe(gpkg, layer="allocation")
    assert list(alloc.columns) == ALLOCATION_COLUMNS
    by_industry = alloc.groupby("industry")["area_mu"].sum()
    for code, area in sites.groupby("industry")["area_mu"].sum().items():
        assert by_industry[code] == pytest.approx(area, abs=1e-6)
    # allocation.csv is the same table (three decimals)
    csv = pd.read_csv(
        out / "allocation.csv", dtype={"zone_id": str, "zone_name": str}, keep_default_na=False
    )
    assert list(csv.columns) == ALLOCATION_COLUMNS
    assert csv["industry"].tolist() == alloc["industry"].tolist()
    assert csv["zone_id"].tolist() == alloc["zone_id"].fillna("").tolist()
    assert np.allclose(csv["area_mu"], alloc["area_mu"], atol=1e-3)


@pytest.mark.slow
def test_suitability_rasters_and_reports(planned: tuple[Result, Path, Path]) -> None:
    _, out, _ = planned
    for code in CODES:
        with rasterio.open(out / "suitability" / f"{code}_score.tif") as src:
            assert src.crs.to_epsg() == 4547 and src.nodata == -1
            assert src.tags()["industry"] == code
            band = src.read(1, masked=True)
            assert band.min() >= 0 and band.max() <= 100
        with rasterio.open(out / "suitability" / f"{code}_flags.tif") as src:
            assert src.dtypes[0] == "uint16"
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# 小型测试规划\n")
    for heading in (
        "## Summary",
        "## Land demand",
        "## Allocation by industry and zone",
        "## How far to trust the advice",
    ):
        assert heading in report
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html


class _Links(HTMLParser):
    """The ``img src`` and ``a href`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.img: list[str] = []
        self.a: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "img" and found.get("src"):
            self.img.append(str(found["src"]))
        if tag == "a" and found.get("href"):
            self.a.append(str(found["href"]))


@pytest.mark.slow
def test_report_links_every_map_of_the_run(planned: tuple[Result, Path, Path]) -> None:
    """report.html shows each PNG of maps/ and links each HTML map, by relative paths."""
    _, out, maps = planned
    links = _Links()
    links.feed((out / "report.html").read_text(encoding="utf-8"))
    # relative links, resolved from the report's folder as a browser does: existing files
    assert links.img and all(not Path(h).is_absolute() and ":" not in h for h in links.img)
    images = {(out / h).resolve() for h in links.img}
    pages = {(out / h).resolve() for h in links.a}
    assert all(p.is_file() for p in images | pages)
    # independently: the maps folder as listed, every PNG shown and every HTML map linked
    assert images == {p.resolve() for p in maps.glob("*.png")}
    assert pages == {p.resolve() for p in maps.glob("*.html")}
    # and the relative links survive moving both folders together
    moved = out.parent / "moved"
    for src in (out, maps):
        shutil.copytree(src, moved / src.name)
    assert all(((moved / out.name) / h).is_file() for h in links.img + links.a)


@pytest.mark.slow
def test_manifest(planned: tuple[Result, Path, Path], tiny_plan: Path) -> None:
    _, out, _ = planned
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # docs/plan_outputs.md: package version, config and input hashes, seed; no clock time
    for key in ("package", "version", "config_sha256", "inputs", "seed", "files", "solver"):
        assert key in man, key
    assert "stage_seconds" not in man
    timings = json.loads((out / "timings.json").read_text(encoding="utf-8"))
    assert list(timings) == ["stage_seconds", "solver_seconds"]
    assert man["config_sha256"] == hashlib.sha256(tiny_plan.read_bytes()).hexdigest()
    assert man["config"]["sha256"] == man["config_sha256"]
    assert man["config"]["path"] == str(tiny_plan.resolve())
    assert man["seed"] == 7
    assert set(man["inputs"]) == set(tp.default_plan()["inputs"])
    assert all("sha256=" in v for v in man["inputs"].values())
    for stage in ("load", "demand", "score", "candidates", "allocate", "sites"):
        assert timings["stage_seconds"][stage] >= 0
    assert sorted(man["files"]) == sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
        and p.name != ".layout-output"
    )
    assert man["solver"]["objective"] >= man["solver"]["greedy_objective"]


@pytest.mark.slow
def test_running_twice_gives_the_same_bytes(
    planned: tuple[Result, Path, Path], tiny_plan: Path, tmp_path: Path
) -> None:
    """Every file of out/ and maps/ is byte-identical over two runs, but timings.json.

    The second run's folders lie side by side as the first's do: report.html links the maps
    by their path relative to the plan folder.
    """
    _, out, maps = planned
    again, again_maps = tmp_path / out.name, tmp_path / maps.name
    result = CliRunner().invoke(
        cli,
        ["plan", str(tiny_plan), "--out", str(again), "--maps", str(again_maps),
         "--no-sensitivity", "--date", "2012-04-24", "-q"],
    )
    assert result.exit_code == 0, result.output

    def digests(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    first, second = digests(out), digests(again)
    # 8 files, per industry 3 rasters and their 3 styles, plan.qgz and 2 vector styles
    assert len(first) == 8 + 6 * len(CODES) + 3 and first.keys() == second.keys()
    differing = sorted(k for k in first if first[k] != second[k])
    assert set(differing) <= {"timings.json"}, differing
    timings = json.loads((again / "timings.json").read_text(encoding="utf-8"))
    assert set(timings) == {"stage_seconds", "solver_seconds"}  # nothing but clock times
    assert digests(maps) == digests(again_maps) and len(digests(maps)) == 17


# --- bad input: exit 2, one line, nothing written ---------------------------------------------


def assert_bad_input(result: Result, out: Path, *words: str) -> None:
    assert result.exit_code == 2, result.output + repr(result.exception)
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    for word in words:
        assert word in message, message
    assert not out.exists() or not any(out.iterdir())
    assert leftovers(out) == []


def run_plan_cli(plan: Path, out: Path) -> Result:
    return CliRunner().invoke(
        cli, ["plan", str(plan), "--out", str(out), "--no-maps", "--no-sensitivity", "-q"]
    )


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        pytest.param(
            {"demand": {"industries": {**NO_FIRMS, "auto": {"mu": 1e7}}}},
            ["'auto' needs 10,000,000 mu", "[demand.industries.auto] mu = ..."],
            id="demand-beyond-the-industrys-land",
        ),
        pytest.param(
            {"demand": {"industries": {c: {"mu": 50_000.0} for c in NO_FIRMS}}},
            ["the industries need", "unconstrained", "[demand]"],
            id="demands-beyond-all-land",
        ),
        pytest.param(
            {},
            ["'new_materials' has no enterprises", "[demand.industries.new_materials] mu = ..."],
            id="industry-without-enterprises",
        ),
        pytest.param(
            {**PLAN_OVERRIDES, "inputs": {"zones": {"path": "zones.gpkg", "layer": "zones"}}},
            ["plan.toml: inputs.zones: file", "zones.gpkg", "does not exist"],
            id="missing-file",
        ),
        pytest.param(
            {**PLAN_OVERRIDES, "allocation": {"max_site": 3}},
            ["plan.toml: allocation.max_site: unknown key", "max_sites"],
            id="unknown-allocation-key",
        ),
        pytest.param(
            {**PLAN_OVERRIDES, "sensitivity": {"run": 3}},
            ["plan.toml: sensitivity.run: unknown key", "runs"],
            id="unknown-sensitivity-key",
        ),
        pytest.param(
            {"demand": {"industries": NO_FIRMS, "grwth": 3}},
            ["plan.toml: demand.grwth: unknown key", "growth"],
            id="unknown-demand-key",
        ),
        pytest.param(
            {**PLAN_OVERRIDES, "alocation": {"max_sites": 3}},
            ["plan.toml: alocation: unknown key", "did you mean 'allocation'"],
            id="unknown-table",
        ),
    ],
)
def test_bad_input(tmp_path: Path, overrides: dict[str, Any], words: list[str]) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan", **overrides)
    out = tmp_path / "out"
    assert_bad_input(run_plan_cli(plan, out), out, *words)


def test_zones_off_the_study_area(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan", **PLAN_OVERRIDES)
    gpkg = tmp_path / "plan" / "layers.gpkg"
    zones = gpd.read_file(gpkg, layer="zones", engine="pyogrio")
    zones["geometry"] = zones.geometry.translate(50_000, 50_000)  # 70 km north-east
    zones.to_file(gpkg, layer="zones", engine="pyogrio")
    out = tmp_path / "out"
    assert_bad_input(
        run_plan_cli(plan, out),
        out,
        "layers.gpkg:zones",
        "all 3 features lie outside the study area",
    )


def test_missing_plan_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_bad_input(run_plan_cli(tmp_path / "nope.toml", out), out, "nope.toml", "not found")


def test_failed_run_keeps_an_earlier_output(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan")  # new_materials has no enterprises
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("an earlier plan", encoding="utf-8")
    result = run_plan_cli(plan, out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert [p.name for p in out.iterdir()] == ["report.md"]
    assert (out / "report.md").read_text(encoding="utf-8") == "an earlier plan"
    assert leftovers(out) == []


def test_table_given_as_a_value(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan", **{**PLAN_OVERRIDES, "allocation": 5})
    out = tmp_path / "out"
    assert_bad_input(run_plan_cli(plan, out), out, "plan.toml", "allocation")


# --- the plan's name: [plan] name of the file run, or --title -----------------------------------


def _names_shown(out: Path, maps: Path) -> tuple[str, str, str]:
    """The name in report.md's heading, manifest.json's title and the overview map's <title>."""
    import re

    h1 = (out / "report.md").read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
    title = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["title"]
    page = (maps / "overview.html").read_text(encoding="utf-8")
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found is not None
    return h1, title, found.group(1).strip()


@pytest.mark.slow
def test_a_copied_plan_shows_its_own_name_and_title_overrides_it(
    tiny_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = tiny_plan.read_text(encoding="utf-8")
    assert 'name = "小型测试规划"' in text
    variant = tiny_plan.with_name(f"variant_{tmp_path.name}.toml")
    variant.write_text(text.replace('name = "小型测试规划"', 'name = "变体规划乙"'),
                       encoding="utf-8")
    date = ["--date", "2012-04-24"]
    out, maps = tmp_path / "out", tmp_path / "maps"
    run = CliRunner().invoke(cli, ["plan", str(variant), "--out", str(out), "--maps", str(maps),
                                   "--no-sensitivity", *date])
    assert run.exit_code == 0, run.output
    h1, title, page = _names_shown(out, maps)
    assert (h1, title) == ("变体规划乙", "变体规划乙") and page.startswith("变体规划乙")

    out2, maps2 = tmp_path / "out2", tmp_path / "maps2"
    run = CliRunner().invoke(cli, ["plan", str(tiny_plan), "--out", str(out2), "--maps",
                                   str(maps2), "--title", "Scenario <X>", "--no-sensitivity",
                                   *date])
    assert run.exit_code == 0, run.output
    h1, title, page = _names_shown(out2, maps2)
    assert h1 == "Scenario &lt;X&gt;"  # data text, escaped for Markdown
    assert title == "Scenario <X>" and page.startswith("Scenario &lt;X&gt;")
    html = (out2 / "report.html").read_text(encoding="utf-8")
    assert "<title>Scenario &lt;X&gt;</title>" in html and "小型测试规划" not in html
    # `layout map` of that folder keeps the name it was written under; --title overrides it
    monkeypatch.chdir(tmp_path)  # not where the plan file is: the manifest's path is absolute
    run = CliRunner().invoke(cli, ["map", str(out2), "--out", "m3", "--no-png", *date])
    assert run.exit_code == 0, run.output
    assert "<title>Scenario &lt;X&gt; 2012-04-24</title>" in (
        tmp_path / "m3" / "overview.html").read_text(encoding="utf-8")
    run = CliRunner().invoke(cli, ["map", str(out2), "--out", "m3", "--no-png", "--title", "Y",
                                   *date])
    assert run.exit_code == 0, run.output
    assert "<title>Y 2012-04-24</title>" in (tmp_path / "m3" / "overview.html").read_text(
        encoding="utf-8")


@pytest.mark.slow
def test_map_finds_the_plan_from_anywhere(
    tiny_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The manifest records the plan absolute and relative to the folder; else one line."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(tiny_plan.parent, project)
    plan_file = project / tiny_plan.name
    monkeypatch.chdir(project)
    run = CliRunner().invoke(cli, ["plan", plan_file.name, "--out", "out", "--no-maps",
                                   "--no-sensitivity"])
    assert run.exit_code == 0, run.output
    out = project / "out"
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["config"] == {
        "path": str(plan_file.resolve()),
        "relative": f"../{plan_file.name}",
        "sha256": hashlib.sha256(plan_file.read_bytes()).hexdigest(),
    }
    # From another folder: the absolute path.
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(cli, ["map", str(out), "--out", "m", "--no-png"])
    assert run.exit_code == 0, run.output
    # The project moved as a whole: the relative path.
    moved = tmp_path / "moved"
    project.rename(moved)
    run = CliRunner().invoke(cli, ["map", str(moved / "out"), "--out", "m", "--no-png"])
    assert run.exit_code == 0, run.output
    # The plan edited since: drawn with a warning.
    (moved / plan_file.name).write_text(
        (moved / plan_file.name).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        run = CliRunner().invoke(cli, ["map", str(moved / "out"), "--out", "m", "--no-png"])
    assert run.exit_code == 0, run.output
    assert any("changed since" in r.getMessage() for r in caplog.records)
    # The plan file gone: one line, exit 2, no maps of the embedded data instead.
    shutil.rmtree(tmp_path / "m")
    (moved / plan_file.name).rename(moved / "renamed.toml")
    run = CliRunner().invoke(cli, ["map", str(moved / "out"), "--out", "m", "--no-png"])
    assert run.exit_code == 2
    assert run.output.splitlines() == [
        f"error: {moved / 'out' / 'manifest.json'}: the plan file it was written from is not "
        f"found ({plan_file.resolve()} or {moved / 'out' / '..' / plan_file.name}); give it "
        "with --config PLAN.toml"
    ]
    assert not (tmp_path / "m").exists()
    run = CliRunner().invoke(cli, ["map", str(moved / "out"), "--out", "m", "--no-png",
                                   "--config", str(moved / "renamed.toml")])
    assert run.exit_code == 0, run.output
