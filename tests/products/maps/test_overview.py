"""The overview map: escaped names and tooltips, CRS handling, size on the embedded data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from layout import settings
from layout.products.maps import escape_text, external_loads, overview_map, render_html
from layout.products.maps.prepare import for_display
from tests.products.maps.overview_data import HOSTILE, synthetic_layers


@pytest.fixture(scope="module")
def layers() -> dict:
    return synthetic_layers()


def _json_form(text: str) -> str:
    """How a string appears inside the page's JSON (jinja's tojson escapes <, >, &, ')."""
    return (
        json.dumps(text)[1:-1]
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def test_hostile_names_appear_escaped(tmp_path: Path) -> None:
    layers = synthetic_layers(hostile=True)
    title = "<script>alert(1)</script> `${alert(1)}` {{ 7*7 }}"
    text = render_html(overview_map(layers, title=title, date="2024-05-01"))
    for raw in HOSTILE:
        assert raw not in text
        assert _json_form(escape_text(raw)) in text  # in tooltips
    assert "alert(1)</script>" not in text
    assert "{{ 7*7 }}" not in text and "49" not in re.findall(r"<title>(.*?)</title>", text)[0]
    assert f"<title>{escape_text(title)} 2024-05-01</title>" in text
    assert '<div class="layout-title" id="panel_' in text
    assert escape_text(title) in text  # the title panel


def test_every_tooltip_is_prebuilt_escaped_html(layers: dict) -> None:
    m = overview_map(synthetic_layers(hostile=True), title="t", date="2024-05-01")
    for child in m._children.values():
        if isinstance(child, folium.GeoJson):
            for feature in child.data["features"]:
                tip = feature["properties"].get("tip", "")
                stripped = re.sub(r"</?b>|<br>", "", tip)
                assert "<" not in stripped and ">" not in stripped, tip


def test_layers_need_a_crs(layers: dict) -> None:
    from layout.errors import CRSError

    naive = gpd.GeoDataFrame(geometry=[shapely.Point(113.6, 34.7)])
    with pytest.raises(CRSError, match="pts has no CRS"):
        for_display(naive, source="pts")
    with pytest.raises(CRSError, match="enterprises has no CRS"):
        overview_map({**layers, "enterprises": naive}, title="t")


def _county_coords(m: folium.Map) -> np.ndarray:
    layer = next(c for c in m._children.values() if isinstance(c, folium.GeoJson))
    return shapely.get_coordinates(gpd.GeoDataFrame.from_features(layer.data).geometry)


def test_layers_in_another_crs_are_shown_in_lon_lat(layers: dict) -> None:
    metric = {k: v.to_crs(settings.default_crs) for k, v in layers.items()}
    a = _county_coords(overview_map(layers, title="t", date="2024-05-01"))
    b = _county_coords(overview_map(metric, title="t", date="2024-05-01"))
    assert a.shape == b.shape and np.allclose(a, b, atol=2e-6)
    assert a[:, 0].min() > 113 and a[:, 1].max() < 35  # lon/lat, not metres


@pytest.mark.slow
def test_embedded_overview_is_at_most_5_mb() -> None:
    if not settings.embedded_gpkg().exists():
        pytest.skip("the embedded GeoPackage is not built yet (make data)")
    from layout.io import embedded as datasets

    text = render_html(overview_map(datasets.load_all(), title="t", date="2024-05-01"))
    assert external_loads(text) == []
    assert len(text.encode("utf-8")) <= 5_000_000
