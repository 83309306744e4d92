"""Existing clusters of enterprises, found by DBSCAN or HDBSCAN on metres (`find_clusters`)."""

from __future__ import annotations

import difflib
import math
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from layout.analysis.measures.checks import check_enterprises
from layout.errors import ConfigError, UnknownIndustryError
from layout.io.crs import require_projected


def find_clusters(
    enterprises: gpd.GeoDataFrame,
    *,
    industry: str | None,
    eps_m: float = 1500.0,
    min_samples: int = 5,
    method: Literal["dbscan", "hdbscan"] = "dbscan",
    buffer_m: float = 100.0,
    industry_col: str = "industry",
) -> gpd.GeoDataFrame:
    """Existing clusters of enterprises of one industry, by DBSCAN or HDBSCAN on metres.

    Parameters
    ----------
    enterprises
        Enterprise points in a projected CRS, with columns ``output_wan`` and ``employees``.
    industry
        Industry code whose enterprises are clustered, or None for all enterprises.
    eps_m
        DBSCAN: neighbourhood radius in metres (default 1.5 km, the scale of one industrial
        park).  HDBSCAN: ``cluster_selection_epsilon``, clusters closer than this are not split.
        HDBSCAN has no density floor: a cluster keeps every firm still attached to it where it
        separates from the rest, so its hull may take in a few scattered firms, and a loose
        group of ``min_samples`` firms far from the others can form a cluster; DBSCAN's
        ``eps_m`` is a fixed density threshold and is the default for that reason.
    min_samples
        DBSCAN: points within ``eps_m`` (the point included) that make a core point.  HDBSCAN:
        ``min_cluster_size``.
    method
        ``"dbscan"`` or ``"hdbscan"`` (scikit-learn's).
    buffer_m
        The convex hull of each cluster is buffered by this many metres (one 100 m grid cell by
        default), so that clusters of collinear firms are polygons too; 0 for bare hulls.
    industry_col
        Column of industry codes.

    Returns
    -------
    GeoDataFrame
        One row per cluster, in the input CRS, largest first: ``label`` (0 = most firms),
        ``industry``, ``n_firms``, ``output_wan`` (sum, 万元), ``employees`` (sum) and the
        (buffered) convex hull.  ``attrs``: ``n_noise`` (firms in no cluster), ``method``.

    Raises
    ------
    UnknownIndustryError
        No enterprise has the industry code (the message lists those present).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> xy = [(0, 0), (100, 0), (0, 100), (100, 100), (50, 50), (9000, 9000)]
    >>> firms = gpd.GeoDataFrame({"industry": ["auto"] * 6, "output_wan": [1.0] * 6,
    ...     "employees": [10] * 6}, geometry=shapely.points(xy), crs="EPSG:4547")
    >>> cl = find_clusters(firms, industry="auto", eps_m=200, min_samples=3)
    >>> cl[["label", "n_firms", "employees"]]
       label  n_firms  employees
    0      0        5         50
    >>> cl.attrs["n_noise"]
    1
    """
    if method not in ("dbscan", "hdbscan"):
        raise ConfigError(f"method must be 'dbscan' or 'hdbscan', got {method!r}")
    if not (math.isfinite(eps_m) and eps_m > 0):
        raise ConfigError(f"eps_m must be a positive distance in metres, got {eps_m!r}")
    if not (isinstance(min_samples, int | np.integer) and min_samples >= 2):
        raise ConfigError(f"min_samples must be an integer >= 2, got {min_samples!r}")
    if not (math.isfinite(buffer_m) and buffer_m >= 0):
        raise ConfigError(f"buffer_m must be >= 0 metres, got {buffer_m!r}")
    source = "enterprises layer"
    crs = require_projected(enterprises, source=source)
    check_enterprises(
        enterprises,
        source=source,
        codes=[industry_col] if industry is not None else [],
        numbers=["output_wan", "employees"],
    )
    firms = enterprises
    if industry is not None:
        present = sorted(enterprises[industry_col].astype(str).unique())
        if industry not in present:
            near = difflib.get_close_matches(industry, present, n=3)
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
            raise UnknownIndustryError(
                f"no enterprise has {industry_col} {industry!r} (codes present: "
                f"{', '.join(present)}){hint}"
            )
        firms = enterprises[enterprises[industry_col].astype(str) == industry]
    xy = shapely.get_coordinates(np.asarray(firms.geometry.values))
    labels = _cluster_labels(xy, eps_m=eps_m, min_samples=min_samples, method=method)
    out_rows, hulls = [], []
    found = [lab for lab in np.unique(labels) if lab >= 0]
    sizes = {lab: int((labels == lab).sum()) for lab in found}
    for new, lab in enumerate(sorted(found, key=lambda lab: (-sizes[lab], lab))):
        sel = labels == lab
        hull = shapely.MultiPoint(xy[sel]).convex_hull
        hulls.append(hull.buffer(buffer_m) if buffer_m > 0 else hull)
        out_rows.append(
            {
                "label": new,
                "industry": industry if industry is not None else "all",
                "n_firms": sizes[lab],
                "output_wan": float(firms["output_wan"].to_numpy(dtype=np.float64)[sel].sum()),
                # Numbers written as text pass the checks: add them as numbers.
                "employees": pd.to_numeric(firms["employees"]).to_numpy()[sel].sum(),
            }
        )
    columns = ["label", "industry", "n_firms", "output_wan", "employees"]
    out = gpd.GeoDataFrame(pd.DataFrame(out_rows, columns=columns), geometry=hulls, crs=crs)
    out.attrs.update(n_noise=int((labels < 0).sum()), method=method)
    return out


def _cluster_labels(
    xy: NDArray[np.float64], *, eps_m: float, min_samples: int, method: str
) -> NDArray[np.int64]:
    """scikit-learn cluster labels of points (metres); -1 is noise."""
    if len(xy) < min_samples:
        return np.full(len(xy), -1, dtype=np.int64)
    from sklearn.cluster import DBSCAN, HDBSCAN

    if method == "dbscan":
        model = DBSCAN(eps=eps_m, min_samples=min_samples).fit(xy)
    else:
        # copy=True: do not let HDBSCAN modify the array (and silences its FutureWarning).
        model = HDBSCAN(
            min_cluster_size=min_samples, cluster_selection_epsilon=float(eps_m), copy=True
        ).fit(xy)
    return np.asarray(model.labels_, dtype=np.int64)
