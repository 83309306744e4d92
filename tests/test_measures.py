"""Tests of layout.analysis.measures: validation, CRS handling and agreement with the kernels/references."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from layout.analysis import measures
from layout.core import kernels as _kernels
from layout.errors import (
    ConfigError,
    CRSError,
    LayoutError,
    UnknownIndustryError,
    ValidationError,
)
from layout.model.grid import Grid

METRIC = "EPSG:4547"  # CGCS2000 / 3-degree GK CM 114E, the project's metric CRS
X0, YTOP = 480_000.0, 3_860_000.0


@pytest.fixture
def grid() -> Grid:
    """40 x 50 grid of 100 m cells; the south-east quarter is outside the study area."""
    mask = np.ones((40, 50), bool)
    mask[25:, 30:] = False
    return Grid(CRS.from_user_input(METRIC), X0, YTOP, 100.0, 40, 50, mask)


@pytest.fixture
def firms() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(11)
    n = 120
    x = rng.uniform(X0 - 500, X0 + 5500, n)
    y = rng.uniform(YTOP - 4500, YTOP + 500, n)
    return gpd.GeoDataFrame(
        {"ent_id": [f"E{i:03d}" for i in range(n)],
         "industry": rng.choice(["auto", "electronics", "food"], n),
         "output_wan": rng.gamma(1.0, 800.0, n),
         "employees": rng.integers(5, 500, n)},
        geometry=shapely.points(np.column_stack([x, y])), crs=METRIC)


# --- kernel_density -------------------------------------------------------------------------


def test_kernel_density_matches_kernel_and_masks(grid, firms):
    d = measures.kernel_density(firms, grid, bandwidth=500.0)
    ref = _kernels.kde_grid(firms.geometry.x, firms.geometry.y, firms["output_wan"], x0=X0,
                            y_top=YTOP, cell=100.0, nrows=40, ncols=50, bandwidth=500.0)
    np.testing.assert_allclose(d[grid.mask], ref[grid.mask], rtol=1e-12)
    assert np.isnan(d[~grid.mask]).all()
    d0 = measures.kernel_density(firms, grid, bandwidth=500.0, fill=0.0)
    assert (d0[~grid.mask] == 0).all()


def test_kernel_density_counts_and_reprojects(grid, firms):
    # weight=None counts firms; another projected CRS (UTM 49N) is reprojected to the grid's.
    counts = measures.kernel_density(firms, grid, weight=None, bandwidth=400.0)
    utm = measures.kernel_density(firms.to_crs("EPSG:32649"), grid, weight=None, bandwidth=400.0)
    np.testing.assert_allclose(utm, counts, rtol=1e-6, equal_nan=True)
    # 120 firms, most of their kernel mass inside: integral (per km² x 0.01 km²) is below 120.
    total = np.nansum(measures.kernel_density(firms, grid, weight=None, bandwidth=400.0,
                                              fill=0.0)) * 0.01
    assert 0 < total < 120


def test_kernel_density_geographic_crs(grid, firms):
    with pytest.raises(CRSError, match="degrees"):
        measures.kernel_density(firms.to_crs("EPSG:4326"), grid)


def test_kernel_density_no_crs(grid, firms):
    with pytest.raises(CRSError, match="no CRS"):
        measures.kernel_density(firms.set_crs(None, allow_override=True), grid)


def test_kernel_density_missing_column(grid, firms):
    with pytest.raises(ValidationError, match="'output_wan' is missing") as err:
        measures.kernel_density(firms.drop(columns="output_wan"), grid)
    assert isinstance(err.value, LayoutError) and isinstance(err.value, ValueError)


def test_kernel_density_collects_bad_values(grid, firms):
    bad = firms.copy()
    bad.loc[3, "output_wan"] = -1.0
    bad.loc[7, "output_wan"] = np.nan
    bad.loc[9, "geometry"] = shapely.box(X0, YTOP - 100, X0 + 100, YTOP)
    with pytest.raises(ValidationError) as err:
        measures.kernel_density(bad, grid)
    problems = err.value.problems
    assert {p.feature for p in problems} == {"E003", "E007", "E009"}
    assert "2 more errors" in str(err.value)


def test_kernel_density_bad_bandwidth(grid, firms):
    with pytest.raises(ConfigError, match="half a cell"):
        measures.kernel_density(firms, grid, bandwidth=40.0)


# --- hot_spots --------------------------------------------------------------------------------


def test_hot_spots_match_esda_on_grid_mask(grid, firms):
    import esda
    from libpysal.weights import lat2W, w_subset

    dens = measures.kernel_density(firms, grid, weight=None, bandwidth=300.0)
    z, hot = measures.hot_spots(dens, grid)  # NaN outside the mask is fine
    ids = np.flatnonzero(grid.mask.ravel())
    w = w_subset(lat2W(*grid.shape, rook=False), list(ids))
    ref = esda.G_Local(dens.ravel()[ids], w, star=True, permutations=0, transform="B").Zs
    np.testing.assert_allclose(z.ravel()[ids], ref, rtol=0, atol=1e-9)
    assert np.isnan(z[~grid.mask]).all() and not hot[~grid.mask].any()
    # Without correction: hot exactly where z exceeds the one-sided 5 % quantile 1.6449.
    np.testing.assert_array_equal(hot[grid.mask], z[grid.mask] > 1.6448536269514722)


def test_hot_spots_fdr_is_stricter(grid):
    rng = np.random.default_rng(5)
    v = rng.normal(10.0, 1.0, grid.shape)  # no pattern
    v[5:9, 5:9] += 6.0  # one real hot spot
    _, plain = measures.hot_spots(v, grid)
    _, fdr = measures.hot_spots(v, grid, correction="fdr")
    assert fdr[6:8, 6:8].all()
    assert fdr.sum() < plain.sum()
    assert not (fdr & ~plain).any()


def test_hot_spots_distance_band(grid):
    v = np.ones(grid.shape)
    v[10:13, 10:13] = 5.0
    z, hot = measures.hot_spots(v, grid, radius=2, metric="distance")
    np.testing.assert_allclose(z, _kernels.gi_star(v, mask=grid.mask, radius=2,
                                                   metric="distance"), equal_nan=True)
    assert hot[11, 11]


def test_hot_spots_bad_input(grid):
    with pytest.raises(ValidationError, match=r"shape \(3, 3\)"):
        measures.hot_spots(np.ones((3, 3)), grid)
    v = np.ones(grid.shape)
    v[2, 4] = np.nan
    with pytest.raises(ValidationError, match="row 2, column 4"):
        measures.hot_spots(v, grid)
    with pytest.raises(ConfigError, match="whole number"):
        measures.hot_spots(np.ones(grid.shape), grid, radius=1.5)
    with pytest.raises(ConfigError, match="alpha"):
        measures.hot_spots(np.ones(grid.shape), grid, alpha=5)


# --- regions: location quotients and Ellison-Glaeser ------------------------------------------


@pytest.fixture
def regions_metric() -> gpd.GeoDataFrame:
    """Three 1 km squares side by side, in the metric CRS."""
    boxes = [shapely.box(X0 + i * 1000, YTOP - 1000, X0 + (i + 1) * 1000, YTOP) for i in range(3)]
    return gpd.GeoDataFrame({"county": ["r0", "r1", "r2"]}, geometry=boxes, crs=METRIC)


@pytest.fixture
def regions(regions_metric) -> gpd.GeoDataFrame:
    """The same squares stored in lon/lat (the join reprojects them to the firms' CRS)."""
    return regions_metric.to_crs("EPSG:4326")


def _points(rows: list[tuple[int, str, float, int]]) -> gpd.GeoDataFrame:
    """Firms from (region position, industry, output, employees); region 9 = outside all."""
    xs = [X0 + 500 + 1000 * r if r < 9 else X0 - 5000 for r, *_ in rows]
    ys = [YTOP - 300 - 10 * i for i in range(len(rows))]
    return gpd.GeoDataFrame(
        {"industry": [r[1] for r in rows], "output_wan": [r[2] for r in rows],
         "employees": [r[3] for r in rows]},
        geometry=shapely.points(np.column_stack([xs, ys])), crs=METRIC)


def test_location_quotients_hand_example(regions):
    # Output (万元): r0 auto 60 (2 firms: 20 + 40), food 40; r1 auto 10, food 90; r2 auto 30,
    # food 70; plus a food firm of 999 outside every region (dropped).
    # Same table as test_kernels.test_location_quotient_hand_example:
    # LQ r0 = (1.8, 0.6), r1 = (0.3, 1.35), r2 = (0.9, 1.05).
    firms = _points([(0, "auto", 20, 1), (0, "auto", 40, 1), (0, "food", 40, 1),
                     (1, "auto", 10, 1), (1, "food", 90, 1), (2, "auto", 30, 1),
                     (2, "food", 70, 1), (9, "food", 999, 1)])
    lq = measures.location_quotients(firms, regions, region_id="county", reference="regions")
    expected = pd.DataFrame([[1.8, 0.6], [0.3, 1.35], [0.9, 1.05]],
                            index=pd.Index(["r0", "r1", "r2"], name="county"),
                            columns=pd.Index(["auto", "food"], name="industry"))
    pd.testing.assert_frame_equal(lq, expected, rtol=1e-9)
    assert lq.attrs["n_outside"] == 1 and lq.attrs["n_enterprises"] == 7
    # Default reference "all": the outside firm counts in E_i / E. Overall auto 100 of 1,299,
    # food 1,199 of 1,299; r0 auto share 60 / 100 -> LQ 0.6 / (100 / 1299) = 7.794.
    lq_all = measures.location_quotients(firms, regions, region_id="county")
    shares = {"auto": 100 / 1299, "food": 1199 / 1299}
    region = {"r0": (60, 40), "r1": (10, 90), "r2": (30, 70)}
    for rid, (a, f) in region.items():
        assert lq_all.loc[rid, "auto"] == pytest.approx(a / (a + f) / shares["auto"], rel=1e-12)
        assert lq_all.loc[rid, "food"] == pytest.approx(f / (a + f) / shares["food"], rel=1e-12)


def test_location_quotients_boundary_point_goes_to_first_region(regions_metric):
    firms = _points([(0, "auto", 1, 1), (1, "food", 1, 1)])
    firms.loc[0, "geometry"] = shapely.Point(X0 + 1000, YTOP - 500)  # on the edge r0 | r1
    lq = measures.location_quotients(firms, regions_metric, region_id="county")
    assert lq.attrs["n_outside"] == 0
    assert lq.loc["r0", "auto"] == 2.0  # r0 holds the auto firm only: (1/1) / (1/2)
    assert lq.loc["r1", "food"] == 2.0


def test_location_quotients_errors(regions):
    firms = _points([(0, "auto", 1, 1)])
    with pytest.raises(ValidationError, match="did you mean 'county'"):
        measures.location_quotients(firms, regions, region_id="countie")
    dup = pd.concat([regions, regions.iloc[[0]]])
    with pytest.raises(ValidationError, match="not unique"):
        measures.location_quotients(firms, dup, region_id="county")
    with pytest.raises(ValidationError, match="'employes' is missing"):
        measures.location_quotients(firms, regions, region_id="county", measure="employes")
    with pytest.raises(CRSError):
        measures.location_quotients(firms, regions.set_crs(None, allow_override=True),
                                    region_id="county")


def test_ellison_glaeser_gamma_hand_example(regions):
    # Employees: "auto" plants of 30 and 10 in r0 and 60 in r2; "food" plants of 100, 20 and 80
    # in r0, r1 and r2.  All manufacturing:
    #   r0 = 30 + 10 + 100 = 140, r1 = 20, r2 = 60 + 80 = 140; total 300 ->
    #   x = (14/30, 2/30, 14/30), sum x² = (196 + 4 + 196) / 900 = 0.44
    # auto: s = (0.4, 0, 0.6); G = (0.4 - 14/30)² + (2/30)² + (0.6 - 14/30)²
    #   = (1/15)² + (1/15)² + (2/15)² = 6/225;  H = 0.09 + 0.01 + 0.36 = 0.46
    #   gamma = (6/225 / 0.56 - 0.46) / 0.54
    firms = _points([(0, "auto", 0, 30), (0, "auto", 0, 10), (2, "auto", 0, 60),
                     (0, "food", 0, 100), (1, "food", 0, 20), (2, "food", 0, 80)])
    eg = measures.ellison_glaeser_gamma(firms, regions, region_id="county")
    auto = eg.loc["auto"]
    assert auto["G"] == pytest.approx(6 / 225, abs=1e-12)
    assert auto["H"] == pytest.approx(0.46, abs=1e-12)
    assert auto["gamma"] == pytest.approx((6 / 225 / 0.56 - 0.46) / 0.54, abs=1e-12)
    assert auto["n_plants"] == 3
    assert list(eg.columns) == ["gamma", "G", "H", "n_plants"]
    # A supplied x_r (e.g. a yearbook's) replaces the layer's own: the hand example of
    # test_kernels with x = (0.5, 0.3, 0.2) gives gamma = -0.0752688.
    share = pd.Series({"r2": 2.0, "r0": 5.0, "r1": 3.0})  # normalised to sum 1
    eg2 = measures.ellison_glaeser_gamma(firms, regions, region_id="county", region_share=share)
    assert eg2.loc["auto", "gamma"] == pytest.approx(-0.0752688, abs=1e-7)


def test_coagglomeration_gamma_matrix(regions):
    # x = (0.5, 0.3, 0.2) given; auto s = (0.4, 0, 0.6), food s = (0.2, 0.1, 0.7):
    # gamma_c = 0.29 / 0.62 (see test_kernels.test_coagglomeration_hand_example).
    firms = _points([(0, "auto", 0, 30), (0, "auto", 0, 10), (2, "auto", 0, 60),
                     (0, "food", 0, 20), (1, "food", 0, 10), (2, "food", 0, 70)])
    share = pd.Series({"r0": 0.5, "r1": 0.3, "r2": 0.2})
    gc = measures.coagglomeration_gamma(firms, regions, region_id="county", region_share=share)
    assert gc.loc["auto", "food"] == pytest.approx(0.29 / 0.62, abs=1e-12)
    assert gc.loc["food", "auto"] == gc.loc["auto", "food"]
    assert np.isnan(np.diag(gc.to_numpy())).all()


def test_region_share_must_cover_regions(regions):
    firms = _points([(0, "auto", 0, 30), (1, "auto", 0, 10)])
    with pytest.raises(ValidationError, match="no share for regions"):
        measures.ellison_glaeser_gamma(firms, regions, region_id="county",
                                       region_share=pd.Series({"r0": 1.0}))


# --- find_clusters ----------------------------------------------------------------------------


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
    with pytest.raises(ValidationError, match="'employees' is missing"):
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
