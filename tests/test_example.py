"""The contract's own example problem solves as its comments promise."""

from pathlib import Path

from dispatch_opt.io import load_problem
from tests.checks import reasons, served, solve_checked

EXAMPLE = Path(__file__).parent / "data" / "example-problem.json"


def test_example_problem():
    problem = load_problem(EXAMPLE)
    plan = solve_checked(problem, time_limit_s=3)
    assert reasons(plan)["SR-1008"] == ["no_skilled_technician"]
    assert "SR-1005" in served(plan)
    assert plan.status.value in ("solved", "partial")
    assert {r.technician for r in plan.routes} == {"T01", "T02", "T03"}
    for u in plan.unassigned:
        assert u.reasons and all(r.detail for r in u.reasons)
