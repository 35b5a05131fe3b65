"""Extra tickets for a what-if, drawn from the benchmark generator near the problem's area.

The generator (`benchmarks.generate`) only makes whole days, so this adapter generates a
small day of `count` tickets in the generator city nearest the problem, keeps its tickets,
and fits them to the problem: new ids, the problem's date and UTC offset (same wall-clock
times, windows clipped to the horizon), the same place when the problem lies inside that
city's box or else shifted onto the problem's centre. Pins, preferences, exclusions (they
name the generator's own technicians) and the `required` flag are dropped: added demand is
ordinary demand, it must not make the answer infeasible by itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo

from benchmarks.generate import CITIES, City, generate_problem
from dispatch_opt.domain.problem import Location, Problem, Ticket, TimeWindow
from dispatch_opt.io import parse_problem

DEFAULT_TICKETS_PER_TECHNICIAN = 7.5
"""Load of the generated mini-day when the problem has no tickets to measure it on."""


def _centre(problem: Problem) -> Location:
    """Mean position of the tickets (or of the technicians' starts when there are none)."""
    points = [t.location for t in problem.tickets] or [t.start for t in problem.technicians]
    return Location(
        sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points)
    )


def _inside(city: City, at: Location) -> bool:
    """True when `at` lies in the city's sampling box."""
    lat_min, lat_max, lon_min, lon_max = city.box
    return lat_min <= at.lat <= lat_max and lon_min <= at.lon <= lon_max


def nearest_city(at: Location) -> City:
    """The generator city containing `at`, else the one with the nearest centre."""
    for city in CITIES.values():
        if _inside(city, at):
            return city
    return min(CITIES.values(), key=lambda c: (c.lat - at.lat) ** 2 + (c.lon - at.lon) ** 2)


def _rezone(moment: datetime, tz: tzinfo | None) -> datetime:
    """The same wall-clock time in the problem's time zone."""
    return moment.replace(tzinfo=tz)


def _clip(window: TimeWindow, horizon: TimeWindow) -> TimeWindow | None:
    """The part of `window` inside the horizon, or None when nothing is left."""
    start, end = max(window.start, horizon.start), min(window.end, horizon.end)
    return TimeWindow(start, end) if start < end else None


def _fit(
    ticket: Ticket, new_id: str, problem: Problem, shift: tuple[float, float]
) -> Ticket | None:
    """A generated ticket made to belong to `problem`, or None when every one of its
    appointment windows falls outside the horizon (dropping them all would silently
    turn it into an any-time ticket)."""
    tz = problem.horizon.start.tzinfo
    clipped = (
        _clip(TimeWindow(_rezone(w.start, tz), _rezone(w.end, tz)), problem.horizon)
        for w in ticket.time_windows
    )
    windows = tuple(w for w in clipped if w is not None)
    if ticket.time_windows and not windows:
        return None
    return replace(
        ticket,
        id=new_id,
        location=Location(ticket.location.lat + shift[0], ticket.location.lon + shift[1]),
        time_windows=windows,
        sla_due=None if ticket.sla_due is None else _rezone(ticket.sla_due, tz),
        required=False,
        pinned_technician=None,
        preferred_technicians=(),
        excluded_technicians=(),
    )


FIT_ATTEMPTS = 5
"""Generator batches tried to find `count` tickets with a slot inside the horizon."""


def generated_tickets(problem: Problem, count: int, seed: int, prefix: str) -> tuple[Ticket, ...]:
    """`count` seeded generator tickets fitted to `problem`, ids `prefix001`, `prefix002`..."""
    if count <= 0:
        return ()
    centre = _centre(problem)
    city = nearest_city(centre)
    shift = (0.0, 0.0) if _inside(city, centre) else (centre.lat - city.lat, centre.lon - city.lon)
    per_tech = (
        len(problem.tickets) / len(problem.technicians)
        if problem.tickets
        else DEFAULT_TICKETS_PER_TECHNICIAN
    )
    day = problem.horizon.start.date().isoformat()
    width = max(3, len(str(count)))
    fitted: list[Ticket] = []
    for attempt in range(FIT_ATTEMPTS):  # more batches only if slots missed the horizon
        doc = generate_problem(
            tickets=count,
            technicians=max(1, round(count / per_tech)),
            depots=0,
            city=city.name,
            seed=seed + attempt * 7919,
            date=day,
        )
        for t in parse_problem(doc).tickets:
            ticket = _fit(t, f"{prefix}{len(fitted) + 1:0{width}d}", problem, shift)
            if ticket is not None and len(fitted) < count:
                fitted.append(ticket)
        if len(fitted) == count:
            break
    return tuple(fitted)
