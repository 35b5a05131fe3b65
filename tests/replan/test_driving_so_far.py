"""The day's driving so far counts against `max_travel_min` in a re-plan (`driven_min`)."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_opt.domain import Problem
from dispatch_opt.errors import InputError
from dispatch_opt.io import parse_problem
from dispatch_opt.replan.from_plan import state_from_plan
from dispatch_opt.replan.residual import residual_problem
from dispatch_opt.validate import validate_plan
from tests.replan.helpers import replan_checked
from tests.replan.test_late_day import example, example_at, route_of

EXAMPLE = Path(__file__).parent.parent / "data" / "example-problem.json"


def _limited(day: Problem, technician: str, minutes: float, driven: float) -> Problem:
    """The day with one technician's driving limit and its driving so far set."""
    techs = tuple(
        dataclasses.replace(t, max_travel_min=minutes) if t.id == technician else t
        for t in day.technicians
    )
    states = tuple(
        dataclasses.replace(s, driven_min=driven) if s.id == technician else s
        for s in day.state.technicians
    )
    return dataclasses.replace(
        day, technicians=techs, state=dataclasses.replace(day.state, technicians=states)
    )


def test_at_the_end_of_the_day_the_driving_so_far_is_each_routes_travel():
    problem, plan = example()
    day = state_from_plan(problem, plan, problem.horizon.end)
    for route in plan.routes:
        driven = day.state.technician(route.technician).driven_min
        # the plan's times are whole seconds, each leg rounded up: at most 1 s a leg more
        legs = len(route.stops) - 1
        assert route.travel_min <= driven <= route.travel_min + legs / 60.0 + 1e-9


@settings(max_examples=25, deadline=None)
@given(minute=st.integers(0, 16 * 60))
def test_a_day_limited_to_its_planned_driving_replans_unchanged_at_any_moment(minute):
    # the driving so far plus what is left of each route is the route's drive: with each
    # limit at the planned drive (and a minute for whole-second legs), a frozen day keeps
    # every visit; counting a leg twice would release some
    problem, plan = example()
    techs = tuple(
        dataclasses.replace(t, max_travel_min=route_of(plan, t.id).travel_min + 1.0)
        for t in problem.technicians
    )
    limited = dataclasses.replace(problem, technicians=techs)
    now = problem.horizon.start + timedelta(minutes=minute)
    day = state_from_plan(limited, plan, now, freeze_min=24 * 60)
    for ts in day.state.technicians:
        assert 0.0 <= ts.driven_min <= route_of(plan, ts.id).travel_min + 1.0
    again = replan_checked(day, time_limit_s=1)
    open_visits = {a.ticket: a.technician for a in day.state.previous}
    assert {t: r.technician for r in again.routes for t in r.ticket_ids} == open_visits
    assert "held_released" not in validate_plan(day, again).warning_codes


def test_the_drive_to_the_visit_being_driven_to_is_counted():
    day = example_at("11:00")
    t01 = day.state.technician("T01")
    assert t01.in_progress is None and t01.free_at < day.state.now  # on its way to SR-1002
    at_visit = example_at("13:30").state.technician("T01")
    assert at_visit.in_progress is not None and at_visit.in_progress.ticket == "SR-1002"
    assert t01.driven_min == pytest.approx(at_visit.driven_min) and t01.driven_min > 0


def test_the_residual_limit_is_what_the_driving_so_far_leaves():
    day = _limited(example_at("11:00"), "T01", 100.0, 70.0)
    left = residual_problem(day).problem.technician("T01").max_travel_min
    assert left == pytest.approx(30.0)
    spent = _limited(example_at("11:00"), "T01", 100.0, 130.0)
    assert residual_problem(spent).problem.technician("T01").max_travel_min == 0.0


def _busiest_rest_of_day() -> tuple[Problem, str, float]:
    """The example day at 11:00, its busiest technician from then on, and how many
    minutes the re-plan drives it with no limit."""
    day = example_at("11:00")
    plan = replan_checked(day, time_limit_s=1)
    route = max(plan.routes, key=lambda r: r.travel_min)
    assert len(route.ticket_ids) >= 2
    return day, route.technician, route.travel_min


def test_a_replan_keeps_to_what_the_limit_leaves():
    day, tid, drive = _busiest_rest_of_day()
    limit = 200.0
    tight = _limited(day, tid, limit, limit - drive + 1.0)  # room for all but the last km
    plan = replan_checked(tight, time_limit_s=1)
    assert route_of(plan, tid).travel_min <= drive - 1.0 + 0.05
    # the same plan is refused once it is known the technician drove more before now
    spent = _limited(day, tid, limit, limit - route_of(plan, tid).travel_min + 5.0)
    assert "max_travel" in validate_plan(spent, plan).codes
    assert validate_plan(_limited(day, tid, limit, 0.0), plan).ok


def test_a_technician_whose_limit_is_spent_does_its_visit_and_goes_home():
    day = _limited(example_at("11:00"), "T01", 120.0, 120.0)  # driving to SR-1002
    plan = replan_checked(day, time_limit_s=1)
    route = route_of(plan, "T01")
    assert route.ticket_ids == ["SR-1002"] and route.travel_min > 0  # then straight home
    report = validate_plan(day, plan)
    lifted = [w for w in report.warnings if w.code == "max_travel_lifted"]
    assert [w.where for w in lifted] == ["state: T01"]
    assert "over the 0.0 min its limit leaves after 120.0 min driven" in lifted[0].message
    assert validate_plan(_limited(day, "T01", 120.0, 0.0), plan).ok


def test_driven_min_is_read_and_checked():
    doc = json.loads(EXAMPLE.read_text())
    now = "2026-11-23T11:00:00+08:00"
    doc["state"] = {"now": now, "technicians": [{"id": "T01", "driven_min": 42.5}]}
    assert parse_problem(doc).state.technician("T01").driven_min == 42.5
    assert parse_problem(doc).state.technician("T02").driven_min == 0.0
    doc["state"]["technicians"][0]["driven_min"] = -1
    with pytest.raises(InputError) as err:
        parse_problem(doc)
    assert any(i.path == "state.technicians[0].driven_min" for i in err.value.issues)
