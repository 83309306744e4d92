"""Progress bars on stderr for the library's progress records (`layout.progress`).

The bars are drawn with rich (``rich.progress``): a maintained library that renders on any
stream, knows whether that stream is a terminal and keeps log lines printed during a bar above
it. On a terminal each stage gets a bar that disappears when the stage ends (the stage's own
log line says what it did); elsewhere (a pipe, a file, a test) no bar is drawn and the steps are
written as lines only with ``-v``, so that a log file or an error stays as short as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from layout.progress import Step

__all__ = ["ProgressDisplay"]


class ProgressDisplay:
    """Draws `Step` records as rich progress bars on the stderr of the moment.

    Parameters
    ----------
    write
        Writes one line (the log handler's own output, so it keeps its format).
    verbose
        Write a line for every step when stderr is not a terminal (else none).
    """

    def __init__(self, write: Callable[[str], None], *, verbose: bool = False) -> None:
        self.write = write
        self.verbose = verbose
        self.bar: Any = None
        self.task: Any = None
        self.stage: str | None = None

    def console_print(self, text: str) -> bool:
        """Print a log line above a live bar; False when no bar is live."""
        if self.bar is None:
            return False
        self.bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        return True

    def _start(self, step: Step) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=sys.stderr, stderr=True)
        if not console.is_terminal:
            return
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), console=console, transient=True)
        bar.start()
        self.task = bar.add_task(step.stage, total=step.total)
        self.bar = bar

    def stop(self) -> None:
        """Remove a live bar (the stage ended, or the command did)."""
        if self.bar is not None:
            self.bar.stop()
        self.bar = self.task = self.stage = None

    def update(self, step: Step, line: str) -> None:
        """Show ``step``; ``line`` is its log line (written with ``-v`` off a terminal)."""
        if step.stage != self.stage:
            self.stop()
            self.stage = step.stage
            self._start(step)
        if self.bar is not None:
            self.bar.update(self.task, completed=step.done, total=step.total)
        elif self.verbose and step.done:
            self.write(line)
        if step.finished:
            self.stop()
