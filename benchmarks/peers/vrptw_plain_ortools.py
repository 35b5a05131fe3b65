"""A plain OR-Tools VRPTW model, as a competent user writes it from the routing guides.

Distance matrix as arc cost, a capacity dimension, a time dimension (travel + service)
with the customers' windows, every customer mandatory, PATH_CHEAPEST_ARC then guided
local search until the time limit. Integers are the distances scaled and rounded up.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from benchmarks.vrptw_instance import SCALE, PeerResult, VrptwData, scaled_matrix, scaled_window


def _build(data: VrptwData) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    """Manager and model with cost, capacity and time dimensions."""
    n_points, n_v = data.n_customers + 1, data.n_vehicles
    manager = pywrapcp.RoutingIndexManager(n_points, n_v, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = scaled_matrix(data)
    service = np.round(data.service * SCALE).astype(np.int64)
    dist_cb = routing.RegisterTransitMatrix(dist.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    demand_cb = routing.RegisterUnaryTransitVector([int(d) for d in data.demand])
    routing.AddDimensionWithVehicleCapacity(demand_cb, 0, [data.capacity] * n_v, True, "load")
    time_cb = routing.RegisterTransitMatrix((dist + service[:, None]).tolist())
    open_s, close_s = scaled_window(data.ready[0], data.due[0])
    routing.AddDimension(time_cb, close_s, close_s, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for k in range(1, n_points):
        lo, hi = scaled_window(data.ready[k], data.due[k])
        time_dim.CumulVar(manager.NodeToIndex(k)).SetRange(lo, hi)
    for v in range(n_v):
        for index in (routing.Start(v), routing.End(v)):
            time_dim.CumulVar(index).SetRange(open_s, close_s)
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(index))
    return manager, routing


def _parameters(budget_s: float):
    """PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH with a time limit."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(budget_s * 1000))
    return params


def _routes(manager, routing, solution) -> list[list[int]]:
    """Customer sequences of every vehicle."""
    routes = []
    for v in range(manager.GetNumberOfVehicles()):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def solve(data: VrptwData, budget_s: float, seed: int = 0) -> PeerResult:
    """Solve with the plain model; routes are None when no solution was found."""
    del seed  # the guides' model has no seed
    started = time.perf_counter()
    manager, routing = _build(data)
    solution = routing.SolveWithParameters(_parameters(budget_s))
    elapsed = time.perf_counter() - started
    if solution is None:
        return PeerResult(None, elapsed, f"no solution (status {int(routing.status())})")
    return PeerResult(_routes(manager, routing, solution), elapsed)
