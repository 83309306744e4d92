"""Benchmark: the chunked (dask) engine, side by side in one run (issue 17).

1. ``layout plan henan`` at 30 m, seven industries, a local cluster of 2 workers: wall time
   (target <= 600 s) and the peak memory summed over every process of the run — the command,
   the scheduler and the workers (target <= 4 GB);
2. 1 worker against 2 on the Henan plan at 90 m (a 30 m run on one worker would take the
   better part of an hour): the speed-up of the second worker;
3. the memory engine against the dask engine on the embedded Zhengzhou plan at 50 m: both
   whole plans (``--no-sensitivity``), their time and summed peak memory.

Each case is a ``layout plan`` subprocess; a sampler adds up the resident memory of its
process tree every 0.2 s (psutil). ``--quick`` runs case 1 at 90 m instead (a smoke test of
the harness). Prints one line per case and a final JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent / "layout"
ROOT = Path(__file__).resolve().parent.parent


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_plan(plan: Path, out: Path, *args: str) -> dict[str, float]:
    """One ``layout plan`` run: wall seconds and peak summed RSS (MB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "plan", str(plan), "--out", str(out), "--no-maps",
                             "--no-sensitivity", "-q", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak[0] = max(peak[0], tree_rss(ps))
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    done.set()
    th.join()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"layout plan {plan.name} failed ({proc.returncode}): {err[-2000:]}")
    stages = json.loads((out / "timings.json").read_text(encoding="utf-8"))["stage_seconds"]
    return {"wall_s": round(wall, 1), "peak_mb": round(peak[0] / 2**20), **{
        f"stage_{k}_s": v for k, v in stages.items()}}


def variant(source: Path, tmp: Path, name: str, *, resolution: float | None = None,
            engine: str | None = None) -> Path:
    """A copy of a plan TOML with another resolution or engine."""
    text = source.read_text(encoding="utf-8")
    if resolution is not None:
        text = re.sub(r"(?m)^resolution_m = [0-9.]+", f"resolution_m = {resolution}", text, count=1)
    if engine is not None:
        text = re.sub(r"(?m)^engine = .*$", "", text)
        text = re.sub(r"(?m)^\[plan\]$", f'[plan]\nengine = "{engine}"', text, count=1)
    path = tmp / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cases", default="henan,workers,zhengzhou",
                        help="comma-separated: henan (30 m), workers (1 against 2 at 90 m), "
                        "zhengzhou (50 m, memory against dask)")
    args = parser.parse_args()
    from layout.config.plan import embedded_plan_path

    henan = ROOT / "layout" / "config" / "henan_plan.toml"
    out: dict[str, object] = {"cpus": os.cpu_count()}
    print(f"cpus (os.cpu_count): {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        cases = set(args.cases.split(","))
        res = 90.0 if args.quick else 30.0
        if "henan" in cases:
            r = run_plan(variant(henan, tmp, "henan_main", resolution=res), tmp / "h1",
                         "--workers", "2")
            out["henan"] = {"resolution_m": res, **r}
            met = r["wall_s"] <= 600 and r["peak_mb"] <= 4096
            print(f"henan {res:g} m, 2 workers: {r['wall_s']:.0f} s wall, peak "
                  f"{r['peak_mb']:,} MB summed over processes; target <= 600 s and <= 4,096 MB: "
                  f"{'met' if met else 'NOT met'}", flush=True)
        h90 = variant(henan, tmp, "henan90", resolution=90.0)
        if "workers" in cases:
            one = run_plan(h90, tmp / "w1", "--workers", "1")
            two = run_plan(h90, tmp / "w2", "--workers", "2")
            out["workers_90m"] = {"one": one, "two": two}
            print(f"henan 90 m: 1 worker {one['wall_s']:.0f} s / {one['peak_mb']:,} MB, "
                  f"2 workers {two['wall_s']:.0f} s / {two['peak_mb']:,} MB: speed-up "
                  f"x{one['wall_s'] / two['wall_s']:.2f} (2 cores)", flush=True)
        if "zhengzhou" in cases:
            zz = embedded_plan_path()
            mem = run_plan(variant(zz, tmp, "zz50m", resolution=50.0, engine="memory"),
                           tmp / "m")
            dsk = run_plan(variant(zz, tmp, "zz50d", resolution=50.0, engine="dask"),
                           tmp / "d", "--workers", "2")
            out["zhengzhou_50m"] = {"memory": mem, "dask": dsk}
            print(f"zhengzhou 50 m: memory engine {mem['wall_s']:.0f} s / {mem['peak_mb']:,} "
                  f"MB; dask engine {dsk['wall_s']:.0f} s / {dsk['peak_mb']:,} MB "
                  f"(time x{dsk['wall_s'] / mem['wall_s']:.2f}, memory "
                  f"x{dsk['peak_mb'] / mem['peak_mb']:.2f})", flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
