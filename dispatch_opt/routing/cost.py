"""The objective of a set of routes, recomputed exactly from their schedules."""

from __future__ import annotations

from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.parts import depots_overdrawn
from dispatch_opt.routing.timeline import RouteSchedule, schedule_route


def plan_cost(inst: RoutingInstance, schedules: list[RouteSchedule], unserved: list[int]) -> int:
    """The objective of a plan in the engine's integer cost units, recomputed exactly."""
    cost = int(inst.penalty[unserved].sum()) if unserved else 0
    return cost + sum(schedule_cost(inst, s) for s in schedules)


def schedule_cost(inst: RoutingInstance, s: RouteSchedule) -> int:
    """One timed route's own costs: driving, kilometres, overtime, paid span, and its
    tickets' SLA lateness, preference and stability costs (0 for an empty route)."""
    if not s.nodes:
        return 0
    v = s.vehicle
    cost = s.drive_s * inst.travel_cost_per_s
    cost += int(s.distance_m) * inst.travel_cost_per_km // 1000
    cost += max(0, s.end_arrival_s - int(inst.shift_end_s[v])) * inst.overtime_cost_per_s
    cost += (s.end_arrival_s - s.depart_s) * inst.span_cost_per_s
    placement = inst.placement_costs
    for node, start in zip(s.nodes, s.start_s, strict=True):
        if not inst.is_ticket(node):
            continue
        k = inst.ticket_of(node)
        if inst.sla_due_s[k] >= 0:
            cost += max(0, start - int(inst.sla_due_s[k])) * inst.sla_cost_per_s
        cost += int(placement[k, v]) + inst.move_cost(k, start)
    return int(cost)


def route_value(inst: RoutingInstance, v: int, nodes: list[int]) -> int | None:
    """Route v's share of the objective: its own costs less the drop penalties of the
    tickets it serves, or None if it cannot be timed. The objective of feasible routes is
    every ticket's penalty plus the sum of their values (`RouteValues`)."""
    sched = schedule_route(inst, v, nodes)
    if sched is None:
        return None
    return schedule_cost(inst, sched) - int(inst.penalty[inst.tickets_in(nodes)].sum())


class RouteValues:
    """Routes kept with their objective as one value per route, so that routes differing
    in a few places are costed by re-timing only the routes that differ (a
    ruin-and-recreate round changes a handful of 375 routes at 3,000 tickets)."""

    def __init__(self, inst: RoutingInstance, routes: list[list[int]]) -> None:
        self.inst = inst
        self._base = int(inst.penalty.sum())  # the objective is this plus the values
        self.values: list[int] = []
        for v, nodes in enumerate(routes):
            value = route_value(inst, v, nodes)
            if value is None:
                raise ValueError("the routes are not feasible")
            self.values.append(value)
        if depots_overdrawn(inst, routes):
            raise ValueError("the routes are not feasible")
        self.routes = [list(r) for r in routes]
        self.cost = self._base + sum(self.values)

    def cost_of(self, routes: list[list[int]]) -> tuple[int, list[int]] | None:
        """The objective of `routes` (same number of vehicles) and their values, or None
        when one cannot be timed or a depot is overdrawn; only changed routes are
        re-timed."""
        values = []
        for v, nodes in enumerate(routes):
            value = self.values[v] if nodes == self.routes[v] else route_value(self.inst, v, nodes)
            if value is None:
                return None
            values.append(value)
        if depots_overdrawn(self.inst, routes):
            return None
        return self._base + sum(values), values

    def keep_if_cheaper(self, routes: list[list[int]]) -> bool:
        """Keep `routes` instead when they are feasible and cheaper; whether they were."""
        costed = self.cost_of(routes)
        if costed is None or costed[0] >= self.cost:
            return False
        self.routes = [list(r) for r in routes]
        self.cost, self.values = costed
        return True


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
