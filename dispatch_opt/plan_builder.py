"""Turn solver routes (instance nodes) into the contract's Plan: timed stops, breaks,
totals, unassigned reasons and KPIs."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

import numpy as np

from dispatch_opt.domain.plan import (
    Kpis,
    PickLine,
    PickList,
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
from dispatch_opt.routing.parts import attribute_pickups, depot_use, open_pickups
from dispatch_opt.routing.timeline import BreakSlot, RouteSchedule, schedule_route, serves_alone


def _at(origin: datetime, seconds: int) -> datetime:
    """The wall-clock moment `seconds` after the horizon start."""
    return origin + timedelta(seconds=int(seconds))


def _exact_drive_s(inst: RoutingInstance, v: int, path: list[int]) -> float:
    """Exact (unrounded) driving seconds along a path."""
    f = float(inst.speed_factor[v])
    legs = inst.durations(np.array(path[:-1]), np.array(path[1:]))
    return float(sum(float(d) * f for d in legs))


def _break_stop(origin: datetime, slot: BreakSlot) -> Stop:
    """A break as a stop of the timeline."""
    return Stop(StopKind.BREAK, start=_at(origin, slot.start_s), end=_at(origin, slot.end_s))


def build_route(problem: Problem, inst: RoutingInstance, sched: RouteSchedule) -> Route:
    """The contract Route of one technician from its exact schedule.

    A pickup node's timeline ends when loading ends (the loading is paid on arrival), so
    its stop runs from there back by the depot's pickup time; consecutive pickups at one
    depot (breaks aside) are one stop with the loads added up."""
    origin = problem.horizon.start
    tech = problem.technicians[sched.vehicle]
    stops: list[Stop] = [Stop(StopKind.START, at=_at(origin, sched.depart_s))]
    work_s = 0
    breaks_before: dict[int, list] = {}
    for slot in sched.breaks:
        breaks_before.setdefault(slot.before, []).append(slot)
    fed, from_van = attribute_pickups(inst, sched.vehicle, sched.nodes)
    lines: list[PickLine] = []
    for pos, node in enumerate(sched.nodes):
        stops.extend(_break_stop(origin, slot) for slot in breaks_before.get(pos, []))
        arrival, start, end = sched.arrival_s[pos], sched.start_s[pos], sched.end_s[pos]
        if inst.is_pickup(node):
            p = inst.pickup_of(node)
            depot = problem.depots[int(inst.pickup_depot[p])]
            load = _quantities(inst, inst.pickup_load[p])
            tickets = tuple(problem.tickets[k].id for k in fed.get(node, []))
            if _merge_pickup(stops, lines, depot.id, load, tickets):
                continue
            loading = int(inst.pickup_s[p])
            stops.append(
                Stop(
                    StopKind.DEPOT,
                    id=depot.id,
                    arrival=_at(origin, arrival - loading),
                    start=_at(origin, start - loading),
                    end=_at(origin, start),
                    wait_min=(start - arrival) / 60,
                    pickup=load,
                )
            )
            lines.append(PickLine(depot.id, _at(origin, start - loading), load, tickets))
            work_s += loading
            continue
        work_s += end - start
        timing = dict(
            arrival=_at(origin, arrival),
            start=_at(origin, start),
            end=_at(origin, end),
            wait_min=(start - arrival) / 60,
        )
        ticket = problem.tickets[inst.ticket_of(node)]
        late = 0.0
        if ticket.sla_due is not None:
            late = max(0.0, (timing["start"] - ticket.sla_due).total_seconds() / 60)
        stops.append(
            Stop(StopKind.TICKET, id=ticket.id, late_min=late, parts=dict(ticket.parts), **timing)
        )
    stops.extend(_break_stop(origin, slot) for slot in breaks_before.get(len(sched.nodes), []))
    end_at = _at(origin, sched.end_arrival_s)
    if not sched.nodes:
        # Unused (no breaks owed): leaves at its shift start exactly, as the contract
        # reads, and drives straight to its end place (the compiled start may sit a
        # second later, clear of a break window closing then)
        idle = max(origin, tech.shift.start)
        end_at = idle + timedelta(seconds=int(sched.end_arrival_s - sched.depart_s))
        stops = [Stop(StopKind.START, at=idle)]
    stops.append(Stop(StopKind.END, at=end_at))
    path = [inst.start_node(sched.vehicle), *sched.nodes, inst.end_node(sched.vehicle)]
    overtime = max(0.0, (end_at - tech.shift.end).total_seconds() / 60)
    pick_list = PickList(
        load_at_start=dict(tech.stock),
        from_van=_quantities(inst, from_van),
        pickups=tuple(lines),
    )
    return Route(
        technician=tech.id,
        stops=tuple(stops),
        travel_km=sched.distance_m / 1000.0,
        travel_min=_exact_drive_s(inst, sched.vehicle, path) / 60.0,
        work_min=work_s / 60.0,
        overtime_min=overtime,
        pick_list=pick_list,
    )


def _quantities(inst: RoutingInstance, row: np.ndarray) -> dict[str, int]:
    """{sku: qty} of the non-zero entries of a per-SKU row."""
    return {inst.skus[s]: int(q) for s, q in enumerate(row) if q}


def _merge_pickup(
    stops: list[Stop],
    lines: list[PickLine],
    depot_id: str,
    load: dict[str, int],
    tickets: tuple[str, ...],
) -> bool:
    """Add a load to the previous depot stop when it is the same depot with nothing but
    breaks in between; True when merged. That stop and the last pick line were made
    together and carry the same parts, so one sum serves both."""
    for i in range(len(stops) - 1, -1, -1):
        prev = stops[i]
        if prev.kind is StopKind.BREAK:
            continue
        if prev.kind is not StopKind.DEPOT or prev.id != depot_id:
            return False
        merged = dict(Counter(prev.pickup) + Counter(load))
        stops[i] = dataclasses.replace(prev, pickup=merged)
        last = lines[-1]
        lines[-1] = dataclasses.replace(
            last, parts=dict(merged), tickets=tuple(dict.fromkeys((*last.tickets, *tickets)))
        )
        return True
    return False


def _alone_ok(inst: RoutingInstance, final: _FinalState, v: int, k: int) -> bool:
    """Vehicle v could serve ticket k on an empty route (or right after the visit its
    route must begin with), fetching its parts if needed."""
    first = (final.leading[v],) if v in final.leading else ()
    return serves_alone(inst, v, inst.ticket_node(k), inst.pickup_groups[k], first)


NAMED_ALONE = 5
"""How many technicians who could serve an unserved ticket alone its reason names."""

TIME_RAN_OUT = "the time limit ran out"
"""The words a `capacity` detail uses when the search never tried the ticket for lack of
time (reports count those tickets by them)."""


@dataclasses.dataclass(frozen=True)
class _FinalState:
    """What the reasons of unserved tickets read off the final routes, computed once per
    plan rather than once per ticket."""

    starts: np.ndarray  # (V,) start node of each vehicle
    van_left: np.ndarray  # (V, S) parts still on board at the end of each route
    depot_left: np.ndarray  # (D, S) depot stock the routes do not take
    in_use: set[int]  # nodes on some route
    leading: Mapping[int, int]  # vehicle -> the node its route must begin with

    @classmethod
    def of(
        cls, inst: RoutingInstance, routes: list[list[int]], leading: Mapping[int, int]
    ) -> _FinalState:
        """The state of `routes`."""
        van_left = inst.stock.copy()
        for v, nodes in enumerate(routes):
            if nodes and inst.demand.shape[1]:
                van_left[v] += inst.parts_delta[np.asarray(nodes, dtype=np.int64)].sum(axis=0)
        return cls(
            starts=np.array([inst.start_node(v) for v in range(inst.n_vehicles)], dtype=np.int64),
            van_left=van_left,
            depot_left=inst.depot_stock - depot_use(inst, routes),
            in_use={n for r in routes for n in r},
            leading=leading,
        )


def _post_solve_reason(
    inst: RoutingInstance, final: _FinalState, k: int, unreached: bool = False
) -> Reason:
    """Why an eligible ticket stayed out: feasible alone but no room (capacity), or never
    tried because the time limit ran out first (`unreached`), or not even feasible alone
    once breaks, exact timing and the depot detour are counted.

    Qualified vehicles are tried nearest first and the search stops at `NAMED_ALONE`
    who could serve it alone: checking every qualified vehicle for every unserved ticket
    (272,000 exact checks for 1,732 tickets on a 5,000-ticket day) took 3.9 s. A ticket
    never tried names the first such technician only: under a tight limit most are never
    tried (4,859 of 5,000 at 5 s), and naming five took 0.78 s."""
    node = inst.ticket_node(k)
    allowed = np.flatnonzero(inst.allowed[k])
    order = allowed[np.argsort(inst.durations(final.starts[allowed], node), kind="stable")]
    alone: list[int] = []
    unchecked = 0  # qualified vehicles after the last one named, never tried
    enough = 1 if unreached else NAMED_ALONE  # the search never tried it: one who could
    for i, v in enumerate(order):  # serve it says so; they are many under a tight limit
        if _alone_ok(inst, final, int(v), k):
            alone.append(int(v))
            if len(alone) == enough:
                unchecked = len(order) - 1 - i
                break
    if not alone:
        fetch = ""
        if len(inst.ticket_pickups[k]):
            depots = sorted(
                {inst.depot_ids[inst.pickup_depot[inst.pickup_of(int(p))]]
                 for p in inst.ticket_pickups[k]}
            )  # fmt: skip
            fetch = f", counting the detour to fetch its parts at {', '.join(depots)}"
        after = ""
        if any(int(v) in final.leading for v in allowed):
            after = " (after the visit under way, or being driven to, on their route)"
        return Reason(
            ReasonCode.OUTSIDE_SHIFTS,
            "no qualified technician can fit it inside a window around their shift and "
            f"breaks{after}{fetch}",
        )
    names = ", ".join(_named(inst, final, v) for v in alone)
    more = " (the nearest such; there may be others)" if unchecked else ""
    if unreached:
        return Reason(
            ReasonCode.CAPACITY,
            f"{names}{more} could serve it alone, but {TIME_RAN_OUT} before the "
            "search could try to place it (a longer solve.time_limit_s gives it a chance)",
        )
    short = _stock_taken(inst, final, order, alone, k)
    if short:
        return Reason(
            ReasonCode.CAPACITY,
            f"{names}{more} could serve it alone, but the "
            f"van and depot stock it needs ({short}) went to other tickets",
        )
    return Reason(
        ReasonCode.CAPACITY,
        f"{names}{more} could serve it alone, but their "
        "days are full with higher-priority or better-placed work",
    )


def _named(inst: RoutingInstance, final: _FinalState, v: int) -> str:
    """The technician's id, with the visit their route must begin with when there is one."""
    if v not in final.leading:
        return inst.vehicle_ids[v]
    return f"{inst.vehicle_ids[v]} (after {inst.ticket_ids[inst.ticket_of(final.leading[v])]})"


def _stock_taken(
    inst: RoutingInstance, final: _FinalState, order: np.ndarray, alone: list[int], k: int
) -> str:
    """SKUs the ticket needs that no van who could serve it alone still has on board at
    the end of its route and no depot within reach still holds, or ''. Only vans still
    holding the parts are checked beyond `alone`, and the first that fits settles it."""
    if not inst.demand.shape[1] or not inst.demand[k].any():
        return ""
    if open_pickups(inst, k, final.depot_left, final.in_use):
        return ""
    need = inst.demand[k]
    holding = order[(final.van_left[order] >= need).all(axis=1)]
    if any(int(v) in alone or _alone_ok(inst, final, int(v), k) for v in holding):
        return ""
    short = {inst.skus[s] for v in alone for s in np.flatnonzero(final.van_left[v] < need)}
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
    unreached: Collection[int] = (),
    leading: Mapping[int, int] | None = None,
) -> Plan:
    """The full Plan for feasible `routes` (one node list per vehicle); `unreached` are
    tickets the search never tried for lack of time (their reason says so); `leading`
    maps a vehicle to the node its route must begin with (a re-plan's visit under way),
    which the reasons of unserved tickets count in."""
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
    final: _FinalState | None = None
    cut_short = set(unreached)
    for k, ticket in enumerate(problem.tickets):
        if k in served:
            continue
        unserved.append(k)
        reasons = pre_reasons.get(k)
        if not reasons:
            if final is None:
                final = _FinalState.of(inst, routes, leading or {})
            reasons = (_post_solve_reason(inst, final, k, k in cut_short),)
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
