"""The required-ticket guarantee holds even when the search leaves one out."""

import numpy as np

from dispatch_opt.domain import Priority
from dispatch_opt.routing import compile_problem, schedule_route
from dispatch_opt.solver.required import ensure_required
from tests.factories import near, problem, tech, ticket, win


def test_required_ticket_is_inserted_into_a_route_with_room():
    p = problem([tech("A")], [ticket("OPT", near(1, 0)), ticket("REQ", near(2, 0), required=True)])
    inst = compile_problem(p).instance
    routes = ensure_required(inst, [[inst.ticket_node(0)]])
    assert sorted(routes[0]) == [inst.ticket_node(0), inst.ticket_node(1)]
    assert schedule_route(inst, 0, routes[0]) is not None


def test_required_ticket_displaces_optional_work_when_the_day_is_full():
    p = problem(
        [tech("A", shift=win("09:00", "11:10"))],
        [
            ticket("U1", near(1, 0), duration_min=50, priority=Priority.URGENT),
            ticket("U2", near(1.1, 0), duration_min=50, priority=Priority.URGENT),
            ticket("REQ", near(-1, 0), duration_min=50, priority=Priority.LOW, required=True),
        ],
    )
    inst = compile_problem(p).instance
    full = [[inst.ticket_node(0), inst.ticket_node(1)]]
    assert schedule_route(inst, 0, full[0]) is not None
    routes = ensure_required(inst, full)
    assert inst.ticket_node(2) in routes[0]
    assert len(routes[0]) == 2
    assert schedule_route(inst, 0, routes[0]) is not None


def test_required_ticket_nobody_can_serve_is_left_alone():
    p = problem(
        [tech("A", shift=win("09:00", "10:00"))],
        [ticket("REQ", near(1, 0), duration_min=180, required=True)],
    )
    inst = compile_problem(p).instance
    assert ensure_required(inst, [[]]) == [[]]


def _every_placement(inst, routes, node):
    """The reference: check every vehicle, position and pickup variant, keep the first of
    the least added driving."""
    from dispatch_opt.routing.parts import open_pickups_given
    from dispatch_opt.routing.timeline import route_drive_s, route_ok
    from dispatch_opt.solver.required import insertion_variants

    k = inst.ticket_of(node)
    pickups = open_pickups_given(inst, routes, k)
    best = None
    for v in np.flatnonzero(inst.allowed[k]):
        v = int(v)
        base = route_drive_s(inst, v, routes[v])
        for pos in range(len(routes[v]) + 1):
            for trial in insertion_variants(inst, routes, v, pos, node, pickups):
                if route_ok(inst, v, trial):
                    extra = route_drive_s(inst, v, trial) - base
                    if best is None or extra < best[0]:
                        best = (extra, v, trial)
    return None if best is None else (best[1], best[2])


def test_cheapest_insertion_checks_few_placements_but_answers_as_checking_all():
    """Pricing every placement first and checking the cheapest first gives the placement
    the exhaustive check gives, pickups included, on a generated field day."""
    from benchmarks.fieldservice import make_case
    from dispatch_opt.io.problem_io import parse_problem
    from dispatch_opt.solver.construct import construct
    from dispatch_opt.solver.required import _cheapest_insertion

    inst = compile_problem(parse_problem(make_case(120).problem_dict())).instance
    routes = construct(inst)
    served = [n for r in routes for n in r if inst.is_ticket(n)]
    with_parts = [n for n in served if inst.demand[inst.ticket_of(n)].any()]
    assert with_parts and inst.n_pickups
    tried = found = fetched = 0
    for node in [*served[::7], *with_parts[::3]]:
        mine = set(inst.ticket_pickups[inst.ticket_of(node)].tolist())
        for gone in ({node}, {node} | mine):  # its pickup kept, or taken out with it
            without = [[n for n in r if n not in gone] for r in routes]
            expected = _every_placement(inst, without, node)
            assert _cheapest_insertion(inst, without, node) == expected
            tried += 1
            found += expected is not None
            fetched += expected is not None and any(
                inst.is_pickup(n) for n in set(expected[1]) - set(without[expected[0]])
            )
    assert tried > 40 and found > 20 and fetched > 0


def test_cheapest_insertion_ties_go_to_the_first_technician_and_position():
    """Three identical technicians: every placement of the lone ticket costs the same,
    and the first technician gets it, as the exhaustive check decides."""
    from dispatch_opt.domain import Depot
    from dispatch_opt.solver.required import _cheapest_insertion

    p = problem(
        [tech("A"), tech("B"), tech("C", stock={"PUMP": 1})],
        [ticket("K", near(3, 0)), ticket("P", near(0, 3), parts={"PUMP": 1})],
        [Depot("WH", near(1, 1), {"PUMP": 3}, win("07:00", "21:00"), 10.0)],
    )
    inst = compile_problem(p).instance
    empty = [[], [], []]
    k_node, p_node = inst.ticket_node(0), inst.ticket_node(1)
    assert _cheapest_insertion(inst, empty, k_node) == (0, [k_node])
    assert _cheapest_insertion(inst, empty, k_node) == _every_placement(inst, empty, k_node)
    # the part: C carries it; A and B must fetch it (a longer drive), so C wins
    assert _cheapest_insertion(inst, empty, p_node) == (2, [p_node])
    assert _cheapest_insertion(inst, empty, p_node) == _every_placement(inst, empty, p_node)
    # nobody carries it: all three fetch it at the same cost, and A gets it
    bare = problem(
        [tech("A"), tech("B"), tech("C")],
        [ticket("P", near(0, 3), parts={"PUMP": 1})],
        [Depot("WH", near(1, 1), {"PUMP": 3}, win("07:00", "21:00"), 10.0)],
    )
    inst = compile_problem(bare).instance
    node = inst.ticket_node(0)
    found = _cheapest_insertion(inst, empty, node)
    assert found == _every_placement(inst, empty, node)
    assert found[0] == 0 and inst.is_pickup(found[1][0]) and found[1][1] == node
