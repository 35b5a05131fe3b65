"""Fixtures shared across test folders: the Shenzhen road extract, parsed once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dispatch_opt.travel.roads.network import RoadNetwork


@pytest.fixture(scope="session")
def shenzhen() -> RoadNetwork:
    """The Shenzhen extract, parsed once per test session (skipped when absent). Imported
    here, not at module top, so sessions without road tests skip networkx and scipy."""
    from benchmarks.road_matrix import SHENZHEN
    from dispatch_opt.travel.roads.network import load_network

    if not SHENZHEN.is_file():
        pytest.skip(f"Shenzhen road extract not found at {SHENZHEN}")
    return load_network(SHENZHEN)
