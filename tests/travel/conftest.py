"""Shared fixtures: the hand-made network files; no test touches the user's matrix cache.

The Shenzhen extract fixture (`shenzhen`) lives in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.travel.roads_fixture import write_osm_xml, write_overpass


@pytest.fixture(scope="session")
def toy_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made network as Overpass JSON."""
    return write_overpass(tmp_path_factory.mktemp("roads") / "toy.json")


@pytest.fixture(scope="session")
def toy_xml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made network as OSM XML."""
    return write_osm_xml(tmp_path_factory.mktemp("roads") / "toy.osm")


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's road matrix cache."""
    monkeypatch.setenv("DISPATCH_OPT_ROAD_CACHE", str(tmp_path / "road-cache"))
