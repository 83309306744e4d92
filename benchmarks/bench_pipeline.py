"""Benchmark: all seven industries on the full Zhengzhou grid, from loaded inputs to scores.

Run ``python benchmarks/bench_pipeline.py --resolution 100`` (or 50). Prints one JSON line:
the grid size, the wall time of loading the inputs and of scoring all seven industries (every
criterion, transform, exclusion and score raster, with one shared criteria cache), and the peak
resident memory of the process, beside what the memory guard
(`layout.data.memory.run_memory`) estimates for a whole plan run on that grid (it must be
above the peak). Each resolution runs in its own process (`benchmarks/run.py`)
so that peaks do not mix. Score rasters are kept, the criterion stacks dropped after each
industry, as ``layout score`` does after writing them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layout.analysis.context import CriteriaContext
from layout.config.plan import load_plan  # after the sys.path line: this source tree
from layout.data.inputs import criteria_counts, load_inputs
from layout.data.memory import run_memory
from layout.scoring.suitability import score


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resolution", type=float, default=100.0)
    args = parser.parse_args()
    plan = dataclasses.replace(load_plan(), resolution=args.resolution)
    t0 = time.perf_counter()
    inputs = load_inputs(plan)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    ctx = CriteriaContext(inputs)
    scores = {}
    for code in plan.catalog.codes:
        scores[code] = score(inputs, industry=code, context=ctx).score
    t_score = time.perf_counter() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({
        "resolution_m": args.resolution, "cells_in_grid": inputs.grid.nrows * inputs.grid.ncols,
        "cells_in_study_area": inputs.grid.n_cells, "load_s": round(t_load, 3),
        "score_7_industries_s": round(t_score, 3), "peak_rss_mb": round(peak_mb, 1),
        "guard_estimate_mb": round(
            run_memory(inputs.grid.nrows * inputs.grid.ncols, criteria_counts(plan)) / 1e6, 1),
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
