"""Make good on the contract's promise: a required ticket that some plan can serve is
served, at any cost to the rest.

After the search, each unserved required ticket is inserted at its cheapest feasible
place; when no route has room, it goes on the technician who can serve it alone and
that route sheds its lightest optional tickets until it is feasible again.
"""

from __future__ import annotations

import numpy as np

from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.parts import drop_idle_pickups, open_pickups_given
from dispatch_opt.routing.timeline import route_ok


def insertion_variants(
    inst: RoutingInstance,
    routes: list[list[int]],
    v: int,
    pos: int,
    node: int,
    pickups: list[int] | None = None,
) -> list[list[int]]:
    """Route v with the ticket at `pos`: alone, or right after one of its open pickups
    (`pickups`, from `open_pickups_given`; computed here when not given)."""
    base = routes[v]
    if pickups is None:
        pickups = open_pickups_given(inst, routes, inst.ticket_of(node))
    return [[*base[:pos], *extra, node, *base[pos:]] for extra in ([], *([p] for p in pickups))]


def _cheapest_insertion(
    inst: RoutingInstance, routes: list[list[int]], node: int
) -> tuple[int, list[int]] | None:
    """(vehicle, new route) adding the least driving while keeping the route feasible.

    Every placement's added driving is a sum of matrix entries, so all are priced first
    and only checked, cheapest first, until one is feasible: the same answer as checking
    them all (ties go to the first vehicle, position and variant, as before), without
    checking them all (10 ms a ticket on a 5,000-ticket day whose routes are empty)."""
    k = inst.ticket_of(node)
    pickups = open_pickups_given(inst, routes, k)
    priced: list[tuple[int, int, int, int]] = []  # (extra, v, pos, variant), in order
    for v in np.flatnonzero(inst.allowed[k]):
        v = int(v)
        drive = inst.drive_s(float(inst.speed_factor[v]))
        path = np.array([inst.start_node(v), *routes[v], inst.end_node(v)], dtype=np.int64)
        a, b = path[:-1], path[1:]
        to_end = drive[node, b].astype(np.int64) - drive[a, b]
        via = [drive[a, node].astype(np.int64)]  # reaching the ticket: directly, or
        via += [drive[a, p].astype(np.int64) + int(drive[p, node]) for p in pickups]
        for pos in range(len(path) - 1):
            priced.extend((int(via[i][pos] + to_end[pos]), v, pos, i) for i in range(len(via)))
    priced.sort(key=lambda c: c[0])  # stable: ties keep the order above
    for _, v, pos, variant in priced:
        trial = insertion_variants(inst, routes, v, pos, node, pickups)[variant]
        if route_ok(inst, v, trial):
            return v, trial
    return None


def force_in(inst: RoutingInstance, routes: list[list[int]], node: int) -> list[int] | None:
    """Put the ticket on a route that can hold it by dropping optional tickets; returns
    the dropped nodes, or None when no technician can serve it even alone."""
    k = inst.ticket_of(node)
    pickups = open_pickups_given(inst, routes, k)
    for v in np.flatnonzero(inst.allowed[k]):
        v = int(v)
        alone = [[*extra, node] for extra in ([], *([p] for p in pickups))]
        if not any(route_ok(inst, v, a) for a in alone):
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
    return None


def ensure_required(inst: RoutingInstance, routes: list[list[int]]) -> list[list[int]]:
    """Routes in which every required ticket that can be served alone is served."""
    if not inst.required.any():
        return routes
    routes = [list(r) for r in routes]
    served = {n for r in routes for n in r}
    for k in np.flatnonzero(inst.required & inst.allowed.any(axis=1)):
        node = inst.ticket_node(int(k))
        if node in served:
            continue
        place = _cheapest_insertion(inst, routes, node)
        if place is not None:
            v, nodes = place
            routes[v] = nodes
        elif force_in(inst, routes, node) is None:
            continue
        served.add(node)
    return routes
