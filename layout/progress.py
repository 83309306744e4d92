"""Progress of long stages as log records: the library counts, the command line draws.

`track` wraps the items of a long stage (industries to score, sensitivity runs, maps) and logs
one record at its start and one after each item, on the ``layout.progress`` logger at INFO,
each carrying a `Step` in the record attribute `PROGRESS` (logging's ``extra``). The library
holds no terminal code: without a handler the records go nowhere; the ``layout`` command
(`layout.cli.logs`) draws them as a progress bar on stderr when stderr is a terminal, else as
one line per step with ``-v`` only, and never with ``-q``.

Examples
--------
>>> [x * 2 for x in track([1, 2, 3], stage="doubling")]
[2, 4, 6]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["PROGRESS", "Step", "track"]

#: Name of the log-record attribute that carries a `Step`.
PROGRESS = "layout_progress"

#: The logger progress records go to (a child of the package logger ``layout``).
logger = logging.getLogger("layout.progress")

T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    """One step of a stage: ``done`` of ``total`` items (``total`` None: unknown)."""

    stage: str
    done: int
    total: int | None
    unit: str = ""

    @property
    def finished(self) -> bool:
        """True after the last item (a stage of unknown length finishes with `track`)."""
        return self.total is not None and self.done >= self.total

    def text(self) -> str:
        """``scoring industries: 3/7`` (``3`` when the total is unknown)."""
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        return f"{self.stage}: {count}{' ' + self.unit if self.unit else ''}"


def _emit(step: Step) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info("%s", step.text(), extra={PROGRESS: step})


def track(
    items: Iterable[T], *, stage: str, total: int | None = None, unit: str = ""
) -> Iterator[T]:
    """Yield ``items``, logging a `Step` before the first and after each one.

    Parameters
    ----------
    items
        The work of the stage, one item at a time.
    stage
        What the stage does (``"scoring industries"``), shown beside the bar.
    total
        The number of items [default: ``len(items)`` when it has one].
    unit
        What an item is (``"runs"``), shown after the count.
    """
    if total is None and isinstance(items, Sized):
        total = len(items)
    done = 0
    _emit(Step(stage, done, total, unit))
    for item in items:
        yield item
        done += 1
        _emit(Step(stage, done, total, unit))
    if total is None:  # unknown length: say the stage is over
        _emit(Step(stage, done, done, unit))
