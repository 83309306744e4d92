"""Writing a set of output files all-or-nothing.

`staged_output` gives a temporary folder next to the target; files written there are moved into
the target folder only when the block finishes without an error, so a failed run never leaves
half-written or mixed outputs behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_output(folder: str | Path) -> Iterator[Path]:
    """Yield a staging folder whose files replace those of ``folder`` when the block succeeds.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with staged_output(out) as stage:
    ...     _ = (stage / "a.txt").write_text("done")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        yield stage
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(stage.rglob("*")):
            rel = path.relative_to(stage)
            dest = target / rel
            if path.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
