"""Every solver test goes through here: solve, then the independent validator."""

from __future__ import annotations

from dispatch_opt.domain import Plan, Problem
from dispatch_opt.planner import solve_problem
from dispatch_opt.validate import format_report, validate_plan


def assert_valid(problem: Problem, plan: Plan) -> Plan:
    """Fail with the validator's report when the plan breaks a hard rule."""
    report = validate_plan(problem, plan)
    assert report.ok, format_report(report)
    return plan


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
