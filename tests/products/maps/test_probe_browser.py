"""A click on the tiny plan's industry map: the score with its top contributions, or the
exclusion with its legal basis.

Expected values are computed here from the plan's own rasters (score band, criterion bands and
the ``weights`` tag: contribution = 100 × weight × value) and from the constraints layer written
into the plan's inputs, not from the page's embedded data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio

from layout.model.constraints import CONSTRAINT_TYPES
from layout.model.criteria import contribution_label
from layout.products.maps.plan import write_plan_maps
from tests.products.maps.browser import Visit, screenshot
from tests.products.maps.plan_data import CELL, METRIC, cell_box, make_plan_dir, tiny_layers
from tests.products.maps.test_plan_browser import cell_latlng, click_at

pytestmark = pytest.mark.browser

#: The popup shows contributions in half points; the clicked pixel may be the cell's neighbour.
HALF_POINT = 0.25 + 1e-9
ECO_BASIS = "《生态保护红线管理办法》测试条款"


@pytest.fixture
def maps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The tiny plan's maps, with a constraints layer citing a basis for the red line."""
    from layout.io import embedded as datasets

    constraints = gpd.GeoDataFrame(
        {"constr_id": ["c1"], "type": ["eco_redline"], "legal_basis": [ECO_BASIS]},
        geometry=[cell_box((0, 10), (40, 55))],
        crs=METRIC,
    ).to_crs("EPSG:4326")
    monkeypatch.setattr(datasets, "load_all", lambda: {**tiny_layers(), "constraints": constraints})
    plan = make_plan_dir(tmp_path / "plan")
    write_plan_maps(plan, out_dir=tmp_path / "maps", png=False, title="测试规划",
                    date="2024-05-01")
    return plan, tmp_path / "maps"


def _expected(plan: Path, code: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Score, criterion names and contributions (criteria × rows × cols) from the rasters."""
    (path,) = plan.rglob(f"{code}_score.tif")
    with rasterio.open(path) as src:
        bands = src.read().astype(float)
        bands[bands == src.nodata] = np.nan
        pairs = [kv.split("=") for kv in src.tags()["weights"].split(";")]
    names = [k for k, _ in pairs]
    weights = np.array([float(v) for _, v in pairs])
    return bands[0], names, 100 * weights[:, None, None] * bands[1 : 1 + len(names)]


def test_click_shows_top_contributions_and_legal_basis(
    visit: Callable[..., Visit], maps: tuple[Path, Path], tmp_path: Path
) -> None:
    plan, folder = maps
    seen = visit(folder / "industry_auto.html")
    page = seen.page
    assert seen.external == [] and seen.page_errors == [] and seen.console_errors == []
    score, names, contrib = _expected(plan, "auto")

    r, c = 24, 33  # a suitable cell away from every block
    page.evaluate("([lat, lng]) => { window.__layout.map.setView([lat, lng], 15); }",
                  cell_latlng(r, c))
    page.wait_for_timeout(300)
    text = click_at(seen, cell_latlng(r, c))
    shown = int(re.search(r"评分：(\d+)", text).group(1))  # type: ignore[union-attr]
    rows = re.findall(r"^(.+)：([\d.]+) 分$", text, flags=re.M)
    assert "主要贡献" in text and len(rows) == min(3, len(names))
    # The contributions' grid is the tiny plan's own (its image is not downsampled): ~CELL m.
    grid_m = float(re.search(r"约 ([\d,]+) 米网格", text).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert abs(grid_m - CELL) <= 0.2 * CELL
    # Some cell of the 3 × 3 window has the score and contributions shown.
    matches = []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            rr, cc = r + dr, c + dc
            if abs(score[rr, cc] - shown) > 0.5:
                continue
            order = np.argsort(-contrib[:, rr, cc], kind="stable")[:3]
            want = [(contribution_label(names[i], "zh"), contrib[i, rr, cc]) for i in order]
            matches.append(
                [w[0] for w in want] == [g[0] for g in rows]
                and all(abs(float(g[1]) - w[1]) <= HALF_POINT for g, w in zip(rows, want,
                                                                               strict=True))
            )
    assert any(matches), (text, r, c)
    screenshot(page, tmp_path, "industry_tiny_contributions.png")
    page.keyboard.press("Escape")

    # Red line + steep slope: both reasons, each with its basis (drawn: the layer's; derived:
    # the vocabulary's).
    r, c = 5, 47
    page.evaluate("([lat, lng]) => { window.__layout.map.setView([lat, lng], 15); }",
                  cell_latlng(r, c))
    page.wait_for_timeout(300)
    text = click_at(seen, cell_latlng(r, c))
    assert "不可建设（刚性约束）" in text and "生态保护红线、陡坡" in text
    assert f"生态保护红线：{ECO_BASIS}" in text
    assert f"陡坡：{CONSTRAINT_TYPES['steep_slope'].legal_basis}" in text
    assert "主要贡献" not in text
    # Farmland has no basis in the layer nor the vocabulary: the reason without a basis line.
    got = page.evaluate("([lat, lng]) => window.__layout.probe(lat, lng)", cell_latlng(35, 7))
    assert got["reasons"] == ["永久基本农田"] and got["bases"] == []
    screenshot(page, tmp_path, "industry_tiny_basis.png")
    assert seen.page_errors == [] and seen.console_errors == []
