"""Reading and writing vector layers: GeoPackage, GeoJSON, Shapefile, CSV and Excel tables.

Everything read comes back as a GeoDataFrame **with its CRS** and in WGS84 positions:

* a file's own CRS is never overridden silently: a ``crs`` argument only fills in a missing one,
  and a ``crs`` that disagrees with the file's raises `CRSError` naming both;
* a file without a CRS and without a ``crs`` argument raises `CRSError` saying how to give one;
* coordinates copied from Chinese web maps (``datum="gcj02"`` for Gaode/Tencent, ``"bd09"`` for
  Baidu) are converted to WGS84 with `layout.io.crs.convert_datum`;
* Shapefile and CSV text is decoded in the encoding detected by `layout.io.encoding` (UTF-8 or
  GBK/GB18030, or what a ``.cpg`` file says) and checked for mojibake.

Each result carries ``attrs["source"]`` (``"path"`` or ``"path:layer"``, used in messages),
``attrs["notes"]`` (assumptions made while reading, in words) and, for Shapefiles and CSV,
``attrs["encoding"]``.  Tables of points are read by `layout.io.tables`; the checks of paths and
formats are in `layout.io.files`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from pyproj import CRS

from layout.core.datum import check_datum
from layout.errors import CRSError, DataFileError, EncodingError
from layout.io import encoding as _encoding
from layout.io.crs import convert_datum, crs_label, parse_crs
from layout.io.files import (
    FORMATS,
    empty_message,
    existing_file,
    file_suffix,
    first_line,
    pick_layer,
    reader_warnings_logged,
)
from layout.io.gkzones import GK_HINT
from layout.io.tables import TABLE_SUFFIXES, read_table, sheet_names

#: Writable file suffixes and their GDAL drivers.
DRIVERS: dict[str, str] = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
    ".fgb": "FlatGeobuf",
}
_CONTAINERS = (".gpkg", ".zip", ".xlsx", ".xlsm")  # files that hold several layers or sheets
_SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")


# --- reading --------------------------------------------------------------------------------


def read_layer(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    crs: str | CRS | None = None,
    datum: str = "wgs84",
    encoding: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    source_name: str | None = None,
) -> gpd.GeoDataFrame:
    r"""Read one vector layer into a new GeoDataFrame, with its CRS and WGS84 positions.

    Parameters
    ----------
    path
        A GeoPackage (``.gpkg``), GeoJSON (``.geojson``/``.json``), Shapefile (``.shp``, or a
        ``.zip`` holding one), FlatGeobuf (``.fgb``), or a table of points with longitude and
        latitude columns (``.csv``, ``.tsv``, ``.xlsx``).
    layer
        Layer of a GeoPackage or zip, sheet of an Excel file.  Required when a GeoPackage or zip
        holds several layers; an Excel file's first sheet is read by default.
    crs
        CRS of a file that carries none (a Shapefile without ``.prj``, a table of projected x/y).
        It never overrides a file's own CRS: if both are given and differ, `CRSError` names both.
    datum
        Datum the coordinates were taken in: ``"wgs84"``, ``"cgcs2000"``, or ``"gcj02"``
        (Gaode/Tencent) and ``"bd09"`` (Baidu), which are converted to WGS84.  Conversion needs a
        geographic CRS.
    encoding
        Text encoding of a Shapefile's ``.dbf`` or of a CSV, when detection is not wanted.
    lon, lat
        Longitude and latitude (or x and y) columns of a table; by default the first of
        `layout.io.tables.LON_NAMES` and ``LAT_NAMES`` present (``lon``/``lng``/``longitude``/
        ``经度``/``x`` …).
    source_name
        Name of the data in messages and in ``attrs["source"]`` (default: the path).

    Returns
    -------
    GeoDataFrame
        A new frame (the file is never modified) with ``attrs["source"]``, ``attrs["notes"]``
        and, for Shapefiles and text tables, ``attrs["encoding"]``.

    Raises
    ------
    DataFileError
        The file is missing, empty, in an unknown format, or the layer or columns are missing.
    EncodingError
        Text attributes cannot be decoded without mojibake.
    CRSError
        No CRS is known, the ``crs`` argument contradicts the file, or a datum conversion was
        asked of projected coordinates.

    Notes
    -----
    Longitude/latitude columns of a table are geographic by definition, so a table read without
    ``crs`` is taken as EPSG:4326 (EPSG:4490 with ``datum="cgcs2000"``; the two differ by
    centimetres) -- provided every value lies within ±180, as degrees do; swapped columns still
    read and are reported by `layout.data.validate`.  Larger values are metres of a projected CRS,
    which cannot be guessed: pass ``crs``.  The assumption is recorded in ``attrs["notes"]``.

    A GeoJSON file without a ``crs`` member is WGS84 by its specification (RFC 7946); for old
    files in projected coordinates a ``crs`` argument is honoured and noted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = pathlib.Path(tmp.name)
    >>> _ = (folder / "firms.csv").write_text("名称,经度,纬度\n宇通客车,113.7,34.7\n", "utf-8")
    >>> firms = read_layer(folder / "firms.csv")
    >>> firms.crs.to_string(), firms.geometry.iloc[0].wkt, firms.attrs["encoding"]
    ('EPSG:4326', 'POINT (113.7 34.7)', 'utf-8')
    >>> gcj = read_layer(folder / "firms.csv", datum="gcj02")  # copied from a Gaode map
    >>> round(float(gcj.geometry.x.iloc[0]), 4), round(float(gcj.geometry.y.iloc[0]), 4)
    (113.6939, 34.7011)
    >>> gcj.attrs["notes"][-1]
    'converted from GCJ02 to WGS84'
    >>> tmp.cleanup()

    """
    gdf = read_raw(path, layer=layer, crs=crs, datum=datum, encoding=encoding, lon=lon, lat=lat,
                source_name=source_name)
    if len(gdf) == 0:
        raise DataFileError(empty_message(gdf.attrs["source"]))
    gdf, problem = resolve_crs(gdf, crs)
    if problem:
        raise CRSError(problem)
    return apply_datum(gdf, datum)


def list_layers(path: str | os.PathLike[str]) -> list[str]:
    """Return the names of the layers in a file (sheets of an Excel file).

    Single-layer files (GeoJSON, Shapefile, CSV) have one layer named after the file.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely
    >>> tmp = tempfile.TemporaryDirectory()
    >>> gpkg = pathlib.Path(tmp.name) / "plan.gpkg"
    >>> pt = gpd.GeoDataFrame(geometry=[shapely.Point(113.7, 34.7)], crs="EPSG:4326")
    >>> for name in ("zones", "enterprises"):
    ...     _ = write_layer(pt, gpkg, layer=name)
    >>> sorted(list_layers(gpkg))
    ['enterprises', 'zones']
    >>> tmp.cleanup()
    """
    p = existing_file(path)
    suffix = file_suffix(p)
    if suffix in (".csv", ".tsv"):
        return [p.stem]
    if suffix in (".xlsx", ".xlsm"):
        return sheet_names(p)
    if suffix == ".zip":
        return list(_zip_shapefiles(p))
    return _vector_layers(p)


def read_raw(
    path: str | os.PathLike[str],
    *,
    layer: str | None,
    crs: str | CRS | None,
    datum: str,
    encoding: str | None,
    lon: str | None,
    lat: str | None,
    source_name: str | None,
) -> gpd.GeoDataFrame:
    """Read a file as it is: the CRS is the file's own (or None); nothing is checked or moved."""
    p = existing_file(path)
    suffix = file_suffix(p)
    name = source_name or str(p)
    if suffix in TABLE_SUFFIXES:
        return read_table(p, suffix=suffix, layer=layer, crs=crs, datum=datum,
                           encoding=encoding, lon=lon, lat=lat, name=name)
    return _read_vector(p, suffix=suffix, layer=layer, encoding=encoding, name=name)


def _vector_layers(p: Path) -> list[str]:
    try:
        with reader_warnings_logged(p):
            layers = pyogrio.list_layers(p)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataFileError(
            f"{p} is not a readable {FORMATS.get(p.suffix.lower(), 'vector file')} "
            f"({first_line(exc)}); open it in QGIS to check, or export it again"
        ) from None
    return [str(row[0]) for row in layers]


def _read_vector(
    p: Path, *, suffix: str, layer: str | None, encoding: str | None, name: str
) -> gpd.GeoDataFrame:
    zipped = _zip_shapefiles(p) if suffix == ".zip" else {}
    layer_name = pick_layer(list(zipped) if zipped else _vector_layers(p), layer, p)
    source = f"{name}:{layer_name}" if suffix in _CONTAINERS or layer is not None else name
    notes: list[str] = []
    kwargs: dict[str, Any] = {}
    codec: str | None = None
    target: str | Path = p
    if suffix in (".shp", ".zip"):
        if suffix == ".shp":
            codec, how = _encoding.shapefile_encoding(p, encoding=encoding)
        else:
            member = zipped[layer_name]
            target = f"/vsizip/{p.resolve()}/{member}"  # also inside sub-folders of the zip
            dbf, cpg = _zip_sidecars(p, member)
            if dbf is None:
                raise DataFileError(f"{source} has no .dbf file next to {member} in the zip")
            codec, how = _encoding.dbf_encoding(dbf, cpg=cpg, encoding=encoding, name=source)
        kwargs["encoding"] = codec
        if how == "detected":
            notes.append(f"attribute text decoded as {codec} (detected; no .cpg file)")
    elif encoding is not None:
        kwargs["encoding"] = encoding
    try:
        with reader_warnings_logged(source):
            gdf = gpd.read_file(target, layer=layer_name, engine="pyogrio", **kwargs)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"{source}: text is not valid {exc.encoding}; pass the right encoding= "
            "(e.g. 'gbk' or 'utf-8')"
        ) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataFileError(
            f"{source} cannot be read ({first_line(exc)}); open it in QGIS to check, or export "
            "it again"
        ) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise DataFileError(f"{source} is a table without geometry; give a layer of features")
    if codec is not None:
        _encoding.check_no_mojibake(gdf, source=source, encoding=codec)
        gdf.attrs["encoding"] = codec
    if suffix in (".geojson", ".json") and gdf.crs is not None and b'"crs"' not in p.read_bytes():
        gdf.attrs["implicit_crs"] = True  # RFC 7946: WGS84 unless the file says otherwise
    gdf.attrs["source"] = source
    gdf.attrs["notes"] = notes
    return gdf


def _zip_shapefiles(p: Path) -> dict[str, str]:
    """Map the layer name (file stem) of each Shapefile inside a zip to its member path."""
    try:
        with zipfile.ZipFile(p) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile:
        raise DataFileError(f"{p} is not a valid zip file; pack the Shapefile again") from None
    found = {Path(m).stem: m for m in names if m.lower().endswith(".shp")}
    if not found:
        raise DataFileError(f"{p} holds no Shapefile (.shp); zip the .shp, .shx, .dbf and .prj")
    return found


def _zip_sidecars(p: Path, member: str) -> tuple[bytes | None, str | None]:
    """Return the ``.dbf`` bytes and ``.cpg`` text next to a ``.shp`` inside a zip."""
    base = member[: -len(".shp")]
    dbf = cpg = None
    try:
        with zipfile.ZipFile(p) as zf:
            for other in zf.namelist():
                stem, dot, ext = other.rpartition(".")
                if dot and stem == base and ext.lower() == "dbf":
                    dbf = zf.read(other)
                elif dot and stem == base and ext.lower() == "cpg":
                    cpg = zf.read(other).decode("ascii", errors="replace")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # a damaged member
        raise DataFileError(
            f"{p} is a damaged zip file ({first_line(exc)}); pack the Shapefile again"
        ) from None
    return dbf, cpg


# --- CRS and datum --------------------------------------------------------------------------


def resolve_crs(
    gdf: gpd.GeoDataFrame, crs: str | CRS | None
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Fill in a missing CRS from ``crs``; return the frame and a problem message, if any."""
    source = gdf.attrs.get("source", "layer")
    if gdf.crs is None:
        if crs is None:
            return gdf, gdf.attrs.get("crs_hint") or (
                f"{source} has no CRS (a Shapefile without .prj?); if you know it, pass crs= "
                "(--crs), e.g. EPSG:4326 for lon/lat degrees or, for metres, "
                f"{GK_HINT}"
            )
        out = gdf.set_crs(parse_crs(crs))
        out.attrs["notes"] = [*gdf.attrs.get("notes", []), f"CRS {crs} given by the caller"]
        return out, None
    if crs is None:
        return gdf, None
    given, own = parse_crs(crs), CRS.from_user_input(gdf.crs)
    if own.equals(given, ignore_axis_order=True):
        return gdf, None
    if gdf.attrs.get("implicit_crs"):
        out = gdf.set_crs(given, allow_override=True)
        out.attrs["notes"] = [*gdf.attrs.get("notes", []),
                              f"GeoJSON without a crs member read in {crs} as asked"]
        return out, None
    return gdf, (
        f"{source} is in {crs_label(own)} but crs={crs_label(given)} was given; a file's own CRS "
        "is never overridden: drop crs (--crs), or fix the file's CRS if it is wrong"
    )


def apply_datum(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """Move a lon/lat layer from ``datum`` (gcj02, bd09) to WGS84; other datums pass through."""
    d = check_datum(datum)
    if d not in ("gcj02", "bd09"):
        return gdf
    source = gdf.attrs.get("source", "layer")
    crs = CRS.from_user_input(gdf.crs)
    if not crs.is_geographic:
        raise CRSError(
            f"{source} is in {crs_label(crs)} (projected), but {d} coordinates are lon/lat from a "
            "web map; use datum=wgs84 for projected data, or give the lon/lat source instead"
        )
    out = convert_datum(gdf, from_datum=d)
    out.attrs = {**gdf.attrs, "notes": [*gdf.attrs.get("notes", []),
                                        f"converted from {d.upper()} to WGS84"]}
    return out


# --- writing --------------------------------------------------------------------------------


def write_layer(
    gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], *, layer: str | None = None
) -> Path:
    """Write a layer atomically: a half-written file never replaces a good one.

    The layer is written to a temporary folder next to ``path`` and then moved into place with
    `os.replace`.  Other layers of an existing GeoPackage are kept; a layer of the same name is
    replaced.  Shapefiles are written in UTF-8 with a ``.cpg`` file.

    Parameters
    ----------
    gdf
        The layer; it must have a CRS.
    path
        Output file; the driver follows the suffix (`DRIVERS`).  Missing folders are created.
    layer
        Layer name inside a GeoPackage (default: the file name without suffix).

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = pathlib.Path(tmp.name) / "sites.geojson"
    >>> pt = gpd.GeoDataFrame({"name": ["新密"]}, geometry=[shapely.Point(113.4, 34.5)],
    ...                       crs="EPSG:4326")
    >>> read_layer(write_layer(pt, out)).loc[0, "name"]
    '新密'
    >>> tmp.cleanup()
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in DRIVERS:
        raise DataFileError(f"{p}: cannot write {suffix or 'a file without suffix'}; "
                            f"use one of {', '.join(DRIVERS)}")
    if gdf.crs is None:
        raise CRSError(f"cannot write {p}: the layer has no CRS; set one with gdf.set_crs(...)")
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=p.parent, prefix=f".{p.stem}.", suffix=".tmp"))
    try:
        target = tmp / p.name
        kwargs: dict[str, Any] = {"driver": DRIVERS[suffix]}
        if suffix == ".gpkg":
            kwargs["layer"] = layer or p.stem
            if p.exists():
                shutil.copy2(p, target)  # keep the other layers
        elif suffix == ".shp":
            kwargs["encoding"] = "UTF-8"
        try:
            pyogrio.write_dataframe(gdf, target, **kwargs)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
                pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
            raise DataFileError(f"cannot write {p}: {first_line(exc)}") from None
        written = sorted(tmp.iterdir())
        if suffix == ".shp":  # drop sidecars of an older version (a stale index is harmful)
            for ext in _SHAPEFILE_SIDECARS:
                old = p.with_suffix(ext)
                if old.exists() and not (tmp / old.name).exists():
                    old.unlink()
        for f in written:
            os.replace(f, p.parent / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return p
