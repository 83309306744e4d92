"""Maps at province scale: the inline image and the tile pyramid of a 19,000 x 18,500 COG.

Writes a synthetic score and flags COG pair of Henan's size at 30 m (custom Albers CRS, constant
512-cell blocks, an elliptic study area, two excluded bits), strip by strip so it never holds the
grid, then measures in a fresh process what an industry map does with it:
`layout.products.maps.surface.read_surface` (decimated through the overviews),
`surface_image`, and `layout.products.maps.tiles.write_tiles`.  Prints one JSON line: times,
peak RSS of the measuring process, tiles per zoom and their bytes.

    python benchmarks/bench_tiles.py [--rows 18500] [--cols 19000] [--keep DIR]
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

import numpy as np

ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=113.5 +ellps=WGS84 +units=m +no_defs"
CELL = 30.0
BITS = {"basic_farmland": 1, "eco_redline": 2, "flood_zone": 32, "outside_study_area": 128}


def write_cogs(folder: Path, rows: int, cols: int) -> Path:
    """``food_score.tif`` and ``food_flags.tif`` as a plan writes them (COG, overviews)."""
    import rasterio
    from affine import Affine
    from rasterio.shutil import copy as rio_copy
    from rasterio.windows import Window

    from layout.io.raster import cog_overviews

    folder.mkdir(parents=True, exist_ok=True)
    transform = Affine(CELL, 0, -285_000.0, 0, -CELL, 4_040_000.0)
    common = {"driver": "GTiff", "height": rows, "width": cols, "crs": ALBERS,
              "transform": transform, "tiled": True, "blockxsize": 512, "blockysize": 512,
              "compress": "deflate"}
    tmp_s, tmp_f = folder / "s.tif", folder / "f.tif"
    with rasterio.open(tmp_s, "w", count=1, dtype="float32", nodata=-1.0, **common) as ds, \
            rasterio.open(tmp_f, "w", count=1, dtype="uint16", **common) as df:
        for r0 in range(0, rows, 512):
            h = min(512, rows - r0)
            rr, cc = np.mgrid[r0:r0 + h, 0:cols]
            inside = ((rr - rows / 2) / (rows / 2)) ** 2 + ((cc - cols / 2) / (cols / 2)) ** 2 < 1
            score = (((rr // 512) * 7 + (cc // 512) * 3) % 101).astype(np.float32)
            flags = np.zeros((h, cols), np.uint16)
            flags[((rr // 512) % 5 == 1) & ((cc // 512) % 4 == 2)] |= 1
            flags[((rr // 512) % 7 == 3) & ((cc // 512) % 3 == 0)] |= 2
            score[(flags & 3) != 0] = 0.0
            flags[~inside] |= 128
            score[~inside] = -1.0
            ds.write(score, 1, window=Window(0, r0, cols, h))
            df.write(flags, 1, window=Window(0, r0, cols, h))
        ds.update_tags(industry="food")
        df.update_tags(**{f"bit_{b}": k for k, b in BITS.items()}, exclude_bits="3")
    n = cog_overviews(rows, cols)
    for src, name, resampling in ((tmp_s, "food_score.tif", "average"),
                                  (tmp_f, "food_flags.tif", "nearest")):
        rio_copy(src, folder / name, driver="COG", compress="deflate", blocksize=256,
                 overview_resampling=resampling, overview_count=n)
        src.unlink()
    return folder / "food_score.tif"


def measure(score_path: Path, out: Path) -> dict[str, object]:
    """What `layout.products.maps.plan` does for one industry map, timed."""
    from layout.products.maps.surface import read_surface, surface_image
    from layout.products.maps.tiles import write_tiles

    t0 = time.perf_counter()
    surface = read_surface(score_path)
    t1 = time.perf_counter()
    image = surface_image(surface)
    t2 = time.perf_counter()
    pyramid = write_tiles(score_path, out, image=image, exclude_bits=surface.exclude_bits,
                          url="tiles/food/{z}/{x}/{y}.png")
    t3 = time.perf_counter()
    files = list(out.rglob("*.png"))
    return {
        "grid": [int(v) for v in surface.score.shape],
        "read_surface_s": round(t1 - t0, 2),
        "surface_image_s": round(t2 - t1, 2),
        "write_tiles_s": round(t3 - t2, 2),
        "zooms": [pyramid.min_zoom, pyramid.max_zoom],
        "tiles_per_zoom": pyramid.written,
        "tiles": len(files),
        "tiles_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=18_500)
    parser.add_argument("--cols", type=int, default=19_000)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the files in")
    parser.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.measure.parent / "tiles")))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        t0 = time.perf_counter()
        path = write_cogs(folder, args.rows, args.cols)
        made = time.perf_counter() - t0
        proc = subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True,
                              capture_output=True, text=True)
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row = {"cells": [args.rows, args.cols], "write_cogs_s": round(made, 1), **row}
        print(json.dumps(row))


if __name__ == "__main__":
    main()
