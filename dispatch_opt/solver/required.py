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
from dispatch_opt.routing.timeline import route_drive_s, route_ok


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
    """(vehicle, new route) adding the least driving while keeping the route feasible."""
    k = inst.ticket_of(node)
    pickups = open_pickups_given(inst, routes, k)
    best: tuple[int, int, list[int]] | None = None
    for v in np.flatnonzero(inst.allowed[k]):
        v = int(v)
        base = route_drive_s(inst, v, routes[v])
        for pos in range(len(routes[v]) + 1):
            for trial in insertion_variants(inst, routes, v, pos, node, pickups):
                if not route_ok(inst, v, trial):
                    continue
                extra = route_drive_s(inst, v, trial) - base
                if best is None or extra < best[0]:
                    best = (extra, v, trial)
    return None if best is None else (best[1], best[2])


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
