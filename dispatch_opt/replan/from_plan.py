"""The state of the day read off a plan at a moment: what a dispatch system would report
if everything had gone exactly as planned until `now`, the driving done so far included."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
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


def _driven_min(
    problem: Problem, route: Route, through: int, places: Mapping[str, Location]
) -> float:
    """Minutes `route` drives up to its stop `through`, read off the plan's times: each
    arrival less the departure before it, less the stop overhead at a ticket in another
    building (contract 3.1); `places` is `Problem.places`."""
    tech = problem.technician(route.technician)
    overhead_s = problem.travel.stop_overhead_min * 60.0
    here, depart = tech.start, route.stops[0].at
    driven_s = 0.0
    for stop in route.stops[1 : through + 1]:
        if stop.kind is StopKind.BREAK:  # taken where it is: the drive follows it
            depart = stop.end
            continue
        arrival = stop.at if stop.kind is StopKind.END else stop.arrival
        if arrival is None or depart is None:
            break
        place = tech.end if stop.kind is StopKind.END else places[stop.id or ""]
        leg_s = (arrival - depart).total_seconds()
        if stop.kind is StopKind.TICKET and place != here:
            leg_s -= overhead_s
        driven_s += max(0.0, leg_s)
        here, depart = place, stop.end
    return driven_s / 60.0


def _technician_state(
    problem: Problem,
    route: Route,
    now: datetime,
    loaded: dict[str, Stock],
    places: Mapping[str, Location],
) -> TechnicianState:
    """Where the technician of `route` is at `now`, as planned, and what it drove to get
    there (or to the visit it is driving to, which the re-plan keeps and does not plan);
    `places` is `Problem.places`."""
    tech = problem.technician(route.technician)
    place: Location = tech.start
    place_id: str | None = None  # the ticket or depot it is at, when it is at one
    free_at: datetime | None = None
    in_progress: InProgress | None = None
    breaks = 0
    through = 0  # the stop it is at (or driving to): its driving so far ends there
    stock = dict(tech.stock)
    start = route.stops[0].at
    if route.ticket_ids and start is not None and start < now:
        free_at = start  # left the start place already
    for i, stop in enumerate(route.stops[1:-1], start=1):
        if stop.start is None or stop.end is None or stop.start > now:
            break
        if stop.kind is StopKind.BREAK:
            breaks += 1
            free_at = stop.end
            continue
        if stop.kind is StopKind.DEPOT:
            add(stock, stop.pickup, +1)
            add(loaded.setdefault(stop.id or "", {}), stop.pickup, +1)
        else:  # done, or under way: its parts are off the van (the contract's `stock`)
            add(stock, stop.parts, -1)
        if stop.kind is StopKind.TICKET and stop.end > now:
            in_progress = InProgress(stop.id or "", stop.start, stop.end)
        place, place_id, free_at, through = places[stop.id or ""], stop.id, stop.end, i
    end = route.stops[-1]
    if in_progress is None and route.ticket_ids and end.at is not None and end.at <= now:
        place, place_id, free_at = tech.end, None, end.at  # its day is done: at its end place
        through = len(route.stops) - 1
    if in_progress is None and free_at is not None and free_at < now:
        breaks += _load_on_the_way(route, now, stock, loaded)
        through = next(
            (i for i, s in enumerate(route.stops) if i > through and s.kind is StopKind.TICKET),
            through,
        )
    idle = in_progress is None  # else it is where its visit is, busy till it ends
    return TechnicianState(
        route.technician,
        location=place if idle else None,
        free_at=free_at if idle else None,
        in_progress=in_progress,
        breaks_taken=breaks,
        stock=stock,
        driven_min=_driven_min(problem, route, through, places),
        place_id=place_id if idle else None,
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
    places = problem.places()
    techs = tuple(_technician_state(problem, r, now, loaded, places) for r in plan.routes)
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
