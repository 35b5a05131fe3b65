"""Fixtures shared across test folders: the Shenzhen road extract, parsed once."""

from __future__ import annotations

import pytest

from benchmarks.road_matrix import SHENZHEN
from dispatch_opt.travel.roads.network import RoadNetwork, load_network


@pytest.fixture(scope="session")
def shenzhen() -> RoadNetwork:
    """The Shenzhen extract, parsed once per test session (skipped when absent)."""
    if not SHENZHEN.is_file():
        pytest.skip(f"Shenzhen road extract not found at {SHENZHEN}")
    return load_network(SHENZHEN)
