"""A plan folder opens in QGIS: COG rasters, name columns, QML styles, layer_styles, plan.qgz.

The folder is the tiny plan's (tests/fixtures/plan_folder.py). Expected names and colours are
read from the catalog TOML and the tiny plan's answer key, not from the package; the rasters
are checked with rasterio, the XML with the standard library, and -- in a subprocess of Debian's
``/usr/bin/python3`` -- with PyQGIS itself (``qgis_check.py``): the project loads, every layer is
valid and the sites draw with the catalog's colours. Without PyQGIS those tests skip, except
under ``$CI``, where they fail (.ci/run installs QGIS).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import rasterio
from pyproj import CRS

import layout
from layout.products.planfolder import PlanOutputs
from layout.products.qgis.project import write_project
from layout.products.qgis.styles import write_styles
from tests.fixtures import tiny_plan as tp

HERE = Path(__file__).parent
CATALOG = Path(layout.__file__).parent / "config" / "industries.toml"
#: The OGC/QGIS ``layer_styles`` columns, in order.
STYLE_COLUMNS = ["f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
                 "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner",
                 "ui", "update_time"]


def catalog() -> dict[str, dict[str, Any]]:
    data = tomllib.loads(CATALOG.read_text(encoding="utf-8"))
    return {d["code"]: d for d in data["industries"]}


# --- rasters ---------------------------------------------------------------------------------


def test_score_rasters_are_cogs_with_overviews_and_band_descriptions(plan_dir: Path) -> None:
    suit = plan_dir / "suitability"
    codes = sorted(p.name[: -len("_score.tif")] for p in suit.glob("*_score.tif"))
    assert codes == sorted(catalog())
    for code in codes:
        for kind in ("score", "criteria", "flags"):
            with rasterio.open(suit / f"{code}_{kind}.tif") as src:
                assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG", (code, kind)
                assert src.overviews(1), (code, kind)
                if kind == "score":
                    assert src.count == 1 and src.descriptions == ("score (0-100)",)
                elif kind == "criteria":
                    names = [d.split(":")[0] for d in src.descriptions]
                    weights = dict(kv.split("=") for kv in src.tags()["weights"].split(";"))
                    assert names == list(weights) and src.count == len(weights) > 1


def test_gdalinfo_reports_a_cog_with_overviews(plan_dir: Path) -> None:
    gdalinfo = shutil.which("gdalinfo")
    if gdalinfo is None:
        pytest.skip("gdalinfo is not installed (apt-get install gdal-bin)")
    done = subprocess.run([gdalinfo, str(plan_dir / "suitability" / "food_score.tif")],
                          capture_output=True, text=True, check=True)
    assert "LAYOUT=COG" in done.stdout
    assert "Overviews:" in done.stdout and "Description = score (0-100)" in done.stdout


# --- plan.gpkg -------------------------------------------------------------------------------


def test_names_beside_codes(outputs: PlanOutputs) -> None:
    cat = catalog()
    sites = outputs.sites
    cols = list(sites.columns)
    assert cols[cols.index("industry") + 1 : cols.index("industry") + 3] == [
        "industry_zh", "industry_en"]
    assert cols[cols.index("county") + 1 : cols.index("county") + 3] == ["county_zh", "county_en"]
    for _, row in sites.iterrows():
        assert row["industry_zh"] == cat[row["industry"]]["name_zh"]
        assert row["industry_en"] == cat[row["industry"]]["name_en"]
        zh, en, _ = tp.COUNTIES[row["county"]]
        assert (row["county_zh"], row["county_en"]) == (zh, en)
    for table in (outputs.zone_industries, outputs.allocation):
        assert list(table["industry_zh"]) == [cat[c]["name_zh"] for c in table["industry"]]


def test_layer_styles_table(plan_dir: Path) -> None:
    gpkg = plan_dir / "plan.gpkg"
    with sqlite3.connect(gpkg) as db:
        cols = [r[1] for r in db.execute("PRAGMA table_info(layer_styles)")]
        rows = db.execute("SELECT f_table_name, f_geometry_column, styleQML, useAsDefault, "
                          "update_time FROM layer_styles ORDER BY f_table_name").fetchall()
        geometry_tables = dict(db.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns"))
    assert [c for c in cols if c != "fid"] == STYLE_COLUMNS
    assert {r[0]: r[1] for r in rows} == geometry_tables  # every layer with geometry, styled
    for name, _, qml, default, when in rows:
        assert default == 1 and when.startswith("2012-04-24")
        assert qml == (plan_dir / f"plan_{name}.qml").read_text(encoding="utf-8")


def test_sites_qml_colours_are_the_catalogs(plan_dir: Path) -> None:
    root = ET.parse(plan_dir / "plan_sites.qml").getroot()
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "industry"
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    got = {}
    for cat in renderer.iter("category"):
        colour = symbols[cat.get("symbol")].find(".//Option[@name='color']")
        assert colour is not None
        r, g, b, _ = (int(v) for v in str(colour.get("value")).split(","))
        got[cat.get("value")] = f"#{r:02X}{g:02X}{b:02X}"
    assert got == {code: d["color"].upper() for code, d in catalog().items()}


def test_raster_qml_beside_every_raster(plan_dir: Path) -> None:
    suit = plan_dir / "suitability"
    tifs = sorted(p.stem for p in suit.glob("*.tif"))
    assert sorted(p.stem for p in suit.glob("*.qml")) == tifs
    score = ET.parse(suit / "food_score.qml").getroot()
    shader = score.find(".//colorrampshader")
    assert shader is not None
    values = [float(str(i.get("value"))) for i in shader.iter("item")]
    assert values[0] == 0.0 and values[-1] == 100.0 and values == sorted(values)


# --- plan.qgz --------------------------------------------------------------------------------


def _project(plan_dir: Path) -> ET.Element:
    with zipfile.ZipFile(plan_dir / "plan.qgz") as zf:
        assert zf.namelist() == ["plan.qgs"]
        return ET.fromstring(zf.read("plan.qgs"))


def test_project_paths_are_relative_and_exist(plan_dir: Path) -> None:
    root = _project(plan_dir)
    sources = [str(e.text) for e in root.iter("datasource")]
    assert len(sources) == 2 + 3 * len(catalog())  # sites, zones; three rasters per industry
    for src in sources:
        path = src.split("|")[0]
        assert path.startswith("./"), src
        assert (plan_dir / path).is_file(), src
    tree = {e.get("id") for e in root.iter("layer-tree-layer")}
    assert tree == {e.text for e in root.iter("id")}
    absolute = root.find("properties/Paths/Absolute")
    assert absolute is not None and absolute.text == "false"


def test_styles_and_project_write_the_same_bytes(plan_dir: Path, tmp_path: Path) -> None:
    copies = []
    for name in ("a", "b"):
        folder = tmp_path / name
        shutil.copytree(plan_dir, folder)
        for f in [folder / "plan.qgz", *folder.glob("*.qml"), *folder.glob("suitability/*.qml")]:
            f.unlink()
        layers = [str(n) for n, _ in pyogrio.list_layers(folder / "plan.gpkg")]
        cat = catalog()
        styled = {c: (d["name_zh"], d["name_en"], d["color"]) for c, d in cat.items()}
        write_styles(folder, industries=styled, layers=layers)
        write_project(folder, industries=styled, layers=layers, crs=CRS.from_user_input(tp.METRIC),
                      title="tiny")
        copies.append({p.relative_to(folder): p.read_bytes()
                       for p in folder.rglob("*") if p.suffix in (".qml", ".qgz")})
    assert copies[0] == copies[1] and len(copies[0]) == 2 + 3 * len(catalog()) + 1


# --- QGIS itself -----------------------------------------------------------------------------


@pytest.mark.qgis
@pytest.mark.slow
def test_qgis_opens_the_project_styled(
    plan_dir: Path, qgis_python: str, qgis_env: dict[str, str], tmp_path: Path
) -> None:
    moved = tmp_path / "moved plan"  # relative paths: the folder opens after a move
    shutil.copytree(plan_dir, moved)
    done = subprocess.run([qgis_python, str(HERE / "qgis_check.py"), str(moved)],
                          capture_output=True, text=True, env=qgis_env, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["read"] is True and seen["absolute"] is False
    assert seen["crs"] == "EPSG:4547"
    layers = seen["layers"].values()
    assert len(layers) == 2 + 3 * len(catalog())
    for layer in layers:
        assert layer["valid"], layer
        assert Path(layer["source"].split("|")[0]).resolve().is_relative_to(moved.resolve())
    by_name = {layer["name"]: layer for layer in layers}
    sites = by_name["sites"]
    assert sites["renderer"] == "categorizedSymbol" and sites["labels"] is True
    assert sites["categories"] == {c: d["color"].lower() for c, d in catalog().items()}
    assert sites["features"] == len(pyogrio.read_dataframe(moved / "plan.gpkg", layer="sites"))
    assert by_name["food score"]["renderer"] == "singlebandpseudocolor"
    assert by_name["food score"]["bands"] == 1
    # opened alone, the layers take their default styles (layer_styles, <name>.qml)
    assert seen["alone_sites_renderer"] == "categorizedSymbol"
    assert seen["alone_score_renderer"] == "singlebandpseudocolor"
