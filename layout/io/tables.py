"""Reading tables of points with longitude and latitude columns: CSV, TSV and Excel.

`read_table` reads a ``.csv``/``.tsv`` (text decoded as UTF-8, GBK/GB18030 or UTF-16, detected
by `layout.io.encoding`) or a sheet of an ``.xlsx`` workbook, finds the longitude and latitude
columns (`LON_NAMES`, `LAT_NAMES`) and makes them point geometries.  It is the table branch of
`layout.io.vector.read_raw`; `layout.io.vector.read_layer` adds the CRS rules and datum shifts.
"""

from __future__ import annotations

import difflib
import io as _io
import logging
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layout.core.datum import check_datum
from layout.errors import DataFileError, EncodingError
from layout.io import encoding as _encoding
from layout.io.crs import parse_crs
from layout.io.files import empty_message, first_line, pick_layer
from layout.io.gkzones import GK_HINT

#: Column names recognised as longitude and latitude (case-insensitive), in order of preference.
LON_NAMES: tuple[str, ...] = ("lon", "lng", "long", "longitude", "经度", "东经", "x")
LAT_NAMES: tuple[str, ...] = ("lat", "latitude", "纬度", "北纬", "y")

#: Suffixes of the tables read here.
TABLE_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".xlsx", ".xlsm")

logger = logging.getLogger(__name__)


def sheet_names(p: Path) -> list[str]:
    """The sheet names of an Excel workbook; `DataFileError` when it is damaged."""
    try:
        with pd.ExcelFile(p, engine="openpyxl") as xf:
            return [str(s) for s in xf.sheet_names]
    except MemoryError:
        raise
    except Exception as exc:  # see read_sheet: the parser's errors are not enumerable
        raise workbook_error(p, exc) from None


def read_sheet(p: Path, sheet: str) -> pd.DataFrame:
    """One sheet of an Excel workbook as a DataFrame; `DataFileError` when it is damaged.

    A damaged workbook makes openpyxl raise whatever its zip, XML and cell parsers raise
    (``BadZipFile``, ``KeyError``, ``xml.etree.ElementTree.ParseError``, ``ValueError``,
    ``TypeError``, openpyxl's ``InvalidFileException`` ...), which no list can name ahead:
    any error while parsing a file we were asked to read means the file cannot be read.
    """
    try:
        return pd.read_excel(p, sheet_name=sheet, engine="openpyxl")
    except MemoryError:
        raise
    except Exception as exc:  # the parser's errors are not enumerable (docstring)
        raise workbook_error(p, exc, sheet=sheet) from None


def workbook_error(p: Path, exc: BaseException, *, sheet: str | None = None) -> DataFileError:
    """The one-line error of a workbook openpyxl cannot parse (the parser's reason quoted)."""
    reason = first_line(exc) if not isinstance(exc, zipfile.BadZipFile) else "not a zip archive"
    where = f"{p}:{sheet}" if sheet is not None else str(p)
    logger.debug("reading %s failed", where, exc_info=exc)
    return DataFileError(
        f"{where} is not a readable Excel workbook ({type(exc).__name__}: {reason}); open it "
        "in Excel or WPS and save it again as .xlsx, or export the sheet as CSV"
    )


def read_table(
    p: Path,
    *,
    suffix: str,
    layer: str | None,
    crs: str | CRS | None,
    datum: str,
    encoding: str | None,
    lon: str | None,
    lat: str | None,
    name: str,
) -> gpd.GeoDataFrame:
    """Read a table of points; the arguments are those of `layout.io.vector.read_raw`.

    ``p`` is an existing file and ``suffix`` its lower-case suffix, one of `TABLE_SUFFIXES`;
    ``name`` names it in messages.  The CRS is ``crs`` when given, EPSG:4326 (EPSG:4490 for
    CGCS2000) when every coordinate lies within ±180, else None with a hint in
    ``attrs["crs_hint"]``.
    """
    notes: list[str] = []
    attrs: dict[str, Any] = {}
    if suffix in (".csv", ".tsv"):
        source = f"{name}:{layer}" if layer is not None else name
        if layer is not None and layer != p.stem:
            raise DataFileError(f"{p} is a single table; drop layer= (it has only {p.stem!r})")
        codec, text = _decode_text(p.read_bytes(), encoding=encoding, name=source)
        attrs["encoding"] = codec
        try:
            df = pd.read_csv(_io.StringIO(text), sep="\t" if suffix == ".tsv" else ",",
                             dtype=str, skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataFileError(
                f"{source} is not a readable table ({first_line(exc)}); check the delimiters"
            ) from None
        df = _infer_numbers(df)
        _encoding.check_no_mojibake(df, source=source, encoding=codec)
    else:
        sheets = sheet_names(p)
        sheet = layer if layer is not None else sheets[0]
        pick_layer(sheets, sheet, p, what="sheet")
        source = f"{name}:{sheet}"
        if layer is None and len(sheets) > 1:
            notes.append(f"read the first sheet {sheet!r} of {len(sheets)}")
        df = read_sheet(p, sheet)
    df.columns = [str(c).strip() for c in df.columns]
    if len(df) == 0:
        raise DataFileError(empty_message(source))
    lon_col, lat_col = _lonlat_columns(df, lon, lat, source)
    x = pd.to_numeric(df[lon_col], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(df[lat_col], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    geometry = np.full(len(df), None, dtype=object)
    geometry[ok] = shapely.points(x[ok], y[ok])
    table_crs: CRS | None = None
    if crs is not None:
        table_crs = parse_crs(crs)
    elif np.all(np.abs(x[ok]) <= 180) and np.all(np.abs(y[ok]) <= 180):
        # Degrees: lon/lat columns mean geographic coordinates (see the read_layer Notes).
        code = "EPSG:4490" if check_datum(datum) == "cgcs2000" else "EPSG:4326"
        table_crs = CRS.from_user_input(code)
        notes.append(f"columns {lon_col}/{lat_col} read as longitude/latitude degrees ({code})")
    else:
        attrs["crs_hint"] = (
            f"{source}: columns {lon_col}/{lat_col} hold values up to "
            f"{np.nanmax(np.abs(np.r_[x[ok], y[ok]])):.0f}, which are not degrees, so their CRS "
            "cannot be assumed; pass crs= (--crs) for metres: "
            f"{GK_HINT}"
        )
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geometry, index=df.index), crs=table_crs)
    gdf.attrs.update(attrs)
    gdf.attrs.update(source=source, notes=notes, lonlat_columns=(lon_col, lat_col))
    return gdf


def _decode_text(data: bytes, *, encoding: str | None, name: str) -> tuple[str, str]:
    """Decode a text file: ``encoding``, else a BOM, else UTF-8 or GB18030 (Excel's Chinese CSV)."""
    if encoding is not None:
        try:
            return encoding, data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise EncodingError(
                f"{name} is not valid {encoding} ({exc}); pass the right encoding="
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        try:
            return "utf-16", data.decode("utf-16")
        except UnicodeDecodeError:
            raise EncodingError(f"{name} starts like UTF-16 but is not valid UTF-16") from None
    codec = _encoding.choose_encoding([data])
    if codec is None:
        raise EncodingError(
            f"{name} is neither UTF-8 nor GBK/GB18030 text; pass encoding= (--encoding), "
            "e.g. 'big5'"
        )
    return codec, data.decode(codec)


def _infer_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns whose every value is a number into numbers.

    Columns with a value such as ``"0012"`` stay text: leading zeros mark codes, not amounts.
    A single non-number (``"abc"``) keeps the column as text so that validation can report it.
    """
    out = df.copy()
    for col in out.columns:
        values = out[col].dropna().astype(str).str.strip()
        values = values[values != ""]
        if values.empty or values.str.match(r"^[+-]?0\d").any():
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.notna().all():
            out[col] = pd.to_numeric(out[col].astype(str).str.strip(), errors="coerce")
    return out


def _lonlat_columns(
    df: pd.DataFrame, lon: str | None, lat: str | None, source: str
) -> tuple[str, str]:
    by_name = {c.lower(): c for c in df.columns}
    chosen: list[str] = []
    for given, names, what in ((lon, LON_NAMES, "longitude"), (lat, LAT_NAMES, "latitude")):
        if given is not None:
            if given not in df.columns:
                close = difflib.get_close_matches(given, list(df.columns), n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else ";"
                raise DataFileError(
                    f"{source} has no column {given!r} (given as {what}: lon=/lat=, [inputs] "
                    f"columns.{'lon' if what == 'longitude' else 'lat'}){hint} "
                    f"columns: {', '.join(df.columns)}"
                )
            chosen.append(given)
            continue
        found = next((by_name[n] for n in names if n in by_name), None)
        if found is None:
            raise DataFileError(
                f"{source} has no {what} column (looked for {'/'.join(names)}); columns: "
                f"{', '.join(df.columns)}; name the columns with --lon/--lat (lon=, lat=)"
            )
        chosen.append(found)
    return chosen[0], chosen[1]
