"""Summaries of the input layers and the ``layout overview`` command.

The map modules are tested in ``tests/products/maps/``; the command is ``layout overview``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from layout.cli.main import cli
from layout.cli.overview import overview
from layout.products import summary as report
from layout.products.maps import external_loads
from tests.products.maps.overview_data import CODES, synthetic_layers


@pytest.fixture(scope="module")
def layers() -> dict:
    return synthetic_layers()


# --- summaries ----------------------------------------------------------------------------


def test_summarise_inputs_counts_and_areas() -> None:
    square = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 2000, 3000)] * 2, crs="EPSG:4547")
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(1, 1)] * 3, crs="EPSG:4547")
    table = report.summarise_inputs({"zones": square, "enterprises": pts})
    assert table.loc["zones", "features"] == 2
    assert table.loc["zones", "area_km2"] == pytest.approx(12.0)  # 2 x 6 km²
    assert table.loc["enterprises", "features"] == 3
    assert np.isnan(table.loc["enterprises", "area_km2"])


def test_summarise_enterprises_matches_groupby(layers: dict) -> None:
    firms = layers["enterprises"]
    table = report.summarise_enterprises(firms, lang="en")
    expected = firms.groupby("industry").agg(
        n=("ent_id", "size"), e=("employees", "sum"), o=("output_wan", "sum")
    )
    for code, row in expected.iterrows():
        assert table.loc[code, "enterprises"] == row["n"]
        assert table.loc[code, "employees"] == row["e"]
        assert table.loc[code, "output_yi"] == pytest.approx(row["o"] / 1e4)
    assert table.loc["total", "enterprises"] == len(firms)
    assert list(table.index[:-1]) == [c for c in CODES if c in set(firms["industry"])]
    assert table.loc["auto", "name"] == "Automobiles and equipment"


def test_format_summary_mentions_every_layer(layers: dict) -> None:
    text = report.format_summary(layers, lang="zh", problems={"zones": 2})
    for name in layers:
        assert name in text
    assert "[2 个问题]" in text and "产业集聚区 3 个" in text and "汽车及装备制造" in text


# --- CLI ----------------------------------------------------------------------------------


@pytest.fixture
def fake_data(monkeypatch: pytest.MonkeyPatch) -> dict:
    from layout.io import embedded as datasets

    data = synthetic_layers()
    monkeypatch.setattr(datasets, "load_all", lambda: {k: v.copy() for k, v in data.items()})
    return data


def test_cli_overview_writes_html_and_png(fake_data: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--out", str(tmp_path / "maps"), "--date", "2024-05-01", "--lang", "en"]
    result = runner.invoke(overview, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html_path, png_path = tmp_path / "maps" / "overview.html", tmp_path / "maps" / "overview.png"
    assert html_path.exists() and png_path.exists()
    assert f"wrote {html_path}" in result.output and f"wrote {png_path}" in result.output
    assert "Cluster zones: 3" in result.output and "Enterprises by industry" in result.output
    first = html_path.read_bytes()
    assert external_loads(first.decode("utf-8")) == []
    quiet = runner.invoke(overview, [*args, "-q"], catch_exceptions=False)
    assert quiet.exit_code == 0
    assert "Enterprises by industry" not in quiet.output and "wrote" in quiet.output
    assert html_path.read_bytes() == first


def test_cli_overview_cdn_and_bad_date(fake_data: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        overview, ["--out", str(tmp_path), "--cdn", "--date", "2024-05-01", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "cdn.jsdelivr.net" in (tmp_path / "overview.html").read_text()
    bad = runner.invoke(overview, ["--out", str(tmp_path), "--date", "May 1"])
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_cli_is_registered() -> None:

    assert cli.get_command(None, "overview") is overview  # type: ignore[arg-type]
