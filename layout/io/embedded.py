"""The embedded data: load the layers of an embedded dataset and find its DEM.

The data lives in ``gis_data/`` (see `layout.settings.data_dir`): the Zhengzhou dataset (the
default, ``zhengzhou.gpkg``) and the province-scale Henan example (``henan.gpkg``, no land-use
layer), named by `layout.settings.EMBEDDED_DATASETS`; ``gis_data/README.md`` says for every layer
what is real, approximate or synthetic.  Layers come back as GeoDataFrames in their
stored CRS (EPSG:4326) with ``attrs["source"]`` set, so later stages can cite them.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from layout import settings
from layout.errors import DataFileError
from layout.io.files import existing_file, first_line, reader_warnings_logged

#: The vector layers of an embedded GeoPackage, in the order stages use them (``henan.gpkg``
#: has all but ``landuse``).
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


def _check_dataset(dataset: str) -> None:
    if dataset not in settings.EMBEDDED_DATASETS:
        raise DataFileError(f"no embedded dataset {dataset!r}; the embedded datasets are "
                            f"{', '.join(settings.EMBEDDED_DATASETS)}")


def gpkg_path(dataset: str = settings.DEFAULT_DATASET) -> Path:
    """Return an embedded GeoPackage's path, or raise `DataFileError` saying how to build it."""
    _check_dataset(dataset)
    path = settings.embedded_gpkg(dataset)
    if not path.exists():
        raise DataFileError(
            f"{path}: the embedded {dataset.title()} data is missing; run `make data` to rebuild "
            f"it or set LAYOUT_DATA_DIR to a folder holding {path.name}"
        )
    return path


def dem_path(dataset: str = settings.DEFAULT_DATASET) -> Path:
    """Return the path of an embedded DEM GeoTIFF (metres a.s.l.).

    Zhengzhou's is in EPSG:4547 at 100 m; Henan's in the Henan Albers CRS of
    ``layout/config/henan_plan.toml`` at 500 m.
    """
    _check_dataset(dataset)
    path = settings.embedded_dem(dataset)
    if not path.exists():
        raise DataFileError(f"{path}: the embedded DEM is missing; run `make data` to rebuild it")
    return path


def load(layer: str, *, dataset: str = settings.DEFAULT_DATASET) -> gpd.GeoDataFrame:
    """Load one layer of an embedded dataset (the Zhengzhou data by default).

    Parameters
    ----------
    layer
        One of `LAYERS`.
    dataset
        One of `layout.settings.EMBEDDED_DATASETS`.

    Returns
    -------
    GeoDataFrame
        The layer in EPSG:4326, ``attrs["source"]`` naming the file and layer.

    Examples
    --------
    >>> counties = load("counties")
    >>> len(counties), counties.crs.to_epsg()
    (12, 4326)
    >>> len(load("counties", dataset="henan"))
    18
    """
    if layer not in LAYERS:
        raise DataFileError(f"no embedded layer {layer!r}; the layers are {', '.join(LAYERS)}")
    path = gpkg_path(dataset)
    fix = (
        "run `make data` to rebuild it, or set LAYOUT_DATA_DIR to a folder holding a good "
        f"{path.name}"
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


def load_all(*, dataset: str = settings.DEFAULT_DATASET) -> dict[str, gpd.GeoDataFrame]:
    """Load every layer of an embedded dataset into a dict keyed by layer name.

    A layer the dataset does not hold (Henan's ``landuse``) is left out.
    """
    path = gpkg_path(dataset)
    try:
        held = {str(name) for name, _ in pyogrio.list_layers(path)}
    except (OSError, pyogrio.errors.DataSourceError):
        held = set(LAYERS)  # an unreadable file: `load` says what is wrong
    return {name: load(name, dataset=dataset) for name in LAYERS if name in held}
