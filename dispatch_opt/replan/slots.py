"""Slot promising: which appointment slots can a new ticket be promised, at what cost and
risk, with every existing promise kept.

Each slot is tried by cheap insertion into the current plan: every qualified technician,
every position, with a depot pickup first when the van lacks the parts, each candidate
timed exactly (`routing.timeline`), so a slot offered as feasible is one the current plan
can absorb with every existing time window still met. The marginal cost is the
objective's change on that route (travel, overtime, SLA lateness, churn of planned
starts); the risk is what the insertion does to existing SLA promises on that route.
Offers come fastest first (earliest possible start); slots outside the horizon say so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from dispatch_opt.domain.plan import Plan, StopKind
from dispatch_opt.domain.problem import Problem, Ticket, TimeWindow
from dispatch_opt.domain.state import Stability
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.planner import initial_routes, solve_problem
from dispatch_opt.replan.engine import prepare
from dispatch_opt.routing.compile import Previous, compile_problem
from dispatch_opt.routing.cost import plan_cost
from dispatch_opt.routing.instance import COST_PER_UNIT, RoutingInstance
from dispatch_opt.routing.parts import depots_overdrawn
from dispatch_opt.routing.timeline import RouteSchedule, route_violations, schedule_route
from dispatch_opt.solver.required import insertion_variants

DEFAULT_HOURS = "9-12,13-17,18-21"
"""Slots offered when none are asked for (the CLI's --slots, the API's hours)."""
DEFAULT_DAYS = 2
"""Days of slots offered by default: today and tomorrow."""

RISK_SLACK_MIN = 30.0
"""An existing ticket whose start comes within this many minutes of its SLA due is at risk."""


@dataclass(frozen=True)
class SlotOffer:
    """The answer for one slot: can it be promised, by whom, at what cost and risk."""

    slot: TimeWindow
    feasible: bool
    status: str  # ok | outside_horizon | past | no_room | not_eligible
    technician: str | None = None
    start: datetime | None = None
    marginal_cost: float | None = None  # objective units (1 = a minute of driving)
    extra_travel_min: float | None = None
    sla_late_added_min: float = 0.0
    at_risk: tuple[str, ...] = ()
    pushed_max_min: float = 0.0
    detail: str = ""


def day_slots(day: datetime, hours: list[tuple[int, int]], days: int = 1) -> list[TimeWindow]:
    """Slots such as 09-12, 13-17, 18-21 on `days` days from `day` (in its time zone)."""
    midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        TimeWindow(midnight + timedelta(days=d, hours=a), midnight + timedelta(days=d, hours=b))
        for d in range(days)
        for a, b in hours
    ]


def parse_hours(text: str, field: str) -> list[tuple[int, int]]:
    """'9-12,13-17' -> [(9, 12), (13, 17)]; a bad part is an input error on `field` (the
    CLI's --slots, the API's hours)."""
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        try:
            lo, hi = int(a), int(b)
        except ValueError:
            raise InputError(Issue(field, f"'{part}': use hours like 9-12")) from None
        if not 0 <= lo < hi <= 24:
            raise InputError(Issue(field, f"'{part}': hours must run from 0 to 24"))
        out.append((lo, hi))
    return out


def offered_slots(
    problem: Problem, hours: str | None, days: int | None, field: str
) -> list[TimeWindow]:
    """The default offer: `hours` (DEFAULT_HOURS when None) on `days` days (DEFAULT_DAYS
    when None, at least 1) from the problem's day (its state's `now`, else the horizon
    start); a bad `hours` is an input error on `field`."""
    day = problem.state.now if problem.state is not None else problem.horizon.start
    parsed = parse_hours(DEFAULT_HOURS if hours is None else hours, field)
    return day_slots(day, parsed, max(1, DEFAULT_DAYS if days is None else days))


def offer_to_dict(offer: SlotOffer) -> dict[str, Any]:
    """A SlotOffer as JSON (`dispatch-opt slots --json` and `POST /v1/slots`, per slot)."""
    out = {
        "slot": {"start": offer.slot.start.isoformat(), "end": offer.slot.end.isoformat()},
        "feasible": offer.feasible,
        "status": offer.status,
    }
    if offer.feasible:
        out |= {
            "technician": offer.technician,
            "start": offer.start.isoformat(timespec="seconds"),
            "marginal_cost": round(offer.marginal_cost, 2),
            "extra_travel_min": round(offer.extra_travel_min, 2),
            "sla_late_added_min": round(offer.sla_late_added_min, 2),
            "at_risk": list(offer.at_risk),
            "pushed_max_min": round(offer.pushed_max_min, 2),
        }
    if offer.detail:
        out["detail"] = offer.detail
    return out


def _instance(problem: Problem, ticket: Ticket, plan: Plan) -> tuple[Problem, RoutingInstance]:
    """The instance of the problem with the new ticket (its windows: the union of slots),
    the current plan weighed as the previous one."""
    grown = dataclasses.replace(problem, tickets=(*problem.tickets, ticket))
    if grown.state is not None:
        prep = prepare(grown)
        return prep.residual.problem, prep.instance
    starts = {
        s.id: s.start
        for r in plan.routes
        for s in r.stops
        if s.kind is StopKind.TICKET and s.id is not None and s.start is not None
    }
    previous = Previous(
        technician={tid: r.technician for r in plan.routes for tid in r.ticket_ids},
        start=starts,
        stability=Stability(),
    )
    return grown, compile_problem(grown, previous).instance


def _route_cost(inst: RoutingInstance, sched: RouteSchedule) -> int:
    """Objective of one route (no unserved tickets)."""
    return plan_cost(inst, [sched], [])


def _risk(
    inst: RoutingInstance, old: RouteSchedule, new: RouteSchedule
) -> tuple[float, tuple[str, ...], float]:
    """Added SLA lateness (min), existing tickets left within RISK_SLACK_MIN of their SLA,
    and the largest push of an existing start (min)."""
    before = {n: s for n, s in zip(old.nodes, old.start_s, strict=True) if inst.is_ticket(n)}
    late_added, pushed, risky = 0.0, 0.0, []
    for n, start in zip(new.nodes, new.start_s, strict=True):
        if n not in before:
            continue
        k = inst.ticket_of(n)
        pushed = max(pushed, (start - before[n]) / 60.0)
        due = int(inst.sla_due_s[k])
        if due < 0:
            continue
        late_added += (max(0, start - due) - max(0, before[n] - due)) / 60.0
        if due - start < RISK_SLACK_MIN * 60:
            risky.append(inst.ticket_ids[k])
    return late_added, tuple(risky), pushed


def _best_insertion(
    inst: RoutingInstance, routes: list[list[int]], k: int
) -> tuple[int, RouteSchedule, RouteSchedule, int] | None:
    """(vehicle, its schedule before, after, cost delta) of the cheapest feasible
    insertion of k."""
    node = inst.ticket_node(k)
    best = None
    for v in np.flatnonzero(inst.allowed[k]):
        v = int(v)
        old = schedule_route(inst, v, routes[v])
        if old is None:
            continue
        base = _route_cost(inst, old)
        for pos in range(len(routes[v]) + 1):
            for trial in insertion_variants(inst, routes, v, pos, node):
                if route_violations(inst, v, trial):
                    continue
                sched = schedule_route(inst, v, trial)
                if sched is None:
                    continue
                delta = _route_cost(inst, sched) - base
                if best is not None and delta >= best[3]:
                    continue
                others = [trial if u == v else r for u, r in enumerate(routes)]
                if not depots_overdrawn(inst, others):
                    best = (v, old, sched, delta)
    return best


def promise_slots(
    problem: Problem, plan: Plan, ticket: Ticket, slots: list[TimeWindow]
) -> list[SlotOffer]:
    """For each slot, whether `ticket` can be promised it on top of `plan` (which stays
    as it is for every other customer), fastest first, then the slots that cannot."""
    horizon = problem.horizon
    now = problem.state.now if problem.state is not None else horizon.start
    offers: list[SlotOffer] = []
    open_slots: list[TimeWindow] = []
    for s in slots:
        if s.start > horizon.end or s.end < horizon.start:
            ends = f"the horizon ends {horizon.end.isoformat()}"
            offers.append(SlotOffer(s, False, "outside_horizon", detail=ends))
        elif s.end < now:
            offers.append(SlotOffer(s, False, "past", detail="the slot is over"))
        else:
            open_slots.append(s)
    if not open_slots:
        return offers
    inside = tuple(
        TimeWindow(max(s.start, horizon.start, now), min(s.end, horizon.end)) for s in open_slots
    )
    probe = dataclasses.replace(ticket, time_windows=inside)
    grown, inst = _instance(problem, probe, plan)
    k = inst.ticket_ids.index(ticket.id)
    routes = initial_routes(grown, plan, inst)
    origin = grown.horizon.start
    found: list[SlotOffer] = []
    for s in open_slots:
        lo = max(0, int((max(s.start, now) - origin).total_seconds() + 0.999))
        hi = min(inst.horizon_s, int((s.end - origin).total_seconds()))
        inst.set_windows({k: np.array([[lo, hi]])})
        found.append(_offer(inst, routes, k, s, origin, horizon.end < s.end))
    good = sorted((o for o in found if o.feasible), key=lambda o: o.start or origin)
    return good + [o for o in found if not o.feasible] + offers


def _offer(
    inst: RoutingInstance,
    routes: list[list[int]],
    k: int,
    slot: TimeWindow,
    origin: datetime,
    clipped: bool,
) -> SlotOffer:
    """The offer for one slot (its window already set on the instance)."""
    if not inst.allowed[k].any():
        return SlotOffer(slot, False, "not_eligible", detail="no qualified technician")
    best = _best_insertion(inst, routes, k)
    if best is None:
        why = "no route can take it in this slot and keep its promises"
        return SlotOffer(slot, False, "no_room", detail=why)
    v, old, sched, delta = best
    late, risky, pushed = _risk(inst, old, sched)
    start = sched.start_s[sched.nodes.index(inst.ticket_node(k))]
    return SlotOffer(
        slot,
        True,
        "ok",
        technician=inst.vehicle_ids[v],
        start=origin + timedelta(seconds=int(start)),
        marginal_cost=delta / COST_PER_UNIT,
        extra_travel_min=(sched.drive_s - old.drive_s) / 60.0,
        sla_late_added_min=late,
        at_risk=risky,
        pushed_max_min=pushed,
        detail="part of the slot is after the horizon" if clipped else "",
    )


def book_slot(
    problem: Problem, plan: Plan, ticket: Ticket, slot: TimeWindow, **solve_options
) -> Plan:
    """Add the ticket with the promised slot as its window and re-plan from `plan` (a
    problem with a state is re-planned from its state: `solve_problem` hands it to
    `replan`)."""
    booked = dataclasses.replace(ticket, time_windows=(slot,))
    grown = dataclasses.replace(problem, tickets=(*problem.tickets, booked))
    return solve_problem(grown, warm_start=plan, **solve_options)
