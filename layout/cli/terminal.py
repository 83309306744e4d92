"""Text for a terminal: no control character from the data reaches it (`printable`).

Names in data files (parcel ids, zone names, file names) end up in what a command prints and
logs. A name holding ``ESC ] 0 ; ... BEL`` would retitle the terminal window, ``ESC [ 2 J``
clear the screen, and other sequences move the cursor to overwrite earlier lines or, on some
terminals, answer back with input. Every line the command line prints that may hold data goes
through `printable` (the log handler of `layout.cli.logs` once for every log line).

Only ``click`` and the standard library are imported here: the module is loaded when any
command starts.
"""

from __future__ import annotations

import re

#: Escape sequences, whole: CSI (``ESC [`` or the 8-bit ``0x9b``) with its parameters, OSC, DCS,
#: SOS, PM and APC strings (``ESC ]``, ``ESC P``, ``ESC X``, ``ESC ^``, ``ESC _`` and their 8-bit
#: forms) up to their terminator (or the end of the line), and any other ``ESC`` + one character.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\s\S]?"
)
#: What is left of the controls: C0 but tab and line feed, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""``text`` without terminal escape sequences and control characters.

    Tab and line feed stay (a command's own layout); escape sequences are removed whole
    (their parameters too), then every other C0 control, DEL and C1 control.

    Examples
    --------
    >>> printable("\x1b]0;pwned\x07P1: suitable")
    'P1: suitable'
    >>> printable("a\x1b[2Jb\x9b31mc\r\x7fd\n\te")
    'abcd\n\te'
    >>> printable("郑州 parcel-1")
    '郑州 parcel-1'
    """
    return _CONTROL.sub("", _SEQUENCE.sub("", text))
