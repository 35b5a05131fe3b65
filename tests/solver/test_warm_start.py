"""Warm starts reach OR-Tools as the very routes we meant (routing indices, not nodes)."""

from dispatch_opt.routing import compile_problem
from dispatch_opt.solver.construct import construct
from dispatch_opt.solver.ortools_model import build_model
from dispatch_opt.solver.solve import _routes_of
from tests.factories import lunch, near, problem, tech, ticket


def test_constructed_routes_round_trip_through_the_model():
    techs = [tech(f"T{i}", start=near(i, -i), breaks=(lunch(),)) for i in range(3)]
    tickets = [ticket(f"K{i}", near(i % 4 - 2, i // 4 - 2)) for i in range(14)]
    inst = compile_problem(problem(techs, tickets)).instance
    routes = construct(inst)
    assert any(routes)
    for seed in (0, 3):
        model = build_model(inst, seed=seed)
        assignment = model.routing.ReadAssignmentFromRoutes(model.routing_indices(routes), True)
        assert assignment is not None
        assert _routes_of(model, assignment) == routes
