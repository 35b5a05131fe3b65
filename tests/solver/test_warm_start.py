"""Warm starts reach OR-Tools as the very routes we meant (routing indices, not nodes)."""

import time

from ortools.constraint_solver import pywrapcp

from dispatch_opt.domain import Objective
from dispatch_opt.routing import compile_problem
from dispatch_opt.solver.construct import construct
from dispatch_opt.solver.ortools_model import build_model
from dispatch_opt.solver.solve import (
    SolveParams,
    _restored,
    _routes_of,
    search_parameters,
)
from tests.factories import lunch, near, problem, tech, ticket, win


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


def _lunch_and_two_slots(n_tickets: int):
    """A day whose restore OR-Tools would enumerate: a paid span, a lunch break and
    tickets with two appointment slots each (1,065 timings of a single ticket's route)."""
    slots = (win("08:30", "10:00"), win("13:00", "16:00"))
    tickets = [ticket(f"K{i}", near(2 + i, 1 - i), time_windows=slots) for i in range(n_tickets)]
    day = problem(
        [tech("T1", breaks=(lunch(30, "11:30", "13:30"),))],
        tickets,
        objective=Objective(route_span_per_min=1.0),
    )
    return compile_problem(day).instance


def test_restoring_a_warm_start_stops_at_its_first_timing():
    inst = _lunch_and_two_slots(1)
    routes = construct(inst)
    assert routes == [[inst.ticket_node(0)]]
    model = build_model(inst, seed=0)
    found: list[int] = []
    model.routing.AddAtSolutionCallback(lambda: found.append(1))
    search = search_parameters(inst, SolveParams(time_limit_s=60.0, deterministic=True), 60.0)
    assert _restored(model, routes, search) is not None
    assert len(found) == 1  # was 1,065 (and a 6-ticket day ran for 11 minutes)


def test_the_search_after_a_restore_keeps_its_own_limits():
    inst = _lunch_and_two_slots(4)
    model = build_model(inst, seed=0)
    costs: list[int] = []
    model.routing.AddAtSolutionCallback(lambda: costs.append(model.routing.CostVar().Value()))
    search = search_parameters(inst, SolveParams(time_limit_s=60.0, deterministic=True), 60.0)
    start = _restored(model, [[inst.ticket_node(k) for k in (0, 2, 1, 3)]], search)
    assert start is not None and len(costs) == 1
    found = model.routing.SolveFromAssignmentWithParameters(start, search)
    assert found is not None
    assert len(costs) > 2  # one solution only if the restore's limit of one had stuck
    assert found.ObjectiveValue() < costs[0]


class _RecordingRouting:
    """Stands in for OR-Tools' routing model: records each search and its time limit."""

    def __init__(self) -> None:
        self.searches: list[tuple[str, int]] = []

    def SolveFromAssignmentWithParameters(self, start, search):
        self.searches.append(("from the start", search.time_limit.ToMilliseconds()))
        return "searched"

    def SolveWithParameters(self, search):
        self.searches.append(("from scratch", search.time_limit.ToMilliseconds()))
        return "searched from scratch"


def test_the_search_after_a_restore_gets_only_the_time_the_restore_left(monkeypatch):
    """Restoring the warm start may take up to the whole limit (audit: 1.8 s of a 2 s
    limit on a 30-ticket day); the search after it gave the whole limit again answered in
    3.7 s. On the clock it gets what is left, and no search once nothing is."""
    from types import SimpleNamespace

    import dispatch_opt.solver.solve as solve_module

    model = SimpleNamespace(routing=_RecordingRouting())
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.time_limit.FromSeconds(2)
    monkeypatch.setattr(solve_module, "_restored", lambda model, routes, search: "restored")
    past = time.perf_counter() - 0.01
    assert solve_module._run_search(model, search, [[4]], past) == "restored"
    assert model.routing.searches == []
    assert solve_module._run_search(model, search, [[4]], time.perf_counter() + 0.5) == "searched"
    ((kind, limit_ms),) = model.routing.searches
    assert kind == "from the start" and limit_ms <= 500
    assert search.time_limit.ToMilliseconds() == 2000  # the caller's parameters untouched

    model.routing.searches.clear()  # the restore failed and used up the clock: nothing
    monkeypatch.setattr(solve_module, "_restored", lambda model, routes, search: None)
    assert solve_module._run_search(model, search, [[4]], time.perf_counter() - 0.01) is None
    assert model.routing.searches == []

    # deterministic (no clock): the limits are safety nets and stay whole
    assert solve_module._run_search(model, search, [[4]], None) == "searched from scratch"
    assert model.routing.searches == [("from scratch", 2000)]
