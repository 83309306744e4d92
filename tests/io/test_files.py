"""Tests of layout.io.files: what is not a regular file, and GDAL's warnings kept off stderr.

A reader given a named pipe blocks and one given ``/dev/zero`` never ends, so both must be
refused before any read, saying what they are (not "an empty file").
"""

from __future__ import annotations

import os
import sqlite3
import warnings
from pathlib import Path

import pytest

from layout.errors import DataFileError
from layout.io.files import existing_file, special_file_kind
from layout.io.vector import list_layers, read_layer


def test_a_named_pipe_is_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "firms.csv"
    os.mkfifo(fifo)
    # Opening a FIFO for reading would block this test forever: the check must not open it.
    with pytest.raises(DataFileError) as info:
        read_layer(fifo)
    assert str(info.value) == (
        f"{fifo} is not a regular file but a named pipe (FIFO); give a file saved on disk"
    )
    assert "empty" not in str(info.value)


def test_a_device_is_refused() -> None:
    assert Path("/dev/zero").exists()
    with pytest.raises(DataFileError, match=r"^/dev/zero is not a regular file but a character "
                                            r"device"):
        read_layer("/dev/zero")


def test_kinds_of_paths(tmp_path: Path) -> None:
    regular = tmp_path / "a.csv"
    regular.write_text("lon,lat\n1,2\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(regular)
    assert special_file_kind(regular) == "" and special_file_kind(link) == ""
    assert special_file_kind(tmp_path) == "folder"
    assert special_file_kind(tmp_path / "nope") == "missing"
    assert existing_file(link) == link
    empty = tmp_path / "empty.csv"
    empty.touch()
    with pytest.raises(DataFileError, match="is an empty file"):
        existing_file(empty)


def test_gdal_warnings_do_not_reach_stderr(tmp_path: Path) -> None:
    # An SQLite database named .gpkg: GDAL warns "bad application_id" before refusing it.
    fake = tmp_path / "zones.gpkg"
    with sqlite3.connect(fake) as db:
        db.execute("create table t (a)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DataFileError) as info:
            list_layers(fake)
    assert caught == []  # sent to the debug log instead
    assert str(info.value).startswith(f"{fake} is not a readable GeoPackage (")
    assert "\n" not in str(info.value)
