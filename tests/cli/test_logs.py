"""Tests of `layout.cli.logs` and `layout.cli.terminal`: what reaches the terminal."""

from __future__ import annotations

import logging

import pytest

from layout.cli import logs
from layout.cli.terminal import printable


def test_log_lines_carry_no_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure()
    try:
        log = logging.getLogger("layout.products.sitecheck")
        log.warning("zone %s overlaps", "\x1b]0;pwned\x07东区\x1b[2J\x9b31m|\r\x7f\x90q\x9c")
        log.info("parcel %s", "\x1b[1;31mP1\x1b[0m\x00")
    finally:
        logs.reset()
    err = capsys.readouterr().err
    assert not any((0x00 <= ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f for c in err)
    lines = err.splitlines()
    assert lines[0] == "warning: zone 东区| overlaps"
    assert lines[1].endswith("] parcel P1")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain 郑州 text, tab\there\nnext line", "plain 郑州 text, tab\there\nnext line"),
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),  # hyperlink
        ("\x1b]0;title", ""),  # unterminated: to the end of the line
        ("a\x1bcb", "ab"),  # ESC c: reset
        ("\x9d0;t\x07x\x9b?25ly", "xy"),  # 8-bit OSC and CSI
        ("\x1b[", ""),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown
