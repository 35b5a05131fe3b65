"""Depot pickup options: where a van lacking a ticket's parts may load them first.

For each ticket that some allowed van cannot cover from its own stock, or from it less the
parts of the tickets only that van may serve (such as visits pinned to it), the few nearest
depots holding the missing SKUs become pickup nodes. A depot gets one node per distinct
van shortfall (a van holding one of two pumps loads one, not two: the depot's last pump
then still serves), at most `LOADS_PER_DEPOT`, the largest always among them. Only
tickets and depots that matter get nodes, so the instance grows by at most
`DEPOTS_PER_TICKET * LOADS_PER_DEPOT` nodes per part-needing ticket. Where no one depot
completes some lacking van, a split load is offered instead: two depots, or three where no
two do, whose pickup nodes are partners (`RoutingInstance.pickup_partner`), fetched
together. A van may then serve a ticket only if its stock, or its stock plus one such load
(or split load) fetched in time (start -> depot within its hours -> ticket within a window
-> end, each depot of a split checked on its own), covers the parts.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from dispatch_opt.domain.plan import Reason, ReasonCode
from dispatch_opt.domain.problem import Problem
from dispatch_opt.routing.eligibility import (
    SPLIT_MOST,
    padded_windows,
    parts_covered,
    parts_detail,
    window_fit,
)
from dispatch_opt.routing.instance import RoutingInstance

DEPOTS_PER_TICKET = 2
"""Depots per ticket that get pickup options (the nearest that can supply it)."""

LOADS_PER_DEPOT = 3
"""Distinct loads per ticket and depot: the largest shortfall, then the smallest ones."""


SPLITS_PER_TICKET = 2
"""Split loads per ticket (sets of depots), when no one depot completes a van."""

SPLIT_DEPOTS = 6
"""The nearest depots holding some missing SKU among which a split load's depots are sought."""

DEPOTS_AT_ONCE = 8
"""Depots whose loads for a ticket are tested in one array operation, nearest first: the
test's array is depots x loads x lacking vans x SKUs, so it stays small however many
depots a day has."""


_Loads = tuple[int, int, list[np.ndarray]]
"""A ticket, a depot, and the loads offered to the ticket there."""


@dataclasses.dataclass
class _Option:
    """One candidate pickup: ticket k loads `load` at depot d; `split` numbers the split
    load it is part of (-1: it loads alone)."""

    ticket: int
    depot: int
    load: np.ndarray
    split: int = -1


def _options(inst: RoutingInstance, allowed: np.ndarray) -> list[_Option]:
    """Pickup candidates: per ticket some allowed van cannot cover, the nearest depots
    whose shelves complete at least one such van."""
    if not inst.n_depots or not inst.demand.shape[1]:
        return []
    groups: list[_Loads] = []
    splits: list[_Option] = []
    next_split = 0  # the number of the next split load
    first = inst.first_ticket_node
    depot_nodes = 2 * inst.n_vehicles + np.arange(inst.n_depots)
    sole, claimed = _claimed_stock(inst, allowed)
    needing = np.flatnonzero(inst.demand.any(axis=1) & allowed.any(axis=1))
    to_ticket = inst.durations(*np.ix_(depot_nodes, first + needing))  # (D, needing)
    nearest = np.argsort(to_ticket.T, axis=1, kind="stable")  # per ticket, its depots
    ready = inst.depot_open[:, 0] + inst.service_s[depot_nodes]  # a load's earliest end
    for k, by_drive in zip(needing.tolist(), nearest, strict=True):
        order = _open_in_time_first(inst, k, allowed[k], by_drive, ready)
        need = inst.demand[k]
        others = claimed[allowed[k]]
        if sole[k] >= 0:  # its own claim is not another ticket's
            others = others - need[None, :]
        own = inst.stock[allowed[k]]  # both ways: the claims only add options
        vans = np.concatenate([own, np.maximum(own - others, 0)])
        short_vans = vans[(vans < need).any(axis=1)]
        if not len(short_vans):
            continue
        found_here, completed = _depot_loads(inst, k, short_vans, order)
        before = _before(inst, sole, k)  # added on top: it never crowds out the others
        if len(before) and (before < need).any():
            more, _ = _depot_loads(inst, k, before, order)
            found_here += [g for g in more if not _offered(g, found_here)]
        groups.extend(found_here)
        if not completed.all():
            found = _splits(inst, k, short_vans[~completed], order, next_split)
            splits.extend(found)
            next_split = found[-1].split + 1 if found else next_split
    return _contested_only(inst, groups) + splits


def _open_in_time_first(
    inst: RoutingInstance, k: int, vans: np.ndarray, order: np.ndarray, ready: np.ndarray
) -> np.ndarray:
    """`order` (depots, nearest first) with the depots whose hours could serve ticket k
    first: a load ready (open + pickup time) by the last start of the ticket's windows
    and by the latest end of one of its `vans`, and the depot still open when the
    earliest shift of them begins. The others follow, so that a ticket no depot serves
    in time is still told which depots hold its parts. Two nearest depots open only
    after the shifts hid an open one farther away (audit finding F: a required ticket
    declared infeasible)."""
    by = min(int(inst.windows[k][:, 1].max()), int(inst.latest_end_s[vans].max()))
    first_shift = int(inst.shift_start_s[vans].min())
    in_time = (ready[order] <= by) & (inst.depot_open[order, 1] >= first_shift)
    return np.concatenate([order[in_time], order[~in_time]])


def _splits(
    inst: RoutingInstance, k: int, vans: np.ndarray, order: np.ndarray, first_split: int
) -> list[_Option]:
    """Split loads for ticket k when no one depot completes the `vans` ((W, S) stock of
    the qualified vans still lacking): sets of two depots, then of three for the vans no
    two complete (up to `SPLIT_MOST`), among the nearest `SPLIT_DEPOTS` holding a SKU
    those vans lack, each loading in turn what it can of the rest of their shortfall, the
    nearer first; nearest sets first (by the drives from each to the ticket), at most
    `SPLITS_PER_TICKET` sets of each size, numbered from `first_split`. A set where some
    depot would load nothing is left to the smaller set."""
    need = inst.demand[k]
    found: list[_Option] = []
    split = first_split
    for size in range(2, SPLIT_MOST + 1):
        short = np.where((vans < need).any(axis=0), need, 0)
        holding = [int(d) for d in order if (np.minimum(short, inst.depot_stock[d]) > 0).any()]
        holding = holding[:SPLIT_DEPOTS]
        rank = {d: i for i, d in enumerate(holding)}
        sets = sorted(
            itertools.combinations(holding, size), key=lambda ds: sum(rank[d] for d in ds)
        )
        covered = np.zeros(len(vans), dtype=bool)
        n_sets = 0
        for depots in sets:
            loads, rest = [], short
            for d in depots:
                loads.append(np.minimum(rest, inst.depot_stock[d]))
                rest = rest - loads[-1]
            if not all(load.any() for load in loads):
                continue
            completes = ((vans + sum(loads)) >= need).all(axis=1)
            if not completes.any():
                continue
            covered |= completes
            found += [_Option(k, d, load, split) for d, load in zip(depots, loads, strict=True)]
            split += 1
            n_sets += 1
            if n_sets >= SPLITS_PER_TICKET:
                break
        vans = vans[~covered]
        if not len(vans):
            break
    return found


def _claimed_stock(inst: RoutingInstance, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Van stock other tickets are sure to want: per ticket the one van it is allowed on
    (-1 when none or several: pinned and held visits have one), and per van (V, S) the
    parts of the tickets only it may serve. Two visits pinned to a van holding one part
    for both need a pickup between them, though each alone is covered by the van."""
    counts = allowed.sum(axis=1)
    sole = np.where(counts == 1, allowed.argmax(axis=1), -1)
    claimed = np.zeros_like(inst.stock)
    mine = np.flatnonzero((sole >= 0) & inst.demand.any(axis=1))
    np.add.at(claimed, sole[mine], inst.demand[mine])
    return sole, claimed


def _depot_loads(
    inst: RoutingInstance, k: int, short_vans: np.ndarray, order: np.ndarray
) -> tuple[list[_Loads], np.ndarray]:
    """Ticket k's loads at its nearest `DEPOTS_PER_TICKET` depots (in `order`) that
    complete some of `short_vans` ((W, S) lacking van stock): (ticket, depot, loads) per
    depot, and per van whether some load found completes it.

    A depot's loads are the wanted shortfalls (`_shortfalls`) each capped by its shelf,
    kept when it completes some lacking van, distinct, at most `LOADS_PER_DEPOT`; smallest
    first, so that a van both complete takes the smaller (the construction keeps the
    first of equally cheap options). The last is the largest: the first wanted load
    covers every other one wherever the shelf allows. Every depot and load is tested at
    once, on the ticket's SKUs only."""
    need = inst.demand[k]
    cols = np.flatnonzero(need)  # a ticket needs few SKUs: work on those columns only
    vans = short_vans[:, cols]
    wanted = _shortfalls(need[cols], vans)
    found: list[_Loads] = []
    completed = np.zeros(len(short_vans), dtype=bool)
    for lo in range(0, len(order), DEPOTS_AT_ONCE):  # nearest first, a few at a time
        depots = order[lo : lo + DEPOTS_AT_ONCE]
        shelves = inst.depot_stock[depots][:, cols]
        loads = np.minimum(wanted[None, :, :], shelves[:, None, :])  # (depots, wanted, cols)
        completes = (vans[None, None, :, :] + loads[:, :, None, :] >= need[cols]).all(axis=3)
        useful = loads.any(axis=2) & completes.any(axis=2)  # (depots, wanted)
        for i in np.flatnonzero(useful.any(axis=1)):
            kept: dict[tuple[int, ...], int] = {}  # each distinct load, its row in `wanted`
            for w in np.flatnonzero(useful[i]):
                kept.setdefault(tuple(loads[i, w].tolist()), int(w))
                if len(kept) >= LOADS_PER_DEPOT:
                    break
            full = np.zeros((len(kept), len(need)), dtype=np.int64)
            full[:, cols] = loads[i, list(kept.values())]
            completed |= completes[i, list(kept.values())].any(axis=0)
            found.append((k, int(depots[i]), sorted(full, key=lambda load: int(load.sum()))))
            if len(found) >= DEPOTS_PER_TICKET:
                return found, completed
    return found, completed


def _offered(group: _Loads, found: list[_Loads]) -> bool:
    """Whether `found` already offers every load of `group` at its depot."""
    _, d, loads = group
    have = [load for _, e, ls in found if e == d for load in ls]
    return all(any(np.array_equal(load, h) for h in have) for load in loads)


def _before(inst: RoutingInstance, sole: np.ndarray, k: int) -> np.ndarray:
    """(0 or 1, S): in a re-plan, the van of a visit only it may serve (held there, or
    the one van qualified) less the parts of the others only it may serve that its
    previous plan put earlier (by their previous starts): the van as it reaches k when
    the later visits fetch their own parts. Subtracting every claim left out the lone
    load a previous plan fetched just before it (a split load apart on the route, the
    later visits loading elsewhere). Empty (0, S) without previous starts: fresh plans;
    slot offers have them (`replan.slots`)."""
    start = inst.prev_start_s
    v = int(sole[k])
    if v < 0 or start[k] < 0:
        return np.zeros((0, inst.stock.shape[1]), dtype=inst.stock.dtype)
    earlier = (sole == v) & (start >= 0) & (start < start[k])
    return np.maximum(inst.stock[v] - inst.demand[earlier].sum(axis=0), 0)[None, :]


def _contested_only(inst: RoutingInstance, groups: list[_Loads]) -> list[_Option]:
    """The options of each (ticket, depot, loads smallest first) without the smaller
    loads that spare nothing scarce: a smaller load is kept only when it leaves on the
    shelf some SKU the depot's largest loads ask more of than it holds. Uncontested, it
    would only grow the search: kept everywhere, the benchmark days had 17-24% more
    pickup nodes (2,650 against 2,146 at 3,000 tickets), kept where contested 1-21%
    (2,593)."""
    asked = np.zeros_like(inst.depot_stock)
    for _, d, loads in groups:
        asked[d] += loads[-1]
    scarce = asked > inst.depot_stock
    options: list[_Option] = []
    for k, d, loads in groups:
        largest = loads[-1]
        smaller = [load for load in loads[:-1] if (scarce[d] & (largest > load)).any()]
        options.extend(_Option(k, d, load) for load in [*smaller, largest])
    return options


def _shortfalls(want: np.ndarray, vans: np.ndarray) -> np.ndarray:
    """(W, C) the distinct loads that would complete the lacking vans, on the ticket's
    SKUs only (`want`: its parts there, `vans`: (W, C) their stock there): first what
    completes every one of them (the ticket's parts in any SKU some van lacks), then
    each van's own shortfall, fewest parts first."""
    gap = np.maximum(want - vans, 0)
    radix = np.cumprod(np.concatenate([[1], want[:-1] + 1]))  # one int per row
    codes = np.unique(gap @ radix)  # np.unique(axis=0) took 0.19 s at 3,000 tickets
    own = (codes[:, None] // radix[None, :]) % (want + 1)[None, :]
    own = own[np.argsort(own.sum(axis=1), kind="stable")]
    every = np.where(gap.any(axis=0), want, 0)
    return np.vstack([every[None, :], own]).astype(np.int64)


def _reachable(inst: RoutingInstance, options: list[_Option]) -> np.ndarray:
    """(P, V) bool: per option, the vans for which start -> depot (loading inside its
    hours) -> ticket in a window -> end fits the shift (breaks ignored: a necessary
    condition, checked exactly later). All options at once, per speed group: one option
    at a time took 0.6 s for 3,620 options at 5,000 tickets."""
    n_v, n_p = inst.n_vehicles, len(options)
    ok = np.zeros((n_p, n_v), dtype=bool)
    if not n_p:
        return ok
    depots = np.array([o.depot for o in options], dtype=np.int64)
    tickets = np.array([o.ticket for o in options], dtype=np.int64)
    dnodes, tnodes = 2 * n_v + depots, inst.first_ticket_node + tickets
    pickup_s = inst.service_s[dnodes].astype(np.int64)
    lo, hi = inst.depot_open[depots, 0], inst.depot_open[depots, 1]
    same_place = inst.loc_id[dnodes] == inst.loc_id[tnodes]
    over = np.where(same_place, 0, inst.overhead_s)
    service = inst.service_s[tnodes].astype(np.int64)[:, None]
    windows = padded_windows(inst, tickets)
    for factor, vs in inst.speed_groups:  # per option (rows) and van (columns)
        to_depot = inst.least_drive(factor, vs[None, :], dnodes[:, None]).astype(np.int64)
        loaded = np.maximum(inst.shift_start_s[None, vs] + to_depot, lo[:, None])
        loaded += pickup_s[:, None]
        leg = inst.least_drive(factor, dnodes, tnodes).astype(np.int64) + over
        back = inst.least_drive(factor, tnodes[:, None], n_v + vs[None, :]).astype(np.int64)
        latest = inst.latest_end_s[None, vs]
        fits, _ = window_fit(loaded + leg[:, None], windows, service, back, latest)
        ok[:, vs] = fits & (loaded <= hi[:, None])
    return ok


def _expand(inst: RoutingInstance, options: list[_Option]) -> RoutingInstance:
    """The instance with one pickup node per option, standing at its depot's place (the
    travel matrices stay as they are: `place` points the pickup at the depot's row)."""
    depots = np.array([o.depot for o in options], dtype=np.int64)
    copies = 2 * inst.n_vehicles + depots  # the depot node each pickup node stands at
    pickup_s = inst.service_s[2 * inst.n_vehicles + depots]
    window = np.stack([inst.depot_open[depots, 0] + pickup_s, inst.depot_open[depots, 1]], axis=1)
    place = np.arange(inst.n_nodes, dtype=np.int64) if inst.place is None else inst.place
    return dataclasses.replace(
        inst,
        loc_id=np.concatenate([inst.loc_id, inst.loc_id[copies]]),
        place=np.concatenate([place, place[copies]]),
        service_s=np.concatenate([inst.service_s, np.zeros(len(options), dtype=np.int64)]),
        pickup_depot=depots,
        pickup_ticket=np.array([o.ticket for o in options], dtype=np.int64),
        pickup_load=np.stack([o.load for o in options]).astype(np.int64),
        pickup_window=window.astype(np.int64),
        pickup_partner=_partners(options),
    )


def _partners(options: list[_Option]) -> np.ndarray:
    """(P,) per option the next pickup of its split load, a cycle through its members in
    their order (two members point at each other), -1 when it loads alone."""
    partner = np.full(len(options), -1, dtype=np.int64)
    for members in _by_split(options).values():
        partner[members] = np.roll(members, -1)
    return partner


def _by_split(options: list[_Option]) -> dict[int, list[int]]:
    """Per split load, the indices of its options in `options`, in their order."""
    members: dict[int, list[int]] = {}
    for i, opt in enumerate(options):
        if opt.split >= 0:
            members.setdefault(opt.split, []).append(i)
    return members


def add_pickups(
    problem: Problem,
    inst: RoutingInstance,
    allowed: np.ndarray,
    reasons: dict[int, tuple[Reason, ...]],
) -> tuple[RoutingInstance, np.ndarray]:
    """The instance with pickup nodes, and `allowed` narrowed to vans that can get the
    parts (their own, or one pickup in time); fills `reasons` for tickets left with
    nobody because no depot holding their parts can be reached in time."""
    options = _options(inst, allowed)
    reach = _reachable(inst, options)
    ways = _ways(options)
    tickets = np.array([options[g[0]].ticket for g in ways], dtype=np.int64)
    loads = np.zeros((len(ways), inst.demand.shape[1]), dtype=np.int64)
    fetch = np.ones((len(ways), inst.n_vehicles), dtype=bool)
    for w, members in enumerate(ways):
        for i in members:  # one option, or each depot of a split load
            loads[w] += options[i].load
            fetch[w] &= reach[i]
    short = np.maximum(inst.demand[tickets] - loads, 0)
    usable = fetch & parts_covered(inst.stock, short) & allowed[tickets]
    via = np.zeros(allowed.shape, dtype=bool)
    if len(ways):  # the ways come by ticket: OR each ticket's run of rows
        starts = np.flatnonzero(np.diff(tickets, prepend=-1))
        via[tickets[starts]] = np.logical_or.reduceat(usable, starts, axis=0)
    needing = inst.demand.any(axis=1)[:, None]
    given = allowed
    allowed = given & (~needing | parts_covered(inst.stock, inst.demand) | via)
    lost = np.flatnonzero(needing[:, 0] & given.any(axis=1) & ~allowed.any(axis=1))
    if len(lost):  # tickets left with nobody by their parts alone
        by_ticket: dict[int, list[tuple[_Option, np.ndarray]]] = {}
        for opt, r in zip(options, reach, strict=True):
            by_ticket.setdefault(opt.ticket, []).append((opt, r))
        for k in lost.tolist():
            reasons[k] = (_unreachable_reason(problem, inst, k, by_ticket.get(k, [])),)
    allowed.setflags(write=False)
    kept = [options[i] for w in np.flatnonzero(usable.any(axis=1)) for i in ways[w]]
    if not kept:
        return inst, allowed
    return _expand(inst, kept), allowed


def _ways(options: list[_Option]) -> list[list[int]]:
    """The options as ways to fetch a ticket's parts, by ticket: each lone option, then
    each split load (its members' indices in `options`), in the order of `options`. Every
    member of a split load is for the same ticket (`_splits`), so that a ticket's ways
    are one run of the list."""
    alone = [[i] for i, opt in enumerate(options) if opt.split < 0]
    ways = alone + list(_by_split(options).values())
    return sorted(ways, key=lambda members: options[members[0]].ticket)  # stable


def _unreachable_reason(problem: Problem, inst: RoutingInstance, k: int, options: list) -> Reason:
    """The parts exist (or not) but no qualified van can fetch them in time."""
    ticket = problem.tickets[k]
    depots = list(dict.fromkeys(inst.depot_ids[opt.depot] for opt, _ in options))
    if not depots:
        return Reason(ReasonCode.PARTS_UNAVAILABLE, parts_detail(problem, ticket))
    wanted = ", ".join(f"{sku} x{q}" for sku, q in ticket.parts.items())
    return Reason(
        ReasonCode.OUTSIDE_SHIFTS,
        f"needs {wanted}; stocked at {', '.join(depots)}, but no qualified technician "
        "can fetch it within the depot's hours and still reach the ticket inside a "
        "window and their shift",
    )
