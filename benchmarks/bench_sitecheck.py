"""Benchmark: ``layout check-site`` wall time, cold and warm, one parcel and 1,000.

Run ``python benchmarks/bench_sitecheck.py`` (``--cache-dir DIR`` to reuse a cache between
runs). Every figure is the wall time of a separate ``layout check-site`` process, start-up
included, against the targets of the site-check issue:

* cold: the first call for the embedded plan, which builds the score cache (no target);
* warm, one parcel: best of 5, target <= 1 s;
* warm, 1,000 parcels in one file: best of 3, target <= 10 s (on 2 cores).

Warm runs also time the command module on its own (``python -c "from layout.cli.check_site
import check_site; check_site()"``), without the ``layout`` group: the difference is what the
other subcommands cost at start-up (``layout.cli.main`` imports them all when it registers
them).

Subprocesses run with byte-code caching on (``PYTHONDONTWRITEBYTECODE`` unset) and the cache in
a temporary ``PYTHONPYCACHEPREFIX``, as an installed package would run, after one warm-up call.
Prints a table, then one JSON line with every figure and ``os.cpu_count()``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # after the sys.path line: this source tree
import numpy as np
import shapely

from layout.io import embedded as datasets
from layout.products.sitecheck import example_parcels

LAYOUT = Path(sys.executable).with_name("layout")
DIRECT = "from layout.cli.check_site import check_site; check_site()"


def random_parcels(n: int, seed: int = 20120424) -> gpd.GeoDataFrame:
    """``n`` rectangles of 150-700 m, rotated up to 30°, inside the municipality (EPSG:4326)."""
    boundary = datasets.load("boundary").to_crs("EPSG:4547").geometry.iloc[0].buffer(-2000)
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = boundary.bounds
    geoms: list[shapely.Geometry] = []
    while len(geoms) < n:
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if not boundary.contains(shapely.Point(x, y)):
            continue
        w, h = rng.uniform(150, 700, size=2)
        box = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        geoms.append(shapely.affinity.rotate(box, rng.uniform(-30, 30)))
    gdf = gpd.GeoDataFrame({"parcel_id": [f"P{i:04d}" for i in range(n)]}, geometry=geoms,
                           crs="EPSG:4547")
    return gdf.to_crs("EPSG:4326")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed


def best(cmd: list[str], env: dict[str, str], n: int) -> float:
    return min(timed(cmd, env) for _ in range(n))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache-dir", default=None, help="score cache folder to (re)use")
    parser.add_argument("--industry", default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cache_dir = Path(args.cache_dir) if args.cache_dir else folder / "cache"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(LAYOUT_CACHE_DIR=str(cache_dir), PYTHONPYCACHEPREFIX=str(folder / "pyc"))
        one = folder / "parcel.geojson"
        example_parcels().iloc[[0]].to_file(one, driver="GeoJSON")
        many = folder / "parcels_1000.geojson"
        random_parcels(1000).to_file(many, driver="GeoJSON")

        base = [str(LAYOUT), "check-site"]
        single = [*base, str(one), "--industry", args.industry, "-q"]
        batch = [*base, str(many), "--industry", args.industry, "-q"]
        cold = timed(single, env)  # builds the cache unless --cache-dir held one
        timed(single, env)  # warm-up: byte-code cache, OS file cache
        warm_one = best(single, env, 5)
        warm_one_direct = best([sys.executable, "-c", DIRECT, *single[2:]], env, 5)
        warm_batch = best(batch, env, 3)
        warm_batch_direct = best([sys.executable, "-c", DIRECT, *batch[2:]], env, 3)

    cpus = os.cpu_count()
    rows = [
        ("cold (builds the score cache), one parcel", cold, None),
        ("warm, one parcel, `layout check-site` (best of 5)", warm_one, 1.0),
        ("warm, one parcel, command module alone (best of 5)", warm_one_direct, 1.0),
        ("warm, 1,000 parcels, `layout check-site` (best of 3)", warm_batch, 10.0),
        ("warm, 1,000 parcels, command module alone (best of 3)", warm_batch_direct, 10.0),
    ]
    print(f"layout check-site --industry {args.industry}   (os.cpu_count() = {cpus})")
    for label, value, target in rows:
        verdict = "" if target is None else (
            f"target <= {target:g} s: {'met' if value <= target else 'NOT met'}")
        print(f"  {label:<56} {value:6.2f} s   {verdict}")
    print(json.dumps({
        "cold_s": round(cold, 3), "warm_one_s": round(warm_one, 3),
        "warm_one_direct_s": round(warm_one_direct, 3), "warm_1000_s": round(warm_batch, 3),
        "warm_1000_direct_s": round(warm_batch_direct, 3), "cpus": cpus,
    }))


if __name__ == "__main__":
    main()
