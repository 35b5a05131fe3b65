"""PyVRP as a portfolio member, for instances whose hard rules it can express.

PyVRP (an optional dependency, `pip install dispatch-opt[engines]`) has a far stronger
search than OR-Tools' on plain VRPTW: on Solomon it is within a fraction of a percent of
the best-known distances in seconds. It has no skills, breaks, job-count or driving
limits and no depot pickups, so it is used only when an instance has none of those (or
they cannot bind): a VRPTW-like day, a benchmark, an all-round team. The mapping:

- places: each distinct vehicle start or end place is a PyVRP depot, each ticket a
  client (a ticket with several windows is a mutually exclusive group of clients, one per
  window);
- arcs: PyVRP's "distance" carries our whole arc cost (driving seconds times the time
  weight plus metres times the km weight), its duration our integer driving seconds plus
  the stop overhead, per speed factor (one PyVRP profile each), so the timing PyVRP
  checks is exactly the one `routing.timeline` checks;
- tickets: service, window of the service start, required or a prize equal to the drop
  penalty; parts as delivery amounts, van stock as capacity;
- technicians: one vehicle type per distinct start, end, shift, stock and speed; start
  fixed at the shift start; overtime up to the allowed limit at the overtime cost.

Soft costs PyVRP cannot see (SLA lateness, preferences, stability) are left to the search
that continues from PyVRP's routes, which are always re-timed and completed by the caller.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from dispatch_opt.domain.problem import SEED_LIMIT
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.solver.members.common import MemberResult, places


def unsupported(inst: RoutingInstance) -> str | None:
    """Which hard rule of `inst` PyVRP cannot express, or None when it can model it."""
    eligible = inst.allowed.any(axis=1)
    if inst.n_pickups:
        return "depot pickups"
    if any(inst.breaks):
        return "breaks"
    if not inst.allowed[eligible].all():
        return "tickets restricted to some technicians (skills, pins, van parts)"
    if (inst.max_jobs >= 0).any():
        return "job-count limits"
    if (inst.max_travel_s >= 0).any():
        return "driving-time limits"
    return None


@dataclass(frozen=True)
class _Mapping:
    """PyVRP data and the way back: client index -> ticket, vehicle type -> vehicles."""

    data: object  # pyvrp.ProblemData
    client_ticket: np.ndarray
    type_vehicles: list[list[int]]


def _arc_matrices(
    inst: RoutingInstance, nodes: np.ndarray, factor: float
) -> tuple[np.ndarray, np.ndarray]:
    """(cost, duration) between `nodes` for one speed factor, as PyVRP's int64 matrices."""
    sub = np.ix_(nodes, nodes)
    drive = inst.drive_s(factor)[sub].astype(np.int64)
    metres = inst.distance_int_m[sub].astype(np.int64)
    cost = drive * inst.travel_cost_per_s + metres * inst.travel_cost_per_km // 1000
    duration = drive + inst.arrival_overhead_s[sub].astype(np.int64)
    return np.ascontiguousarray(cost), np.ascontiguousarray(duration)


def build_data(inst: RoutingInstance) -> _Mapping:
    """The PyVRP problem data of `inst` (which must pass `unsupported`)."""
    import pyvrp

    ends = places(inst, list(range(2 * inst.n_vehicles)))  # PyVRP depots: start/end places
    reps, depot_of = ends.nodes.tolist(), ends.index_of_node
    tickets = [int(k) for k in np.flatnonzero(inst.allowed.any(axis=1))]
    client_nodes: list[int] = []
    client_ticket: list[int] = []
    clients: list[pyvrp.Client] = []
    groups: list[pyvrp.ClientGroup] = []
    n_dims = inst.demand.shape[1]
    for k in tickets:
        node = inst.ticket_node(k)
        windows = inst.windows[k]
        group = None
        if len(windows) > 1:
            group = len(groups)
            members = list(range(len(clients), len(clients) + len(windows)))
            groups.append(pyvrp.ClientGroup(members, required=bool(inst.required[k])))
        for lo, hi in windows:
            clients.append(
                pyvrp.Client(
                    location=len(reps) + len(clients),
                    delivery=[int(q) for q in inst.demand[k]] if n_dims else [],
                    service_duration=int(inst.service_s[node]),
                    tw_early=int(lo),
                    tw_late=int(hi),
                    prize=0 if inst.required[k] else int(inst.penalty[k]),
                    required=bool(inst.required[k]) and group is None,
                    group=group,
                )
            )
            client_nodes.append(node)
            client_ticket.append(k)
    nodes = np.array(reps + client_nodes, dtype=np.int64)
    matrices = [_arc_matrices(inst, nodes, f) for f in inst.speed_factors]
    types, type_vehicles = _vehicle_types(inst, depot_of)
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0.0, 0.0) for _ in nodes],
        clients=clients,
        depots=[pyvrp.Depot(location=d) for d in range(len(reps))],
        vehicle_types=types,
        distance_matrices=[m[0] for m in matrices],
        duration_matrices=[m[1] for m in matrices],
        groups=groups,
    )
    return _Mapping(data, np.array(client_ticket, dtype=np.int64), type_vehicles)


def _vehicle_types(
    inst: RoutingInstance, depot_of: dict[int, int]
) -> tuple[list[object], list[list[int]]]:
    """One PyVRP vehicle type per distinct (start, end, shift, stock, speed), with the
    vehicles it stands for."""
    import pyvrp

    keys: dict[tuple, int] = {}
    types: list[pyvrp.VehicleType] = []
    members: list[list[int]] = []
    for v in range(inst.n_vehicles):
        start, end = int(inst.shift_start_s[v]), int(inst.shift_end_s[v])
        latest = inst.end_bound_s(v)
        stock = tuple(int(q) for q in inst.stock[v])
        profile = int(inst.vehicle_classes[v])  # one PyVRP profile per speed factor
        key = (
            depot_of[inst.start_node(v)],
            depot_of[inst.end_node(v)],
            start,
            end,
            latest,
            stock,
            profile,
        )
        if key not in keys:
            keys[key] = len(types)
            members.append([])
            types.append(
                pyvrp.VehicleType(
                    num_available=1,
                    capacity=list(stock),
                    start_depot=key[0],
                    end_depot=key[1],
                    tw_early=start,
                    tw_late=latest,
                    start_late=start,
                    shift_duration=max(0, min(end, latest) - start),
                    max_overtime=max(0, latest - end),
                    unit_overtime_cost=int(inst.overtime_cost_per_s),
                    unit_distance_cost=1,
                    unit_duration_cost=int(inst.span_cost_per_s),
                    profile=profile,
                )
            )
        else:
            t = keys[key]
            types[t] = types[t].replace(num_available=types[t].num_available + 1)
        members[keys[key]].append(v)
    return types, members


def routes_of(inst: RoutingInstance, mapping: _Mapping, solution: object) -> list[list[int]]:
    """Instance ticket nodes per vehicle from a PyVRP solution."""
    routes: list[list[int]] = [[] for _ in range(inst.n_vehicles)]
    free = [list(vs) for vs in mapping.type_vehicles]
    for route in solution.routes():  # type: ignore[attr-defined]
        v = free[route.vehicle_type()].pop(0)
        routes[v] = [
            inst.ticket_node(int(mapping.client_ticket[a.idx])) for a in route if a.is_client()
        ]
    return routes


def solve_pyvrp(inst: RoutingInstance, time_limit_s: float, *, seed: int = 0) -> MemberResult:
    """Solve `inst` with PyVRP for `time_limit_s` seconds; an infeasible answer comes back
    as no routes."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    started = time.perf_counter()
    empty: list[list[int]] = [[] for _ in range(inst.n_vehicles)]
    if not inst.allowed.any():
        return MemberResult(empty, 0.0, 0.0, "trivial")
    mapping = build_data(inst)
    stop = MaxRuntime(max(0.05, time_limit_s))
    with warnings.catch_warnings():  # prizes dwarf arc costs: its penalty bound warns
        warnings.simplefilter("ignore")
        result = pyvrp.solve(
            mapping.data, stop, seed=seed % SEED_LIMIT, collect_stats=False, display=False
        )  # the portfolio's second search takes seed + 1: keep it in 32 bits
    elapsed = time.perf_counter() - started
    if not result.best.is_feasible():
        return MemberResult(empty, elapsed, None, "pyvrp found no feasible solution")
    return MemberResult(routes_of(inst, mapping, result.best), elapsed, elapsed, "solved")
