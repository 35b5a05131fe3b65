"""The OR-Tools routing model, built from a RoutingInstance only (the one OR-Tools import).

Transit times and arc costs are registered as matrices (`RegisterTransitMatrix`), one
per speed class, and unary vectors for counts and parts, so no Python callback runs on
the hot path. Every ticket sits in a disjunction (required ones with a penalty far above
everything else) so that a plan always exists.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp

from dispatch_opt.routing.instance import RoutingInstance


@dataclass
class OrToolsModel:
    """An OR-Tools routing model and the maps between its nodes and the instance's."""

    instance: RoutingInstance
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    model_nodes: np.ndarray  # model node -> instance node
    node_of: dict[int, int] = field(default_factory=dict)  # instance node -> model node
    breaks: dict[int, list] = field(default_factory=dict)

    def routing_indices(self, routes: list[list[int]]) -> list[list[int]]:
        """Routes of instance nodes as routing indices (what ReadAssignmentFromRoutes
        takes), skipping nodes the model does not hold."""
        to_index = self.manager.NodeToIndex
        return [[to_index(self.node_of[n]) for n in r if n in self.node_of] for r in routes]

    def instance_node(self, index: int) -> int:
        """Instance node of a routing index."""
        return int(self.model_nodes[self.manager.IndexToNode(index)])


def _model_nodes(inst: RoutingInstance, seed: int) -> np.ndarray:
    """Starts, ends, the tickets someone may serve (order shuffled by the seed), then the
    pickups of those tickets."""
    n_v = inst.n_vehicles
    can = inst.allowed.any(axis=1)
    active = inst.first_ticket_node + np.flatnonzero(can)
    if seed:
        active = np.random.default_rng(seed).permutation(active)
    pickups = inst.first_pickup_node + np.flatnonzero(can[inst.pickup_ticket])
    return np.concatenate([np.arange(2 * n_v), active, pickups]).astype(np.int64)


def _register_matrix(routing: pywrapcp.RoutingModel, mat: np.ndarray) -> int:
    """Register an integer matrix as a transit evaluator."""
    return routing.RegisterTransitMatrix(np.asarray(mat, dtype=np.int64).tolist())


def build_model(inst: RoutingInstance, *, seed: int = 0) -> OrToolsModel:
    """Build the whole OR-Tools model for `inst`."""
    n_v = inst.n_vehicles
    nodes = _model_nodes(inst, seed)
    n = len(nodes)
    manager = pywrapcp.RoutingIndexManager(n, n_v, list(range(n_v)), list(range(n_v, 2 * n_v)))
    routing = pywrapcp.RoutingModel(manager)
    sub = np.ix_(nodes, nodes)
    over = inst.arrival_overhead_s[sub]
    service = inst.service_s[nodes][:, None]
    dist_km_cost = (inst.distance_int_m[sub].astype(np.int64) * inst.travel_cost_per_km) // 1000

    classes = inst.vehicle_classes
    time_cb: dict[int, int] = {}
    cost_cb: dict[int, int] = {}
    drive_cb: dict[int, int] = {}
    need_drive = bool((inst.max_travel_s >= 0).any())
    for c, factor in enumerate(inst.speed_factors):
        drive = inst.drive_s(factor)[sub].astype(np.int64)
        time_cb[c] = _register_matrix(routing, drive + over + service)
        cost_cb[c] = _register_matrix(routing, drive * inst.travel_cost_per_s + dist_km_cost)
        if need_drive:
            drive_cb[c] = _register_matrix(routing, drive)
    for v in range(n_v):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[classes[v]], v)

    routing.AddDimensionWithVehicleTransits(
        [time_cb[classes[v]] for v in range(n_v)],
        int(inst.horizon_s),
        int(inst.horizon_s),
        False,
        "time",
    )
    time = routing.GetDimensionOrDie("time")
    model = OrToolsModel(
        inst,
        manager,
        routing,
        time,
        nodes,
        node_of={int(node): m for m, node in enumerate(nodes)},
    )
    _vehicle_bounds(model)
    _ticket_rules(model)
    _side_dimensions(model, drive_cb, classes)
    _breaks(model)
    return model


def _vehicle_bounds(model: OrToolsModel) -> None:
    """Shift start, latest end, overtime and span costs per vehicle."""
    inst, routing, time = model.instance, model.routing, model.time
    for v in range(inst.n_vehicles):
        lo, hi = int(inst.shift_start_s[v]), inst.end_bound_s(v)
        start, end = time.CumulVar(routing.Start(v)), time.CumulVar(routing.End(v))
        start.SetRange(lo, hi)
        end.SetRange(lo, hi)
        if inst.overtime_cost_per_s > 0 and inst.latest_end_s[v] > inst.shift_end_s[v]:
            time.SetCumulVarSoftUpperBound(
                routing.End(v), int(inst.shift_end_s[v]), inst.overtime_cost_per_s
            )
        if inst.span_cost_per_s > 0:
            time.SetSpanCostCoefficientForVehicle(inst.span_cost_per_s, v)
        routing.AddVariableMinimizedByFinalizer(end)
        routing.AddVariableMaximizedByFinalizer(start)


def _ticket_rules(model: OrToolsModel) -> None:
    """Windows, SLA, allowed technicians and the drop penalty of every active ticket;
    depot hours of every pickup, which is free to leave out."""
    inst, routing, time = model.instance, model.routing, model.time
    for m in range(2 * inst.n_vehicles, len(model.model_nodes)):
        node = int(model.model_nodes[m])
        index = model.manager.NodeToIndex(m)
        cumul = time.CumulVar(index)
        if inst.is_pickup(node):
            p = inst.pickup_of(node)
            lo, hi = (int(x) for x in inst.pickup_window[p])
            cumul.SetRange(lo, max(lo, hi))
            allowed = np.flatnonzero(inst.allowed[inst.pickup_ticket[p]])
            if len(allowed) < inst.n_vehicles:
                routing.VehicleVar(index).SetValues([-1, *(int(v) for v in allowed)])
            routing.AddDisjunction([index], 0)
            continue
        k = inst.ticket_of(node)
        wins = inst.windows[k]
        cumul.SetRange(int(wins[0, 0]), int(wins[-1, 1]))
        for (_, hi), (lo, _) in itertools.pairwise(wins):
            if lo - 1 >= hi + 1:
                cumul.RemoveInterval(int(hi + 1), int(lo - 1))
        due = int(inst.sla_due_s[k])
        if 0 <= due < wins[-1, 1] and inst.sla_cost_per_s > 0:
            # The re-plan cost of a moved start is left to the exact cost: as soft bounds
            # on many nodes it slows OR-Tools' descent tenfold.
            time.SetCumulVarSoftUpperBound(index, due, int(inst.sla_cost_per_s))
        allowed = np.flatnonzero(inst.allowed[k])
        if len(allowed) < inst.n_vehicles:
            routing.VehicleVar(index).SetValues([-1, *(int(v) for v in allowed)])
        routing.AddDisjunction([index], int(inst.penalty[k]))


def _side_dimensions(model: OrToolsModel, drive_cb: dict[int, int], classes) -> None:
    """max_jobs, max_travel_min, van stock per SKU, depot stock, continuity preference."""
    inst, routing, nodes = model.instance, model.routing, model.model_nodes
    n_v = inst.n_vehicles
    is_ticket = (nodes >= inst.first_ticket_node) & (nodes < inst.first_pickup_node)
    tickets = (nodes[is_ticket] - inst.first_ticket_node).tolist()
    if (inst.max_jobs >= 0).any():
        cb = routing.RegisterUnaryTransitVector(is_ticket.astype(np.int64).tolist())
        caps = [int(c) if c >= 0 else int(inst.n_tickets) for c in inst.max_jobs]
        routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "jobs")
    if drive_cb:
        caps = [int(c) if c >= 0 else 10 * int(inst.horizon_s) for c in inst.max_travel_s]
        routing.AddDimensionWithVehicleTransitAndCapacity(
            [drive_cb[classes[v]] for v in range(n_v)], 0, caps, True, "drive"
        )
    _stock_dimensions(model, tickets)
    _depot_stock(model)
    prefers = inst.preference_cost > 0 and inst.preferred[tickets].any()
    reassigns = inst.reassign_cost > 0 and (inst.prev_vehicle[tickets] >= 0).any()
    if prefers or reassigns:
        _preference_dimension(model, tickets)


def _stock_dimensions(model: OrToolsModel, tickets: list[int]) -> None:
    """Van stock per SKU that could run short: the parts used so far must stay within
    the van's stock, or (with pickups of that SKU) the stock on board never below zero.
    `tickets` are the model's tickets, in model order after the starts and ends; its
    pickups follow them."""
    inst, routing, nodes = model.instance, model.routing, model.model_nodes
    pickups = nodes[nodes >= inst.first_pickup_node] - inst.first_pickup_node
    n_t = len(tickets)
    first = 2 * inst.n_vehicles
    for s, sku in enumerate(inst.skus):
        demand = np.zeros(len(nodes), dtype=np.int64)
        demand[first : first + n_t] = inst.demand[tickets, s]
        if not demand.any():
            continue
        load = np.zeros(len(nodes), dtype=np.int64)
        load[first + n_t :] = inst.pickup_load[pickups, s]
        if not load.any():
            reachable = inst.allowed[tickets].T @ demand[first : first + n_t]
            if (reachable <= inst.stock[:, s]).all():
                continue  # no van can run out of this SKU
            cb = routing.RegisterUnaryTransitVector(demand.tolist())
            routing.AddDimensionWithVehicleCapacity(
                cb, 0, [int(x) for x in inst.stock[:, s]], True, f"sku:{sku}"
            )
            continue
        # On board = van stock + loads so far - parts used so far, never negative.
        top = int(inst.stock[:, s].max() + load.sum())
        cb = routing.RegisterUnaryTransitVector((load - demand).tolist())
        routing.AddDimensionWithVehicleCapacity(cb, 0, [top] * inst.n_vehicles, False, f"sku:{sku}")
        dim = routing.GetDimensionOrDie(f"sku:{sku}")
        for v in range(inst.n_vehicles):
            dim.CumulVar(routing.Start(v)).SetValue(int(inst.stock[v, s]))


def _depot_stock(model: OrToolsModel) -> None:
    """Over all routes, pickups at a depot load no more of a SKU than it holds."""
    inst, routing = model.instance, model.routing
    if not inst.n_pickups:
        return
    solver = routing.solver()
    members: dict[int, list[tuple[int, int]]] = {}
    for m, node in enumerate(model.model_nodes):
        if inst.is_pickup(int(node)):
            p = inst.pickup_of(int(node))
            members.setdefault(int(inst.pickup_depot[p]), []).append(
                (model.manager.NodeToIndex(m), p)
            )
    for d, group in members.items():
        for s in range(len(inst.skus)):
            terms = [(index, int(inst.pickup_load[p, s])) for index, p in group]
            terms = [(index, q) for index, q in terms if q > 0]
            if sum(q for _, q in terms) <= inst.depot_stock[d, s]:
                continue  # cannot bind
            solver.Add(
                solver.Sum([routing.ActiveVar(index) * q for index, q in terms])
                <= int(inst.depot_stock[d, s])
            )


def _preference_dimension(model: OrToolsModel, tickets: list[int]) -> None:
    """Cost for serving a ticket with preferences by someone not preferred, and (in a
    re-plan) for serving a planned ticket by another technician than before."""
    inst, routing = model.instance, model.routing
    n_v = inst.n_vehicles
    pref = inst.preferred[tickets]  # (A, V)
    has_pref = pref.any(axis=1)
    prev = inst.prev_vehicle[tickets]
    vectors: dict[bytes, int] = {}
    evaluators = []
    for v in range(n_v):
        cost = np.zeros(len(model.model_nodes), dtype=np.int64)
        cost[2 * n_v : 2 * n_v + len(tickets)] = np.where(
            has_pref & ~pref[:, v], inst.preference_cost, 0
        ) + np.where((prev >= 0) & (prev != v), inst.reassign_cost, 0)
        key = cost.tobytes()
        if key not in vectors:
            vectors[key] = routing.RegisterUnaryTransitVector(cost.tolist())
        evaluators.append(vectors[key])
    big = (int(inst.preference_cost) + int(inst.reassign_cost)) * (len(tickets) + 1)
    routing.AddDimensionWithVehicleTransitAndCapacity(evaluators, 0, [big] * n_v, True, "pref")
    routing.GetDimensionOrDie("pref").SetSpanCostCoefficientForAllVehicles(1)


def _breaks(model: OrToolsModel) -> None:
    """Breaks as fixed-duration intervals inside each route's span, never during a visit."""
    inst, routing, time = model.instance, model.routing, model.time
    solver = routing.solver()
    visit = [0] * routing.Size()
    for index in range(routing.Size()):
        if not routing.IsStart(index):
            visit[index] = int(inst.service_s[model.instance_node(index)])
    for v in range(inst.n_vehicles):
        if not inst.breaks[v]:
            continue
        intervals = []
        for b, brk in enumerate(inst.breaks[v]):
            iv = solver.FixedDurationIntervalVar(
                int(brk.earliest_s), int(brk.latest_s), int(brk.duration_s), False, f"b{v}_{b}"
            )
            solver.Add(iv.StartExpr() >= time.CumulVar(routing.Start(v)))
            solver.Add(iv.EndExpr() <= time.CumulVar(routing.End(v)))
            intervals.append(iv)
        time.SetBreakIntervalsOfVehicle(intervals, v, visit)
        model.breaks[v] = intervals
