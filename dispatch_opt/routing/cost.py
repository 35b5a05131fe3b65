"""The objective of a set of routes, recomputed exactly from their schedules."""

from __future__ import annotations

from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.parts import depots_overdrawn
from dispatch_opt.routing.timeline import RouteSchedule, schedule_route


def plan_cost(inst: RoutingInstance, schedules: list[RouteSchedule], unserved: list[int]) -> int:
    """The objective of a plan in the engine's integer cost units, recomputed exactly."""
    cost = int(inst.penalty[unserved].sum()) if unserved else 0
    for s in schedules:
        if not s.nodes:
            continue
        v = s.vehicle
        cost += s.drive_s * inst.travel_cost_per_s
        cost += int(s.distance_m) * inst.travel_cost_per_km // 1000
        cost += max(0, s.end_arrival_s - int(inst.shift_end_s[v])) * inst.overtime_cost_per_s
        cost += (s.end_arrival_s - s.depart_s) * inst.span_cost_per_s
        for node, start in zip(s.nodes, s.start_s, strict=True):
            if not inst.is_ticket(node):
                continue
            k = inst.ticket_of(node)
            if inst.sla_due_s[k] >= 0:
                cost += max(0, start - int(inst.sla_due_s[k])) * inst.sla_cost_per_s
            if inst.preferred[k].any() and not inst.preferred[k, v]:
                cost += inst.preference_cost
            cost += inst.stability_cost(k, v, start)
    return int(cost)


def routes_cost(inst: RoutingInstance, routes: list[list[int]]) -> int | None:
    """Objective of node routes (one list per vehicle), or None if one cannot be timed
    or the routes together take more from a depot than it holds."""
    if depots_overdrawn(inst, routes):
        return None
    schedules = []
    for v, nodes in enumerate(routes):
        sched = schedule_route(inst, v, nodes)
        if sched is None:
            return None
        schedules.append(sched)
    served = {inst.ticket_of(n) for r in routes for n in r if inst.is_ticket(n)}
    unserved = [k for k in range(inst.n_tickets) if k not in served]
    return plan_cost(inst, schedules, unserved)
