"""VROOM as a portfolio member (and the benchmarks' field-service peer): a numeric
instance mapped to pyvroom, an optional dependency (`pip install dispatch-opt[engines]`).

Both engines see identical travel: VROOM's durations are the instance's integer driving
seconds (`drive_s(factor)`, one VROOM profile per distinct speed factor) plus the stop
overhead (`arrival_overhead_s`), so job setup is 0 and a job's time windows bound the
start of its service, as the contract's do. The mapping:

- who may serve what: VROOM skills derived from `instance.allowed` (skills with levels,
  van parts, pins and exclusions are already folded into it): the tickets sharing one
  allowed set that is not "everyone" get one skill id, held exactly by those vehicles;
- ticket weight -> priority `min(100, 6 * weight)`, required tickets 100;
- time windows -> job time windows (several allowed), duration -> service;
- parts -> per-SKU delivery amounts, van stock -> vehicle capacity;
- shift -> vehicle time window [shift start, shift end + allowed overtime];
- breaks -> vehicle breaks (one window, service = duration);
- max_jobs -> max_tasks, max_travel_min -> max_travel_time (VROOM counts the stop
  overhead as travel, so it is stricter than the contract there).

Not expressible in VROOM and left out: SLA lateness, overtime cost, continuity
preferences, re-plan stability, depot pickups. VROOM's routes are therefore a start that
the caller re-times exactly, repairs and completes with the full rules.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.solver.members.common import MemberResult, Places, places

if TYPE_CHECKING:
    import vroom

PRIORITY_PER_WEIGHT = 6
MAX_PRIORITY = 100


def used_nodes(inst: RoutingInstance) -> list[int]:
    """Vehicle starts and ends and every ticket some vehicle may serve."""
    ends = list(range(2 * inst.n_vehicles))
    active = np.flatnonzero(inst.allowed.any(axis=1))
    return ends + [inst.ticket_node(int(k)) for k in active]


def locations(inst: RoutingInstance) -> Places:
    """One VROOM location per physical place (same `loc_id` = same row and column)."""
    return places(inst, used_nodes(inst))


def duration_matrix(inst: RoutingInstance, locs: Places, factor: float) -> np.ndarray:
    """Integer seconds between locations: rounded-up driving plus the arrival overhead."""
    sub = np.ix_(locs.nodes, locs.nodes)
    return inst.drive_s(factor)[sub].astype(np.int64) + inst.arrival_overhead_s[sub]


def profile_name(speed_class: int) -> str:
    """The VROOM profile of one speed factor (`RoutingInstance.speed_factors` index)."""
    return f"speed{speed_class}"


def skill_sets(inst: RoutingInstance) -> tuple[dict[int, set[int]], list[set[int]]]:
    """Per ticket the skill ids it needs, per vehicle the ids it holds (from `allowed`)."""
    pattern_id: dict[bytes, int] = {}
    job_skills: dict[int, set[int]] = {}
    vehicle_skills: list[set[int]] = [set() for _ in range(inst.n_vehicles)]
    for k in np.flatnonzero(inst.allowed.any(axis=1)):
        row = inst.allowed[k]
        if row.all():
            job_skills[int(k)] = set()
            continue
        key = row.tobytes()
        if key not in pattern_id:
            pattern_id[key] = len(pattern_id) + 1
            for v in np.flatnonzero(row):
                vehicle_skills[int(v)].add(pattern_id[key])
        job_skills[int(k)] = {pattern_id[key]}
    return job_skills, vehicle_skills


def priority(inst: RoutingInstance, k: int) -> int:
    """VROOM priority of ticket k: 6 per unit of contract weight, 100 when required."""
    if inst.required[k]:
        return MAX_PRIORITY
    return int(min(MAX_PRIORITY, PRIORITY_PER_WEIGHT * int(inst.weight[k])))


def make_job(inst: RoutingInstance, locs: Places, k: int, skills: set[int]) -> vroom.Job:
    """The VROOM job of ticket k (id = ticket index)."""
    import vroom

    node = inst.ticket_node(k)
    windows = [vroom.TimeWindow(int(lo), int(hi)) for lo, hi in inst.windows[k]]
    return vroom.Job(
        int(k),
        location=locs.index_of_node[node],
        default_service=int(inst.service_s[node]),
        delivery=vroom.Amount([int(q) for q in inst.demand[k]]),
        skills=skills or None,
        priority=priority(inst, k),
        time_windows=windows,
    )


def make_vehicle(
    inst: RoutingInstance, locs: Places, v: int, skills: set[int], profile: str
) -> vroom.Vehicle:
    """The VROOM vehicle of technician v (id = vehicle index)."""
    import vroom

    breaks = [
        vroom.Break(
            100 * v + b,
            time_windows=[vroom.TimeWindow(int(brk.earliest_s), int(brk.latest_s))],
            service=int(brk.duration_s),
        )
        for b, brk in enumerate(inst.breaks[v])
    ]
    options: dict[str, Any] = {}
    if inst.max_jobs[v] >= 0:
        options["max_tasks"] = int(inst.max_jobs[v])
    if inst.max_travel_s[v] >= 0:
        options["max_travel_time"] = int(inst.max_travel_s[v])
    return vroom.Vehicle(
        int(v),
        start=locs.index_of_node[inst.start_node(v)],
        end=locs.index_of_node[inst.end_node(v)],
        profile=profile,
        capacity=vroom.Amount([int(q) for q in inst.stock[v]]),
        skills=skills or None,
        time_window=vroom.TimeWindow(int(inst.shift_start_s[v]), inst.end_bound_s(v)),
        breaks=breaks,
        **options,
    )


def build_input(inst: RoutingInstance) -> vroom.Input:
    """The whole VROOM problem for `inst`."""
    import vroom

    locs = locations(inst)
    problem = vroom.Input()
    for c, factor in enumerate(inst.speed_factors):
        problem.set_durations_matrix(profile_name(c), duration_matrix(inst, locs, factor))
    job_skills, vehicle_skills = skill_sets(inst)
    for v in range(inst.n_vehicles):
        name = profile_name(int(inst.vehicle_classes[v]))
        problem.add_vehicle(make_vehicle(inst, locs, v, vehicle_skills[v], name))
    for k, skills in job_skills.items():
        problem.add_job(make_job(inst, locs, k, skills))
    return problem


def routes_of(inst: RoutingInstance, solution: dict[str, Any]) -> list[list[int]]:
    """Instance ticket nodes per vehicle from VROOM's solution dictionary."""
    routes: list[list[int]] = [[] for _ in range(inst.n_vehicles)]
    for route in solution.get("routes", []):
        v = int(route["vehicle"])
        routes[v] = [
            inst.ticket_node(int(step["id"])) for step in route["steps"] if step["type"] == "job"
        ]
    return routes


def solve_vroom(
    inst: RoutingInstance,
    time_limit_s: float | None,
    *,
    threads: int = 1,
    exploration_level: int = 5,
) -> MemberResult:
    """Solve `inst` with VROOM (no timeout when `time_limit_s` is None: deterministic)."""
    started = time.perf_counter()
    if not inst.allowed.any():
        return MemberResult([[] for _ in range(inst.n_vehicles)], 0.0, 0.0, "trivial")
    problem = build_input(inst)
    timeout = None if time_limit_s is None else timedelta(seconds=max(0.1, time_limit_s))
    solution = problem.solve(
        exploration_level=exploration_level, nb_threads=threads, timeout=timeout
    )
    routes = routes_of(inst, solution.to_dict())
    elapsed = time.perf_counter() - started
    return MemberResult(routes, elapsed, elapsed, "solved")
