"""Field-service benchmark: peer mappings, the contract screen of peer routes, the CI gate."""

from __future__ import annotations

import pytest

from benchmarks.ci import CaseResult, compare, judge
from benchmarks.fieldservice import Screened, make_case, route_breaches, screen_routes
from benchmarks.generate import generate_problem
from dispatch_opt.domain.plan import SolverStats
from dispatch_opt.io import parse_problem
from dispatch_opt.plan_builder import build_plan
from dispatch_opt.routing.compile import Compiled, compile_problem
from dispatch_opt.validate import validate_plan


@pytest.fixture(scope="module")
def small():
    """A 15-ticket generated day and its compiled instance."""
    problem = parse_problem(generate_problem(tickets=15, technicians=3, city="shenzhen", seed=7))
    return problem, compile_problem(problem)


def _served_once(routes: list[list[int]]) -> bool:
    """No ticket node appears twice across the routes."""
    flat = [n for r in routes for n in r]
    return len(flat) == len(set(flat))


def _check_peer(problem, compiled: Compiled, routes: list[list[int]]) -> Screened:
    """Screen peer routes, build the plan and validate it; returns the screen."""
    inst = compiled.instance
    assert len(routes) == inst.n_vehicles
    assert all(inst.is_ticket(n) for r in routes for n in r)
    assert _served_once(routes)
    screened = screen_routes(inst, routes)
    for v, nodes in enumerate(screened.routes):
        assert route_breaches(inst, v, nodes) == []
    kept = sum(map(len, screened.routes))
    assert kept + len(screened.dropped) == sum(map(len, routes))
    assert (screened.rule_violations > 0) == bool(screened.violating_routes)
    plan = build_plan(problem, inst, screened.routes, compiled.reasons, SolverStats())
    assert validate_plan(problem, plan).ok
    return screened


def test_vroom_mapping_gives_feasible_or_reported_routes(small):
    pytest.importorskip("vroom")
    from benchmarks.peers.fs_vroom import skill_sets, solve_vroom

    problem, compiled = small
    inst = compiled.instance
    job_skills, vehicle_skills = skill_sets(inst)
    for k, needed in job_skills.items():  # VROOM's skill rule reproduces `allowed`
        holders = [v for v in range(inst.n_vehicles) if needed <= vehicle_skills[v]]
        assert holders == [v for v in range(inst.n_vehicles) if inst.allowed[k, v]]
    result = solve_vroom(inst, 2.0)
    assert sum(map(len, result.routes)) > 0
    _check_peer(problem, compiled, result.routes)


def test_plain_ortools_gives_feasible_or_reported_routes(small):
    from benchmarks.peers.fs_plain_ortools import solve_plain_ortools

    problem, compiled = small
    result = solve_plain_ortools(compiled.instance, 2.0)
    assert result.status == "solved"
    assert result.first_solution_s is not None
    _check_peer(problem, compiled, result.routes)


def test_screen_reports_and_drops_a_broken_route(small):
    problem, compiled = small
    inst = compiled.instance
    k = next(k for k in range(inst.n_tickets) if not inst.allowed[k].all())
    v = next(v for v in range(inst.n_vehicles) if not inst.allowed[k, v])
    routes = [[] for _ in range(inst.n_vehicles)]
    routes[v] = [inst.ticket_node(k)]
    screened = _check_peer(problem, compiled, routes)
    assert screened.violating_routes == 1
    assert screened.dropped == [inst.ticket_node(k)]
    assert screened.by_rule.get("ticket not allowed for this technician") == 1


def test_cases_are_fixed():
    assert make_case(40).city == "shenzhen" and make_case(200).city == "shanghai"
    assert make_case(40).problem_dict() == make_case(40).problem_dict()
    assert make_case(200).technicians == 25


def _result(kind: str, value: float, valid: bool = True) -> CaseResult:
    """A synthetic gate result."""
    return CaseResult(name=f"{kind}/x", kind=kind, value=value, km=1.0, valid=valid)


def _baseline(kind: str, value: float) -> dict:
    """A synthetic baseline with one case."""
    return {"cases": {f"{kind}/x": {"kind": kind, "value": value}}}


def test_gate_flags_a_solomon_cost_regression():
    assert compare([_result("solomon", 100.9)], _baseline("solomon", 100.0))[0].ok
    verdict = compare([_result("solomon", 101.2)], _baseline("solomon", 100.0))[0]
    assert not verdict.ok and "cost" in verdict.message


def test_gate_flags_a_weighted_served_drop():
    assert compare([_result("fieldservice", 98.5)], _baseline("fieldservice", 100.0))[0].ok
    assert compare([_result("fieldservice", 120.0)], _baseline("fieldservice", 100.0))[0].ok
    verdict = compare([_result("fieldservice", 97.0)], _baseline("fieldservice", 100.0))[0]
    assert not verdict.ok and "weighted served" in verdict.message


def test_gate_flags_an_invalid_plan_even_when_better():
    bad = _result("fieldservice", 150.0, valid=False)
    verdict = compare([bad], _baseline("fieldservice", 100.0))[0]
    assert not verdict.ok and "INVALID" in verdict.message
    assert not judge(bad, None).ok


def test_judge_alone_checks_only_validity_without_a_baseline_entry():
    # the missing entry itself fails in `compare` (tests/benchmarks/test_ci.py)
    assert judge(_result("solomon", 5.0), None).ok
