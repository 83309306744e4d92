"""Fixtures of the site-check tests: the session's score cache, the example and batch checks.

The cache is the session's `score_cache` (tests/conftest.py).
"""

from __future__ import annotations

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
