"""Benchmark: the city plan with sensitivity (issue 17), ``layout plan --out DIR --no-maps``.

The embedded Zhengzhou plan with its default sensitivity runs (100 Monte-Carlo runs and the
one-at-a-time changes), run as a user runs it: in a subprocess, from a temporary working
directory. Prints the wall time and its ratio to the target (<= 25 s on 2 cores), the CPU time
of the process tree (user + system; on a machine shared with other jobs the wall time grows but
the CPU time hardly does), the peak resident memory, the stage times of ``timings.json``, the
objective and the sensitivity figures (so that a faster run can be checked to give the same
plan), and the load average when it started. The last line is the same as JSON.

Usage: ``python benchmarks/bench_cityplan.py [--repeat N]`` (the best of N runs is reported).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent / "layout"
TARGET_S = 25.0


def run_once() -> dict[str, Any]:
    """One ``layout plan --no-maps`` in a subprocess: wall, CPU, peak memory and its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        subprocess.run([str(BIN), "plan", "--out", str(out), "--no-maps", "-q"], cwd=tmp,
                       check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        stages = json.loads((out / "timings.json").read_text(encoding="utf-8"))["stage_seconds"]
        report = (out / "report.md").read_text(encoding="utf-8")
    agreement = next((line.split("reproduces ")[1].split(" ")[0] for line in report.splitlines()
                      if "restricted programme reproduces" in line), "?")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
        "peak_rss_mb": round(after.ru_maxrss / 1024.0),
        "load_average_at_start": round(load, 2),
        "stage_seconds": stages,
        "objective": manifest["solver"]["objective"],
        "lp_agreement": agreement,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs; the best wall is reported")
    args = parser.parse_args()
    runs = [run_once() for _ in range(max(1, args.repeat))]
    best = min(runs, key=lambda r: float(r["wall_s"]))
    wall = float(best["wall_s"])
    print(f"cpus (os.cpu_count): {os.cpu_count()}; load average at start "
          f"{best['load_average_at_start']} (above the cpu count: other jobs share the cores)")
    print(f"layout plan --no-maps with sensitivity: {wall:.1f} s wall = "
          f"{wall / TARGET_S:.2f} x the {TARGET_S:g} s target "
          f"({'met' if wall <= TARGET_S else 'NOT met'}); CPU {best['cpu_s']} s; "
          f"peak {best['peak_rss_mb']} MB; best of {len(runs)}")
    print(f"  stages: {best['stage_seconds']}")
    print(f"  objective {float(best['objective']):,.1f}; the restricted programme reproduces "
          f"{best['lp_agreement']} of the plan's cells under the base weights")
    print(json.dumps({**best, "target_s": TARGET_S, "ratio_to_target": round(wall / TARGET_S, 3),
                      "cpus": os.cpu_count(), "runs": len(runs)}))


if __name__ == "__main__":
    main()
