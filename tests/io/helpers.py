"""Assertions shared by the io tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io import parse_problem

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SHARED_CONTRACT_DIR = Path(__file__).resolve().parents[3] / "shared" / "contract"
EXAMPLE_NAME = "example-problem.json"

EXAMPLE: dict[str, Any] = json.loads((DATA_DIR / EXAMPLE_NAME).read_text(encoding="utf-8"))
"""The committed example problem; tests must copy it before mutating."""


def issues_of(data: dict[str, Any] | str | bytes) -> list[Issue]:
    """The issues parse_problem raises for `data` (fails the test when it parses)."""
    with pytest.raises(InputError) as caught:
        parse_problem(data)
    return caught.value.issues


def assert_issue(data: dict[str, Any] | str | bytes, path: str, rule_part: str) -> list[Issue]:
    """Assert that parsing reports an issue at exactly `path` whose rule contains `rule_part`."""
    issues = issues_of(data)
    hits = [i for i in issues if i.path == path and rule_part in i.rule]
    assert hits, f"no issue at {path!r} containing {rule_part!r}; got {[str(i) for i in issues]}"
    return issues


def matrix_problem(example: dict[str, Any]) -> dict[str, Any]:
    """The example turned into matrix mode with an end that differs from the start."""
    example["technicians"][2]["end"] = {"lat": 31.3, "lon": 121.6}
    keys = [t["id"] for t in example["tickets"]] + [d["id"] for d in example["depots"]]
    keys += [t["id"] for t in example["technicians"]] + ["T03/end"]
    n = len(keys)
    durations = [[0 if i == j else 60 * (i + j) for j in range(n)] for i in range(n)]
    distances = [[0 if i == j else 500 * (i + j) for j in range(n)] for i in range(n)]
    example["travel"] = {
        "model": "matrix",
        "locations": keys,
        "durations_s": durations,
        "distances_m": distances,
        "stop_overhead_min": 3,
    }
    return example
