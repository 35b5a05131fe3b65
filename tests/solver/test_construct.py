"""Our construction heuristic only ever builds routes that keep every rule."""

from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_opt.io.problem_io import load_problem
from dispatch_opt.routing import compile_problem
from dispatch_opt.routing.parts import running_stock_ok
from dispatch_opt.solver.construct import Focus, _Routes, construct
from tests.checks import assert_routes_ok
from tests.test_properties import COMMON, problems, scattered_parts_problems


@COMMON
@given(problems())
def test_constructed_routes_are_feasible_and_disjoint(p):
    inst = compile_problem(p).instance
    assert_routes_ok(inst, construct(inst))


def test_construction_places_the_required_and_heavy_tickets_first():
    from dispatch_opt.domain import Priority
    from tests.factories import near, problem, tech, ticket, win

    p = problem(
        [tech("A", shift=win("09:00", "10:30"))],
        [
            ticket("LOW", near(1, 0), priority=Priority.LOW, duration_min=60),
            ticket("URG", near(-1, 0), priority=Priority.URGENT, duration_min=60),
        ],
    )
    inst = compile_problem(p).instance
    assert construct(inst) == [[inst.ticket_node(1)]]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_stock_room_says_what_the_running_stock_says_of_each_insertion(data):
    """`_Routes.stock_room` (one suffix minimum per route) agrees with re-checking the
    whole route's running stock for every insertion position, on random stock-feasible
    sequences of tickets and depot pickups (stock only: timing is not its business)."""
    inst = _small()
    parts_nodes = [
        *(inst.ticket_node(int(k)) for k in np.flatnonzero(inst.demand.any(axis=1))),
        *range(inst.first_pickup_node, inst.n_nodes),
    ]
    v = data.draw(st.integers(0, inst.n_vehicles - 1))
    nodes = data.draw(st.lists(st.sampled_from(parts_nodes), max_size=8, unique=True))
    if not running_stock_ok(inst, v, nodes):
        return
    state = _Routes(inst)
    state.nodes[v] = nodes
    k = data.draw(st.sampled_from(np.flatnonzero(inst.demand.any(axis=1)).tolist()))
    node = inst.ticket_node(k)
    room = state.stock_room(v, inst.demand[k])
    for pos in range(len(nodes) + 1):
        assert room[pos] == running_stock_ok(inst, v, [*nodes[:pos], node, *nodes[pos:]])


def test_a_fetch_is_put_only_where_the_stock_holds_before_a_later_pickup():
    """T1's van holds one pump; its route serves A (one pump), then fetches for B. K (two
    pumps) goes first, with a fetch of its own: WH is short, so K is offered a load of
    one pump or of two. With one, the day's end balances (B's load comes later) but the
    van runs dry at A: `_with_pickup`'s suffix check must choose the load of two (timing
    is taken out of the way: every splice fits)."""
    from dispatch_opt.domain import Depot
    from dispatch_opt.solver.construct import _with_pickup
    from tests.factories import near, problem, tech, ticket, win

    p = problem(
        [tech("T1", stock={"PUMP": 1}), tech("T2", stock={})],
        [
            ticket("A", near(1, 0), parts={"PUMP": 1}),
            ticket("B", near(3, 0), parts={"PUMP": 2}),
            ticket("K", near(-1, 0), parts={"PUMP": 2}),
        ],
        [Depot("WH", near(2, 0), {"PUMP": 2}, win("07:00", "21:00"), 10.0)],
    )
    inst = compile_problem(p).instance
    a, k = inst.ticket_node(0), inst.ticket_node(2)
    loads = {int(inst.pickup_load[inst.pickup_of(g[0])][0]): g for g in inst.pickup_groups[2]}
    assert sorted(loads) == [1, 2]
    for fetch_b in inst.ticket_pickups[1]:
        route = [a, int(fetch_b)]
        assert running_stock_ok(inst, 0, route)
        state = _Routes(inst)
        state.nodes[0] = route
        state.fits = lambda *args, **kw: True
        fetched = _with_pickup(inst, state, 0, 2, [k, *route], 0)
        assert fetched is not None
        assert fetched[1] == [*loads[2], k, *route]
        assert running_stock_ok(inst, 0, fetched[1])
        assert not running_stock_ok(inst, 0, [*loads[1], k, *route])


@cache
def _small():
    """The bundled small scenario: part-needing tickets and depot pickups."""
    return compile_problem(load_problem("scenarios/small.json")).instance


@COMMON
@given(problems(), st.integers(0, 3))
def test_a_focused_recreate_keeps_every_rule_and_tries_old_misses_only_where_room_was_made(p, seed):
    """Ruin-and-recreate's recreate with `focus`: routes stay valid, the ruined tickets
    may go anywhere, and a ticket left out before the ruin lands only on a vehicle whose
    route the ruin changed."""
    from dispatch_opt.solver.lns import _focus, ruin

    inst = compile_problem(p).instance
    before = construct(inst)
    ruined = ruin(inst, before, np.random.default_rng(seed), 2)
    focus = _focus(inst, before, ruined)
    after = construct(inst, routes=ruined, focus=focus)
    assert_routes_ok(inst, after)
    served_before = {n for r in before for n in r}
    for v, nodes in enumerate(after):
        for n in nodes:
            if inst.is_ticket(n) and n not in served_before:
                assert focus.changed[v]


@COMMON
@given(problems(), st.integers(0, 3), st.integers(0, 3))
def test_a_recreate_retries_only_the_left_out_tickets_it_is_told(p, seed, limit):
    """With a retry set, a ticket left out before the ruin and not in the set stays out;
    the ruined tickets may still go anywhere, and the routes stay valid."""
    from dispatch_opt.solver.lns import _focus, retry_set, ruin, served_tickets

    inst = compile_problem(p).instance
    before = construct(inst)
    ruined = ruin(inst, before, np.random.default_rng(seed), 2)
    focus = _focus(inst, before, ruined)
    left_out = inst.allowed.any(axis=1) & ~served_tickets(inst, before)
    retry = retry_set(inst, left_out, focus.removed, limit)
    after = construct(inst, routes=ruined, focus=Focus(focus.removed, focus.changed, retry))
    assert_routes_ok(inst, after)
    if retry is None:
        return
    served_before = {inst.ticket_of(n) for r in before for n in r if inst.is_ticket(n)}
    for k in {inst.ticket_of(n) for r in after for n in r if inst.is_ticket(n)}:
        assert k in served_before or k in retry


def test_the_retry_set_holds_the_left_out_tickets_nearest_the_ruin():
    """`retry_set` keeps the `limit` left-out tickets with the shortest drive from a ruined
    one; no limit, or no more left out than it, means all (None)."""
    from dispatch_opt.solver.lns import retry_set

    inst = _small()
    eligible = [int(k) for k in np.flatnonzero(inst.allowed.any(axis=1))]
    removed = {eligible[0]}
    others = [k for k in eligible if k not in removed]
    left_out = np.zeros(inst.n_tickets, dtype=bool)
    left_out[others] = True
    assert retry_set(inst, left_out, removed, None) is None
    assert retry_set(inst, left_out, removed, len(others)) is None
    first = inst.first_ticket_node
    drive = {k: int(inst.duration_s[first + eligible[0], first + k]) for k in others}
    got = retry_set(inst, left_out, removed, 2)
    assert got is not None and len(got) == 2
    assert max(drive[k] for k in got) <= min(drive[k] for k in others if k not in got)
    assert retry_set(inst, left_out, set(), 2) == set()


def test_a_left_out_ticket_outside_the_retry_set_stays_out_though_it_would_fit():
    """One technician with room for two hours, who serves A; B and C (urgent, so tried
    first) were left out and either fits after A. Told to re-try only B, the recreate
    places B; told nothing, it places C."""
    from dispatch_opt.domain import Priority
    from tests.factories import near, problem, tech, ticket, win

    p = problem(
        [tech("T", shift=win("09:00", "11:30"))],
        [
            ticket("A", near(0.5, 0), duration_min=50),
            ticket("B", near(0, 0.5), duration_min=50),
            ticket("C", near(-0.5, 0), duration_min=50, priority=Priority.URGENT),
        ],
    )
    inst = compile_problem(p).instance
    a, b, c = (inst.ticket_node(k) for k in range(3))
    served_a = [[a]]
    changed = np.ones(1, dtype=bool)
    told_b = construct(inst, routes=served_a, focus=Focus(set(), changed, {1}))
    told_nothing = construct(inst, routes=served_a, focus=Focus(set(), changed, None))
    assert_routes_ok(inst, told_b) and assert_routes_ok(inst, told_nothing)
    assert b in told_b[0] and c not in told_b[0]
    assert c in told_nothing[0] and b not in told_nothing[0]


def test_candidate_vehicles_stay_within_the_mask():
    from dispatch_opt.solver.construct import _candidate_vehicles

    inst = _small()
    state = _Routes(inst)
    mask = np.zeros(inst.n_vehicles, dtype=bool)
    mask[::2] = True
    for k in range(inst.n_tickets):
        found = _candidate_vehicles(inst, state, k, 3, mask)
        assert all(mask[v] and inst.allowed[k, v] for v in found)
        assert len(found) == min(3, int((inst.allowed[k] & mask).sum()))


def test_a_focus_on_no_vehicle_and_no_ruined_ticket_inserts_nothing():
    """Every ticket counts as left out before the ruin, and no route changed: nothing is
    tried anywhere. Without the focus the same call fills the empty day."""
    inst = _small()
    empty = [[] for _ in range(inst.n_vehicles)]
    nowhere = Focus(set(), np.zeros(inst.n_vehicles, dtype=bool))
    assert construct(inst, routes=empty, focus=nowhere) == empty
    assert any(construct(inst, routes=empty))


def test_a_construction_out_of_time_tries_nothing_and_lists_what_it_never_tried():
    """A deadline already passed: no ticket is tried, the routes stay empty (valid), and
    every eligible ticket is reported as never tried. A far deadline changes nothing."""
    inst = _small()
    unreached: list[int] = []
    routes = construct(inst, deadline=0.0, unreached=unreached)
    assert routes == [[] for _ in range(inst.n_vehicles)]
    assert sorted(unreached) == np.flatnonzero(inst.allowed.any(axis=1)).tolist()
    later: list[int] = []
    assert construct(inst, deadline=float("inf"), unreached=later) == construct(inst)
    assert later == []


def test_the_driving_limit_counts_the_drive_to_a_separate_end_place():
    """An empty route to a separate end place already drives start -> end (32 min here);
    the construction counted from zero, so two side trips that each fit the 45 min limit
    alone made a 46 min route."""
    from dispatch_opt.routing.timeline import route_drive_s
    from tests.factories import near, problem, tech, ticket

    p = problem(
        [tech("T1", end=near(10, 0), max_travel_min=45)],
        [ticket("A", near(3, 2.5), duration_min=20), ticket("B", near(7, -2.5), duration_min=20)],
    )
    inst = compile_problem(p).instance
    assert inst.allowed.all()  # each alone fits the limit
    routes = construct(inst)
    assert_routes_ok(inst, routes)
    assert route_drive_s(inst, 0, routes[0]) <= inst.max_travel_s[0]
    assert len(routes[0]) == 1


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_route_that_fits_with_breaks_fits_without_them(data):
    """`_Routes.fits` without breaks is a relaxation of it with them: on random routes of
    the sample day (with lunch breaks), every change that fits with breaks fits without."""
    inst = _small()
    v = data.draw(st.integers(0, inst.n_vehicles - 1))
    stops = [*range(inst.first_ticket_node, inst.n_nodes)]
    nodes = data.draw(st.lists(st.sampled_from(stops), max_size=5, unique=True))
    state = _Routes(inst)
    state.nodes[v] = nodes
    if nodes and state.states(v) is None:
        return  # an infeasible route has no states to splice
    node = data.draw(st.sampled_from([n for n in stops if n not in nodes]))
    pos = data.draw(st.integers(0, len(nodes)))
    if state.fits(v, pos, [node], pos + 1):
        assert state.fits(v, pos, [node], pos + 1, breaks=False)


def _break_at_the_depot_day(travel=None, window=("12:00", "12:40")):
    """T1 (11:00-15:00, a 30 min break to start by 12:00) and K1 an hour's drive away,
    to start by 12:40, needing a pump held only by WH, half way and loading in no time.
    Straight there, the break comes first (K1 too late) or after K1 (too late for the
    break); through WH the break is taken there and K1 starts at 12:35."""
    from dispatch_opt.domain import Depot
    from dispatch_opt.domain.problem import Break
    from tests.factories import near, problem, tech, ticket, win

    leg_km = 30 / 60 * 25 / 1.35  # 30 min at 25 km/h on roads 1.35 times the straight line
    kw = {} if travel is None else {"travel": travel}
    return problem(
        [tech("T1", shift=win("11:00", "15:00"), breaks=(Break(win("11:30", "12:00"), 30),))],
        [
            ticket(
                "K1",
                near(2 * leg_km, 0),
                parts={"PUMP": 1},
                time_windows=(win(*window),),
            )
        ],
        [Depot("WH", near(leg_km, 0), {"PUMP": 1}, win("07:00", "21:00"), 0.0)],
        **kw,
    )


def test_a_fetch_is_tried_where_the_depot_stop_gives_the_break_its_place():
    inst = compile_problem(_break_at_the_depot_day()).instance
    k1 = inst.ticket_node(0)
    assert not _Routes(inst).fits(0, 0, [k1], 1)  # straight there it does not fit
    routes = construct(inst)
    assert routes == [[inst.first_pickup_node, k1]]
    assert_routes_ok(inst, routes)


def test_a_ticket_out_of_reach_even_without_breaks_is_not_fetched_for():
    inst = compile_problem(_break_at_the_depot_day(window=("11:30", "11:50"))).instance
    k1 = inst.ticket_node(0)
    assert not _Routes(inst).fits(0, 0, [k1], 1, breaks=False)  # it arrives at 12:05 at best
    assert construct(inst) == [[]]


@COMMON
@given(problems() | scattered_parts_problems())
def test_skipping_fetches_that_cannot_fit_changes_no_route(p):
    """The construction builds the same routes with the fetches it skips tried after all
    (`RoutingInstance.detours_only_delay` said no): those fetches never fit."""
    import dataclasses

    inst = compile_problem(p).instance
    routes = construct(inst, vehicles_per_ticket=4, positions_per_route=3)
    unpruned = dataclasses.replace(inst, metric=False)  # construction reads `metric` no more
    assert not unpruned.detours_only_delay
    assert construct(unpruned, vehicles_per_ticket=4, positions_per_route=3) == routes


def test_fetches_are_pruned_only_where_a_depot_stop_cannot_bring_a_ticket_forward():
    import dataclasses

    from dispatch_opt.domain import Depot
    from tests.factories import win

    day = _break_at_the_depot_day()
    inst = compile_problem(day).instance
    assert inst.detours_only_delay
    assert not dataclasses.replace(inst, metric=False).detours_only_delay
    at_k1 = Depot("WH", day.tickets[0].location, {"PUMP": 1}, win("07:00", "21:00"), 0.0)
    shared = compile_problem(dataclasses.replace(day, depots=(at_k1,))).instance
    assert not shared.detours_only_delay  # loading (0 min) there beats the stop overhead
