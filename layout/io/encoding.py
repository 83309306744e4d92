"""Text encodings of Chinese data files: Shapefile attributes (``.dbf``) and CSV.

Shapefiles from Chinese agencies usually store their attributes in GBK (code page 936) and often
come without the ``.cpg`` file that names the encoding; GDAL then falls back to ISO-8859-1 and
produces mojibake such as ``Ö£ÖÝÓîÍ¨`` for ``郑州宇通``.  This module decides the encoding before
the file is read, and checks the result afterwards, so that mojibake is never produced silently.

How the encoding of a Shapefile is decided (`dbf_encoding`):

1. an ``encoding`` given by the caller is used, after checking that every text cell decodes;
2. else a ``.cpg`` file is honoured (``GBK``, ``CP936``, ``936``, ``GB2312`` are read with
   GB18030, a superset that decodes every valid GBK byte sequence to the same characters);
3. else the raw bytes of the text fields (and of the field names) are read from the ``.dbf``
   (the dBASE header is parsed here) and tried as UTF-8 and as GB18030.  Real GBK text is rarely
   valid UTF-8 and UTF-8 Chinese often happens to be valid GB18030, so when both decode the one
   whose characters look like ordinary text wins (`plausibility`), and a tie goes to the
   language-driver byte of the header (``0x4D`` or ``0x7A``: code page 936) and then to UTF-8;
4. if neither decodes, or the only decoding is implausible text (Latin-1 accents often form
   valid but rare GB18030 characters), `EncodingError` says so and suggests ``encoding=``.

After reading, `check_no_mojibake` looks for U+FFFD, C1 control characters and the typical
patterns of text decoded with the wrong codec (`MOJIBAKE`) and raises rather than pass them on.
"""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from layout.errors import EncodingError
from layout.io.files import existing_file

#: dBASE language-driver ids (byte 29 of the header) and the codec they announce.  Only the
#: East Asian ones matter here; 0x4D and 0x7A both mean code page 936 (GBK, mainland China).
LANGUAGE_DRIVERS: dict[int, str] = {
    0x4D: "gb18030",  # 936 Chinese GBK (PRC)
    0x7A: "gb18030",  # 936 PRC GBK (Windows)
    0x4F: "big5",  # 950 Chinese Big5 (Taiwan)
    0x78: "big5",  # 950 Traditional Chinese (Windows)
    0x4E: "cp949",  # 949 Korean
    0x79: "cp949",
    0x13: "cp932",  # 932 Japanese Shift-JIS
    0x7B: "cp932",
}

# Code-page numbers and names that may appear in a .cpg file, mapped to Python codecs.
_CODE_PAGES = {"65001": "utf-8", "936": "gb18030", "950": "big5", "932": "cp932",
               "949": "cp949", "88591": "latin-1", "28591": "latin-1"}
_GB_FAMILY = {"gbk", "gb2312", "gb18030", "cp936", "ms936", "euc-cn", "euccn", "hz"}

#: Below this share of ordinary characters (`plausibility`) decoded text is taken as garbled.
#: Real Chinese names and addresses score above 0.9; text decoded with the wrong codec near 0.
MIN_PLAUSIBILITY = 0.5

#: Patterns that betray text decoded with the wrong codec.
MOJIBAKE = re.compile(
    "\ufffd"  # the replacement character
    "|[\u0080-\u009f]"  # C1 control characters: bytes read as ISO-8859-1
    "|[\u00a1-\u00ff]{2,}"  # runs of Latin-1 letters: GBK or UTF-8 read as ISO-8859-1
    "|锟斤拷|烫烫烫|屯屯屯"  # UTF-8 U+FFFD and MSVC fill bytes read as GBK
)


@dataclass(frozen=True)
class DbfText:
    """The text content of a ``.dbf`` file that is not plain ASCII.

    Attributes
    ----------
    language_driver
        Byte 29 of the header (0 when unset).
    n_records
        Number of records the header announces.
    names
        Raw bytes of every field name that is not ASCII.
    cells
        ``(record, field name, raw bytes)`` of every character-field cell that is not ASCII;
        ``record`` counts from 0.
    """

    language_driver: int
    n_records: int
    names: list[bytes] = field(default_factory=list)
    cells: list[tuple[int, str, bytes]] = field(default_factory=list)

    def values(self) -> list[bytes]:
        """Return every non-ASCII byte string: the field names, then the cells."""
        return self.names + [raw for _, _, raw in self.cells]


def scan_dbf(data: bytes, *, name: str = "dbf") -> DbfText:
    r"""Parse a dBASE file and return its non-ASCII text bytes.

    The header holds the record count (bytes 4–7), the header length (8–9), the record length
    (10–11) and the language driver (29); 32-byte field descriptors follow from byte 32 up to a
    ``0x0D`` terminator (name in bytes 0–10, type in 11, length in 16).  Each record starts with
    a one-byte deletion flag.

    Parameters
    ----------
    data
        Content of the ``.dbf`` file.
    name
        File name for error messages.

    Examples
    --------
    >>> hdr = bytes([3, 124, 1, 1]) + struct.pack("<IHH", 1, 65, 5) + bytes(17) + b"\x4d"
    >>> hdr += bytes(2)
    >>> fld = b"NAME".ljust(11, b"\0") + b"C" + bytes(4) + bytes([4, 0]) + bytes(14)
    >>> text = scan_dbf(hdr + fld + b"\r" + b" " + "郑州".encode("gbk") + b"\x1a")
    >>> hex(text.language_driver), text.cells[0][1], text.cells[0][2].decode("gbk")
    ('0x4d', 'NAME', '郑州')
    """
    if len(data) < 33:
        raise EncodingError(f"{name} is not a dBASE file (only {len(data)} bytes)")
    n_records, header_len, record_len = struct.unpack_from("<IHH", data, 4)
    language_driver = data[29]
    fields: list[tuple[bytes, int, int]] = []  # (raw name, offset in record, length)
    offset, pos = 1, 32  # offset 0 of a record is the deletion flag
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        desc = data[pos : pos + 32]
        raw_name = desc[:11].split(b"\0", 1)[0]
        length = desc[16]
        if desc[11:12] in (b"C", b"V"):  # character fields (V: Visual FoxPro varchar)
            fields.append((raw_name, offset, length))
        elif not raw_name.isascii():
            fields.append((raw_name, -1, 0))  # a non-text field with a Chinese name
        offset += length
        pos += 32
    if header_len < 33 or record_len < 1 or offset > record_len:
        raise EncodingError(f"{name} has a damaged dBASE header; the Shapefile cannot be read")
    # A truncated file still yields its complete records.
    n = min(n_records, max(0, (len(data) - header_len) // record_len))
    records = np.frombuffer(data, dtype=np.uint8, count=n * record_len, offset=header_len)
    records = records.reshape(n, record_len)
    text = DbfText(language_driver=language_driver, n_records=n_records)
    for raw_name, start, length in fields:
        if not raw_name.isascii():
            text.names.append(raw_name)
        if start < 0 or length == 0:
            continue
        block = records[:, start : start + length]
        label = raw_name.decode("latin-1")  # only for messages; decoded properly by the reader
        for row in np.flatnonzero((block >= 0x80).any(axis=1)):
            text.cells.append((int(row), label, bytes(block[row]).rstrip(b" \0")))
    text.cells.sort(key=lambda cell: cell[0])
    return text


def cpg_codec(content: str, *, name: str = "cpg") -> str:
    """Return the Python codec named by the content of a ``.cpg`` file.

    Examples
    --------
    >>> cpg_codec("UTF-8"), cpg_codec("936"), cpg_codec("GBK"), cpg_codec("ANSI 1252")
    ('utf-8', 'gb18030', 'gb18030', 'cp1252')
    """
    text = content.strip().strip("\ufeff").strip()
    m = re.fullmatch(r"(?:ANSI\s*|CP\s*)?(\d+)", text, flags=re.IGNORECASE)
    if m:
        text = _CODE_PAGES.get(m.group(1), f"cp{m.group(1)}")
    try:
        codec = codecs.lookup(text).name
    except LookupError:
        raise EncodingError(
            f"{name} names the encoding {content.strip()!r}, which is not known; "
            "pass encoding= (e.g. encoding='gbk') to read the Shapefile"
        ) from None
    return "gb18030" if codec in _GB_FAMILY or codec.replace("_", "-") in _GB_FAMILY else codec


def _is_plausible(ch: str) -> bool:
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF:
        # Names and addresses are written almost entirely in the 6,763 characters of GB2312;
        # text decoded with the wrong codec lands in the rare GBK extension instead.
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True
    return 0x2000 <= o <= 0x206F  # general punctuation (dashes, quotes)


def plausibility(texts: Iterable[str]) -> float:
    """Return the share of non-ASCII characters that look like ordinary Chinese text (0–1).

    Ordinary means common Chinese characters (GB2312), CJK and fullwidth punctuation; 1.0 when
    there is no non-ASCII character.

    Examples
    --------
    >>> raw = "郑州".encode("utf-8")
    >>> raw.decode("gb18030")  # UTF-8 read as GB18030: valid, but rare characters
    '閮戝窞'
    >>> plausibility([raw.decode("utf-8")]), plausibility([raw.decode("gb18030")])
    (1.0, 0.0)
    """
    total = good = 0
    for text in texts:
        for ch in text:
            if not ch.isascii():
                total += 1
                good += _is_plausible(ch)
    return good / total if total else 1.0


def _first_failure(values: Sequence[bytes], codec: str) -> int | None:
    for i, raw in enumerate(values):
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            return i
    return None


def choose_encoding(values: Sequence[bytes], *, hint: str | None = None) -> str | None:
    r"""Return the codec that decodes every byte string into plausible text, or None.

    The candidates are UTF-8 and GB18030 (and ``hint``, the codec of the dBASE language driver).
    When more than one decodes everything, the most plausible text (`plausibility`) wins; ties go
    to ``hint``, then to UTF-8.  If the best text is still implausible (below
    `MIN_PLAUSIBILITY`), for example Latin-1 accents that happen to form valid GB18030 pairs,
    None is returned rather than a guess that would produce mojibake.

    Examples
    --------
    >>> names = ["郑州宇通客车股份有限公司", "新密市耐材厂"]
    >>> choose_encoding([n.encode("gbk") for n in names])
    'gb18030'
    >>> choose_encoding([n.encode("utf-8") for n in names])
    'utf-8'
    >>> choose_encoding([b"\xff\xfe"]) is None  # valid in neither
    True
    >>> choose_encoding(["Müller".encode("latin-1")]) is None  # valid GB18030, but implausible
    True
    """
    candidates = ["utf-8", "gb18030"]
    if hint is not None:
        hint = codecs.lookup(hint).name
        candidates = [hint] + [c for c in candidates if c != hint]
    decodable = [c for c in candidates if _first_failure(values, c) is None]
    if not decodable:
        return None
    sample = values[:20_000]  # plenty to judge; keeps large files fast
    scores = {c: plausibility(v.decode(c) for v in sample) for c in decodable}
    best = max(scores.values())
    if best < MIN_PLAUSIBILITY:
        return None
    return next(c for c in decodable if scores[c] == best)


def _check_decodes(text: DbfText, codec: str, *, name: str, why: str) -> None:
    values = text.values()
    bad = _first_failure(values, codec)
    if bad is None:
        return
    n_names = len(text.names)
    where = (
        f"field name {values[bad]!r}" if bad < n_names
        else f"record {text.cells[bad - n_names][0] + 1}, field {text.cells[bad - n_names][1]!r}"
    )
    raise EncodingError(
        f"{name}: {why} is {codec}, but {where} is not valid {codec} "
        f"(bytes {values[bad][:16]!r}{'…' if len(values[bad]) > 16 else ''}); "
        "pass the right encoding= (e.g. 'gbk', 'utf-8', 'big5')"
    )


def dbf_encoding(
    dbf: bytes, *, cpg: str | None = None, encoding: str | None = None, name: str = "dbf"
) -> tuple[str, str]:
    r"""Decide the encoding of a ``.dbf`` (see the module docstring for the order of evidence).

    Parameters
    ----------
    dbf
        Content of the ``.dbf`` file.
    cpg
        Content of the ``.cpg`` file, if there is one.
    encoding
        Encoding given by the caller; checked, not guessed.
    name
        File name for messages.

    Returns
    -------
    tuple of str
        The Python codec name and how it was decided (``"argument"``, ``".cpg"``, ``"ascii"``,
        ``"detected"``).

    Raises
    ------
    EncodingError
        When the text does not decode in the given, announced or any detected encoding.

    Examples
    --------
    >>> hdr = bytes([3, 124, 1, 1]) + struct.pack("<IHH", 1, 65, 7) + bytes(20)
    >>> fld = b"NAME".ljust(11, b"\0") + b"C" + bytes(4) + bytes([6, 0]) + bytes(14)
    >>> dbf = hdr + fld + b"\r" + b" " + "新密市".encode("gbk")
    >>> dbf_encoding(dbf)
    ('gb18030', 'detected')
    >>> dbf_encoding(dbf, cpg="UTF-8")
    Traceback (most recent call last):
    ...
    layout.errors.EncodingError: dbf: its .cpg file says the encoding is utf-8, ...
    """
    text = scan_dbf(dbf, name=name)
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise EncodingError(f"unknown encoding {encoding!r} for {name}") from None
        _check_decodes(text, codec, name=name, why="the encoding you gave")
        return codec, "argument"
    if cpg is not None and cpg.strip():
        codec = cpg_codec(cpg, name=f"{name} (.cpg)")
        _check_decodes(text, codec, name=name, why="its .cpg file says the encoding")
        return codec, ".cpg"
    values = text.values()
    if not values:
        return "utf-8", "ascii"
    codec_or_none = choose_encoding(values, hint=LANGUAGE_DRIVERS.get(text.language_driver))
    if codec_or_none is None:
        raise EncodingError(
            f"{name}: the text attributes are neither UTF-8 nor GBK/GB18030 and there is no .cpg "
            "file; pass encoding= (--encoding), e.g. 'big5' or 'latin-1', or add a .cpg file "
            "naming it"
        )
    return codec_or_none, "detected"


def shapefile_encoding(path: str | Path, *, encoding: str | None = None) -> tuple[str, str]:
    """Decide the encoding of a Shapefile's attributes from its ``.dbf`` and ``.cpg`` files.

    Returns the codec and how it was decided, as `dbf_encoding` does.
    """
    shp = Path(path)
    dbf = _sidecar(shp, ".dbf")
    if dbf is None:
        raise EncodingError(f"{shp} has no .dbf file next to it; a Shapefile needs one")
    cpg_path = _sidecar(shp, ".cpg")
    for sidecar in (dbf, cpg_path):  # a folder, pipe or device named like one is refused
        if sidecar is not None:
            existing_file(sidecar)
    cpg = cpg_path.read_text(encoding="ascii", errors="replace") if cpg_path else None
    return dbf_encoding(dbf.read_bytes(), cpg=cpg, encoding=encoding, name=str(shp))


def _sidecar(shp: Path, suffix: str) -> Path | None:
    """Return the file next to ``shp`` with the given suffix in any letter case, if any."""
    for candidate in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    if shp.parent.exists():
        for other in shp.parent.glob(shp.stem + ".*"):
            if other.stem == shp.stem and other.suffix.lower() == suffix:
                return other
    return None


def find_mojibake(df: pd.DataFrame) -> tuple[int, str, str] | None:
    """Return ``(row, column, text)`` of the first text that looks garbled, or None.

    ``row`` counts from 0; column names are checked too (row -1).

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["新密市耐材厂", "新密市".encode("gbk").decode("latin-1")]})
    >>> find_mojibake(df)
    (1, 'name', 'ÐÂÃÜÊÐ')
    """
    for col in df.columns:
        if isinstance(col, str) and MOJIBAKE.search(col):
            return -1, col, col
    for col in df.columns:
        series = df[col]
        if series.dtype.kind != "O" or series.dtype.name == "geometry":
            continue
        for row, value in enumerate(series.to_numpy()):
            if isinstance(value, str) and MOJIBAKE.search(value):
                return row, str(col), value
    return None


def check_no_mojibake(df: pd.DataFrame, *, source: str, encoding: str) -> None:
    """Raise `EncodingError` if any text in ``df`` looks garbled after decoding."""
    found = find_mojibake(df)
    if found is None:
        return
    row, col, value = found
    where = f"column name {col!r}" if row < 0 else f"row {row + 1}, column {col!r}"
    raise EncodingError(
        f"{source}: text read as {encoding} looks garbled ({where}: {value[:40]!r}); "
        "pass the right encoding= (e.g. 'gbk' or 'utf-8')"
    )
