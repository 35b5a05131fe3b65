"""The runner on the contract's small example: parallel spawn processes, deterministic
effort, every plan validated, failures and invalid plans reported per variant."""

from __future__ import annotations

import json

import pytest

import dispatch_opt.planner
import dispatch_opt.validate
from dispatch_opt.validate import ValidationReport, Violation
from dispatch_opt.whatif import parse_scenario, render_markdown, result_to_dict, run_whatif
from dispatch_opt.whatif.compare import CHURN_KINDS
from dispatch_opt.whatif.runner import plan_parallelism
from tests.whatif.helpers import example_scenario, variant

SICK = variant("T02 sick", {"kind": "remove_technicians", "technicians": ["T02"]})
VAN = variant(
    "extra van",
    {
        "kind": "add_technicians",
        "technicians": [{"id": "X1", "copy_of": "T02", "start": {"lat": 31.21, "lon": 121.57}}],
    },
)


@pytest.fixture(scope="module")
def spec():
    """The example day with a sick technician and an extra van (short limits)."""
    return parse_scenario(example_scenario(SICK, VAN, time_limit_s=2))


@pytest.fixture(scope="module")
def small_spec():
    """The example day with the sick technician only."""
    return parse_scenario(example_scenario(SICK, time_limit_s=2))


@pytest.fixture(scope="module")
def parallel(spec):
    """Solved in two spawn processes, deterministically, each from scratch."""
    return run_whatif(spec, workers=2, deterministic=True)


def test_every_plan_is_solved_and_valid(parallel):
    assert parallel.ok
    assert [o.name for o in parallel.outcomes] == ["base", "T02 sick", "extra van"]
    assert (parallel.parallel, parallel.workers_per_solve) == (2, 1)
    for name, problem, plan in parallel.named_plans():
        assert {r.technician for r in plan.routes} == {t.id for t in problem.technicians}, name


def test_sick_technicians_tickets_changed_hands(parallel):
    base_plan = parallel.base.plan
    had = next(r.ticket_ids for r in base_plan.routes if r.technician == "T02")
    assert had, "T02 serves something in the base plan"
    comparison = parallel.comparisons["T02 sick"]
    moved = {c.ticket: c for c in comparison.changes}
    for tid in had:
        assert moved[tid].before == "T02"
        assert moved[tid].kind in ("moved", "newly_unassigned")
    assert comparison.churn >= len(had)


def test_outputs_name_every_variant(parallel):
    md = render_markdown(parallel)
    assert "| KPI | base | T02 sick | extra van |" in md
    assert "## T02 sick" in md and "remove technicians T02" in md
    doc = json.loads(json.dumps(result_to_dict(parallel, include_plans=True)))
    assert doc["ok"] is True
    sick = doc["variants"][0]
    assert sick["state"] == "valid" and sick["changes"] == ["remove technicians T02"]
    kinds = [c["kind"] for c in sick["tickets_changed_hands"]]
    assert sick["churn"]["churn"] == sum(k in CHURN_KINDS for k in kinds) > 0
    assert "routes" in sick["plan"]


def test_deterministic_runs_agree_inline_and_in_processes(spec, parallel):
    inline = run_whatif(spec, workers=1, deterministic=True)
    assert (inline.parallel, inline.workers_per_solve) == (1, 1)
    for a, b in zip(inline.outcomes, parallel.outcomes, strict=True):
        assert a.plan.kpis == b.plan.kpis, a.name
        assert [r.ticket_ids for r in a.plan.routes] == [r.ticket_ids for r in b.plan.routes]


def test_variants_can_start_from_the_base_plan(small_spec, monkeypatch):
    real = dispatch_opt.planner.solve_problem
    warm = {}

    def recording(problem, **kw):
        warm[len(problem.technicians)] = kw.get("warm_start")
        return real(problem, **kw)

    monkeypatch.setattr(dispatch_opt.planner, "solve_problem", recording)
    result = run_whatif(small_spec, workers=1, deterministic=True, from_base=True)
    assert result.ok and result.from_base
    assert warm[3] is None and warm[2] == result.base.plan  # the variant starts from it
    assert "T02" not in {r.technician for r in result.variants[0].plan.routes}
    assert "the variants from the base plan" in render_markdown(result)


def test_an_invalid_plan_is_reported_for_its_variant(small_spec, monkeypatch):
    real = dispatch_opt.validate.validate_plan

    def strict(problem, plan):
        if len(problem.technicians) == 2:  # only the sick variant
            return ValidationReport(violations=(Violation("test", "routes[0]", "made up"),))
        return real(problem, plan)

    monkeypatch.setattr(dispatch_opt.validate, "validate_plan", strict)
    result = run_whatif(small_spec, workers=1, deterministic=True)
    assert [o.state for o in result.outcomes] == ["valid", "invalid"]
    assert not result.ok
    assert "[test] routes[0]: made up" in render_markdown(result)


def test_a_failed_solve_is_reported_and_the_others_go_on(spec, monkeypatch):
    real = dispatch_opt.planner.solve_problem

    def flaky(problem, **kw):
        if any(t.id == "X1" for t in problem.technicians):
            raise RuntimeError("solver exploded")
        return real(problem, **kw)

    monkeypatch.setattr(dispatch_opt.planner, "solve_problem", flaky)
    result = run_whatif(spec, workers=1, deterministic=True)
    van = result.variants[1]
    assert van.state == "failed" and van.error == "RuntimeError: solver exploded"
    assert "extra van" not in result.comparisons and "T02 sick" in result.comparisons
    assert "**No plan:** RuntimeError: solver exploded" in render_markdown(result)
    assert result_to_dict(result)["variants"][1]["error"] == "RuntimeError: solver exploded"


@pytest.mark.parametrize(
    ("n", "workers", "deterministic", "expected"),
    [(3, 2, False, (2, 1)), (1, 2, False, (1, 2)), (1, 2, True, (1, 1)), (5, 1, False, (1, 1))],
)
def test_plan_parallelism_never_oversubscribes(n, workers, deterministic, expected):
    assert plan_parallelism(n, workers, deterministic) == expected
