"""What is left of the day: a problem with a `state` becomes a plain residual Problem.

Each technician starts where it is, when it is free: at its current position at
`max(shift start, free_at or now)`, or, when a visit is under way (or it is already
driving to its next planned visit), at that visit's place at its start, the visit being
the first stop of the route with its start fixed (the anchor). Done tickets leave the
problem; an unavailable technician keeps an empty day; a break whose window closes
before the anchor ends is not owed any more. Visits of the previous plan that
start before `now + freeze_min`, and confirmed ones (`confirmed`, or the ticket is pinned
to that technician), are held: pinned to their technician and starting no earlier than
planned (the engine then fixes their exact start, see `replan.engine`).

Nothing is planned outside the horizon: a visit under way lasts at most to the horizon
end, a visit being driven to is the anchor only when it can end inside the horizon, and a
technician who cannot reach its end place before the horizon ends (`stranded`, found by
the engine, checked by the validator) takes no more work and ends its day where it is:
after its anchor, or at once, like an unavailable technician. The driving limit counts
the day's driving so far (`driven_min`); a technician whose drive to its end place alone
is longer than what the limit leaves (`homebound`, found by the engine) takes no more
work either, and may drive what that drive takes (the validator accepts it for a route
holding nothing but its anchor, measured by its own travel model).

Pure domain code (no routing), so the independent validator can rebuild the same
residual problem to check a re-plan.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from dispatch_opt.domain.problem import (
    Location,
    Problem,
    Technician,
    Ticket,
    TimeWindow,
    TravelModel,
)
from dispatch_opt.domain.state import Assignment, DayState, InProgress, TechnicianState
from dispatch_opt.domain.stock import Stock, add, covers
from dispatch_opt.replan.matrix_rows import residual_matrix

BREAK_MARGIN_S = 60
"""A stranded technician owes a break only when it ends this long before the horizon end
(so that whole-second timing can never push it past)."""


@dataclass(frozen=True)
class Held:
    """A visit that keeps its technician and order; `anchor` visits also keep their start
    and come first (in progress, or the technician is driving there)."""

    ticket: str
    technician: str
    start: datetime
    anchor: bool = False


@dataclass(frozen=True)
class Residual:
    """The residual problem and how it relates to the day's state."""

    problem: Problem
    state: DayState
    held: dict[str, Held]
    previous: dict[str, Assignment]  # open tickets of the previous plan
    warm: list[list[str]]  # per technician: previous visits still open, in order
    new_tickets: tuple[str, ...]


def _minutes(a: datetime, b: datetime) -> float:
    """Minutes from a to b."""
    return (b - a).total_seconds() / 60.0


def _van_stock(
    tech: Technician, ts: TechnicianState, done: list[Ticket], using: Ticket | None
) -> Stock:
    """Parts for the rest of the day: the start stock less its done tickets' parts, or the
    stock now as told plus the parts of the visit in progress (taken off the van for it:
    that visit, the route's first stop, uses them again)."""
    if ts.stock is not None:
        held = dict(ts.stock)
        if using is not None:
            add(held, using.parts)
        return held
    left = dict(tech.stock)
    for ticket in done:
        for sku, qty in ticket.parts.items():
            left[sku] = max(0, left.get(sku, 0) - qty)
    return left


def _loose_windows(ticket: Ticket, earliest: datetime, horizon: TimeWindow) -> tuple:
    """The ticket's windows from `earliest` on (a held visit never starts earlier)."""
    windows = ticket.time_windows or (horizon,)
    kept = [TimeWindow(max(w.start, earliest), w.end) for w in windows if w.end >= earliest]
    return tuple(kept)


def _anchor_of(
    problem: Problem, ts: TechnicianState, mine: list[Assignment], now: datetime, stock: Stock
) -> Held | None:
    """The visit a technician is doing, or driving to (free before now, next planned, it
    can still end inside the horizon, and the van holds its parts: a van that lacks them,
    a part not delivered, turns back for them or gives the visit up, so that visit is
    held, not the start of the day)."""
    if ts.in_progress is not None:
        return Held(ts.in_progress.ticket, ts.id, ts.in_progress.start, anchor=True)
    if ts.free_at is not None and ts.free_at < now and mine:
        nxt = problem.ticket(mine[0].ticket)
        start = max(mine[0].start, now)
        ends = start + timedelta(minutes=nxt.duration_min)
        if ends <= problem.horizon.end and covers(stock, nxt.parts):
            return Held(nxt.id, ts.id, start, anchor=True)
    return None


def expected_end(ip: InProgress, ticket: Ticket) -> datetime:
    """When a visit under way should end: as reported (an overrun), else after its
    duration."""
    return ip.expected_end or ip.start + timedelta(minutes=ticket.duration_min)


def _in_progress_ticket(
    ticket: Ticket, ts: TechnicianState, now: datetime, horizon: TimeWindow
) -> Ticket:
    """The visit under way lasts until its expected end (an overrun), and at least to now;
    the plan shows it at most to the horizon end (nothing is planned after it)."""
    ip = ts.in_progress
    assert ip is not None
    end = min(max(expected_end(ip, ticket), now), horizon.end)
    return dataclasses.replace(ticket, duration_min=max(0.0, _minutes(ip.start, end)))


def _driving_left(tech: Technician, ts: TechnicianState) -> float | None:
    """What the driving limit leaves for the rest of the day, after what was driven."""
    if tech.max_travel_min is None:
        return None
    return max(0.0, tech.max_travel_min - ts.driven_min)


def _idle(tech: Technician, here: Location, t0: datetime, stock: Stock) -> Technician:
    """A technician who takes no more work: its day ends at once, where it is."""
    return dataclasses.replace(
        tech, start=here, end=here, shift=TimeWindow(t0, t0), breaks=(), max_jobs=0,
        overtime_max_min=0.0, stock=stock,
    )  # fmt: skip


def _where(problem: Problem, ts: TechnicianState) -> Location | None:
    """Where the state puts a technician: its `location`, else the place `place_id`
    names (a ticket or a depot), else nowhere said."""
    if ts.location is not None or ts.place_id is None:
        return ts.location
    return problem.place(ts.place_id)


def _technician(
    problem: Problem,
    now: datetime,
    tech: Technician,
    ts: TechnicianState,
    anchor: Held | None,
    stock: Stock,
    extra_overtime: float,
    stranded: bool = False,
    homebound_min: float | None = None,
) -> Technician:
    """The technician of the residual problem: where and when it is free, what is left.

    A `stranded` one (it cannot reach its end place inside the horizon) takes no more
    work: with an anchor, its day ends at the anchor's place when the anchor ends (breaks
    that no longer fit before the horizon ends are not owed); without one, at once where
    it is, like an unavailable technician. A `homebound_min` one (its drive home alone
    breaks its driving limit) takes no work but its anchor and may drive that long."""
    if not ts.available:
        t0 = min(max(tech.shift.start, now), problem.horizon.end)
        return _idle(tech, _where(problem, ts) or tech.start, t0, stock)
    breaks = tech.breaks[ts.breaks_taken :]
    if anchor is not None:
        here = problem.ticket(anchor.ticket).location
        t0 = anchor.start
        busy_until = t0 + timedelta(minutes=problem.ticket(anchor.ticket).duration_min)
        if ts.in_progress is not None and ts.in_progress.expected_end is not None:
            busy_until = max(busy_until, ts.in_progress.expected_end)
        # a break whose window closes before the anchor ends was taken on the way
        breaks = tuple(b for b in breaks if b.window.end >= busy_until)
    else:
        here = _where(problem, ts) or tech.start
        t0 = max(tech.shift.start, ts.free_at or now, now)
    t0 = min(t0, problem.horizon.end)
    if stranded and anchor is None:
        return _idle(tech, here, t0, stock)
    resid = dataclasses.replace(
        tech,
        start=here,
        shift=TimeWindow(t0, tech.shift.end),
        breaks=breaks,
        stock=stock,
        overtime_max_min=tech.overtime_max_min + extra_overtime,
        max_travel_min=_driving_left(tech, ts),
        under_way=_under_way(tech, ts, t0, anchor),
    )
    if stranded:
        last = problem.horizon.end - timedelta(seconds=BREAK_MARGIN_S)
        breaks = tuple(
            b for b in breaks
            if max(busy_until, b.window.start) <= b.window.end
            and max(busy_until, b.window.start) + timedelta(minutes=b.duration_min) <= last
        )  # fmt: skip
        resid = dataclasses.replace(resid, end=here, breaks=breaks, max_jobs=1)
    if homebound_min is not None:  # above its limit: the engine found the drive longer
        resid = dataclasses.replace(
            resid, max_travel_min=homebound_min, max_jobs=0 if anchor is None else 1
        )
    return resid


def _under_way(tech: Technician, ts: TechnicianState, t0: datetime, anchor: Held | None) -> bool:
    """Whether the technician's day may have begun before `t0`, its start in the rest of
    the day: it is busy, has driven or taken a break, or its shift began earlier. Such a
    day overlaps a break window still open at its shift start here and is owed it
    whatever the rest of the day does: leaving late escapes none (compile and the
    validator both count such a day from that start)."""
    return (
        tech.under_way
        or anchor is not None
        or ts.breaks_taken > 0
        or ts.driven_min > 0
        or t0 > tech.shift.start
    )


def _held_visits(
    state: DayState,
    problem: Problem,
    tech_id: str,
    mine: list[Assignment],
    anchor: Held | None,
    released: set[str],
) -> list[Held]:
    """The technician's held visits in order: its anchor, then frozen and confirmed ones."""
    frozen_until = state.now + timedelta(minutes=state.freeze_min)
    out = [] if anchor is None else [anchor]
    for a in mine:
        if anchor is not None and a.ticket == anchor.ticket:
            continue
        if a.ticket in released:
            continue
        ticket = problem.ticket(a.ticket)
        if not _loose_windows(ticket, a.start, problem.horizon):
            continue  # planned after its last window: cannot be kept
        pinned = ticket.pinned_technician == tech_id
        if a.start < frozen_until or a.confirmed or pinned:
            out.append(Held(a.ticket, tech_id, a.start))
    return out


def residual_problem(
    problem: Problem,
    *,
    released: frozenset[str] = frozenset(),
    extra_overtime_min: dict[str, float] | None = None,
    stranded: frozenset[str] = frozenset(),
    homebound_min: dict[str, float] | None = None,
    strict: bool = True,
) -> Residual:
    """The plain problem of the rest of the day (see the module text).

    `released` visits are no longer held (their chain cannot be kept), nor are the held
    visits of a technician no longer available: they may change technician or be left
    out, but still start no earlier than planned, as the customer was told (the
    validator, which cannot tell them from held ones, checks that).
    `extra_overtime_min` lets a technician who is already late finish and drive to its
    end place; `stranded` technicians cannot reach their end place inside the horizon and
    end their day where they are; `homebound_min` technicians cannot get home within their
    driving limit, and may drive that many minutes but take no more work. `strict` (the
    engine) makes held visits required and pinned; the validator leaves them as the
    customer asked and checks them itself."""
    state = problem.state
    if state is None:
        raise ValueError("residual_problem needs a problem with a state")
    extra = extra_overtime_min or {}
    homebound = homebound_min or {}
    done = set(state.done)
    by_id = {t.id: t for t in problem.tickets}
    states = {t.id: state.technician(t.id) for t in problem.technicians}
    doing = {ts.in_progress.ticket: ts for ts in states.values() if ts.in_progress and ts.available}
    previous = {a.ticket: a for a in state.previous if a.ticket not in done and a.ticket in by_id}
    held: dict[str, Held] = {}
    orphans: set[str] = set()  # held visits of technicians no longer available
    techs: list[Technician] = []
    warm: list[list[str]] = []
    starts: dict[str, str] = {}  # technician -> the ticket or depot its route starts at
    for tech in problem.technicians:
        ts = states[tech.id]
        mine = sorted(
            (a for a in previous.values() if a.technician == tech.id and a.ticket not in doing),
            key=lambda a: a.start,
        )
        done_here = [by_id[a.ticket] for a in state.previous if a.ticket in done
                     and a.technician == tech.id and a.ticket in by_id]  # fmt: skip
        using = by_id.get(ts.in_progress.ticket) if ts.in_progress and ts.available else None
        stock = _van_stock(tech, ts, done_here, using)
        anchor = _anchor_of(problem, ts, mine, state.now, stock) if ts.available else None
        # the ticket or depot its route starts at: its visit, else where the state says
        start_at = anchor.ticket if anchor is not None else ts.place_id
        if start_at is not None:
            starts[tech.id] = start_at
        chain = _held_visits(state, problem, tech.id, mine, anchor, set(released))
        if not ts.available:  # its held visits cannot be kept: released, as promised
            orphans.update(h.ticket for h in chain)
            chain = []
        held.update((h.ticket, h) for h in chain)
        resid = _technician(
            problem, state.now, tech, ts, anchor, stock, extra.get(tech.id, 0.0),
            stranded=tech.id in stranded and ts.available,
            homebound_min=homebound.get(tech.id) if ts.available else None,
        )  # fmt: skip
        if tech.max_jobs is not None and ts.available:
            left = max(0, tech.max_jobs - len(done_here))
            cap = left if resid.max_jobs is None else min(left, resid.max_jobs)
            resid = dataclasses.replace(resid, max_jobs=cap)
        techs.append(resid)
        first = [anchor.ticket] if anchor is not None else []
        warm.append(first + [a.ticket for a in mine if a.ticket not in first])
    tickets = []
    for ticket in problem.tickets:
        if ticket.id in done:
            continue
        ts = doing.get(ticket.id)
        if ts is not None:
            ticket = _in_progress_ticket(ticket, ts, state.now, problem.horizon)
        h = held.get(ticket.id)
        if h is not None:
            ticket = _held_ticket(ticket, h, problem, strict)
        elif (ticket.id in released or ticket.id in orphans) and ticket.id in previous:
            windows = _loose_windows(ticket, previous[ticket.id].start, problem.horizon)
            ticket = dataclasses.replace(ticket, time_windows=windows or ticket.time_windows)
        tickets.append(ticket)
    known = set(previous) | set(state.previous_unassigned) | set(doing)
    new = tuple(t.id for t in tickets if t.id not in known)
    travel = problem.travel
    if travel.model is TravelModel.MATRIX:  # each technician's rows follow it
        travel = residual_matrix(problem, techs, starts)
    residual = dataclasses.replace(
        problem, technicians=tuple(techs), tickets=tuple(tickets), state=None, travel=travel
    )
    return Residual(residual, state, held, previous, warm, new)


def _held_ticket(ticket: Ticket, h: Held, problem: Problem, strict: bool) -> Ticket:
    """A held visit: an anchor keeps its start; the others start no earlier than planned
    (the engine then fixes their start); `strict` pins and requires them."""
    if h.anchor:
        windows: tuple = (TimeWindow(h.start, h.start),)
    else:
        windows = _loose_windows(ticket, h.start, problem.horizon)
    if not strict and not h.anchor:
        return dataclasses.replace(ticket, time_windows=windows)
    return dataclasses.replace(
        ticket,
        time_windows=windows,
        required=True,
        pinned_technician=h.technician,
        excluded_technicians=(),
        preferred_technicians=(),
    )
