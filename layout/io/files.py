"""Files on disk: readable formats, checks of a path, a file's SHA-256, messages readers share.

`existing_file` and `file_suffix` turn a bad path into a `~layout.errors.DataFileError` that says
what to do; `file_sha256` is the digest used for provenance and cache keys.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from layout.errors import DataFileError

logger = logging.getLogger(__name__)

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
    """The path of an existing, regular, readable, non-empty file, else a `DataFileError`.

    A named pipe, a device (``/dev/zero``) or a socket is refused before anything reads it: a
    reader would block on a pipe, or never reach the end of a device.

    Examples
    --------
    >>> existing_file("/dev/zero")
    Traceback (most recent call last):
    ...
    layout.errors.DataFileError: /dev/zero is not a regular file but a character device; give ...
    """
    p = Path(path)
    kind = special_file_kind(p)
    if kind == "missing":
        raise DataFileError(f"{p}: file not found; check the path")
    if kind == "folder":
        raise DataFileError(
            f"{p} is a folder; give a file ({', '.join(FORMATS)}), e.g. {p / 'layer.gpkg'}"
        )
    if kind:
        raise DataFileError(f"{p} is not a regular file but a {kind}; give a file saved on disk")
    if not os.access(p, os.R_OK):
        raise DataFileError(f"{p}: permission denied; make the file readable (chmod u+r)")
    if p.stat().st_size == 0:
        raise DataFileError(f"{p} is an empty file (0 bytes); export the layer again")
    return p


def special_file_kind(p: Path) -> str:
    """What ``p`` is when it is not a regular file; ``""`` for a regular file.

    One of ``"missing"``, ``"folder"``, ``"named pipe (FIFO)"``, ``"character device"``,
    ``"block device"``, ``"socket"``.

    Symbolic links are followed (a link to a regular file is a regular file).

    Examples
    --------
    >>> special_file_kind(Path("/dev/null")), special_file_kind(Path("/no/such/file"))
    ('character device', 'missing')
    """
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as exc:  # a dangling link loop, a path through a file, ...
        raise DataFileError(f"{p}: cannot read ({exc.strerror or exc}); check the path") from None
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "folder"
    for test, name in ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


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
    r"""The first line (up to a ``;``) of an error's message, to quote in ours.

    Long messages are cut at 200 characters: a quoted reason must not swamp the line.

    Examples
    --------
    >>> first_line(ValueError("bad header; more\nand a second line"))
    'bad header'
    >>> first_line(KeyError())
    'KeyError'
    >>> first_line(OSError("sqlite3_prepare_v2(SELECT 1) failed: disk image is malformed"))
    'disk image is malformed'
    """
    lines = [line.strip() for line in str(exc).split(";")[0].splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    # GDAL's SQLite errors quote the whole statement before the reason: keep the reason.
    text = re.sub(r"^sqlite3_\w+\(.*\) failed: ", "", text)
    return text if len(text) <= 200 else text[:199] + "…"


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


@contextmanager
def reader_warnings_logged(source: str | os.PathLike[str]) -> Iterator[None]:
    """Send the warnings a reader emits (GDAL's ``RuntimeWarning``s) to the debug log.

    GDAL reports what it noticed while opening a damaged or foreign file (``bad
    application_id``, ...) as Python warnings, which Python prints on stderr as two lines of
    its own beside our one-line error.  Inside this block they go to ``logger.debug`` instead
    (shown by ``-v``), prefixed with the file they concern.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                logger.debug("%s: %s: %s", source, w.category.__name__, w.message)
