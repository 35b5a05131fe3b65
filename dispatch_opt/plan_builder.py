"""Turn solver routes (instance nodes) into the contract's Plan: timed stops, breaks,
totals, unassigned reasons and KPIs."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta

import numpy as np

from dispatch_opt.domain.plan import (
    Kpis,
    Plan,
    PlanStatus,
    Reason,
    ReasonCode,
    Route,
    SolverStats,
    Stop,
    StopKind,
    Unassigned,
)
from dispatch_opt.domain.problem import Priority, Problem
from dispatch_opt.routing.cost import plan_cost
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.timeline import BreakSlot, RouteSchedule, schedule_route


def _at(origin: datetime, seconds: int) -> datetime:
    """The wall-clock moment `seconds` after the horizon start."""
    return origin + timedelta(seconds=int(seconds))


def _exact_drive_s(inst: RoutingInstance, v: int, path: list[int]) -> float:
    """Exact (unrounded) driving seconds along a path."""
    f = float(inst.speed_factor[v])
    return float(sum(float(inst.duration_s[i, j]) * f for i, j in itertools.pairwise(path)))


def _break_stop(origin: datetime, slot: BreakSlot) -> Stop:
    """A break as a stop of the timeline."""
    return Stop(StopKind.BREAK, start=_at(origin, slot.start_s), end=_at(origin, slot.end_s))


def build_route(problem: Problem, inst: RoutingInstance, sched: RouteSchedule) -> Route:
    """The contract Route of one technician from its exact schedule."""
    origin = problem.horizon.start
    tech = problem.technicians[sched.vehicle]
    stops: list[Stop] = [Stop(StopKind.START, at=_at(origin, sched.depart_s))]
    work_s = 0
    breaks_before: dict[int, list] = {}
    for slot in sched.breaks:
        breaks_before.setdefault(slot.before, []).append(slot)
    for pos, node in enumerate(sched.nodes):
        stops.extend(_break_stop(origin, slot) for slot in breaks_before.get(pos, []))
        arrival, start, end = sched.arrival_s[pos], sched.start_s[pos], sched.end_s[pos]
        work_s += end - start
        timing = dict(
            arrival=_at(origin, arrival),
            start=_at(origin, start),
            end=_at(origin, end),
            wait_min=(start - arrival) / 60,
        )
        if inst.is_ticket(node):
            ticket = problem.tickets[inst.ticket_of(node)]
            late = 0.0
            if ticket.sla_due is not None:
                late = max(0.0, (timing["start"] - ticket.sla_due).total_seconds() / 60)
            stops.append(
                Stop(
                    StopKind.TICKET, id=ticket.id, late_min=late, parts=dict(ticket.parts), **timing
                )
            )
        else:
            depot = problem.depots[node - 2 * inst.n_vehicles]
            stops.append(Stop(StopKind.DEPOT, id=depot.id, **timing))
    stops.extend(_break_stop(origin, slot) for slot in breaks_before.get(len(sched.nodes), []))
    stops.append(Stop(StopKind.END, at=_at(origin, sched.end_arrival_s)))
    path = [inst.start_node(sched.vehicle), *sched.nodes, inst.end_node(sched.vehicle)]
    overtime = max(0.0, (_at(origin, sched.end_arrival_s) - tech.shift.end).total_seconds() / 60)
    return Route(
        technician=tech.id,
        stops=tuple(stops),
        travel_km=sched.distance_m / 1000.0,
        travel_min=_exact_drive_s(inst, sched.vehicle, path) / 60.0,
        work_min=work_s / 60.0,
        overtime_min=overtime,
    )


def _post_solve_reason(
    problem: Problem, inst: RoutingInstance, routes: list[list[int]], k: int
) -> Reason:
    """Why an eligible ticket stayed out: feasible alone but no room (capacity), or not
    even alone once breaks and exact timing are counted."""
    node = inst.ticket_node(k)
    alone = [v for v in np.flatnonzero(inst.allowed[k]) if schedule_route(inst, int(v), [node])]
    if not alone:
        return Reason(
            ReasonCode.OUTSIDE_SHIFTS,
            "no qualified technician can fit it inside a window around their shift and breaks",
        )
    names = ", ".join(inst.vehicle_ids[v] for v in alone[:5])
    more = f" and {len(alone) - 5} more" if len(alone) > 5 else ""
    short = _stock_taken(inst, routes, alone, k)
    if short:
        return Reason(
            ReasonCode.CAPACITY,
            f"{names}{more} could serve it alone, but the "
            f"van stock it needs ({short}) went to other tickets",
        )
    return Reason(
        ReasonCode.CAPACITY,
        f"{names}{more} could serve it alone, but their "
        "days are full with higher-priority or better-placed work",
    )


def _stock_taken(
    inst: RoutingInstance, routes: list[list[int]], vehicles: list[int], k: int
) -> str:
    """SKUs the ticket needs that every candidate van has already used up, or ''."""
    if not inst.demand.shape[1] or not inst.demand[k].any():
        return ""
    short: set[str] = set()
    for v in vehicles:
        tickets = [inst.ticket_of(n) for n in routes[v] if inst.is_ticket(n)]
        left = inst.stock[v] - inst.demand[tickets].sum(axis=0)
        lacking = np.flatnonzero(left < inst.demand[k])
        if not len(lacking):
            return ""
        short.update(inst.skus[s] for s in lacking)
    return ", ".join(sorted(short))


def _kpis(problem: Problem, inst: RoutingInstance, routes: list[Route]) -> Kpis:
    """Plan-wide figures as the contract defines them."""
    served: dict[str, datetime] = {}
    for route in routes:
        for stop in route.stops:
            if stop.kind is StopKind.TICKET and stop.id is not None and stop.start is not None:
                served[stop.id] = stop.start
    by_priority = {p.value: 0 for p in Priority}
    with_sla = met = 0
    weighted = late_min = 0.0
    for ticket in problem.tickets:
        start = served.get(ticket.id)
        if start is not None:
            by_priority[ticket.priority.value] += 1
            weighted += ticket.weight
        if ticket.sla_due is not None:
            with_sla += 1
            if start is not None and start <= ticket.sla_due:
                met += 1
            if start is not None:
                late_min += max(0.0, (start - ticket.sla_due).total_seconds() / 60)
    capacity_min = 0.0
    for tech in problem.technicians:
        shift = (tech.shift.end - tech.shift.start).total_seconds() / 60
        capacity_min += max(0.0, shift - sum(b.duration_min for b in tech.breaks))
    durations = {t.id: t.duration_min for t in problem.tickets}
    ticket_min = sum(durations[tid] for tid in served)
    return Kpis(
        tickets=len(problem.tickets),
        assigned=len(served),
        assigned_by_priority=by_priority,
        sla_met_rate=(met / with_sla) if with_sla else 1.0,
        travel_km=sum(r.travel_km for r in routes),
        travel_min=sum(r.travel_min for r in routes),
        overtime_min=sum(r.overtime_min for r in routes),
        utilization=(ticket_min / capacity_min) if capacity_min > 0 else 0.0,
        weighted_served=int(weighted),
        weighted_total=int(sum(t.weight for t in problem.tickets)),
        late_min=late_min,
    )


def build_plan(
    problem: Problem,
    inst: RoutingInstance,
    routes: list[list[int]],
    pre_reasons: dict[int, tuple[Reason, ...]],
    stats: SolverStats,
) -> Plan:
    """The full Plan for feasible `routes` (one node list per vehicle)."""
    schedules = []
    for v, nodes in enumerate(routes):
        sched = schedule_route(inst, v, nodes)
        if sched is None:
            raise AssertionError(f"route of {inst.vehicle_ids[v]} is infeasible after repair")
        schedules.append(sched)
    plan_routes = [build_route(problem, inst, s) for s in schedules]
    served = {inst.ticket_of(n) for r in routes for n in r if inst.is_ticket(n)}
    unassigned: list[Unassigned] = []
    unserved: list[int] = []
    for k, ticket in enumerate(problem.tickets):
        if k in served:
            continue
        unserved.append(k)
        reasons = pre_reasons.get(k) or (_post_solve_reason(problem, inst, routes, k),)
        unassigned.append(Unassigned(ticket.id, tuple(reasons)))
    if any(problem.tickets[k].required for k in unserved):
        status = PlanStatus.INFEASIBLE
    elif unserved:
        status = PlanStatus.PARTIAL
    else:
        status = PlanStatus.SOLVED
    stats = dataclasses.replace(stats, objective=plan_cost(inst, schedules, unserved))
    return Plan(
        status=status,
        routes=tuple(plan_routes),
        unassigned=tuple(unassigned),
        kpis=_kpis(problem, inst, plan_routes),
        solver=stats,
    )
