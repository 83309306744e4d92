"""Output folders replaced as one unit, staged in private folders that a later run cleans.

A command that writes a folder (``layout plan`` its plan folder and maps folder, ``layout map``,
``layout overview``, ``layout score``) declares it as an `OutputFolder` and writes inside
`replace_folders`:

1. `check_outputs` refuses, before any work, what would lose or mix data: an empty name, a
   folder that holds the current folder or an input (at any depth), two outputs that are the
   same folder or nested, a file where a folder is expected, a folder that cannot be written,
   and an existing non-empty folder that layout did not write (no `MARKER` file of the same
   kind, and files other than the ones this kind writes);
2. each output is staged in a private folder next to it (``.layout-staging.<name>.<random>``,
   mode 0700, with an ``owner.json`` naming the process);
3. only when every staged folder is complete are they swapped in together: the old folder is
   renamed into its staging folder, the new one renamed into place; if any rename fails, the ones
   done are undone, so the previous outputs survive whole; signals wait until the swap is over;
4. the staging folders (with the old outputs) are deleted.

A run killed outright (SIGKILL, power cut) leaves its staging folder; the next run that stages
next to it deletes it once its owner process is gone. `staged_output` is the file-by-file
variant for a folder shared with other files (``layout check-site --out``).
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from layout.core.workers import signals_deferred
from layout.errors import LayoutError

logger = logging.getLogger(__name__)

#: File written into every folder layout replaces; its text names the kind of folder.
MARKER = ".layout-output"
#: Prefix of the private staging folders, created next to the output folder.
STAGING_PREFIX = ".layout-staging."
#: File of a staging folder naming the process that owns it.
OWNER = "owner.json"


class OutputFolderError(LayoutError):
    """An output folder that cannot be used; the message names it and what to do."""


@dataclass(frozen=True)
class OutputFolder:
    """A folder a command replaces as a whole.

    Attributes
    ----------
    path
        The folder.
    kind
        What it holds (``"plan"``, ``"maps"``, ``"scores"``): a folder is only replaced by a
        folder of its own kind.
    option
        The command-line option that names it, for messages (``"--out"``).
    names
        Glob patterns (relative, ``/``-separated) of the files this kind writes: a folder
        without `MARKER` holding only such files was written by an earlier version, and is
        replaced too.
    """

    path: Path
    kind: str
    option: str = "--out"
    names: tuple[str, ...] = ()


def marker_text(kind: str) -> str:
    """The text of `MARKER` in a folder of ``kind`` (the same bytes on every run)."""
    return (
        f"kind = {kind}\n"
        "# Written by zz-layout: the next run replaces this folder as a whole. Keep your own\n"
        "# files elsewhere: a folder holding files layout did not write is never replaced.\n"
    )


def folder_kind(folder: Path) -> str | None:
    """The kind named by ``folder``'s `MARKER`, or None without one."""
    try:
        text = (folder / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "kind":
            return value.strip()
    return None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _foreign(folder: Path, names: Sequence[str]) -> list[str]:
    """Files of ``folder`` matching none of ``names`` (relative paths, sorted)."""
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_dir() and not p.is_symlink():
            continue
        rel = p.relative_to(folder).as_posix()
        if not any(fnmatch.fnmatchcase(rel, pat) for pat in names):
            out.append(rel)
    return out


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def check_outputs(folders: Sequence[OutputFolder], *, inputs: Iterable[Path] = ()) -> None:
    """Refuse output folders that would lose or mix data (module docstring), before any work.

    Raises
    ------
    OutputFolderError
        One line naming the folder, the option and what to do.
    """
    cwd = Path.cwd().resolve()
    resolved = [f.path.resolve() for f in folders]
    ins = [Path(p).resolve() for p in inputs]
    for f, target in zip(folders, resolved, strict=True):
        where = f"{f.option} {f.path}"
        if str(f.path) in ("", "."):
            raise OutputFolderError(
                f"{f.option} {str(f.path)!r}: the current folder cannot be an output folder "
                "(it is replaced as a whole); give a folder name, e.g. out"
            )
        if _inside(cwd, target):
            raise OutputFolderError(
                f"{where}: holds the current folder; outputs replace their folder as a whole, "
                "so give a folder of its own, e.g. out"
            )
        for p in ins:
            if _inside(p, target):
                raise OutputFolderError(
                    f"{where}: holds an input ({p}); outputs replace their folder as a whole "
                    "and inputs are never modified, so give a folder apart from the inputs"
                )
        for g, other in zip(folders, resolved, strict=True):
            if g is not f and _inside(other, target):
                what = "is the same folder as" if other == target else "holds"
                raise OutputFolderError(
                    f"{where} {what} {g.option} {g.path}; give them separate folders"
                )
        if target.exists() and not target.is_dir():
            raise OutputFolderError(f"{where}: is a file, not a folder; give a folder")
        parent = target.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir() or not _writable(parent):
            raise OutputFolderError(
                f"{where}: cannot write in {parent} (permission denied); choose a folder you "
                "can write, or change the permissions"
            )
        if target.is_dir():
            _check_existing(f, target)


def _check_existing(f: OutputFolder, target: Path) -> None:
    where = f"{f.option} {f.path}"
    if not _writable(target):
        raise OutputFolderError(
            f"{where}: not writable (permission denied); choose a folder you can write, or "
            "change the permissions"
        )
    kind = folder_kind(target)
    if kind is not None and kind != f.kind:
        raise OutputFolderError(
            f"{where}: holds {kind} written by layout, not {f.kind}; give another folder"
        )
    if kind is None and any(target.iterdir()):
        foreign = _foreign(target, f.names)
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise OutputFolderError(
                f"{where}: holds files layout did not write ({shown}); it would be replaced as "
                "a whole, so give a new or empty folder, or move those files away"
            )


# --- staging folders ---------------------------------------------------------------------------


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]  # field 22 of proc(5), after "pid (comm)"


def _alive(owner: dict[str, object]) -> bool:
    """Whether the process named in a staging folder's owner file still runs (when unsure: yes)."""
    if owner.get("host") != socket.gethostname():
        return True  # a folder shared over a network: another machine's run
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    started = owner.get("start")
    return started is None or _start_time(pid) in (None, started)


def clean_stale(parent: Path) -> list[Path]:
    """Delete the staging folders in ``parent`` whose owner process is gone; return them.

    Only folders named `STAGING_PREFIX`... with an `OWNER` file are considered: nothing else is
    ever deleted.
    """
    removed: list[Path] = []
    try:
        candidates = [p for p in parent.iterdir() if p.name.startswith(STAGING_PREFIX)]
    except OSError:
        return removed
    for folder in candidates:
        try:
            owner = json.loads((folder / OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(owner, dict) and not _alive(owner):
            logger.info("removing %s, left by an interrupted run (pid %s)", folder,
                        owner.get("pid"))
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def make_staging(target: Path, *, option: str = "--out") -> Path:
    """A private staging folder next to ``target`` (mode 0700, with `OWNER`); cleans stale ones.

    Raises
    ------
    OutputFolderError
        The folder next to ``target`` cannot be created or written.
    """
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clean_stale(parent)
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{target.name}.", dir=parent))
        owner = {"pid": os.getpid(), "start": _start_time(os.getpid()),
                 "host": socket.gethostname(), "target": target.name}
        (stage / OWNER).write_text(json.dumps(owner) + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputFolderError(
            f"{option} {target}: cannot write in {exc.filename or parent} "
            f"({(exc.strerror or str(exc)).lower()}); choose a folder you can write"
        ) from None
    return stage


def swap_in(pairs: Sequence[tuple[Path, Path]]) -> None:
    """Put each staged ``new`` folder at its ``target``, all or none (old ones kept in the stage).

    Parameters
    ----------
    pairs
        ``(target, stage)``: ``stage/"new"`` replaces ``target``; the old ``target`` (if any) is
        moved to ``stage/"old"``.
    """
    done: list[tuple[Path, Path, bool]] = []
    with signals_deferred():
        try:
            for target, stage in pairs:
                had = target.exists()
                if had:
                    os.rename(target, stage / "old")
                try:
                    os.rename(stage / "new", target)
                except BaseException:
                    if had:
                        os.rename(stage / "old", target)
                    raise
                done.append((target, stage, had))
        except BaseException:
            for target, stage, had in reversed(done):
                os.rename(target, stage / "new")
                if had:
                    os.rename(stage / "old", target)
            raise


@contextmanager
def replace_folders(
    folders: Sequence[OutputFolder], *, inputs: Iterable[Path] = ()
) -> Iterator[list[Path]]:
    """Yield one empty staging folder per output; they replace the outputs together on success.

    The checks (`check_outputs`) and the staging folders come first, so a run that cannot write
    its outputs fails before it starts. On an error or a signal inside the block, the staged
    files are deleted and the outputs are left as they were.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> outs = [OutputFolder(root / "out", "plan"), OutputFolder(root / "maps", "maps")]
    >>> with replace_folders(outs) as (out, maps):
    ...     _ = (out / "a.txt").write_text("plan")
    ...     _ = (maps / "b.txt").write_text("map")
    >>> sorted(p.name for p in root.iterdir())
    ['maps', 'out']
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['.layout-output', 'a.txt']
    """
    check_outputs(folders, inputs=inputs)
    stages: list[Path] = []
    swapped = False
    try:
        for f in folders:
            stages.append(make_staging(f.path, option=f.option))
        news = [s / "new" for s in stages]
        for new in news:
            new.mkdir()
        yield news
        for f, new in zip(folders, news, strict=True):
            (new / MARKER).write_text(marker_text(f.kind), encoding="utf-8")
        swap_in([(f.path, s) for f, s in zip(folders, stages, strict=True)])
        swapped = True
    finally:
        for s in stages:
            if not swapped and (s / "old").exists():  # the undo failed: never delete old outputs
                logger.error("the previous outputs could not be put back: they are in %s", s)
                continue
            shutil.rmtree(s, ignore_errors=True)


@contextmanager
def staged_output(folder: str | Path) -> Iterator[Path]:
    """Yield a staging folder whose files replace those of ``folder`` when the block succeeds.

    Unlike `replace_folders`, the other files of ``folder`` stay: for a folder a user shares
    with other files. The files are moved one by one, after every one was written.

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
    staging = make_staging(target)
    stage = staging / "new"
    try:
        stage.mkdir()
        yield stage
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(stage.rglob("*")):
            dest = target / path.relative_to(stage)
            if path.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
