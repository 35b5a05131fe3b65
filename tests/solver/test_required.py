"""The required-ticket guarantee holds even when the search leaves one out."""

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
