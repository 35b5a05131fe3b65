"""Exact timing of one route: arrivals, waits, service, breaks, on the integer instance.

Given a technician and the order of its stops, `schedule_route` finds the earliest
feasible timeline, deciding in which gap each break goes. Earliest is best for every
downstream rule (windows only bound the start from above), so a route is feasible iff
this schedule exists. A break is taken where the technician is, and the drive follows
it: `arrival = end of the previous stop (or break) + driving + overhead`.

Dynamic programme: the state after each stop is the set of breaks done so far; for each
set only the earliest end time matters. A break is done by taking it in a gap (several in
one gap, in any order), or, before the first stop, by leaving the start after its window
closes (a day that does not overlap a window owes no break). Up to `ANY_ORDER_UP_TO`
breaks are taken in any order, more in the order their windows open.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dispatch_opt.routing.instance import NEVER_S, RoutingInstance, VehicleBreak
from dispatch_opt.routing.parts import running_stock_ok


@dataclass(frozen=True, slots=True)
class BreakSlot:
    """A break placed before the stop at `before` (index into stops; len = before end)."""

    index: int
    before: int
    start_s: int
    end_s: int


@dataclass(frozen=True, slots=True)
class RouteSchedule:
    """The earliest feasible timeline of a route, in integer seconds."""

    vehicle: int
    nodes: tuple[int, ...]
    depart_s: int
    arrival_s: tuple[int, ...]
    start_s: tuple[int, ...]
    end_s: tuple[int, ...]
    end_arrival_s: int
    breaks: tuple[BreakSlot, ...]
    drive_s: int
    distance_m: float


def _window_start(windows: tuple[tuple[int, int], ...], arrival: int) -> int:
    """Earliest service start >= arrival inside one of the windows, or -1."""
    for lo, hi in windows:
        if arrival <= hi:
            return arrival if arrival > lo else lo
    return -1


ANY_ORDER_UP_TO = 3
"""Breaks of one technician up to which the timeline takes them in any order (a state per
set of breaks done: 8 for 3); with more, in the order their windows open (one state per
number done). A coffee window inside the lunch window often fits only coffee first."""


@dataclass(frozen=True, slots=True)
class _Orders:
    """The dynamic programme's states for one technician's breaks: per state (a set of
    breaks done; supersets come after their subsets) the moves that take one more break,
    when the last of its breaks closes, and when the first break it has not done opens."""

    moves: tuple[tuple[tuple[int, int], ...], ...]  # per state: (break, state reached)
    closes: tuple[int, ...]  # -1 for none done
    opens_left: tuple[int, ...]  # NEVER_S when every break is done
    in_order: bool  # state k is the first k breaks (`_orders`)


@functools.lru_cache(maxsize=4096)
def _orders(breaks: tuple[VehicleBreak, ...]) -> _Orders:
    """The states of `breaks`: every set of them when more than one order may fit (up to
    `ANY_ORDER_UP_TO`), else the first k in window order."""
    n = len(breaks)
    in_order = n <= 1 or n > ANY_ORDER_UP_TO or _order_forced(breaks)
    masks = [(1 << k) - 1 for k in range(n + 1)] if in_order else range(1 << n)
    index = {m: i for i, m in enumerate(masks)}
    bits = [[b for b in range(n) if m >> b & 1] for m in masks]
    moves = tuple(
        tuple((b, index[m | 1 << b]) for b in range(n) if not m >> b & 1 and m | 1 << b in index)
        for m in masks
    )
    closes = tuple(max((breaks[b].closes_s for b in done), default=-1) for done in bits)
    opens_left = tuple(
        min((brk.opens_s for b, brk in enumerate(breaks) if b not in done), default=NEVER_S)
        for done in bits
    )
    return _Orders(moves, closes, opens_left, in_order)


def _order_forced(breaks: tuple[VehicleBreak, ...]) -> bool:
    """Whether every timeline does `breaks` (in window-opening order) in that order: of
    two, the one opening first never closes later (leaving after the other closes leaves
    it behind too), nor can it start once the other has lasted its duration (a lunch
    window 11:30-13:30 after a coffee window 09:30-11:30). Window order is then exact,
    and a route check as fast as with one break (two breaks in any order cost 60% more,
    measured on the 1,000-ticket day)."""
    return all(
        a.latest_s <= b.latest_s and a.latest_s < b.earliest_s + b.duration_s
        for a, b in itertools.combinations(breaks, 2)
    )


class _Leg:
    """What the dynamic programme needs of one route: the technician's tables and the
    breaks it owes, looked up once per route rather than once per step."""

    __slots__ = (
        "breaks",
        "drive",
        "latest_end",
        "orders",
        "over",
        "service",
        "shift_start",
        "windows",
    )

    def __init__(
        self, inst: RoutingInstance, vehicle: int, nodes: Sequence[int], breaks: bool = True
    ):
        self.drive = inst.drive_s(float(inst.speed_factor[vehicle]))
        self.over = inst.arrival_overhead_s
        self.windows, self.service = inst.visit_windows, inst.service_list
        # an idle day owes none; without `breaks`, none at all (a relaxation)
        self.breaks = inst.breaks[vehicle] if nodes and breaks else ()
        self.orders = _orders(self.breaks)
        self.shift_start = int(inst.shift_start_s[vehicle])
        self.latest_end = int((inst.latest_end_s if nodes else inst.idle_end_s)[vehicle])


def _step(
    ctx: _Leg, best: list[int], i: int, j: int, is_end: bool, back: list | None
) -> list[int] | None:
    """One gap of the dynamic programme: from the states `best` at place i (per set of
    breaks done, the earliest finish) to those after serving j; None when none survive.
    From each state, breaks are taken where the technician is, in any order its moves
    allow, then it drives to j. Fills `back` (per new state: (state at i, breaks taken in
    the gap in order, arrival, start, finish)) when one is given; equal finishes keep the
    lowest state at i."""
    if ctx.orders.in_order:
        return _step_in_order(ctx, best, i, j, is_end, back)
    leg = int(ctx.drive[i, j]) + int(ctx.over[i, j])
    wins, serve = (None, 0) if is_end else (ctx.windows[j], ctx.service[j])
    latest_end = ctx.latest_end
    moves = ctx.orders.moves
    breaks = ctx.breaks
    n_s = len(best)
    new = [NEVER_S] * n_s
    alive = False
    for s0 in range(n_s):
        if best[s0] == NEVER_S:
            continue
        here = {s0: best[s0]}  # from s0: the states reached in the gap, the earliest end
        came: dict[int, tuple[int, int]] = {}  # state -> (state before, break taken)
        for s in range(s0, n_s):
            t = here.get(s)
            if t is None:
                continue
            arrival = t + leg
            start = _served_from(wins, serve, latest_end, arrival)
            if start < 0:
                continue  # more breaks only arrive later
            finish = start + serve
            if finish < new[s]:
                new[s] = finish
                alive = True
                if back is not None:
                    back[s] = (s0, _taken(came, s0, s), arrival, start, finish)
            for b, nxt in moves[s]:
                brk = breaks[b]
                begin = t if t > brk.earliest_s else brk.earliest_s
                if begin > brk.latest_s:
                    continue
                done = begin + brk.duration_s
                if done < here.get(nxt, NEVER_S):
                    here[nxt] = done
                    came[nxt] = (s, b)
    return new if alive else None


def _step_in_order(
    ctx: _Leg, best: list[int], i: int, j: int, is_end: bool, back: list | None
) -> list[int] | None:
    """`_step` when state k is the first k breaks: each state has one way on, so a gap
    is a chain of breaks from each state (the hot path: one break or none; its visit
    check is written out, a call per state cost 5% of a route check)."""
    breaks = ctx.breaks
    n_s = len(best)
    leg = int(ctx.drive[i, j]) + int(ctx.over[i, j])
    wins = ctx.windows[j]
    serve = ctx.service[j]
    latest_end = ctx.latest_end
    new = [NEVER_S] * n_s
    alive = False
    for k in range(n_s):
        t = best[k]
        if t == NEVER_S:
            continue
        for k2 in range(k, n_s):
            if k2 > k:
                brk = breaks[k2 - 1]
                begin = t if t > brk.earliest_s else brk.earliest_s
                if begin > brk.latest_s:
                    break
                t = begin + brk.duration_s
            arrival = t + leg
            if is_end:
                if arrival > latest_end:
                    break
                start = finish = arrival
            else:
                start = _window_start(wins, arrival)
                if start < 0:
                    break
                finish = start + serve
                if finish > latest_end:
                    break
            if finish < new[k2]:
                new[k2] = finish
                alive = True
                if back is not None:
                    back[k2] = (k, tuple(range(k, k2)), arrival, start, finish)
    return new if alive else None


def _served_from(
    wins: tuple[tuple[int, int], ...] | None, serve: int, latest_end: int, arrival: int
) -> int:
    """When service starts for an arrival (at the end place, `wins` None: the arrival),
    or -1 when it cannot start in a window or end by `latest_end`."""
    if wins is None:
        return arrival if arrival <= latest_end else -1
    start = _window_start(wins, arrival)
    return start if start >= 0 and start + serve <= latest_end else -1


def _taken(came: dict[int, tuple[int, int]], s0: int, s: int) -> tuple[int, ...]:
    """The breaks taken in one gap, in order, from state s0 to state s."""
    out: list[int] = []
    while s != s0:
        s, b = came[s]
        out.append(b)
    return tuple(reversed(out))


def _forward(
    ctx: _Leg, path: list[int], trail: list | None, states: list | None = None
) -> list[int] | None:
    """The dynamic programme over `path` (start, stops, end): per set of breaks done, the
    earliest arrival at the end place; None as soon as no state survives. The start
    states: `_start_states`. Appends each gap's back-pointers to
    `trail` when one is given (to unwind a schedule), and the states at each place, the
    start's first, to `states` when one is given."""
    best: list[int] | None = _start_states(ctx)
    if states is not None:
        states.append(best)
    n_s = len(best)
    last = len(path) - 1
    for pos in range(1, last + 1):
        back = [None] * n_s if trail is not None else None
        best = _step(ctx, best, path[pos - 1], path[pos], pos == last, back)
        if trail is not None:
            trail.append(back)
        if best is None:
            return None
        if states is not None:
            states.append(best)
    return best


def _start_states(ctx: _Leg) -> list[int]:
    """Per set of breaks done before leaving, when the technician may leave the start:
    the shift start for none, else once their windows have closed (they are then never
    owed; taking one at the start place is the first gap's job). NEVER_S marks a dead
    state throughout: a break never left behind closes then, so its state starts dead."""
    t = ctx.shift_start
    return [t if c < t else c for c in ctx.orders.closes]


@dataclass(frozen=True, slots=True)
class RouteStates:
    """A feasible route's dynamic-programme states after each place of its path (start,
    stops, end): what `splice_feasible` resumes from, so that trying a change re-times
    only the places after it, and stops as soon as the old timeline takes over."""

    path: tuple[int, ...]
    states: tuple[list[int], ...]
    ctx: _Leg


def route_states(
    inst: RoutingInstance, vehicle: int, nodes: Sequence[int], breaks: bool = True
) -> RouteStates | None:
    """The states of a route with stops (None when it is infeasible, or has no stops:
    an empty route owes no breaks, so its states do not extend to a route with stops).
    Without `breaks` the technician's breaks are left out: a relaxation, since a break
    only delays what follows it."""
    if not nodes:
        return None
    path = [inst.start_node(vehicle), *nodes, inst.end_node(vehicle)]
    ctx = _Leg(inst, vehicle, nodes, breaks)
    states: list[list[int]] = []
    best = _forward(ctx, path, None, states)
    if best is None or _end_choice(best, ctx) < 0:
        return None
    return RouteStates(tuple(path), tuple(states), ctx)


def splice_feasible(rs: RouteStates, cut: int, middle: Sequence[int], resume: int) -> bool:
    """Whether the route path[:cut + 1] + middle + path[resume:] has a timeline, where
    path is `rs`'s (cut < resume <= len(path) - 1; the end place always stays). The new
    route must keep at least one stop: an empty one owes no breaks, which the stored
    states assume it does.

    Equal to `route_feasible` on the new route, faster: it starts from the stored state
    at path[cut], and once the new states at an old place are no later than the old ones
    (for every number of breaks taken) the rest is feasible, since every step of the
    programme is monotone and the old route was feasible."""
    path, states, ctx = rs.path, rs.states, rs.ctx
    best: list[int] | None = states[cut]
    prev = path[cut]
    for j in middle:
        best = _step(ctx, best, prev, j, False, None)
        if best is None:
            return False
        prev = j
    last = len(path) - 1
    for q in range(resume, last + 1):
        j = path[q]
        best = _step(ctx, best, prev, j, q == last, None)
        if best is None:
            return False
        old = states[q]
        if all(b <= o for b, o in zip(best, old, strict=True)):
            return True  # no later than the old timeline here: the rest holds as before
        prev = j
    return _end_choice(best, ctx) >= 0


def _end_choice(best: list[int], ctx: _Leg) -> int:
    """The state of the earliest valid arrival at the end place, or -1: breaks not done
    must open at or after that arrival (`VehicleBreak.opens_s`: one open before the day
    began is owed even by a day with work that ends as it starts, a 0-minute visit at the
    start place)."""
    opens_left = ctx.orders.opens_left
    choice, end_arrival = -1, NEVER_S
    for s, t in enumerate(best):
        if t < end_arrival and opens_left[s] >= t:
            choice, end_arrival = s, t
    return choice


def route_feasible(
    inst: RoutingInstance, vehicle: int, nodes: list[int] | tuple[int, ...], breaks: bool = True
) -> bool:
    """Whether `schedule_route` finds a timeline, without building it (the hot check of
    construction and repair); without `breaks`, of the relaxation that leaves them out."""
    path = [inst.start_node(vehicle), *nodes, inst.end_node(vehicle)]
    ctx = _Leg(inst, vehicle, nodes, breaks)
    best = _forward(ctx, path, None)
    return best is not None and _end_choice(best, ctx) >= 0


def schedule_route(
    inst: RoutingInstance, vehicle: int, nodes: list[int] | tuple[int, ...]
) -> RouteSchedule | None:
    """Earliest feasible timeline for `vehicle` visiting `nodes` in order, or None."""
    path = [inst.start_node(vehicle), *nodes, inst.end_node(vehicle)]
    ctx = _Leg(inst, vehicle, nodes)
    trail: list[list[tuple[int, int, int, int]]] = []  # per gap: per k2 -> (k, arr, start, end)
    best = _forward(ctx, path, trail)
    if best is None:
        return None
    choice = _end_choice(best, ctx)
    if choice < 0:
        return None
    return _unwind(inst, vehicle, path, trail, choice, ctx)


def _unwind(inst, vehicle, path, trail, choice, ctx: _Leg) -> RouteSchedule:
    """Walk the DP back-pointers into arrivals, starts, ends and break slots."""
    breaks, drive = ctx.breaks, ctx.drive
    m = len(path) - 1
    arrival, start, end = [0] * m, [0] * m, [0] * m
    taken: list[tuple[int, ...]] = [()] * m
    state = choice
    for pos in range(m - 1, -1, -1):
        state, taken[pos], arrival[pos], start[pos], end[pos] = trail[pos][state]
    slots: list[BreakSlot] = []
    leave = _start_states(ctx)[state]  # breaks done then were left behind, closed before
    t = leave
    for pos in range(m):
        for b in taken[pos]:
            brk = breaks[b]
            begin = max(t, brk.earliest_s)
            slots.append(BreakSlot(b, pos, begin, begin + brk.duration_s))
            t = begin + brk.duration_s
        t = end[pos]
    depart = leave
    first_has_break = any(s.before == 0 for s in slots)
    if first_has_break:
        depart = slots[0].start_s  # the day starts with the break, not with idling before it
    elif m > 1:
        i, j = path[0], path[1]
        leg = int(drive[i, j]) + int(inst.arrival_overhead_s[i, j])
        depart = max(depart, start[0] - leg)
        arrival[0] = depart + leg
    legs = list(itertools.pairwise(path))
    drive_total = int(sum(int(drive[i, j]) for i, j in legs))
    dist = float(sum(inst.distances(np.array(path[:-1]), np.array(path[1:]))))
    return RouteSchedule(
        vehicle=vehicle,
        nodes=tuple(path[1:-1]),
        depart_s=depart,
        arrival_s=tuple(arrival[:-1]),
        start_s=tuple(start[:-1]),
        end_s=tuple(end[:-1]),
        end_arrival_s=arrival[-1],
        breaks=tuple(slots),
        drive_s=drive_total,
        distance_m=dist,
    )


def route_drive_s(inst: RoutingInstance, vehicle: int, nodes: list[int]) -> int:
    """Integer driving seconds of a route from its start place to its end place."""
    drive = inst.drive_s(float(inst.speed_factor[vehicle]))
    path = [inst.start_node(vehicle), *nodes, inst.end_node(vehicle)]
    return int(sum(int(drive[i, j]) for i, j in itertools.pairwise(path)))


def route_violations(inst: RoutingInstance, vehicle: int, nodes: list[int]) -> list[str]:
    """Side constraints beyond timing that a route breaks (eligibility, jobs, driving,
    van stock); empty when none. Timing is `schedule_route`'s job."""
    problems: list[str] = []
    tickets = [inst.ticket_of(n) for n in nodes if inst.is_ticket(n)]
    if any(not inst.allowed[k, vehicle] for k in tickets):
        problems.append("ticket not allowed for this technician")
    if 0 <= inst.max_jobs[vehicle] < len(tickets):
        problems.append("max_jobs")
    limit = int(inst.max_travel_s[vehicle])
    if limit >= 0 and nodes and route_drive_s(inst, vehicle, nodes) > limit:
        problems.append("max_travel")
    if not running_stock_ok(inst, vehicle, nodes):
        problems.append("van stock")
    return problems


def changed_keep_side_rules(
    inst: RoutingInstance, before: list[list[int]], after: list[list[int]]
) -> bool:
    """Every route of `after` that differs from `before` keeps its side rules
    (`route_violations`): the check a search makes before keeping routes it changed."""
    return not any(
        new != old and route_violations(inst, v, new)
        for v, (old, new) in enumerate(zip(before, after, strict=True))
    )


def route_ok(inst: RoutingInstance, vehicle: int, nodes: list[int]) -> bool:
    """Every rule holds for this route: its side constraints and its exact timing."""
    return not route_violations(inst, vehicle, nodes) and route_feasible(inst, vehicle, nodes)


def serves_alone(
    inst: RoutingInstance,
    vehicle: int,
    node: int,
    fetches: Sequence[Sequence[int]],
    first: Sequence[int] = (),
) -> bool:
    """Whether a route holding nothing but ticket `node` keeps every rule, as it is or
    after one of `fetches` (ways to fetch its parts: `RoutingInstance.pickup_groups`, or
    the open ones of `parts.open_pickups`); a depot detour may break a driving limit.
    `first` are nodes the route must begin with (a re-plan's visit under way)."""
    return any(route_ok(inst, vehicle, [*first, *extra, node]) for extra in ((), *fetches))
