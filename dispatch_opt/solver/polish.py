"""Local search on the full objective: re-order each route, move tickets between routes,
swap tickets or route tails between two routes.

Our recreate inserts each ticket where it adds the least driving, blind to SLA lateness,
so routes it builds can often be re-ordered to start late tickets sooner, or can hand a
ticket to a nearby route that reaches it in time. Every move kept is costed by the exact
route timing (`routing.cost.route_value`) and checked against every side rule, so the
routes stay valid and the objective never rises. A move is timed only when its driving
and the costs its tickets fix leave room for a gain (`_floor`): a route's other costs are
never negative, and inserting a stop never makes the stops after it earlier. Measured on
a 1,000-ticket plan, under the profiler: a polish took 6.9 s with that bound and 21.6 s
without, to the same routes. Nothing here is random.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from dispatch_opt.routing.cost import RouteValues, route_value
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.parts import depots_overdrawn, drop_idle_pickups, open_pickups_given
from dispatch_opt.routing.timeline import (
    RouteStates,
    changed_keep_side_rules,
    route_states,
    route_violations,
    splice_feasible,
)
from dispatch_opt.solver.construct import Focus, construct
from dispatch_opt.solver.reach import RouteReach

MAX_SEGMENT = 3
"""Longest run of consecutive stops moved as one within a route (or-opt)."""

NEAR_ROUTES = 8
"""A ticket may move to the routes passing nearest to it, at most this many."""

TIMINGS_PER_CLOCK_CHECK = 32
"""A re-ordering pass looks at the clock after this many timings: it tries about 3.5 n²
orders of an n-stop route (60 stops, half of them late: 12,038 timings, 2 s)."""


def _travel_costs(inst: RoutingInstance, v: int, paths: np.ndarray) -> np.ndarray:
    """(C,) the travel cost (driving time and distance, in objective units) of each row
    of `paths` ((C, L) nodes from start place to end place) for vehicle v."""
    drive = inst.drive_s(float(inst.speed_factor[v]))
    a, b = paths[:, :-1], paths[:, 1:]
    cost = drive[a, b].sum(axis=1).astype(np.int64) * inst.travel_cost_per_s
    if inst.travel_cost_per_km:
        metres = inst.distances(a, b).sum(axis=1)
        cost += (np.floor(metres) * inst.travel_cost_per_km // 1000).astype(np.int64)
    return cost


def _ticket_fixed(inst: RoutingInstance, v: int, tickets: np.ndarray) -> np.ndarray:
    """(len(tickets),) what each ticket fixes of route v's value wherever it stands in
    it: its placement cost less its drop penalty."""
    return inst.placement_costs[tickets, v] - inst.penalty[tickets]


def _fixed_costs(inst: RoutingInstance, v: int, tickets: np.ndarray) -> int:
    """The part of route v's value that its tickets fix wherever they stand in it."""
    return int(_ticket_fixed(inst, v, tickets).sum())


def _floors(inst: RoutingInstance, v: int, routes: list[list[int]]) -> np.ndarray:
    """(len(routes),) the floor (`_floor`) of route v with each list of stops, at once."""
    width = max(map(len, routes)) + 2
    start, end = inst.start_node(v), inst.end_node(v)  # padding by the end drives nothing
    paths = np.array([[start, *r] + [end] * (width - 1 - len(r)) for r in routes], np.int64)
    fixed = np.zeros(paths.shape, dtype=np.int64)
    tickets = (paths >= inst.first_ticket_node) & (paths < inst.first_pickup_node)
    fixed[tickets] = _ticket_fixed(inst, v, paths[tickets] - inst.first_ticket_node)
    floors = _travel_costs(inst, v, paths) + fixed.sum(axis=1)
    floors[[not r for r in routes]] = 0  # an idle technician drives nothing
    return floors


def _floor(inst: RoutingInstance, v: int, nodes: list[int]) -> int:
    """The least route v's value can be with these stops in this order: its driving and
    fixed costs (its other costs are never negative); 0 for no stops, as an idle
    technician drives nothing."""
    return int(_floors(inst, v, [nodes])[0])


def _reorderings(nodes: list[int]) -> Iterator[list[int]]:
    """Every route made by moving a run of up to MAX_SEGMENT stops elsewhere, or by
    reversing a stretch of at least two stops."""
    n = len(nodes)
    for seg in range(1, min(MAX_SEGMENT, n) + 1):
        for i in range(n - seg + 1):
            run, rest = nodes[i : i + seg], nodes[:i] + nodes[i + seg :]
            for j in range(len(rest) + 1):
                if j != i:
                    yield rest[:j] + run + rest[j:]
    for i in range(n - 1):
        for j in range(i + 2, n + 1):
            yield nodes[:i] + nodes[i:j][::-1] + nodes[j:]


def checked_value(inst: RoutingInstance, v: int, nodes: list[int]) -> int | None:
    """Route v's value (`route_value`) when it keeps every rule, else None."""
    if nodes and route_violations(inst, v, nodes):
        return None
    return route_value(inst, v, nodes)


def reorder(
    inst: RoutingInstance, v: int, nodes: list[int], value: int, deadline: float | None = None
) -> tuple[list[int], int]:
    """Route v re-ordered by best-improving moves (`_reorderings`) until none lowers its
    value, or the deadline passes; with its value."""
    if len(nodes) < 2:
        return nodes, value
    ends = [inst.start_node(v)], [inst.end_node(v)]
    fixed = _fixed_costs(inst, v, inst.tickets_in(nodes))
    while deadline is None or time.perf_counter() < deadline:
        trials = list(_reorderings(nodes))
        paths = np.array([ends[0] + t + ends[1] for t in trials], dtype=np.int64)
        bound = _travel_costs(inst, v, paths) + fixed  # no trial's value is below it
        best, best_value = None, value
        hopeful = np.flatnonzero(bound < value)
        for i, c in enumerate(hopeful[np.argsort(bound[hopeful], kind="stable")]):
            if bound[c] >= best_value:
                break
            clock_due = deadline is not None and i and i % TIMINGS_PER_CLOCK_CHECK == 0
            if clock_due and time.perf_counter() >= deadline:
                break  # a long route's pass can take seconds: keep what it found
            trial = trials[int(c)]
            trial_value = checked_value(inst, v, trial)
            if trial_value is not None and trial_value < best_value:
                best, best_value = trial, trial_value
        if best is None:
            break
        nodes, value = best, best_value
    return nodes, value


class Work:
    """The routes a polish is changing, with their values and their `RouteReach`."""

    def __init__(self, inst: RoutingInstance, routes: list[list[int]], values: list[int]):
        self.routes = [list(r) for r in routes]
        self.values = list(values)
        self.reach = RouteReach(inst, self.routes)

    def put(self, v: int, nodes: list[int], value: int) -> None:
        """Route v is now `nodes`, worth `value`."""
        self.routes[v], self.values[v] = nodes, value
        self.reach.reset(v, nodes)


def _near_routes(inst: RoutingInstance, work: Work, node: int, v: int) -> np.ndarray:
    """Up to NEAR_ROUTES routes other than v, allowed to serve `node`, whose start or
    stops lie nearest it (by driving time)."""
    k = inst.ticket_of(node)
    allowed = np.flatnonzero(inst.allowed[k])
    return work.reach.nearest(k, allowed[allowed != v], NEAR_ROUTES)


def _insertions(
    inst: RoutingInstance, work: Work, node: int, v: int
) -> list[tuple[int, np.ndarray]]:
    """For each nearby route w (`_near_routes`): the least its value rises with `node`
    inserted before each of its stops or at its end ((stops + 1,) array), from driving
    and the ticket's fixed costs. Its other costs there can only add (an insertion makes
    no stop earlier), except paid span: a new first stop may let the technician leave
    later, so with a span cost the bound gives back all of w's costs beyond its floor."""
    routes, values = work.routes, work.values
    k = np.array([inst.ticket_of(node)])
    rises = []
    for w in _near_routes(inst, work, node, v):
        w = int(w)
        path = [inst.start_node(w), *routes[w], inst.end_node(w)]
        paths = np.array([[*path[:p], node, *path[p:]] for p in range(1, len(path))])
        old = _travel_costs(inst, w, np.array([path]))[0]
        rise = _travel_costs(inst, w, paths) - old + _fixed_costs(inst, w, k)
        if inst.span_cost_per_s:
            rise -= values[w] - _floor(inst, w, routes[w])
        rises.append((w, rise))
    return rises


def _relocate(inst: RoutingInstance, work: Work, node: int, v: int) -> int:
    """Move ticket `node` from route v to the place in a nearby route that lowers the
    objective most (the pickups only it needed leave with it); the route it is on after.
    Updates `work` in place."""
    routes, values = work.routes, work.values
    rises = _insertions(inst, work, node, v)
    if not rises:
        return v
    without = drop_idle_pickups(inst, v, [n for n in routes[v] if n != node])
    floor = _floor(inst, v, without)  # v's value without it is at least this
    if values[v] - floor <= min(int(r.min()) for _, r in rises):
        return v  # no move can gain: leaving v saves less than any insertion costs
    without_value = checked_value(inst, v, without)
    if without_value is None:
        return v
    saved = values[v] - without_value  # the most any move of it can gain
    best: tuple[int, int, list[int], int] | None = None  # (gain, w, route, value)
    for w, rise in rises:
        stops = routes[w]
        for p in np.argsort(rise, kind="stable"):  # w's value rises by at least rise[p]
            if saved - rise[p] <= (0 if best is None else best[0]):
                break
            trial = [*stops[:p], node, *stops[p:]]
            trial_value = checked_value(inst, w, trial)
            if trial_value is None:
                continue
            gain = saved + values[w] - trial_value
            if gain > (0 if best is None else best[0]):
                best = (gain, w, trial, trial_value)  # no depot gives more: pickups only left
    if best is None:
        return v
    _, w, trial, trial_value = best
    work.put(v, without, without_value)
    work.put(w, trial, trial_value)
    return w


PairMove = tuple[int, int, list[int], int, list[int], int]
"""A move changing two routes: (gain, w, v's new stops, their value, w's, their value)."""


def _best_pair_move(
    inst: RoutingInstance,
    work: Work,
    v: int,
    w: int,
    bound: np.ndarray,
    moves: list[tuple[list[int], list[int]]],
    best: PairMove | None,
) -> PairMove | None:
    """The better of `best` and `moves` (each: new stops of route v, of route w; the
    pickups they no longer need are dropped), timed in the order of `bound` (the most
    each can gain) until no untimed one can beat the best."""
    values = work.values
    for c in np.argsort(-bound, kind="stable"):
        if bound[c] <= (0 if best is None else best[0]):
            break
        stops_v, stops_w = moves[int(c)]
        trial_v = drop_idle_pickups(inst, v, stops_v)
        trial_w = drop_idle_pickups(inst, w, stops_w)
        value_v = checked_value(inst, v, trial_v)
        value_w = None if value_v is None else checked_value(inst, w, trial_w)
        if value_v is None or value_w is None:
            continue
        gain = values[v] + values[w] - value_v - value_w
        if gain > (0 if best is None else best[0]):
            best = (gain, w, trial_v, value_v, trial_w, value_w)
    return best


def _apply(work: Work, v: int, best: PairMove | None) -> int:
    """Make the move `best` (if any) in `work`; the route it moved route v's ticket to."""
    if best is None:
        return v
    _, w, trial_v, value_v, trial_w, value_w = best
    work.put(v, trial_v, value_v)
    work.put(w, trial_w, value_w)
    return w


def _swapped_floors(
    inst: RoutingInstance, v: int, nodes: list[int], at: np.ndarray, others: np.ndarray
) -> np.ndarray:
    """(len(at),) the floor (`_floor`) of route v with its stop `at[i]` replaced by the
    ticket node `others[i]`, for each i."""
    path = np.array([inst.start_node(v), *nodes, inst.end_node(v)], dtype=np.int64)
    paths = np.repeat(path[None, :], len(at), axis=0)
    paths[np.arange(len(at)), at + 1] = others
    tickets = inst.tickets_in(nodes)
    out = inst.ticket_of(path[at + 1])
    fixed = _fixed_costs(inst, v, tickets) - _ticket_fixed(inst, v, out)
    return _travel_costs(inst, v, paths) + fixed + _ticket_fixed(inst, v, inst.ticket_of(others))


def _exchange(inst: RoutingInstance, work: Work, node: int, v: int) -> int:
    """Swap ticket `node` of route v with the ticket of a nearby route whose exchange
    (each taking the other's place) lowers the objective most; the route `node` is on
    after. Relocation cannot do this when neither route has room for one more ticket
    (a full day, max_jobs). Updates `work` in place."""
    routes, values = work.routes, work.values
    at = routes[v].index(node)
    best: PairMove | None = None
    for w in _near_routes(inst, work, node, v):
        w = int(w)
        stops = np.array(routes[w], dtype=np.int64)
        if not len(stops):
            continue
        spots = np.flatnonzero((stops >= inst.first_ticket_node) & (stops < inst.first_pickup_node))
        spots = spots[inst.allowed[inst.ticket_of(stops[spots]), v]]
        if not len(spots):
            continue
        floors_v = _swapped_floors(inst, v, routes[v], np.full(len(spots), at), stops[spots])
        floors_w = _swapped_floors(inst, w, routes[w], spots, np.full(len(spots), node))
        bound = values[v] + values[w] - floors_v - floors_w  # no swap gains more
        swaps = [
            (
                [*routes[v][:at], int(stops[j]), *routes[v][at + 1 :]],
                [*routes[w][:j], node, *routes[w][j + 1 :]],
            )
            for j in spots
        ]
        best = _best_pair_move(inst, work, v, w, bound, swaps, best)
    return _apply(work, v, best)


def _swap_tails(inst: RoutingInstance, work: Work, node: int, v: int) -> int:
    """Exchange the tails of route v, from ticket `node` on (with the pickups just
    before it), and of a nearby route w, from the cut that lowers the objective most
    (2-opt*): v keeps its head and ends with w's tail, w ends with v's. It moves whole
    runs of stops, which a late run of tickets needs when no one of them can move alone.
    Returns the route `node` is on after. Updates `work` in place."""
    routes, values = work.routes, work.values
    i = routes[v].index(node)
    while i and inst.is_pickup(routes[v][i - 1]):
        i -= 1  # the pickups serving the tail go with it
    head_v, tail_v = routes[v][:i], routes[v][i:]
    tail_tickets = inst.tickets_in(tail_v)
    best: PairMove | None = None
    for w in _near_routes(inst, work, node, v):
        w = int(w)
        if not inst.allowed[tail_tickets, w].all():
            continue
        stops = routes[w]
        cuts = [
            j for j in range(len(stops) + 1) if inst.allowed[inst.tickets_in(stops[j:]), v].all()
        ]
        if not cuts:
            continue
        crossed = [([*head_v, *stops[j:]], [*stops[:j], *tail_v]) for j in cuts]
        floors_v = _floors(inst, v, [new_v for new_v, _ in crossed])
        floors_w = _floors(inst, w, [new_w for _, new_w in crossed])
        bound = values[v] + values[w] - floors_v - floors_w  # no cut gains more
        best = _best_pair_move(inst, work, v, w, bound, crossed, best)
    return _apply(work, v, best)


def _fill_gaps(inst: RoutingInstance, work: Work, deadline: float | None = None) -> list[int]:
    """Insert the tickets left out wherever they still fit (`construct` looking at every
    position of the routes it considers, fetching parts before any of them), when that
    lowers the objective; the routes changed. A recreate re-tries left-out tickets only
    near its ruin and at its cheapest positions, so a ticket that fits far from every
    ruin, or only at a dearer position of a long route, would otherwise stay out; then
    the same on the technicians left idle, wherever they start (an idle technician far
    from a ticket is not among its nearest routes, and no ruin ever frees it). No
    ticket is tried once `deadline` (a perf_counter value) has passed. Updates `work` in
    place."""
    every = len(inst.service_s)  # more positions than any route has

    def fill(routes: list[list[int]], focus: Focus | None = None) -> list[list[int]]:
        return construct(
            inst,
            routes=routes,
            vehicles_per_ticket=NEAR_ROUTES,
            positions_per_route=every,
            fetches_per_route=every,
            deadline=deadline,
            focus=focus,
        )

    filled = fill(work.routes)
    idle = np.array([not r for r in filled], dtype=bool)
    if idle.any():  # a technician with nothing to do is rarely among a ticket's nearest
        filled = fill(filled, Focus(removed=set(), changed=idle))
    changed = [v for v in range(inst.n_vehicles) if filled[v] != work.routes[v]]
    values: list[int] = []
    for v in changed:
        value = checked_value(inst, v, filled[v])
        if value is None:
            return []
        values.append(value)
    if depots_overdrawn(inst, filled) or sum(values) >= sum(work.values[v] for v in changed):
        return []
    for v, value in zip(changed, values, strict=True):
        work.put(v, filled[v], value)
    return changed


def fill_everywhere(
    inst: RoutingInstance, plan: RouteValues, deadline: float | None = None
) -> bool:
    """Insert the tickets left out on any route allowed to serve them, at any position (a
    depot fetch tried at the cheapest position whose van lacks the parts), and keep the
    result when it lowers the objective; whether it did. `_fill_gaps` looks at the
    NEAR_ROUTES routes passing nearest a ticket only, and a polish the clock cuts short
    never reaches it: on the final routes of a 3,000-ticket day (40 s) this inserted 16
    more tickets in 2.1 s, at 250 tickets (the audit's q2517) a low ticket with a window
    of one instant that only the 9th nearest route reaches in time. No ticket is tried
    once `deadline` has passed (nor are the routes loaded: 17 ms at 3,000 tickets)."""
    if deadline is not None and time.perf_counter() >= deadline:
        return False
    filled = construct(
        inst,
        routes=plan.routes,
        vehicles_per_ticket=inst.n_vehicles,
        positions_per_route=len(inst.service_s),
        deadline=deadline,
    )
    if filled == plan.routes or not _every_rule_kept(inst, plan.routes, filled):
        return False
    return plan.keep_if_cheaper(filled)


def _replace_lighter(inst: RoutingInstance, work: Work, node: int) -> int | None:
    """Serve the left-out ticket `node` instead of a ticket of lower drop penalty on one
    of the routes passing nearest it, at any position of that route (after a depot
    pickup of its parts when the van lacks them), the change that lowers the objective
    most; that ticket is left out. The route changed, or None. Updates `work` in place.

    Only the place the lighter ticket left was tried before: a ticket whose window opens
    later than that place is reached never went in (the audit's p1044: a normal ticket
    fitting after the second stop of a route whose first, low, it could replace).
    Candidates are tried by their floor (`_floors`), and timed from the shorter route's
    stored states (`splice_feasible`) before a full check."""
    routes, values = work.routes, work.values
    k = inst.ticket_of(node)
    pickups = open_pickups_given(inst, routes, k)
    best: tuple[int, int, list[int], int] | None = None  # (gain, w, route, value)
    for w in _near_routes(inst, work, node, -1):
        w = int(w)
        stops = np.array(routes[w], dtype=np.int64)
        spots = np.flatnonzero((stops >= inst.first_ticket_node) & (stops < inst.first_pickup_node))
        held = inst.ticket_of(stops[spots])
        spots = spots[(inst.penalty[held] < inst.penalty[k]) & ~inst.required[held]]
        if not len(spots):
            continue
        shorter = [drop_idle_pickups(inst, w, [*routes[w][:j], *routes[w][j + 1 :]]) for j in spots]
        places = [(i, p) for i, base in enumerate(shorter) for p in range(len(base) + 1)]
        floors = _floors(inst, w, [[*shorter[i][:p], node, *shorter[i][p:]] for i, p in places])
        bound = values[w] - floors
        states: dict[int, RouteStates | None] = {}
        for c in np.argsort(-bound, kind="stable"):
            if bound[c] <= (0 if best is None else best[0]):
                break
            i, p = places[c]
            base = shorter[i]
            if i not in states:  # None: no stops left, or a non-metric matrix broke it
                states[i] = route_states(inst, w, base)
            timed = states[i]
            for extra in ((), *pickups):
                middle = [*extra, node]
                if timed is not None and not splice_feasible(timed, p, middle, p + 1):
                    continue
                trial = [*base[:p], *middle, *base[p:]]
                value = checked_value(inst, w, trial)
                if value is not None and values[w] - value > (0 if best is None else best[0]):
                    best = (values[w] - value, w, trial, value)
    if best is None:
        return None
    _, w, trial, value = best
    work.put(w, trial, value)
    return w


def polish(
    inst: RoutingInstance,
    plan: RouteValues,
    deadline: float | None = None,
    routes_from: list[int] | None = None,
    unfinished: set[int] | None = None,
    exchange: str = "first",
) -> bool:
    """Lower `plan`'s objective by local search until no move helps or the deadline
    passes: each route re-ordered (`reorder`), then each served ticket relocated
    (`_relocate`), or else swapped with a ticket of a nearby route (`_exchange`), or else
    made the start of a tail exchanged with a nearby route's (`_swap_tails`); the two
    last by `exchange`: "first" from the first pass, "deferred" once relocations alone
    find nothing more, "off" never. Then again for the routes that changed, while any
    did. The first pass
    takes the routes `routes_from` (all of them without it). Keeps the result in `plan`;
    whether it is cheaper. When the deadline cuts it short, the routes it may not have
    finished with (those of its last pass, and those that pass changed) are added to
    `unfinished`, when given, so that a later polish can take them up again."""
    if routes_from is not None and not routes_from:
        return False  # nothing changed since the last polish: no table to build
    work = Work(inst, plan.routes, plan.values)
    routes, values = work.routes, work.values

    def late() -> bool:
        return deadline is not None and time.perf_counter() >= deadline

    dirty = list(range(len(routes))) if routes_from is None else sorted(routes_from)
    visiting: list[int] = []  # the routes of the pass under way
    exchanging, deferred = exchange == "first", exchange == "deferred"
    heaviest_first = [] if exchange == "off" else _by_weight(inst)  # for the left-out ones
    while not late():
        if not dirty:
            if not deferred:
                break
            # relocations alone found nothing more: every route again, with exchanges
            exchanging, deferred, dirty = True, False, list(range(len(routes)))
        dirty = visiting = _most_hopeful_first(inst, routes, values, dirty)
        changed: set[int] = set()
        for v in dirty:
            if routes[v] and not late():
                # the same stops in another order: `work.reach` still holds
                routes[v], value = reorder(inst, v, routes[v], values[v], deadline)
                if value < values[v]:
                    changed.add(v)
                values[v] = value
        owner = [(n, v) for v in dirty for n in routes[v] if inst.is_ticket(n)]
        for node, v in owner:
            if late():
                break
            if node not in routes[v]:
                continue  # an exchange moved it: its new route has had its turn or will
            w = _relocate(inst, work, node, v)
            if w == v and exchanging:
                w = _exchange(inst, work, node, v)
            if w == v and exchanging:
                w = _swap_tails(inst, work, node, v)
            if w != v:
                changed.update((v, w))
        if exchanging and not late():  # the tickets left out: in where they fit, or
            changed.update(_fill_gaps(inst, work, deadline))  # in place of lighter ones
            served = {n for r in routes for n in r}
            for node in heaviest_first:
                if late():
                    break
                if node not in served:
                    w = _replace_lighter(inst, work, node)
                    if w is not None:
                        changed.add(w)
                        served = {n for r in routes for n in r}
        dirty = sorted(changed)
    if unfinished is not None and late():  # cut short (or just done: harmless then)
        unfinished.update(visiting, dirty)
    if not _every_rule_kept(inst, plan.routes, routes):
        return False  # never expected: every move was checked; the plan stays as it was
    return plan.keep_if_cheaper(routes)


def _every_rule_kept(
    inst: RoutingInstance, before: list[list[int]], after: list[list[int]]
) -> bool:
    """`after` visits no stop twice, still serves every required ticket `before` did, and
    its changed routes keep every side rule (`RouteValues.keep_if_cheaper` checks timing
    and depots only)."""
    stops = [n for r in after for n in r]
    if len(set(stops)) < len(stops):
        return False
    kept = set(stops)
    if any(
        inst.is_ticket(n) and inst.required[inst.ticket_of(n)] and n not in kept
        for r in before
        for n in r
    ):
        return False
    return changed_keep_side_rules(inst, before, after)


def _most_hopeful_first(
    inst: RoutingInstance, routes: list[list[int]], values: list[int], among: list[int]
) -> list[int]:
    """The routes `among` with stops, those whose value lies furthest above its driving
    and fixed costs (SLA lateness, overtime: what moves can win back) first, so that a
    polish the clock cuts short has spent its time where it pays."""
    slack = {}
    for v in among:
        if routes[v]:
            slack[v] = values[v] - _floor(inst, v, routes[v])
    return sorted(slack, key=lambda v: -slack[v])


def _by_weight(inst: RoutingInstance) -> list[int]:
    """The nodes of the tickets some technician may serve, the heaviest in the objective
    (drop penalty) first."""
    eligible = np.flatnonzero(inst.allowed.any(axis=1))
    order = eligible[np.argsort(-inst.penalty[eligible], kind="stable")]
    return [inst.ticket_node(int(k)) for k in order]
