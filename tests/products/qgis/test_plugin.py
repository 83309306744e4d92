"""The QGIS Processing plugin (qgis_plugin/layout_provider) under Debian's ``qgis_process``.

The plugin is installed as a user would: the zip `make qgis-plugin` builds
(qgis_plugin/build.py) is extracted into a plugin folder (``QGIS_PLUGINPATH``), enabled in a
private QGIS profile (``QGIS_CUSTOM_CONFIG_PATH``; ``qgis_process plugins enable``), and its
``layout`` command is this source tree's (``$LAYOUT_EXECUTABLE``, a wrapper script). The plan
algorithm's folder is compared with the one ``layout plan`` writes directly with the same
options: a plan writes the same bytes (docs/plan_outputs.md), so they must be identical.
"""

from __future__ import annotations

import csv
import json
import os
import runpy
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import layout
from layout.cli.main import cli
from tests.fixtures import tiny_plan as tp
from tests.fixtures.plan_folder import ALLOCATION, DEMAND

ROOT = Path(layout.__file__).resolve().parents[1]
PLUGIN_SRC = ROOT / "qgis_plugin"

pytestmark = [pytest.mark.qgis, pytest.mark.slow]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, qgis_process: str,
              qgis_env: dict[str, str]) -> dict[str, str]:
    """Environment of a qgis_process with the built plugin installed and enabled."""
    root = tmp_path_factory.mktemp("qgis_plugin")
    build = runpy.run_path(str(PLUGIN_SRC / "build.py"))["build"]
    archive = build(root / "dist")
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert all(n.startswith("layout_provider/") for n in names)
        assert "layout_provider/metadata.txt" in names and not any("__pycache__" in n
                                                                   for n in names)
        zf.extractall(root / "plugins")
    wrapper = root / "layout"
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" '
                       '-m layout.cli.main "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {**qgis_env, "QGIS_PLUGINPATH": str(root / "plugins"),
           "QGIS_CUSTOM_CONFIG_PATH": str(root / "profile"), "LAYOUT_EXECUTABLE": str(wrapper)}
    done = subprocess.run([qgis_process, "plugins", "enable", "layout_provider"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return env


def test_build_is_reproducible_and_versioned(tmp_path: Path) -> None:
    build = runpy.run_path(str(PLUGIN_SRC / "build.py"))["build"]
    first = build(tmp_path / "a")
    assert first.read_bytes() == build(tmp_path / "b").read_bytes()
    # the plugin's version is the package's
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert first.name == f"layout_provider-{version['version']}.zip"


def test_qgis_process_lists_the_algorithms(installed: dict[str, str], qgis_process: str) -> None:
    done = subprocess.run([qgis_process, "list"], env=installed, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    ids = {line.split("\t")[1] for line in done.stdout.splitlines()
           if line.startswith("\tlayout:")}
    assert ids == {"layout:plan", "layout:score", "layout:checksite", "layout:compare"}


def test_qgis_process_runs_the_plan(installed: dict[str, str], qgis_process: str,
                                    tmp_path: Path) -> None:
    config = tp.write_tiny_plan(
        tmp_path / "in", demand={"industries": {c: {"mu": mu} for c, mu in DEMAND.items()}},
        allocation=dict(ALLOCATION))
    out = tmp_path / "via qgis"
    done = subprocess.run(
        [qgis_process, "--json", "run", "layout:plan", "--", f"CONFIG={config}",
         "SENSITIVITY=false", f"OUTPUT={out}"],
        env=installed, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(done.stdout)["results"]
    assert results["OUTPUT"] == str(out)
    assert results["PROJECT"] == str(out / "plan.qgz") and (out / "plan.qgz").is_file()
    assert results["SITES"] == f"{out / 'plan.gpkg'}|layername=sites"
    # the same plan written by the command directly: the same files, byte for byte
    direct = tmp_path / "direct"
    ran = CliRunner().invoke(cli, ["plan", str(config), "--out", str(direct), "--no-maps",
                                   "--no-sensitivity", "-q"])
    assert ran.exit_code == 0, ran.output
    files = sorted(p.relative_to(direct) for p in direct.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    for rel in files:
        if rel.name not in ("timings.json", "manifest.json"):
            assert (out / rel).read_bytes() == (direct / rel).read_bytes(), rel


def test_a_failing_run_reports_the_planners_line(installed: dict[str, str], qgis_process: str,
                                                 tmp_path: Path) -> None:
    bad = tmp_path / "plan.toml"
    bad.write_text("[plan]\nname = 'x'\nunknown_key = 1\n", encoding="utf-8")
    done = subprocess.run(
        [qgis_process, "run", "layout:plan", "--", f"CONFIG={bad}", "SENSITIVITY=false",
         f"OUTPUT={tmp_path / 'out'}"],
        env=installed, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode != 0
    text = done.stdout + done.stderr
    assert "layout plan failed: error:" in text and "plan.toml" in text
    assert "Traceback" not in text
    assert not os.path.exists(tmp_path / "out" / "plan.gpkg")


def test_qgis_process_checks_a_site(installed: dict[str, str], qgis_process: str,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import geopandas as gpd
    import shapely

    config = tp.write_tiny_plan(tmp_path / "in")
    parcels = tmp_path / "parcels.gpkg"
    # a 600 m square in the west county of the tiny plan (EPSG:4547)
    gpd.GeoDataFrame({"parcel_id": ["p1"]}, geometry=[shapely.box(496_000, 3_842_000, 496_600,
                                                                  3_842_600)],
                     crs=tp.METRIC).to_file(parcels, layer="parcels")
    cache = tmp_path / "cache"
    monkeypatch.setenv("LAYOUT_CACHE_DIR", str(cache))
    out = tmp_path / "via qgis"
    done = subprocess.run(
        [qgis_process, "run", "layout:checksite", "--", f"PARCELS={parcels}", "INDUSTRY=food",
         f"CONFIG={config}", "FORMAT=3", f"OUTPUT={out}"],
        env={**installed, "LAYOUT_CACHE_DIR": str(cache)}, capture_output=True, text=True,
        timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    direct = tmp_path / "direct"
    ran = CliRunner().invoke(cli, ["check-site", str(parcels), "--industry", "food", "--config",
                                   str(config), "--format", "csv", "--layer", "parcels",
                                   "--out", str(direct), "-q"])
    assert ran.exit_code == 0, ran.output
    names = sorted(p.name for p in direct.iterdir())
    assert names == sorted(p.name for p in out.iterdir()) and "sitecheck_p1_food.csv" in names
    for name in ("sitecheck_p1_food.csv", "sitecheck_p1_food.geojson"):
        assert (out / name).read_bytes() == (direct / name).read_bytes(), name


def test_qgis_process_compares_two_plans(installed: dict[str, str], qgis_process: str,
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``layout:compare`` writes what ``layout compare A B`` writes, byte for byte."""
    config = tp.write_tiny_plan(
        tmp_path / "in", demand={"industries": {c: {"mu": mu} for c, mu in DEMAND.items()}},
        allocation=dict(ALLOCATION))
    # plan B: the same plan with less land for one industry, so that the sites differ
    less = {c: {"mu": mu / 2 if i == 0 else mu} for i, (c, mu) in enumerate(DEMAND.items())}
    config_b = tp.write_tiny_plan(tmp_path / "in_b", demand={"industries": less},
                                  allocation=dict(ALLOCATION))
    plans = []
    for name, toml in (("a", config), ("b", config_b)):
        ran = CliRunner().invoke(cli, ["plan", str(toml), "--out", str(tmp_path / name),
                                       "--no-maps", "--no-sensitivity", "-q"])
        assert ran.exit_code == 0, ran.output
        plans.append(tmp_path / name)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the date on the difference map
    out = tmp_path / "via qgis"
    done = subprocess.run(
        [qgis_process, "--json", "run", "layout:compare", "--", f"PLAN_A={plans[0]}",
         f"PLAN_B={plans[1]}", "LANG=1", f"OUTPUT={out}"],
        env={**installed, "SOURCE_DATE_EPOCH": "1700000000"}, capture_output=True, text=True,
        timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(done.stdout)["results"]
    assert results["OUTPUT"] == str(out)
    assert results["REPORT"] == str(out / "compare.html") and (out / "compare.html").is_file()
    assert results["MAP"] == str(out / "difference_map.html")
    # the same comparison by the command directly: the same files, byte for byte
    direct = tmp_path / "direct"
    ran = CliRunner().invoke(cli, ["compare", str(plans[0]), str(plans[1]), "--lang", "en",
                                   "--out", str(direct), "-q"])
    assert ran.exit_code == 0, ran.output
    files = sorted(p.relative_to(direct) for p in direct.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert {"compare.html", "sites.csv", "difference_map.html"} <= {f.name for f in files}
    for rel in files:
        assert (out / rel).read_bytes() == (direct / rel).read_bytes(), rel
    # and B minus A: the halved industry's demand, from the two plan TOMLs (0.001 mu: %.3f)
    code = next(iter(DEMAND))
    with (out / "industries.csv").open(encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["industry"] == code)
    assert float(row["demand_mu_a"]) == pytest.approx(DEMAND[code], abs=1e-3)
    assert float(row["demand_mu_b"]) == pytest.approx(DEMAND[code] / 2, abs=1e-3)
    assert float(row["delta_demand_mu"]) == pytest.approx(-DEMAND[code] / 2, abs=1e-3)
