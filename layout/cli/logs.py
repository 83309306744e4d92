"""How the command line shows the library's log: progress on stderr, ``-q`` and ``-v``.

The library only logs (``logging.getLogger("layout....")``); this module gives the ``layout``
logger one handler on stderr when a command starts:

* default: progress (INFO) and warnings, each progress line prefixed by the seconds since the
  command started (``[  12.3 s] scored 7 industries``);
* ``-q``: errors only;
* ``-v``: details too (DEBUG), with the module that logged them.

What a command prints as its result (a summary, the files it wrote, a JSON document) goes to
stdout with `click.echo`, so it can be piped while progress stays on the terminal.

Log messages carry names from the data (files, parcels, zones): the handler removes terminal
escape sequences and control characters from every line it writes (`layout.cli.terminal`).
"""

from __future__ import annotations

import logging
import time

import click

from layout.cli.progress import ProgressDisplay
from layout.cli.terminal import printable
from layout.progress import PROGRESS

#: Name of the package logger every library module logs under.
LOGGER = "layout"


class ProgressFormatter(logging.Formatter):
    """``[  12.3 s] message`` for progress, ``warning: message`` for problems."""

    def __init__(self, *, verbose: bool = False) -> None:
        super().__init__()
        self.start = time.perf_counter()
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        """Format one record for a person reading a terminal."""
        message = record.getMessage()
        if self.verbose and record.levelno <= logging.DEBUG:
            message = f"{message} ({record.name})"
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return f"[{time.perf_counter() - self.start:6.1f} s] {message}"


class ClickHandler(logging.Handler):
    """Writes records with `click.echo` to the stderr of the moment (tests swap it)."""

    layout_cli = True

    def __init__(self, *, verbose: bool = False) -> None:
        super().__init__()
        self.progress = ProgressDisplay(self.write, verbose=verbose)

    def write(self, text: str) -> None:
        """Write one line to stderr (above a live progress bar when there is one)."""
        if not self.progress.console_print(text):
            click.echo(text, err=True)

    def emit(self, record: logging.LogRecord) -> None:
        """Write one formatted record to stderr, without control characters from the data.

        Progress records (`layout.progress`) update a bar instead (`ProgressDisplay`).
        """
        try:
            text = printable(self.format(record))
            step = getattr(record, PROGRESS, None)
            if step is not None:
                self.progress.update(step, text)
            else:
                self.write(text)
        except Exception:  # logging must never break the command
            self.handleError(record)

    def close(self) -> None:
        """Remove a live bar, then close the handler."""
        self.progress.stop()
        super().close()


def reset() -> None:
    """Remove the command line's handler (when a command ends)."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if getattr(handler, "layout_cli", False):
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(logging.NOTSET)


def configure(*, quiet: bool = False, verbose: bool = False) -> logging.Logger:
    """Send the package's log to stderr at the level ``-q``/``-v`` ask for (idempotent).

    Examples
    --------
    >>> configure(quiet=True).level == logging.ERROR
    True
    >>> reset()
    """
    reset()
    logger = logging.getLogger(LOGGER)
    handler = ClickHandler(verbose=verbose)
    handler.setFormatter(ProgressFormatter(verbose=verbose))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO)
    return logger
