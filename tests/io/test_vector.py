"""Tests of layout.io.vector: Shapefile encodings, formats, layers, CRS rules, atomic writes.

Each fixture writes a tiny file to tmp_path; the expected result is written next to it (the
strings and coordinates that went in are what must come out).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from layout.errors import CRSError, DataFileError, EncodingError
from layout.io.vector import list_layers, read_layer, write_layer
from tests.fixtures.chinese_firms import NAMES, POINTS


def _shapefile(folder: Path, stem: str, names: list[str], encoding: str, *,
               keep_cpg: bool = False, keep_prj: bool = True) -> Path:
    """Write a point Shapefile (EPSG:4326) with a 'name' field in ``encoding``.

    The .cpg file GDAL writes is deleted unless ``keep_cpg``, as agencies' files come without
    one; ``keep_prj=False`` deletes the .prj too (a file without CRS).
    """
    gdf = gpd.GeoDataFrame({"name": names, "employees": list(range(1, len(names) + 1))},
                           geometry=POINTS[: len(names)], crs="EPSG:4326")
    path = folder / f"{stem}.shp"
    gdf.to_file(path, encoding=encoding)
    for suffix, keep in ((".cpg", keep_cpg), (".prj", keep_prj)):
        if not keep and path.with_suffix(suffix).exists():
            path.with_suffix(suffix).unlink()
    return path


# --- Shapefile encodings --------------------------------------------------------------------


def test_gbk_shapefile_without_cpg_is_decoded(tmp_path: Path) -> None:
    path = _shapefile(tmp_path, "firms", NAMES, "GBK")
    assert not path.with_suffix(".cpg").exists()
    # What GDAL alone would give: GBK bytes read as ISO-8859-1.
    assert pyogrio.read_info(path)["encoding"] == "ISO-8859-1"
    gdf = read_layer(path)
    assert gdf["name"].tolist() == NAMES
    assert gdf.attrs["encoding"] == "gb18030"
    assert gdf.attrs["source"] == str(path)
    assert any("detected" in note for note in gdf.attrs["notes"])
    assert gdf.crs.to_epsg() == 4326


def test_gb18030_only_character(tmp_path: Path) -> None:
    names = ["𠮷野家餐饮"]  # U+20BB7 exists in GB18030 but not in GBK
    with pytest.raises(UnicodeEncodeError):
        names[0].encode("gbk")
    path = _shapefile(tmp_path, "gb18030", names, "GB18030")
    assert read_layer(path)["name"].tolist() == names


def test_utf8_shapefile_without_cpg(tmp_path: Path) -> None:
    path = _shapefile(tmp_path, "utf8", NAMES, "UTF-8")
    gdf = read_layer(path)
    assert gdf["name"].tolist() == NAMES
    assert gdf.attrs["encoding"] == "utf-8"


def test_shapefile_with_cpg_is_honoured(tmp_path: Path) -> None:
    path = _shapefile(tmp_path, "with_cpg", NAMES, "GBK", keep_cpg=True)
    assert path.with_suffix(".cpg").read_text().strip().upper() == "GBK"
    gdf = read_layer(path)
    assert gdf["name"].tolist() == NAMES
    assert gdf.attrs["encoding"] == "gb18030"
    assert not any("detected" in note for note in gdf.attrs["notes"])


def test_cpg_that_contradicts_the_bytes(tmp_path: Path) -> None:
    path = _shapefile(tmp_path, "lying", NAMES, "GBK")
    path.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(EncodingError, match=r"\.cpg file says the encoding is utf-8.*encoding="):
        read_layer(path)


def test_undecodable_shapefile(tmp_path: Path) -> None:
    # 0xFF is valid in neither UTF-8 nor GB18030.
    path = _shapefile(tmp_path, "bad", ["ÿÿ works"], "ISO-8859-1")
    with pytest.raises(EncodingError, match=r"bad\.shp.*neither UTF-8 nor GBK.*encoding="):
        read_layer(path)


def test_latin1_text_is_not_guessed_as_chinese(tmp_path: Path) -> None:
    # "Müller" in Latin-1 is valid GB18030 (0xFC 0x6C is a GBK pair) but decodes to a rare
    # character: refusing is better than mojibake.  With the encoding given it reads.
    path = _shapefile(tmp_path, "latin", ["Müller GmbH"], "ISO-8859-1")
    with pytest.raises(EncodingError):
        read_layer(path)
    assert read_layer(path, encoding="latin-1")["name"].tolist() == ["Müller GmbH"]


def test_wrong_explicit_encoding_is_refused(tmp_path: Path) -> None:
    path = _shapefile(tmp_path, "firms", NAMES, "GBK")
    with pytest.raises(EncodingError, match=r"encoding you gave is utf-8.*record 1, field 'name'"):
        read_layer(path, encoding="utf-8")
    # Latin-1 decodes any byte, so the result is checked for mojibake instead.
    with pytest.raises(EncodingError, match="looks garbled"):
        read_layer(path, encoding="latin-1")


def test_zipped_shapefile(tmp_path: Path) -> None:
    path = _shapefile(tmp_path, "firms", NAMES, "GBK")
    archive = tmp_path / "firms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            zf.write(path.with_suffix(ext), f"data/firms{ext}")
    gdf = read_layer(archive)
    assert gdf["name"].tolist() == NAMES
    assert gdf.attrs["source"] == f"{archive}:firms"


def test_reading_does_not_modify_the_file(tmp_path: Path) -> None:
    path = _shapefile(tmp_path, "firms", NAMES, "GBK")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    read_layer(path, datum="gcj02")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# --- vector formats, layers, errors ---------------------------------------------------------


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": NAMES}, geometry=POINTS, crs="EPSG:4326")


def test_geojson(tmp_path: Path, points: gpd.GeoDataFrame) -> None:
    path = tmp_path / "firms.geojson"
    points.to_file(path, driver="GeoJSON")
    gdf = read_layer(path)
    assert gdf["name"].tolist() == NAMES
    assert gdf.attrs["source"] == str(path)
    assert list_layers(path) == ["firms"]


def test_geojson_without_crs_member_may_be_given_one(tmp_path: Path) -> None:
    # Old exports in Gauss-Kruger metres without a "crs" member: RFC 7946 says WGS84.
    path = tmp_path / "metres.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {"a": 1}, "geometry": {"type": "Point", '
                    '"coordinates": [512345.0, 3841234.0]}}]}', encoding="utf-8")
    assert read_layer(path).crs.to_epsg() == 4326
    gdf = read_layer(path, crs="EPSG:4547")
    assert gdf.crs.to_epsg() == 4547
    assert "GeoJSON without a crs member" in gdf.attrs["notes"][-1]


def test_geopackage_layers(tmp_path: Path, points: gpd.GeoDataFrame) -> None:
    path = tmp_path / "plan.gpkg"
    points.to_file(path, layer="enterprises")
    points.iloc[:1].to_file(path, layer="zones")
    assert sorted(list_layers(path)) == ["enterprises", "zones"]
    gdf = read_layer(path, layer="zones")
    assert len(gdf) == 1 and gdf.attrs["source"] == f"{path}:zones"
    with pytest.raises(DataFileError, match=r"2 layers \(.*enterprises.*\); choose one"):
        read_layer(path)
    with pytest.raises(DataFileError, match=r"has no layer 'firms'; available: .*enterprises"):
        read_layer(path, layer="firms")


def test_single_layer_geopackage_needs_no_layer(tmp_path: Path, points) -> None:
    path = tmp_path / "one.gpkg"
    points.to_file(path, layer="enterprises")
    assert read_layer(path).attrs["source"] == f"{path}:enterprises"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"nothere\.gpkg: file not found"):
        read_layer(tmp_path / "nothere.gpkg")
    with pytest.raises(DataFileError, match="file not found"):
        list_layers(tmp_path / "nothere.gpkg")


def test_empty_file_and_empty_layer(tmp_path: Path, points: gpd.GeoDataFrame) -> None:
    zero = tmp_path / "zero.geojson"
    zero.write_bytes(b"")
    with pytest.raises(DataFileError, match=r"zero\.geojson is an empty file"):
        read_layer(zero)
    empty = tmp_path / "empty.gpkg"
    points.iloc[:0].to_file(empty, layer="enterprises")
    with pytest.raises(DataFileError, match=r"empty\.gpkg:enterprises has no features"):
        read_layer(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("lon,lat\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="has no features"):
        read_layer(header_only)


def test_unreadable_formats(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gpkg"
    junk.write_text("hello")
    with pytest.raises(DataFileError, match=r"junk\.gpkg is not a readable GeoPackage"):
        read_layer(junk)
    other = tmp_path / "data.dwg"
    other.write_text("x")
    with pytest.raises(DataFileError, match=r"cannot read \.dwg; convert it"):
        read_layer(other)
    (tmp_path / "old.xls").write_text("x")
    with pytest.raises(DataFileError, match=r"save it as \.xlsx"):
        read_layer(tmp_path / "old.xls")


# --- CRS rules ------------------------------------------------------------------------------


def test_shapefile_without_prj(tmp_path: Path) -> None:
    path = _shapefile(tmp_path, "noprj", NAMES, "UTF-8", keep_prj=False)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(CRSError, match=r"noprj\.shp has no CRS.*crs="):
        read_layer(path)
    gdf = read_layer(path, crs="EPSG:4490")
    assert gdf.crs.to_epsg() == 4490
    assert any("given by the caller" in note for note in gdf.attrs["notes"])


def test_file_crs_is_never_overridden(tmp_path: Path, points: gpd.GeoDataFrame) -> None:
    path = tmp_path / "firms.gpkg"
    points.to_file(path, layer="firms")
    with pytest.raises(CRSError, match="is in EPSG:4326 but crs=EPSG:4547 was given"):
        read_layer(path, crs="EPSG:4547")
    assert read_layer(path, crs="EPSG:4326").crs.to_epsg() == 4326  # the same CRS is fine
    with pytest.raises(CRSError, match="not a CRS"):
        read_layer(path, crs="EPSG:nonsense")


def test_datum_needs_geographic_crs(tmp_path: Path, points: gpd.GeoDataFrame) -> None:
    path = tmp_path / "metric.gpkg"
    points.to_crs("EPSG:4547").to_file(path, layer="m")
    with pytest.raises(CRSError, match=r"EPSG:4547 \(projected\).*gcj02"):
        read_layer(path, datum="gcj02")
    with pytest.raises(CRSError, match="unknown datum"):
        read_layer(path, datum="tokyo")


# --- writing --------------------------------------------------------------------------------


def test_write_layer_keeps_other_gpkg_layers(tmp_path: Path, points: gpd.GeoDataFrame) -> None:
    path = tmp_path / "out" / "plan.gpkg"
    write_layer(points, path, layer="a")
    write_layer(points.iloc[:1], path, layer="b")
    write_layer(points.iloc[:1], path, layer="a")  # replaces layer a only
    assert sorted(list_layers(path)) == ["a", "b"]
    assert len(read_layer(path, layer="a")) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["plan.gpkg"]  # no temp left


def test_write_shapefile_round_trip(tmp_path: Path, points: gpd.GeoDataFrame) -> None:
    path = tmp_path / "firms.shp"
    path.with_suffix(".qix").write_bytes(b"stale spatial index")
    write_layer(points, path)
    assert path.with_suffix(".cpg").read_text().strip().upper() == "UTF-8"
    assert not path.with_suffix(".qix").exists()
    gdf = read_layer(path)
    assert gdf["name"].tolist() == NAMES
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_write_layer_is_atomic(tmp_path: Path, points: gpd.GeoDataFrame,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sites.geojson"
    write_layer(points, path)
    good = path.read_bytes()

    def half_written(gdf: gpd.GeoDataFrame, target: Path, **kwargs: object) -> None:
        Path(target).write_text('{"type": "FeatureCollection", "feat')
        raise pyogrio.errors.DataSourceError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", half_written)
    with pytest.raises(DataFileError, match=r"cannot write .*sites.geojson: disk full"):
        write_layer(points.iloc[:1], path)
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.geojson"]


def test_write_layer_refuses(tmp_path: Path, points: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSError, match="has no CRS"):
        write_layer(points.set_crs(None, allow_override=True), tmp_path / "a.gpkg")
    with pytest.raises(DataFileError, match=r"cannot write \.csv"):
        write_layer(points, tmp_path / "a.csv")


def test_chinese_field_names(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"名称": NAMES, "职工数": [100, 20]}, geometry=POINTS, crs="EPSG:4326")
    path = tmp_path / "fields.shp"
    gdf.to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    got = read_layer(path)
    assert list(got.columns) == ["名称", "职工数", "geometry"]
    assert got["名称"].tolist() == NAMES and got["职工数"].tolist() == [100, 20]


def test_zip_with_a_damaged_member_is_one_line(tmp_path: Path) -> None:
    # A byte of the .dbf flipped inside the zip: the archive opens, the member fails its CRC.
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.GeoDataFrame({"adcode": ["410191"]}, geometry=gpd.points_from_xy([113.7], [34.7]),
                     crs="EPSG:4326").to_file(folder / "counties.shp", engine="pyogrio")
    packed = tmp_path / "counties.zip"
    with zipfile.ZipFile(packed, "w") as zf:  # stored, so the byte can be found and flipped
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    data = bytearray(packed.read_bytes())
    at = data.index(b"410191")
    data[at : at + 6] = b"XXXXXX"
    packed.write_bytes(bytes(data))
    with pytest.raises(DataFileError) as info:
        read_layer(packed)
    assert str(info.value) == (
        f"{packed} is a damaged zip file (Bad CRC-32 for file 'counties.dbf'); pack the "
        "Shapefile again"
    )
