"""VROOM (pyvroom) on a VRPTW: exploration level 5, one thread, no time limit.

VROOM's windows bound the start of a job's setup; the Solomon instances have no setup
time, so the customers' windows are passed as they are.
"""

from __future__ import annotations

import time

import numpy as np
import vroom

from benchmarks.vrptw_instance import (
    SCALE,
    PeerResult,
    VrptwData,
    scaled_matrix,
    scaled_window,
)

EXPLORATION_LEVEL = 5


def _input(data: VrptwData) -> vroom.Input:
    """VROOM input: integer matrices, one vehicle per available vehicle, one job per customer."""
    problem = vroom.Input()
    dist = scaled_matrix(data)
    problem.set_durations_matrix("car", dist)
    problem.set_distances_matrix("car", dist)
    open_s, close_s = scaled_window(data.ready[0], data.due[0])
    problem.add_vehicle(
        [
            vroom.Vehicle(
                v,
                start=0,
                end=0,
                capacity=[data.capacity],
                time_window=vroom.TimeWindow(open_s, close_s),
            )
            for v in range(data.n_vehicles)
        ]
    )
    service = np.round(data.service * SCALE).astype(np.int64)
    jobs = []
    for k in range(1, data.n_customers + 1):
        lo, hi = scaled_window(data.ready[k], data.due[k])
        jobs.append(
            vroom.Job(
                k,
                location=k,
                default_service=int(service[k]),
                delivery=[int(data.demand[k])],
                time_windows=[vroom.TimeWindow(lo, hi)],
            )
        )
    problem.add_job(jobs)
    return problem


def solve(data: VrptwData, budget_s: float | None = None, seed: int = 0) -> PeerResult:
    """Solve without a time limit (`budget_s` is ignored); job ids are customer indices."""
    del budget_s, seed
    started = time.perf_counter()
    solution = _input(data).solve(exploration_level=EXPLORATION_LEVEL, nb_threads=1)
    elapsed = time.perf_counter() - started
    answer = solution.to_dict()
    routes = [
        [int(step["id"]) for step in route["steps"] if step["type"] == "job"]
        for route in answer.get("routes", [])
    ]
    unassigned = len(answer.get("unassigned", []))
    status = "ok" if not unassigned else f"{unassigned} jobs unassigned"
    return PeerResult(routes, elapsed, status)
