"""Benchmark the province allocation (`layout.allocation.regional.allocate_by_region`).

Run ``python benchmarks/bench_regional.py [--resolution 300]`` (about a minute at 300 m).
On the embedded Zhengzhou plan at the allocation resolution, side by side in one run:

1. the whole study area as one region (what `run_plan` allocates on that grid);
2. its 12 counties as regions on dask's local synchronous scheduler (one process);
3. the same on a ``distributed.LocalCluster`` of 2 worker processes (1 thread each), started
   before the timer (its start-up is printed apart); the first call is timed (workers import
   the package and warm up) and a second one.

Each line gives the wall time, the objective (score × mu), the LP bound, the gap and the
shortfall; the regions must agree between 2 and 3 (same objective).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# After the sys.path line: this source tree, not an install.
import geopandas as gpd
import shapely

from layout.allocation.regional import ProvinceAllocation, allocate_by_region
from layout.data.inputs import load_inputs
from layout.model.grid import Grid


def line(label: str, seconds: float, out: ProvinceAllocation) -> str:
    short = out.shortfall_mu
    return (f"{label:<34} {seconds:7.1f} s  objective {out.objective:>12,.0f}  "
            f"LP bound {out.bound:>12,.0f}  gap {out.gap:6.2%}  shortfall {short:>7,.0f} mu  "
            f"sites {len(out.sites)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=float, default=300.0)
    args = parser.parse_args()
    import distributed

    base = load_inputs()
    grid = Grid.from_boundary(base.study_area, resolution=args.resolution, crs=base.plan.crs)
    prov = dataclasses.replace(base, grid=grid)
    counties = base.layer("counties")
    whole = gpd.GeoDataFrame({"id": ["all"]},
                             geometry=[shapely.union_all(base.study_area.geometry.values)],
                             crs=base.plan.crs)
    print(f"Zhengzhou at {args.resolution:g} m: {grid.n_cells:,} cells, {len(counties)} "
          f"counties; cpus {os.cpu_count()}")
    t = time.perf_counter()
    one = allocate_by_region(prov, whole, region_id="id")
    print(line("one region (run_plan's programme)", time.perf_counter() - t, one))
    t = time.perf_counter()
    local = allocate_by_region(prov, counties, region_id="adcode")
    t_local = time.perf_counter() - t
    print(line("12 counties, local scheduler", t_local, local))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            print(f"{'LocalCluster start (2 workers)':<34} {time.perf_counter() - t:7.1f} s")
            for k in (1, 2):
                t = time.perf_counter()
                remote = allocate_by_region(prov, counties, region_id="adcode", client=client)
                t_remote = time.perf_counter() - t
                print(line(f"12 counties, 2 workers, call {k}", t_remote, remote))
    same = abs(remote.objective - local.objective) <= 1e-9 * abs(local.objective)
    print(f"2 workers against the local scheduler: x{t_local / t_remote:.2f} faster "
          f"(second call); objectives {'agree' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
