"""All the maps of a plan folder (`write_plan_maps`) and ``layout map``, without a browser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from layout.cli.main import cli
from layout.errors import DataFileError
from layout.products.maps import external_loads
from layout.products.maps.plan import manifest_config, read_plan_maps_inputs, write_plan_maps
from tests.products.maps.plan_data import SITES, make_plan_dir, tiny_layers, write_surface


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_plan_dir(tmp_path_factory.mktemp("plan"))


def _tiny_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw the tiny layers instead of the embedded ones."""
    from layout.io import embedded as datasets

    monkeypatch.setattr(datasets, "load_all", tiny_layers)


def test_write_plan_maps(plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_inputs(monkeypatch)
    paths = write_plan_maps(plan_dir, out_dir=tmp_path / "maps", date="2024-05-01", title="测试")
    names = [p.name for p in paths]
    assert names == [
        "overview.html",
        "overview.png",
        "industry_auto.html",
        "industry_auto.png",
        "industry_food.html",
        "industry_food.png",
    ]
    for path in paths:
        assert path.exists() and path.stat().st_size < 5_000_000
    overview = (tmp_path / "maps" / "overview.html").read_text(encoding="utf-8")
    assert overview.count('"popup":') == len(SITES) and external_loads(overview) == []
    food = (tmp_path / "maps" / "industry_food.html").read_text(encoding="utf-8")
    assert food.count('"popup":') == 1 and "食品工业 · 适宜性与推荐选址" in food
    # The same plan gives byte-identical files.
    again = write_plan_maps(
        plan_dir, out_dir=tmp_path / "again", date="2024-05-01", title="测试", png=False
    )
    for path in again:
        assert path.read_bytes() == (tmp_path / "maps" / path.name).read_bytes()


def test_write_plan_maps_defaults_to_the_plan_name(
    plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tiny_inputs(monkeypatch)
    paths = write_plan_maps(plan_dir, out_dir=tmp_path, lang="en", png=False)
    text = paths[0].read_text(encoding="utf-8")
    assert "Zhengzhou metro area: layout of the seven priority industries" in text


def test_write_plan_maps_needs_a_plan_folder(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="not a plan folder"):
        write_plan_maps(tmp_path, out_dir=tmp_path / "maps")


def test_plan_folder_without_sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_inputs(monkeypatch)
    write_surface(tmp_path / "plan" / "suitability", "auto")
    paths = write_plan_maps(tmp_path / "plan", out_dir=tmp_path / "maps", title="t", png=False)
    assert [p.name for p in paths] == ["overview.html", "industry_auto.html"]
    assert '"popup":' not in paths[1].read_text(encoding="utf-8")


def test_write_plan_maps_with_a_plan_config(tmp_path: Path) -> None:
    """A planner's own plan: the tiny plan's inputs, scored for real, with one site."""
    from layout.data.inputs import load_inputs
    from layout.scoring.suitability import score, write_result
    from tests.fixtures.tiny_plan import write_tiny_plan

    config = write_tiny_plan(tmp_path / "tiny")
    inputs = load_inputs(config)
    folder = tmp_path / "out"
    result = score(inputs, industry="food")
    write_result(result, folder / "suitability")
    best = np.unravel_index(
        int(np.nanargmax(np.where(result.eligible, result.score, -1))), result.score.shape
    )
    g = inputs.grid
    x, y = g.x0 + (best[1] + 0.5) * g.cell, g.y_top - (best[0] + 0.5) * g.cell
    site = gpd.GeoDataFrame(
        {
            "site_id": ["food-01"],
            "industry": ["food"],
            "rank": [1],
            "area_mu": [60.0],
            "area_ha": [4.0],
            "mean_score": [float(result.score[best])],
        },
        geometry=[shapely.box(x - 100, y - 100, x + 100, y + 100)],
        crs=g.crs,
    )
    site.to_file(folder / "plan.gpkg", layer="sites", driver="GPKG")
    paths = write_plan_maps(folder, out_dir=tmp_path / "maps", config=config, png=False)
    html = paths[1].read_text(encoding="utf-8")
    assert paths[1].name == "industry_food.html" and "food-01" in html
    assert inputs.plan.name in paths[0].read_text(encoding="utf-8")
    assert external_loads(html) == []


# --- reading the plan folder ---------------------------------------------------------------


def complete_plan_dir(folder: Path, config: Path) -> Path:
    """``make_plan_dir`` plus what makes it a complete plan folder for `read_plan`."""
    make_plan_dir(folder)
    for layer in ("zone_industries", "allocation"):
        table = pd.DataFrame({"zone_id": ["z1"], "industry": ["auto"], "mu": [150.0]})
        pyogrio.write_dataframe(table, folder / "plan.gpkg", layer=layer)
    (folder / "manifest.json").write_text(json.dumps({"config": {"path": str(config)}}))
    return folder


def test_a_complete_plan_folder_is_read_by_read_plan(tmp_path: Path) -> None:
    from layout.products.planfolder import read_plan
    from tests.fixtures.tiny_plan import write_tiny_plan

    config = write_tiny_plan(tmp_path / "tiny")
    folder = complete_plan_dir(tmp_path / "plan", config)
    found = read_plan_maps_inputs(folder)
    outputs = read_plan(folder)
    assert found.scores == dict(outputs.scores) and list(found.scores) == ["auto", "food"]
    assert found.sites is not None and len(found.sites) == len(SITES)
    assert found.sites.attrs["source"] == "plan.gpkg:sites"
    assert found.manifest == outputs.manifest
    assert manifest_config(found.manifest, folder) == config
    # The plan's own inputs and name, from the TOML the manifest names.
    paths = write_plan_maps(folder, out_dir=tmp_path / "maps", png=False)
    assert "小型测试规划" in paths[0].read_text(encoding="utf-8")


def test_a_folder_of_scores_is_read_file_by_file(tmp_path: Path) -> None:
    """Without a manifest: the scores `layout score` writes, and optionally a sites layer."""
    folder = make_plan_dir(tmp_path / "plan")  # plan.gpkg has only its sites layer
    found = read_plan_maps_inputs(folder)
    assert list(found.scores) == ["auto", "food"] and len(found.sites) == len(SITES)
    assert found.manifest is None
    (folder / "cfg.toml").write_text("", encoding="utf-8")
    assert manifest_config({"config": "cfg.toml"}, folder) == folder / "cfg.toml"
    assert manifest_config(None, folder) is None
    with pytest.raises(DataFileError, match="not found") as err:
        manifest_config({"config": {"path": "missing.toml"}}, folder)
    assert "--config PLAN.toml" in str(err.value) and "\n" not in str(err.value)
    assert manifest_config({"config": {"embedded": True}}, folder) is None


def test_an_incomplete_plan_folder_is_an_error(tmp_path: Path) -> None:
    """A folder with a manifest is a plan folder: every part must be there (kind 6 of issue 11)."""
    from tests.fixtures.tiny_plan import write_tiny_plan

    config = write_tiny_plan(tmp_path / "tiny")
    folder = complete_plan_dir(tmp_path / "plan", config)
    files = ["plan.gpkg", "suitability/auto_score.tif", "suitability/auto_flags.tif",
             "suitability/food_score.tif", "suitability/food_flags.tif"]
    (folder / "manifest.json").write_text(json.dumps({"config": str(config), "files": files}))
    assert list(read_plan_maps_inputs(folder).scores) == ["auto", "food"]
    again = f"re-run `layout plan --out {folder}`"

    def refused(*words: str) -> None:
        with pytest.raises(DataFileError) as err:
            read_plan_maps_inputs(folder)
        assert "\n" not in str(err.value) and again in str(err.value)
        for word in words:
            assert word in str(err.value)

    (folder / "suitability" / "food_score.tif").rename(tmp_path / "food_score.tif")
    refused(str(folder / "suitability" / "food_score.tif"), "missing (manifest.json lists it)")
    (tmp_path / "food_score.tif").rename(folder / "suitability" / "food_score.tif")
    (folder / "suitability" / "auto_flags.tif").unlink()
    refused(str(folder / "suitability" / "auto_flags.tif"), "missing")
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    refused(str(folder / "manifest.json"), "cannot read it")
    (folder / "manifest.json").unlink()  # the plan's layers without a manifest
    refused(str(folder / "manifest.json"), "missing")
    # A manifest beside a plan.gpkg holding only sites is not a complete plan either.
    partial = make_plan_dir(tmp_path / "partial")
    (partial / "manifest.json").write_text('{"config": "cfg.toml"}', encoding="utf-8")
    with pytest.raises(DataFileError, match="no layer 'zone_industries', 'allocation'"):
        read_plan_maps_inputs(partial)


def test_cli_map_refuses_an_incomplete_plan_folder(tmp_path: Path) -> None:
    folder = complete_plan_dir(tmp_path / "plan", tmp_path / "plan.toml")
    (folder / "manifest.json").write_text("{broken", encoding="utf-8")
    out = tmp_path / "maps"
    result = CliRunner().invoke(cli, ["map", str(folder), "--out", str(out), "--no-png"])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in result.output
    assert message.startswith(f"error: {folder / 'manifest.json'}: cannot read it")
    assert "re-run `layout plan" in message
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]  # and no staging folder


def test_an_unreadable_plan_gpkg_is_an_error(tmp_path: Path) -> None:
    write_surface(tmp_path / "plan" / "suitability", "auto")
    (tmp_path / "plan" / "plan.gpkg").write_bytes(b"not a geopackage")
    with pytest.raises(DataFileError, match="cannot read layer 'sites'"):
        write_plan_maps(tmp_path / "plan", out_dir=tmp_path / "maps")


# --- CLI ----------------------------------------------------------------------------------


def test_cli_map(plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_inputs(monkeypatch)
    out = tmp_path / "maps"
    result = CliRunner().invoke(
        cli, ["map", str(plan_dir), "--out", str(out), "--date", "2024-05-01", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 6 files" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".layout-output",
        "industry_auto.html",
        "industry_auto.png",
        "industry_food.html",
        "industry_food.png",
        "overview.html",
        "overview.png",
    ]
    quiet = CliRunner().invoke(
        cli, ["map", str(plan_dir), "--out", str(out), "-q", "--no-png", "--cdn"]
    )
    assert quiet.exit_code == 0 and quiet.output == ""  # -q: errors only
    assert "cdn.jsdelivr.net" in (out / "overview.html").read_text(encoding="utf-8")


def test_cli_map_errors(plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_inputs(monkeypatch)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["map", str(empty), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "not a plan folder" in result.output
    result = CliRunner().invoke(cli, ["map", str(plan_dir), "--date", "May 1"])
    assert result.exit_code == 2 and "not a date" in result.output


# --- the embedded data, scored for real ---------------------------------------------------


@pytest.mark.slow
def test_embedded_plan_maps_are_at_most_5_mb(embedded_plan_dir: Path, tmp_path: Path) -> None:
    paths = write_plan_maps(embedded_plan_dir, out_dir=tmp_path, date="2024-05-01", png=False)
    assert len(paths) == 8
    sites = gpd.read_file(embedded_plan_dir / "plan.gpkg", layer="sites")
    overview = paths[0].read_text(encoding="utf-8")
    assert overview.count('"popup":') == len(sites) == 28
    for path in paths:
        size = path.stat().st_size
        assert size <= 5_000_000, (path.name, size)
        assert external_loads(path.read_text(encoding="utf-8")) == []


@pytest.mark.slow
def test_embedded_site_columns_follow_the_contract(embedded_plan_dir: Path) -> None:
    sites = gpd.read_file(embedded_plan_dir / "plan.gpkg", layer="sites")
    assert sites.crs.to_epsg() == 4547
    contrib = sites[[c for c in sites.columns if c.startswith("c_")]]
    np.testing.assert_allclose(contrib.sum(axis=1, skipna=True), sites["mean_score"], rtol=1e-4)
    assert (sites["site_id"] == sites["industry"] + "-" + sites["rank"].map("{:02d}".format)).all()
    assert pd.api.types.is_bool_dtype(sites["stable"])


def test_plan_maps_are_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:

    script = (
        "import hashlib, sys; from pathlib import Path\n"
        "from layout.io import embedded as datasets\n"
        "from layout.products.maps.plan import write_plan_maps\n"
        "from tests.products.maps.plan_data import make_plan_dir, tiny_layers\n"
        "datasets.load_all = tiny_layers\n"
        "out = Path(sys.argv[1])\n"
        "plan = make_plan_dir(out / 'plan')\n"
        "for p in write_plan_maps(plan, out_dir=out / 'maps', title='t', date='2024-05-01',\n"
        "                         basemap='gaode'):\n"
        "    print(p.name, hashlib.sha256(p.read_bytes()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[3]
    runs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / seed)],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
        )
        runs.append(done.stdout)
    assert runs[0] == runs[1] and runs[0].count("\n") == 6
