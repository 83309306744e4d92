"""Display copies of layers: simplified, in lon/lat, rounded."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layout import settings
from layout.products.maps.prepare import for_display


def test_for_display_simplifies_and_rounds() -> None:
    # A circle of radius 5 km with 1,024 vertices; 30 m tolerance keeps far fewer of them.
    centre = gpd.GeoSeries([shapely.Point(500_000, 3_840_000)], crs=settings.default_crs)
    circle = gpd.GeoDataFrame(geometry=centre.buffer(5000, quad_segs=256))
    shown = for_display(circle, source="circle", tolerance_m=30)
    coords = shapely.get_coordinates(shown.geometry.values)
    assert shown.crs.to_epsg() == 4326
    assert 10 < len(coords) < 200
    assert np.allclose(coords * 1e6, np.round(coords * 1e6), atol=1e-6)
    # Simplification moves the outline by at most the tolerance: the area changes little.
    area = shown.to_crs(settings.default_crs).area.iloc[0]
    assert area == pytest.approx(np.pi * 5000**2, rel=0.01)
