"""The state of the day read off a plan at a moment: what a dispatch system would report
if everything had gone exactly as planned until `now`."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from dispatch_opt.domain.plan import Plan, Route, StopKind
from dispatch_opt.domain.problem import Location, Problem
from dispatch_opt.domain.state import (
    Assignment,
    DayState,
    InProgress,
    Stability,
    TechnicianState,
)
from dispatch_opt.domain.stock import Stock, add


def _load_on_the_way(route: Route, now: datetime, stock: Stock, loaded: dict[str, Stock]) -> int:
    """A technician driving to its next visit (which then stays) fetches on the way the
    parts its plan loads before that visit, and takes the breaks planned before it:
    count them as loaded and taken; returns those breaks."""
    breaks = 0
    for stop in route.stops[1:-1]:
        if stop.start is None or stop.start <= now:
            continue
        if stop.kind is StopKind.TICKET:
            break
        if stop.kind is StopKind.BREAK:
            breaks += 1
        if stop.kind is StopKind.DEPOT:
            add(stock, stop.pickup, +1)
            add(loaded.setdefault(stop.id or "", {}), stop.pickup, +1)
    return breaks


def _technician_state(
    problem: Problem, route: Route, now: datetime, loaded: dict[str, Stock]
) -> TechnicianState:
    """Where the technician of `route` is at `now`, as planned."""
    tech = problem.technician(route.technician)
    place: Location = tech.start
    free_at: datetime | None = None
    in_progress: InProgress | None = None
    breaks = 0
    stock = dict(tech.stock)
    start = route.stops[0].at
    if route.ticket_ids and start is not None and start < now:
        free_at = start  # left the start place already
    for stop in route.stops[1:-1]:
        if stop.start is None or stop.end is None or stop.start > now:
            break
        if stop.kind is StopKind.BREAK:
            breaks += 1
            free_at = stop.end
            continue
        here = (
            problem.ticket(stop.id).location
            if stop.kind is StopKind.TICKET
            else next(d.location for d in problem.depots if d.id == stop.id)
        )
        if stop.kind is StopKind.DEPOT:
            add(stock, stop.pickup, +1)
            add(loaded.setdefault(stop.id or "", {}), stop.pickup, +1)
        else:  # done, or under way: its parts are off the van (the contract's `stock`)
            add(stock, stop.parts, -1)
        if stop.kind is StopKind.TICKET and stop.end > now:
            in_progress = InProgress(stop.id or "", stop.start, stop.end)
        place, free_at = here, stop.end
    end = route.stops[-1]
    if in_progress is None and route.ticket_ids and end.at is not None and end.at <= now:
        place, free_at = tech.end, end.at  # its day is done: it drove to its end place
    if in_progress is None and free_at is not None and free_at < now:
        breaks += _load_on_the_way(route, now, stock, loaded)
    if in_progress is not None:
        return TechnicianState(
            route.technician, in_progress=in_progress, breaks_taken=breaks, stock=stock
        )
    return TechnicianState(
        route.technician, location=place, free_at=free_at, breaks_taken=breaks, stock=stock
    )


def state_from_plan(
    problem: Problem,
    plan: Plan,
    now: datetime,
    *,
    freeze_min: float = 0.0,
    stability: Stability | None = None,
) -> Problem:
    """`problem` with the state of the day at `now` had `plan` gone as planned: visits
    ended are done, one under way is in progress, each technician is where it last was,
    depots have given out what was loaded, and `plan` is the previous plan."""
    loaded: dict[str, Stock] = {}
    techs = tuple(_technician_state(problem, r, now, loaded) for r in plan.routes)
    done, previous = [], []
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind is not StopKind.TICKET or stop.id is None or stop.start is None:
                continue
            if stop.end is not None and stop.end <= now:
                done.append(stop.id)
            else:
                previous.append(Assignment(stop.id, route.technician, stop.start))
    depots = tuple(
        dataclasses.replace(
            d,
            stock={sku: max(0, q - loaded.get(d.id, {}).get(sku, 0)) for sku, q in d.stock.items()},
        )
        for d in problem.depots
    )
    state = DayState(
        now=now,
        technicians=techs,
        done=tuple(done),
        previous=tuple(previous),
        previous_unassigned=tuple(u.ticket for u in plan.unassigned),
        freeze_min=freeze_min,
        stability=stability or Stability(),
    )
    return dataclasses.replace(problem, depots=depots, state=state)
