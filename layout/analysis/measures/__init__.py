"""Agglomeration measures: kernel density, Gi* hot spots, location quotients, Ellison-Glaeser γ.

Each function checks its inputs (CRS, columns, geometry types, values), reports every problem at
once as a `~layout.errors.ValidationError` (with the data floor's checks, `checks`), and hands
plain arrays to the numeric kernels of `layout.core`.  Distances are measured in metres, so
layers used for distances must be in a projected CRS (`~layout.errors.CRSError` otherwise, never
a silent reprojection from degrees); point-in-region assignment reprojects as needed.

Column names default to the enterprise layer of ``docs/data_model.md``: ``industry`` (code),
``output_wan`` (annual output, 万元), ``employees``.

The modules, one concern each; their public functions are importable from here:

* `density`: `kernel_density`;
* `hotspots`: `hot_spots` (Getis-Ord Gi*, optionally with Benjamini-Hochberg);
* `regions`: `assign_regions`, `location_quotients`;
* `concentration`: `ellison_glaeser_gamma`, `coagglomeration_gamma`;
* `clusters`: `find_clusters` (DBSCAN/HDBSCAN);
* `table`: `agglomeration_table`, all of them per industry (``measures.csv``);
* `checks`: the checks of their input layers.
"""

from layout.analysis.measures.clusters import find_clusters
from layout.analysis.measures.concentration import coagglomeration_gamma, ellison_glaeser_gamma
from layout.analysis.measures.density import kernel_density
from layout.analysis.measures.hotspots import hot_spots
from layout.analysis.measures.regions import assign_regions, location_quotients
from layout.analysis.measures.table import agglomeration_table

__all__ = [
    "agglomeration_table",
    "assign_regions",
    "coagglomeration_gamma",
    "ellison_glaeser_gamma",
    "find_clusters",
    "hot_spots",
    "kernel_density",
    "location_quotients",
]
