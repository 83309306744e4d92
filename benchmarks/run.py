"""``make bench``: every benchmark, each printing its figures and ratios.

1. `bench_kernels.py`: kernel density against scikit-learn and Gi* against esda, measured side
   by side in the same run (targets >= 500x and >= 1,000x faster).
2. `bench_pipeline.py` at 100 m and at 50 m (four times the cells), each in its own process:
   all seven industries from loaded inputs to score rasters (targets <= 5 s and <= 2 GB at
   100 m), and the ratio of the two times against the ratio of the cell counts (linear growth).
3. `bench_plan.py`: ``layout plan`` without and with sensitivity (targets <= 20 s and <= 60 s),
   optimised against greedy objectives and the gap to the LP bound.
4. `bench_sitecheck.py`: ``layout check-site`` with a warm cache (targets <= 1 s for one
   parcel, <= 10 s for 1,000).
5. `bench_learn.py`: ``layout learn`` for the seven industries (target <= 30 s), against
   scoring them, measured in the same run.
6. `bench_tiles.py`: an industry map's inline image and tile pyramid from a synthetic
   19,000 x 18,500 COG (Henan's size at 30 m).
7. `bench_cityplan.py`: the city plan with sensitivity, ``layout plan --no-maps`` (target
   <= 25 s on 2 cores, issue 17): wall time and its ratio to the target, CPU time, stages.
8. `bench_province.py`: the chunked (dask) engine: Henan at 30 m (targets <= 600 s and
   <= 4 GB summed over processes on 2 cores), 1 worker against 2, and the memory engine
   against dask on Zhengzhou at 50 m (issue 17).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(HERE / script), *args], check=True,
                          capture_output=True, text=True)
    return proc.stdout


def main() -> None:
    print("== kernels: ours against the reference libraries ==")
    print(run("bench_kernels.py"))
    print("== pipeline: seven industries on the full Zhengzhou grid ==")
    rows = [json.loads(run("bench_pipeline.py", "--resolution", r).strip().splitlines()[-1])
            for r in ("100", "50")]
    for r in rows:
        print(f"{r['resolution_m']:>5.0f} m  {r['cells_in_study_area']:>10,} cells  "
              f"load {r['load_s']:6.2f} s  score {r['score_7_industries_s']:6.2f} s  "
              f"peak {r['peak_rss_mb']:7.0f} MB  (cpus {r['cpus']})")
        print(f"        memory guard estimate {r['guard_estimate_mb']:7.0f} MB = "
              f"{r['guard_estimate_mb'] / r['peak_rss_mb']:.2f} x the scoring peak "
              f"(must stay above 1; a whole plan run peaks about 20 % below the estimate)")
    a, b = rows
    t100 = a["score_7_industries_s"]
    print(f"target at 100 m: <= 5 s and <= 2,048 MB -> {t100:.2f} s, {a['peak_rss_mb']:.0f} MB: "
          f"{'met' if t100 <= 5 and a['peak_rss_mb'] <= 2048 else 'NOT met'}")
    cell_ratio = b["cells_in_study_area"] / a["cells_in_study_area"]
    time_ratio = b["score_7_industries_s"] / t100
    print(f"50 m / 100 m: cells x{cell_ratio:.2f}, time x{time_ratio:.2f} "
          f"(linear growth means about the same ratio)")
    print()
    print("== plan: layout plan on the embedded data, optimised against greedy ==")
    print(run("bench_plan.py"))
    if (HERE / "bench_sitecheck.py").exists():
        print("== site check: warm cache, one parcel and a batch of 1,000 ==")
        print(run("bench_sitecheck.py"))
    print("== learn: seven industries, spatial block CV, against scoring them ==")
    out = run("bench_learn.py").strip().splitlines()
    print("\n".join(out[:-1]))
    r = json.loads(out[-1])
    print(f"learn {r['learn_7_industries_s']:.1f} s = {r['ratio']:.1f} x scoring "
          f"({r['reference_score_7_industries_s']:.1f} s, same run; cpus {r['cpus']}); target "
          f"<= 30 s: {'met' if r['learn_7_industries_s'] <= 30 else 'NOT met'}")
    print()
    print("== maps at province scale: one industry of a 19,000 x 18,500 COG ==")
    r = json.loads(run("bench_tiles.py").strip().splitlines()[-1])
    print(f"inline image read as {r['grid'][0]} x {r['grid'][1]} in {r['read_surface_s']:.2f} s; "
          f"{r['tiles']} tiles ({r['tiles_mb']} MB, zooms {r['zooms'][0]}-{r['zooms'][1]}) in "
          f"{r['write_tiles_s']:.1f} s; peak {r['peak_rss_mb']} MB (cpus {r['cpus']})")
    print("== city plan: layout plan --no-maps with its 100 sensitivity runs ==")
    print("\n".join(run("bench_cityplan.py").strip().splitlines()[:-1]))
    print("== province: the chunked engine on dask ==")
    print("\n".join(run("bench_province.py").strip().splitlines()[:-1]))


if __name__ == "__main__":
    main()
