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


def test_a_required_ticket_makes_way_for_one_only_its_technician_can_serve():
    """Only A can serve TV (B lacks the skill); A's short day holds one job, and the
    search gave it BOTH, which B can serve too: BOTH moves to B, TV goes on A."""
    p = problem(
        [
            tech("A", shift=win("09:00", "10:30"), skills={"ac": 3, "tv": 3}),
            tech("B", shift=win("09:00", "10:30")),
        ],
        [
            ticket("TV", near(1, 0), duration_min=50, skills={"tv": 1}, required=True),
            ticket("BOTH", near(1.1, 0), duration_min=50, required=True),
        ],
    )
    inst = compile_problem(p).instance
    tv, both = inst.ticket_node(0), inst.ticket_node(1)
    assert schedule_route(inst, 0, [tv, both]) is None  # one job a day
    routes = ensure_required(inst, [[both], []])
    assert routes == [[tv], [both]]
    assert all(schedule_route(inst, v, r) is not None for v, r in enumerate(routes))


def test_required_tickets_are_re_ordered_to_make_room_for_another():
    """A's day (08:30-12:30) holds E5 then W5; N, 6 km west, must start by 09:15. No
    place in E5, W5 takes it, and there is no optional work to drop; N, W5, E5 fits."""
    p = problem(
        [tech("A", shift=win("08:30", "12:30"))],
        [
            ticket("E5", near(0, 5), required=True),
            ticket("W5", near(0, -5), required=True),
            ticket("N", near(0, -6), time_windows=(win("09:00", "09:15"),), required=True),
        ],
    )
    inst = compile_problem(p).instance
    e5, w5, n = (inst.ticket_node(k) for k in range(3))
    assert schedule_route(inst, 0, [e5, w5]) is not None
    assert all(schedule_route(inst, 0, r) is None for r in ([n, e5, w5], [e5, n, w5], [e5, w5, n]))
    routes = ensure_required(inst, [[e5, w5]])
    assert sorted(routes[0]) == sorted([e5, w5, n])
    assert schedule_route(inst, 0, routes[0]) is not None


def test_the_required_tickets_that_fit_together_are_served_in_the_largest_number():
    """One technician, a 3-hour day: LONG (150 min) fills it alone, S1 and S2 (45 min
    each) fit together. The search gave it LONG; two required tickets beat one."""
    p = problem(
        [tech("A", shift=win("09:00", "12:00"))],
        [
            ticket("LONG", near(1, 0), duration_min=150, required=True),
            ticket("S1", near(1.2, 0), required=True),
            ticket("S2", near(1.4, 0), required=True),
        ],
    )
    inst = compile_problem(p).instance
    long_, s1, s2 = (inst.ticket_node(k) for k in range(3))
    routes = ensure_required(inst, [[long_]])
    assert sorted(routes[0]) == sorted([s1, s2])
    assert schedule_route(inst, 0, routes[0]) is not None


def test_of_two_required_tickets_that_cannot_both_be_served_the_heavier_is():
    """T1 may do one job; LOW (near) and URGENT (farther) are both required. The search
    and the repair both keep URGENT: higher priority first holds among required tickets."""
    from dispatch_opt.planner import solve_problem
    from tests.checks import assert_valid

    p = problem(
        [tech("T1", max_jobs=1)],
        [
            ticket("LOW", near(1, 0), priority=Priority.LOW, required=True),
            ticket("URGENT", near(3, 0), priority=Priority.URGENT, required=True),
        ],
    )
    inst = compile_problem(p).instance
    low, urgent = inst.ticket_node(0), inst.ticket_node(1)
    assert inst.penalty[1] > inst.penalty[0]
    assert ensure_required(inst, [[low]]) == [[urgent]]
    plan = solve_problem(p, deterministic=True)
    assert_valid(p, plan)
    assert [t for r in plan.routes for t in r.ticket_ids] == ["URGENT"]
