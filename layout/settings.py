"""Settings in one typed place: default CRSs, grid resolution, where the embedded data lives.

Functions read these lazily when an argument is ``None``, so a caller may change them at run time
(``layout.settings.default_crs = "EPSG:4526"``) or per call.

The embedded Zhengzhou data is looked up in ``$LAYOUT_DATA_DIR`` when it is set (and only
there), else in the folder ``gis_data`` next to the ``layout`` package (a source checkout, the
usual case), else in ``layout/_gis_data`` (a wheel).
"""

from __future__ import annotations

import os
from pathlib import Path

#: Metric CRS for all distance and area work: CGCS2000 / 3-degree Gauss-Kruger CM 114E.
default_crs: str = "EPSG:4547"
#: CRS of the embedded vector layers and of everything we write for people (maps, GeoJSON).
storage_crs: str = "EPSG:4326"
#: Analysis grid cell size in metres.
grid_resolution: float = 100.0
#: Seed for everything random (synthetic data, sensitivity runs).
seed: int = 20120424

#: Square metres per mu (亩): 10,000 / 15.
M2_PER_MU: float = 10_000.0 / 15.0
#: Square metres per hectare.
M2_PER_HA: float = 10_000.0

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """Return the folder that holds the embedded Zhengzhou data.

    Returns
    -------
    Path
        The first existing folder among ``$LAYOUT_DATA_DIR``, ``<repo>/gis_data`` and
        ``layout/_gis_data``.

    Examples
    --------
    >>> (data_dir() / "zhengzhou.gpkg").exists()
    True
    """
    env = os.environ.get("LAYOUT_DATA_DIR")
    if env:  # an explicit choice is honoured even when the folder lacks the data
        return Path(env)
    candidates = [_PACKAGE_DIR.parent / "gis_data", _PACKAGE_DIR / "_gis_data"]
    for folder in candidates:
        if (folder / "zhengzhou.gpkg").exists():
            return folder
    return candidates[0]


#: The embedded datasets: ``gis_data/<name>.gpkg`` and ``gis_data/<name>_dem.tif`` each
#: (``[inputs] dataset`` of a plan; ``gis_data/README.md`` describes them).
EMBEDDED_DATASETS: tuple[str, ...] = ("zhengzhou", "henan")
#: The dataset ``"embedded"`` names when a plan does not say ``[inputs] dataset``.
DEFAULT_DATASET = "zhengzhou"


def embedded_gpkg(dataset: str = DEFAULT_DATASET) -> Path:
    """Return the path of an embedded GeoPackage (``zhengzhou.gpkg`` by default).

    Examples
    --------
    >>> embedded_gpkg("henan").name
    'henan.gpkg'
    """
    return data_dir() / f"{dataset}.gpkg"


def embedded_dem(dataset: str = DEFAULT_DATASET) -> Path:
    """Return the path of an embedded DEM GeoTIFF (``zhengzhou_dem.tif`` by default)."""
    return data_dir() / f"{dataset}_dem.tif"
