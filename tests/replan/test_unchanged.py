"""Property: re-planning a day that went exactly as planned changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_opt.domain import StopKind
from dispatch_opt.io import load_problem
from dispatch_opt.replan.from_plan import state_from_plan
from tests.checks import solve_checked
from tests.factories import at
from tests.replan.helpers import day, replan_checked, visits
from tests.test_properties import problems

EXAMPLE = Path(__file__).parent.parent / "data" / "example-problem.json"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(problems(), st.sampled_from(["07:30", "09:40", "11:15", "13:05", "16:50"]),
       st.sampled_from([0.0, 45.0, 120.0]))  # fmt: skip
def test_replanning_an_unchanged_day_changes_nothing(p, now, freeze):
    plan = solve_checked(p)
    day = state_from_plan(p, plan, at(now), freeze_min=freeze)
    again = replan_checked(day)
    before = visits(plan)
    after = visits(again)
    assert again.churn is not None and not again.churn.calls
    for tid, where in after.items():
        assert before.get(tid) == where, tid
    open_before = {t for t in before if t not in day.state.done}
    assert set(after) == open_before


@pytest.mark.parametrize("now", ["08:45", "10:20", "12:30", "15:10"])
def test_a_day_with_depot_pickups_replans_to_itself(now):
    base = day()
    plan = solve_checked(base)
    assert any(s.kind is StopKind.DEPOT for r in plan.routes for s in r.stops)
    again = replan_checked(state_from_plan(base, plan, at(now), freeze_min=30))
    assert again.solver.status == "kept_previous_plan"
    before = visits(plan)
    for tid, where in visits(again).items():
        assert before[tid] == where


@pytest.mark.parametrize("now", ["07:00", "11:00", "13:30", "14:05"])
def test_the_example_day_wholly_frozen_replans_to_itself(now):
    # T02 serves SR-1007 and SR-1003 with one board on the van and one from the depot:
    # held (pinned) visits each covered by the van alone used to get no pickup option,
    # and SR-1007 was dropped
    base = load_problem(EXAMPLE)
    plan = solve_checked(base)
    again = replan_checked(state_from_plan(base, plan, at(now), freeze_min=24 * 60))
    open_ids = {
        s.id for r in plan.routes for s in r.stops if s.kind is StopKind.TICKET and s.end > at(now)
    }
    assert visits(again) == {t: w for t, w in visits(plan).items() if t in open_ids}
