"""A second city end to end through the command line: nothing of Zhengzhou in its outputs.

The city (`tests.fixtures.other_city`) lies in EPSG:4549 (CGCS2000 3-degree zone of 120°E) and
is delivered as agencies deliver data: a GBK Shapefile without ``.cpg`` and with Chinese fields,
an XLSX in GCJ-02 with Chinese headers, a multi-layer GeoPackage in CGCS2000 lon/lat.  One
module-scoped run does what a planner does -- validate, plan (from the plan's folder, by a
relative path), check-site, map (from another folder) and overview -- and the tests check its
outputs against the fixture: the CRS of every layer, raster and PNG, the plan's name as title,
and no Zhengzhou word or embedded layer anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import rasterio
import shapely
from click.testing import CliRunner, Result
from PIL import Image
from pyproj import CRS

from layout.cli.main import cli
from layout.io import embedded
from layout.settings import M2_PER_MU
from tests.fixtures import other_city as oc

pytestmark = pytest.mark.slow

DATE = ["--date", "2012-04-24"]
#: Parcel in the east zone (the tiny plan's east_auto moved), in the city's metres.
PARCEL = ("POLYGON((562000 3466000, 562600 3466000, 562600 3466400, 562000 3466400, "
          "562000 3466000))")

#: A parcel (tiny-plan coordinates, moved) 1,400 m wide: 200 m on the river 1101, 400 m on the
#: industrial patch 0601, the rest on no patch.
LANDUSE_PARCEL = oc.moved(shapely.box(500_200, 3_842_400, 501_600, 3_843_000))


def _invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    base = tmp_path_factory.mktemp("other_city")
    plan = oc.write_other_city(base / "city")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAYOUT_CACHE_DIR", str(base / "cache"))
        mp.chdir(plan.parent)
        done: dict[str, object] = {
            "validate_firms": _invoke("validate", "企业名录.xlsx", "--kind", "enterprises",
                                      "--plan", "plan.toml", "--datum", "gcj02"),
            "validate_zones": _invoke("validate", "园区/园区.shp", "--kind", "zones",
                                      "--plan", "plan.toml", "--study-area", "行政区划.gpkg",
                                      "--study-area-layer", "市界"),
            "validate_landuse": _invoke("validate", "三调/DLTB.shp", "--kind", "landuse",
                                        "--plan", "plan.toml"),
            "plan": _invoke("plan", "plan.toml", "--out", str(base / "out"), "--maps",
                            str(base / "maps"), "--no-sensitivity", *DATE),
        }
        mp.chdir(elsewhere)  # not where the plan file is: the manifest finds it
        done["map"] = _invoke("map", str(base / "out"), "--out", "maps2", *DATE)
        done["overview"] = _invoke("overview", str(plan), "--out", "overview", *DATE)
        done["check_site"] = _invoke(
            "check-site", "--config", str(plan), "--industry", "auto", "--crs", oc.METRIC,
            "--wkt", PARCEL, "--plan-dir", str(base / "out"), "--out", "sitecheck",
            "--format", "html")
        # a parcel across the river and the industrial patch with firms: its land use
        for fmt, lang in (("json", "zh"), ("md", "zh"), ("md", "en")):
            done[f"landuse_{fmt}_{lang}"] = _invoke(
                "check-site", "--config", str(plan), "--industry", "auto", "--crs", oc.METRIC,
                "--wkt", LANDUSE_PARCEL.wkt, "--format", fmt, "--lang", lang, *DATE)
    done["base"] = base
    done["folders"] = [base / "out", base / "maps", elsewhere / "maps2",
                       elsewhere / "overview", elsewhere / "sitecheck"]
    yield done


def _files(runs: dict[str, object]) -> list[Path]:
    folders = runs["folders"]
    assert isinstance(folders, list)
    return sorted(p for f in folders for p in Path(f).rglob("*") if p.is_file())


def test_every_command_succeeds(runs: dict[str, object]) -> None:
    for name in ("validate_firms", "validate_zones", "plan", "map", "overview", "check_site"):
        result = runs[name]
        assert isinstance(result, Result)
        assert result.exit_code == 0, (name, result.output)
    for name in ("validate_firms", "validate_zones"):
        assert "no problems found" in str(runs[name].output)  # type: ignore[attr-defined]
    # the DLTB layer: its one code written "601" is reported as read, a warning only
    output = str(runs["validate_landuse"].output)  # type: ignore[attr-defined]
    short = [bsm for bsm, v in oc.LANDUSE.items() if len(v[0]) == 3]
    assert len(short) == 1 and "code '601' read as 0601" in output
    assert output.endswith("0 errors, 1 warning\n"), output


def test_every_output_is_in_the_plan_crs(runs: dict[str, object]) -> None:
    base = Path(str(runs["base"]))
    target = CRS.from_user_input(oc.METRIC)
    for name, geometry in pyogrio.list_layers(base / "out" / "plan.gpkg"):
        if geometry is not None:
            crs = pyogrio.read_info(base / "out" / "plan.gpkg", layer=name)["crs"]
            assert CRS.from_user_input(crs) == target, name
    rasters = sorted((base / "out" / "suitability").glob("*.tif"))
    assert rasters
    for path in rasters:
        with rasterio.open(path) as src:
            assert CRS.from_user_input(src.crs) == target, path.name
    pngs = [p for p in _files(runs) if p.suffix == ".png"]
    assert len(pngs) >= 3
    for path in pngs:
        with Image.open(path) as img:
            assert img.text["CRS"] == oc.METRIC, path
    manifest = json.loads((base / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert CRS.from_user_input(manifest["crs"]) == target
    (doc,) = (base / "elsewhere" / "sitecheck").glob("sitecheck*.json")
    sitecheck = json.loads(doc.read_text(encoding="utf-8"))
    assert sitecheck["plan"]["crs"] == oc.METRIC


def test_titles_are_the_plans_name(runs: dict[str, object]) -> None:
    base = Path(str(runs["base"]))
    manifest = json.loads((base / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["title"], manifest["title_en"]) == (oc.NAME, oc.NAME_EN)
    assert f"<title>{oc.NAME}</title>" in (base / "out" / "report.html").read_text(
        encoding="utf-8")
    for folder in ("maps", "elsewhere/maps2", "elsewhere/overview"):
        page = (base / folder / "overview.html").read_text(encoding="utf-8")
        assert f"<title>{oc.NAME} 2012-04-24</title>" in page, folder
        with Image.open(base / folder / "overview.png") as img:
            assert img.text["Title"] == f"{oc.NAME}  2012-04-24", folder


def test_the_manifest_finds_the_plan(runs: dict[str, object]) -> None:
    base = Path(str(runs["base"]))
    manifest = json.loads((base / "out" / "manifest.json").read_text(encoding="utf-8"))
    plan = base / "city" / "plan.toml"
    assert manifest["config"]["path"] == str(plan.resolve())
    assert (base / "out" / manifest["config"]["relative"]).resolve() == plan.resolve()
    # The maps drawn from another folder are those drawn by the plan run itself.
    for name in ("overview.html", "industry_auto.html"):
        assert (base / "elsewhere" / "maps2" / name).read_bytes() == (
            base / "maps" / name).read_bytes()


def test_nothing_of_zhengzhou_in_any_output(runs: dict[str, object]) -> None:
    # The embedded layers' own names would show that they were drawn or read.
    names = {str(v) for layer in ("counties", "zones")
             for col in ("name_zh", "name_en") for v in embedded.load(layer)[col]
             if isinstance(v, str) and len(v) >= 3}
    assert len(names) > 10  # e.g. 中原区, Zhongyuan
    files = _files(runs)
    assert len(files) > 30
    for path in files:
        data = path.read_bytes()
        lower = data.lower()
        assert b"zhengzhou" not in lower, path
        assert "郑州".encode() not in data, path
        found = [n for n in names if n.encode() in data]
        assert not found, (path, found[:3])


def test_a_plan_crs_of_another_zone_is_one_line(tmp_path: Path) -> None:
    plan = oc.write_other_city(tmp_path / "city")
    text = plan.read_text(encoding="utf-8").replace(oc.METRIC, "EPSG:4547")
    plan.write_text(text, encoding="utf-8")
    result = _invoke("plan", str(plan), "--out", str(tmp_path / "out"), "--no-maps",
                     "--no-sensitivity")
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("error: ") and 'set [plan] crs = "EPSG:4549"' in line


def _patches(code: str) -> dict[str, shapely.Polygon]:
    """The fixture's DLTB patches of one code (as normalised), by BSM, in EPSG:4549."""
    return {bsm: oc.moved(shapely.box(*v[2])) for bsm, v in oc.LANDUSE.items()
            if v[0].zfill(4) == code}


def test_landuse_feeds_the_plan(runs: dict[str, object]) -> None:
    gpkg = Path(str(runs["base"])) / "out" / "plan.gpkg"
    # today's industrial land per zone: shapely's area of the 0601 patches inside each zone
    industrial = shapely.union_all(list(_patches("0601").values()))
    zones = gpd.read_file(gpkg, layer="zones")
    assert len(zones) == 3
    for _, zone in zones.iterrows():
        expected = shapely.intersection(zone.geometry, industrial).area / M2_PER_MU
        assert zone["industrial_land_mu"] == pytest.approx(expected, rel=5e-3, abs=1e-6), (
            zone["zone_id"])
    assert zones["industrial_land_mu"].sum() > 0
    # infill: the industrial patches holding no firm (shapely on the fixture's firms)
    firms = oc.enterprises()
    empty = {bsm for bsm, g in _patches("0601").items() if not firms.intersects(g).any()}
    assert empty == {"320590000002"}  # the patch written "601"
    infill = gpd.read_file(gpkg, layer="landuse_infill")
    bsm = list(oc.LANDUSE)
    assert {bsm[int(p) - 1] for p in infill["patch"]} == empty
    assert set(infill["code"]) == {"0601"}
    # no site on the river (excluded as landuse_water) beyond a sliver along its edges
    (river,) = _patches("1101").values()
    sites = gpd.read_file(gpkg, layer="sites")
    assert len(sites)
    for _, site in sites.iterrows():
        assert shapely.intersection(site.geometry, river).area < 0.01 * site.geometry.area, (
            site["site_id"])


def test_site_opinion_gives_the_parcels_land_use(runs: dict[str, object]) -> None:
    for key in ("landuse_json_zh", "landuse_md_zh", "landuse_md_en"):
        result = runs[key]
        assert isinstance(result, Result) and result.exit_code == 0, (key, result.output)
    (parcel,) = json.loads(str(runs["landuse_json_zh"].output))["parcels"]  # type: ignore[attr-defined]
    # expected: shapely's overlay of the fixture's patches on the parcel
    area = LANDUSE_PARCEL.area
    expected = sorted(
        ((v[0].zfill(4), shapely.intersection(LANDUSE_PARCEL, oc.moved(shapely.box(*v[2]))).area)
         for v in oc.LANDUSE.values()
         if shapely.intersection(LANDUSE_PARCEL, oc.moved(shapely.box(*v[2]))).area > 0),
        key=lambda x: -x[1])
    assert [c for c, _ in expected] == ["0601", "1101"]
    got = parcel["landuse"]
    assert [u["code"] for u in got] == [c for c, _ in expected]
    for u, (_, a) in zip(got, expected, strict=True):
        assert u["schema"] == "gbt21010"
        assert u["area_mu"] == pytest.approx(a / M2_PER_MU, rel=1e-3)
        assert u["share"] == pytest.approx(a / area, rel=1e-3)
    assert [u["name_zh"] for u in got] == ["工业用地", "河流水面"]
    assert [u["name_en"] for u in got] == ["Industrial land", "River water surface"]
    # the 规划符合性 section of both documents
    zh = str(runs["landuse_md_zh"].output).split("3. 规划符合性")[1].split("4. ")[0]  # type: ignore[attr-defined]
    en = str(runs["landuse_md_en"].output).split("3. Conformity")[1].split("4. ")[0]  # type: ignore[attr-defined]
    first_mu = f"{expected[0][1] / M2_PER_MU:,.2f}"
    assert f"0601 工业用地 {first_mu} 亩" in zh and "1101 河流水面" in zh
    assert zh.index("0601 工业用地") < zh.index("1101 河流水面")
    assert f"0601 Industrial land {first_mu} mu" in en and "1101 River water surface" in en
    assert "GB/T 21010-2017" in zh and "GB/T 21010-2017" in en
