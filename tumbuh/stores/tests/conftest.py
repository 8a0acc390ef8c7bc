"""Fixtures of the stores tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_order_rate():
    """Every test starts with no orders counted against its client's address (the rate limit
    of ``stores.ratelimit`` counts in the cache, which outlives a test's database)."""
    cache.clear()
    yield
    cache.clear()
