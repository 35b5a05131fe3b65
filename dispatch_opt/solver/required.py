"""Make good on the contract's promise: a required ticket that some plan can serve is
served, at any cost to the rest.

After the search, each unserved required ticket is inserted at its cheapest feasible
place; when no route has room, it goes on the technician who can serve it alone and
that route sheds its lightest optional tickets until it is feasible again. When a
technician's day is held by other required tickets, one of them makes way when that
serves more required tickets in all: it moves to another route, or the tickets left out
fit in its place (`_trade_required`).
"""

from __future__ import annotations

import numpy as np

from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.parts import drive_along, drop_idle_pickups, open_pickups_given
from dispatch_opt.routing.timeline import route_ok, serves_alone


def insertion_variants(
    inst: RoutingInstance,
    routes: list[list[int]],
    v: int,
    pos: int,
    node: int,
    pickups: list[tuple[int, ...]] | None = None,
) -> list[list[int]]:
    """Route v with the ticket at `pos`: alone, or right after one of its open ways to
    fetch its parts (`pickups`, from `open_pickups_given`; computed here when not given)."""
    base = routes[v]
    if pickups is None:
        pickups = open_pickups_given(inst, routes, inst.ticket_of(node))
    return [[*base[:pos], *extra, node, *base[pos:]] for extra in ((), *pickups)]


def _cheapest_insertion(
    inst: RoutingInstance, routes: list[list[int]], node: int, vehicles: np.ndarray | None = None
) -> tuple[int, list[int]] | None:
    """(vehicle, new route) adding the least driving while keeping the route feasible;
    among `vehicles` when given.

    Every placement's added driving is a sum of matrix entries, so all are priced first
    and only checked, cheapest first, until one is feasible: the same answer as checking
    them all (ties go to the first vehicle, position and variant, as before), without
    checking them all (10 ms a ticket on a 5,000-ticket day whose routes are empty)."""
    k = inst.ticket_of(node)
    pickups = open_pickups_given(inst, routes, k)
    priced: list[tuple[int, int, int, int]] = []  # (extra, v, pos, variant), in order
    for v in _qualified(inst, k, vehicles):
        v = int(v)
        drive = inst.drive_s(float(inst.speed_factor[v]))
        path = np.array([inst.start_node(v), *routes[v], inst.end_node(v)], dtype=np.int64)
        a, b = path[:-1], path[1:]
        to_end = drive[node, b].astype(np.int64) - drive[a, b]
        via = [drive[a, node].astype(np.int64)]  # reaching the ticket: directly, or
        via += [drive[a, g[0]].astype(np.int64) + drive_along(drive, [*g, node]) for g in pickups]
        for pos in range(len(path) - 1):
            priced.extend((int(via[i][pos] + to_end[pos]), v, pos, i) for i in range(len(via)))
    priced.sort(key=lambda c: c[0])  # stable: ties keep the order above
    for _, v, pos, variant in priced:
        trial = insertion_variants(inst, routes, v, pos, node, pickups)[variant]
        if route_ok(inst, v, trial):
            return v, trial
    return None


def _qualified(inst: RoutingInstance, k: int, vehicles: np.ndarray | None) -> np.ndarray:
    """The vehicles allowed to serve ticket k, among `vehicles` when given."""
    allowed = np.flatnonzero(inst.allowed[k])
    return allowed if vehicles is None else allowed[np.isin(allowed, vehicles)]


def force_in(
    inst: RoutingInstance,
    routes: list[list[int]],
    node: int,
    vehicles: np.ndarray | None = None,
    effort: list[int] | None = None,
) -> list[int] | None:
    """Put the ticket on a route that can hold it by dropping optional tickets (among
    `vehicles` when given), or, while `effort[0]` lasts (one per try), by re-ordering
    the route's required tickets (`_required_only`); returns the dropped nodes, or None
    when no technician can serve it even alone. Changes `routes` only when it succeeds."""
    k = inst.ticket_of(node)
    pickups = open_pickups_given(inst, routes, k)
    for v in _qualified(inst, k, vehicles):
        v = int(v)
        if not serves_alone(inst, v, node, pickups):
            continue
        for pos in range(len(routes[v]) + 1):
            for kept in insertion_variants(inst, routes, v, pos, node, pickups):
                fixed = {n for n in kept if n not in routes[v]}
                dropped: list[int] = []
                optional = sorted(
                    (
                        n
                        for n in kept
                        if n not in fixed
                        and not (inst.is_ticket(n) and inst.required[inst.ticket_of(n)])
                    ),
                    key=inst.drop_penalty,
                )
                for victim in optional:
                    if route_ok(inst, v, kept):
                        break
                    kept.remove(victim)
                    dropped.append(victim)
                if route_ok(inst, v, kept):
                    routes[v] = drop_idle_pickups(inst, v, kept)
                    return dropped
        if effort is None or effort[0] <= 0:
            continue
        effort[0] -= 1
        rebuilt = _required_only(inst, routes, v, node)
        if rebuilt is not None:  # its required tickets in another order, optional work out
            dropped = [n for n in routes[v] if n not in rebuilt]
            routes[v] = rebuilt
            return dropped
    return None


def _required_only(
    inst: RoutingInstance, routes: list[list[int]], v: int, node: int
) -> list[int] | None:
    """Route v rebuilt from its required tickets and `node` alone, inserted one by one
    where each adds the least driving: by their earliest window's end, or else its
    start. None when neither order fits them all. Dropping optional work keeps the
    required tickets' order, and a day may hold them only in another one."""
    must = [n for n in routes[v] if inst.is_ticket(n) and inst.required[inst.ticket_of(n)]]
    if not must or inst.held[inst.tickets_in(must)].any():
        return None  # no required ticket to re-order (dropping work was tried), or held
    must.append(node)
    only_v = np.array([v])
    for column in (1, 0):
        order = sorted(must, key=lambda n: int(inst.windows[inst.ticket_of(n)][0, column]))
        trial = list(routes)  # only route v is replaced
        trial[v] = []
        for n in order:
            place = _cheapest_insertion(inst, trial, n, only_v)
            if place is None:
                break
            trial[v] = place[1]
        else:
            return trial[v]
    return None


def _place(
    inst: RoutingInstance,
    routes: list[list[int]],
    node: int,
    effort: list[int],
    vehicles: np.ndarray | None = None,
) -> bool:
    """Put the ticket where it adds the least driving, else in place of optional work
    (`force_in`), among `vehicles` when given; whether it went in."""
    place = _cheapest_insertion(inst, routes, node, vehicles)
    if place is not None:
        v, nodes = place
        routes[v] = nodes
        return True
    return force_in(inst, routes, node, vehicles, effort) is not None


REPAIR_EFFORT = 30
"""Route rebuilds and trades `ensure_required` tries at most per call, together (an
effort bound, the same on any machine). A 1,000-ticket day with 510 required tickets
took 24-41 s in the repair without a bound, 1.8-2.3 s with 100 and 1.3-2.3 s with 30
(2.1 s before either existed); solved with a 2 s limit on a loaded machine it answered in
3.00 s with 30 (633 served), 3.29-3.40 s with 100, and 2.96 s before (582 served). The
audit's cases need a handful."""


def _trade_required(
    inst: RoutingInstance, routes: list[list[int]], missing: list[int], effort: list[int]
) -> list[list[int]] | None:
    """Routes serving more required tickets, or as many but heavier ones, made by taking
    one required ticket q off a route v that a missing one could take: the missing ones
    go on v first (in place of optional work if need be), then q goes wherever it fits.
    None when no such trade does (a 60-ticket day left out a required ticket only T00
    could serve while T00's day held another that T02 could take; a one-technician day
    served 4 of its required tickets where 5 fit together; an urgent required ticket lost
    its technician's one job to a low one). The required penalty counts the tickets
    first, then their weight (`routing.compile`). Each trade tried takes one from
    `effort[0]`; none is tried once it is spent."""
    served_now = _required_served(inst, routes)
    for node in missing:
        k = inst.ticket_of(node)
        pickups = open_pickups_given(inst, routes, k)
        for v in np.flatnonzero(inst.allowed[k]):
            v = int(v)
            others = [q for q in routes[v] if _tradable(inst, q)]
            if not others or not serves_alone(inst, v, node, pickups):
                continue
            only_v = np.array([v])
            for q in others:
                if effort[0] <= 0:
                    return None
                effort[0] -= 1
                trial = list(routes)  # routes are replaced, never changed in place
                trial[v] = drop_idle_pickups(inst, v, [n for n in trial[v] if n != q])
                if not _place(inst, trial, node, effort, only_v):
                    continue
                for other in missing:  # in q's place too
                    if other != node:
                        _place(inst, trial, other, effort, only_v)
                _place(inst, trial, q, effort)
                if _required_served(inst, trial) > served_now:
                    return trial
    return None


def _tradable(inst: RoutingInstance, node: int) -> bool:
    """Whether a repair may take this stop off its route for another required ticket: a
    required ticket that a re-plan does not hold where it is (`RoutingInstance.held`)."""
    if not inst.is_ticket(node):
        return False
    k = inst.ticket_of(node)
    return bool(inst.required[k] and not inst.held[k])


def _required_served(inst: RoutingInstance, routes: list[list[int]]) -> int:
    """The drop penalties of the required tickets `routes` serve (a Python int: these
    are large)."""
    tickets = inst.tickets_in([n for r in routes for n in r])
    return sum(int(p) for p in inst.penalty[tickets[inst.required[tickets]]])


def ensure_required(inst: RoutingInstance, routes: list[list[int]]) -> list[list[int]]:
    """Routes in which every required ticket that can be served alone is served, as far
    as the required tickets fit together: the most of them, then the heaviest
    (`_trade_required`)."""
    if not inst.required.any():
        return routes
    routes = [list(r) for r in routes]
    served = {n for r in routes for n in r}
    missing = []
    candidates = np.flatnonzero(inst.required & inst.allowed.any(axis=1))
    heaviest_first = candidates[np.argsort(-inst.penalty[candidates], kind="stable")]
    nodes = [inst.ticket_node(int(k)) for k in heaviest_first]
    effort = [REPAIR_EFFORT]
    for node in nodes:
        if node not in served and not _place(inst, routes, node, effort):
            missing.append(node)
    while missing:
        traded = _trade_required(inst, routes, missing, effort)
        if traded is None:
            break
        routes = traded
        served = {n for r in routes for n in r}
        missing = [n for n in nodes if n not in served]  # a traded one may fit later
    return routes
