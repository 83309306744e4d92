"""Fixtures of the site-check tests: the session's score cache, the example and batch checks.

The cache is the one ``tests/test_sitecheck.py`` and ``tests/test_cli_check_site.py`` use (built
once per session into the same folder).
"""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import pytest

from layout.products.sitecheck import (
    SiteCheck,
    check_parcels,
    example_indicators,
    example_parcels,
)
from layout.scoring.cache import ScoreCache
from tests.products.sitecheck.reference import random_parcels
from tests.test_sitecheck import shared_cache


@pytest.fixture(scope="session")
def score_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScoreCache]:
    yield from shared_cache(tmp_path_factory)


@pytest.fixture(scope="session")
def examples(score_cache: ScoreCache) -> dict[str, SiteCheck]:
    checks = check_parcels(
        example_parcels(), industry="electronics", indicators=example_indicators(),
        cache=score_cache,
    )
    return {c.parcel_id: c for c in checks}


@pytest.fixture(scope="session")
def batch(score_cache: ScoreCache) -> tuple[gpd.GeoDataFrame, list[SiteCheck]]:
    parcels = random_parcels(300)
    return parcels, check_parcels(parcels, industry="food", cache=score_cache)
