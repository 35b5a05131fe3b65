"""An independent VRPTW checker in double precision, from the raw file data only.

Every customer exactly once, the load of each route within capacity, each service
starting inside its window (waiting allowed) and each vehicle back at the depot by its
due time. The cost is the total Euclidean distance, as the literature reports it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from benchmarks.vrptw_instance import VrptwData

TOLERANCE = 1e-6
"""Slack on time comparisons, for floating-point noise only."""


class CheckResult(NamedTuple):
    """(feasible, cost = total Euclidean distance, routes used, messages)."""

    feasible: bool
    cost: float
    routes_used: int
    messages: list[str]


def _dist(data: VrptwData, i: int, j: int) -> float:
    """Euclidean distance between points i and j."""
    (xi, yi), (xj, yj) = data.coords[i], data.coords[j]
    return math.hypot(xi - xj, yi - yj)


def _coverage(data: VrptwData, routes: list[list[int]]) -> list[str]:
    """Problems with who is visited: unknown, repeated or missing customers."""
    problems: list[str] = []
    seen: dict[int, int] = {}
    for r, route in enumerate(routes):
        for c in route:
            if not 1 <= c <= data.n_customers:
                problems.append(f"route {r}: unknown customer {c}")
            elif c in seen:
                problems.append(f"customer {c} visited twice (routes {seen[c]} and {r})")
            else:
                seen[c] = r
    missing = [c for c in range(1, data.n_customers + 1) if c not in seen]
    if missing:
        head = ", ".join(map(str, missing[:10]))
        problems.append(f"{len(missing)} customers not served: {head}")
    return problems


def _route_problems(data: VrptwData, r: int, route: list[int]) -> tuple[float, list[str]]:
    """Distance of one route and its capacity and time-window violations."""
    problems: list[str] = []
    valid = [c for c in route if 1 <= c <= data.n_customers]
    load = int(sum(int(data.demand[c]) for c in valid))
    if load > data.capacity:
        problems.append(f"route {r}: load {load} > capacity {data.capacity}")
    t, prev, dist = float(data.ready[0]), 0, 0.0
    for c in valid:
        leg = _dist(data, prev, c)
        dist += leg
        start = max(t + leg, float(data.ready[c]))
        if start > data.due[c] + TOLERANCE:
            problems.append(f"route {r}: customer {c} starts {start:.4f} > due {data.due[c]:g}")
        t, prev = start + float(data.service[c]), c
    leg = _dist(data, prev, 0)
    dist += leg
    if t + leg > data.due[0] + TOLERANCE:
        problems.append(f"route {r}: back at depot {t + leg:.4f} > due {data.due[0]:g}")
    return dist, problems


def check_solution(data: VrptwData, routes: list[list[int]] | None) -> CheckResult:
    """Check customer routes (indices 1..n per route) against the raw data."""
    if routes is None:
        return CheckResult(False, math.nan, 0, ["no solution"])
    used = [r for r in routes if r]
    messages = _coverage(data, used)
    if len(used) > data.n_vehicles:
        messages.append(f"{len(used)} routes > {data.n_vehicles} vehicles")
    cost = 0.0
    for r, route in enumerate(used):
        dist, problems = _route_problems(data, r, route)
        cost += dist
        messages.extend(problems)
    return CheckResult(not messages, cost, len(used), messages)
