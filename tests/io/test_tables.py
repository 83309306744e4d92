"""Tests of layout.io.tables (through layout.io.vector.read_layer): CSV, TSV and Excel tables.

Each test writes a tiny table to tmp_path; the names and coordinates that went in are what must
come out.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from layout.core.datum import bd09_to_wgs84, gcj02_to_wgs84
from layout.errors import CRSError, DataFileError
from layout.io.vector import list_layers, read_layer
from tests.fixtures.chinese_firms import NAMES

# --- CSV and Excel tables -------------------------------------------------------------------


def test_csv_with_chinese_lonlat_columns(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_text("名称,经度,纬度,职工\n郑州宇通客车股份有限公司,113.749,34.698,100\n"
                    "新密市耐材厂,113.427,34.509,20\n", encoding="utf-8")
    gdf = read_layer(path)
    assert gdf["名称"].tolist() == NAMES
    assert gdf.crs.to_epsg() == 4326
    np.testing.assert_allclose(gdf.geometry.x, [113.749, 113.427])
    np.testing.assert_allclose(gdf.geometry.y, [34.698, 34.509])
    assert gdf["职工"].tolist() == [100, 20]
    assert any("EPSG:4326" in note for note in gdf.attrs["notes"])


def test_gbk_csv_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "firms_gbk.csv"
    path.write_bytes("名称,经度,纬度\n新密市耐材厂,113.427,34.509\n".encode("gbk"))
    gdf = read_layer(path)
    assert gdf["名称"].tolist() == ["新密市耐材厂"]
    assert gdf.attrs["encoding"] == "gb18030"


def test_csv_with_bom_and_codes(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffcode,lng,lat,n\n0012,113.7,34.7,5\n0100,113.8,34.8,\n".encode())
    gdf = read_layer(path)
    assert gdf.attrs["encoding"] == "utf-8-sig"
    assert gdf["code"].tolist() == ["0012", "0100"]  # leading zeros kept: codes, not numbers
    assert gdf["n"].iloc[0] == 5 and np.isnan(gdf["n"].iloc[1])


def test_utf16_tab_separated_text(tmp_path: Path) -> None:
    path = tmp_path / "unicode.tsv"
    path.write_bytes("名称\t经度\t纬度\n新密市耐材厂\t113.427\t34.509\n".encode("utf-16"))
    gdf = read_layer(path)
    assert gdf["名称"].tolist() == ["新密市耐材厂"] and gdf.attrs["encoding"] == "utf-16"


def test_cgcs2000_table_is_epsg_4490(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_text("lon,lat\n113.7,34.7\n", encoding="utf-8")
    assert read_layer(path, datum="cgcs2000").crs.to_epsg() == 4490


def test_xlsx_with_chinese_columns_and_sheets(tmp_path: Path) -> None:
    path = tmp_path / "firms.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"名称": NAMES, "经度": [113.749, 113.427], "纬度": [34.698, 34.509]}
                     ).to_excel(writer, sheet_name="企业", index=False)
        pd.DataFrame({"note": ["说明"]}).to_excel(writer, sheet_name="说明", index=False)
    assert list_layers(path) == ["企业", "说明"]
    gdf = read_layer(path)
    assert gdf["名称"].tolist() == NAMES
    assert gdf.attrs["source"] == f"{path}:企业"
    assert any("first sheet" in note for note in gdf.attrs["notes"])
    np.testing.assert_allclose(gdf.geometry.x, [113.749, 113.427])
    with pytest.raises(DataFileError, match="has no sheet 'x'; available: 企业, 说明"):
        read_layer(path, layer="x")
    with pytest.raises(DataFileError, match=r"no longitude column.*note.*--lon/--lat"):
        read_layer(path, layer="说明")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_gcj02_and_bd09_are_converted(tmp_path: Path, suffix: str) -> None:
    lon, lat = [113.749, 113.427], [34.698, 34.509]
    frame = pd.DataFrame({"name": NAMES, "经度": lon, "纬度": lat})
    path = tmp_path / f"gaode{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False, engine="openpyxl")
    for datum, to_wgs84 in (("gcj02", gcj02_to_wgs84), ("bd09", bd09_to_wgs84)):
        gdf = read_layer(path, datum=datum)
        x, y = to_wgs84(lon, lat)
        np.testing.assert_allclose(gdf.geometry.x, x, rtol=0, atol=1e-12)
        np.testing.assert_allclose(gdf.geometry.y, y, rtol=0, atol=1e-12)
        assert gdf.crs.to_epsg() == 4326
        assert gdf.attrs["notes"][-1] == f"converted from {datum.upper()} to WGS84"
        # The shift is about half a kilometre in Zhengzhou (domain brief §3).
        assert 0.003 < abs(gdf.geometry.x.iloc[0] - lon[0]) < 0.02


def test_explicit_lonlat_columns(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("name,E,N\na,113.7,34.7\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"no longitude column.*columns: name, E, N.*--lon"):
        read_layer(path)
    gdf = read_layer(path, lon="E", lat="N")
    assert gdf.geometry.iloc[0].equals(shapely.Point(113.7, 34.7))
    with pytest.raises(DataFileError, match="no column 'X'"):
        read_layer(path, lon="X", lat="N")


def test_projected_table_needs_crs(tmp_path: Path) -> None:
    path = tmp_path / "metres.csv"
    path.write_text("x,y\n512345,3841234\n", encoding="utf-8")
    with pytest.raises(CRSError, match=r"not degrees.*crs=.*EPSG:4534–4554"):
        read_layer(path)
    gdf = read_layer(path, crs="EPSG:4547")
    assert gdf.crs.to_epsg() == 4547
    with pytest.raises(CRSError, match="lon/lat from a web map"):
        read_layer(path, crs="EPSG:4547", datum="gcj02")


def test_missing_values_give_missing_geometry(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("lon,lat\n113.7,34.7\n,34.8\nabc,34.9\n", encoding="utf-8")
    gdf = read_layer(path)
    assert gdf.geometry.isna().tolist() == [False, True, True]
    assert gdf.attrs["lonlat_columns"] == ("lon", "lat")


# --- damaged workbooks ----------------------------------------------------------------------


def _workbook(path: Path) -> bytes:
    pd.DataFrame({"ent_id": ["E1"], "lon": [113.7], "lat": [34.7]}).to_excel(path, index=False)
    return path.read_bytes()


def _rezip(good: Path, out: Path, change: dict[str, bytes | None]) -> None:
    """Copy a workbook's zip members, replacing (bytes) or dropping (None) some of them."""
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            data = change.get(name, zin.read(name))
            if data is not None:
                zout.writestr(name, data)


@pytest.mark.parametrize(
    "damage",
    ["random-bytes", "truncated", "garbage-xml-in-zip", "half-a-sheet", "no-workbook-part"],
)
def test_damaged_workbook_is_one_line_naming_the_file(tmp_path: Path, damage: str) -> None:
    good = tmp_path / "good.xlsx"
    data = _workbook(good)
    bad = tmp_path / "firms.xlsx"
    if damage == "random-bytes":
        bad.write_bytes(np.random.default_rng(1).bytes(4000))
    elif damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "garbage-xml-in-zip":
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("[Content_Types].xml", "junk<")
            zf.writestr("xl/workbook.xml", "garbage<")
    elif damage == "half-a-sheet":
        with zipfile.ZipFile(good) as zf:
            sheet = zf.read("xl/worksheets/sheet1.xml")
        _rezip(good, bad, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})
    else:
        _rezip(good, bad, {"xl/workbook.xml": None})
    with pytest.raises(DataFileError) as info:
        read_layer(bad)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}") and "is not a readable Excel workbook" in message
    assert "save it again as .xlsx" in message
