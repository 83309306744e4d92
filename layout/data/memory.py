"""The memory guard: refuse a run the machine cannot hold, before any grid is allocated.

A plan keeps, for every industry, one float64 layer per criterion it weighs (the transformed
values), plus the raw criterion layers shared by all industries and a score and flags layer per
industry. `run_memory` counts those layers over the grid's cells and adds what Python and the
libraries take; `check_memory` compares that with the memory available and, when it does not
fit, names the cells, the gigabytes needed and available, and the finest cell size that fits.

The estimate is calibrated on the embedded plan (peak resident memory of
``layout plan --no-maps --no-sensitivity``, measured with ``/usr/bin/time -f %M``): 0.57 GB at
200 m, 1.25 GB at 100 m and 4.0 GB at 50 m, while `run_memory` gives 0.69, 1.53 and 4.9 GB —
about 20 % above, on purpose (``make bench`` measures the ratio again).

Memory available is what the operating system says (`psutil.virtual_memory().available`),
lowered by an address-space limit (``ulimit -v``), a cgroup limit (containers) and
``$LAYOUT_MEMORY_GB`` when set (a cap a user chooses on a shared server).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path

import psutil

from layout.errors import ConfigError, MemoryBudgetError
from layout.model.grid import grid_shape

logger = logging.getLogger(__name__)

#: Bytes of one layer cell (float64).
CELL_BYTES = 8
#: What the interpreter, the libraries and the vector layers take besides the grids, in bytes.
BASE_BYTES = 400_000_000
#: Environment variable: a cap on the memory a run may use, in GB.
MEMORY_ENV = "LAYOUT_MEMORY_GB"


def layers_per_cell(criteria_per_industry: Sequence[int]) -> int:
    """Float64 layers a plan holds per grid cell at its peak.

    One transformed layer per (industry, criterion), the raw layers shared by all industries
    (as many as the industry weighing the most criteria — an upper bound of the distinct ones
    in practice, plus one), and a score and a flags layer per industry.

    Examples
    --------
    >>> layers_per_cell([14] * 7)  # the embedded plan
    127
    """
    counts = list(criteria_per_industry)
    if not counts:
        return 0
    return sum(counts) + max(counts) + 1 + 2 * len(counts)


def run_memory(n_cells: int, criteria_per_industry: Sequence[int]) -> int:
    """Bytes a plan run needs on a grid of ``n_cells`` cells (rows × columns, masked or not).

    Examples
    --------
    >>> round(run_memory(805 * 1379, [14] * 7) / 1e9, 2)  # Zhengzhou at 100 m
    1.53
    """
    return BASE_BYTES + n_cells * CELL_BYTES * layers_per_cell(criteria_per_industry)


def cgroup_limit() -> int | None:
    """Bytes a cgroup (v2 or v1) still lets this process take, or None when there is no limit."""
    pairs = [
        (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory.current")),
        (Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
         Path("/sys/fs/cgroup/memory/memory.usage_in_bytes")),
    ]
    for limit_file, usage_file in pairs:
        try:
            limit = limit_file.read_text().strip()
            usage = int(usage_file.read_text().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 1 << 60:  # v1 writes a huge number for "no limit"
            return max(int(limit) - usage, 0)
    return None


def available_memory() -> int:
    """Bytes this process may still allocate: the smallest of every limit that applies.

    Examples
    --------
    >>> available_memory() > 0
    True
    """
    candidates = [int(psutil.virtual_memory().available)]
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            candidates.append(max(soft - psutil.Process().memory_info().vms, 0))
    except (ImportError, OSError):  # not on Windows
        pass
    limit = cgroup_limit()
    if limit is not None:
        candidates.append(limit)
    cap = os.environ.get(MEMORY_ENV, "").strip()
    if cap:
        try:
            gigabytes = float(cap)
        except ValueError:
            raise ConfigError(
                f"${MEMORY_ENV} = {cap!r}: not a number; give the memory cap in GB, e.g. 8"
            ) from None
        if not gigabytes > 0 or math.isinf(gigabytes):
            raise ConfigError(f"${MEMORY_ENV} = {cap!r}: give a positive number of GB, e.g. 8")
        candidates.append(int(gigabytes * 1e9))
    return min(candidates)


def finest_resolution(
    bounds: Sequence[float], resolution: float, criteria_per_industry: Sequence[int],
    available: int,
) -> float | None:
    """The smallest cell size (a multiple of 5 m, at least ``resolution``) whose run fits.

    None when not even a grid of one cell would fit.

    Examples
    --------
    >>> b = (0, 0, 100_000, 100_000)
    >>> finest_resolution(b, 10, [14] * 7, 2_000_000_000)
    80.0
    """
    per_cell = CELL_BYTES * layers_per_cell(criteria_per_industry)
    room = available - BASE_BYTES
    if room < per_cell:
        return None
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    area = max((xmax - xmin) * (ymax - ymin), 1.0)
    step = 5.0
    res = max(step * math.ceil(math.sqrt(area * per_cell / room) / step), resolution)
    while run_memory(math.prod(grid_shape(bounds, res)), criteria_per_industry) > available:
        res += step  # the snapped grid may have a row or column more than the area says
    return res


def check_memory(
    bounds: Sequence[float], resolution: float, criteria_per_industry: Sequence[int], *,
    source: str = "the plan",
) -> int:
    """Refuse (`MemoryBudgetError`) a run whose grid would not fit in memory; else return bytes.

    Parameters
    ----------
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the study area in the plan's metric CRS.
    resolution
        Cell size in metres.
    criteria_per_industry
        Number of criteria each planned industry weighs.
    source
        The plan file, for the message.

    Returns
    -------
    int
        The bytes the run is estimated to need.

    Examples
    --------
    >>> check_memory((0, 0, 10_000, 10_000), 100, [14] * 7) < 1e9
    True
    """
    nrows, ncols = grid_shape(bounds, resolution)
    cells = nrows * ncols
    need = run_memory(cells, criteria_per_industry)
    have = available_memory()
    logger.debug("memory: %d cells need about %.2f GB; %.2f GB available", cells, need / 1e9,
                 have / 1e9)
    if need <= have:
        return need
    fit = finest_resolution(bounds, resolution, criteria_per_industry, have)
    hint = (f"set [plan] resolution_m = {fit:g} or coarser" if fit is not None
            else "free memory or use a machine with more")
    raise MemoryBudgetError(
        f"{source}: a {resolution:g} m grid of {nrows:,} x {ncols:,} = {cells:,} cells needs "
        f"about {need / 1e9:.1f} GB but {have / 1e9:.1f} GB are available; {hint}"
    )
