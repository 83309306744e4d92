"""Tests of `layout.products.review.plots`: the bars, colours, labels and extents drawn."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from layout.errors import ValidationError as LayoutValidationError
from layout.model.grid import Grid
from layout.products import maps, review
from layout.products.maps.style import CRITERION_GROUP_COLORS
from layout.products.review.plots import CJK
from tests.fixtures.plan_folder import sites_table


def test_plot_contributions_bars_colours_and_title() -> None:
    table = review.site_contributions(sites_table(), "food-01")
    ax = review.plot_contributions(table, ax=Figure().subplots())
    widths = [p.get_width() for p in ax.patches]
    assert widths == [5.0, 10.0, 25.0]  # largest on top: drawn last
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours == [CRITERION_GROUP_COLORS[g] for g in ["terrain", "agglomeration", "intensive"]]
    assert [t.get_text() for t in ax.get_yticklabels()] == table["label"].tolist()[::-1]
    assert ax.get_title() == "food-01: mean score 40.0"
    ax.figure.canvas.draw()  # no missing-glyph warning (an error here)


def test_plot_contributions_without_a_cjk_font_draws_english(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(maps, "cjk_font", lambda: None)  # no CJK font installed
    table = review.site_contributions(
        sites_table().assign(c_labour=[1.0, 1.0]), "food-01", lang="zh"
    )
    with caplog.at_level(logging.WARNING, logger="layout.products.review"):
        ax = review.plot_contributions(
            table, ax=Figure().subplots(), lang="zh", title="食品 food-01"
        )
    assert "no font with Chinese glyphs" in caplog.text
    texts = [t.get_text() for t in ax.get_yticklabels()] + [ax.get_title()]
    assert not any(CJK.search(t) for t in texts)
    assert ax.get_title() == "food-01"
    ax.figure.canvas.draw()


def test_plot_contributions_needs_contributions() -> None:
    with pytest.raises(LayoutValidationError, match="contribution"):
        review.plot_contributions(pd.DataFrame({"label": ["a"]}), ax=Figure().subplots())


def test_plot_contributions_opens_a_pyplot_figure() -> None:
    import matplotlib.pyplot as plt

    table = review.site_contributions(sites_table(), "food-01")
    try:
        ax = review.plot_contributions(table)
        assert ax.figure in [plt.figure(n) for n in plt.get_fignums()]
    finally:
        plt.close("all")


def test_plot_stability_bars_and_highlight() -> None:
    sites = pd.DataFrame(
        {
            "site_id": ["a-01", "a-02", "b-01"],
            "industry": ["a", "a", "b"],
            "stability": [0.9, np.nan, 0.4],
        }
    )
    ax = review.plot_stability(sites, highlight="a-01", threshold=0.6, ax=Figure().subplots())
    assert [p.get_width() for p in ax.patches] == [0.4, 0.0, 0.9]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b-01", "a-02", "a-01"]
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[2] != colours[0] == colours[1]
    assert "not run" in [t.get_text() for t in ax.texts]
    assert ax.lines[0].get_xdata()[0] == 0.6
    ax = review.plot_stability(sites, industry="a", ax=Figure().subplots())
    assert len(ax.patches) == 2
    with pytest.raises(review.UnknownSiteError):
        review.plot_stability(sites, highlight="c-01", ax=Figure().subplots())


def test_plot_hot_spots_draws_the_grid_in_its_crs() -> None:
    grid = Grid.from_boundary(
        gpd.GeoSeries([shapely.box(500_000, 3_800_000, 501_000, 3_800_800)], crs="EPSG:4547"),
        resolution=100,
    )
    z = np.zeros(grid.shape)
    z[2:5, 3:6] = 3.0
    cluster = gpd.GeoDataFrame(
        geometry=[shapely.box(500_300, 3_800_300, 500_600, 3_800_600)], crs="EPSG:4547"
    ).to_crs("EPSG:4326")  # reprojected to the grid's CRS for drawing
    ax = review.plot_hot_spots(
        z, grid, hot=z > 1.645, clusters=cluster, ax=Figure().subplots(), title="t"
    )
    image = ax.images[0]
    assert [float(v) for v in image.get_extent()] == [
        500_000.0,
        501_000.0,
        3_800_000.0,
        3_800_800.0,
    ]
    np.testing.assert_array_equal(np.asarray(image.get_array()), z)
    xs = np.concatenate(
        [
            c.get_paths()[0].vertices[:, 0]
            for c in ax.collections
            if hasattr(c, "get_paths") and c.get_paths()
        ]
    )
    assert xs.min() >= 500_000 - 1 and xs.max() <= 501_000 + 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "hot spot (z > 1.645, 5 %)",
        "existing cluster",
    ]
    with pytest.raises(LayoutValidationError, match="shape"):
        review.plot_hot_spots(z[:-1], grid, ax=Figure().subplots())
