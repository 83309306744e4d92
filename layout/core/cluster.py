"""The dask cluster a chunked plan runs on: a running scheduler, or a local one.

`dask_client` connects to a running ``dask.distributed`` scheduler by its address (started
with ``dask scheduler`` on one machine and ``dask worker ADDRESS`` on each of the others; see
docs/province.md), or starts a `distributed.LocalCluster` of worker processes sized to this
machine. The project runs on dask's scheduler, never one of its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

from layout.errors import SchedulerError

logger = logging.getLogger(__name__)

#: How long to try reaching a scheduler named with ``--scheduler``.
CONNECT_TIMEOUT = "10s"

#: Dask configuration of the local workers. dask's nanny sets ``MALLOC_TRIM_THRESHOLD_`` to
#: 64 KiB in its workers; setting it turns off glibc's dynamic mmap threshold, so every large
#: array is mapped and unmapped afresh, page by page: GDAL's COG writing ran 3x slower (26.9 s
#: against 8.9 s for one Henan score raster) and the windows paid the same page faults. Unset,
#: glibc keeps its defaults. Workers started with ``dask worker`` read the same setting from
#: a dask config file (docs/province.md).
WORKER_CONFIG: dict[str, Any] = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_":
                                 None}

__all__ = ["dask_client", "local_workers"]


def local_workers(requested: int | None = None) -> int:
    """Worker processes of a local cluster: ``requested``, else one per usable core.

    Examples
    --------
    >>> local_workers(3)
    3
    >>> local_workers() >= 1
    True
    """
    if requested:
        return int(requested)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def dask_client(
    scheduler: str | None = None, *, workers: int | None = None,
    memory_limit_gb: float | None = None,
) -> Iterator[Any]:
    """A ``distributed.Client`` for the duration of the block, closed afterwards.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``); None starts a local cluster.
    workers
        Worker processes of the local cluster (`local_workers`), one thread each: the
        windows hold the GIL in places (shapely, pandas), so processes use the cores better.
    memory_limit_gb
        Memory limit of each local worker; None lets dask share the machine's memory.

    Raises
    ------
    SchedulerError
        When the scheduler cannot be reached within `CONNECT_TIMEOUT`.
    """
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerError(
                f"--scheduler {scheduler}: cannot reach a dask scheduler there "
                f"({type(exc).__name__}); start one with `dask scheduler` and its workers with "
                "`dask worker ADDRESS`, or leave --scheduler out for a local cluster") from None
        logger.info("dask: connected to %s (%d workers)", scheduler,
                    len(client.scheduler_info().get("workers", {})))
        try:
            yield client
        finally:
            client.close()
        return
    n = local_workers(workers)
    limit: Any = "auto" if memory_limit_gb is None else f"{float(memory_limit_gb)}GB"
    # The workers ignore Ctrl-C (it reaches the whole process group): this process handles it
    # and closes the cluster, so an interrupted plan prints one line, not a traceback per
    # worker. A process started with SIGINT ignored keeps ignoring it.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT)
    if main:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with dask.config.set(WORKER_CONFIG):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   memory_limit=limit, dashboard_address=":0",
                                   silence_logs=logging.ERROR)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    client = Client(cluster)
    logger.info("dask: local cluster of %d worker processes", n)
    try:
        yield client
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM: the client's pending gathers end with AllExit as it closes,
        # which asyncio would report as tracebacks; the run stops with one line instead.
        for name in ("asyncio", "distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        raise
    finally:
        client.close()
        cluster.close()
