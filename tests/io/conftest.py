"""Fixtures of the io tests: the contract's example problem, fresh for every test."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.io.helpers import DATA_DIR, EXAMPLE, EXAMPLE_NAME, SHARED_CONTRACT_DIR


@pytest.fixture
def example_path() -> Path:
    """The committed copy of the contract's example problem."""
    return DATA_DIR / EXAMPLE_NAME


@pytest.fixture
def shared_example_path() -> Path:
    """The contract's own example, beside the contract text (skipped when not checked out)."""
    path = SHARED_CONTRACT_DIR / EXAMPLE_NAME
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture
def example() -> dict[str, Any]:
    """A deep copy of the example problem that a test may mutate freely."""
    return copy.deepcopy(EXAMPLE)
