"""A plain OR-Tools field-service model, written the way a competent user would.

This is deliberately not dispatch-opt's engine: travel and service go through Python
transit callbacks, the first solution is PATH_CHEAPEST_ARC and the search guided local
search on the clock, and no route is re-timed or repaired afterwards. It reads the same
compiled instance (integer driving seconds per speed factor plus the stop overhead) and
prices the same objective (drop penalties by priority weight, SLA lateness, overtime,
driving time and distance), so the answers are comparable.

Rules modelled: allowed technicians (`VehicleVar(i).SetValues([-1, *allowed])`, since
`SetAllowedVehiclesForIndex` raises a TypeError in the 9.15 Python binding), service-
start windows (gaps removed with `RemoveInterval`), shifts with overtime, breaks
(`SetBreakIntervalsOfVehicle`, kept inside the route span), van stock (one capacity
dimension per SKU), max_jobs and max_travel_min.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from benchmarks.peers.fs_vroom import PeerResult
from dispatch_opt.routing.instance import RoutingInstance


@dataclass
class PlainModel:
    """The routing model and the map from its nodes to instance nodes."""

    inst: RoutingInstance
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    nodes: list[int]
    keep: list[object] = field(default_factory=list)  # callbacks must outlive the solve

    def node(self, index: int) -> int:
        """Instance node of a routing index."""
        return self.nodes[self.manager.IndexToNode(index)]


def model_nodes(inst: RoutingInstance) -> list[int]:
    """Starts, ends, then every ticket some technician may serve."""
    active = np.flatnonzero(inst.allowed.any(axis=1))
    return list(range(2 * inst.n_vehicles)) + [inst.ticket_node(int(k)) for k in active]


def _speed_classes(inst: RoutingInstance) -> dict[float, list[int]]:
    """Vehicles grouped by speed factor."""
    classes: dict[float, list[int]] = {}
    for v, f in enumerate(inst.speed_factor):
        classes.setdefault(round(float(f), 9), []).append(v)
    return classes


def _register(model: PlainModel, fn: Callable[[int, int], int]) -> int:
    """Register a Python transit callback and keep it alive."""
    model.keep.append(fn)
    return model.routing.RegisterTransitCallback(fn)


def _callbacks(model: PlainModel, factor: float) -> tuple[int, int, int]:
    """Time (drive + overhead + service at the origin), arc cost and driving callbacks."""
    inst = model.inst
    drive, over, service = inst.drive_s(factor), inst.arrival_overhead_s, inst.service_s
    metres = inst.distance_int_m
    per_s, per_km = inst.travel_cost_per_s, inst.travel_cost_per_km

    def time_cb(i: int, j: int) -> int:
        a, b = model.node(i), model.node(j)
        return int(drive[a, b] + over[a, b] + service[a])

    def cost_cb(i: int, j: int) -> int:
        a, b = model.node(i), model.node(j)
        return int(drive[a, b]) * per_s + int(metres[a, b]) * per_km // 1000

    def drive_cb(i: int, j: int) -> int:
        return int(drive[model.node(i), model.node(j)])

    return _register(model, time_cb), _register(model, cost_cb), _register(model, drive_cb)


def _time_dimension(model: PlainModel) -> tuple[pywrapcp.RoutingDimension, list[int]]:
    """Time dimension with per-speed-class transits and arc costs; returns the driving
    callback of each vehicle."""
    inst, routing = model.inst, model.routing
    time_of, drive_of = [0] * inst.n_vehicles, [0] * inst.n_vehicles
    for factor, vehicles in _speed_classes(inst).items():
        time_cb, cost_cb, drive_cb = _callbacks(model, factor)
        for v in vehicles:
            time_of[v], drive_of[v] = time_cb, drive_cb
            routing.SetArcCostEvaluatorOfVehicle(cost_cb, v)
    horizon = int(inst.horizon_s)
    routing.AddDimensionWithVehicleTransits(time_of, horizon, horizon, False, "time")
    return routing.GetDimensionOrDie("time"), drive_of


def _shifts(model: PlainModel, time_dim: pywrapcp.RoutingDimension) -> None:
    """Leave no earlier than the shift start, back by shift end + overtime (priced)."""
    inst, routing = model.inst, model.routing
    for v in range(inst.n_vehicles):
        lo, hi = int(inst.shift_start_s[v]), int(inst.latest_end_s[v])
        time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)
        if inst.overtime_cost_per_s > 0 and hi > inst.shift_end_s[v]:
            time_dim.SetCumulVarSoftUpperBound(
                routing.End(v), int(inst.shift_end_s[v]), int(inst.overtime_cost_per_s)
            )
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))


def _tickets(model: PlainModel, time_dim: pywrapcp.RoutingDimension) -> None:
    """Windows, SLA, allowed technicians and the drop penalty of each ticket."""
    inst, routing = model.inst, model.routing
    for m in range(2 * inst.n_vehicles, len(model.nodes)):
        k = inst.ticket_of(model.nodes[m])
        index = model.manager.NodeToIndex(m)
        wins = inst.windows[k]
        cumul = time_dim.CumulVar(index)
        cumul.SetRange(int(wins[0, 0]), int(wins[-1, 1]))
        for (_, hi), (lo, _) in itertools.pairwise(wins):
            if hi + 1 <= lo - 1:
                cumul.RemoveInterval(int(hi + 1), int(lo - 1))
        due = int(inst.sla_due_s[k])
        if due >= 0 and inst.sla_cost_per_s > 0 and due < wins[-1, 1]:
            time_dim.SetCumulVarSoftUpperBound(index, due, int(inst.sla_cost_per_s))
        allowed = [int(v) for v in np.flatnonzero(inst.allowed[k])]
        if len(allowed) < inst.n_vehicles:
            routing.VehicleVar(index).SetValues([-1, *allowed])
        routing.AddDisjunction([index], int(inst.penalty[k]))


def _breaks(model: PlainModel, time_dim: pywrapcp.RoutingDimension) -> None:
    """Each break a fixed-length interval in its window, inside the route's span."""
    inst, routing = model.inst, model.routing
    solver = routing.solver()
    visits = [0] * routing.Size()
    for index in range(routing.Size()):
        if not routing.IsStart(index):
            visits[index] = int(inst.service_s[model.node(index)])
    for v in range(inst.n_vehicles):
        intervals = []
        for b, brk in enumerate(inst.breaks[v]):
            iv = solver.FixedDurationIntervalVar(
                int(brk.earliest_s), int(brk.latest_s), int(brk.duration_s), False, f"brk{v}.{b}"
            )
            solver.Add(iv.StartExpr() >= time_dim.CumulVar(routing.Start(v)))
            solver.Add(iv.EndExpr() <= time_dim.CumulVar(routing.End(v)))
            intervals.append(iv)
        if intervals:
            time_dim.SetBreakIntervalsOfVehicle(intervals, v, visits)


def _unary(model: PlainModel, values: Callable[[int], int]) -> int:
    """Register a Python unary callback over instance nodes and keep it alive."""

    def cb(i: int) -> int:
        return values(model.node(i))

    model.keep.append(cb)
    return model.routing.RegisterUnaryTransitCallback(cb)


def _side_rules(model: PlainModel, drive_of: list[int]) -> None:
    """Van stock per SKU, max_jobs and max_travel_min as capacity dimensions."""
    inst, routing = model.inst, model.routing
    first = inst.first_ticket_node
    for s in range(len(inst.skus)):

        def need(node: int, s: int = s) -> int:
            return int(inst.demand[node - first, s]) if node >= first else 0

        cap = [int(q) for q in inst.stock[:, s]]
        routing.AddDimensionWithVehicleCapacity(_unary(model, need), 0, cap, True, f"sku{s}")
    if (inst.max_jobs >= 0).any():
        caps = [int(c) if c >= 0 else inst.n_tickets for c in inst.max_jobs]
        jobs = _unary(model, lambda node: int(node >= first))
        routing.AddDimensionWithVehicleCapacity(jobs, 0, caps, True, "jobs")
    if (inst.max_travel_s >= 0).any():
        caps = [int(c) if c >= 0 else 10 * int(inst.horizon_s) for c in inst.max_travel_s]
        routing.AddDimensionWithVehicleTransitAndCapacity(drive_of, 0, caps, True, "drive")


def build_model(inst: RoutingInstance) -> PlainModel:
    """The whole plain model."""
    nodes = model_nodes(inst)
    n_v = inst.n_vehicles
    manager = pywrapcp.RoutingIndexManager(
        len(nodes), n_v, list(range(n_v)), list(range(n_v, 2 * n_v))
    )
    model = PlainModel(inst, manager, pywrapcp.RoutingModel(manager), nodes)
    time_dim, drive_of = _time_dimension(model)
    _shifts(model, time_dim)
    _tickets(model, time_dim)
    _breaks(model, time_dim)
    _side_rules(model, drive_of)
    return model


def search_parameters(time_limit_s: float, first_solution: str) -> object:
    """First solution strategy by name, then guided local search for the budget."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, first_solution
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(max(0.1, time_limit_s) * 1000))
    return params


def routes_of(model: PlainModel, assignment: pywrapcp.Assignment | None) -> list[list[int]]:
    """Instance ticket nodes per vehicle (all empty without an assignment)."""
    routing = model.routing
    routes: list[list[int]] = [[] for _ in range(model.inst.n_vehicles)]
    if assignment is None:
        return routes
    for v in range(model.inst.n_vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            routes[v].append(model.node(index))
            index = assignment.Value(routing.NextVar(index))
    return routes


def solve_plain_ortools(
    inst: RoutingInstance, time_limit_s: float, *, first_solution: str = "PATH_CHEAPEST_ARC"
) -> PeerResult:
    """Build and solve the plain model within `time_limit_s` (build time included)."""
    started = time.perf_counter()
    if not inst.allowed.any():
        return PeerResult([[] for _ in range(inst.n_vehicles)], 0.0, 0.0, "trivial")
    model = build_model(inst)
    first: list[float] = []
    model.routing.AddAtSolutionCallback(
        lambda: first.append(time.perf_counter() - started) if not first else None
    )
    budget = time_limit_s - (time.perf_counter() - started)
    assignment = model.routing.SolveWithParameters(search_parameters(budget, first_solution))
    status = "solved" if assignment is not None else "no_solution"
    routes = routes_of(model, assignment)
    return PeerResult(routes, time.perf_counter() - started, first[0] if first else None, status)
