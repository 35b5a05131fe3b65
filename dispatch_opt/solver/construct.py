"""A fast construction heuristic of our own: always-valid routes to warm-start the search.

Tickets are taken most valuable and most constrained first; each is tried only on the few
technicians whose current route passes closest to it, at the positions next to its
nearest stops, and every candidate is checked with the exact route timing
(`routing.timeline`), so the result honours every hard rule. OR-Tools' own insertion
heuristics need tens of seconds at 1,000 tickets; this needs a few.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.parts import drive_along, lowest_ahead, open_pickups, stock_levels
from dispatch_opt.routing.timeline import (
    RouteStates,
    route_drive_s,
    route_feasible,
    route_states,
    splice_feasible,
)
from dispatch_opt.solver.reach import RouteReach


def ticket_order(inst: RoutingInstance) -> np.ndarray:
    """Ticket order: required, then heavier weight, then narrower windows, then longer."""
    width = np.array([int((w[:, 1] - w[:, 0]).sum()) for w in inst.windows], dtype=np.int64)
    service = inst.service_s[inst.first_ticket_node : inst.first_pickup_node]
    keys = (service * -1, width, -inst.weight, ~inst.required)
    return np.lexsort(keys)


class _Routes:
    """Routes under construction with their driving, depot stock use and job counts."""

    def __init__(self, inst: RoutingInstance) -> None:
        self.inst = inst
        self.nodes: list[list[int]] = [[] for _ in range(inst.n_vehicles)]
        self.depot_left = inst.depot_stock.copy()
        self.drive = inst.drive_matrices([float(f) for f in inst.speed_factor])
        # what each route drives now: an empty one still drives start -> end (a count
        # from zero let routes to a separate end place pass the driving limit by that leg)
        self.drive_total = np.zeros(inst.n_vehicles, dtype=np.int64)
        for factor, vs in inst.speed_groups:
            self.drive_total[vs] = inst.drive_block(factor, vs, inst.n_vehicles + vs)
        self.pickups_in_use: set[int] = set()
        self._reach: RouteReach | None = None
        self._states: dict[tuple[int, bool], RouteStates | None] = {}  # (v, breaks kept)
        self._slack: dict[int, np.ndarray] = {}

    def reach(self) -> RouteReach:
        """Which routes pass nearest each ticket, built when first needed and kept up to
        date as routes grow."""
        if self._reach is None:
            self._reach = RouteReach(self.inst, self.nodes)
        return self._reach

    def states(self, v: int, breaks: bool = True) -> RouteStates | None:
        """Route v's timing states (None while it has no stops), kept until it changes;
        without `breaks`, those of the relaxation that leaves the technician's breaks out."""
        key = (v, breaks)
        if key not in self._states:
            self._states[key] = route_states(self.inst, v, self.nodes[v], breaks=breaks)
        return self._states[key]

    def stock_room(self, v: int, demand: np.ndarray) -> np.ndarray:
        """(stops + 1,) bool: inserting a ticket taking `demand` before stop p (p = the
        number of stops: at the end) keeps van v's running stock at or above zero. The
        ticket lowers every level from p on, so it fits when their minimum covers it."""
        slack = self._slack.get(v)
        if slack is None:
            slack = lowest_ahead(stock_levels(self.inst, v, self.nodes[v]))
            self._slack[v] = slack
        return (slack >= demand).all(axis=1)

    def fits(self, v: int, cut: int, middle: list[int], resume: int, breaks: bool = True) -> bool:
        """Whether route v changed to path[:cut + 1] + middle + path[resume:] has a
        timeline, re-timing only from the change on (from scratch while it is empty).
        Without `breaks`, of the relaxation: necessary for the timeline (a break only
        delays), and never helped by an extra stop on the way, where with breaks a depot
        stop can give a break a better place (a break is taken where the technician is)."""
        rs = self.states(v, breaks)
        if rs is None:
            nodes = [*self.nodes[v][:cut], *middle, *self.nodes[v][resume - 1 :]]
            return route_feasible(self.inst, v, nodes, breaks=breaks)
        return splice_feasible(rs, cut, middle, resume)

    def path(self, v: int) -> list[int]:
        """Start, stops, end."""
        return [self.inst.start_node(v), *self.nodes[v], self.inst.end_node(v)]

    def has_room(self, v: int) -> bool:
        """The job count allows one more ticket on route v."""
        return not 0 <= self.inst.max_jobs[v] <= self.n_tickets(v)

    def n_tickets(self, v: int) -> int:
        """Tickets on route v (pickups not counted)."""
        return sum(1 for n in self.nodes[v] if self.inst.is_ticket(n))

    def drive_allows(self, v: int, extra_drive: int) -> bool:
        """The driving limit allows `extra_drive` more seconds on route v."""
        limit = self.inst.max_travel_s[v]
        return limit < 0 or self.drive_total[v] + extra_drive <= limit

    def commit(self, v: int, nodes: list[int], extra_drive: int) -> None:
        """Replace route v by `nodes` (one more ticket, perhaps with pickups for it)."""
        inst = self.inst
        fresh = sorted(set(nodes) - set(self.nodes[v]))
        for node in fresh:
            if inst.is_pickup(node):
                p = inst.pickup_of(node)
                self.depot_left[inst.pickup_depot[p]] -= inst.pickup_load[p]
                self.pickups_in_use.add(node)
        if self._reach is not None:
            self._reach.come_closer(v, fresh)
        self.nodes[v] = nodes
        self._states.pop((v, True), None)
        self._states.pop((v, False), None)
        self._slack.pop(v, None)
        self.drive_total[v] += extra_drive

    def load(self, routes: list[list[int]]) -> None:
        """Start from existing feasible routes."""
        for v, nodes in enumerate(routes):
            extra = route_drive_s(self.inst, v, list(nodes)) - int(self.drive_total[v])
            self.commit(v, list(nodes), extra)


@dataclass(frozen=True)
class Focus:
    """Where the recreate after a ruin looks: the tickets the ruin took out go anywhere;
    tickets left out before it are tried only on the vehicles whose routes it changed
    (elsewhere nothing made room for them since they last failed), and, with `retry`,
    only those in it (the ones near the ruined place: see `lns.retry_set`)."""

    removed: set[int]
    changed: np.ndarray  # (V,) bool
    retry: set[int] | None = None


def _candidate_vehicles(
    inst: RoutingInstance, routes: _Routes, k: int, limit: int, among: np.ndarray | None = None
) -> list[int]:
    """Allowed technicians (within `among`, a (V,) mask, when given) whose start or
    current stops are nearest to ticket k."""
    allowed = np.flatnonzero(inst.allowed[k] if among is None else inst.allowed[k] & among)
    if len(allowed) > limit:  # else no need to build the table
        allowed = routes.reach().nearest(k, allowed, limit)
    return [int(v) for v in allowed]


def construct(
    inst: RoutingInstance,
    *,
    vehicles_per_ticket: int = 6,
    positions_per_route: int = 4,
    fetches_per_route: int = 1,
    routes: list[list[int]] | None = None,
    focus: Focus | None = None,
    deadline: float | None = None,
    unreached: list[int] | None = None,
    order: np.ndarray | None = None,
) -> list[list[int]]:
    """Feasible routes (instance nodes per vehicle) built by pruned cheapest insertion:
    per ticket, `vehicles_per_ticket` nearby routes, their `positions_per_route` cheapest
    positions, and a depot fetch tried at the `fetches_per_route` cheapest positions
    whose van lacks the parts.

    With `routes`, those (feasible) routes are kept and only the tickets they leave out
    are inserted: the recreate step of ruin-and-recreate, narrowed by `focus`.

    With `deadline` (a `time.perf_counter()` value) no ticket is tried once it has
    passed, so that a tight time limit still gets feasible routes in time; the tickets
    never tried are appended to `unreached` when it is given. `order` is `ticket_order`'s
    answer, when the caller keeps it across calls."""
    state = _Routes(inst)
    if routes is not None:
        state.load(routes)
    placed = {inst.ticket_of(n) for r in state.nodes for n in r if inst.is_ticket(n)}
    eligible = inst.allowed.any(axis=1)
    order = ticket_order(inst) if order is None else order
    for i, k in enumerate(order):
        k = int(k)
        if deadline is not None and time.perf_counter() > deadline:
            if unreached is not None:
                unreached.extend(int(j) for j in order[i:] if eligible[j] and j not in placed)
            break
        if eligible[k] and k not in placed:
            among = None
            if focus is not None and k not in focus.removed:
                if focus.retry is not None and k not in focus.retry:
                    continue
                among = focus.changed
            _insert_best(
                inst,
                state,
                k,
                vehicles_per_ticket,
                positions_per_route,
                among,
                fetches_per_route,
            )
    return state.nodes


def _with_pickup(
    inst: RoutingInstance, routes: _Routes, v: int, k: int, trial: list[int], pos: int
) -> tuple[int, list[int]] | None:
    """Cheapest way to make `trial` (ticket k at `pos`) stock-feasible with one of k's
    ways to fetch its parts (one pickup, or those of a split load, one after the
    other) placed before it: (extra driving of the pickups, new route), or None."""
    drive = routes.drive[v]
    a = np.array([inst.start_node(v), *trial[:pos]])  # the pickups go between a[q] and b[q]
    b = np.array([*trial[:pos], trial[pos]])
    groups = open_pickups(inst, k, routes.depot_left, routes.pickups_in_use)
    if not groups:
        return None
    best: tuple[int, list[int]] | None = None
    # the van's stock leaving its start, then after each stop of `trial`: loads (never
    # negative) put before stop q lift every level after it, so the route holds when the
    # levels up to q do and the lowest after, lifted, does (`running_stock_ok` on the
    # whole candidate)
    level = stock_levels(inst, v, trial)
    holds_up_to = np.logical_and.accumulate((level >= 0).all(axis=1))
    lowest_after = lowest_ahead(level)[1:]
    for group in groups:
        lift = inst.parts_delta[list(group)].sum(axis=0)
        if (level[-1] + lift < 0).any():
            continue  # these loads cannot even balance the day
        delta = drive[a, group[0]] + drive_along(drive, group) + drive[group[-1], b] - drive[a, b]
        for q in np.argsort(delta, kind="stable")[:3]:
            q = int(q)
            extra = int(delta[q])
            if best is not None and extra >= best[0]:
                break
            if not holds_up_to[q] or (lowest_after[q] + lift < 0).any():
                continue
            candidate = [*trial[:q], *group, *trial[q:]]
            middle = [*group, *trial[q : pos + 1]]  # the old stops q..pos-1, then ticket k
            if routes.fits(v, q, middle, pos + 1):
                best = (extra, candidate)
                break
    return best


def _insert_best(
    inst: RoutingInstance,
    routes: _Routes,
    k: int,
    n_vehicles: int,
    n_positions: int,
    among: np.ndarray | None = None,
    n_fetches: int = 1,
) -> bool:
    """Insert ticket k at its cheapest feasible place among the candidates (fetching its
    parts at a depot first when the van lacks them); True if placed."""
    node = inst.ticket_node(k)
    needs_parts = bool(inst.demand.shape[1]) and bool(inst.demand[k].any())
    best: tuple[int, int, list[int]] | None = None  # (extra drive, v, new route)
    for v in _candidate_vehicles(inst, routes, k, n_vehicles, among):
        if not routes.has_room(v):
            continue
        path = routes.path(v)
        drive = routes.drive[v]
        delta = drive[path[:-1], node] + drive[node, path[1:]] - drive[path[:-1], path[1:]]
        fetches_left = n_fetches
        stock_room = routes.stock_room(v, inst.demand[k]) if needs_parts else None
        for pos in np.argsort(delta, kind="stable")[:n_positions]:
            pos = int(pos)
            extra = int(delta[pos])
            if best is not None and extra >= best[0]:
                break
            if not routes.drive_allows(v, extra):
                break
            if stock_room is not None and not stock_room[pos]:
                if not fetches_left:
                    continue  # fetch attempts per route: `n_fetches`, at its cheapest positions
                fetches_left -= 1
                if inst.detours_only_delay and not routes.fits(
                    v, pos, [node], pos + 1, breaks=False
                ):
                    continue  # no fetch can fit here (most fetches tried fail so)
                trial = [*routes.nodes[v][:pos], node, *routes.nodes[v][pos:]]
                fetched = _with_pickup(inst, routes, v, k, trial, pos)
                if fetched is None:
                    continue
                total = extra + fetched[0]
                if (best is None or total < best[0]) and routes.drive_allows(v, total):
                    best = (total, v, fetched[1])
                continue
            if routes.fits(v, pos, [node], pos + 1):
                best = (extra, v, [*routes.nodes[v][:pos], node, *routes.nodes[v][pos:]])
                break
    if best is None:
        return False
    extra, v, nodes = best
    routes.commit(v, nodes, extra)
    return True
