"""PyVRP on a VRPTW: one depot, one vehicle type, integer-scaled distances, MaxRuntime."""

from __future__ import annotations

import time

import numpy as np
from pyvrp import Model
from pyvrp.stop import MaxRuntime

from benchmarks.vrptw_instance import (
    SCALE,
    PeerResult,
    VrptwData,
    scaled_matrix,
    scaled_window,
)


def _model(data: VrptwData) -> Model:
    """PyVRP model with explicit edges (distance = duration)."""
    model = Model()
    locations = [model.add_location(float(x), float(y)) for x, y in data.coords]
    open_s, close_s = scaled_window(data.ready[0], data.due[0])
    depot = model.add_depot(locations[0], tw_early=open_s, tw_late=close_s)
    service = np.round(data.service * SCALE).astype(np.int64)
    for k in range(1, data.n_customers + 1):
        lo, hi = scaled_window(data.ready[k], data.due[k])
        model.add_client(
            locations[k],
            delivery=[int(data.demand[k])],
            service_duration=int(service[k]),
            tw_early=lo,
            tw_late=hi,
        )
    model.add_vehicle_type(
        num_available=data.n_vehicles,
        capacity=[data.capacity],
        start_depot=depot,
        end_depot=depot,
        tw_early=open_s,
        tw_late=close_s,
    )
    dist = scaled_matrix(data)
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            model.add_edge(frm, to, distance=int(dist[i, j]), duration=int(dist[i, j]))
    return model


def solve(data: VrptwData, budget_s: float, seed: int = 0) -> PeerResult:
    """Solve for `budget_s` seconds; clients 0..n-1 map back to customers 1..n."""
    started = time.perf_counter()
    result = _model(data).solve(MaxRuntime(budget_s), seed=seed, display=False)
    elapsed = time.perf_counter() - started
    routes = [[a.idx + 1 for a in route if a.is_client()] for route in result.best.routes()]
    status = "ok" if result.is_feasible() else "pyvrp reports its best solution infeasible"
    return PeerResult(routes, elapsed, status)
