"""Tests of layout.io.encoding: dBASE headers, plausibility of decodings, .cpg code pages."""

from __future__ import annotations

import codecs
import struct

import pytest

from layout.errors import EncodingError
from layout.io import encoding as _encoding


def _dbf(values: list[bytes], language_driver: int = 0) -> bytes:
    """A minimal dBASE III file with one character field NAME holding ``values``."""
    width = max(len(v) for v in values)
    header = bytes([3, 124, 1, 1]) + struct.pack("<IHH", len(values), 65, width + 1)
    header += bytes(17) + bytes([language_driver]) + bytes(2)
    field = b"NAME".ljust(11, b"\0") + b"C" + bytes(4) + bytes([width, 0]) + bytes(14)
    records = b"".join(b" " + v.ljust(width) for v in values)
    return header + field + b"\r" + records + b"\x1a"


def test_scan_dbf_reads_the_header_and_text_cells() -> None:
    data = _dbf([b"plain", "新密".encode("gbk")], language_driver=0x4D)
    text = _encoding.scan_dbf(data)
    assert text.language_driver == 0x4D
    assert text.n_records == 2
    assert text.cells == [(1, "NAME", "新密".encode("gbk"))]  # ASCII cells are not kept


def test_plausibility_decides_between_valid_decodings() -> None:
    # GBK text that is also valid UTF-8 decodes to Cyrillic under UTF-8: GB18030 wins.
    raw = "一为要".encode("gbk")
    assert raw.decode("utf-8") == "һΪҪ"  # valid UTF-8, but Cyrillic and Greek
    assert _encoding.dbf_encoding(_dbf([raw])) == ("gb18030", "detected")
    assert _encoding.dbf_encoding(_dbf([b"abc"])) == ("utf-8", "ascii")


def test_language_driver_breaks_a_tie() -> None:
    # UTF-8 "人人" is also valid GB18030 made of common characters ("浜轰汉"): a true tie.
    raw = "人人".encode()
    assert raw.decode("gb18030") == "浜轰汉"
    assert _encoding.dbf_encoding(_dbf([raw]))[0] == "utf-8"  # no hint: UTF-8
    # Language driver 0x4D announces code page 936 (GBK).
    assert _encoding.dbf_encoding(_dbf([raw], language_driver=0x4D))[0] == "gb18030"


@pytest.mark.parametrize(("content", "codec"), [
    ("UTF-8", "utf-8"), ("utf8\n", "utf-8"), ("65001", "utf-8"), ("GBK", "gb18030"),
    ("CP936", "gb18030"), ("936", "gb18030"), ("GB2312", "gb18030"), ("ANSI 936", "gb18030"),
    ("Big5", "big5"), ("1252", "cp1252"), ("88591", "latin-1"),
])
def test_cpg_codec(content: str, codec: str) -> None:
    assert _encoding.cpg_codec(content) == codecs.lookup(codec).name


def test_unknown_cpg() -> None:
    with pytest.raises(EncodingError, match="not known"):
        _encoding.cpg_codec("KLINGON")
