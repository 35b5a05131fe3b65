"""Our construction heuristic only ever builds routes that keep every rule."""

from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_opt.io.problem_io import load_problem
from dispatch_opt.routing import compile_problem
from dispatch_opt.routing.parts import running_stock_ok
from dispatch_opt.solver.construct import _Routes, construct
from tests.checks import assert_routes_ok
from tests.test_properties import COMMON, problems


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
    taken, changed = _focus(inst, before, ruined)
    after = construct(inst, routes=ruined, focus=(taken, changed))
    assert_routes_ok(inst, after)
    served_before = {n for r in before for n in r}
    for v, nodes in enumerate(after):
        for n in nodes:
            if inst.is_ticket(n) and n not in served_before:
                assert changed[v]


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
    nowhere = (set(), np.zeros(inst.n_vehicles, dtype=bool))
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
