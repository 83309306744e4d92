"""The score cache (layout.scoring.cache) logs its build and never prints on its own.

Built for the tiny synthetic plan (tests/fixtures/tiny_plan.py), which takes a few seconds.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from layout.scoring.cache import ensure_cache, open_cache
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
