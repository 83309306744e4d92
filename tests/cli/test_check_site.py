"""Tests of ``layout check-site`` through click's CliRunner on the ``layout`` group.

The group turns library errors into one line and exit status 2; these tests check that every
bad input gets such a line naming the parcel or the field, and never a traceback. The score
cache is the session's `score_cache` (tests/conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner, Result

from layout.cli.main import cli
from layout.data.indicators import FIELDS
from layout.io.crs import convert_datum
from layout.products.maps import external_loads
from layout.products.sitecheck import example_indicators, example_parcels
from layout.scoring.cache import ScoreCache

METRIC = "EPSG:4547"


@pytest.fixture(autouse=True)
def use_cache(score_cache: ScoreCache, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAYOUT_CACHE_DIR", str(score_cache.folder.parent))


@pytest.fixture()
def parcels(tmp_path: Path) -> Path:
    path = tmp_path / "parcels.geojson"
    example_parcels().to_file(path, driver="GeoJSON")
    return path


@pytest.fixture()
def indicators(tmp_path: Path) -> Path:
    path = tmp_path / "ind.json"
    path.write_text(json.dumps(example_indicators()), encoding="utf-8")
    return path


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["check-site", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def bad(*args: str, expect: str) -> str:
    """Run, expect exit 2 and one line ``error: ...`` containing ``expect``."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and expect in lines[0], lines[0]
    return lines[0]


def verdicts(result: Result) -> dict[str, str]:
    doc = json.loads(result.stdout)
    return {p["parcel_id"]: p["verdict"] for p in doc["parcels"]}


# --- good input --------------------------------------------------------------------------------


def test_json_to_stdout(parcels: Path, indicators: Path) -> None:
    result = run(str(parcels), "--industry", "electronics", "--indicators", str(indicators))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == "1.2"
    assert verdicts(result) == {
        "A-airport": "suitable", "B-farm": "unsuitable", "C-lowfar": "conditional"
    }


def test_exit_0_whatever_the_verdicts(parcels: Path) -> None:
    result = run(str(parcels), "--industry", "aluminium", "-q")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_out_dir_writes_json_md_html(parcels: Path, indicators: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    for fmt in ("md", "html"):
        result = run(str(parcels), "--industry", "electronics", "--indicators", str(indicators),
                     "--out", str(out), "--format", fmt, "--overwrite")
        assert result.exit_code == 0, result.output
        assert "B-farm: unsuitable -- overlaps permanent basic farmland" in result.stdout
    stem = out / "sitecheck_A-airport_to_C-lowfar_electronics"
    assert json.loads(stem.with_suffix(".json").read_text("utf-8"))["summary"]["parcels"] == 3
    assert "电子信息" in stem.with_suffix(".md").read_text("utf-8").splitlines()[0]
    html = stem.with_suffix(".html").read_text("utf-8")
    assert external_loads(html) == [] and "B-farm" in html and "leaflet" in html.lower()


def test_wkt_parcel(parcels: Path) -> None:
    a = example_parcels().geometry.iloc[0]
    result = run("--wkt", a.wkt, "--industry", "electronics")
    assert result.exit_code == 0, result.output
    assert verdicts(result) == {"wkt-1": "suitable"}
    assert "WKT coordinates read as EPSG:4326" in result.stderr


def test_gcj02_same_as_wgs84(parcels: Path, tmp_path: Path) -> None:
    gcj = tmp_path / "gcj.geojson"
    convert_datum(example_parcels(), from_datum="wgs84", to_datum="gcj02").to_file(
        gcj, driver="GeoJSON")
    ref = json.loads(run(str(parcels), "--industry", "food").stdout)
    got = json.loads(run(str(gcj), "--industry", "food", "--datum", "gcj02").stdout)
    for a, b in zip(ref["parcels"], got["parcels"], strict=True):
        assert a["verdict"] == b["verdict"]
        assert a["area_mu"] == pytest.approx(b["area_mu"], rel=1e-6)
        assert a["suitability"]["mean"] == pytest.approx(b["suitability"]["mean"], abs=1e-3)
    # without --datum the same file lands about 0.5 km off: other numbers
    off = json.loads(run(str(gcj), "--industry", "food").stdout)
    assert off["parcels"][0]["suitability"]["mean"] != ref["parcels"][0]["suitability"]["mean"]


def test_cgcs2000_gauss_kruger_file(tmp_path: Path, parcels: Path) -> None:
    path = tmp_path / "gk.gpkg"
    example_parcels().to_crs("EPSG:4526").to_file(path, driver="GPKG")
    ref = verdicts(run(str(parcels), "--industry", "electronics"))
    assert verdicts(run(str(path), "--industry", "electronics")) == ref


def test_gbk_shapefile_with_chinese_ids(tmp_path: Path) -> None:
    gdf = example_parcels().assign(地块编号=["甲-1", "乙-2", "丙-3"]).drop(columns="parcel_id")
    path = tmp_path / "地块.shp"
    gdf.to_file(path, encoding="gbk")
    (tmp_path / "地块.cpg").unlink(missing_ok=True)
    result = run(str(path), "--industry", "electronics")
    assert result.exit_code == 0, result.output
    assert list(verdicts(result)) == ["甲-1", "乙-2", "丙-3"]


def test_repair_warning(tmp_path: Path) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    x0, y0, x1, y1 = a.bounds
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0 + 5, y1), (x0 - 3, y1 - 3), (x0 + 3, y1 - 3),
            (x0, y1), (x0, y0)]
    path = tmp_path / "loop.gpkg"
    gpd.GeoDataFrame({"parcel_id": ["P3"]}, geometry=[shapely.Polygon(ring)],
                     crs=METRIC).to_file(path, driver="GPKG")
    result = run(str(path), "--industry", "electronics")
    assert result.exit_code == 0
    assert "warning: parcel P3 was self-intersecting; repaired (area changed" in result.stderr


def test_batch_keyed_by_id(tmp_path: Path) -> None:
    base = example_parcels().to_crs(METRIC).geometry.iloc[0]
    geoms = [shapely.affinity.translate(base, dx, dy)
             for dx in range(-3000, 3001, 1500) for dy in range(-3000, 3001, 1500)]
    gdf = gpd.GeoDataFrame({"parcel_id": [f"G{i:02d}" for i in range(len(geoms))]},
                           geometry=geoms, crs=METRIC).to_crs("EPSG:4326")
    path = tmp_path / "grid.geojson"
    gdf.to_file(path, driver="GeoJSON")
    result = run(str(path), "--industry", "biomedicine")
    assert result.exit_code == 0
    assert list(verdicts(result)) == gdf["parcel_id"].tolist()


# --- bad input: one line, exit 2, naming the parcel or the field -------------------------------


def test_outside_study_area(tmp_path: Path) -> None:
    path = tmp_path / "far.geojson"
    gpd.GeoDataFrame({"parcel_id": ["SH-1"]}, geometry=[shapely.box(121.4, 31.2, 121.41, 31.21)],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    bad(str(path), "--industry", "food", expect="parcel SH-1: lies outside the study area")


def test_no_crs(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        example_parcels().to_crs(METRIC).set_crs(None, allow_override=True).to_file(path)
    assert not path.with_suffix(".prj").exists()
    bad(str(path), "--industry", "food", expect="has no CRS")
    result = run(str(path), "--industry", "food", "--crs", METRIC)
    assert result.exit_code == 0


def test_swapped_lat_lon(tmp_path: Path) -> None:
    gdf = example_parcels()
    gdf["geometry"] = gdf.geometry.map(lambda g: shapely.transform(g, lambda xy: xy[:, ::-1]))
    path = tmp_path / "swapped.geojson"
    gdf.to_file(path, driver="GeoJSON")
    line = bad(str(path), "--industry", "food", expect="parcel A-airport: latitude and longitude")
    assert "and 2 more problems: parcel B-farm, C-lowfar" in line


def test_self_intersecting_rejected(tmp_path: Path) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    x0, y0, x1, y1 = a.bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    path = tmp_path / "bowtie.gpkg"
    gpd.GeoDataFrame({"parcel_id": ["P7"]}, geometry=[bowtie], crs=METRIC).to_file(
        path, driver="GPKG")
    bad(str(path), "--industry", "food", expect="parcel P7: is self-intersecting")


def test_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    bad(str(empty), "--industry", "food", expect="empty file")
    no_features = tmp_path / "none.geojson"
    no_features.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    bad(str(no_features), "--industry", "food", expect="has no features")
    bad("--industry", "food", expect="no parcels")
    bad(str(tmp_path / "missing.geojson"), "--industry", "food", expect="not found")


def test_unknown_industry(parcels: Path) -> None:
    bad(str(parcels), "--industry", "electronic", expect="did you mean 'electronics'")


def test_indicators_missing_field(parcels: Path, tmp_path: Path) -> None:
    ind = tmp_path / "ind.csv"
    fields = [f for f in FIELDS if f != "admin_share"]
    rows = [f"{pid}," + ",".join(str(v[f]) for f in fields)
            for pid, v in example_indicators().items()]
    ind.write_text("parcel_id," + ",".join(fields) + "\n" + "\n".join(rows) + "\n", "utf-8")
    bad(str(parcels), "--industry", "food", "--indicators", str(ind),
        expect="ind.csv: missing field 'admin_share'")


def test_indicators_non_numeric(parcels: Path, tmp_path: Path) -> None:
    data = example_indicators()
    data["B-farm"]["far"] = "high"  # type: ignore[assignment]
    ind = tmp_path / "ind.json"
    ind.write_text(json.dumps(data), encoding="utf-8")
    bad(str(parcels), "--industry", "food", "--indicators", str(ind),
        expect="ind.json, parcel B-farm: field 'far' = 'high' is not a number")


def test_indicators_percent_share(parcels: Path, tmp_path: Path) -> None:
    ind = tmp_path / "one.toml"
    values = {**example_indicators()["A-airport"], "building_coverage": 45}
    ind.write_text("".join(f"{k} = {v}\n" for k, v in values.items()), encoding="utf-8")
    bad(str(parcels), "--industry", "food", "--indicators", str(ind),
        expect="'building_coverage' = 45 is above 1")


def test_bad_wkt() -> None:
    bad("--wkt", "POLYGON((113.8 34.5, 113.81", "--industry", "food", expect="not valid WKT")
    bad("--wkt", "POLYGON((480000 3820000, 480500 3820000, 480500 3820400, 480000 3820000))",
        "--industry", "food", expect="pass --crs")


def test_file_and_wkt_together(parcels: Path) -> None:
    a = example_parcels().geometry.iloc[0]
    bad(str(parcels), "--wkt", a.wkt, "--industry", "food", expect="not both")


def test_plan_dir_sites(parcels: Path, tmp_path: Path) -> None:
    b = example_parcels().to_crs(METRIC).geometry.iloc[1]
    site = shapely.affinity.translate(b, 0, 1500).buffer(150)
    plan_dir = tmp_path / "out"
    plan_dir.mkdir()
    gpd.GeoDataFrame(
        {"site_id": ["electronics-01"], "industry": ["electronics"], "rank": [1],
         "area_mu": [site.area / (10_000 / 15)], "mean_score": [75.0], "min_score": [60.0],
         "zone_id": ["airport"]},
        geometry=[site], crs=METRIC,
    ).to_file(plan_dir / "plan.gpkg", layer="sites", driver="GPKG")
    result = run(str(parcels), "--industry", "electronics", "--plan-dir", str(plan_dir))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["alternatives_from"] == "plan"
    alts = {p["parcel_id"]: p["alternatives"] for p in doc["parcels"]}
    assert [a["site_id"] for a in alts["B-farm"]] == ["electronics-01"]
    assert alts["A-airport"] == []  # 75 is not 10 points above A's 82.7
    bad(str(parcels), "--industry", "electronics", "--plan-dir", str(tmp_path / "none"),
        expect="plan.gpkg: not found")


# --- terminal control characters in names ----------------------------------------------------

#: Parcel ids that retitle the window, clear the screen (7-bit and 8-bit CSI), return the cursor.
EVIL_IDS = ["\x1b]0;pwned\x07A", "\x1b[2J\x9b2J\rB\x7f\x85b", "\x1bP+q\x1b\\C"]
CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\x7f", "\x85", "\r")


def test_names_reach_the_terminal_without_control_characters(tmp_path: Path) -> None:
    a = example_parcels().to_crs(METRIC).geometry.iloc[0]
    x0, y0, x1, y1 = a.bounds
    loop = shapely.Polygon([(x0, y0), (x1, y0), (x1, y1), (x0 + 5, y1), (x0 - 3, y1 - 3),
                            (x0 + 3, y1 - 3), (x0, y1), (x0, y0)])  # repaired: a warning
    geoms = [loop, *example_parcels().to_crs(METRIC).geometry.iloc[1:3]]
    path = tmp_path / "evil.gpkg"
    gpd.GeoDataFrame({"parcel_id": EVIL_IDS}, geometry=geoms, crs=METRIC).to_file(path)
    for fmt in ("json", "md", "html"):
        for out in ([], ["--out", str(tmp_path / fmt)]):
            result = run(str(path), "--industry", "food", "--format", fmt, *out)
            assert result.exit_code == 0, result.output
            for stream in (result.stdout, result.stderr):
                assert not [c for c in CONTROLS if c in stream], (fmt, out, stream[-300:])
            assert "warning: parcel ]0;pwned" not in result.stderr  # the sequence went whole
            assert "was self-intersecting; repaired" in result.stderr
            if fmt == "json" and not out:  # the data itself is kept, escaped as JSON does
                assert [p["parcel_id"] for p in json.loads(result.stdout)["parcels"]] == EVIL_IDS
            if out:  # the summary line: the window-title sequence removed whole
                assert any(line.startswith("A: ") for line in result.stdout.splitlines())
    # the file keeps the ids too (\uXXXX escapes), without a raw control character
    (written,) = (tmp_path / "json").glob("sitecheck_*.json")
    assert not [c for c in CONTROLS if c in written.name]
    text = written.read_text("utf-8")
    assert not [c for c in CONTROLS if c in text]
    assert [p["parcel_id"] for p in json.loads(text)["parcels"]] == EVIL_IDS


# --- batch files, names and --overwrite --------------------------------------------------------


def test_out_writes_batch_csv_and_geojson(parcels: Path, tmp_path: Path) -> None:
    out = tmp_path / "batch"
    result = run(str(parcels), "--industry", "electronics", "--out", str(out))
    assert result.exit_code == 0, result.output
    stem = "sitecheck_A-airport_to_C-lowfar_electronics"
    assert sorted(p.name for p in out.iterdir()) == [
        f"{stem}.csv", f"{stem}.geojson", f"{stem}.json"]
    doc = json.loads((out / f"{stem}.json").read_text("utf-8"))
    rows = (out / f"{stem}.csv").read_text("utf-8").splitlines()
    assert len(rows) == 1 + len(doc["parcels"])
    fc = json.loads((out / f"{stem}.geojson").read_text("utf-8"))
    assert [f["properties"]["verdict"] for f in fc["features"]] == [
        p["verdict"] for p in doc["parcels"]]


def test_existing_output_refused_without_overwrite(parcels: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    assert run(str(parcels), "--industry", "electronics", "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    line = bad(str(parcels), "--industry", "electronics", "--out", str(out), "--format", "md",
               expect="exists")
    assert "--overwrite" in line and "sitecheck_A-airport_to_C-lowfar_electronics" in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing touched
    # another industry or other parcels: other names, no conflict
    assert run(str(parcels), "--industry", "food", "--out", str(out)).exit_code == 0
    wkt = "POLYGON((113.8044 34.5492, 113.8110 34.5492, 113.8110 34.5533, 113.8044 34.5492))"
    assert run("--wkt", wkt, "--industry", "electronics", "--out", str(out)).exit_code == 0
    assert (out / "sitecheck_wkt-1_electronics.json").exists()
    result = run(str(parcels), "--industry", "electronics", "--out", str(out), "--format", "md",
                 "--overwrite")
    assert result.exit_code == 0, result.output
    assert (out / "sitecheck_A-airport_to_C-lowfar_electronics.md").exists()


def test_format_csv_to_stdout(parcels: Path) -> None:
    result = run(str(parcels), "--industry", "electronics", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("parcel_id,industry,verdict,main_reason")
    assert [line.split(",")[0] for line in lines[1:]] == ["A-airport", "B-farm", "C-lowfar"]


@pytest.mark.parametrize(("lang", "first"), [("zh", "# 建设项目用地选址审查意见"),
                                             ("en", "# Site opinion")])
def test_lang_and_date(parcels: Path, lang: str, first: str) -> None:
    result = run(str(parcels), "--industry", "electronics", "--format", "md", "--lang", lang,
                 "--date", "2026-12-06")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(first)
    assert result.stdout.count("2026-12-06") == 3  # one date of review per parcel
