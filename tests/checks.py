"""Every solver test goes through here: solve, then the independent validator."""

from __future__ import annotations

from dispatch_opt.domain import Plan, Problem
from dispatch_opt.planner import solve_problem
from dispatch_opt.routing import RoutingInstance, route_violations, schedule_route
from dispatch_opt.routing.parts import depots_overdrawn
from dispatch_opt.validate import format_report, validate_plan


def assert_valid(problem: Problem, plan: Plan) -> Plan:
    """Fail with the validator's report when the plan breaks a hard rule."""
    report = validate_plan(problem, plan)
    assert report.ok, format_report(report)
    return plan


def assert_routes_ok(inst: RoutingInstance, routes: list[list[int]]) -> None:
    """Node routes keep every rule: no node twice, each route's side rules and exact
    timing, and no depot giving out more than it holds."""
    nodes = [n for r in routes for n in r]
    assert len(nodes) == len(set(nodes))
    for v, r in enumerate(routes):
        assert not route_violations(inst, v, r), (v, route_violations(inst, v, r))
        assert schedule_route(inst, v, r) is not None, v
    assert not depots_overdrawn(inst, routes)


def solve_checked(problem: Problem, **kw) -> Plan:
    """Solve (deterministic unless told otherwise) and validate."""
    kw.setdefault("deterministic", True)
    return assert_valid(problem, solve_problem(problem, **kw))


def served(plan: Plan) -> dict[str, str]:
    """ticket id -> technician id of every served ticket."""
    return {tid: r.technician for r in plan.routes for tid in r.ticket_ids}


def reasons(plan: Plan) -> dict[str, list[str]]:
    """ticket id -> reason codes of every unassigned ticket."""
    return {u.ticket: [r.code.value for r in u.reasons] for u in plan.unassigned}
