"""Benchmark: ``layout plan`` on the embedded data at 100 m, as a user runs it.

Runs the command twice in subprocesses — without sensitivity (target <= 20 s wall) and with the
default sensitivity runs (target <= 60 s) — measuring wall time and the peak resident memory of
the process tree (target <= 2 GB), and prints the optimised and greedy objectives and the gap to
the LP bound (target within 1 %) from the run's manifest.json. Maps are written too.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "layout"


def run(*args: str) -> tuple[float, float, dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        out, maps = Path(tmp) / "out", Path(tmp) / "maps"
        t0 = time.perf_counter()
        subprocess.run([str(BIN), "plan", "--out", str(out), "--maps", str(maps), "-q", *args],
                       check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        manifest["stage_seconds"] = json.loads(
            (out / "timings.json").read_text(encoding="utf-8"))["stage_seconds"]
    return wall, peak, manifest


def main() -> None:
    print(f"cpus (os.cpu_count): {os.cpu_count()}")
    for label, args, target in (("without sensitivity", ["--no-sensitivity"], 20.0),
                                ("with sensitivity (100 runs)", [], 60.0)):
        wall, peak, man = run(*args)
        sol = man["solver"]
        assert isinstance(sol, dict)
        stages = man["stage_seconds"]
        print(f"layout plan {label}: {wall:5.1f} s wall (target <= {target:g} s: "
              f"{'met' if wall <= target else 'NOT met'}), peak {peak:,.0f} MB (target <= 2,048)")
        print(f"  stages: {stages}")
        print(f"  objective {sol['objective']:,.0f}; greedy {sol['greedy_objective']:,.0f} "
              f"({sol['greedy_objective'] / sol['objective']:.1%} of optimised); LP bound "
              f"{sol['lp_bound']:,.0f}, gap {sol['gap_to_lp_bound']:.2%} (target <= 1 %)")


if __name__ == "__main__":
    main()
