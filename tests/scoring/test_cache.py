"""The score cache (layout.scoring.cache): its contents, keys, pruning and logging.

The embedded plan's cache is the session's `score_cache` (tests/conftest.py); the logging tests
build one for the tiny synthetic plan (tests/fixtures/tiny_plan.py), a few seconds.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import rasterio

from layout import settings
from layout.config.catalog import load_catalog
from layout.config.plan import load_plan
from layout.io.files import file_sha256
from layout.io.raster import FAST_READ
from layout.scoring.cache import ScoreCache, ensure_cache, open_cache
from layout.scoring.cachekey import cache_key
from tests.fixtures import tiny_plan as tp


def test_ensure_cache_logs_and_prints_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan")
    root = tmp_path / "cache"
    heard: list[str] = []
    with caplog.at_level(logging.INFO, logger="layout.scoring.cache"):
        cache = ensure_cache(plan, root=root)  # the default: logging only
        assert cache.folder == root / cache_key(plan)
        built = [r.getMessage() for r in caplog.records if r.name == "layout.scoring.cache"]
        assert built[0].startswith("building the score cache of plan.toml in ")
        assert built[1].startswith("score cache ready (")
        assert capfd.readouterr() == ("", "")
        caplog.clear()
        # A complete cache is only opened: nothing to say.
        assert ensure_cache(plan, root=root, progress=heard.append).key == cache.key
        assert heard == [] and caplog.records == []
    assert open_cache(plan, root=root) is not None


def test_ensure_cache_progress_hears_the_logged_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan")
    heard: list[str] = []
    with caplog.at_level(logging.INFO, logger="layout.scoring.cache"):
        ensure_cache(plan, root=tmp_path / "cache", progress=heard.append)
    assert heard == [r.getMessage() for r in caplog.records if r.name == "layout.scoring.cache"]
    assert len(heard) == 2


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


def _ours(folder: Path) -> Path:
    """A folder as the cache makes them: with its marker file."""
    from layout.scoring.cache import MARKER

    folder.mkdir()
    (folder / MARKER).write_text("x", encoding="utf-8")
    return folder


def test_prune_keeps_the_most_recent(tmp_path: Path) -> None:
    import os
    import time

    from layout.scoring.cache import prune

    for i in range(6):
        folder = _ours(tmp_path / (f"{i:x}" * 64)[:64])
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
        os.utime(folder / "manifest.json", (time.time() - 100 + i, time.time() - 100 + i))
    old = _ours(tmp_path / ".abc.partial")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    fresh = _ours(tmp_path / ".def.partial")  # a build under way: left alone
    (tmp_path / "other").mkdir()  # not a cache: left alone
    removed = prune(keep=4, root=tmp_path)
    assert sorted(p.name[:1] for p in removed if not p.name.endswith(".partial")) == ["0", "1"]
    assert old in removed and fresh.is_dir() and (tmp_path / "other").is_dir()
    assert len([p for p in tmp_path.iterdir() if len(p.name) == 64]) == 4


def _tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its SHA-256, and every folder (a shared folder's state)."""
    return {
        str(p.relative_to(root)): file_sha256(p) if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def test_prune_touches_nothing_it_did_not_make(tmp_path: Path) -> None:
    """A shared cache root: old partial-looking and cache-looking folders of others survive."""
    import os
    import time

    from layout.scoring.cache import prune

    shared = tmp_path / "shared"
    shared.mkdir()
    foreign_partial = shared / "x.partial"  # someone's download, two hours old
    foreign_partial.mkdir()
    (foreign_partial / "data.bin").write_bytes(b"theirs")
    foreign_cache = shared / ("f" * 64)  # looks like a cache, manifest and all
    foreign_cache.mkdir()
    (foreign_cache / "manifest.json").write_text("{}", encoding="utf-8")
    (shared / "notes.txt").write_text("theirs", encoding="utf-8")
    link = shared / ("e" * 64)  # a link to a folder of ours elsewhere: not followed
    target = _ours(tmp_path / "elsewhere")
    (target / "manifest.json").write_text("{}", encoding="utf-8")
    link.symlink_to(target, target_is_directory=True)
    ours_old = _ours(shared / ".0123.partial")
    caches = [_ours(shared / (c * 64)) for c in "0123456"]
    for i, folder in enumerate(caches):
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
        os.utime(folder / "manifest.json", (time.time() - 100 + i, time.time() - 100 + i))
    two_hours = time.time() - 7200
    for folder in (foreign_partial, foreign_cache, ours_old):
        os.utime(folder, (two_hours, two_hours))
    os.utime(foreign_cache / "manifest.json", (two_hours, two_hours))
    foreign = {p: _tree(p) for p in (foreign_partial, foreign_cache, target)}

    removed = prune(keep=4, root=shared)

    assert sorted(removed) == sorted([ours_old, *caches[:3]])
    for folder, tree in foreign.items():
        assert folder.is_dir() and _tree(folder) == tree
    assert link.is_symlink() and (shared / "notes.txt").read_text("utf-8") == "theirs"
    assert sorted(p.name for p in shared.iterdir() if p.name.startswith(tuple("3456"))) == [
        c * 64 for c in "3456"
    ]


def test_cache_folders_are_private_and_marked(tmp_path: Path) -> None:
    import os
    import stat

    from layout.errors import DataFileError
    from layout.scoring.cache import MARKER

    plan = tp.write_tiny_plan(tmp_path / "plan")
    root = tmp_path / "new" / "cache"  # made by the cache
    old = os.umask(0)  # the most permissive umask: modes must not come from it
    try:
        cache = ensure_cache(plan, root=root)
    finally:
        os.umask(old)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache.folder.stat().st_mode) == 0o700
    assert (cache.folder / MARKER).is_file()
    assert [p.name for p in root.iterdir()] == [cache.key]  # no staging folder left
    # a folder of the cache's name that the cache did not make is not replaced
    other = tmp_path / "other"
    (other / cache.key).mkdir(parents=True)
    (other / cache.key / "theirs.txt").write_text("x", encoding="utf-8")
    with pytest.raises(DataFileError, match="not made by the score cache"):
        ensure_cache(plan, root=other)
    assert [p.name for p in (other / cache.key).iterdir()] == ["theirs.txt"]
