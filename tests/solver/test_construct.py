"""Our construction heuristic only ever builds routes that keep every rule."""

from hypothesis import given

from dispatch_opt.routing import compile_problem
from dispatch_opt.solver.construct import construct
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
