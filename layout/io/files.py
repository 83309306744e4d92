"""Files on disk: readable formats, checks of a path, a file's SHA-256, messages readers share.

`existing_file` and `file_suffix` turn a bad path into a `~layout.errors.DataFileError` that says
what to do; `file_sha256` is the digest used for provenance and cache keys.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from layout.errors import DataFileError

#: Readable file suffixes and what they are.
FORMATS: dict[str, str] = {
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "Shapefile",
    ".zip": "zipped Shapefile",
    ".fgb": "FlatGeobuf",
    ".csv": "CSV table with lon/lat columns",
    ".tsv": "tab-separated table with lon/lat columns",
    ".xlsx": "Excel table with lon/lat columns",
    ".xlsm": "Excel table with lon/lat columns",
}


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file (hex), for provenance and caching keys.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> p = pathlib.Path(tmp.name) / "a.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> file_sha256(p)[:16]
    'ba7816bf8f01cfea'
    >>> tmp.cleanup()
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def existing_file(path: str | os.PathLike[str]) -> Path:
    """The path of an existing, non-empty file, else a `DataFileError`."""
    p = Path(path)
    if not p.exists():
        raise DataFileError(f"{p}: file not found; check the path")
    if p.is_dir():
        raise DataFileError(
            f"{p} is a folder; give a file ({', '.join(FORMATS)}), e.g. {p / 'layer.gpkg'}"
        )
    if p.stat().st_size == 0:
        raise DataFileError(f"{p} is an empty file (0 bytes); export the layer again")
    return p


def file_suffix(p: Path) -> str:
    """The lower-case suffix of a readable format (`FORMATS`), else a `DataFileError`."""
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        if suffix == ".xls":
            raise DataFileError(f"{p}: old .xls workbooks are not read; save it as .xlsx in Excel")
        raise DataFileError(
            f"{p}: cannot read {suffix or 'files without a suffix'}; "
            f"convert it to one of {', '.join(FORMATS)}"
        )
    return suffix


def empty_message(source: str) -> str:
    """The message of a file or layer without features."""
    return f"{source} has no features; check that the right file and layer were exported"


def first_line(exc: BaseException) -> str:
    """The first line (up to a ``;``) of an error's message, to quote in ours."""
    return str(exc).split(";")[0].splitlines()[0] if str(exc) else type(exc).__name__


def pick_layer(layers: list[str], layer: str | None, p: Path, what: str = "layer") -> str:
    """The layer (or sheet) to read: ``layer`` or the only one, else a `DataFileError`."""
    if not layers:
        raise DataFileError(f"{p} holds no {what}s")
    if layer is None:
        if len(layers) > 1:
            raise DataFileError(
                f"{p} holds {len(layers)} {what}s ({', '.join(layers)}); choose one with "
                f"{what}= (--layer)"
            )
        return layers[0]
    if layer not in layers:
        raise DataFileError(
            f"{p} has no {what} {layer!r}; available: {', '.join(layers)}"
        )
    return layer
