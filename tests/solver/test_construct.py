"""Our construction heuristic only ever builds routes that keep every rule."""

from hypothesis import given

from dispatch_opt.routing import compile_problem, route_violations, schedule_route
from dispatch_opt.solver.construct import construct
from tests.test_properties import COMMON, problems


@COMMON
@given(problems())
def test_constructed_routes_are_feasible_and_disjoint(p):
    inst = compile_problem(p).instance
    routes = construct(inst)
    seen = [n for r in routes for n in r]
    assert len(seen) == len(set(seen))
    for v, nodes in enumerate(routes):
        assert not route_violations(inst, v, nodes)
        assert schedule_route(inst, v, nodes) is not None


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
