"""Tests of layout.analysis.measures.clusters: DBSCAN and HDBSCAN on two blobs, errors."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layout.analysis import measures
from layout.errors import ConfigError, CRSError, UnknownIndustryError, ValidationError
from tests.fixtures.measures import METRIC, X0, YTOP


@pytest.fixture
def blobs() -> gpd.GeoDataFrame:
    """Two tight auto blobs (30 and 20 firms, sd 200 m) 8 km apart, 10 scattered auto firms,
    and 15 food firms inside the first blob (must be ignored when clustering auto)."""
    rng = np.random.default_rng(42)
    a = rng.normal([X0 + 2000, YTOP - 2000], 200, (30, 2))
    b = rng.normal([X0 + 10000, YTOP - 2000], 200, (20, 2))
    noise = rng.uniform([X0 - 6000, YTOP - 12000], [X0 + 18000, YTOP + 8000], (10, 2))
    food = rng.normal([X0 + 2000, YTOP - 2000], 200, (15, 2))
    xy = np.vstack([a, b, noise, food])
    ind = ["auto"] * 60 + ["food"] * 15
    return gpd.GeoDataFrame({"industry": ind, "output_wan": np.full(75, 100.0),
                             "employees": np.full(75, 50)},
                            geometry=shapely.points(xy), crs=METRIC)


def test_find_clusters_two_blobs_dbscan(blobs):
    cl = measures.find_clusters(blobs, industry="auto", eps_m=1000, min_samples=5)
    assert len(cl) == 2
    assert cl.crs.equals(blobs.crs)
    assert list(cl["n_firms"]) == [30, 20]  # largest first
    assert list(cl["label"]) == [0, 1]
    assert cl["output_wan"].tolist() == [3000.0, 2000.0]
    assert cl["employees"].tolist() == [1500, 1000]
    assert cl.attrs["n_noise"] == 10
    assert (cl.geom_type == "Polygon").all()
    assert cl.geometry.iloc[0].contains(blobs.iloc[:30].union_all())  # hull holds its members
    assert cl.geometry.iloc[1].contains(blobs.iloc[30:50].union_all())


def test_find_clusters_two_blobs_hdbscan(blobs):
    # HDBSCAN is scale-free: a scattered firm still joined to a blob when the blob separates
    # from the rest (at ~8 km here) belongs to it, so the clusters may hold a few of the
    # scattered firms; the two blobs are still the two clusters.
    cl = measures.find_clusters(blobs, industry="auto", eps_m=1000, min_samples=5,
                                method="hdbscan")
    assert len(cl) == 2
    assert cl.geometry.iloc[0].contains(blobs.iloc[:30].union_all())
    assert cl.geometry.iloc[1].contains(blobs.iloc[30:50].union_all())
    assert cl["n_firms"].sum() + cl.attrs["n_noise"] == 60
    assert cl.attrs["method"] == "hdbscan"


def test_find_clusters_errors(blobs):
    with pytest.raises(UnknownIndustryError, match="did you mean 'auto'"):
        measures.find_clusters(blobs, industry="autos")
    with pytest.raises(CRSError):
        measures.find_clusters(blobs.to_crs("EPSG:4326"), industry="auto")
    with pytest.raises(ValidationError, match="expected a column 'employees'"):
        measures.find_clusters(blobs.drop(columns="employees"), industry="auto")
    with pytest.raises(ConfigError, match="method"):
        measures.find_clusters(blobs, industry="auto", method="kmeans")  # type: ignore[arg-type]


def test_find_clusters_all_industries(blobs):
    # industry=None clusters every firm: the food firms join the first auto blob (30 + 15).
    cl = measures.find_clusters(blobs.drop(columns="industry"), industry=None, eps_m=1000)
    assert list(cl["n_firms"]) == [45, 20]
    assert (cl["industry"] == "all").all()


def test_find_clusters_none_found(blobs):
    cl = measures.find_clusters(blobs, industry="food", eps_m=1, min_samples=5)
    assert len(cl) == 0 and cl.crs.equals(blobs.crs)
    assert list(cl.columns) == ["label", "industry", "n_firms", "output_wan", "employees",
                                "geometry"]
