"""Parts along a route: running van stock with depot pickups, and depot stock over a plan.

The rule (contract v1) is simple and global: a van starts with its stock, a pickup adds
what it loads, a ticket takes its parts, and the running stock never goes below zero;
over all routes, no depot gives out more than it holds. Pickups are fungible loads, so
one depot stop may feed several later tickets.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from dispatch_opt.routing.instance import RoutingInstance


def running_stock_ok(inst: RoutingInstance, vehicle: int, nodes: Sequence[int]) -> bool:
    """True when the van's stock never goes negative along `nodes`."""
    if not inst.demand.shape[1] or not len(nodes):
        return True
    level = np.cumsum(inst.parts_delta[np.asarray(nodes, dtype=np.int64)], axis=0)
    return bool((level >= -inst.stock[vehicle]).all())


def stock_levels(inst: RoutingInstance, vehicle: int, nodes: Sequence[int]) -> np.ndarray:
    """(stops + 1, S): the van's stock as it leaves its start, then after each of `nodes`."""
    delta = inst.parts_delta[np.asarray(nodes, dtype=np.int64)]
    return np.vstack([inst.stock[vehicle], delta]).cumsum(axis=0)


def lowest_ahead(levels: np.ndarray) -> np.ndarray:
    """(rows, S): per row of `levels`, the lowest level from that row on (what a load put
    there may lift, and what a ticket put there must not take below zero)."""
    return np.minimum.accumulate(levels[::-1], axis=0)[::-1]


def depot_use(inst: RoutingInstance, routes: Sequence[Sequence[int]]) -> np.ndarray:
    """(D, S) parts loaded at each depot over all routes."""
    used = np.zeros_like(inst.depot_stock)
    pickups = [inst.pickup_of(n) for nodes in routes for n in nodes if inst.is_pickup(n)]
    if pickups:
        np.add.at(used, inst.pickup_depot[pickups], inst.pickup_load[pickups])
    return used


def open_pickups(
    inst: RoutingInstance, k: int, depot_left: np.ndarray, in_use: set[int]
) -> list[tuple[int, ...]]:
    """The ways to fetch ticket k's parts still open (`RoutingInstance.pickup_groups`):
    none of their pickup nodes on a route yet (each serves once), and each one's depot
    still holding what it loads (`depot_left`: (D, S) stock not yet given out)."""
    found = []
    for group in inst.pickup_groups[k]:
        if any(node in in_use for node in group):
            continue
        ps = [inst.pickup_of(node) for node in group]
        if all((inst.pickup_load[p] <= depot_left[inst.pickup_depot[p]]).all() for p in ps):
            found.append(group)
    return found


def drive_along(drive: np.ndarray, nodes: Sequence[int]) -> int:
    """Driving from the first of `nodes` to the last, in order (`drive`: one van's
    node-to-node matrix), as through the depots of a split load."""
    return sum(int(drive[x, y]) for x, y in itertools.pairwise(nodes))


def open_pickups_given(
    inst: RoutingInstance, routes: Sequence[Sequence[int]], k: int
) -> list[tuple[int, ...]]:
    """`open_pickups` of ticket k given whole routes: pickups on none of them whose depot
    still holds their load after what the routes take."""
    if not len(inst.ticket_pickups[k]):
        return []
    left = inst.depot_stock - depot_use(inst, routes)
    return open_pickups(inst, k, left, {n for r in routes for n in r})


def depots_overdrawn(inst: RoutingInstance, routes: Sequence[Sequence[int]]) -> bool:
    """True when some depot would give out more of a SKU than it holds."""
    if not inst.n_pickups:
        return False
    return bool((depot_use(inst, routes) > inst.depot_stock).any())


def drop_idle_pickups(inst: RoutingInstance, vehicle: int, nodes: Sequence[int]) -> list[int]:
    """The route without pickups its tickets do not need (latest first), keeping the
    running stock feasible; a feasible route stays feasible."""
    kept = list(nodes)
    for i in range(len(kept) - 1, -1, -1):
        if inst.is_pickup(kept[i]):
            trial = kept[:i] + kept[i + 1 :]
            if running_stock_ok(inst, vehicle, trial):
                kept = trial
    return kept


def attribute_pickups(
    inst: RoutingInstance, vehicle: int, nodes: Sequence[int]
) -> tuple[dict[int, list[int]], np.ndarray]:
    """Which tickets each pickup feeds, and what the route takes from the van.

    A ticket draws from the van first, then from the earliest loads still on board."""
    n_s = inst.demand.shape[1]
    van = inst.stock[vehicle].astype(np.int64).copy()
    from_van = np.zeros(n_s, dtype=np.int64)
    loads: list[tuple[int, np.ndarray]] = []
    fed: dict[int, list[int]] = {}
    for node in nodes:
        if inst.is_pickup(node):
            loads.append((node, inst.pickup_load[inst.pickup_of(node)].astype(np.int64).copy()))
            fed[node] = []
        elif inst.is_ticket(node) and n_s:
            k = inst.ticket_of(node)
            need = inst.demand[k].astype(np.int64).copy()
            take = np.minimum(need, np.maximum(van, 0))
            van -= take
            from_van += take
            need -= take
            for pnode, left in loads:
                if not need.any():
                    break
                take = np.minimum(need, left)
                if take.any():
                    left -= take
                    need -= take
                    fed[pnode].append(k)
    return fed, from_van
