"""Tests of the score cache (`layout.scoring.cache`) and land indicators (`layout.data.indicators`).

The site check's own tests are in ``tests/products/sitecheck/`` (and ``tests/data/test_parcels.py``
for reading parcels). The score cache of the embedded plan is built once per session into a
temporary folder (`shared_cache`, about 5-10 s) and shared with those and
``test_cli_check_site.py`` through the same path. Thresholds come from the catalog TOML read with
tomllib.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import rasterio

from layout import settings
from layout.config.catalog import load_catalog
from layout.config.plan import load_plan
from layout.core.quantiles import N_QUANTILES, percentile_from_quantiles, quantile_table
from layout.data.indicators import (
    FIELDS,
    IndicatorError,
    check_indicators,
    parse_indicators,
    read_indicators,
    thresholds,
)
from layout.io.files import file_sha256
from layout.io.raster import FAST_READ
from layout.model.catalog import PRIORITY_CODES
from layout.products.sitecheck import example_indicators
from layout.scoring.cache import ScoreCache, ensure_cache, open_cache
from layout.scoring.cachekey import cache_key


def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScoreCache]:
    """Build (or reuse) the session's cache and point LAYOUT_CACHE_DIR at it."""
    root = tmp_path_factory.getbasetemp() / "score_cache"
    mp = pytest.MonkeyPatch()
    mp.setenv("LAYOUT_CACHE_DIR", str(root))
    try:
        yield ensure_cache(None, root=root, progress=None)
    finally:
        mp.undo()


@pytest.fixture(scope="session")
def score_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScoreCache]:
    yield from shared_cache(tmp_path_factory)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quantile_percentile_bound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = np.round(rng.gamma(2.0, 12.0, size=200_003), 1)  # many ties
    q = quantile_table(scores)
    assert q.size == N_QUANTILES + 1
    probes = np.concatenate([rng.uniform(-5, 120, 500), scores[:500], [scores.min(), scores.max()]])
    exact = 100.0 * np.mean(scores[None, :] <= probes[:, None], axis=1)
    est = percentile_from_quantiles(q, probes)
    assert np.max(np.abs(est - exact)) <= 0.005 + 1e-9


# --- indicators --------------------------------------------------------------------------------


def _catalog_toml() -> dict:
    text = resources.files("layout.config").joinpath("industries.toml").read_text("utf-8")
    return tomllib.loads(text)


@pytest.mark.parametrize("code", PRIORITY_CODES)
def test_thresholds_follow_the_catalog_table(code: str) -> None:
    raw = _catalog_toml()
    row = next(r for r in raw["industries"] if r["code"] == code)
    t = thresholds(code)
    assert (t["far"].op, t["far"].value, t["far"].source) == (
        ">=", row["far"]["min"], row["far"]["source"])
    assert (t["investment_per_mu_wan"].op, t["investment_per_mu_wan"].value) == (
        ">=", row["investment"]["per_mu_wan"])
    assert t["investment_per_mu_wan"].source == row["investment"]["source"]
    assert (t["building_coverage"].op, t["building_coverage"].value) == (
        ">=", raw["land"]["building_coverage_min"])
    assert (t["admin_share"].op, t["admin_share"].value) == ("<=", raw["land"]["admin_share_max"])
    assert (t["green_ratio"].op, t["green_ratio"].value) == ("<=", raw["land"]["green_ratio_max"])
    assert t["green_ratio"].source == raw["land"]["source"]
    # at the threshold passes, a hair beyond fails
    at = {f: t[f].value for f in FIELDS}
    assert all(c.passed for c in check_indicators(at, industry=code))
    worse = {f: t[f].value - 0.01 if t[f].op == ">=" else t[f].value + 0.01 for f in FIELDS}
    assert not any(c.passed for c in check_indicators(worse, industry=code))


def test_parse_indicators_messages() -> None:
    good = example_indicators()["A-airport"]
    with pytest.raises(IndicatorError, match=r"ind.csv, parcel P2: missing field 'green_ratio'"):
        parse_indicators({k: v for k, v in good.items() if k != "green_ratio"},
                         where="ind.csv, parcel P2")
    with pytest.raises(IndicatorError, match=r"field 'far' = 'abc' is not a number"):
        parse_indicators({**good, "far": "abc"})
    with pytest.raises(IndicatorError, match=r"'green_ratio' = 15 is above 1.*divide .* 0.15"):
        parse_indicators({**good, "green_ratio": 15})
    assert parse_indicators({**good, "green_ratio": "15 %"})["green_ratio"] == pytest.approx(0.15)
    with pytest.raises(IndicatorError, match="is not a percentage"):
        parse_indicators({**good, "far": "120%"})


def test_read_indicators_formats(tmp_path: Path) -> None:
    ind = example_indicators()
    header = "parcel_id," + ",".join(FIELDS)
    rows = [f"{pid}," + ",".join(str(v[f]) for f in FIELDS) for pid, v in ind.items()]
    csv = tmp_path / "i.csv"
    csv.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert read_indicators(csv) == ind
    single = tmp_path / "one.json"
    single.write_text(json.dumps(ind["A-airport"]), encoding="utf-8")
    assert read_indicators(single) == {"*": ind["A-airport"]}
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([{"parcel_id": k, **v} for k, v in ind.items()]), "utf-8")
    assert read_indicators(listed) == ind
    toml = tmp_path / "i.toml"
    toml.write_text("".join(
        f"[parcels.{k}]\n" + "".join(f"{f} = {v[f]}\n" for f in FIELDS) for k, v in ind.items()
    ), encoding="utf-8")
    assert read_indicators(toml) == ind
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\nP1,1.2,0.4,0.05,,380\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"bad.csv, parcel P1: field 'green_ratio' is empty"):
        read_indicators(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(IndicatorError, match="is empty"):
        read_indicators(empty)


# --- cache -------------------------------------------------------------------------------------


def test_cache_key_is_cheap_and_consistent(score_cache: ScoreCache) -> None:
    assert cache_key() == cache_key(load_plan()) == score_cache.key
    assert open_cache(None, root=score_cache.folder.parent) is not None
    assert file_sha256(settings.embedded_gpkg()) == file_sha256(settings.embedded_gpkg())


def test_cache_key_follows_changed_plans() -> None:
    import dataclasses

    plan = load_plan()
    assert cache_key(dataclasses.replace(plan, resolution=50.0)) != cache_key(plan)
    assert cache_key(dataclasses.replace(plan, exclude=("basic_farmland",))) != cache_key(plan)
    assert cache_key(dataclasses.replace(plan)) == cache_key(plan)


def test_cache_key_follows_inputs(tmp_path: Path) -> None:
    plan = (resources.files("layout.config") / "zhengzhou_plan.toml").read_text("utf-8")
    data = tmp_path / "d.gpkg"
    data.write_bytes(settings.embedded_gpkg().read_bytes())
    own = 'boundary = { path = "d.gpkg", layer = "boundary" }'
    text = plan.replace('boundary = "embedded"', own)
    assert text != plan
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    first = cache_key(path)
    assert first != cache_key()
    with open(data, "ab") as f:
        f.write(b"\0")
    assert cache_key(path) != first


def test_cache_contents(score_cache: ScoreCache) -> None:
    m = score_cache.manifest
    assert tuple(m["codes"]) == load_catalog().codes
    for code in score_cache.codes:
        with rasterio.open(score_cache.score_path(code)) as src:
            assert src.tags()["industry"] == code and src.crs.to_epsg() == 4547
            assert src.descriptions[0] == "score (0-100)" and src.nodata == -1
        assert score_cache.n_eligible(code) > 100_000
    assert len(score_cache.layer("zones")) == 15


def test_fast_read_storage_keeps_the_bands_of_write_result(tmp_path: Path) -> None:
    from layout.model.grid import Grid
    from layout.scoring.suitability import SuitabilityResult, write_result

    mask = np.ones((5, 7), bool)
    mask[0, 0] = False
    grid = Grid(load_plan().crs, 400_000.0, 3_800_000.0, 100.0, 5, 7, mask)
    rng = np.random.default_rng(1)
    crit = {n: rng.random((5, 7)).astype(np.float32) for n in ("density", "slope")}
    for v in crit.values():
        v[~mask] = np.nan
    score = (40 * crit["density"] + 60 * crit["slope"]).astype(np.float32)
    result = SuitabilityResult("auto", grid, score, crit, crit, {"density": 0.4, "slope": 0.6},
                               "direct", np.zeros((5, 7), np.uint16), 7)
    a = write_result(result, tmp_path / "a")
    b = write_result(result, tmp_path / "b", storage=FAST_READ)
    for pa, pb in zip(a, b, strict=True):
        with rasterio.open(pa) as ra, rasterio.open(pb) as rb:
            np.testing.assert_array_equal(ra.read(), rb.read())
            assert ra.descriptions == rb.descriptions and ra.tags() == rb.tags()
            assert ra.nodata == rb.nodata and ra.transform == rb.transform
            assert rb.profile["interleave"] == "band"


def test_prune_keeps_the_most_recent(tmp_path: Path) -> None:
    import os
    import time

    from layout.scoring.cache import prune

    for i in range(6):
        folder = tmp_path / (f"{i:x}" * 64)[:64]
        folder.mkdir()
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
        os.utime(folder / "manifest.json", (time.time() - 100 + i, time.time() - 100 + i))
    old = tmp_path / ".abc.partial"
    old.mkdir()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    (tmp_path / "other").mkdir()  # not a cache: left alone
    removed = prune(keep=4, root=tmp_path)
    assert sorted(p.name[:1] for p in removed if not p.name.endswith(".partial")) == ["0", "1"]
    assert old in removed and (tmp_path / "other").is_dir()
    assert len([p for p in tmp_path.iterdir() if len(p.name) == 64]) == 4
