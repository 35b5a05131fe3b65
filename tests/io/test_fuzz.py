"""Whatever arrives, parse_problem and plan_from_dict fail only with InputError."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_opt.errors import InputError
from dispatch_opt.io import parse_problem, plan_from_dict
from tests.io.helpers import EXAMPLE

KEYS = st.sampled_from(
    ["id", "start", "end", "lat", "lon", "kind", "at", "window", "model", "locations", "ac"]
) | st.text(max_size=8)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["2026-11-23T09:00:00+08:00", "2026-11-23T09:00:00", "T01", "matrix", ""])
)

JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


def only_input_errors(data: Any, reader: Any) -> None:
    """Run `reader`; success or InputError are fine, anything else fails the test."""
    try:
        reader(data)
    except InputError as exc:
        assert exc.issues
        assert all(isinstance(i.path, str) and i.rule for i in exc.issues)


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_garbage_documents_raise_only_input_error(data: Any) -> None:
    only_input_errors(data, parse_problem)
    only_input_errors(data, plan_from_dict)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60) | st.binary(max_size=60))
def test_garbage_text_raises_only_input_error(data: str | bytes) -> None:
    only_input_errors(data, parse_problem)


def paths_of(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside a JSON value."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_of(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths_of(value, (*prefix, i))
    return found


EXAMPLE_PATHS = paths_of(EXAMPLE)[1:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(EXAMPLE_PATHS), JSONISH), min_size=1, max_size=3))
def test_example_with_garbage_subtrees_raises_only_input_error(
    edits: list[tuple[tuple[Any, ...], Any]],
) -> None:
    doc = copy.deepcopy(EXAMPLE)
    for path, value in edits:
        node = doc
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    only_input_errors(doc, parse_problem)
    only_input_errors(json.dumps(doc), parse_problem)
