"""The embedded Zhengzhou data: load its layers and find its DEM.

The data lives in ``gis_data/`` (see `layout.settings.data_dir`); ``gis_data/README.md`` says for
every layer what is real, approximate or synthetic.  Layers come back as GeoDataFrames in their
stored CRS (EPSG:4326) with ``attrs["source"]`` set, so later stages can cite them.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from layout import settings
from layout.errors import DataFileError
from layout.io.files import existing_file, first_line, reader_warnings_logged

#: The vector layers of ``zhengzhou.gpkg``, in the order stages use them.
LAYERS: tuple[str, ...] = (
    "boundary",
    "counties",
    "zones",
    "enterprises",
    "constraints",
    "transport_lines",
    "transport_points",
    "urban_areas",
    "landuse",
)


def gpkg_path() -> Path:
    """Return the embedded GeoPackage path, or raise `DataFileError` saying how to build it."""
    path = settings.embedded_gpkg()
    if not path.exists():
        raise DataFileError(
            f"{path}: the embedded Zhengzhou data is missing; run `make data` to rebuild it "
            "or set LAYOUT_DATA_DIR to a folder holding zhengzhou.gpkg"
        )
    return path


def dem_path() -> Path:
    """Return the path of the embedded DEM GeoTIFF (EPSG:4547, 100 m, metres a.s.l.)."""
    path = settings.embedded_dem()
    if not path.exists():
        raise DataFileError(f"{path}: the embedded DEM is missing; run `make data` to rebuild it")
    return path


def load(layer: str) -> gpd.GeoDataFrame:
    """Load one layer of the embedded Zhengzhou data.

    Parameters
    ----------
    layer
        One of `LAYERS`.

    Returns
    -------
    GeoDataFrame
        The layer in EPSG:4326, ``attrs["source"]`` naming the file and layer.

    Examples
    --------
    >>> counties = load("counties")
    >>> len(counties), counties.crs.to_epsg()
    (12, 4326)
    """
    if layer not in LAYERS:
        raise DataFileError(f"no embedded layer {layer!r}; the layers are {', '.join(LAYERS)}")
    path = gpkg_path()
    fix = (
        "run `make data` to rebuild it, or set LAYOUT_DATA_DIR to a folder holding a good "
        "zhengzhou.gpkg"
    )
    try:
        existing_file(path)
        with reader_warnings_logged(path):
            gdf = pyogrio.read_dataframe(path, layer=layer)
    except DataFileError as exc:
        raise DataFileError(f"{exc} (the embedded data: {fix})") from None
    except pyogrio.errors.DataLayerError as exc:
        raise DataFileError(
            f"{path}: the embedded data has no readable layer {layer!r} ({first_line(exc)}); "
            f"{fix}"
        ) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.FieldError,
            pyogrio.errors.GeometryError) as exc:
        raise DataFileError(
            f"{path}: the embedded data is not a readable GeoPackage ({first_line(exc)}); {fix}"
        ) from None
    gdf.attrs["source"] = f"{path.name}:{layer}"
    return gdf


def load_all() -> dict[str, gpd.GeoDataFrame]:
    """Load every layer of the embedded data into a dict keyed by layer name."""
    return {name: load(name) for name in LAYERS}
