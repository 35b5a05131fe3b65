"""What every member shares: its answer type, the install check, and the mapping of
instance nodes to the engine's locations (one per physical place)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec

import numpy as np

from dispatch_opt.routing.instance import RoutingInstance


@dataclass(frozen=True)
class MemberResult:
    """An engine's answer: instance ticket nodes per vehicle and what the run took."""

    routes: list[list[int]]
    time_s: float
    first_solution_s: float | None
    status: str


def installed(module: str) -> bool:
    """Whether an optional engine's Python package can be imported (without importing it)."""
    return find_spec(module) is not None


@dataclass(frozen=True)
class Places:
    """The engine's locations: one per distinct place (`loc_id`) among some nodes."""

    index_of_node: dict[int, int]  # instance node -> location index
    nodes: np.ndarray  # location index -> a representative instance node


def places(inst: RoutingInstance, nodes: list[int]) -> Places:
    """One location per distinct place among `nodes`, in order of first appearance."""
    index_of_node: dict[int, int] = {}
    first_of_place: dict[int, int] = {}
    reps: list[int] = []
    for node in nodes:
        place = int(inst.loc_id[node])
        if place not in first_of_place:
            first_of_place[place] = len(reps)
            reps.append(node)
        index_of_node[node] = first_of_place[place]
    return Places(index_of_node, np.array(reps, dtype=np.int64))
