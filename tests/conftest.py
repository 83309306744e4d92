"""Shared fixtures.

``score_cache``: the score cache of the embedded plan, built once per session (about 5-10 s)
into a temporary folder that ``LAYOUT_CACHE_DIR`` points at while it is used.

``browser``: a headless Chromium driven by Playwright (Debian's ``/usr/bin/chromium``, or
``$LAYOUT_CHROMIUM``).  Tests using it are skipped when Playwright or Chromium is missing,
except when ``$CI`` is set: CI must run them, so there they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from layout.scoring.cache import ScoreCache, ensure_cache

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(
            f"browser tests cannot run: {reason} (CI is set, so this is an error)", pytrace=False
        )
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A Playwright Chromium browser; skips (or fails under $CI) when it cannot start."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
        return
    executable = (
        os.environ.get("LAYOUT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    if not os.path.exists(executable):
        _unavailable(f"no Chromium at {executable} (apt-get install chromium)")
        return
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            _unavailable(f"Chromium at {executable} failed to start: {exc}")
            return
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def score_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScoreCache]:
    """The embedded plan's score cache, shared by the cache, site-check and CLI tests."""
    root = tmp_path_factory.getbasetemp() / "score_cache"
    mp = pytest.MonkeyPatch()
    mp.setenv("LAYOUT_CACHE_DIR", str(root))
    try:
        yield ensure_cache(None, root=root, progress=None)
    finally:
        mp.undo()
