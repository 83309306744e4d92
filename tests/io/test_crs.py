"""Tests of layout.io.crs: datum shifts of layers, CRS checks and messages, areas."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layout.core import datum
from layout.errors import CRSError, CRSMismatchError
from layout.io import crs


def test_convert_datum_moves_every_vertex_and_keeps_input():
    poly = shapely.Polygon([(113.6, 34.7), (113.7, 34.7), (113.7, 34.8), (113.6, 34.7)])
    gdf = gpd.GeoDataFrame({"name": ["郑州"]}, geometry=[poly], crs="EPSG:4326")
    before = gdf.copy()
    out = crs.convert_datum(gdf, from_datum="gcj02")
    # the input is untouched
    assert gdf.geometry.iloc[0].equals(before.geometry.iloc[0])
    xy_in = shapely.get_coordinates(gdf.geometry)
    xy_out = shapely.get_coordinates(out.geometry)
    ex, ey = datum.gcj02_to_wgs84(xy_in[:, 0], xy_in[:, 1])
    assert np.allclose(xy_out, np.column_stack([ex, ey]), atol=1e-12)
    assert out.crs == gdf.crs and list(out["name"]) == ["郑州"]


def test_convert_datum_refuses_projected_layers_and_unknown_datums():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(500000, 3840000)], crs="EPSG:4547")
    with pytest.raises(CRSError, match="lon/lat"):
        crs.convert_datum(gdf, from_datum="gcj02")
    with pytest.raises(CRSError, match="unknown datum"):
        datum.check_datum("wgs-72")


def test_require_crs_and_projection_messages():
    no_crs = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)])
    with pytest.raises(CRSError, match="no CRS"):
        crs.require_crs(no_crs, source="parcels.geojson")
    geo = gpd.GeoDataFrame(geometry=[shapely.Point(113, 34)], crs="EPSG:4326")
    with pytest.raises(CRSError, match="degrees"):
        crs.require_projected(geo)
    metric = crs.to_metric(geo)
    assert metric.crs.to_epsg() == 4547
    with pytest.raises(CRSMismatchError, match=r"EPSG:4326.*EPSG:4547"):
        crs.require_same_crs(geo, metric)


def test_areas_in_mu_and_hectares():
    # a 1 km square is 100 ha = 1,500 mu exactly
    sq = gpd.GeoSeries([shapely.box(500000, 3840000, 501000, 3841000)], crs="EPSG:4547")
    assert crs.area_mu(sq).iloc[0] == pytest.approx(1500.0, rel=1e-12)
    assert crs.area_ha(sq).iloc[0] == pytest.approx(100.0, rel=1e-12)
    assert crs.mu_to_ha(15.0) == pytest.approx(1.0)
    # a geographic layer is projected first, not measured in square degrees
    geo = sq.to_crs("EPSG:4326")
    assert crs.area_mu(geo).iloc[0] == pytest.approx(1500.0, rel=1e-6)
