"""layout.analysis.criteria: weight resolution, and each raw criterion against an independent
calculation on the tiny plan (tests/fixtures/tiny_plan.py, whose constants are the answer key).

Tolerances: distances are float32 rasters of values up to ~15 km, compared with float64 brute
force at 1e-6 relative (float32 round-off); kernel densities at 0.005 of the peak (the
documented accuracy of `layout.core.kde.kde_grid`); slopes on a plane at 1e-3 degrees.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from scipy.spatial.distance import cdist

import layout
from layout.analysis.context import CriteriaContext
from layout.analysis.criteria import compute_raw
from layout.analysis.terrain import dem_on_grid, slope_degrees, slope_on_grid
from layout.analysis.travel import build_travel_graph, travel_minutes
from layout.config.criteria import criterion_specs, industry_weights
from layout.config.plan import load_plan, parse_plan
from layout.data.inputs import PlanInputs, load_inputs
from layout.model.constraints import CONSTRAINT_BITS
from layout.model.criteria import CRITERIA, DEFAULT_WEIGHTS, WEIGHT_KEYS
from layout.model.grid import Grid
from tests.fixtures import tiny_plan as tp

CATALOG_TOML = Path(layout.__file__).parent / "config" / "industries.toml"


def catalog_values() -> dict[str, dict[str, Any]]:
    """Transport needs and siting of each industry, read from the TOML file with tomllib alone."""
    data = tomllib.loads(CATALOG_TOML.read_text(encoding="utf-8"))
    return {ind["code"]: ind for ind in data["industries"]}


# --- fixtures and brute-force helpers ------------------------------------------------------


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> PlanInputs:
    return load_inputs(tp.write_tiny_plan(tmp_path_factory.mktemp("tiny")))


@pytest.fixture(scope="module")
def ctx(inputs: PlanInputs) -> CriteriaContext:
    return CriteriaContext(inputs)


@pytest.fixture(scope="module")
def firms() -> gpd.GeoDataFrame:
    return tp.tiny_enterprises()


def centres(grid: Grid) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Cell-centre coordinates (rasterio convention: row 0 at the northern edge)."""
    x = grid.x0 + (np.arange(grid.ncols) + 0.5) * grid.cell
    y = grid.y_top - (np.arange(grid.nrows) + 0.5) * grid.cell
    return np.meshgrid(x, y)


def in_box(grid: Grid, box: tuple[float, float, float, float]) -> NDArray[np.bool_]:
    """Cells whose centre lies in a box (boxes have edges on cell edges: no ties)."""
    xx, yy = centres(grid)
    x0, y0, x1, y1 = box
    return (xx > x0) & (xx < x1) & (yy > y0) & (yy < y1)


def cells_of(grid: Grid, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Boolean raster of the cells holding the points."""
    out = np.zeros(grid.shape, bool)
    col = np.floor((np.asarray(x) - grid.x0) / grid.cell).astype(int)
    row = np.floor((grid.y_top - np.asarray(y)) / grid.cell).astype(int)
    out[row, col] = True
    return out


def brute_distance(grid: Grid, targets: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance (m) from every cell centre to the nearest of ``targets`` (n, 2); NaN outside."""
    xx, yy = centres(grid)
    d = cdist(np.column_stack([xx[grid.mask], yy[grid.mask]]), targets).min(axis=1)
    out = np.full(grid.shape, np.nan)
    out[grid.mask] = d
    return out


def brute_cell_distance(grid: Grid, cells: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Distance from every cell centre to the nearest centre of a True cell."""
    xx, yy = centres(grid)
    return brute_distance(grid, np.column_stack([xx[cells], yy[cells]]))


def brute_density(grid: Grid, firms: gpd.GeoDataFrame, code: str, bandwidth: float) -> np.ndarray:
    """Output-weighted Gaussian density at cell centres, as a share of its peak in the mask."""
    xx, yy = centres(grid)
    sub = firms[firms["industry"] == code]
    if sub.empty:
        return np.zeros(grid.shape)
    pts = np.column_stack([sub.geometry.x, sub.geometry.y])
    d2 = cdist(np.column_stack([xx.ravel(), yy.ravel()]), pts, "sqeuclidean")
    dens = (np.exp(-0.5 * d2 / bandwidth**2) @ sub["output_wan"].to_numpy()).reshape(grid.shape)
    return dens / dens[grid.mask].max()


def lq_table(firms: pd.DataFrame, region: str) -> pd.DataFrame:
    """LQ = (e_ri / e_r) / (E_i / E) of output, by hand, over the firms given."""
    t = firms.pivot_table(
        index=region, columns="industry", values="output_wan", aggfunc="sum", fill_value=0.0
    )
    return t.div(t.sum(axis=1), axis=0).div(t.sum(axis=0) / t.to_numpy().sum(), axis=1)


def assert_masked(raw: np.ndarray, expected: np.ndarray, grid: Grid, **tol: float) -> None:
    assert raw.dtype == np.float32 and raw.shape == grid.shape
    assert np.isnan(raw[~grid.mask]).all()
    np.testing.assert_allclose(raw[grid.mask], expected[grid.mask], **tol)


# --- industry_weights ----------------------------------------------------------------------

# The embedded plan's [weights] (layout/config/zhengzhou_plan.toml), before normalising.
BASE = {
    "density": 0.10,
    "hotspot": 0.07,
    "lq": 0.08,
    "linkage": 0.12,
    "anchor": 0.08,
    "zone_fit": 0.10,
    "zone_efficiency": 0.05,
    "land_available": 0.05,
    "infill": 0.05,
    "labour": 0.06,
    "slope": 0.05,
}
ACCESS = 0.14
RESIDENTIAL = 0.05


def normalised(raw: dict[str, float]) -> dict[str, float]:
    total = math.fsum(raw.values())
    return {k: v / total for k, v in raw.items() if v > 0}


def split_linkage(raw: dict[str, float], code: str) -> dict[str, float]:
    """``linkage`` split over its two sides by the sums of link strengths, from the TOML."""
    links = tomllib.loads(CATALOG_TOML.read_text(encoding="utf-8"))["linkages"]
    up = math.fsum(k["weight"] for k in links if k["target"] == code)
    down = math.fsum(k["weight"] for k in links if k["source"] == code)
    out = dict(raw)
    share = out.pop("linkage")
    out["linkage_upstream"] = share * up / (up + down)
    out["linkage_downstream"] = share * down / (up + down)
    return out


def test_catalog_values_used_by_hand() -> None:
    cat = catalog_values()
    t = cat["auto"]["transport"]
    assert (t["expressway"], t["rail_freight"], t["airport"]) == (0.9, 0.6, 0.2)
    assert [c for c, ind in cat.items() if ind["siting"]["pollution_intensive"]] == ["aluminium"]


def test_access_transport_split_by_transport_needs_auto() -> None:
    # auto: needs 0.9 / 0.6 / 0.2 (industries.toml); not pollution-intensive, no overrides.
    need = catalog_values()["auto"]["transport"]
    total = need["expressway"] + need["rail_freight"] + need["airport"]
    raw = split_linkage(BASE, "auto")
    for key in ("expressway", "rail_freight", "airport"):
        raw[key] = ACCESS * need[key] / total
    weights, source = industry_weights(load_plan(), "auto")
    assert source == "direct"
    assert "residential_buffer" not in weights and "access_transport" not in weights
    assert weights == pytest.approx(normalised(raw), rel=1e-12)
    # By hand: expressway 0.14 * 0.9 / 1.7 / 0.95.
    assert weights["expressway"] == pytest.approx(0.14 * 0.9 / 1.7 / 0.95, rel=1e-12)


def test_explicit_transport_weight_is_not_split_electronics() -> None:
    # electronics: [industries.electronics.weights] density = 0.12, airport = 0.12.
    raw = split_linkage(dict(BASE, density=0.12), "electronics")
    raw["expressway"] = ACCESS * 0.7 / 2.0
    raw["rail_freight"] = ACCESS * 0.3 / 2.0
    raw["airport"] = 0.12
    weights, _ = industry_weights(load_plan(), "electronics")
    assert weights == pytest.approx(normalised(raw), rel=1e-12)
    assert math.fsum(raw.values()) == pytest.approx(1.02)


def test_residential_buffer_only_for_pollution_intensive_aluminium() -> None:
    # aluminium: linkage 0.10 and rail_freight 0.12 explicit; needs 0.6 / 1.0 / 0.0.
    raw = split_linkage(dict(BASE, linkage=0.10, residential_buffer=RESIDENTIAL,
                             rail_freight=0.12), "aluminium")
    raw["expressway"] = ACCESS * 0.6 / 1.6
    weights, _ = industry_weights(load_plan(), "aluminium")
    assert "airport" not in weights  # zero need: zero weight, dropped
    assert weights == pytest.approx(normalised(raw), rel=1e-12)
    plan = load_plan()
    for code in plan.catalog.codes:
        w, _ = industry_weights(plan, code)
        assert ("residential_buffer" in w) == (code == "aluminium")


def test_weights_sum_to_one_for_every_industry() -> None:
    plan = load_plan()
    for code in plan.catalog.codes:
        w, _ = industry_weights(plan, code)
        assert math.fsum(w.values()) == pytest.approx(1.0, abs=1e-12)
        assert all(v > 0 for v in w.values())
        assert set(w) <= set(CRITERIA)


def test_default_weights_apply_without_a_weights_table() -> None:
    assert {k: v for k, v in DEFAULT_WEIGHTS.items() if k != "access_transport"} == dict(
        BASE, residential_buffer=RESIDENTIAL
    )
    w_default, _ = industry_weights(parse_plan({}), "food")
    w_embedded, _ = industry_weights(load_plan(), "food")
    assert w_default == pytest.approx(w_embedded, rel=1e-12)


def test_explicit_industry_weights_override_shared_ones() -> None:
    plan = parse_plan(
        {"weights": {"density": 0.2}, "industries": {"food": {"weights": {"density": 0.4}}}}
    )
    food, _ = industry_weights(plan, "food")
    auto, _ = industry_weights(plan, "auto")
    raw_food = split_linkage(dict(BASE, density=0.4), "food")
    raw_food |= {"expressway": ACCESS * 1.0 / 1.5, "rail_freight": ACCESS * 0.4 / 1.5}
    raw_food["airport"] = ACCESS * 0.1 / 1.5
    assert food == pytest.approx(normalised(raw_food), rel=1e-12)
    assert auto["density"] / auto["hotspot"] == pytest.approx(0.2 / 0.07)


def test_zero_weight_drops_a_criterion() -> None:
    plan = parse_plan({"weights": {"hotspot": 0, "access_transport": 0}})
    w, _ = industry_weights(plan, "food")
    assert not {"hotspot", "expressway", "rail_freight", "airport"} & set(w)
    assert math.fsum(w.values()) == pytest.approx(1.0)


def test_ahp_weights_replace_direct_ones() -> None:
    labels = ["density", "zone_fit", "expressway"]
    plan = parse_plan(
        {
            "weights": {"density": 5.0},
            "industries": {"food": {"weights": {"slope": 3.0}, "ahp": {"labels": labels,
                                                                       "matrix": [3, 5, 3]}}},
        }
    )  # fmt: skip
    weights, source = industry_weights(plan, "food")
    assert source == "ahp" and list(weights) == labels
    # Principal eigenvector by power iteration, independently of numpy.linalg.eig.
    a = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    v = np.ones(3)
    for _ in range(200):
        v = a @ v
        v /= v.sum()
    assert list(weights.values()) == pytest.approx(v.tolist(), abs=1e-9)
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-12)
    specs = criterion_specs(plan, "food")
    assert list(specs) == labels
    assert [s.weight for s in specs.values()] == pytest.approx(v.tolist(), abs=1e-9)


def test_criterion_specs_resolve_catalog_placeholders() -> None:
    plan = load_plan()
    cat = catalog_values()
    specs = criterion_specs(plan, "aluminium")
    assert specs["slope"].transform.params == {
        "low": cat["aluminium"]["siting"]["max_slope_deg"],
        "high": 0.0,
    }
    assert specs["residential_buffer"].transform.params["threshold"] == 1000.0
    assert specs["density"].params == {"bandwidth_m": 3000.0, "weight_column": "output_wan"}


def test_criterion_specs_parameter_and_transform_overrides() -> None:
    plan = parse_plan(
        {
            "criteria": {"density": {"bandwidth_m": 2000.0}},
            "industries": {
                "food": {
                    "criteria": {
                        "density": {"bandwidth_m": 1000.0},
                        "anchor": {"transform": {"kind": "small", "midpoint": 3000.0}},
                        "infill": {"transform": "identity"},
                    }
                }
            },
        }
    )
    food = criterion_specs(plan, "food")
    auto = criterion_specs(plan, "auto")
    assert food["density"].params["bandwidth_m"] == 1000.0  # industry beats shared
    assert auto["density"].params["bandwidth_m"] == 2000.0
    assert food["anchor"].transform.kind == "small"
    assert dict(food["anchor"].transform.params) == {"midpoint": 3000.0}
    assert food["infill"].transform.kind == "identity"
    assert auto["anchor"].transform.kind == "near"


def test_every_weight_key_but_the_split_ones_is_a_criterion() -> None:
    assert set(WEIGHT_KEYS) == set(CRITERIA) | {"access_transport", "linkage"}
    groups = {c.group for c in CRITERIA.values()}
    assert groups == {"agglomeration", "clustering", "intensive", "access", "terrain"}


# --- raw criteria on the tiny plan ---------------------------------------------------------


@pytest.mark.parametrize("code", ["auto", "electronics", "food", "biomedicine"])
def test_zone_fit_categories(ctx: CriteriaContext, code: str) -> None:
    grid = ctx.grid
    expected = np.zeros(grid.shape)
    for _, leading, _, box in tp.ZONES.values():
        expected[in_box(grid, box)] = 2.0 if code in leading.split(",") else 1.0
    raw = compute_raw(ctx, code, "zone_fit", {})
    assert_masked(raw, expected, grid, rtol=0, atol=0)
    assert set(np.unique(raw[grid.mask])) <= {0.0, 1.0, 2.0}


def test_zone_fit_known_cells(ctx: CriteriaContext) -> None:
    grid = ctx.grid
    raw = compute_raw(ctx, "food", "zone_fit", {})

    def at(x: float, y: float) -> float:
        return float(raw[int((grid.y_top - y) // grid.cell), int((x - grid.x0) // grid.cell)])

    assert at(497_500, 3_846_500) == 2.0  # west_food leads food
    assert at(502_500, 3_843_500) == 1.0  # east_auto: another zone
    assert at(501_100, 3_847_100) == 1.0  # north_park: no leading industry
    assert at(496_100, 3_842_100) == 0.0  # outside every zone


@pytest.mark.parametrize("code", ["food", "auto", "aluminium"])
def test_lq_of_zone_inside_zones_and_of_county_outside(
    ctx: CriteriaContext, firms: gpd.GeoDataFrame, code: str
) -> None:
    grid = ctx.grid
    county = lq_table(firms, "county")[code]
    # Zone LQs compare each zone's mix with the whole city's (E_i / E over every firm), the
    # textbook definition (domain.md §5), as `location_quotients` does by default.
    inside = firms[firms["zone_id"] != ""]
    t = inside.pivot_table(index="zone_id", columns="industry", values="output_wan",
                           aggfunc="sum", fill_value=0.0)
    city = firms.groupby("industry")["output_wan"].sum()
    zone = (t.div(t.sum(axis=1), axis=0) * city.sum() / city.get(code, 0.0)).get(code)
    expected = np.full(grid.shape, np.nan)
    xx, _ = centres(grid)
    expected[grid.mask & (xx < 500_000)] = county["410191"]
    expected[grid.mask & (xx > 500_000)] = county["410192"]
    for zid, (*_, box) in tp.ZONES.items():
        expected[in_box(grid, box)] = 0.0 if zone is None else zone[zid]
    raw = compute_raw(ctx, code, "lq", {"measure": "output_wan"})
    assert_masked(raw, expected, grid, rtol=1e-6)


def test_lq_by_hand_for_food_in_the_west_county(firms: gpd.GeoDataFrame) -> None:
    west = firms[firms["county"] == "410191"]
    share_west = west.loc[west["industry"] == "food", "output_wan"].sum() / west["output_wan"].sum()
    share_all = (
        firms.loc[firms["industry"] == "food", "output_wan"].sum() / firms["output_wan"].sum()
    )
    assert lq_table(firms, "county").loc["410191", "food"] == pytest.approx(
        share_west / share_all, rel=1e-12
    )
    assert share_west / share_all > 1  # all food firms are in the west county


def test_infill_distance_is_brute_force(ctx: CriteriaContext, firms: gpd.GeoDataFrame) -> None:
    grid = ctx.grid
    cells = cells_of(grid, firms.geometry.x.to_numpy(), firms.geometry.y.to_numpy())
    raw = compute_raw(ctx, "food", "infill", {})
    assert_masked(raw, brute_cell_distance(grid, cells), grid, rtol=1e-6, atol=1e-3)
    assert (raw[cells & grid.mask] == 0).all()


@pytest.mark.parametrize("name", ["labour", "residential_buffer"])
def test_labour_distance_is_brute_force(ctx: CriteriaContext, name: str) -> None:
    grid = ctx.grid
    xx, yy = centres(grid)
    urban = shapely.contains_xy(shapely.box(*tp.URBAN), xx, yy)
    assert urban.sum() == 7 * 7  # 1.4 km x 1.4 km of 200 m cells
    raw = compute_raw(ctx, "aluminium", name, {})
    assert_masked(raw, brute_cell_distance(grid, urban), grid, rtol=1e-6, atol=1e-3)


def test_anchor_distance_is_brute_force(ctx: CriteriaContext, firms: gpd.GeoDataFrame) -> None:
    grid = ctx.grid
    related = ctx.plan.catalog.related("food")
    sub = firms[firms["industry"].isin(["food", *related]) & firms["anchor"]]
    # Food's related industries (auto, biomedicine, aluminium, textiles) and food itself have
    # anchors in auto and food; the electronics anchor is not related to food.
    assert set(related) == {"auto", "biomedicine", "aluminium", "textiles"}
    assert sorted(sub["industry"]) == ["auto", "food"]
    cells = cells_of(grid, sub.geometry.x.to_numpy(), sub.geometry.y.to_numpy())
    raw = compute_raw(ctx, "food", "anchor", {})
    assert_masked(raw, brute_cell_distance(grid, cells), grid, rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize("code", ["auto", "food", "aluminium"])
def test_density_is_a_gaussian_kernel_share_of_peak(
    ctx: CriteriaContext, firms: gpd.GeoDataFrame, code: str
) -> None:
    grid = ctx.grid
    raw = compute_raw(ctx, code, "density", {"bandwidth_m": 3000.0, "weight_column": "output_wan"})
    assert_masked(raw, brute_density(grid, firms, code, 3000.0), grid, rtol=0, atol=0.005)
    assert np.nanmax(raw) == pytest.approx(1.0, abs=1e-6)


def test_linkage_sums_related_output_densities_on_one_scale(
    ctx: CriteriaContext, firms: gpd.GeoDataFrame
) -> None:
    # Densities in 万元/km² (brute_density times its peak), summed with the link strengths on
    # each side; both sides divided by the 99th percentile of their sum over the study area.
    grid = ctx.grid
    links = tomllib.loads(CATALOG_TOML.read_text(encoding="utf-8"))["linkages"]
    xx, yy = centres(grid)

    def dens(code: str) -> np.ndarray:
        sub = firms[firms["industry"] == code]
        if sub.empty:
            return np.zeros(grid.shape)
        pts = np.column_stack([sub.geometry.x, sub.geometry.y])
        d2 = cdist(np.column_stack([xx.ravel(), yy.ravel()]), pts, "sqeuclidean")
        k = np.exp(-0.5 * d2 / 5000.0**2) * 1e6 / (2 * math.pi * 5000.0**2)
        return (k @ sub["output_wan"].to_numpy()).reshape(grid.shape)

    up = sum(k["weight"] * dens(k["source"]) for k in links if k["target"] == "auto")
    down = sum(k["weight"] * dens(k["target"]) for k in links if k["source"] == "auto")
    scale = np.percentile((up + down)[grid.mask], 99)
    params = {"bandwidth_m": 5000.0, "weight_column": "output_wan"}
    for name, side in (("linkage_upstream", up), ("linkage_downstream", down)):
        raw = compute_raw(ctx, "auto", name, params)
        # 0.005: each density within 0.5 % of its peak (kde_grid_coarse), and on this 10 x 8 km
        # area with h = 5 km the scale is close to the largest weighted peak.
        assert_masked(raw, np.minimum(side / scale, 1.0), grid, rtol=0, atol=0.005)


@pytest.mark.parametrize(
    ("metric", "radius_m", "within"),
    [
        # queen: the (2r + 1)² square, r = 1000 m / 200 m = 5 cells (the default parameters)
        ("queen", 1000.0, lambda d: np.abs(d).max(axis=-1) <= 5),
        # distance: the disk of 1500 m = 7.5 cells (no cell centre at exactly 7.5 cells)
        ("distance", 1500.0, lambda d: np.hypot(d[..., 0], d[..., 1]) <= 7.5),
    ],
)
def test_hotspot_is_gi_star_by_brute_force(
    ctx: CriteriaContext, firms: gpd.GeoDataFrame, metric: str, radius_m: float, within: Any
) -> None:
    grid = ctx.grid
    sub = firms[firms["industry"] == "auto"]
    y = np.zeros(grid.shape)
    col = np.floor((sub.geometry.x.to_numpy() - grid.x0) / grid.cell).astype(int)
    row = np.floor((grid.y_top - sub.geometry.y.to_numpy()) / grid.cell).astype(int)
    np.add.at(y, (row, col), sub["output_wan"].to_numpy())
    rr, cc = np.nonzero(grid.mask)
    v = y[rr, cc]
    n = v.size
    # Binary weights over the neighbourhood inside the mask, the cell included; esda's
    # S² = mean(y²) - mean(y)² and variance factor W (n - W) / (n - 1) (Ord & Getis 1995).
    offsets = np.stack([rr[:, None] - rr[None, :], cc[:, None] - cc[None, :]], axis=-1)
    w = within(offsets)
    big_w = w.sum(axis=1)
    s = math.sqrt((v**2).mean() - v.mean() ** 2)
    z = (w @ v - v.mean() * big_w) / (s * np.sqrt(big_w * (n - big_w) / (n - 1)))
    expected = np.full(grid.shape, np.nan)
    expected[rr, cc] = z
    params = {"radius_m": radius_m, "metric": metric, "weight_column": "output_wan"}
    raw = compute_raw(ctx, "auto", "hotspot", params)
    assert_masked(raw, expected, grid, rtol=1e-4, atol=1e-4)
    assert np.nanmax(raw) > 1.96  # the auto park is a hot spot


def test_bad_hotspot_metric_names_file_and_key(ctx: CriteriaContext) -> None:
    from layout.errors import ConfigError

    params = {"radius_m": 1000.0, "metric": "rook", "weight_column": "output_wan"}
    with pytest.raises(ConfigError, match=r"plan\.toml.*criteria\.hotspot\.metric"):
        compute_raw(ctx, "auto", "hotspot", params)


def test_zone_efficiency_and_land_available(ctx: CriteriaContext, firms: gpd.GeoDataFrame) -> None:
    grid = ctx.grid
    per_mu = catalog_values()["food"]["output"]["per_mu_wan"]
    in_zone = firms["zone_id"] != ""
    eff_zone = firms[in_zone].groupby("zone_id")[["output_wan", "land_mu"]].sum()
    eff_county = firms[~in_zone].groupby("county")[["output_wan", "land_mu"]].sum()
    xx, _ = centres(grid)
    eff = np.full(grid.shape, np.nan)
    free = np.full(grid.shape, 0.3)  # the `outside` parameter
    for adcode, west in (("410191", True), ("410192", False)):
        half = grid.mask & ((xx < 500_000) if west else (xx > 500_000))
        eff[half] = eff_county.loc[adcode, "output_wan"] / eff_county.loc[adcode, "land_mu"]
    for zid, (_, _, built, box) in tp.ZONES.items():
        cells = in_box(grid, box)
        eff[cells] = eff_zone.loc[zid, "output_wan"] / eff_zone.loc[zid, "land_mu"]
        free[cells] = 1.0 - built
    raw = compute_raw(ctx, "food", "zone_efficiency", {})
    assert_masked(raw, eff / per_mu, grid, rtol=1e-6)
    raw = compute_raw(ctx, "food", "land_available", {"outside": 0.3})
    assert_masked(raw, free, grid, rtol=1e-6)


def _roads() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kind": [v[0] for v in tp.ROADS.values()]},
        geometry=[shapely.LineString(v[2]) for v in tp.ROADS.values()],
        crs=tp.METRIC,
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [("expressway", "interchange"), ("rail_freight", "freight_rail"), ("airport", "airport")],
)
def test_access_criteria_are_travel_minutes(ctx: CriteriaContext, name: str, kind: str) -> None:
    grid = ctx.grid
    points = gpd.GeoDataFrame({"kind": [v[0] for v in tp.POINTS.values()]}, crs=tp.METRIC,
                              geometry=[shapely.Point(v[2], v[3]) for v in tp.POINTS.values()])
    graph = build_travel_graph(_roads().to_crs(grid.crs), points.to_crs(grid.crs), grid,
                               offroad_kmh=12.0)
    expected = travel_minutes(graph, kind=kind)
    raw = compute_raw(ctx, "food", name, {"offroad_kmh": 12.0})
    assert_masked(raw, expected, grid, rtol=1e-6)
    targets = np.array([(x, y) for k, _, x, y in tp.POINTS.values() if k == kind])
    straight = brute_distance(grid, targets)
    # Never faster than the straight line at the top speed (100 km/h: 0.6 min per km).
    assert (raw[grid.mask] >= straight[grid.mask] * 0.0006 - 1e-4).all()


# --- terrain -------------------------------------------------------------------------------


def test_slope_degrees_hand_example() -> None:
    # Horn at the centre of [[0,0,0],[0,0,0],[0,0,8]], cell 1: dz/dx = dz/dy = 8 / 8 = 1.
    z = np.zeros((3, 3))
    z[2, 2] = 8.0
    assert float(slope_degrees(z, 1.0)[1, 1]) == pytest.approx(math.degrees(math.atan(2**0.5)))


def test_slope_degrees_on_a_plane() -> None:
    rows, cols = np.mgrid[0:6, 0:7]
    cell = 50.0
    # Rising 4 m per cell eastwards and 3 m per cell northwards (row 0 is north).
    z = 4.0 * cols - 3.0 * rows
    expected = math.degrees(math.atan(math.hypot(4.0, 3.0) / cell))
    s = slope_degrees(z, cell)
    assert s.dtype == np.float32
    np.testing.assert_allclose(s[1:-1, 1:-1], expected, atol=1e-4)
    assert (s[[0, -1], :] < expected + 1e-4).all()  # edges see half differences


def test_slope_on_grid_of_a_plane_dem(tmp_path: Path) -> None:
    # A plane sampled at the 100 m DEM cell centres to integers (no int16 rounding):
    # z = 0.05 (x - x_first) + 0.03 (y_first - y), so slope = atan(hypot(0.05, 0.03)).
    rows, cols = tp.DEM_SHAPE
    x = tp.DEM_ORIGIN[0] + (np.arange(cols) + 0.5) * tp.DEM_CELL
    y = tp.DEM_ORIGIN[1] - (np.arange(rows) + 0.5) * tp.DEM_CELL
    xx, yy = np.meshgrid(x, y)
    z = 0.05 * (xx - x[0]) + 0.03 * (y[0] - yy)
    path = tp.write_dem(tmp_path / "plane.tif", elevation=z)
    grid = Grid(CRS.from_user_input(tp.METRIC), 495_000.0, 3_849_000.0, 200.0, 40, 50,
                np.ones((40, 50), bool))  # fmt: skip
    elev = dem_on_grid(path, grid)
    gx, gy = centres(grid)
    np.testing.assert_allclose(elev, 0.05 * (gx - x[0]) + 0.03 * (y[0] - gy), atol=1e-3)
    s = slope_on_grid(path, grid)
    expected = math.degrees(math.atan(math.hypot(0.05, 0.03)))
    np.testing.assert_allclose(s[1:-1, 1:-1], expected, atol=1e-3)


def _analytic_slope(grid: Grid) -> NDArray[np.float64]:
    """Slope (degrees) of the tiny plan's DEM surface, from its derivatives."""
    xx, yy = centres(grid)
    h = tp.HILL
    hill = h["height"] * np.exp(-0.5 * ((xx - h["x"]) ** 2 + (yy - h["y"]) ** 2) / h["sd"] ** 2)
    dzdx = -0.001 - hill * (xx - h["x"]) / h["sd"] ** 2
    dzdy = -hill * (yy - h["y"]) / h["sd"] ** 2
    return np.degrees(np.arctan(np.hypot(dzdx, dzdy)))


def test_slope_of_the_hill(ctx: CriteriaContext) -> None:
    grid = ctx.grid
    raw = compute_raw(ctx, "food", "slope", {})
    # Horn's differences over ±200 m flatten a Gaussian hill of sd 800 m by up to ~0.5° near its
    # steepest ring; int16 rounding of the DEM adds ±0.5 m / 400 m (0.07°).
    inner = grid.mask.copy()
    inner[[0, -1], :] = inner[:, [0, -1]] = False
    np.testing.assert_allclose(raw[inner], _analytic_slope(grid)[inner], atol=0.6)
    assert np.isnan(raw[~grid.mask]).all()


@pytest.mark.parametrize("code", ["auto", "food", "new_materials"])
def test_steep_slope_flag(ctx: CriteriaContext, code: str) -> None:
    grid = ctx.grid
    max_slope = catalog_values()[code]["siting"]["max_slope_deg"]
    steep = (ctx.flags(code) & CONSTRAINT_BITS["steep_slope"]) != 0
    analytic = _analytic_slope(grid)
    inner = grid.mask.copy()
    inner[[0, -1], :] = inner[:, [0, -1]] = False
    # Within the 0.6° tolerance of test_slope_of_the_hill the flag may go either way.
    assert steep[inner & (analytic > max_slope + 0.6)].all()
    assert not steep[inner & (analytic < max_slope - 0.6)].any()
    assert not steep[~grid.mask].any()
    np.testing.assert_array_equal(steep, np.nan_to_num(ctx.slope, nan=0.0) > max_slope)
    if code == "auto":  # 5°: a ring around the hill (peak slope about 8.6°)
        assert steep.sum() > 20
    if code == "new_materials":  # 10°: nowhere
        assert not steep.any()


def test_constraint_flags_carry_the_right_bits(ctx: CriteriaContext) -> None:
    grid = ctx.grid
    expected = np.zeros(grid.shape, np.uint16)
    for ctype, box in tp.CONSTRAINTS.values():
        expected[in_box(grid, box)] |= CONSTRAINT_BITS[ctype]
    expected[~grid.mask] |= CONSTRAINT_BITS["outside_study_area"]
    # Cells the boundary's diagonal cuts by more than a sliver (100 m², shapely) are outside
    # too, though their centre is inside (issue 12: one rule for plan and site check).
    xx, yy = centres(grid)
    half = grid.cell / 2
    squares = shapely.box(xx - half, yy - half, xx + half, yy + half)
    cut = shapely.area(shapely.difference(squares, tp.BOUNDARY)) > 100.0
    assert (cut & grid.mask).sum() == 15  # the 15 cells along the cut corner's diagonal
    expected[cut] |= CONSTRAINT_BITS["outside_study_area"]
    flags = ctx.constraint_flags
    assert flags.dtype == np.uint16
    # construction_unsuitable is derived from the drawn layers and the DEM (issue 15); its
    # cells are checked against the construction-suitability command in
    # tests/analysis/test_construction_constraint.py, so it is left out here.
    derived = np.uint16(CONSTRAINT_BITS["construction_unsuitable"])
    assert ((flags & derived) != 0).sum() > 0
    flags = flags & ~derived
    np.testing.assert_array_equal(flags, expected)
    count = {bit: int(((flags & bit) != 0).sum()) for bit in (1, 4, 32)}
    assert count == {1: 10 * 8, 4: 8 * 4, 32: 7 * 4}  # boxes of 2.0 x 1.6, 1.6 x 0.8, 1.4 x 0.8 km
    # Per industry: the same bits plus steep_slope (64) and nothing else.
    for code in ("auto", "food"):
        np.testing.assert_array_equal(ctx.flags(code) & ~np.uint16(64) & ~derived, expected)


def test_mask_matches_the_boundary(ctx: CriteriaContext) -> None:
    grid = ctx.grid
    xx, yy = centres(grid)
    np.testing.assert_array_equal(grid.mask, shapely.contains_xy(tp.BOUNDARY, xx, yy))
    # The cut corner: in its 15 x 15 cells, those with column offset > row offset (105).
    assert grid.n_cells == 50 * 40 - 15 * 14 // 2


def test_every_criterion_is_computed_and_masked(ctx: CriteriaContext) -> None:
    grid = ctx.grid
    for name, spec in criterion_specs(ctx.plan, "aluminium").items():
        raw = compute_raw(ctx, "aluminium", name, spec.params)
        assert raw.dtype == np.float32 and raw.shape == grid.shape, name
        assert np.isnan(raw[~grid.mask]).all(), name
        t = spec.transform.apply(raw)
        inside = t[grid.mask]
        assert ((inside >= 0) & (inside <= 1) | np.isnan(inside)).all(), name
