"""Forked worker processes that never outlive the command.

`fork_map` runs a function over jobs in forked processes (the state they need is inherited by
fork, e.g. a module-level dict filled before the call) and gathers the results in job order.
However the call ends -- results, an error, or a KeyboardInterrupt raised by SIGINT or SIGTERM
in the parent -- no worker is left running:

* on an error or a signal the pending jobs are cancelled and the workers terminated at once,
  instead of waiting for the jobs already queued;
* each worker ignores SIGINT (Ctrl-C reaches the whole process group; the parent handles it)
  and takes SIGTERM's default action, so terminating it prints no traceback;
* on Linux each worker asks the kernel to kill it when its parent dies (``prctl
  PR_SET_PDEATHSIG``), so even a parent killed with SIGKILL leaves no worker behind.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from layout.progress import track

T = TypeVar("T")
R = TypeVar("R")

#: ``PR_SET_PDEATHSIG`` of linux/prctl.h.
PR_SET_PDEATHSIG = 1
#: The signals that interrupt a command (Ctrl-C, and SIGTERM as the CLI handles it).
INTERRUPTS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (main thread, POSIX; else no effect).

    A signal that arrives meanwhile is delivered when the block ends. Used where an exception
    raised by a signal handler would be lost or cut a step in half: around forks (Python
    ignores exceptions raised in its at-fork hooks) and around renames that go together.
    """
    can = hasattr(signal, "pthread_sigmask") and (
        threading.current_thread() is threading.main_thread()
    )
    if can:
        signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    try:
        yield
    finally:
        if can:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPTS)


def die_with_parent(parent_pid: int) -> None:
    """Make this process die when ``parent_pid`` does (Linux); exit now if it is already gone."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the parent's cleanup still applies
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def init_worker(parent_pid: int) -> None:
    """Initializer of every worker: signals as the module docstring says, die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # forked while the parent deferred them
        signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPTS)
    die_with_parent(parent_pid)


def fork_map(
    func: Callable[[T], R], jobs: Iterable[T], *, workers: int, chunksize: int = 1,
    stage: str | None = None,
) -> list[R]:
    """``[func(job) for job in jobs]`` in ``workers`` forked processes, in job order.

    With ``stage``, each finished job is reported as progress (`layout.progress.track`).

    Examples
    --------
    >>> fork_map(abs, [-1, 2, -3], workers=2)
    [1, 2, 3]
    """
    ctx = multiprocessing.get_context("fork")
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=init_worker, initargs=(os.getpid(),)
    )
    finished = False
    try:
        with signals_deferred():  # the workers are forked when the jobs are submitted
            results = pool.map(func, jobs, chunksize=chunksize)
        jobs_n = len(jobs) if isinstance(jobs, Sized) else None
        out = list(results if stage is None else track(results, stage=stage, total=jobs_n))
        finished = True
        return out
    finally:
        pool.shutdown(wait=finished, cancel_futures=not finished)
        if not finished:
            mine = set(multiprocessing.active_children()) - before
            for proc in mine:
                proc.terminate()
            for proc in mine:
                proc.join(timeout=5)
